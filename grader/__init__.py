"""Answer checking: numeric answers, and code submissions graded in isolated processes.

The public API is what ``__all__`` lists. Never imports textual; importing this package does
not import torch or hypothesis either: they live in the grading workers
(``grader.pool.GraderPool``), which import them once and fork a judge per submission.
"""

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
