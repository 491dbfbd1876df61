"""Bad input gets a clear message naming file and line, and loses nothing (issue 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.catalog import CatalogError, read_catalogs

GOOD = (
    "<details>\n<summary>{n}. Title {n}</summary><br>\n\n"
    '<a href="https://www.youtube.com/watch?v={vid}" target="_blank">\n'
    '    <img src="https://img.youtube.com/vi/{vid}/maxresdefault.jpg" alt="[Youtube]" width="200">\n</a>\n\n</details>\n\n'
)


def block(n: int, vid: str) -> str:
    return GOOD.format(n=n, vid=vid)


def write(tmp_path: Path, text: str | bytes, name: str = "page.md") -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def messages(error: CatalogError) -> str:
    return "\n".join(str(p) for p in error.problems)


def test_empty_file(tmp_path):
    path = write(tmp_path, "")
    with pytest.raises(CatalogError) as caught:
        read_catalogs([path])
    assert f"{path}:1: file is empty" in messages(caught.value)


def test_no_details_block(tmp_path):
    path = write(tmp_path, "# just a readme\n\nnothing here\n")
    with pytest.raises(CatalogError) as caught:
        read_catalogs([path])
    assert "no <details> lecture block" in messages(caught.value)
    assert str(path) in messages(caught.value)


def test_not_utf8_names_the_line(tmp_path):
    path = write(tmp_path, block(1, "aaaaaaaaaaa").encode() + b"\n\nbad \xff\xfe byte\n")
    with pytest.raises(CatalogError) as caught:
        read_catalogs([path])
    text = messages(caught.value)
    assert "not UTF-8" in text and f"{path}:12:" in text


def test_block_without_video_link_is_skipped_and_reported(tmp_path):
    page = block(1, "aaaaaaaaaaa") + "<details>\n<summary>2. No link here</summary>\n</details>\n" + block(3, "ccccccccccc")
    path = write(tmp_path, page)
    catalog = read_catalogs([path])
    assert [l.number for l in catalog.lectures] == [1, 3]
    assert any("lecture 2 has no YouTube video link" in str(p) and f"{path}:11" in str(p) for p in catalog.problems)
    with pytest.raises(CatalogError, match="no YouTube video link"):
        read_catalogs([path], strict=True)


def test_truncated_block(tmp_path):
    page = block(1, "aaaaaaaaaaa") + block(2, "bbbbbbbbbbb").split("</details>")[0]
    path = write(tmp_path, page)
    catalog = read_catalogs([path])
    assert [l.number for l in catalog.lectures] == [1]
    assert any("not closed" in str(p) and f"{path}:10" in str(p) for p in catalog.problems)


def test_duplicate_number_and_video(tmp_path):
    page = block(1, "aaaaaaaaaaa") + block(1, "bbbbbbbbbbb") + block(2, "aaaaaaaaaaa") + block(3, "ccccccccccc")
    catalog = read_catalogs([write(tmp_path, page)])
    assert [l.number for l in catalog.lectures] == [1, 3]
    text = "\n".join(str(p) for p in catalog.problems)
    assert "catalog number 1 already used" in text and "video aaaaaaaaaaa already listed" in text


def test_duplicates_across_files(tmp_path):
    first = write(tmp_path, block(1, "aaaaaaaaaaa"), "a.md")
    write(tmp_path, block(1, "aaaaaaaaaaa"), "b.md")
    catalog = read_catalogs([tmp_path])
    assert len(catalog.lectures) == 1
    assert f"already used at {first}:1" in str(catalog.problems[0])


def test_file_with_nothing_usable(tmp_path):
    path = write(tmp_path, "<details>\n<summary>no number</summary>\n</details>\n")
    with pytest.raises(CatalogError) as caught:
        read_catalogs([path])
    assert f"{path}:1:" in messages(caught.value)


def test_invalid_date_is_reported_but_lecture_kept(tmp_path):
    page = block(1, "aaaaaaaaaaa").replace("1. Title", "1. [2021-13-45] Title")
    catalog = read_catalogs([write(tmp_path, page)])
    assert catalog.lectures[0].date is None
    assert "not a valid date" in str(catalog.problems[0])


def test_folder_without_catalogs(tmp_path):
    (tmp_path / "notes.json").write_text("{}")
    with pytest.raises(CatalogError, match="no catalog files"):
        read_catalogs([tmp_path])
