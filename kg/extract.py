"""Concepts in one lecture: vocabulary matches and discovered candidates, each with a
kind (``about`` or ``mentions``), a weight and evidence (section and snippet).

Vocabulary matching runs one Aho-Corasick automaton over the folded text of the whole
lecture (title, section headings and texts; see :mod:`kg.normalize`): every label and
its variants (plural, hyphen dropped, Taiwan / mainland wording) in one pass, Latin
labels only at word boundaries, short all-capital abbreviations only as written ("RL"
never fires inside "URL" or as "rl"), and the longest match wins where matches overlap
("Conditional GAN" is not also "GAN" at that place; "GAN" elsewhere still counts).
The automaton also knows the ways summaries vary a label (``ontology/label-variants.tsv``:
敵對樣本 for 對抗樣本, "feed-forward 網絡", "低秩 approximation"), and phrases that hold a
label's characters without naming it (headings such as 小節分類整理), which block it.
Discovery (:mod:`kg.discover`) adds the terms the vocabulary lacks; a pair that gives a
known concept a new Chinese form ("電熵損失函數（cross-entropy loss）") counts for that
concept, and the form counts wherever else the lecture uses it. Garbled names one letter
off a known one-word name ("MEMBA") are that name; labels that are everyday words outside
one area (``ontology/context-labels.tsv``: 狀態 for an RL state) count only in a lecture
of that area.

Main topics (``about``) come from the title (course tags, part markers and asides
blanked) and from what the core-topic section stresses; the rest are ``mentions``,
weighted by salience (:func:`about_keys`, :func:`salience`).

:func:`make_extractor` does the heavy set-up once per process (the automaton is cached
on disk per vocabulary; spaCy and jieba load on first need); the function it returns is
pure.
"""

from __future__ import annotations

import bisect
import hashlib
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from functools import cache
from typing import Callable, Iterator, NamedTuple

from kg import discover
from kg import normalize as normalize_module
from kg.normalize import (
    comparable,
    fold,
    fold_chars,
    has_cjk,
    hashed_key,
    is_generic,
    number_variants,
    singular,
    slugify,
    squeeze,
    unsqueeze,
)
from kg.records import Concept, Lecture, Mention, pickled_as_tuple
from kg.resources import ontology_dir, read_list, read_table
from kg.vocabulary import Vocabulary

SNIPPET = 120
LATIN_CHAR = re.compile(r"[a-z0-9]")
MARKUP = re.compile(
    r"\\\[.*?\\\]|\\\(.*?\\\)|\$\$.*?\$\$|\$[^$\n]{1,200}\$"  # LaTeX
    r"|https?://\S+"  # links
    r"|\*+|`+|~~|#+|[<>]"  # emphasis, code, headings, <term>
    r"|(?<![A-Za-z0-9])[./](?=[A-Za-z])",  # ".Actor*", "的/style": stray punctuation glued to a word
    re.S,
)
PART_BREAK = "\x00"  # joins the parts of a lecture for one automaton pass
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]+")
CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
NOT_NEWLINE = re.compile(r"[^\n]")
WHITESPACE = re.compile(r"\s+")
CLAUSE = re.compile(r"[\s!?！？，,]|[^\x00-\x7f]{6,}")  # a remark, not a translation
LINE_OPENER = re.compile(r"[\s\-*_#>•<(（\d.、)）]+")  # bullets, numbering, markup
COLON = re.compile(r"[:：]")
NAME_LIKE = re.compile(r"[a-z]{5,}")  # a one-word Latin label that a slip of one letter may garble
JOINED_WORD = re.compile(r"(?<![A-Za-z0-9\-])[A-Za-z][a-z]+(?:-[A-Za-z][a-z]+)+(?![A-Za-z0-9\-])")  # "Soft-Max"
SPEAKER = re.compile(r"\s[-–—]\s*([A-Z][a-z]+(?:[- ][A-Z][a-z]+){1,3})\s*(?:[(（][^()（）]*[)）])?\s*$")


# ---- the record ---------------------------------------------------------------------

def _concept_json(concept: Concept) -> dict:
    return {
        "key": concept.key,
        "labels": [list(pair) for pair in concept.labels],
        "alt_labels": [list(pair) for pair in concept.alt_labels],
        "broader": list(concept.broader),
        "origin": concept.origin,
    }


def _concept_from_json(data: dict) -> Concept:
    return Concept(
        key=data["key"],
        labels=tuple(tuple(pair) for pair in data["labels"]),
        alt_labels=tuple(tuple(pair) for pair in data.get("alt_labels", ())),
        broader=tuple(data.get("broader", ())),
        origin=data.get("origin", "discovered"),
    )


@pickled_as_tuple
@dataclass(frozen=True, slots=True)
class Extraction:
    """Everything found in one lecture.

    ``evidence`` pairs each discovered key with the evidence this lecture gives it (the
    strength of the best pattern that found it, plus a bonus for repeats); the catalog-wide
    threshold is applied by :func:`kg.canonical.canonicalize`.
    """

    video_id: str
    mentions: tuple[Mention, ...]
    discovered: tuple[Concept, ...]
    evidence: tuple[tuple[str, float], ...] = ()

    def to_json(self) -> dict:
        return {
            "video_id": self.video_id,
            "mentions": [
                [m.concept, m.kind, m.weight, m.section, m.snippet, m.surface] for m in self.mentions
            ],
            "discovered": [_concept_json(c) for c in self.discovered],
            "evidence": [list(pair) for pair in self.evidence],
        }

    @classmethod
    def from_json(cls, data: dict) -> "Extraction":
        video, intern = data["video_id"], sys.intern
        return cls(
            video_id=video,
            mentions=tuple(
                Mention(video, intern(concept), intern(kind), weight, intern(section), snippet, intern(surface))
                for concept, kind, weight, section, snippet, surface in data["mentions"]
            ),
            discovered=tuple(_concept_from_json(c) for c in data["discovered"]),
            evidence=tuple((key, float(value)) for key, value in data.get("evidence", ())),
        )


# ---- the vocabulary automaton ----------------------------------------------------------

class LabelEntry(NamedTuple):
    """One way of writing one concept, as the automaton knows it (a tuple: the built
    index is cached with pickle, and tuples load fastest)."""

    concept: str
    label: str  # as written in the vocabulary
    exact_case: bool  # short all-capital abbreviation: must match as written
    latin_start: bool
    latin_end: bool
    rank: int  # lower wins when one form names several concepts: 0 preferred label


def exact_case(label: str) -> bool:
    """Short all-capital abbreviations ("RL", "LL", "GAN", "SUPERB") match only as written."""
    letters = [c for c in label if c.isalpha()]
    return 2 <= len(label) <= 6 and len(letters) >= 2 and all(c.isupper() for c in letters) and " " not in label


def label_forms(label: str, regional: tuple[str, ...] = ()) -> set[str]:
    """Folded forms a label is matched in: itself, its other number, hyphens dropped,
    and its Taiwan / mainland wordings (``regional``: 網路 / 網絡, 資料 / 數據)."""
    forms = set()
    for text in (label, *regional):
        folded = fold(text)
        forms.update(number_variants(folded))
        if "-" in text and not has_cjk(text):
            forms.update(number_variants(fold(text.replace("-", ""))))
    return {form for form in forms if len(form) >= 2}


def regional_variants(labels: list[str]) -> dict[str, tuple[str, ...]]:
    """Each Chinese label in the other region's wording (opencc tw2sp and s2twp phrase
    conversion), in two batch calls: loading these converters costs ~0.2 s, which is
    why the built index is cached."""
    import opencc

    chinese = sorted({label for label in labels if has_cjk(label) and "\n" not in label})
    if not chinese:
        return {}
    joined = "\n".join(chinese)
    mainland = opencc.OpenCC("tw2sp").convert(joined).split("\n")
    taiwan = opencc.OpenCC("s2twp").convert(joined).split("\n")
    if len(mainland) != len(chinese) or len(taiwan) != len(chinese):
        return {}
    return {label: tuple({m, t} - {label}) for label, m, t in zip(chinese, mainland, taiwan)}


@cache
def _variant_rules() -> tuple[tuple[tuple[str, str], ...], dict[str, tuple[str, ...]]]:
    """(Chinese word pairs, English head -> Chinese renderings), folded, from
    ``ontology/label-variants.tsv``."""
    pairs = []
    heads: dict[str, tuple[str, ...]] = {}
    for row in read_table("label-variants.tsv"):
        a, b = fold(row["a"]), row["b"]
        if row["kind"] == "zh":
            pairs += [(a, fold(b)), (fold(b), a)]
        elif row["kind"] == "head":
            heads[a] = tuple(fold(x) for x in b.split("|") if x.strip())
    return tuple(pairs), heads


def variant_forms(concept: Concept) -> set[str]:
    """Folded forms of a concept's labels as the summaries vary them (see
    ``ontology/label-variants.tsv``): Chinese words swapped for their equivalents, and
    terms half in English, half in Chinese ("feed forward 网络", "低秩 approximation")."""
    pairs, heads = _variant_rules()
    labels = [fold(text) for text in concept.all_labels() if text.strip()]
    chinese = [label for label in labels if has_cjk(label)]
    found: set[str] = set()
    frontier = set(chinese)
    for _ in range(2):  # at most two substitutions per label
        new = {label.replace(a, b, 1) for label in frontier for a, b in pairs if a in label}
        found |= new
        frontier = new
    for label in labels:
        if has_cjk(label):
            continue
        words = label.split()
        for size in (2, 1):  # "fine tuning" before "tuning"
            if len(words) < size:
                continue
            head = " ".join(words[-size:-1] + [singular(words[-1])])
            renderings = heads.get(head)
            if not renderings or len(words) == size:
                if renderings:
                    break  # the label is a head alone ("Fine-tuning"), not a modified one
                continue
            modifier = " ".join(words[:-size])
            if sum(c.isalpha() for c in modifier) >= 2:
                for zh_head in renderings:
                    found.update((f"{modifier} {zh_head}", modifier + zh_head))
            english_head = " ".join(words[-size:])
            for zh_label in chinese:
                for zh_head in renderings:
                    rest = zh_label[: -len(zh_head)].strip()
                    if zh_label.endswith(zh_head) and has_cjk(rest) and len(rest) >= 2:
                        found.update((f"{rest} {english_head}", rest + english_head))
            break
    return {form for form in found if len(form) >= 2} - set(labels)


@cache
def context_labels() -> dict[str, dict[str, str]]:
    """concept -> {folded label: context concept}: labels that name the concept only
    next to the context concept or a narrower one (``ontology/context-labels.tsv``)."""
    table: dict[str, dict[str, str]] = {}
    for row in read_table("context-labels.tsv"):
        table.setdefault(row["concept"], {})[fold(row["label"])] = row["context"]
    return table


def context_form(surface: str) -> str:
    """How a matched surface is looked up in :func:`context_labels`: folded, singular."""
    folded = fold(surface)
    return folded if has_cjk(folded) else " ".join(singular(word) for word in folded.split())


def blocker_forms() -> set[str]:
    """Phrases that name no concept but hold a label's characters ("小節分類整理" holds
    分類, "主要問題" holds nothing): summary headings (``ontology/sections.tsv``) and the
    Chinese generic words (``ontology/stopwords.txt``). They take part in the
    longest-match choice and are then dropped, so a label inside them never fires; a
    longer label around them still wins."""
    forms = {fold(row["keyword"]) for row in read_table("sections.tsv")}
    forms |= {fold(word) for word in read_list("stopwords.txt") if has_cjk(word)}
    return {form for form in forms if len(form) >= 2}


class VocabularyIndex:
    """The automaton over every vocabulary label, and label lookups for discovery."""

    def __init__(self, vocabulary: Vocabulary):
        import ahocorasick

        entries: dict[str, list[LabelEntry]] = {}
        self.lookup_table: dict[str, set[str] | frozenset[str]] = {}
        regional = {
            label: tuple(v for v in variants if not is_generic(v))
            for label, variants in regional_variants(
                [t for c in vocabulary.concepts.values() for t in c.all_labels()]).items()
        }
        for key in sorted(vocabulary.concepts):
            concept = vocabulary.concepts[key]
            labelled = [(text, 0) for _, text in concept.labels] + [(text, 1) for _, text in concept.alt_labels]
            for text, rank in labelled:
                text = text.strip()
                if not text or (is_generic(text) and fold(text) not in context_labels().get(key, {})):
                    continue  # a generic word, unless it names the concept in one area only
                self.lookup_table.setdefault(comparable(text), set()).add(key)
                folded = fold(text)
                entry = LabelEntry(
                    concept=key,
                    label=text,
                    exact_case=exact_case(text),
                    latin_start=bool(LATIN_CHAR.match(folded[:1])),
                    latin_end=bool(LATIN_CHAR.match(folded[-1:])),
                    rank=rank,
                )
                for variant in regional.get(text, ()):
                    self.lookup_table.setdefault(comparable(variant), set()).add(key)
                for form in label_forms(text, regional.get(text, ())):
                    entries.setdefault(form, []).append(entry)
        for key in sorted(vocabulary.concepts):
            for form in variant_forms(vocabulary.concepts[key]):
                if form in entries or is_generic(form):
                    continue  # a real label's form wins
                folded = fold(form)
                entries[form] = [LabelEntry(
                    concept=key, label=form, exact_case=False,
                    latin_start=bool(LATIN_CHAR.match(folded[:1])), latin_end=bool(LATIN_CHAR.match(folded[-1:])),
                    rank=2,
                )]
                self.lookup_table.setdefault(comparable(form), {key})
        for form in blocker_forms():
            inner = {form[i:j] for i in range(len(form)) for j in range(i + 2, len(form) + 1)} - {form}
            if form not in entries and any(part in entries for part in inner):  # else it blocks nothing
                folded = fold(form)
                entries[form] = [LabelEntry(
                    concept="", label=form, exact_case=False,
                    latin_start=bool(LATIN_CHAR.match(folded[:1])), latin_end=bool(LATIN_CHAR.match(folded[-1:])),
                    rank=9,
                )]
        self.automaton = ahocorasick.Automaton()
        for form, found in entries.items():
            found.sort(key=lambda e: (e.rank, e.exact_case, e.concept))
            self.automaton.add_word(form, (len(form), tuple(found)))
        self.automaton.make_automaton()
        self.cjk_words = sorted(form for form in entries if has_cjk(form))
        # one-letter slips of one-word Latin labels, for garbled names (MEMBA, WaveLM):
        # slip -> the concept, or "" when two concepts share it
        self.slips: dict[str, str] = {}
        for key in sorted(vocabulary.concepts):
            for text in vocabulary.concepts[key].all_labels():
                label = text.lower()
                if not NAME_LIKE.fullmatch(label) or is_generic(label):
                    continue
                for i in range(1, len(label)):  # the first letter stays
                    for slip in (label[:i] + "*" + label[i + 1:], label[:i] + label[i + 1:]):
                        self.slips[slip] = key if self.slips.get(slip, key) == key else ""
        self.lookup_table = {label: frozenset(keys) for label, keys in self.lookup_table.items()}

    @classmethod
    def cached(cls, vocabulary: Vocabulary) -> "VocabularyIndex":
        """The index for ``vocabulary``, from the cache folder when it was built before
        from the same vocabulary, stop-list and code."""
        stamp = index_stamp(vocabulary)
        if stamp in _INDEXES:
            return _INDEXES[stamp]
        _INDEXES[stamp] = index = cls._load_or_build(vocabulary, stamp)
        return index

    @classmethod
    def _load_or_build(cls, vocabulary: Vocabulary, stamp: str) -> "VocabularyIndex":
        return discover.cached_pickle("vocabulary-index", stamp, cls, lambda: cls(vocabulary))

    def near(self, word: str) -> set[str]:
        """Vocabulary keys with a one-word label one letter away from ``word`` (a letter
        changed, dropped or added; same first letter, five letters or more)."""
        word = word.lower()
        if not NAME_LIKE.fullmatch(word):
            return set()
        found = [self.slips.get(word)]  # a letter added
        for i in range(1, len(word)):
            found.append(self.slips.get(word[:i] + "*" + word[i + 1:]))  # changed
            found.extend(self.lookup_table.get(word[:i] + word[i + 1:], ()))  # dropped
        keys = {key for key in found if key is not None}
        return set() if "" in keys else keys  # "": a slip of two concepts' labels

    def lookup(self, form: str) -> frozenset[str]:
        """Vocabulary keys with a label that is ``form`` (folded, any number, any spacing)."""
        return self.lookup_table.get(comparable(form), frozenset()) if form else frozenset()

    def matches_in(self, texts: list[str]) -> list[list[tuple[int, int, LabelEntry]]]:
        """:meth:`matches` for several texts in one automaton pass (joined with a
        character no label holds, so no match spans two of them)."""
        joined = PART_BREAK.join(texts)
        starts = []
        offset = 0
        for text in texts:
            starts.append(offset)
            offset += len(text) + 1
        result: list[list[tuple[int, int, LabelEntry]]] = [[] for _ in texts]
        for start, end, entry in self.matches(joined):
            index = bisect.bisect_right(starts, start) - 1
            result[index].append((start - starts[index], end - starts[index], entry))
        return result

    def matches(self, text: str) -> list[tuple[int, int, LabelEntry]]:
        """(start, end, entry) of every vocabulary label in ``text`` (original offsets),
        longest first where they overlap."""
        folded = fold_chars(text)
        squeezed, points = squeeze(folded)
        found = []
        append = found.append
        for last, (length, entries) in self.automaton.iter(squeezed):
            start = last - length + 1
            if points:
                original_start = unsqueeze(start, points)
                original_end = unsqueeze(last, points) + 1
            else:
                original_start, original_end = start, last + 1
            entry = entries[0]
            if not (entry.latin_start or entry.latin_end or entry.exact_case):  # most: nothing to check
                append((original_start, original_end, entry))
                continue
            end = last + 1
            before = squeezed[start - 1] if start else " "
            after = squeezed[end] if end < len(squeezed) else " "
            surface = text[original_start:original_end]
            for entry in entries:
                if entry.latin_start and LATIN_CHAR.match(before):
                    continue
                if entry.latin_end and LATIN_CHAR.match(after):
                    continue
                if entry.exact_case and surface not in (entry.label, entry.label + "s"):
                    continue
                append((original_start, original_end, entry))
                break
        return [match for match in longest_first(found) if match[2].concept]  # blockers out


_INDEXES: dict[str, "VocabularyIndex"] = {}  # built or loaded indexes of this process, by stamp


def index_stamp(vocabulary: Vocabulary) -> str:
    """What the built index depends on: the vocabulary, the stop-list and this code."""
    digest = hashlib.sha1(vocabulary.fingerprint.encode())
    for path in (Path(__file__), Path(normalize_module.__file__), ontology_dir() / "stopwords.txt",
                 ontology_dir() / "label-variants.tsv", ontology_dir() / "sections.tsv",
                 ontology_dir() / "context-labels.tsv"):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def longest_first(found: list[tuple[int, int, LabelEntry]]) -> list[tuple[int, int, LabelEntry]]:
    """Non-overlapping matches: the longest wins, then the earliest."""
    if not found:
        return []
    taken = bytearray(max(end for _, end, _ in found))
    kept: list[tuple[int, int, LabelEntry]] = []
    for start, end, entry in sorted(found, key=lambda m: (m[0] - m[1], m[0], m[2].concept)):
        if 1 not in taken[start:end]:
            taken[start:end] = b"\x01" * (end - start)
            kept.append((start, end, entry))
    return sorted(kept, key=lambda m: m[0])


# ---- text preparation -------------------------------------------------------------

def blank(text: str, start: int, end: int) -> str:
    """``text`` with [start, end) replaced by spaces (offsets stay put)."""
    return text[:start] + " " * (end - start) + text[end:]


def clean_markup(text: str) -> str:
    """Markdown, LaTeX and stray punctuation replaced by spaces, same length."""
    return MARKUP.sub(lambda m: NOT_NEWLINE.sub(" ", m.group()), text)


@cache
def _title_noise() -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(pattern) for pattern in sorted(read_list("title-noise.txt")))


def clean_title(title: str, is_term: Callable[[str], bool]) -> str:
    """The title with course tags, lecture numbers, part markers, teacher and spoiler
    notes, and (in English titles) a trailing speaker's name blanked out."""
    text = clean_markup(title)
    for pattern in _title_noise():
        text = pattern.sub(lambda m: " " * len(m.group()), text)
    if not has_cjk(text):
        speaker = SPEAKER.search(text)
        if speaker and not any(is_term(word) for word in speaker.group(1).replace("-", " ").split()):
            # the name goes; what follows in parentheses stays ("(Moshi)" names the model)
            text = blank(text, speaker.start(), speaker.end(1))
    return text


def snippet(raw: str, start: int, end: int) -> str:
    """At most SNIPPET characters of ``raw`` around [start, end), on one line."""
    room = max(0, SNIPPET - (end - start)) // 2
    left, right = max(0, start - room), min(len(raw), end + room)
    text = WHITESPACE.sub(" ", raw[left:right]).strip()
    return text[:SNIPPET]


@dataclass(slots=True)
class Part:
    """A piece of a lecture searched on its own: the title, a section heading or a
    section's text."""

    section: str  # "title" or the heading as written
    kind: str  # "title" or the section kind
    raw: str
    text: str  # cleaned, same length as raw
    heading: bool = False


ASIDE = re.compile(r"[(（][^()（）]*[)）]")


def title_asides(title: str) -> list[tuple[int, int]]:
    """Spans of parenthetical remarks in a title ("(在繪圖 AI 中也有用上喔!)"): a
    parenthesis with a Chinese clause in it, not a term's translation."""
    spans = []
    for match in ASIDE.finditer(title):
        inner = match.group()[1:-1]
        if sum(len(run) for run in CJK_RUN.findall(inner)) >= 4 and CLAUSE.search(inner):
            spans.append((match.start(), match.end()))
    return spans


def mask(text: str, spans: list[tuple[int, int]], keep: bool) -> str:
    """``text`` with ``spans`` blanked (keep=False) or everything else blanked (keep=True)."""
    if keep:
        kept = [" "] * len(text)
        for start, end in spans:
            kept[start:end] = text[start:end]
        return "".join(kept)
    for start, end in spans:
        text = blank(text, start, end)
    return text


ARTICLE_TITLE = re.compile(r"^[^:：]{0,12}[:：]\s*\S")  # "文章整理：分類任務中的損失函數選擇與優化"


def lecture_parts(lecture: Lecture, is_term: Callable[[str], bool]) -> list[Part]:
    """The title, then each section's heading and text. A summary that opens with a
    heading restating its subject ("文章整理：…") gives that heading the weight of the
    core-topic section."""
    title = clean_title(lecture.title, is_term)
    aside = title_asides(title)
    parts = [Part("title", "title", lecture.title, mask(title, aside, keep=False))]
    if aside:
        parts.append(Part("title", "other", lecture.title, mask(title, aside, keep=True)))
    for index, section in enumerate(lecture.sections):
        name = section.heading or "summary"
        kind = section.kind
        restates = index == 0 and kind == "other" and ARTICLE_TITLE.match(section.heading or "")
        if section.heading.strip():
            # sub-headings name concepts too: "4.2 Fast Gradient Sign Method (FGSM)"
            heading_kind = "core" if restates else kind
            parts.append(Part(name, heading_kind, section.heading, clean_markup(section.heading), heading=True))
        if section.text.strip() and not restates:  # its text repeats the heading's subject
            parts.append(Part(name, kind, section.text, clean_markup(section.text)))
    return parts


# ---- salience ----------------------------------------------------------------------

@dataclass(slots=True)
class Hit:
    """One occurrence of a concept in a part; ``strong`` when the text stresses it
    (bold, a heading, or the lead term of a line: "**Adapter**：…")."""

    part: Part
    start: int
    end: int
    strong: bool = False


def is_lead_term(raw: str, start: int, end: int) -> bool:
    """True when [start, end) opens its line (after bullets and markup) and the line
    goes on with a colon soon after: "- **Domain Generalization**：探討…"."""
    line_start = raw.rfind("\n", 0, start) + 1
    line_end = raw.find("\n", end)
    line_end = len(raw) if line_end < 0 else line_end
    before = LINE_OPENER.sub("", raw[line_start:start])
    after = raw[end:line_end]
    colon = COLON.search(after)
    return len(before) <= 2 and colon is not None and colon.start() <= 24


def is_stressed(part: Part, bold: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether the text stresses [start, end): a heading, bold, or a line's lead term."""
    if part.heading or any(s <= start and end <= e for s, e in bold):
        return True
    return part.kind != "title" and is_lead_term(part.raw, start, end)


@dataclass(slots=True)
class Found:
    """All occurrences of one concept in a lecture."""

    key: str
    hits: list[Hit] = field(default_factory=list)

    def in_kind(self, kind: str) -> bool:
        return any(hit.part.kind == kind for hit in self.hits)

    def strong_in(self, kind: str) -> bool:
        return any(hit.part.kind == kind and hit.strong for hit in self.hits)


SECTION_WEIGHT = {"title": 3.0, "core": 1.0, "concepts": 0.6, "solutions": 0.5, "problems": 0.4,
                  "optimisation": 0.4, "conclusion": 0.4, "other": 0.4}
STRONG_CORE = 2.5  # a stressed term of the core-topic section
STRESS = 0.3  # a stressed term elsewhere
REPEAT = 0.15  # each further occurrence in a part already counted


def salience(found: Found, summary_only: bool = False) -> float:
    """How central a concept is to its lecture: where it occurs, how it is set, how often."""
    score = 0.0
    seen_parts = set()
    for hit in found.hits:
        kind = hit.part.kind
        if summary_only and kind == "title":
            continue
        if id(hit.part) in seen_parts:
            score += REPEAT
            continue
        seen_parts.add(id(hit.part))
        if kind == "core" and hit.strong:
            score += STRONG_CORE
        else:
            score += SECTION_WEIGHT.get(kind, 0.4) + (STRESS if hit.strong else 0.0)
    return score


ABOUT_FROM_CORE = 2.0  # salience a core-section concept needs to be a main topic
CORE_TOPICS = 2  # at most this many main topics come from the core section when the title has some
GENERAL = 3  # a concept broader than this many others found in the lecture is context, not topic
SALIENT = 3.0  # salience that makes a concept a main topic of a lecture whose title names none
PART_SALIENCE = 2.0  # salience a part of a title topic named in the core section needs to be a topic too
GENERAL_SHARE = 0.03  # a concept broader than this share of the vocabulary is "general" (AI, ML)


def title_stem_end(title: str) -> int:
    """Where the part marker of a multi-part title starts ("…RL) (三) - Actor-Critic"):
    before it is the series name, after it the part's own subtitle."""
    from kg.courses import PART_PATTERNS

    starts = [m.start() for _, pattern in PART_PATTERNS for m in [pattern.search(title)] if m]
    return min(starts) if starts else len(title)


def about_keys(found: dict[str, Found], ancestors: Callable[[str], set[str]], general: set[str],
               roots: set[str], stem_end: int,
               requires: Callable[[str], tuple[str, ...]] = lambda key: ()) -> set[str]:
    """The main topics of a lecture.

    - Title concepts, except a general concept (``general``: AI, machine learning, …)
      named only in a part's subtitle when the series name holds a narrower one
      ("元學習 Meta Learning (一) - 元學習跟機器學習一樣…" is not about machine learning).
    - Core-topic concepts. When the title names topics: those the core section stresses
      (bold, lead term, heading), and those it names that are parts of a title topic
      (narrower than it, or a concept it requires: "Layer Normalization" in a lecture on
      the Transformer) and salient enough, at most CORE_TOPICS of each; a tool the
      summary uses along the way (a loss function in a lecture on reinforcement
      learning) is a mention. When the title names none, the most salient of the lecture.
    - Never a general concept next to something more specific, nor a concept broader
      than a main topic or than several concepts of the lecture.
    """
    titled = {key for key, f in found.items() if f.in_kind("title")}
    in_stem = {key for key in titled
               if any(h.part.kind == "title" and h.start < stem_end for h in found[key].hits)}
    chosen = set(titled)
    for key in sorted(titled - in_stem):
        if key in general and any(key in ancestors(other) for other in in_stem if other != key):
            chosen.discard(key)
    lineage = set().union(*(ancestors(key) for key in chosen)) if chosen else set()

    def eligible(key: str) -> bool:
        if key in titled or key in lineage or salience(found[key]) < ABOUT_FROM_CORE:
            return False
        return sum(1 for other in found if other != key and key in ancestors(other)) < GENERAL

    by_salience = sorted(found, key=lambda key: (-salience(found[key]), key))
    if chosen:
        topics = sorted(chosen - general) or sorted(chosen)

        def part_of_topic(key: str) -> bool:
            return any(topic in ancestors(key) or key in requires(topic) for topic in topics)

        # as present in the summary as the title's own topics: a topic too
        bar = max(SALIENT, max(salience(found[key], summary_only=True) for key in chosen))
        in_core = [k for k in by_salience if eligible(k) and found[k].in_kind("core")]
        stressed = [k for k in in_core if found[k].strong_in("core")]
        parts = [k for k in in_core if k not in stressed and part_of_topic(k) and salience(found[k]) >= PART_SALIENCE]
        dwelt = [k for k in in_core if k not in stressed and k not in parts and salience(found[k]) >= bar
                 and sum(1 for hit in found[k].hits if hit.part.kind == "core") >= 2]
        picked = stressed[:CORE_TOPICS] + parts[:CORE_TOPICS] + dwelt[:CORE_TOPICS]
    else:
        picked = [k for k in by_salience if eligible(k) and found[k].in_kind("core")]
        picked += [k for k in by_salience if eligible(k) and k not in picked and salience(found[k]) >= SALIENT]
        picked = picked[:CORE_TOPICS + 1]
    chosen.update(picked)
    lineage = set().union(*(ancestors(key) for key in chosen)) if chosen else set()
    chosen = {key for key in chosen if key in titled or key not in lineage}
    if chosen - general:
        chosen = {key for key in chosen if key not in general or key in in_stem}
    if chosen - roots:  # "AI" is about everything: a main topic only when nothing else is
        chosen -= roots
    return chosen


# ---- the extractor --------------------------------------------------------------------

class Extractor:
    """Holds the automaton and the text tools; call it with a lecture."""

    def __init__(self, vocabulary: Vocabulary, phrases: dict | None = None):
        self.vocabulary = vocabulary
        self.index = VocabularyIndex.cached(vocabulary)
        self.tools = discover.TextTools(self.index.cjk_words, phrases)
        self.strength = discover.pattern_strengths()
        self._ancestors: dict[str, set[str]] = {}
        self._resolved: dict[tuple, tuple[Concept, str] | None] = {}
        self.general = general_concepts(vocabulary, self.ancestors)
        self.roots = {key for key, concept in vocabulary.concepts.items() if not concept.broader}

    def ancestors(self, key: str) -> set[str]:
        """Vocabulary ancestors of a key through skos:broader."""
        if key not in self._ancestors:
            result: set[str] = set()
            stack = list(self.vocabulary.concepts[key].broader) if key in self.vocabulary.concepts else []
            while stack:
                parent = stack.pop()
                if parent not in result:
                    result.add(parent)
                    if parent in self.vocabulary.concepts:
                        stack.extend(self.vocabulary.concepts[parent].broader)
            self._ancestors[key] = result
        return self._ancestors[key]

    def requires(self, key: str) -> tuple[str, ...]:
        """The vocabulary concepts ``key`` requires (kg:requires): its parts and prerequisites."""
        concept = self.vocabulary.concepts.get(key)
        return concept.requires if concept else ()

    def is_term(self, word: str) -> bool:
        return bool(self.index.lookup(word)) or singular(fold(word)) in discover.technical_heads()

    def __call__(self, lecture: Lecture) -> Extraction:
        found: dict[str, Found] = {}
        discovered: dict[str, Concept] = {}
        evidence: dict[str, list[float]] = {}
        aliases: dict[str, str] = {}  # folded Chinese form a pair introduces -> the key it names
        wholes: list[tuple[Part, int, int, str]] = []  # spans a pair or abbreviation names as one concept
        parts = lecture_parts(lecture, self.is_term)
        plain_words = {w.lower() for part in parts for w in LATIN_WORD.findall(part.text) if not w.isupper()}
        for part, matches in zip(parts, self.index.matches_in([part.text for part in parts])):
            bold = [(m.start(1), m.end(1)) for m in discover.BOLD.finditer(part.raw)]
            ends: dict[int, tuple[str, str]] = {}  # end offset -> (surface, concept) of vocabulary matches
            for start, end, entry in matches + self.joined_words(part.text, matches):
                hit = Hit(part, start, end, is_stressed(part, bold, start, end))
                found.setdefault(entry.concept, Found(entry.concept)).hits.append(hit)
                ends[end] = (part.raw[start:end], entry.concept)
            for candidate in self.candidates(part, lecture, ends):
                if candidate.pattern == "name" and candidate.surface.isupper() and candidate.surface.lower() in plain_words:
                    continue  # "AGENT" where the lecture also writes "agent": emphasis, not an acronym
                resolved = self.resolve(candidate)
                if candidate.pattern == "abbrev" or (candidate.pattern == "pair" and not LATIN_WORD.search(candidate.zh or "")):
                    whole = (resolved[2] or resolved[0].key) if resolved else self.named_by(candidate)
                    if whole:
                        wholes.append((part, candidate.start, candidate.end, whole))
                if resolved is None:
                    continue
                concept, pattern, named = resolved
                stressed = candidate.pattern == "bold" or is_stressed(part, bold, candidate.start, candidate.end)
                if concept is not None:
                    known = discovered.get(concept.key)
                    discovered[concept.key] = merge_labels(known, concept) if known else concept
                    if pattern == "gloss" and stressed and part.kind in ("title", "core"):
                        pattern = "pair"  # a translated word the core topic stresses is the topic's term
                    evidence.setdefault(concept.key, []).append(self.strength.get(pattern, 0.3))
                # a new way of writing a known concept ("電熵損失函數（cross-entropy loss）")
                # counts for that concept in this lecture: salience is not split in two
                target = named or concept.key
                hit = Hit(part, candidate.start, candidate.end, stressed)
                found.setdefault(target, Found(target)).hits.append(hit)
                zh = next((text for lang, text in concept.labels if lang.startswith("zh")), "") if concept else ""
                if zh and candidate.zh and candidate.pattern in ("pair", "gloss"):
                    aliases.setdefault(fold(zh), target)
        if aliases:
            self.alias_hits(parts, aliases, found)
        if wholes:
            drop_parts_of_wholes(found, wholes)
        self.drop_out_of_context(found)
        about = about_keys(found, self.ancestors, self.general, self.roots, title_stem_end(lecture.title), self.requires)
        about -= self.only_in_context(found)  # an everyday word is never what a lecture is about
        mentions = []
        for key in sorted(found):
            mentions.extend(self.mentions_of(lecture.video_id, found[key], key in about))
        return Extraction(
            video_id=lecture.video_id,
            mentions=tuple(mentions),
            discovered=tuple(discovered[key] for key in sorted(discovered)),
            evidence=tuple((key, lecture_evidence(evidence[key], self.strength)) for key in sorted(evidence)),
        )

    def only_in_context(self, found: dict[str, Found]) -> set[str]:
        """Concepts found only through context labels."""
        table = context_labels()
        return {key for key in found if key in table and all(
            context_form(hit.part.raw[hit.start:hit.end]) in table[key] for hit in found[key].hits)}

    def drop_out_of_context(self, found: dict[str, Found]) -> None:
        """Hits of a context label ("狀態" for an RL state) in a lecture that names
        nothing of its context (no reinforcement learning or narrower concept)."""
        table = context_labels()
        gated = [key for key in found if key in table]
        if not gated:
            return
        present = {key for key in found if key not in table} | {key for key in gated if any(
            context_form(hit.part.raw[hit.start:hit.end]) not in table[key] for hit in found[key].hits)}
        areas = set(present)
        for key in present:
            areas |= self.ancestors(key)

        def in_context(hit: Hit, key: str) -> bool:
            surface = hit.part.raw[hit.start:hit.end]
            context = table[key].get(context_form(surface), "")
            # an English one in lower case is the everyday word ("hidden states")
            return not context or (context in areas and not surface[:1].islower())

        for key in gated:
            kept = [hit for hit in found[key].hits if in_context(hit, key)]
            if kept:
                found[key].hits[:] = kept
            else:
                del found[key]

    def named_by(self, candidate: discover.Candidate) -> str | None:
        """The one vocabulary concept a candidate's English and abbreviation name, if any."""
        keys: set[str] = set()
        for form in (candidate.en, candidate.abbr):
            if form:
                keys |= self.index.lookup(form)
        return next(iter(keys)) if len(keys) == 1 else None

    def joined_words(self, text: str, matches: list[tuple[int, int, LabelEntry]]) -> list[tuple[int, int, LabelEntry]]:
        """Vocabulary labels written as one word split by a hyphen ("Soft-Max" for
        Softmax), where no label matched: the automaton reads the hyphen as a space."""
        found: list[tuple[int, int, LabelEntry]] = []
        if "-" not in text:
            return found
        for match in JOINED_WORD.finditer(text):
            start, end = match.span()
            if any(s < end and start < e for s, e, _ in matches):
                continue
            keys = self.index.lookup(match.group())
            if len(keys) == 1:
                key = next(iter(keys))
                found.append((start, end, LabelEntry(key, match.group(), False, True, True, 1)))
        return found

    def alias_hits(self, parts: list[Part], aliases: dict[str, str], found: dict[str, Found]) -> None:
        """Occurrences elsewhere in the lecture of the Chinese forms its own pairs
        introduced ("「一次到位」（One-Shot Generation）" makes "一次到位" in the title
        count): the summary teaches how this lecture writes the concept. As with labels,
        the longer form wins: "電熵損失函數" is cross-entropy loss, not also 損失函數."""
        taken: dict[int, list[tuple[int, int, str, Hit]]] = {}
        for key, item in found.items():
            for hit in item.hits:
                taken.setdefault(id(hit.part), []).append((hit.start, hit.end, key, hit))
        forms = sorted((form for form in aliases if len(form) >= 2 and has_cjk(form) and not is_generic(form)),
                       key=lambda form: (-len(form), form))
        for part in parts:
            folded = fold_chars(part.text)
            spans = taken.setdefault(id(part), [])
            bold = None
            for form in forms:
                start = folded.find(form)
                while start >= 0:
                    end = start + len(form)
                    inside = [span for span in spans if span[0] < end and start < span[1]]
                    if all(start <= s and e <= end and e - s < end - start for s, e, _, _ in inside):
                        for span in inside:  # shorter labels inside the longer form give way
                            spans.remove(span)
                            found[span[2]].hits.remove(span[3])
                            if not found[span[2]].hits:
                                del found[span[2]]
                        if bold is None:
                            bold = [(m.start(1), m.end(1)) for m in discover.BOLD.finditer(part.raw)]
                        key = aliases[form]
                        hit = Hit(part, start, end, is_stressed(part, bold, start, end))
                        found.setdefault(key, Found(key)).hits.append(hit)
                        spans.append((start, end, key, hit))
                    start = folded.find(form, end)

    def candidates(self, part: Part, lecture: Lecture, ends: dict[int, tuple[str, str]]) -> Iterator[discover.Candidate]:
        def known_before(offset: int, english: tuple[str, ...]) -> str | None:
            while offset > 0 and part.text[offset - 1].isspace():
                offset -= 1
            surface, key = ends.get(offset, ("", ""))
            if surface and has_cjk(surface) and any(key in self.index.lookup(form) for form in english):
                return surface
            return None

        yield from discover.parentheticals(part.text, self.tools, known_before)
        yield from discover.bold_terms(part.raw)
        if part.kind == "title":
            english = lecture.language == "en" and not has_cjk(part.text)
            yield from discover.title_phrases(part.text, self.tools, english)
        else:
            yield from discover.english_in_text(part.text, self.tools)

    def resolve(self, candidate: discover.Candidate) -> tuple[Concept | None, str, str | None] | None:
        """The discovered concept a candidate stands for (None for a garbled known name),
        the pattern whose strength it gets and the vocabulary concept its English or
        abbreviation names (when one does), or None when it adds nothing (all its forms
        are known) or is not a term."""
        form = (candidate.en, candidate.zh, candidate.abbr, candidate.pattern)
        if form not in self._resolved:
            self._resolved[form] = self._resolve(candidate)
        return self._resolved[form]

    def _resolve(self, candidate: discover.Candidate) -> tuple[Concept | None, str, str | None] | None:
        en = candidate.en if candidate.en and acceptable_english(candidate.en) else None
        if en and self.tools.is_stop(en):
            en = None
        zh = candidate.zh if candidate.zh and not is_generic(candidate.zh) else None
        abbr = candidate.abbr if candidate.abbr and not is_generic(candidate.abbr) else None
        if candidate.pattern in ("pair",) and not (zh and (en or abbr)):
            return None
        if candidate.pattern == "abbrev" and not (en and abbr):
            return None
        forms = [f for f in (en, zh, abbr) if f]
        if not forms:
            return None
        keys = set()
        unknown = []
        latin_keys: set[str] = set()  # what the English or the abbreviation names
        for form in forms:
            hits = self.index.lookup(form)
            keys |= hits
            if form is not zh:
                latin_keys |= hits
            if not hits:
                unknown.append(form)
        if not unknown or len(keys) > 1:
            return None  # nothing new, or a pair of two different known concepts
        if candidate.pattern == "name" and not keys and en and not abbr and not zh:
            near = self.index.near(en)
            if len(near) == 1:  # "MEMBA", "JAMBAR", "WaveLM": a known name garbled
                return None, candidate.pattern, next(iter(near))
        if candidate.pattern in ("phrase", "bold", "title-word", "name") and not keys:
            if not discover.looks_technical(en or ""):
                return None
        labels = []
        if en:
            labels.append(("en", en))
        if zh:
            labels.append(("zh-Hant", zh))
        alt = (("en", abbr),) if abbr and abbr != en else ()
        if not labels:
            labels, alt = [("en", abbr)], ()
        # a Chinese term and its abbreviation: keyed by the term, the abbreviation an alternative
        key = discovered_key(en, zh) if en or zh else discovered_key(abbr, None)
        if key in self.vocabulary.concepts:
            # its name is a vocabulary concept's name, yet no label matched: keep the
            # record apart under its own key; canonicalize joins it by that name
            key = key + "-discovered"
        concept = Concept(key=key, labels=tuple(labels), alt_labels=alt, origin="discovered")
        pattern = candidate.pattern
        if pattern == "pair" and not abbr and not discover.reads_as_name(en or ""):
            pattern = "gloss"  # "偶然的（Serendipitous）": a translation of a word, not a named term
        # only the English side decides: a Chinese side that names a known concept may be
        # a guess cut too short ("增強式學習" of "Inverse Reinforcement Learning")
        named = next(iter(latin_keys)) if len(latin_keys) == 1 and keys == latin_keys else None
        if named is None and not latin_keys and len(keys) == 1 and en and not self.narrower_english(en, next(iter(keys))):
            named = next(iter(keys))  # "聲音編解碼（Neuro Codec）": a garbled or new English name of a known term
        return concept, pattern, named

    def narrower_english(self, english: str, key: str) -> bool:
        """True when a proper part of ``english`` is a label of ``key``: the English names
        something narrower ("Inverse Reinforcement Learning" of 增強式學習)."""
        words = english.replace("-", " ").split()
        return any(key in self.index.lookup(" ".join(words[i:j]))
                   for i in range(len(words)) for j in range(i + 1, len(words) + 1) if j - i < len(words))

    def mentions_of(self, video_id: str, found: Found, about: bool) -> list[Mention]:
        """One mention per section the concept occurs in (its first occurrence there).
        Only the first section by name gets a snippet: the mentions share one weight, and
        the graph ranks a link's evidence by weight, then section
        (:func:`kg.graph.base_graph`), so that is the one snippet the exports show. The
        others would be most of the memory a big catalog's extraction results take."""
        weight = 1.0 if about and found.in_kind("title") else round(min(1.0, max(0.1, salience(found) / 3.0)), 3)
        mentions = []
        seen = set()
        shown = min((hit.part.section for hit in found.hits), default="")
        # keys, section names and written forms recur across lectures: one copy each per
        # batch of results sent between processes, not one per mention
        key = sys.intern(found.key)
        for hit in found.hits:
            if hit.part.section in seen:
                continue
            seen.add(hit.part.section)
            mentions.append(Mention(
                video_id=video_id,
                concept=key,
                kind="about" if about else "mentions",
                weight=weight,
                section=sys.intern(hit.part.section),
                snippet=snippet(hit.part.raw, hit.start, hit.end) if hit.part.section == shown else "",
                surface=sys.intern(hit.part.raw[hit.start:hit.end].strip()),
            ))
        return mentions


def drop_parts_of_wholes(found: dict[str, Found], wholes: list[tuple[Part, int, int, str]]) -> None:
    """Take out the hits of other concepts inside a span that a pair or an abbreviation
    names as one concept: "ELMO (Embeddings from Language Modeling)" mentions ELMo, not
    embeddings; "增強學習反饋對齊（RLHF）" mentions RLHF, not reinforcement learning."""
    for key in list(found):
        kept = [hit for hit in found[key].hits
                if not any(part is hit.part and whole != key and start <= hit.start and hit.end <= end
                           and (hit.start, hit.end) != (start, end) for part, start, end, whole in wholes)]
        if not kept:
            del found[key]
        else:
            found[key].hits[:] = kept


def general_concepts(vocabulary: Vocabulary, ancestors: Callable[[str], set[str]]) -> set[str]:
    """Vocabulary concepts broader than many others (AI, machine learning, deep learning)."""
    counts: dict[str, int] = {}
    for key in vocabulary.concepts:
        for parent in ancestors(key):
            counts[parent] = counts.get(parent, 0) + 1
    least = max(3, GENERAL_SHARE * len(vocabulary.concepts))
    return {key for key, count in counts.items() if count >= least}


def acceptable_english(text: str) -> bool:
    """An English form that can be a label: some letters, a few words, not generic."""
    words = text.split()
    letters = sum(c.isalpha() for c in text)
    if letters < 2 or len(words) > 7 or is_generic(text):
        return False
    if len(words) == 1 and text.islower() and len(text) < 3:
        return False
    return True


def discovered_key(english: str | None, chinese: str | None) -> str:
    """A stable key: the slug of the English label (last word singular), else a hash of
    the folded Chinese label."""
    if english:
        words = english.split()
        words[-1] = singular(words[-1]) if words[-1].islower() or words[-1].istitle() else words[-1]
        slug = slugify(" ".join(words))
        if slug:
            return slug
    return hashed_key(chinese or english or "")


def merge_labels(first: Concept, second: Concept) -> Concept:
    """One discovered record with the labels of two (first label per language wins)."""
    labels = dict(first.labels)
    alt = set(first.alt_labels)
    for lang, text in second.labels:
        if lang not in labels:
            labels[lang] = text
        elif labels[lang] != text:
            alt.add((lang, text))
    alt.update(second.alt_labels)
    alt -= set(labels.items())
    return Concept(first.key, tuple(sorted(labels.items())), tuple(sorted(alt)), origin="discovered")


def lecture_evidence(strengths: list[float], table: dict[str, float]) -> float:
    """A lecture's evidence for a candidate: its best pattern plus a repeat bonus."""
    bonus = table.get("repeat", 0.1) * min(3, len(strengths) - 1)
    return round(max(strengths) + bonus, 3)


def make_extractor(vocabulary: Vocabulary, phrases: dict | None = None) -> Callable[[Lecture], Extraction]:
    """Heavy set-up once per process (the automaton; spaCy and jieba load on first
    need); the returned function is pure per lecture. ``phrases``: what
    :meth:`kg.discover.TextTools.title_case_phrases` found in an earlier build (it
    adds what it finds to it)."""
    return Extractor(vocabulary, phrases)
