"""Imports with a stand-in for a heavy optional module (kg.deferred)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(code: str) -> str:
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_spacy_without_its_cli_and_spacy_info_still_works():
    out = run("import sys\nfrom kg.discover import import_spacy\nspacy = import_spacy()\n"
              "print('spacy.cli' in sys.modules)\nprint(type(spacy.info(silent=True)).__name__)\n"
              "print('spacy.cli' in sys.modules)")
    assert out.split() == ["False", "dict", "True"]


def test_pyvis_without_ipython_and_iframe_still_imports_it():
    # kg.html imports pyvis.network with the stand-in for IPython
    out = run("import sys\nimport kg.html\nm = sys.modules['pyvis.network']\n"
              "print('IPython' in sys.modules)\nm.IFrame('x.html', width=10, height=10)\nprint('IPython' in sys.modules)")
    assert out.split() == ["False", "True"]
