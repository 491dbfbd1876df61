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


def main() -> None:
    app()


if __name__ == "__main__":
    main()
