"""The one safe evaluator (``questions._arithmetic``): same arithmetic as Python where it
answers, and the strictness of each set of rules."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from questions import (
    ANSWER_RULES,
    BOUND_RULES,
    DECK_RULES,
    ArithmeticRefused,
    UnknownName,
    check_arithmetic,
    compute_arithmetic,
    compute_integer,
)


def expressions(names: tuple[str, ...] = ()) -> st.SearchStrategy[str]:
    leaves = st.integers(0, 50).map(str) | st.sampled_from(["0.5", "2.25", "1e3"])
    if names:
        leaves = leaves | st.sampled_from(names)

    def combine(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        binary = st.tuples(children, st.sampled_from(["+", "-", "*", "/"]), children).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"
        )
        negated = children.map(lambda c: f"-{c}")
        return binary | negated

    return st.recursive(leaves, combine, max_leaves=12)


@given(expressions())
def test_agrees_with_python_wherever_python_gives_a_finite_number(source: str) -> None:
    try:
        expected = float(eval(source, {"__builtins__": {}}))  # generated arithmetic only
    except ZeroDivisionError:
        with pytest.raises(ArithmeticRefused, match="division by zero"):
            compute_arithmetic(source, ANSWER_RULES)
        return
    if not math.isfinite(expected):
        with pytest.raises(ArithmeticRefused):
            compute_arithmetic(source, ANSWER_RULES)
        return
    assert compute_arithmetic(source, ANSWER_RULES) == pytest.approx(expected, rel=1e-12)


@given(expressions(("a", "b")), st.integers(1, 9), st.integers(1, 9))
def test_names_take_the_given_values(source: str, a: int, b: int) -> None:
    substituted = source.replace("a", str(a)).replace("b", str(b))
    try:
        expected = compute_arithmetic(substituted, DECK_RULES)
    except ArithmeticRefused as refused:
        with pytest.raises(ArithmeticRefused, match=refused.reason):
            compute_arithmetic(source, DECK_RULES, {"a": a, "b": b})
        return
    assert compute_arithmetic(source, DECK_RULES, {"a": a, "b": b}) == expected


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("a + 1", "'a' is not a number"),
        ("7 // 2", "the operator // is not allowed"),
        ("7 % 2", "the operator % is not allowed"),
        ("2 @ 3", "the operator @ is not allowed"),
        ("abs(-1)", "function calls are not allowed"),
        ("2 ** 2000", "an exponent may be at most 1024"),
        ("True + 1", "True is not a number"),
        ("'1'", "'1' is not a number"),
        ("[1]", "only numbers"),
        ("1 +", "not a number or an arithmetic expression such as"),
    ],
)
def test_answers_are_held_to_the_strict_rules(source: str, reason: str) -> None:
    with pytest.raises(ArithmeticRefused, match=reason):
        compute_arithmetic(source, ANSWER_RULES)


def test_decks_may_use_names_floor_division_and_modulo() -> None:
    assert compute_arithmetic("h // s + h % s", DECK_RULES, {"h": 17, "s": 5}) == 5.0
    with pytest.raises(ArithmeticRefused, match="an exponent may be at most 64"):
        compute_arithmetic("2 ** 65", DECK_RULES)


def test_an_unknown_name_is_named() -> None:
    with pytest.raises(UnknownName) as caught:
        compute_arithmetic("k * k * c", DECK_RULES, {"k": 3})
    assert caught.value.name == "c"


def test_checking_the_form_computes_nothing() -> None:
    check_arithmetic("x / (y - y)", DECK_RULES, {"x", "y"})  # fine in form; zero only when run
    with pytest.raises(ArithmeticRefused, match="division by zero"):
        compute_arithmetic("x / (y - y)", DECK_RULES, {"x": 1, "y": 2})
    with pytest.raises(UnknownName):
        check_arithmetic("x + z", DECK_RULES, {"x"})
    with pytest.raises(ArithmeticRefused, match="function calls"):
        check_arithmetic("max(x, 1)", DECK_RULES, {"x"})


@pytest.mark.parametrize("source", ["-" * 200 + "1", "1+" * 150 + "1"])
def test_deep_nesting_is_refused_not_a_crash(source: str) -> None:
    with pytest.raises(ArithmeticRefused, match="nested too deeply"):
        compute_arithmetic(source, ANSWER_RULES)


def test_exact_integers_until_the_end() -> None:
    assert compute_arithmetic("2**60 + 1 - 2**60", ANSWER_RULES) == 1.0
    with pytest.raises(ArithmeticRefused, match="too large"):
        compute_arithmetic("2**1023 + 2**1023", ANSWER_RULES)


@given(st.integers(-(10**30), 10**30), st.integers(1, 10**6))
def test_bounds_are_exact_whole_numbers(a: int, b: int) -> None:
    values = {"a": a, "b": b}
    assert compute_integer("a // b * b + a % b", BOUND_RULES, values) == a
    assert compute_integer("-(a + b) * 3", BOUND_RULES, values) == -(a + b) * 3


@pytest.mark.parametrize("bound", ["a / 2", "a ** 2", "1.5", "abs(a)", "a if a else 1", "[a]"])
def test_bounds_refuse_anything_but_whole_number_arithmetic(bound: str) -> None:
    with pytest.raises(ArithmeticRefused):
        compute_integer(bound, BOUND_RULES, {"a": 4})
