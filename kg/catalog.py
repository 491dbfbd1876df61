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
import gc
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache, lru_cache
from operator import attrgetter
from pathlib import Path

from kg.courses import complete_series, pair_translations, title_facts
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
# a heading and a rule line of the summary markdown, line by line (what MARK finds)
HEADING = re.compile(r"^\s{0,3}(#{1,6})\s*(.*?)\s*#*\s*$")
RULE = re.compile(r"^\s{0,3}(?:-{3,}|\*{3,}|_{3,})\s*$")
CLOSE = re.compile(r"</details\s*>", re.I)
# a block's opening or (group 1) closing tag, never across lines; written to start with
# "<", which lets the search skip ahead (a leading group would make it ten times slower)
TAG = re.compile(r"<(?:details\b|(/details[^\S\n]*>))", re.I)
# A "\n" and a heading or rule line, as HEADING and RULE match the line alone, in a whole
# text ([^\S\n]: whitespace but a line break). Group 1 is what follows a heading's "#"
# marks (all of them, up to six: possessive); a heading without text ("#", "## ##") is
# no heading (the lookahead). Each branch starts with a literal: lines fail fast.
MARK = re.compile(
    r"\n[^\S\n]{0,3}(?:##{0,5}+(?![^\S\n]*#*[^\S\n]*$)(.*)|---+[^\S\n]*$|\*\*\*+[^\S\n]*$|___+[^\S\n]*$)", re.M
)
RULE_LINES = re.compile(r"\n[^\S\n]{0,3}(?:---+[^\S\n]*$|\*\*\*+[^\S\n]*$|___+[^\S\n]*$)", re.M)
COLON = re.compile(r"[:：]")
NOT_BLANK = re.compile(r"\S")
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


def _tag_lines(text: str) -> Iterator[tuple[int, int, int, bool, bool]]:
    """(line index, line start, line end, opens, closes) of each line of ``text`` with a
    ``<details>`` (opens) or ``</details>`` (closes) tag, in order."""
    line = counted = 0
    start, end = 0, -1  # of the line of the last tag
    opens = closes = False
    for tag in TAG.finditer(text):
        at = tag.start()
        if at > end:  # the first tag of its line
            if end >= 0:
                yield line, start, end, opens, closes
            line += text.count("\n", counted, at)
            counted = at
            start, end = text.rfind("\n", 0, at) + 1, text.find("\n", at)
            end = len(text) if end < 0 else end
            opens = closes = False
        if tag.group(1):
            closes = True
        else:
            opens = True
    if end >= 0:
        yield line, start, end, opens, closes


def _blocks(text: str, source: str, problems: list[Problem]) -> list[tuple[int, int, int]]:
    """(first line index, start, end) of each complete ``<details>`` block: its lines are
    ``text[start:end]``. A line that opens and closes a block does both, opening first."""
    blocks = []
    opened = None  # (line index, line start) of the block open so far
    for line, start, end, opens, closes in _tag_lines(text):
        if opens:
            if opened is not None:
                problems.append(
                    Problem(source, opened[0] + 1, f"<details> block is not closed before the next one at line {line + 1}; skipped")
                )
            opened = (line, start)
        if closes:
            if opened is None:
                problems.append(Problem(source, line + 1, "</details> without an opening <details>; ignored"))
            else:
                blocks.append((opened[0], opened[1], end))
                opened = None
    if opened is not None:
        problems.append(Problem(source, opened[0] + 1, "<details> block is not closed (truncated file?); skipped"))
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


def heading_text(rest: str) -> str:
    """A heading's text from what follows its ``#`` marks: ``HEADING`` group 2, stripped.

    >>> heading_text(" 核心主題 ##  "), heading_text(" C# "), heading_text(" # #")
    ('核心主題', 'C', '#')
    """
    return rest.rstrip().rstrip("#").strip()


def summarise(body: str, first_line: int, title: str | None = None) -> tuple[str, tuple[Section, ...]]:
    """The summary text of the markdown ``body`` without its rule lines, and its sections:
    one per heading, text before the first heading an ``other`` section headed ``""``.
    ``first_line`` is the 1-based line number of the body's first line. When the first
    line with text is a heading that repeats ``title`` (the newer pages start so), that
    line counts as blank.

    One split at the heading and rule lines (MARK) gives the text between them. With a
    "\\n" before the body, every piece of text is its lines, each after a "\\n": joined
    as the lines would be, but for a leading "\\n" that strip() removes."""
    if not body or body.isspace():
        return "", ()
    lines = "\n" + body
    if title is not None:
        mark = MARK.search(lines)
        if mark and mark.group(1) is not None and not NOT_BLANK.search(lines, 0, mark.start()):
            if _same_title(heading_text(mark.group(1)), title):
                lines = lines[: mark.start()] + "\n" + lines[mark.end() :]  # keeps line numbers
    pieces = MARK.split(lines)  # text, (heading or None for a rule, text)...
    sections: list[Section] = []
    heading, kind, start, text = "", "other", first_line, pieces[0]
    newlines = pieces[0].count("\n")  # before the next mark's line
    for index in range(1, len(pieces), 2):
        rest, after = pieces[index], pieces[index + 1]
        if rest is None:  # a rule: left out
            text += after
        else:
            content = text.strip()
            if content or heading:
                sections.append(Section(heading, kind, content, start))
            heading = heading_text(rest)
            kind, start, text = section_kind(heading), first_line + newlines, after
            # "### 核心主題：人工智能…": what follows the colon is content too
            colon = COLON.search(heading)
            if colon:
                text = heading[colon.end() :].strip() + after
        newlines += 1 + after.count("\n")
    content = text.strip()
    if content or heading:
        sections.append(Section(heading, kind, content, start))
    rules = len(pieces) > 1 and None in pieces[1::2]
    return (RULE_LINES.sub("", lines) if rules else lines).strip(), tuple(sections)


def split_sections(body: list[str], first_line: int) -> tuple[Section, ...]:
    """Sections of a summary given as lines, one per heading; text before the first
    heading is an ``other`` section headed ``""``."""
    return summarise("\n".join(body), first_line)[1]


def _same_title(heading: str, title: str) -> bool:
    def squash(s: str) -> str:
        return "".join(unicodedata.normalize("NFKC", s).split())

    return heading == title or squash(heading) == squash(title)


def iso_date(raw: str) -> str:
    """The ISO form of a catalog date ``YYYY-M-D``; ValueError when there is no such day
    (or the year has fewer than four digits, as ``date.fromisoformat`` wants).

    >>> iso_date("2021-5-2")
    '2021-05-02'
    """
    year, month, day = map(int, raw.split("-"))
    if year < 1000:
        raise ValueError(f"year {year} is not four digits")
    return dt.date(year, month, day).isoformat()


def parse_block(text: str, start: int, end: int, first: int, source: str) -> tuple[Lecture | None, list[Problem]]:
    """One lecture record from the block ``text[start:end]``, whose first line is line
    ``first`` (0-based) of ``source`` (None when it cannot be read), and the problems
    found on the way. The block is searched in place, never copied."""
    summary = SUMMARY.search(text, start, min(end, start + SUMMARY_SCAN))
    if not summary:
        return None, [Problem(source, first + 1, f"<details> block has no readable '<summary>N. title</summary>' (missing, malformed or over {SUMMARY_SCAN} characters); skipped")]
    summary_line = first + text.count("\n", start, summary.start()) + 1
    title = " ".join(summary.group("title").split())  # whitespace runs squeezed, stripped
    if not title:
        return None, [Problem(source, summary_line, "lecture has an empty title; skipped")]
    if len(title) > MAX_TITLE:
        return None, [Problem(source, summary_line, f"title is {len(title)} characters long (limit {MAX_TITLE}); skipped")]
    video = VIDEO.search(text, start, end)
    if not video:
        return None, [Problem(source, summary_line, f"lecture {summary.group('number')} has no YouTube video link; skipped")]
    date, problems = None, []
    if summary.group("date"):
        raw_date = summary.group("date")
        try:
            date = iso_date(raw_date)
        except ValueError:
            problems.append(Problem(source, summary_line, f"lecture {summary.group('number')}: '{raw_date}' is not a valid date; date left out"))
    # The summary markdown starts on the line after the link's closing </a>, looked for
    # from the link's line up to the </details> line, else on the line after the link.
    last_line = text.rfind("\n", start, end) + 1 or start  # where the </details> line starts
    anchor = text.find("</a>", text.rfind("\n", start, video.start()) + 1 or start, last_line)
    if anchor < 0:
        anchor = video.start()
    body_start = first + text.count("\n", start, anchor) + 1  # 0-based
    parts = []
    after_anchor = text.find("\n", anchor, end) + 1  # 0 when the anchor is on the </details> line
    if 0 < after_anchor < last_line:
        parts.append(text[after_anchor : last_line - 1])
    closing = CLOSE.search(text, last_line, end)
    if closing and text[last_line : closing.start()].strip():
        parts.append(text[last_line : closing.start()])
    summary_text, sections = summarise("\n".join(parts), body_start + 1, title)
    return Lecture(
        number=int(summary.group("number")),
        title=title,
        video_id=video.group(1),
        source=source,
        line=first + 1,
        date=date,
        summary=summary_text,
        sections=sections,
        **title_facts(title),
    ), problems


def parse_text(text: str, source: str) -> tuple[list[Lecture], list[Problem]]:
    """Lecture records of one page's text, with what their titles say (no cross-page derivations)."""
    problems: list[Problem] = []
    lectures: list[Lecture] = []
    if not text or text.isspace():
        return [], [Problem(source, 1, "file is empty")]
    if "\r" in text:  # lines end without their carriage returns
        text = "\n".join(line.rstrip("\r") for line in text.split("\n"))
    blocks = _blocks(text, source, problems)
    if not blocks and not problems:
        return [], [Problem(source, 1, "no <details> lecture block found; is this a catalog page?")]
    for first, start, end in blocks:
        lecture, found = parse_block(text, start, end, first, source)
        problems.extend(found)
        if lecture is not None:
            lectures.append(lecture)
    return lectures, problems


@contextmanager
def _cycle_collector_paused():
    """Reading makes some ten objects per lecture and no reference cycles, yet Python's
    cycle collector walks all of them again each time their number has grown by a
    quarter: a seventh of the reading time at 100,000 lectures, to find nothing. It is
    paused while reading; then, instead of a walk of everything read by the collection
    of the young, everything goes straight to the oldest generation (freeze and unfreeze
    move whole lists), whose next full collection sees it as it would have anyway."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if gc.get_freeze_count() == 0:  # else unfreeze would thaw what someone else froze
            gc.freeze()
            gc.unfreeze()
        if enabled:
            gc.enable()


def read_catalogs(inputs: list[Path], strict: bool = False) -> Catalog:
    """Read every catalog file of ``inputs`` (files or folders) into one Catalog.

    Duplicate catalog numbers or video ids keep the first block and report the rest.
    With ``strict`` any problem is fatal. Raises :class:`CatalogError` when nothing
    usable is read.
    """
    with _cycle_collector_paused():
        return _read_catalogs(inputs, strict)


def _read_catalogs(inputs: list[Path], strict: bool) -> Catalog:
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
    catalog.lectures = sorted(pair_translations(complete_series(catalog.lectures)), key=attrgetter("number"))
    return catalog
