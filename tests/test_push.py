"""``kg push`` into a real Oxigraph server (the ``oxigraph`` package's ``oxigraph serve``),
started on a free loopback port, then queried and compared with ``kg query``."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from SPARQLWrapper import JSON, SPARQLWrapper
from click.testing import CliRunner

from kg.cli import app
from kg.load import open_store
from kg.namespaces import DEFAULT_BASE
from kg.push import PushError, graph_store_url, push
from kg.query import bind_parameters, canned_query, format_result, run_query
from test_rdf import fixture_concepts, seed_graph, write_dump

pytestmark = pytest.mark.server
OXIGRAPH = shutil.which("oxigraph")
runner = CliRunner()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory):
    """http://127.0.0.1:PORT of a fresh Oxigraph server, stopped after the tests."""
    if OXIGRAPH is None:
        pytest.skip("the oxigraph server is not installed (pip install oxigraph)")
    port = free_port()
    location = tmp_path_factory.mktemp("oxigraph")
    log = open(location.parent / "oxigraph.log", "wb")
    process = subprocess.Popen([OXIGRAPH, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
                               stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(url + "/query?query=ASK%7B%7D", timeout=2).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("oxigraph serve did not start: " + (location.parent / "oxigraph.log").read_text())
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture(scope="module")
def dump(tmp_path_factory):
    return write_dump(seed_graph(), tmp_path_factory.mktemp("push"))


def server_select(server: str, query: str, graph_iri: str | None = None) -> dict:
    client = SPARQLWrapper(server + "/query")
    client.setQuery(query)
    client.setReturnFormat(JSON)
    client.setTimeout(30)
    if graph_iri:
        client.addDefaultGraph(graph_iri)  # the protocol's default-graph-uri: query the pushed graph
    return client.queryAndConvert()


def count_in(server: str, graph_iri: str) -> int:
    result = server_select(server, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph_iri}> {{ ?s ?p ?o }} }}")
    return int(result["results"]["bindings"][0]["n"]["value"])


def lines_of(folder: Path) -> int:
    return (folder / "graph.nt").read_bytes().count(b"\n")


def test_push_then_query_the_server_like_kg_query(oxigraph, dump):
    result = push(dump, oxigraph + "/store")
    assert result.graph_iri == DEFAULT_BASE + "graph"
    assert result.triples == lines_of(dump) == count_in(oxigraph, result.graph_iri)
    for name, params in [("lectures-about", {"concept": "RL"}), ("concepts-of-course", {"course": "ml-2021-zh"}),
                         ("prerequisites", {"concept": "BERT"}), ("translations", {})]:
        query = canned_query(name)
        text = bind_parameters(query.text, params, query.params)
        local = json.loads(format_result(run_query(open_store(dump), text), "json"))
        assert server_select(oxigraph, text, result.graph_iri) == local, name


def test_push_replaces_the_graph(oxigraph, dump, tmp_path):
    graph_iri = "https://example.org/graphs/replaced"
    push(dump, oxigraph + "/store", graph_iri)
    push(dump, oxigraph + "/store", graph_iri)  # twice: still one copy
    assert count_in(oxigraph, graph_iri) == lines_of(dump)
    concepts = {key: c for key, c in fixture_concepts().items() if key != "chatgpt"}
    smaller = write_dump(seed_graph(concepts=concepts), tmp_path / "smaller")
    push(smaller, oxigraph + "/store", graph_iri)
    assert count_in(oxigraph, graph_iri) == lines_of(smaller) < lines_of(dump)
    gone = server_select(oxigraph, f"ASK {{ GRAPH <{graph_iri}> {{ <{DEFAULT_BASE}concept/chatgpt> ?p ?o }} }}")
    assert gone["boolean"] is False
    assert count_in(oxigraph, DEFAULT_BASE + "graph") == lines_of(dump)  # other graphs untouched


def test_push_command(oxigraph, dump):
    done = runner.invoke(app, ["push", "--endpoint", oxigraph + "/store", "--graph-iri", "https://example.org/g/cli",
                               "--graph", str(dump)])
    assert done.exit_code == 0, done.output
    assert f"pushed {lines_of(dump)} triples into <https://example.org/g/cli>" in done.stdout
    assert count_in(oxigraph, "https://example.org/g/cli") == lines_of(dump)


@pytest.mark.parametrize("endpoint, graph_iri, message", [
    ("http://127.0.0.1:{closed}/store", None, "connection refused"),
    ("{server}/nowhere", None, "HTTP 404"),
    ("ftp://127.0.0.1/store", None, "must be an http:// or https:// URL"),
    ("{server}/store", "not an iri", "must be an absolute IRI"),
])
def test_push_errors_for_people(oxigraph, dump, endpoint, graph_iri, message):
    endpoint = endpoint.format(server=oxigraph, closed=free_port())
    with pytest.raises(PushError, match=message):
        push(dump, endpoint, graph_iri, timeout=10)
    args = ["push", "--endpoint", endpoint, "--graph", str(dump), "--timeout", "10"]
    done = runner.invoke(app, args + (["--graph-iri", graph_iri] if graph_iri else []))
    assert done.exit_code == 1 and message in done.stderr and "Traceback" not in done.output


def test_push_missing_graph(tmp_path):
    done = runner.invoke(app, ["push", "--endpoint", "http://127.0.0.1:9/store", "--graph", str(tmp_path / "none")])
    assert done.exit_code == 1 and "no graph at" in done.stderr


def test_graph_store_url():
    assert graph_store_url("http://u:p@127.0.0.1:7878/store", "https://e.org/g#x") == \
        "http://127.0.0.1:7878/store?graph=https%3A%2F%2Fe.org%2Fg%23x"
    assert graph_store_url("http://h/ds/data?x=1", "urn:g") == "http://h/ds/data?x=1&graph=urn%3Ag"
