"""What a student handed in: their folder's Python files and notebooks, read as Python.

Reading happens in the trusted process and never runs anything: files are decoded (UTF-8,
a PEP 263 declaration, or Windows-1252 as a last resort, with a note), notebooks are read
with ``nbformat`` and their code cells joined into one script (IPython magics and shell lines
left out, with a note), and an entry point is found by parsing, never by importing.
"""

from __future__ import annotations

import ast
import io
import os
import re
import stat
import tokenize
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MAX_PY_BYTES = 2_000_000
MAX_NOTEBOOK_BYTES = 20_000_000
MAX_FILES = 500
SKIPPED_FOLDERS = frozenset({"__MACOSX", "__pycache__", "node_modules"})
"""Folders (beside every name starting with a dot, e.g. ``.ipynb_checkpoints``) never read."""

# Cell magics whose body is still Python that runs: the magic line goes, the body stays.
_PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug"})
_CODING = re.compile(r"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")
_SHELL_ASSIGNMENT = re.compile(r"^\s*[A-Za-z_][\w, ]*=\s*[!%]")


@dataclass(frozen=True)
class SourceFile:
    """One file of a submission, as Python source."""

    relative: str
    """Path inside the student's folder, with ``/``."""
    text: str
    notes: tuple[str, ...] = ()
    cells: tuple[tuple[int, int], ...] = ()
    """For a notebook: ``(first line of the cell in text, cell number)``, in order."""

    @property
    def is_notebook(self) -> bool:
        return self.relative.endswith(".ipynb")

    def where(self, line: int) -> str:
        """``line 12`` for a script, ``cell 3, line 2`` for a notebook."""
        found = None
        for first, number in self.cells:
            if first <= line:
                found = (first, number)
        if found is None:
            return f"line {line}"
        return f"cell {found[1]}, line {line - found[0] + 1}"


@dataclass(frozen=True)
class Student:
    """A student's folder, read."""

    name: str
    folder: Path
    files: tuple[SourceFile, ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Located:
    """Where a student's entry point for one question is, if anywhere."""

    file: SourceFile | None
    note: str = ""
    """Why this file was chosen among several, or why none was found."""
    also: tuple[str, ...] = field(default=())
    """Other files that define the entry point too."""


def student_folders(root: Path) -> list[tuple[str, Path]]:
    """Every subfolder of ``root`` is a student, named after it; sorted by name."""
    found = []
    for entry in sorted(root.iterdir(), key=lambda p: p.name):
        if entry.name.startswith(".") or entry.name in SKIPPED_FOLDERS:
            continue
        if entry.is_dir() and not entry.is_symlink():
            found.append((entry.name, entry))
    return found


def read_student(name: str, folder: Path) -> Student:
    """Read every ``.py`` file and notebook in ``folder`` (recursively): shallowest first,
    then in path order."""
    files: list[SourceFile] = []
    notes: list[str] = []
    for path in _candidate_files(folder, notes):
        relative = path.relative_to(folder).as_posix()
        if len(files) >= MAX_FILES:
            notes.append(f"more than {MAX_FILES} files: the rest were not read")
            break
        limit = MAX_NOTEBOOK_BYTES if path.suffix == ".ipynb" else MAX_PY_BYTES
        try:
            status = path.lstat()
            if stat.S_ISLNK(status.st_mode):
                notes.append(f"{relative}: a symbolic link, not read")
                continue
            if not stat.S_ISREG(status.st_mode):  # a FIFO would block the reader for ever
                notes.append(f"{relative}: not a regular file, not read")
                continue
            if status.st_size > limit:
                notes.append(f"{relative}: larger than {limit // 1_000_000} MB, not read")
                continue
            raw = path.read_bytes()
        except OSError as exc:
            notes.append(f"{relative}: cannot read: {exc.strerror or exc}")
            continue
        if path.suffix == ".ipynb":
            files.append(read_notebook(raw, relative))
        else:
            files.append(read_python(raw, relative))
    return Student(name, folder, tuple(files), tuple(notes))


def _candidate_files(folder: Path, notes: list[str]) -> Iterator[Path]:
    found: list[Path] = []
    for here, dirs, names in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIPPED_FOLDERS)
        for name in names:
            if name.endswith((".py", ".ipynb")) and not name.startswith("."):
                found.append(Path(here) / name)
    # Shallow files first (a draft in a subfolder loses to the file beside it), then by path.
    yield from sorted(found, key=lambda p: (len(p.relative_to(folder).parts), p.as_posix()))


def read_python(raw: bytes, relative: str) -> SourceFile:
    """A ``.py`` file's text as Python would decode it; Windows-1252 if that fails."""
    text, note = decode_python(raw)
    return SourceFile(relative, text, (f"{relative}: {note}",) if note else ())


def decode_python(raw: bytes) -> tuple[str, str]:
    """``(text, note)``: the text, with any coding declaration neutralised (it is UTF-8 now)."""
    note = ""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
        text = raw.decode(encoding)
    except (SyntaxError, UnicodeDecodeError, LookupError):
        text = raw.decode("cp1252", errors="replace")
        note = "not valid UTF-8 (nor its declared encoding): read as Windows-1252"
    text = text.removeprefix("\ufeff")
    lines = text.split("\n")
    for index in range(min(2, len(lines))):
        if _CODING.match(lines[index]):
            lines[index] = "# (source encoding declaration: the text is UTF-8 now)"
    return "\n".join(lines), note


def read_notebook(raw: bytes, relative: str) -> SourceFile:
    """A notebook's code cells, in order, as one script; magics and shell lines left out."""
    import nbformat

    reads: Callable[..., Any] = nbformat.reads
    try:
        notebook = reads(raw.decode("utf-8", errors="replace"), as_version=4)
    except Exception as exc:  # nbformat raises many kinds; a broken file is a note, not a crash
        reason = " ".join(str(exc).split())[:200]
        return SourceFile(relative, "", (f"{relative}: not a readable notebook ({reason})",))
    parts: list[str] = []
    cells: list[tuple[int, int]] = []
    notes: list[str] = []
    ignored: list[str] = []
    line = 1
    number = 0
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        number += 1
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(str(s) for s in source)
        code = _python_of_cell(str(source), number, ignored, notes)
        if code is None:
            continue
        try:
            ast.parse(code)
        except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
            notes.append(
                f"{relative}: cell {number} has a syntax error "
                f"({_syntax_error(exc)}) "
                "and was left out"
            )
            continue
        header = f"# %% cell {number}"
        parts.append(header)
        cells.append((line + 1, number))
        body = code.rstrip("\n")
        parts.append(body)
        parts.append("")
        line += 2 + body.count("\n") + 1
    if ignored:
        shown = ", ".join(ignored[:12]) + (
            f" and {len(ignored) - 12} more" if len(ignored) > 12 else ""
        )
        notes.insert(0, f"{relative}: IPython lines ignored: {shown}")
    return SourceFile(relative, "\n".join(parts) + "\n", tuple(notes), tuple(cells))


def _syntax_error(exc: Exception) -> str:
    if isinstance(exc, SyntaxError):
        return f"line {exc.lineno}: {exc.msg}"
    return "too deeply nested to parse"


def _python_of_cell(source: str, number: int, ignored: list[str], notes: list[str]) -> str | None:
    """A code cell as Python, or None when the whole cell is not Python (``%%bash``)."""
    lines = source.split("\n")
    first = lines[0].strip() if lines else ""
    if first.startswith("%%"):
        magic = first[2:].split()[0] if first[2:].split() else ""
        ignored.append(f"cell {number}: {first[:40]}")
        if magic not in _PYTHON_CELL_MAGICS:
            return None
        lines = ["pass  # cell magic ignored", *lines[1:]]
    out = []
    for text in lines:
        stripped = text.strip()
        if (
            stripped.startswith(("%", "!"))
            or _SHELL_ASSIGNMENT.match(text)
            or (stripped.endswith("?") and not stripped.startswith("#"))
        ):
            indent = text[: len(text) - len(text.lstrip())]
            ignored.append(f"cell {number}: {stripped[:40]}")
            out.append(f"{indent}pass  # IPython line ignored")
        else:
            out.append(text)
    return "\n".join(out)


def defines(text: str, name: str) -> bool | None:
    """Whether ``text`` defines ``name`` at module level; None when it does not parse."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    return any(name in _defined_names(node) for node in _top_level(tree.body))


def locate(student: Student, entry_point: str) -> Located:
    """The file to grade for ``entry_point``: of the files that define it, the first by
    folder depth then path (one that parses before one that does not)."""
    parsed = []
    broken = []
    for source in student.files:
        found = defines(source.text, entry_point)
        if found:
            parsed.append(source)
        elif found is None and re.search(
            rf"^\s*(?:class|def)\s+{re.escape(entry_point)}\b", source.text, re.M
        ):
            broken.append(source)
    chosen = [*parsed, *broken]
    if not chosen:
        where = ", ".join(f.relative for f in student.files) or "no .py files or notebooks"
        return Located(None, f"no {entry_point} defined in any file ({where})")
    first, others = chosen[0], tuple(f.relative for f in chosen[1:])
    note = ""
    if others:
        note = (
            f"{entry_point} is defined in {len(chosen)} files ({first.relative}, "
            f"{', '.join(others)}): graded {first.relative}, the first by folder depth, "
            "then path order" + (" that parses" if parsed and broken else "")
        )
    return Located(first, note, others)


def _top_level(body: Sequence[ast.stmt]) -> Iterator[ast.stmt]:
    """Module-level statements, looking into ``if``/``try``/``with`` blocks too."""
    for node in body:
        yield node
        if isinstance(node, ast.If | ast.With):
            yield from _top_level(node.body)
            if isinstance(node, ast.If):
                yield from _top_level(node.orelse)
        elif isinstance(node, ast.Try):
            for block in (node.body, node.orelse, node.finalbody):
                yield from _top_level(block)
            for handler in node.handlers:
                yield from _top_level(handler.body)


def _defined_names(node: ast.stmt) -> set[str]:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return {node.name}
    if isinstance(node, ast.Assign):
        return {t.id for t in node.targets if isinstance(t, ast.Name)}
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return {node.target.id}
    if isinstance(node, ast.Import | ast.ImportFrom):
        return {(a.asname or a.name).split(".")[0] for a in node.names}
    return set()


def entry_point_lines(text: str, entry_point: str) -> list[tuple[int, int]]:
    """Line ranges (1-based, inclusive) of ``entry_point``'s definition and of the module-level
    definitions it uses, directly or through each other (imports left out: shared by all).

    This is the code that answers one question, wherever else the file goes.
    """
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    definitions: dict[str, list[ast.stmt]] = {}
    for node in _top_level(tree.body):
        if isinstance(node, ast.Import | ast.ImportFrom | ast.If | ast.Try | ast.With):
            continue
        for name in _defined_names(node):
            definitions.setdefault(name, []).append(node)
    wanted = [entry_point]
    taken: dict[int, ast.stmt] = {}
    seen: set[str] = set()
    while wanted:
        name = wanted.pop()
        if name in seen:
            continue
        seen.add(name)
        for node in definitions.get(name, []):
            if id(node) in taken:
                continue
            taken[id(node)] = node
            wanted += [n.id for n in ast.walk(node) if isinstance(n, ast.Name)]
    ranges = []
    for node in taken.values():
        first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
        ranges.append((first, node.end_lineno or node.lineno))
    return sorted(ranges)
