"""The ``kg`` command line: build a graph, then query it, plan study paths, serve it.

Heavy modules are imported inside the commands, so ``kg --help`` stays instant. Built on
click (typer, tried first, imported pydantic for its parameter types: 0.15 s added to
every command).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

CONTEXT = {"help_option_names": ["-h", "--help"]}


@click.group(name="kg", context_settings=CONTEXT, no_args_is_help=True)
def app() -> None:
    """Build a knowledge graph of lectures and the concepts they teach from catalog pages."""


DEFAULT_GRAPH = Path("output")
graph_option = click.option(
    "--graph", "-g", "graph_path", type=click.Path(path_type=Path), default=DEFAULT_GRAPH, show_default=True,
    help="A build's output folder, or one graph file in it (graph.nt, graph.ttl).")


def fail(message: str, code: int = 1) -> None:
    """Print an error for a person (no traceback) and exit non-zero."""
    click.secho(f"error: {message}", fg="red", err=True)
    raise click.exceptions.Exit(code)


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


@app.command(short_help="Read catalog pages and write every output (RDF, GraphML, HTML).")
@click.argument("inputs", nargs=-1, type=click.Path(path_type=Path))
@click.option("--out", "-o", type=click.Path(path_type=Path), default=Path("output"), show_default=True,
              help="Output folder, replaced whole when the build succeeds.")
@click.option("--strict/--no-strict", default=False, show_default=True, help="Treat any damaged lecture block as fatal.")
@click.option("--validate/--no-validate", default=False, show_default=True,
              help="Validate the RDF against ontology/shapes.ttl (SHACL) and fail on violations.")
@click.option("--base-iri", help="Base IRI of lectures, concepts and courses.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), help="Extraction processes (default: all cores).")
@click.option("--executor", default="local", show_default=True, help="'local' or 'dask'.")
@click.option("--scheduler", help="Dask scheduler address (tcp://host:port) for --executor dask.")
@click.option("--force/--no-force", default=False, show_default=True, help="Ignore cached extraction results.")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the extraction cache.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
def build(inputs: tuple[Path, ...], out: Path, strict: bool, validate: bool, base_iri: str | None, jobs: int | None,
          executor: str, scheduler: str | None, force: bool, no_cache: bool, quiet: bool) -> None:
    """Read catalog pages (INPUTS: files or folders of *.md, *.txt; default seeds/) and
    write graph.ttl, graph.nt, graph.jsonld, graph.graphml and graph.html."""
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
            click.secho(f"error: {problem}", fg="red", err=True)
        raise click.exceptions.Exit(1)
    except BuildError as error:
        fail(str(error))
    except OSError as error:
        fail(f"{error.filename or ''}: {error.strerror or error}")
    for problem in report.problems:
        click.secho(f"warning: {problem}", fg="yellow", err=True)
    if quiet:
        return
    click.echo(
        f"lectures read: {report.lectures} ({report.with_summary} with summaries)\n"
        f"concepts: {report.concepts}\n"
        f"links: {report.links}\n"
        f"files written: {', '.join(report.files)}\n"
        f"time: {sum(timer.seconds.values()):.2f} s ("
        + ", ".join(f"{name} {seconds:.2f}" for name, seconds in timer.seconds.items())
        + ")"
    )


@app.command(short_help="Plan a study path to understand a concept.")
@click.argument("target")
@click.option("--known", "-k", multiple=True,
              help="A concept you already know (repeatable); it and what only it requires are skipped.")
@click.option("--lang", help="'zh' or 'en': the version of each lecture to show (default: the original).")
@click.option("--max", "max_steps", type=click.IntRange(min=1),
              help="At most this many lectures (the target's own and the nearest prerequisites are kept).")
@click.option("--json", "as_json", is_flag=True, help="Print the path as a JSON list.")
@graph_option
def path(target: str, known: tuple[str, ...], lang: str | None, max_steps: int | None, as_json: bool,
         graph_path: Path) -> None:
    """Plan a study path: the lectures to watch, prerequisites first, to understand TARGET
    (a concept: any label, English or Chinese, or an abbreviation: lora, 強化學習, RL)."""
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
        click.secho(f"error: no concept is called {error.text!r}", fg="red", err=True)
        if error.suggestions:
            click.echo("did you mean: " + ", ".join(error.suggestions), err=True)
        raise click.exceptions.Exit(1)
    label_lang = lang or "en"
    if as_json:
        import json

        rows = [{"step": i, **step.to_json(graph, label_lang)} for i, step in enumerate(steps, start=1)]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not steps:
        click.echo("no lecture teaches or mentions this concept", err=True)
        return
    for i, step in enumerate(steps, start=1):
        concepts = ", ".join(concept_label(graph, c, label_lang) for c in step.concepts)
        click.echo(f"{i:>2}. #{step.number} {step.title}\n    {step.url}\n    concepts: {concepts}")


@app.command(short_help="Run a SPARQL query over a built graph.")
@click.argument("text", required=False)
@click.option("--file", "-f", type=click.Path(path_type=Path), help="Read the query from a .rq file.")
@click.option("--name", "-n", help="Run a canned query of ontology/queries/ by name (see --list).")
@click.option("--param", "-p", multiple=True,
              help="NAME=VALUE for $NAME in the query (repeatable); bound as one escaped term, never pasted.")
@click.option("--format", "fmt", default="table", show_default=True,
              help="table, csv, tsv, json (SPARQL 1.1 results JSON) or xml.")
@click.option("--list", "list_queries", is_flag=True, help="List the canned queries and their parameters.")
@graph_option
def query(text: str | None, file: Path | None, name: str | None, param: tuple[str, ...], fmt: str,
          list_queries: bool, graph_path: Path) -> None:
    """Run a SPARQL query over a built graph: TEXT (SELECT, ASK, CONSTRUCT or DESCRIBE),
    -f FILE.rq, or --name NAME --param k=v."""
    from kg.load import GraphNotFound, open_store
    from kg.query import FORMATS, QueryError, bind_parameters, canned_query, canned_queries, dump_prefixes
    from kg.query import format_result, parse_params, parse_header, run_query

    if list_queries:
        for canned in canned_queries().values():
            click.echo(f"{canned.name}\n    {canned.description}")
            for p in canned.params:
                default = f" (default {p.default})" if p.default is not None else ""
                click.echo(f"    --param {p.name}=…  {p.type}{default}: {p.description}")
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


@app.command(short_help="Serve the graph read-only over SPARQL and HTTP.")
@graph_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; 0.0.0.0 exposes the endpoint to the network.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port (0: any free port).")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=10.0, show_default=True,
              help="Time limit of one query, in seconds.")
@click.option("--max-results", type=click.IntRange(min=1), default=10_000, show_default=True,
              help="Most rows (or triples) one result may have.")
@click.option("--workers", type=click.IntRange(1, 64), help="Query worker processes (default: 2 to 4, by cores).")
@click.option("--memory", type=click.IntRange(min=0), default=1024, show_default=True,
              help="Memory limit of each query worker, in MB (0: none).")
@click.option("--verbose", "-v", is_flag=True, help="Log every request.")
def serve(graph_path: Path, host: str, port: int, timeout: float, max_results: int, workers: int | None,
          memory: int, verbose: bool) -> None:
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
        click.secho(f"warning: listening on {host}: other machines can query this endpoint", fg="yellow", err=True)
    click.echo(f"SPARQL endpoint: {running.sparql_url}\nquery page:      {running.url}\n"
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


@app.command(short_help="Load the graph into a SPARQL Graph Store server.")
@click.option("--endpoint", "-e", required=True,
              help="The server's Graph Store Protocol URL, e.g. http://127.0.0.1:7878/store (Oxigraph).")
@click.option("--graph-iri", help="The named graph to replace (default: <base IRI>graph).")
@graph_option
@click.option("--timeout", type=click.FloatRange(min=1), default=120.0, show_default=True,
              help="Seconds to wait for the server.")
def push(endpoint: str, graph_iri: str | None, graph_path: Path, timeout: float) -> None:
    """Load the graph into a SPARQL 1.1 Graph Store server, replacing one named graph (HTTP PUT)."""
    from kg.load import GraphNotFound
    from kg.push import PushError, push as push_graph

    try:
        result = push_graph(graph_path, endpoint, graph_iri, timeout=timeout)
    except (GraphNotFound, PushError) as error:
        fail(str(error))
    click.echo(f"pushed {result.triples} triples into <{result.graph_iri}> (HTTP {result.status})")


def main() -> None:
    app(prog_name="kg")


if __name__ == "__main__":
    main()
