"""Concept extraction from one lecture (kg.extract, kg.discover, kg.normalize).

Most tests use a small vocabulary written here, so that they pin the extractor's
behaviour whatever the curated vocabulary holds; the seed tests use the real one.
"""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

from kg.catalog import read_catalogs
from kg.extract import Extraction, clean_title, exact_case, make_extractor
from kg.normalize import fold, fold_chars, is_generic, number_variants
from kg.records import Lecture, Section
from kg.vocabulary import default_vocabulary

ROOT = Path(__file__).resolve().parent.parent

VOCABULARY = """
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix c: <https://w3id.org/lecture-kg/concept/> .
c:artificial-intelligence a skos:Concept ; skos:prefLabel "Artificial Intelligence"@en , "人工智慧"@zh-Hant ;
    skos:altLabel "AI"@en .
c:machine-learning a skos:Concept ; skos:prefLabel "Machine Learning"@en , "機器學習"@zh-Hant ;
    skos:altLabel "ML"@en ; skos:broader c:artificial-intelligence .
c:reinforcement-learning a skos:Concept ; skos:prefLabel "Reinforcement Learning"@en , "強化學習"@zh-Hant ;
    skos:altLabel "RL"@en , "增強式學習"@zh-Hant , "強化学习"@zh-Hans ; skos:broader c:machine-learning .
c:actor-critic a skos:Concept ; skos:prefLabel "Actor-Critic"@en ; skos:broader c:reinforcement-learning .
c:inverse-reinforcement-learning a skos:Concept ; skos:prefLabel "Inverse Reinforcement Learning"@en ;
    skos:altLabel "IRL"@en , "Inverse RL"@en , "逆向增強式學習"@zh-Hant ; skos:broader c:reinforcement-learning .
c:generative-adversarial-network a skos:Concept ; skos:prefLabel "Generative Adversarial Network"@en ,
    "生成式對抗網路"@zh-Hant ; skos:altLabel "GAN"@en ; skos:broader c:machine-learning .
c:conditional-gan a skos:Concept ; skos:prefLabel "Conditional GAN"@en ; skos:altLabel "cGAN"@en ;
    skos:broader c:generative-adversarial-network .
c:life-long-learning a skos:Concept ; skos:prefLabel "Life-long Learning"@en , "終身學習"@zh-Hant ;
    skos:altLabel "LL"@en ; skos:broader c:machine-learning .
c:neural-network a skos:Concept ; skos:prefLabel "Neural Network"@en , "類神經網路"@zh-Hant ;
    skos:broader c:machine-learning .
c:network-compression a skos:Concept ; skos:prefLabel "Network Compression"@en , "神經網路壓縮"@zh-Hant ;
    skos:broader c:neural-network .
c:network-pruning a skos:Concept ; skos:prefLabel "Network Pruning"@en , "網路剪枝"@zh-Hant ;
    skos:altLabel "Pruning"@en ; skos:broader c:network-compression .
c:model a skos:Concept ; skos:prefLabel "Model"@en , "模型"@zh-Hant .
c:softmax a skos:Concept ; skos:prefLabel "Softmax"@en ; skos:broader c:neural-network .
c:multilayer-perceptron a skos:Concept ; skos:prefLabel "Feed-forward Network"@en , "前饋網路"@zh-Hant ;
    skos:broader c:neural-network .
c:low-rank-approximation a skos:Concept ; skos:prefLabel "Low-rank Approximation"@en , "低秩近似"@zh-Hant ;
    skos:broader c:machine-learning .
c:mamba a skos:Concept ; skos:prefLabel "Mamba"@en ; skos:broader c:neural-network .
c:cross-entropy-loss a skos:Concept ; skos:prefLabel "Cross-entropy Loss"@en , "交叉熵損失"@zh-Hant ;
    skos:broader c:machine-learning .
c:classification a skos:Concept ; skos:prefLabel "Classification"@en , "分類"@zh-Hant ;
    skos:broader c:machine-learning .
c:adversarial-example a skos:Concept ; skos:prefLabel "Adversarial Example"@en , "對抗樣本"@zh-Hant ;
    skos:broader c:neural-network .
c:elmo a skos:Concept ; skos:prefLabel "ELMo"@en ; skos:altLabel "ELMO"@en ; skos:broader c:neural-network .
c:embedding a skos:Concept ; skos:prefLabel "Embedding"@en ; skos:broader c:neural-network .
c:rl-state a skos:Concept ; skos:prefLabel "RL State"@en ; skos:altLabel "State"@en , "狀態"@zh-Hant ;
    skos:broader c:reinforcement-learning .
c:transformer a skos:Concept ; skos:prefLabel "Transformer"@en ; skos:broader c:neural-network ;
    <https://w3id.org/lecture-kg/ontology#requires> c:layer-normalization .
c:layer-normalization a skos:Concept ; skos:prefLabel "Layer Normalization"@en , "層正規化"@zh-Hant ;
    skos:broader c:neural-network .
c:loss-function a skos:Concept ; skos:prefLabel "Loss Function"@en , "損失函數"@zh-Hant ;
    skos:broader c:machine-learning .
"""


def lecture(title: str, *sections: tuple[str, str, str], video: str = "vid00000001", language: str = "zh") -> Lecture:
    """A lecture record; sections are (heading, kind, text)."""
    parts = tuple(Section(heading, kind, text, 1) for heading, kind, text in sections)
    return Lecture(number=1, title=title, video_id=video, source="test", line=1, language=language,
                   summary="\n".join(text for _, _, text in sections), sections=parts)


def keys(extraction: Extraction, kind: str | None = None) -> set[str]:
    return {m.concept for m in extraction.mentions if kind is None or m.kind == kind}


# ---- normalisation ----------------------------------------------------------------------

def test_folding_keeps_offsets_and_merges_scripts_and_widths():
    text = "Ｌｉｆｅ-Long\n Learning與強化學習、强化学习"
    assert len(fold_chars(text)) == len(text)
    assert fold("Ｌｉｆｅ-Long  Learning") == fold("life long learning")
    assert fold("強化學習") == fold("强化学习") == fold("強化学习")


def test_english_plurals_are_variants():
    assert "generative adversarial networks" in number_variants("generative adversarial network")
    assert "policy" in number_variants("policies")


def test_generic_words_are_recognised():
    for word in ("模型", "方法", "學習", "問題", "數據", "結論", "小節", "文章", "model", "Methods", "Future Directions"):
        assert is_generic(word), word
    assert not is_generic("Lottery Ticket Hypothesis")
    assert not is_generic("大樂透假說")


def test_short_capital_abbreviations_are_case_sensitive():
    assert exact_case("RL") and exact_case("LL") and exact_case("GAN")
    assert not exact_case("Reinforcement Learning") and not exact_case("LoRA")


# ---- vocabulary matching ------------------------------------------------------------------

def test_every_way_of_writing_a_concept_is_one_concept(extract):
    text = ("Reinforcement Learning 又叫 RL，中文是強化學習或增強式學習；reinforcement learning、"
            "Reinforcement-Learning 與夾雜簡體的強化学习都是它。")
    result = extract(lecture("講座", ("核心主題", "core", text)))
    assert keys(result) == {"reinforcement-learning"}
    surfaces = {m.surface for m in result.mentions}
    assert surfaces  # the evidence keeps the form as written


def test_abbreviations_do_not_fire_inside_words_or_in_lower_case(extract):
    text = "We will call the URL, control ALL things; rl and ll are not abbreviations here."
    found = keys(extract(lecture("x", ("主要觀念", "concepts", text))))
    assert not found & {"reinforcement-learning", "life-long-learning"}


def test_longest_match_wins_but_shorter_concept_elsewhere_counts(extract):
    only_long = extract(lecture("x", ("主要觀念", "concepts", "這裡介紹 Conditional GAN 的做法。")))
    assert keys(only_long) == {"conditional-gan"}
    both = extract(lecture("x", ("主要觀念", "concepts", "Conditional GAN 是 GAN 的一種。")))
    assert keys(both) == {"conditional-gan", "generative-adversarial-network"}


def test_plural_and_full_width_forms_match(extract):
    result = extract(lecture("x", ("主要觀念", "concepts", "Generative Adversarial Networks 與 ＧＡＮ")))
    assert keys(result) == {"generative-adversarial-network"}


def test_garbled_markup_inside_terms_still_matches(extract):
    text = ("- **Inverse Reinforcement Learning (IRL)**：從示範學習。\n"
            "- 通過.Actor*與_reinforcement learning_ 的 <Conditional GAN> 訓練")
    result = extract(lecture("x", ("主要觀念", "concepts", text)))
    assert {"inverse-reinforcement-learning", "reinforcement-learning", "conditional-gan"} <= keys(result)


def test_generic_words_are_never_concepts(extract):
    text = "這個模型 (Model) 的方法 (Method) 與數據 (Data) 的結論 (Conclusion)。"
    result = extract(lecture("模型與方法", ("核心主題", "core", text)))
    assert "model" not in keys(result)
    labels = {label for concept in result.discovered for _, label in concept.labels + concept.alt_labels}
    assert not labels & {"模型", "方法", "數據", "結論", "Model", "Method", "Data", "Conclusion"}


def test_summaries_half_in_english_half_in_chinese_still_match(extract):
    text = ("模型由 self-attention 和 feed-forward 網絡組成，並用 Soft-Max函數；"
            "另可用低秩 approximation 簡化，以及防禦敵對樣本。")
    assert {"multilayer-perceptron", "softmax", "low-rank-approximation", "adversarial-example"} <= \
        keys(extract(lecture("x", ("主要觀念", "concepts", text))))


def test_a_garbled_name_one_letter_off_is_the_known_name(extract):
    result = extract(lecture("x", ("結論", "conclusion", "未來可探索其他結構（如MEMBA等）。")))
    assert "mamba" in keys(result)
    assert not result.discovered  # not a new concept "MEMBA"


def test_a_pair_naming_a_known_concept_counts_for_it_and_teaches_its_chinese_form(extract):
    text_core = "選擇電熵損失函數（cross-entropy loss）訓練分類器。"
    text_more = "電熵損失函數的梯度較大。\n結論：電熵損失函數較好。"
    result = extract(lecture("【機器學習2021】分類 (Classification)", ("核心主題", "core", text_core),
                             ("主要觀念", "concepts", text_more)))
    found = keys(result)
    assert "cross-entropy-loss" in found and not any(k.endswith("-discovered") for k in found)
    sections = {m.section for m in result.mentions if m.concept == "cross-entropy-loss"}
    assert sections == {"核心主題", "主要觀念"}  # the Chinese form the pair introduced, found again
    assert "loss-function" not in keys(result)  # the longer form wins over 損失函數 inside it


def test_structural_headings_and_acronym_expansions_name_no_extra_concepts(extract):
    result = extract(lecture("x", ("小節分類整理", "other", "- **ELMO (Embeddings from Language Modeling)**：早期模型。")))
    found = keys(result)
    assert "elmo" in found
    assert not found & {"classification", "embedding"}


def test_context_labels_count_only_next_to_their_area(extract):
    rl = extract(lecture("x", ("主要觀念", "concepts", "在強化學習中，智能體觀察狀態（State）並行動。")))
    assert "rl-state" in keys(rl, "mentions") and "rl-state" not in keys(rl, "about")
    plain = extract(lecture("x", ("主要觀念", "concepts", "模型的狀態會改變。")))
    assert "rl-state" not in keys(plain)
    lower = extract(lecture("x", ("主要觀念", "concepts", "強化學習與 RNN 的 hidden states。")))
    assert "rl-state" not in keys(lower)


def test_core_concepts_that_are_parts_of_the_title_topic_are_main_topics(extract):
    core = "文章說明 Transformer 中的層正規化（Layer Normalization），並用損失函數訓練。"
    result = extract(lecture("【機器學習2021】Transformer (上)", ("核心主題", "core", core),
                             ("主要觀念", "concepts", "Layer Normalization 穩定訓練；損失函數為交叉熵。"),
                             ("解決方法", "solutions", "層正規化放在 residual 之後。")))
    about = keys(result, "about")
    assert {"transformer", "layer-normalization"} <= about  # the Transformer requires it
    assert "loss-function" in keys(result) and "loss-function" not in about  # a tool used along the way


# ---- title-only lectures, course tags, both languages ---------------------------------------

def test_title_only_lecture_gets_its_concepts_from_the_title(extract):
    result = extract(lecture("【機器學習2021】概述增強式學習 (Reinforcement Learning, RL) (三) - Actor-Critic"))
    assert keys(result, "about") == {"reinforcement-learning", "actor-critic"}
    # the course tag 【機器學習2021】 says nothing about the topic
    assert "machine-learning" not in keys(result)
    assert all(m.section == "title" for m in result.mentions)


def test_english_and_chinese_versions_link_to_the_same_concepts(extract):
    chinese = extract(lecture("【機器學習2021】機器終身學習 (Life Long Learning, LL) (一) - 災難性遺忘"))
    english = extract(lecture("[ML 2021 (English version)] Lecture 33: Life-long Learning (1/2)", language="en"))
    assert "life-long-learning" in keys(chinese, "about")
    assert keys(english, "about") == {"life-long-learning"}


def test_subtitle_context_is_not_a_main_topic(extract):
    result = extract(lecture("【機器學習2021】概述增強式學習 (Reinforcement Learning) (一) - 增強式學習跟機器學習一樣都是三個步驟"))
    assert keys(result, "about") == {"reinforcement-learning"}
    assert "machine-learning" in keys(result, "mentions")


def test_title_noise_is_blanked_in_place():
    title = "[ML 2021 (English version)] Lecture 28: Introduction of RL (1/5)"
    cleaned = clean_title(title, lambda word: False)
    assert len(cleaned) == len(title)
    assert "Lecture" not in cleaned and "English" not in cleaned and "1/5" not in cleaned
    speaker = clean_title("Audio Language Models - Neil Zeghidour (Moshi)", lambda word: False)
    assert "Neil" not in speaker and "Audio Language Models" in speaker


# ---- discovery ---------------------------------------------------------------------------

def test_bilingual_parentheticals_discover_new_concepts(extract):
    title = "【機器學習2021】神經網路壓縮 (Network Compression) (一) - 類神經網路剪枝 (Pruning) 與大樂透假說 (Lottery Ticket Hypothesis, LTH)"
    result = extract(lecture(title))
    found = {c.key: c for c in result.discovered}
    assert "lottery-ticket-hypothesis" in found
    concept = found["lottery-ticket-hypothesis"]
    assert ("en", "Lottery Ticket Hypothesis") in concept.labels
    assert ("zh-Hant", "大樂透假說") in concept.labels
    assert ("en", "LTH") in concept.alt_labels
    assert concept.origin == "discovered"
    assert {"network-compression", "network-pruning", "lottery-ticket-hypothesis"} <= keys(result, "about")
    evidence = dict(result.evidence)
    assert evidence["lottery-ticket-hypothesis"] >= 1.0


def test_abbreviation_definitions_and_bold_terms_are_discovered(extract):
    text = ("- **Houlsby Adapter**：在前饋網路後加一層。\n"
            "- 另一種做法是 Fast Gradient Sign Method (FGSM)，速度快。")
    result = extract(lecture("x", ("優化方式", "optimisation", text)))
    found = {c.key: c for c in result.discovered}
    assert ("en", "FGSM") in found["fast-gradient-sign-method"].alt_labels
    assert "houlsby-adapter" in found


def test_discovered_keys_never_take_a_vocabulary_key(extract, vocabulary):
    result = extract(lecture("x", ("主要觀念", "concepts", "大樂透假說（Lottery Ticket Hypothesis）與神經網路壓縮（Model Shrinking）")))
    assert result.discovered
    for concept in result.discovered:
        assert concept.key not in vocabulary.concepts


def test_glosses_of_plain_words_are_weak_evidence(extract):
    result = extract(lecture("x", ("結論", "conclusion", "這是偶然的（Serendipitous）發現。")))
    assert dict(result.evidence).get("serendipitous", 0) < 1.0


# ---- the record ----------------------------------------------------------------------------

def test_mentions_carry_kind_weight_section_and_a_short_snippet(extract):
    text = "本文介紹生成式對抗網路（GAN）。" + "其他內容。" * 60
    result = extract(lecture("x", ("1. 核心主題", "core", text), ("結論", "conclusion", "GAN 很有用。")))
    assert keys(result) == {"generative-adversarial-network"}
    sections = {m.section for m in result.mentions}
    assert sections == {"1. 核心主題", "結論"}
    for mention in result.mentions:
        assert mention.kind in ("about", "mentions")
        assert 0 < mention.weight <= 1
    # the snippet is kept on the mention the exports show (one weight for all: the first
    # section by name), not computed for the others
    shown = min(result.mentions, key=lambda m: m.section)
    assert 0 < len(shown.snippet) <= 120
    assert shown.surface in shown.snippet
    assert [m.snippet for m in result.mentions if m is not shown] == [""]
    assert shown is min(result.mentions, key=lambda m: (-m.weight, m.section, m.snippet))  # the graph's order


def test_extraction_round_trips_through_json_and_pickle(extract):
    result = extract(lecture("概述增強式學習 (Reinforcement Learning, RL) - 大樂透假說 (Lottery Ticket Hypothesis)",
                             ("核心主題", "core", "**Houlsby Adapter** 與 GAN")))
    again = Extraction.from_json(json.loads(json.dumps(result.to_json(), ensure_ascii=False)))
    assert again == result
    assert pickle.loads(pickle.dumps(result)) == result


def test_extraction_is_pure(extract):
    item = lecture("【生成式AI】Finetuning vs. Prompting (1/3)", ("核心主題", "core", "**Adapter** 與 GAN（生成式對抗網路）"))
    assert extract(item) == extract(item)


# ---- the seed, with the curated vocabulary ---------------------------------------------------

@pytest.fixture(scope="module")
def seed_extractions():
    lectures = read_catalogs([ROOT / "seeds"]).lectures
    extract = make_extractor(default_vocabulary())
    return {lecture.number: extract(lecture) for lecture in lectures}


def test_seed_title_only_lectures_have_concepts(seed_extractions):
    assert keys(seed_extractions[353], "about") >= {"reinforcement-learning", "actor-critic"}
    assert "inverse-reinforcement-learning" in keys(seed_extractions[355], "about")
    assert "catastrophic-forgetting" in keys(seed_extractions[357], "about")
    assert "alphatensor" in keys(seed_extractions[385], "about")
    assert "superb" in keys(seed_extractions[370], "about")


def test_seed_summaries_name_what_the_text_names(seed_extractions):
    assert {"lora", "prefix-tuning", "adapter"} <= keys(seed_extractions[396])
    assert {"instruction-tuning", "in-context-learning"} <= keys(seed_extractions[397])
    assert "machine-unlearning" in keys(seed_extractions[390])
    assert "mixture-of-experts" in keys(seed_extractions[399])
    assert "diffusion-model" in keys(seed_extractions[394])
