"""The ``kg`` command line: build a graph, then query it, plan study paths, serve it.

Heavy modules are imported inside the commands, so ``kg --help`` stays instant.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

app = typer.Typer(
    name="kg",
    help="Build a knowledge graph of lectures and the concepts they teach from catalog pages.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

GraphOption = Annotated[
    Path,
    typer.Option("--graph", "-g", help="A build's output folder, or one graph file in it (graph.nt, graph.ttl).",
                 show_default=True),
]
DEFAULT_GRAPH = Path("output")


def fail(message: str, code: int = 1) -> None:
    """Print an error for a person (no traceback) and exit non-zero."""
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


def _progress_printer(quiet: bool):
    """A rich progress bar on a terminal, nothing otherwise or with --quiet."""
    if quiet or not sys.stderr.isatty():
        return None, None
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    progress = Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                        TimeElapsedColumn(), transient=True)
    tasks: dict[str, int] = {}

    def update(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = progress.add_task(stage, total=total)
        progress.update(tasks[stage], completed=done, total=total)

    return progress, update


@app.command()
def build(
    inputs: Annotated[Optional[list[Path]], typer.Argument(help="Catalog files or folders (*.md, *.txt). Default: seeds/.")] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder, replaced whole when the build succeeds.")] = Path("output"),
    strict: Annotated[bool, typer.Option(help="Treat any damaged lecture block as fatal.")] = False,
    validate: Annotated[bool, typer.Option(help="Validate the RDF against ontology/shapes.ttl (SHACL) and fail on violations.")] = False,
    base_iri: Annotated[Optional[str], typer.Option("--base-iri", help="Base IRI of lectures, concepts and courses.")] = None,
    jobs: Annotated[Optional[int], typer.Option("--jobs", "-j", help="Extraction processes (default: all cores).", min=1)] = None,
    executor: Annotated[str, typer.Option(help="'local' or 'dask'.")] = "local",
    scheduler: Annotated[Optional[str], typer.Option(help="Dask scheduler address (tcp://host:port) for --executor dask.")] = None,
    force: Annotated[bool, typer.Option(help="Ignore cached extraction results.")] = False,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Neither read nor write the extraction cache.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")] = False,
) -> None:
    """Read catalog pages and write graph.ttl, graph.nt, graph.jsonld, graph.graphml and graph.html."""
    from kg.build import BuildError, BuildOptions, StageTimer, run_build
    from kg.catalog import CatalogError
    from kg.resources import default_seeds

    if executor not in ("local", "dask"):
        fail(f"--executor must be 'local' or 'dask', not {executor!r}", 2)
    progress, update = _progress_printer(quiet)
    options = BuildOptions(
        inputs=list(inputs) if inputs else [default_seeds()],
        out=out, strict=strict, validate=validate, base_iri=base_iri, jobs=jobs,
        executor=executor, scheduler=scheduler, force=force,
        cache=None if no_cache else Path(os.environ.get("KG_CACHE", ".kg-cache")),
        progress=update,
    )
    timer = StageTimer()
    try:
        if progress:
            with progress:
                report = run_build(options, timer)
        else:
            report = run_build(options, timer)
    except CatalogError as error:
        for problem in error.problems:
            typer.secho(f"error: {problem}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1)
    except BuildError as error:
        fail(str(error))
    except OSError as error:
        fail(f"{error.filename or ''}: {error.strerror or error}")
    for problem in report.problems:
        typer.secho(f"warning: {problem}", fg=typer.colors.YELLOW, err=True)
    if quiet:
        return
    typer.echo(
        f"lectures read: {report.lectures} ({report.with_summary} with summaries)\n"
        f"concepts: {report.concepts}\n"
        f"links: {report.links}\n"
        f"files written: {', '.join(report.files)}\n"
        f"time: {sum(timer.seconds.values()):.2f} s ("
        + ", ".join(f"{name} {seconds:.2f}" for name, seconds in timer.seconds.items())
        + ")"
    )


@app.command()
def path(
    target: Annotated[str, typer.Argument(help="A concept: any label, English or Chinese, or an abbreviation (lora, 強化學習, RL).")],
    known: Annotated[Optional[list[str]], typer.Option("--known", "-k", help="A concept you already know (repeatable); it and what only it requires are skipped.")] = None,
    lang: Annotated[Optional[str], typer.Option("--lang", help="'zh' or 'en': the version of each lecture to show (default: the original).")] = None,
    max_steps: Annotated[Optional[int], typer.Option("--max", help="At most this many lectures (the target's own and the nearest prerequisites are kept).", min=1)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the path as a JSON list.")] = False,
    graph_path: GraphOption = DEFAULT_GRAPH,
) -> None:
    """Plan a study path: the lectures to watch, prerequisites first, to understand TARGET."""
    from kg.load import GraphNotFound, load_graph
    from kg.paths import UnknownConcept, concept_label, study_path

    if lang not in (None, "zh", "en"):
        fail(f"--lang must be 'zh' or 'en', not {lang!r}", 2)
    try:
        graph = load_graph(graph_path)
    except GraphNotFound as error:
        fail(str(error))
    except OSError as error:
        fail(f"cannot read the graph at {graph_path}: {error.strerror or error}")
    try:
        steps = study_path(graph, target, known=known or (), lang=lang, max_steps=max_steps)
    except UnknownConcept as error:
        typer.secho(f"error: no concept is called {error.text!r}", fg=typer.colors.RED, err=True)
        if error.suggestions:
            typer.echo("did you mean: " + ", ".join(error.suggestions), err=True)
        raise typer.Exit(1)
    label_lang = lang or "en"
    if as_json:
        import json

        rows = [{"step": i, **step.to_json(graph, label_lang)} for i, step in enumerate(steps, start=1)]
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not steps:
        typer.echo("no lecture teaches or mentions this concept", err=True)
        return
    for i, step in enumerate(steps, start=1):
        concepts = ", ".join(concept_label(graph, c, label_lang) for c in step.concepts)
        typer.echo(f"{i:>2}. #{step.number} {step.title}\n    {step.url}\n    concepts: {concepts}")


@app.command()
def query(
    text: Annotated[Optional[str], typer.Argument(help="A SPARQL 1.1 query: SELECT, ASK, CONSTRUCT or DESCRIBE.")] = None,
    file: Annotated[Optional[Path], typer.Option("--file", "-f", help="Read the query from a .rq file.")] = None,
    name: Annotated[Optional[str], typer.Option("--name", "-n", help="Run a canned query of ontology/queries/ by name (see --list).")] = None,
    param: Annotated[Optional[list[str]], typer.Option("--param", "-p", help="NAME=VALUE for $NAME in the query (repeatable); bound as one escaped term, never pasted.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv, tsv, json (SPARQL 1.1 results JSON) or xml.")] = "table",
    list_queries: Annotated[bool, typer.Option("--list", help="List the canned queries and their parameters.")] = False,
    graph_path: GraphOption = DEFAULT_GRAPH,
) -> None:
    """Run a SPARQL query over a built graph: text, -f FILE.rq, or --name NAME --param k=v."""
    from kg.load import GraphNotFound, open_store
    from kg.query import FORMATS, QueryError, bind_parameters, canned_query, canned_queries, dump_prefixes
    from kg.query import format_result, parse_params, parse_header, run_query

    if list_queries:
        for canned in canned_queries().values():
            typer.echo(f"{canned.name}\n    {canned.description}")
            for p in canned.params:
                default = f" (default {p.default})" if p.default is not None else ""
                typer.echo(f"    --param {p.name}=…  {p.type}{default}: {p.description}")
        return
    if fmt not in FORMATS:
        fail(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}", 2)
    given = [source for source in (text, file, name) if source is not None]
    if len(given) != 1:
        fail("give exactly one query: a SPARQL text, -f FILE.rq or --name NAME (kg query --list)", 2)
    try:
        params = parse_params(param)
        if name is not None:
            canned = canned_query(name)
            sparql = bind_parameters(canned.text, params, canned.params)
        else:
            if file is not None:
                try:
                    sparql = file.read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError) as error:
                    fail(f"cannot read {file}: {getattr(error, 'strerror', None) or error}")
            else:
                sparql = text
            declared = parse_header(sparql)[1]
            if params or declared:
                sparql = bind_parameters(sparql, params, declared)
        store = open_store(graph_path)
        result = run_query(store, sparql)
        output = format_result(result, fmt, dump_prefixes(store))
    except GraphNotFound as error:
        fail(str(error))
    except QueryError as error:
        fail(str(error))
    except OSError as error:
        fail(f"cannot read the graph at {graph_path}: {error.strerror or error}")
    sys.stdout.write(output if output.endswith("\n") else output + "\n")


@app.command()
def serve(
    graph_path: GraphOption = DEFAULT_GRAPH,
    host: Annotated[str, typer.Option(help="Address to listen on; 0.0.0.0 exposes the endpoint to the network.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port (0: any free port).", min=0, max=65535)] = 8000,
    timeout: Annotated[float, typer.Option(help="Time limit of one query, in seconds.", min=0.1)] = 10.0,
    max_results: Annotated[int, typer.Option("--max-results", help="Most rows (or triples) one result may have.", min=1)] = 10_000,
    workers: Annotated[Optional[int], typer.Option(help="Query worker processes (default: 2 to 4, by cores).", min=1, max=64)] = None,
    memory: Annotated[int, typer.Option("--memory", help="Memory limit of each query worker, in MB (0: none).", min=0)] = 1024,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log every request.")] = False,
) -> None:
    """Serve the graph read-only: SPARQL 1.1 Protocol at /sparql, a query page at /, the HTML graph at /graph.html."""
    from kg.load import GraphNotFound
    from kg.serve import start_server

    try:
        running = start_server(graph_path, host=host, port=port, timeout=timeout, max_results=max_results,
                               workers=workers, memory_mb=memory or None, verbose=verbose, background=False)
    except GraphNotFound as error:
        fail(str(error))
    except OSError as error:
        fail(f"cannot listen on {host}:{port}: {error.strerror or error}")
    except RuntimeError as error:
        fail(str(error))
    if host not in ("127.0.0.1", "localhost", "::1"):
        typer.secho(f"warning: listening on {host}: other machines can query this endpoint", fg=typer.colors.YELLOW, err=True)
    typer.echo(f"SPARQL endpoint: {running.sparql_url}\nquery page:      {running.url}\n"
               f"({running.server.triples} triples; {running.pool.size} workers; {timeout:g} s and "
               f"{max_results} rows per query; Ctrl-C stops)")
    import signal

    def stop(signum, frame):  # SIGTERM (service managers, kill) stops as cleanly as Ctrl-C
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        running.server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        running.stop()


@app.command()
def push(
    endpoint: Annotated[str, typer.Option("--endpoint", "-e", help="The server's Graph Store Protocol URL, e.g. http://127.0.0.1:7878/store (Oxigraph).")],
    graph_iri: Annotated[Optional[str], typer.Option("--graph-iri", help="The named graph to replace (default: <base IRI>graph).")] = None,
    graph_path: GraphOption = DEFAULT_GRAPH,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for the server.", min=1)] = 120.0,
) -> None:
    """Load the graph into a SPARQL 1.1 Graph Store server, replacing one named graph (HTTP PUT)."""
    from kg.load import GraphNotFound
    from kg.push import PushError, push as push_graph

    try:
        result = push_graph(graph_path, endpoint, graph_iri, timeout=timeout)
    except (GraphNotFound, PushError) as error:
        fail(str(error))
    typer.echo(f"pushed {result.triples} triples into <{result.graph_iri}> (HTTP {result.status})")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
