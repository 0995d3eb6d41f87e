"""The deck format: pydantic models for decks and the four question kinds.

A deck is one YAML file validated against these models. Every model forbids
unknown keys so a typo in a deck is reported, not ignored. The JSON Schema that
``quiz schema`` prints is generated from here.
"""

from __future__ import annotations

import ast
import keyword
import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Self, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)

from ._arithmetic import BOUND_RULES, DECK_RULES, ArithmeticRefused, UnknownName, check_arithmetic
from ._claims import ANSWER_IN_SENTENCES, Reading, Span, find_claims
from ._claims import read as read_answer

Slug = Annotated[
    str,
    Field(
        pattern=r"^[a-z0-9][a-z0-9_-]*$",
        max_length=64,
        description="Lower-case letters, digits, '-' and '_'.",
    ),
]

CheckName = Literal[
    "compile",
    "load",
    "construct",
    "rules",
    "parameters",
    "output_shape",
    "initial",
    "outputs",
    "gradients",
    "gradcheck",
    "train_eval",
    "trajectory",
    "flops",
]
CHECK_ORDER: tuple[CheckName, ...] = get_args(CheckName)

DEFAULT_COMPARE: tuple[CheckName, ...] = ("parameters", "output_shape", "outputs", "gradients")

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --------------------------------------------------------------------------- concept


class KeyPoint(_Model):
    """One rubric point; an answer hits it when a pattern matches a claim the answer makes.

    Patterns are matched against the normalised answer (see ``questions._claims``): a match
    in a clause that makes no claim, a negated match, or one whose words all come from the
    prompt earns nothing.
    """

    point: str = Field(min_length=1, description="What a good answer says, shown as hit/missed.")
    patterns: list[str] = Field(
        min_length=1,
        description=(
            "Case-insensitive regular expressions over the normalised answer (ASCII math, "
            "contractions spelled out); a match in a clause that asserts it counts as a hit."
        ),
    )

    @field_validator("patterns")
    @classmethod
    def _patterns_compile(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            if not pattern.strip():
                raise ValueError("a pattern must not be empty")
            try:
                re.compile(pattern, re.IGNORECASE)
            except re.error as exc:
                raise ValueError(
                    f"pattern {pattern!r} is not a valid regular expression: {exc}"
                ) from None
        return patterns

    def claims_in(self, reading: Reading) -> tuple[list[Span], list[Span]]:
        """(the answer's claims that make this point, matches that earn nothing)."""
        return find_claims(self.patterns, reading)

    def hit_by(self, text: str, prompt: str = "") -> bool:
        """Whether ``text``, answering ``prompt``, makes this point."""
        made, _ = self.claims_in(read_answer(text, prompt))
        return bool(made)


@dataclass(frozen=True)
class KeyPointVerdict:
    """One key point judged: hit or not, and where in the answer (offsets for highlighting)."""

    key_point: KeyPoint
    hit: bool
    claims: tuple[Span, ...]
    """The answer's spans that make the point."""
    void: tuple[Span, ...]
    """Matches that earn nothing: negated, only the prompt's words, or in a list of terms."""


@dataclass(frozen=True)
class Judgement:
    """A free-text answer judged against every key point of a concept question."""

    verdicts: tuple[KeyPointVerdict, ...]
    makes_claims: bool
    """False for an answer with no sentence that asserts anything (a list of terms)."""

    @property
    def score(self) -> float:
        """The share of key points hit (1.0 when the question has none)."""
        if not self.verdicts:
            return 1.0
        return sum(v.hit for v in self.verdicts) / len(self.verdicts)

    @property
    def advice(self) -> str | None:
        """What to tell the learner about the form of the answer, if anything."""
        listed = any(v.void for v in self.verdicts) or not self.verdicts
        return ANSWER_IN_SENTENCES if not self.makes_claims and listed else None

    def pairs(self) -> list[tuple[KeyPoint, bool]]:
        return [(v.key_point, v.hit) for v in self.verdicts]


class _QuestionBase(_Model):
    id: Slug = Field(description="Unique within the deck; the full id is DECK/ID.")
    title: str | None = Field(default=None, description="Short title for lists.")
    prompt: str = Field(min_length=1, description="Markdown with $LaTeX$ math.")
    answer: str = Field(
        min_length=1, description="Reference answer and working, markdown with $LaTeX$."
    )
    hints: list[str] = Field(default_factory=list, description="Shown on request, cost points.")
    tags: list[str] = Field(default_factory=list)
    expected_seconds: int | None = Field(
        default=None, gt=0, description="Time a prepared candidate needs; fast and right → Easy."
    )
    replaced_by: str | None = Field(
        default=None,
        pattern=r"^[a-z0-9][a-z0-9-]*/[a-z0-9][a-z0-9-]*$",
        description=(
            "Only in a deck's `retired` list: the DECK/QID that now asks this question. A "
            "retired question is never offered again; progress on it moves to its replacement."
        ),
    )

    @property
    def heading(self) -> str:
        """A one-line title: ``title`` or the prompt's first line."""
        if self.title:
            return self.title
        first = self.prompt.strip().splitlines()[0]
        return first if len(first) <= 80 else first[:79] + "…"


ExampleKind = Literal["correct", "misconception", "keywords"]


class Example(_Model):
    """A sample answer that proves the key points judge fairly (check-deck runs it).

    By default a ``correct`` example must hit every key point and a wrong one
    (``misconception`` or ``keywords``) must hit none; ``hits`` and ``misses``
    (key point numbers, counted from 1) narrow that down.
    """

    answer: str = Field(min_length=1, description="The sample answer, as a learner would type it.")
    kind: ExampleKind = Field(
        description="correct, misconception (a confident wrong answer) or keywords (a bare list)."
    )
    hits: list[Annotated[int, Field(ge=1)]] | None = Field(
        default=None, description="Key points (from 1) this answer must hit."
    )
    misses: list[Annotated[int, Field(ge=1)]] | None = Field(
        default=None, description="Key points (from 1) this answer must not hit."
    )

    def expected(self, count: int) -> tuple[frozenset[int], frozenset[int]]:
        """The key point numbers this example must hit, and those it must miss."""
        every = frozenset(range(1, count + 1))
        if self.kind == "correct":
            hits = frozenset(self.hits) if self.hits is not None else every
            misses = frozenset(self.misses or ())
        else:
            hits = frozenset(self.hits or ())
            misses = frozenset(self.misses) if self.misses is not None else every - hits
        return hits, misses


class ConceptQuestion(_QuestionBase):
    """Free-text answer, self-rated, with rubric key points."""

    kind: Literal["concept"]
    key_points: list[KeyPoint] = Field(default_factory=list)
    examples: list[Example] = Field(
        default_factory=list,
        description="Sample answers, right and wrong, that check-deck runs through the key points.",
    )

    @model_validator(mode="after")
    def _examples_name_key_points(self) -> Self:
        count = len(self.key_points)
        for number, example in enumerate(self.examples, 1):
            named = [*(example.hits or ()), *(example.misses or ())]
            if any(point > count for point in named):
                raise ValueError(
                    f"example {number} names key point {max(named)}, but the question has {count}"
                )
            if set(example.hits or ()) & set(example.misses or ()):
                raise ValueError(f"example {number} lists a key point as both hit and missed")
        return self

    def judge(self, text: str) -> Judgement:
        """``text`` judged against each key point, with the spans that make each one."""
        reading = read_answer(text, self.prompt)
        verdicts = []
        for key_point in self.key_points:
            made, void = key_point.claims_in(reading)
            verdicts.append(KeyPointVerdict(key_point, bool(made), tuple(made), tuple(void)))
        return Judgement(tuple(verdicts), reading.makes_claims)

    def rubric(self, text: str) -> list[tuple[KeyPoint, bool]]:
        """Each key point with whether ``text`` makes it (see :meth:`judge` for the spans)."""
        return self.judge(text).pairs()


# --------------------------------------------------------------------------- numeric


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


# --------------------------------------------------------------------------- choice


class ChoiceOption(_Model):
    text: str = Field(min_length=1)
    correct: bool = False
    why: str | None = Field(default=None, description="Shown after answering.")


class ChoiceQuestion(_QuestionBase):
    """Pick one option (or several when ``multiple``)."""

    kind: Literal["choice"]
    options: list[ChoiceOption] = Field(min_length=2)
    multiple: bool = False

    @model_validator(mode="after")
    def _right_number_correct(self) -> Self:
        correct = sum(o.correct for o in self.options)
        if correct == 0:
            raise ValueError("no option is marked correct")
        if not self.multiple and correct > 1:
            raise ValueError(f"{correct} options are correct; set `multiple: true` or mark one")
        return self

    @property
    def correct_indices(self) -> frozenset[int]:
        return frozenset(i for i, o in enumerate(self.options) if o.correct)


# --------------------------------------------------------------------------- code


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


# --------------------------------------------------------------------------- deck


AnyQuestion = ConceptQuestion | NumericQuestion | ChoiceQuestion | CodeQuestion
Question = Annotated[AnyQuestion, Field(discriminator="kind")]
Kind = Literal["concept", "numeric", "choice", "code"]
"""The kinds of question."""
QUESTION_KINDS: tuple[Kind, ...] = get_args(Kind)


class Deck(_Model):
    """A named, ordered set of questions, stored as one YAML file."""

    id: Slug
    title: str = Field(min_length=1)
    source: str | None = Field(default=None, description="Where the questions come from.")
    description: str | None = None
    questions: list[Question] = Field(min_length=1)
    retired: list[Question] = Field(
        default_factory=list,
        description=(
            "Questions no longer asked, kept so that the ids users' progress refers to stay "
            "valid; each names its `replaced_by`."
        ),
    )

    @model_validator(mode="after")
    def _retired_name_their_replacement(self) -> Self:
        for question in self.questions:
            if question.replaced_by is not None:
                raise ValueError(
                    f"question {question.id!r} has `replaced_by`: move it to `retired`"
                )
        live = {q.id for q in self.questions}
        for question in self.retired:
            if question.replaced_by is None:
                raise ValueError(f"retired question {question.id!r} needs `replaced_by`")
            if question.id in live:
                raise ValueError(f"{question.id!r} is both asked and retired")
            if question.replaced_by == f"{self.id}/{question.id}":
                raise ValueError(f"retired question {question.id!r} cannot replace itself")
        return self

    def replacements(self) -> dict[str, str]:
        """``DECK/QID`` of each retired question → the ``DECK/QID`` that replaces it."""
        return {f"{self.id}/{q.id}": q.replaced_by for q in self.retired if q.replaced_by}

    def counts_by_kind(self) -> dict[str, int]:
        counts: dict[str, int] = dict.fromkeys(QUESTION_KINDS, 0)
        for q in self.questions:
            counts[q.kind] += 1
        return counts

    def get(self, question_id: str) -> AnyQuestion | None:
        """The question asked with this id (retired questions are not)."""
        return next((q for q in self.questions if q.id == question_id), None)


def deck_json_schema() -> dict[str, Any]:
    """The JSON Schema of a deck file."""
    schema = Deck.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "mlquiz deck"
    return schema
