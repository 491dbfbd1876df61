"""``kg serve``: the SPARQL 1.1 Protocol endpoint, over real HTTP on 127.0.0.1, queried
with SPARQLWrapper and with plain HTTP requests."""

from __future__ import annotations

import csv
import http.client
import io
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from SPARQLWrapper import CSV, JSON, POST, TSV, XML, SPARQLWrapper

from kg.load import open_store
from kg.query import bind_parameters, canned_query, format_result, run_query
from kg.serve import negotiate, parse_accept, start_server
from test_rdf import seed_graph, write_dump

pytestmark = pytest.mark.server
ROOT = Path(__file__).resolve().parent.parent
PATHOLOGICAL = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@pytest.fixture(scope="module")
def dump(tmp_path_factory):
    folder = write_dump(seed_graph(), tmp_path_factory.mktemp("serve") / "output")
    (folder / "graph.html").write_text("<!doctype html><title>graph</title><p>the graph page</p>", encoding="utf-8")
    secret = folder.parent / "secret.txt"
    secret.write_text("outside the output folder", encoding="utf-8")
    (folder / "link.txt").symlink_to(secret)
    return folder


@pytest.fixture(scope="module")
def server(dump):
    running = start_server(dump, port=0, timeout=2.0, max_results=500, workers=2)
    yield running
    running.stop()


def lines_of(dump: Path) -> int:
    return (dump / "graph.nt").read_bytes().count(b"\n")


def request(server, method: str, path: str, body: bytes | None = None, headers: dict | None = None,
            timeout: float = 30) -> tuple[int, dict, bytes]:
    """One raw HTTP request (no client-side path normalisation)."""
    connection = http.client.HTTPConnection(server.host, server.port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def sparql_get(server, query: str, accept: str = "application/sparql-results+json") -> tuple[int, dict, bytes]:
    return request(server, "GET", "/sparql?query=" + urllib.parse.quote(query), headers={"Accept": accept})


def wrapper(server, query: str, fmt=JSON) -> SPARQLWrapper:
    client = SPARQLWrapper(server.sparql_url)
    client.setQuery(query)
    client.setReturnFormat(fmt)
    client.setTimeout(30)
    return client


# ---------------------------------------------------------------- the protocol


def test_default_graph_is_exactly_graph_nt(server, dump):
    result = wrapper(server, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").queryAndConvert()
    assert int(result["results"]["bindings"][0]["n"]["value"]) == lines_of(dump)
    named = wrapper(server, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }").queryAndConvert()
    assert named["results"]["bindings"][0]["n"]["value"] == "0"


def test_canned_query_over_http_equals_kg_query(server, dump):
    query = canned_query("lectures-about")
    text = bind_parameters(query.text, {"concept": "RL"}, query.params)
    local = json.loads(format_result(run_query(open_store(dump), text), "json"))
    for method in ("GET", POST):
        client = wrapper(server, text)
        client.setMethod(method)
        assert client.queryAndConvert() == local


def test_results_by_accept(server):
    text = "SELECT ?p ?id WHERE { ?l <https://schema.org/position> ?p ; <https://schema.org/identifier> ?id } ORDER BY ?p LIMIT 3"
    as_csv = wrapper(server, text, CSV).queryAndConvert().decode("utf-8")
    assert list(csv.reader(io.StringIO(as_csv))) == [["p", "id"], ["351", "8AKqH6V9kjE"], ["352", "jbN0oYLtXps"],
                                                      ["353", "kk6DqWreLeU"]]
    as_tsv = wrapper(server, text, TSV).queryAndConvert().decode("utf-8")
    assert as_tsv.splitlines()[1] == '"351"^^<http://www.w3.org/2001/XMLSchema#integer>\t"8AKqH6V9kjE"'
    as_xml = wrapper(server, text, XML).queryAndConvert()
    assert [node.firstChild.data for node in as_xml.getElementsByTagName("literal")][:2] == ["351", "8AKqH6V9kjE"]
    status, headers, body = sparql_get(server, "CONSTRUCT WHERE { ?c a <https://schema.org/Course> }", "text/turtle")
    assert status == 200 and headers["content-type"].startswith("text/turtle")
    assert b"course:ml-2021-zh" in body
    status, headers, body = sparql_get(server, "ASK { ?s ?p ?o }", "application/sparql-results+xml")
    assert status == 200 and b"<boolean>true</boolean>" in body


def test_post_bodies(server):
    query = b"SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://schema.org/VideoObject> }"
    status, _, body = request(server, "POST", "/sparql", query, {"Content-Type": "application/sparql-query",
                                                                 "Accept": "text/csv"})
    assert (status, body) == (200, b"n\r\n50\r\n")
    form = urllib.parse.urlencode({"query": query.decode()}).encode()
    status, _, body = request(server, "POST", "/sparql", form, {"Content-Type": "application/x-www-form-urlencoded",
                                                                "Accept": "text/csv"})
    assert (status, body) == (200, b"n\r\n50\r\n")
    status, _, _ = request(server, "POST", "/sparql", b"<x/>", {"Content-Type": "application/xml"})
    assert status == 415


def test_updates_are_refused(server, dump):
    update = "INSERT DATA { <http://e.org/a> <http://e.org/b> <http://e.org/c> }"
    for method, path, body, content_type in [
        ("POST", "/sparql", urllib.parse.urlencode({"update": update}).encode(), "application/x-www-form-urlencoded"),
        ("POST", "/sparql", update.encode(), "application/sparql-update"),
        ("POST", "/sparql", update.encode(), "application/sparql-query"),
        ("GET", "/sparql?update=" + urllib.parse.quote(update), None, None),
    ]:
        status, _, message = request(server, method, path, body, {"Content-Type": content_type} if content_type else {})
        assert status == 403, (method, content_type, status)
        assert b"read-only" in message
    for method in ("PUT", "DELETE", "PATCH"):
        assert request(server, method, "/sparql", b"", {"Content-Type": "text/turtle"})[0] == 405
    client = wrapper(server, update)
    client.setMethod(POST)
    with pytest.raises(Exception):
        client.query()
    assert int(wrapper(server, "SELECT (COUNT(*) AS ?n) {?s ?p ?o}").queryAndConvert()
               ["results"]["bindings"][0]["n"]["value"]) == lines_of(dump)


def test_malformed_query_gets_the_parser_message(server):
    status, _, body = sparql_get(server, "SELECT *\nWHERE { ?s ?p }")
    assert status == 400
    assert re.match(rb"invalid SPARQL: line 2, column \d+: ", body)
    assert request(server, "GET", "/sparql")[0] == 400


def test_result_size_limit(server):
    status, _, body = sparql_get(server, "SELECT * WHERE { ?s ?p ?o }")
    assert status == 422 and b"more than 500 rows" in body and b"LIMIT" in body
    assert sparql_get(server, "SELECT * WHERE { ?s ?p ?o } LIMIT 500")[0] == 200


def test_slow_query_is_stopped_while_others_are_served(server):
    answers: dict[str, tuple] = {}

    def slow() -> None:
        started = time.monotonic()
        answers["slow"] = sparql_get(server, PATHOLOGICAL) + (time.monotonic() - started,)

    thread = threading.Thread(target=slow)
    thread.start()
    time.sleep(0.3)  # the slow query holds one worker now
    quick = []
    for _ in range(5):
        started = time.monotonic()
        status, _, body = sparql_get(server, "ASK { ?s a <https://schema.org/Course> }")
        quick.append((status, time.monotonic() - started))
        assert b"true" in body
    thread.join(timeout=30)
    status, _, body, seconds = answers["slow"]
    assert status == 503 and b"time limit of 2 s" in body
    assert 1.5 < seconds < 10
    assert all(code == 200 and took < 1.5 for code, took in quick), quick
    deadline = time.monotonic() + 20  # the killed worker is replaced: two queries at once work again
    while time.monotonic() < deadline and len(server.pool._all) < server.pool.size:
        time.sleep(0.1)
    assert len(server.pool._all) == server.pool.size
    assert sparql_get(server, "ASK { ?s ?p ?o }")[0] == 200


def test_memory_hungry_query_is_stopped_and_its_worker_replaced(dump):
    with start_server(dump, port=0, timeout=20, max_results=100, workers=1, memory_mb=300) as small:
        hungry = "SELECT * WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f } ORDER BY ?a ?c ?e LIMIT 5"
        status, _, body = sparql_get(small, hungry)
        assert status == 503 and b"memory limit of 300 MB" in body
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and sparql_get(small, "ASK { ?s ?p ?o }")[0] != 200:
            time.sleep(0.2)
        assert sparql_get(small, "ASK { ?s ?p ?o }")[0] == 200


def test_binds_loopback_by_default(server):
    assert server.host == "127.0.0.1"


def test_content_negotiation():
    assert parse_accept("text/csv;q=0.5, application/sparql-results+json")[0][0] == "application/sparql-results+json"
    assert negotiate("*/*", "select") == ("application/sparql-results+json", "json")
    assert negotiate("text/tab-separated-values", "select")[1] == "tsv"
    assert negotiate("application/rdf+xml;q=0.5, application/n-triples", "graph") == ("application/n-triples",) * 2
    assert negotiate(None, "graph")[0] == "text/turtle"


# ---------------------------------------------------------------- pages and files


def test_query_page(server):
    status, headers, body = request(server, "GET", "/")
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in headers["content-security-policy"]
    page = body.decode("utf-8")
    assert '<form method="get" action="/sparql">' in page and "lectures-about" in page
    assert "<script" not in page
    status, _, body = request(server, "GET", "/?example=lectures-about")
    assert status == 200 and b"LCASE(STR(&quot;RL&quot;))" in body  # the example, bound and HTML-escaped
    _, _, body = request(server, "GET", "/?example=" + urllib.parse.quote("<script>alert(1)</script>"))
    assert b"<script>" not in body and b"&lt;script&gt;" in body


def test_html_results_are_escaped(server):
    status, headers, body = sparql_get(server, 'SELECT ("<script>alert(1)</script>" AS ?x) {}', "text/html")
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert b"<script>alert" not in body and b"&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_graph_page_and_files_of_the_output_folder_only(server, dump):
    status, headers, body = request(server, "GET", "/graph.html")
    assert status == 200 and headers["content-type"].startswith("text/html") and b"the graph page" in body
    status, _, body = request(server, "GET", "/graph.nt")
    assert status == 200 and body == (dump / "graph.nt").read_bytes()
    for path in ["/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt", "/graph.html/../../secret.txt",
                 "/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd", "//etc/passwd", "/link.txt", "/.ssh", "/nothing.html",
                 "/graph.html%00.txt", "/..\\secret.txt"]:
        status, _, body = request(server, "GET", path)
        assert status in (403, 404), path
        assert b"outside the output folder" not in body and b"root:" not in body, path


# ---------------------------------------------------------------- the command


def test_kg_serve_command(dump):
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    process = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", "--graph", str(dump), "--port", "0",
                                "--workers", "1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = process.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/sparql", line)
        assert match, line + process.stderr.read()
        url = f"http://127.0.0.1:{match.group(1)}/sparql?query=" + urllib.parse.quote("ASK { ?s ?p ?o }")
        with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": "application/json"}), timeout=20) as r:
            assert json.load(r) == {"head": {}, "boolean": True}
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    assert process.returncode == 0  # stopped cleanly, not killed
    assert "Traceback" not in process.stderr.read()


def test_kg_serve_missing_graph(tmp_path):
    done = subprocess.run([sys.executable, "-m", "kg.cli", "serve", "--graph", str(tmp_path / "none"), "--port", "0"],
                          capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert done.returncode == 1 and "no graph at" in done.stderr and "Traceback" not in done.stderr
