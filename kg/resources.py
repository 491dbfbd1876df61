"""Where the project's data lives: the ``ontology/`` folder (vocabulary, rules, shapes,
queries) and the default input ``seeds/``. Data, not Python literals."""

from __future__ import annotations

import csv
import os
from functools import cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def ontology_dir() -> Path:
    """The ontology folder; ``KG_ONTOLOGY`` overrides it."""
    return Path(os.environ.get("KG_ONTOLOGY") or PROJECT_ROOT / "ontology")


def default_seeds() -> Path:
    """``seeds/`` of the working directory when there is one, else the project's own."""
    here = Path("seeds")
    return here if here.is_dir() else PROJECT_ROOT / "seeds"


@cache
def read_table(name: str) -> tuple[dict[str, str], ...]:
    """Rows of a tab-separated file in ``ontology/``; ``#`` lines are comments.

    >>> read_table("sections.tsv")[0]["kind"]
    'core'
    """
    path = ontology_dir() / name
    with path.open(encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if line.strip() and not line.startswith("#")]
    return tuple(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))


@cache
def read_list(name: str) -> frozenset[str]:
    """The non-comment lines of a plain list in ``ontology/``, stripped."""
    path = ontology_dir() / name
    with path.open(encoding="utf-8") as handle:
        return frozenset(
            line.strip() for line in handle if line.strip() and not line.lstrip().startswith("#")
        )
