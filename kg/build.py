"""``kg build``: the pipeline, stage by stage, into an output folder that is replaced
whole or not at all.

read catalog pages -> lecture records -> concept mentions -> canonical concepts
-> graph -> exporters (RDF, HTML, GraphML)
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterator

from kg.records import BuildReport, Lecture


@dataclass(slots=True)
class BuildOptions:
    inputs: list[Path]
    out: Path = Path("output")
    strict: bool = False
    validate: bool = False
    base_iri: str | None = None
    jobs: int | None = None  # None: all cores
    executor: str = "local"  # "local" or "dask"
    scheduler: str | None = None  # dask scheduler address
    cache: Path | None = None  # extraction cache folder (the CLI: $KG_CACHE or .kg-cache); None: no cache
    force: bool = False  # ignore the extraction cache
    progress: Callable[[str, int, int], None] | None = None


@dataclass(slots=True)
class StageTimer:
    """Wall time of each named stage, for the summary and the benchmarks."""

    seconds: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - start


class BuildError(Exception):
    """A build that could not complete; the previous output is untouched."""


@contextmanager
def output_lock(out: Path) -> Iterator[None]:
    """Hold an exclusive lock on the output folder's sibling lock file for the whole
    build: a second build into the same folder waits for the first, then runs."""
    import fcntl

    out.parent.mkdir(parents=True, exist_ok=True)
    lock_path = out.parent / f".{out.name}.lock"
    with open(lock_path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def replace_folder(staging: Path, out: Path) -> None:
    """Put ``staging`` in the place of ``out``: the old folder is renamed aside first,
    so at every moment one complete folder (old or new) is at ``out`` or beside it."""
    out = out.resolve()
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        os.replace(out, old)
        os.replace(staging, out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(staging, out)


def recover_interrupted(out: Path) -> None:
    """Clean up after a build that was killed: drop half-written staging folders and,
    if it died between the two renames of :func:`replace_folder`, put the previous
    output back. Called with the output lock held."""
    out = out.resolve()
    old_folders = sorted(out.parent.glob(f".{out.name}.old-*"))
    if not out.exists() and old_folders:
        os.replace(old_folders[-1], out)
        old_folders = old_folders[:-1]
    for leftover in old_folders + sorted(out.parent.glob(f".{out.name}.new-*")):
        shutil.rmtree(leftover, ignore_errors=True)


def _load_later_stages(vocabulary) -> None:
    """Import the stages after extraction and load the vocabulary's label index: done
    while extraction workers run (see :func:`kg.extract_runner.extract_all`), so that
    a small build's fixed costs overlap on two cores."""
    import importlib

    from kg.extract import VocabularyIndex

    for module in ("kg.relate", "kg.export", "kg.rdf", "kg.graphml", "kg.html"):
        importlib.import_module(module)

    VocabularyIndex.cached(vocabulary)


def keep_exported_sections(lectures: list[Lecture]) -> None:
    """Leave each lecture only the sections a stage after extraction reads: the one the
    page's excerpt shows (:func:`kg.html.excerpt_section`; the dump states the summary,
    not its sections). Their texts repeat the summary's: ~200 MB at 100,000 lectures
    that the model would otherwise hold to the end of the build."""
    from kg.html import excerpt_section

    for index, lecture in enumerate(lectures):
        shown = excerpt_section(lecture)
        kept = (shown,) if shown is not None else ()
        if lecture.sections != kept:
            lectures[index] = replace(lecture, sections=kept)


def run_build(options: BuildOptions, timer: StageTimer | None = None) -> BuildReport:
    """Build every output from ``options.inputs`` into ``options.out``."""
    from kg.catalog import read_catalogs
    from kg.extract_runner import extract_all
    from kg.vocabulary import default_vocabulary

    timer = timer or StageTimer()
    report = BuildReport()
    with timer.stage("read"):
        catalog = read_catalogs(options.inputs, strict=options.strict)
    report.problems = list(catalog.problems)
    report.lectures = len(catalog.lectures)
    report.with_summary = sum(1 for lecture in catalog.lectures if lecture.has_summary)

    with timer.stage("extract"):
        vocabulary = default_vocabulary()
        extractions = extract_all(catalog.lectures, vocabulary, options, meanwhile=lambda: _load_later_stages(vocabulary))
        from kg.canonical import canonicalize

        concepts, mentions = canonicalize(extractions, vocabulary)
        del extractions  # the canonical mentions are what the model keeps
        keep_exported_sections(catalog.lectures)

    with timer.stage("relate"):
        from kg.relate import relate

        graph = relate(catalog.lectures, concepts, mentions, vocabulary)
        del mentions
        graph.graph["sources"] = tuple(catalog.sources)
    report.concepts = sum(1 for _, kind in graph.nodes(data="kind") if kind == "concept")
    report.links = graph.number_of_edges()

    out = options.out
    with output_lock(out):
        recover_interrupted(out)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.resolve().parent))
        try:
            from kg import export

            files = export.write_all(graph, staging, options, timer)
            if options.validate:
                with timer.stage("validate"):
                    from kg.validate import validate_dump

                    problems = validate_dump(staging)
                    if problems:
                        raise BuildError("SHACL validation failed:\n" + "\n".join(problems))
            replace_folder(staging, out)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    report.files = [str(out / name) for name in files]
    return report
