"""Discovery of concepts the vocabulary lacks, from the patterns authors use to
introduce a term:

=============  ===============================================================  ============
pattern        example                                                          strength
=============  ===============================================================  ============
``pair``       ``大樂透假說（Lottery Ticket Hypothesis, LTH）``, ``RLHF（增強學習…）`` 1.0
``gloss``      a plain word translated: ``偶然的（Serendipitous）``                  0.5
``abbrev``     ``Inverse Reinforcement Learning (IRL)``, ``ELMO (Embeddings …)``   1.0
``title``      ``AlphaTensor: …``, ``… — Speculative Decoding``, ``FrugalGPT``      1.0
``title-word`` a single plain English word set apart in a Chinese title          0.6
``bold``       ``**Houlsby Adapter**``                                           0.5
``name``       a CamelCase / ALL-CAPS / digit-bearing name in running text       0.3
``phrase``     a Title-Case English phrase inside Chinese text                  0.3
=============  ===============================================================  ============

(the strengths are data: ``ontology/discovery-patterns.tsv``). A candidate becomes a
node only when its evidence over the whole catalog reaches the threshold (decided in
:mod:`kg.canonical`), and never when it is a generic word.

The token work is done on the short spans that need it: jieba, with the vocabulary's
words, finds where a Chinese term starts before a parenthesis; a blank spaCy ``en``
pipeline with a light tokenizer and a :class:`~spacy.matcher.Matcher` finds name-like
English phrases; spaCy's stop-word lists keep function words out of terms. Each is
built on first use, once per process, by :class:`TextTools`; whole summaries never go
through them.
"""

from __future__ import annotations

import gc
import hashlib
import importlib.util
import os
import re
import tempfile
import time
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Callable, Iterable

from kg.deferred import deferred_import
from kg.normalize import fold, fold_chars, has_cjk, is_generic, singular
from kg.resources import read_list, read_table

JIEBA_WORDS = 20000  # most frequent words of jieba's dictionary kept (see jieba_dictionary)
VOCABULARY_FREQUENCY = 200000
DICT_ENTRY = re.compile(r"^(\S+) (\d+)", re.M)  # a line of jieba's dict.txt: word frequency [tag]
PAREN = re.compile(r"[(（]([^()（）\n]{1,120})[)）]")
BOLD = re.compile(r"\*\*([^*\n]{2,80}?)\*\*")
LATIN_RUN = re.compile(r"[A-Za-z][A-Za-z0-9.+']*(?:[ \t\-/&]+[A-Za-z0-9][A-Za-z0-9.+']*)*")
CJK_CHAR = r"\u3400-\u9fff\uf900-\ufaff"
CJK_TAIL = re.compile(rf"[{CJK_CHAR}]+[」』”]?\s*$")
LATIN_TAIL = re.compile(r"[A-Za-z][A-Za-z0-9\-' ]*[A-Za-z0-9]\s*$|[A-Za-z]\s*$")
QUOTED_TAIL = re.compile(rf"[「『“]([{CJK_CHAR}A-Za-z0-9\- ]{{2,16}})[」』”]\s*$")
SPLIT_LIST = re.compile(r"\s*[,，;；、]\s*|\s+(?:or|and|aka|i\.e\.|e\.g\.)\s+|\s*[=:：]\s*")
TITLE_SPLIT = re.compile(r"\s*(?:[、,，:：;；!！?？()（）「」『』《》\[\]【】|/]|\s[-–—~]+\s|—|–|\s+vs\.?\s+|\s+&\s+)\s*", re.I)
ABBREVIATION = re.compile(r"^(?=.*[A-Z])[A-Za-z][A-Za-z0-9\-]{1,9}s?$")
NAME_TOKEN = re.compile(r"^(?:[A-Z][a-z]+[A-Z][A-Za-z0-9]*|[A-Z]{3,}[A-Za-z0-9\-]*|[A-Za-z]+-?\d+[A-Za-z0-9]*|[a-z]+[A-Z][A-Za-z0-9]*)$")
WHITESPACE = re.compile(r"\s+")
COMBINATION = re.compile(r"\s(?:\+|&|vs\.?|and|or)\s", re.I)
SPACE_OR_HYPHEN = re.compile(r"[\s\-]+")
CLAUSE_MARK = re.compile(r"[，,。、:：\s]")
LIST_MARK = re.compile(r"^\s*(?:\d+[.)、]|[-•])\s*")
TITLE_TOPIC = re.compile(r"^\s*([A-Za-z][A-Za-z0-9\-]*(?: [A-Za-z0-9\-]+){0,2})\s*[:：]")
HAS_CAPITAL_OR_DIGIT = re.compile(r"[A-Z0-9]")
TWO_CAPITALS = re.compile(r"\b[A-Z][A-Za-z0-9\-']*[ \t]+[A-Z]")
LATIN_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+'\-]*")
LINKERS = frozenset("的与和及或在上从来用对把被将为是之让给跟向于以并而如即由就也都及其、，。：；？！")


@dataclass(frozen=True, slots=True)
class Candidate:
    """One way a text introduces a term; ``start``/``end`` locate it in the part text."""

    en: str | None
    zh: str | None
    abbr: str | None
    pattern: str
    start: int
    end: int

    @property
    def surface(self) -> str:
        return self.en or self.zh or self.abbr or ""


@cache
def pattern_strengths() -> dict[str, float]:
    """Evidence each discovery pattern gives (``ontology/discovery-patterns.tsv``)."""
    return {row["pattern"]: float(row["strength"]) for row in read_table("discovery-patterns.tsv")}


@cache
def technical_heads() -> frozenset[str]:
    """English head nouns that make a phrase look like a technical term."""
    return frozenset(singular(fold(word)) for word in read_list("technical-heads.txt"))


# ---- jieba and spaCy ---------------------------------------------------------------

def cache_dir() -> Path:
    """Where derived data is kept between runs (``KG_CACHE_DIR``, else the temp folder)."""
    folder = Path(os.environ.get("KG_CACHE_DIR") or Path(tempfile.gettempdir()) / "lecture-kg")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


STALE_SECONDS = 3600


def prune_cache(pattern: str, keep: Path) -> None:
    """Remove cache files matching ``pattern`` that are an hour old, but ``keep``: derived
    files of older vocabularies or code would pile up otherwise. (An hour, so that a
    build still running with an older file never loses it.)"""
    now = time.time()
    for path in cache_dir().glob(pattern):
        try:
            if path != keep and now - path.stat().st_mtime > STALE_SECONDS:
                path.unlink()
        except OSError:
            pass


def cached_pickle(stem: str, stamp: str, kind: type, make: Callable[[], object]):
    """``make()``, kept in the cache folder as ``<stem>-<stamp>.pickle``: read back when
    the file holds a ``kind``, else made and written (atomically: a concurrent build
    reads a whole file or none), older files of the same stem pruned."""
    import pickle

    path = cache_dir() / f"{stem}-{stamp}.pickle"
    try:
        with path.open("rb") as handle:
            found = pickle.load(handle)
        if isinstance(found, kind):
            return found
    except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        pass  # none yet, or unreadable: make it again
    found = make()
    try:
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        with partial.open("wb") as handle:
            pickle.dump(found, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(partial, path)
        prune_cache(f"{stem}-*.pickle", path)
    except OSError:
        pass  # a read-only cache folder only costs time
    return found


def jieba_dictionary(words: Iterable[str], size: int = JIEBA_WORDS) -> Path:
    """A jieba dictionary file: jieba's own cut to its ``size`` most frequent words, plus
    ``words`` (the vocabulary's, so they are never cut apart), written once per word set.

    Loading jieba's full dictionary costs ~0.45 s; this one ~0.05 s (jieba keeps a parsed
    copy next to it), and it segments the short spans we give it the same way: rare
    words are found by jieba's HMM or are vocabulary words."""
    jieba = import_jieba()

    source = Path(jieba.__file__).with_name("dict.txt")
    stat = source.stat()
    ours = sorted({w for w in words if len(w) >= 2 and not any(c.isspace() for c in w)})
    digest = hashlib.sha1(f"{source}:{stat.st_size}:{stat.st_mtime_ns}:{size}".encode())
    digest.update("\n".join(ours).encode("utf-8"))
    target = cache_dir() / f"jieba-dict-{digest.hexdigest()[:16]}.txt"
    if not target.exists():
        pairs = DICT_ENTRY.findall(source.read_text(encoding="utf-8"))  # (word, frequency)
        counts = list(map(int, (frequency for _, frequency in pairs)))
        cutoff = sorted(counts, reverse=True)[min(size, len(counts)) - 1] if counts else 0
        lines = [f"{word} {count}" for (word, _), count in zip(pairs, counts) if count >= cutoff]
        lines += [f"{word} {VOCABULARY_FREQUENCY}" for word in ours]  # high: a vocabulary word wins
        partial = target.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text("\n".join(lines) + "\n", encoding="utf-8")
        os.replace(partial, target)  # atomic: concurrent builds see a whole file or none
        prune_cache("jieba-dict-*.txt", target)
        prune_cache("jieba.u*.cache", target)
    return target


def jieba_tokenizer(words: Iterable[str]):
    """A jieba tokenizer (not the global one) that knows ``words`` (folded, Simplified)."""
    import logging

    jieba = import_jieba()
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer(str(jieba_dictionary(words)))
    tokenizer.tmp_dir = str(cache_dir())
    tokenizer.initialize()
    return tokenizer


def import_jieba():
    """``import jieba`` without ``pkg_resources``: jieba 0.42 imports it only to open its
    own data files, and falls back to plain ``open`` when it is missing; the import
    costs ~0.05 s of every build. Blocked for the length of jieba's import only (and
    only when nothing imported it before)."""
    import sys

    if "jieba" in sys.modules:
        return sys.modules["jieba"]
    blocked = "pkg_resources" not in sys.modules
    if blocked:
        sys.modules["pkg_resources"] = None  # an import of it raises ImportError
    try:
        import jieba
    finally:
        if blocked and sys.modules.get("pkg_resources", 0) is None:
            del sys.modules["pkg_resources"]
    return jieba


def _latin_tokenizer_factory():
    """A light English tokenizer for short spans: punctuation off the edges, hyphenated
    words kept whole; spaCy's full English tokenizer costs 0.1-0.2 s to build."""
    from spacy.tokenizer import Tokenizer

    def create(nlp):
        return Tokenizer(
            nlp.vocab,
            rules={},
            prefix_search=re.compile(r"""^[(\[{"'“‘<*_.]""").search,
            suffix_search=re.compile(r"""[)\]}"'”’>*_.,;:!?]$""").search,
        )

    return create


def import_spacy():
    """``import spacy``, with the cycle collector paused during the import and the
    imported objects frozen after it (``gc.freeze``): they are module state for the
    life of the process, and the full collections that would walk them again and again
    cost ~0.1 s per build. Freezing is process-wide but only exempts what exists now."""
    import sys

    if "spacy" in sys.modules:
        return sys.modules["spacy"]
    enabled = gc.isenabled()
    gc.disable()
    try:
        # spaCy imports its command line (weasel, requests, typer …) only for spacy.info
        with deferred_import("spacy.cli", "spacy.cli.info", "info"):
            import spacy
        import spacy.lang.en  # noqa: F401  (the English pipeline's language data, imported once here)
    finally:
        if enabled:
            gc.enable()
        gc.freeze()
    return spacy


@cache
def stop_words(lang: str) -> frozenset[str]:
    """spaCy's stop words for ``lang`` ("en", "zh"), read from spaCy's language data
    without importing spaCy: each list is a plain module, and ``import spacy`` costs
    ~0.3 s, which a rebuild of one changed lecture need not pay."""
    spec = importlib.util.find_spec("spacy")  # locates the package without importing it
    path = Path(spec.submodule_search_locations[0]) / "lang" / lang / "stop_words.py"
    namespace: dict = {}
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)
    return frozenset(namespace["STOP_WORDS"])


PHRASE_MEMO = 200_000  # runs of English whose phrases TextTools remembers


class TextTools:
    """spaCy pipelines and the jieba segmenter, each built on first use, once per process:
    input that never needs one never pays for it."""

    def __init__(self, cjk_words: Iterable[str], phrases: dict[str, tuple[tuple[str, int], ...]] | None = None):
        self.cjk_words = tuple(cjk_words)
        # run of English -> its Title-Case phrases: given from an earlier build, a
        # rebuild whose runs were all seen before never loads spaCy
        self.phrases = {} if phrases is None else phrases
        self._segmenter = None
        self._en = None
        self._matcher = None

    @property
    def segmenter(self):
        """A jieba tokenizer that knows the vocabulary's Chinese words."""
        if self._segmenter is None:
            self._segmenter = jieba_tokenizer(self.cjk_words)
        return self._segmenter

    @property
    def en(self):
        """A blank spaCy ``en`` pipeline with a light tokenizer."""
        if self._en is None:
            spacy = import_spacy()

            if "lecture_kg.latin_tokenizer.v1" not in spacy.registry.tokenizers:
                spacy.registry.tokenizers.register("lecture_kg.latin_tokenizer.v1", func=_latin_tokenizer_factory)
            self._en = spacy.blank("en", config={"nlp": {"tokenizer": {"@tokenizers": "lecture_kg.latin_tokenizer.v1"}}})
        return self._en

    @property
    def matcher(self):
        """Title-Case phrases: two or more capitalised words, the first not a stop word."""
        if self._matcher is None:
            from spacy.matcher import Matcher

            matcher = Matcher(self.en.vocab)
            # lexeme attributes only: computed once per word (REGEX predicates run per token)
            capital = {"IS_TITLE": True, "IS_STOP": False}
            matcher.add("TITLE_PHRASE", [[capital, {"IS_TITLE": True, "OP": "+"}]], greedy="LONGEST")
            self._matcher = matcher
        return self._matcher

    # -- Chinese --------------------------------------------------------------------

    @lru_cache(maxsize=8192)
    def zh_tokens(self, folded: str) -> tuple[str, ...]:
        """jieba's words of a run of Chinese characters (no spaces: where spaCy's
        Chinese pipeline would only add its handling of whitespace to jieba's cut)."""
        return tuple(word for word in self.segmenter.cut(folded, cut_all=False) if word)

    def is_plain_chinese(self, text: str) -> bool:
        """A Chinese word too common to name a concept (spaCy's stop words: 可能, 情況)."""
        folded = fold(text)
        return folded in stop_words("zh") or is_generic(text)

    def chinese_term_before(self, text: str, budget: int) -> str | None:
        """The Chinese term that ends ``text`` (the words just before a parenthesis):
        the longest run of final tokens that has no function word and fits ``budget``
        characters."""
        quoted = QUOTED_TAIL.search(text)
        if quoted:
            return quoted.group(1).strip()
        tail = CJK_TAIL.search(text)
        if not tail:
            return None
        run = tail.group().rstrip()
        run = run.rstrip("」』”")
        tokens = self.zh_tokens(fold_chars(run))
        taken = 0
        for index in range(len(tokens) - 1, -1, -1):
            token = tokens[index]
            first = index == len(tokens) - 1
            if _stops_term(token, first) or (taken and taken + len(token) > budget):
                break
            taken += len(token)
        term = run[len(run) - taken:] if taken else ""
        return term if len(term) >= 2 and not self.is_plain_chinese(term) else None

    # -- English --------------------------------------------------------------------

    def title_case_phrases(self, run: str) -> tuple[tuple[str, int], ...]:
        """Title-Case phrases in a run of English words, (phrase, offset): two or more
        capitalised words, the first not a stop word (spaCy Matcher). Remembered in
        :attr:`phrases`, which a caller may keep between builds."""
        found = self.phrases.get(run)
        if found is None:
            doc = self.en.make_doc(run)
            found = tuple((doc[start:end].text, doc[start].idx) for _, start, end in self.matcher(doc))
            if len(self.phrases) < PHRASE_MEMO:
                self.phrases[run] = found
        return found

    def is_stop(self, word: str) -> bool:
        """An English stop word (spaCy's list)."""
        return word.lower() in stop_words("en")


def _stops_term(token: str, first: bool) -> bool:
    """Whether a token ends (from the right) the Chinese term being collected."""
    if not token.strip() or token in LINKERS or not has_cjk(token):
        return True
    if token in _lead_words():
        return True
    # single characters stop only as linkers: 自, 大, 多 begin terms (自注意力, 大樂透)
    return not first and len(token) > 1 and token in stop_words("zh")  # the head stays even if common ("处理")


@cache
def _lead_words() -> frozenset[str]:
    """Words that open a phrase rather than belong to a term (``ontology/zh-lead-words.txt``)."""
    return frozenset(fold(word) for word in read_list("zh-lead-words.txt"))


# ---- abbreviations (Schwartz & Hearst 2003) -----------------------------------------

def long_form_for(short: str, words: str) -> str | None:
    """The part of ``words`` that ``short`` abbreviates, or None.

    >>> long_form_for("IRL", "learn from Inverse Reinforcement Learning")
    'Inverse Reinforcement Learning'
    >>> long_form_for("RLHF", "Reinforcement Learning from Human Feedback")
    'Reinforcement Learning from Human Feedback'
    >>> long_form_for("GAN", "Lottery Ticket Hypothesis") is None
    True
    """
    short_chars = [c.lower() for c in short if c.isalnum()]
    if len(short_chars) < 2 or not short[0].isalnum():
        return None
    text = words.strip()
    s_index, l_index = len(short_chars) - 1, len(text) - 1
    while s_index >= 0:
        char = short_chars[s_index]
        # the first letter of the short form must start a word of the long form
        while l_index >= 0 and (
            text[l_index].lower() != char
            or (s_index == 0 and l_index > 0 and text[l_index - 1].isalnum())
        ):
            l_index -= 1
        if l_index < 0:
            return None
        l_index -= 1
        s_index -= 1
    start = text.rfind(" ", 0, l_index + 1) + 1
    long_form = text[start:].strip()
    n_words = len(long_form.split())
    if n_words > min(len(short_chars) + 5, len(short_chars) * 2) or long_form.lower() == short.lower():
        return None
    return long_form


def is_abbreviation(text: str) -> bool:
    """A short form: one token of 2-10 characters with two capitals ("RL", "LoRA").

    >>> is_abbreviation("LTH"), is_abbreviation("LoRA"), is_abbreviation("Loss"), is_abbreviation("GPT-4")
    (True, True, False, True)
    """
    return bool(ABBREVIATION.match(text)) and sum(c.isupper() for c in text) >= 2


def word_count(english: str) -> int:
    """Words an English form stands for; an abbreviation counts its capitals."""
    total = 0
    for word in SPACE_OR_HYPHEN.split(english.strip()):
        if not word:
            continue
        total += sum(c.isupper() for c in word) if is_abbreviation(word) else 1
    return max(total, 1)


# ---- the patterns ---------------------------------------------------------------------

def clean_english(text: str) -> str:
    """An English form as a label: edge punctuation and markup off, spaces squeezed."""
    text = WHITESPACE.sub(" ", text.replace("_", " ")).strip(" .,:;*-'\"“”‘’<>`")
    return text


def split_inner(inner: str) -> tuple[str | None, str | None, bool]:
    """(long form, abbreviation, is a list) from a parenthesis' Latin content.

    >>> split_inner("Lottery Ticket Hypothesis, LTH")
    ('Lottery Ticket Hypothesis', 'LTH', False)
    >>> split_inner("VAE, Flow, Diffusion, GAN")[2]
    True
    """
    parts = [clean_english(p) for p in SPLIT_LIST.split(inner) if p and clean_english(p)]
    if not parts:
        return None, None, False
    if len(parts) == 1:
        only = parts[0]
        return (None, only, False) if is_abbreviation(only) else (only, None, False)
    if len(parts) > 2:
        return None, None, True
    first, second = parts
    if is_abbreviation(second) and long_form_for(second, first):
        return first, second, False
    if is_abbreviation(first) and long_form_for(first, second):
        return second, first, False
    if len(second) <= 2 and not is_abbreviation(second):  # "(State, s)": a symbol
        return first, None, False
    return None, None, True


def _latin_enough(text: str) -> bool:
    letters = sum(c.isalpha() and c.isascii() for c in text)
    return letters >= 2 and not has_cjk(text)


def parentheticals(text: str, tools: TextTools,
                   known_before: Callable[[int, tuple[str, ...]], str | None]) -> list[Candidate]:
    """Bilingual pairs and abbreviation definitions written with a parenthesis.

    ``known_before(i, english)`` gives the surface of a vocabulary match that ends at
    offset ``i`` and names the concept the English forms name: then it, not a guess, is
    where the Chinese term starts ("自動調整學習速率 (Learning Rate)" -> 學習速率)."""
    found = []
    for match in PAREN.finditer(text):
        inner = match.group(1).strip()
        before = text[max(0, match.start() - 40): match.start()]
        start = match.start()
        if _latin_enough(inner):
            long_form, abbr, is_list = split_inner(inner)
            if is_list:
                continue
            if CJK_TAIL.search(before) or QUOTED_TAIL.search(before):
                english = long_form or abbr
                if not english:
                    continue
                budget = 2 * word_count(english) + 2
                english_forms = tuple(f for f in (long_form, abbr) if f)
                zh = known_before(start, english_forms) or tools.chinese_term_before(before, budget)
                if zh:
                    found.append(Candidate(long_form, zh, abbr, "pair", start - len(zh), match.end()))
                elif long_form and abbr and long_form_for(abbr, long_form):
                    found.append(Candidate(long_form, None, abbr, "abbrev", match.start(1), match.end()))
            else:
                latin = LATIN_TAIL.search(before)
                if not latin:
                    continue
                outer = clean_english(latin.group())
                if abbr and not long_form:
                    long_part = long_form_for(abbr, outer)
                    if long_part:
                        found.append(Candidate(long_part, None, abbr, "abbrev", start - len(latin.group()), match.end()))
                elif long_form and is_abbreviation(outer.split()[-1]) and long_form_for(outer.split()[-1], long_form):
                    short = outer.split()[-1]
                    found.append(Candidate(long_form, None, short, "abbrev", start - len(short) - 1, match.end()))
        elif has_cjk(inner) and len(inner) <= 12 and not CLAUSE_MARK.search(inner):
            latin = LATIN_TAIL.search(before)
            if latin and not CJK_TAIL.search(before):
                english = clean_english(latin.group())
                words = english.split()
                # only the last few words: "使用 the Actor" -> "Actor"
                english = " ".join(words[-4:])
                zh = inner.strip("「」『』")
                if english and zh and not tools.is_plain_chinese(zh) and len(english) >= 2:
                    long_form, abbr = (None, english) if is_abbreviation(english) else (english, None)
                    found.append(Candidate(long_form, zh, abbr, "pair", start - len(english), match.end()))
    return found


def bold_terms(raw: str) -> list[Candidate]:
    """English terms set in bold (``**Houlsby Adapter**``); Chinese bold text is mostly
    list headings, so only its parenthetical part counts (found by :func:`parentheticals`)."""
    found = []
    for match in BOLD.finditer(raw):
        inner = LIST_MARK.sub("", match.group(1))
        inner = PAREN.sub("", inner).strip().rstrip("：:")
        inner = clean_english(inner)
        if not inner or has_cjk(inner) or not _latin_enough(inner) or len(inner.split()) > 5:
            continue
        if COMBINATION.search(inner):
            continue  # "Diffusion Model + GAN", "Finetuning vs. Prompting": two things, not one term
        found.append(Candidate(inner, None, None, "bold", match.start(1), match.end(1)))
    return found


def english_in_text(text: str, tools: TextTools) -> list[Candidate]:
    """Name-like English in (mostly Chinese) text: name tokens (CamelCase, capitals,
    digits) and Title-Case phrases. spaCy sees only runs with two capitalised words in
    a row, the only ones that can hold a Title-Case phrase."""
    found = []
    for run in LATIN_RUN.finditer(text):
        phrase = run.group()
        if len(phrase) < 3 or not HAS_CAPITAL_OR_DIGIT.search(phrase):
            continue  # both patterns need a capital letter or a digit
        for word in LATIN_WORD.finditer(phrase):
            name = clean_english(word.group())
            if len(name) >= 3 and NAME_TOKEN.match(name):
                start = run.start() + word.start()
                found.append(Candidate(name, None, None, "name", start, start + len(name)))
        if TWO_CAPITALS.search(phrase):
            for name, offset in tools.title_case_phrases(phrase):
                name = clean_english(name)
                if len(name) >= 3:
                    start = run.start() + offset
                    found.append(Candidate(name, None, None, "phrase", start, start + len(name)))
    return found


def title_phrases(title: str, tools: TextTools, english_title: bool) -> list[Candidate]:
    """English names set apart in a (cleaned) title: the topic before a colon, and in a
    Chinese title every English segment between delimiters."""
    found = []
    topic = TITLE_TOPIC.match(title)
    if topic and not is_generic(topic.group(1)):
        found.append(Candidate(clean_english(topic.group(1)), None, None, "title", topic.start(1), topic.end(1)))
    if english_title:
        return found + [c for c in english_in_text(title, tools) if c.pattern == "name"]
    position = 0
    for segment in TITLE_SPLIT.split(title):
        start = title.find(segment, position) if segment else -1
        if start < 0:
            continue
        position = start + len(segment)
        for run in LATIN_RUN.finditer(segment):
            phrase = clean_english(run.group())
            words = phrase.split()
            if not words or len(words) > 4 or not _latin_enough(phrase):
                continue
            if any(tools.is_stop(w) for w in words[1:-1]) or tools.is_stop(words[0]) or tools.is_stop(words[-1]):
                continue
            single_plain = len(words) == 1 and not NAME_TOKEN.match(phrase)
            found.append(Candidate(phrase, None, None, "title-word" if single_plain else "title",
                                   start + run.start(), start + run.start() + len(phrase)))
    return found


def reads_as_name(english: str) -> bool:
    """Several capitalised words ("Lottery Ticket Hypothesis"), or a name token
    ("LoRA", "GPT-4o"): how a named term is written, unlike a gloss ("sequential
    dependency", "Serendipitous").

    >>> reads_as_name("Lottery Ticket Hypothesis"), reads_as_name("Serendipitous"), reads_as_name("style vector")
    (True, False, False)
    """
    words = english.split()
    if any(NAME_TOKEN.match(w) for w in words):
        return True
    content = [w for w in words if w.lower() not in ("of", "for", "from", "in", "on", "and", "with", "the", "a", "to")]
    return len(content) >= 2 and all(w[:1].isupper() for w in content)


def looks_technical(english: str) -> bool:
    """A multiword English phrase that reads like a term: its head noun is a technical
    one, or one of its words is a name (CamelCase, digits, capitals)."""
    words = english.split()
    if any(NAME_TOKEN.match(w) for w in words):
        return True
    head = singular(fold(words[-1])) if words else ""
    return head in technical_heads()
