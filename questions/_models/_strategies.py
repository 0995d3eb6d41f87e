"""Drawn values: the strategies a numeric question's parameters and a code question's
constructor arguments and tensor sizes are drawn from, and the checks on their bounds."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    Discriminator,
    Field,
    Tag,
)

from .._arithmetic import BOUND_RULES, DECK_RULES, ArithmeticRefused, UnknownName, check_arithmetic
from ._base import _Model

Bound = int | str


class IntStrategy(_Model):
    """Integers in ``[low, high]``; a bound may name an earlier value or be arithmetic on them."""

    int: tuple[Bound, Bound]
    multiple_of: Bound | None = None


class FloatStrategy(_Model):
    float: tuple[float, float]


class ChoiceStrategy(_Model):
    one_of: list[Any] = Field(min_length=1)


class BoolStrategy(_Model):
    bool: Literal[True]


_STRATEGY_TAGS = {"int": "int-range", "float": "float-range", "one_of": "choice", "bool": "boolean"}


def _strategy_tag(value: Any) -> str | None:
    keys = value.keys() if isinstance(value, dict) else vars(value).keys()
    return next((tag for key, tag in _STRATEGY_TAGS.items() if key in keys), None)


Strategy = Annotated[
    Annotated[IntStrategy, Tag("int-range")]
    | Annotated[FloatStrategy, Tag("float-range")]
    | Annotated[ChoiceStrategy, Tag("choice")]
    | Annotated[BoolStrategy, Tag("boolean")],
    Discriminator(
        _strategy_tag,
        custom_error_type="strategy",
        custom_error_message="a strategy is one of {int: [lo, hi]}, {float: [lo, hi]}, "
        "{one_of: [...]} or {bool: true}",
    ),
]


def _bounds_of(strategy: Strategy) -> list[Bound]:
    if isinstance(strategy, IntStrategy):
        extra = [strategy.multiple_of] if strategy.multiple_of is not None else []
        return [*strategy.int, *extra]
    return []


def _check_bound(bound: Bound, known: set[str], what: str) -> None:
    if isinstance(bound, int):
        return
    try:
        check_arithmetic(bound, BOUND_RULES, known)
    except UnknownName as unknown:
        raise ValueError(f"{what}: {unknown.name!r} is not defined before it is used") from None
    except ArithmeticRefused as refused:
        raise ValueError(f"{what}: {bound!r}: {refused.reason}") from None


def _check_expression(expr: str, known: set[str], what: str) -> None:
    try:
        check_arithmetic(expr, DECK_RULES, known)
    except UnknownName as unknown:
        raise ValueError(f"{what}: {unknown.name!r} is not one of the drawn `params`") from None
    except ArithmeticRefused as refused:
        raise ValueError(f"{what}: {expr!r}: {refused.reason}") from None
