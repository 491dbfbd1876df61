"""Extraction quality on the hand-made gold set, next to two keyword baselines, and the
cost of extraction next to one plain ``jieba.lcut`` pass over the same text.

    python3 benchmarks/quality.py [--gold tests/gold/gold.json] [--show 358,396] [--no-timing]

Scores: precision, recall and F1 for ``about`` links and for all links (about and
mentions), micro-averaged over the gold lectures. A gold item may list alternatives
("Prompting|Prompt"); it counts once, found if any alternative is among the lecture's
concepts. Gold names are resolved to concept keys by the same normaliser as the
extractor (vocabulary labels, then discovered concepts' labels and keys).

Baselines: jieba.analyse TF-IDF and TextRank keywords of title + summary, top 3 for
``about`` and top 10 for all links; a keyword counts as the concept whose label it is,
and a keyword that names no concept is a wrong link.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.normalize import comparable, slugify  # noqa: E402

INPUTS = [ROOT / "seeds", ROOT / "tests/data/catalog-0301-0350.md", ROOT / "tests/data/catalog-0401-0448.md"]


def load_gold(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["lectures"]


def run_system(inputs: list[Path]):
    """(lectures, concepts, mentions, seconds by stage)."""
    from kg.canonical import canonicalize
    from kg.catalog import read_catalogs
    from kg.extract import make_extractor
    from kg.vocabulary import default_vocabulary

    lectures = read_catalogs(inputs).lectures
    vocabulary = default_vocabulary()
    start = time.perf_counter()
    extract = make_extractor(vocabulary)
    setup = time.perf_counter()
    extractions = [extract(lecture) for lecture in lectures]
    extracted = time.perf_counter()
    concepts, mentions = canonicalize(extractions, vocabulary)
    done = time.perf_counter()
    return lectures, vocabulary, concepts, mentions, {
        "make_extractor": setup - start, "extract": extracted - setup, "canonicalize": done - extracted,
    }


class Resolver:
    """Gold names -> concept keys, by vocabulary and discovered labels."""

    def __init__(self, vocabulary, concepts):
        self.table: dict[str, set[str]] = defaultdict(set)
        for key, concept in list(vocabulary.concepts.items()) + list(concepts.items()):
            for text in concept.all_labels():
                self.table[comparable(text)].add(key)
        self.keys = set(vocabulary.concepts) | set(concepts)
        self.unresolved: set[str] = set()

    def keys_of(self, item: str) -> set[str]:
        found = set()
        for name in item.split("|"):
            name = name.strip()
            found |= self.table.get(comparable(name), set())
            if slugify(name) in self.keys:
                found.add(slugify(name))
        if not found:
            self.unresolved.add(item)
        return found


def score(gold_sets: list[list[set[str]]], system_sets: list[set[str]]) -> tuple[float, float, float]:
    """Micro precision, recall, F1: a gold item is found when one of its keys is output;
    an output key that matches no gold item is wrong."""
    tp = fp = fn = 0
    for items, output in zip(gold_sets, system_sets):
        matched_keys = set()
        for keys in items:
            hit = keys & output
            if hit:
                tp += 1
                matched_keys |= hit
            else:
                fn += 1
        fp += len(output - matched_keys - set().union(*items)) if items else len(output)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def lecture_text(lecture) -> str:
    return lecture.title + "\n" + lecture.summary


def baseline_sets(lectures, resolver: Resolver, method: str, ks: tuple[int, ...]) -> list[dict[str, set[str]]]:
    import logging

    import jieba
    import jieba.analyse

    jieba.setLogLevel(logging.WARNING)
    extract = jieba.analyse.extract_tags if method == "tfidf" else jieba.analyse.textrank
    results: list[dict[str, set[str]]] = [{} for _ in ks]
    for lecture in lectures:
        words = extract(lecture_text(lecture), topK=max(ks)) if method == "tfidf" else extract(
            lecture_text(lecture), topK=max(ks), allowPOS=("ns", "n", "vn", "v", "nz", "eng"))
        for result, k in zip(results, ks):
            keys = set()
            for word in words[:k]:  # both methods return keywords best first
                hits = resolver.table.get(comparable(word), set())
                keys |= {sorted(hits)[0]} if hits else {"kw:" + word}
            result[lecture.video_id] = keys
    return results


def timing_subprocess() -> dict[str, float]:
    """Cold-process wall times: the extraction stage, and one jieba.lcut pass."""
    inputs = ", ".join(repr(str(p)) for p in INPUTS)
    ours = f"""
import time; t = time.perf_counter()
import sys; sys.path.insert(0, {str(ROOT)!r})
from pathlib import Path
from kg.catalog import read_catalogs
from kg.vocabulary import default_vocabulary
lectures = read_catalogs([Path(p) for p in [{inputs}]]).lectures
vocabulary = default_vocabulary()
t1 = time.perf_counter()
from kg.extract import make_extractor
from kg.canonical import canonicalize
extract = make_extractor(vocabulary)
concepts, mentions = canonicalize([extract(l) for l in lectures], vocabulary)
t2 = time.perf_counter()
print(t1 - t, t2 - t1, sum(len(l.title) + len(l.summary) for l in lectures))
"""
    plain = f"""
import time; t = time.perf_counter()
import sys; sys.path.insert(0, {str(ROOT)!r})
from pathlib import Path
from kg.catalog import read_catalogs
text = "\\n".join(l.title + "\\n" + l.summary for l in read_catalogs([Path(p) for p in [{inputs}]]).lectures)
t1 = time.perf_counter()
import jieba, logging; jieba.setLogLevel(logging.WARNING)
jieba.lcut(text)
print(time.perf_counter() - t1)
"""
    def run(code: str) -> list[float]:
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
        return [float(x) for x in out.split()]

    read, ours_s, chars = run(ours)
    plain_s = run(plain)[0]
    return {"read+vocabulary": read, "extraction stage": ours_s, "jieba.lcut pass": plain_s, "characters": chars}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gold", type=Path, default=ROOT / "tests/gold/gold.json")
    parser.add_argument("--show", default="", help="catalog numbers to print in detail, comma separated")
    parser.add_argument("--no-timing", action="store_true")
    parser.add_argument("--no-baselines", action="store_true")
    parser.add_argument("--errors", action="store_true", help="list wrong and missed links of every gold lecture")
    args = parser.parse_args()

    gold = load_gold(args.gold)
    lectures, vocabulary, concepts, mentions, seconds = run_system(INPUTS)
    by_video = {lecture.video_id: lecture for lecture in lectures}
    resolver = Resolver(vocabulary, concepts)
    about_out: dict[str, set[str]] = defaultdict(set)
    all_out: dict[str, set[str]] = defaultdict(set)
    for mention in mentions:
        all_out[mention.video_id].add(mention.concept)
        if mention.kind == "about":
            about_out[mention.video_id].add(mention.concept)

    entries = [g for g in gold if g["video_id"] in by_video]
    gold_about = [[resolver.keys_of(i) for i in g["about"]] for g in entries]
    gold_all = [[resolver.keys_of(i) for i in g["about"] + g["mentions"]] for g in entries]
    rows = [("extractor", score(gold_about, [about_out[g["video_id"]] for g in entries]),
             score(gold_all, [all_out[g["video_id"]] for g in entries]))]
    for method in () if args.no_baselines else ("tfidf", "textrank"):
        top10, top3 = baseline_sets([by_video[g["video_id"]] for g in entries], resolver, method, (10, 3))
        rows.append((f"jieba {method}", score(gold_about, [top3[g["video_id"]] for g in entries]),
                     score(gold_all, [top10[g["video_id"]] for g in entries])))

    summarised = sum(1 for g in entries if by_video[g["video_id"]].has_summary)
    print(f"gold: {len(entries)} lectures ({summarised} summarised, {len(entries) - summarised} title only), "
          f"{sum(len(g['about']) for g in entries)} about + {sum(len(g['mentions']) for g in entries)} other items")
    print(f"{'system':16} {'about P':>8} {'R':>6} {'F1':>6}   {'all P':>7} {'R':>6} {'F1':>6}")
    for name, (ap, ar, af), (lp, lr, lf) in rows:
        print(f"{name:16} {ap:8.3f} {ar:6.3f} {af:6.3f}   {lp:7.3f} {lr:6.3f} {lf:6.3f}")
    for label, subset in (("  title only", False), ("  summarised", True)):
        chosen = [i for i, g in enumerate(entries) if by_video[g["video_id"]].has_summary == subset]
        about_score = score([gold_about[i] for i in chosen], [about_out[entries[i]["video_id"]] for i in chosen])
        all_score = score([gold_all[i] for i in chosen], [all_out[entries[i]["video_id"]] for i in chosen])
        print(f"{label:16} {about_score[0]:8.3f} {about_score[1]:6.3f} {about_score[2]:6.3f}   "
              f"{all_score[0]:7.3f} {all_score[1]:6.3f} {all_score[2]:6.3f}   (extractor, {len(chosen)} lectures)")
    if resolver.unresolved:
        print(f"gold names that name no concept ({len(resolver.unresolved)}): " + "; ".join(sorted(resolver.unresolved)))
    print("in-process seconds: " + ", ".join(f"{k} {v:.3f}" for k, v in seconds.items()))
    if not args.no_timing:
        timing = timing_subprocess()
        print("cold process: " + ", ".join(f"{k} {v:.3f}" if k != "characters" else f"{k} {int(v)}"
                                           for k, v in timing.items()))

    show = {int(n) for n in args.show.split(",") if n.strip()}
    if args.errors:
        show = {g["number"] for g in entries}
    for g, about_items, all_items in zip(entries, gold_about, gold_all):
        if g["number"] not in show:
            continue
        video = g["video_id"]
        gold_keys = set().union(*all_items) if all_items else set()
        print(f"\n{g['number']} {g['title']}")
        about_keys = set().union(*about_items) if about_items else set()
        for key in sorted(all_out[video]):
            mark = "ok " if key in gold_keys else "FP "
            kind = "A" if key in about_out[video] else "m"
            expected = "A" if key in about_keys else "m"
            if args.errors and mark == "ok " and kind == expected:
                continue
            print(f"  {mark}{kind}{'' if mark == 'FP ' or kind == expected else ' (gold ' + expected + ')'} {key}")
        for item, keys in zip(g["about"] + g["mentions"], all_items):
            if not keys & all_out[video]:
                print(f"  FN  {item}  -> {sorted(keys)}")


if __name__ == "__main__":
    main()
