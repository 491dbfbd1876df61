"""Canonical concepts for the whole catalog: one node however a concept is written.

Discovered forms (:mod:`kg.discover`) join the vocabulary concept one of their labels
names, or each other when they share a label (a translation pair seen in one lecture and
the Chinese term alone in another) or are an abbreviation and its long form. Concepts are
merged only on a whole label, never on a shared word: "GAN" and "Conditional GAN" stay
two nodes, the narrower linked to the broader by ``skos:broader`` (the head-word rule of
:func:`head_broader`). A discovered concept must then show enough evidence across the
catalog (``ontology/discovery-patterns.tsv``) and must not be a generic word.

The result is independent of the order of the extractions.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from operator import attrgetter

from kg.discover import is_abbreviation, pattern_strengths
from kg.extract import Extraction, VocabularyIndex, discovered_key
from kg.normalize import comparable, has_cjk, is_generic
from kg.records import Concept, Mention
from kg.vocabulary import Vocabulary


class UnionFind:
    """Groups of keys; the representative of a group is its smallest key (deterministic)."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, key: str) -> str:
        self.parent.setdefault(key, key)
        root = key
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[key] != root:
            self.parent[key], key = root, self.parent[key]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            low, high = sorted((ra, rb))
            self.parent[high] = low

    def groups(self) -> dict[str, list[str]]:
        result: dict[str, list[str]] = defaultdict(list)
        for key in sorted(self.parent):
            result[self.find(key)].append(key)
        return dict(result)


def vocabulary_labels(vocabulary: Vocabulary) -> dict[str, set[str]]:
    """comparable(label) -> vocabulary keys, generic labels left out (the extractor's
    label table, with the other region's wordings: 網路 / 網絡)."""
    return VocabularyIndex.cached(vocabulary).lookup_table


def gather(extractions: list[Extraction]) -> tuple[dict[str, Concept], dict[str, dict[str, float]]]:
    """Discovered records merged by key, and evidence[key][video]."""
    records: dict[str, Concept] = {}
    evidence: dict[str, dict[str, float]] = defaultdict(dict)
    for extraction in extractions:
        for concept in extraction.discovered:
            if concept.key in records:
                records[concept.key] = _merge(records[concept.key], concept)
            else:
                records[concept.key] = concept
        for key, value in extraction.evidence:
            video = extraction.video_id
            evidence[key][video] = max(value, evidence[key].get(video, 0.0))
    return records, evidence


def _merge(first: Concept, second: Concept) -> Concept:
    labels = set(first.labels) | set(second.labels)
    alt = set(first.alt_labels) | set(second.alt_labels)
    return replace(first, labels=tuple(sorted(labels)), alt_labels=tuple(sorted(alt - labels)))


def _forms(concept: Concept) -> list[str]:
    return [text for _, text in concept.labels + concept.alt_labels if text.strip()]


def group_discovered(records: dict[str, Concept]) -> UnionFind:
    """Discovered keys that name one concept:

    - records that share an English label ("Self-Supervised Learning" = "Self-supervised
      learning");
    - a Chinese-only record and the one group that has its Chinese label (大樂透假說 seen
      alone, and 大樂透假說 (Lottery Ticket Hypothesis) elsewhere);
    - an abbreviation-only record and the one group that defines that abbreviation.

    Two records with different English labels never merge through a shared Chinese one:
    a Chinese label guessed too short (注意力機制 for 自注意力機制) would chain distinct
    concepts together."""
    groups = UnionFind()
    english: dict[str, list[str]] = defaultdict(list)
    chinese: dict[str, list[str]] = defaultdict(list)
    for key in sorted(records):
        groups.find(key)
        for lang, text in records[key].labels:
            (english if lang.startswith("en") else chinese)[comparable(text)].append(key)
    for keys in english.values():
        for other in keys[1:]:
            groups.union(keys[0], other)
    has_english = {key for keys in english.values() for key in keys}
    for keys in chinese.values():
        named = {groups.find(k) for k in keys if k in has_english}
        if len(named) <= 1:
            anchor = next(iter(named)) if named else keys[0]
            for key in keys:
                if key not in has_english:
                    groups.union(anchor, key)
    # abbreviations: alt labels of a record are its short forms; the one group with an
    # English long form defining a short form takes every record that only has it
    defined: dict[str, set[str]] = defaultdict(set)
    for key in sorted(records):
        if key in has_english:
            for _, text in records[key].alt_labels:
                defined[comparable(text)].add(groups.find(key))
    for key in sorted(records):
        if key in has_english:
            continue
        for _, text in records[key].alt_labels:
            roots = {groups.find(o) for o in defined.get(comparable(text), ())}
            if len(roots) == 1:
                groups.union(next(iter(roots)), key)
    for label, owners in sorted(defined.items()):
        roots = {groups.find(o) for o in owners}
        if len(roots) == 1:  # an abbreviation two long forms share merges neither
            for key in english.get(label, []):
                if all(comparable(text) == label for _, text in records[key].labels):
                    groups.union(next(iter(roots)), key)
    return groups


def resolve_group(members: list[str], records: dict[str, Concept], vocab_labels: dict[str, set[str]],
                  vocabulary: Vocabulary) -> str | None:
    """The vocabulary key a group of discovered keys joins, if exactly one is named."""
    named: set[str] = set()
    english: set[str] = set()
    for key in members:
        if key in vocabulary.concepts:
            named.add(key)
        for lang, text in records[key].labels + records[key].alt_labels:
            hits = vocab_labels.get(comparable(text), set())
            named = named | hits
            if lang.startswith("en"):
                english |= hits
    if len(english) == 1:  # the English label decides between two Chinese readings
        return next(iter(english))
    if len(named) == 1:
        key = next(iter(named))
        if not english and _narrower_english(members, records, vocabulary.concepts[key], vocab_labels):
            return None  # "Inverse Reinforcement Learning" whose Chinese side was cut to 增強式學習
        return key
    return None


def _narrower_english(members: list[str], records: dict[str, Concept], concept: Concept,
                      vocab_labels: dict[str, set[str]]) -> bool:
    """True when an English label of the group contains a label of ``concept`` as a
    proper part: the group names something narrower, which must not merge into it."""
    theirs = {comparable(text) for text in concept.all_labels()}
    for key in members:
        for lang, text in records[key].labels + records[key].alt_labels:
            if not lang.startswith("en"):
                continue
            words = text.replace("-", " ").split()
            parts = {comparable(" ".join(words[i:j])) for i in range(len(words))
                     for j in range(i + 1, len(words) + 1) if j - i < len(words)}
            if parts & theirs:
                return True
    return False


def canonical_key(concept: Concept) -> str:
    """The key of a new concept: the slug of its preferred English label, else a hash of
    its Chinese one; the same whichever lecture or record it was first seen in."""
    english = [text for lang, text in concept.labels if lang.startswith("en")]
    chinese = [text for lang, text in concept.labels if lang.startswith("zh")]
    return discovered_key(english[0], None) if english else discovered_key(None, chinese[0] if chinese else concept.key)


def build_concept(key: str, members: list[str], records: dict[str, Concept],
                  evidence: dict[str, dict[str, float]]) -> Concept:
    """One record for a new concept: one preferred label per language (the most attested),
    every other form an alternative label."""
    counts: dict[tuple[str, str], int] = defaultdict(int)
    alternatives: set[tuple[str, str]] = set()
    for member in members:
        weight = max(1, len(evidence.get(member, {})))
        for pair in records[member].labels:
            counts[pair] += weight
        alternatives.update(records[member].alt_labels)
    preferred: dict[str, str] = {}
    # a long form over its abbreviation, then the most attested, then alphabetical
    for (lang, text), _ in sorted(counts.items(), key=lambda item: (is_abbreviation(item[0][1]), -item[1], item[0])):
        preferred.setdefault(lang, text)
    labels = tuple(sorted(preferred.items()))
    alt = (set(counts) | alternatives) - set(labels)
    return Concept(key=key, labels=labels, alt_labels=tuple(sorted(alt)), origin="discovered")


def head_broader(concept: Concept, vocab_labels: dict[str, set[str]], own: dict[str, str]) -> tuple[str, ...]:
    """The broader concept named by the head of a label: the longest proper word suffix
    of the English label ("Houlsby Adapter" -> Adapter), else the longest proper
    character suffix of the Chinese one, that is a known label."""
    found: set[str] = set()
    for lang, text in concept.labels:
        if not has_cjk(text):
            words = text.replace("-", " ").split()
            suffixes = [" ".join(words[i:]) for i in range(1, len(words))]
        else:
            suffixes = [text[i:] for i in range(1, len(text) - 1)]
        for suffix in suffixes:
            label = comparable(suffix)
            hits = vocab_labels.get(label) or ({own[label]} if label in own else set())
            hits = {h for h in hits if h != concept.key}
            if hits and not is_generic(suffix):
                found.add(sorted(hits)[0])
                break
    return tuple(sorted(found))


def ancestors_closure(keys: set[str], vocabulary: Vocabulary) -> set[str]:
    result = set()
    stack = [k for k in keys if k in vocabulary.concepts]
    while stack:
        key = stack.pop()
        if key in result:
            continue
        result.add(key)
        stack.extend(vocabulary.concepts[key].broader)
    return result


def dedupe_mentions(mentions: list[Mention]) -> list[Mention]:
    """One mention per (lecture, concept, section): ``about`` over ``mentions``, then the
    highest weight; sorted."""
    best: dict[tuple[str, str, str], Mention] = {}
    about_pairs = {(m.video_id, m.concept) for m in mentions if m.kind == "about"}
    held = best.get
    for mention in mentions:
        video, concept = mention.video_id, mention.concept
        if mention.kind != "about" and (video, concept) in about_pairs:
            mention = replace(mention, kind="about")
        slot = (video, concept, mention.section)
        current = held(slot)
        if current is None or (mention.weight, mention.snippet) > (current.weight, current.snippet):
            best[slot] = mention
    return sorted(best.values(), key=_MENTION_ORDER)


_MENTION_ORDER = attrgetter("video_id", "concept", "section", "snippet")


def canonicalize(extractions: list[Extraction], vocabulary: Vocabulary) -> tuple[dict[str, Concept], list[Mention]]:
    """Merge discovered forms into vocabulary concepts or into each other, keep the
    discovered concepts with enough evidence, and return the concepts that appear (with
    their vocabulary ancestors) and the mentions rewritten to canonical keys."""
    extractions = sorted(extractions, key=lambda e: e.video_id)
    strengths = pattern_strengths()
    threshold = strengths.get("threshold", 1.0)
    vocab_labels = vocabulary_labels(vocabulary)
    records, evidence = gather(extractions)
    groups = group_discovered(records)

    target: dict[str, str | None] = {}
    # groups naming no vocabulary concept, by the key their preferred label gives
    proposed: dict[str, list[list[str]]] = defaultdict(list)
    for _, members in sorted(groups.groups().items()):
        known = resolve_group(members, records, vocab_labels, vocabulary)
        key = known or canonical_key(build_concept(members[0], members, records, evidence))
        if key in vocabulary.concepts:  # named by a label, or its English name is the concept's
            target.update(dict.fromkeys(members, key))
        else:
            proposed[key].append(members)
    new_concepts: dict[str, Concept] = {}
    for key, member_groups in sorted(proposed.items()):
        members = sorted(m for group in member_groups for m in group)  # one slug, one concept
        concept = build_concept(key, members, records, evidence)
        strong_enough = _support(members, evidence) >= threshold
        if strong_enough and not all(is_generic(text) for text in concept.all_labels()):
            new_concepts[key] = concept
            target.update(dict.fromkeys(members, key))
        else:
            target.update(dict.fromkeys(members, None))

    mentions = []
    for extraction in extractions:
        for mention in extraction.mentions:
            key = target.get(mention.concept, mention.concept)
            if key is None or (key not in vocabulary.concepts and key not in new_concepts):
                continue
            mentions.append(mention if key == mention.concept else replace(mention, concept=key))
    mentions = dedupe_mentions(mentions)

    own_labels = {comparable(text): key for key, c in sorted(new_concepts.items()) for text in c.all_labels()}
    used = {m.concept for m in mentions}
    concepts: dict[str, Concept] = {}
    for key in sorted(used & set(new_concepts)):
        concept = new_concepts[key]
        concepts[key] = replace(concept, broader=head_broader(concept, vocab_labels, own_labels))
    wanted = ancestors_closure({k for k in used if k in vocabulary.concepts}, vocabulary)
    for concept in concepts.values():
        wanted |= ancestors_closure(set(concept.broader), vocabulary)
    for key in sorted(wanted):
        concepts[key] = vocabulary.concepts[key]
    return dict(sorted(concepts.items())), mentions


def _support(members: list[str], evidence: dict[str, dict[str, float]]) -> float:
    """Evidence over the catalog: per lecture the best of the group's keys, summed."""
    per_video: dict[str, float] = defaultdict(float)
    for member in members:
        for video, value in evidence.get(member, {}).items():
            per_video[video] = max(per_video[video], value)
    return sum(per_video.values())
