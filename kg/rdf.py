"""RDF export of the graph model: ``graph.nt``, ``graph.ttl`` and ``graph.jsonld``.

The vocabulary (the contract other tools rely on) is documented in ``ontology/kg.ttl``
and checked by ``ontology/shapes.ttl``. In short, with ``<base>`` configurable:

=====================================  ==================================================
subject                                 what it says
=====================================  ==================================================
``<base>lecture/<video id>``            ``a schema:VideoObject, schema:LearningResource``;
                                        schema:name (``@zh-Hant`` or ``@en``), url,
                                        identifier, position, uploadDate, thumbnailUrl,
                                        inLanguage, isPartOf (+ kg:courseOrder), abstract,
                                        about / mentions / teaches / competencyRequired,
                                        workTranslation / translationOfWork,
                                        kg:nextPart / kg:previousPart, PROV source and line
``<base>course/<id>``                   ``a schema:Course``; name, identifier, inLanguage
``<base>concept/<key>``                 ``a skos:Concept``; inScheme, prefLabel (one per
                                        language), altLabel, broader, related, exactMatch,
                                        kg:requires
``<base>mention/<video id>/<key>``      ``a kg:Mention``: the weight and evidence of one
                                        lecture -> concept link
``<base>link/<relation>/<from>/<to>``   ``a kg:WeightedLink`` (``kg:Prerequisite`` for
                                        requires): rdf:subject/predicate/object + weight
``<base>source/<path>``                 ``a prov:Entity``: a catalog file read
``<base>void`` (and ``void/...``)       the VoID / DCAT / PROV description of the dump
=====================================  ==================================================

Design, for speed and scale (issue 7): no RDF library in the hot path. Every subject's
triples are generated as one *block* of ``(predicate IRI, object)`` pairs, where an
object is an IRI (plain ``str``) or a :class:`Lit`. Blocks are produced in the order of
their N-Triples subject token ``<iri>``; since ``>`` cannot occur inside an IRI, sorting
the lines inside each block then makes the whole ``graph.nt`` sorted, without holding
the dump in memory. The three files are written side by side in one pass; memory grows
with the nodes of the graph (their sort keys), not with the triples; time is linear in
the output (plus the sort of the node keys).

Each (predicate, object) pair is rendered once into a *row* holding its forms in all
three syntaxes (the N-Triples line after the subject, the Turtle statement, the
JSON-LD member, already escaped and UTF-8 encoded); rows of pairs that recur (classes,
concept IRIs, kinds, weights) are remembered, so most triples cost a dict lookup and a
share of joins of bytes, and most of the output is encoded once. The mention and link
blocks, nine in ten subjects, have a fixed shape: their rows come in N-Triples order
and are written without sorting, a source's blocks at a time
(:meth:`BlockWriter.write_typed`). Output is buffered in pieces, joined and written a
few hundred kilobytes at a time. Text that is printable (most of it) skips the regular
expressions and the second escaping (:func:`clean_text`, :func:`nt_string`,
:func:`json_text`). Measured on synthetic catalogs: 10,000 lectures (1.4 million
triples) in about 2 s of CPU; 100,000 lectures (14 million triples) in about 27 s, with
less memory on top of the graph model than the text-based writer before it.

The dataset description goes last (``<base>void`` sorts after every other subject), so
its ``void:triples`` can count every line, itself included.

>>> nt_literal(Lit('say "hi"\\n', "en"))
'"say \\\\"hi\\\\"\\\\n"@en'
>>> iri_segment("a b/c")
'a%20b%2Fc'
"""

from __future__ import annotations

import json
import math
import os
import re
import unicodedata
from datetime import date, datetime, timezone
from functools import lru_cache
from itertools import groupby, islice
from operator import eq, itemgetter
from pathlib import Path
from typing import Callable, Iterable, Iterator, NamedTuple

import networkx as nx

from kg.graph import CONCEPT, COURSE, LECTURE, gc_paused, nodes_of
from kg import namespaces as ns
from kg.namespaces import DEFAULT_BASE


class _Resolved:
    """A namespace with its terms looked up once: attribute access in the hot path
    costs a dict lookup instead of a call (undeclared terms still fail)."""

    def __init__(self, namespace: ns.Namespace):
        self._iri = str(namespace)
        self.__dict__.update({term: namespace[term] for term in namespace._terms})

    def __str__(self) -> str:
        return self._iri

    def __getitem__(self, name: str) -> str:
        return self.__dict__[name]


DCAT, DCT, KG, PROV, RDF, RDFS, SDO, SKOS, VOID, XSD = map(
    _Resolved, (ns.DCAT, ns.DCT, ns.KG, ns.PROV, ns.RDF, ns.RDFS, ns.SDO, ns.SKOS, ns.VOID, ns.XSD)
)

_RDF_TYPE = RDF.type

NT_FILE, TURTLE_FILE, JSONLD_FILE = "graph.nt", "graph.ttl", "graph.jsonld"

SCHEME_LABELS = (("en", "Machine learning concepts"), ("zh-Hant", "機器學習概念"))
DATASET_TITLE = "Lecture knowledge graph"
DATASET_DESCRIPTION = (
    "Lectures of Prof. Hung-yi Lee's machine learning courses, the concepts they are about or "
    "mention, and the prerequisite relations between those concepts, read from catalog pages."
)


class Lit(NamedTuple):
    """An RDF literal: text with a language tag, or with a datatype (``None``: xsd:string)."""

    text: str
    lang: str | None = None
    datatype: str | None = None


Pairs = list[tuple[str, "str | Lit"]]


# ---------------------------------------------------------------- text and IRI safety

# XML 1.0 (and so xsd:string) cannot carry C0 controls other than tab/newline/return,
# nor noncharacters; Raptor rejects U+FFFE. Lone surrogates cannot even be encoded.
_FORBIDDEN_CHARS = (
    "\x00-\x08\x0b\x0c\x0e-\x1f\ufdd0-\ufdef\ufffe\uffff"
    + "".join(f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(1, 17))
)
_UNSAFE_TEXT = re.compile(f"[{_FORBIDDEN_CHARS}\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_ASCII_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")  # the fast path for ASCII text
_FORBIDDEN = re.compile(f"[{_FORBIDDEN_CHARS}]")
# a superset of _UNSAFE_TEXT in a few ranges, which the regex engine checks ten times
# faster than the 40 ranges of the exact class (most text has nothing it matches)
_MAYBE_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff\U00010000-\U0010ffff]")


def clean_text(text: str) -> str:
    """``text`` made safe for every RDF syntax and parser: lone surrogates become
    U+FFFD, characters xsd:string cannot hold (NUL, other C0 controls, noncharacters)
    are dropped.

    >>> clean_text("a\\x00b\\ud800c")
    'ab\\ufffdc'
    """
    # Printable text (most titles, names, snippets) holds none of them: controls,
    # surrogates and noncharacters are not printable. str.isprintable scans a few times
    # faster than a regex search, and stops at the first newline of longer text.
    if text.isprintable():
        return text
    if (_ASCII_UNSAFE if text.isascii() else _MAYBE_UNSAFE).search(text) is None:
        return text
    if _UNSAFE_TEXT.search(text) is None:
        return text
    return _FORBIDDEN.sub("", _SURROGATE.sub("\ufffd", text))


# characters IRIREF (N-Triples, Turtle) does not allow, plus those IRIs should not carry
_IRI_UNSAFE = re.compile(f'[\x00-\x20<>"{{}}|^`\\\\\x7f-\x9f\ud800-\udfff{_FORBIDDEN_CHARS}]')
# the same for ASCII text: a class the regex engine checks as a bitmap, several times
# faster than the ranges above (every lecture has two URLs)
_ASCII_IRI_UNSAFE = re.compile('[\x00-\x20<>"{}|^`\\\\\x7f]')


def _percent(char: str) -> str:
    return "".join(f"%{byte:02X}" for byte in char.encode("utf-8", "surrogatepass"))


def safe_iri(iri: str) -> str:
    """An IRI from outside (a URL, a Wikidata link) with the characters that IRIs
    cannot hold percent-encoded.

    >>> safe_iri('http://e/a b>"')
    'http://e/a%20b%3E%22'
    """
    if (_ASCII_IRI_UNSAFE if iri.isascii() else _IRI_UNSAFE).search(iri) is None:
        return iri
    return _IRI_UNSAFE.sub(lambda m: _percent(m.group()), iri)


_PLAIN_SEGMENT = re.compile(r"[A-Za-z0-9._~-]*\Z")


@lru_cache(maxsize=1 << 16)
def iri_segment(text: str, keep: str = "") -> str:
    """``text`` as one IRI path segment: ASCII unreserved characters and Unicode
    letters, marks and digits stay as they are; everything else (``/``, ``%``, space,
    punctuation, controls) is percent-encoded, so the mapping is reversible with
    :func:`urllib.parse.unquote`. ``keep`` lists extra characters to leave alone.

    >>> iri_segment("self-attention"), iri_segment("自注意力"), iri_segment("50%")
    ('self-attention', '自注意力', '50%25')
    """
    if _PLAIN_SEGMENT.match(text) and not keep:  # video ids, most keys: nothing to encode
        return text
    out = []
    for char in text:
        if (char.isascii() and (char.isalnum() or char in "-._~" or char in keep)) or (
            not char.isascii() and ord(char) >= 0xA0 and unicodedata.category(char)[0] in "LMN"
        ):
            out.append(char)
        else:
            out.append(_percent(char))
    return "".join(out)


# ---------------------------------------------------------------- N-Triples terms

_NT_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\x08": "\\b", "\x0c": "\\f",
               "\x7f": "\\u007F"}


def _quote_printable(text: str) -> str:
    """A printable ``text`` quoted (only a quote or a backslash to escape): the same in
    N-Triples, Turtle and JSON."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def nt_string(text: str) -> str:
    """A quoted N-Triples/Turtle/SPARQL string (canonical RDF 1.2 escapes)."""
    if text.isprintable():  # no control character, nor DEL
        return _quote_printable(text)
    # one str.replace per special character (the backslash first: the others add
    # backslashes that must stay single) is several times faster than re.sub
    for char, escape in _NT_ESCAPES.items():
        if char in text:
            text = text.replace(char, escape)
    return '"' + text + '"'


def json_text(text: str, quoted: str) -> str:
    """``text`` as a JSON string, given ``quoted``, its N-Triples form: the very same
    string unless the text holds a DEL or a control character other than \\b \\t \\n \\f
    \\r, which N-Triples leaves unescaped (then ``quoted`` is not printable). Checking is
    several times faster than escaping again, and a row encodes the string once.

    >>> json_text('say "hi"\\n', nt_string('say "hi"\\n'))
    '"say \\\\"hi\\\\"\\\\n"'
    """
    if "\x7f" not in text and quoted.isprintable():
        return quoted
    return json.encoder.encode_basestring(text)


def nt_literal(lit: Lit) -> str:
    if lit.lang:
        return nt_string(lit.text) + "@" + lit.lang
    if lit.datatype and lit.datatype != XSD.string:
        return nt_string(lit.text) + "^^<" + lit.datatype + ">"
    return nt_string(lit.text)


def nt_term(term: "str | Lit") -> str:
    return "<" + term + ">" if isinstance(term, str) else nt_literal(term)


@lru_cache(maxsize=1024)
def language_tag(tag: str) -> str:
    """A BCP 47 tag in its conventional case (``zh-hant`` -> ``zh-Hant``, ``en-us`` -> ``en-US``).

    >>> language_tag("zh-hant"), language_tag("EN"), language_tag("zh-hans-tw")
    ('zh-Hant', 'en', 'zh-Hans-TW')
    """
    parts = [part for part in re.split(r"[-_]", tag.strip()) if part]
    if not parts or not all(part.isascii() and part.isalnum() and len(part) <= 8 for part in parts):
        return ""
    out = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            out.append(part.title())
        elif len(part) == 2 and part.isalpha():
            out.append(part.upper())
        else:
            out.append(part.lower())
    return "-".join(out)


@lru_cache(maxsize=4096)
def integer(value: int) -> Lit:
    return Lit(str(int(value)), None, XSD.integer)


@lru_cache(maxsize=4096)
def decimal(value: float) -> Lit:
    """xsd:decimal in its shortest round-tripping form (no exponent); non-finite
    numbers, which decimals cannot hold, as xsd:double.

    >>> decimal(0.75), decimal(1), decimal(1e-05).text
    (Lit(text='0.75', lang=None, datatype='http://www.w3.org/2001/XMLSchema#decimal'), Lit(text='1.0', lang=None, datatype='http://www.w3.org/2001/XMLSchema#decimal'), '0.00001')
    """
    value = float(value)
    if not math.isfinite(value):
        return Lit("NaN" if math.isnan(value) else ("INF" if value > 0 else "-INF"), None, XSD.double)
    text = repr(value)
    if "e" in text or "E" in text:
        from decimal import Decimal

        text = format(Decimal(text), "f")
        if "." not in text:
            text += ".0"
    return Lit(text, None, XSD.decimal)


def text_literal(text: str, lang: str | None = None) -> Lit:
    return Lit(clean_text(text), lang or None, None)


# ---------------------------------------------------------------- IRIs of the dump


class Iris:
    """The IRIs minted for one base: stable, derived from video ids, concept keys,
    course ids and source paths, never from counters.

    >>> Iris("https://example.org/kg/").mention("abc", "self-attention")
    'https://example.org/kg/mention/abc/self-attention'
    """

    def __init__(self, base: str):
        self.base = base
        self.lecture_ns = base + "lecture/"
        self.concept_ns = base + "concept/"
        self.course_ns = base + "course/"
        self.scheme = base + "concept/scheme"
        self.dataset = base + "void"
        # node id -> IRI: a dict lookup in C, after the first time
        self.node: Callable[[str], str] = _Memo(self._node_iri, limit=math.inf).__getitem__

    def lecture(self, video_id: str) -> str:
        return self.lecture_ns + iri_segment(video_id)

    def concept(self, key: str) -> str:
        return self.concept_ns + iri_segment(key)

    def course(self, course: str) -> str:
        return self.course_ns + iri_segment(course)

    def mention(self, video_id: str, key: str) -> str:
        return f"{self.base}mention/{iri_segment(video_id)}/{iri_segment(key)}"

    def link(self, relation: str, source: str, target: str) -> str:
        return f"{self.base}link/{relation}/{iri_segment(source)}/{iri_segment(target)}"

    def source(self, path: str) -> str:
        return self.base + "source/" + iri_segment(path.lstrip("/"), keep="/")

    def void(self, name: str) -> str:
        return self.dataset + "/" + name

    def _node_iri(self, node: str) -> str:
        """The IRI of a graph-model node id (``L:…``, ``C:…``, ``K:…``)."""
        kind, _, key = node.partition(":")
        return {"L": self.lecture, "C": self.concept, "K": self.course}[kind](key)


def check_base(base: str) -> str:
    """The base IRI, checked: absolute, ending in ``/`` or ``#``."""
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*$", base or ""):
        from kg.build import BuildError

        raise BuildError(f"--base-iri {base!r} is not an absolute IRI (e.g. {DEFAULT_BASE})")
    return base if base.endswith(("/", "#")) else base + "/"


# ---------------------------------------------------------------- the blocks

# relation of the graph model -> RDF property (lecture/concept subject side)
RELATION_PROPERTY = {
    "about": SDO.about,
    "mentions": SDO.mentions,
    "teaches": SDO.teaches,
    "needs": SDO.competencyRequired,
    "broader": SKOS.broader,
    "related": SKOS.related,
    "requires": KG.requires,
    "next_part": KG.nextPart,
    "translation_of": SDO.translationOfWork,
    "part_of": SDO.isPartOf,
}
MENTION_RELATIONS = ("about", "mentions")
LINK_RELATIONS = ("broader", "related", "requires", "teaches", "needs")  # reified as kg:WeightedLink
CONCEPT_RELATIONS = ("broader", "related", "requires")  # concept -> concept


def is_reified(graph: nx.MultiDiGraph, source: str, relation: str, data: dict) -> bool:
    """Whether an edge gets a kg:WeightedLink node: every derived relation, and a
    broader edge unless it is the curated kind (weight 1, provenance = the concept's
    origin), which the plain skos:broader triple says in full."""
    if relation != "broader":
        return relation in LINK_RELATIONS
    origin = getattr(graph.nodes[source].get("record"), "origin", None)
    return float(data.get("weight", 1.0)) != 1.0 or data.get("provenance", origin) != origin


def lecture_title_lang(lecture) -> str:
    return "en" if lecture.language == "en" else "zh-Hant"


def _lecture_pairs(graph: nx.MultiDiGraph, node: str, iris: Iris) -> Pairs:
    lecture = graph._node[node]["record"]
    pairs: Pairs = [
        (RDF.type, SDO.VideoObject),
        (RDF.type, SDO.LearningResource),
        (SDO.name, text_literal(lecture.title, lecture_title_lang(lecture))),
        (SDO.url, safe_iri(lecture.url)),
        (SDO.identifier, text_literal(lecture.video_id)),
        (SDO.position, integer(lecture.number)),
        (SDO.thumbnailUrl, safe_iri(lecture.thumbnail_url)),
        (SDO.inLanguage, text_literal(lecture.language or "zh")),
        (PROV.wasDerivedFrom, iris.source(lecture.source)),
        (KG.sourceLine, integer(lecture.line)),
    ]
    if lecture.date and _is_iso_date(lecture.date):
        pairs.append((SDO.uploadDate, Lit(lecture.date, None, XSD.date)))
    if lecture.summary.strip():
        pairs.append((SDO.abstract, text_literal(lecture.summary)))
    if lecture.part is not None:
        pairs.append((KG.partNumber, integer(lecture.part)))
    if lecture.part_total is not None:
        pairs.append((KG.partCount, integer(lecture.part_total)))
    if lecture.series:
        pairs.append((KG.series, text_literal(lecture.series)))
    if lecture.course_position is not None:
        pairs.append((KG.lectureNumber, integer(lecture.course_position)))
    if lecture.counterpart:
        # the record's own claim, also when the other version is not in this catalog
        inverse = SDO.translationOfWork if lecture.language == "en" else SDO.workTranslation
        pairs.append((inverse, iris.lecture(lecture.counterpart)))
    for target, keys in graph._succ[node].items():  # graph.out_edges(node, keys=True, data=True)
        for relation in keys:
            prop = RELATION_PROPERTY.get(relation)
            if prop is not None:
                pairs.append((prop, iris.node(target)))
        part_of = keys.get("part_of")
        if part_of is not None and part_of.get("position") is not None:
            pairs.append((KG.courseOrder, integer(part_of["position"])))
    for source, keys in graph._pred[node].items():  # graph.in_edges(node, keys=True)
        for relation in keys:
            if relation == "next_part":
                pairs.append((KG.previousPart, iris.node(source)))
            elif relation == "translation_of":
                pairs.append((SDO.workTranslation, iris.node(source)))
    return pairs


def _is_iso_date(text: str) -> bool:
    try:
        return date.fromisoformat(text).isoformat() == text
    except ValueError:
        return False


def _concept_pairs(graph: nx.MultiDiGraph, node: str, iris: Iris) -> Pairs:
    concept = graph.nodes[node]["record"]
    pairs: Pairs = [(RDF.type, SKOS.Concept), (SKOS.inScheme, iris.scheme),
                    (KG.origin, text_literal(concept.origin))]
    # skos:prefLabel: at most one per language tag; further ones become altLabels
    preferred: dict[str, tuple[str, str]] = {}  # lower-case tag -> (tag, text)
    alternative: list[tuple[str, str]] = []
    for tag, text in concept.labels:
        tag, text = language_tag(tag) if tag else "", clean_text(text)
        if not text.strip():
            continue
        if tag.lower() in preferred:
            alternative.append((tag, text))
        else:
            preferred[tag.lower()] = (tag, text)
    for tag, text in preferred.values():
        pairs.append((SKOS.prefLabel, Lit(text, tag or None)))
    for tag, text in concept.alt_labels:
        alternative.append((language_tag(tag) if tag else "", clean_text(text)))
    for tag, text in alternative:
        if text.strip() and preferred.get(tag.lower(), (None, None))[1] != text:  # SKOS: pref and alt are disjoint
            pairs.append((SKOS.altLabel, Lit(text, tag or None)))
    for match in concept.exact_match:
        pairs.append((SKOS.exactMatch, safe_iri(match)))
    for target, keys in graph._succ[node].items():  # graph.out_edges(node, keys=True)
        for relation in keys:
            if relation in CONCEPT_RELATIONS:
                pairs.append((RELATION_PROPERTY[relation], iris.node(target)))
    # a concept's in-edges are mostly the mentions of every lecture naming it
    for source, keys in graph._pred[node].items():
        if "related" in keys:  # symmetric: stored once in the model, stated both ways here
            pairs.append((SKOS.related, iris.node(source)))
    return pairs


def _scheme_pairs(iris: Iris) -> Pairs:
    return [(RDF.type, SKOS.ConceptScheme)] + [(SKOS.prefLabel, Lit(text, tag)) for tag, text in SCHEME_LABELS]


def _course_pairs(graph: nx.MultiDiGraph, node: str, iris: Iris) -> Pairs:
    course = graph.nodes[node]["record"]
    pairs: Pairs = [(RDF.type, SDO.Course), (SDO.identifier, text_literal(course.id))]
    lang = {"en": "en", "zh": "zh-Hant"}.get(course.language or "")
    pairs.append((SDO.name, text_literal(course.name, lang)))
    if course.language:
        pairs.append((SDO.inLanguage, text_literal(course.language)))
    return pairs


def _mention_pairs(graph: nx.MultiDiGraph, lecture: str, concept: str, iris: Iris) -> Pairs:
    edges = graph.get_edge_data(lecture, concept) or {}
    relation = "about" if "about" in edges else "mentions"
    data = edges[relation]
    pairs: Pairs = [
        (RDF.type, KG.Mention),
        (KG.lecture, iris.node(lecture)),
        (KG.concept, iris.node(concept)),
        (KG.kind, text_literal(relation)),
        (KG.weight, decimal(data.get("weight", 1.0))),
    ]
    if data.get("provenance"):
        pairs.append((KG.provenance, text_literal(str(data["provenance"]))))
    evidence = data.get("mentions") or ()
    if evidence:  # the strongest piece of evidence (the model sorts them strongest first)
        best = evidence[0]
        for prop, text in ((KG.section, best.section), (KG.snippet, best.snippet), (KG.surface, best.surface)):
            if text:
                pairs.append((prop, text_literal(text)))
    return pairs


def _link_pairs(relation: str, source: str, target: str, data: dict, iris: Iris) -> Pairs:
    pairs: Pairs = [
        (RDF.type, KG.Prerequisite if relation == "requires" else KG.WeightedLink),
        (RDF.subject, iris.node(source)),
        (RDF.predicate, RELATION_PROPERTY[relation]),
        (RDF.object, iris.node(target)),
        (KG.weight, decimal(data.get("weight", 1.0))),
    ]
    if data.get("provenance"):
        pairs.append((KG.provenance, text_literal(str(data["provenance"]))))
    return pairs


def _source_pairs(path: str) -> Pairs:
    return [(RDF.type, PROV.Entity), (RDFS.label, text_literal(path))]


def node_key(node: str) -> str:
    return node.partition(":")[2]


def _in_nt_order(items: list[tuple]) -> list[tuple]:
    """``(iri, *args)`` items sorted by their N-Triples subject token ``<iri>``."""
    items.sort(key=lambda item: "<" + item[0] + ">")
    return items


def _by_segment(nodes: Iterable[str], end: str) -> list[str]:
    """Nodes in the order of their IRI segment followed by ``end`` ("/" or ">"): the
    order of IRIs that continue with that character (no segment holds a "/")."""
    return sorted(nodes, key=lambda node: iri_segment(node_key(node)) + end)


def _mention_targets(graph: nx.MultiDiGraph, lecture: str) -> list[str]:
    """The concepts a lecture has a mention node for, in the order of their IRIs."""
    return _by_segment([v for v, keys in graph._succ[lecture].items() if "about" in keys or "mentions" in keys], ">")


def _link_edges(graph: nx.MultiDiGraph) -> Iterator[tuple[str, str, str, dict]]:
    """(relation, source, target, attributes) of every reified link, in the order of
    their IRIs ``link/<relation>/<from>/<to>``."""
    sources: dict[str, set[str]] = {}
    for u, neighbours in graph._succ.items():
        for keys in neighbours.values():
            for relation in keys:
                if relation in LINK_RELATIONS:
                    sources.setdefault(relation, set()).add(u)
    for relation in sorted(sources, key=lambda r: r + "/"):
        for u in _by_segment(sources[relation], "/"):
            neighbours = graph._succ[u]
            for v in _by_segment([v for v, keys in neighbours.items() if relation in keys], ">"):
                data = neighbours[v][relation]
                if is_reified(graph, u, relation, data):
                    yield relation, u, v, data


def content_blocks(graph: nx.MultiDiGraph, iris: Iris, writer: "BlockWriter | None" = None) -> Iterator[tuple[str, Pairs]]:
    """(subject IRI, pairs) of every subject but the dataset description, in
    N-Triples order. Kinds of subjects (``concept/``, ``course/``, …) never interleave,
    so each kind comes on its own; mentions and links, the many, come lecture by
    lecture (source by source), so memory grows with the nodes, not the links.

    With a ``writer``, the mention and link blocks are not yielded but written to it
    directly, in their turn, by the fast path (:func:`_write_mentions`,
    :func:`_write_links`)."""
    lectures = nodes_of(graph, LECTURE)
    fast = None if writer is None else {"link/": lambda: _write_links(writer, graph, iris),
                                        "mention/": lambda: _write_mentions(writer, graph, iris, lectures)}

    def concepts() -> Iterator[tuple[str, Pairs]]:
        items = [(iris.node(n), n) for n in nodes_of(graph, CONCEPT)]
        if items:
            items.append((iris.scheme, None))
        for iri, node in _in_nt_order(items):
            yield iri, _concept_pairs(graph, node, iris) if node else _scheme_pairs(iris)

    def courses() -> Iterator[tuple[str, Pairs]]:
        for iri, node in _in_nt_order([(iris.node(n), n) for n in nodes_of(graph, COURSE)]):
            yield iri, _course_pairs(graph, node, iris)

    def lecture_blocks() -> Iterator[tuple[str, Pairs]]:
        for iri, node in _in_nt_order([(iris.node(n), n) for n in lectures]):
            yield iri, _lecture_pairs(graph, node, iris)

    def links() -> Iterator[tuple[str, Pairs]]:  # link/<relation>/<from>/<to>
        for relation, u, v, data in _link_edges(graph):
            yield iris.link(relation, node_key(u), node_key(v)), _link_pairs(relation, u, v, data, iris)

    def mentions() -> Iterator[tuple[str, Pairs]]:  # mention/<video id>/<concept key>
        for u in _by_segment(lectures, "/"):
            for v in _mention_targets(graph, u):
                yield iris.mention(node_key(u), node_key(v)), _mention_pairs(graph, u, v, iris)

    def sources() -> Iterator[tuple[str, Pairs]]:
        for iri, path in _in_nt_order([(iris.source(path), path) for path in dump_sources(graph)]):
            yield iri, _source_pairs(path)

    kinds = {"concept/": concepts, "course/": courses, "lecture/": lecture_blocks, "link/": links,
             "mention/": mentions, "source/": sources}
    for prefix in sorted(kinds):  # distinct first segments: the kinds never interleave
        if fast is not None and prefix in fast:
            fast[prefix]()
        else:
            yield from kinds[prefix]()


# the predicates of a mention and of a link block, in N-Triples order (checked below)
_MENTION_ORDER = (RDF.type, KG.concept, KG.kind, KG.lecture, KG.provenance, KG.section, KG.snippet, KG.surface,
                  KG.weight)
_LINK_ORDER = (RDF.object, RDF.predicate, RDF.subject, RDF.type, KG.provenance, KG.weight)
assert all(list(order) == sorted(order, key=lambda p: "<" + p + ">") for order in (_MENTION_ORDER, _LINK_ORDER))


class _LiteralRows(dict):
    """value -> row of (predicate, literal), for values that recur (kinds, provenance,
    section headings, surface forms, weights); bounded."""

    def __init__(self, writer: "BlockWriter", prop: str, literal: Callable[[object], Lit] = text_literal):
        super().__init__()
        self._writer, self._prop = writer, prop
        self._literal = literal

    def __missing__(self, value) -> tuple:
        if len(self) >= 4096:
            self.clear()
        row = self[value] = self._writer.row(self._prop, self._literal(value))
        return row


def _write_mentions(writer: "BlockWriter", graph: nx.MultiDiGraph, iris: Iris, lectures: list[str]) -> None:
    """The mention blocks (what :func:`_mention_pairs` says, in :data:`_MENTION_ORDER`),
    written as rows without sorting each block."""
    row, snippet_row, succ = writer.row, writer.text_row, graph._succ
    type_row = row(RDF.type, KG.Mention)
    kinds, provenances = _LiteralRows(writer, KG.kind), _LiteralRows(writer, KG.provenance)
    sections, surfaces = _LiteralRows(writer, KG.section), _LiteralRows(writer, KG.surface)
    weights = _LiteralRows(writer, KG.weight, decimal)
    concepts = _target_rows(lambda v: row(KG.concept, iris.node(v)))
    for u in _by_segment(lectures, "/"):
        neighbours = succ[u]
        targets = [(concepts[v], keys) for v, keys in neighbours.items() if "about" in keys or "mentions" in keys]
        if not targets:
            continue
        targets.sort()  # by IRI segment (see _target_rows)
        lecture_row = row(KG.lecture, iris.node(u))
        prefix = f"<{iris.base}mention/{iri_segment(node_key(u))}/".encode()
        blocks = []
        for (segment_end, concept_row), keys in targets:
            relation = "about" if "about" in keys else "mentions"
            data = keys[relation]
            rows = [type_row, concept_row, kinds[relation], lecture_row]
            provenance = data.get("provenance")
            if provenance:
                rows.append(provenances[str(provenance)])
            evidence = data.get("mentions") or ()
            if evidence:
                best = evidence[0]
                if best.section:
                    rows.append(sections[best.section])
                if best.snippet:
                    rows.append(snippet_row(KG.snippet, best.snippet))
                if best.surface:
                    rows.append(surfaces[best.surface])
            rows.append(weights[data.get("weight", 1.0)])
            blocks.append((prefix + segment_end, rows))
        writer.write_typed(blocks, type_row)


def _write_links(writer: "BlockWriter", graph: nx.MultiDiGraph, iris: Iris) -> None:
    """The link blocks (what :func:`_link_pairs` says for :func:`_link_edges`, in
    :data:`_LINK_ORDER`), written as rows without sorting each block."""
    row, succ = writer.row, graph._succ
    provenances = _LiteralRows(writer, KG.provenance)
    weights = _LiteralRows(writer, KG.weight, decimal)
    sources: dict[str, set[str]] = {}
    for u, neighbours in succ.items():
        for keys in neighbours.values():
            for relation in keys:
                if relation in LINK_RELATIONS:
                    sources.setdefault(relation, set()).add(u)
    objects = _target_rows(lambda v: row(RDF.object, iris.node(v)))
    for relation in sorted(sources, key=lambda r: r + "/"):
        predicate_row = row(RDF.predicate, RELATION_PROPERTY[relation])
        type_row = row(RDF.type, KG.Prerequisite if relation == "requires" else KG.WeightedLink)
        for u in _by_segment(sources[relation], "/"):
            subject_row = row(RDF.subject, iris.node(u))
            prefix = f"<{iris.base}link/{relation}/{iri_segment(node_key(u))}/".encode()
            targets = [(objects[v], keys[relation]) for v, keys in succ[u].items() if relation in keys]
            targets.sort()  # by IRI segment (see _target_rows)
            blocks = []
            for (segment_end, object_row), data in targets:
                if relation == "broader" and not is_reified(graph, u, relation, data):
                    continue
                rows = [object_row, predicate_row, subject_row, type_row]
                if data.get("provenance"):
                    rows.append(provenances[str(data["provenance"])])
                rows.append(weights[data.get("weight", 1.0)])
                blocks.append((prefix + segment_end, rows))
            writer.write_typed(blocks, type_row)


def _target_rows(target_row: Callable[[str], tuple]) -> "_Memo":
    """node -> (its IRI segment and ">", UTF-8: how the subject token of a mention or
    link block ends; ``target_row(node)``), for the nodes such blocks point to. Sorting
    targets by the first sorts their blocks: the segments of distinct nodes differ, and
    UTF-8 keeps the order of the code points."""
    return _Memo(lambda node: ((iri_segment(node_key(node)) + ">").encode(), target_row(node)))


def dump_sources(graph: nx.MultiDiGraph) -> list[str]:
    """The catalog files the lectures came from."""
    sources = set(graph.graph.get("sources") or ())
    sources.update(graph.nodes[n]["record"].source for n in nodes_of(graph, LECTURE))
    return sorted(sources)


def source_date() -> str | None:
    """``SOURCE_DATE_EPOCH`` as an xsd:dateTime, or None when it is not set."""
    raw = os.environ.get("SOURCE_DATE_EPOCH")
    if raw is None or raw == "":
        return None
    try:
        moment = datetime.fromtimestamp(int(raw), tz=timezone.utc)
    except (ValueError, OverflowError, OSError):
        from kg.build import BuildError

        raise BuildError(f"SOURCE_DATE_EPOCH={raw!r} is not a number of seconds since 1970") from None
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


VOCABULARIES = ("https://schema.org/", str(SKOS), str(KG), str(PROV), str(VOID), str(DCAT), str(DCT))
DISTRIBUTIONS = ((NT_FILE, "application/n-triples"), (TURTLE_FILE, "text/turtle"), (JSONLD_FILE, "application/ld+json"))
CLASS_PARTITIONS = (("lecture", SDO.VideoObject), ("course", SDO.Course), ("concept", SKOS.Concept),
                    ("mention", KG.Mention), ("link", KG.WeightedLink), ("prerequisite", KG.Prerequisite))


def void_blocks(iris: Iris, sources: list[str], triples: int, subjects: int,
                classes: dict[str, int]) -> list[tuple[str, Pairs]]:
    """The description of the dump: VoID + DCAT dataset, its distributions, PROV of
    the build. ``triples`` must already count the lines of these blocks."""
    from kg import __version__

    modified = source_date()
    dataset: Pairs = [
        (RDF.type, VOID.Dataset), (RDF.type, DCAT.Dataset), (RDF.type, PROV.Entity),
        (DCT.title, Lit(DATASET_TITLE, "en")), (DCT.description, Lit(DATASET_DESCRIPTION, "en")),
        (VOID.triples, integer(triples)), (VOID.distinctSubjects, integer(subjects)),
        (VOID.uriSpace, text_literal(iris.base)), (PROV.wasGeneratedBy, iris.void("build")),
    ]
    dataset += [(VOID.vocabulary, vocabulary) for vocabulary in VOCABULARIES]
    dataset += [(DCT.source, iris.source(path)) for path in sources]
    dataset += [(DCAT.distribution, iris.void(name)) for name, _ in DISTRIBUTIONS]
    dataset += [(VOID.classPartition, iris.void("class/" + name)) for name, _ in CLASS_PARTITIONS]
    if modified:
        dataset.append((DCT.modified, Lit(modified, None, XSD.dateTime)))
    build: Pairs = [(RDF.type, PROV.Activity), (PROV.wasAssociatedWith, iris.void("tool"))]
    build += [(PROV.used, iris.source(path)) for path in sources]
    tool: Pairs = [(RDF.type, PROV.SoftwareAgent), (RDFS.label, Lit("lecture-kg")), (DCT.hasVersion, Lit(__version__))]
    blocks: list[tuple[str, Pairs]] = [(iris.dataset, dataset), (iris.void("build"), build), (iris.void("tool"), tool)]
    for name, media_type in DISTRIBUTIONS:
        blocks.append((iris.void(name), [(RDF.type, DCAT.Distribution), (DCT.title, Lit(name)),
                                         (DCAT.mediaType, Lit(media_type))]))
    for name, cls in CLASS_PARTITIONS:
        blocks.append((iris.void("class/" + name), [(VOID["class"], cls), (VOID.entities, integer(classes.get(cls, 0)))]))
    return _in_nt_order(blocks)


# ---------------------------------------------------------------- prefixes and contexts

def prefixes(iris: Iris) -> dict[str, str]:
    """Prefix -> namespace for Turtle and the JSON-LD context."""
    return {
        "rdf": str(RDF), "rdfs": str(RDFS), "xsd": str(XSD), "skos": str(SKOS), "schema": "https://schema.org/",
        "dct": str(DCT), "void": str(VOID), "dcat": str(DCAT), "prov": str(PROV), "kg": str(KG),
        "wd": "http://www.wikidata.org/entity/",
        "lecture": iris.lecture_ns, "concept": iris.concept_ns, "course": iris.course_ns,
    }


# the RDF datatype of each literal-valued property, "@id" for IRI-valued ones
PROPERTY_TYPES: dict[str, str | None] = {
    SDO.url: "@id", SDO.thumbnailUrl: "@id", SDO.isPartOf: "@id", SDO.about: "@id", SDO.mentions: "@id",
    SDO.teaches: "@id", SDO.competencyRequired: "@id", SDO.workTranslation: "@id", SDO.translationOfWork: "@id",
    SDO.position: XSD.integer, SDO.uploadDate: XSD.date, SDO.name: None, SDO.identifier: None,
    SDO.inLanguage: None, SDO.abstract: None,
    SKOS.inScheme: "@id", SKOS.broader: "@id", SKOS.related: "@id", SKOS.exactMatch: "@id",
    SKOS.prefLabel: None, SKOS.altLabel: None,
    KG.requires: "@id", KG.nextPart: "@id", KG.previousPart: "@id", KG.lecture: "@id", KG.concept: "@id",
    KG.weight: XSD.decimal, KG.courseOrder: XSD.integer, KG.partNumber: XSD.integer, KG.partCount: XSD.integer,
    KG.lectureNumber: XSD.integer, KG.sourceLine: XSD.integer, KG.kind: None, KG.section: None,
    KG.snippet: None, KG.surface: None, KG.provenance: None, KG.origin: None, KG.series: None,
    RDF.subject: "@id", RDF.predicate: "@id", RDF.object: "@id",
    PROV.wasDerivedFrom: "@id", PROV.wasGeneratedBy: "@id", PROV.used: "@id", PROV.wasAssociatedWith: "@id",
    RDFS.label: None, DCT.title: None, DCT.description: None, DCT.source: "@id", DCT.hasVersion: None,
    DCT.modified: XSD.dateTime,
    VOID.triples: XSD.integer, VOID.distinctSubjects: XSD.integer, VOID.entities: XSD.integer,
    VOID.uriSpace: None, VOID.vocabulary: "@id", VOID.classPartition: "@id", VOID["class"]: "@id",
    DCAT.distribution: "@id", DCAT.mediaType: None,
}

_PN_LOCAL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?\Z")


class Compactor:
    """IRI -> ``prefix:local`` when the local part is a plain name, else None."""

    def __init__(self, prefix_map: dict[str, str]):
        self._namespaces = sorted(((ns, prefix) for prefix, ns in prefix_map.items()), key=lambda item: -len(item[0]))
        self._cache: dict[str, str | None] = {}
        # when every namespace ends in "/" or "#" (a plain name holds neither), the only
        # namespace that can give a plain name is the IRI up to its last "/" or "#"
        self._by_namespace = ({ns: prefix for ns, prefix in self._namespaces}
                              if all(ns.endswith(("/", "#")) for ns, _ in self._namespaces) else None)

    def __call__(self, iri: str) -> str | None:
        try:
            return self._cache[iri]
        except KeyError:
            pass
        found = self.compute(iri)
        if len(self._cache) < 1 << 16:
            self._cache[iri] = found
        return found

    def compute(self, iri: str) -> str | None:
        """What ``self(iri)`` returns, without the cache (for IRIs met once)."""
        by_namespace = self._by_namespace
        if by_namespace is not None:
            cut = max(iri.rfind("/"), iri.rfind("#")) + 1
            prefix = by_namespace.get(iri[:cut]) if cut else None
            if prefix is not None and _PN_LOCAL.match(iri, cut):
                return f"{prefix}:{iri[cut:]}"
            return None
        for namespace, prefix in self._namespaces:
            if iri.startswith(namespace):
                local = iri[len(namespace):]
                if _PN_LOCAL.match(local):
                    return f"{prefix}:{local}"
                return None
        return None


def jsonld_context(prefix_map: dict[str, str], compact: Compactor) -> dict:
    """The compact ``@context``: the prefixes, and a coercion for every property whose
    values are IRIs or typed literals, keyed by the property's compact IRI."""
    context: dict = dict(prefix_map)
    for prop in sorted(PROPERTY_TYPES, key=lambda p: compact(p) or p):
        kind = PROPERTY_TYPES[prop]
        if kind is None:
            continue
        name = compact(prop) or prop
        context[name] = {"@id": name, "@type": "@id" if kind == "@id" else (compact(kind) or kind)}
    return context


# ---------------------------------------------------------------- the three writers


class _Memo(dict):
    """A dict that computes missing values once (lookups stay in C); emptied when it
    reaches ``limit`` entries, so memory stays bounded on huge dumps."""

    def __init__(self, compute: Callable[[str], object], limit: float = 1 << 16):
        super().__init__()
        self._compute = compute
        self._limit = limit

    def __missing__(self, key: str):
        if len(self) >= self._limit:
            self.clear()
        value = self[key] = self._compute(key)
        return value


# properties whose values rarely recur (titles, summaries, snippets, numbers): their rows
# are rendered every time rather than remembered
_UNIQUE_VALUES = frozenset((SDO.abstract, SDO.name, SDO.identifier, SDO.url, SDO.thumbnailUrl, SDO.position,
                            KG.sourceLine, KG.snippet))
_ROW_MEMO = 1 << 16
# blocks buffered before one write per file: a few hundred kilobytes; larger joins
# measured slower on a 100,000-lecture dump (14 s instead of 10 s for the mentions)
_FLUSH_BLOCKS = 64

# A *row* is the forms of one (predicate, object) pair in the three syntaxes, rendered
# and UTF-8 encoded once (most rows recur, so most output is never encoded again, and
# bytes join by plain copies). A plain tuple, for speed:
#   0  b" <p> <o> .\n": the N-Triples line after the subject, the row's sort key
#   1  the predicate IRI (str)
#   2  the Turtle predicate        3  the JSON-LD key, with its quotes
#   4  the Turtle object           5  the JSON-LD value
#   6  the class IRI (str) of an rdf:type row, said by "a …" and "@type"; else None
#   7  b" ;\n    p o", the Turtle statement, and 8  b', "key": value', the JSON-LD
#      member, as written when the predicate has this one object in its block
#      (b"" for a class row)
# The itemgetters read one position of many rows in C (the joins of a block).
_NT_LINE, _PREDICATE, _TTL_OBJECT, _JSON_VALUE = itemgetter(0), itemgetter(1), itemgetter(4), itemgetter(5)
_TTL_STATEMENT, _JSON_MEMBER = itemgetter(7), itemgetter(8)


class _PredicateForms(NamedTuple):
    """How a predicate is written, UTF-8 encoded, and how its objects are."""

    nt_head: bytes  # b" <p> ", the N-Triples line up to the object
    ttl: bytes  # Turtle, compacted when a prefix can
    json_key: bytes  # the JSON-LD key, with its quotes
    statement_head: bytes  # b" ;\n    p ", a Turtle statement up to the object
    member_head: bytes  # b', "key": ', a JSON-LD member up to the value
    kind: str | None  # its PROPERTY_TYPES entry
    plain: bool  # whether JSON-LD writes its plain strings bare
    remembered: bool  # whether its rows are remembered (its values recur)


def _assemble_row(prop: str, forms: _PredicateForms, o_nt: str, ttl: str, value: str, cls: str | None) -> tuple:
    """A row from its predicate, the predicate's forms, and the forms of its object:
    N-Triples, Turtle, JSON-LD value (encoded here)."""
    nt_head, ttl_p, json_key, statement_head, member_head = forms[:5]
    o_nt_bytes = o_nt.encode()
    ttl_bytes = o_nt_bytes if ttl is o_nt else ttl.encode()
    value_bytes = o_nt_bytes if value is o_nt else value.encode()
    if cls is None:
        statement, member = statement_head + ttl_bytes, member_head + value_bytes
    else:
        statement = member = b""
    return nt_head + o_nt_bytes + b" .\n", prop, ttl_p, json_key, ttl_bytes, value_bytes, cls, statement, member


def _out_of_order(key: bytes, last_key: bytes) -> AssertionError:
    return AssertionError(f"subjects out of order: {key.decode()} after {last_key.decode()}")


class BlockWriter:
    """Writes blocks to graph.nt, graph.ttl and graph.jsonld at once.

    Each (predicate, object) pair becomes a *row*, its forms in the three syntaxes
    rendered once: the N-Triples line after the subject, the Turtle predicate and
    object, the JSON-LD key and value (already encoded). Rows of recurring pairs
    (concept IRIs, kinds, weights, classes) are remembered, so most triples cost a
    dict lookup, a share of a sort of their block, and joins of bytes.
    """

    def __init__(self, folder: Path, iris: Iris):
        self.prefix_map = prefixes(iris)
        self.compact = Compactor(self.prefix_map)
        self.triples = 0
        self.subjects = 0
        self.classes: dict[str, int] = {}
        self._json_open = b'{"@id": '  # a JSON-LD node's opening; from the second node on, after a comma
        self._last_subject = b""
        self._ttl_iri = _Memo(lambda iri: self.compact(iri) or "<" + iri + ">")
        self._json_iri = _Memo(lambda iri: self.compact(iri) or iri)
        self._encode_json = json.JSONEncoder(ensure_ascii=False).encode
        self._json_string = json.encoder.encode_basestring  # what that encoder uses for str
        # whether the IRIs minted from the base need no escaping in JSON (their segments
        # never do: iri_segment encodes quotes, backslashes and controls)
        self._json_plain_base = self._json_string(iris.base) == '"' + iris.base + '"'
        self._rows: dict[tuple, tuple] = {}
        self._props: dict[str, _PredicateForms] = {}
        self.nt_parts: list[bytes] = []
        self.ttl_parts: list[bytes] = []
        self.json_parts: list[bytes] = []
        self._buffered = 0  # blocks in the parts
        buffering = 1 << 20
        self.nt = open(folder / NT_FILE, "wb", buffering=buffering)
        self.ttl = open(folder / TURTLE_FILE, "wb", buffering=buffering)
        self.jsonld = open(folder / JSONLD_FILE, "wb", buffering=buffering)
        self._start()

    def _start(self) -> None:
        header = "".join(f"@prefix {prefix}: <{ns}> .\n" for prefix, ns in self.prefix_map.items())
        self.ttl.write((header + "\n").encode())
        context = json.dumps(jsonld_context(self.prefix_map, self.compact), ensure_ascii=False, indent=2)
        self.jsonld.write(('{\n"@context": ' + context + ',\n"@graph": [\n').encode())

    def ttl_literal(self, lit: Lit, nt_form: str) -> str:
        """A literal in Turtle; ``nt_form`` (its N-Triples form) is valid Turtle already."""
        if lit.lang is None and lit.datatype is not None:
            if lit.datatype == XSD.integer or lit.datatype == XSD.decimal:
                return lit.text
            if lit.datatype != XSD.string:
                return nt_string(lit.text) + "^^" + self._ttl_iri[lit.datatype]
        if "\n" not in lit.text:
            return nt_form
        # readable multi-line strings; every quote is escaped, so no run of three can close it
        body = lit.text.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "\\r")
        return '"""' + body + '"""' + ("@" + lit.lang if lit.lang else "")

    def json_value(self, prop: str, term: "str | Lit"):
        kind = PROPERTY_TYPES.get(prop)
        if type(term) is str:
            iri = self.compact(term) or term
            return iri if kind == "@id" else {"@id": iri}
        if term.lang:
            return {"@value": term.text, "@language": term.lang}
        datatype = term.datatype or XSD.string
        if kind == datatype or (kind is None and datatype == XSD.string and prop in PROPERTY_TYPES):
            return term.text
        return {"@value": term.text, "@type": self.compact(datatype) or datatype}

    def _prop_forms(self, prop: str) -> _PredicateForms:
        forms = self._props.get(prop)
        if forms is None:
            ttl, json_key = self._ttl_iri[prop].encode(), self._json_string(self._json_iri[prop]).encode()
            forms = self._props[prop] = _PredicateForms(
                f" <{prop}> ".encode(), ttl, json_key, b" ;\n    " + ttl + b" ", b", " + json_key + b": ",
                PROPERTY_TYPES.get(prop), prop in PROPERTY_TYPES and PROPERTY_TYPES[prop] is None,
                prop not in _UNIQUE_VALUES)
        return forms

    def _row(self, pair: tuple) -> tuple:
        """The row of one (predicate, object) pair (see :data:`_NT_LINE` and below)."""
        prop, term = pair
        forms = self._props.get(prop) or self._prop_forms(prop)
        kind, plain, remembered = forms[5:]
        cls = None
        if type(term) is str:
            o_nt = "<" + term + ">"
            compact = self.compact(term) if remembered else self.compact.compute(term)
            ttl = compact or o_nt
            json_iri = self._json_string(compact or term)
            if prop == _RDF_TYPE:
                cls, value = term, json_iri
            elif kind == "@id":
                value = json_iri
            else:
                value = '{"@id": ' + json_iri + "}"
        else:
            o_nt = nt_literal(term)
            text, lang, datatype = term
            if lang is not None:
                ttl = o_nt if "\n" not in text else self.ttl_literal(term, o_nt)
                # what the JSON encoder writes for {"@value": text, "@language": lang}
                value = f'{{"@value": {json_text(text, nt_string(text))}, "@language": {self._json_string(lang)}}}'
            elif datatype is None and plain:
                ttl = o_nt if "\n" not in text else self.ttl_literal(term, o_nt)
                value = json_text(text, o_nt)
            elif datatype is not None and datatype == kind:  # the context gives the datatype
                ttl = self.ttl_literal(term, o_nt)
                value = self._json_string(text)  # what json_value gives, encoded
            else:
                ttl = self.ttl_literal(term, o_nt)
                value = self._encode_json(self.json_value(prop, term))
        row = _assemble_row(prop, forms, o_nt, ttl, value, cls)
        if remembered:
            if len(self._rows) >= _ROW_MEMO:
                self._rows.clear()
            self._rows[pair] = row
        return row

    def text_row(self, prop: str, text: str) -> tuple:
        """The row of ``(prop, text_literal(text))``, not remembered, made without the
        literal (the fast path for the mentions' snippets, one each)."""
        forms = self._props.get(prop) or self._prop_forms(prop)
        if not forms.plain:  # a plain string not written bare in JSON-LD: the general way
            return self._row((prop, text_literal(text)))
        if text.isprintable():  # clean already (see clean_text), and on one line
            quoted = _quote_printable(text)
            return _assemble_row(prop, forms, quoted, quoted, quoted, None)
        text = clean_text(text)
        o_nt = nt_string(text)
        ttl = o_nt if "\n" not in text else self.ttl_literal(Lit(text), o_nt)
        return _assemble_row(prop, forms, o_nt, ttl, json_text(text, o_nt), None)

    def row(self, prop: str, term: "str | Lit") -> tuple:
        """The row of one pair (remembered when its predicate's values recur)."""
        pair = (prop, term)
        return self._rows.get(pair) or self._row(pair)

    def _check_order(self, key: bytes) -> None:
        """Check that the subject token ``key`` comes after the one written before
        (UTF-8 keeps the order of the code points)."""
        if key <= self._last_subject:
            raise _out_of_order(key, self._last_subject)
        self._last_subject = key

    def write(self, subject: str, pairs: Pairs) -> None:
        """Write one subject from its (predicate, object) pairs, in any order, repeats allowed."""
        memo, make_row = self._rows, self._row
        rows = [memo.get(pair) or make_row(pair) for pair in pairs]
        key = f"<{subject}>".encode()
        self._check_order(key)
        # Sorting the lines inside each block sorts the file ('>' ends the subject token).
        rows.sort(key=_NT_LINE)
        lines = list(map(_NT_LINE, rows))
        if any(map(eq, lines, islice(lines, 1, None))):  # a triple twice (now adjacent): once
            by_line = dict(zip(lines, rows))
            lines, rows = list(by_line), list(by_line.values())
        if lines:
            self.nt_parts += (key, key.join(lines))
        self.triples += len(lines)
        self.subjects += 1

        types_ttl: list[bytes] = []
        types_json: list[bytes] = []
        statements: list[bytes] = []  # Turtle, after "a …"
        members: list[bytes] = []  # JSON-LD, after "@type"
        for prop, grouped in groupby(rows, _PREDICATE):  # one predicate's rows are adjacent
            group = list(grouped)
            if prop == _RDF_TYPE:
                for row in group:
                    cls = row[6]
                    if cls is not None:
                        types_ttl.append(row[4])
                        types_json.append(row[5])
                        self.classes[cls] = self.classes.get(cls, 0) + 1
                group = [row for row in group if row[6] is None]
                if not group:
                    continue
            if len(group) == 1:
                statements.append(group[0][7])
                members.append(group[0][8])
                continue
            objects = list(map(_TTL_OBJECT, group))
            joined = b", ".join(objects)
            if len(objects) > 3 or b"\n" in joined:
                joined = b",\n        ".join(objects)
            statements.append(b"".join((b" ;\n    ", group[0][2], b" ", joined)))
            members.append(b"".join((b", ", group[0][3], b": [", b", ".join(map(_JSON_VALUE, group)), b"]")))

        compact = self.compact.compute(subject)
        if types_ttl:
            head = b"\n    a " + b", ".join(types_ttl)
        else:
            head = b"\n"
            if statements:
                statements[0] = statements[0][3:]  # the first statement without its " ;\n"
        self.ttl_parts += (compact.encode() if compact else key, head, *statements, b" .\n\n")
        types = b', "@type": [' + b", ".join(types_json) + b"]" if types_json else b""
        self.json_parts += (self._json_open, self._json_string(compact or subject).encode(), types, *members, b"}")
        self._json_open = b',\n{"@id": '
        self._buffered += 1
        if self._buffered >= _FLUSH_BLOCKS:
            self.flush()

    def write_typed(self, blocks: list[tuple[bytes, list[tuple]]], type_row: tuple) -> None:
        """Write subjects of a fixed shape, given as ``(key, rows)`` (the fast path for the
        mention and link blocks, a source's at a time). ``key`` is the subject's N-Triples
        token ``<iri>``, UTF-8, where the IRI is minted from the base and IRI segments and
        no prefix can shorten it (``mention/<a>/<b>`` and ``link/…`` are in no prefix's
        namespace); ``rows`` come in N-Triples order, ``type_row`` (one of them) is the
        subject's one rdf:type, and every other row has a predicate of its own."""
        if not blocks:
            return
        # each block goes into the buffers in pieces, joined only when they are flushed
        nt_parts, ttl_parts, json_parts = self.nt_parts, self.ttl_parts, self.json_parts
        # the type row's statement and member are empty: joined with the others, it adds nothing
        type_ttl, type_json = b"\n    a " + type_row[4], b', "@type": [' + type_row[5] + b"]"
        json_open, plain_ids, last_key, triples = self._json_open, self._json_plain_base, self._last_subject, 0
        for key, rows in blocks:
            if key <= last_key:
                raise _out_of_order(key, last_key)
            last_key = key
            nt_parts += (key, key.join(map(_NT_LINE, rows)))
            ttl_parts += (key, type_ttl)
            ttl_parts += map(_TTL_STATEMENT, rows)
            ttl_parts.append(b" .\n\n")
            iri = key[1:-1]  # between < and >
            if not plain_ids:
                iri = self._json_string(iri.decode())[1:-1].encode()
            json_parts += (json_open, b'"', iri, b'"', type_json)
            json_parts += map(_JSON_MEMBER, rows)
            json_parts.append(b"}")
            json_open = b',\n{"@id": '
            triples += len(rows)
        self._json_open, self._last_subject = json_open, last_key
        self.triples += triples
        self.subjects += len(blocks)
        self.classes[type_row[6]] = self.classes.get(type_row[6], 0) + len(blocks)
        self._buffered += len(blocks)
        if self._buffered >= _FLUSH_BLOCKS:
            self.flush()

    def flush(self) -> None:
        """Write the buffered blocks out (one write per file for many blocks)."""
        for parts, handle in ((self.nt_parts, self.nt), (self.ttl_parts, self.ttl), (self.json_parts, self.jsonld)):
            handle.write(b"".join(parts))
            parts.clear()
        self._buffered = 0

    def close(self) -> None:
        self.flush()
        self.jsonld.write(b"\n]\n}\n")
        for handle in (self.nt, self.ttl, self.jsonld):
            handle.close()

    def abort(self) -> None:
        for handle in (self.nt, self.ttl, self.jsonld):
            handle.close()


def _void_line_count(blocks: list[tuple[str, Pairs]]) -> int:
    """How many distinct triples the description blocks hold (their count does not
    depend on the numbers they state)."""
    return sum(len(set(pairs)) for _, pairs in blocks)


def write_rdf(graph: nx.MultiDiGraph, folder: Path, base: str = DEFAULT_BASE) -> list[str]:
    """Write ``graph.nt`` (sorted lines, byte-identical for the same input),
    ``graph.ttl`` and ``graph.jsonld`` into ``folder``; return the file names.

    >>> import tempfile; from kg.graph import base_graph
    >>> folder = Path(tempfile.mkdtemp())
    >>> write_rdf(base_graph([], {}, []), folder)
    ['graph.nt', 'graph.ttl', 'graph.jsonld']
    """
    with gc_paused():
        return _write_rdf(graph, Path(folder), Iris(check_base(base)))


def _write_rdf(graph: nx.MultiDiGraph, folder: Path, iris: Iris) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    writer = BlockWriter(folder, iris)
    try:
        for subject, pairs in content_blocks(graph, iris, writer):
            writer.write(subject, pairs)
        sources = dump_sources(graph)
        draft = void_blocks(iris, sources, 0, 0, writer.classes)
        own_lines, own_subjects = _void_line_count(draft), len(draft)
        final = void_blocks(iris, sources, writer.triples + own_lines, writer.subjects + own_subjects, writer.classes)
        for subject, pairs in final:
            writer.write(subject, pairs)
    except BaseException:
        writer.abort()
        raise
    writer.close()
    return [NT_FILE, TURTLE_FILE, JSONLD_FILE]
