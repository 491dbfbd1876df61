"""Run extraction over many lectures: cached by content hash, on all cores or on a
Dask cluster. Extraction is a pure function of (lecture, vocabulary), so every
executor gives the same result."""

from __future__ import annotations

import gc
import hashlib
import json
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from kg import __version__
from kg.records import Lecture

if TYPE_CHECKING:
    from kg.build import BuildOptions
    from kg.extract import Extraction
    from kg.vocabulary import Vocabulary

# below this many lectures to extract, starting worker processes costs more than it saves
PARALLEL_THRESHOLD = 400
CHUNK = 64


def _code_fingerprint() -> str:
    """Hash of the extraction code and of the libraries it runs, so that a changed
    extractor or an upgraded spaCy or jieba invalidates the cache."""
    from importlib.util import find_spec

    digest = hashlib.sha256(__version__.encode())
    for package in ("spacy", "jieba", "ahocorasick"):
        spec = find_spec(package)  # located, not imported; an upgrade rewrites its files
        if spec is not None and spec.origin:
            stat = os.stat(spec.origin)
            digest.update(f"{package} {spec.origin} {stat.st_size} {stat.st_mtime_ns}".encode())
    here = Path(__file__).parent
    for name in ("extract.py", "discover.py", "normalize.py", "catalog.py", "records.py"):
        path = here / name
        if path.exists():
            digest.update(path.read_bytes())
    from kg.resources import ontology_dir

    for path in sorted(ontology_dir().glob("*.txt")) + sorted(ontology_dir().glob("*.tsv")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def lecture_hash(lecture: Lecture) -> str:
    """Content hash of everything extraction reads from a lecture."""
    payload = json.dumps(
        [lecture.video_id, lecture.title, lecture.summary, lecture.language,
         [(s.heading, s.kind, s.text) for s in lecture.sections]],
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


class ExtractionCache:
    """One JSON file per lecture content hash, in a folder keyed by the vocabulary
    and code fingerprints. A file that cannot be read back is ignored and rewritten."""

    def __init__(self, root: Path, vocabulary: "Vocabulary"):
        self.folder = root / f"{vocabulary.fingerprint[:16]}-{_code_fingerprint()}"

    def _path(self, digest: str) -> Path:
        return self.folder / digest[:2] / f"{digest}.json"

    def get(self, digest: str) -> "Extraction | None":
        from kg.extract import Extraction

        path = self._path(digest)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("hash") != digest:
                return None
            return Extraction.from_json(data["extraction"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None  # missing, truncated or foreign: extract again

    def put(self, digest: str, extraction: "Extraction") -> None:
        self._write(self._path(digest), {"hash": digest, "extraction": extraction.to_json()})

    def _write(self, path: Path, data: object) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".tmp{os.getpid()}")
        temporary.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        os.replace(temporary, path)  # atomic: a killed build leaves no half file

    @property
    def _phrases_path(self) -> Path:
        return self.folder / "title-case-phrases.json"

    def phrases(self) -> "Phrases":
        """The Title-Case phrases found in English runs by earlier builds (see
        :class:`kg.discover.TextTools`): a rebuild reuses them instead of loading spaCy."""
        try:
            data = json.loads(self._phrases_path.read_text(encoding="utf-8"))
            return {run: tuple((phrase, int(offset)) for phrase, offset in found) for run, found in data.items()}
        except (OSError, ValueError, TypeError, AttributeError):
            return {}  # none yet, or unreadable: spaCy finds them again

    def put_phrases(self, phrases: "Phrases") -> None:
        self._write(self._phrases_path, phrases)


Phrases = dict[str, tuple[tuple[str, int], ...]]  # run of English -> its Title-Case phrases

_worker_extractor = None
# set by _run_local just before it forks the workers, which inherit them
_forked_lectures: list[Lecture] = []
_forked_vocabulary: "Vocabulary | None" = None
_forked_phrases: Phrases = {}


def _init_worker() -> None:
    global _worker_extractor
    from kg.extract import make_extractor
    from kg.vocabulary import default_vocabulary

    _worker_extractor = make_extractor(_forked_vocabulary or default_vocabulary(), dict(_forked_phrases))


def _extract_chunk(lectures: list[Lecture]) -> tuple[list["Extraction"], list[tuple[str, tuple]]]:
    """The extractions of some lectures, and the Title-Case phrases the worker learned
    on the way (the main process keeps them for the next build)."""
    if _worker_extractor is None:
        _init_worker()
    phrases = _worker_extractor.tools.phrases
    known = len(phrases)
    extractions = [_worker_extractor(lecture) for lecture in lectures]
    return extractions, list(islice(reversed(phrases.items()), len(phrases) - known))


def _extract_forked(bounds: tuple[int, int]) -> tuple[list["Extraction"], list[tuple[str, tuple]]]:
    return _extract_chunk(_forked_lectures[bounds[0] : bounds[1]])


def _chunks(items: list[Lecture], size: int) -> Iterable[list[Lecture]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _gather(chunk_results: Iterable, total: int, phrases: Phrases, progress) -> list["Extraction"]:
    from kg.discover import PHRASE_MEMO

    results: list[Extraction] = []
    for extractions, learned in chunk_results:
        results.extend(extractions)
        if len(phrases) < PHRASE_MEMO:
            phrases.update(learned)
        if progress:
            progress("extract", len(results), total)
    return results


def _run_local(todo: list[Lecture], vocabulary: "Vocabulary", jobs: int, phrases: Phrases, progress,
               meanwhile: Callable[[], None]) -> list["Extraction"]:
    global _forked_lectures, _forked_vocabulary, _forked_phrases
    from kg.extract import make_extractor

    forking = "fork" in multiprocessing.get_all_start_methods()
    if jobs <= 1 or (len(todo) < PARALLEL_THRESHOLD and not forking):
        meanwhile()
        extractor = make_extractor(vocabulary, phrases)
        results = []
        for index, lecture in enumerate(todo, start=1):
            results.append(extractor(lecture))
            if progress and index % CHUNK == 0:
                progress("extract", index, len(todo))
        return results
    # Forked workers inherit the lectures and the vocabulary: only chunk bounds go to
    # them, and the main process, which shares the cores with them, need not pickle
    # every lecture. Elsewhere (no fork) the chunks themselves are sent. A small
    # catalog goes whole to one worker: its set-up (spaCy, jieba, the automaton) is
    # most of the work, and the main process does ``meanwhile`` on the other core.
    if forking:
        context, task = multiprocessing.get_context("fork"), _extract_forked
        size = CHUNK if len(todo) >= PARALLEL_THRESHOLD else len(todo)
        chunks: Iterable = ((start, min(start + size, len(todo))) for start in range(0, len(todo), size))
        _forked_lectures, _forked_vocabulary, _forked_phrases = todo, vocabulary, phrases
        # the workers' collector must not walk the inherited objects: writing to them
        # would give each worker its own copy of every page they are on (gc.freeze's
        # documented use). The lectures live as long as the build anyway.
        gc.freeze()
    else:
        context, task, chunks = None, _extract_chunk, _chunks(todo, CHUNK)
    try:
        workers = jobs if len(todo) >= PARALLEL_THRESHOLD else 1
        with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_init_worker) as pool:
            submitted = pool.map(task, chunks)  # every chunk is submitted here
            meanwhile()
            return _gather(submitted, len(todo), phrases, progress)
    finally:
        _forked_lectures, _forked_vocabulary, _forked_phrases = [], None, {}


def _run_dask(todo: list[Lecture], scheduler: str | None, phrases: Phrases, progress,
              meanwhile: Callable[[], None]) -> list["Extraction"]:
    try:
        from distributed import Client
    except ImportError:
        raise SystemExit("--executor dask needs the 'dask' extra: pip install 'lecture-kg[dask]'") from None
    client = Client(scheduler) if scheduler else Client(processes=True, dashboard_address=None)
    try:
        futures = client.map(_extract_chunk, list(_chunks(todo, CHUNK)), pure=False)
        meanwhile()
        return _gather(client.gather(futures), len(todo), phrases, progress)
    finally:
        client.close()


def extract_all(lectures: list[Lecture], vocabulary: "Vocabulary", options: "BuildOptions",
                meanwhile: Callable[[], None] = lambda: None) -> list["Extraction"]:
    """Extraction for every lecture, in lecture order, reusing cached results (and the
    Title-Case phrases earlier builds found, so that a rebuild of a few lectures seldom
    needs spaCy). ``meanwhile`` is called once, while worker processes extract if
    there are any: the caller's own set-up, done on a core the workers leave free."""
    cache = None
    if options.cache is not None:
        cache = ExtractionCache(options.cache, vocabulary)
    reuse = cache is not None and not options.force
    digests = [lecture_hash(lecture) for lecture in lectures]
    results: dict[int, Extraction] = {}
    todo_index = []
    for index, digest in enumerate(digests):
        cached = cache.get(digest) if reuse else None
        if cached is not None and cached.video_id == lectures[index].video_id:
            results[index] = cached
        else:
            todo_index.append(index)
    todo = [lectures[i] for i in todo_index]
    if todo:
        phrases = cache.phrases() if reuse else {}
        known = len(phrases)
        if options.executor == "dask":
            fresh = _run_dask(todo, options.scheduler, phrases, options.progress, meanwhile)
        else:
            jobs = options.jobs or os.cpu_count() or 1
            fresh = _run_local(todo, vocabulary, jobs, phrases, options.progress, meanwhile)
        for index, extraction in zip(todo_index, fresh):
            results[index] = extraction
            if cache:
                cache.put(digests[index], extraction)
        if cache and len(phrases) > known:
            cache.put_phrases(phrases)
    else:
        meanwhile()
    return [results[i] for i in range(len(lectures))]
