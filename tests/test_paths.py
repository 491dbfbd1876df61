"""Study paths (issue 4): kg.paths and the `kg path` command."""

from __future__ import annotations

import doctest
import gc
import json
import random
import time
import weakref
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

import kg.paths
from kg.graph import CONCEPT, COURSE, LECTURE, Course
from kg.paths import (
    PathStep, UnknownConcept, all_study_paths, bounded_study_paths, find_concept, path_index, prerequisite_closure,
    study_path, suggest,
)
from kg.records import Concept, Lecture, Mention
from kg.relate import relate
from test_relate import build_catalog_graph

ROOT = Path(__file__).resolve().parent.parent


# --- a small hand-made catalog ---------------------------------------------------------------

def concept(key, en, zh=None, alt=(), broader=(), requires=()):
    labels = (("en", en),) + ((("zh-Hant", zh),) if zh else ())
    return Concept(key, labels, tuple(("en", a) for a in alt), tuple(broader), tuple(requires))


CONCEPTS = {c.key: c for c in [
    concept("ml", "Machine Learning", "機器學習", ("ML",)),
    concept("rl", "Reinforcement Learning", "強化學習", ("RL", "增強式學習"), broader=("ml",)),
    concept("pg", "Policy Gradient", "策略梯度", broader=("rl",), requires=("rl",)),
    concept("ac", "Actor-Critic", broader=("rl",), requires=("pg",)),
    concept("ft", "Fine-tuning", "微調"),
    concept("peft", "Parameter-efficient Fine-tuning", alt=("PEFT",), requires=("ft",)),
    concept("adapter", "Adapter", "適配器", broader=("peft",)),
    concept("lora", "LoRA", alt=("Low-Rank Adaptation",), broader=("peft",), requires=("ft",)),
    concept("gan", "Generative Adversarial Network", alt=("GAN",)),
]}

RL_SERIES = dict(course_id="ml-zh", course_name="ML", series="ml-zh|RL", part_total=3, language="zh")
RL_SERIES_EN = dict(course_id="ml-en", course_name="ML (English)", series="ml-en|RL", part_total=3, language="en")


def vid(number: int) -> str:
    return f"vid{number:08d}"


def L(number: int) -> str:
    return f"L:{vid(number)}"


def lecture(number, title, **fields):
    return Lecture(number, title, vid(number), "test.md", number, **fields)


LECTURES = [
    lecture(1, "ML intro", course_id="ml-zh", course_name="ML", language="zh"),
    # RL parts uploaded out of order: part 3 first
    lecture(2, "RL (三) Actor-Critic", part=3, counterpart=vid(12), **RL_SERIES),
    lecture(3, "RL (一)", part=1, counterpart=vid(10), **RL_SERIES),
    lecture(4, "RL (二) Policy Gradient", part=2, counterpart=vid(11), **RL_SERIES),
    lecture(5, "GAN", course_id="ml-zh", course_name="ML", language="zh"),
    lecture(6, "Fine-tuning", language="zh"),
    lecture(7, "PEFT: adapters", language="zh"),
    lecture(10, "RL (1/3) (English version)", part=1, counterpart=vid(3), **RL_SERIES_EN),
    lecture(11, "RL (2/3) (English version)", part=2, counterpart=vid(4), **RL_SERIES_EN),
    lecture(12, "RL (3/3) (English version)", part=3, counterpart=vid(2), **RL_SERIES_EN),
]


def link(number, key, kind="about", weight=1.0):
    return Mention(vid(number), key, kind, weight, "title" if kind == "about" else "core", "")


LINKS = [
    link(1, "ml"),
    link(3, "rl"), link(3, "ml", "mentions"),
    link(4, "rl"), link(4, "pg"),
    link(2, "rl"), link(2, "ac"), link(2, "pg", "mentions"),
    link(10, "rl"), link(11, "rl"), link(11, "pg"), link(12, "rl"), link(12, "ac"),
    link(5, "gan"),
    link(6, "ft"),
    link(7, "peft"), link(7, "adapter"), link(7, "lora", "mentions", 0.8), link(7, "ft", "mentions"),
]


@pytest.fixture(scope="module")
def graph() -> nx.MultiDiGraph:
    return relate(LECTURES, CONCEPTS, LINKS, None)


def numbers(steps: list[PathStep]) -> list[int]:
    return [step.number for step in steps]


# --- doctests -------------------------------------------------------------------------------------

def test_module_examples_run():
    result = doctest.testmod(kg.paths)
    assert result.attempted > 10 and result.failed == 0


# --- finding concepts -----------------------------------------------------------------------

@pytest.mark.parametrize("text, node", [
    ("Actor-Critic", "C:ac"), ("actor critic", "C:ac"), ("ACTOR-CRITIC", "C:ac"),
    ("lora", "C:lora"), ("ＬｏＲＡ", "C:lora"), ("low-rank adaptation", "C:lora"), ("Low Rank  Adaptation", "C:lora"),
    ("RL", "C:rl"), ("rl", "C:rl"), ("強化學習", "C:rl"), ("强化学习", "C:rl"), ("增強式學習", "C:rl"),
    ("PEFT", "C:peft"), ("C:gan", "C:gan"), ("gan", "C:gan"), ("  GAN ", "C:gan"),
])
def test_find_concept_by_any_label(graph, text, node):
    assert find_concept(graph, text) == node


@pytest.mark.parametrize("text", ["", "   ", "quantum computing", "C:nothing", "L:" + vid(1)])
def test_find_concept_unknown(graph, text):
    assert find_concept(graph, text) is None


def test_suggest_closest_labels(graph):
    assert suggest(graph, "lorra")[0] == "LoRA"
    assert "Actor-Critic" in suggest(graph, "actor critc")
    assert suggest(graph, "Policy") == ["Policy Gradient"]
    assert len(suggest(graph, "learning", limit=2)) == 2
    assert suggest(graph, "zzzzzz") == []


def test_unknown_target_raises_with_suggestions(graph):
    with pytest.raises(UnknownConcept) as error:
        study_path(graph, "reinforcment lerning")
    assert "Reinforcement Learning" in error.value.suggestions
    with pytest.raises(UnknownConcept):
        study_path(graph, "C:ac", known=["no such thing"])


# --- the path rule --------------------------------------------------------------------------------

def test_actor_critic_path_has_earlier_parts_first_and_the_target_last(graph):
    steps = study_path(graph, "Actor-Critic")
    assert numbers(steps) == [3, 4, 2]  # RL (一), RL (二), RL (三): part order, not upload order
    assert steps[-1].concepts == ("C:ac",)
    assert steps[0].concepts == ("C:rl",) and steps[1].concepts == ("C:pg",)
    assert all(step.language == "zh" for step in steps)
    assert steps[0].url == f"https://www.youtube.com/watch?v={vid(3)}" and steps[0].title == "RL (一)"
    assert steps[0].lecture == L(3)


def test_one_language_version_of_each_lecture(graph):
    english = study_path(graph, "Actor-Critic", lang="en")
    assert numbers(english) == [10, 11, 12] and {s.language for s in english} == {"en"}
    assert numbers(study_path(graph, "Actor-Critic", lang="zh")) == [3, 4, 2]
    # the default is the original: the Chinese lecture, never both versions
    for target in ("rl", "pg", "ac"):
        steps = study_path(graph, target)
        works = {frozenset((s.number, {2: 12, 3: 10, 4: 11, 12: 2, 10: 3, 11: 4}.get(s.number))) for s in steps}
        assert len(works) == len(steps)
        assert all(s.language == "zh" for s in steps)


def test_target_lectures_in_course_and_part_order(graph):
    steps = study_path(graph, "reinforcement learning")
    assert numbers(steps)[-3:] == [3, 4, 2]
    assert all("C:rl" in s.concepts for s in steps[-3:])
    assert len(numbers(steps)) == len(set(numbers(steps)))


def test_known_concepts_and_what_only_they_require_are_skipped(graph):
    full = study_path(graph, "Actor-Critic")
    without_pg = study_path(graph, "Actor-Critic", known=["Policy Gradient"])
    assert len(without_pg) < len(full)
    # actor-critic is a kind of RL, so RL basics stay; the policy-gradient part goes
    assert numbers(without_pg) == [3, 2]
    assert numbers(study_path(graph, "Actor-Critic", known=["rl"])) == [4, 2]
    assert numbers(study_path(graph, "C:ac", known=["C:pg", "C:rl"])) == [2]
    # the target itself in "known" is ignored: asking for a path means wanting it
    assert numbers(study_path(graph, "C:ac", known=["C:ac"])) == numbers(full)


def test_lora_path_puts_parameter_efficient_material_first(graph):
    steps = study_path(graph, "LoRA")
    assert numbers(steps) == [6, 7]  # fine-tuning, then the PEFT / adapter lecture that names LoRA
    assert steps[-1].concepts[-1] == "C:lora" and "C:peft" in steps[-1].concepts


def test_max_steps_keeps_the_target_and_the_nearest_prerequisites(graph):
    assert numbers(study_path(graph, "Actor-Critic", max_steps=2)) == [4, 2]
    assert numbers(study_path(graph, "Actor-Critic", max_steps=1)) == [2]
    assert numbers(study_path(graph, "Actor-Critic", max_steps=10)) == [3, 4, 2]
    assert numbers(study_path(graph, "reinforcement learning", max_steps=2)) == [3, 4]


def test_concept_nobody_teaches_or_mentions_has_an_empty_path():
    graph = relate(LECTURES, {**CONCEPTS, "x": concept("x", "Lonely")}, LINKS, None)
    assert study_path(graph, "Lonely") == []


def test_paths_are_deterministic_whatever_the_input_order(graph):
    shuffled = LECTURES[:]
    random.Random(7).shuffle(shuffled)
    links = LINKS[::-1]
    other = relate(shuffled, dict(reversed(list(CONCEPTS.items()))), links, None)
    for target in CONCEPTS:
        first = study_path(graph, target)
        assert study_path(graph, target) == first
        assert study_path(other, target) == first


def test_prerequisites_come_before_what_needs_them(graph):
    for target in CONCEPTS:
        steps = study_path(graph, target)
        first_seen = {}
        for index, step in enumerate(steps):
            for c in step.concepts:
                first_seen.setdefault(c, index)
        for u, v, key in graph.edges(keys=True):
            if key == "requires" and u in first_seen and v in first_seen and u != f"C:{target}":
                assert first_seen[v] <= first_seen[u], (target, u, v)


def test_index_is_shared_and_rebuilt_when_the_graph_changes():
    graph = relate(LECTURES, CONCEPTS, LINKS, None)
    index = path_index(graph)
    assert path_index(graph) is index
    graph.add_node("C:new", kind=CONCEPT, record=concept("new", "Brand New"))
    assert path_index(graph) is not index
    assert find_concept(graph, "brand new") == "C:new"


def test_all_study_paths_covers_every_taught_concept(graph):
    paths = all_study_paths(graph)
    assert set(paths) == {f"C:{key}" for key in CONCEPTS}
    assert paths["C:ac"] == study_path(graph, "C:ac")


def test_the_index_does_not_keep_its_graph_alive():
    graph = relate(LECTURES, CONCEPTS, LINKS, None)
    study_path(graph, "C:ac")
    bounded_study_paths(graph, ["C:ac"], 2)
    gone = weakref.ref(graph)
    del graph
    gc.collect()
    assert gone() is None


# --- planning every path at once -------------------------------------------------------------

LIMIT = 2  # steps, small enough that some paths of these small graphs are shortened


def tied_graph() -> nx.MultiDiGraph:
    """Lectures that share catalog numbers (so teaching order has ties) and concepts
    that no lecture teaches: one mentioned heavily by two lectures and lightly by
    others, one mentioned equally by several lectures."""
    concepts = {c.key: c for c in [
        concept("a", "Alpha"), concept("b", "Beta", requires=("a",)), concept("c", "Gamma", requires=("b",)),
        concept("m", "Mu", requires=("a",)), concept("n", "Nu", requires=("b",)),
    ]}
    lectures = [Lecture(1 + i // 2, f"Lecture {i}", vid(100 + i), "tied.md", i) for i in range(12)]
    links = [link(100 + i, "a") for i in (0, 1, 5)] + [link(100 + i, "b") for i in (1, 2, 3)]
    links += [link(100 + i, "c") for i in (3, 4, 5, 6)]
    links += [link(100 + i, "m", "mentions", 1.0 if i in (7, 9) else 0.5) for i in range(6, 12)]
    links += [link(100 + i, "n", "mentions", 0.7) for i in (2, 3, 8, 9, 10, 11)]
    related = relate(lectures, concepts, links, None)
    # the edges added in reverse: networkx then lists a concept's lectures against node order
    graph = nx.MultiDiGraph()
    graph.add_nodes_from(related.nodes(data=True))
    graph.add_edges_from(reversed(list(related.edges(keys=True, data=True))))
    return graph


@pytest.mark.parametrize("make_graph", [lambda: relate(LECTURES, CONCEPTS, LINKS, None), tied_graph,
                                        build_catalog_graph.__wrapped__], ids=["hand-made", "tied", "catalog"])
def test_paths_planned_all_at_once_are_those_planned_one_by_one(make_graph):
    # bounded_study_paths and all_study_paths read every link of the graph at once;
    # study_path alone reads, concept by concept, only what a path needs
    one_by_one, at_once = make_graph(), make_graph()
    for graph in (one_by_one, at_once):  # a concept nothing links to
        graph.add_node("C:unrelated", kind=CONCEPT, record=concept("unrelated", "Unrelated"))
    concepts = sorted(node for node, kind in at_once.nodes(data="kind") if kind == CONCEPT)
    planned = bounded_study_paths(at_once, concepts, LIMIT)
    for target in concepts:
        full = study_path(one_by_one, target)
        by_lang, shortened = planned[target]
        assert shortened == (len(full) > LIMIT), target
        for lang in (None, "zh", "en"):
            alone = study_path(one_by_one, target, lang=lang, max_steps=LIMIT if shortened else None)
            assert by_lang[lang] == alone, (target, lang)
    assert all_study_paths(at_once) == {target: study_path(one_by_one, target) for target in all_study_paths(at_once)}
    known = concepts[:3]
    for target in concepts[3:40]:
        assert study_path(at_once, target, known=known) == study_path(one_by_one, target, known=known)
    # knowing a concept that nothing links to changes no path (though it is planned otherwise)
    for target in concepts:
        if target != "C:unrelated":
            assert study_path(at_once, target, known=["C:unrelated"]) == study_path(at_once, target), target


def test_closure_stops_at_weak_chains():
    concepts = {c.key: c for c in [concept("a", "A", requires=("b",)), concept("b", "B", broader=("c",)),
                                   concept("c", "C", broader=("d",)), concept("d", "D")]}
    lectures = [lecture(n, k) for n, k in enumerate("abcd", start=1)]
    graph = relate(lectures, concepts, [link(n, k) for n, k in enumerate("abcd", start=1)], None)
    closure = prerequisite_closure(graph, "C:a")
    # a -> b curated (1.0); b -> c broader (0.5, one more hop: 0.375) is too weak
    assert set(closure) == {"C:a", "C:b"}
    assert closure["C:b"] == (1.0, 1)


def test_prerequisite_lecture_is_the_best_ranked_in_any_of_the_target_courses():
    # "base" is taught equally well in three courses; the target is taught in two of
    # them: its prerequisite's lecture is the first in teaching order of those two
    # courses' lectures, not the catalog's first (course c3); the same planned alone
    # or with every other path
    concepts = {c.key: c for c in [concept("base", "Base"), concept("top", "Top", requires=("base",))]}
    courses = {1: "c3", 2: "c3", 10: "c1", 11: "c1", 20: "c2", 21: "c2", 30: "c4", 31: "c4"}
    lectures = [lecture(n, f"Lecture {n}", course_id=c, course_name=c, course_position=n % 10 + 1)
                for n, c in courses.items()]
    links = [link(n, "base") for n in (1, 11, 21, 31)] + [link(n, "top") for n in (20, 10)] + [link(2, "top", "mentions")]
    graph = relate(lectures, concepts, links, None)
    assert numbers(study_path(graph, "C:top")) == [11, 10, 20]
    by_lang, shortened = bounded_study_paths(relate(lectures, concepts, links, None), ["C:top"], 10)["C:top"]
    assert not shortened
    assert [numbers(by_lang[lang]) for lang in (None, "zh", "en")] == [[11, 10, 20]] * 3


# --- the `kg path` command ------------------------------------------------------------------

@pytest.fixture()
def cli_graph(monkeypatch, graph):
    """`kg path` reading the hand-made graph: kg.load.load_graph answers with it."""
    loaded = []

    def load_graph(path):
        loaded.append(Path(path))
        return graph

    monkeypatch.setattr("kg.load.load_graph", load_graph)
    return loaded


def run(*args):
    from kg.cli import app

    return CliRunner().invoke(app, ["path", *args])


def test_cli_prints_numbered_lectures(cli_graph):
    result = run("Actor-Critic", "--graph", "somewhere")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith(" 1. #3 RL (一)")
    assert f"https://www.youtube.com/watch?v={vid(3)}" in result.stdout
    assert "concepts: Actor-Critic" in result.stdout
    assert [line.split(".")[0].strip() for line in lines if line[:2].strip().isdigit()] == ["1", "2", "3"]
    assert cli_graph == [Path("somewhere")]


def test_cli_json_known_lang_and_max(cli_graph):
    result = run("actor-critic", "--json")
    rows = json.loads(result.stdout)
    assert [row["number"] for row in rows] == [3, 4, 2] and [row["step"] for row in rows] == [1, 2, 3]
    assert rows[-1]["concepts"] == ["C:ac"] and rows[-1]["concept_labels"] == ["Actor-Critic"]
    assert set(rows[0]) >= {"lecture", "number", "title", "url", "language", "concepts"}
    shorter = json.loads(run("actor-critic", "--json", "--known", "RL", "--known", "policy gradient").stdout)
    assert [row["number"] for row in shorter] == [2]
    english = json.loads(run("actor-critic", "--json", "--lang", "en").stdout)
    assert [row["number"] for row in english] == [10, 11, 12]
    assert [row["number"] for row in json.loads(run("C:ac", "--json", "--max", "1").stdout)] == [2]
    assert cli_graph[0] == Path("output")  # the default


def test_cli_unknown_target_suggests_and_fails(cli_graph):
    result = run("lorra")
    assert result.exit_code == 1
    assert "LoRA" in result.stderr and "did you mean" in result.stderr
    assert result.stdout == ""
    assert run("C:ac", "--lang", "fr").exit_code == 2
    assert run("C:ac", "--known", "nothing like it").exit_code == 1


# --- on the seed and the shared catalog pages ----------------------------------------------

@pytest.fixture(scope="module")
def catalog_graph():
    return build_catalog_graph()


def series_part(graph, step: PathStep) -> tuple[str | None, int | None]:
    record = graph.nodes[step.lecture]["record"]
    return record.series, record.part


def test_catalog_actor_critic_path_lists_the_earlier_rl_parts_first(catalog_graph):
    steps = study_path(catalog_graph, "Actor-Critic")
    target = [i for i, s in enumerate(steps) if "C:actor-critic" in s.concepts]
    assert target and steps[target[0]].number == 353  # 概述增強式學習 (三) - Actor-Critic
    before = numbers(steps[: target[0]])
    assert 347 in before and 348 in before  # (一) and (二) of the same series
    assert before.index(347) < before.index(348)
    assert len(set(numbers(steps))) == len(steps)
    english = study_path(catalog_graph, "Actor-Critic", lang="en")
    assert 362 in numbers(english) and numbers(english).index(350) < numbers(english).index(352) < numbers(english).index(362)


def test_catalog_lora_path_has_parameter_efficient_material_before_lora(catalog_graph):
    steps = study_path(catalog_graph, "lora")
    lora = [i for i, s in enumerate(steps) if "C:lora" in s.concepts]
    assert lora
    peft = {"C:parameter-efficient-fine-tuning", "C:adapter"}
    before = [s for s in steps[: lora[0] + 1] if peft & set(s.concepts)]
    assert before, [(s.number, s.concepts) for s in steps]
    assert any(s.number == 377 for s in steps[: lora[0]]) or peft & set(steps[lora[0]].concepts)


def test_catalog_known_shortens_and_paths_are_deterministic(catalog_graph):
    full = study_path(catalog_graph, "Actor-Critic")
    shorter = study_path(catalog_graph, "Actor-Critic", known=["強化學習", "policy gradient"])
    assert len(shorter) < len(full) and 347 not in numbers(shorter)
    assert study_path(catalog_graph, "Actor-Critic") == full
    again = build_catalog_graph.__wrapped__()
    assert study_path(again, "Actor-Critic") == full
    assert study_path(again, "lora") == study_path(catalog_graph, "lora")


def test_catalog_unknown_target_gets_suggestions(catalog_graph):
    with pytest.raises(UnknownConcept) as error:
        study_path(catalog_graph, "reinforcment lerning")
    assert "Reinforcement Learning" in error.value.suggestions
    assert find_concept(catalog_graph, "RL") == find_concept(catalog_graph, "強化學習") == "C:reinforcement-learning"


def test_catalog_paths_for_every_concept_are_fast(catalog_graph):
    fresh = build_catalog_graph.__wrapped__()  # no index built yet
    start = time.perf_counter()
    paths = all_study_paths(fresh)
    elapsed = time.perf_counter() - start
    assert len(paths) > 100
    assert elapsed < 0.2, f"{len(paths)} paths took {elapsed:.3f} s"


# --- scale ----------------------------------------------------------------------------------

def synthetic_graph(lectures: int = 100_000, concepts: int = 5_000, seed: int = 1) -> nx.MultiDiGraph:
    """A graph shaped like the real one: courses of 20 lectures, 3-part series,
    2 taught and 4 mentioned concepts per lecture, requires edges to earlier concepts."""
    rng = random.Random(seed)
    graph = nx.MultiDiGraph()
    for c in range(concepts):
        graph.add_node(f"C:c{c}", kind=CONCEPT, record=Concept(f"c{c}", (("en", f"Concept {c}"),)))
    for c in range(1, concepts):
        for p in rng.sample(range(max(0, c - 200), c), min(3, c)):
            graph.add_edge(f"C:c{c}", f"C:c{p}", key="requires", weight=rng.choice([0.5, 0.6, 0.8, 1.0]))
    for n in range(lectures):
        node = f"L:v{n:010d}"
        course = n // 20
        part = n % 3 + 1
        graph.add_node(node, kind=LECTURE, record=Lecture(
            n, f"Lecture {n}", f"v{n:010d}", "s", n, course_id=f"k{course}", series=f"k{course}|{n // 3}",
            part=part, language="zh"))
        if n % 20 == 0:
            graph.add_node(f"K:k{course}", kind=COURSE, record=Course(f"k{course}", f"Course {course}"))
        graph.add_edge(node, f"K:k{course}", key="part_of", position=n % 20 + 1)
        if part > 1:
            graph.add_edge(f"L:v{n - 1:010d}", node, key="next_part")
        for c in rng.sample(range(concepts), 6):
            graph.add_edge(node, f"C:c{c}", key="about" if len(graph[node]) < 3 else "mentions",
                           weight=rng.choice([0.6, 0.8, 1.0]))
    return graph


def test_one_path_on_a_100000_lecture_graph_is_fast():
    graph = synthetic_graph()
    start = time.perf_counter()
    steps = study_path(graph, "C:c4999")
    first = time.perf_counter() - start
    assert steps and steps[-1].concepts[-1] == "C:c4999"
    assert first < 0.5, f"first path took {first:.3f} s"
    start = time.perf_counter()
    for c in range(4900, 4950):
        study_path(graph, f"C:c{c}")
    assert (time.perf_counter() - start) / 50 < 0.2


# --- end to end: `kg build`, then `kg path` on what it wrote ---------------------------------

def kg_command(*args: str):
    import os
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "kg.cli", *args], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("built") / "output"
    result = kg_command("build", str(ROOT / "seeds"), str(ROOT / "tests" / "data"), "--out", str(out), "--no-cache", "-q")
    assert result.returncode == 0, result.stderr
    return out


def test_kg_path_end_to_end(built):
    result = kg_command("path", "actor critic", "--graph", str(built), "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [row["number"] for row in rows][-3:] == [347, 348, 353]
    assert rows[-1]["url"] == "https://www.youtube.com/watch?v=kk6DqWreLeU"
    assert "Actor-Critic" in rows[-1]["concept_labels"]
    shorter = json.loads(kg_command("path", "Actor-Critic", "--graph", str(built), "--json",
                                    "--known", "RL", "--known", "Policy Gradient").stdout)
    assert len(shorter) < len(rows)
    english = json.loads(kg_command("path", "Actor-Critic", "--graph", str(built / "graph.nt"), "--json",
                                    "--lang", "en").stdout)
    assert all(row["language"] == "en" for row in english) and english[-1]["number"] == 362
    text = kg_command("path", "強化學習", "--graph", str(built), "--max", "3")
    assert text.returncode == 0 and text.stdout.count("https://www.youtube.com/watch?v=") == 3


def test_kg_path_unknown_target_and_missing_graph(built, tmp_path):
    result = kg_command("path", "reinforcment lerning", "--graph", str(built))
    assert result.returncode == 1
    assert "Reinforcement Learning" in result.stderr and result.stdout == ""
    missing = kg_command("path", "RL", "--graph", str(tmp_path / "nowhere"))
    assert missing.returncode == 1 and "error:" in missing.stderr and "Traceback" not in missing.stderr


def test_paths_survive_the_round_trip_through_the_dump(catalog_graph, tmp_path):
    # what `kg path` reads back from graph.nt plans the same paths as the build's model
    from kg.load import load_graph
    from kg.rdf import write_rdf

    write_rdf(catalog_graph, tmp_path)
    loaded = load_graph(tmp_path)
    assert all_study_paths(loaded) == all_study_paths(catalog_graph)
    assert all_study_paths(loaded, lang="en") == all_study_paths(catalog_graph, lang="en")
