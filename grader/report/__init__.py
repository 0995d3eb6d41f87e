"""Grading reports: one data model for the outcome of grading code submissions, four renderings.

Provides

- :class:`Counterexample`, :class:`CheckResult` and :class:`SubmissionReport`, frozen
  dataclasses the grading engine builds, with ``to_dict`` / ``from_dict`` (JSON-able, and a
  round trip: ``SubmissionReport.from_dict(report.to_dict()) == report``);
- :func:`overall_exit_code`: 0 when every submission passed, 1 otherwise;
- :func:`render_text` (rich, for a terminal), :func:`to_json_lines` (one object per submission),
  :func:`to_junit` (JUnit XML for CI) and :func:`to_gradescope` (Gradescope ``results.json``).

Reports carry text a hostile submission controls (its messages, tracebacks, printed output).
Every rendering keeps that text inert: the terminal view shows control characters as escapes
instead of sending them to the terminal, JUnit XML escapes the characters XML 1.0 forbids, and
JSON Lines is always strict, UTF-8-encodable JSON.

A report whose grading could not finish (status ``error``) never looks like a pass: JUnit gets
an extra ``grading`` test case carrying the error and Gradescope an extra ``grading`` test worth
one point that is never awarded.

Importing this package is light: rich is imported only inside :func:`render_text`.
"""

from __future__ import annotations

from ._formats import to_gradescope, to_json_lines, to_junit
from ._helpers import fenced, terminal_safe
from ._model import (
    CAPTURED_TAIL_LINES,
    CHECK_STATUSES,
    GRADING_TEST_NAME,
    SUBMISSION_STATUSES,
    CheckResult,
    CheckStatus,
    Counterexample,
    ReportFormatError,
    SubmissionReport,
    SubmissionStatus,
    overall_exit_code,
)
from ._text import render_text

__all__ = [
    "CAPTURED_TAIL_LINES",
    "CHECK_STATUSES",
    "GRADING_TEST_NAME",
    "SUBMISSION_STATUSES",
    "CheckResult",
    "CheckStatus",
    "Counterexample",
    "ReportFormatError",
    "SubmissionReport",
    "SubmissionStatus",
    "fenced",
    "overall_exit_code",
    "render_text",
    "terminal_safe",
    "to_gradescope",
    "to_json_lines",
    "to_junit",
]
