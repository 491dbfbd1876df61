"""Importing a library without the heavy module it imports only for an optional feature.

pyvis imports IPython (for notebooks) and spaCy imports its command-line package (for
``spacy.info``) at import time: about 0.45 s per build that a pipeline never uses.
"""

from __future__ import annotations

import importlib
import sys
import types
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def deferred_import(root: str, module: str, name: str) -> Iterator[None]:
    """While the body runs, stand in for ``module`` (and the packages from ``root`` down
    to it) with empty modules whose ``name`` imports the real one when first called.
    Afterwards the stand-ins are gone, so a later import gets the real modules.

    >>> with deferred_import("json_stand_in", "json_stand_in.tool", "main"):
    ...     from json_stand_in.tool import main
    >>> "json_stand_in" in sys.modules
    False
    """
    if root in sys.modules:
        yield
        return
    names = module.split(".")
    first = len(root.split("."))
    stand_ins = {}
    for end in range(first, len(names) + 1):
        dotted = ".".join(names[:end])
        stand_in = types.ModuleType(dotted)
        stand_in.__path__ = []
        parent = stand_ins.get(".".join(names[: end - 1]))
        if parent is not None:
            setattr(parent, names[end - 1], stand_in)
        stand_ins[dotted] = stand_in

    def remove() -> None:
        for dotted, stand_in in stand_ins.items():
            if sys.modules.get(dotted) is stand_in:
                del sys.modules[dotted]

    def real(*args, **kwargs):
        remove()
        return getattr(importlib.import_module(module), name)(*args, **kwargs)

    real.__name__ = name
    setattr(stand_ins[module], name, real)
    sys.modules.update(stand_ins)
    try:
        yield
    finally:
        remove()
