"""Properties of numeric answers: every way of writing a number reads back, the parser never
crashes, integer arithmetic is exact, and grading is monotone in the distance to the answer."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from grader import NumericParseError, evaluate_arithmetic, format_number, grade_part, parse_number
from questions import NumericPart, Tolerance

magnitudes = st.floats(min_value=1e-6, max_value=1e12, allow_nan=False, allow_infinity=False)
values = st.builds(
    lambda magnitude, negative: -magnitude if negative else magnitude, magnitudes, st.booleans()
)
group_spaces = st.sampled_from([" ", "\u2009", "\u00a0", "\u202f"])

# name -> (how a person writes v, relative tolerance of the written form, flags it sets)
Style = tuple[Callable[[float, str], str], float, tuple[bool, bool, bool]]
STYLES: dict[str, Style] = {
    "repr": (lambda v, _: repr(v), 0.0, (False, False, False)),
    "commas": (lambda v, _: f"{v:,}", 0.0, (False, False, False)),
    "spaces": (lambda v, space: f"{v:,}".replace(",", space), 0.0, (False, False, False)),
    "scientific": (lambda v, _: f"{v:e}", 1e-6, (False, False, False)),
    "percent": (lambda v, _: f"{v * 100}%", 1e-12, (True, False, False)),
    "approximate factor": (lambda v, _: f"~{v}x", 0.0, (False, True, True)),
    "times sign": (lambda v, _: f"{v}\N{MULTIPLICATION SIGN}", 0.0, (False, False, True)),
    "almost equal": (lambda v, _: f"\N{ALMOST EQUAL TO}{v}", 0.0, (False, True, False)),
    "about": (lambda v, space: f"about{space}{v}", 0.0, (False, True, False)),
    "reciprocal": (lambda v, _: f"1/{1 / v}", 1e-15, (False, False, False)),
    "displayed": (lambda v, _: format_number(v), 5e-4, (False, False, False)),
}


@pytest.mark.parametrize("style", list(STYLES))
@given(value=values, space=group_spaces)
def test_every_way_of_writing_a_number_reads_back(style: str, value: float, space: str) -> None:
    write, rel_tol, flags = STYLES[style]
    text = write(value, space)
    parsed = parse_number(text)
    assert math.isclose(parsed.value, value, rel_tol=rel_tol), text
    assert (parsed.percent, parsed.approximate, parsed.factor) == flags, text


ARITHMETIC_ALPHABET = "0123456789+-*/^,. x%~eE()×≈\u2009"
# Text shaped like an answer, so that most draws get past the first character.
NEAR_MISSES = (
    r"\A(about |~)?[0-9,]{1,12}(\.[0-9]{0,4})?([eE]-?[0-9]{1,3})?"
    r"([*/^x+-][0-9.,]{1,8}){0,4}[x%]?\Z"
)


@given(
    st.one_of(
        st.text(),
        st.text(alphabet=ARITHMETIC_ALPHABET),
        st.from_regex(NEAR_MISSES),
    )
)
def test_parse_number_returns_a_finite_number_or_a_parse_error(text: str) -> None:
    try:
        parsed = parse_number(text)
    except NumericParseError as exc:
        assert exc.text == text
        assert str(exc).startswith("cannot read ")
        return
    assert math.isfinite(parsed.value)
    assert parsed.text == text
    assert not parsed.percent or text.rstrip().endswith("%")


@given(st.text(alphabet=ARITHMETIC_ALPHABET))
def test_grading_any_text_is_a_result_never_an_exception(text: str) -> None:
    part = NumericPart(label="any", answer=0.1189, tolerance=Tolerance(relative=0.02))
    result = grade_part(part, text)
    try:
        parse_number(text)
    except NumericParseError:
        assert (result.verdict, result.value) == ("invalid", None)
    else:
        assert result.verdict in ("correct", "close", "wrong")
        assert result.value is not None


factors = st.lists(st.integers(min_value=-(10**6), max_value=10**6), min_size=1, max_size=6)


@given(factors)
def test_products_of_integers_are_exact(numbers: list[int]) -> None:
    # Up to 10**36: beyond 2**53, so this fails if integers are multiplied as floats.
    expected = float(math.prod(numbers))
    assert evaluate_arithmetic("*".join(map(str, numbers))) == expected


@given(
    st.lists(st.integers(min_value=0, max_value=999_999), min_size=1, max_size=6),
    st.sampled_from(["*", " * ", "\N{MULTIPLICATION SIGN}", "x", " x ", "\N{MIDDLE DOT}"]),
    st.sampled_from(["", ",", " ", "\u2009"]),
)
def test_typed_products_equal_the_integer_product(
    numbers: list[int], times: str, separator: str
) -> None:
    text = times.join(f"{n:,}".replace(",", separator) for n in numbers)
    assert parse_number(text).value == float(math.prod(numbers)), text


answers = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False)
tolerances = st.builds(
    Tolerance,
    relative=st.floats(min_value=0, max_value=0.5),
    absolute=st.floats(min_value=0, max_value=10),
)
RANK = {"wrong": 0, "close": 1, "correct": 2}


@given(answer=answers, tolerance=tolerances, percent=st.booleans())
def test_the_exact_answer_is_always_correct(
    answer: float, tolerance: Tolerance, percent: bool
) -> None:
    part = NumericPart(label="p", answer=answer, tolerance=tolerance, percent=percent)
    result = grade_part(part, repr(answer))
    assert result.verdict == "correct", result.message
    assert result.value == answer


@given(
    answer=answers,
    tolerance=tolerances,
    offsets=st.lists(st.floats(min_value=0, max_value=1e9), min_size=2, max_size=2),
    direction=st.sampled_from([1.0, -1.0]),
)
def test_grading_is_monotone_in_the_distance_to_the_answer(
    answer: float, tolerance: Tolerance, offsets: list[float], direction: float
) -> None:
    part = NumericPart(label="p", answer=answer, tolerance=tolerance)
    near, far = sorted(offsets)
    near_verdict = grade_part(part, repr(answer + direction * near)).verdict
    far_verdict = grade_part(part, repr(answer + direction * far)).verdict
    assert RANK[near_verdict] >= RANK[far_verdict], (near_verdict, far_verdict)


@given(answer=answers, tolerance=tolerances)
def test_verdicts_follow_the_tolerance_bands(answer: float, tolerance: Tolerance) -> None:
    bound = max(tolerance.absolute, tolerance.relative * abs(answer))
    assume(bound > 1e-6 * max(1.0, abs(answer)))  # well above the float-noise allowance
    part = NumericPart(label="p", answer=answer, tolerance=tolerance)
    assert grade_part(part, repr(answer + 0.5 * bound)).verdict == "correct"
    assert grade_part(part, repr(answer - 5 * bound)).verdict == "close"
    assert grade_part(part, repr(answer + 11 * bound)).verdict == "wrong"
