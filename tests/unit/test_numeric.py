"""Numeric answers: what parse_number reads and refuses, safe arithmetic, grading and display."""

from __future__ import annotations

import ast
import builtins
import math
import pickle
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grader import (
    GraderError,
    NumericParseError,
    NumericResult,
    ParsedNumber,
    PartResult,
    evaluate_arithmetic,
    evaluate_working,
    format_number,
    grade_numeric,
    grade_part,
    parse_number,
)
from questions import NumericPart, NumericQuestion

# --------------------------------------------------------------------------- parse_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("73728", 73728),
        ("73,728", 73728),
        ("73 728", 73728),
        ("73\u2009728", 73728),  # thin space
        ("73\u00a0728", 73728),  # no-break space
        ("73\u202f728", 73728),  # narrow no-break space
        ("1_000_000", 1_000_000),
        ("1,234,567.5", 1234567.5),
        ("7.37e4", 73700),
        ("7.37E+4", 73700),
        ("1e-3", 0.001),
        ("0.118", 0.118),
        (".5", 0.5),
        ("5.", 5.0),
        ("  0.118\t", 0.118),
        ("1/8.4", 1 / 8.4),
        ("3*3*64*128", 73728),
        ("3×3×64×128", 73728),
        ("3x3x64x128", 73728),
        ("3 x 3 X 64 x 128", 73728),
        ("3·3", 9),
        ("3⋅3", 9),
        ("(576+8192)/73728", (576 + 8192) / 73728),
        ("(576 + 8,192) / 73,728", (576 + 8192) / 73728),
        ("73728 ÷ 8", 9216),
        ("−5", -5),
        ("–5", -5),
        ("-5", -5),
        ("+5", 5),
        ("2^10", 1024),
        ("2**10", 1024),
        ("2^-1", 0.5),
        ("-2^2", -4),  # power binds tighter than the sign, as in Python and on paper
        ("8.4x10^3", 8400),
        ("7.37 × 10^4", 73700),
        ("1 - 2 * 3", -5),
        ("((1 + 2) * 3)", 9),
    ],
)
def test_parse_number_reads_plain_values_and_arithmetic(text: str, expected: float) -> None:
    parsed = parse_number(text)
    assert parsed.value == pytest.approx(expected, rel=1e-12)
    assert (parsed.percent, parsed.approximate, parsed.factor) == (False, False, False)
    assert parsed.text == text


@pytest.mark.parametrize(
    ("text", "expected", "percent", "approximate", "factor"),
    [
        ("11.9%", 0.119, True, False, False),
        ("11.9 %", 0.119, True, False, False),
        ("-5%", -0.05, True, False, False),
        ("100%", 1.0, True, False, False),
        ("1,200%", 12.0, True, False, False),
        ("~12%", 0.12, True, True, False),
        ("~8.4x", 8.4, False, True, True),
        ("8.4×", 8.4, False, False, True),
        ("8.4 X", 8.4, False, False, True),
        ("8.4x", 8.4, False, False, True),
        ("≈0.12", 0.12, False, True, False),
        ("~0.12", 0.12, False, True, False),
        ("~= 0.12", 0.12, False, True, False),
        ("about 0.12", 0.12, False, True, False),
        ("About 0.12", 0.12, False, True, False),
        ("approx 0.12", 0.12, False, True, False),
        ("approx. 0.12", 0.12, False, True, False),
        ("approximately 8.4x", 8.4, False, True, True),
        ("~ 73728/8768 x", 73728 / 8768, False, True, True),
    ],
)
def test_parse_number_reads_markers(
    text: str, expected: float, percent: bool, approximate: bool, factor: bool
) -> None:
    parsed = parse_number(text)
    assert isinstance(parsed, ParsedNumber)
    assert parsed.value == pytest.approx(expected, rel=1e-12)
    assert (parsed.text, parsed.percent, parsed.approximate, parsed.factor) == (
        text,
        percent,
        approximate,
        factor,
    )


def test_parse_number_keeps_integer_arithmetic_exact() -> None:
    # 3**40 is beyond 2**53: in floats the + 1 would be lost before the subtraction.
    assert parse_number("3^40 + 1 - 3^40").value == 1.0
    assert parse_number("100,000,000,000,000,001 - 10^17").value == 1.0
    assert evaluate_arithmetic("3**40 + 1 - 3**40") == 1.0
    assert parse_number("3*3*64*128").value == 73728.0


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("1,5", "a comma must separate groups of three digits"),
        ("12,34", "a comma must separate groups of three digits"),
        ("12,3456", "a comma must separate groups of three digits"),
        ("1,234,5678", "a comma must separate groups of three digits"),
        ("0,118", "a comma must separate groups of three digits"),
        ("1.234,5", "a comma must separate groups of three digits"),
        ("1_5", "an underscore must separate groups of three digits"),
        ("1,000 000", "a space inside a number must separate groups of three digits"),
        ("0,5", "a comma must separate groups of three digits"),
        ("012,345", "a comma must separate groups of three digits"),
        ("3 3", "a space inside a number must separate groups of three digits"),
        ("12 3456", "a space inside a number must separate groups of three digits"),
        ("2(3)", "missing an operator between 2 and ("),
        ("(2)(3)", "missing an operator between ) and ("),
        ("1.2.3", "missing an operator between 1.2 and .3"),
        ("abc", "unexpected letter 'a'"),
        ("twelve", "unexpected letter 't'"),
        ("", "nothing was typed"),
        ("   ", "nothing was typed"),
        ("x", "there is no number in it"),
        ("%", "there is no number in it"),
        ("~", "there is no number in it"),
        ("about", "there is no number in it"),
        ("1/0", "division by zero"),
        ("1/(2-2)", "division by zero"),
        ("9**9**9", "an exponent may be at most 1024"),
        ("9^9^9", "an exponent may be at most 1024"),
        ("10^400", "the result is too large"),
        ("1e999", "too large"),
        ("(-8)^0.5", "not real"),
        ("__import__('os')", "unexpected character '_'"),
        ("().__class__", "unexpected character '.'"),
        ("'1'", "unexpected character"),
        ("1 + ", "not a number or an arithmetic expression"),
        ("*5", "not a number or an arithmetic expression"),
        ("(1+2", "not a number or an arithmetic expression"),
        ("٣", "unexpected character"),  # only ASCII digits are digits
        ("1\x00", "unexpected character"),
    ],
)
def test_parse_number_refuses_with_a_reason(text: str, reason: str) -> None:
    with pytest.raises(NumericParseError) as caught:
        parse_number(text)
    assert caught.value.text == text
    assert str(caught.value).startswith(f"cannot read {text!r} as a number: ")
    assert reason in str(caught.value)


@pytest.mark.parametrize(
    "text", ["12%*2", "12% + 1", "1/8.4%", "(12)%", "2*6%", "12%x", "12x%", "50%%"]
)
def test_percent_only_follows_a_single_number(text: str) -> None:
    with pytest.raises(NumericParseError, match="a % sign may only follow a single number"):
        parse_number(text)


def test_parse_number_caps_the_input_length() -> None:
    long_text = "1" * 10_000
    with pytest.raises(NumericParseError) as caught:
        parse_number(long_text)
    assert "too long (10,000 characters; at most 200)" in str(caught.value)
    assert caught.value.text == long_text
    assert len(str(caught.value)) < 200, "a long input is shortened in the message"


def test_parse_number_caps_nesting() -> None:
    nested = "(" * 50 + "1" + ")" * 50
    with pytest.raises(NumericParseError, match="nested too deeply"):
        parse_number(nested)
    just_allowed = "(" * 20 + "1" + ")" * 20
    assert parse_number(just_allowed).value == 1.0
    with pytest.raises(NumericParseError, match="too long"):
        parse_number("(" * 5000 + "1" + ")" * 5000)


def test_a_parse_error_is_a_grader_error_and_pickles() -> None:
    with pytest.raises(GraderError) as caught:
        parse_number("1,5")
    assert isinstance(caught.value, NumericParseError)
    copy = pickle.loads(pickle.dumps(caught.value))
    assert (copy.text, str(copy)) == ("1,5", str(caught.value))


# --------------------------------------------------------------------------- evaluate_arithmetic


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("3*3*64*128", 73728),
        ("(576+8192)/73728", (576 + 8192) / 73728),
        ("2^10", 1024),
        ("2**10", 1024),
        ("2**0.5", math.sqrt(2)),
        ("(-2)**3", -8),
        ("10**-3", 0.001),
        ("-(-3)", 3),
        ("+3", 3),
        (" 1 + 2 ", 3),
        ("7/2", 3.5),
        ("1+" * 99 + "1", 100),  # long but flat enough
    ],
)
def test_evaluate_arithmetic(expr: str, expected: float) -> None:
    assert evaluate_arithmetic(expr) == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize(
    ("expr", "reason"),
    [
        ("__import__('os')", "function calls are not allowed"),
        ("().__class__", "only numbers"),
        ("x", "'x' is not a number"),
        ("True", "True is not a number"),
        ("1j", "1j is not a number"),
        ("'a'", "'a' is not a number"),
        ("1//2", "the operator // is not allowed"),
        ("7%2", "the operator % is not allowed"),
        ("1 if 1 else 2", "only numbers"),
        ("[1]", "only numbers"),
        ("lambda: 1", "only numbers"),
        ("1/0", "division by zero"),
        ("0**-1", "division by zero"),
        ("9**9**9", "an exponent may be at most 1024"),
        ("2**1024", "the result is too large"),
        ("1e308*10", "the result is too large"),
        ("1e999", "the result is too large"),
        ("2**1023 + (2**1023 - 1)", "the result is too large"),  # exact, but not a float
        ("(-8)**(1/3)", "not real"),
        ("1 +", "not a number or an arithmetic expression"),
        ("", "not a number or an arithmetic expression"),
        ("-" * 150 + "1", "nested too deeply"),
        ("(" * 30 + "1" + ")" * 30, "nested too deeply"),
        ("1" * 201, "too long"),
    ],
)
def test_evaluate_arithmetic_refuses(expr: str, reason: str) -> None:
    with pytest.raises(NumericParseError) as caught:
        evaluate_arithmetic(expr)
    assert reason in str(caught.value)


def test_arithmetic_is_parsed_to_a_tree_and_never_run(monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("eval and exec must never be called")

    compile_flags: list[int] = []
    real_compile = builtins.compile

    def compile_to_ast_only(*args: Any, **kwargs: Any) -> Any:
        # ast.parse is compile(..., flags=PyCF_ONLY_AST); anything else would make code.
        flags = kwargs.get("flags", args[3] if len(args) > 3 else 0)
        compile_flags.append(flags)
        return real_compile(*args, **kwargs)

    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    monkeypatch.setattr(builtins, "compile", compile_to_ast_only)
    assert evaluate_arithmetic("(576+8192)/73728") == pytest.approx(0.11892, rel=1e-4)
    assert parse_number("3×3×64×128").value == 73728
    with pytest.raises(NumericParseError):
        evaluate_arithmetic("__import__('os').system('true')")
    assert compile_flags, "expected the expression to be parsed with ast.parse"
    assert all(flags & ast.PyCF_ONLY_AST for flags in compile_flags)


# --------------------------------------------------------------------------- grading


def part(**fields: Any) -> NumericPart:
    return NumericPart.model_validate({"label": "answer", **fields})


RATIO = part(
    label="Separable / standard ratio",
    answer=0.1189,
    tolerance="2%",
    working="(576+8192)/73728",
    also_accept=[{"value": 8.409, "note": "reduction factor", "working": "73728/8768"}],
)
STANDARD = part(label="Standard conv, per output pixel", answer=73728, working="3*3*64*128")


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        ("73728", "correct"),
        ("73,728", "correct"),
        ("3×3×64×128", "correct"),
        ("7.37e4", "correct"),  # within the default 0.1%
        ("7.3e4", "close"),  # 1% off: within 10 × 0.1%
        ("73,000", "close"),
        ("7e4", "wrong"),  # 5% off
        ("1,5", "invalid"),
    ],
)
def test_default_tolerance_is_a_tenth_of_a_percent(text: str, verdict: str) -> None:
    assert grade_part(STANDARD, text).verdict == verdict


@pytest.mark.parametrize(
    ("given", "verdict"),
    [
        (100.0, "correct"),
        (102.0, "correct"),  # on the 2% boundary
        (97.99, "close"),
        (120.0, "close"),  # on the 10 × 2% boundary
        (79.99, "wrong"),
        (120.01, "wrong"),
        (-100.0, "wrong"),
    ],
)
def test_relative_tolerance_boundaries(given: float, verdict: str) -> None:
    assert grade_part(part(answer=100, tolerance="2%"), repr(given)).verdict == verdict


@pytest.mark.parametrize(
    ("given", "verdict"),
    [
        (0.0, "correct"),
        (0.5, "correct"),  # on the ±0.5 boundary
        (-0.5, "correct"),
        (0.51, "close"),
        (5.0, "close"),  # on the 10 × 0.5 boundary
        (-5.0, "close"),
        (5.01, "wrong"),
    ],
)
def test_absolute_tolerance_boundaries(given: float, verdict: str) -> None:
    # An answer of 0 has no relative scale; only an absolute tolerance can work there.
    assert grade_part(part(answer=0, tolerance=0.5), repr(given)).verdict == verdict


def test_exact_tolerance_still_forgives_float_noise() -> None:
    exact = part(answer=0.3, tolerance=0)
    assert grade_part(exact, "0.1 + 0.2").verdict == "correct"
    assert grade_part(exact, "0.30001").verdict == "wrong"


def test_messages_for_each_verdict() -> None:
    correct = grade_part(STANDARD, "3*3*64*128")
    assert correct.message == "correct: 73,728"
    assert grade_part(RATIO, "0.118").message == "correct: 0.118 is within ±2% of 0.1189"
    assert grade_part(RATIO, "0.125").message == (
        "close: 0.125 is within 10× the tolerance of 0.1189 (±2%)"
    )
    assert grade_part(STANDARD, "70000").message == "wrong: expected 73,728 (3*3*64*128)"
    assert grade_part(part(answer=5), "6").message == "wrong: expected 5"
    assert grade_part(part(answer=5, tolerance=0), "5.0000000001").message == "correct: 5"


def test_a_correct_result_carries_the_part_and_reference() -> None:
    result = grade_part(RATIO, "  1/8.4 ")
    assert result == PartResult(
        label="Separable / standard ratio",
        given="  1/8.4 ",
        value=1 / 8.4,
        verdict="correct",
        reference=0.1189,
        working="(576+8192)/73728",
        note=None,
        message="correct: 0.119 is within ±2% of 0.1189",
    )


def test_invalid_answer_is_a_result_with_the_parse_error() -> None:
    result = grade_part(RATIO, "12,34")
    assert result.verdict == "invalid"
    assert result.value is None
    assert result.note is None
    assert result.reference == 0.1189
    assert result.message.startswith(
        "cannot read '12,34' as a number: a comma must separate groups of three digits"
    )


def test_also_accept_alternative_is_correct_and_noted() -> None:
    result = grade_part(RATIO, "~8.4x")
    assert result.verdict == "correct"
    assert result.note == "reduction factor"
    assert result.reference == 8.409
    assert result.working == "73728/8768"
    assert result.message == "correct (reduction factor): 8.4 is within ±2% of 8.409"


def test_also_accept_alternative_can_be_close_and_is_noted() -> None:
    result = grade_part(RATIO, "9x")
    assert (result.verdict, result.note, result.reference) == ("close", "reduction factor", 8.409)
    assert result.message.startswith("close (reduction factor): 9 is within 10×")


def test_wrong_answer_reports_the_main_reference_not_an_alternative() -> None:
    result = grade_part(RATIO, "42")
    assert (result.verdict, result.note, result.reference) == ("wrong", None, 0.1189)
    assert result.working == "(576+8192)/73728"


def test_correct_on_an_alternative_beats_close_on_the_answer() -> None:
    # 0.5 is close to the answer 0.4 (25% off, tolerance 5%) and exactly the alternative.
    two_targets = part(
        answer=0.4, tolerance="5%", also_accept=[{"value": 0.5, "note": "the other reading"}]
    )
    result = grade_part(two_targets, "0.5")
    assert (result.verdict, result.note) == ("correct", "the other reading")


def test_alternative_uses_its_own_tolerance() -> None:
    strict_alt = part(
        answer=1000, tolerance="1%", also_accept=[{"value": 1, "tolerance": 0, "note": "in k"}]
    )
    loose_alt = part(answer=1000, tolerance="1%", also_accept=[{"value": 1, "note": "in k"}])
    assert grade_part(strict_alt, "1").verdict == "correct"
    assert grade_part(strict_alt, "1.005").verdict == "wrong"
    assert grade_part(loose_alt, "1.005").verdict == "correct"  # the part's 1% applies
    assert grade_part(strict_alt, "1005").verdict == "correct"


PERCENT = part(label="Fraction saved", answer=0.28, tolerance="2%", percent=True)


@pytest.mark.parametrize(
    ("text", "verdict", "value"),
    [
        ("28%", "correct", 0.28),
        ("0.28", "correct", 0.28),
        ("28", "correct", 0.28),  # a bare number on a percent part may be a percentage
        ("~28 %", "correct", 0.28),
        ("7/25", "correct", 0.28),
        ("30", "close", 0.30),
        ("0.3", "close", 0.30),
        ("0.28%", "wrong", 0.0028),  # a typed % is never read again
        ("50", "wrong", 50.0),  # wrong either way: the value as typed is reported
    ],
)
def test_percent_parts(text: str, verdict: str, value: float) -> None:
    result = grade_part(PERCENT, text)
    assert result.verdict == verdict
    assert result.value == pytest.approx(value)


def test_percent_reading_is_shown_and_only_for_percent_parts() -> None:
    assert grade_part(PERCENT, "28").message == "correct: 28% = 0.28"
    assert grade_part(PERCENT, "0.5").message == "wrong: expected 0.28 = 28%"
    assert grade_part(part(answer=0.28, tolerance="2%"), "28").verdict == "wrong"
    assert grade_part(part(answer=0.28, tolerance="2%"), "28%").verdict == "correct"


def question(*parts: NumericPart) -> NumericQuestion:
    return NumericQuestion.model_validate(
        {
            "id": "q6",
            "kind": "numeric",
            "prompt": "Compute the multiplications.",
            "answer": "See the working.",
            "parts": [p.model_dump() for p in parts],
        }
    )


def test_grade_numeric_grades_each_part_in_order() -> None:
    result = grade_numeric(question(STANDARD, RATIO, PERCENT), ["73,728", "0.125", "nope"])
    assert isinstance(result, NumericResult)
    assert [p.verdict for p in result.parts] == ["correct", "close", "invalid"]
    assert [p.label for p in result.parts] == [STANDARD.label, RATIO.label, PERCENT.label]
    assert result.score == pytest.approx(1 / 3)
    assert not result.all_correct


def test_grade_numeric_all_correct() -> None:
    result = grade_numeric(question(STANDARD, RATIO), ("3x3x64x128", "~8.4x"))
    assert result.all_correct
    assert result.score == 1.0


def test_grade_numeric_takes_a_single_string_as_one_answer() -> None:
    result = grade_numeric(question(STANDARD), "73728")
    assert [p.verdict for p in result.parts] == ["correct"]


@pytest.mark.parametrize("answers", [["73728"], ["73728", "0.12", "28%"], []])
def test_grade_numeric_with_the_wrong_number_of_answers_is_a_usage_error(
    answers: list[str],
) -> None:
    with pytest.raises(GraderError) as caught:
        grade_numeric(question(STANDARD, RATIO), answers)
    assert not isinstance(caught.value, NumericParseError)
    message = str(caught.value)
    assert "question 'q6' has 2 parts" in message
    assert "1. Standard conv, per output pixel; 2. Separable / standard ratio" in message
    assert f"but {len(answers)} answer" in message


def test_empty_result_is_not_all_correct() -> None:
    assert NumericResult(()).score == 0.0
    assert not NumericResult(()).all_correct


# --------------------------------------------------------------------------- format_number


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (73728.0, "73,728"),
        (-73728.0, "-73,728"),
        (0.0, "0"),
        (-0.0, "0"),
        (1.0, "1"),
        (1e12, "1,000,000,000,000"),
        ((576 + 8192) / 73728, "0.1189"),
        (73728 / 8768, "8.409"),
        (0.125, "0.125"),
        (0.5, "0.5"),
        (123456.7, "123,457"),
        (0.000123456, "0.0001235"),
        (1.234e-7, "1.234e-07"),
        (1e20, "1e+20"),
        (9.99995, "10"),
        (math.inf, "inf"),
    ],
)
def test_format_number(value: float, text: str) -> None:
    assert format_number(value) == text


def test_format_number_accepts_an_int() -> None:
    assert format_number(73728) == "73,728"


@given(st.integers(0, 10**6), st.integers(1, 10**4), st.integers(0, 50))
def test_a_working_may_floor_divide_as_output_sizes_do(size: int, stride: int, pad: int) -> None:
    formula = f"({size} + 2*{pad} - 1)//{stride} + 1"
    assert evaluate_working(formula) == (size + 2 * pad - 1) // stride + 1
    assert evaluate_working(f"{size} % {stride}") == size % stride


@pytest.mark.parametrize("working", ["x + 1", "7 // 0", "__import__('os')", "2**100"])
def test_a_working_refuses_names_calls_and_what_has_no_value(working: str) -> None:
    with pytest.raises(NumericParseError):
        evaluate_working(working)


def test_an_answer_still_may_not_floor_divide() -> None:
    with pytest.raises(NumericParseError, match="//"):
        evaluate_arithmetic("7//2")
