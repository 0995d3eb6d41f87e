"""Answer checking: numeric answers, and code submissions graded in isolated processes.

The public API is what ``__all__`` lists. Never imports textual; importing this package does
not import torch or hypothesis either: they live in the grading workers
(``grader.pool.GraderPool``), which import them once and fork a judge per submission.

The names are imported on first use (PEP 562): the grading server starts as
``python -m grader._zygote``, and what it does first (start the sandbox, which then warms
up beside it) must not wait for the question bank and pydantic, which ``numeric`` and
``pool`` import.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._errors import GraderError, NumericParseError
    from .numeric import (
        NumericResult,
        ParsedNumber,
        PartResult,
        evaluate_arithmetic,
        evaluate_working,
        format_number,
        format_percent,
        grade_numeric,
        grade_part,
        parse_number,
    )
    from .pool import GradeRequest, GraderPool
    from .report import (
        CheckResult,
        Counterexample,
        ReportFormatError,
        SubmissionReport,
        overall_exit_code,
        render_text,
        terminal_safe,
        to_gradescope,
        to_json_lines,
        to_junit,
    )

_WHERE = {
    "._errors": ("GraderError", "NumericParseError"),
    ".numeric": (
        "NumericResult",
        "ParsedNumber",
        "PartResult",
        "evaluate_arithmetic",
        "evaluate_working",
        "format_number",
        "format_percent",
        "grade_numeric",
        "grade_part",
        "parse_number",
    ),
    ".pool": ("GradeRequest", "GraderPool"),
    ".report": (
        "CheckResult",
        "Counterexample",
        "ReportFormatError",
        "SubmissionReport",
        "overall_exit_code",
        "render_text",
        "terminal_safe",
        "to_gradescope",
        "to_json_lines",
        "to_junit",
    ),
}
_MODULE_OF = {name: module for module, names in _WHERE.items() for name in names}


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # once: later look-ups do not come here
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


__all__ = [
    "CheckResult",
    "Counterexample",
    "GradeRequest",
    "GraderError",
    "GraderPool",
    "NumericParseError",
    "NumericResult",
    "ParsedNumber",
    "PartResult",
    "ReportFormatError",
    "SubmissionReport",
    "evaluate_arithmetic",
    "evaluate_working",
    "format_number",
    "format_percent",
    "grade_numeric",
    "grade_part",
    "overall_exit_code",
    "parse_number",
    "render_text",
    "terminal_safe",
    "to_gradescope",
    "to_json_lines",
    "to_junit",
]
