"""Run extraction over many lectures: cached by content hash, on all cores or on a
Dask cluster. Extraction is a pure function of (lecture, vocabulary), so every
executor gives the same result."""

from __future__ import annotations

import hashlib
import json
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

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
    """Hash of the extraction code, so that a changed extractor invalidates the cache."""
    digest = hashlib.sha256(__version__.encode())
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
        path = self._path(digest)
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"hash": digest, "extraction": extraction.to_json()}, ensure_ascii=False)
        temporary = path.with_suffix(f".tmp{os.getpid()}")
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)  # atomic: a killed build leaves no half file


_worker_extractor = None


def _init_worker() -> None:
    global _worker_extractor
    from kg.extract import make_extractor
    from kg.vocabulary import default_vocabulary

    _worker_extractor = make_extractor(default_vocabulary())


def _extract_chunk(lectures: list[Lecture]) -> list["Extraction"]:
    if _worker_extractor is None:
        _init_worker()
    return [_worker_extractor(lecture) for lecture in lectures]


def _chunks(items: list[Lecture], size: int) -> Iterable[list[Lecture]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _run_local(todo: list[Lecture], vocabulary: "Vocabulary", jobs: int, progress) -> list["Extraction"]:
    from kg.extract import make_extractor

    if jobs <= 1 or len(todo) < PARALLEL_THRESHOLD:
        extractor = make_extractor(vocabulary)
        results = []
        for index, lecture in enumerate(todo, start=1):
            results.append(extractor(lecture))
            if progress and index % CHUNK == 0:
                progress("extract", index, len(todo))
        return results
    results = []
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker) as pool:
        for chunk_result in pool.map(_extract_chunk, _chunks(todo, CHUNK)):
            results.extend(chunk_result)
            if progress:
                progress("extract", len(results), len(todo))
    return results


def _run_dask(todo: list[Lecture], scheduler: str | None, progress) -> list["Extraction"]:
    try:
        from distributed import Client
    except ImportError:
        raise SystemExit("--executor dask needs the 'dask' extra: pip install 'lecture-kg[dask]'") from None
    client = Client(scheduler) if scheduler else Client(processes=True, dashboard_address=None)
    try:
        futures = client.map(_extract_chunk, list(_chunks(todo, CHUNK)), pure=False)
        results = []
        for chunk_result in client.gather(futures):
            results.extend(chunk_result)
            if progress:
                progress("extract", len(results), len(todo))
        return results
    finally:
        client.close()


def extract_all(lectures: list[Lecture], vocabulary: "Vocabulary", options: "BuildOptions") -> list["Extraction"]:
    """Extraction for every lecture, in lecture order, reusing cached results."""
    cache = None
    if options.cache is not None:
        cache = ExtractionCache(options.cache, vocabulary)
    digests = [lecture_hash(lecture) for lecture in lectures]
    results: dict[int, Extraction] = {}
    todo_index = []
    for index, digest in enumerate(digests):
        cached = cache.get(digest) if cache and not options.force else None
        if cached is not None and cached.video_id == lectures[index].video_id:
            results[index] = cached
        else:
            todo_index.append(index)
    todo = [lectures[i] for i in todo_index]
    if todo:
        if options.executor == "dask":
            fresh = _run_dask(todo, options.scheduler, options.progress)
        else:
            jobs = options.jobs or os.cpu_count() or 1
            fresh = _run_local(todo, vocabulary, jobs, options.progress)
        for index, extraction in zip(todo_index, fresh):
            results[index] = extraction
            if cache:
                cache.put(digests[index], extraction)
    return [results[i] for i in range(len(lectures))]
