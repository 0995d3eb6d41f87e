"""Helpers every rendering shares: shapes, seconds, JSON-able values and safe text."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..numeric import format_percent

if TYPE_CHECKING:
    from ._model import CheckResult, SubmissionReport

# --------------------------------------------------------------------------- shared helpers


def _detail_lines(
    check: CheckResult, seed: int, *, traceback: bool, replay: bool = True
) -> list[str]:
    """The explanation under a failed check, one ``label: value`` per line. Without
    ``replay``, the replay line only when the check's seed is not the report's ``seed``
    (the text report says the report's seed once, at its end)."""
    lines = []
    # One line each, whatever they hold: a value the submission's process chose cannot
    # start a line that reads like a verdict.
    if check.counterexample is not None:
        lines.append(f"counterexample: {_flat(check.counterexample.describe())}")
    if check.expected is not None:
        lines.append(f"expected: {_flat(check.expected)}")
    if check.actual is not None:
        lines.append(f"actual: {_flat(check.actual)}")
    if check.line is not None:
        lines.append(f"line: {_flat(check.line)}")
    replay_seed = check.counterexample.seed if check.counterexample is not None else seed
    if replay or replay_seed != seed:
        lines.append(f"replay with --seed {replay_seed}")
    if traceback and check.traceback:
        lines.extend(("", fenced(check.traceback)))
    return lines


def _format_shape(shape: Sequence[int]) -> str:
    return str(tuple(shape))


def _score(report: SubmissionReport) -> str:
    return format_percent(report.score, decimals=1, trim=True)


def _format_seconds(seconds: float) -> str:
    return f"{seconds:.3f}"


def _jsonable(value: Any) -> Any:
    """A copy of ``value`` that ``json.dumps(allow_nan=False)`` accepts.

    The engine promises JSON-able values; this is the safety net that keeps a renderer from
    crashing on one it did not expect (tuples become lists, non-finite floats and unknown
    objects become their text).
    """
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Mapping):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    return repr(value)


# XML 1.0 allows tab, LF, CR and everything from U+0020 except surrogates, U+FFFE and U+FFFF.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# What must not reach a terminal verbatim: C0 controls but tab and newline (CR included: it
# rewrites the line), DEL, C1 controls (CSI is U+009B), lone surrogates, and the bidirectional
# overrides and isolates that reorder what is shown.
_TERMINAL_UNSAFE = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u200e\u200f\u2028\u2029\u202a-\u202e"
    r"\u2066-\u2069]"
)
# Escaped in JSON Lines although JSON allows them raw: lone surrogates cannot be encoded as
# UTF-8, and NEL and the Unicode line and paragraph separators are line breaks to
# ``str.splitlines`` and some JSON Lines readers.
_JSON_RAW_UNSAFE = re.compile(r"[\ud800-\udfff\x85\u2028\u2029]")


def _escape_character(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def _xml_safe(text: str) -> str:
    return _XML_ILLEGAL.sub(_escape_character, text)


def terminal_safe(text: str) -> str:
    """``text`` with what must not reach a terminal verbatim shown as ``\\xNN``/``\\uNNNN``.

    Controls but tab and newline (a CR LF pair becomes a newline), DEL, C1 controls, lone
    surrogates, line and paragraph separators, and bidirectional overrides and isolates.
    """
    return _TERMINAL_UNSAFE.sub(_escape_character, text.replace("\r\n", "\n"))


def one_line(text: str) -> str:
    """:func:`terminal_safe` ``text`` on one line: a line break shows as ``\\n``, so that
    nothing a submission chose (its file name, what its process replied) starts a line."""
    return terminal_safe(text).replace("\n", "\\n")


def _flat(value: object) -> str:
    return str(value).replace("\r\n", "\n").replace("\r", "\\r").replace("\n", "\\n")


def fenced(captured: str) -> str:
    """A submission's output with every line behind a bar, so none can pass for a verdict."""
    return "\n".join(f"│ {line}" for line in captured.rstrip("\n").split("\n"))
