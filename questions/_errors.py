"""Exceptions raised by the question bank: one root, ``QuestionsError``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


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
