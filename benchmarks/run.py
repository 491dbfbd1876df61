"""Every benchmark of lecture-kg, printed as one table (issue 7). Figures, not tests.

    python3 benchmarks/run.py              # seed, seed + shared pages, 1k, 10k, 100k lectures
    python3 benchmarks/run.py --max 10000  # skip the largest catalogs

For each catalog: wall time and peak memory of ``kg build`` end to end (a fresh
process, no extraction cache) and per stage, lectures per second, and side by side
the time of one plain ``jieba.lcut`` pass over the same text (import and dictionary
load included): the honest floor for a jieba-based pipeline. Then the growth
exponent of time and memory with size, an incremental rebuild after one lecture
changed, p50/p95 of each canned SPARQL query on a 448-lecture catalog, and the
HTML page's load time in headless Chromium.
"""

from __future__ import annotations

import argparse
import compileall
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from synth import write_catalog  # noqa: E402

JIEBA_PASS = """
import sys, jieba
jieba.setLogLevel(60)
text = "".join(open(p, encoding="utf-8").read() for p in sys.argv[1:])
jieba.initialize()
jieba.lcut(text)
"""


SAMPLING_SHARE = 0.02  # at most this share of a build's time goes to reading its memory


def isolated(command: list[str], env: dict | None = None) -> tuple[float, float, str]:
    """Run ``command`` in a fresh process; return its wall time, the peak memory of its
    whole process tree (MiB) and its output. Memory is the proportional set size (PSS)
    summed over the process and its workers: worker processes count, and pages they
    share with the main process count once (RSS would count them in every process;
    RUSAGE_CHILDREN would give the largest single process only).

    Reading PSS makes the kernel walk every page of the process (~17 ms for 2 GB here)
    while holding the lock the process needs to allocate, so the samples are spaced
    to keep that under SAMPLING_SHARE of the time: every 100 ms for a small build,
    about every second at 100,000 lectures (sampling every 100 ms made that build
    3x slower)."""
    import psutil

    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, **(env or {})}, cwd=ROOT)
    root, peak = psutil.Process(process.pid), 0
    reader = _Drain(process)
    while process.poll() is None:
        total = 0
        sampled = time.perf_counter()
        try:
            members = [root, *root.children(recursive=True)]
        except psutil.Error:
            members = []  # the build ended meanwhile
        for member in members:
            try:
                total += member.memory_full_info().pss
            except psutil.Error:
                pass  # a worker ended between listing and reading it: the others still count
        peak = max(peak, total)
        time.sleep(max(0.1, (time.perf_counter() - sampled) / SAMPLING_SHARE))
    seconds = time.perf_counter() - start
    stdout, stderr = reader.result()
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{stderr[-3000:]}")
    return seconds, peak / 2**20, stdout


class _Drain:
    """Read a process's stdout and stderr in threads, so a full pipe never blocks it."""

    def __init__(self, process: subprocess.Popen):
        import threading

        self.parts = {"out": [], "err": []}
        self.threads = [threading.Thread(target=self._read, args=(stream, self.parts[name]), daemon=True)
                        for name, stream in (("out", process.stdout), ("err", process.stderr))]
        for thread in self.threads:
            thread.start()

    @staticmethod
    def _read(stream, parts: list[str]) -> None:
        parts.append(stream.read())

    def result(self) -> tuple[str, str]:
        for thread in self.threads:
            thread.join()
        return "".join(self.parts["out"]), "".join(self.parts["err"])


def catalog_files(inputs: list[Path]) -> list[str]:
    files = []
    for item in inputs:
        files += [str(p) for p in sorted(item.rglob("*")) if p.suffix in (".md", ".txt")] if item.is_dir() else [str(item)]
    return files


def stage_times(stdout: str) -> dict[str, float]:
    match = re.search(r"time: [\d.]+ s \((.*)\)", stdout)
    if not match:
        return {}
    return {name: float(value) for name, value in (part.rsplit(" ", 1) for part in match.group(1).split(", "))}


def bench_build(name: str, inputs: list[Path], out: Path, jobs: int | None = None) -> dict:
    files = catalog_files(inputs)
    characters = sum(len(Path(f).read_text(encoding="utf-8")) for f in files)
    command = [sys.executable, "-m", "kg.cli", "build", *map(str, inputs), "--out", str(out), "--no-cache"]
    if jobs:
        command += ["--jobs", str(jobs)]
    seconds, peak, stdout = isolated(command)
    lectures = int(re.search(r"lectures read: (\d+)", stdout).group(1))
    floor, _, _ = isolated([sys.executable, "-c", JIEBA_PASS, *files])
    return {
        "catalog": name, "lectures": lectures, "characters": characters, "seconds": seconds,
        "peak_mib": peak, "stages": stage_times(stdout), "lectures_per_s": lectures / seconds,
        "jieba_seconds": floor, "ratio": seconds / floor,
    }


def growth_exponent(rows: list[dict], key: str) -> float | None:
    """Least-squares slope of log(key) against log(lectures) over the synthetic sizes."""
    points = [(math.log(r["lectures"]), math.log(r[key])) for r in rows if r["lectures"] >= 1000]
    if len(points) < 2:
        return None
    mean_x = statistics.fmean(x for x, _ in points)
    mean_y = statistics.fmean(y for _, y in points)
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / sum((x - mean_x) ** 2 for x, _ in points)


def bench_incremental(work: Path) -> dict:
    """Build 448 lectures with the cache, change one lecture's summary, build again."""
    catalog = work / "incremental"
    write_catalog(448, catalog)
    cache = work / "incremental-cache"
    env = {"KG_CACHE": str(cache)}
    command = [sys.executable, "-m", "kg.cli", "build", str(catalog), "--out", str(work / "incremental-out")]
    cold, _, _ = isolated(command, env)
    page = sorted(catalog.glob("*.md"))[0]
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace("</details>", "\n## 結論\n新增的一句話 LoRA。\n</details>", 1), encoding="utf-8")
    warm, _, stdout = isolated(command, env)
    return {"cold": cold, "warm": warm, "stages": stage_times(stdout)}


def bench_queries(out: Path, repeats: int = 30) -> list[dict]:
    """p50/p95 wall time of each canned query (with the example values its comments
    give), on a store loaded once, as `kg serve` and `kg query` use it."""
    from kg.load import open_store
    from kg.query import run_query
    from kg.serve import example_queries

    store = open_store(out)
    rows = []
    for name, _, sparql in example_queries():
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            run_query(store, sparql)
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        rows.append({"query": name, "p50_ms": times[len(times) // 2], "p95_ms": times[int(len(times) * 0.95) - 1]})
    return rows


def bench_html(out: Path) -> float | None:
    """Seconds from navigation to a usable page (the page sets window.kgReady)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if not Path("/usr/bin/chromium").exists():
        return None
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--no-first-run", "--disable-sync"])
        page = browser.new_page()
        start = time.perf_counter()
        page.goto((out / "graph.html").as_uri())
        page.wait_for_function("window.kgReady === true", timeout=30000)
        elapsed = time.perf_counter() - start
        browser.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max", type=int, default=100_000, help="largest synthetic catalog (default 100000)")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args()
    # measure the tool as installed: pip compiles a package's bytecode when it installs a
    # wheel, while an editable checkout under PYTHONDONTWRITEBYTECODE would recompile
    # every module of kg in every build
    compileall.compile_dir(ROOT / "kg", quiet=1)
    work = Path(tempfile.mkdtemp(prefix="kg-bench-"))
    try:
        rows = [
            bench_build("seed", [ROOT / "seeds"], work / "out-seed"),
            bench_build("seed + shared pages", [ROOT / "seeds", ROOT / "tests" / "data"], work / "out-real"),
        ]
        for size in (448, 1000, 10_000, 100_000):
            if size > args.max:
                continue
            folder = work / f"synth-{size}"
            write_catalog(size, folder)
            rows.append(bench_build(f"synthetic {size}", [folder], work / f"out-{size}"))
            shutil.rmtree(folder)
        print_builds(rows)
        figures = {"builds": rows,
                   "time_exponent": growth_exponent(rows, "seconds"),
                   "memory_exponent": growth_exponent(rows, "peak_mib")}
        print(f"\ngrowth exponent (synthetic >= 1k): time {fmt(figures['time_exponent'])}, memory {fmt(figures['memory_exponent'])}")
        figures["incremental"] = bench_incremental(work)
        inc = figures["incremental"]
        print(f"\nrebuild after one lecture changed (448 lectures, cache warm): {inc['warm']:.2f} s "
              f"(cold {inc['cold']:.2f} s); stages: " + ", ".join(f"{k} {v:.3f}" for k, v in inc["stages"].items()))
        figures["queries"] = bench_queries(work / "out-448") if (work / "out-448").exists() else []
        if figures["queries"]:
            print("\ncanned SPARQL queries on 448 lectures (store loaded once):")
            print(f"{'query':32} {'p50 ms':>8} {'p95 ms':>8}")
            for row in figures["queries"]:
                print(f"{row['query']:32} {row['p50_ms']:8.2f} {row['p95_ms']:8.2f}")
        figures["html_load_s"] = bench_html(work / "out-real")
        if figures["html_load_s"] is not None:
            print(f"\nHTML page usable in headless Chromium (seed + shared pages): {figures['html_load_s']:.2f} s")
        if args.json:
            args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def print_builds(rows: list[dict]) -> None:
    stages = sorted({name for row in rows for name in row["stages"]},
                    key=lambda s: ["read", "extract", "relate", "rdf", "graphml", "html", "validate"].index(s)
                    if s in ["read", "extract", "relate", "rdf", "graphml", "html", "validate"] else 99)
    header = f"{'catalog':22} {'lectures':>8} {'wall s':>7} {'peak MiB':>8} {'lect/s':>8} {'jieba s':>7} {'ratio':>5} | " + " ".join(f"{s:>7}" for s in stages)
    print(header)
    print("-" * len(header))
    for row in rows:
        print(f"{row['catalog']:22} {row['lectures']:8d} {row['seconds']:7.2f} {row['peak_mib']:8.0f} "
              f"{row['lectures_per_s']:8.0f} {row['jieba_seconds']:7.2f} {row['ratio']:5.2f} | "
              + " ".join(f"{row['stages'].get(s, 0):7.2f}" for s in stages))


if __name__ == "__main__":
    main()
