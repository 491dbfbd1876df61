"""What a lecture title says about its place in the catalog: course, position in the
course, part of a multi-part lecture, spoken language; and, across lectures, which
English-version lecture is the translation of which Chinese one.

The course rules are data (``ontology/courses.tsv``)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from functools import cache, lru_cache

from kg.records import Lecture
from kg.resources import read_list, read_table

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
NUMERALS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
LEADING_TAG = re.compile(r"^\s*(?:【([^】]{1,60})】|\[([^\]]{1,60})\])\s*")
ENGLISH_VERSION = re.compile(r"\(\s*english\s+version\s*\)", re.I)
POSITION_PATTERNS = (
    re.compile(r"^(?:ML\s+|DRL\s+|GAN\s+)?Lecture\s*(\d+)\s*[:：]?\s*", re.I),
    re.compile(r"^第\s*([\d一二三四五六七八九十]+)\s*講\s*[:：]?\s*"),
)
PART_PATTERNS = (
    ("ratio", re.compile(r"\(\s*(\d+)\s*/\s*(\d+)\s*\)")),
    ("numeral", re.compile(r"[(（]\s*([一二三四五六七八九十]+)\s*[)）]")),
    ("updown", re.compile(r"[(（]\s*([上中下])\s*[)）]")),
    ("part", re.compile(r"(?:^|[\s\-–—:：])Part\s*(\d+)\b", re.I)),
    ("stage", re.compile(r"第\s*([一二三四五六七八九十\d]+)\s*階段")),
)
LOWER_PART = re.compile(r"[(（]\s*下\s*[)）]")
PART_PATTERNS_NOT_WORD = tuple((kind, pattern) for kind, pattern in PART_PATTERNS if kind != "part")
TRAILING_JUNK = " \t-–—:：,，、|"
YEAR = re.compile(r"(\d{4})")
NOT_SLUG = re.compile(r"[^0-9a-z\u3400-\u9fff]+")
LATIN_WORD = re.compile(r"[a-z0-9]+")
PAIRING_CANDIDATES = 8
PAIRING_SCAN = 64


@dataclass(frozen=True, slots=True)
class Course:
    id: str
    name: str
    language: str | None


def numeral(text: str) -> int:
    """Arabic or Chinese numeral (up to 99) to int.

    >>> numeral("三"), numeral("十二"), numeral("21")
    (3, 12, 21)
    """
    if text.isdigit():
        return int(text)
    if len(text) == 1:
        return NUMERALS[text]
    tens, _, units = text.partition("十")
    return (NUMERALS.get(tens, 1) if tens else 1) * 10 + (NUMERALS.get(units, 0) if units else 0)


@cache
def _rules(where: str) -> tuple[tuple[re.Pattern[str], str, str, str], ...]:
    """The course rules that look at ``where`` ("bracket" or "title"), in order."""
    return tuple(
        (re.compile(row["pattern"]), row["course_id"], row["course_name"], row["language"])
        for row in read_table("courses.tsv")
        if row["where"] == where
    )


@lru_cache(maxsize=4096)  # a catalog names few courses, in many titles
def _match_course(where: str, text: str) -> Course | None | bool:
    for pattern, course_id, name, language in _rules(where):
        match = pattern.fullmatch(text) if where == "bracket" else pattern.match(text)
        if match:
            if course_id == "-":
                return False  # a tag, not a course
            return Course(match.expand(course_id), match.expand(name), language or None)
    return None


def _slug(text: str) -> str:
    return NOT_SLUG.sub("-", text.lower()).strip("-")


def split_title(title: str) -> tuple[Course | None, str]:
    """The course named by a title and the title without its course tag.

    >>> split_title("【機器學習 2022】魚與熊掌可以兼得的深度學習")
    (Course(id='ml-2022-zh', name='機器學習2022', language='zh'), '魚與熊掌可以兼得的深度學習')
    >>> split_title("[ML 2021 (English version)] Lecture 27: Domain Adaptation")[0].id
    'ml-2021-en'
    """
    text = unicodedata.normalize("NFKC", title).strip()
    tag = LEADING_TAG.match(text)
    if tag:
        raw = tag.group(1) or tag.group(2)
        key = "".join(raw.split())  # whitespace removed
        rest = text[tag.end():]
        course = _match_course("bracket", key)
        if course is False:
            return None, rest
        if course is None:
            english = bool(ENGLISH_VERSION.search(raw))
            course = Course(f"{_slug(raw)}", raw.strip(), "en" if english else None)
        return course, rest
    course = _match_course("title", text)
    return (course or None), text


def course_position(rest: str) -> tuple[int | None, str]:
    """'Lecture 29: X' or '第2講：X' -> (29, 'X')."""
    for pattern in POSITION_PATTERNS:
        match = pattern.match(rest)
        if match:
            return numeral(match.group(1)), rest[match.end():]
    return None, rest


def find_part(rest: str) -> tuple[int | None, int | None, str | None]:
    """Part number, total and the title stem before the part marker.

    >>> find_part("概述增強式學習 (Reinforcement Learning, RL) (三) - Actor-Critic")
    (3, None, '概述增強式學習 (Reinforcement Learning, RL)')
    >>> find_part("Introduction of Reinforcement Learning (RL) (2/5)")
    (2, 5, 'Introduction of Reinforcement Learning (RL)')
    """
    best = None
    # "Part N" (case-insensitive, so no literal to skip ahead to) is searched for only
    # when the title has the word: every other search is cheap
    for kind, pattern in PART_PATTERNS if "part" in rest.lower() else PART_PATTERNS_NOT_WORD:
        match = pattern.search(rest)
        if match and (best is None or match.start() < best[1].start()):
            best = (kind, match)
    if best is None:
        return None, None, None
    kind, match = best
    total = None
    if kind == "ratio":
        part, total = int(match.group(1)), int(match.group(2))
    elif kind == "updown":
        part = {"上": 1, "中": 2, "下": 2}[match.group(1)]
    else:
        part = numeral(match.group(1))
    stem = rest[: match.start()].strip(TRAILING_JUNK)
    stem = ENGLISH_VERSION.sub("", stem).strip(TRAILING_JUNK)
    return part, total, stem or None


def title_facts(title: str) -> dict[str, object]:
    """The Lecture fields a title implies: course, position, part, series, language.

    >>> title_facts("【機器學習2021】概述增強式學習 (Reinforcement Learning, RL) (三) - Actor-Critic")["series"]
    'ml-2021-zh|概述增強式學習 (Reinforcement Learning, RL)'
    """
    course, rest = split_title(title)
    position, rest = course_position(rest)
    part, total, stem = find_part(rest)
    if ENGLISH_VERSION.search(title):
        language = "en"
    elif course and course.language:
        language = course.language
    else:
        language = "zh" if CJK.search(title) else "en"
    series = None
    if stem:
        series = f"{course.id if course else '-'}|{stem}"
    return dict(
        course_id=course.id if course else None,
        course_name=course.name if course else None,
        course_position=position,
        part=part,
        part_total=total,
        series=series,
        language=language,
    )


def describe(lecture: Lecture) -> Lecture:
    """Fill in the fields a title implies (:func:`title_facts`)."""
    return replace(lecture, **title_facts(lecture.title))


def complete_series(lectures: list[Lecture]) -> list[Lecture]:
    """Fix what only the whole series tells: a (下) after a (中) is part 3, and
    every part gets the series' total when no title gave one."""
    by_series: dict[str, list[Lecture]] = {}
    for lecture in lectures:
        if lecture.series:
            by_series.setdefault(lecture.series, []).append(lecture)
    fixed: dict[str, Lecture] = {}
    for members in by_series.values():
        has_middle = any("(中)" in m.title or "（中）" in m.title for m in members)
        parts = []
        for member in members:
            part = member.part
            if has_middle and LOWER_PART.search(member.title):
                part = 3
            parts.append((member, part))
        total = max(
            [m.part_total for m in members if m.part_total] + [p for _, p in parts if p] or [0]
        )
        for member, part in parts:
            part_total = member.part_total or total or None
            if (part, part_total) != (member.part, member.part_total):
                fixed[member.video_id] = replace(member, part=part, part_total=part_total)
    return [fixed.get(lecture.video_id, lecture) for lecture in lectures]


def _year(lecture: Lecture) -> str | None:
    match = YEAR.search(lecture.course_id or "")
    return match.group(1) if match else None


def title_terms(title: str) -> frozenset[str]:
    """The significant Latin-script words of a title, for pairing translations."""
    stop = read_list("pairing-stopwords.txt")
    words = LATIN_WORD.findall(unicodedata.normalize("NFKC", title).lower())
    return frozenset(w for w in words if w not in stop and not w.isdigit())


def pair_translations(lectures: list[Lecture]) -> list[Lecture]:
    """Link each English-version lecture to its Chinese original, when the catalog
    holds one: same course year, same part, and shared English terms in the titles
    (Chinese titles name their topic in English in parentheses). Greedy by score,
    each lecture in at most one pair."""
    english = [l for l in lectures if l.language == "en" and ENGLISH_VERSION.search(l.title)]
    # Chinese lectures by (year, part) and then by title term, so that candidates are
    # found through the index. A real catalog has a handful of lectures per title term;
    # keeping the first PAIRING_SCAN of each keeps common words, and catalogs that
    # repeat titles thousands of times, linear.
    index: dict[tuple, dict[str, dict[str, tuple[int, frozenset[str]]]]] = {}
    for zh in lectures:
        if zh.language == "zh":
            terms = title_terms(zh.title)
            bucket = index.setdefault((_year(zh), zh.part), {})
            for term in terms:
                listed = bucket.setdefault(term, {})
                if len(listed) < PAIRING_SCAN:
                    listed[zh.video_id] = (zh.number, terms)
    candidates = []
    for en in english:
        en_terms = title_terms(split_title(en.title)[1])
        bucket = index.get((_year(en), en.part), {})
        found: dict[str, tuple[int, frozenset[str]]] = {}
        for term in en_terms:
            found.update(bucket.get(term, {}))
        scored = sorted((-len(en_terms & terms), en.number, number, en.video_id, zh_id) for zh_id, (number, terms) in found.items())
        # the best few per lecture are enough for the greedy pairing below
        candidates.extend(scored[:PAIRING_CANDIDATES])
    candidates.sort()
    pairs: dict[str, str] = {}
    for _, _, _, en_id, zh_id in candidates:
        if en_id not in pairs and zh_id not in pairs:
            pairs[en_id] = zh_id
            pairs[zh_id] = en_id
    return [l if l.counterpart == pairs.get(l.video_id) else replace(l, counterpart=pairs.get(l.video_id)) for l in lectures]
