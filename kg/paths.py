"""Study paths: which lectures to watch, in what order, to understand a concept.

The one computation behind ``kg path`` and the paths the HTML page embeds. Stable API:

* :class:`PathStep` - one lecture of a path and the concepts it contributes;
* :func:`find_concept` - a concept node id from any label (English, Chinese,
  abbreviation; case, width and script insensitive);
* :func:`suggest` - the closest labels for a text that names no concept;
* :func:`study_path` - the ordered lectures for a target concept;
* :func:`all_study_paths` - the path of every taught concept, for a page that
  precomputes them.

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
time in proportion to its closure, not to the graph.

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

import difflib
import heapq
import weakref
from dataclasses import dataclass
from typing import Iterable

import networkx as nx

from kg.graph import CONCEPT
from kg.records import Lecture

MIN_CHAIN_CONFIDENCE = 0.5
HOP_DECAY = 0.7
MENTION_FALLBACK = 3
TEACH_RELATIONS = frozenset(("about", "teaches"))


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


class PathIndex:
    """Facts about one graph that every path needs, computed on first use and kept.

    Built by :func:`path_index`; the graph must not change while the index is used
    (``path_index`` rebuilds it when the node count changed, or on request).
    """

    def __init__(self, graph: nx.MultiDiGraph):
        self.graph = graph
        self.signature = graph.number_of_nodes()
        self._labels: dict[str, list[str]] | None = None
        self._squashed: dict[str, list[str]] | None = None
        self._display: list[tuple[str, str]] | None = None
        self._series: dict[str, list[tuple[int, str]]] | None = None
        self._memo: dict[tuple[str, str], object] = {}

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
        key = (kind, node)
        if key not in self._memo:
            self._memo[key] = compute(node)
        return self._memo[key]

    def record(self, lecture: str):
        return self.graph.nodes[lecture].get("record")

    def work(self, lecture: str) -> _Work:
        """The work of a lecture: its original plus the versions translating it."""
        def compute(node: str) -> _Work:
            original = node
            for _, target, key in self.graph.out_edges(node, keys=True):
                if key == "translation_of":
                    original = target
                    break
            variants = {self.record(original).language: original}
            for source, _, key in self.graph.in_edges(original, keys=True):
                if key == "translation_of":
                    variants.setdefault(self.record(source).language, source)
            return _Work(original, tuple(sorted(variants.items())))

        return self._cached("work", lecture, compute)

    def teachers(self, concept: str) -> dict[str, float]:
        """work original -> strongest teaching weight, for the lectures about ``concept``."""
        return self._cached("teachers", concept, lambda node: self._linked(node, TEACH_RELATIONS))

    def mentioners(self, concept: str) -> dict[str, float]:
        return self._cached("mentioners", concept, lambda node: self._linked(node, frozenset(("mentions",))))

    def _linked(self, concept: str, relations: frozenset) -> dict[str, float]:
        found: dict[str, float] = {}
        for lecture, _, key, data in self.graph.in_edges(concept, keys=True, data=True):
            if key in relations:
                original = self.work(lecture).original
                found[original] = max(found.get(original, 0.0), float(data.get("weight", 1.0)))
        return found

    def taught_by(self, work: str) -> dict[str, float]:
        """concept -> weight, for what any version of the work teaches."""
        def compute(node: str) -> dict[str, float]:
            found: dict[str, float] = {}
            for _, lecture in self.work(node).variants:
                for _, concept, key, data in self.graph.out_edges(lecture, keys=True, data=True):
                    if key in TEACH_RELATIONS:
                        found[concept] = max(found.get(concept, 0.0), float(data.get("weight", 1.0)))
            return found

        return self._cached("taught", work, compute)

    def prerequisites(self, concept: str) -> list[tuple[str, float]]:
        def compute(node: str) -> list[tuple[str, float]]:
            return sorted((target, float(data.get("weight", 1.0)))
                          for _, target, key, data in self.graph.out_edges(node, keys=True, data=True)
                          if key == "requires")

        return self._cached("requires", concept, compute)

    def order_key(self, work: str) -> tuple[int, int, int]:
        """Teaching order across the catalog: (first catalog number of the course,
        position in the course, catalog number); a lecture in no course stands alone."""
        def compute(node: str) -> tuple[int, int, int]:
            number = self.record(node).number
            for _, course, key, data in self.graph.out_edges(node, keys=True, data=True):
                if key == "part_of":
                    return (self._course_anchor(course), int(data.get("position", 0)), number)
            return (number, 0, number)

        return self._cached("order", work, compute)

    def _course_anchor(self, course: str) -> int:
        def compute(node: str) -> int:
            numbers = [self.record(lecture).number for lecture, _, key in self.graph.in_edges(node, keys=True)
                       if key == "part_of"]
            return min(numbers, default=0)

        return self._cached("anchor", course, compute)

    def course(self, work: str) -> str | None:
        def compute(node: str) -> str | None:
            return next((course for _, course, key in self.graph.out_edges(node, keys=True) if key == "part_of"), None)

        return self._cached("course", work, compute)

    def part(self, work: str) -> int:
        return getattr(self.record(work), "part", None) or 1

    def earlier_parts(self, work: str) -> list[str]:
        """The earlier parts of the work's multi-part lecture, first part first: the
        next_part chain backwards, plus same-series parts across a gap."""
        def compute(node: str) -> list[str]:
            found: dict[str, int] = {}
            current, seen = node, {node}
            while True:
                previous = [u for u, _, key in self.graph.in_edges(current, keys=True) if key == "next_part"]
                if not previous or previous[0] in seen:
                    break
                current = previous[0]
                seen.add(current)
                found[current] = self.part(current)
            record = self.record(node)
            series, part = getattr(record, "series", None), getattr(record, "part", None)
            if series and part and len(found) < part - 1:  # a gap in the chain: ask the series
                for other_part, other in self._series_members().get(series, ()):
                    if other_part < part and other != node:
                        found.setdefault(other, other_part)
            originals = {}
            for lecture, part_number in found.items():
                original = self.work(lecture).original
                originals[original] = min(originals.get(original, part_number), part_number)
            originals.pop(node, None)
            return [lecture for lecture, _ in sorted(originals.items(), key=lambda item: (item[1], self.order_key(item[0])))]

        return self._cached("earlier", work, compute)

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
        def compute(node: str) -> list[str]:
            teachers = self.teachers(node)
            return sorted(teachers, key=lambda work: (-round(teachers[work], 1), self.part(work),
                                                      len(self.taught_by(work)), self.order_key(work)))

        return self._cached("ranked", concept, compute)

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
    reserved = set(target_works)
    target_parts = {part for work in target_works for part in index.earlier_parts(work)}
    target_courses = {index.course(work) for work in target_works} - {None}
    strength = index.teachers(concept)
    # among equally strong teachers, stay in the target's series, then in its course;
    # the sort is stable, so the index's ranking breaks the remaining ties
    teachers = sorted(index.ranked_teachers(concept),
                      key=lambda work: (-round(strength[work], 1), work not in target_parts,
                                        index.course(work) not in target_courses))
    # a lecture of the target (or a later part of one) would put the target early
    for work in teachers:
        if work not in reserved and not reserved.intersection(index.earlier_parts(work)):
            return work
    if any(concept in index.taught_by(work) for work in target_works):
        return None  # the target's own lecture teaches it, at the end
    return teachers[0] if teachers else None


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
    closure = prerequisite_closure(graph, target_node, known_nodes, index=index)
    ordered = _prerequisites_first(index, set(closure) - {target_node})
    cover = None  # computed when an earlier part must be judged

    path: list[str] = []  # work originals, in order
    taught_on_path: set[str] = set()
    distance: dict[str, int] = {}
    credited: dict[str, list[str]] = {}

    def skippable(work: str) -> bool:
        """An earlier part that teaches known concepts and nothing new."""
        nonlocal cover
        if not known_nodes:
            return False
        if cover is None:
            cover = _known_cover(index, known_nodes, set(closure))
        taught = index.taught_by(work)
        return any(c in cover for c in taught) and all(c in cover or c in taught_on_path for c in taught)

    def place(work: str, hops: int) -> None:
        for earlier in index.earlier_parts(work):
            if earlier not in distance and not skippable(earlier):
                path.append(earlier)
                distance[earlier] = hops
                taught_on_path.update(index.taught_by(earlier))
        if work not in distance:
            path.append(work)
            distance[work] = hops
            taught_on_path.update(index.taught_by(work))

    own = index.teachers(target_node)
    if own:
        target_works = sorted(own, key=index.order_key)
    else:
        mentions = index.mentioners(target_node)
        strongest = sorted(mentions, key=lambda work: (-mentions[work], index.order_key(work)))[:MENTION_FALLBACK]
        target_works = sorted(strongest, key=index.order_key)
    for concept in ordered:
        if concept not in taught_on_path:  # else already taught on the way
            teacher = _prerequisite_teacher(index, concept, target_works)
            if teacher is not None:
                place(teacher, closure[concept][1])

    for work in target_works:
        place(work, 0)

    # credit each prerequisite to the first lecture teaching it, the target to its lectures
    for concept in ordered:
        for work in path:
            if concept in index.taught_by(work):
                credited.setdefault(work, []).append(concept)
                break
    for work in target_works:
        credited.setdefault(work, []).append(target_node)

    if max_steps is not None and 0 <= max_steps < len(path):
        position = {work: i for i, work in enumerate(path)}
        ranked = sorted(path, key=lambda w: (distance[w], position[w] if distance[w] == 0 else -position[w]))
        keep = set(ranked[:max_steps])
        path = [work for work in path if work in keep]

    steps = []
    elsewhere = {concept for concepts in credited.values() for concept in concepts}
    for work in path:
        concepts = credited.get(work)
        if not concepts:  # on the path as an earlier part: what it teaches, new first
            taught = index.taught_by(work)
            ranked = sorted(taught, key=lambda c: (c in elsewhere, -taught[c], c))
            concepts = [c for c in ranked if c not in elsewhere][:3] or ranked[:1]
        lecture = index.version(work, lang)
        record = index.record(lecture)
        steps.append(PathStep(lecture=lecture, number=record.number, title=record.title, url=record.url,
                              language=record.language, concepts=tuple(dict.fromkeys(concepts))))
    return steps


def all_study_paths(graph: nx.MultiDiGraph, lang: str | None = None) -> dict[str, list[PathStep]]:
    """concept id -> its study path, for every concept some lecture teaches or
    mentions (the HTML page embeds these)."""
    index = path_index(graph)
    paths = {}
    for node, kind in sorted(graph.nodes(data="kind")):
        if kind == CONCEPT and (index.teachers(node) or index.mentioners(node)):
            paths[node] = study_path(graph, node, lang=lang)
    return paths
