"""The report data model: statuses, checks, counterexamples, and reading reports back."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from questions import validation_problem

from .._errors import GraderError
from ._helpers import _format_shape, _jsonable

CheckStatus = Literal["pass", "fail", "error", "skipped"]
SubmissionStatus = Literal["pass", "fail", "error"]

CHECK_STATUSES: tuple[CheckStatus, ...] = get_args(CheckStatus)
SUBMISSION_STATUSES: tuple[SubmissionStatus, ...] = get_args(SubmissionStatus)

GRADING_TEST_NAME = "grading"
"""Name of the extra JUnit / Gradescope test that carries a submission-level error."""

CAPTURED_TAIL_LINES = 20
"""Lines of captured stdout/stderr the text view shows when not verbose (the last ones)."""

_FAILED: frozenset[str] = frozenset({"fail", "error"})


class ReportFormatError(GraderError, ValueError):
    """Data that is not a valid report; the message names the field path (``checks[2].status``).

    Raised by the ``from_dict`` constructors and by the dataclasses themselves when built with
    values they cannot hold (an unknown status, a negative duration, a "pass" with a failed check).
    """


# --------------------------------------------------------------------------- data model


@dataclass(frozen=True)
class Counterexample:
    """The smallest configuration hypothesis found that makes a check fail, and how to replay it."""

    arguments: dict[str, Any]
    """JSON-able drawn values: constructor arguments and dimensions, in drawing order."""
    input_shapes: dict[str, list[int]]
    """Shape of each input tensor by argument name, e.g. ``{"x": [1, 1, 5, 5]}``."""
    seed: int
    """Seed that replays this example (``quiz grade --seed N``)."""

    def describe(self) -> str:
        """One line: ``kernel_size=5, batch=1; input x (1, 1, 5, 5)``."""
        parts = []
        if self.arguments:
            parts.append(", ".join(f"{name}={value!r}" for name, value in self.arguments.items()))
        if self.input_shapes:
            parts.append(
                ", ".join(
                    f"input {name} {_format_shape(shape)}"
                    for name, shape in self.input_shapes.items()
                )
            )
        return "; ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form; :meth:`from_dict` reads it back."""
        return {
            "arguments": {str(name): _jsonable(value) for name, value in self.arguments.items()},
            "input_shapes": {name: list(shape) for name, shape in self.input_shapes.items()},
            "seed": self.seed,
        }

    @classmethod
    def from_dict(cls, data: Any) -> Counterexample:
        """Inverse of :meth:`to_dict`; raises :class:`ReportFormatError` naming the bad field."""
        return _read(_CounterexampleData, data, "counterexample").build()


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check (compile, load, construct, parameters, output_shape, ...)."""

    name: str
    status: CheckStatus
    message: str = ""
    """One line; for ``skipped``, why the check did not run (``not run: output_shape failed``)."""
    counterexample: Counterexample | None = None
    expected: str | None = None
    actual: str | None = None
    traceback: str | None = None
    """Already cut to the submission's own lines."""
    line: int | None = None
    """Line in the submission the failure points at, if known."""
    seconds: float = 0.0

    def __post_init__(self) -> None:
        if self.status not in CHECK_STATUSES:
            raise ReportFormatError(
                f"check {self.name!r}: status must be one of {', '.join(CHECK_STATUSES)}, "
                f"got {self.status!r}"
            )
        _require_duration(self.seconds, f"check {self.name!r}")

    @property
    def passed(self) -> bool:
        """Whether the check passed (skipped and error are not passes)."""
        return self.status == "pass"

    def to_dict(self, *, timings: bool = True) -> dict[str, Any]:
        """JSON-able form; without ``timings`` there is no ``seconds`` key."""
        data: dict[str, Any] = {
            "name": self.name,
            "status": self.status,
            "message": self.message,
            "counterexample": None
            if self.counterexample is None
            else self.counterexample.to_dict(),
            "expected": self.expected,
            "actual": self.actual,
            "traceback": self.traceback,
            "line": self.line,
        }
        if timings:
            data["seconds"] = self.seconds
        return data

    @classmethod
    def from_dict(cls, data: Any) -> CheckResult:
        """Inverse of :meth:`to_dict`; raises :class:`ReportFormatError` naming the bad field."""
        return _read(_CheckData, data, "check").build()


@dataclass(frozen=True)
class SubmissionReport:
    """Everything grading one submission against one question found.

    ``status`` is ``pass`` when every check passed, ``fail`` when some check failed or raised,
    and ``error`` when grading could not finish (timeout, crash, resource limit, a child that
    exited early); the constructor refuses a ``pass`` with a check that did not pass and a
    ``fail`` without a failed check.
    """

    submission: str
    """The path as the user gave it."""
    question: str
    """``DECK/QID``."""
    status: SubmissionStatus
    checks: tuple[CheckResult, ...]
    seed: int
    error: str | None = None
    """For status ``error``: one line saying why."""
    stdout: str = ""
    """Captured output of the submission, already truncated."""
    stderr: str = ""
    isolation: tuple[str, ...] = ()
    """Notes on what was and was not isolated (e.g. no network namespace on this OS)."""
    seconds: float = 0.0

    def __post_init__(self) -> None:
        # Accept any sequence from callers but store tuples, so the report stays immutable.
        object.__setattr__(self, "checks", tuple(self.checks))
        object.__setattr__(self, "isolation", tuple(self.isolation))
        where = f"report for {self.submission!r}"
        if self.status not in SUBMISSION_STATUSES:
            raise ReportFormatError(
                f"{where}: status must be one of {', '.join(SUBMISSION_STATUSES)}, "
                f"got {self.status!r}"
            )
        if self.status == "pass" and not (self.checks and all(c.passed for c in self.checks)):
            raise ReportFormatError(f"{where}: status pass needs checks, all of them passed")
        if self.status == "fail" and not any(c.status in _FAILED for c in self.checks):
            raise ReportFormatError(f"{where}: status fail needs a check that failed or raised")
        _require_duration(self.seconds, where)

    @property
    def passed_checks(self) -> int:
        """How many checks passed."""
        return sum(1 for check in self.checks if check.passed)

    @property
    def score(self) -> float:
        """Passed checks / all checks, rounded to 4 decimals; 0.0 when there are no checks."""
        if not self.checks:
            return 0.0
        return round(self.passed_checks / len(self.checks), 4)

    @property
    def failed_checks(self) -> tuple[CheckResult, ...]:
        """Checks whose status is ``fail`` or ``error``, in order."""
        return tuple(check for check in self.checks if check.status in _FAILED)

    def to_dict(self, *, timings: bool = True) -> dict[str, Any]:
        """JSON-able form, including the derived ``score``.

        With ``timings=False`` no ``seconds`` key appears anywhere, so two runs with the same
        seed compare equal.
        """
        data: dict[str, Any] = {
            "submission": self.submission,
            "question": self.question,
            "status": self.status,
            "score": self.score,
            "seed": self.seed,
            "error": self.error,
            "checks": [check.to_dict(timings=timings) for check in self.checks],
            "stdout": self.stdout,
            "stderr": self.stderr,
            "isolation": list(self.isolation),
        }
        if timings:
            data["seconds"] = self.seconds
        return data

    @classmethod
    def from_dict(cls, data: Any) -> SubmissionReport:
        """Inverse of :meth:`to_dict`.

        Missing ``seconds`` keys read as 0.0, the derived ``score`` and unknown keys are
        ignored; anything else wrong raises :class:`ReportFormatError` naming the field path.
        """
        return _read(_ReportData, data, "report").build()


def overall_exit_code(reports: Sequence[SubmissionReport]) -> int:
    """0 if every submission passed (vacuously for none), 1 otherwise.

    Exit code 2 (usage or deck errors) is the CLI's to decide.
    """
    return 0 if all(report.status == "pass" for report in reports) else 1


# --------------------------------------------------------------------------- reading back


class _Read(BaseModel):
    """Strict: a seed of ``"42"`` or ``true`` is refused, not converted; unknown keys (the
    derived ``score``) are ignored."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)


class _CounterexampleData(_Read):
    arguments: dict[str, Any]
    input_shapes: dict[str, list[int]]
    seed: int

    def build(self) -> Counterexample:
        return Counterexample(dict(self.arguments), dict(self.input_shapes), self.seed)


class _CheckData(_Read):
    name: str
    status: CheckStatus
    message: str = ""
    counterexample: _CounterexampleData | None = None
    expected: str | None = None
    actual: str | None = None
    traceback: str | None = None
    line: int | None = None
    seconds: float = Field(default=0.0, ge=0, allow_inf_nan=False)

    def build(self) -> CheckResult:
        fields = {k: v for k, v in self if k != "counterexample"}
        example = None if self.counterexample is None else self.counterexample.build()
        return CheckResult(**fields, counterexample=example)


class _ReportData(_Read):
    submission: str
    question: str
    status: SubmissionStatus
    checks: list[_CheckData] = Field(default_factory=list)
    seed: int
    error: str | None = None
    stdout: str = ""
    stderr: str = ""
    isolation: list[str] = Field(default_factory=list)
    seconds: float = Field(default=0.0, ge=0, allow_inf_nan=False)

    def build(self) -> SubmissionReport:
        fields = {k: v for k, v in self if k not in ("checks", "isolation")}
        checks = tuple(check.build() for check in self.checks)
        return SubmissionReport(**fields, checks=checks, isolation=tuple(self.isolation))


_Data = TypeVar("_Data", _CounterexampleData, _CheckData, _ReportData)


def _read(model: type[_Data], data: Any, root: str) -> _Data:
    """``data`` checked by ``model``; :class:`ReportFormatError` naming the first bad field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ReportFormatError(validation_problem(exc.errors()[0], root)) from None


def _require_duration(seconds: float, where: str) -> None:
    if not (isinstance(seconds, int | float) and math.isfinite(seconds) and seconds >= 0):
        raise ReportFormatError(f"{where}: seconds must be a finite number >= 0, got {seconds!r}")
