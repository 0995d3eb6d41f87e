"""How the app draws a verdict: its mark, from :data:`quiz.render.VERDICT_MARK`, in its colour.

The same verdicts show up in several places (numeric parts, choice options, rubric key points,
grader checks, the list of questions), so they are drawn from this one table.
"""

from __future__ import annotations

from typing import Final

from ..render import VERDICT_MARK

VERDICT_COLOUR: Final = {
    "correct": "green",
    "pass": "green",
    "rated": "green",
    "close": "yellow",
    "partial": "yellow",
    "wrong": "red",
    "fail": "red",
    "error": "red",
    "invalid": "red",
    "skipped": "dim",
}
"""The colour of each verdict's mark (a rich style)."""

NO_VERDICT: Final = ("·", "dim")
"""The mark and style of an item that has no verdict: an option left alone, a key point not
judged yet."""


def verdict_mark(verdict: str) -> tuple[str, str]:
    """The mark of ``verdict`` and the style to draw it in."""
    return VERDICT_MARK[verdict], VERDICT_COLOUR[verdict]


def hit_mark(hit: bool) -> tuple[str, str]:
    """The mark and style of a key point met (or an option rightly picked), or missed."""
    return verdict_mark("correct" if hit else "wrong")
