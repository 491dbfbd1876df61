"""Synthetic catalogs of any size, made by recombining the real lecture blocks:
new catalog numbers and video ids, real titles and summaries.

    python3 benchmarks/synth.py 10000 /tmp/catalog-10k
"""

from __future__ import annotations

import base64
import hashlib
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REAL_PAGES = [ROOT / "seeds", ROOT / "tests" / "data"]
BLOCK = re.compile(r"<details>.*?</details>", re.S)
PAGE_SIZE = 1000


def real_blocks() -> list[str]:
    blocks = []
    for folder in REAL_PAGES:
        for path in sorted(folder.glob("*")):
            if path.suffix in (".md", ".txt"):
                blocks.extend(BLOCK.findall(path.read_text(encoding="utf-8")))
    return blocks


def video_id(index: int) -> str:
    """A deterministic, valid-looking 11-character YouTube id."""
    digest = hashlib.sha256(f"synthetic-{index}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()[:11]


def renumber(block: str, number: int) -> str:
    new_id = video_id(number)
    block = re.sub(r"<summary>\s*\d+\.", f"<summary>{number}.", block, count=1)
    return re.sub(r"(?<=watch\?v=)[A-Za-z0-9_-]{11}|(?<=/vi/)[A-Za-z0-9_-]{11}", new_id, block)


def write_catalog(size: int, folder: Path) -> tuple[int, int]:
    """Write ``size`` lectures into pages of PAGE_SIZE; return (lectures, characters)."""
    blocks = real_blocks()
    folder.mkdir(parents=True, exist_ok=True)
    characters = 0
    for start in range(0, size, PAGE_SIZE):
        page = "\n\n".join(renumber(blocks[i % len(blocks)], i + 1) for i in range(start, min(size, start + PAGE_SIZE)))
        characters += len(page)
        (folder / f"catalog-{start // PAGE_SIZE:05d}.md").write_text(page + "\n", encoding="utf-8")
    return size, characters


if __name__ == "__main__":
    count, chars = write_catalog(int(sys.argv[1]), Path(sys.argv[2]))
    print(f"{count} lectures, {chars} characters in {sys.argv[2]}")
