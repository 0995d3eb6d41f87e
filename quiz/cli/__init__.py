"""The ``quiz`` command line: a thin layer over ``questions`` and ``grader``.

Exit codes: 0 success (all answers right), 1 some answer wrong, 2 usage error or
a deck error. Errors from the libraries become one line on stderr.

The group and what its commands share live in :mod:`._base`; the commands, by what they work
on, in :mod:`._practice` (progress), :mod:`._questions` (decks and questions),
:mod:`._grading` (code submissions) and :mod:`._course` (a class).

Importing this package is light: click, rich and the commands are imported on first use of
``cli`` (PEP 562) or in :func:`main`, after a ``quiz grade`` has started its workers
(:mod:`._early`).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from . import _early

if TYPE_CHECKING:
    import click

    from ._base import EXIT_USAGE, EXIT_WRONG, cli


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``quiz`` console script."""
    args = list(argv) if argv is not None else sys.argv[1:]
    _early.launch(args, owns_process=argv is None)
    try:
        _commands().main(args=args, prog_name="quiz")
    finally:
        _early.discard()


def _commands() -> click.Group:
    """The ``quiz`` group, with every command registered."""
    from . import _course, _grading, _practice, _questions  # noqa: F401  (they register)
    from ._base import cli

    return cli


def __getattr__(name: str) -> Any:
    if name not in ("EXIT_USAGE", "EXIT_WRONG", "cli"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from . import _base

    value = _commands() if name == "cli" else getattr(_base, name)
    globals()[name] = value  # once: later look-ups do not come here
    return value


__all__ = ["EXIT_USAGE", "EXIT_WRONG", "cli", "main"]
