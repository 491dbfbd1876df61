"""``kg serve``: a read-only SPARQL 1.1 Protocol endpoint over one dump, plus a query
page for people and the build's HTML graph.

==========================  =============================================================
``GET  /``                  the query page (no script; example queries)
``GET  /sparql?query=…``    SPARQL 1.1 Protocol query via GET
``POST /sparql``            form body (``query=…``) or ``application/sparql-query`` body
``GET  /graph.html``        files of the output folder, nothing outside it
==========================  =============================================================

Results by ``Accept``: SPARQL JSON, CSV, TSV or XML (JSON by default), or an HTML table
for browsers; CONSTRUCT/DESCRIBE as Turtle, N-Triples, JSON-LD or RDF/XML. Updates
(``update=``, ``application/sparql-update``) are refused with 403.

The dataset is exactly ``graph.nt``: it is bulk-loaded once into a temporary on-disk
Oxigraph store, which a pool of worker *processes* opens read-only (shared through the
page cache, so memory does not grow with the number of workers). Each query runs in a
worker, so a slow query never blocks the others, and a query over its time limit is
stopped for real: its worker is killed and replaced. Workers also run under a memory
limit. Results over ``--max-results`` rows are refused rather than truncated.

Example::

    >>> with start_server(Path("output"), port=0) as server:     # doctest: +SKIP
    ...     print(server.url)
    http://127.0.0.1:40321/
"""

from __future__ import annotations

import gc
import html
import os
import pickle
import queue
import re
import select
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

DEFAULT_TIMEOUT = 10.0  # seconds per query
DEFAULT_MAX_RESULTS = 10_000  # rows (or triples) per result
DEFAULT_MEMORY_MB = 1024  # per query worker
MAX_QUERY_BYTES = 1 << 20

# media type -> format name, for SELECT/ASK and for CONSTRUCT/DESCRIBE results
RESULT_TYPES = {
    "application/sparql-results+json": "json", "application/json": "json",
    "application/sparql-results+xml": "xml", "application/xml": "xml", "text/xml": "xml",
    "text/csv": "csv", "text/tab-separated-values": "tsv", "text/html": "html",
}
GRAPH_TYPES = {
    "text/turtle": "text/turtle", "application/n-triples": "application/n-triples",
    "application/ld+json": "application/ld+json", "application/rdf+xml": "application/rdf+xml",
    "text/html": "html",
}
FORMAT_PARAM = {  # ?format=… / ?output=… as many endpoints accept
    "json": "application/sparql-results+json", "xml": "application/sparql-results+xml", "csv": "text/csv",
    "tsv": "text/tab-separated-values", "html": "text/html", "turtle": "text/turtle", "ttl": "text/turtle",
    "nt": "application/n-triples", "ntriples": "application/n-triples", "jsonld": "application/ld+json",
    "json-ld": "application/ld+json", "rdfxml": "application/rdf+xml",
}
STATIC_TYPES = {".html": "text/html; charset=utf-8", ".nt": "application/n-triples", ".ttl": "text/turtle; charset=utf-8",
                ".jsonld": "application/ld+json", ".graphml": "application/xml", ".json": "application/json",
                ".js": "text/javascript", ".css": "text/css", ".png": "image/png", ".svg": "image/svg+xml"}


@dataclass(frozen=True)
class Reply:
    status: int
    content_type: str
    body: bytes


def text_reply(status: int, message: str) -> Reply:
    return Reply(status, "text/plain; charset=utf-8", (message.rstrip() + "\n").encode("utf-8"))


# ---------------------------------------------------------------- content negotiation


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """Media ranges of an Accept header, best first.

    >>> parse_accept("text/csv;q=0.5, application/sparql-results+json")
    [('application/sparql-results+json', 1.0), ('text/csv', 0.5)]
    """
    ranges = []
    for index, part in enumerate((header or "*/*").split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for field_ in fields[1:]:
            if field_.lower().startswith("q="):
                try:
                    q = float(field_[2:])
                except ValueError:
                    q = 0.0
        ranges.append((media, q, -index))
    ranges.sort(key=lambda r: (-r[1], r[0].count("*"), -r[2]))
    return [(media, q) for media, q, _ in ranges if q > 0]


def negotiate(accept: str | None, kind: str) -> tuple[str, str]:
    """(media type, format) for a result of ``kind`` ("select", "ask" or "graph")."""
    table = GRAPH_TYPES if kind == "graph" else RESULT_TYPES
    default = "text/turtle" if kind == "graph" else "application/sparql-results+json"
    for media, _ in parse_accept(accept):
        if media in table:
            return media, table[media]
        if media in ("*/*", "application/*") or (media == "text/*" and kind == "graph"):
            return default, table[default]
        if media == "text/*":
            return "text/csv", "csv"
    return default, table[default]


# ---------------------------------------------------------------- query workers (processes)


def _limit_memory(megabytes: int | None) -> None:
    if not megabytes:
        return
    try:
        import resource

        limit = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
    except (ImportError, ValueError, OSError):  # not on this platform: run without
        pass


def execute(store, query: str, accept: str | None, max_results: int, prefixes: dict) -> Reply:
    """Run one query and serialise its result as negotiated (in a worker)."""
    from kg.query import QueryError, ResultTooLarge, format_result, graph_bytes, run_query, to_html

    try:
        result = run_query(store, query, max_results=max_results)
    except ResultTooLarge as error:
        return text_reply(422, f"{error} (the limit is kg serve --max-results {max_results})")
    except QueryError as error:
        status = 403 if str(error).startswith("updates are not allowed") else 400
        return text_reply(status, str(error))
    media, fmt = negotiate(accept, result.kind)
    if fmt == "html":
        return Reply(200, "text/html; charset=utf-8", results_page(query, to_html(result, prefixes)).encode("utf-8"))
    if result.kind == "graph":
        return Reply(200, media + ("; charset=utf-8" if media.startswith("text/") else ""),
                     graph_bytes(result, media, prefixes))
    return Reply(200, media + "; charset=utf-8", format_result(result, fmt, prefixes).encode("utf-8"))


class Channel:
    """Length-prefixed pickles over a pair of pipes (between the server and its own
    worker processes only)."""

    def __init__(self, reader, writer):
        self.reader, self.writer = reader, writer

    def send(self, message) -> None:
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        self.writer.write(struct.pack(">Q", len(data)) + data)
        self.writer.flush()

    def poll(self, timeout: float | None) -> bool:
        return bool(select.select([self.reader], [], [], timeout)[0])

    def recv(self):
        header = self._read(8)
        return pickle.loads(self._read(struct.unpack(">Q", header)[0]))

    def _read(self, size: int) -> bytes:
        chunks, missing = [], size
        while missing:
            chunk = self.reader.read(missing)
            if not chunk:
                raise EOFError("the other end closed the pipe")
            chunks.append(chunk)
            missing -= len(chunk)
        return b"".join(chunks)


def worker_main(store_dir: str, memory_mb: int | None) -> None:
    """A query worker (``python -m kg.serve --worker DIR MB``): open the store
    read-only, then answer jobs from stdin on stdout until stdin closes."""
    channel = Channel(os.fdopen(os.dup(0), "rb", buffering=0), os.fdopen(os.dup(1), "wb"))
    sys.stdout = sys.stderr  # stray prints must not corrupt the channel
    _limit_memory(memory_mb)
    import pyoxigraph as ox

    from kg.query import dump_prefixes

    store = ox.Store.read_only(store_dir)
    prefixes = dump_prefixes(store)
    channel.send("ready")
    while True:
        try:
            job = channel.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        query, accept, max_results = job
        try:
            reply = execute(store, query, accept, max_results, prefixes)
        except MemoryError:
            reply = text_reply(503, f"the query ran out of memory (limit {memory_mb} MB per query)")
        except Exception as error:  # noqa: BLE001 - a bug must not kill the worker silently
            reply = text_reply(500, f"query failed: {type(error).__name__}: {error}")
        channel.send((reply.status, reply.content_type, reply.body))


class Worker:
    """One worker process and the channel to it."""

    def __init__(self, store_dir: str, memory_mb: int | None):
        package_root = str(Path(__file__).resolve().parent.parent)
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kg.serve", "--worker", store_dir, str(memory_mb or 0)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, bufsize=0,  # unbuffered: select() sees all
        )
        self.channel = Channel(self.process.stdout, self.process.stdin)

    def stop(self, kill: bool = False) -> None:
        if not kill:
            try:
                self.channel.send(None)
                self.process.stdin.close()
                self.process.wait(timeout=2)
            except (OSError, ValueError, subprocess.TimeoutExpired):
                pass
        if self.process.poll() is None:
            self.process.kill()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        for pipe in (self.process.stdin, self.process.stdout):
            try:
                pipe.close()
            except (OSError, ValueError):
                pass


class QueryPool:
    """Worker processes over one read-only store; one query at a time per worker."""

    def __init__(self, store_dir: Path, size: int, memory_mb: int | None):
        self._store_dir = str(store_dir)
        self._memory_mb = memory_mb
        self._idle: queue.Queue[Worker] = queue.Queue()
        self._all: set[Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        self.size = size
        try:
            started = [self._spawn() for _ in range(size)]
            for worker in started:
                self._await_ready(worker)
        except BaseException:
            self.close()
            raise

    def _spawn(self) -> Worker:
        worker = Worker(self._store_dir, self._memory_mb)
        with self._lock:
            self._all.add(worker)
        return worker

    def _await_ready(self, worker: Worker, timeout: float = 60) -> None:
        try:
            if worker.channel.poll(timeout) and worker.channel.recv() == "ready":
                self._idle.put(worker)
                return
        except (EOFError, OSError, pickle.UnpicklingError):
            pass
        self._discard(worker, kill=True)
        raise RuntimeError("a query worker could not start or open the store (see the messages above)")

    def _discard(self, worker: Worker, kill: bool) -> None:
        with self._lock:
            self._all.discard(worker)
        worker.stop(kill=kill)

    def _replace(self, worker: Worker) -> None:
        """Kill ``worker`` and start another in the background."""
        self._discard(worker, kill=True)

        def respawn() -> None:
            try:
                if not self._closed:
                    self._await_ready(self._spawn())
            except RuntimeError:
                pass

        if not self._closed:
            threading.Thread(target=respawn, daemon=True, name="kg-worker-respawn").start()

    def run(self, query: str, accept: str | None, max_results: int, timeout: float) -> Reply:
        try:
            worker = self._idle.get(timeout=timeout)
        except queue.Empty:
            return text_reply(503, f"all {self.size} query workers stayed busy for {timeout:g} s; try again")
        try:
            worker.channel.send((query, accept, max_results))
            if worker.channel.poll(timeout):
                status, content_type, body = worker.channel.recv()
                self._idle.put(worker)
                return Reply(status, content_type, body)
        except (EOFError, OSError, pickle.UnpicklingError):
            self._replace(worker)
            return text_reply(503, f"the query stopped its worker (over the memory limit of {self._memory_mb} MB?)")
        self._replace(worker)
        return text_reply(503, f"query stopped: it ran over the time limit of {timeout:g} s (kg serve --timeout)")

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.stop(kill=False)


# ---------------------------------------------------------------- pages

PAGE_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 70rem; padding: 0 1rem; color: #222; }
textarea { width: 100%; height: 16rem; font-family: ui-monospace, monospace; font-size: 0.9rem; }
table { border-collapse: collapse; font-size: 0.9rem; } td, th { border: 1px solid #ccc; padding: 0.2rem 0.4rem; vertical-align: top; }
th { background: #f3f3f3; } code, pre { background: #f6f6f6; } li { margin: 0.2rem 0; }
"""
CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"


def _example_value(description: str) -> str | None:
    match = re.search(r"e\.g\.\s*\"?([^\s,\"]+)", description)
    return match.group(1) if match else None


def example_queries() -> list[tuple[str, str, str]]:
    """(name, description, query text with example values bound) of the canned queries."""
    from kg.query import QueryError, bind_parameters, canned_queries

    examples = []
    for query in canned_queries().values():
        values = {}
        for param in query.params:
            if param.default is None:
                example = _example_value(param.description)
                if example is None:
                    break
                values[param.name] = example
        else:
            try:
                examples.append((query.name, query.description, bind_parameters(query.text, values, query.params)))
            except QueryError:
                continue
    return examples


def query_page(triples: int | None, has_graph_page: bool, text: str = "", note: str = "") -> str:
    """The page for people at ``/``: a query form and the canned queries as examples."""
    esc = html.escape
    examples = example_queries()
    default = text or (examples[0][2] if examples else "SELECT * WHERE { ?s ?p ?o } LIMIT 10")
    items = "\n".join(
        f'<li><a href="/?example={quote(name)}"><code>{esc(name)}</code></a> — {esc(description)}</li>'
        for name, description, _ in examples
    )
    size = f"{triples} triples" if triples is not None else "the graph"
    graph_link = '<p>Browse the graph: <a href="/graph.html">graph.html</a></p>' if has_graph_page else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>lecture-kg SPARQL</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{PAGE_STYLE}</style></head>
<body>
<h1>lecture-kg SPARQL endpoint</h1>
<p>Ask {esc(size)} with SPARQL 1.1. Programs: <code>GET</code> or <code>POST /sparql</code> (SPARQL 1.1 Protocol);
results as JSON, CSV, TSV or XML by <code>Accept</code>. Read-only.</p>
{graph_link}
{f'<p><strong>{esc(note)}</strong></p>' if note else ''}
<form method="get" action="/sparql">
<textarea name="query" spellcheck="false">{esc(default)}</textarea>
<p><label>Results as <select name="format">
<option value="html">a table</option><option value="json">SPARQL JSON</option><option value="csv">CSV</option>
<option value="tsv">TSV</option><option value="xml">SPARQL XML</option></select></label>
<button type="submit">Run</button></p>
</form>
<h2>Example queries</h2>
<ul>
{items}
</ul>
</body></html>
"""


def results_page(query: str, table_html: str) -> str:
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>lecture-kg SPARQL results</title><style>{PAGE_STYLE}</style></head>
<body><p><a href="/">← new query</a></p><pre>{html.escape(query)}</pre>
{table_html}
</body></html>
"""


# ---------------------------------------------------------------- HTTP


class Handler(BaseHTTPRequestHandler):
    server_version = "lecture-kg"
    protocol_version = "HTTP/1.1"
    timeout = 60  # a client that stops sending does not hold its thread forever
    server: "SparqlServer"

    # -- plumbing

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        if self.server.verbose:
            sys.stderr.write(f"{self.address_string()} {format % args}\n")

    def send(self, reply: Reply, extra: dict[str, str] | None = None) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cache-Control", "no-store")
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(reply.body)

    def refuse(self, status: int, message: str, extra: dict[str, str] | None = None) -> None:
        self.send(text_reply(status, message), extra)

    # -- methods

    def do_GET(self) -> None:  # noqa: N802 - the base class's naming
        url = urlsplit(self.path)
        if url.path == "/":
            return self.page(parse_qs(url.query))
        if url.path == "/sparql":
            return self.sparql(parse_qs(url.query, keep_blank_values=True))
        return self.static(url.path)

    do_HEAD = do_GET

    def do_POST(self) -> None:  # noqa: N802
        url = urlsplit(self.path)
        if url.path != "/sparql":
            return self.refuse(405, "POST only to /sparql", {"Allow": "GET, HEAD"})
        length = self.headers.get("Content-Length")
        if length is None:
            return self.refuse(411, "a POST needs a Content-Length")
        try:
            size = int(length)
        except ValueError:
            return self.refuse(400, "bad Content-Length")
        if size > MAX_QUERY_BYTES:
            self.close_connection = True
            return self.refuse(413, f"request body over {MAX_QUERY_BYTES} bytes")
        body = self.rfile.read(size)
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        params = parse_qs(url.query, keep_blank_values=True)
        if content_type == "application/x-www-form-urlencoded":
            try:
                form = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
            except UnicodeDecodeError:
                return self.refuse(400, "the form body is not UTF-8")
            for key, values in form.items():
                params.setdefault(key, []).extend(values)
            return self.sparql(params)
        if content_type == "application/sparql-query":
            try:
                params["query"] = params.get("query", []) + [body.decode("utf-8")]
            except UnicodeDecodeError:
                return self.refuse(400, "the query is not UTF-8")
            return self.sparql(params)
        if content_type == "application/sparql-update":
            return self.refuse(403, "updates are not allowed: this endpoint is read-only")
        return self.refuse(415, "POST a form (application/x-www-form-urlencoded) or application/sparql-query")

    def _not_allowed(self) -> None:
        self.refuse(405, "read-only endpoint: use GET or POST /sparql", {"Allow": "GET, HEAD, POST"})

    do_PUT = do_DELETE = do_PATCH = _not_allowed

    # -- routes

    def page(self, params: dict[str, list[str]]) -> None:
        text, note = "", ""
        name = (params.get("example") or [""])[0]
        if name:
            found = {n: q for n, _, q in example_queries()}
            text = found.get(name, "")
            note = "" if text else f"no example called {name}"
        body = query_page(self.server.triples, self.server.has_graph_page, text, note).encode("utf-8")
        self.send(Reply(200, "text/html; charset=utf-8", body), {"Content-Security-Policy": CSP})

    def sparql(self, params: dict[str, list[str]]) -> None:
        if "update" in params:
            return self.refuse(403, "updates are not allowed: this endpoint is read-only")
        queries = params.get("query") or []
        if not queries or not queries[0].strip():
            if "text/html" in (self.headers.get("Accept") or ""):
                return self.page({})
            return self.refuse(400, "no query: give ?query=… (SPARQL 1.1 Protocol)")
        if len(queries) > 1:
            return self.refuse(400, "give one query, not several")
        if params.get("default-graph-uri") or params.get("named-graph-uri"):
            return self.refuse(400, "this endpoint serves one default graph; default-graph-uri and "
                                    "named-graph-uri are not supported")
        if len(queries[0].encode("utf-8")) > MAX_QUERY_BYTES:
            return self.refuse(413, f"query over {MAX_QUERY_BYTES} bytes")
        accept = self.headers.get("Accept")
        wanted = (params.get("format") or params.get("output") or [""])[0].lower()
        if wanted:
            accept = FORMAT_PARAM.get(wanted, wanted if "/" in wanted else accept)
        reply = self.server.pool.run(queries[0], accept, self.server.max_results, self.server.query_timeout)
        extra = {"Content-Security-Policy": CSP} if reply.content_type.startswith("text/html") else None
        self.send(reply, extra)

    def static(self, path: str) -> None:
        """A file of the output folder; anything that resolves outside it is refused."""
        relative = unquote(path).lstrip("/")
        parts = [part for part in relative.split("/") if part]
        if not parts or any(part in ("..", ".") or part.startswith(".") or "\\" in part or "\x00" in part
                            for part in parts):
            return self.refuse(404 if not parts else 403, "not found" if not parts else "forbidden path")
        root = self.server.folder
        target = (root / Path(*parts)).resolve()
        if not target.is_relative_to(root) or not target.is_file():
            return self.refuse(404, f"not found: /{'/'.join(parts)}")
        content_type = STATIC_TYPES.get(target.suffix.lower(), "application/octet-stream")
        try:
            body = target.read_bytes()
        except OSError:
            return self.refuse(404, "not found")
        self.send(Reply(200, content_type, body))


class SparqlServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, folder: Path, pool: QueryPool, triples: int, query_timeout: float,
                 max_results: int, verbose: bool = False):
        self.folder = folder.resolve()
        self.pool = pool
        self.triples = triples
        self.query_timeout = query_timeout
        self.max_results = max_results
        self.verbose = verbose
        self.has_graph_page = (self.folder / "graph.html").is_file()
        super().__init__(address, Handler)


# ---------------------------------------------------------------- starting and stopping


def load_disk_store(nt_file: Path, directory: Path) -> int:
    """Bulk-load ``nt_file`` into an on-disk store at ``directory``; its triple count."""
    import pyoxigraph as ox

    from kg.load import rdf_format

    store = ox.Store(str(directory))
    store.bulk_load(path=nt_file, format=rdf_format(nt_file))
    store.flush()
    count = len(store)
    del store
    gc.collect()  # close the store before the workers open it read-only
    return count


class RunningServer:
    """A started endpoint; stop it with :meth:`stop` or a ``with`` block."""

    def __init__(self, server: SparqlServer, pool: QueryPool, store_dir: Path, thread: threading.Thread | None):
        self.server, self.pool, self.store_dir, self.thread = server, pool, store_dir, thread
        host, port = server.server_address[:2]
        self.host, self.port = host, port
        self.url = f"http://{host}:{port}/"
        self.sparql_url = self.url + "sparql"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.pool.close()
        shutil.rmtree(self.store_dir, ignore_errors=True)

    def __enter__(self) -> "RunningServer":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def start_server(graph: Path | str | None = None, host: str = "127.0.0.1", port: int = 8000,
                 timeout: float = DEFAULT_TIMEOUT, max_results: int = DEFAULT_MAX_RESULTS,
                 workers: int | None = None, memory_mb: int | None = DEFAULT_MEMORY_MB,
                 verbose: bool = False, background: bool = True) -> RunningServer:
    """Load the dump and start listening (``port=0``: any free port). With
    ``background`` the server runs in a daemon thread; else call
    ``running.server.serve_forever()``."""
    from kg.load import graph_files

    graph_file = graph_files(graph)
    folder = graph_file.parent
    nt_file = folder / "graph.nt" if (folder / "graph.nt").is_file() else graph_file
    store_dir = Path(tempfile.mkdtemp(prefix="kg-serve-"))
    pool = None
    try:
        triples = load_disk_store(nt_file, store_dir)
        size = workers or max(2, min(4, os.cpu_count() or 2))
        pool = QueryPool(store_dir, size, memory_mb)
        server = SparqlServer((host, port), folder, pool, triples, timeout, max_results, verbose)
    except BaseException:
        if pool is not None:
            pool.close()
        shutil.rmtree(store_dir, ignore_errors=True)
        raise
    thread = None
    if background:
        thread = threading.Thread(target=server.serve_forever, daemon=True, name="kg-serve")
        thread.start()
    return RunningServer(server, pool, store_dir, thread)


def wait_until_up(url: str, timeout: float = 30) -> bool:
    """Poll ``url`` until it answers (for tests and scripts)."""
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.status < 500
        except OSError:
            time.sleep(0.1)
    return False


if __name__ == "__main__" and sys.argv[1:2] == ["--worker"]:
    worker_main(sys.argv[2], int(sys.argv[3]) or None)
