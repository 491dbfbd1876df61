"""Relations between concepts and lectures (issue 4): broader from patterns, related by
NPMI, requires as a DAG, teaches / needs, and the teaching order of courses."""

from __future__ import annotations

import doctest
from functools import cache
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kg.relate
from kg.graph import base_graph, edges_of
from kg.records import Concept, Lecture, Mention
from kg.relate import (
    LabelMatcher, add_pattern_broader, break_cycles, cooccurrence_npmi, find_pattern_relations,
    load_patterns, npmi, part_order_pairs, reference_distance_pairs, relate, sentences,
)

ROOT = Path(__file__).resolve().parent.parent


# --- small hand-made catalogs -----------------------------------------------------------

def concept(key: str, en: str, zh: str | None = None, alt: tuple[str, ...] = (), broader=(), requires=()) -> Concept:
    labels = (("en", en),) + ((("zh-Hant", zh),) if zh else ())
    return Concept(key, labels, tuple(("en", a) for a in alt), tuple(broader), tuple(requires))


def lecture(number: int, title: str = "", summary: str = "", **fields) -> Lecture:
    return Lecture(number, title or f"lecture {number}", f"vid{number:08d}", "test.md", number, summary=summary, **fields)


def about(number: int, key: str, weight: float = 1.0) -> Mention:
    return Mention(f"vid{number:08d}", key, "about", weight, "title", "")


def mentions(number: int, key: str, weight: float = 0.5) -> Mention:
    return Mention(f"vid{number:08d}", key, "mentions", weight, "core", "")


def L(number: int) -> str:
    return f"L:vid{number:08d}"


# --- doctests are part of the contract -----------------------------------------------------

def test_module_examples_run():
    result = doctest.testmod(kg.relate)
    assert result.attempted > 20 and result.failed == 0


# --- NPMI ---------------------------------------------------------------------------------

def test_npmi_bounds_and_chance_level():
    assert npmi(5, 5, 5, 50) == pytest.approx(1.0)
    assert npmi(1, 10, 10, 100) == pytest.approx(0.0, abs=1e-9)
    assert npmi(0, 3, 3, 10) == -1.0
    assert npmi(1, 10, 20, 100) < 0  # met less often than chance


def test_cooccurrence_needs_two_meetings_and_discounts_ubiquitous_concepts():
    docs = [{"cf", "ll", "ml"}, {"cf", "ll", "ml"}, {"dm", "ml"}, {"dm", "ml"}, {"ml"}, {"ml", "x", "y"}]
    pairs = cooccurrence_npmi(docs)
    assert ("cf", "ll") in pairs and pairs[("cf", "ll")][1] == 2
    assert ("x", "y") not in pairs  # met once: not evidence
    # dm meets ml twice, but ml is in every document: that is chance, not relatedness
    assert npmi(2, 2, 6, 6) == pytest.approx(0.0, abs=1e-9) and ("dm", "ml") not in pairs
    assert all(a < b for a, b in pairs)


def related_catalog() -> tuple[list[Lecture], dict[str, Concept], list[Mention]]:
    concepts = {c.key: c for c in [
        concept("ll", "Life-long Learning"), concept("cf", "Catastrophic Forgetting"),
        concept("dm", "Diffusion Model"), concept("ml", "Machine Learning"),
        concept("gm", "Generative Model", broader=("ml",)), concept("vae", "VAE", broader=("gm",)),
    ]}
    lectures = [lecture(n) for n in range(1, 9)]
    links = [about(1, "ll"), mentions(1, "cf"), about(2, "cf"), about(2, "ll"), about(3, "cf"), mentions(3, "ll"),
             about(4, "dm"), mentions(4, "gm"), mentions(4, "vae"), about(5, "dm"), mentions(5, "gm"),
             mentions(5, "vae"), about(6, "ml"), about(7, "vae"), mentions(7, "gm"), about(8, "ml"),
             mentions(8, "cf")]
    return lectures, concepts, links


def test_related_edges_once_per_pair_lower_id_first_and_not_along_broader():
    graph = relate(*related_catalog(), None)
    related = {(u, v): d for u, v, d in edges_of(graph, "related")}
    assert ("C:cf", "C:ll") in related and ("C:ll", "C:cf") not in related
    assert related[("C:cf", "C:ll")]["provenance"] == "cooccurrence"
    assert 0 < related[("C:cf", "C:ll")]["weight"] <= 1 and related[("C:cf", "C:ll")]["count"] == 3
    assert ("C:cf", "C:dm") not in related
    # dm and vae co-occur as much as dm and gm, but gm is broader than vae: not "related"
    assert ("C:dm", "C:vae") in related
    assert ("C:gm", "C:vae") not in related


def test_translations_count_once_in_cooccurrence():
    concepts = {"a": concept("a", "A"), "b": concept("b", "B"), "c": concept("c", "C")}
    zh = lecture(1, language="zh", counterpart="vid00000002")
    en = lecture(2, language="en", counterpart="vid00000001")
    lectures = [zh, en, lecture(3), lecture(4), lecture(5)]
    links = [about(1, "a"), about(1, "b"), about(2, "a"), about(2, "b"), about(3, "c"), about(4, "c"), about(5, "a")]
    graph = relate(lectures, concepts, links, None)
    assert graph.has_edge(L(2), L(1), "translation_of")
    # a and b met in one work only (a lecture and its English version): not related
    assert not any(True for _ in edges_of(graph, "related"))


# --- broader from textual patterns --------------------------------------------------------------

def pattern_matcher() -> LabelMatcher:
    from kg.normalize import fold

    labels = {"生成對抗網路": "gan", "GAN": "gan", "深度學習": "dl", "Conditional GAN": "cgan", "cGAN": "cgan",
              "自督導式學習": "ssl", "無監督學習": "ul", "正則化": "reg", "Dropout": "dropout",
              "Batch Normalization": "bn", "BN": "bn", "神經網路": "nn", "LoRA": "lora",
              "參數高效微調": "peft", "Transformer": "transformer", "neural network architecture": "arch",
              "Adam": "adam", "SGD": "sgd", "optimizer": "opt", "優化器": "opt"}
    folded: dict[str, set[str]] = {}
    for label, key in labels.items():
        folded.setdefault(fold(label), set()).add(f"C:{key}")
    return LabelMatcher(folded)


@pytest.mark.parametrize("text, expected", [
    ("**生成對抗網路（GAN）** 是一種深度學習模型，由 Ian Goodfellow 提出。", {("C:gan", "C:dl")}),
    ("Conditional GAN (cGAN) 是一種利用有標籤數據進行訓練的生成對抗網路，能夠生成圖片。", {("C:cgan", "C:gan")}),
    ("自督導式學習是一種無監督學習方法，通過設計偽任務學習。", {("C:ssl", "C:ul")}),
    ("LoRA 是參數高效微調的一種。", {("C:lora", "C:peft")}),
    ("常見的正則化技術，例如 Dropout、BN 等。", {("C:dropout", "C:reg"), ("C:bn", "C:reg")}),
    ("使用優化器（如 Adam、SGD）訓練。", {("C:adam", "C:opt"), ("C:sgd", "C:opt")}),
    ("The Transformer is a neural network architecture that relies on attention.", {("C:transformer", "C:arch")}),
    ("We compare optimizers such as Adam and SGD.", {("C:adam", "C:opt"), ("C:sgd", "C:opt")}),
    # not "a kind of": BN is a technique for training networks, not a network
    ("BN是一種用於加速神經網路訓練的技術，通過規格化處理。", set()),
    ("除了BN，還有其他方法，例如 Dropout 的選擇和架構設計。", set()),
])
def test_patterns_find_kind_of_statements(text, expected):
    matcher, patterns = pattern_matcher(), load_patterns()
    found = set()
    for sentence in sentences(text):
        found |= {(x, y) for x, y, _ in find_pattern_relations(sentence, matcher, patterns)}
    assert found == expected


def test_patterns_are_data_in_the_ontology_folder():
    rows = (ROOT / "ontology" / "relation-patterns.tsv").read_text(encoding="utf-8")
    names = {p.name for p in load_patterns()}
    assert {"shi-yizhong", "y-liru-x", "en-is-a", "en-such-as"} <= names
    assert all(name in rows for name in names)
    assert all(0 < p.confidence <= 1 for p in load_patterns())


def test_pattern_broader_needs_concepts_linked_to_the_lecture_and_respects_the_hierarchy():
    concepts = {c.key: c for c in [
        concept("gan", "GAN", "生成對抗網路"), concept("dl", "Deep Learning", "深度學習"),
        concept("ml", "Machine Learning", "機器學習"), concept("cgan", "Conditional GAN", broader=("gan",)),
        concept("ai", "Artificial Intelligence", "人工智慧"),
    ]}
    concepts["dl"] = concept("dl", "Deep Learning", "深度學習", broader=("ml",))
    concepts["gan"] = concept("gan", "GAN", "生成對抗網路", broader=("ml",))
    lectures = [
        lecture(1, summary="GAN 是一種深度學習模型，用於生成。"),
        lecture(2, summary="GAN 是一種深度學習模型，用於生成。"),
        lecture(3, summary="GAN 是一種機器學習模型，用於生成。"),         # already implied
        lecture(4, summary="Conditional GAN 是一種 GAN，可以按條件生成。"),  # already stated
        lecture(5, summary="機器學習是一種生成對抗網路，用於生成。"),        # would make a cycle
        lecture(6, summary="人工智慧是一種深度學習模型，用於生成。"),        # ai not linked here
    ]
    links = [about(1, "gan"), mentions(1, "dl"), about(2, "gan"), mentions(2, "dl"), about(3, "gan"),
             mentions(3, "ml"), about(4, "cgan"), mentions(4, "gan"), about(5, "ml"), mentions(5, "gan"),
             mentions(6, "dl")]
    graph = base_graph(lectures, concepts, links)
    assert add_pattern_broader(graph) == 1
    edge = graph.edges["C:gan", "C:dl", "broader"]
    assert edge["provenance"] == "pattern"
    assert edge["weight"] == pytest.approx(1 - (1 - 0.7) ** 2)  # two lectures say it
    assert edge["lectures"] == (L(1), L(2))
    assert graph.edges["C:cgan", "C:gan", "broader"]["provenance"] == "vocabulary"
    assert not graph.has_edge("C:ml", "C:gan", "broader")
    assert not graph.has_edge("C:ai", "C:dl", "broader")
    assert nx.is_directed_acyclic_graph(nx.DiGraph([(u, v) for u, v, _ in edges_of(graph, "broader")]))


# --- requires ---------------------------------------------------------------------------------

def test_part_order_needs_a_reference_back():
    parts = [({"rl": 1.0}, {"rl"}), ({"pg": 1.0}, {"pg", "rl"}), ({"gan": 1.0}, {"gan"})]
    found = part_order_pairs(parts)
    assert set(found) == {("pg", "rl")}
    assert found[("pg", "rl")] == pytest.approx(0.6)


def test_reference_distance_is_asymmetric():
    # B (taught second) mentions A everywhere; A's lectures never mention B
    course = [({"a": 1.0}, {"a"}), ({"a": 1.0}, {"a"}), ({"b": 1.0}, {"a", "b"}), ({"b": 1.0}, {"a", "b"})]
    assert reference_distance_pairs(course) == {("b", "a"): 1.0}
    # A's lectures mention B as much as B's mention A: order alone says nothing
    course = [({"a": 1.0}, {"a", "b"}), ({"b": 1.0}, {"a", "b"})]
    assert reference_distance_pairs(course) == {}
    # B taught first: no evidence that B needs A
    course = [({"b": 1.0}, {"a", "b"}), ({"a": 1.0}, {"a"})]
    assert reference_distance_pairs(course) == {}


def test_break_cycles_drops_the_weakest_edge_of_each_cycle():
    edges = {("a", "b"): 0.9, ("b", "c"): 0.8, ("c", "a"): 0.4, ("c", "d"): 0.3, ("d", "c"): 0.7}
    kept, dropped = break_cycles(edges)
    assert dropped == [("c", "a"), ("c", "d")]
    assert nx.is_directed_acyclic_graph(nx.DiGraph(kept))


def test_break_cycles_ties_prefer_curated_then_ids():
    edges = {("a", "b"): 0.5, ("b", "a"): 0.5}
    assert break_cycles(edges)[1] == [("b", "a")]
    assert break_cycles(edges, curated=[("b", "a")])[1] == [("a", "b")]


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.tuples(st.sampled_from("abcdef"), st.sampled_from("abcdef")),
                       st.sampled_from([0.3, 0.5, 0.6, 0.8, 1.0]), max_size=25))
def test_break_cycles_always_gives_a_dag_and_drops_only_cycle_closers(edges):
    kept, dropped = break_cycles(edges)
    assert set(kept) | set(dropped) == set(edges) and not set(kept) & set(dropped)
    dag = nx.DiGraph(kept)
    assert nx.is_directed_acyclic_graph(dag)
    for u, v in dropped:
        # putting a dropped edge back closes a cycle of kept edges at least as strong
        stronger = nx.DiGraph([e for e in kept if edges[e] >= edges[(u, v)]])
        stronger.add_nodes_from([u, v])
        assert u == v or nx.has_path(stronger, v, u)
    assert break_cycles(dict(reversed(list(edges.items())))) == (kept, dropped)  # order-independent


def rl_catalog() -> tuple[list[Lecture], dict[str, Concept], list[Mention]]:
    concepts = {c.key: c for c in [
        concept("ml", "Machine Learning"), concept("rl", "Reinforcement Learning", broader=("ml",)),
        concept("pg", "Policy Gradient", broader=("rl",)), concept("ac", "Actor-Critic", broader=("rl",),
                                                                   requires=("pg",)),
        concept("vf", "Value Function"), concept("gan", "GAN"),
    ]}
    course = dict(course_id="ml-zh", course_name="ML", series="ml-zh|RL", part_total=3)
    lectures = [lecture(1, "RL (1/3)", part=1, **course), lecture(2, "RL (2/3)", part=2, **course),
                lecture(3, "RL (3/3)", part=3, **course), lecture(4, "GAN", course_id="ml-zh", course_name="ML"),
                lecture(5, "Value", course_id="ml-zh", course_name="ML")]
    links = [about(1, "rl"), about(2, "rl"), about(2, "pg"), about(3, "rl"), about(3, "ac"), mentions(3, "pg"),
             mentions(3, "vf"), about(4, "gan"), about(5, "vf"), mentions(5, "ac"), mentions(1, "ml")]
    return lectures, concepts, links


def test_requires_combines_curated_broader_and_order_evidence():
    graph = relate(*rl_catalog(), None)
    requires = {(u, v): d for u, v, d in edges_of(graph, "requires")}
    assert requires[("C:ac", "C:pg")]["weight"] == 1.0
    assert requires[("C:ac", "C:pg")]["provenance"].startswith("vocabulary")
    assert requires[("C:pg", "C:rl")]["provenance"] == "broader+part-order"
    assert requires[("C:pg", "C:rl")]["weight"] == pytest.approx(1 - 0.5 * (1 - 0.6 * (1 - 3 / 5)), abs=1e-3)
    assert dict(requires[("C:pg", "C:rl")]["evidence"]).keys() == {"broader", "part-order"}
    assert all(0 < d["weight"] <= 1 and d["provenance"] for d in requires.values())
    # value function is taught after actor-critic in the course, and its lecture
    # refers back to actor-critic: vf -> ac by course order, never ac -> vf
    assert ("C:ac", "C:vf") not in requires
    assert nx.is_directed_acyclic_graph(nx.DiGraph(list(requires)))


def test_curated_cycle_is_broken_at_the_weaker_edge():
    concepts = {"a": concept("a", "A", requires=("b",)), "b": concept("b", "B", broader=("a",))}
    graph = relate([lecture(1)], concepts, [about(1, "a")], None)
    requires = {(u, v) for u, v, _ in edges_of(graph, "requires")}
    assert requires == {("C:a", "C:b")}  # b -> a (broader, 0.5) loses to the curated a -> b


def test_vocabulary_requires_are_added_even_when_the_records_lack_them():
    class Vocab(dict):
        pass

    concepts = {"a": concept("a", "A"), "b": concept("b", "B")}
    vocabulary = Vocab(a=concept("a", "A", requires=("b",)), b=concept("b", "B"))
    graph = relate([lecture(1)], concepts, [about(1, "a")], vocabulary)
    assert graph.edges["C:a", "C:b", "requires"]["provenance"] == "vocabulary"


def test_teaches_and_needs():
    graph = relate(*rl_catalog(), None)
    teaches = {(u, v) for u, v, _ in edges_of(graph, "teaches")}
    needs = {(u, v): d for u, v, d in edges_of(graph, "needs")}
    assert (L(3), "C:ac") in teaches and (L(3), "C:rl") in teaches and (L(3), "C:pg") not in teaches
    assert (L(3), "C:pg") in needs and needs[(L(3), "C:pg")]["weight"] == 1.0
    assert (L(3), "C:rl") not in needs  # taught there itself
    assert all(graph.has_edge(u, v, "requires") or any(
        graph.has_edge(c, v, "requires") for c in graph.successors(u) if graph.has_edge(u, c, "teaches"))
        for u, v in needs)


# --- teaching order of a course ----------------------------------------------------------------

def test_course_positions_follow_parts_not_upload_order():
    course = dict(course_id="ml-2021-zh", course_name="ML")
    lectures = [
        lecture(301, "訓練 (四)", date="2021-03-12", series="ml|訓練", part=4, **course),
        lecture(302, "訓練 (三)", date="2021-03-12", series="ml|訓練", part=3, **course),
        lecture(303, "自注意力 (上)", date="2021-03-12", series="ml|sa", part=1, **course),
        lecture(311, "訓練 (五)", date="2021-03-26", series="ml|訓練", part=5, **course),
        lecture(312, "Transformer (上)", date="2021-03-26", series="ml|tf", part=1, **course),
        lecture(313, "自注意力 (下)", date="2021-03-26", series="ml|sa", part=2, **course),
        lecture(327, "BERT", **course),  # undated: uploaded after 313
    ]
    graph = base_graph(lectures, {}, [])
    order = sorted(edges_of(graph, "part_of"), key=lambda e: e[2]["position"])
    assert [graph.nodes[u]["record"].number for u, _, _ in order] == [302, 301, 311, 303, 313, 312, 327]


def test_course_positions_use_lecture_numbers_first():
    course = dict(course_id="ml-en", course_name="ML")
    lectures = [lecture(10, "Lecture 3", course_position=3, **course),
                lecture(11, "Lecture 1", course_position=1, **course),
                lecture(12, "Lecture 2", course_position=2, **course)]
    graph = base_graph(lectures, {}, [])
    positions = {graph.nodes[u]["record"].number: d["position"] for u, _, d in edges_of(graph, "part_of")}
    assert positions == {11: 1, 12: 2, 10: 3}


# --- on the seed and the shared catalog pages ---------------------------------------------

@cache
def catalog_inputs():
    """(lectures, concepts, mentions, vocabulary) of the seed and the shared pages,
    through the real pipeline: read -> extract -> canonicalize."""
    from kg.build import BuildOptions
    from kg.canonical import canonicalize
    from kg.catalog import read_catalogs
    from kg.extract_runner import extract_all
    from kg.vocabulary import default_vocabulary

    inputs = [ROOT / "seeds", ROOT / "tests" / "data"]
    lectures = read_catalogs(inputs).lectures
    vocabulary = default_vocabulary()
    extractions = extract_all(lectures, vocabulary, BuildOptions(inputs=inputs, cache=None, jobs=1))
    concepts, links = canonicalize(extractions, vocabulary)
    return lectures, concepts, links, vocabulary


@cache
def build_catalog_graph() -> nx.MultiDiGraph:
    return relate(*catalog_inputs())


@pytest.fixture(scope="module")
def catalog_graph():
    return build_catalog_graph()


def test_requires_is_a_weighted_dag_on_the_catalog(catalog_graph):
    requires = edges_of(catalog_graph, "requires")
    assert len(requires) > 50
    assert nx.is_directed_acyclic_graph(nx.DiGraph([(u, v) for u, v, _ in requires]))
    assert all(0 < d["weight"] <= 1 and d["provenance"] for _, _, d in requires)
    kinds = {kind for _, _, d in requires for kind in d["provenance"].split("+")}
    assert {"vocabulary", "broader", "part-order", "course-order"} <= kinds
    assert catalog_graph.edges["C:actor-critic", "C:policy-gradient", "requires"]["weight"] == 1.0


def test_related_spot_checks_on_the_catalog(catalog_graph):
    related = {(u, v): d for u, v, d in edges_of(catalog_graph, "related")}
    assert all(u < v and d["provenance"] == "cooccurrence" and d["count"] >= 2 for (u, v), d in related.items())
    assert ("C:catastrophic-forgetting", "C:life-long-learning") in related
    assert ("C:catastrophic-forgetting", "C:diffusion-model") not in related
    assert ("C:diffusion-model", "C:life-long-learning") not in related
    neighbours = {v for u, v in related if u == "C:catastrophic-forgetting"} | {
        u for u, v in related if v == "C:catastrophic-forgetting"}
    assert "C:life-long-learning" in neighbours and "C:diffusion-model" not in neighbours
    # frequent concepts are discounted: a pair must beat chance, not just meet often
    assert all(d["weight"] >= kg.relate.NPMI_THRESHOLD for d in related.values())


def test_every_added_edge_has_weight_and_provenance(catalog_graph):
    for relation in ("broader", "related", "requires", "teaches", "needs"):
        for u, v, d in edges_of(catalog_graph, relation):
            assert 0 < d["weight"] <= 1 and isinstance(d["provenance"], str) and d["provenance"], (relation, u, v)
    broader = [(u, v) for u, v, _ in edges_of(catalog_graph, "broader")]
    assert nx.is_directed_acyclic_graph(nx.DiGraph(broader))


def test_relate_is_deterministic(catalog_graph):
    again = relate(*catalog_inputs())
    for relation in ("broader", "related", "requires", "needs"):
        first = [(u, v, d["weight"], d["provenance"]) for u, v, d in edges_of(catalog_graph, relation)]
        second = [(u, v, d["weight"], d["provenance"]) for u, v, d in edges_of(again, relation)]
        assert first == second, relation
