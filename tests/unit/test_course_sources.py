"""Reading students' folders: notebooks, magics, duplicates, encodings, odd files."""

from __future__ import annotations

import json
import os
from pathlib import Path

from quiz.course import locate, read_notebook, read_python, read_student
from quiz.course._grading import find_students
from quiz.course._sources import decode_python, defines, entry_point_lines

FIXTURES = Path(__file__).parent / "fixtures" / "class" / "submissions"


def notebook_bytes(*cells: str) -> bytes:
    """A notebook (format 4.5) with these cells; ``md:`` starts a markdown cell."""
    notebook = {
        "cells": [
            {"cell_type": "markdown", "id": f"c{i}", "metadata": {}, "source": cell[3:]}
            if cell.startswith("md:")
            else {
                "cell_type": "code",
                "id": f"c{i}",
                "execution_count": None,
                "metadata": {},
                "outputs": [],
                "source": cell,
            }
            for i, cell in enumerate(cells)
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(notebook).encode()


def test_notebook_code_cells_become_one_script_without_magics_or_shell_lines() -> None:
    raw = notebook_bytes(
        "md:# Title",
        "%matplotlib inline\n!pip install torch\nimport torch",
        "files = !ls\nfor f in range(2):\n    %time f\nx = 1",
        "%%bash\necho not python",
        "%%time\ny = 2",
        "torch.nn?",
        "def causal_attention(q, k, v):\n    return v",
    )
    source = read_notebook(raw, "hw.ipynb")
    compile(source.text, "hw.ipynb", "exec")  # what is left is Python
    assert "%" not in source.text.replace("# %% cell", "")
    assert "!pip" not in source.text and "echo" not in source.text
    assert defines(source.text, "causal_attention")
    [note] = source.notes
    assert note.startswith("hw.ipynb: IPython lines ignored: cell 1: %matplotlib inline")
    for ignored in (
        "!pip install torch",
        "files = !ls",
        "%time f",
        "%%bash",
        "%%time",
        "torch.nn?",
    ):
        assert ignored in note
    # Code cells are numbered as the notebook shows them (markdown cells do not count).
    line = source.text.split("\n").index("def causal_attention(q, k, v):") + 1
    assert source.where(line) == "cell 6, line 1"
    assert source.where(line + 1) == "cell 6, line 2"


def test_a_notebook_cell_with_a_syntax_error_is_left_out_with_a_note() -> None:
    raw = notebook_bytes("def f():\n    return 1", "print('unclosed'", "def g():\n    return 2")
    source = read_notebook(raw, "hw.ipynb")
    assert defines(source.text, "f") and defines(source.text, "g")
    assert any("cell 2 has a syntax error (line 1" in n for n in source.notes)


def test_a_file_that_is_not_a_notebook_is_a_note_not_a_crash() -> None:
    source = read_notebook(b"{not json", "broken.ipynb")
    assert source.text == ""
    assert source.notes[0].startswith("broken.ipynb: not a readable notebook")


def test_non_utf8_python_is_read_as_windows_1252_and_its_coding_line_neutralised() -> None:
    raw = b"# -*- coding: utf-8 -*-\n# na\xefve caf\xe9\ndef f():\n    return '\x80'\n"
    text, note = decode_python(raw)
    assert "naïve café" in text and "'€'" in text
    assert "coding: utf-8" not in text and text.count("\n") == raw.count(b"\n")
    assert "Windows-1252" in note
    source = read_python(raw, "f.py")
    assert source.notes == (
        "f.py: not valid UTF-8 (nor its declared encoding): read as Windows-1252",
    )


def test_a_declared_latin1_file_is_decoded_as_declared_without_a_note() -> None:
    text, note = decode_python(b"# coding: latin-1\nname = '\xe9'\n")
    assert note == "" and "'é'" in text
    compile(text, "f.py", "exec")


def test_duplicate_entry_points_pick_the_shallowest_then_first_path_and_say_so() -> None:
    student = read_student("frank", FIXTURES / "frank")
    located = locate(student, "SeparableConv2d")
    assert located.file is not None and located.file.relative == "separable.py"
    assert located.also == ("old/draft.py",)
    assert "graded separable.py, the first by folder depth, then path order" in located.note


def test_a_file_that_parses_wins_over_one_that_does_not(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("def f(:\n    pass\n", encoding="utf-8")
    (tmp_path / "b.py").write_text("def f():\n    pass\n", encoding="utf-8")
    located = locate(read_student("s", tmp_path), "f")
    assert located.file is not None and located.file.relative == "b.py"
    # Only a broken definition: it is graded, so the compile check says what is wrong.
    (tmp_path / "b.py").unlink()
    located = locate(read_student("s", tmp_path), "f")
    assert located.file is not None and located.file.relative == "a.py"


def test_a_missing_entry_point_names_the_files_looked_in(tmp_path: Path) -> None:
    (tmp_path / "helpers.py").write_text("def other():\n    pass\n", encoding="utf-8")
    located = locate(read_student("s", tmp_path), "causal_attention")
    assert located.file is None
    assert located.note == "no causal_attention defined in any file (helpers.py)"


def test_checkpoints_hidden_folders_and_symlinks_are_not_read(tmp_path: Path) -> None:
    folder = tmp_path / "s"
    (folder / ".ipynb_checkpoints").mkdir(parents=True)
    (folder / ".ipynb_checkpoints" / "hw-checkpoint.py").write_text("def f(): pass\n")
    (folder / "__MACOSX").mkdir()
    (folder / "__MACOSX" / "hw.py").write_text("def f(): pass\n")
    secret = tmp_path / "secret.py"
    secret.write_text("def f(): return 'the other student'\n")
    os.symlink(secret, folder / "link.py")
    student = read_student("s", folder)
    assert student.files == ()
    assert student.notes == ("link.py: a symbolic link, not read",)


def test_student_folders_are_subfolders_sorted_by_name(tmp_path: Path) -> None:
    for name in ("zoe", "adam", ".git", "__MACOSX"):
        (tmp_path / name).mkdir()
    (tmp_path / "stray.py").write_text("")
    assert [name for name, _ in find_students(tmp_path)] == ["adam", "zoe"]


def test_the_code_of_an_answer_is_its_definition_and_what_it_uses() -> None:
    text = (
        "import torch\n"  # 1
        "def unused():\n"  # 2
        "    return 0\n"  # 3
        "def helper(x):\n"  # 4
        "    return x\n"  # 5
        "SCALE = 2\n"  # 6
        "@torch.no_grad()\n"  # 7
        "def answer(x):\n"  # 8
        "    return helper(x) * SCALE\n"  # 9
    )
    assert entry_point_lines(text, "answer") == [(4, 5), (6, 6), (7, 9)]


def test_a_fifo_named_like_python_is_not_read(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.py")  # reading it would wait for a writer for ever
    student = read_student("s", tmp_path)
    assert student.files == ()
    assert student.notes == ("pipe.py: not a regular file, not read",)


def test_code_too_deeply_nested_to_parse_is_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "deep.py").write_text("x = " + "-" * 200_000 + "1\n", encoding="utf-8")
    (tmp_path / "hw.py").write_text("def f():\n    return 1\n", encoding="utf-8")
    located = locate(read_student("s", tmp_path), "f")
    assert located.file is not None and located.file.relative == "hw.py"
    raw = notebook_bytes("[" * 100_000, "def f():\n    return 1")
    assert defines(read_notebook(raw, "n.ipynb").text, "f")
