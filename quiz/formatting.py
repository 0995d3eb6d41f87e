"""How values read wherever mlquiz shows them: a clock, a percentage, a problem in a file.

- :func:`clock_text` and :func:`percent`: the screens, the command line and the mock interview
  scorecard write a time and a share the same way through these two;
- :func:`validation_problem`: one error pydantic found in a file read back (a scorecard, a
  progress export) as one line that names where it is,
  ``scorecard.questions[1].points: expected a number, got 'lots'``.

Imports neither rich nor textual (nor pydantic), so the headless core uses it as the UI does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from grader import format_percent as percent

if TYPE_CHECKING:
    from pydantic_core import ErrorDetails


def clock_text(seconds: float) -> str:
    """``seconds`` as a clock: ``m:ss`` (``0:26``, ``12:05``), or ``h:mm:ss`` from an hour
    (``1:05:00``). Whole seconds, rounded down; a negative time reads ``0:00``."""
    whole = max(0, int(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


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


__all__ = ["clock_text", "percent", "validation_problem"]
