"""Numeric answers: read what a person types and grade it against a part's tolerance.

Provides

- :func:`parse_number`, which reads ``73728``, ``73,728``, ``73 728``, ``7.37e4``, ``.5``,
  ``11.9%``, ``~8.4x``, ``≈0.12``, ``about 0.12``, ``1/8.4``, ``3x3x64x128``, ``2^10`` and
  ``(576 + 8,192) / 73,728`` into a :class:`ParsedNumber`;
- :func:`evaluate_arithmetic`, safe arithmetic (numbers, ``+ - * / **``, ``^`` as power,
  unary signs, parentheses) over the ``ast`` module; nothing is ever executed and the work is
  bounded (input length, exponent size, nesting depth);
- :func:`grade_part` and :func:`grade_numeric`, which give each part a verdict of correct,
  close (within 10 times the tolerance), wrong or invalid (unreadable); a wrong answer is a result,
  never an exception;
- :func:`format_number` for display (``73,728``, ``0.1189``, ``8.409``).

Every failure to read an answer is a :class:`~grader.NumericParseError` with a message a
learner can act on.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from questions import (
    ANSWER_RULES,
    DECK_RULES,
    ArithmeticRefused,
    NumericPart,
    NumericQuestion,
    Rules,
    Tolerance,
    compute_arithmetic,
)

from ._errors import GraderError, NumericParseError

MAX_INPUT_CHARS = 200
"""Longest text :func:`parse_number` and :func:`evaluate_arithmetic` will read."""
MAX_PAREN_DEPTH = 20
"""Deepest nesting of parentheses."""
MAX_EXPONENT = ANSWER_RULES.max_exponent
"""Largest exponent magnitude in ``a ** b``."""

PartVerdict = Literal["correct", "close", "wrong", "invalid"]
_RANK: dict[PartVerdict, int] = {"invalid": -1, "wrong": 0, "close": 1, "correct": 2}
CLOSE_SCALE = 10.0
"""An answer within this many times the tolerance is "close"."""

# --------------------------------------------------------------------------- arithmetic


def evaluate_arithmetic(expr: str) -> float:
    """The value of an arithmetic expression such as ``(576+8192)/73728`` or ``2^10``.

    Accepts numbers, ``+ - * / **`` (``^`` is also power), unary ``+``/``-`` and parentheses.
    The expression is parsed with :mod:`ast` and walked by hand; nothing is compiled or run.
    Integer arithmetic stays exact until the final conversion to float.

    Raises :class:`~grader.NumericParseError` for anything else, and for a result that is
    infinite, not a number, or too large, for division by zero, and for input longer than
    ``MAX_INPUT_CHARS``, nested deeper than ``MAX_PAREN_DEPTH`` or with an exponent larger than
    ``MAX_EXPONENT``.
    """
    _check_length(expr)
    return _evaluate(expr.replace("^", "**"), expr)


def evaluate_working(expr: str) -> float:
    """The value of a deck's ``working``: what :func:`evaluate_arithmetic` accepts, plus
    floor division ``//`` and ``%``, so an output size reads as its formula,
    ``(224 + 2*3 - 7)//2 + 1``. Raises :class:`~grader.NumericParseError` as it does."""
    _check_length(expr)
    return _evaluate(expr.replace("^", "**"), expr, DECK_RULES)


def _check_length(text: str) -> None:
    if len(text) > MAX_INPUT_CHARS:
        raise NumericParseError(
            text, f"too long ({len(text):,} characters; at most {MAX_INPUT_CHARS})"
        )


def _evaluate(source: str, text: str, rules: Rules = ANSWER_RULES) -> float:
    """Evaluate ``source`` (Python arithmetic) under ``rules``; errors name ``text``, what
    the person typed."""
    if _paren_depth(source) > MAX_PAREN_DEPTH:
        raise NumericParseError(
            text, f"parentheses are nested too deeply (at most {MAX_PAREN_DEPTH} levels)"
        )
    try:
        return compute_arithmetic(source, rules)
    except ArithmeticRefused as refused:
        raise NumericParseError(text, refused.reason) from None


def _paren_depth(source: str) -> int:
    depth = deepest = 0
    for char in source:
        if char == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif char == ")":
            depth -= 1
    return deepest


# --------------------------------------------------------------------------- parsing


@dataclass(frozen=True)
class ParsedNumber:
    """A number read from what a person typed.

    ``value`` is already divided by 100 when ``percent``; ``approximate`` records a leading
    ``~``, ``≈``, ``about`` or ``approx.``; ``factor`` records a trailing ``x`` or
    multiplication sign (as in "8.4x fewer"), which does not change the value.
    """

    value: float
    text: str
    percent: bool = False
    approximate: bool = False
    factor: bool = False


_SPACES = "\x20\u00a0\u2007\u2009\u202f"  # space, no-break, figure, thin, narrow no-break
_GROUP_SEPARATORS = "," + "_" + _SPACES
_NUMBER = re.compile(
    # 73,728 / 73 728 / 1_000_000: groups of exactly three digits after a first group that
    # does not start with 0 (0,118 is a decimal comma), one separator throughout.
    rf"(?:[1-9][0-9]{{0,2}}(?P<sep>[{_GROUP_SEPARATORS}])[0-9]{{3}}(?:(?P=sep)[0-9]{{3}})*(?![0-9])"
    r"(?:\.[0-9]*)?"
    r"|[0-9]+(?:\.[0-9]*)?"
    r"|\.[0-9]+)"
    r"(?:[eE][-+]?[0-9]+)?"
)
_SEPARATOR = re.compile(f"[{_GROUP_SEPARATORS}]")
_APPROXIMATE = re.compile(
    r"^(?:~=?|≈|≃|(?:about|approx(?:imately|\.)?|roughly|around)(?![A-Za-z]))\s*",
    re.IGNORECASE,
)
_FACTOR_SUFFIXES = ("x", "X", "\N{MULTIPLICATION SIGN}")
_OPERATORS: dict[str, str] = {
    "**": "**",
    "^": "**",
    "*": "*",
    "\N{MULTIPLICATION SIGN}": "*",
    "x": "*",
    "X": "*",
    "\N{MIDDLE DOT}": "*",
    "\N{DOT OPERATOR}": "*",
    "\N{BULLET OPERATOR}": "*",
    "\N{ASTERISK OPERATOR}": "*",
    "/": "/",
    "\N{DIVISION SIGN}": "/",
    "\N{DIVISION SLASH}": "/",
    "+": "+",
    "-": "-",
    "\N{MINUS SIGN}": "-",
    "\N{EN DASH}": "-",  # word processors put it in for a minus
    "(": "(",
    ")": ")",
}
_SIGNS = ("+", "-")
_EXAMPLES = "type a number such as 73728, 0.118, 11.9% or 3*3*64*128"


@dataclass(frozen=True)
class _Token:
    kind: Literal["number", "operator"]
    text: str  # as typed
    source: str  # as Python arithmetic


def parse_number(text: str) -> ParsedNumber:
    """Read a number the way a person types it.

    Accepted: plain and scientific numbers (``73728``, ``7.37e4``, ``.5``); thousands
    separated by commas, spaces (also thin and no-break spaces) or underscores, always in
    groups of three (``73,728``; ``1,5`` is refused rather than guessed); arithmetic with
    ``+ - * / ** ^``, ``x`` or the multiplication sign or middle dot for times, the division
    sign and the Unicode minus; a leading ``~``, ``≈``, ``about`` or ``approx.`` (sets
    ``approximate``); a trailing ``x`` or multiplication sign (sets ``factor``); a trailing
    ``%`` (sets ``percent`` and divides by 100).

    A ``%`` may only follow a single number (``11.9%``, ``-5 %``), never an expression:
    ``1/8.4%`` could mean two different things, so it is refused.

    Raises :class:`~grader.NumericParseError` when the text cannot be read.
    """
    _check_length(text)
    body = text.strip()
    if not body:
        raise NumericParseError(text, f"nothing was typed; {_EXAMPLES}")

    approximate = False
    if match := _APPROXIMATE.match(body):
        approximate = True
        body = body[match.end() :]

    percent = factor = False
    if body.endswith("%"):
        percent = True
        body = body[:-1].rstrip()
    elif body.endswith(_FACTOR_SUFFIXES):
        factor = True
        body = body[:-1].rstrip()
    if not body:
        raise NumericParseError(text, f"there is no number in it; {_EXAMPLES}")

    tokens = _tokenize(body, text)
    if percent and not _is_single_number(tokens):
        raise NumericParseError(
            text, "a % sign may only follow a single number, e.g. 11.9%; work the fraction out"
        )
    value = _evaluate(" ".join(token.source for token in tokens), text)
    if percent:
        value /= 100
    return ParsedNumber(
        value=value, text=text, percent=percent, approximate=approximate, factor=factor
    )


def _tokenize(body: str, text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    spaced = False  # whether whitespace came before the current token
    while position < len(body):
        char = body[position]
        if char.isspace():
            position += 1
            spaced = True
            continue
        if match := _NUMBER.match(body, position):
            token = _Token("number", match.group(), _number_source(match.group(), text))
            position = match.end()
        elif body.startswith("**", position):
            token = _Token("operator", "**", "**")
            position += 2
        elif char in _OPERATORS:
            token = _Token("operator", char, _OPERATORS[char])
            position += 1
        else:
            after_digit = position > 0 and body[position - 1].isdigit()
            raise NumericParseError(text, _unexpected(char, after_digit))
        if tokens:
            _check_adjacent(tokens[-1], token, spaced, text)
        tokens.append(token)
        spaced = False
    return tokens


def _number_source(number: str, text: str) -> str:
    digits = _SEPARATOR.sub("", number)
    if digits.isdigit():
        return str(int(digits))
    value = float(digits)
    if not math.isfinite(value):
        raise NumericParseError(text, f"{number} is too large")
    return repr(value)


def _check_adjacent(before: _Token, token: _Token, spaced: bool, text: str) -> None:
    """Refuse two operands with nothing between them (``3 3``, ``2(3)``, ``1.2.3``)."""
    ends_operand = before.kind == "number" or before.text == ")"
    starts_operand = token.kind == "number" or token.text == "("
    if ends_operand and starts_operand:
        hint = (
            " (a space inside a number must separate groups of three digits)"
            if spaced and before.kind == token.kind == "number"
            else ""
        )
        raise NumericParseError(
            text, f"missing an operator between {before.text} and {token.text}{hint}"
        )


def _unexpected(char: str, after_digit: bool) -> str:
    if char == "," and after_digit:
        return "a comma must separate groups of three digits; write decimals with a point"
    if char == "_" and after_digit:
        return "an underscore must separate groups of three digits"
    if char == "%":
        return "a % sign may only follow a single number, e.g. 11.9%"
    if char.isalpha():
        return f"unexpected letter {char!r}; {_EXAMPLES}"
    return f"unexpected character {char!r}; {_EXAMPLES}"


def _is_single_number(tokens: Sequence[_Token]) -> bool:
    if not tokens:
        return False
    *signs, last = tokens
    return last.kind == "number" and all(token.text in _SIGNS for token in signs)


# --------------------------------------------------------------------------- grading


@dataclass(frozen=True)
class PartResult:
    """The verdict on one part.

    ``value`` is the number graded (``None`` when ``invalid``); for a percent part given as a
    bare ``28`` that is 0.28. ``reference`` and ``working`` are those of the value matched, and
    ``note`` is set when an ``also_accept`` alternative matched. ``message`` is one line for
    the learner.
    """

    label: str
    given: str
    value: float | None
    verdict: PartVerdict
    reference: float
    working: str | None
    note: str | None
    message: str


@dataclass(frozen=True)
class NumericResult:
    """The verdicts on every part of a numeric question, in order."""

    parts: tuple[PartResult, ...]

    @property
    def all_correct(self) -> bool:
        return bool(self.parts) and all(part.verdict == "correct" for part in self.parts)

    @property
    def score(self) -> float:
        """Fraction of parts correct, from 0.0 to 1.0."""
        if not self.parts:
            return 0.0
        return sum(part.verdict == "correct" for part in self.parts) / len(self.parts)


@dataclass(frozen=True)
class _Target:
    value: float
    tolerance: Tolerance
    note: str | None
    working: str | None


@dataclass(frozen=True)
class _Match:
    value: float
    as_percent: bool
    target: _Target
    verdict: PartVerdict


def grade_part(part: NumericPart, text: str) -> PartResult:
    """Grade one typed answer against ``part``.

    Correct when within the part's tolerance of its answer or of an ``also_accept`` value;
    close when within ``CLOSE_SCALE`` times that tolerance; wrong otherwise; invalid when the
    text cannot be read. For a ``percent`` part a number typed without ``%`` is tried both as
    it is and as a percentage (``0.28`` and ``28`` both mean 28%); the better verdict counts.
    """
    try:
        parsed = parse_number(text)
    except NumericParseError as exc:
        return PartResult(
            label=part.label,
            given=text,
            value=None,
            verdict="invalid",
            reference=part.value,
            working=part.working,
            note=None,
            message=str(exc),
        )

    targets = [_Target(part.value, part.tolerance, None, part.working)]
    targets.extend(
        _Target(alt.value, alt.tolerance or part.tolerance, alt.note, alt.working)
        for alt in part.also_accept
    )
    readings = [(parsed.value, False)]
    if part.percent and not parsed.percent:
        readings.append((parsed.value / 100, True))

    matches = [
        _Match(value, as_percent, target, _verdict(value, target))
        for value, as_percent in readings
        for target in targets
    ]
    # max() keeps the first of equals: the value as typed, then the part's own answer.
    best = max(matches, key=lambda match: _RANK[match.verdict])

    target = best.target
    shown = format_number(best.value)
    if best.as_percent:
        shown = f"{format_number(parsed.value)}% = {shown}"
    return PartResult(
        label=part.label,
        given=text,
        value=best.value,
        verdict=best.verdict,
        reference=target.value,
        working=target.working,
        note=target.note,
        message=_message(best, shown, target, part.percent),
    )


def _verdict(value: float, target: _Target) -> PartVerdict:
    if target.tolerance.allows(value, target.value):
        return "correct"
    if target.tolerance.allows(value, target.value, scale=CLOSE_SCALE):
        return "close"
    return "wrong"


def _message(best: _Match, shown: str, target: _Target, percent_part: bool) -> str:
    reference = format_number(target.value)
    if best.verdict == "wrong":
        if percent_part:
            reference += f" = {format_number(target.value * 100)}%"
        working = f" ({target.working})" if target.working else ""
        return f"wrong: expected {reference}{working}"
    heading = f"{best.verdict} ({target.note})" if target.note else best.verdict
    tolerance = target.tolerance.describe()
    if best.verdict == "close":
        times = f"{CLOSE_SCALE:g}\N{MULTIPLICATION SIGN}"
        return f"{heading}: {shown} is within {times} the tolerance of {reference} ({tolerance})"
    if format_number(best.value) == reference:
        return f"{heading}: {shown}"
    if not (target.tolerance.relative or target.tolerance.absolute):
        return f"{heading}: {shown} matches {reference}"
    return f"{heading}: {shown} is within {tolerance} of {reference}"


def grade_numeric(question: NumericQuestion, answers: Sequence[str]) -> NumericResult:
    """Grade one answer per part, in order.

    A single string is taken as the one answer to a one-part question. Raises
    :class:`~grader.GraderError` when the number of answers differs from the number of parts
    (a usage error, not a wrong answer).
    """
    given = (answers,) if isinstance(answers, str) else tuple(answers)
    parts = question.parts
    if len(given) != len(parts):
        labels = "; ".join(f"{index}. {part.label}" for index, part in enumerate(parts, 1))
        raise GraderError(
            f"question {question.id!r} has {_count(len(parts), 'part')} ({labels}) "
            f"but {_count(len(given), 'answer')} {'was' if len(given) == 1 else 'were'} given"
        )
    return NumericResult(
        tuple(grade_part(part, text) for part, text in zip(parts, given, strict=True))
    )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


# --------------------------------------------------------------------------- display


def format_number(value: float) -> str:
    """A number for display: integers with thousands commas (``73,728``), other values with
    up to four significant digits (``0.1189``, ``8.409``, ``12,346``), tiny or huge ones in
    scientific notation (``1.234e-05``)."""
    value = float(value)
    if not math.isfinite(value):
        return str(value)
    if value.is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    magnitude = abs(value)
    if 1e-4 <= magnitude < 1e15:
        decimals = max(0, 3 - math.floor(math.log10(magnitude)))
        text = f"{value:,.{decimals}f}"
        return text.rstrip("0").rstrip(".") if "." in text else text
    return f"{value:.4g}"


def format_percent(fraction: float, *, decimals: int | None = None, trim: bool = False) -> str:
    """``fraction`` (1 is all) as a percentage.

    By default the number is written as :func:`format_number` writes numbers, up to four
    significant digits (``0.125`` reads ``12.5%``, ``0.5`` reads ``50%``). With ``decimals``,
    exactly that many decimals, rounded (``decimals=0``: ``0.4167`` reads ``42%``); with
    ``trim`` too, zeros after the point are dropped (``decimals=1, trim=True``: ``0.5`` reads
    ``50%``, ``0.8333`` reads ``83.3%``).
    """
    if decimals is None:
        return f"{format_number(fraction * 100)}%"
    text = f"{fraction:.{decimals}%}"
    if trim and "." in text:
        text = text[:-1].rstrip("0").rstrip(".") + "%"
    return text
