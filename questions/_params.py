"""Numeric questions whose numbers are drawn afresh for each attempt.

A question with ``params`` declares how to draw each value (``{int: [lo, hi]}``
with an optional ``multiple_of``, ``{one_of: [...]}``, ``{float: [lo, hi]}``);
its prompt, answer, labels and working say ``{{name}}`` where a value goes, and
each part's ``expr`` computes the answer from the drawn values.
``draw_numbers(question, seed)`` returns an ordinary numeric question with the
values filled in, so everything that grades or shows numeric questions works
on it unchanged. The same seed always gives the same numbers.
"""

from __future__ import annotations

import random
import re
from typing import Any

from ._arithmetic import DECK_RULES, ArithmeticRefused, compute_arithmetic
from ._models import (
    BoolStrategy,
    ChoiceStrategy,
    FloatStrategy,
    IntStrategy,
    NumericPart,
    NumericQuestion,
)

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


class DrawError(ValueError):
    """A question's params cannot be drawn, or an expression cannot be computed."""


def evaluate(expr: str, values: dict[str, Any]) -> float:
    """The value of arithmetic ``expr`` with ``values`` for its names (no ``eval``)."""
    try:
        return compute_arithmetic(expr, DECK_RULES, values)
    except ArithmeticRefused as refused:
        raise DrawError(f"{expr!r}: {refused.reason} (values: {values})") from None


def _bound(bound: int | str, values: dict[str, Any]) -> int:
    return bound if isinstance(bound, int) else int(evaluate(bound, values))


def _draw_one(spec: Any, values: dict[str, Any], rng: random.Random) -> Any:
    if isinstance(spec, IntStrategy):
        low, high = _bound(spec.int[0], values), _bound(spec.int[1], values)
        step = _bound(spec.multiple_of, values) if spec.multiple_of is not None else 1
        if step <= 0:
            raise DrawError(f"multiple_of must be positive, got {step}")
        first, last = -(-low // step), high // step
        if first > last:
            raise DrawError(f"no multiple of {step} in [{low}, {high}]")
        return rng.randint(first, last) * step
    if isinstance(spec, ChoiceStrategy):
        return rng.choice(spec.one_of)
    if isinstance(spec, FloatStrategy):
        return round(rng.uniform(*spec.float), 3)
    if isinstance(spec, BoolStrategy):
        return rng.random() < 0.5
    raise DrawError(f"cannot draw from {spec!r}")


def draw_values(question: NumericQuestion, seed: int) -> dict[str, Any]:
    """The drawn values of ``question``'s params for ``seed``."""
    rng = random.Random(f"{question.id}:{seed}")
    values: dict[str, Any] = {}
    for name, spec in question.params.items():
        values[name] = _draw_one(spec, values, rng)
    return values


def _show(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


def fill(text: str, values: dict[str, Any], *, plain: bool = False) -> str:
    """Replace each ``{{name}}`` in ``text`` with its value (``plain``: no thousands commas)."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            return match.group(0)
        return str(values[name]) if plain else _show(values[name])

    return _PLACEHOLDER.sub(replace, text)


def draw_numbers(question: NumericQuestion, seed: int) -> NumericQuestion:
    """``question`` with its numbers drawn for ``seed``; a fixed question comes back as is."""
    if not question.params:
        return question
    values = draw_values(question, seed)
    parts = []
    for part in question.parts:
        assert part.expr is not None
        answer = evaluate(part.expr, values)
        if part.working:
            working = fill(part.working, values, plain=True)
        else:  # the expression itself, with the drawn numbers in place of the names
            working = re.sub(r"[A-Za-z_]\w*", lambda m: str(values.get(m[0], m[0])), part.expr)
        alternatives = [
            a.model_copy(update={"note": fill(a.note, values)}) for a in part.also_accept
        ]
        parts.append(
            NumericPart.model_validate(
                {
                    **part.model_dump(
                        exclude={"expr", "answer", "working", "label", "also_accept"}
                    ),
                    "label": fill(part.label, values),
                    "answer": answer,
                    "working": working,
                    "also_accept": [a.model_dump() for a in alternatives],
                }
            )
        )
    return question.model_copy(
        update={
            "params": {},
            "prompt": fill(question.prompt, values),
            "answer": fill(question.answer, values),
            "title": fill(question.title, values) if question.title else None,
            "parts": parts,
        }
    )
