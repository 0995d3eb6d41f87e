"""A code question's ``checks`` turned into hypothesis strategies and input tensors.

``config_strategy`` draws the constructor arguments (``init``) and the other
named values (``dims``) in the order the deck declares them; a bound may name
an earlier value or do arithmetic on it (``[kernel_size, 12]``,
``multiple_of: groups``). Input tensors are built from a drawn configuration
with a seeded generator, so one configuration always gives the same tensors.
"""

from __future__ import annotations

import functools
import json
import zlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from hypothesis import reject
from hypothesis import strategies as st

from questions import BOUND_RULES, ArithmeticRefused, Checks, compute_integer
from questions._models import (
    BoolStrategy,
    ChoiceStrategy,
    FloatStrategy,
    IntStrategy,
    TensorSpec,
)

if TYPE_CHECKING:
    import torch

Config = dict[str, Any]


def resolve(bound: int | str, values: Config) -> int:
    """The integer a bound stands for, given the values drawn so far.

    Raises ``ValueError`` (``questions.ArithmeticRefused``) for a bound that cannot be
    computed, division by zero included.
    """
    if isinstance(bound, int):
        return bound
    try:
        return compute_integer(bound, BOUND_RULES, values)
    except ArithmeticRefused as refused:
        raise ValueError(f"cannot evaluate bound {bound!r}: {refused.reason}") from None


@functools.lru_cache(maxsize=4096)
def _integers(low: int, high: int, step: int = 1) -> st.SearchStrategy[int]:
    # Building a strategy costs more than drawing from it: reuse one per range.
    if step == 1:
        return st.integers(low, high)
    return st.integers(low, high).map(lambda k: k * step)


def _strategy(spec: Any, values: Config) -> st.SearchStrategy[Any]:
    if isinstance(spec, IntStrategy):
        try:
            low, high = resolve(spec.int[0], values), resolve(spec.int[1], values)
            step = resolve(spec.multiple_of, values) if spec.multiple_of is not None else 1
        except ValueError:  # e.g. `size // groups` with groups 0: not a configuration
            reject()
        if spec.multiple_of is not None:
            if step <= 0:
                reject()
            low, high = -(-low // step), high // step  # exact, whatever the size
            if low > high:
                reject()
            return _integers(low, high, step)
        if low > high:
            reject()
        return _integers(low, high)
    return _fixed(spec)


def _fixed(spec: Any) -> st.SearchStrategy[Any]:
    """Strategies that do not depend on earlier values, built once."""
    if isinstance(spec, FloatStrategy):
        return st.floats(spec.float[0], spec.float[1], allow_nan=False, allow_infinity=False)
    if isinstance(spec, ChoiceStrategy):
        return st.sampled_from(spec.one_of)
    if isinstance(spec, BoolStrategy):
        return st.booleans()
    raise TypeError(f"unknown strategy {spec!r}")


def config_strategy(checks: Checks) -> st.SearchStrategy[Config]:
    """Draws ``init`` then ``dims`` values, in declaration order."""
    specs = [*checks.init.items(), *checks.dims.items()]
    # Building a strategy costs more than drawing from it: build the fixed ones once.
    fixed = {name: _fixed(spec) for name, spec in specs if not isinstance(spec, IntStrategy)}

    @st.composite
    def configs(draw: st.DrawFn) -> Config:
        values: Config = {}
        for name, spec in specs:
            strategy = fixed[name] if name in fixed else _strategy(spec, values)
            values[name] = draw(strategy)
        for tensor in checks.inputs.values():  # a shape must come out non-negative
            if any(resolve(d, values) < 0 for d in tensor.shape):
                reject()
        return values

    return configs()


def init_args(checks: Checks, config: Config) -> Config:
    return {name: config[name] for name in checks.init}


def input_shapes(checks: Checks, config: Config) -> dict[str, list[int]]:
    return {name: [resolve(d, config) for d in spec.shape] for name, spec in checks.inputs.items()}


def config_seed(config: Config, seed: int) -> int:
    """A stable seed for one configuration within one grading run."""
    text = json.dumps(config, sort_keys=True, default=str)
    return zlib.crc32(f"{seed}:{text}".encode()) & 0x7FFFFFFF


def make_inputs(checks: Checks, config: Config, seed: int) -> list[torch.Tensor]:
    """The input tensors for ``config``: the same configuration gives the same tensors."""
    import torch

    generator = torch.Generator().manual_seed(config_seed(config, seed))
    tensors = []
    for name, spec in checks.inputs.items():
        shape = input_shapes(checks, config)[name]
        tensors.append(_tensor(spec, shape, generator, config))
    return tensors


def _limit(value: float | str | None, config: Config) -> float | None:
    """A value bound: a number, or the value a drawn name (or arithmetic on names) has."""
    return float(resolve(value, config)) if isinstance(value, str) else value


def _tensor(
    spec: TensorSpec, shape: list[int], generator: torch.Generator, config: Config
) -> torch.Tensor:
    import torch

    low, high = _limit(spec.low, config), _limit(spec.high, config)
    if spec.dtype == "bool":
        return torch.randint(0, 2, shape, generator=generator).bool()
    if spec.dtype == "int64":
        first = int(low if low is not None else 0)
        end = int(high if high is not None else 10)
        return torch.randint(first, max(end, first + 1), shape, generator=generator)
    dtype = torch.float64 if spec.dtype == "float64" else torch.float32
    if low is not None and high is not None:
        unit = torch.rand(shape, generator=generator, dtype=dtype)
        return low + (high - low) * unit
    return torch.randn(shape, generator=generator, dtype=dtype)


def edge_configs(checks: Checks) -> list[Config]:
    """Configurations at the edges of the drawn ranges: every minimum, every maximum.

    Two configurations take every value at its lowest and at its highest (bounds
    that name an earlier value follow it); then each value takes each end of its
    range with every other value at the opposite end (a bug that shows only with
    one channel needs room to show: a 1×1 input hides a flipped kernel); then, for
    each choice list, one configuration per option not yet covered, the rest at
    their highest.
    Configurations that the ranges do not allow (an empty range, a negative
    shape) are left out.
    """
    specs = [*checks.init.items(), *checks.dims.items()]

    def build(pick: Callable[[str, Any, Config], Any]) -> Config | None:
        values: Config = {}
        try:
            for name, spec in specs:
                values[name] = pick(name, spec, values)
            for tensor in checks.inputs.values():
                if any(resolve(d, values) < 0 for d in tensor.shape):
                    return None
        except (ValueError, ZeroDivisionError, KeyError, IndexError):
            return None
        return values

    def extreme(high: bool) -> Callable[[str, Any, Config], Any]:
        def pick(name: str, spec: Any, values: Config) -> Any:
            if isinstance(spec, IntStrategy):
                low, top = resolve(spec.int[0], values), resolve(spec.int[1], values)
                if spec.multiple_of is not None:
                    step = resolve(spec.multiple_of, values)
                    if step <= 0:
                        raise ValueError("no multiple")
                    low, top = -(-low // step) * step, (top // step) * step
                if low > top:
                    raise ValueError("empty range")
                return top if high else low
            if isinstance(spec, FloatStrategy):
                return spec.float[1] if high else spec.float[0]
            if isinstance(spec, ChoiceStrategy):
                return spec.one_of[-1] if high else spec.one_of[0]
            if isinstance(spec, BoolStrategy):
                return high
            raise ValueError(f"unknown strategy {spec!r}")

        return pick

    def mixed(name: str, high: bool) -> Callable[[str, Any, Config], Any]:
        """``name`` at one end of its range, every other value at the other end."""

        def pick(n: str, spec: Any, values: Config) -> Any:
            return extreme(high if n == name else not high)(n, spec, values)

        return pick

    candidates = [build(extreme(False)), build(extreme(True))]
    for name, _ in specs:
        candidates += [build(mixed(name, False)), build(mixed(name, True))]
    found: list[Config] = []
    for config in candidates:
        if config is not None and config not in found:
            found.append(config)
    for name, spec in specs:
        if not isinstance(spec, ChoiceStrategy):
            continue
        for option in spec.one_of:
            if any(c.get(name) == option for c in found):
                continue

            def pick(n: str, s: Any, v: Config, _name: str = name, _option: Any = option) -> Any:
                return _option if n == _name else extreme(True)(n, s, v)

            config = build(pick)
            if config is not None and config not in found:
                found.append(config)
    return found
