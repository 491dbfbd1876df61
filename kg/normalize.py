"""Text normalisation shared by every matcher: one folded form per way of writing.

NFKC (full/half width), Traditional -> Simplified (opencc), lower case, and hyphens,
underscores and runs of spaces folded to one space."""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

DASHES = re.compile(r"[\s\-‐‑‒–—―_·・]+")


@cache
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """The folded form of ``text``.

    >>> fold("Life-Long  Learning"), fold("強化學習"), fold("ＢＥＲＴ")
    ('life long learning', '强化学习', 'bert')
    """
    text = unicodedata.normalize("NFKC", text)
    text = _t2s().convert(text)
    return DASHES.sub(" ", text.lower()).strip()
