"""Fixtures shared by the test modules."""

from __future__ import annotations

import pytest

from kg.extract import make_extractor
from kg.vocabulary import load_vocabulary


@pytest.fixture(scope="module")
def vocabulary(request, tmp_path_factory):
    """The small vocabulary a test module declares as Turtle in its ``VOCABULARY``."""
    folder = tmp_path_factory.mktemp("vocab")
    (folder / "test.ttl").write_text(request.module.VOCABULARY, encoding="utf-8")
    return load_vocabulary(folder)


@pytest.fixture(scope="module")
def extract(vocabulary):
    """An extractor over the module's vocabulary."""
    return make_extractor(vocabulary)
