"""Canonical concepts across a catalog (kg.canonical): what merges, what never merges,
the evidence threshold, the generic-word filter and determinism."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from kg.canonical import canonicalize
from kg.catalog import read_catalogs
from kg.extract import make_extractor
from kg.normalize import comparable
from kg.records import Lecture, Section
from kg.vocabulary import default_vocabulary

ROOT = Path(__file__).resolve().parent.parent

VOCABULARY = """
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix c: <https://w3id.org/lecture-kg/concept/> .
c:machine-learning a skos:Concept ; skos:prefLabel "Machine Learning"@en , "機器學習"@zh-Hant .
c:reinforcement-learning a skos:Concept ; skos:prefLabel "Reinforcement Learning"@en , "強化學習"@zh-Hant ;
    skos:altLabel "RL"@en , "增強式學習"@zh-Hant ; skos:broader c:machine-learning .
c:actor-critic a skos:Concept ; skos:prefLabel "Actor-Critic"@en ; skos:broader c:reinforcement-learning .
c:generative-adversarial-network a skos:Concept ; skos:prefLabel "Generative Adversarial Network"@en ;
    skos:altLabel "GAN"@en ; skos:broader c:machine-learning .
c:adapter a skos:Concept ; skos:prefLabel "Adapter"@en , "適配器"@zh-Hant ; skos:broader c:machine-learning .
c:network-compression a skos:Concept ; skos:prefLabel "Network Compression"@en , "神經網路壓縮"@zh-Hant ;
    skos:broader c:machine-learning .
c:model a skos:Concept ; skos:prefLabel "Model"@en , "模型"@zh-Hant .
"""


def lecture(video: str, title: str, text: str = "", language: str = "zh") -> Lecture:
    sections = (Section("主要觀念", "concepts", text, 1),) if text else ()
    return Lecture(number=1, title=title, video_id=video, source="test", line=1, language=language,
                   summary=text, sections=sections)


def run(extract, vocabulary, *lectures: Lecture):
    return canonicalize([extract(item) for item in lectures], vocabulary)


def linked(mentions, video: str) -> set[str]:
    return {m.concept for m in mentions if m.video_id == video}


def key_of(concepts, label: str) -> str:
    found = [k for k, c in concepts.items() if any(comparable(t) == comparable(label) for t in c.all_labels())]
    assert len(found) == 1, (label, found)
    return found[0]


# ---- merging -------------------------------------------------------------------------------

def test_forms_of_reinforcement_learning_are_one_node(extract, vocabulary):
    concepts, mentions = run(
        extract, vocabulary,
        lecture("v1", "Reinforcement Learning"), lecture("v2", "RL 簡介"), lecture("v3", "強化學習"),
        lecture("v4", "增強式學習"), lecture("v5", "x", "all about reinforcement learning", language="en"),
    )
    assert {m.concept for m in mentions} == {"reinforcement-learning"}
    assert all(linked(mentions, f"v{i}") == {"reinforcement-learning"} for i in range(1, 6))


def test_narrower_concepts_stay_apart_and_point_to_the_broader(extract, vocabulary):
    concepts, mentions = run(
        extract, vocabulary,
        lecture("v1", "概述增強式學習 (Reinforcement Learning, RL) (三) - Actor-Critic"),
        lecture("v2", "概述增強式學習 (五) - 逆向增強式學習 (Inverse Reinforcement Learning, IRL)"),
    )
    irl = key_of(concepts, "Inverse Reinforcement Learning")
    assert irl != "reinforcement-learning"
    assert concepts[irl].broader == ("reinforcement-learning",)
    assert concepts["actor-critic"].broader == ("reinforcement-learning",)
    assert linked(mentions, "v1") == {"reinforcement-learning", "actor-critic"}
    assert {irl, "reinforcement-learning"} <= linked(mentions, "v2")


def test_translation_pair_and_later_chinese_or_abbreviation_join_one_node(extract, vocabulary):
    concepts, mentions = run(
        extract, vocabulary,
        lecture("v1", "神經網路壓縮 (一) - 大樂透假說 (Lottery Ticket Hypothesis)"),
        lecture("v2", "x", "再談大樂透假說（LTH）的實驗。"),
        lecture("v3", "x", "The Lottery Ticket Hypothesis (LTH) again.", language="en"),
    )
    key = key_of(concepts, "大樂透假說")
    assert key == "lottery-ticket-hypothesis"
    assert key_of(concepts, "LTH") == key
    assert {("en", "Lottery Ticket Hypothesis"), ("zh-Hant", "大樂透假說")} <= set(concepts[key].labels)
    assert concepts[key].origin == "discovered"
    assert all(key in linked(mentions, v) for v in ("v1", "v2", "v3"))


def test_discovered_form_of_a_vocabulary_concept_joins_it(extract, vocabulary):
    concepts, mentions = run(
        extract, vocabulary,
        lecture("v1", "x", "插入輕量的轉接模組（Adapter）到模型中。"),
    )
    assert linked(mentions, "v1") == {"adapter"}
    assert all(c.origin == "vocabulary" for c in concepts.values())


def test_gan_and_conditional_gan_stay_two_nodes(extract, vocabulary):
    concepts, mentions = run(
        extract, vocabulary,
        lecture("v1", "x", "條件式生成對抗網路（Conditional GAN, cGAN）能依條件生成。GAN 是基礎。"),
        lecture("v2", "生成式對抗網路 (Conditional GAN)"),
    )
    cgan = key_of(concepts, "Conditional GAN")
    assert cgan != "generative-adversarial-network"
    assert concepts[cgan].broader == ("generative-adversarial-network",)
    assert {cgan, "generative-adversarial-network"} <= linked(mentions, "v1")


def test_one_abbreviation_of_two_long_forms_merges_neither(extract, vocabulary):
    concepts, _ = run(
        extract, vocabulary,
        lecture("v1", "x", "Augmented Reality (AR) 眼鏡。"),
        lecture("v2", "x", "Autoregressive Decoding (AR) 一個一個產生。"),
    )
    assert key_of(concepts, "Augmented Reality") != key_of(concepts, "Autoregressive Decoding")


# ---- evidence and the generic-word filter --------------------------------------------------------

def test_weak_evidence_is_not_enough(extract, vocabulary):
    concepts, mentions = run(extract, vocabulary, lecture("v1", "x", "這是偶然的（Serendipitous）發現。"))
    assert not any(c.origin == "discovered" for c in concepts.values())
    assert not mentions


def test_weak_evidence_in_several_lectures_adds_up(extract, vocabulary):
    texts = ["風格向量（style vector）控制風格。", "調整風格向量（style vector）。", "風格向量（style vector）很好用。"]
    concepts, mentions = run(extract, vocabulary, *(lecture(f"v{i}", "x", t) for i, t in enumerate(texts)))
    key = key_of(concepts, "style vector")
    assert {m.video_id for m in mentions if m.concept == key} == {"v0", "v1", "v2"}


def test_generic_words_are_never_nodes(extract, vocabulary):
    text = "這個模型（Model）的方法（Method）與數據（Data）、問題（Problem）、結論（Conclusion）、文章（Article）。"
    concepts, mentions = run(extract, vocabulary, *(lecture(f"v{i}", "模型與方法", text) for i in range(4)))
    labels = {t for c in concepts.values() for t in c.all_labels()}
    assert not labels & {"模型", "方法", "數據", "問題", "結論", "文章", "Model", "Method", "Data", "Problem"}
    assert "model" not in concepts


# ---- output shape and determinism --------------------------------------------------------------

def test_concepts_include_vocabulary_ancestors_and_every_mention_has_its_concept(extract, vocabulary):
    concepts, mentions = run(extract, vocabulary, lecture("v1", "Actor-Critic"))
    assert {"actor-critic", "reinforcement-learning", "machine-learning"} <= set(concepts)
    assert all(m.concept in concepts for m in mentions)


def test_same_result_whatever_the_order(extract, vocabulary):
    items = [
        lecture("v1", "神經網路壓縮 - 大樂透假說 (Lottery Ticket Hypothesis, LTH)"),
        lecture("v2", "x", "再談大樂透假說（LTH）與 **Houlsby Adapter**，以及 Houlsby Adapter 的變體。"),
        lecture("v3", "x", "Progressive GAN (ProGAN) 與 StyleGAN，Conditional GAN (cGAN)。", language="en"),
        lecture("v4", "概述增強式學習 (Reinforcement Learning, RL) - Actor-Critic"),
    ]
    extractions = [extract(item) for item in items]
    first = canonicalize(extractions, vocabulary)
    for seed in range(3):
        shuffled = extractions[:]
        random.Random(seed).shuffle(shuffled)
        assert canonicalize(shuffled, vocabulary) == first


def test_discovered_keys_are_slugs_of_the_english_label(extract, vocabulary):
    concepts, _ = run(extract, vocabulary, lecture("v1", "x", "大樂透假說（Lottery Ticket Hypothesis）"),
                      lecture("v2", "x", "全新的名詞：影子蒸餾（Shadow Distillation）"))
    assert "lottery-ticket-hypothesis" in concepts
    assert "shadow-distillation" in concepts
    assert not set(concepts) - set(vocabulary.concepts) - {"lottery-ticket-hypothesis", "shadow-distillation"}


# ---- the seed with the curated vocabulary ---------------------------------------------------------

MUST_HAVE = {
    # concept label: lectures (catalog numbers) that must link to it
    "LoRA": {396}, "Diffusion Model": {394}, "Reinforcement Learning": {352, 353, 354, 355, 385},
    "Actor-Critic": {353}, "Inverse Reinforcement Learning": {355}, "Catastrophic Forgetting": {356, 357},
    "Life-long Learning": {356, 357, 359, 360}, "Network Pruning": {358}, "Lottery Ticket Hypothesis": {358},
    "Network Compression": {358, 364, 368, 369}, "Domain Adaptation": {351}, "Meta Learning": {365, 366, 384},
    "Self-supervised Learning": {371, 378}, "SUPERB": {370, 371}, "BERT": {383},
    "ChatGPT": {387, 388, 389, 390, 391}, "Adversarial Attack": {379, 380, 381}, "Backdoor Attack": {382},
    "Machine Unlearning": {390}, "Instruction Tuning": {397}, "In-context Learning": {397},
    "Mixture of Experts": {399}, "Adapter": {396}, "Prefix Tuning": {396}, "Self-attention": {376},
    "AlphaTensor": {385},
}


@pytest.fixture(scope="module")
def seed_graph():
    lectures = read_catalogs([ROOT / "seeds"]).lectures
    vocabulary = default_vocabulary()
    extract = make_extractor(vocabulary)
    concepts, mentions = canonicalize([extract(item) for item in lectures], vocabulary)
    numbers = {item.video_id: item.number for item in lectures}
    return concepts, mentions, numbers


@pytest.mark.parametrize("label", sorted(MUST_HAVE))
def test_seed_must_have_nodes_with_their_lectures(seed_graph, label):
    concepts, mentions, numbers = seed_graph
    key = key_of(concepts, label)
    lectures = {numbers[m.video_id] for m in mentions if m.concept == key}
    assert MUST_HAVE[label] <= lectures


def test_seed_reinforcement_learning_hierarchy(seed_graph):
    concepts, _, _ = seed_graph
    rl = key_of(concepts, "Reinforcement Learning")
    for narrower in ("Actor-Critic", "Inverse Reinforcement Learning"):
        key = key_of(concepts, narrower)
        assert key != rl

        def ancestors(k: str) -> set[str]:
            found, stack = set(), list(concepts[k].broader)
            while stack:
                parent = stack.pop()
                if parent not in found:
                    found.add(parent)
                    stack.extend(concepts[parent].broader if parent in concepts else ())
            return found

        assert rl in ancestors(key)
