"""Read what a build wrote: find the dump, open it as a SPARQL store, or rebuild the
graph model from it.

``--graph PATH`` of every reading command is an output folder (``output/`` by default)
or one graph file in it::

    >>> graph_files(Path("output"))                 # doctest: +SKIP
    PosixPath('output/graph.nt')
    >>> store = open_store(Path("output"))          # doctest: +SKIP
    >>> graph = load_graph(Path("output"))          # doctest: +SKIP
    >>> graph.nodes["L:kk6DqWreLeU"]["kind"]        # doctest: +SKIP
    'lecture'

:func:`load_graph` rebuilds the model of :mod:`kg.graph` (same node ids, kinds, records,
edge relations, weights and attributes). What the dump does not keep, it re-derives:

- ``Lecture.sections`` are re-split from the summary (same headings, kinds and texts;
  line numbers counted from the lecture's first line);
- an ``about``/``mentions`` edge carries one :class:`~kg.records.Mention`, its strongest
  evidence (the dump keeps one per link);
- language tags come back lower-case (``zh-hant``), as the vocabulary loader gives them;
- ``Concept.broader`` / ``Concept.requires`` (the curated links of the record) are the
  skos:broader / kg:requires links whose provenance includes ``vocabulary`` (a plain
  skos:broader triple without a link node is curated); a curated link the model
  dropped (e.g. to break a cycle) is not in the dump, so not in the record;
- extra edge attributes (``count``, ``evidence``, ``lectures``, ``pattern``) are not kept;
- ``graph.graph["sources"]`` is sorted, and ``graph.graph["base"]`` holds the base IRI.
"""

from __future__ import annotations

import threading
from pathlib import Path
from urllib.parse import unquote

import networkx as nx

from kg.graph import CONCEPT, COURSE, LECTURE, Course, concept_id, course_id, lecture_id
from kg.namespaces import DEFAULT_BASE
from kg.rdf import KG, PROV, RDF, RDFS, SDO, SKOS, VOID  # terms resolved once: the hot path
from kg.records import Concept, Lecture, Mention

GRAPH_FILES = ("graph.nt", "graph.ttl", "graph.jsonld")
DEFAULT_GRAPH = Path("output")


class GraphNotFound(Exception):
    """No dump where ``--graph`` points; the message says what to do."""


def graph_files(path: Path | str | None = None) -> Path:
    """The graph file ``--graph PATH`` designates: ``PATH`` itself when it is a graph
    file, else ``PATH/graph.nt`` (or its Turtle / JSON-LD sibling)."""
    path = Path(path) if path is not None else DEFAULT_GRAPH
    if path.is_file():
        return path
    if path.is_dir():
        for name in GRAPH_FILES:
            if (path / name).is_file():
                return path / name
        raise GraphNotFound(
            f"{path}/ holds no graph ({', '.join(GRAPH_FILES)}); build one with `kg build --out {path}`"
        )
    hint = "run `kg build` first" if path == DEFAULT_GRAPH else "give a build's output folder or a graph file"
    raise GraphNotFound(f"no graph at {path}: {hint} (--graph PATH)")


def rdf_format(path: Path):
    import pyoxigraph as ox

    suffix = path.suffix.lower()
    formats = {".nt": ox.RdfFormat.N_TRIPLES, ".ttl": ox.RdfFormat.TURTLE, ".jsonld": ox.RdfFormat.JSON_LD,
               ".json": ox.RdfFormat.JSON_LD, ".nq": ox.RdfFormat.N_QUADS}
    if suffix not in formats:
        raise GraphNotFound(f"{path}: not a graph file I can read (.nt, .ttl or .jsonld)")
    return formats[suffix]


_stores: dict[tuple, object] = {}
_stores_lock = threading.Lock()


def open_store(path: Path | str | None = None):
    """An in-memory :class:`pyoxigraph.Store` holding the dump's triples in its default
    graph, loaded once per process (and again when the file changes)."""
    import pyoxigraph as ox

    file = graph_files(path).resolve()
    stat = file.stat()
    key = (str(file), stat.st_mtime_ns, stat.st_size)
    with _stores_lock:
        store = _stores.get(key)
        if store is None:
            store = ox.Store()
            try:
                store.bulk_load(path=file, format=rdf_format(file))
            except SyntaxError as error:
                raise GraphNotFound(f"{file}: not a valid graph: {error}") from None
            _stores.clear()  # keep one: a newer build replaces the old one
            _stores[key] = store
    return store


# ---------------------------------------------------------------- back to the model
#
# The dump is read as a stream of subjects (our files group each subject's triples, and
# graph.nt is sorted), each turned at once into a compact entry of its kind; the graph
# is built from those entries at the end, when the base IRI (void:uriSpace, which sorts
# last) is known. So memory follows the size of the model, not of the triples.


def _one(props: dict, predicate: str, default=None):
    values = props.get(predicate)
    return values[0].value if values else default


def _int(props: dict, predicate: str) -> int | None:
    value = _one(props, predicate)
    return int(value) if value is not None else None


def _float(props: dict, predicate: str, default: float = 1.0) -> float:
    value = _one(props, predicate)
    return float(value) if value is not None else default


def _key(iri: str, namespace: str) -> str | None:
    return unquote(iri[len(namespace):], errors="surrogatepass") if iri.startswith(namespace) else None


def _sections(summary: str, first_line: int):
    from kg.catalog import split_sections

    return split_sections(summary.split("\n"), first_line) if summary.strip() else ()


class _Entries:
    """The compact entries of a dump, by kind (IRIs as shared strings)."""

    def __init__(self):
        import pyoxigraph as ox

        self._named = ox.NamedNode
        self._strings: dict[str, str] = {}
        self.base: str | None = None
        self.lectures: dict[str, dict] = {}
        self.courses: dict[str, Course] = {}
        self.concepts: dict[str, dict] = {}
        self.mentions: list[tuple] = []
        self.links: dict[tuple[str, str, str], tuple[float, str | None]] = {}
        self.sources: dict[str, str] = {}

    def _share(self, text: str) -> str:
        return self._strings.setdefault(text, text)

    def iris(self, props: dict, predicate: str) -> list[str]:
        named = self._named
        return sorted(self._share(t.value) for t in props.get(predicate, ()) if isinstance(t, named))

    def add(self, subject: str, props: dict) -> None:
        subject = self._share(subject)
        types = {t.value for t in props.get(RDF.type, ())}
        if SDO.VideoObject in types:
            self.lectures[subject] = {
                "number": _int(props, SDO.position), "title": _one(props, SDO.name),
                "video_id": _one(props, SDO.identifier), "line": _int(props, KG.sourceLine) or 0,
                "date": _one(props, SDO.uploadDate), "summary": _one(props, SDO.abstract, ""),
                "course_position": _int(props, KG.lectureNumber), "part": _int(props, KG.partNumber),
                "part_total": _int(props, KG.partCount), "series": _one(props, KG.series),
                "language": _one(props, SDO.inLanguage, "zh"), "source": self.iris(props, PROV.wasDerivedFrom),
                "courses": self.iris(props, SDO.isPartOf), "course_order": _int(props, KG.courseOrder),
                "original_of": self.iris(props, SDO.workTranslation),
                "translation_of": self.iris(props, SDO.translationOfWork), "next": self.iris(props, KG.nextPart),
            }
        if SDO.Course in types:
            self.courses[subject] = Course(_one(props, SDO.identifier), _one(props, SDO.name), _one(props, SDO.inLanguage))
        if SKOS.Concept in types:
            labels = lambda p: tuple(sorted((t.language or "", t.value) for t in props.get(p, ())))  # noqa: E731
            self.concepts[subject] = {
                "labels": labels(SKOS.prefLabel), "alt_labels": labels(SKOS.altLabel),
                "broader": self.iris(props, SKOS.broader), "requires": self.iris(props, KG.requires),
                "exact_match": self.iris(props, SKOS.exactMatch), "origin": _one(props, KG.origin, "vocabulary"),
            }
        if KG.Mention in types:
            lecture, concept = self.iris(props, KG.lecture), self.iris(props, KG.concept)
            if lecture and concept:
                self.mentions.append((lecture[0], concept[0], _one(props, KG.kind, "mentions"), _float(props, KG.weight),
                                      _one(props, KG.section, ""), _one(props, KG.snippet, ""),
                                      _one(props, KG.surface, ""), _one(props, KG.provenance, "extraction")))
        if KG.WeightedLink in types or KG.Prerequisite in types:
            ends = (self.iris(props, RDF.subject), self.iris(props, RDF.predicate), self.iris(props, RDF.object))
            if all(ends):
                key = (ends[0][0], ends[1][0], ends[2][0])
                self.links[key] = (_float(props, KG.weight), _one(props, KG.provenance))
        if PROV.Entity in types and RDFS.label in props:
            self.sources[subject] = _one(props, RDFS.label)
        if VOID.Dataset in types:
            self.base = _one(props, VOID.uriSpace)


class _Ungrouped(Exception):
    """A subject's triples are not together in the file."""


def _read(file: Path) -> _Entries:
    """The entries of a dump, subject group by subject group; a file whose subjects
    are not in order (not one of ours) is read whole first."""
    import pyoxigraph as ox

    def triples():
        return ox.parse(path=file, format=rdf_format(file))

    named = ox.NamedNode
    entries = _Entries()
    try:
        # our files list subjects in N-Triples order: while that holds, no subject can
        # come back, and nothing but the current subject needs keeping
        current, props, last = None, {}, ""
        for triple in triples():
            if type(triple.subject) is not named:
                continue
            subject = triple.subject.value
            if subject != current:
                if current is not None:
                    entries.add(current, props)
                token = "<" + subject + ">"
                if token < last:
                    raise _Ungrouped(subject)
                current, props, last = subject, {}, token
            props.setdefault(triple.predicate.value, []).append(triple.object)
        if current is not None:
            entries.add(current, props)
        return entries
    except _Ungrouped:
        grouped: dict[str, dict[str, list]] = {}
        for triple in triples():
            if type(triple.subject) is not named:
                continue
            grouped.setdefault(triple.subject.value, {}).setdefault(triple.predicate.value, []).append(triple.object)
        entries = _Entries()
        for subject, props in grouped.items():
            entries.add(subject, props)
        return entries


def load_graph(path: Path | str | None = None) -> nx.MultiDiGraph:
    """The graph model of :mod:`kg.graph`, rebuilt from the dump ``--graph PATH``."""
    entries = _read(graph_files(path))
    base = entries.base or DEFAULT_BASE
    lecture_ns, concept_ns, course_ns = base + "lecture/", base + "concept/", base + "course/"

    nodes: dict[str, str | None] = {}

    def node_of(iri: str) -> str | None:
        """The node id of a lecture, concept or course IRI (else None)."""
        if iri in nodes:
            return nodes[iri]
        found = None
        for namespace, make in ((lecture_ns, lecture_id), (concept_ns, concept_id), (course_ns, course_id)):
            if iri.startswith(namespace) and "/" not in iri[len(namespace):]:  # one segment (a key's "/" is %2F)
                found = make(_key(iri, namespace))
                break
        nodes[iri] = found
        return found

    graph = nx.MultiDiGraph()
    lecture_nodes: dict[str, str] = {}
    for iri in sorted(entries.lectures):
        fields = entries.lectures[iri]
        course = entries.courses.get(fields["courses"][0]) if fields["courses"] else None
        counterparts = fields["translation_of"] if fields["language"] == "en" else fields["original_of"]
        lecture = Lecture(
            number=fields["number"], title=fields["title"], video_id=fields["video_id"],
            source=entries.sources.get(fields["source"][0], "") if fields["source"] else "", line=fields["line"],
            date=fields["date"], summary=fields["summary"], sections=_sections(fields["summary"], fields["line"] + 1),
            course_id=course.id if course else None, course_name=course.name if course else None,
            course_position=fields["course_position"], part=fields["part"], part_total=fields["part_total"],
            series=fields["series"], language=fields["language"],
            counterpart=_key(counterparts[0], lecture_ns) if counterparts else None,
        )
        lecture_nodes[iri] = lecture_id(lecture.video_id)
        graph.add_node(lecture_nodes[iri], kind=LECTURE, record=lecture)

    def curated(subject: str, predicate: str, target: str) -> bool:
        """A link the vocabulary states (part of the concept record), not one mined later."""
        link = entries.links.get((subject, predicate, target))
        if link is None:
            return predicate == SKOS.broader
        return "vocabulary" in (link[1] or "").split("+")

    for iri in sorted(entries.concepts):
        key = _key(iri, concept_ns)
        if key is None:
            continue
        fields = entries.concepts[iri]
        keys = lambda predicate: tuple(k for k in (_key(t, concept_ns) for t in fields[predicate]  # noqa: E731
                                                   if curated(iri, {"broader": SKOS.broader, "requires": KG.requires}[predicate], t)) if k)
        graph.add_node(concept_id(key), kind=CONCEPT, record=Concept(
            key=key, labels=fields["labels"], alt_labels=fields["alt_labels"], broader=keys("broader"),
            requires=keys("requires"), exact_match=tuple(fields["exact_match"]), origin=fields["origin"],
        ))

    # edges, in the order kg.graph.base_graph adds them
    for lecture_iri, concept_iri, relation, weight, section, snippet, surface, provenance in entries.mentions:
        lecture, concept = node_of(lecture_iri), node_of(concept_iri)
        if lecture in graph and concept in graph:
            evidence = Mention(lecture[2:], concept[2:], relation, weight, section, snippet, surface)
            graph.add_edge(lecture, concept, key=relation, weight=weight, mentions=(evidence,), provenance=provenance)
    for iri in sorted(entries.concepts):
        source = node_of(iri)
        if source not in graph:
            continue
        origin = graph.nodes[source]["record"].origin
        for target in entries.concepts[iri]["broader"]:
            if node_of(target) in graph and (iri, SKOS.broader, target) not in entries.links:
                graph.add_edge(source, node_of(target), key="broader", weight=1.0, provenance=origin)
    for iri, node in lecture_nodes.items():
        fields = entries.lectures[iri]
        for course in fields["courses"]:
            if course in entries.courses:
                record = entries.courses[course]
                if course_id(record.id) not in graph:
                    graph.add_node(course_id(record.id), kind=COURSE, record=record)
                graph.add_edge(node, course_id(record.id), key="part_of", weight=1.0, provenance="title",
                               position=fields["course_order"])
        if fields["language"] == "en":
            for other in fields["translation_of"]:
                if other in lecture_nodes:
                    graph.add_edge(node, lecture_nodes[other], key="translation_of", weight=1.0, provenance="title")
        for following in fields["next"]:
            if following in lecture_nodes:
                graph.add_edge(node, lecture_nodes[following], key="next_part", weight=1.0, provenance="title")
    for (subject, predicate, obj), (weight, provenance) in sorted(entries.links.items()):
        relation = _relation_of(predicate)
        source, target = node_of(subject), node_of(obj)
        if relation and source in graph and target in graph:
            attributes = {"weight": weight}
            if provenance is not None:
                attributes["provenance"] = provenance
            graph.add_edge(source, target, key=relation, **attributes)
    graph.graph["sources"] = tuple(sorted(label for label in entries.sources.values() if label))
    graph.graph["base"] = base
    return graph


def _relation_of(predicate: str | None) -> str | None:
    from kg.rdf import LINK_RELATIONS, RELATION_PROPERTY

    for relation in LINK_RELATIONS:
        if RELATION_PROPERTY[relation] == predicate:
            return relation
    return None
