"""The deck format: pydantic models for decks and the four question kinds.

A deck is one YAML file validated against these models. Every model forbids
unknown keys so a typo in a deck is reported, not ignored. The JSON Schema that
``quiz schema`` prints is generated from here.
"""

from __future__ import annotations

import ast
import keyword
import re
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
    "flops",
]
CHECK_ORDER: tuple[CheckName, ...] = get_args(CheckName)

DEFAULT_COMPARE: tuple[CheckName, ...] = ("parameters", "output_shape", "outputs", "gradients")

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --------------------------------------------------------------------------- concept


class KeyPoint(_Model):
    """One rubric point; a free-text answer hits it when any pattern matches."""

    point: str = Field(min_length=1, description="What a good answer says, shown as hit/missed.")
    patterns: list[str] = Field(
        min_length=1,
        description="Case-insensitive regular expressions; any match counts as a hit.",
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

    def hit_by(self, text: str) -> bool:
        """Whether ``text`` mentions this point."""
        return any(re.search(p, text, re.IGNORECASE) for p in self.patterns)


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

    def rubric(self, text: str) -> list[tuple[KeyPoint, bool]]:
        """Each key point with whether ``text`` hits it."""
        return [(kp, kp.hit_by(text)) for kp in self.key_points]


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
    """A call the prompt rules out, found by the ATen operations it leaves in a traced forward."""

    call: str = Field(min_length=1, description="What the learner is told, e.g. `F.hardswish`.")
    ops: list[str] = Field(
        min_length=1,
        description="ATen operations it leaves, e.g. `aten.hardswish` (any overload).",
    )

    @field_validator("ops")
    @classmethod
    def _aten_names(cls, ops: list[str]) -> list[str]:
        for op in ops:
            if not re.fullmatch(r"aten\.[a-z0-9_]+(\.[a-zA-Z0-9_]+)?", op):
                raise ValueError(f"{op!r} is not an ATen operation name such as aten.hardswish")
        return ops


class Checks(_Model):
    """How the grader tests a code answer; turned into hypothesis strategies."""

    kind: Literal["module", "function"] = "module"
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

    @model_validator(mode="after")
    def _names_defined_before_use(self) -> Self:
        if self.kind == "function" and self.initial:
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

    def counts_by_kind(self) -> dict[str, int]:
        counts: dict[str, int] = dict.fromkeys(QUESTION_KINDS, 0)
        for q in self.questions:
            counts[q.kind] += 1
        return counts

    def get(self, question_id: str) -> AnyQuestion | None:
        return next((q for q in self.questions if q.id == question_id), None)


def deck_json_schema() -> dict[str, Any]:
    """The JSON Schema of a deck file."""
    schema = Deck.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "mlquiz deck"
    return schema
