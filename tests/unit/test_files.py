"""The one atomic writer (quiz.files.atomic_write_text): the file is the old one or the whole new
one, and nothing is left behind when writing fails."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from quiz.files import atomic_write_text


def test_it_writes_utf8_text_with_its_newlines_as_given(tmp_path: Path) -> None:
    path = tmp_path / "out.md"
    atomic_write_text(path, "ünïcode ×\nline two\r\n")
    assert path.read_bytes() == "ünïcode ×\nline two\r\n".encode()
    assert [p.name for p in tmp_path.iterdir()] == ["out.md"]


def test_it_replaces_an_existing_file_and_takes_a_string_path(tmp_path: Path) -> None:
    path = tmp_path / "out.json"
    path.write_text("old and longer than the new text", encoding="utf-8")
    atomic_write_text(str(path), "new")
    assert path.read_text(encoding="utf-8") == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_the_new_file_gets_the_mode_the_umask_gives(tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        atomic_write_text(tmp_path / "out.txt", "x")
    finally:
        os.umask(previous)
    assert (tmp_path / "out.txt").stat().st_mode & 0o777 == 0o644


def test_a_failed_move_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "out.md"
    path.write_text("the previous file\n", encoding="utf-8")

    def broken_replace(source: Any, target: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        atomic_write_text(path, "the new file\n")
    assert path.read_text(encoding="utf-8") == "the previous file\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.md"]


def test_a_failed_sync_removes_the_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_fsync(descriptor: int) -> None:
        raise OSError("input/output error")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="input/output error"):
        atomic_write_text(tmp_path / "out.md", "text")
    assert list(tmp_path.iterdir()) == []


def test_text_utf8_cannot_encode_fails_before_any_file_is_made(tmp_path: Path) -> None:
    with pytest.raises(UnicodeEncodeError):
        atomic_write_text(tmp_path / "out.md", "lone \ud800 surrogate")
    assert list(tmp_path.iterdir()) == []


def test_a_missing_folder_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        atomic_write_text(tmp_path / "nowhere" / "out.md", "text")
    assert list(tmp_path.iterdir()) == []
