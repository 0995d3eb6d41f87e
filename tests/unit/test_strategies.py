"""A code question's ``checks`` as hypothesis strategies: bounds, dependencies and inputs.

The property tests generate random ``Checks`` together with an independent description of
what every drawn value must satisfy (its bounds computed in plain Python, not through
``resolve``), then check each drawn configuration against it.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
import torch
from hypothesis import find, given
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample, Unsatisfiable
from pydantic import ValidationError

from grader._strategies import (
    config_seed,
    config_strategy,
    init_args,
    input_shapes,
    make_inputs,
    resolve,
)
from questions import Checks

Config = dict[str, Any]
Rule = Callable[[Config], int]


@dataclass(frozen=True)
class Entry:
    """One drawn value and, independently of the product code, what it must satisfy."""

    name: str
    spec: dict[str, Any]
    kind: str  # "int", "float", "one_of" or "bool"
    low: Callable[[Config], float] | None = None
    high: Callable[[Config], float] | None = None
    step: Rule | None = None
    choices: tuple[Any, ...] = ()

    def verify(self, config: Config) -> None:
        value = config[self.name]
        where = f"{self.name}={value!r} from {self.spec} in {config}"
        if self.kind == "bool":
            assert isinstance(value, bool), where
            return
        if self.kind == "one_of":
            assert any(value == choice for choice in self.choices), where
            return
        assert self.low is not None and self.high is not None
        if self.kind == "int":
            assert isinstance(value, int) and not isinstance(value, bool), where
        else:
            assert isinstance(value, float) and math.isfinite(value), where
        assert self.low(config) <= value <= self.high(config), where
        if self.step is not None:
            assert value % self.step(config) == 0, where


@dataclass
class Plan:
    """Random checks: entries in declaration order (the first ``split`` are ``init``)."""

    entries: list[Entry] = field(default_factory=list)
    split: int = 0
    inputs: dict[str, tuple[list[int | str], Callable[[Config], list[int]]]] = field(
        default_factory=dict
    )

    def checks(self) -> Checks:
        specs = [(e.name, e.spec) for e in self.entries]
        return Checks.model_validate(
            {
                "kind": "module",
                "init": dict(specs[: self.split]),
                "dims": dict(specs[self.split :]),
                "inputs": {name: {"shape": shape} for name, (shape, _) in self.inputs.items()},
            }
        )


def _constant(value: int) -> Rule:
    return lambda _config: value


def _value(value: float) -> Callable[[Config], float]:
    return lambda _config: value


def _shape(parts: list[Rule]) -> Callable[[Config], list[int]]:
    return lambda config: [part(config) for part in parts]


def _of(name: str, scale: int = 1, offset: int = 0, floor_div: int = 1) -> Rule:
    return lambda config: config[name] * scale // floor_div + offset


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    """Random, always satisfiable checks: int ranges, dependent bounds, multiple_of, floats,
    choices and booleans, in a random order, with input shapes built from the drawn ints."""
    plan = Plan()
    ranges: dict[str, tuple[int, int]] = {}  # int name -> (least, greatest) possible value
    for index in range(draw(st.integers(1, 7))):
        name = f"v{index}"
        kinds = ["int", "float", "one_of", "bool", "multiple_const"]
        if ranges:
            kinds += ["dependent", "dependent"]
        if any(least >= 1 for least, _ in ranges.values()):
            kinds += ["multiple_name"]
        kind = draw(st.sampled_from(kinds))
        if kind == "int":
            lo = draw(st.integers(-3, 6))
            hi = draw(st.integers(lo, lo + 6))
            entry = Entry(name, {"int": [lo, hi]}, "int", _constant(lo), _constant(hi))
            ranges[name] = (lo, hi)
        elif kind == "dependent":
            ref = draw(st.sampled_from(sorted(ranges)))
            least, greatest = ranges[ref]
            k = draw(st.integers(0, 4))
            forms = ["shift", "up_to_constant", "down_from"]
            if least >= 0:  # n // 2 <= n * 2 + 1 only holds for n >= 0
                forms.append("affine")
            form = draw(st.sampled_from(forms))
            if form == "shift":  # [n, n + k]
                spec: dict[str, Any] = {"int": [ref, f"{ref} + {k}"]}
                low, high = _of(ref), _of(ref, offset=k)
                ranges[name] = (least, greatest + k)
            elif form == "up_to_constant":  # [kernel_size, 12]
                spec = {"int": [ref, greatest + k]}
                low, high = _of(ref), _constant(greatest + k)
                ranges[name] = (least, greatest + k)
            elif form == "down_from":  # [n - k, n]
                spec = {"int": [f"{ref} - {k}", ref]}
                low, high = _of(ref, offset=-k), _of(ref)
                ranges[name] = (least - k, greatest)
            else:  # [n // 2, n * 2 + 1]
                spec = {"int": [f"{ref} // 2", f"{ref} * 2 + 1"]}
                low, high = _of(ref, floor_div=2), _of(ref, scale=2, offset=1)
                ranges[name] = (least // 2, greatest * 2 + 1)
            entry = Entry(name, spec, "int", low, high)
        elif kind == "multiple_const":
            step = draw(st.integers(1, 4))
            lo = draw(st.integers(-6, 6))
            hi = lo + step - 1 + draw(st.integers(0, 6))  # always holds a multiple of step
            entry = Entry(
                name,
                {"int": [lo, hi], "multiple_of": step},
                "int",
                _constant(lo),
                _constant(hi),
                _constant(step),
            )
            ranges[name] = (lo, hi)
        elif kind == "multiple_name":
            ref = draw(st.sampled_from(sorted(n for n, (lo, _) in ranges.items() if lo >= 1)))
            times = draw(st.integers(1, 3))
            if draw(st.booleans()):  # [m, m * times], multiple_of: m
                spec = {"int": [ref, f"{ref} * {times}"], "multiple_of": ref}
                low, high = _of(ref), _of(ref, scale=times)
                ranges[name] = (ranges[ref][0], ranges[ref][1] * times)
            else:  # [0, C], multiple_of: m
                top = draw(st.integers(0, 12))
                spec = {"int": [0, top], "multiple_of": ref}
                low, high = _constant(0), _constant(top)
                ranges[name] = (0, top)
            entry = Entry(name, spec, "int", low, high, _of(ref))
        elif kind == "float":
            lo_f = draw(st.floats(-10, 10, allow_nan=False))
            hi_f = draw(st.floats(lo_f, lo_f + 10, allow_nan=False))
            entry = Entry(name, {"float": [lo_f, hi_f]}, "float", _value(lo_f), _value(hi_f))
        elif kind == "one_of":
            options = draw(
                st.lists(
                    st.one_of(st.integers(-5, 5), st.text("abc", max_size=3), st.none()),
                    min_size=1,
                    max_size=4,
                )
            )
            entry = Entry(name, {"one_of": options}, "one_of", choices=tuple(options))
        else:
            entry = Entry(name, {"bool": True}, "bool")
        plan.entries.append(entry)
    plan.split = draw(st.integers(0, len(plan.entries)))

    # Input shapes name only ints that can never be negative, so no draw is rejected.
    usable = sorted(n for n, (least, _) in ranges.items() if least >= 0)
    for tensor in range(draw(st.integers(1, 2))):
        shape: list[int | str] = []
        parts: list[Rule] = []
        for _ in range(draw(st.integers(0, 3))):
            choice = draw(st.sampled_from(["constant", *(["name", "name_plus"] if usable else [])]))
            if choice == "constant":
                size = draw(st.integers(0, 3))
                shape.append(size)
                parts.append(_constant(size))
            elif choice == "name":
                ref = draw(st.sampled_from(usable))
                shape.append(ref)
                parts.append(_of(ref))
            else:
                ref = draw(st.sampled_from(usable))
                shape.append(f"{ref} + 1")
                parts.append(_of(ref, offset=1))
        plan.inputs[f"x{tensor}"] = (shape, _shape(parts))
    return plan


@given(st.data())
def test_every_drawn_config_respects_its_bounds_and_dependencies(data: st.DataObject) -> None:
    plan = data.draw(plans(), label="plan")
    checks = plan.checks()
    config = data.draw(config_strategy(checks), label="config")

    assert list(config) == [e.name for e in plan.entries]  # init then dims, in order
    for entry in plan.entries:
        entry.verify(config)
    assert init_args(checks, config) == {e.name: config[e.name] for e in plan.entries[: plan.split]}
    expected_shapes = {name: shape_of(config) for name, (_, shape_of) in plan.inputs.items()}
    assert input_shapes(checks, config) == expected_shapes
    assert all(d >= 0 for shape in expected_shapes.values() for d in shape)


def _bounds(plan: Plan) -> list[Any]:
    return [b for e in plan.entries for b in [*e.spec.get("int", []), e.spec.get("multiple_of")]]


@pytest.mark.parametrize(
    "wanted",
    [
        lambda p: any(isinstance(b, str) and "+" in b for b in _bounds(p)),
        lambda p: any(isinstance(b, str) and "//" in b for b in _bounds(p)),
        lambda p: any(isinstance(e.spec.get("multiple_of"), str) for e in p.entries),
        lambda p: any(e.kind == "float" for e in p.entries) and 0 < p.split < len(p.entries),
        lambda p: any(isinstance(d, str) for shape, _ in p.inputs.values() for d in shape),
    ],
    ids=["name_plus_k", "floor_div", "multiple_of_name", "float_and_dims", "named_shape"],
)
def test_the_random_checks_include_the_interesting_cases(wanted: Callable[[Plan], bool]) -> None:
    """The property above is only worth something if the generator builds these cases."""
    assert wanted(find(plans(), wanted))


SQUARE = Checks.model_validate(
    {
        "init": {
            "in_channels": {"int": [1, 4]},
            "kernel_size": {"one_of": [1, 3, 5]},
            "groups": {"int": [1, "in_channels"]},
            "out_channels": {"int": ["groups", "groups * 3"], "multiple_of": "groups"},
        },
        "dims": {
            "batch": {"int": [1, 2]},
            "height": {"int": ["kernel_size", 8]},
            "scale": {"float": [0.5, 2.0]},
            "flag": {"bool": True},
        },
        "inputs": {
            "x": {"shape": ["batch", "in_channels", "height", "height * 2 + 1"]},
            "ids": {"shape": ["batch", "height // 2"], "dtype": "int64", "low": 3, "high": 7},
            "mask": {"shape": ["batch", 4], "dtype": "bool"},
            "w": {"shape": [3, "out_channels"], "dtype": "float64", "low": -2.0, "high": -1.0},
        },
    }
)


@given(config=config_strategy(SQUARE))
def test_a_realistic_deck_draws_consistent_configs(config: Config) -> None:
    assert 1 <= config["in_channels"] <= 4
    assert config["kernel_size"] in (1, 3, 5)
    assert 1 <= config["groups"] <= config["in_channels"]
    assert config["groups"] <= config["out_channels"] <= 3 * config["groups"]
    assert config["out_channels"] % config["groups"] == 0
    assert config["kernel_size"] <= config["height"] <= 8
    assert 0.5 <= config["scale"] <= 2.0
    assert isinstance(config["flag"], bool)
    batch, height = config["batch"], config["height"]
    assert input_shapes(SQUARE, config) == {
        "x": [batch, config["in_channels"], height, height * 2 + 1],
        "ids": [batch, height // 2],
        "mask": [batch, 4],
        "w": [3, config["out_channels"]],
    }


@given(config=config_strategy(SQUARE), seed=st.integers(0, 2**31 - 1))
def test_make_inputs_builds_the_declared_tensors_deterministically(
    config: Config, seed: int
) -> None:
    rng_before = torch.get_rng_state()
    first = make_inputs(SQUARE, config, seed)
    again = make_inputs(SQUARE, config, seed)
    # A private generator: the global one (which the judge seeds itself) is left alone.
    assert torch.equal(torch.get_rng_state(), rng_before)

    assert len(first) == len(again) == 4
    for a, b in zip(first, again, strict=True):
        assert a.dtype == b.dtype and torch.equal(a, b)
    x, ids, mask, w = first
    shapes = input_shapes(SQUARE, config)
    assert [list(t.shape) for t in first] == [shapes[n] for n in ("x", "ids", "mask", "w")]
    assert (x.dtype, ids.dtype, mask.dtype, w.dtype) == (
        torch.float32,
        torch.int64,
        torch.bool,
        torch.float64,
    )
    assert bool(((ids >= 3) & (ids < 7)).all())
    assert bool(((w >= -2.0) & (w <= -1.0)).all())
    # Same config, other seed: different tensors (x has at least 1*1*1*3 random floats).
    other = make_inputs(SQUARE, config, seed ^ 1)
    assert not torch.equal(other[0], x)


@given(config=config_strategy(SQUARE), seed=st.integers(0, 2**31 - 1))
def test_config_seed_is_stable_and_ignores_key_order(config: Config, seed: int) -> None:
    value = config_seed(config, seed)
    assert 0 <= value < 2**31
    assert config_seed(dict(reversed(list(config.items()))), seed) == value
    reordered = make_inputs(SQUARE, dict(reversed(list(config.items()))), seed)
    assert all(
        torch.equal(a, b) for a, b in zip(reordered, make_inputs(SQUARE, config, seed), strict=True)
    )


def test_different_configs_get_different_inputs() -> None:
    checks = Checks.model_validate(
        {"dims": {"n": {"int": [1, 9]}, "k": {"int": [0, 9]}}, "inputs": {"x": {"shape": [8]}}}
    )
    # Same shape for both configs: only the seed derived from the config differs.
    a = make_inputs(checks, {"n": 1, "k": 0}, seed=0)[0]
    b = make_inputs(checks, {"n": 1, "k": 1}, seed=0)[0]
    assert a.shape == b.shape == (8,)
    assert not torch.equal(a, b)


@pytest.mark.parametrize(
    ("bound", "values", "expected"),
    [
        (7, {}, 7),
        (-3, {"a": 1}, -3),
        ("a", {"a": 4}, 4),
        ("12", {}, 12),
        ("a*2+1", {"a": 4}, 9),
        ("a * 2 + 1", {"a": -4}, -7),
        ("a//2", {"a": 5}, 2),
        ("a // 2", {"a": -5}, -3),  # floor division, as in Python
        ("a % 3", {"a": 7}, 1),
        ("-a + 10", {"a": 4}, 6),
        ("(a - b) * 2", {"a": 5, "b": 2}, 6),
        ("kernel_size // 2 * 2 + in_channels", {"kernel_size": 5, "in_channels": 3}, 7),
    ],
)
def test_resolve(bound: int | str, values: Config, expected: int) -> None:
    assert resolve(bound, values) == expected


@given(a=st.integers(-1000, 1000), b=st.integers(1, 50))
def test_resolve_agrees_with_python_arithmetic(a: int, b: int) -> None:
    values = {"a": a, "b": b}
    assert resolve("a*2+1", values) == a * 2 + 1
    assert resolve("a//2", values) == a // 2
    assert resolve("a // b - b % 3", values) == a // b - b % 3
    assert resolve("-(a + b) * 3", values) == -(a + b) * 3


@pytest.mark.parametrize("bound", ["a / 2", "a ** 2", "abs(a)", "1.5", "a if a else 1", "[a]"])
def test_resolve_refuses_anything_but_integer_arithmetic(bound: str) -> None:
    with pytest.raises(ValueError, match="cannot evaluate bound"):
        resolve(bound, {"a": 4})


def test_a_bound_below_an_earlier_value_rejects_those_draws() -> None:
    checks = Checks.model_validate(
        {"init": {"a": {"int": [0, 9]}, "b": {"int": ["a", 3]}}, "inputs": {"x": {"shape": [1]}}}
    )
    with pytest.raises(NoSuchExample):
        find(config_strategy(checks), lambda c: c["a"] > 3)
    assert find(config_strategy(checks), lambda c: c["a"] == 3) == {"a": 3, "b": 3}


def test_a_range_that_can_never_hold_a_value_is_unsatisfiable() -> None:
    checks = Checks.model_validate(
        {"init": {"a": {"int": [5, 9]}, "b": {"int": ["a", 3]}}, "inputs": {"x": {"shape": [1]}}}
    )
    with pytest.raises(Unsatisfiable):
        find(config_strategy(checks), lambda c: True)


def test_a_step_of_zero_or_a_negative_shape_is_never_drawn() -> None:
    checks = Checks.model_validate(
        {
            "dims": {
                "m": {"int": [0, 3]},
                "k": {"int": [0, 10], "multiple_of": "m"},
                "n": {"int": [-2, 2]},
            },
            "inputs": {"x": {"shape": ["n", "m"]}},
        }
    )
    with pytest.raises(NoSuchExample):
        find(config_strategy(checks), lambda c: c["m"] == 0 or c["n"] < 0)
    found = find(config_strategy(checks), lambda c: c["m"] == 3 and c["k"] > 0)
    assert found["k"] in (3, 6, 9)


def test_multiple_of_stays_in_bounds_for_large_integers() -> None:
    low, high = 10**17 + 1, 10**17 + 5
    checks = Checks.model_validate(
        {"dims": {"a": {"int": [low, high], "multiple_of": 3}}, "inputs": {"x": {"shape": [1]}}}
    )
    with pytest.raises(NoSuchExample):
        find(config_strategy(checks), lambda c: not low <= c["a"] <= high)


def test_drawing_a_config_raises_no_warning() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        find(config_strategy(SQUARE), lambda c: True)
    assert [str(w.message) for w in caught] == []


def test_value_range_may_name_a_drawn_dimension() -> None:
    checks = Checks.model_validate(
        {
            "dims": {"n": {"int": [1, 6]}, "c": {"int": [2, 5]}},
            "inputs": {
                "logits": {"shape": ["n", "c"]},
                "target": {"shape": ["n"], "dtype": "int64", "low": 0, "high": "c"},
            },
        }
    )

    @given(config_strategy(checks))
    def classes_stay_in_range(config: Config) -> None:
        _, target = make_inputs(checks, config, seed=0)
        assert target.dtype == torch.int64
        assert int(target.min()) >= 0
        assert int(target.max()) < config["c"]

    classes_stay_in_range()


def test_value_range_names_must_be_defined() -> None:
    with pytest.raises(ValidationError, match="'k' is not defined"):
        Checks.model_validate({"inputs": {"t": {"shape": [2], "dtype": "int64", "high": "k"}}})
