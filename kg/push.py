"""``kg push``: load the dump into any SPARQL 1.1 Graph Store HTTP Protocol server
(Oxigraph, Fuseki, GraphDB, QLever, Virtuoso), replacing one named graph.

It sends ``graph.nt`` with ``PUT <endpoint>?graph=<graph IRI>``: in the Graph Store
Protocol a PUT *replaces* the graph's content in one request, so readers see the old
graph or the new one, and pushing twice leaves one copy, not two. The file is streamed,
not read into memory.

    >>> push(Path("output"), "http://127.0.0.1:7878/store")          # doctest: +SKIP
    PushResult(url='http://127.0.0.1:7878/store?graph=https%3A%2F%2Fw3id.org%2Flecture-kg%2Fgraph', ...)

The endpoint is the server's graph store URL: ``/store`` for Oxigraph, ``/DATASET/data``
for Fuseki, ``/repositories/ID/rdf-graphs/service`` for GraphDB. User and password may be
given in the URL (``http://user:password@host/…``): they are sent as HTTP Basic auth.
"""

from __future__ import annotations

import base64
import http.client
import re
import socket
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from kg.namespaces import DEFAULT_BASE

CHUNK = 1 << 20


class PushError(Exception):
    """The push failed; the message says why, for people."""


@dataclass(frozen=True)
class PushResult:
    url: str
    graph_iri: str
    triples: int
    status: int


def dump_base(nt_file: Path) -> str:
    """The base IRI of a dump: its ``void:uriSpace``, found near the end of graph.nt
    (the dataset description sorts last), without parsing the whole file."""
    size = nt_file.stat().st_size
    with open(nt_file, "rb") as handle:
        handle.seek(max(0, size - (1 << 16)))
        tail = handle.read().decode("utf-8", "replace")
    match = re.search(r'<http://rdfs\.org/ns/void#uriSpace> "([^"\\]*)"', tail)
    return match.group(1) if match else DEFAULT_BASE


def default_graph_iri(nt_file: Path) -> str:
    return dump_base(nt_file) + "graph"


def count_lines(path: Path) -> int:
    with open(path, "rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(CHUNK), b""))


def graph_store_url(endpoint: str, graph_iri: str) -> str:
    """``endpoint`` with ``graph=<graph IRI>`` added to its query string (and no user info).

    >>> graph_store_url("http://127.0.0.1:7878/store", "https://e.org/g")
    'http://127.0.0.1:7878/store?graph=https%3A%2F%2Fe.org%2Fg'
    """
    parts = urlsplit(endpoint)
    netloc = parts.hostname or ""
    if ":" in netloc:  # an IPv6 address
        netloc = f"[{netloc}]"
    if parts.port:
        netloc += f":{parts.port}"
    query = (parts.query + "&" if parts.query else "") + "graph=" + quote(graph_iri, safe="")
    return urlunsplit((parts.scheme, netloc, parts.path or "/", query, ""))


def _check(endpoint: str, graph_iri: str) -> None:
    parts = urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PushError(f"--endpoint must be an http:// or https:// URL, not {endpoint!r}")
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+$", graph_iri):
        raise PushError(f"--graph-iri must be an absolute IRI, not {graph_iri!r}")


def push(graph: Path | str | None, endpoint: str, graph_iri: str | None = None, timeout: float = 120) -> PushResult:
    """PUT the dump's graph.nt into the named graph ``graph_iri`` (default
    ``<base>graph``) of the Graph Store Protocol service at ``endpoint``."""
    from kg.load import graph_files

    file = graph_files(graph)
    nt_file = file.parent / "graph.nt" if (file.parent / "graph.nt").is_file() else file
    if nt_file.suffix != ".nt":
        raise PushError(f"{nt_file}: push sends N-Triples; give a build's output folder or its graph.nt")
    graph_iri = graph_iri or default_graph_iri(nt_file)
    _check(endpoint, graph_iri)
    url = graph_store_url(endpoint, graph_iri)
    parts = urlsplit(endpoint)
    connection_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    headers = {"Content-Type": "application/n-triples", "Content-Length": str(nt_file.stat().st_size),
               "User-Agent": "lecture-kg push"}
    if parts.username is not None:
        credentials = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode("utf-8")
        headers["Authorization"] = "Basic " + base64.b64encode(credentials).decode("ascii")
    target = urlsplit(url)
    path = target.path + ("?" + target.query if target.query else "")
    connection = connection_class(parts.hostname, parts.port, timeout=timeout)
    where = f"{parts.scheme}://{parts.hostname}{':' + str(parts.port) if parts.port else ''}"
    try:
        with open(nt_file, "rb") as body:
            connection.request("PUT", path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read(4096).decode("utf-8", "replace").strip()
    except ConnectionRefusedError:
        raise PushError(f"cannot reach {where}: connection refused (is the server running?)") from None
    except socket.timeout:
        raise PushError(f"{where} did not answer within {timeout:g} s") from None
    except socket.gaierror as error:
        raise PushError(f"cannot resolve {parts.hostname}: {error.strerror or error}") from None
    except (OSError, http.client.HTTPException) as error:
        raise PushError(f"cannot push to {where}: {getattr(error, 'strerror', None) or error}") from None
    finally:
        connection.close()
    if response.status not in (200, 201, 204):
        detail = f": {text[:500]}" if text else ""
        hint = " (is --endpoint the server's Graph Store URL, e.g. …/store for Oxigraph?)" if response.status in (404, 405) else ""
        raise PushError(f"{url} answered HTTP {response.status} {response.reason}{detail}{hint}")
    return PushResult(url, graph_iri, count_lines(nt_file), response.status)
