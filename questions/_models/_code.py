"""Code questions: the reference, wrong solutions, and the checks and input strategies the
grader runs."""

from __future__ import annotations

import ast
import keyword
import re
from typing import Any, Literal, Self

from pydantic import (
    Field,
    field_validator,
    model_validator,
)

from ._base import _IDENTIFIER, DEFAULT_COMPARE, CheckName, _Model, _QuestionBase
from ._strategies import Bound, Strategy, _bounds_of, _check_bound


class TensorSpec(_Model):
    """A tensor argument: its shape names drawn values or gives integers."""

    shape: list[Bound] = Field(min_length=0)
    dtype: Literal["float32", "float64", "int64", "bool"] = "float32"
    low: float | str | None = Field(
        default=None, description="Smallest value; a number or a drawn name (e.g. 0)."
    )
    high: float | str | None = Field(
        default=None,
        description="Largest value (exclusive for int64); a number or a drawn name (e.g. c).",
    )


class Forbidden(_Model):
    """A call the prompt rules out: found by the ATen operations it leaves in a traced
    forward (``ops``), or by the names the submitted source uses (``names``)."""

    call: str = Field(min_length=1, description="What the learner is told, e.g. `F.hardswish`.")
    ops: list[str] = Field(
        default_factory=list,
        description="ATen operations it leaves, e.g. `aten.hardswish` (any overload).",
    )
    names: list[str] = Field(
        default_factory=list,
        description=(
            "Dotted names the source may not use, imports and aliases resolved: "
            "`torch.optim.SGD` also catches `from torch.optim import SGD` and "
            "`optim.SGD(...)`; a name also covers what is under it "
            "(`torch.optim.SGD.step`). `.name` forbids that attribute on anything "
            "(`.backward`). Read by the judge from the submitted text, for code (an "
            "optimiser, an autograd Function) that is not traced."
        ),
    )

    @field_validator("ops")
    @classmethod
    def _aten_names(cls, ops: list[str]) -> list[str]:
        for op in ops:
            if not re.fullmatch(r"aten\.[a-z0-9_]+(\.[a-zA-Z0-9_]+)?", op):
                raise ValueError(f"{op!r} is not an ATen operation name such as aten.hardswish")
        return ops

    @field_validator("names")
    @classmethod
    def _dotted_names(cls, names: list[str]) -> list[str]:
        for name in names:
            if not re.fullmatch(r"\.?[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*", name):
                raise ValueError(f"{name!r} is not a dotted name such as torch.optim.SGD")
        return names

    @model_validator(mode="after")
    def _something_to_find(self) -> Self:
        if not self.ops and not self.names:
            raise ValueError("a forbidden call needs `ops` or `names` to be found by")
        return self


class Checks(_Model):
    """How the grader tests a code answer; turned into hypothesis strategies."""

    kind: Literal["module", "function", "autograd_function", "optimizer"] = Field(
        default="module",
        description=(
            "module: construct, then call forward. function: call it. autograd_function: a "
            "torch.autograd.Function subclass with its own backward, called as "
            "`Entry.apply(*inputs, *init values)`. optimizer: `Entry(params, **init)` over "
            "the `inputs` as parameters, run for `steps` steps and checked as `trajectory`."
        ),
    )
    init: dict[str, Strategy] = Field(
        default_factory=dict,
        description=(
            "Constructor arguments of a module, or the keyword arguments after the tensors of "
            "a function (such as `eps`), drawn in order."
        ),
    )
    dims: dict[str, Strategy] = Field(
        default_factory=dict, description="Further values drawn after `init`, used in shapes."
    )
    inputs: dict[str, TensorSpec] = Field(
        min_length=1, description="Arguments of forward (or of the function), in order."
    )
    compare: list[CheckName] = Field(default_factory=lambda: list(DEFAULT_COMPARE))
    atol: float = Field(default=1e-5, ge=0)
    rtol: float = Field(default=1e-4, ge=0)
    flops_slack: float = Field(
        default=0.10, ge=0, description="FLOPs may exceed the reference's by this fraction."
    )
    max_examples: int = Field(default=25, ge=1, le=10_000)
    forbid: list[Forbidden] = Field(
        default_factory=list,
        description="Calls the prompt rules out; checked as `rules` on the traced forward.",
    )
    initial: list[str] = Field(
        default_factory=list,
        description=(
            "Reference parameters (by name) whose starting values the prompt specifies; "
            "checked as `initial`: exactly where the reference starts constant, by "
            "distribution where it starts random."
        ),
    )
    joins: list[list[str]] = Field(
        default_factory=list,
        description=(
            "Reference parameters (by name) a correct answer may hold stacked along the "
            "first dimension in one parameter, in this order: a fused q, k, v projection."
        ),
    )
    steps: int = Field(
        default=5,
        ge=1,
        le=100,
        description=(
            "For an optimizer: how many steps it takes, each with freshly drawn gradients "
            "for every parameter, the same as the reference's; `trajectory` names the first "
            "step where the parameters part from the reference's."
        ),
    )
    dropout: float | str | None = Field(
        default=None,
        description=(
            "The forward zeroes elements of its first input with this probability (a number "
            "or the name of a value drawn in `init` or `dims`) in training: the grader seeds "
            "torch's generator before each forward, so a mask drawn as torch draws it "
            "matches exactly; any other mask is checked by its statistics (the share "
            "dropped, the kept values scaled by 1/(1-p), a new mask each call, gradients "
            "through the kept elements only)."
        ),
    )
    train_steps: int = Field(
        default=3,
        ge=1,
        le=20,
        description=(
            "For `train_eval`: training forwards on fresh inputs before the running "
            "statistics (floating buffers) are compared and the module is run in eval mode."
        ),
    )

    @model_validator(mode="before")
    @classmethod
    def _optimizer_compares_its_trajectory(cls, value: Any) -> Any:
        if isinstance(value, dict) and value.get("kind") == "optimizer" and "compare" not in value:
            return {**value, "compare": ["trajectory"]}
        return value

    @model_validator(mode="after")
    def _checks_fit_the_kind(self) -> Self:
        compare = set(self.compare)
        if self.kind == "optimizer":
            if compare - {"trajectory"}:
                raise ValueError(
                    "an optimizer is checked by `trajectory` only, got "
                    + ", ".join(sorted(compare - {"trajectory"}))
                )
            if any(spec.dtype not in ("float32", "float64") for spec in self.inputs.values()):
                raise ValueError("an optimizer's `inputs` are its parameters: floating tensors")
            if self.dropout is not None:
                raise ValueError("`dropout` is for a module or a function, not an optimizer")
        elif "trajectory" in compare:
            raise ValueError("`trajectory` is for `kind: optimizer`")
        if "train_eval" in compare and self.kind != "module":
            raise ValueError("`train_eval` is for modules: only a module has train and eval modes")
        if "gradcheck" in compare and self.kind not in ("function", "autograd_function"):
            raise ValueError("`gradcheck` is for a function or an autograd_function")
        if self.kind in ("optimizer", "autograd_function") and any(r.ops for r in self.forbid):
            raise ValueError(
                f"a {self.kind} is not traced, so `forbid` finds calls by `names`, not `ops`"
            )
        if isinstance(self.dropout, float) and not 0.0 <= self.dropout <= 1.0:
            raise ValueError(f"`dropout` is a probability, got {self.dropout}")
        if isinstance(self.dropout, str) and self.dropout not in {*self.init, *self.dims}:
            raise ValueError(f"`dropout`: {self.dropout!r} is not a value drawn in init or dims")
        return self

    @model_validator(mode="after")
    def _names_defined_before_use(self) -> Self:
        if self.kind != "module" and self.initial:
            raise ValueError("`initial` is for modules; a function has no parameters")
        for join in self.joins:
            if len(join) < 2 or len(set(join)) != len(join):
                raise ValueError(f"a join stacks two or more different parameters, got {join}")
        known: set[str] = set()
        for group in (self.init, self.dims):
            for name, strategy in group.items():
                if not _IDENTIFIER.match(name) or keyword.iskeyword(name):
                    raise ValueError(f"{name!r} is not a valid argument name")
                for bound in _bounds_of(strategy):
                    _check_bound(bound, known, f"bound of {name!r}")
                known.add(name)
        for arg, spec in self.inputs.items():
            for bound in spec.shape:
                _check_bound(bound, known, f"shape of input {arg!r}")
            for limit in (spec.low, spec.high):
                if isinstance(limit, str):
                    _check_bound(limit, known, f"value range of input {arg!r}")
        return self


class WrongSolution(_Model):
    """Code that must fail; ``fails`` names the first check that catches it."""

    name: str = Field(min_length=1)
    fails: CheckName
    code: str = Field(min_length=1)


class CodeQuestion(_QuestionBase):
    """Write a PyTorch module or function, graded against ``reference``."""

    kind: Literal["code"]
    entry_point: str = Field(description="Class or function name the submission must define.")
    signature: str | None = Field(
        default=None, description="How it is called, e.g. SeparableConv2d(in_channels, ...)."
    )
    starter: str = Field(min_length=1, description="Code the editor opens with.")
    reference: str = Field(min_length=1, description="A correct solution.")
    checks: Checks | None = None
    wrong_solutions: list[WrongSolution] = Field(default_factory=list)

    @field_validator("entry_point")
    @classmethod
    def _identifier(cls, name: str) -> str:
        if not _IDENTIFIER.match(name) or keyword.iskeyword(name):
            raise ValueError(f"{name!r} is not a Python identifier")
        return name

    @model_validator(mode="after")
    def _code_is_python(self) -> Self:
        for field in ("starter", "reference"):
            _parse_python(getattr(self, field), field)
        if self.entry_point not in _top_level_names(self.reference):
            raise ValueError(f"reference does not define {self.entry_point!r}")
        for index, wrong in enumerate(self.wrong_solutions):
            if wrong.fails != "compile":
                _parse_python(wrong.code, f"wrong_solutions[{index}].code")
        return self


def _parse_python(code: str, field: str) -> ast.Module:
    try:
        return ast.parse(code)
    except SyntaxError as exc:
        raise ValueError(
            f"{field} is not valid Python: {exc.msg} (line {exc.lineno}, column {exc.offset})"
        ) from None


def _top_level_names(code: str) -> set[str]:
    names: set[str] = set()
    for node in ast.parse(code).body:
        if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names
