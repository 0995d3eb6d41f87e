"""Exceptions raised by the question bank (one root, ``QuestionsError``), and how one problem
pydantic finds in a file read back is said (:func:`validation_problem`), for every package."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from pydantic_core import ErrorDetails


class QuestionsError(Exception):
    """Root of every error the ``questions`` package raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a deck file, located in the YAML source."""

    source: str
    line: int
    column: int
    message: str
    path: str = ""

    def __str__(self) -> str:
        where = f" (at {self.path})" if self.path else ""
        return f"{self.source}:{self.line}:{self.column}: {self.message}{where}"


class DeckError(QuestionsError):
    """A deck could not be loaded; ``problems`` lists every located error."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class UnknownQuestionError(QuestionsError):
    """An id named no deck or question; ``suggestions`` holds the closest ids."""

    def __init__(self, wanted: str, suggestions: Sequence[str]) -> None:
        self.wanted = wanted
        self.suggestions = tuple(suggestions)
        hint = f"; did you mean {', '.join(self.suggestions)}?" if self.suggestions else ""
        super().__init__(f"unknown question {wanted!r}{hint}")


class DeckNotFoundError(QuestionsError):
    """A path given as a deck does not exist or holds no deck files."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(f"{path}: no such deck file or folder")


_PROBLEMS: Final = {
    "missing": "missing",
    "string_type": "expected text, got {input!r}",
    "int_type": "expected an integer, got {input!r}",
    "float_type": "expected a number, got {input!r}",
    "finite_number": "expected a finite number, got {input!r}",
    "bool_type": "expected true or false, got {input!r}",
    "literal_error": "expected {expected}, got {input!r}",
    "list_type": "expected a list",
    "tuple_type": "expected a list",
    "dict_type": "expected an object",
    "model_type": "expected an object",
    "model_attributes_type": "expected an object",
}
"""Pydantic's checks of a file's structure, said as mlquiz says the rest."""


def validation_problem(error: ErrorDetails, root: str = "") -> str:
    """One pydantic ``error`` as ``where: what``: ``where`` is the path of the value below
    ``root`` (``root.questions[1].points``, or ``root`` for the whole file), ``what`` the
    message of a validator's ``ValueError`` or a plain phrase for a structural check."""
    where = root + "".join(
        f"[{part}]" if isinstance(part, int) else f".{part}" for part in error["loc"]
    )
    where = where.removeprefix(".")
    context = error.get("ctx", {})
    if error["type"] in ("value_error", "assertion_error"):
        message = str(context.get("error", error["msg"]))
    elif error["type"] in _PROBLEMS:
        message = _PROBLEMS[error["type"]].format(input=error["input"], **context)
    else:
        message = error["msg"]
    return f"{where}: {message}" if where else message
