"""``kg serve`` under load (issue 8): concurrent clients sending a mix of canned
queries, with a pathological query among them, for a fixed time. Prints the figures:
requests served, wrong answers, errors, p50/p95 latency, memory of the server and its
query workers before and after.

    python3 benchmarks/load.py [--graph output] [--clients 16] [--seconds 20]

Traffic goes only to the server it starts on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.load import open_store  # noqa: E402
from kg.query import run_query, to_json  # noqa: E402

# a cross product of every triple with itself four times: never finishes in time
PATHOLOGICAL = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@dataclass
class LoadReport:
    requests: int = 0
    correct: int = 0
    wrong: int = 0
    errors: int = 0
    pathological_sent: int = 0
    pathological_stopped: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    rss_before_mib: float = 0.0
    rss_after_mib: float = 0.0
    messages: list[str] = field(default_factory=list)

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] if ordered else 0.0

    def lines(self) -> list[str]:
        return [
            f"requests served: {self.requests} ({self.correct} correct, {self.wrong} wrong, {self.errors} errors)",
            f"pathological queries: {self.pathological_sent} sent, {self.pathological_stopped} stopped by the time limit",
            f"latency of the mixed queries: p50 {self.percentile(0.5):.1f} ms, p95 {self.percentile(0.95):.1f} ms",
            f"memory (server + query workers): {self.rss_before_mib:.0f} MiB before, {self.rss_after_mib:.0f} MiB after",
        ]


def mixed_queries(graph: Path) -> list[tuple[str, str, str]]:
    """(name, query text, expected JSON rows) for each canned query with the example
    values its comments give, answered directly on the dump so that the load test can
    check every answer."""
    from kg.serve import example_queries

    store = open_store(graph)
    cases = []
    for name, _, text in example_queries():
        expected = canonical_rows(json.loads(to_json(run_query(store, text))))
        cases.append((name, text, expected))
    return cases


def canonical_rows(results: dict) -> str:
    """A SPARQL JSON result as a sorted, comparable string (row order may differ)."""
    if "boolean" in results:
        return json.dumps(results["boolean"])
    rows = [json.dumps(binding, sort_keys=True, ensure_ascii=False) for binding in results["results"]["bindings"]]
    return "\n".join(sorted(rows))


def process_tree_rss_mib(pids: list[int]) -> float:
    import psutil

    total = 0
    for pid in pids:
        try:
            process = psutil.Process(pid)
            total += process.memory_info().rss + sum(c.memory_info().rss for c in process.children(recursive=True))
        except psutil.Error:
            pass
    return total / 2**20


def post_query(url: str, query: str, timeout: float) -> tuple[int, bytes]:
    data = urllib.parse.urlencode({"query": query}).encode()
    request = urllib.request.Request(url, data=data, headers={"Accept": "application/sparql-results+json",
                                                              "Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def run_load(server_url: str, cases: list[tuple[str, str, str]], clients: int, seconds: float,
             pathological_every: int = 25, rss=lambda: 0.0) -> LoadReport:
    """Drive ``clients`` threads for ``seconds``; every ``pathological_every``-th request
    of client 0 is the pathological query. Bounded in time and count by construction."""
    report = LoadReport(rss_before_mib=rss())
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    sparql = server_url.rstrip("/") + "/sparql"

    def client(index: int) -> None:
        sent = 0
        while time.monotonic() < deadline and sent < 100_000:
            sent += 1
            if index == 0 and sent % pathological_every == 0:
                status, body = post_query(sparql, PATHOLOGICAL, timeout=60)
                with lock:
                    report.pathological_sent += 1
                    if status == 503 and b"time limit" in body.lower():
                        report.pathological_stopped += 1
                    else:
                        report.messages.append(f"pathological query answered {status}: {body[:200]!r}")
                continue
            name, text, expected = cases[(index + sent) % len(cases)]
            start = time.perf_counter()
            status, body = post_query(sparql, text, timeout=60)
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                report.requests += 1
                report.latencies_ms.append(elapsed)
                if status != 200:
                    report.errors += 1
                    report.messages.append(f"{name}: HTTP {status}: {body[:200]!r}")
                elif canonical_rows(json.loads(body)) == expected:
                    report.correct += 1
                else:
                    report.wrong += 1
                    report.messages.append(f"{name}: wrong answer")

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    report.rss_after_mib = rss()
    return report


@contextmanager
def serve_process(graph: Path, timeout: float):
    """``kg serve`` on a free loopback port in a process of its own (so that its memory
    is measured alone); yields (base URL, pid)."""
    server = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", "--graph", str(graph), "--port", "0",
                               "--timeout", str(timeout)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)
    try:
        first = server.stdout.readline()
        if not first.startswith("SPARQL endpoint: http://127.0.0.1:"):
            raise RuntimeError(f"kg serve did not start: {first}{server.stderr.read()}")
        yield first.split(": ", 1)[1].strip().removesuffix("sparql"), server.pid
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--graph", type=Path, default=ROOT / "output")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--timeout", type=float, default=2.0, help="the server's query time limit")
    args = parser.parse_args()
    cases = mixed_queries(args.graph)
    with serve_process(args.graph, args.timeout) as (url, pid):
        report = run_load(url, cases, args.clients, args.seconds, rss=lambda: process_tree_rss_mib([pid]))
    print(f"{args.clients} clients for {args.seconds:.0f} s, {len(cases)} canned queries mixed, "
          f"query time limit {args.timeout:.1f} s")
    for line in report.lines():
        print(line)
    for message in report.messages[:10]:
        print("  " + message)


if __name__ == "__main__":
    main()
