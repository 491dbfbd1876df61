"""The catalog reader: lecture records from catalog pages (issue 2)."""

from __future__ import annotations

import gc
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.catalog import HEADING, MARK, RULE, CatalogError, _same_title, heading_text, iso_date, read_catalogs, section_kind, summarise
from kg.courses import find_part, split_title
from kg.records import Section

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_cb5f99d682638e4e.txt"
PAGES = ROOT / "tests" / "data"

# (catalog number, video id) of every block of the seed, read off the file with grep
SEED_IDS = [
    (351, "8AKqH6V9kjE"),
    (352, "jbN0oYLtXps"),
    (353, "kk6DqWreLeU"),
    (354, "73YyF1gmIus"),
    (355, "75rZwxKBAf0"),
    (356, "rWF9sg5w6Zk"),
    (357, "Y9Jay_vxOsM"),
    (358, "utk3EnAUh-g"),
    (359, "-2r4cqDP4BY"),
    (360, "yAX8Ydfek_I"),
    (361, "pibO_5JhQ4U"),
    (362, "Cf-WkM-Xef0"),
    (363, "9H3ShV57lHs"),
    (364, "xrlbLPaq_Og"),
    (365, "xoastiYx9JU"),
    (366, "Q68Eh-wm1Ts"),
    (367, "JXDjNh2qlfc"),
    (368, "CB0a3aBwND8"),
    (369, "mGRdOGdOZ-4"),
    (370, "MpsVE60iRLM"),
    (371, "GTjwYzFG54E"),
    (372, "7XZR0-4uS5s"),
    (373, "_j9MVVcvyZI"),
    (374, "xQXh3fSvD1A"),
    (375, "yXd2D5J0QDU"),
    (376, "yHoAq1IT_og"),
    (377, "NzElV8jTNmw"),
    (378, "lMIN1iKYNmA"),
    (379, "z-lRPFFYVJc"),
    (380, "68lwXWFzCmg"),
    (381, "LP3q72MwE7A"),
    (382, "uHKXwwQ7A_s"),
    (383, "Pal2DbmiYpk"),
    (384, "QNfymMRUg3M"),
    (385, "KPcA8QCTm5U"),
    (386, "sWz4e-DM4JU"),
    (387, "e0aKI2GGZNg"),
    (388, "yiY4nPOzJEg"),
    (389, "1ah7Qsri_c8"),
    (390, "UsaZhQ9bY2k"),
    (391, "A-6c584jxX8"),
    (392, "phQK8xZpgoU"),
    (393, "XLyPFnephpY"),
    (394, "AihBniegMKg"),
    (395, "ZID220t_MpI"),
    (396, "F58vJcGgjt0"),
    (397, "aZ_jXZvxyVg"),
    (398, "HnzDaEiN_eg"),
    (399, "SaZTJJNOCOY"),
    (400, "qycxA-xX_OY"),
]


@pytest.fixture(scope="module")
def seed():
    return {lecture.number: lecture for lecture in read_catalogs([SEED]).lectures}


@pytest.fixture(scope="module")
def everything():
    return {lecture.number: lecture for lecture in read_catalogs([SEED, PAGES]).lectures}


def test_seed_gives_fifty_records_with_exact_ids(seed):
    assert [(n, seed[n].video_id) for n in sorted(seed)] == SEED_IDS


def test_seed_titles_urls_and_thumbnails(seed):
    lecture = seed[353]
    assert lecture.title == "【機器學習2021】概述增強式學習 (Reinforcement Learning, RL) (三) - Actor-Critic"
    assert lecture.url == "https://www.youtube.com/watch?v=kk6DqWreLeU"
    assert lecture.thumbnail_url == "https://img.youtube.com/vi/kk6DqWreLeU/maxresdefault.jpg"
    assert seed[351].title == "[ML 2021 (English version)] Lecture 27: Domain Adaptation"
    assert seed[390].date == "2023-02-24"
    assert seed[390].title == "【生成式AI】ChatGPT 原理剖析 (3/3) — ChatGPT 所帶來的研究問題"
    assert seed[389].date is None


def test_seed_summaries_and_sections(seed):
    with_summary = sorted(n for n, l in seed.items() if l.has_summary)
    assert len(with_summary) == 6
    kinds = [s.kind for s in seed[390].sections]
    assert kinds[0] == "core" and "conclusion" in kinds
    assert "人工智能（AI）系統的倫理與技術挑戰" in seed[390].sections[0].text
    assert not seed[351].summary and seed[351].sections == ()


def test_courses_are_normalised_per_course_and_language(seed, everything):
    assert seed[351].course_id == "ml-2021-en"
    assert seed[353].course_id == "ml-2021-zh"
    # "【機器學習 2022】" and "【機器學習2022】" are one course
    assert seed[373].course_id == seed[379].course_id == "ml-2022-zh"
    assert seed[388].course_id == "genai-2023-zh"
    assert everything[415].course_id == "genai-2023-zh"  # 【生成式AI 2023】
    assert everything[421].course_id == "genai-intro-2024-zh"
    assert everything[447].course_id == "ml-2025-zh"
    assert seed[385].course_id is None  # a stand-alone lecture
    assert everything[431].course_id is None  # [活動宣傳] is a tag, not a course


def test_parts_of_multi_part_lectures(seed, everything):
    assert (seed[352].part, seed[352].part_total) == (2, 5)
    assert (seed[353].part, seed[353].part_total) == (3, 5)
    assert seed[380].part == 2  # "- Part 2"
    assert seed[353].series == seed[355].series
    assert seed[352].series != seed[353].series  # English version is its own series
    assert seed[351].course_position == 27
    assert everything[426].part == 3  # (下) after a (中)
    assert everything[424].part == 1 and everything[424].course_position == 3
    assert everything[428].part == 2  # 第二階段
    assert everything[313].part == 2  # (下) of a two-part lecture


def test_language_and_translation_pairs(seed, everything):
    assert seed[351].language == "en" and seed[353].language == "zh"
    pairs = {(n, l.counterpart) for n, l in seed.items() if l.counterpart}
    by_video = {l.video_id: n for n, l in seed.items()}
    numbered = {(n, by_video[v]) for n, v in pairs}
    assert {(362, 353), (361, 354), (363, 355), (360, 356), (359, 357), (368, 358), (369, 364), (371, 370)} <= numbered
    assert all((b, a) in numbered for a, b in numbered)
    by_video_all = {l.video_id: n for n, l in everything.items()}
    assert by_video_all[everything[351].counterpart] == 345  # Domain Adaptation across pages
    assert by_video_all[everything[352].counterpart] == 348
    assert everything[306].counterpart is None  # no Chinese "(一)" of that series in the catalog


def test_both_layouts_read_the_same_way(tmp_path):
    # the newer layout: date, repeated "# title" heading and "---" rules
    page = tmp_path / "new.md"
    page.write_text(
        "<details>\n<summary>12. [2024-05-18] 【生成式AI導論 2024】第16講：Speculative Decoding</summary><br>\n\n"
        '<a href="https://www.youtube.com/watch?v=MAbGgsWKrg8" target="_blank">\n'
        '    <img src="https://img.youtube.com/vi/MAbGgsWKrg8/maxresdefault.jpg" \n        alt="[Youtube]" width="200">\n</a>\n\n'
        "# 【生成式AI導論 2024】第16講：Speculative Decoding\n\n## 核心主題\n加速生成。\n\n---\n\n## 結論\n很快。\n</details>\n",
        encoding="utf-8",
    )
    lecture = read_catalogs([page]).lectures[0]
    assert lecture.date == "2024-05-18" and lecture.video_id == "MAbGgsWKrg8"
    assert [(s.kind, s.text) for s in lecture.sections] == [("core", "加速生成。"), ("conclusion", "很快。")]
    assert "# 【生成式AI導論" not in lecture.summary and "---" not in lecture.summary
    assert lecture.course_position == 16


def test_split_title_and_find_part_examples():
    course, rest = split_title("【機器學習 2022】各種奇葩的元學習 (Meta Learning) 用法")
    assert course.id == "ml-2022-zh" and rest.startswith("各種奇葩")
    assert find_part("ChatGPT 原理剖析 (1/3) — 對 ChatGPT 的常見誤解") == (1, 3, "ChatGPT 原理剖析")


def test_folders_and_files_mix(tmp_path):
    catalog = read_catalogs([SEED, PAGES])
    assert len(catalog.lectures) == 148
    assert catalog.problems == []
    assert [l.number for l in catalog.lectures] == sorted(l.number for l in catalog.lectures)


def test_missing_input_is_an_error(tmp_path):
    with pytest.raises(CatalogError, match="no such file"):
        read_catalogs([tmp_path / "nope.md"])


# ---- the one-pass summary reader against its line-by-line definition (issue 7) ----------

markdown_lines = st.lists(
    st.lists(
        st.sampled_from([" ", "   ", "    ", "\t", "\u3000", "\x0b", "\r", "#", "##", "#######", "---", "***", "___", "-", "*",
                         "核心主題", "結論", "：", ":", "C#", "text", "【機器學習2021】Ｘ", "機器學習2021 X"]),
        max_size=6,
    ).map("".join),
    max_size=12,
)


def reference_summary(body: list[str], first_line: int, title: str | None) -> tuple[str, tuple[Section, ...]]:
    """The summary text and sections as the reader once made them, line by line."""
    for index, line in enumerate(body):
        if line.strip():
            match = HEADING.match(line)
            if title is not None and match and _same_title(match.group(2), title):
                body = body[:index] + [""] + body[index + 1 :]
            break
    sections, heading, kind, start, text = [], "", "other", first_line, []
    for offset, line in enumerate(body):
        match = HEADING.match(line)
        if match and match.group(2):
            if "\n".join(text).strip() or heading:
                sections.append(Section(heading, kind, "\n".join(text).strip(), start))
            heading = match.group(2).strip()
            kind, start, text = section_kind(heading), first_line + offset, []
            colon = re.search(r"[:：]", heading)
            if colon and heading[colon.end() :].strip():
                text.append(heading[colon.end() :].strip())
        elif not RULE.match(line):
            text.append(line)
    if "\n".join(text).strip() or heading:
        sections.append(Section(heading, kind, "\n".join(text).strip(), start))
    summary = "\n".join(line for line in body if not RULE.match(line)).strip()
    return summary, tuple(sections) if summary else ()


EDGE_LINES = ["## #", "####### x", "   # x", "    # x", "# C# ##", "\u3000##\u3000x", "---", " - - -", "***  ", "___x", "#\t"]


@settings(max_examples=300, deadline=None)
@given(line=st.one_of(st.sampled_from(EDGE_LINES), markdown_lines.map(" ".join)))
def test_mark_finds_what_heading_and_rule_match_line_by_line(line):
    mark = MARK.match("\n" + line)
    heading = HEADING.match(line)
    if heading and heading.group(2) or RULE.match(line):
        assert mark and mark.end() == len(line) + 1
        assert (mark.group(1) is None) == bool(RULE.match(line))
        if heading:
            assert heading_text(mark.group(1)) == heading.group(2).strip()
    else:
        assert mark is None


EDGE_BODIES = [["text", "# 核心主題"], ["", " ", "# 核心主題", "x"], ["---", "# 核心主題"], ["#", "# 核心主題"],
               ["# 核 心 主 題", "x"], [" #  【機器學習２０２１】Ｘ  #", "y", "## 結論：好", "---", "z"], ["## a:", "b"]]


@settings(max_examples=300, deadline=None)
@given(body=st.one_of(st.sampled_from(EDGE_BODIES), markdown_lines),
       title=st.sampled_from([None, "核心主題", "【機器學習2021】X", "C#"]))
def test_summarise_reads_as_line_by_line(body, title):
    assert summarise("\n".join(body), 7, title) == reference_summary(body, 7, title)


def test_dates_are_checked_as_zero_padded_iso_dates():
    assert iso_date("2020-2-29") == "2020-02-29"
    for bad in ("2021-2-29", "2021-13-1", "0999-01-01"):  # a three-digit year was never ISO
        with pytest.raises(ValueError):
            iso_date(bad)


def test_reading_leaves_the_cycle_collector_as_it_was():
    for enabled in (True, False):
        (gc.enable if enabled else gc.disable)()
        frozen = gc.get_freeze_count()  # other tests' imports may have frozen objects
        try:
            read_catalogs([SEED])
            assert gc.isenabled() == enabled and gc.get_freeze_count() == frozen
        finally:
            gc.enable()


def test_carriage_returns_read_like_plain_line_ends(tmp_path):
    page = tmp_path / "crlf.md"
    page.write_bytes(SEED.read_bytes().replace(b"\n", b"\r\n"))
    plain = [(l.number, l.summary, l.sections, l.line) for l in read_catalogs([SEED]).lectures]
    assert [(l.number, l.summary, l.sections, l.line) for l in read_catalogs([page]).lectures] == plain
