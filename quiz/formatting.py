"""How values read wherever mlquiz shows them: a clock, a percentage, a problem in a file.

- :func:`clock_text` and :func:`percent`: the screens, the command line and the mock interview
  scorecard write a time and a share the same way through these two;
- :func:`validation_problem`: one error pydantic found in a file read back (a scorecard, a
  progress export) as one line that names where it is,
  ``scorecard.questions[1].points: expected a number, got 'lots'``.

Imports neither rich nor textual (nor pydantic), so the headless core uses it as the UI does.
"""

from __future__ import annotations

from grader import format_percent as percent
from questions import validation_problem


def clock_text(seconds: float) -> str:
    """``seconds`` as a clock: ``m:ss`` (``0:26``, ``12:05``), or ``h:mm:ss`` from an hour
    (``1:05:00``). Whole seconds, rounded down; a negative time reads ``0:00``."""
    whole = max(0, int(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


__all__ = ["clock_text", "percent", "validation_problem"]
