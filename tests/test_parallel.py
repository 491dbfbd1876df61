"""Extraction on one core, on two, and on a Dask cluster gives identical outputs (issue 7)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))


def build(inputs: Path, out: Path, *options: str) -> None:
    result = subprocess.run([sys.executable, "-m", "kg.cli", "build", str(inputs), "--out", str(out), "--no-cache", *options],
                            capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def catalog(tmp_path_factory) -> Path:
    from synth import write_catalog

    folder = tmp_path_factory.mktemp("catalog")
    write_catalog(450, folder)  # above the size at which extraction goes parallel
    return folder


def test_jobs_1_and_jobs_2_give_identical_outputs(catalog, tmp_path):
    build(catalog, tmp_path / "one", "--jobs", "1")
    build(catalog, tmp_path / "two", "--jobs", "2")
    for name in ("graph.nt", "graph.ttl", "graph.jsonld", "graph.html", "graph.graphml"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), name


def test_dask_executor_gives_identical_outputs(catalog, tmp_path):
    distributed = pytest.importorskip("distributed")
    build(catalog, tmp_path / "local", "--jobs", "1")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  host="127.0.0.1") as cluster:
        build(catalog, tmp_path / "dask", "--executor", "dask", "--scheduler", cluster.scheduler_address)
    assert (tmp_path / "local" / "graph.nt").read_bytes() == (tmp_path / "dask" / "graph.nt").read_bytes()
