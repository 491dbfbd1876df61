"""The small records that flow between the pipeline stages.

read catalog pages -> :class:`Lecture` -> :class:`Mention` -> :class:`Concept` -> graph
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from operator import attrgetter


def pickled_as_tuple(cls):
    """Pickle a slotted dataclass as (class, field values). The default pickles a dict of
    its slots and sets them one by one on load: twice the time and bytes, which counts
    when the extraction of a big catalog sends millions of records between processes."""
    values = attrgetter(*(f.name for f in fields(cls)))

    def __reduce__(self):
        return cls, values(self)

    cls.__reduce__ = __reduce__
    return cls


@pickled_as_tuple
@dataclass(frozen=True, slots=True)
class Section:
    """One headed part of a lecture summary.

    ``kind`` is the normalised section name (``core``, ``concepts``, ``problems``,
    ``solutions``, ``optimisation``, ``conclusion`` or ``other``); ``heading`` is the
    heading as written, ``line`` its 1-based line in the source file.
    """

    heading: str
    kind: str
    text: str
    line: int


@pickled_as_tuple
@dataclass(frozen=True, slots=True)
class Lecture:
    """One ``<details>`` block of a catalog page."""

    number: int
    title: str
    video_id: str
    source: str
    line: int
    date: str | None = None
    summary: str = ""
    sections: tuple[Section, ...] = ()
    course_id: str | None = None
    course_name: str | None = None
    course_position: int | None = None  # "Lecture 29", "第2講"
    part: int | None = None  # (2/5), (三), (上), Part 2, 第二階段
    part_total: int | None = None
    series: str | None = None  # course + title stem shared by the parts of one lecture
    language: str = "zh"  # "zh" or "en": the spoken language of the video
    counterpart: str | None = None  # video id of the other-language version

    @property
    def url(self) -> str:
        return f"https://www.youtube.com/watch?v={self.video_id}"

    @property
    def thumbnail_url(self) -> str:
        return f"https://img.youtube.com/vi/{self.video_id}/maxresdefault.jpg"

    @property
    def has_summary(self) -> bool:
        return bool(self.summary.strip())


@pickled_as_tuple
@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong with the input, located by file and line."""

    source: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.message}"


@pickled_as_tuple
@dataclass(frozen=True, slots=True)
class Concept:
    """A canonical concept: one node however many ways it is written."""

    key: str  # stable slug, the last segment of the concept IRI
    labels: tuple[tuple[str, str], ...]  # preferred labels as (language tag, label)
    alt_labels: tuple[tuple[str, str], ...] = ()
    broader: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    exact_match: tuple[str, ...] = ()
    origin: str = "vocabulary"  # "vocabulary" or "discovered"

    def label(self, lang: str = "en") -> str:
        """The preferred label in ``lang``, else any preferred label."""
        for tag, text in self.labels:
            if tag == lang or tag.startswith(lang + "-"):
                return text
        return self.labels[0][1] if self.labels else self.key

    def all_labels(self) -> tuple[str, ...]:
        return tuple(text for _, text in self.labels + self.alt_labels)


@pickled_as_tuple
@dataclass(frozen=True, slots=True)
class Mention:
    """Evidence that a lecture names a concept.

    ``kind`` is ``about`` (a main topic of the lecture) or ``mentions``.
    """

    video_id: str
    concept: str  # Concept.key
    kind: str
    weight: float
    section: str  # "title" or the section heading it was found in
    snippet: str
    surface: str = ""  # the form as written


@dataclass(slots=True)
class BuildReport:
    """What a build read and wrote, for the summary printed to the user."""

    lectures: int = 0
    with_summary: int = 0
    concepts: int = 0
    links: int = 0
    files: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
