"""Numeric questions: parts with answers, workings, tolerances and accepted alternatives."""

from __future__ import annotations

import keyword
import re
from typing import Any, Literal, Self

from pydantic import (
    Field,
    model_validator,
)

from ._base import _IDENTIFIER, Slug, _Model, _QuestionBase
from ._strategies import Strategy, _bounds_of, _check_bound, _check_expression

_TOLERANCE_TEXT = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*(%?)\s*$")


class Tolerance(_Model):
    """How far an answer may be from the reference and still be correct.

    Written in YAML as ``2%`` (relative), ``0.5`` (absolute), or
    ``{relative: 0.02}`` / ``{absolute: 0.5}``.
    """

    relative: float = Field(default=0.0, ge=0)
    absolute: float = Field(default=0.0, ge=0)

    @model_validator(mode="before")
    @classmethod
    def _from_shorthand(cls, value: Any) -> Any:
        if isinstance(value, bool):
            raise ValueError("a tolerance is a number, a percentage or a mapping")
        if isinstance(value, int | float):
            return {"absolute": value}
        if isinstance(value, str):
            match = _TOLERANCE_TEXT.match(value)
            if not match:
                raise ValueError(f"cannot read tolerance {value!r}; write e.g. '2%' or 0.5")
            number = float(match.group(1))
            return {"relative": number / 100} if match.group(2) else {"absolute": number}
        return value

    def allows(self, value: float, reference: float, *, scale: float = 1.0) -> bool:
        """Whether ``value`` is within ``scale`` times this tolerance of ``reference``."""
        gap = abs(value - reference)
        bound = scale * max(self.absolute, self.relative * abs(reference))
        # Exact-answer parts still forgive float noise from typed arithmetic.
        return gap <= bound or gap <= 1e-9 * max(1.0, abs(reference))

    def describe(self) -> str:
        parts = []
        if self.relative:
            parts.append(f"±{self.relative * 100:g}%")
        if self.absolute:
            parts.append(f"±{self.absolute:g}")
        return " or ".join(parts) if parts else "exact"


DEFAULT_TOLERANCE = Tolerance(relative=0.001)


class Measure(_Model):
    """Ties a numeric part to a code question: check-deck measures the reference module.

    ``args`` are the constructor arguments and ``inputs`` the input shapes; values may
    name the question's drawn ``params`` or do arithmetic on them.
    """

    question: Slug = Field(description="Id of a code question (a module) in the same deck.")
    count: Literal["parameters", "flops"]
    args: dict[str, int | float | str] = Field(default_factory=dict)
    inputs: dict[str, list[int | str]] = Field(
        default_factory=dict, description="Input shapes, for counting FLOPs of forward."
    )


class Alternative(_Model):
    """Another value accepted for a part, e.g. the reciprocal of a ratio."""

    value: float
    tolerance: Tolerance | None = Field(default=None, description="Defaults to the part's.")
    note: str = Field(min_length=1, description="Says what this value is, shown when it is used.")
    working: str | None = Field(default=None, description="Arithmetic that computes `value`.")


class NumericPart(_Model):
    """One number to give."""

    label: str = Field(min_length=1)
    answer: float | None = Field(
        default=None, description="The value; computed from `expr` in a question with `params`."
    )
    expr: str | None = Field(
        default=None,
        description="With `params`: arithmetic on the drawn names that computes the answer "
        "(e.g. K*K*C_in*C_out).",
    )
    tolerance: Tolerance = DEFAULT_TOLERANCE
    working: str | None = Field(
        default=None,
        description="Arithmetic that computes `answer` (e.g. 3*3*64*128); check-deck verifies it.",
    )
    percent: bool = Field(
        default=False,
        description="The answer is a fraction a person may write as a percentage (0.28 or 28%).",
    )
    also_accept: list[Alternative] = Field(default_factory=list)
    measure: Measure | None = Field(
        default=None, description="check-deck compares the answer with this measurement."
    )

    @property
    def value(self) -> float:
        """The answer (of a question whose numbers are fixed, or already drawn)."""
        if self.answer is None:
            raise ValueError(f"part {self.label!r} has no answer until its values are drawn")
        return self.answer

    @property
    def effective_tolerances(self) -> list[tuple[float, Tolerance, str | None]]:
        """(value, tolerance, note) for the answer and each alternative."""
        out: list[tuple[float, Tolerance, str | None]] = [(self.value, self.tolerance, None)]
        out.extend((a.value, a.tolerance or self.tolerance, a.note) for a in self.also_accept)
        return out


class NumericQuestion(_QuestionBase):
    """One or more numbers, each graded within a tolerance.

    With ``params`` the numbers are drawn afresh for each attempt: ``{{name}}`` in the
    prompt, answer, labels and working stands for a drawn value, and each part's ``expr``
    computes its answer (see ``questions.draw_numbers``).
    """

    kind: Literal["numeric"]
    params: dict[str, Strategy] = Field(
        default_factory=dict, description="Values drawn for each attempt, in order."
    )
    parts: list[NumericPart] = Field(min_length=1)

    @model_validator(mode="after")
    def _answers_or_expressions(self) -> Self:
        known: set[str] = set()
        for name, strategy in self.params.items():
            if not _IDENTIFIER.match(name) or keyword.iskeyword(name):
                raise ValueError(f"{name!r} is not a valid parameter name")
            for bound in _bounds_of(strategy):
                _check_bound(bound, known, f"bound of {name!r}")
            known.add(name)
        for index, part in enumerate(self.parts):
            if self.params:
                if part.expr is None:
                    raise ValueError(f"parts[{index}] needs `expr`: the question draws `params`")
                _check_expression(part.expr, known, f"parts[{index}].expr")
            elif part.answer is None:
                raise ValueError(f"parts[{index}] needs an `answer`")
            elif part.expr is not None:
                raise ValueError(f"parts[{index}] has `expr` but the question has no `params`")
        return self

    @property
    def parametric(self) -> bool:
        return bool(self.params)
