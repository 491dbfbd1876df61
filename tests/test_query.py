"""``kg query`` and kg.query: canned queries with expected rows on the seed (and the rows
the graph model they were written from implies), safe parameters, the four SPARQL result
formats, and errors for people."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from decimal import Decimal

import networkx as nx
import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner

from kg.cli import app
from kg.graph import CONCEPT, LECTURE, concept_id
from kg.load import open_store
from kg.query import (
    QueryError, ResultTooLarge, bind_parameters, canned_queries, canned_query, format_result, parse_header, run_query,
)
from kg.rdf import iri_segment
from test_rdf import seed_graph, write_dump

runner = CliRunner()


@pytest.fixture(scope="module")
def model():
    """The graph model the dump is written from: what the canned queries must find."""
    return seed_graph()


@pytest.fixture(scope="module")
def dump(model, tmp_path_factory):
    return write_dump(model, tmp_path_factory.mktemp("query"))


@pytest.fixture(scope="module")
def store(dump):
    return open_store(dump)


def canned(store, name: str, **params):
    query = canned_query(name)
    return run_query(store, bind_parameters(query.text, params, query.params))


def column(result, name: str) -> list:
    index = result.variables.index(name)
    return [row[index].value if row[index] is not None else None for row in result.rows]


def rows(result, *names: str) -> list[tuple]:
    return list(zip(*(column(result, name) for name in names)))


RL_LECTURES = ["352", "353", "354", "355", "361", "362", "363", "385"]  # titles naming reinforcement learning


# ---------------------------------------------------------------- canned queries on the seed


@pytest.mark.parametrize("label", ["RL", "rl", "Reinforcement Learning", "增強式學習", "強化學習", "reinforcement-learning"])
def test_lectures_about_a_concept_by_any_label(store, label):
    result = canned(store, "lectures-about", concept=label)
    assert column(result, "position") == RL_LECTURES
    assert set(column(result, "relation")) == {"about"}
    assert set(column(result, "concept")) == {"reinforcement-learning"}
    assert column(result, "url")[1] == "https://www.youtube.com/watch?v=kk6DqWreLeU"


def test_lectures_about_lists_mentions_after_main_topics(store):
    result = canned(store, "lectures-about", concept="ChatGPT")
    assert rows(result, "position", "relation") == [("387", "about"), ("388", "about"), ("389", "about"),
                                                    ("390", "about"), ("391", "about")]
    result = canned(store, "lectures-about", concept="LoRA")  # only 396's summary names it
    assert rows(result, "position", "relation", "weight") == [("396", "mentions", "0.5")]
    result = canned(store, "lectures-about", concept="self-supervised learning")
    assert rows(result, "position", "relation") == [("370", "about"), ("371", "about"), ("378", "about"),
                                                    ("383", "about")]


def test_unknown_concept_gives_no_rows(store):
    assert canned(store, "lectures-about", concept="no such thing").rows == []


def test_prerequisites_of_a_concept(store):
    result = canned(store, "prerequisites", concept="BERT")
    assert rows(result, "prerequisite", "direct", "provenance") == [
        ("self-attention", "true", "vocabulary"),
        ("self-supervised-learning", "true", "vocabulary"),
        ("neural-network", "false", None),
    ]
    result = canned(store, "prerequisites", concept="Meta Learning")
    assert rows(result, "prerequisite", "provenance") == [("neural-network", "course-order")]
    assert float(column(result, "weight")[0]) == 0.42


def test_concepts_of_a_course(store):
    expected = [("reinforcement-learning", "3"), ("catastrophic-forgetting", "2"), ("life-long-learning", "2"),
                ("meta-learning", "2"), ("network-compression", "2"), ("neural-network", "2"),
                ("actor-critic", "1"), ("inverse-reinforcement-learning", "1"), ("network-pruning", "1")]
    assert rows(canned(store, "concepts-of-course", course="ml-2021-zh"), "concept", "lectures") == expected
    assert rows(canned(store, "concepts-of-course", course="機器學習2021"), "concept", "lectures") == expected


def test_most_connected_concepts(store):
    result = canned(store, "most-connected-concepts", limit="5")
    assert rows(result, "concept", "lectures", "concepts", "degree") == [
        ("reinforcement-learning", "8", "3", "11"),
        ("neural-network", "2", "5", "7"),
        ("self-supervised-learning", "4", "2", "6"),
        ("chatgpt", "5", "0", "5"),
        ("life-long-learning", "4", "1", "5"),
    ]
    assert len(canned(store, "most-connected-concepts").rows) == 14  # default limit 20, 14 concepts


def test_lectures_without_summaries(store):
    result = canned(store, "lectures-without-summaries")
    positions = column(result, "position")
    assert len(positions) == 44  # 50 lectures, 6 with summaries
    assert not {"371", "390", "394", "396", "397", "399"} & set(positions)
    assert positions == sorted(positions, key=int)
    assert rows(result, "position", "course")[0] == ("351", "ml-2021-en")


def test_course_lectures_in_teaching_order(store):
    result = canned(store, "course-lectures", course="ML 2021 (English version)")
    assert rows(result, "order", "position") == [
        ("1", "351"), ("2", "352"), ("3", "362"), ("4", "361"), ("5", "363"),
        ("6", "360"), ("7", "359"), ("8", "368"), ("9", "369"),
    ]


def test_lecture_concepts_by_number_or_video_id(store):
    expected = [("actor-critic", "about"), ("reinforcement-learning", "about")]
    assert rows(canned(store, "lecture-concepts", lecture="353"), "concept", "relation") == expected
    assert rows(canned(store, "lecture-concepts", lecture="kk6DqWreLeU"), "concept", "relation") == expected


def test_translations(store):
    result = canned(store, "translations")
    assert rows(result, "english", "chinese") == [("359", "357"), ("360", "356"), ("361", "354"), ("362", "353"),
                                                  ("363", "355"), ("368", "358"), ("369", "364"), ("371", "370")]


def test_related_concepts(store):
    result = canned(store, "related-concepts", concept="災難性遺忘")
    assert rows(result, "related", "provenance") == [("life-long-learning", "cooccurrence")]
    assert float(column(result, "weight")[0]) == 0.61


def test_dataset_description(store, dump):
    result = canned(store, "dataset")
    lines = (dump / "graph.nt").read_bytes().count(b"\n")
    assert set(column(result, "triples")) == {str(lines)}
    counts = dict(rows(result, "class", "entities"))
    assert counts["https://schema.org/VideoObject"] == "50"
    assert counts["http://www.w3.org/2004/02/skos/core#Concept"] == "14"


def test_every_canned_query_is_documented_and_runs(store):
    queries = canned_queries()
    assert {"lectures-about", "prerequisites", "concepts-of-course", "most-connected-concepts",
            "lectures-without-summaries"} <= set(queries)
    for query in queries.values():
        assert query.description, query.name
        values = {p.name: "RL" for p in query.params if p.default is None}
        run_query(store, bind_parameters(query.text, values, query.params))


# ---------------------------------------------------------------- canned queries against the model
#
# The queries are written so that Oxigraph looks the concept up first and counts plain
# triples (see ontology/queries/); these tests check every row against the graph model the
# dump was written from, for every label of every concept.

SKOS = "http://www.w3.org/2004/02/skos/core#"
SDO = "https://schema.org/"
KG = "https://w3id.org/lecture-kg/ontology#"


def concept_records(model) -> dict:
    return {data["record"].key: data["record"] for _, data in model.nodes(data=True) if data["kind"] == CONCEPT}


def named_by(model, text: str) -> set[str]:
    """The keys of the concepts ``text`` names, as the canned queries match it: any label or
    the key (its IRI segment), in any case."""
    text = text.lower()
    return {key for key, record in concept_records(model).items()
            if iri_segment(key).lower() == text or any(label.lower() == text for label in record.all_labels())}


def label_variants(model) -> list[str]:
    """Every label and key of every concept, as written, lower- and upper-cased."""
    texts = set()
    for key, record in concept_records(model).items():
        for text in (key, *record.all_labels()):
            texts |= {text, text.lower(), text.upper()}
    return sorted(texts)


def model_links(model, key: str) -> dict[str, tuple[str, float]]:
    """The lectures that are about or mention a concept: video id -> (relation, weight)."""
    found = {}
    for lecture, edges in model.pred[concept_id(key)].items():
        relation = "about" if "about" in edges else "mentions" if "mentions" in edges else None
        if relation:
            found[model.nodes[lecture]["record"].video_id] = (relation, edges[relation]["weight"])
    return found


def neighbours(model, key: str) -> set[str]:
    """The other concepts a concept is linked to by broader, related or requires, either way."""
    node = concept_id(key)
    found = {v for _, v, r in model.out_edges(node, keys=True) if r in ("broader", "related", "requires")}
    found |= {u for u, _, r in model.in_edges(node, keys=True) if r in ("broader", "related", "requires")}
    return {model.nodes[other]["record"].key for other in found - {node}}


def test_lectures_about_matches_the_model_for_every_label(store, model):
    lectures = {data["record"].video_id: data["record"] for _, data in model.nodes(data=True) if data["kind"] == LECTURE}
    variants = label_variants(model)
    assert {"RL", "rl", "增強式學習", "REINFORCEMENT-LEARNING", "lora", "LORA"} <= set(variants)
    found_any = 0
    for text in variants:
        result = canned(store, "lectures-about", concept=text)
        expected = Counter()
        for key in named_by(model, text):
            for video, (relation, weight) in model_links(model, key).items():
                expected[(str(lectures[video].number), relation, weight, lectures[video].title, iri_segment(key))] += 1
        got = Counter((position, relation, float(weight), title, concept)
                      for position, relation, weight, title, concept in rows(result, "position", "relation", "weight",
                                                                               "title", "concept"))
        assert got == expected, text
        order = [(relation != "about", -float(weight), int(position))
                 for position, relation, weight in rows(result, "position", "relation", "weight")]
        assert order == sorted(order), text
        found_any += bool(expected)
    assert found_any > 20


def test_lectures_about_finds_the_same_lectures_by_any_name(store):
    by_key = canned(store, "lectures-about", concept="reinforcement-learning").rows
    assert len(by_key) == len(RL_LECTURES)
    for text in ("Reinforcement Learning", "REINFORCEMENT LEARNING", "增強式學習", "強化學習", "rL", "REINFORCEMENT-LEARNING"):
        assert canned(store, "lectures-about", concept=text).rows == by_key, text


def test_related_concepts_match_the_model_for_every_label(store, model):
    seen = 0
    for text in label_variants(model):
        expected = []
        for key in named_by(model, text):
            node = concept_id(key)
            for u, v, relation, data in model.edges(keys=True, data=True):
                if relation == "related" and node in (u, v):
                    other = model.nodes[v if u == node else u]["record"].key
                    expected.append((iri_segment(other), data["weight"], data.get("provenance")))
        result = canned(store, "related-concepts", concept=text)
        got = [(related, float(weight), provenance)
               for related, weight, provenance in rows(result, "related", "weight", "provenance")]
        assert sorted(got) == sorted(expected), text
        assert [(-w, r) for r, w, _ in got] == sorted((-w, r) for r, w, _ in got), text
        seen += bool(expected)
    assert seen >= 2  # both ends of the seed's one related pair, by several labels


def test_prerequisites_match_the_model(store, model):
    requires = nx.DiGraph()
    requires.add_edges_from((model.nodes[u]["record"].key, model.nodes[v]["record"].key, data)
                            for u, v, relation, data in model.edges(keys=True, data=True) if relation == "requires")
    assert requires.number_of_edges() > 5
    checked = Counter()
    for key, record in concept_records(model).items():
        reachable = set()  # what kg:requires+ reaches (the concept itself only through a cycle)
        for target in requires.successors(key) if key in requires else ():
            reachable |= {target} | nx.descendants(requires, target)
        expected = []
        for target in reachable:
            link = requires.get_edge_data(key, target)
            expected.append((iri_segment(key), iri_segment(target), "true" if link else "false",
                             link["weight"] if link else None, link.get("provenance") if link else None))
        expected.sort(key=lambda row: (row[0], row[2] != "true", row[1]))
        for text in (key, key.upper(), record.label()):
            if named_by(model, text) == {key}:
                result = canned(store, "prerequisites", concept=text)
                got = [(concept, prerequisite, direct, float(weight) if weight is not None else None, provenance)
                       for concept, prerequisite, direct, weight, provenance
                       in rows(result, "concept", "prerequisite", "direct", "weight", "provenance")]
                assert got == expected, text
                checked.update(direct for _, _, direct, _, _ in got)
    assert checked["true"] > 5 and checked["false"] > 0  # direct and transitive ones


def test_most_connected_concepts_counts_match_the_model(store, model):
    lectures = {key: len(model_links(model, key)) for key in concept_records(model)}
    linked = {key: len(neighbours(model, key)) for key in concept_records(model)}
    result = canned(store, "most-connected-concepts", limit="1000")
    got = {concept: (int(n), int(m), int(d)) for concept, n, m, d in rows(result, "concept", "lectures", "concepts", "degree")}
    assert got == {iri_segment(key): (lectures[key], linked[key], lectures[key] + linked[key]) for key in lectures}
    order = [(-d, -n, concept) for concept, (n, _, d) in ((c, got[c]) for c in column(result, "concept"))]
    assert order == sorted(order)
    labels = dict(rows(result, "concept", "label"))
    assert all(labels[iri_segment(key)] == record.label("en") for key, record in concept_records(model).items())
    top = canned(store, "most-connected-concepts", limit="5")
    assert top.rows == result.rows[:5]
    assert canned(store, "most-connected-concepts", limit="0").rows == []


def test_most_connected_concepts_counts_equal_a_count_of_mention_nodes(store):
    """The query counts schema:about / schema:mentions triples; a plain count through the
    kg:Mention nodes gives the same numbers."""
    plain = run_query(store, f"""SELECT ?c (COUNT(DISTINCT ?lecture) AS ?n) WHERE {{
        ?c a <{SKOS}Concept> .
        OPTIONAL {{ ?m a <{KG}Mention> ; <{KG}concept> ?c ; <{KG}lecture> ?lecture }}
    }} GROUP BY ?c""")
    mentions = {c.value.rpartition("/")[2]: n.value for c, n in plain.rows}
    result = canned(store, "most-connected-concepts", limit="1000")
    assert dict(rows(result, "concept", "lectures")) == mentions


def test_concepts_of_course_match_the_model(store, model):
    for course in {data["record"].course_id for _, data in model.nodes(data=True) if data["kind"] == LECTURE} - {None}:
        members = [node for node, data in model.nodes(data=True)
                   if data["kind"] == LECTURE and data["record"].course_id == course]
        counts: dict[str, list[int]] = {}
        for lecture in members:
            for _, target, relation in model.out_edges(lecture, keys=True):
                if relation == "about" or (relation == "mentions" and "about" not in model[lecture][target]):
                    entry = counts.setdefault(model.nodes[target]["record"].key, [0, 0])
                    entry[0] += 1
                    entry[1] += relation == "about"
        expected = sorted(((iri_segment(key), str(n), str(about)) for key, (n, about) in counts.items()),
                          key=lambda row: (-int(row[1]), -int(row[2]), row[0]))
        assert expected
        for text in (course, course.upper()):
            assert rows(canned(store, "concepts-of-course", course=text), "concept", "lectures", "about") == expected


def values(result) -> list[tuple]:
    return sorted(tuple(term.value for term in row) for row in result.rows)


def test_the_dump_states_what_the_rewritten_queries_count(store):
    """The plain triples the canned queries count instead of the reified nodes: each
    kg:Mention's lecture states schema:about (kind "about") or schema:mentions its concept,
    and nothing else does; skos:related is stated both ways."""
    nodes = run_query(store, f"""SELECT ?l ?c ?kind WHERE {{
        ?m a <{KG}Mention> ; <{KG}lecture> ?l ; <{KG}concept> ?c ; <{KG}kind> ?kind }}""")
    plain = run_query(store, f"""SELECT ?l ?c ?kind WHERE {{
        {{ ?l <{SDO}about> ?c BIND("about" AS ?kind) }} UNION {{ ?l <{SDO}mentions> ?c BIND("mentions" AS ?kind) }} }}""")
    assert values(nodes) == values(plain) and len(nodes.rows) > 30
    one_way = run_query(store, f"""ASK {{ ?a <{SKOS}related> ?b FILTER NOT EXISTS {{ ?b <{SKOS}related> ?a }} }}""")
    assert one_way.boolean is False
    assert run_query(store, f"ASK {{ ?a <{SKOS}related> ?b }}").boolean


@pytest.fixture(scope="module")
def rdflib_graph(dump):
    graph = rdflib.Graph()
    graph.parse(str(dump / "graph.nt"), format="nt")
    return graph


@pytest.mark.parametrize("name, params", [
    ("lectures-about", {"concept": "RL"}), ("lectures-about", {"concept": "lora"}),
    ("related-concepts", {"concept": "災難性遺忘"}), ("prerequisites", {"concept": "BERT"}),
    ("most-connected-concepts", {"limit": "20"}), ("concepts-of-course", {"course": "ML-2021-ZH"}),
])
def test_rewritten_queries_give_the_same_rows_in_rdflib(store, rdflib_graph, name, params):
    """The .rq files are plain SPARQL 1.1 for any store: rdflib gives the same rows (terms
    compared by value: Oxigraph writes the decimal 1.0 as 1 and lower-cases language tags)."""
    query = canned_query(name)
    text = bind_parameters(query.text, params, query.params)

    def ours(term):
        if term is None:
            return None
        if isinstance(term, ox.Literal):
            if term.datatype.value.endswith("#decimal"):
                return Decimal(term.value)
            return (term.value, (term.language or "").lower())
        return term.value

    def theirs(term):
        if term is None:
            return None
        if isinstance(term, rdflib.Literal):
            if str(term.datatype or "").endswith("#decimal"):
                return Decimal(str(term))
            return (str(term), (term.language or "").lower())
        return str(term)

    expected = [tuple(ours(term) for term in row) for row in run_query(store, text).rows]
    answer = rdflib_graph.query(text)
    got = [tuple(theirs(row[i]) for i in range(len(answer.vars))) for row in answer]
    assert [str(v) for v in answer.vars] == run_query(store, text).variables
    assert got == expected and expected


# ---------------------------------------------------------------- parameters


def test_parameters_are_bound_as_escaped_terms_not_pasted(store):
    hostile = 'RL" } UNION { ?s ?p ?o } #'
    assert canned(store, "lectures-about", concept=hostile).rows == []
    text = bind_parameters("SELECT * { ?s ?p $x }", {"x": 'a"b\\c\nd'})
    assert text == 'SELECT * { ?s ?p "a\\"b\\\\c\\nd" }'
    [row] = run_query(store, bind_parameters('SELECT ($x AS ?v) {}', {"x": 'a"b\\u0022c\n'})).rows
    assert row[0].value == 'a"b\\u0022c\n'


def test_dollar_names_in_strings_iris_and_comments_stay(store):
    query = 'SELECT ?v { BIND("$x" AS ?v) FILTER(?v != <http://e.org/$x>) } # $x\n'
    assert bind_parameters(query + "VALUES ?w { $x }", {"x": "1"}) == query + 'VALUES ?w { "1" }'


def test_parameter_errors_are_clear():
    query = canned_query("lectures-about")
    with pytest.raises(QueryError, match="parameter concept is required"):
        bind_parameters(query.text, {}, query.params)
    with pytest.raises(QueryError, match="unknown parameter colour"):
        bind_parameters(query.text, {"colour": "red"}, query.params)
    limit = canned_query("most-connected-concepts")
    with pytest.raises(QueryError, match="not an integer"):
        bind_parameters(limit.text, {"limit": "5 } DROP ALL"}, limit.params)
    with pytest.raises(QueryError, match=r"no \$y"):
        bind_parameters("SELECT * { ?s ?p $x }", {"y": "1"})
    with pytest.raises(QueryError, match="no canned query named 'nope'"):
        canned_query("nope")


def test_header_declares_parameters():
    description, params = parse_header(canned_query("most-connected-concepts").text)
    assert description.startswith("The most connected concepts")
    assert [(p.name, p.type, p.default) for p in params] == [("limit", "integer", "20")]


# ---------------------------------------------------------------- formats


def test_json_is_the_sparql_results_format(store):
    result = canned(store, "course-lectures", course="ml-2021-en")
    document = json.loads(format_result(result, "json"))
    assert document["head"]["vars"] == ["order", "position", "title", "url"]
    first = document["results"]["bindings"][0]
    assert first["url"] == {"type": "uri", "value": "https://www.youtube.com/watch?v=8AKqH6V9kjE"}
    assert first["position"] == {"type": "literal", "value": "351",
                                 "datatype": "http://www.w3.org/2001/XMLSchema#integer"}
    assert first["title"]["xml:lang"] == "en"


@pytest.mark.parametrize("fmt, parser_format", [("json", ox.QueryResultsFormat.JSON), ("xml", ox.QueryResultsFormat.XML),
                                                ("tsv", ox.QueryResultsFormat.TSV)])
def test_formats_read_back_in_pyoxigraph(store, fmt, parser_format):
    query = canned_query("lectures-about")
    text = bind_parameters(query.text, {"concept": "RL"}, query.params)
    ours = format_result(run_query(store, text), fmt).encode("utf-8")
    expected = [[solution[i] for i in range(6)] for solution in store.query(text)]
    parsed = [[solution[i] for i in range(6)] for solution in ox.parse_query_results(ours, format=parser_format)]
    assert parsed == expected


def test_csv_and_table(store):
    result = canned(store, "lecture-concepts", lecture="353")
    table = list(csv.reader(io.StringIO(format_result(result, "csv"), newline="")))
    assert table[0] == ["concept", "label", "relation", "weight", "section", "snippet"]
    assert table[1][:3] == ["actor-critic", "Actor-Critic", "about"]
    text = format_result(result, "table")
    assert text.splitlines()[0].split() == ["concept", "label", "relation", "weight", "section", "snippet"]
    assert text.endswith("(2 rows)")


def test_ask_and_construct(store):
    assert format_result(run_query(store, "ASK { ?s a <https://schema.org/Course> }"), "json") == \
        '{"head": {}, "boolean": true}'
    graph = run_query(store, "CONSTRUCT { ?c a <https://schema.org/Course> } WHERE { ?c a <https://schema.org/Course> }")
    assert len(graph) == 4
    assert "course:ml-2021-zh" in format_result(graph, "table")
    assert len(list(ox.parse(format_result(graph, "tsv").encode(), format=ox.RdfFormat.N_TRIPLES))) == 4


def test_result_size_limit(store):
    with pytest.raises(ResultTooLarge, match="more than 10 rows"):
        run_query(store, "SELECT * WHERE { ?s ?p ?o }", max_results=10)
    assert len(run_query(store, "SELECT * WHERE { ?s ?p ?o } LIMIT 10", max_results=10)) == 10


def test_syntax_errors_name_line_and_column(store):
    with pytest.raises(QueryError, match=r"invalid SPARQL: line 2, column \d+"):
        run_query(store, "SELECT *\nWHERE { ?s ?p }")
    with pytest.raises(QueryError, match="updates are not allowed"):
        run_query(store, "PREFIX x: <http://e.org/>\nINSERT DATA { x:a x:b x:c }")


# ---------------------------------------------------------------- the command


def test_cli_canned_query_as_json(dump):
    done = runner.invoke(app, ["query", "--name", "lectures-about", "--param", "concept=RL", "--format", "json",
                               "--graph", str(dump)])
    assert done.exit_code == 0, done.output
    bindings = json.loads(done.stdout)["results"]["bindings"]
    assert [b["position"]["value"] for b in bindings] == RL_LECTURES


def test_cli_text_file_and_formats(dump, tmp_path):
    done = runner.invoke(app, ["query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--format", "csv", "-g", str(dump)])
    assert done.exit_code == 0, done.output
    lines = (dump / "graph.nt").read_bytes().count(b"\n")
    assert done.stdout_bytes == f"n\r\n{lines}\r\n".encode()  # CSV lines end in CRLF (RFC 4180)
    rq = tmp_path / "q.rq"
    rq.write_text("# Lectures of a course.\n# param course: id\nPREFIX schema: <https://schema.org/>\n"
                  "SELECT ?p WHERE { ?l schema:isPartOf/schema:identifier $course ; schema:position ?p } ORDER BY ?p",
                  encoding="utf-8")
    done = runner.invoke(app, ["query", "-f", str(rq), "-p", "course=ml-2022-zh", "--format", "tsv", "-g", str(dump)])
    assert done.exit_code == 0, done.output
    assert done.stdout.splitlines()[0] == "?p" and len(done.stdout.splitlines()) == 14  # 13 lectures of 2022
    done = runner.invoke(app, ["query", "--list"])
    assert done.exit_code == 0 and "lectures-about" in done.stdout and "--param concept=" in done.stdout


@pytest.mark.parametrize("args, message", [
    (["query", "SELECT * WHERE { ?s ?p }"], "invalid SPARQL: line 1, column"),
    (["query", "--name", "nope"], "no canned query named 'nope'"),
    (["query", "--name", "lectures-about"], "parameter concept is required"),
    (["query", "-p", "oops", "--name", "lectures-about"], "--param takes NAME=VALUE"),
    (["query", "SELECT * {}", "--format", "yaml"], "--format must be one of"),
    (["query"], "give exactly one query"),
])
def test_cli_errors_for_people(dump, args, message):
    done = runner.invoke(app, args + ["--graph", str(dump)])
    assert done.exit_code != 0
    assert message in done.stderr
    assert "Traceback" not in done.output


def test_cli_missing_graph(tmp_path):
    done = runner.invoke(app, ["query", "SELECT * {}", "--graph", str(tmp_path / "nothing")])
    assert done.exit_code == 1
    assert "no graph at" in done.stderr and "Traceback" not in done.output
