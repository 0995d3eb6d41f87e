"""The ``quiz`` command line: a thin layer over ``questions`` and ``grader``.

Exit codes: 0 success (all answers right), 1 some answer wrong, 2 usage error or
a deck error. Errors from the libraries become one line on stderr.

The group and what its commands share live in :mod:`._base`; the commands, by what they work
on, in :mod:`._practice` (progress), :mod:`._questions` (decks and questions),
:mod:`._grading` (code submissions) and :mod:`._course` (a class).
"""

from __future__ import annotations

from collections.abc import Sequence

from . import _course, _grading, _practice, _questions
from ._base import EXIT_USAGE, EXIT_WRONG, cli


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``quiz`` console script."""
    cli.main(args=list(argv) if argv is not None else None, prog_name="quiz")


__all__ = ["EXIT_USAGE", "EXIT_WRONG", "cli", "main"]
_COMMANDS = (_course, _grading, _practice, _questions)  # imported for the commands they register
