"""Exceptions raised by the grader: one root, ``GraderError``.

A wrong student answer is a result, never an exception; these are for input the grader cannot
read at all (``NumericParseError``, which grading turns into an "invalid" result) and for usage
errors such as giving the wrong number of answers.
"""

from __future__ import annotations

_SHOWN_CHARS = 40


class GraderError(Exception):
    """Root of every error the ``grader`` package raises on purpose."""


class NumericParseError(GraderError):
    """Text that cannot be read as a number; ``text`` is the input, ``reason`` says why."""

    def __init__(self, text: str, reason: str) -> None:
        self.text = text
        self.reason = reason
        super().__init__(f"cannot read {_shorten(text)!r} as a number: {reason}")

    def __reduce__(self) -> tuple[type[NumericParseError], tuple[str, str]]:
        # The default reduce passes only the message back to __init__; keep both arguments
        # so the error survives a trip through a worker process.
        return (type(self), (self.text, self.reason))


def _shorten(text: str) -> str:
    """The input as shown in a message: long inputs are cut so the message stays one line."""
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 1] + "…"
