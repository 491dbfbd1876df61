"""Read catalog pages into lecture records.

A catalog page is markdown with one ``<details>`` block per lecture::

    <details>
    <summary>353. [2021-05-22] 【機器學習2021】… (三) - Actor-Critic</summary><br>
    <a href="https://www.youtube.com/watch?v=kk6DqWreLeU" target="_blank"> … </a>
    # optional summary markdown, split into sections by its headings
    </details>

Damaged blocks are reported as :class:`~kg.records.Problem` (file and line) and skipped;
a file with nothing usable raises :class:`CatalogError`.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

from kg.courses import complete_series, describe, pair_translations
from kg.records import Lecture, Problem, Section
from kg.resources import read_table

SUMMARY = re.compile(
    r"<summary>\s*(?P<number>\d{1,9})\s*[.．、]\s*(?:\[\s*(?P<date>\d{4}-\d{1,2}-\d{1,2})\s*\]\s*)?"
    r"(?P<title>.*?)</summary>",
    re.S,
)
# the <summary> line is near the top of a block: never scan a huge block for it
SUMMARY_SCAN = 8000
VIDEO = re.compile(
    r"(?:youtube\.com/watch\?(?:[^\"'\s>&]{0,200}&)*?v=|youtu\.be/|youtube\.com/embed/)([A-Za-z0-9_-]{11})(?![A-Za-z0-9_-])"
)
HEADING = re.compile(r"^\s{0,3}(#{1,6})\s*(.*?)\s*#*\s*$")
RULE = re.compile(r"^\s{0,3}(?:-{3,}|\*{3,}|_{3,})\s*$")
OPEN = re.compile(r"<details\b", re.I)
CLOSE = re.compile(r"</details\s*>", re.I)
CATALOG_SUFFIXES = (".md", ".txt")
MAX_TITLE = 2000


class CatalogError(Exception):
    """Nothing usable could be read; ``problems`` say where and why."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(slots=True)
class Catalog:
    """The lectures read from some catalog files, and what was wrong with them."""

    lectures: list[Lecture] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


def catalog_files(inputs: list[Path]) -> list[Path]:
    """Files named, plus the ``*.md`` and ``*.txt`` files of folders named, in a stable order."""
    files: list[Path] = []
    for item in inputs:
        if item.is_dir():
            files.extend(sorted(p for p in item.rglob("*") if p.is_file() and p.suffix.lower() in CATALOG_SUFFIXES))
        elif item.exists():
            files.append(item)
        else:
            raise CatalogError([Problem(str(item), 0, "no such file or folder")])
    return files


def decode(raw: bytes, source: str) -> str:
    """UTF-8 text of a file, or a CatalogError naming the line of the first bad byte."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        bad = raw[error.start : error.start + 1].hex()
        raise CatalogError(
            [Problem(source, line, f"not UTF-8 text: byte 0x{bad} at offset {error.start} cannot be decoded")]
        ) from None


def _blocks(lines: list[str], source: str, problems: list[Problem]) -> list[tuple[int, int]]:
    """(first, last) line indexes of each complete ``<details>`` block."""
    blocks = []
    start = None
    for index, line in enumerate(lines):
        if OPEN.search(line):
            if start is not None:
                problems.append(
                    Problem(source, start + 1, f"<details> block is not closed before the next one at line {index + 1}; skipped")
                )
            start = index
        if CLOSE.search(line):
            if start is None:
                problems.append(Problem(source, index + 1, "</details> without an opening <details>; ignored"))
            else:
                blocks.append((start, index))
                start = None
    if start is not None:
        problems.append(Problem(source, start + 1, "<details> block is not closed (truncated file?); skipped"))
    return blocks


@cache
def _section_rules() -> tuple[tuple[str, str], ...]:
    from kg.normalize import fold

    return tuple((fold(row["keyword"]).replace(" ", ""), row["kind"]) for row in read_table("sections.tsv"))


@lru_cache(maxsize=65536)  # summaries reuse a few dozen headings
def section_kind(heading: str) -> str:
    """The normalised kind of a summary heading.

    >>> section_kind("小節一：核心主題"), section_kind("#### 3. 問題原因"), section_kind("感想")
    ('core', 'problems', 'other')
    """
    from kg.normalize import fold

    folded = fold(heading).replace(" ", "")
    for keyword, kind in _section_rules():
        if keyword in folded:
            return kind
    return "other"


def split_sections(body: list[str], first_line: int) -> tuple[Section, ...]:
    """Sections of a summary, one per heading; text before the first heading is an
    ``other`` section headed ``""``."""
    sections = []
    heading, kind, start, text = "", "other", first_line, []

    def flush() -> None:
        content = "\n".join(text).strip()
        if content or heading:
            sections.append(Section(heading, kind, content, start))

    for offset, line in enumerate(body):
        match = HEADING.match(line)
        if match and match.group(2):
            flush()
            heading = match.group(2).strip()
            kind, start, text = section_kind(heading), first_line + offset, []
            # "### 核心主題：人工智能…": what follows the colon is content too
            colon = re.search(r"[:：]", heading)
            if colon and heading[colon.end() :].strip():
                text.append(heading[colon.end() :].strip())
        elif not RULE.match(line):
            text.append(line)
    flush()
    return tuple(sections)


def _same_title(heading: str, title: str) -> bool:
    def squash(s: str) -> str:
        return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s))

    return squash(heading) == squash(title)


def parse_block(lines: list[str], first: int, last: int, source: str) -> tuple[Lecture | None, list[Problem]]:
    """One lecture record from lines[first..last] (None when it cannot be read) and
    the problems found on the way."""
    block = "\n".join(lines[first : last + 1])
    summary = SUMMARY.search(block[:SUMMARY_SCAN])
    if not summary:
        return None, [Problem(source, first + 1, f"<details> block has no readable '<summary>N. title</summary>' (missing, malformed or over {SUMMARY_SCAN} characters); skipped")]
    summary_line = first + block[: summary.start()].count("\n") + 1
    title = re.sub(r"\s+", " ", summary.group("title")).strip()
    if not title:
        return None, [Problem(source, summary_line, "lecture has an empty title; skipped")]
    if len(title) > MAX_TITLE:
        return None, [Problem(source, summary_line, f"title is {len(title)} characters long (limit {MAX_TITLE}); skipped")]
    video = VIDEO.search(block)
    if not video:
        return None, [Problem(source, summary_line, f"lecture {summary.group('number')} has no YouTube video link; skipped")]
    date, problems = None, []
    if summary.group("date"):
        raw_date = summary.group("date")
        try:
            date = dt.date.fromisoformat("-".join(f"{int(x):02d}" for x in raw_date.split("-"))).isoformat()
        except ValueError:
            problems.append(Problem(source, summary_line, f"lecture {summary.group('number')}: '{raw_date}' is not a valid date; date left out"))
    # The summary markdown starts after the link's closing </a> (or the link line).
    body_start = first + block[: video.end()].count("\n") + 1
    for index in range(body_start - 1, last):
        if "</a>" in lines[index]:
            body_start = index + 1
            break
    body = lines[body_start:last]
    closing = CLOSE.search(lines[last])
    if closing and lines[last][: closing.start()].strip():
        body = body + [lines[last][: closing.start()]]
    # blank out the repeated "# title" heading of the newer pages (keeps line numbers)
    for index, line in enumerate(body):
        if line.strip():
            match = HEADING.match(line)
            if match and _same_title(match.group(2), title):
                body = body[:index] + [""] + body[index + 1 :]
            break
    text = "\n".join(l for l in body if not RULE.match(l)).strip()
    sections = split_sections(body, body_start + 1) if text else ()
    return Lecture(
        number=int(summary.group("number")),
        title=title,
        video_id=video.group(1),
        source=source,
        line=first + 1,
        date=date,
        summary=text,
        sections=sections,
    ), problems


def parse_text(text: str, source: str) -> tuple[list[Lecture], list[Problem]]:
    """Lecture records of one page's text (no cross-page derivations)."""
    lines = [line.rstrip("\r") for line in text.split("\n")]
    problems: list[Problem] = []
    lectures: list[Lecture] = []
    if not text.strip():
        return [], [Problem(source, 1, "file is empty")]
    blocks = _blocks(lines, source, problems)
    if not blocks and not problems:
        return [], [Problem(source, 1, "no <details> lecture block found; is this a catalog page?")]
    for first, last in blocks:
        lecture, found = parse_block(lines, first, last, source)
        problems.extend(found)
        if lecture is not None:
            lectures.append(lecture)
    return lectures, problems


def read_catalogs(inputs: list[Path], strict: bool = False) -> Catalog:
    """Read every catalog file of ``inputs`` (files or folders) into one Catalog.

    Duplicate catalog numbers or video ids keep the first block and report the rest.
    With ``strict`` any problem is fatal. Raises :class:`CatalogError` when nothing
    usable is read.
    """
    catalog = Catalog()
    files = catalog_files(inputs)
    if not files:
        raise CatalogError([Problem(", ".join(str(i) for i in inputs) or "(no input)", 0, "no catalog files (*.md, *.txt) found")])
    seen_numbers: dict[int, Lecture] = {}
    seen_videos: dict[str, Lecture] = {}
    for path in files:
        source = str(path)
        try:
            raw = path.read_bytes()
        except OSError as error:
            raise CatalogError([Problem(source, 0, f"cannot read file: {error.strerror}")]) from None
        lectures, problems = parse_text(decode(raw, source), source)
        catalog.sources.append(source)
        catalog.problems.extend(problems)
        for lecture in lectures:
            twin = seen_numbers.get(lecture.number)
            if twin:
                catalog.problems.append(Problem(source, lecture.line, f"catalog number {lecture.number} already used at {twin.source}:{twin.line}; skipped"))
                continue
            twin = seen_videos.get(lecture.video_id)
            if twin:
                catalog.problems.append(Problem(source, lecture.line, f"video {lecture.video_id} already listed at {twin.source}:{twin.line}; skipped"))
                continue
            seen_numbers[lecture.number] = seen_videos[lecture.video_id] = lecture
            catalog.lectures.append(lecture)
    if strict and catalog.problems:
        raise CatalogError(catalog.problems)
    if not catalog.lectures:
        raise CatalogError(catalog.problems or [Problem(", ".join(catalog.sources), 0, "no lectures found")])
    described = complete_series([describe(l) for l in catalog.lectures])
    catalog.lectures = sorted(pair_translations(described), key=lambda l: l.number)
    return catalog
