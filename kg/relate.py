"""Relations over the whole catalog: broader, related, requires, teaches and needs.

:func:`relate` starts from :func:`kg.graph.base_graph` (lectures, courses, concepts,
about / mentions, vocabulary broader, part_of, next_part, translation_of) and adds the
relations that need evidence from many lectures. Every added edge carries ``weight``
(a confidence in [0, 1]) and ``provenance`` (where the evidence came from).

Each step is a plain function over the graph (or over plain data), networkx style:

``add_pattern_broader``
    concept -> broader concept from textual patterns in the summaries (``X 是一種 Y``,
    ``Y 的一種``, ``Y，例如 X``, ``X is a Y``, ``Y such as X``), the patterns being data
    in ``ontology/relation-patterns.tsv``. Both ends must be concepts the lecture is
    linked to; an edge the vocabulary hierarchy already implies, one that would make
    the broader hierarchy cyclic, or one whose broader end curatedly requires the
    narrower one (a prerequisite of Y is not a kind of Y), is not added. provenance
    ``"pattern"``.

``add_related``
    concept <-> related concept by co-occurrence, scored with normalised pointwise
    mutual information over *works* (a lecture and its translation count once)::

        NPMI(a, b) = log(p(a, b) / (p(a) p(b))) / -log p(a, b)

    which is 1 for concepts that only ever appear together, 0 for independent ones and
    negative for concepts that avoid each other; unlike a raw count it does not favour
    concepts that are everywhere (machine learning, neural network). A pair is kept
    when it met in at least ``MIN_COOCCURRENCE`` = 2 works (a single meeting is not
    evidence) and ``NPMI >= NPMI_THRESHOLD`` = 0.5. On the 148 lectures of the seed
    and the shared pages, 0.35 let in pairs such as encoder ~ overfitting that only
    share the parts of one multi-part lecture; at 0.5 about 300 pairs remain, led by
    discriminator ~ generator, Adam ~ momentum, catastrophic forgetting ~ life-long
    learning. Pairs in a broader chain are left out (SKOS: ``related`` is disjoint
    with ``broaderTransitive``). Stored once per pair, lower node id first;
    provenance ``"cooccurrence"``, attribute ``count`` (works shared).

``add_requires``
    concept B -> concept A it needs first, combining four kinds of evidence:

    ================  =================================================  =======================
    provenance        evidence that B requires A                         weight
    ================  =================================================  =======================
    ``vocabulary``    curated ``kg:requires`` (``Concept.requires``)     1.0
    ``broader``       B skos:broader A                                   0.5 x broader weight
    ``part-order``    in a multi-part lecture, A is first taught in an   0.6 x 0.8^(gap-1) x s(A)
                      earlier part than B, and the part that first
                      teaches B refers to A
    ``course-order``  in a course, A is first taught before B, and the   0.5 x RefD x s(A)
                      reference distance RefD = ref(B->A) - ref(A->B)
                      is at least 0.5
    ================  =================================================  =======================

    s(A) = 1 - (share of works linked to A) is A's specificity: the order of lectures
    says little about a concept nearly every lecture names.

    ref(B->A) is the share of B's teaching lectures in the course that mention A (the
    later lectures build on A), ref(A->B) the share of A's that mention B (a forward
    reference would make the order less telling). Evidence of one kind keeps its
    strongest instance (a course and its English version say the same thing once);
    kinds combine as ``1 - prod(1 - w)``. Edges under ``REQUIRES_MIN`` = 0.3 are dropped.

    The result is made a DAG by :func:`break_cycles`: edges are taken from the strongest
    to the weakest (ties: curated first, then by source and target id) and an edge that
    would close a cycle with the edges already kept is dropped. So in every cycle the
    evidence formed, the weakest edge goes, and the outcome does not depend on
    insertion order.

``add_teaches_and_needs``
    lecture -teaches-> concept for each ``about`` link, and lecture -needs-> concept
    for each direct prerequisite of a taught concept that the lecture does not teach
    itself (weight: requires weight x teaching weight).

Example::

    >>> from kg.records import Concept, Lecture, Mention
    >>> rl = Concept("rl", (("en", "Reinforcement Learning"),))
    >>> pg = Concept("pg", (("en", "Policy Gradient"),), broader=("rl",))
    >>> gan = Concept("gan", (("en", "GAN"),))
    >>> lectures = [Lecture(1, "RL (1/2)", "aaaaaaaaaaa", "x", 1, series="s", part=1),
    ...             Lecture(2, "RL (2/2)", "bbbbbbbbbbb", "x", 9, series="s", part=2),
    ...             Lecture(3, "GAN", "ccccccccccc", "x", 19)]
    >>> mentions = [Mention("aaaaaaaaaaa", "rl", "about", 1.0, "title", ""),
    ...             Mention("bbbbbbbbbbb", "pg", "about", 1.0, "title", ""),
    ...             Mention("bbbbbbbbbbb", "rl", "mentions", 0.5, "core", ""),
    ...             Mention("ccccccccccc", "gan", "about", 1.0, "title", "")]
    >>> g = relate(lectures, {"rl": rl, "pg": pg, "gan": gan}, mentions, None)
    >>> g.edges["C:pg", "C:rl", "requires"]["provenance"]
    'broader+part-order'
    >>> sorted(v for _, v, k in g.out_edges("L:bbbbbbbbbbb", keys=True) if k == "needs")
    ['C:rl']
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cache
from itertools import combinations
from typing import Iterable, Iterator, Mapping

import networkx as nx

from kg.graph import CONCEPT, LECTURE, add_edges, base_graph, concept_id, gc_paused
from kg.records import Concept, Lecture, Mention

# --- documented thresholds and weights ---------------------------------------------
NPMI_THRESHOLD = 0.5
MIN_COOCCURRENCE = 2
PATTERN_MIN_CONFIDENCE = 0.5
CURATED_WEIGHT = 1.0
BROADER_WEIGHT = 0.5
PART_ORDER_WEIGHT = 0.6
PART_GAP_DECAY = 0.8
COURSE_ORDER_WEIGHT = 0.5
REFD_MIN = 0.5
REQUIRES_MIN = 0.3
STATED_CACHE = 4096  # summaries whose pattern statements are remembered (bounded memory)
# fixed order of the provenance names in a combined provenance string
EVIDENCE_KINDS = ("vocabulary", "broader", "part-order", "course-order")

LINK_RELATIONS = ("about", "mentions")
ALL_LINKS = ("about", "mentions", "teaches")
_LINKED = frozenset(LINK_RELATIONS)
_ALL_LINKED = frozenset(ALL_LINKS)
_TAUGHT = frozenset(("about", "teaches"))
_ABOUT = frozenset(("about",))


def relate(lectures: list[Lecture], concepts: dict[str, Concept], mentions: list[Mention], vocabulary) -> nx.MultiDiGraph:
    """The graph model of a catalog: :func:`kg.graph.base_graph` plus pattern broader,
    related, requires (a DAG), teaches and needs. ``vocabulary`` (a
    :class:`kg.vocabulary.Vocabulary` or None) adds curated prerequisites the concept
    records may lack."""
    with gc_paused():
        graph = base_graph(lectures, concepts, mentions)
        _SCANS[id(graph)] = _RelationScan(graph, ("translation_of", "next_part", "part_of", "broader", "requires"))
        try:
            add_pattern_broader(graph)
            add_related(graph)
            add_requires(graph, vocabulary)
            add_teaches_and_needs(graph)
        finally:
            del _SCANS[id(graph)]
    return graph


# --- small graph helpers ---------------------------------------------------------------

# The hot loops read networkx's adjacency dicts (``graph._succ``: node -> neighbour ->
# edge key -> attributes) directly: the edge views cost several times more per edge,
# which is most of the time on a 100,000-lecture catalog.

def _lectures(graph: nx.MultiDiGraph) -> list[str]:
    return sorted(n for n, data in graph._node.items() if data.get("kind") == LECTURE)


def _concepts(graph: nx.MultiDiGraph) -> list[str]:
    return sorted(n for n, data in graph._node.items() if data.get("kind") == CONCEPT)


def _links(graph: nx.MultiDiGraph, lecture: str, relations: Iterable[str] = _LINKED) -> dict[str, float]:
    """concept -> weight of the lecture's links of the given relations."""
    wanted = relations if isinstance(relations, frozenset) else frozenset(relations)
    found: dict[str, float] = {}
    for concept, keys in graph._succ[lecture].items():
        for key, data in keys.items():
            if key in wanted:
                found[concept] = max(found.get(concept, 0.0), float(data.get("weight", 1.0)))
    return found


def _relation_edges(graph: nx.MultiDiGraph, relation: str) -> list[tuple[str, str, dict]]:
    """(u, v, attributes) of every edge of one relation, sorted by (u, v)."""
    scan = _SCANS.get(id(graph))
    if scan is not None and scan.graph is graph and relation in scan.edges:
        return scan.sorted(relation)
    found = [(u, v, keys[relation]) for u, neighbours in graph._succ.items()
             for v, keys in neighbours.items() if relation in keys]
    found.sort(key=lambda e: (e[0], e[1]))  # (u, v) is unique per relation
    return found


class _RelationScan:
    """The edges of a few relations, read in one pass over the graph and kept up to
    date while :func:`relate` adds edges of those relations (through
    :func:`_added`): every step asks for some of them, and each pass over the
    1.5 million edges of a 100,000-lecture catalog costs a third of a second."""

    def __init__(self, graph: nx.MultiDiGraph, relations: Iterable[str]):
        self.graph = graph
        self.edges: dict[str, dict[tuple[str, str], dict]] = {relation: {} for relation in relations}
        self._sorted: dict[str, list] = {}
        for u, neighbours in graph._succ.items():
            for v, keys in neighbours.items():
                for relation, data in keys.items():
                    found = self.edges.get(relation)
                    if found is not None:
                        found[(u, v)] = data

    def sorted(self, relation: str) -> list[tuple[str, str, dict]]:
        found = self._sorted.get(relation)
        if found is None:
            found = self._sorted[relation] = [(u, v, data) for (u, v), data in sorted(self.edges[relation].items(),
                                                                                         key=lambda item: item[0])]
        return found

    def added(self, relation: str, u: str, v: str) -> None:
        if relation in self.edges:
            self.edges[relation][(u, v)] = self.graph._succ[u][v][relation]
            self._sorted.pop(relation, None)


_SCANS: dict[int, _RelationScan] = {}  # id(graph) -> the scan of the relate() call building it


def _added(graph: nx.MultiDiGraph, relation: str, u: str, v: str) -> None:
    """Tell the running :func:`relate` (if any) that an edge was added."""
    scan = _SCANS.get(id(graph))
    if scan is not None and scan.graph is graph:
        scan.added(relation, u, v)


def works(graph: nx.MultiDiGraph) -> dict[str, str]:
    """lecture -> its work: the lecture itself, or for an English version the Chinese
    original it translates (translation_of), so that both count once.

    >>> g = nx.MultiDiGraph()
    >>> g.add_node("L:en", kind="lecture"); g.add_node("L:zh", kind="lecture")
    >>> _ = g.add_edge("L:en", "L:zh", key="translation_of")
    >>> works(g)
    {'L:en': 'L:zh', 'L:zh': 'L:zh'}
    """
    work = {lecture: lecture for lecture in _lectures(graph)}
    for u, v, _ in _relation_edges(graph, "translation_of"):
        work[u] = work.get(v, v)
    return work


def broader_ancestors(graph: nx.MultiDiGraph) -> dict[str, set[str]]:
    """concept -> every concept above it in the broader hierarchy (transitively)."""
    parents: dict[str, list[str]] = defaultdict(list)
    for u, v, _ in _relation_edges(graph, "broader"):
        parents[u].append(v)
    memo: dict[str, set[str]] = {}

    def up(node: str, visiting: frozenset) -> set[str]:
        if node in memo:
            return memo[node]
        found: set[str] = set()
        for parent in parents.get(node, ()):
            if parent in visiting:
                continue  # a cyclic vocabulary must not hang the build
            found.add(parent)
            found |= up(parent, visiting | {node})
        memo[node] = found
        return found

    for node in list(parents):
        up(node, frozenset())
    return memo


# --- broader from textual patterns -------------------------------------------------------

# head nouns allowed after the broader concept ("一種深度學習模型"); not 工具 / tool:
# "an effective anomaly-detection tool" is used for Y, not a kind of Y
HEAD = (r"(?:(?:的)?(?:模型|方法|技术|算法|架构|网络|机制|任务|技巧|策略|框架|概念|问题|领域|范式|变体|变种|类型|系列)"
        r"|(?:models?|methods?|techniques?|algorithms?|approach(?:es)?|architectures?|frameworks?"
        r"|networks?|tasks?|problems?|paradigms?|variants?|types?|family|families))?")
END = r"(?=\s*(?:[,.。;:!?)]|$|(?:that|which|where|used|for|to|in|with|and)\b))"
LIST_JOIN = r"\s*(?:、|,|和|及|与|以及|或|and|or)\s*"
TOKEN = "\x01{}\x02"
TOKEN_RE = re.compile("\x01(\\d+)\x02")
SENTENCE_SPLIT = re.compile(r"[。！？!?\n]+|\.\s+")
MARKUP = re.compile(r"[*`#>]+|^\s*(?:[-+]|\d+[.)])\s+", re.M)


@dataclass(frozen=True, slots=True)
class RelationPattern:
    """One row of ``ontology/relation-patterns.tsv``, compiled."""

    name: str
    lang: str
    confidence: float
    regex: re.Pattern[str]


def compile_pattern(template: str) -> re.Pattern[str]:
    """A pattern template with {X} {Y} {X+} {HEAD} {END} placeholders, compiled.

    >>> p = compile_pattern(r"{X}\\s*是一种\\s*{Y}\\s*{HEAD}\\s*{END}")
    >>> p.search("\\x010\\x02是一种\\x011\\x02模型,用于").group("X", "Y")
    ('0', '1')
    """
    listed = "(?P<XS>\x01\\d+\x02(?:" + LIST_JOIN + "\x01\\d+\x02)*)"
    text = (template.replace("{X+}", listed)
            .replace("{X}", "\x01(?P<X>\\d+)\x02")
            .replace("{Y}", "\x01(?P<Y>\\d+)\x02")
            .replace("{HEAD}", HEAD)
            .replace("{END}", END))
    return re.compile(text)


@cache
def load_patterns() -> tuple[RelationPattern, ...]:
    """The broader patterns of ``ontology/relation-patterns.tsv``."""
    from kg.resources import read_table

    return tuple(
        RelationPattern(row["name"], row["lang"], float(row["confidence"]), compile_pattern(row["pattern"]))
        for row in read_table("relation-patterns.tsv")
    )


class LabelMatcher:
    """Finds concept labels in folded text: leftmost-longest, whole words for Latin
    script (so "rl" does not match inside "world").

    >>> m = LabelMatcher({"gan": {"C:gan"}, "conditional gan": {"C:cgan"}, "深度学习": {"C:dl"}})
    >>> [(s, e, c) for s, e, c in m.find("conditional gan 是一种深度学习模型")]
    [(0, 15, 'C:cgan'), (19, 23, 'C:dl')]
    """

    def __init__(self, labels: Mapping[str, set[str]]):
        import ahocorasick

        self.automaton = ahocorasick.Automaton()
        count = 0
        for label, concepts in labels.items():
            if label:
                self.automaton.add_word(label, (len(label), tuple(sorted(concepts))))
                count += 1
        self.empty = count == 0
        if not self.empty:
            self.automaton.make_automaton()

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, concept) of each occurrence; a label shared by several concepts
        gives the first by id."""
        if self.empty:
            return []
        found = []
        size = len(text)
        for end, (length, concepts) in self.automaton.iter(text):  # _is_word inlined: the hot loop
            start = end - length + 1
            if start > 0:
                char = text[start]
                if char.isascii() and char.isalnum():
                    char = text[start - 1]
                    if char.isascii() and char.isalnum():
                        continue
            stop = end + 1
            if stop < size:
                char = text[end]
                if char.isascii() and char.isalnum():
                    char = text[stop]
                    if char.isascii() and char.isalnum():
                        # an English plural ("optimizers") still names the concept
                        if char == "s" and (stop + 1 == size or not _is_word(text[stop + 1])):
                            stop += 1
                        else:
                            continue
            found.append((start, stop, concepts[0]))
        found.sort(key=lambda m: (m[0], -(m[1] - m[0])))
        chosen, reach = [], -1
        for start, end, concept in found:
            if start >= reach:
                chosen.append((start, end, concept))
                reach = end
        return chosen


def _is_word(char: str) -> bool:
    return char.isascii() and char.isalnum()


def sentences(text: str) -> list[str]:
    """The folded sentences of a summary, markdown emphasis and bullets removed."""
    from kg.normalize import fold

    plain = MARKUP.sub(" ", text)
    return [fold(part) for part in SENTENCE_SPLIT.split(plain) if part.strip()]


def find_pattern_relations(sentence: str, matcher: LabelMatcher, patterns: Iterable[RelationPattern],
                           allowed: set[str] | None = None) -> list[tuple[str, str, RelationPattern]]:
    """(narrower, broader, pattern) stated by one folded sentence. Only concepts in
    ``allowed`` (when given) take part.

    >>> m = LabelMatcher({"gan": {"C:gan"}, "深度学习": {"C:dl"}})
    >>> [(x, y, p.name) for x, y, p in find_pattern_relations("gan 是一种深度学习模型,由", m, load_patterns())]
    [('C:gan', 'C:dl', 'shi-yizhong')]
    """
    occurrences = [o for o in matcher.find(sentence) if allowed is None or o[2] in allowed]
    if len(occurrences) < 2:
        return []
    pieces, last = [], 0
    for index, (start, end, _) in enumerate(occurrences):
        pieces.append(sentence[last:start])
        pieces.append(TOKEN.format(index))
        last = end
    pieces.append(sentence[last:])
    tokenised = "".join(pieces)
    found = []
    for pattern in patterns:
        for match in pattern.regex.finditer(tokenised):
            broader = occurrences[int(match.group("Y"))][2]
            groups = match.groupdict()
            if groups.get("XS"):
                narrower = [occurrences[int(i)][2] for i in TOKEN_RE.findall(groups["XS"])]
            else:
                narrower = [occurrences[int(match.group("X"))][2]]
            found.extend((x, broader, pattern) for x in narrower if x != broader)
    return found


def _label_index(graph: nx.MultiDiGraph) -> dict[str, set[str]]:
    """folded label or written form -> concepts: every label of every concept and
    every surface form the extraction saw."""
    from kg.normalize import fold

    labels: dict[str, set[str]] = defaultdict(set)
    for node in _concepts(graph):
        record = graph.nodes[node].get("record")
        if record is not None:
            for label in record.all_labels():
                labels[fold(label)].add(node)
    folded: dict[str, str] = {}  # a concept is written a few ways, over and over
    for neighbours in graph._succ.values():
        for v, keys in neighbours.items():
            for key, data in keys.items():
                if key in _LINKED:
                    for mention in data.get("mentions", ()):
                        surface = getattr(mention, "surface", "")
                        if surface:
                            label = folded.get(surface)
                            if label is None:
                                label = folded[surface] = fold(surface)
                            labels[label].add(v)
    return labels


def _curated_requires(graph: nx.MultiDiGraph, node: str) -> tuple[str, ...]:
    record = graph.nodes[node].get("record")
    return tuple(getattr(record, "requires", ()) or ())


def add_pattern_broader(graph: nx.MultiDiGraph, patterns: Iterable[RelationPattern] | None = None) -> int:
    """Add ``broader`` edges stated by the summaries; returns how many were added.

    A pattern match counts only when both concepts are linked to that lecture (the
    extraction found them there). Confidence combines over lectures as
    ``1 - prod(1 - c)``; edges under ``PATTERN_MIN_CONFIDENCE`` are dropped, and so
    are edges the hierarchy already implies or that would make it cyclic (strongest
    first, then by ids). Attributes: weight, provenance "pattern", lectures, pattern.
    """
    patterns = tuple(load_patterns() if patterns is None else patterns)
    matcher = LabelMatcher(_label_index(graph))
    # (narrower, broader) -> lecture -> (best confidence, pattern name)
    evidence: dict[tuple[str, str], dict[str, tuple[float, str]]] = defaultdict(dict)
    # the statements of a summary depend on its text and the concepts allowed in it:
    # a summary met again (a re-upload, a catalog page read twice) is matched once
    stated: dict[tuple[str, frozenset], list] = {}
    nodes = graph._node
    for lecture in _lectures(graph):
        record = nodes[lecture].get("record")
        summary = getattr(record, "summary", "")
        if not summary:
            continue
        allowed = frozenset(_links(graph, lecture))
        if len(allowed) < 2:
            continue
        found = stated.get((summary, allowed))
        if found is None:
            found = [relation for sentence in sentences(summary)
                     for relation in find_pattern_relations(sentence, matcher, patterns, allowed)]
            if len(stated) >= STATED_CACHE:
                stated.clear()
            stated[(summary, allowed)] = found
        for narrower, broader, pattern in found:
            seen = evidence[(narrower, broader)].get(lecture)
            if seen is None or pattern.confidence > seen[0]:
                evidence[(narrower, broader)][lecture] = (pattern.confidence, pattern.name)
    candidates = []
    for (narrower, broader), by_lecture in evidence.items():
        confidence = 1 - math.prod(1 - c for c, _ in by_lecture.values())
        if confidence >= PATTERN_MIN_CONFIDENCE:
            names = tuple(sorted({name for _, name in by_lecture.values()}))
            candidates.append((-confidence, narrower, broader, tuple(sorted(by_lecture)), names))
    candidates.sort()
    hierarchy = nx.DiGraph([(u, v) for u, v, _ in _relation_edges(graph, "broader")])
    added = 0
    for negative, narrower, broader, lectures, names in candidates:
        if narrower == broader or narrower.partition(":")[2] in _curated_requires(graph, broader):
            continue  # the vocabulary says the broader one needs it first: not a kind of it
        if narrower in hierarchy and broader in hierarchy:
            if nx.has_path(hierarchy, narrower, broader):
                continue  # already stated or implied by the vocabulary
            if nx.has_path(hierarchy, broader, narrower):
                continue  # would make the hierarchy cyclic
        graph.add_edge(narrower, broader, key="broader", weight=round(-negative, 4), provenance="pattern",
                       lectures=lectures, pattern=",".join(names))
        _added(graph, "broader", narrower, broader)
        hierarchy.add_edge(narrower, broader)
        added += 1
    return added


# --- related by co-occurrence ---------------------------------------------------------------

def npmi(count_ab: int, count_a: int, count_b: int, total: int) -> float:
    """Normalised pointwise mutual information of two events from counts.

    >>> npmi(2, 2, 2, 100)    # always together
    1.0
    >>> round(npmi(1, 10, 10, 100), 3)  # exactly as often as chance
    0.0
    """
    if count_ab <= 0:
        return -1.0
    p_ab = count_ab / total
    if p_ab >= 1.0:
        return 1.0
    pmi = math.log(p_ab / ((count_a / total) * (count_b / total)))
    return round(pmi / -math.log(p_ab), 12) + 0.0  # + 0.0: no negative zero


def cooccurrence_npmi(documents: Iterable[Iterable[str]], min_count: int = MIN_COOCCURRENCE,
                      threshold: float = NPMI_THRESHOLD) -> dict[tuple[str, str], tuple[float, int]]:
    """(a, b) with a < b -> (NPMI, co-occurrence count), for pairs that met in at least
    ``min_count`` documents with NPMI at or above ``threshold``.

    ``ml`` below is everywhere, so meeting ``dm`` twice is weak evidence (NPMI 0.24):

    >>> docs = [{"ll", "cf"}, {"ll", "cf", "ml"}, {"ml", "dm"}, {"ml", "dm"}, {"ml"}]
    >>> {pair: round(score, 2) for pair, (score, _) in cooccurrence_npmi(docs).items()}
    {('cf', 'll'): 1.0}
    """
    # equal documents are counted once, times their number; pairs are counted by
    # Counter.update over combinations (a loop in C)
    distinct = Counter(frozenset(doc) for doc in documents)
    total = sum(distinct.values())
    single: Counter = Counter()
    pair: Counter = Counter()
    for doc, times in distinct.items():
        items = sorted(doc)
        if times == 1:
            single.update(items)
            pair.update(combinations(items, 2))
        else:
            for a in items:
                single[a] += times
            for ab in combinations(items, 2):
                pair[ab] += times
    scored = {}
    for (a, b), count in pair.items():
        if count < min_count:
            continue
        score = npmi(count, single[a], single[b], total)
        if score >= threshold:
            scored[(a, b)] = (score, count)
    return dict(sorted(scored.items()))


def add_related(graph: nx.MultiDiGraph, threshold: float = NPMI_THRESHOLD, min_count: int = MIN_COOCCURRENCE) -> int:
    """Add ``related`` edges (lower node id first) between concepts that co-occur in
    lectures more than chance (see the module docstring); returns how many."""
    work_of = works(graph)
    documents: dict[str, set[str]] = defaultdict(set)
    for lecture in _lectures(graph):
        documents[work_of[lecture]].update(_links(graph, lecture))
    ancestors = broader_ancestors(graph)
    added = 0
    for (a, b), (score, count) in cooccurrence_npmi(documents.values(), min_count, threshold).items():
        if a in ancestors.get(b, ()) or b in ancestors.get(a, ()):
            continue  # broader and related are disjoint in SKOS
        graph.add_edge(a, b, key="related", weight=round(score, 4), count=count, provenance="cooccurrence")
        added += 1
    return added


# --- requires ---------------------------------------------------------------------------

def part_order_pairs(parts: list[tuple[Mapping[str, float], set[str]]]) -> dict[tuple[str, str], float]:
    """Prerequisite evidence from one multi-part lecture, given each part (in part
    order) as (taught concept -> teaching weight, every concept it links to).
    (B, A) -> 0.6 x 0.8^(gap - 1) x min teaching weight when A is first taught in an
    earlier part than B and the part that first teaches B refers to A (order alone
    is not enough: a part may start an unrelated topic).

    >>> parts = [({"rl": 1.0}, {"rl"}),
    ...          ({"rl": 1.0, "pg": 1.0}, {"rl", "pg"}),
    ...          ({"ac": 1.0}, {"ac", "rl", "pg"}),
    ...          ({"gan": 1.0}, {"gan"})]           # no reference back: no evidence
    >>> {k: round(v, 2) for k, v in sorted(part_order_pairs(parts).items())}
    {('ac', 'pg'): 0.6, ('ac', 'rl'): 0.48, ('pg', 'rl'): 0.6}
    """
    first: dict[str, tuple[int, float]] = {}
    for index, (taught, _) in enumerate(parts):
        for concept, weight in taught.items():
            if concept not in first:
                first[concept] = (index, weight)
    found: dict[tuple[str, str], float] = {}
    for b, (b_part, b_weight) in first.items():
        refers = parts[b_part][1]
        for a, (a_part, a_weight) in first.items():
            if a_part < b_part and a in refers:
                gap = b_part - a_part
                found[(b, a)] = PART_ORDER_WEIGHT * PART_GAP_DECAY ** (gap - 1) * min(a_weight, b_weight)
    return found


def reference_distance_pairs(course: list[tuple[Mapping[str, float], set[str]]],
                             min_refd: float = REFD_MIN) -> dict[tuple[str, str], float]:
    """Prerequisite evidence from the teaching order of one course.

    ``course`` lists the course's lectures in teaching order, each as (taught concept ->
    teaching weight, every concept it links to). (B, A) -> RefD when A is first taught
    before B and RefD = ref(B->A) - ref(A->B) >= ``min_refd``, where ref(B->A) is the
    share of B's teaching lectures that link to A.

    >>> course = [({"ll": 1.0}, {"ll"}),                # life-long learning first
    ...           ({"cf": 1.0}, {"cf", "ll"}),          # forgetting, building on it
    ...           ({"cf": 1.0, "ll": 1.0}, {"cf", "ll"})]
    >>> reference_distance_pairs(course)
    {('cf', 'll'): 0.5}
    """
    first: dict[str, int] = {}
    teachers: dict[str, list[int]] = defaultdict(list)
    for index, (taught, _) in enumerate(course):
        for concept in taught:
            first.setdefault(concept, index)
            teachers[concept].append(index)

    # refers[b][a]: how many of b's teaching lectures link to a (one pass over the course)
    refers: dict[str, Counter] = {}
    for b, lectures in teachers.items():
        counts = refers[b] = Counter()
        for index in lectures:
            counts.update(course[index][1])

    found: dict[tuple[str, str], float] = {}
    for b in sorted(teachers):
        counts, b_first = refers[b], first[b]
        candidates = sorted(a for a in counts if a != b and a in first and first[a] < b_first)
        for a in candidates:
            refd = counts[a] / len(teachers[b]) - refers[a].get(b, 0) / len(teachers[a])
            if refd >= min_refd:
                found[(b, a)] = round(refd, 6)
    return found


def _taught(graph: nx.MultiDiGraph, lecture: str) -> dict[str, float]:
    return _links(graph, lecture, _TAUGHT)


def _taught_and_linked(graph: nx.MultiDiGraph, lecture: str) -> tuple[dict[str, float], set[str]]:
    """(:func:`_taught`, the concepts of ``_links(…, ALL_LINKS)``) in one pass."""
    taught: dict[str, float] = {}
    linked: set[str] = set()
    for concept, keys in graph._succ[lecture].items():
        for key, data in keys.items():
            if key in _ALL_LINKED:
                linked.add(concept)
            if key in _TAUGHT:
                taught[concept] = max(taught.get(concept, 0.0), float(data.get("weight", 1.0)))
    return taught, linked


def _series(graph: nx.MultiDiGraph) -> list[list[str]]:
    """The multi-part lectures, each as its lectures in part order: chains of next_part
    edges, joined with the record's series and part when the chain has a gap."""
    by_series: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    nodes = graph._node
    for lecture in _lectures(graph):
        record = nodes[lecture].get("record")
        if getattr(record, "series", None) and getattr(record, "part", None):
            by_series[record.series].append((record.part, record.number, lecture))
    groups = [[node for _, _, node in sorted(members)] for members in by_series.values() if len(members) > 1]
    grouped = {node for group in groups for node in group}
    successors = {u: v for u, v, _ in _relation_edges(graph, "next_part")}
    has_previous = set(successors.values())
    for start in sorted(successors):
        if start in has_previous or start in grouped:
            continue
        chain = [start]
        while chain[-1] in successors and successors[chain[-1]] not in chain:
            chain.append(successors[chain[-1]])
        groups.append(chain)
    return sorted(groups)


def _courses(graph: nx.MultiDiGraph) -> list[list[str]]:
    """Each course's lectures in teaching order (part_of position)."""
    by_course: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for u, v, data in _relation_edges(graph, "part_of"):
        by_course[v].append((int(data.get("position", 10**9)), u))
    return [[node for _, node in sorted(members)] for _, members in sorted(by_course.items())]


def requires_evidence(graph: nx.MultiDiGraph, vocabulary=None) -> dict[tuple[str, str], dict[str, float]]:
    """(B, A) -> {evidence kind: strongest score of that kind} over the whole graph."""
    evidence: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)

    def note(b: str, a: str, kind: str, score: float) -> None:
        if a != b and score > evidence[(b, a)].get(kind, 0.0):
            evidence[(b, a)][kind] = score

    concepts = _concepts(graph)
    for node in concepts:
        record = graph.nodes[node].get("record")
        curated = set(getattr(record, "requires", ()) or ())
        if vocabulary is not None and record is not None and record.key in vocabulary:
            curated |= set(vocabulary[record.key].requires)
        for key in sorted(curated):
            if concept_id(key) in graph:
                note(node, concept_id(key), "vocabulary", CURATED_WEIGHT)
    for u, v, data in _relation_edges(graph, "broader"):
        note(u, v, "broader", BROADER_WEIGHT * float(data.get("weight", 1.0)))
    # each lecture's (taught concept -> weight, linked concepts), read from the graph once
    table = {lecture: _taught_and_linked(graph, lecture) for lecture in _lectures(graph)}
    specificity = concept_specificity(graph, {lecture: linked for lecture, (_, linked) in table.items()})
    for series in _series(graph):
        parts = [table[lecture] for lecture in series]
        for (b, a), score in part_order_pairs(parts).items():
            note(b, a, "part-order", score * specificity.get(a, 1.0))
    for course in _courses(graph):
        sequence = [table[lecture] for lecture in course]
        for (b, a), refd in reference_distance_pairs(sequence).items():
            note(b, a, "course-order", COURSE_ORDER_WEIGHT * refd * specificity.get(a, 1.0))
    return {pair: kinds for pair, kinds in evidence.items() if kinds}


def concept_specificity(graph: nx.MultiDiGraph, links: Mapping[str, Iterable[str]] | None = None) -> dict[str, float]:
    """concept -> 1 - (share of works linked to it): a concept nearly every lecture
    names (machine learning, neural network) is background, and a lecture's order
    says little about it being needed for a particular later concept. ``links``
    (lecture -> linked concepts) saves reading them again."""
    work_of = works(graph)
    linked: dict[str, set[str]] = defaultdict(set)
    for lecture in _lectures(graph):
        found = links[lecture] if links is not None else _links(graph, lecture, _ALL_LINKED)
        for concept in found:
            linked[concept].add(work_of[lecture])
    total = len(set(work_of.values())) or 1
    return {concept: 1 - len(found) / total for concept, found in linked.items()}


def combine(kinds: Mapping[str, float]) -> float:
    """Independent kinds of evidence combined as 1 - prod(1 - w).

    >>> combine({"broader": 0.5, "part-order": 0.6})
    0.8
    """
    return round(1 - math.prod(1 - w for w in kinds.values()), 4)


def break_cycles(edges: Mapping[tuple[str, str], float], curated: Iterable[tuple[str, str]] = ()) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Split weighted directed edges into (kept, dropped) so that the kept ones form a
    DAG. Inside each strongly connected component, edges are taken from the strongest
    to the weakest (ties: curated first, then by source and target id) and one that
    would close a cycle with the edges already kept is dropped: it is the weakest
    edge of that cycle. Edges between components never close a cycle.

    >>> kept, dropped = break_cycles({("a", "b"): 0.9, ("b", "c"): 0.8, ("c", "a"): 0.4})
    >>> dropped
    [('c', 'a')]
    """
    curated = set(curated)
    graph = nx.DiGraph()
    graph.add_edges_from(sorted(edges))
    dropped: list[tuple[str, str]] = [(u, v) for u, v in edges if u == v]  # a loop is its own cycle
    for component in nx.strongly_connected_components(graph):
        if len(component) < 2:
            continue
        inner = sorted(
            ((u, v) for u, v in edges if u in component and v in component and u != v),
            key=lambda e: (-edges[e], e not in curated, e),
        )
        kept = nx.DiGraph()
        kept.add_nodes_from(component)
        for u, v in inner:
            if nx.has_path(kept, v, u):
                dropped.append((u, v))
            else:
                kept.add_edge(u, v)
    dropped_set = set(dropped)
    return sorted(e for e in edges if e not in dropped_set), sorted(dropped)


def add_requires(graph: nx.MultiDiGraph, vocabulary=None, minimum: float = REQUIRES_MIN) -> list[tuple[str, str]]:
    """Add ``requires`` edges (B -> A: B needs A first) from the combined evidence,
    as a DAG; returns the edges dropped to break cycles.

    Attributes: weight (combined), provenance (the kinds joined by "+", in the order
    vocabulary, broader, part-order, course-order) and evidence ((kind, score) pairs).
    """
    evidence = requires_evidence(graph, vocabulary)
    weights = {pair: combine(kinds) for pair, kinds in evidence.items()}
    weights = {pair: w for pair, w in weights.items() if w >= minimum or "vocabulary" in evidence[pair]}
    curated = [pair for pair in weights if "vocabulary" in evidence[pair]]
    kept, dropped = break_cycles(weights, curated)
    for b, a in kept:
        kinds = evidence[(b, a)]
        graph.add_edge(
            b, a, key="requires", weight=weights[(b, a)],
            provenance="+".join(kind for kind in EVIDENCE_KINDS if kind in kinds),
            evidence=tuple((kind, round(kinds[kind], 4)) for kind in EVIDENCE_KINDS if kind in kinds),
        )
        _added(graph, "requires", b, a)
    return dropped


def add_teaches_and_needs(graph: nx.MultiDiGraph) -> None:
    """lecture -teaches-> each concept it is about; lecture -needs-> each direct
    prerequisite of a taught concept that it does not teach itself."""
    requires: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for u, v, data in _relation_edges(graph, "requires"):
        requires[u].append((v, float(data.get("weight", 1.0))))

    def edges() -> Iterator[tuple[str, str, str, dict]]:
        for lecture in _lectures(graph):
            taught = _links(graph, lecture, _ABOUT)
            needs: dict[str, float] = {}
            for concept, teach_weight in sorted(taught.items()):
                yield lecture, concept, "teaches", {"weight": round(teach_weight, 4), "provenance": "extraction"}
                for prerequisite, weight in requires.get(concept, ()):
                    if prerequisite not in taught:
                        needs[prerequisite] = max(needs.get(prerequisite, 0.0), weight * teach_weight)
            for prerequisite, weight in sorted(needs.items()):
                yield lecture, prerequisite, "needs", {"weight": round(weight, 4), "provenance": "requires"}

    add_edges(graph, edges())
