"""Safe arithmetic: the one evaluator for typed answers and for decks' formulas.

An expression is parsed with :mod:`ast` and its tree walked by hand; nothing is compiled
or run. What may appear is set by :class:`Rules`: ``ANSWER_RULES`` for what a person types
as a numeric answer (numbers, ``+ - * / **``, parentheses), ``DECK_RULES`` for a deck's
``expr`` and bounds (also named values, ``//`` and ``%``). Integer arithmetic stays exact
until the final conversion to float, and every step is bounded: a refusal
(:class:`ArithmeticRefused`) says why in words a person can act on.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

# Integers stay exact until they could no longer become a float.
INT_LIMIT = 2**1024
_SYMBOLS: dict[type[ast.operator], str] = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.Pow: "**",
    ast.MatMult: "@",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitOr: "|",
    ast.BitAnd: "&",
    ast.BitXor: "^",
}


@dataclass(frozen=True)
class Rules:
    """How strict an evaluation is."""

    operators: frozenset[type[ast.operator]]
    allowed: str
    """What a refusal says is allowed."""
    max_exponent: int
    names: bool
    """Whether named values may appear."""
    max_depth: int = 100
    """Deepest nesting of the syntax tree."""
    malformed: str = "not an arithmetic expression"
    """The reason given for text that does not parse."""
    integers: bool = False
    """Whole numbers only: no float constants, and no ``/`` among the operators."""


ANSWER_RULES = Rules(
    operators=frozenset({ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow}),
    allowed="only numbers, + - * / ^ (or **) and parentheses are allowed",
    max_exponent=1024,
    names=False,
    malformed="not a number or an arithmetic expression such as 3*3*64*128",
)
DECK_RULES = Rules(
    operators=frozenset({ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow}),
    allowed="only names, numbers, + - * / // % ** and parentheses are allowed",
    max_exponent=64,
    names=True,
)


BOUND_RULES = Rules(
    operators=frozenset({ast.Add, ast.Sub, ast.Mult, ast.FloorDiv, ast.Mod}),
    allowed="only names, whole numbers, + - * // % and parentheses are allowed",
    max_exponent=0,
    names=True,
    integers=True,
)
"""A bound of a drawn range or a shape: whole-number arithmetic on earlier values."""


class ArithmeticRefused(ValueError):
    """The expression is not allowed, or has no finite value; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class UnknownName(ArithmeticRefused):
    """The expression names a value that was not given."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"{name!r} has no value")


def check_arithmetic(source: str, rules: Rules, names: Collection[str] = ()) -> None:
    """Refuse ``source`` unless it is an expression ``rules`` allow over ``names``.

    Checks the form only (nothing is computed): what :func:`compute_arithmetic` would refuse before
    computing anything.
    """
    _check_form(_parse(source, rules), rules, names, 0)


def compute_arithmetic(
    source: str, rules: Rules, values: Mapping[str, int | float] | None = None
) -> float:
    """The value of ``source`` with ``values`` for its names; raises :class:`ArithmeticRefused`."""
    given = values or {}
    tree = _parse(source, rules)
    try:
        result = float(_walk(tree, rules, given.__getitem__, given, 0))
    except ArithmeticRefused:
        raise
    except ZeroDivisionError:
        raise ArithmeticRefused("division by zero") from None
    except (OverflowError, MemoryError):
        raise ArithmeticRefused("the result is too large") from None
    except RecursionError:
        raise ArithmeticRefused("the expression is nested too deeply") from None
    if not math.isfinite(result):
        raise ArithmeticRefused("the result is not a finite number")
    return result


def compute_integer(source: str, rules: Rules, values: Mapping[str, int] | None = None) -> int:
    """The exact whole-number value of ``source`` under integer ``rules`` (``BOUND_RULES``)."""
    if not rules.integers:
        raise ValueError("compute_integer needs rules for whole numbers")
    given = values or {}
    tree = _parse(source, rules)
    try:
        result = _walk(tree, rules, given.__getitem__, given, 0)
    except ZeroDivisionError:
        raise ArithmeticRefused("division by zero") from None
    if not isinstance(result, int):
        raise ArithmeticRefused(f"not a whole number; {rules.allowed}")
    return result


def _parse(source: str, rules: Rules) -> ast.expr:
    try:
        return ast.parse(source.strip(), mode="eval").body
    except RecursionError:
        raise ArithmeticRefused("the expression is nested too deeply") from None
    except (SyntaxError, ValueError):
        # ValueError: the parser's answer to a NUL byte on some Python versions.
        raise ArithmeticRefused(rules.malformed) from None


def _check_form(node: ast.expr, rules: Rules, names: Collection[str], depth: int) -> None:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.UAdd | ast.USub):
        _check_node(node, rules, names, depth)
        _check_form(node.operand, rules, names, depth + 1)
    elif isinstance(node, ast.BinOp):
        _check_node(node, rules, names, depth)
        _check_form(node.left, rules, names, depth + 1)
        _check_form(node.right, rules, names, depth + 1)
    else:
        _check_node(node, rules, names, depth)


def _check_node(node: ast.expr, rules: Rules, names: Collection[str], depth: int) -> None:
    """Refuse ``node`` itself (not its operands) unless ``rules`` allow it."""
    if depth > rules.max_depth:
        raise ArithmeticRefused("the expression is nested too deeply")
    if isinstance(node, ast.Constant):
        number = int if rules.integers else int | float
        if isinstance(node.value, bool) or not isinstance(node.value, number):
            raise ArithmeticRefused(f"{node.value!r} is not a number; {rules.allowed}")
    elif isinstance(node, ast.Name):
        if not rules.names:
            raise ArithmeticRefused(f"{node.id!r} is not a number; {rules.allowed}")
        if node.id not in names:
            raise UnknownName(node.id)
    elif isinstance(node, ast.BinOp):
        if type(node.op) not in rules.operators:
            symbol = _SYMBOLS.get(type(node.op), type(node.op).__name__)
            raise ArithmeticRefused(f"the operator {symbol} is not allowed; {rules.allowed}")
    elif isinstance(node, ast.Call):
        raise ArithmeticRefused(f"function calls are not allowed; {rules.allowed}")
    elif not (isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.UAdd | ast.USub)):
        raise ArithmeticRefused(rules.allowed)


def _walk(
    node: ast.expr,
    rules: Rules,
    value_of: Callable[[str], int | float],
    names: Collection[str],
    depth: int,
) -> int | float:
    _check_node(node, rules, names, depth)
    if isinstance(node, ast.Constant):
        constant = node.value
        assert isinstance(constant, int | float)
        return _checked(constant)
    if isinstance(node, ast.Name):
        return _checked(value_of(node.id))
    if isinstance(node, ast.UnaryOp):
        operand = _walk(node.operand, rules, value_of, names, depth + 1)
        return -operand if isinstance(node.op, ast.USub) else operand
    assert isinstance(node, ast.BinOp)
    left = _walk(node.left, rules, value_of, names, depth + 1)
    right = _walk(node.right, rules, value_of, names, depth + 1)
    return _checked(_apply(node.op, left, right, rules))


def _apply(op: ast.operator, left: int | float, right: int | float, rules: Rules) -> int | float:
    if isinstance(op, ast.Add):
        return left + right
    if isinstance(op, ast.Sub):
        return left - right
    if isinstance(op, ast.Mult):
        return left * right
    if isinstance(op, ast.Div):
        return left / right
    if isinstance(op, ast.FloorDiv):
        return left // right
    if isinstance(op, ast.Mod):
        return left % right
    return _power(left, right, rules)


def _power(base: int | float, exponent: int | float, rules: Rules) -> int | float:
    if abs(exponent) > rules.max_exponent:
        raise ArithmeticRefused(f"an exponent may be at most {rules.max_exponent} in size")
    if isinstance(base, int) and isinstance(exponent, int) and exponent >= 0:
        # Refuse before computing: the bound keeps every intermediate integer small.
        if abs(base) >= 2 and (abs(base).bit_length() - 1) * exponent >= 1024:
            raise ArithmeticRefused("the result is too large")
        return int(base**exponent)
    result = float(base) ** float(exponent)
    if not isinstance(result, float):
        # float ** float is complex for a negative base and a fractional exponent.
        raise ArithmeticRefused("a negative number to a fractional power is not real")
    return result


def _checked(value: int | float) -> int | float:
    too_large = abs(value) >= INT_LIMIT if isinstance(value, int) else not math.isfinite(value)
    if too_large:
        raise ArithmeticRefused("the result is too large")
    return value
