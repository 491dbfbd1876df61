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

from dataclasses import dataclass

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


def base_graph(lectures: list[Lecture], concepts: dict[str, Concept], mentions: list[Mention]) -> nx.MultiDiGraph:
    """Lectures, courses and concepts with the links read straight from the records:
    lecture -> concept (about / mentions), part_of, next_part, translation_of, broader.

    Relations that need statistics over the whole graph (related, requires, teaches,
    needs) are added by :func:`kg.relate.relate`.
    """
    graph = nx.MultiDiGraph()
    for lecture in lectures:
        graph.add_node(lecture_id(lecture.video_id), kind=LECTURE, record=lecture)
    for key in sorted(concepts):
        graph.add_node(concept_id(key), kind=CONCEPT, record=concepts[key])

    # lecture -> concept: one edge per pair, the strongest kind wins ("about" over "mentions")
    grouped: dict[tuple[str, str], list[Mention]] = {}
    for mention in mentions:
        if mention.concept in concepts:
            grouped.setdefault((mention.video_id, mention.concept), []).append(mention)
    for (video, key), found in sorted(grouped.items()):
        relation = "about" if any(m.kind == "about" for m in found) else "mentions"
        found.sort(key=lambda m: (-m.weight, m.section, m.snippet))
        graph.add_edge(
            lecture_id(video), concept_id(key), key=relation,
            weight=round(max(m.weight for m in found), 4), mentions=tuple(found), provenance="extraction",
        )

    for key, concept in concepts.items():
        for broader in concept.broader:
            if broader in concepts:
                graph.add_edge(concept_id(key), concept_id(broader), key="broader", weight=1.0,
                               provenance=concept.origin)

    by_id = {lecture.video_id: lecture for lecture in lectures}
    for lecture in lectures:
        node = lecture_id(lecture.video_id)
        if lecture.course_id:
            course = course_id(lecture.course_id)
            if course not in graph:
                graph.add_node(course, kind=COURSE, record=Course(lecture.course_id, lecture.course_name or lecture.course_id, lecture.language))
            graph.add_edge(node, course, key="part_of", weight=1.0, provenance="title")
        if lecture.counterpart and lecture.language == "en" and lecture.counterpart in by_id:
            graph.add_edge(node, lecture_id(lecture.counterpart), key="translation_of", weight=1.0, provenance="title")

    series: dict[str, list[Lecture]] = {}
    for lecture in lectures:
        if lecture.series and lecture.part:
            series.setdefault(lecture.series, []).append(lecture)
    for members in series.values():
        members.sort(key=lambda l: (l.part, l.number))
        for before, after in zip(members, members[1:]):
            if after.part == before.part + 1:
                graph.add_edge(lecture_id(before.video_id), lecture_id(after.video_id), key="next_part",
                               weight=1.0, provenance="title")
    _number_courses(graph)
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


def _number_courses(graph: nx.MultiDiGraph) -> None:
    """Give each part_of edge the lecture's position in its course (teaching order).

    1. The "Lecture N" or "第N講" number, when the title has one (numbered lectures
       come before unnumbered ones of the same course).
    2. Else the lecture's multi-part lecture as a block, placed where its first part
       went up (upload date, filled forward for undated lectures, then catalog
       number), its parts in part order: the catalog lists uploads, and the parts of
       one lecture are often uploaded out of order or interleaved with other topics
       (e.g. part 4 as number 301, part 3 as 302).
    3. Catalog number breaks the remaining ties.
    """
    lectures = [data["record"] for _, data in graph.nodes(data=True) if data.get("kind") == LECTURE]
    dates = _upload_dates(lectures)
    anchors: dict[str, tuple[str, int]] = {}  # series -> (date, number) of its first upload
    for lecture in lectures:
        if lecture.series and lecture.part:
            anchor = (dates[lecture.video_id], lecture.number)
            anchors[lecture.series] = min(anchors.get(lecture.series, anchor), anchor)
    by_course: dict[str, list[tuple[tuple, str]]] = {}
    for u, v, key in graph.edges(keys=True):
        if key == "part_of":
            lecture: Lecture = graph.nodes[u]["record"]
            numbered = lecture.course_position if lecture.course_position is not None else 10**6
            own = (dates[lecture.video_id], lecture.number)
            anchor = anchors.get(lecture.series, own) if lecture.series and lecture.part else own
            order = (numbered, anchor, lecture.part or 0, lecture.number)
            by_course.setdefault(v, []).append((order, u))
    for course, members in by_course.items():
        for position, (_, node) in enumerate(sorted(members), start=1):
            graph.edges[node, course, "part_of"]["position"] = position
