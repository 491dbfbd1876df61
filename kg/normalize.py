"""Text normalisation shared by every matcher: one folded form per way of writing.

Folding is NFKC (full/half width), Traditional -> Simplified (opencc), lower case, and
hyphens, underscores and whitespace to spaces. It works character by character so that
:func:`fold_chars` keeps the length of its input: a match found in folded text is at the
same offsets in the original, with no offset tables. :func:`fold` also squeezes runs of
spaces and strips, for comparing labels.

Also here: English singular/plural variants, slugs for concept keys, script tests and
the generic-word filter (``ontology/stopwords.txt``).
"""

from __future__ import annotations

import bisect
import hashlib
import re
import unicodedata
from functools import cache, lru_cache

from kg.resources import read_list

SPACE_LIKE = frozenset("-‐‑‒–—―_·・\u3000")  # folded to a space, like whitespace
SPACES = re.compile(r" {2,}")
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
LATIN_WORD = re.compile(r"[a-z0-9]")

NOT_SLUG = re.compile(r"[^0-9a-z]+")
NOT_WORD = re.compile(r"[^a-z0-9]+")
_SEEN: set[str] = set()  # characters whose folded form is known
# the folding table, grown as new characters are seen, as str.translate reads it fastest:
# a list indexed by code point (3x faster than a dict, which costs a hash per character),
# holding the folded character, or the code point itself where the character stays;
# characters past its end stay too
_TRANSLATION: list[int | str] = []


@cache
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def _fold_char(char: str, simplified: str) -> str:
    """The folded form of one character, always exactly one character."""
    if char.isspace() or char in SPACE_LIKE:
        return " "
    wide = unicodedata.normalize("NFKC", char)
    if len(wide) != 1:  # ligatures, "㎏", "…": keep one character so offsets stay put
        wide = char
    if wide.isspace() or wide in SPACE_LIKE:
        return " "
    if len(simplified) == 1 and simplified != char:
        wide = simplified
    lower = wide.lower()
    return lower if len(lower) == 1 else wide


def _learn(chars: set[str]) -> None:
    """Add the folded form of ``chars`` to the table (one opencc call for all of them)."""
    ordered = sorted(chars)
    # one character per line: opencc converts each alone, never as part of a phrase
    converted = _t2s().convert("\n".join(ordered)).split("\n")
    if len(converted) != len(ordered):  # opencc never changes line structure; be safe anyway
        converted = [_t2s().convert(c) for c in ordered]
    for char, simplified in zip(ordered, converted):
        folded = _fold_char(char, simplified)
        if folded != char:
            point = ord(char)
            if point >= len(_TRANSLATION):
                _TRANSLATION.extend(range(len(_TRANSLATION), point + 1))
            _TRANSLATION[point] = folded
    _SEEN.update(chars)


def fold_chars(text: str) -> str:
    """``text`` folded character by character: same length, same offsets.

    >>> fold_chars("Ｌｏｒａ與大樂透假說（LTH）")
    'lora与大乐透假说(lth)'
    >>> len(fold_chars("Life-Long\\n Learning")) == len("Life-Long\\n Learning")
    True
    """
    if not _SEEN.issuperset(text):
        _learn(set(text).difference(_SEEN))
    return text.translate(_TRANSLATION)


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """The folded form of ``text`` for comparing labels: runs of spaces squeezed.

    >>> fold("Life-Long  Learning"), fold("強化學習"), fold("ＢＥＲＴ")
    ('life long learning', '强化学习', 'bert')
    """
    # whole-string NFKC first, so that "ﬁ" or "①" fold as before; fold_chars keeps them
    # (it must keep offsets), a difference that only such rare characters see
    return SPACES.sub(" ", fold_chars(unicodedata.normalize("NFKC", text))).strip()


def squeeze(folded: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """Squeeze runs of spaces in folded text; also return the breakpoints that map a
    position in the squeezed text back to the folded text (see :func:`unsqueeze`)."""
    if "  " not in folded:
        return folded, ()
    points = []
    removed = 0
    for run in SPACES.finditer(folded):
        # what follows the run starts one after the run's single space in squeezed text
        after = run.start() - removed + 1
        removed += run.end() - run.start() - 1
        points.append((after, removed))
    return SPACES.sub(" ", folded), tuple(points)


def unsqueeze(position: int, points: tuple[tuple[int, int], ...]) -> int:
    """The folded-text offset of ``position`` in squeezed text.

    >>> text, points = squeeze("a   b  c")
    >>> text, unsqueeze(2, points), unsqueeze(4, points)
    ('a b c', 4, 7)
    """
    index = bisect.bisect_right(points, (position, float("inf"))) - 1
    return position + (points[index][1] if index >= 0 else 0)


def has_cjk(text: str) -> bool:
    return CJK.search(text) is not None


# ---- English number -------------------------------------------------------------

_INVARIANT = frozenset(
    "data news series species analysis basis bias loss class mass chess process access success "
    "gas lens atlas corpus status bus plus canvas less ness us is this thus yes was has does".split()
)


def plural(word: str) -> str:
    """A regular English plural.

    >>> plural("model"), plural("policy"), plural("loss"), plural("approach")
    ('models', 'policies', 'losses', 'approaches')
    """
    if word.endswith("y") and len(word) > 2 and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    return word + "s"


def singular(word: str) -> str:
    """The singular of a regular English plural, else ``word``.

    >>> singular("models"), singular("policies"), singular("losses"), singular("bias")
    ('model', 'policy', 'loss', 'bias')
    """
    if len(word) <= 3 or not word.isalpha() or word in _INVARIANT or word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "zes", "ches", "shes")):
        return word[:-2]
    if word.endswith("s"):
        return word[:-1]
    return word


def number_variants(folded: str) -> tuple[str, ...]:
    """The folded label and its other grammatical number (last word only).

    >>> number_variants("diffusion model"), number_variants("gans")
    (('diffusion model', 'diffusion models'), ('gans', 'gan'))
    """
    if not folded or has_cjk(folded):
        return (folded,)
    head, _, last = folded.rpartition(" ")
    if not last.isalpha() or len(last) < 3:
        return (folded,)
    prefix = head + " " if head else ""
    variants = [folded]
    one = singular(last)
    if one != last:
        variants.append(prefix + one)
    elif last not in _INVARIANT:
        variants.append(prefix + plural(last))
    return tuple(variants)


def comparable(label: str) -> str:
    """The key two labels share when they name the same thing: folded, last word
    singular, spaces dropped between Latin words ("Life-long" = "lifelong").

    >>> comparable("Life-long Learning") == comparable("Lifelong learnings")
    True
    """
    folded = fold(label)
    if not has_cjk(folded):
        folded = number_variants(folded)[-1] if folded.endswith("s") else folded
    return folded.replace(" ", "")


# ---- keys -------------------------------------------------------------------------

def slugify(label: str) -> str:
    """A concept key from an English label.

    >>> slugify("Lottery Ticket Hypothesis (LTH)"), slugify("GPT-4o")
    ('lottery-ticket-hypothesis-lth', 'gpt-4o')
    """
    text = unicodedata.normalize("NFKC", label).lower()
    return NOT_SLUG.sub("-", text).strip("-")


def hashed_key(label: str, prefix: str = "zh-") -> str:
    """A stable key for a label with no Latin letters: a short hash of its folded form.

    >>> hashed_key("大樂透假說") == hashed_key("大乐透假说")
    True
    """
    digest = hashlib.sha1(fold(label).replace(" ", "").encode("utf-8")).hexdigest()[:10]
    return prefix + digest


# ---- the generic-word filter --------------------------------------------------------

@cache
def generic_words() -> frozenset[str]:
    """Folded words that are never concepts (``ontology/stopwords.txt``)."""
    return frozenset(fold(word) for word in read_list("stopwords.txt"))


def is_generic(label: str) -> bool:
    """True when ``label`` is a generic word, or English made only of generic words.

    >>> is_generic("模型"), is_generic("Methods"), is_generic("Future Directions"), is_generic("Lottery Ticket")
    (True, True, True, False)
    """
    folded = fold(label)
    if not folded:
        return True
    words = generic_words()
    if folded in words or folded.replace(" ", "") in words:
        return True
    if has_cjk(folded):
        return False
    tokens = [singular(t) for t in NOT_WORD.split(folded) if t]
    return not tokens or all(t in words or plural(t) in words or t.isdigit() for t in tokens)
