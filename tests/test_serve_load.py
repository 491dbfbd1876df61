"""``kg serve`` under load (issue 8): 16 concurrent clients for 20 s of mixed canned
queries get only correct answers, while a pathological query is stopped by the time
limit; memory stays bounded. Traffic only to 127.0.0.1."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def graph(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("load") / "output"
    result = subprocess.run([sys.executable, "-m", "kg.cli", "build", str(ROOT / "seeds"), str(ROOT / "tests" / "data"),
                             "--out", str(out), "--no-cache", "--quiet"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    return out


def test_sixteen_clients_for_twenty_seconds(graph):
    from load import mixed_queries, process_tree_rss_mib, run_load, serve_process

    cases = mixed_queries(graph)
    assert len(cases) >= 5 and all(expected for _, _, expected in cases)
    with serve_process(graph, timeout=2.0) as (url, pid):
        assert url.startswith("http://127.0.0.1:")
        report = run_load(url, cases, clients=16, seconds=20, rss=lambda: process_tree_rss_mib([pid]))
    print("\n".join(report.lines()))  # the figures, in the test log (pytest -s)
    assert report.requests > 100
    assert report.wrong == 0 and report.errors == 0, report.messages[:5]
    assert report.pathological_sent >= 1 and report.pathological_stopped == report.pathological_sent, report.messages[:5]
    assert report.rss_after_mib < report.rss_before_mib + 300  # no growth with the requests served
