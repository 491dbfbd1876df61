"""The one in-memory model of the knowledge graph: a networkx ``MultiDiGraph``.

Every exporter (RDF, HTML, GraphML) and every algorithm (paths, relations) reads this
model; nothing converts back into it except :func:`kg.load.load_graph`, which rebuilds
the same model from an exported dump for the tools that read what a build wrote.

Nodes (string ids, attribute ``kind``, attribute ``record`` holding the dataclass):

==============  ==================  ===========================================
id              kind                record
==============  ==================  ===========================================
``L:<video>``   ``lecture``         :class:`kg.records.Lecture`
``C:<key>``     ``concept``         :class:`kg.records.Concept`
``K:<course>``  ``course``          :class:`Course` (id, name, language)
==============  ==================  ===========================================

Edges (the edge key is the relation; attributes ``weight`` and ``provenance``):

=================  ==================  ==============================================
relation           from -> to          meaning
=================  ==================  ==============================================
``about``          lecture -> concept  a main topic (attrs: weight, mentions)
``mentions``       lecture -> concept  named in the lecture (attrs: weight, mentions)
``broader``        concept -> concept  skos:broader
``related``        concept -> concept  skos:related, stored once, lower id first
``requires``       concept -> concept  the first needs the second first
``teaches``        lecture -> concept  schema:teaches (derived)
``needs``          lecture -> concept  schema:competencyRequired (derived)
``next_part``      lecture -> lecture  the next part of a multi-part lecture
``translation_of`` lecture -> lecture  English version -> Chinese original
``part_of``        lecture -> course   attr ``position``: order in the course
=================  ==================  ==============================================
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import dataclass
from operator import attrgetter
from typing import Iterable, Iterator

import networkx as nx

from kg.records import Concept, Lecture, Mention

LECTURE, CONCEPT, COURSE = "lecture", "concept", "course"


@dataclass(frozen=True, slots=True)
class Course:
    id: str
    name: str
    language: str | None = None


def lecture_id(video_id: str) -> str:
    return f"L:{video_id}"


def concept_id(key: str) -> str:
    return f"C:{key}"


def course_id(course: str) -> str:
    return f"K:{course}"


def nodes_of(graph: nx.MultiDiGraph, kind: str) -> list[str]:
    """Node ids of one kind, sorted (deterministic iteration for exporters).

    >>> g = nx.MultiDiGraph(); g.add_node("C:b", kind=CONCEPT); g.add_node("C:a", kind=CONCEPT)
    >>> nodes_of(g, CONCEPT)
    ['C:a', 'C:b']
    """
    return sorted(n for n, data in graph.nodes(data=True) if data.get("kind") == kind)


def edges_of(graph: nx.MultiDiGraph, relation: str) -> list[tuple[str, str, dict]]:
    """(source, target, attributes) of every edge of one relation, sorted."""
    return sorted(
        ((u, v, data) for u, v, key, data in graph.edges(keys=True, data=True) if key == relation),
        key=lambda edge: (edge[0], edge[1]),
    )


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a stage that allocates millions of
    objects and frees few (building the graph model, writing the exports). A full
    collection walks every live object, and the collector runs one whenever the live
    objects have grown by a quarter: with a 100,000-lecture model in memory that made
    the stages grow faster than linearly (relate: 23 s instead of 15 s).

    On the way out from a stage that left millions of objects (a big catalog), they
    are frozen (:func:`gc.freeze`): they are mostly the model, which lives as long as
    the build, and the first collection after the pause would otherwise walk all of
    them (a second at 100,000 lectures). Reference counting still frees what is
    dropped, but a frozen cycle (a networkx graph is one) stays: a small build, as in
    a test run, is left to the collector."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if gc.get_count()[0] > FREEZE_ABOVE:
            gc.freeze()
        if enabled:
            gc.enable()


FREEZE_ABOVE = 200_000  # objects a paused stage left behind (10,000 lectures: about 300,000 after relate)


def add_edges(graph: nx.MultiDiGraph, edges: Iterable[tuple[str, str, str, dict]]) -> None:
    """``graph.add_edge(u, v, key=key, **attributes)`` for each ``(u, v, key,
    attributes)``, in order, with the same result (missing nodes are added bare, an
    existing edge of that key is updated) but without networkx's per-call overhead,
    which dominates when a 100,000-lecture catalog adds millions of edges. The
    ``attributes`` dict of a new edge becomes its attribute dict: pass a fresh one."""
    succ, pred = graph._succ, graph._pred
    key_dict, attr_dict = graph.edge_key_dict_factory, graph.edge_attr_dict_factory
    for u, v, key, attributes in edges:
        if u not in succ or v not in succ:
            graph.add_edge(u, v, key=key, **attributes)  # rare: a node to create (networkx's checks)
            continue
        keys = succ[u].get(v)
        if keys is None:
            keys = key_dict()
            succ[u][v] = keys
            pred[v][u] = keys
        data = keys.get(key)
        if data is None:
            if type(attributes) is dict and attr_dict is dict:
                keys[key] = attributes
            else:
                keys[key] = data = attr_dict()
                data.update(attributes)
        else:
            data.update(attributes)
    nx._clear_cache(graph)


def base_graph(lectures: list[Lecture], concepts: dict[str, Concept], mentions: list[Mention]) -> nx.MultiDiGraph:
    """Lectures, courses and concepts with the links read straight from the records:
    lecture -> concept (about / mentions), part_of, next_part, translation_of, broader.

    Relations that need statistics over the whole graph (related, requires, teaches,
    needs) are added by :func:`kg.relate.relate`.
    """
    graph = nx.MultiDiGraph()
    graph.add_nodes_from((lecture_id(lecture.video_id), {"kind": LECTURE, "record": lecture}) for lecture in lectures)
    graph.add_nodes_from((concept_id(key), {"kind": CONCEPT, "record": concepts[key]}) for key in sorted(concepts))

    # lecture -> concept: one edge per pair, the strongest kind wins ("about" over "mentions");
    # grouped by lecture, then by concept (sorting the lectures, then each lecture's few
    # concepts, is the order of sorting the pairs, at a fraction of the cost)
    grouped: dict[str, dict[str, list[Mention]]] = {}
    for mention in mentions:
        if mention.concept in concepts:
            by_concept = grouped.get(mention.video_id)
            if by_concept is None:
                grouped[mention.video_id] = {mention.concept: [mention]}
            else:
                found = by_concept.get(mention.concept)
                if found is None:
                    by_concept[mention.concept] = [mention]
                else:
                    found.append(mention)

    by_text, by_weight = attrgetter("section", "snippet"), attrgetter("weight")

    def mention_edges() -> Iterator[tuple[str, str, str, dict]]:
        for video in sorted(grouped):
            by_concept = grouped.pop(video)
            lecture = lecture_id(video)
            for key in sorted(by_concept):
                found = by_concept[key]
                if len(found) > 1:  # strongest first: by (-weight, section, snippet), in two stable sorts
                    found.sort(key=by_text)
                    found.sort(key=by_weight, reverse=True)
                    weight = max(m.weight for m in found)
                    relation = "about" if any(m.kind == "about" for m in found) else "mentions"
                else:
                    weight = found[0].weight
                    relation = "about" if found[0].kind == "about" else "mentions"
                yield (lecture, concept_id(key), relation,
                       {"weight": round(weight, 4), "mentions": tuple(found), "provenance": "extraction"})

    add_edges(graph, mention_edges())

    add_edges(graph, ((concept_id(key), concept_id(broader), "broader", {"weight": 1.0, "provenance": concept.origin})
                      for key, concept in concepts.items() for broader in concept.broader if broader in concepts))

    by_id = {lecture.video_id: lecture for lecture in lectures}
    lecture_edges: list[tuple[str, str, str, dict]] = []
    for lecture in lectures:
        node = lecture_id(lecture.video_id)
        if lecture.course_id:
            course = course_id(lecture.course_id)
            if course not in graph:
                graph.add_node(course, kind=COURSE, record=Course(lecture.course_id, lecture.course_name or lecture.course_id, lecture.language))
            lecture_edges.append((node, course, "part_of", {"weight": 1.0, "provenance": "title"}))
        if lecture.counterpart and lecture.language == "en" and lecture.counterpart in by_id:
            lecture_edges.append((node, lecture_id(lecture.counterpart), "translation_of",
                                  {"weight": 1.0, "provenance": "title"}))
    add_edges(graph, lecture_edges)
    succ = graph._succ
    part_of = {(u, v): succ[u][v]["part_of"] for u, v, key, _ in lecture_edges if key == "part_of"}

    series: dict[str, list[Lecture]] = {}
    for lecture in lectures:
        if lecture.series and lecture.part:
            series.setdefault(lecture.series, []).append(lecture)
    part_edges = []
    for members in series.values():
        members.sort(key=lambda l: (l.part, l.number))
        for before, after in zip(members, members[1:]):
            if after.part == before.part + 1:
                part_edges.append((lecture_id(before.video_id), lecture_id(after.video_id), "next_part",
                                   {"weight": 1.0, "provenance": "title"}))
    add_edges(graph, part_edges)
    _number_courses(graph, part_of)
    return graph


def _upload_dates(lectures: list[Lecture]) -> dict[str, str]:
    """video id -> upload date, filled forward for the undated: catalog numbers follow
    upload order, so an undated lecture went up on or after the last dated lecture
    numbered before it ("" when none is)."""
    dates: dict[str, str] = {}
    last = ""
    for lecture in sorted(lectures, key=lambda l: l.number):
        last = lecture.date or last
        dates[lecture.video_id] = last
    return dates


def _number_courses(graph: nx.MultiDiGraph, part_of: dict[tuple[str, str], dict] | None = None) -> None:
    """Give each part_of edge the lecture's position in its course (teaching order).

    1. The "Lecture N" or "第N講" number, when the title has one (numbered lectures
       come before unnumbered ones of the same course).
    2. Else the lecture's multi-part lecture as a block, placed where its first part
       went up (upload date, filled forward for undated lectures, then catalog
       number), its parts in part order: the catalog lists uploads, and the parts of
       one lecture are often uploaded out of order or interleaved with other topics
       (e.g. part 4 as number 301, part 3 as 302).
    3. Catalog number breaks the remaining ties.

    ``part_of``: (lecture, course) -> attributes of every part_of edge, when the
    caller has them (else they are found in the graph).
    """
    lectures = [data["record"] for _, data in graph.nodes(data=True) if data.get("kind") == LECTURE]
    dates = _upload_dates(lectures)
    anchors: dict[str, tuple[str, int]] = {}  # series -> (date, number) of its first upload
    for lecture in lectures:
        if lecture.series and lecture.part:
            anchor = (dates[lecture.video_id], lecture.number)
            anchors[lecture.series] = min(anchors.get(lecture.series, anchor), anchor)
    if part_of is None:
        part_of = {(u, v): keys["part_of"] for u, neighbours in graph._succ.items()
                   for v, keys in neighbours.items() if "part_of" in keys}
    by_course: dict[str, list[tuple[tuple, str, dict]]] = {}
    nodes = graph._node
    for (u, v), data in part_of.items():
        lecture: Lecture = nodes[u]["record"]
        numbered = lecture.course_position if lecture.course_position is not None else 10**6
        own = (dates[lecture.video_id], lecture.number)
        anchor = anchors.get(lecture.series, own) if lecture.series and lecture.part else own
        order = (numbered, anchor, lecture.part or 0, lecture.number)
        by_course.setdefault(v, []).append((order, u, data))
    for members in by_course.values():
        members.sort(key=lambda member: member[:2])
        for position, (_, _, data) in enumerate(members, start=1):
            data["position"] = position
