"""Study paths: which lectures to watch, in what order, to understand a concept.

The one computation behind ``kg path`` and the paths the HTML page embeds. Stable API:

* :class:`PathStep` - one lecture of a path and the concepts it contributes;
* :func:`find_concept` - a concept node id from any label (English, Chinese,
  abbreviation; case, width and script insensitive);
* :func:`suggest` - the closest labels for a text that names no concept;
* :func:`study_path` - the ordered lectures for a target concept;
* :func:`all_study_paths` - the path of every taught concept, for a page that
  precomputes them;
* :func:`bounded_study_paths` - for such a page: each concept's path in every
  language at once, shortened to a number of steps as ``max_steps`` would.

The rule, given the ``requires`` DAG built by :mod:`kg.relate`:

1. **Closure.** The target's prerequisites are the concepts reachable from it along
   ``requires``, never entering a concept in ``known`` (so what only known concepts
   require is skipped too), and only while the chain stays confident. A chain's
   confidence is the product of its edge weights times ``HOP_DECAY`` = 0.7 for every
   hop after the first (a prerequisite of a prerequisite matters less); the best
   chain counts, and chains under ``MIN_CHAIN_CONFIDENCE`` = 0.5 are cut. So curated
   edges (1.0) reach two hops deep, a lone broader hop (0.5) one hop, and on the
   catalog a path has a handful of prerequisite lectures, not the whole curriculum.
2. **Concept order.** The closure in topological order, prerequisites first; ties go
   to the concept whose first teaching lecture comes first in teaching order, then to
   the concept id.
3. **Lectures.** The target gets all its teaching lectures (``about``) in teaching
   order (course, then position in the course); when none teaches it, the
   ``MENTION_FALLBACK`` = 3 lectures that mention it most. Each prerequisite not
   taught by a lecture already on the path gets one teaching lecture: the strongest
   ``about`` link; among equals an earlier part of the target's own multi-part
   lecture, then a lecture of the target's course, then a first part, then the most
   focused lecture (fewest taught concepts), then teaching order. Never one of the
   target's own lectures or a later part of one, so that those stay last; when only
   they teach it, they teach it at the end. A prerequisite no lecture teaches adds
   no lecture. Every lecture is preceded by the earlier parts of its multi-part
   lecture, except, when ``known`` is given, a part that teaches known concepts and
   nothing not already known or on the path. No lecture appears twice.
4. **Language.** A lecture and its translation are one *work*; each step shows one
   version: ``lang="zh"`` / ``"en"`` picks that version when the catalog has it,
   ``None`` the original (the Chinese original of an English version).
5. **Contributions.** A prerequisite is credited to the first lecture on the path that
   teaches it; the target to every one of its lectures. A lecture that is on the path
   only as an earlier part lists up to three concepts it teaches that no other step
   lists (else its main one).
6. **max_steps.** When the path is longer, the target's lectures are kept first
   (earliest first), then the prerequisites nearest the target (fewest requires hops,
   then latest on the path); the kept steps stay in path order.

Everything is deterministic. A :class:`PathIndex` per graph (built lazily, shared by
every call on the same unchanged graph) memoises per-node facts, so a path costs
time in proportion to its closure, not to the graph. A path is planned as works,
the same for every language (rule 4 only picks the version shown); with
``max_steps``, the target's own lectures -- thousands for a concept of a huge
catalog -- are placed only as far as the answer needs, and a prerequisite's lecture
is chosen by set operations on its ranked teachers, so a path does not cost time in
proportion to the target's lectures either. Planning the path of every concept
(:func:`bounded_study_paths`, :func:`all_study_paths`) first reads all the links
in one pass, lecture by lecture (:meth:`PathIndex.read_all_links`): the same
answers, several times faster on a big catalog than reading them concept by concept.

Example::

    >>> from kg.records import Concept, Lecture, Mention
    >>> from kg.relate import relate
    >>> concepts = {"rl": Concept("rl", (("en", "Reinforcement Learning"), ("zh", "強化學習")), (("en", "RL"),)),
    ...             "pg": Concept("pg", (("en", "Policy Gradient"),), requires=("rl",)),
    ...             "ac": Concept("ac", (("en", "Actor-Critic"),), requires=("pg",))}
    >>> lectures = [Lecture(n, f"RL ({n})", f"video{n:06d}", "x", n, series="s", part=n) for n in (1, 2, 3)]
    >>> mentions = [Mention("video000001", "rl", "about", 1.0, "title", ""),
    ...             Mention("video000002", "pg", "about", 1.0, "title", ""),
    ...             Mention("video000003", "ac", "about", 1.0, "title", "")]
    >>> graph = relate(lectures, concepts, mentions, None)
    >>> find_concept(graph, "ｒｌ"), find_concept(graph, "强化学习")
    ('C:rl', 'C:rl')
    >>> [(step.number, step.concepts) for step in study_path(graph, "C:ac")]
    [(1, ('C:rl',)), (2, ('C:pg',)), (3, ('C:ac',))]
    >>> [step.number for step in study_path(graph, "C:ac", known=["policy gradient"])]
    [3]
"""

from __future__ import annotations

import bisect
import difflib
import heapq
import itertools
import weakref
from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Iterator

import networkx as nx

from kg.graph import CONCEPT
from kg.records import Lecture

MIN_CHAIN_CONFIDENCE = 0.5
HOP_DECAY = 0.7
MENTION_FALLBACK = 3
TEACH_RELATIONS = frozenset(("about", "teaches"))
MENTION_RELATIONS = frozenset(("mentions",))


@dataclass(frozen=True, slots=True)
class PathStep:
    """One lecture of a study path."""

    lecture: str  # node id "L:<video id>"
    number: int  # catalog number
    title: str
    url: str
    language: str  # "zh" or "en"
    concepts: tuple[str, ...]  # concept node ids this lecture contributes to the path

    def to_json(self, graph: nx.MultiDiGraph | None = None, lang: str = "en") -> dict:
        """A plain dict; with the graph, concept labels too."""
        data = {"lecture": self.lecture, "number": self.number, "title": self.title, "url": self.url,
                "language": self.language, "concepts": list(self.concepts)}
        if graph is not None:
            data["concept_labels"] = [concept_label(graph, c, lang) for c in self.concepts]
        return data


class UnknownConcept(LookupError):
    """A text that names no concept of the graph; ``suggestions`` are close labels."""

    def __init__(self, text: str, suggestions: list[str]):
        self.text = text
        self.suggestions = suggestions
        hint = f"; did you mean: {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"no concept is called {text!r}{hint}")


def concept_label(graph: nx.MultiDiGraph, node: str, lang: str = "en") -> str:
    """The preferred label of a concept node in ``lang`` (else any label, else the key)."""
    record = graph.nodes[node].get("record") if node in graph else None
    if record is None:
        return node.partition(":")[2] or node
    return record.label(lang)


# --- the per-graph index ---------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Work:
    """A lecture and its other-language version, as one thing to watch."""

    original: str
    variants: tuple[tuple[str, str], ...]  # (language, lecture id)


@dataclass(slots=True)
class _TeacherGroup:
    """Teachers of a concept whose links are equally strong, in ranked order."""

    works: list[str]
    members: frozenset[str]
    by_course: dict[str | None, list[str]] | None = None  # course -> its works, in ranked order (made when needed)


class PathIndex:
    """Facts about one graph that every path needs, computed on first use and kept.

    Built by :func:`path_index`; the graph must not change while the index is used
    (``path_index`` rebuilds it when the node count changed, or on request). The index
    does not keep its graph alive (:func:`path_index` keeps one index per live graph).
    """

    def __init__(self, graph: nx.MultiDiGraph):
        self._graph = weakref.ref(graph)
        # networkx's dicts: node -> attributes, and node -> neighbour -> edge key ->
        # attributes either way (read directly: edge views cost more than the rest here)
        self._node, self._succ, self._pred = graph._node, graph._succ, graph._pred
        self.signature = graph.number_of_nodes()
        self._labels: dict[str, list[str]] | None = None
        self._squashed: dict[str, list[str]] | None = None
        self._display: list[tuple[str, str]] | None = None
        self._series: dict[str, list[tuple[int, str]]] | None = None
        self._memo: dict = {}
        self._works: dict[str, _Work] = {}
        self._originals: dict[str, str] = {}  # lecture -> the original it translates (once all links are read)
        self._translated: set[str] | None = None  # lectures other lectures translate (once all links are read)
        self._teachers: dict[str, dict[str, float]] = {}
        self._mentioners: dict[str, dict[str, float]] = {}
        # concept -> (the heaviest weight of its mentions, the lectures that mention it that heavily)
        self._heaviest_mentions: dict[str, tuple[float, list[str]]] = {}
        self._all_links_read = False
        self._distinct_orders = False  # no two lectures share an order_key (known once all links are read)
        self._ranks: dict[str, int] | None = None  # lecture -> its place in teaching order, when distinct
        self._teacher_places: dict[str, int] | None = None  # see _teacher_place()
        self._taught: dict[str, dict[str, float]] = {}
        self._orders: dict[str, tuple[int, int, int]] = {}
        self._courses: dict[str, str | None] = {}
        self._descriptors: dict[str, tuple] = {}
        # once all links are read: node -> its part number when it has one (not 1), its
        # (series, part) when it has both, and the lecture before it by next_part (None: several)
        self._part_numbers: dict[str, int] = {}
        self._series_parts: dict[str, tuple[str, int]] = {}
        self._previous: dict[str, str | None] = {}
        self._descriptor_parts: dict[tuple, tuple] = {}
        self._descriptor_teaching: dict[tuple, dict[str, str]] = {}

    @property
    def graph(self) -> nx.MultiDiGraph:
        graph = self._graph()
        if graph is None:
            raise ReferenceError("the graph of this path index no longer exists")
        return graph

    # labels
    def _build_labels(self) -> None:
        from kg.normalize import fold

        labels: dict[str, set[str]] = {}
        display: dict[str, str] = {}
        for node, data in self.graph.nodes(data=True):
            if data.get("kind") != CONCEPT:
                continue
            record = data.get("record")
            names = tuple(record.all_labels()) if record is not None else ()
            for name in names + (node.partition(":")[2],):
                folded = fold(name)
                if folded:
                    labels.setdefault(folded, set()).add(node)
                    if name in names or not names:  # keys are found, but not suggested
                        display.setdefault(folded, name)
        self._labels = {label: self._rank_homonyms(label, nodes) for label, nodes in labels.items()}
        squashed: dict[str, set[str]] = {}
        for label, nodes in labels.items():
            squashed.setdefault(label.replace(" ", ""), set()).update(nodes)
        self._squashed = {label: self._rank_homonyms(label, nodes) for label, nodes in squashed.items()}
        self._display = sorted(display.items())

    def _rank_homonyms(self, folded: str, nodes: set[str]) -> list[str]:
        """Concepts sharing a label: a preferred label beats an alternative one, then
        the concept taught by more lectures, then the id."""
        from kg.normalize import fold

        if len(nodes) == 1:
            return list(nodes)

        def key(node: str) -> tuple:
            record = self.graph.nodes[node].get("record")
            preferred = record is not None and any(fold(text) == folded for _, text in record.labels)
            return (not preferred, -len(self.teachers(node)), node)

        return sorted(nodes, key=key)

    def lookup(self, text: str) -> str | None:
        from kg.normalize import fold

        if text in self.graph and self.graph.nodes[text].get("kind") == CONCEPT:
            return text
        if self._labels is None:
            self._build_labels()
        folded = fold(text)
        found = self._labels.get(folded) or self._squashed.get(folded.replace(" ", ""))
        return found[0] if found else None

    def display_labels(self) -> list[tuple[str, str]]:
        """(folded label, label as written) of every concept label, sorted."""
        if self._display is None:
            self._build_labels()
        return self._display

    # per-node facts, memoised
    def _cached(self, kind: str, node: str, compute):
        memo = self._memo_of(kind)
        if node not in memo:
            memo[node] = compute(node)
        return memo[node]

    def record(self, lecture: str):
        return self._node[lecture].get("record")

    # The per-node facts below read networkx's adjacency dicts rather than edge views,
    # and keep one memo dict per fact: they run millions of times on a 100,000-lecture
    # catalog.
    def _memo_of(self, kind: str) -> dict:
        memo = self._memo.get(kind)
        if memo is None:
            memo = self._memo[kind] = {}
        return memo

    def work(self, lecture: str) -> _Work:
        """The work of a lecture: its original plus the versions translating it."""
        memo = self._works
        found = memo.get(lecture)
        if found is None:
            if self._translated is not None and lecture not in self._originals and lecture not in self._translated:
                # known from the links read at once: a lecture that translates none and
                # that none translates (most), without reading its links again
                found = _Work(lecture, ((self.record(lecture).language, lecture),))
            else:
                original = lecture
                for target, keys in self._succ[lecture].items():
                    if "translation_of" in keys:
                        original = target
                        break
                variants = {self.record(original).language: original}
                for source, keys in self._pred[original].items():
                    if "translation_of" in keys:
                        variants.setdefault(self.record(source).language, source)
                found = _Work(original, tuple(sorted(variants.items())))
            memo[lecture] = found
        return found

    def teachers(self, concept: str) -> dict[str, float]:
        """work original -> strongest teaching weight, for the lectures about ``concept``."""
        found = self._teachers.get(concept)
        if found is None:
            found = self._teachers[concept] = {} if self._all_links_read else self._linked(concept, TEACH_RELATIONS)
        return found

    def mentioners(self, concept: str) -> dict[str, float]:
        """work original -> strongest mention weight, for the lectures that mention ``concept``."""
        found = self._mentioners.get(concept)
        if found is None:
            found = self._mentioners[concept] = self._linked(concept, MENTION_RELATIONS)
        return found

    def is_mentioned(self, concept: str) -> bool:
        if self._all_links_read:
            return concept in self._heaviest_mentions
        return bool(self.mentioners(concept))

    def _linked(self, concept: str, relations: frozenset) -> dict[str, float]:
        """The concept's links, read concept by concept: in the order of networkx's
        predecessors of the concept."""
        found: dict[str, float] = {}
        works, work = self._works, self.work
        for lecture, keys in self._pred[concept].items():
            for key, data in keys.items():
                if key in relations:
                    original = (works.get(lecture) or work(lecture)).original
                    found[original] = max(found.get(original, 0.0), float(data.get("weight", 1.0)))
        return found

    def read_all_links(self) -> None:
        """Read what every lecture links to, in one pass: the teachers of every concept,
        its heaviest mentions, and each lecture's course, teaching order and taught
        concepts. For planning the path of every concept: read lecture by lecture,
        where they lie together in memory, the links take a fraction of the time they
        take concept by concept (which a path or two still do, reading only the
        concepts they need). The teachers are the same either way, their dicts only in
        another order, which :meth:`sorted_links` makes irrelevant. (A concept's
        mentioners matter only when no lecture teaches it, and then only the heaviest:
        see :meth:`strongest_mentioners`.)"""
        if self._all_links_read:
            return
        teachers: dict[str, dict[str, float]] = {}
        heaviest = self._heaviest_mentions
        taught_by: dict[str, dict[str, float]] = {}  # lecture -> what it teaches itself
        translated: set[str] = set()  # lectures other lectures translate
        placed: list[tuple[str, str, int, int]] = []  # (lecture, course, position, catalog number)
        anchors: dict[str, int] = {}  # course -> the first catalog number of its lectures
        series_members: dict[str, list[tuple[int, str]]] = {}
        nodes, courses, previous, originals = self._node, self._courses, self._previous, self._originals
        part_numbers, series_parts, orders = self._part_numbers, self._series_parts, self._orders
        mention_relations, teach_relations = MENTION_RELATIONS, TEACH_RELATIONS
        # (below, "a if a > b else b" is max(b, a) without the call: this runs for each of
        # millions of links)
        for lecture, neighbours in self._succ.items():
            record = nodes[lecture].get("record")
            number = getattr(record, "number", None)  # a lecture's catalog number
            part = getattr(record, "part", None)
            if part:
                part_numbers[lecture] = part
                series = getattr(record, "series", None)
                if series:
                    series_parts[lecture] = (series, part)
                    if isinstance(record, Lecture):
                        series_members.setdefault(series, []).append((part, lecture))
            original = lecture  # of its work: the first lecture it translates (see work())
            taught: dict[str, float] = {}
            course, position = None, 0
            for node, keys in neighbours.items():
                for key, data in keys.items():
                    if key in mention_relations:
                        weight = float(data.get("weight", 1.0))
                        if not weight > 0.0:  # max(0.0, weight), as mentioners() has it
                            weight = 0.0
                        found = heaviest.get(node)
                        if found is None or weight > found[0]:
                            heaviest[node] = (weight, [lecture])
                        elif weight == found[0]:
                            found[1].append(lecture)
                    elif key in teach_relations:
                        weight, known = float(data.get("weight", 1.0)), taught.get(node, 0.0)
                        taught[node] = weight if weight > known else known
                    elif key == "translation_of":
                        translated.add(node)
                        if lecture not in originals:
                            original = originals[lecture] = node
                    elif key == "next_part":
                        previous[node] = None if node in previous else lecture
                    elif key == "part_of":
                        if number is not None:
                            anchors[node] = min(anchors.get(node, number), number)
                        if course is None:
                            course, position = node, int(data.get("position", 0))
            for node, weight in taught.items():
                linked = teachers.get(node)
                if linked is None:
                    linked = teachers[node] = {}
                known = linked.get(original, 0.0)
                linked[original] = weight if weight > known else known
            courses.setdefault(lecture, course)  # every node's, as course() would find it
            if number is not None:
                if course is None:
                    orders.setdefault(lecture, (number, 0, number))
                else:
                    placed.append((lecture, course, position, number))
                if original == lecture:
                    taught_by[lecture] = taught
        for concept, linked in teachers.items():
            self._teachers.setdefault(concept, linked)
        # what taught_by() would find for a work no other lecture translates
        for lecture, taught in taught_by.items():
            if lecture not in translated:
                self._taught.setdefault(lecture, taught)
        # what order_key() would find
        for lecture, course, position, number in placed:
            orders.setdefault(lecture, (anchors[course], position, number))
        self._distinct_orders = len(set(orders.values())) == len(orders)
        if self._distinct_orders:
            self._ranks = {lecture: rank for rank, lecture in enumerate(sorted(orders, key=orders.__getitem__))}
        if self._series is None:
            self._series = {key: sorted(members) for key, members in series_members.items()}
        self._translated = translated
        self._all_links_read = True
        # every lecture's descriptor: at once for those no next_part link leads to (most)
        no_parts = ((), None, None)
        descriptors, series_parts = self._descriptors, self._series_parts
        for lecture in orders:
            if lecture not in descriptors:
                if lecture in previous:
                    self.descriptor(lecture)
                else:
                    series, part = series_parts.get(lecture, (None, None))
                    descriptors[lecture] = ((), series, part) if series and part and part > 1 else no_parts

    def sorted_links(self, concept: str, relations: frozenset, works: Iterable[str], key) -> list[str]:
        """``sorted(works, key=key)`` for works among the links of a concept (its
        teachers for TEACH_RELATIONS, its mentioners for MENTION_RELATIONS), works with
        equal keys in the order :meth:`_linked` finds them: the same answer whether the
        links were read concept by concept or all at once. (Every key used ends with
        :meth:`order_key`, so there are ties only when two lectures share a place in
        the teaching order.)"""
        ordered = sorted(works, key=key)
        if self._all_links_read and not self._distinct_orders:
            keys = [key(work) for work in ordered]
            if any(a == b for a, b in zip(keys, keys[1:])):
                position = {work: i for i, work in enumerate(self._linked(concept, relations))}
                ordered.sort(key=lambda work: (key(work), position[work]))
        return ordered

    def strongest_mentioners(self, concept: str, count: int) -> list[str]:
        """The ``count`` works that mention a concept most (heaviest first, then in
        teaching order), found without sorting all of them: once all links are read,
        usually among the heaviest mentions only; else only those at least as heavy as
        the ``count``-th heaviest are sorted, by teaching order, and then (stably) by
        weight."""
        if self._all_links_read:
            _, lectures = self._heaviest_mentions.get(concept, (0.0, []))
            if not self._originals.keys().isdisjoint(lectures):  # some are translations
                lectures = map(self.original, lectures)
            works = list(dict.fromkeys(lectures))  # every work of the heaviest weight
            if len(works) >= count or not works:
                return self.sorted_links(concept, MENTION_RELATIONS, works, self.teaching_order())[:count]
        mentions = self.mentioners(concept)
        weakest = min(heapq.nlargest(count, mentions.values()), default=0.0)
        heavy = self.sorted_links(concept, MENTION_RELATIONS, [work for work, weight in mentions.items() if weight >= weakest],
                                  self.teaching_order())
        return sorted(heavy, key=mentions.__getitem__, reverse=True)[:count]

    def original(self, lecture: str) -> str:
        """``self.work(lecture).original``."""
        if self._all_links_read:
            return self._originals.get(lecture, lecture)
        return self.work(lecture).original

    def taught_by(self, work: str) -> dict[str, float]:
        """concept -> weight, for what any version of the work teaches."""
        memo = self._taught
        found = memo.get(work)
        if found is None:
            found = {}
            succ = self._succ
            for _, lecture in self.work(work).variants:
                for concept, keys in succ[lecture].items():
                    for key, data in keys.items():
                        if key in TEACH_RELATIONS:
                            found[concept] = max(found.get(concept, 0.0), float(data.get("weight", 1.0)))
            memo[work] = found
        return found

    def prerequisites(self, concept: str) -> list[tuple[str, float]]:
        memo = self._memo_of("requires")
        found = memo.get(concept)
        if found is None:
            found = memo[concept] = sorted((target, float(keys["requires"].get("weight", 1.0)))
                                           for target, keys in self._succ[concept].items() if "requires" in keys)
        return found

    def order_key(self, work: str) -> tuple[int, int, int]:
        """Teaching order across the catalog: (first catalog number of the course,
        position in the course, catalog number); a lecture in no course stands alone."""
        memo = self._orders
        found = memo.get(work)
        if found is None:
            number = self.record(work).number
            found = (number, 0, number)
            for course, keys in self._succ[work].items():
                data = keys.get("part_of")
                if data is not None:
                    found = (self._course_anchor(course), int(data.get("position", 0)), number)
                    break
            memo[work] = found
        return found

    def teaching_order(self):
        """A sort key that sorts works as :meth:`order_key` does: once all links are
        read and no two lectures share a place in teaching order, a lecture's rank in
        it, which is quicker to get and to compare."""
        return self._ranks.__getitem__ if self._ranks is not None else self.order_key

    def _course_anchor(self, course: str) -> int:
        memo = self._memo_of("anchor")
        found = memo.get(course)
        if found is None:
            numbers = [self.record(lecture).number for lecture, keys in self._pred[course].items()
                       if "part_of" in keys]
            found = memo[course] = min(numbers, default=0)
        return found

    def descriptors_of_each(self, works: Iterable[str]) -> Iterable[tuple]:
        """``self.descriptor(work)`` for each work."""
        return map(self._descriptors.__getitem__ if self._all_links_read else self.descriptor, works)  # all known, or not

    def courses_of_each(self, works: Iterable[str]) -> Iterable[str | None]:
        """``self.course(work)`` for each work."""
        return map(self._courses.__getitem__ if self._all_links_read else self.course, works)  # all known, or not

    def course(self, work: str) -> str | None:
        memo = self._courses
        if work in memo:
            return memo[work]
        found = memo[work] = next((course for course, keys in self._succ[work].items() if "part_of" in keys), None)
        return found

    def part(self, work: str) -> int:
        if self._all_links_read:
            return self._part_numbers.get(work, 1)
        return getattr(self.record(work), "part", None) or 1

    def _series_and_part(self, work: str) -> tuple[str | None, int | None]:
        if self._all_links_read:
            return self._series_parts.get(work, (None, None))  # (None, None) for a record lacking either
        record = self.record(work)
        return getattr(record, "series", None), getattr(record, "part", None)

    def _previous_part(self, lecture: str) -> str | None:
        """The lecture before this one by next_part: the first in networkx's order of its
        predecessors, when it has several."""
        if self._all_links_read:
            if lecture not in self._previous:
                return None
            found = self._previous[lecture]
            if found is not None:
                return found
        return next((u for u, keys in self._pred[lecture].items() if "next_part" in keys), None)

    def earlier_parts(self, work: str) -> list[str]:
        """The earlier parts of the work's multi-part lecture, first part first: the
        next_part chain backwards, plus same-series parts across a gap."""
        return [other for other in self.ordered_parts(self.descriptor(work)) if other != work]

    # The earlier parts of a work depend only on its *descriptor*: its next_part chain
    # backwards and, when that chain has a gap, its series and part. Works sharing a
    # descriptor (the parts n of a series, all re-uploaded) share one list, so a catalog
    # whose series have thousands of members does not keep thousands of long lists.
    def descriptor(self, work: str) -> tuple:
        """(((lecture, part), ...) of the chain backwards, series or None, part or None)."""
        found = self._descriptors.get(work)
        if found is None:
            chain: list[tuple[str, int]] = []
            current, seen = work, {work}
            while True:
                previous = self._previous_part(current)
                if previous is None or previous in seen:
                    break
                current = previous
                seen.add(current)
                chain.append((current, self.part(current)))
            series, part = self._series_and_part(work)
            if series and part and len(chain) < part - 1:  # a gap in the chain: ask the series
                found = (tuple(chain), series, part)
            else:
                found = (tuple(chain), None, None)
            self._descriptors[work] = found
        return found

    def _parts(self, descriptor: tuple) -> tuple[dict[str, int], list[str], frozenset]:
        """(work original -> lowest part, those originals in order, as a set) of the
        lectures a descriptor names: a work's earlier parts, the work itself left out."""
        found_parts = self._descriptor_parts.get(descriptor)
        if found_parts is None:
            chain, series, part = descriptor
            found: dict[str, int] = dict(chain)
            if series is not None:
                members = self._series_members().get(series, [])  # sorted by part
                for other_part, other in members[:bisect.bisect_left(members, (part,))]:  # those with a lower part
                    found.setdefault(other, other_part)
            originals: dict[str, int] = {}
            for lecture, part_number in found.items():
                original = self.original(lecture)
                originals[original] = min(originals.get(original, part_number), part_number)
            order = self.teaching_order()
            ordered = [lecture for lecture, _ in sorted(originals.items(), key=lambda item: (item[1], order(item[0])))]
            found_parts = self._descriptor_parts[descriptor] = (originals, ordered, frozenset(originals))
        return found_parts

    def ordered_parts(self, descriptor: tuple) -> list[str]:
        return self._parts(descriptor)[1]

    def parts_teaching(self, descriptor: tuple) -> dict[str, str]:
        """concept -> the first of a descriptor's earlier parts (in order) that teaches
        it, for every concept they teach."""
        found = self._descriptor_teaching.get(descriptor)
        if found is None:
            found = self._descriptor_teaching[descriptor] = {}
            for work in self.ordered_parts(descriptor):
                for concept in self.taught_by(work):
                    found.setdefault(concept, work)
        return found

    def parts_set(self, descriptor: tuple) -> frozenset:
        return self._parts(descriptor)[2]

    def _series_members(self) -> dict[str, list[tuple[int, str]]]:
        if self._series is None:
            series: dict[str, list[tuple[int, str]]] = {}
            for node, record in self.graph.nodes(data="record"):
                if isinstance(record, Lecture) and record.series and record.part:
                    series.setdefault(record.series, []).append((record.part, node))
            self._series = {key: sorted(members) for key, members in series.items()}
        return self._series

    def ranked_teachers(self, concept: str) -> list[str]:
        """The works teaching a concept, best first for a learner who needs it as a
        prerequisite: strongest teaching link, then the earliest part (a first part
        introduces), then the most focused (fewest taught concepts: a lecture on an
        unrelated topic that names the concept in its title is a poor introduction),
        then teaching order."""
        return self._ranking(concept)[0]

    def _ranking(self, concept: str) -> tuple[list[str], dict[str, float]]:
        """(:meth:`ranked_teachers`, work -> minus its link's weight rounded to 0.1: the
        strength the ranking is by first)."""
        def compute(node: str) -> tuple[list[str], dict[str, float]]:
            teachers = self.teachers(node)
            # a big catalog's concept has thousands of teachers but few distinct weights
            minus_rounded = {weight: -round(weight, 1) for weight in set(teachers.values())}
            strength = dict(zip(teachers, map(minus_rounded.__getitem__, teachers.values())))
            if self._ranks is None:
                part, taught_count, order = self.part, self.taught_count, self.teaching_order()
                return self.sorted_links(node, TEACH_RELATIONS, teachers, lambda work: (
                    strength[work], part(work), taught_count(work), order(work))), strength
            # the same order by two stable sorts: by place in the order all teaching works
            # share (plain ints, quick to sort), then by strength
            ranked = sorted(teachers, key=self._teacher_place().__getitem__)
            ranked.sort(key=strength.__getitem__)
            return ranked, strength

        return self._cached("ranked", concept, compute)

    def _teacher_place(self) -> dict[str, int]:
        """work -> its place among all works that teach something, by (part, taught
        count, rank in teaching order): what :meth:`ranked_teachers` sorts by after the
        strength, the same for every concept, so worked out once for all. Only once all
        links are read with distinct ranks: then every teacher is known."""
        if self._teacher_places is None:
            ordered = sorted(set().union(*self._teachers.values()), key=self._ranks.__getitem__)
            ordered.sort(key=self.taught_count)  # stable sorts: by part, then taught count, then rank
            ordered.sort(key=self.part)
            self._teacher_places = dict(zip(ordered, range(len(ordered))))
        return self._teacher_places

    def taught_count(self, work: str) -> int:
        """``len(self.taught_by(work))``, without keeping a dict per work: ranking the
        teachers of every concept asks it of nearly every lecture."""
        found = self._taught.get(work)
        if found is not None:
            return len(found)
        memo = self._memo_of("taught_count")
        count = memo.get(work)
        if count is None:
            variants = self.work(work).variants
            if len(variants) == 1:
                count = sum(1 for keys in self._succ[variants[0][1]].values()
                            if not TEACH_RELATIONS.isdisjoint(keys))
            else:
                count = len(self.taught_by(work))
            memo[work] = count
        return count

    def teacher_groups(self, concept: str) -> tuple[list[_TeacherGroup], dict[str, int]]:
        """:meth:`ranked_teachers` cut into groups of equal strength (rounded to 0.1),
        strongest first, and each teacher's place in the ranking: what choosing a
        prerequisite's lecture reads, gathered once."""
        def compute(node: str) -> tuple[list[_TeacherGroup], dict[str, int]]:
            ranked, strength = self._ranking(node)
            groups: list[_TeacherGroup] = []
            for _, works in itertools.groupby(ranked, key=strength.__getitem__):
                works = list(works)
                groups.append(_TeacherGroup(works, frozenset(works)))
            return groups, dict(zip(ranked, range(len(ranked))))

        return self._cached("groups", concept, compute)

    def best_teacher(self, concept: str) -> str | None:
        teachers = self.ranked_teachers(concept)
        return teachers[0] if teachers else None

    def version(self, work: str, lang: str | None) -> str:
        """The lecture to show for a work: the ``lang`` version if any, else the original."""
        if lang:
            for language, lecture in self.work(work).variants:
                if language == lang:
                    return lecture
        return work


_INDEXES: "weakref.WeakKeyDictionary[nx.MultiDiGraph, PathIndex]" = weakref.WeakKeyDictionary()


def path_index(graph: nx.MultiDiGraph, rebuild: bool = False) -> PathIndex:
    """The shared :class:`PathIndex` of a graph. It is rebuilt when the number of
    nodes changed (an O(1) check; counting a MultiDiGraph's edges is O(E)) or when
    ``rebuild`` is true: pass it after changing only edges of a graph already used."""
    index = _INDEXES.get(graph)
    if rebuild or index is None or index.signature != graph.number_of_nodes():
        index = PathIndex(graph)
        _INDEXES[graph] = index
    return index


# --- public functions ----------------------------------------------------------------------------

def _is_concept(graph: nx.MultiDiGraph, text: str) -> bool:
    return text in graph and graph.nodes[text].get("kind") == CONCEPT


def find_concept(graph: nx.MultiDiGraph, text: str) -> str | None:
    """The concept node id a text names: a node id, a key, or any label in any
    language, ignoring case, full/half width, Traditional/Simplified script, hyphens
    and spaces. None when no concept has that name.

    >>> from kg.records import Concept
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("C:lora", kind="concept", record=Concept("lora", (("en", "LoRA"),), (("en", "Low-Rank Adaptation"),)))
    >>> find_concept(g, "ＬＯＲＡ"), find_concept(g, "low rank adaptation"), find_concept(g, "lowrank adaptation")
    ('C:lora', 'C:lora', 'C:lora')
    >>> find_concept(g, "GAN") is None
    True
    """
    text = text.strip()
    if not text:
        return None
    return path_index(graph).lookup(text)


def suggest(graph: nx.MultiDiGraph, text: str, limit: int = 5) -> list[str]:
    """The concept labels closest to ``text`` (as written), best first: labels that
    contain it or that it contains, then difflib similarity of the folded forms.

    >>> from kg.records import Concept
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("C:lora", kind="concept", record=Concept("lora", (("en", "LoRA"),)))
    >>> g.add_node("C:gan", kind="concept", record=Concept("gan", (("en", "Generative Adversarial Network"),), (("en", "GAN"),)))
    >>> suggest(g, "lorra")
    ['LoRA']
    """
    from kg.normalize import fold

    folded = fold(text)
    if not folded:
        return []
    labels = path_index(graph).display_labels()
    scores: dict[str, float] = {}
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(folded)
    for label, written in labels:
        if min(len(label), len(folded)) >= 3 and (folded in label or label in folded):
            score = 1.0 + min(len(label), len(folded)) / max(len(label), len(folded))
        else:
            matcher.set_seq1(label)
            if matcher.real_quick_ratio() < 0.5 or matcher.quick_ratio() < 0.5:
                continue
            score = matcher.ratio()
            if score < 0.5:
                continue
        scores[written] = max(scores.get(written, 0.0), score)
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    result: list[str] = []
    seen_concepts: set[str] = set()
    for written, _ in ranked:
        node = find_concept(graph, written)
        if node in seen_concepts:
            continue  # one label per concept
        seen_concepts.add(node)
        result.append(written)
        if len(result) == limit:
            break
    return result


def resolve(graph: nx.MultiDiGraph, text: str) -> str:
    """:func:`find_concept`, raising :class:`UnknownConcept` with suggestions."""
    node = text if _is_concept(graph, text) else find_concept(graph, text)
    if node is None:
        raise UnknownConcept(text, suggest(graph, text))
    return node


def prerequisite_closure(graph: nx.MultiDiGraph, target: str, known: Iterable[str] = (),
                         min_confidence: float = MIN_CHAIN_CONFIDENCE, index: PathIndex | None = None) -> dict[str, tuple[float, int]]:
    """concept -> (chain confidence, requires hops) for the target's confident
    prerequisites, not entering known concepts (max-product Dijkstra: weights are at
    most 1, so confidence only falls along a chain). The target itself is included
    with (1.0, 0).
    """
    index = index or path_index(graph)
    blocked = set(known) - {target}
    best: dict[str, tuple[float, int]] = {target: (1.0, 0)}
    heap = [(-1.0, 0, target)]
    done: set[str] = set()
    while heap:
        negative, hops, node = heapq.heappop(heap)
        if node in done:
            continue
        done.add(node)
        for prerequisite, weight in index.prerequisites(node):
            if prerequisite in blocked:
                continue
            confidence = -negative * weight * (HOP_DECAY if node != target else 1.0)
            if confidence < min_confidence:
                continue
            seen = best.get(prerequisite)
            if seen is None or confidence > seen[0] + 1e-12:
                best[prerequisite] = (confidence, hops + 1)
                heapq.heappush(heap, (-confidence, hops + 1, prerequisite))
    return best


def _prerequisites_first(index: PathIndex, closure: Iterable[str]) -> list[str]:
    """Topological order of the closure over requires, prerequisites first; ties by
    the first teaching lecture's teaching order, then id (Kahn with a heap)."""
    members = set(closure)
    waiting: dict[str, int] = {}
    dependants: dict[str, list[str]] = {node: [] for node in members}
    for node in members:
        inside = [p for p, _ in index.prerequisites(node) if p in members]
        waiting[node] = len(inside)
        for prerequisite in inside:
            dependants[prerequisite].append(node)

    def key(node: str) -> tuple:
        teacher = index.best_teacher(node)
        return (index.order_key(teacher) if teacher else (10**12, 0, 0), node)

    ready = [(key(node), node) for node in members if waiting[node] == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        _, node = heapq.heappop(ready)
        order.append(node)
        for dependant in dependants[node]:
            waiting[dependant] -= 1
            if waiting[dependant] == 0:
                heapq.heappush(ready, (key(dependant), dependant))
    if len(order) < len(members):  # not a DAG (hand-made graph): keep the rest by key
        order += sorted(members - set(order), key=key)
    return order


def _known_cover(index: PathIndex, known: set[str], closure: set[str]) -> set[str]:
    """Known concepts and everything they require, minus what the path still needs."""
    covered, stack = set(), list(known)
    while stack:
        node = stack.pop()
        if node in covered:
            continue
        covered.add(node)
        stack.extend(p for p, _ in index.prerequisites(node))
    return covered - closure


def _prerequisite_teacher(index: PathIndex, concept: str, target_works: list[str]) -> str | None:
    """The lecture to watch for a prerequisite (rule 3 of the module docstring)."""
    return _Plan.context_for(index, target_works).teacher(concept)


class _TargetContext:
    """What choosing a prerequisite's lecture needs to know about the target's own
    lectures, computed once per target (not per prerequisite): the lectures
    themselves, every earlier part of them, and their courses."""

    def __init__(self, index: PathIndex, target_works: list[str]):
        self.index = index
        self.target_works = target_works
        self.reserved = set(target_works)
        # the union of the target lectures' earlier parts, one descriptor at a time: a
        # work is not its own earlier part, which matters only for a descriptor one
        # target lecture has alone
        parts: set[str] = set()
        for descriptor, count in Counter(index.descriptors_of_each(target_works)).items():
            found = index.parts_set(descriptor)
            if count > 1 or found.isdisjoint(self.reserved):
                parts |= found
            else:  # leave out the one target lecture of this descriptor, if it is among them
                parts |= found.difference(work for work in found & self.reserved if index.descriptor(work) == descriptor)
        self.parts = parts
        self.courses = set(index.courses_of_each(target_works)) - {None}
        self._all_taught: set[str] | None = None

    def teacher(self, concept: str) -> str | None:
        """The teachers of ``concept`` ranked as rule 3 says -- strongest first; among
        equals in the target's series, then in its course, then
        :meth:`PathIndex.ranked_teachers` order -- and the first that is neither a
        target lecture nor a later part of one. Found group by group of equal
        strength, reading a group only as far as the answer, so that a concept
        thousands of lectures teach costs little more than one a few teach."""
        groups, rank = self.index.teacher_groups(concept)
        for group in groups:
            for works in self._by_kind(group, rank):
                for work in works:
                    if self._acceptable(work):
                        return work
        if not groups or self._taught_by_target(concept):
            return None  # no lecture teaches it, or the target's own lecture does, at the end
        for works in self._by_kind(groups[0], rank):
            for work in works:
                return work  # the best ranked of the best kind, though it is one of the target's

    def _by_kind(self, group: _TeacherGroup, rank: dict[str, int]) -> Iterator[Iterable[str]]:
        """The teachers of a group by kind, best kind first, each kind in ranked order:
        those in the target's series and course, in its series only, in its course
        only, then the others."""
        in_parts = self.parts.intersection(group.members)
        course, courses = self.index.course, self.courses
        parts_in_course = {work for work in in_parts if course(work) in courses}
        yield sorted(parts_in_course, key=rank.__getitem__)
        yield sorted(in_parts - parts_in_course, key=rank.__getitem__)
        # the rest lazily, in ranked order: a group can have thousands of works, and the
        # first acceptable one is usually among the first
        if group.by_course is None:
            group.by_course = {}
            for work, its_course in zip(group.works, self.index.courses_of_each(group.works)):
                group.by_course.setdefault(its_course, []).append(work)
        in_course = [group.by_course[course] for course in courses.intersection(group.by_course)]
        yield (work for work in heapq.merge(*in_course, key=rank.__getitem__) if work not in in_parts)
        yield (work for work in group.works if work not in in_parts and course(work) not in courses)

    def _acceptable(self, work: str) -> bool:
        """Neither a lecture of the target nor a later part of one: that would put the
        target early."""
        index, reserved = self.index, self.reserved
        return work not in reserved and index.parts_set(index.descriptor(work)).isdisjoint(reserved)

    def _taught_by_target(self, concept: str) -> bool:
        """Whether one of the target's own lectures teaches ``concept`` (what they
        teach is gathered once per target)."""
        if self._all_taught is None:
            taught_by = self.index.taught_by
            self._all_taught = set()
            for work in self.target_works:
                self._all_taught.update(taught_by(work))
        return concept in self._all_taught


class _Plan:
    """The study path of one target as works (a lecture and its translation as one),
    the same for every language. The prerequisites' lectures are placed at once;
    the target's own lectures, which a huge catalog has by the thousand, are placed
    only as far as an answer needs them (``max_steps`` keeps the first of them)."""

    def __init__(self, index: PathIndex, target: str, known: set[str]):
        self.index = index
        self.target = target
        self.known = known
        self.closure = prerequisite_closure(index.graph, target, known, index=index)
        self.ordered = _prerequisites_first(index, set(self.closure) - {target})
        self.path: list[str] = []  # work originals, in order
        self.distance: dict[str, int] = {}
        self.taught_on_path: set[str] = set()
        self.first_teacher: dict[str, str] = {}  # concept -> the first work on the path teaching it
        self.placed: set[tuple] = set()  # descriptors whose earlier parts are all on the path (or skipped)
        self.cover: set[str] | None = None
        self._context: _TargetContext | None = None

        own = index.teachers(target)
        if own:
            self.target_works = index.sorted_links(target, TEACH_RELATIONS, own, index.teaching_order())
        else:
            strongest = index.strongest_mentioners(target, MENTION_FALLBACK)
            self.target_works = sorted(strongest, key=index.teaching_order())
        # the target's works for membership tests: its teachers' dict rather than a new
        # set of what can be thousands of works
        self.own = own or self.target_works
        for concept in self.ordered:
            if concept not in self.taught_on_path:  # else already taught on the way
                teacher = self.context().teacher(concept)
                if teacher is not None:
                    self._place(teacher, self.closure[concept][1])
        self.prefix = len(self.path)  # the prerequisites' part of the path
        self._next_target = 0

    @staticmethod
    def context_for(index: PathIndex, target_works: list[str]) -> _TargetContext:
        return _TargetContext(index, target_works)

    def context(self) -> _TargetContext:
        if self._context is None:
            self._context = _TargetContext(self.index, self.target_works)
        return self._context

    # building the path
    def _skippable(self, work: str) -> bool:
        """An earlier part that teaches known concepts and nothing new."""
        if not self.known:
            return False
        if self.cover is None:
            self.cover = _known_cover(self.index, self.known, set(self.closure))
        taught = self.index.taught_by(work)
        cover, on_path = self.cover, self.taught_on_path
        return any(c in cover for c in taught) and all(c in cover or c in on_path for c in taught)

    def _append(self, work: str, hops: int) -> None:
        self.path.append(work)
        self.distance[work] = hops
        taught = self.index.taught_by(work)
        self.taught_on_path.update(taught)
        first = self.first_teacher
        for concept in taught:
            first.setdefault(concept, work)

    def _place(self, work: str, hops: int) -> None:
        descriptor = self.index.descriptor(work)
        if descriptor not in self.placed:
            # once a descriptor's parts were placed, every one of them is on the path
            # or skippable (which it stays): placing them again would add nothing
            distance = self.distance
            if self.known or work in self.index.parts_set(descriptor):
                for earlier in self.index.ordered_parts(descriptor):
                    if earlier != work and earlier not in distance and not self._skippable(earlier):
                        self._append(earlier, hops)
            else:  # as _append() one by one would: what a part already on the path teaches is known already
                new = [earlier for earlier in self.index.ordered_parts(descriptor) if earlier not in distance]
                self.path += new
                distance.update(dict.fromkeys(new, hops))
                taught = self.index.parts_teaching(descriptor)
                self.taught_on_path.update(taught)
                first = self.first_teacher
                for concept, earlier in taught.items():
                    first.setdefault(concept, earlier)
            self.placed.add(descriptor)
        if work not in self.distance:
            self._append(work, hops)

    def _grow(self) -> bool:
        """Place the next target lecture; False when all are placed."""
        if self._next_target >= len(self.target_works):
            return False
        self._place(self.target_works[self._next_target], 0)
        self._next_target += 1
        return True

    def longer_than(self, steps: int) -> bool:
        """Whether the whole path has more than ``steps`` steps."""
        while len(self.path) <= steps and self._grow():
            pass
        return len(self.path) > steps

    # the answer
    def works(self, max_steps: int | None = None) -> list[str]:
        """The works to show, in path order (rule 6 when the path is longer than ``max_steps``)."""
        if max_steps is None or max_steps < 0 or not self.longer_than(max_steps):
            while self._grow():
                pass
            return list(self.path)
        # the target's lectures are kept first, earliest first: when there are enough
        # of them, they are the answer
        while len(self.path) - self.prefix < max_steps and self._grow():
            pass
        own = self.path[self.prefix:self.prefix + max_steps]
        if len(own) >= max_steps:
            return own
        while self._grow():
            pass
        own = self.path[self.prefix:]
        position = {work: i for i, work in enumerate(self.path[:self.prefix])}
        distance = self.distance
        nearest = sorted(position, key=lambda w: (distance[w], -position[w]))[:max_steps - len(own)]
        keep = set(nearest)
        return [work for work in self.path[:self.prefix] if work in keep] + own

    def credited(self) -> dict[str, list[str]]:
        """work -> the prerequisites it is credited with (rule 5); the target's
        lectures are placed as far as the credits need. (:meth:`steps` credits each
        of the target's lectures with the target too.)"""
        index, first = self.index, self.first_teacher
        for concept in self.ordered:
            if concept not in first and index.teachers(concept):
                while concept not in first and self._grow():
                    pass
        credited: dict[str, list[str]] = {}
        for concept in self.ordered:
            work = first.get(concept)
            if work is not None:
                credited.setdefault(work, []).append(concept)
        return credited

    def steps(self, works: list[str], langs: Iterable[str | None]) -> dict[str | None, list[PathStep]]:
        """The steps of the given works in each language."""
        index, target = self.index, self.target
        credited = self.credited()
        elsewhere = {concept for concepts in credited.values() for concept in concepts}
        if self.target_works:
            elsewhere.add(target)
        contributions = []
        for work in works:
            concepts = credited.get(work)
            if work in self.own:  # credited with the target too, after its prerequisites
                concepts = (concepts or []) + [target]
            if not concepts:  # on the path as an earlier part: what it teaches, new first
                taught = index.taught_by(work)
                ranked = sorted(taught, key=lambda c: (c in elsewhere, -taught[c], c))
                concepts = [c for c in ranked if c not in elsewhere][:3] or ranked[:1]
            contributions.append(tuple(dict.fromkeys(concepts)))
        result: dict[str | None, list[PathStep]] = {}
        # languages that show the same version of a work share its step
        made: dict[tuple[str, tuple[str, ...]], PathStep] = {}
        for lang in langs:
            steps = []
            for work, concepts in zip(works, contributions):
                lecture = index.version(work, lang)
                step = made.get((lecture, concepts))
                if step is None:
                    record = index.record(lecture)
                    step = made[lecture, concepts] = PathStep(
                        lecture=lecture, number=record.number, title=record.title, url=record.url,
                        language=record.language, concepts=concepts)
                steps.append(step)
            result[lang] = steps
        return result


def study_path(graph: nx.MultiDiGraph, target: str, known: Iterable[str] = (), lang: str | None = None,
               max_steps: int | None = None) -> list[PathStep]:
    """The lectures to watch, in order, to understand ``target`` (a concept node id or
    any of its labels); see the module docstring for the rule. ``known`` are concepts
    (ids or labels) already understood; ``lang`` is "zh", "en" or None (originals).
    Raises :class:`UnknownConcept` for a target or known concept no concept is called.
    """
    index = path_index(graph)
    target_node = resolve(graph, target)
    known_nodes = {resolve(graph, text) for text in known} - {target_node}
    plan = _Plan(index, target_node, known_nodes)
    return plan.steps(plan.works(max_steps), (lang,))[lang]


def bounded_study_paths(graph: nx.MultiDiGraph, targets: Iterable[str], limit: int,
                        langs: Iterable[str | None] = (None, "zh", "en")) -> dict[str, tuple[dict[str | None, list[PathStep]], bool]]:
    """For a page that precomputes paths: target -> ({lang: path}, shortened). A path
    is the one :func:`study_path` gives when it has at most ``limit`` steps, else the
    one ``study_path(..., max_steps=limit)`` gives (``shortened``). Each target's
    path is planned once for every language, and only as far as ``limit`` needs."""
    index = path_index(graph)
    index.read_all_links()
    langs = tuple(langs)
    found = {}
    for target in targets:
        plan = _Plan(index, resolve(graph, target), set())
        shortened = plan.longer_than(limit)
        found[target] = (plan.steps(plan.works(limit if shortened else None), langs), shortened)
    return found


def all_study_paths(graph: nx.MultiDiGraph, lang: str | None = None) -> dict[str, list[PathStep]]:
    """concept id -> its study path, for every concept some lecture teaches or
    mentions (the HTML page embeds these)."""
    index = path_index(graph)
    index.read_all_links()
    paths = {}
    for node, kind in sorted(graph.nodes(data="kind")):
        if kind == CONCEPT and (index.teachers(node) or index.is_mentioned(node)):
            plan = _Plan(index, node, set())
            paths[node] = plan.steps(plan.works(), (lang,))[lang]
    return paths
