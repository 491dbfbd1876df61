"""The curated concept vocabulary: SKOS Turtle files in ``ontology/vocab/``.

Loaded with pyoxigraph's parser (fast) into :class:`~kg.records.Concept` records.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from kg.namespaces import CONCEPT_NS, KG, SKOS
from kg.records import Concept
from kg.resources import ontology_dir


@dataclass(slots=True)
class Vocabulary:
    """Concepts by key, and a fingerprint of the files they came from."""

    concepts: dict[str, Concept] = field(default_factory=dict)
    fingerprint: str = ""

    def __len__(self) -> int:
        return len(self.concepts)

    def __contains__(self, key: str) -> bool:
        return key in self.concepts

    def __getitem__(self, key: str) -> Concept:
        return self.concepts[key]


def vocabulary_files(folder: Path | None = None) -> list[Path]:
    return sorted((folder or ontology_dir() / "vocab").glob("*.ttl"))


def _key(iri: str) -> str | None:
    return iri[len(CONCEPT_NS):] if iri.startswith(CONCEPT_NS) else None


def load_vocabulary(folder: Path | None = None) -> Vocabulary:
    """Read every ``*.ttl`` of the vocabulary folder.

    >>> vocab = load_vocabulary()
    >>> vocab["reinforcement-learning"].label("en")
    'Reinforcement Learning'
    """
    import pyoxigraph as ox

    files = vocabulary_files(folder)
    digest = hashlib.sha256()
    pref: dict[str, list[tuple[str, str]]] = {}
    alt: dict[str, list[tuple[str, str]]] = {}
    links: dict[str, dict[str, list[str]]] = {}
    is_concept: set[str] = set()
    wanted = {
        SKOS.prefLabel: "pref",
        SKOS.altLabel: "alt",
        SKOS.hiddenLabel: "alt",
        SKOS.broader: "broader",
        KG.requires: "requires",
        SKOS.exactMatch: "exact",
    }
    rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    skos_concept = str(SKOS.Concept)
    wanted_str = {str(k): v for k, v in wanted.items()}
    for path in files:
        data = path.read_bytes()
        digest.update(path.name.encode() + b"\0" + data + b"\0")
        try:
            triples = list(ox.parse(data, format=ox.RdfFormat.TURTLE, base_iri=path.as_uri()))
        except SyntaxError as error:
            raise ValueError(f"{path}: invalid Turtle: {error}") from None
        for triple in triples:
            subject = triple.subject
            if not isinstance(subject, ox.NamedNode):
                continue
            key = _key(subject.value)
            if key is None:
                continue
            predicate = triple.predicate.value
            obj = triple.object
            if predicate == rdf_type and isinstance(obj, ox.NamedNode) and obj.value == skos_concept:
                is_concept.add(key)
                continue
            role = wanted_str.get(predicate)
            if role in ("pref", "alt") and isinstance(obj, ox.Literal):
                (pref if role == "pref" else alt).setdefault(key, []).append((obj.language or "", obj.value))
            elif role and isinstance(obj, ox.NamedNode):
                target = _key(obj.value) if role != "exact" else obj.value
                if target:
                    links.setdefault(key, {}).setdefault(role, []).append(target)
    concepts = {}
    for key in sorted(is_concept):
        own = links.get(key, {})
        concepts[key] = Concept(
            key=key,
            labels=tuple(sorted(set(pref.get(key, [])))),
            alt_labels=tuple(sorted(set(alt.get(key, [])))),
            broader=tuple(sorted({b for b in own.get("broader", []) if b != key})),
            requires=tuple(sorted({r for r in own.get("requires", []) if r != key})),
            exact_match=tuple(sorted(set(own.get("exact", [])))),
        )
    # links to concepts nobody defined are dropped rather than invented
    for key, concept in concepts.items():
        broader = tuple(b for b in concept.broader if b in concepts)
        requires = tuple(r for r in concept.requires if r in concepts)
        if broader != concept.broader or requires != concept.requires:
            concepts[key] = Concept(**{**_fields(concept), "broader": broader, "requires": requires})
    return Vocabulary(concepts, digest.hexdigest())


def _fields(concept: Concept) -> dict:
    return {name: getattr(concept, name) for name in concept.__slots__}


@cache
def default_vocabulary() -> Vocabulary:
    return cached_vocabulary()


def cached_vocabulary(folder: Path | None = None) -> Vocabulary:
    """:func:`load_vocabulary`, kept as a pickle in the cache folder (see
    :func:`kg.discover.cache_dir`) under a hash of the files and of the code that reads
    them: unpickling takes a tenth of the time of parsing the Turtle, which every
    build, small or large, waits for."""
    from kg.discover import cached_pickle

    digest = hashlib.sha256()
    for path in (Path(__file__), Path(__file__).with_name("records.py"), *vocabulary_files(folder)):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return cached_pickle("vocabulary-parsed", digest.hexdigest()[:16], Vocabulary, lambda: load_vocabulary(folder))
