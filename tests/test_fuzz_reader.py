"""Property-based tests of the catalog reader (issue 8): whatever the bytes, the
outcome is records or a clear error naming the file, never a trace or a hang."""

from __future__ import annotations

import signal
from contextlib import contextmanager

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.catalog import CatalogError, read_catalogs

CASE_SECONDS = 5
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
COUNTER = {"cases": 0}


@pytest.fixture(scope="module", autouse=True)
def report_cases():
    """State how many inputs were fuzzed (visible with ``pytest -s`` or in the CI log)."""
    yield
    print(f"\nfuzzed catalog reader with {COUNTER['cases']} generated files, each under {CASE_SECONDS} s")


@contextmanager
def time_bound(seconds: int):
    """Fail the case instead of hanging the suite."""

    def expire(signum, frame):
        raise TimeoutError(f"reader took over {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def read_bytes(tmp_path, data: bytes):
    path = tmp_path / "fuzz.md"
    path.write_bytes(data)
    COUNTER["cases"] += 1
    with time_bound(CASE_SECONDS):
        try:
            catalog = read_catalogs([path])
        except CatalogError as error:
            assert error.problems and all(p.source == str(path) for p in error.problems)
            assert all(isinstance(p.line, int) and p.line >= 0 for p in error.problems)
            return None
    for lecture in catalog.lectures:
        assert lecture.video_id and len(lecture.video_id) == 11 and lecture.title
    for problem in catalog.problems:
        assert problem.source == str(path) and problem.line >= 1
    return catalog


def block(number: int, title: str, video: str, summary: str) -> str:
    return (f"<details>\n<summary>{number}. {title}</summary><br>\n\n"
            f'<a href="https://www.youtube.com/watch?v={video}" target="_blank">\n</a>\n\n{summary}\n</details>\n\n')


weird_text = st.lists(
    st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(list("＜＞（）【】ＡＢ\u0301\u200f\u202e\x00\n\t#*<>/\"'\\") + ["😀", "</details>", "<details>", "</summary>", "[2021-02-30]"]),
    ),
    max_size=120,
).map("".join)
video_ids = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-", min_size=11, max_size=11)


@FUZZ
@given(data=st.binary(max_size=2000))
def test_random_bytes(tmp_path_factory, data):
    read_bytes(tmp_path_factory.mktemp("b"), data)


@FUZZ
@given(blocks=st.lists(st.tuples(st.integers(0, 10**6), weird_text, video_ids, weird_text), min_size=1, max_size=6),
       cut=st.integers(0, 5000))
def test_random_unicode_blocks_maybe_truncated(tmp_path_factory, blocks, cut):
    page = "".join(block(*b) for b in blocks)
    if cut % 3 == 0:  # truncate a third of the pages somewhere
        page = page[: cut % (len(page) + 1)]
    read_bytes(tmp_path_factory.mktemp("u"), page.encode("utf-8", "surrogatepass"))


@FUZZ
@given(depth=st.integers(1, 30), title=weird_text)
def test_nested_details(tmp_path_factory, depth, title):
    page = "<details>\n" * depth + block(1, title or "t", "abcdefghijk", "x") + "</details>\n" * depth
    read_bytes(tmp_path_factory.mktemp("n"), page.encode("utf-8", "surrogatepass"))


def test_enormous_title_and_summary(tmp_path):
    huge = "長" * 200_000
    page = block(1, huge, "abcdefghijk", "") + block(2, "ok", "bbbbbbbbbbb", "# 核心主題\n" + "很長的摘要 " * 100_000)
    catalog = read_bytes(tmp_path, page.encode())
    assert [l.number for l in catalog.lectures] == [2]
    assert "over 8000 characters" in str(catalog.problems[0]) and ":1:" in str(catalog.problems[0])


def test_pathological_patterns_are_fast(tmp_path):
    # shapes that make naive regular expressions backtrack for minutes
    page = ("<details>\n<summary>1. " + " " * 100_000 + "\n" + "youtube.com/watch?" + "a" * 100_000 + "\n"
            + "#" + " #" * 50_000 + "\n</details>\n")
    read_bytes(tmp_path, page.encode())
