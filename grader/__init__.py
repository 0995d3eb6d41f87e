"""Answer checking: numeric parsing and grading (code checks and sandboxed execution to come).

The public API is what ``__all__`` lists. Never imports textual; importing this package does
not import torch either.
"""

from ._errors import GraderError, NumericParseError
from .numeric import (
    NumericResult,
    ParsedNumber,
    PartResult,
    evaluate_arithmetic,
    format_number,
    grade_numeric,
    grade_part,
    parse_number,
)

__all__ = [
    "GraderError",
    "NumericParseError",
    "NumericResult",
    "ParsedNumber",
    "PartResult",
    "evaluate_arithmetic",
    "format_number",
    "grade_numeric",
    "grade_part",
    "parse_number",
]
