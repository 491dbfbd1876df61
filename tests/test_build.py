"""`kg build` end to end, as a user runs it (issues 2 and 8)."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds"
PAGES = ROOT / "tests" / "data"
OUTPUTS = ("graph.ttl", "graph.nt", "graph.jsonld", "graph.html", "graph.graphml")


def kg(*args: str, cwd: Path = ROOT, env: dict | None = None, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg.cli", *args], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, **(env or {})}, timeout=300, **kwargs)


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def nt_lines(folder: Path) -> int:
    return sum(1 for line in (folder / "graph.nt").read_text(encoding="utf-8").splitlines() if line.strip())


@pytest.fixture(scope="module")
def seed_build(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("seed") / "output"
    result = kg("build", str(SEED), "--out", str(out), "--no-cache")
    assert result.returncode == 0, result.stderr
    return out


def test_build_writes_every_output_and_a_summary(tmp_path):
    out = tmp_path / "output"
    result = kg("build", str(SEED), "--out", str(out), "--no-cache")
    assert result.returncode == 0, result.stderr
    assert "lectures read: 50 (6 with summaries)" in result.stdout
    assert "concepts:" in result.stdout and "links:" in result.stdout and "files written:" in result.stdout
    for name in OUTPUTS:
        assert (out / name).stat().st_size > 0, name


def test_default_input_is_seeds_and_default_output_is_output(tmp_path):
    # run from an empty folder: seeds/ falls back to the project's seeds, output/ is created here
    result = kg("build", "--no-cache", cwd=tmp_path, env={"PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr
    assert "lectures read: 50" in result.stdout
    assert (tmp_path / "output" / "graph.nt").exists()


def test_same_input_gives_byte_identical_ntriples(seed_build, tmp_path):
    again = tmp_path / "again"
    assert kg("build", str(SEED), "--out", str(again), "--no-cache").returncode == 0
    assert (again / "graph.nt").read_bytes() == (seed_build / "graph.nt").read_bytes()


def test_failed_build_leaves_previous_output_untouched(seed_build, tmp_path):
    before = digest(seed_build)
    empty = tmp_path / "empty.md"
    empty.write_text("")
    result = kg("build", str(empty), "--out", str(seed_build), "--no-cache")
    assert result.returncode == 1
    assert f"{empty}:1: file is empty" in result.stderr
    assert "Traceback" not in result.stderr
    assert digest(seed_build) == before


def test_damaged_block_is_reported_and_skipped_unless_strict(tmp_path):
    page = tmp_path / "page.md"
    page.write_text((SEED / "000_cb5f99d682638e4e.txt").read_text(encoding="utf-8")
                    + "\n<details>\n<summary>999. no video</summary>\n</details>\n", encoding="utf-8")
    result = kg("build", str(page), "--out", str(tmp_path / "out"), "--no-cache")
    assert result.returncode == 0
    assert "lecture 999 has no YouTube video link" in result.stderr and f"{page}:" in result.stderr
    strict = kg("build", str(page), "--out", str(tmp_path / "strict"), "--no-cache", "--strict")
    assert strict.returncode == 1 and not (tmp_path / "strict").exists()


def test_not_utf8_is_a_clear_error(tmp_path):
    page = tmp_path / "latin1.md"
    page.write_bytes("<details>\n<summary>1. caf\xe9</summary>\n".encode("latin-1"))
    result = kg("build", str(page), "--out", str(tmp_path / "out"))
    assert result.returncode == 1
    assert f"{page}:2: not UTF-8" in result.stderr and "Traceback" not in result.stderr


def test_missing_input_is_a_clear_error(tmp_path):
    result = kg("build", str(tmp_path / "nope"), "--out", str(tmp_path / "out"))
    assert result.returncode == 1 and "no such file or folder" in result.stderr


def test_cache_is_reused_and_survives_corruption(tmp_path):
    cache = tmp_path / "cache"
    env = {"KG_CACHE": str(cache)}
    first = kg("build", str(SEED), "--out", str(tmp_path / "a"), env=env)
    assert first.returncode == 0, first.stderr
    files = sorted(cache.glob("*/??/*.json"))  # one per lecture, by content hash
    assert len(files) == 50
    # corrupt the cache: truncate one file, fill another with a foreign document
    files[0].write_text(files[0].read_text()[:20])
    files[1].write_text('{"something": "else"}')
    second = kg("build", str(SEED), "--out", str(tmp_path / "b"), env=env)
    assert second.returncode == 0, second.stderr
    assert (tmp_path / "a" / "graph.nt").read_bytes() == (tmp_path / "b" / "graph.nt").read_bytes()
    assert files[0].read_text().startswith('{"hash"')  # rewritten


REBUILD_PROBE = """
import sys
from pathlib import Path
from kg.build import BuildOptions, run_build
# one job: extraction runs in this process, where the import of spaCy shows
run_build(BuildOptions(inputs=[Path(sys.argv[1])], out=Path(sys.argv[2]), cache=Path(sys.argv[3]), jobs=1))
print("spacy imported:", "spacy" in sys.modules)
"""


def test_rebuild_after_one_changed_summary_reuses_the_cache_without_spacy(tmp_path):
    """The changed lecture is extracted again, the others come from the cache, and the
    English runs seen before need no spaCy; the output is that of a build from scratch."""
    catalog = tmp_path / "catalog"
    catalog.mkdir()
    page = catalog / "page.txt"
    page.write_bytes((SEED / "000_cb5f99d682638e4e.txt").read_bytes())
    cache = tmp_path / "cache"

    def build(out: str) -> str:
        result = subprocess.run([sys.executable, "-c", REBUILD_PROBE, str(catalog), str(tmp_path / out), str(cache)],
                                capture_output=True, text=True, cwd=ROOT, timeout=300)
        assert result.returncode == 0, result.stderr
        return result.stdout

    assert "spacy imported: True" in build("first")  # cold: every lecture extracted
    # the changed lecture's English title ("Lecture 27: Domain Adaptation") needed spaCy's
    # Matcher in the first build; the second finds its phrases remembered
    phrases = json.loads(next(cache.glob("*/title-case-phrases.json")).read_text(encoding="utf-8"))
    assert phrases["Domain Adaptation"] == [["Domain Adaptation", 0]]
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace("</details>", "\n## 結論\n這一講也用到 Self-attention 與 LoRA。\n</details>", 1),
                    encoding="utf-8")
    assert "spacy imported: False" in build("second")
    fresh = kg("build", str(catalog), "--out", str(tmp_path / "fresh"), "--no-cache")
    assert fresh.returncode == 0, fresh.stderr
    assert digest(tmp_path / "second") == digest(tmp_path / "fresh")
    assert digest(tmp_path / "second") != digest(tmp_path / "first")


@pytest.fixture(scope="module")
def big_catalog(tmp_path_factory) -> Path:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from synth import write_catalog

    folder = tmp_path_factory.mktemp("big")
    write_catalog(3000, folder)
    return folder


@pytest.mark.parametrize("delay", [0.2, 0.8, 1.5, 2.5, 4.0])
def test_killed_build_leaves_previous_output_complete(seed_build, big_catalog, tmp_path, delay):
    out = tmp_path / "output"
    assert kg("build", str(SEED), "--out", str(out), "--no-cache").returncode == 0
    before = digest(out)
    process = subprocess.Popen([sys.executable, "-m", "kg.cli", "build", str(big_catalog), "--out", str(out),
                                "--no-cache", "--jobs", "1"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.wait()
    after = digest(out)
    # either the old output, untouched, or (if the kill came after the swap) the complete new one
    if after != before:
        assert set(after) == set(before) and nt_lines(out) > nt_lines(seed_build)
    leftovers = [p for p in tmp_path.iterdir() if p.name.startswith(".output.")]
    assert all(p.name.endswith(".lock") or p.is_dir() for p in leftovers)
    # the next build succeeds and cleans up
    assert kg("build", str(SEED), "--out", str(out), "--no-cache").returncode == 0
    assert digest(out) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".output.") and p.is_dir()]


def test_two_builds_into_one_folder_are_serialised(tmp_path):
    out = tmp_path / "output"
    processes = [subprocess.Popen([sys.executable, "-m", "kg.cli", "build", str(inputs), "--out", str(out), "--no-cache"],
                                  cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for inputs in (SEED, PAGES)]
    for process in processes:
        assert process.wait(timeout=300) == 0, process.stderr.read()
    # the folder holds one build's complete output, not a mix of both
    lines = nt_lines(out)
    sizes = {}
    for inputs in (SEED, PAGES):
        alone = tmp_path / f"alone-{inputs.name}"
        assert kg("build", str(inputs), "--out", str(alone), "--no-cache").returncode == 0
        sizes[inputs.name] = digest(alone)
    assert digest(out) in sizes.values()
    assert lines > 0


HOSTILE_TITLE = 'Evil "quoted" \\ back\\slash > <script>alert(1)</script> <img src=x onerror=alert(1)> \x01\x7f'
HOSTILE_SUMMARY = ('## 核心主題\n"""triple quotes""" and \'\'\' and \\u0000 and a NUL \x00 here\n'
                   'new\rline \ud800 lone surrogate? no: \ufffe and `</script>` and ]]> and {{ jinja }}\n'
                   '## 結論\n**Reinforcement Learning (RL)** 與 LoRA <b>bold</b>\n')


def test_hostile_text_reaches_every_output_safely(tmp_path):
    import json

    import networkx as nx
    import pyoxigraph as ox
    import rdflib

    from kg.validate import validate_dump

    page = tmp_path / "hostile.md"
    text = (f"<details>\n<summary>1. {HOSTILE_TITLE}</summary><br>\n"
            f'<a href="https://www.youtube.com/watch?v=abcdefghijk" target="_blank">\n</a>\n\n{HOSTILE_SUMMARY}</details>\n')
    page.write_bytes(text.encode("utf-8", "surrogatepass").replace(b"\xed\xa0\x80", b"?"))
    out = tmp_path / "out"
    result = kg("build", str(page), "--out", str(out), "--no-cache")
    assert result.returncode == 0, result.stderr
    lines = nt_lines(out)
    assert lines > 10
    assert len(list(ox.parse(path=str(out / "graph.nt"), format=ox.RdfFormat.N_TRIPLES))) == lines
    assert len(list(ox.parse(path=str(out / "graph.ttl"), format=ox.RdfFormat.TURTLE))) == lines
    assert len(rdflib.Graph().parse(out / "graph.ttl", format="turtle")) == lines
    assert len(rdflib.Graph().parse(out / "graph.jsonld", format="json-ld")) == lines
    json.loads((out / "graph.jsonld").read_text(encoding="utf-8"))
    assert validate_dump(out) == []
    graph = nx.read_graphml(out / "graph.graphml")
    assert any("<script>" in data.get("label", "") for _, data in graph.nodes(data=True))
    # the title survives as text, quotes and all (control characters aside)
    titles = [str(o) for _, p, o in rdflib.Graph().parse(out / "graph.nt", format="nt")
              if str(p) == "https://schema.org/name"]
    assert any('Evil "quoted" \\ back\\slash > <script>' in title for title in titles)
    html = (out / "graph.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html and "<img src=x onerror" not in html


def test_after_extraction_lectures_keep_only_the_section_the_page_shows():
    from kg.build import keep_exported_sections
    from kg.html import lecture_excerpt
    from kg.records import Lecture, Section

    intro = Section("引言", "other", "先說背景。", 3)
    core = Section("核心主題", "core", "本講介紹 LoRA 的做法。", 5)
    empty_core = Section("核心主題", "core", "  ", 2)
    rest = Section("結論", "conclusion", "LoRA 很省記憶體。", 7)
    with_core = Lecture(1, "LoRA", "a", "x.md", 1, summary="…", sections=(intro, empty_core, core, rest))
    without = Lecture(2, "Other", "b", "x.md", 9, summary="只有引言。", sections=(intro,))
    bare = Lecture(3, "Bare", "c", "x.md", 12)
    lectures = [with_core, without, bare]
    excerpts = [lecture_excerpt(lecture) for lecture in lectures]

    keep_exported_sections(lectures)

    assert [lecture.sections for lecture in lectures] == [(core,), (), ()]
    assert lectures[2] is bare  # nothing to drop: the same record
    assert [lecture_excerpt(lecture) for lecture in lectures] == excerpts
    assert lectures[0].summary == with_core.summary and lectures[0].title == with_core.title


def test_the_vocabulary_is_kept_parsed_between_builds_and_parsed_again_when_a_file_changes(tmp_path, monkeypatch):
    from kg.vocabulary import cached_vocabulary, load_vocabulary

    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "vocab"
    folder.mkdir()
    concept = """@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<https://w3id.org/lecture-kg/concept/lora> a skos:Concept ; skos:prefLabel "{label}"@en .
"""
    (folder / "v.ttl").write_text(concept.format(label="LoRA"), encoding="utf-8")
    first = cached_vocabulary(folder)
    assert first == load_vocabulary(folder)
    assert len(list((tmp_path / "cache").glob("vocabulary-*.pickle"))) == 1
    import kg.vocabulary

    def parse_again(folder):
        raise AssertionError("parsed again although the files did not change")

    with monkeypatch.context() as patched:
        patched.setattr(kg.vocabulary, "load_vocabulary", parse_again)
        assert cached_vocabulary(folder) == first  # read back from the pickle

    (folder / "v.ttl").write_text(concept.format(label="Low-Rank Adaptation"), encoding="utf-8")
    changed = cached_vocabulary(folder)
    assert changed["lora"].label("en") == "Low-Rank Adaptation"
    assert changed.fingerprint != first.fingerprint
