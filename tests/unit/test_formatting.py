"""The one clock, percentage and validation-problem formatter (quiz.formatting)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, StrictInt, ValidationError

from quiz.formatting import clock_text, percent, validation_problem


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0:00"),
        (26, "0:26"),
        (26.9, "0:26"),
        (59.999, "0:59"),
        (60, "1:00"),
        (725, "12:05"),
        (3599, "59:59"),
        (3600, "1:00:00"),
        (3900, "1:05:00"),
        (36_000, "10:00:00"),
        (-3, "0:00"),
    ],
)
def test_clock_text_is_minutes_and_seconds_then_hours(seconds: float, text: str) -> None:
    assert clock_text(seconds) == text


@given(st.integers(min_value=0, max_value=10**6))
def test_clock_text_reads_back_as_the_whole_seconds(seconds: int) -> None:
    *hours, minutes, secs = (int(part) for part in clock_text(seconds).split(":"))
    assert 0 <= secs < 60 and (not hours or 0 <= minutes < 60)
    assert sum(hours) * 3600 + minutes * 60 + secs == seconds


@pytest.mark.parametrize(
    ("fraction", "text"),
    [
        (0.125, "12.5%"),
        (0.5, "50%"),
        (1, "100%"),
        (0.123456, "12.35%"),
        (0, "0%"),
        (12.5, "1,250%"),
    ],
)
def test_percent_writes_numbers_as_format_number_does(fraction: float, text: str) -> None:
    assert percent(fraction) == text


@pytest.mark.parametrize(
    ("fraction", "decimals", "text"),
    [(0.4167, 0, "42%"), (0.4167, 1, "41.7%"), (1, 0, "100%"), (0.25, 2, "25.00%")],
)
def test_percent_with_decimals_is_fixed_point(fraction: float, decimals: int, text: str) -> None:
    assert percent(fraction, decimals=decimals) == text
    assert percent(fraction, decimals=decimals) == f"{fraction:.{decimals}%}"


@pytest.mark.parametrize(
    ("fraction", "text"),
    [(0.5, "50%"), (5 / 6, "83.3%"), (1, "100%"), (0.0, "0%"), (0.05, "5%"), (0.1234, "12.3%")],
)
def test_percent_trimmed_drops_zeros_after_the_point(fraction: float, text: str) -> None:
    assert percent(fraction, decimals=1, trim=True) == text


@given(st.floats(min_value=0, max_value=1), st.integers(min_value=0, max_value=3))
def test_percent_trimmed_reads_as_the_same_number(fraction: float, decimals: int) -> None:
    fixed, trimmed = (
        percent(fraction, decimals=decimals),
        percent(fraction, decimals=decimals, trim=True),
    )
    assert float(trimmed.removesuffix("%")) == float(fixed.removesuffix("%"))
    if "." in trimmed:
        assert not trimmed.removesuffix("%").endswith(("0", "."))


class _Inner(BaseModel):
    count: StrictInt


class _Outer(BaseModel):
    items: list[_Inner]


def first_problem(data: object, root: str = "") -> str:
    with pytest.raises(ValidationError) as caught:
        _Outer.model_validate(data)
    return validation_problem(caught.value.errors(include_url=False)[0], root)


def test_a_validation_problem_names_its_place_below_the_root() -> None:
    bad = {"items": [{"count": 1}, {"count": "two"}]}
    assert first_problem(bad, "file") == "file.items[1].count: expected an integer, got 'two'"
    assert first_problem(bad) == "items[1].count: expected an integer, got 'two'"
    assert first_problem({"items": [{}]}) == "items[0].count: missing"
    assert first_problem({"items": 3}) == "items: expected a list"
    assert first_problem([], "file") == "file: expected an object"
