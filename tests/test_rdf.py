"""The RDF dump: vocabulary contract, determinism, validity in three parsers, hostile
text, SHACL shapes, the way back to the graph model (kg.load), and speed.

The helpers at the top (``seed_graph``, ``write_dump``) are shared with test_query,
test_serve and test_push: the graph of the seed catalog with a small, fixed set of
concepts linked by title matching, so that expected query rows do not move when the
extractor or the curated vocabulary change.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
import time
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest
import rdflib

from kg import rdf
from kg.catalog import read_catalogs
from kg.graph import base_graph, concept_id
from kg.load import GraphNotFound, graph_files, load_graph, open_store
from kg.namespaces import DEFAULT_BASE
from kg.records import Concept, Lecture, Mention
from kg.validate import shacl_problems, sparql_problems, split_shapes, shapes_path, validate_dump

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_cb5f99d682638e4e.txt"
SHARED_PAGES = ROOT / "tests" / "data"
RAPPER = shutil.which("rapper")

SDO = "https://schema.org/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
KG = "https://w3id.org/lecture-kg/ontology#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


# ---------------------------------------------------------------- shared helpers


def C(key, en, zh=None, alt=(), broader=(), requires=(), exact=()):  # noqa: N802 - reads like a table
    labels = (("en", en),) + ((("zh-hant", zh),) if zh else ())
    return Concept(key, labels, tuple(sorted(alt)), tuple(sorted(broader)), tuple(sorted(requires)), tuple(sorted(exact)))


def fixture_concepts() -> dict[str, Concept]:
    """A small, fixed vocabulary for the seed (never 機器學習: every course tag has it)."""
    concepts = [
        C("reinforcement-learning", "Reinforcement Learning", "增強式學習",
          alt=[("en", "RL"), ("zh-hant", "強化學習")], requires=["neural-network"], exact=["http://www.wikidata.org/entity/Q830687"]),
        C("actor-critic", "Actor-Critic", "演員評論家", broader=["reinforcement-learning"], requires=["reinforcement-learning"]),
        C("inverse-reinforcement-learning", "Inverse Reinforcement Learning", "逆向增強式學習",
          alt=[("en", "Inverse RL")], broader=["reinforcement-learning"], requires=["reinforcement-learning"]),
        C("life-long-learning", "Life-long Learning", "機器終身學習",
          alt=[("en", "Life Long Learning"), ("en", "LL"), ("zh-hant", "終身學習")]),
        C("catastrophic-forgetting", "Catastrophic Forgetting", "災難性遺忘", requires=["life-long-learning"]),
        C("network-compression", "Network Compression", "神經網路壓縮"),
        C("network-pruning", "Network Pruning", "剪枝", alt=[("en", "Pruning")], broader=["network-compression"],
          requires=["neural-network"]),
        C("neural-network", "Neural Network", "類神經網路", alt=[("zh-hant", "神經網路")]),
        C("meta-learning", "Meta Learning", "元學習"),
        C("self-supervised-learning", "Self-supervised Learning", "自督導式學習", requires=["neural-network"]),
        C("self-attention", "Self-attention", "自注意力機制", requires=["neural-network"]),
        C("bert", "BERT", requires=["self-supervised-learning", "self-attention"]),
        C("chatgpt", "ChatGPT"),
        C("lora", "LoRA", "低秩適應"),
    ]
    return {concept.key: concept for concept in concepts}


def _finds(label: str, text: str) -> int:
    """Where ``label`` occurs in ``text`` (case-insensitive; ASCII labels as whole words), or -1."""
    if label.isascii():
        match = re.search(r"(?<![A-Za-z])" + re.escape(label) + r"(?![A-Za-z])", text, re.I)
    else:
        match = re.search(re.escape(label), text)
    return match.start() if match else -1


def title_mentions(lectures: list[Lecture], concepts: dict[str, Concept]) -> list[Mention]:
    """"about" when a label is in the title (weight 1.0 for a preferred label, 0.8 for
    an alternative one); "mentions" (0.5) when only the summary has one."""
    mentions = []
    for lecture in lectures:
        for key, concept in sorted(concepts.items()):
            found = None
            for weight, labels in ((1.0, concept.labels), (0.8, concept.alt_labels)):
                for _, label in labels:
                    if _finds(label, lecture.title) >= 0:
                        found = Mention(lecture.video_id, key, "about", weight, "title", lecture.title, label)
                        break
                if found:
                    break
            if not found and lecture.summary:
                for _, label in concept.labels + concept.alt_labels:
                    at = _finds(label, lecture.summary)
                    if at >= 0:
                        section = next((s.heading for s in lecture.sections if _finds(label, s.text) >= 0), "")
                        found = Mention(lecture.video_id, key, "mentions", 0.5, section,
                                        lecture.summary[max(0, at - 20): at + 40], label)
                        break
            if found:
                mentions.append(found)
    return mentions


def add_derived_edges(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """What kg.relate adds, in its shape, with fixed numbers: curated requires, one mined
    requires, a co-occurrence related pair, a pattern broader edge, teaches and needs."""
    for node, data in list(graph.nodes(data=True)):
        if data["kind"] == "concept":
            for target in data["record"].requires:
                graph.add_edge(node, concept_id(target), key="requires", weight=1.0, provenance="vocabulary")
    graph.add_edge(concept_id("meta-learning"), concept_id("neural-network"), key="requires", weight=0.42,
                   provenance="course-order")
    graph.add_edge(concept_id("catastrophic-forgetting"), concept_id("life-long-learning"), key="related",
                   weight=0.61, provenance="cooccurrence", count=2)
    graph.add_edge(concept_id("bert"), concept_id("self-supervised-learning"), key="broader", weight=0.7,
                   provenance="pattern")
    for lecture, concept, relation, data in list(graph.edges(keys=True, data=True)):
        if relation == "about":
            graph.add_edge(lecture, concept, key="teaches", weight=data["weight"], provenance="extraction")
            for _, prerequisite, kind, link in list(graph.out_edges(concept, keys=True, data=True)):
                if kind == "requires" and not graph.has_edge(lecture, prerequisite, "about"):
                    graph.add_edge(lecture, prerequisite, key="needs", weight=round(link["weight"] * data["weight"], 4),
                                   provenance="requires")
    return graph


def seed_graph(paths: list[Path] | None = None, concepts: dict[str, Concept] | None = None) -> nx.MultiDiGraph:
    catalog = read_catalogs(paths or [SEED])
    concepts = concepts or fixture_concepts()
    graph = base_graph(catalog.lectures, concepts, title_mentions(catalog.lectures, concepts))
    graph.graph["sources"] = tuple(catalog.sources)
    return add_derived_edges(graph)


def write_dump(graph: nx.MultiDiGraph, folder: Path, base: str = DEFAULT_BASE, validate: bool = True) -> Path:
    """Write the dump and (by default) check it against the shapes, as every test does."""
    folder.mkdir(parents=True, exist_ok=True)
    assert rdf.write_rdf(graph, folder, base=base) == ["graph.nt", "graph.ttl", "graph.jsonld"]
    if validate:
        problems = validate_dump(folder)
        assert problems == [], "\n".join(problems[:20])
    return folder


def nt_lines(folder: Path) -> list[str]:
    """The lines of graph.nt, split at "\n" only (a literal may hold U+2028, which
    str.splitlines would also split at)."""
    return (folder / "graph.nt").read_text(encoding="utf-8").split("\n")[:-1]


def rapper_count(path: Path, syntax: str) -> int:
    done = subprocess.run([RAPPER, "-c", "-i", syntax, str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "Error" not in done.stderr, done.stderr
    return int(re.search(r"returned (\d+) triples", done.stderr).group(1))


def triple_counts(folder: Path) -> dict[str, int]:
    """Triples of each file as each parser sees them."""
    counts = {}
    for name, fmt in (("graph.nt", "nt"), ("graph.ttl", "turtle"), ("graph.jsonld", "json-ld")):
        counts[f"rdflib {name}"] = len(rdflib.Graph().parse(folder / name, format=fmt))
    for name, fmt in (("graph.nt", ox.RdfFormat.N_TRIPLES), ("graph.ttl", ox.RdfFormat.TURTLE),
                      ("graph.jsonld", ox.RdfFormat.JSON_LD)):
        counts[f"pyoxigraph {name}"] = len(set(ox.parse(path=folder / name, format=fmt)))
    if RAPPER:
        counts["rapper graph.nt"] = rapper_count(folder / "graph.nt", "ntriples")
        counts["rapper graph.ttl"] = rapper_count(folder / "graph.ttl", "turtle")
    return counts


def objects(store: ox.Store, subject: str, predicate: str) -> list:
    return sorted((q.object for q in store.quads_for_pattern(ox.NamedNode(subject), ox.NamedNode(predicate), None)),
                  key=str)


def store_of(folder: Path) -> ox.Store:
    store = ox.Store()
    store.load(path=folder / "graph.nt", format=ox.RdfFormat.N_TRIPLES)
    return store


@pytest.fixture(scope="module")
def seed_dump(tmp_path_factory) -> Path:
    return write_dump(seed_graph(), tmp_path_factory.mktemp("seed"))


# ---------------------------------------------------------------- the files


def test_dump_parses_in_rdflib_pyoxigraph_and_rapper_with_equal_counts(seed_dump):
    counts = triple_counts(seed_dump)
    lines = len(nt_lines(seed_dump))
    assert set(counts.values()) == {lines}, counts
    if RAPPER is None:
        pytest.skip("rapper (raptor2-utils) is not installed; rdflib and pyoxigraph agree")


def test_nt_is_sorted_unique_and_states_its_own_size(seed_dump):
    lines = nt_lines(seed_dump)
    assert lines == sorted(lines)
    assert len(lines) == len(set(lines))
    raw = (seed_dump / "graph.nt").read_bytes()
    assert raw.split(b"\n")[:-1] == sorted(raw.split(b"\n")[:-1])  # byte order too (LC_ALL=C sort)
    store = store_of(seed_dump)
    [triples] = objects(store, DEFAULT_BASE + "void", "http://rdfs.org/ns/void#triples")
    assert int(triples.value) == len(lines) == len(store)


def test_same_input_gives_the_same_bytes(tmp_path, seed_dump, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    again = write_dump(seed_graph(), tmp_path / "again", validate=False)
    for name in ("graph.nt", "graph.ttl", "graph.jsonld"):
        assert (again / name).read_bytes() == (seed_dump / name).read_bytes(), name
    assert "modified" not in (again / "graph.ttl").read_text(encoding="utf-8")


def test_timestamp_only_from_source_date_epoch(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    folder = write_dump(seed_graph(), tmp_path / "dated")
    store = store_of(folder)
    [modified] = objects(store, DEFAULT_BASE + "void", "http://purl.org/dc/terms/modified")
    assert (modified.value, modified.datatype.value) == ("2023-11-14T22:13:20Z", XSD + "dateTime")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    from kg.build import BuildError

    with pytest.raises(BuildError, match="SOURCE_DATE_EPOCH"):
        rdf.write_rdf(seed_graph(), tmp_path / "bad")


def test_turtle_has_prefixes_and_jsonld_a_compact_context(seed_dump):
    turtle = (seed_dump / "graph.ttl").read_text(encoding="utf-8")
    assert "@prefix schema: <https://schema.org/> ." in turtle
    assert "lecture:kk6DqWreLeU\n    a schema:LearningResource, schema:VideoObject ;" in turtle
    import json

    document = json.loads((seed_dump / "graph.jsonld").read_text(encoding="utf-8"))
    context = document["@context"]
    assert context["schema"] == "https://schema.org/" and context["skos"] == SKOS
    assert context["schema:url"] == {"@id": "schema:url", "@type": "@id"}
    node = next(n for n in document["@graph"] if n["@id"] == "lecture:kk6DqWreLeU")
    assert node["@type"] == ["schema:LearningResource", "schema:VideoObject"]
    assert node["schema:position"] == "353"
    assert node["schema:name"]["@language"] == "zh-Hant"


# ---------------------------------------------------------------- the vocabulary contract


def test_lecture_vocabulary(seed_dump):
    store = store_of(seed_dump)
    lecture = DEFAULT_BASE + "lecture/kk6DqWreLeU"  # 353, 概述增強式學習 (三) - Actor-Critic
    get = lambda p, s=lecture: objects(store, s, p)  # noqa: E731
    assert {t.value for t in get(RDF_TYPE)} == {SDO + "VideoObject", SDO + "LearningResource"}
    [name] = get(SDO + "name")
    assert name.language == "zh-hant" and name.value.startswith("【機器學習2021】概述增強式學習")  # pyoxigraph lower-cases tags
    assert "@zh-Hant" in next(l for l in nt_lines(seed_dump) if l.startswith(f"<{lecture}> <{SDO}name>"))
    assert get(SDO + "url") == [ox.NamedNode("https://www.youtube.com/watch?v=kk6DqWreLeU")]
    assert get(SDO + "thumbnailUrl") == [ox.NamedNode("https://img.youtube.com/vi/kk6DqWreLeU/maxresdefault.jpg")]
    assert get(SDO + "identifier") == [ox.Literal("kk6DqWreLeU")]
    assert get(SDO + "position") == [ox.Literal("353", datatype=ox.NamedNode(XSD + "integer"))]
    assert get(SDO + "inLanguage") == [ox.Literal("zh")]
    assert get(SDO + "isPartOf") == [ox.NamedNode(DEFAULT_BASE + "course/ml-2021-zh")]
    assert get(KG + "courseOrder")[0].datatype.value == XSD + "integer"
    assert get(KG + "partNumber") == [ox.Literal("3", datatype=ox.NamedNode(XSD + "integer"))]
    assert get(SDO + "workTranslation") == [ox.NamedNode(DEFAULT_BASE + "lecture/Cf-WkM-Xef0")]
    assert get(KG + "nextPart") == [ox.NamedNode(DEFAULT_BASE + "lecture/73YyF1gmIus")]
    assert {t.value for t in get(SDO + "about")} == {DEFAULT_BASE + "concept/actor-critic",
                                                     DEFAULT_BASE + "concept/reinforcement-learning"}
    assert {t.value for t in get(SDO + "teaches")} == {t.value for t in get(SDO + "about")}
    assert {t.value for t in get(SDO + "competencyRequired")} == {DEFAULT_BASE + "concept/neural-network"}
    assert get("http://www.w3.org/ns/prov#wasDerivedFrom") == [ox.NamedNode(DEFAULT_BASE + "source/" + SEED.as_posix().lstrip("/"))]
    assert int(get(KG + "sourceLine")[0].value) > 0
    assert get(SDO + "abstract") == [] and get(SDO + "uploadDate") == []  # the seed's 353 has neither

    english = DEFAULT_BASE + "lecture/Cf-WkM-Xef0"  # 362, Lecture 30: … (3/5)
    assert get(SDO + "name", english)[0].language == "en"
    assert get(SDO + "translationOfWork", english) == [ox.NamedNode(lecture)]
    assert get(KG + "previousPart", english) == [ox.NamedNode(DEFAULT_BASE + "lecture/jbN0oYLtXps")]

    summarised = DEFAULT_BASE + "lecture/UsaZhQ9bY2k"  # 390, dated, with a summary
    assert get(SDO + "uploadDate", summarised) == [ox.Literal("2023-02-24", datatype=ox.NamedNode(XSD + "date"))]
    assert get(SDO + "abstract", summarised)[0].value.startswith("#")

    course = DEFAULT_BASE + "course/ml-2021-zh"
    assert get(RDF_TYPE, course) == [ox.NamedNode(SDO + "Course")]
    assert get(SDO + "name", course) == [ox.Literal("機器學習2021", language="zh-hant")]


def test_concept_vocabulary(seed_dump):
    store = store_of(seed_dump)
    rl = DEFAULT_BASE + "concept/reinforcement-learning"
    get = lambda p, s=rl: objects(store, s, p)  # noqa: E731
    assert get(RDF_TYPE) == [ox.NamedNode(SKOS + "Concept")]
    assert get(SKOS + "inScheme") == [ox.NamedNode(DEFAULT_BASE + "concept/scheme")]
    assert {(t.language, t.value) for t in get(SKOS + "prefLabel")} == {("en", "Reinforcement Learning"),
                                                                      ("zh-hant", "增強式學習")}
    assert {(t.language, t.value) for t in get(SKOS + "altLabel")} == {("en", "RL"), ("zh-hant", "強化學習")}
    assert get(SKOS + "exactMatch") == [ox.NamedNode("http://www.wikidata.org/entity/Q830687")]
    assert get(KG + "requires") == [ox.NamedNode(DEFAULT_BASE + "concept/neural-network")]
    actor_critic = DEFAULT_BASE + "concept/actor-critic"
    assert get(SKOS + "broader", actor_critic) == [ox.NamedNode(rl)]
    forgetting = DEFAULT_BASE + "concept/catastrophic-forgetting"
    lifelong = DEFAULT_BASE + "concept/life-long-learning"
    assert get(SKOS + "related", forgetting) == [ox.NamedNode(lifelong)]
    assert get(SKOS + "related", lifelong) == [ox.NamedNode(forgetting)]  # stated both ways


def test_links_carry_weights_on_nodes_of_their_own(seed_dump):
    store = store_of(seed_dump)
    rows = list(store.query(f"""
        PREFIX kg: <{KG}> PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
        SELECT ?w ?prov WHERE {{ ?p a kg:Prerequisite ; rdf:subject <{DEFAULT_BASE}concept/meta-learning> ;
            rdf:predicate kg:requires ; rdf:object <{DEFAULT_BASE}concept/neural-network> ;
            kg:weight ?w ; kg:provenance ?prov }}"""))
    assert [(float(r["w"].value), r["prov"].value) for r in rows] == [(0.42, "course-order")]
    mention = DEFAULT_BASE + "mention/kk6DqWreLeU/actor-critic"
    get = lambda p: objects(store, mention, p)  # noqa: E731
    assert get(RDF_TYPE) == [ox.NamedNode(KG + "Mention")]
    assert get(KG + "lecture") == [ox.NamedNode(DEFAULT_BASE + "lecture/kk6DqWreLeU")]
    assert get(KG + "concept") == [ox.NamedNode(DEFAULT_BASE + "concept/actor-critic")]
    assert [t.value for t in get(KG + "kind")] == ["about"]
    assert [float(t.value) for t in get(KG + "weight")] == [1.0]
    assert [t.value for t in get(KG + "section")] == ["title"]
    assert "Actor-Critic" in get(KG + "snippet")[0].value


def test_every_term_of_our_own_is_declared_in_the_ontology(seed_dump):
    ontology = rdflib.Graph().parse(ROOT / "ontology" / "kg.ttl", format="turtle")
    assert (None, rdflib.RDF.type, rdflib.OWL.Ontology) in ontology
    used = set()
    for line in nt_lines(seed_dump):
        used.update(re.findall(r"<(https://w3id\.org/lecture-kg/ontology#[A-Za-z]+)>", line))
    assert used
    for term in sorted(used):
        iri = rdflib.URIRef(term)
        assert (iri, rdflib.RDFS.label, None) in ontology, term
        assert (iri, rdflib.RDFS.comment, None) in ontology, term
        kinds = set(ontology.objects(iri, rdflib.RDF.type))
        assert kinds & {rdflib.OWL.Class, rdflib.OWL.ObjectProperty, rdflib.OWL.DatatypeProperty}, term


# ---------------------------------------------------------------- IRIs


def test_iris_are_stable_and_the_base_is_configurable(tmp_path):
    base = "https://example.org/lkg"  # no trailing slash: one is added
    folder = write_dump(seed_graph(), tmp_path / "other", base=base)
    text = (folder / "graph.nt").read_text(encoding="utf-8")
    assert "<https://example.org/lkg/lecture/kk6DqWreLeU> " in text
    assert "<https://example.org/lkg/concept/actor-critic> " in text
    assert "<https://example.org/lkg/course/ml-2021-zh> " in text
    assert "<https://example.org/lkg/mention/kk6DqWreLeU/actor-critic> " in text
    assert not re.search(re.escape(DEFAULT_BASE) + "(?!ontology#)", text)  # only our ontology's terms
    graph = load_graph(folder)  # the base is read back from void:uriSpace
    assert graph.graph["base"] == "https://example.org/lkg/"
    assert "L:kk6DqWreLeU" in graph and "C:actor-critic" in graph
    from kg.build import BuildError

    with pytest.raises(BuildError, match="not an absolute IRI"):
        rdf.write_rdf(seed_graph(), tmp_path / "bad", base="not an iri")


def test_iri_segments_are_reversible():
    from urllib.parse import unquote

    for key in ["self-attention", "自注意力", "a b/c%d", "x>y<z\"", "Q&A?#", "ümlaut"]:
        segment = rdf.iri_segment(key)
        assert not re.search(r'[\s<>"{}|\\^`/#?]', segment), segment
        assert unquote(segment) == key


# ---------------------------------------------------------------- hostile text

HOSTILE = 'Say "hi" \\ back\\slash """triple""" \' \n new line \r\n <tag> & ]]> \t tab \x00 NUL \x01\x08\x0b\x1f\x7f ' \
          '\ud800 lone \udfff surrogate \ufffe\uffff \u2028 sep \u202e RTL \u200f 😀 emoji 中文 ending backslash \\'


def hostile_graph() -> nx.MultiDiGraph:
    lectures = [
        Lecture(1, "【機器學習2021】" + HOSTILE, "aaaaaaaaaaa", "/tmp/odd dir/cat\"alog>.md", 3,
                date="2021-03-12", summary="# " + HOSTILE + "\n" + HOSTILE, course_id="odd/course id",
                course_name='Odd "course" \n', language="zh"),
        Lecture(2, HOSTILE + " (English version)", "bbbbbbbbbbb", "x.md", 9, language="en", counterpart="aaaaaaaaaaa"),
    ]
    concepts = {
        "odd key/with space%>": Concept("odd key/with space%>", (("en", HOSTILE), ("zh-Hant", "怪" + HOSTILE)),
                                        alt_labels=(("en", HOSTILE + "2"), ("", "untagged"))),
        "plain": Concept("plain", (("en", "Plain"),), exact_match=("http://www.wikidata.org/entity/Q1 >bad",)),
    }
    mentions = [Mention("aaaaaaaaaaa", "odd key/with space%>", "about", 0.9, HOSTILE, HOSTILE, HOSTILE),
                Mention("bbbbbbbbbbb", "plain", "mentions", 1e-05, "", "", "")]
    graph = base_graph(lectures, concepts, mentions)
    graph.add_edge("C:plain", "C:odd key/with space%>", key="requires", weight=float("nan"), provenance=HOSTILE)
    return graph


def test_hostile_text_gives_valid_ntriples_turtle_and_jsonld(tmp_path):
    folder = write_dump(hostile_graph(), tmp_path / "hostile")
    counts = triple_counts(folder)
    assert set(counts.values()) == {len(nt_lines(folder))}, counts
    store = store_of(folder)
    [title] = objects(store, DEFAULT_BASE + "lecture/aaaaaaaaaaa", SDO + "name")
    assert title.value == "【機器學習2021】" + rdf.clean_text(HOSTILE)
    assert "\x00" not in title.value and "\ufffd lone \ufffd surrogate" in title.value
    assert '"""triple"""' in title.value and "\n new line \r\n <tag>" in title.value and title.value.endswith("\\")
    concept = DEFAULT_BASE + "concept/" + rdf.iri_segment("odd key/with space%>")
    assert objects(store, concept, RDF_TYPE) == [ox.NamedNode(SKOS + "Concept")]
    for name in ("graph.nt", "graph.ttl", "graph.jsonld"):
        (folder / name).read_bytes().decode("utf-8")  # valid UTF-8, no surrogates
    graph = load_graph(folder)
    assert graph.nodes["C:odd key/with space%>"]["kind"] == "concept"
    assert graph.nodes["L:aaaaaaaaaaa"]["record"].source == "/tmp/odd dir/cat\"alog>.md"


def test_fast_paths_write_what_the_blocks_say(tmp_path, monkeypatch):
    """The mention and link blocks, written from rows without sorting (write_typed),
    give the bytes that their (predicate, object) pairs give through the general path."""
    graphs = {"seed": seed_graph(), "hostile": hostile_graph()}
    fast = {name: write_dump(graph, tmp_path / f"fast-{name}", validate=False) for name, graph in graphs.items()}
    blocks = rdf.content_blocks
    monkeypatch.setattr(rdf, "content_blocks", lambda graph, iris, writer=None: blocks(graph, iris))
    for name, graph in graphs.items():
        general = write_dump(graph, tmp_path / f"general-{name}", validate=False)
        for file in ("graph.nt", "graph.ttl", "graph.jsonld"):
            assert (fast[name] / file).read_bytes() == (general / file).read_bytes(), (name, file)


def test_text_shortcuts_escape_as_the_full_rules_do():
    """clean_text, nt_string and json_text skip their work for printable text: every
    character (the BMP, and the noncharacters beyond) comes out as the full rules say."""
    import json

    chars = [chr(c) for c in range(0x10000)] + [chr(p * 0x10000 + c) for p in range(1, 17) for c in (0xFFFD, 0xFFFE)]
    for char in chars:
        text = "a" + char + 'b"\\'
        assert rdf.clean_text(text) == rdf._FORBIDDEN.sub("", rdf._SURROGATE.sub("\ufffd", text)), hex(ord(char))
        quoted = rdf.nt_string(text)
        assert quoted == '"' + "".join(rdf._NT_ESCAPES.get(c, c) for c in text) + '"', hex(ord(char))
        assert rdf.json_text(text, quoted) == json.encoder.encode_basestring(text), hex(ord(char))


# ---------------------------------------------------------------- shapes


def test_shapes_catch_violations(seed_dump):
    shapes = rdflib.Graph().parse(shapes_path(), format="turtle")
    core, constraints = split_shapes(shapes)
    assert len(constraints) >= 4
    data = rdflib.Graph().parse(seed_dump / "graph.nt", format="nt")
    lecture = rdflib.URIRef(DEFAULT_BASE + "lecture/kk6DqWreLeU")
    data.remove((lecture, rdflib.URIRef(SDO + "name"), None))
    data.add((lecture, rdflib.URIRef(SDO + "position"), rdflib.Literal("three")))
    concept = rdflib.URIRef(DEFAULT_BASE + "concept/lora")
    data.add((concept, rdflib.URIRef(SKOS + "prefLabel"), rdflib.Literal("Low-rank adaptation", lang="en")))
    problems = "\n".join(shacl_problems(data, core))
    assert "one title" in problems and "schema:position" in problems
    assert "concept/lora" in problems  # two English preferred labels

    store = store_of(seed_dump)
    store.remove(ox.Quad(ox.NamedNode(str(lecture)), ox.NamedNode(SDO + "about"),
                         ox.NamedNode(DEFAULT_BASE + "concept/actor-critic")))
    problems = sparql_problems(store, constraints)
    assert any("mention/kk6DqWreLeU/actor-critic" in p and "states the link" in p for p in problems)
    assert any(p.startswith(f"<{DEFAULT_BASE}void>") for p in problems)  # void:triples is now wrong


def test_validate_reports_disagreeing_files(tmp_path):
    folder = write_dump(seed_graph(), tmp_path / "d")
    lines = nt_lines(folder)
    (folder / "graph.nt").write_text("\n".join(lines[1:]) + "\n", encoding="utf-8")
    problems = validate_dump(folder)
    assert any("graph.ttl" in p and "not in graph.nt" in p for p in problems), problems
    (folder / "graph.jsonld").write_text("{ not json", encoding="utf-8")
    assert any("graph.jsonld: not valid" in p for p in validate_dump(folder))


# ---------------------------------------------------------------- back to the model


def _lecture_fields(lecture: Lecture) -> dict:
    fields = dataclasses.asdict(lecture)
    fields["sections"] = [(s["heading"], s["kind"], s["text"]) for s in fields["sections"]]
    return fields


def _concept_fields(concept: Concept) -> dict:
    lower = lambda labels: tuple(sorted((tag.lower(), text) for tag, text in labels))  # noqa: E731
    return {**dataclasses.asdict(concept), "labels": lower(concept.labels), "alt_labels": lower(concept.alt_labels)}


def edge_set(graph: nx.MultiDiGraph) -> set:
    return {(u, v, key, round(float(d.get("weight", 1.0)), 9), d.get("provenance"), d.get("position"))
            for u, v, key, d in graph.edges(keys=True, data=True)}


def assert_same_model(original: nx.MultiDiGraph, loaded: nx.MultiDiGraph) -> None:
    assert set(original.nodes) == set(loaded.nodes)
    for node, data in original.nodes(data=True):
        assert loaded.nodes[node]["kind"] == data["kind"], node
    assert edge_set(original) == edge_set(loaded)
    for node, data in original.nodes(data=True):
        mine, theirs = data["record"], loaded.nodes[node]["record"]
        if data["kind"] == "lecture":
            assert _lecture_fields(theirs) == _lecture_fields(mine), node
        elif data["kind"] == "concept":
            assert _concept_fields(theirs) == _concept_fields(mine), node
        else:
            assert theirs == mine, node
    for u, v, key, d in original.edges(keys=True, data=True):
        if key in ("about", "mentions"):
            [best] = loaded.edges[u, v, key]["mentions"]
            assert (best.section, best.snippet, best.surface) == (d["mentions"][0].section, d["mentions"][0].snippet,
                                                                  d["mentions"][0].surface)


def test_load_graph_rebuilds_the_model(seed_dump):
    assert_same_model(seed_graph(), load_graph(seed_dump))


def test_load_graph_reads_turtle_and_jsonld_too(seed_dump):
    original = seed_graph()
    for name in ("graph.ttl", "graph.jsonld"):
        loaded = load_graph(seed_dump / name)
        assert set(loaded.nodes) == set(original.nodes) and edge_set(loaded) == edge_set(original), name


def test_load_graph_reads_a_shuffled_foreign_file(seed_dump, tmp_path):
    import random

    lines = nt_lines(seed_dump)
    random.Random(7).shuffle(lines)
    (tmp_path / "graph.nt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    original = seed_graph()
    loaded = load_graph(tmp_path / "graph.nt")
    assert set(loaded.nodes) == set(original.nodes) and edge_set(loaded) == edge_set(original)


def test_load_graph_after_the_real_relate_step(tmp_path):
    """The dump of kg.relate's graph (all its relations and attributes) loads back the same."""
    from kg.relate import relate

    catalog = read_catalogs([SEED, SHARED_PAGES])
    concepts = fixture_concepts()
    graph = relate(catalog.lectures, concepts, title_mentions(catalog.lectures, concepts), None)
    graph.graph["sources"] = tuple(catalog.sources)
    folder = write_dump(graph, tmp_path / "related")
    loaded = load_graph(folder)
    assert set(loaded.nodes) == set(graph.nodes)
    assert edge_set(loaded) == edge_set(graph)


def test_graph_files_and_clear_errors(tmp_path, seed_dump):
    assert graph_files(seed_dump) == seed_dump / "graph.nt"
    assert graph_files(seed_dump / "graph.ttl") == seed_dump / "graph.ttl"
    with pytest.raises(GraphNotFound, match="no graph at .*missing"):
        graph_files(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(GraphNotFound, match="holds no graph.*kg build"):
        graph_files(tmp_path / "empty")
    store = open_store(seed_dump)
    assert open_store(seed_dump) is store  # cached per process
    assert len(store) == len(nt_lines(seed_dump))


# ---------------------------------------------------------------- speed


def test_write_rdf_is_fast_on_the_148_lectures(tmp_path):
    catalog = read_catalogs([SEED, SHARED_PAGES])
    from kg.vocabulary import default_vocabulary

    concepts = dict(default_vocabulary().concepts)
    concepts.update(fixture_concepts())
    graph = add_derived_edges(base_graph(catalog.lectures, concepts, title_mentions(catalog.lectures, fixture_concepts())))
    assert len(catalog.lectures) == 148
    best = min(_timed(rdf.write_rdf, graph, tmp_path / f"run{i}") for i in range(3))
    assert best < 0.3, f"write_rdf took {best:.3f} s"


def _timed(function, *args) -> float:
    """CPU seconds of one call (steadier than wall time on a busy machine)."""
    start = time.process_time()
    function(*args)
    return time.process_time() - start


def synthetic_graph(lectures: int, concepts: int = 300) -> nx.MultiDiGraph:
    """A catalog-shaped graph of any size: 8 links a lecture, half the lectures summarised."""
    import random

    from kg.graph import Course

    rng = random.Random(lectures)
    graph = nx.MultiDiGraph()
    keys = [f"concept-{i}" for i in range(concepts)]
    for key in keys:
        graph.add_node("C:" + key, kind="concept", record=Concept(key, (("en", key), ("zh-hant", "概念" + key[8:]))))
    for i in range(0, concepts - 1, 3):
        graph.add_edge("C:" + keys[i], "C:" + keys[i + 1], key="requires", weight=0.5, provenance="course-order")
    for c in range(20):
        graph.add_node(f"K:c{c}", kind="course", record=Course(f"c{c}", f"Course {c}", "zh"))
    for n in range(lectures):
        video = f"v{n:010d}"
        summary = "# 核心主題\n" + "摘要。" * 50 if n % 2 else ""
        graph.add_node("L:" + video, kind="lecture", record=Lecture(n, f"第{n}講 \"title\"", video, "c.md", 10 * n + 1,
                                                                    summary=summary, course_id=f"c{n % 20}"))
        graph.add_edge("L:" + video, f"K:c{n % 20}", key="part_of", weight=1.0, provenance="title", position=n // 20 + 1)
        for j, key in enumerate(rng.sample(keys, 8)):
            relation = "about" if j < 2 else "mentions"
            evidence = (Mention(video, key, relation, 0.5, "核心主題", "摘要" * 5, key),)
            graph.add_edge("L:" + video, "C:" + key, key=relation, weight=0.5, mentions=evidence, provenance="extraction")
    return graph


def test_write_time_grows_linearly(tmp_path):
    """Four times the lectures, about four times the work (per triple: within 1.6x)."""
    rates = []
    for size in (500, 2000):
        graph = synthetic_graph(size)
        start = time.process_time()
        rdf.write_rdf(graph, tmp_path / str(size))
        seconds = time.process_time() - start
        rates.append(seconds / len(nt_lines(tmp_path / str(size))))
    assert rates[1] < 1.6 * rates[0], rates
