"""Grading reports: one data model for the outcome of grading code submissions, four renderings.

Provides

- :class:`Counterexample`, :class:`CheckResult` and :class:`SubmissionReport`, frozen
  dataclasses the grading engine builds, with ``to_dict`` / ``from_dict`` (JSON-able, and a
  round trip: ``SubmissionReport.from_dict(report.to_dict()) == report``);
- :func:`overall_exit_code`: 0 when every submission passed, 1 otherwise;
- :func:`render_text` (rich, for a terminal), :func:`to_json_lines` (one object per submission),
  :func:`to_junit` (JUnit XML for CI) and :func:`to_gradescope` (Gradescope ``results.json``).

Reports carry text a hostile submission controls (its messages, tracebacks, printed output).
Every rendering keeps that text inert: the terminal view shows control characters as escapes
instead of sending them to the terminal, JUnit XML escapes the characters XML 1.0 forbids, and
JSON Lines is always strict, UTF-8-encodable JSON.

A report whose grading could not finish (status ``error``) never looks like a pass: JUnit gets
an extra ``grading`` test case carrying the error and Gradescope an extra ``grading`` test worth
one point that is never awarded.

Importing this module is light: rich is imported only inside :func:`render_text`.
"""

from __future__ import annotations

import json
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeVar, get_args

from ._errors import GraderError
from .numeric import format_percent

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
    from rich.text import Text

CheckStatus = Literal["pass", "fail", "error", "skipped"]
SubmissionStatus = Literal["pass", "fail", "error"]

CHECK_STATUSES: tuple[CheckStatus, ...] = get_args(CheckStatus)
SUBMISSION_STATUSES: tuple[SubmissionStatus, ...] = get_args(SubmissionStatus)

GRADING_TEST_NAME = "grading"
"""Name of the extra JUnit / Gradescope test that carries a submission-level error."""

CAPTURED_TAIL_LINES = 20
"""Lines of captured stdout/stderr the text view shows when not verbose (the last ones)."""

_FAILED: frozenset[str] = frozenset({"fail", "error"})
_T = TypeVar("_T")


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
        return _counterexample_from_dict(data, "counterexample")


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
        return _check_from_dict(data, "check")


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
        mapping = _require_mapping(data, "report")
        checks = _require(mapping, "checks", list, "a list", "report", default=[])
        return cls(
            submission=_require(mapping, "submission", str, "a string", "report"),
            question=_require(mapping, "question", str, "a string", "report"),
            status=_require_status(mapping, SUBMISSION_STATUSES, "report"),
            checks=tuple(
                _check_from_dict(check, f"checks[{index}]") for index, check in enumerate(checks)
            ),
            seed=_require_int(mapping, "seed", "report"),
            error=_optional(mapping, "error", str, "a string", "report"),
            stdout=_require(mapping, "stdout", str, "a string", "report", default=""),
            stderr=_require(mapping, "stderr", str, "a string", "report", default=""),
            isolation=tuple(_string_list(mapping, "isolation", "report")),
            seconds=_read_seconds(mapping, "report"),
        )


def overall_exit_code(reports: Sequence[SubmissionReport]) -> int:
    """0 if every submission passed (vacuously for none), 1 otherwise.

    Exit code 2 (usage or deck errors) is the CLI's to decide.
    """
    return 0 if all(report.status == "pass" for report in reports) else 1


# --------------------------------------------------------------------------- JSON Lines


def to_json_lines(reports: Sequence[SubmissionReport], *, timings: bool = True) -> str:
    """One JSON object per submission (:meth:`SubmissionReport.to_dict`), one per line.

    Keys are sorted and non-ASCII text is kept as is (``ensure_ascii=False``); every line ends
    with a newline. The output is strict JSON (no ``NaN``), always encodable as UTF-8 and split
    only by its newlines: lone surrogates (which a submission's undecodable output can produce)
    and U+0085, U+2028 and U+2029 are written as ``\\uXXXX`` escapes, which parse back to the
    same string.
    """
    lines = []
    for report in reports:
        text = json.dumps(
            report.to_dict(timings=timings),
            sort_keys=True,
            ensure_ascii=False,
            allow_nan=False,
        )
        lines.append(_JSON_RAW_UNSAFE.sub(_json_escape, text) + "\n")
    return "".join(lines)


# --------------------------------------------------------------------------- JUnit XML


def to_junit(reports: Sequence[SubmissionReport]) -> str:
    """JUnit XML: ``<testsuites>``, a ``<testsuite>`` per submission, a ``<testcase>`` per check.

    - a test case's ``classname`` is the question (``DECK/QID``), its ``name`` the check;
    - ``fail`` becomes ``<failure>``, ``error`` ``<error>``, ``skipped`` ``<skipped>``; the
      element's ``message`` is the check's message, its text the counterexample,
      expected/actual, the line, the replay seed and the traceback;
    - a report with status ``error`` gets one more test case, ``grading``, with an ``<error>``
      carrying the report's error, so a suite whose grading never finished is never green;
    - the seed, status, score and isolation notes are ``<property>`` elements, the captured
      output ``<system-out>`` / ``<system-err>``;
    - characters XML 1.0 forbids (``\\x00``, ``\\x1b``, lone surrogates, ...) are written as
      visible escapes such as ``\\x1b``, so the document stays well-formed.
    """
    root = ET.Element("testsuites", {"name": "mlquiz"})
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    total_seconds = 0.0
    for report in reports:
        suite = _junit_suite(report)
        root.append(suite)
        for key in totals:
            totals[key] += int(suite.get(key, "0"))
        total_seconds += report.seconds
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("time", _format_seconds(total_seconds))
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _junit_suite(report: SubmissionReport) -> ET.Element:
    suite = ET.Element("testsuite", {"name": _xml_safe(report.submission)})
    properties = ET.SubElement(suite, "properties")
    for name, value in (
        ("question", report.question),
        ("status", report.status),
        ("score", str(report.score)),
        ("seed", str(report.seed)),
        *(("isolation", note) for note in report.isolation),
    ):
        ET.SubElement(properties, "property", {"name": name, "value": _xml_safe(value)})

    counts = {"fail": 0, "error": 0, "skipped": 0}
    classname = _xml_safe(report.question)
    for check in report.checks:
        case = ET.SubElement(
            suite,
            "testcase",
            {
                "classname": classname,
                "name": _xml_safe(check.name),
                "time": _format_seconds(check.seconds),
            },
        )
        if check.status == "pass":
            continue
        counts[check.status] += 1
        message = _xml_safe(check.message or f"{check.name}: {check.status}")
        if check.status == "skipped":
            ET.SubElement(case, "skipped", {"message": message})
            continue
        tag, kind = (
            ("failure", "CheckFailure") if check.status == "fail" else ("error", "CheckError")
        )
        outcome = ET.SubElement(case, tag, {"message": message, "type": kind})
        outcome.text = _xml_safe("\n".join(_detail_lines(check, report.seed, traceback=True)))

    tests = len(report.checks)
    if report.status == "error":
        tests += 1
        counts["error"] += 1
        case = ET.SubElement(
            suite, "testcase", {"classname": classname, "name": GRADING_TEST_NAME, "time": "0.000"}
        )
        reason = report.error or "grading could not finish"
        error = ET.SubElement(case, "error", {"message": _xml_safe(reason), "type": "GradingError"})
        error.text = _xml_safe(reason)

    if report.stdout:
        ET.SubElement(suite, "system-out").text = _xml_safe(report.stdout)
    if report.stderr:
        ET.SubElement(suite, "system-err").text = _xml_safe(report.stderr)
    suite.set("tests", str(tests))
    suite.set("failures", str(counts["fail"]))
    suite.set("errors", str(counts["error"]))
    suite.set("skipped", str(counts["skipped"]))
    suite.set("time", _format_seconds(report.seconds))
    return suite


# --------------------------------------------------------------------------- Gradescope


def to_gradescope(reports: Sequence[SubmissionReport]) -> dict[str, Any]:
    """Gradescope autograder ``results.json`` content (a JSON-able dict).

    For exactly one report::

        {"score": 5, "max_score": 8, "execution_time": 1.234, "output": "...",
         "tests": [{"name": "compile", "score": 1, "max_score": 1, "status": "passed",
                    "output": "..."}, ...],
         "visibility": "visible", "stdout_visibility": "hidden"}

    Each check is worth one point and scores it only when it passed (skipped and error checks
    score 0, status ``failed``). A report with status ``error`` gets one more test, ``grading``,
    worth one point and never awarded, carrying the error: a submission whose grading could not
    finish never gets full marks. ``output`` says the submission, question, status and score,
    and for an error the reason and the captured stdout/stderr.

    For several reports (batch grading outside Gradescope) the result is
    ``{"submissions": [<one such object per report>, ...]}`` in the order given.
    """
    objects = [_gradescope_one(report) for report in reports]
    if len(objects) == 1:
        return objects[0]
    return {"submissions": objects}


def _gradescope_one(report: SubmissionReport) -> dict[str, Any]:
    tests: list[dict[str, Any]] = []
    for check in report.checks:
        lines = [check.message] if check.message else []
        if check.status in _FAILED:
            lines.extend(_detail_lines(check, report.seed, traceback=True))
        tests.append(
            {
                "name": check.name,
                "score": 1 if check.passed else 0,
                "max_score": 1,
                "status": "passed" if check.passed else "failed",
                "output": "\n".join(lines),
            }
        )
    if report.status == "error":
        tests.append(
            {
                "name": GRADING_TEST_NAME,
                "score": 0,
                "max_score": 1,
                "status": "failed",
                "output": f"error: {report.error or 'grading could not finish'}",
            }
        )
    score = sum(test["score"] for test in tests)
    max_score = len(tests)
    output = [
        f"{report.submission}: {report.question}: {report.status}, "
        f"{score}/{max_score} checks passed"
    ]
    if report.status == "error":
        output.append(f"error: {report.error or 'grading could not finish'}")
        for name, captured in (("stdout", report.stdout), ("stderr", report.stderr)):
            if captured:
                output.extend((f"--- captured {name} ---", fenced(captured)))
    return {
        "score": score,
        "max_score": max_score,
        "execution_time": round(report.seconds, 3),
        "output": "\n".join(output),
        "tests": tests,
        "visibility": "visible",
        "stdout_visibility": "hidden",
    }


# --------------------------------------------------------------------------- text (rich)

_MARKS: dict[str, tuple[str, str]] = {
    "pass": ("✓", "green"),
    "fail": ("✗", "bold red"),
    "error": ("!", "bold yellow"),
    "skipped": ("·", "dim"),
}
_STATUS_STYLES: dict[str, str] = {"pass": "bold green", "fail": "bold red", "error": "bold yellow"}


def render_text(
    reports: Sequence[SubmissionReport], *, console: Console, verbose: bool = False
) -> None:
    """Print reports for a person, readable at 80 columns.

    Per submission: a header (path, question, coloured status, score, seed), then one line per
    check with a mark (✓ pass, ✗ fail, ! error, · skipped) and its message. Under a failed or
    raising check: the counterexample, expected vs actual, the line and the traceback; a report
    that did not pass ends with ``replay with --seed N``, once. Captured stdout/stderr appear
    when ``verbose`` (in full) or when grading ended in an error (the last
    :data:`CAPTURED_TAIL_LINES` lines); ``verbose`` also shows timings and isolation notes.
    With more than one report, a summary table and totals follow. Text from the submission is
    shown with control characters escaped, so it cannot drive the terminal. On a console that
    is not a terminal (a pipe, a file) lines carry no trailing spaces.
    """
    for index, report in enumerate(reports):
        if index:
            console.print()
        for renderable in _report_renderables(report, verbose=verbose):
            _print(console, renderable)
    if len(reports) > 1:
        console.print()
        for renderable in _summary_renderables(reports):
            _print(console, renderable)


def _print(console: Console, renderable: RenderableType) -> None:
    """Print ``renderable``; where no terminal shows it, without the spaces rich pads each line
    to the console's width with (they would end up in the pipe or the file)."""
    if console.is_terminal:
        console.print(renderable)
        return
    from rich.segment import Segment, Segments

    for line in console.render_lines(renderable, pad=False):
        segments = list(line)
        while segments and not segments[-1].control:
            last = segments.pop()
            text = last.text.rstrip(" ")
            if text:
                segments.append(Segment(text, last.style))
                break
        console.print(Segments([*segments, Segment.line()]))


def _report_renderables(report: SubmissionReport, *, verbose: bool) -> list[RenderableType]:
    from rich.padding import Padding
    from rich.table import Table
    from rich.text import Text

    header = Text(overflow="fold")
    header.append(terminal_safe(report.submission), style="bold")
    header.append("  ")
    header.append(terminal_safe(report.question), style="cyan")
    header.append("  ")
    header.append(report.status.upper(), style=_STATUS_STYLES[report.status])
    header.append(f"  {report.passed_checks}/{len(report.checks)} checks ({_score(report)})")
    header.append(f"  seed {report.seed}", style="dim")
    if verbose:
        header.append(f"  {report.seconds:.2f} s", style="dim")
    out: list[RenderableType] = [header]
    if report.status == "error":
        reason = Text("  error: ", style="bold yellow")
        reason.append(terminal_safe(report.error or "grading could not finish"), style="yellow")
        out.append(reason)

    name_width = max((len(check.name) for check in report.checks), default=0)
    for check in report.checks:
        mark, style = _MARKS[check.status]
        row = Table.grid(padding=(0, 1), pad_edge=False)
        row.add_column(width=1, no_wrap=True)
        row.add_column(width=min(name_width, 20), no_wrap=True, overflow="ellipsis")
        row.add_column(ratio=1, overflow="fold")
        message = Text(
            terminal_safe(check.message), style="dim" if check.status == "skipped" else ""
        )
        if verbose:
            message.append(f" ({check.seconds:.2f} s)", style="dim")
        row.add_row(Text(mark, style=style), Text(terminal_safe(check.name), style=style), message)
        out.append(Padding(row, (0, 0, 0, 2)))
        if check.status in _FAILED:
            out.append(Padding(_check_details(check, report.seed), (0, 0, 0, 6)))
    if any(check.status in _FAILED for check in report.checks):
        out.append(Text(f"  replay with --seed {report.seed}", style="dim"))

    if verbose and report.isolation:
        out.append(Text("  isolation:", style="dim"))
        out.extend(
            Padding(Text(terminal_safe(note), style="dim", overflow="fold"), (0, 0, 0, 4))
            for note in report.isolation
        )
    if verbose or report.status == "error":
        for name, captured in (("stdout", report.stdout), ("stderr", report.stderr)):
            if captured:
                out.extend(_captured(name, captured, full=verbose))
    return out


def _check_details(check: CheckResult, seed: int) -> RenderableType:
    from rich.console import Group
    from rich.syntax import Syntax

    parts: list[RenderableType] = [
        _labelled(line) for line in _detail_lines(check, seed, traceback=False, replay=False)
    ]
    if check.traceback:
        parts.append(
            Syntax(
                fenced(terminal_safe(check.traceback)),
                "pytb",
                theme="ansi_dark",
                background_color="default",
                word_wrap=True,
            )
        )
    return Group(*parts)


def _labelled(line: str) -> Text:
    from rich.text import Text

    label, separator, rest = line.partition(": ")
    if not separator or " " in label:
        return Text(terminal_safe(line), style="dim", overflow="fold")
    text = Text(overflow="fold")
    text.append(label + separator, style="bold")
    text.append(terminal_safe(rest))
    return text


def fenced(captured: str) -> str:
    """A submission's output with every line behind a bar, so none can pass for a verdict."""
    return "\n".join(f"│ {line}" for line in captured.rstrip("\n").split("\n"))


def _captured(name: str, captured: str, *, full: bool) -> list[RenderableType]:
    from rich.padding import Padding
    from rich.text import Text

    lines = fenced(terminal_safe(captured)).split("\n")
    title = f"  captured {name}"
    if not full and len(lines) > CAPTURED_TAIL_LINES:
        title += f" (last {CAPTURED_TAIL_LINES} of {len(lines)} lines; --verbose shows all)"
        lines = lines[-CAPTURED_TAIL_LINES:]
    return [
        Text(title + ":", style="bold dim"),
        Padding(Text("\n".join(lines), style="dim", overflow="fold"), (0, 0, 0, 4)),
    ]


def _summary_renderables(reports: Sequence[SubmissionReport]) -> list[RenderableType]:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(title="Summary", box=box.SIMPLE_HEAD, title_justify="left", expand=False)
    table.add_column("submission", overflow="fold", ratio=3)
    table.add_column("status", no_wrap=True)
    table.add_column("score", justify="right", no_wrap=True)
    table.add_column("failed checks", overflow="fold", ratio=2)
    for report in reports:
        failed = ", ".join(terminal_safe(check.name) for check in report.failed_checks)
        if report.status == "error":
            reason = terminal_safe(report.error or "grading could not finish")
            failed = f"{failed}; {reason}" if failed else reason
        table.add_row(
            terminal_safe(report.submission),
            Text(report.status, style=_STATUS_STYLES[report.status]),
            _score(report),
            failed or "—",
        )
    counts = {status: 0 for status in SUBMISSION_STATUSES}
    for report in reports:
        counts[report.status] += 1
    totals = Text(f"{len(reports)} submissions: ")
    for index, status in enumerate(SUBMISSION_STATUSES):
        if index:
            totals.append(" / ")
        totals.append(f"{counts[status]} {status}", style=_STATUS_STYLES[status])
    return [table, totals]


# --------------------------------------------------------------------------- shared helpers


def _detail_lines(
    check: CheckResult, seed: int, *, traceback: bool, replay: bool = True
) -> list[str]:
    """The explanation under a failed check, one ``label: value`` per line. Without
    ``replay``, the replay line only when the check's seed is not the report's ``seed``
    (the text report says the report's seed once, at its end)."""
    lines = []
    if check.counterexample is not None:
        lines.append(f"counterexample: {check.counterexample.describe()}")
    if check.expected is not None:
        lines.append(f"expected: {check.expected}")
    if check.actual is not None:
        lines.append(f"actual: {check.actual}")
    if check.line is not None:
        lines.append(f"line: {check.line}")
    replay_seed = check.counterexample.seed if check.counterexample is not None else seed
    if replay or replay_seed != seed:
        lines.append(f"replay with --seed {replay_seed}")
    if traceback and check.traceback:
        lines.extend(("", fenced(check.traceback)))
    return lines


def _format_shape(shape: Sequence[int]) -> str:
    return str(tuple(shape))


def _score(report: SubmissionReport) -> str:
    return format_percent(report.score, decimals=1, trim=True)


def _format_seconds(seconds: float) -> str:
    return f"{seconds:.3f}"


def _jsonable(value: Any) -> Any:
    """A copy of ``value`` that ``json.dumps(allow_nan=False)`` accepts.

    The engine promises JSON-able values; this is the safety net that keeps a renderer from
    crashing on one it did not expect (tuples become lists, non-finite floats and unknown
    objects become their text).
    """
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Mapping):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    return repr(value)


def _require_duration(seconds: float, where: str) -> None:
    if not (isinstance(seconds, int | float) and math.isfinite(seconds) and seconds >= 0):
        raise ReportFormatError(f"{where}: seconds must be a finite number >= 0, got {seconds!r}")


# XML 1.0 allows tab, LF, CR and everything from U+0020 except surrogates, U+FFFE and U+FFFF.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# What must not reach a terminal verbatim: C0 controls but tab and newline (CR included: it
# rewrites the line), DEL, C1 controls (CSI is U+009B), lone surrogates, and the bidirectional
# overrides and isolates that reorder what is shown.
_TERMINAL_UNSAFE = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u200e\u200f\u2028\u2029\u202a-\u202e"
    r"\u2066-\u2069]"
)
# Escaped in JSON Lines although JSON allows them raw: lone surrogates cannot be encoded as
# UTF-8, and NEL and the Unicode line and paragraph separators are line breaks to
# ``str.splitlines`` and some JSON Lines readers.
_JSON_RAW_UNSAFE = re.compile(r"[\ud800-\udfff\x85\u2028\u2029]")


def _escape_character(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def _xml_safe(text: str) -> str:
    return _XML_ILLEGAL.sub(_escape_character, text)


def terminal_safe(text: str) -> str:
    """``text`` with what must not reach a terminal verbatim shown as ``\\xNN``/``\\uNNNN``.

    Controls but tab and newline (a CR LF pair becomes a newline), DEL, C1 controls, lone
    surrogates, line and paragraph separators, and bidirectional overrides and isolates.
    """
    return _TERMINAL_UNSAFE.sub(_escape_character, text.replace("\r\n", "\n"))


# --------------------------------------------------------------------------- reading dicts

_MISSING: Any = object()


def _require_mapping(data: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise ReportFormatError(f"{path}: expected an object, got {type(data).__name__}")
    return data


def _require(
    data: Mapping[str, Any],
    key: str,
    kind: type | tuple[type, ...],
    described: str,
    path: str,
    *,
    default: Any = _MISSING,
) -> Any:
    if key not in data:
        if default is _MISSING:
            raise ReportFormatError(f"{path}.{key}: missing")
        return default
    value = data[key]
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise ReportFormatError(f"{path}.{key}: expected {described}, got {type(value).__name__}")
    return value


def _optional(
    data: Mapping[str, Any], key: str, kind: type[_T], described: str, path: str
) -> _T | None:
    if data.get(key) is None:
        return None
    value: _T = _require(data, key, kind, described, path)
    return value


def _require_int(data: Mapping[str, Any], key: str, path: str) -> int:
    value: int = _require(data, key, int, "an integer", path)
    return value


def _read_seconds(data: Mapping[str, Any], path: str) -> float:
    value = _require(data, "seconds", (int, float), "a number", path, default=0.0)
    if not (math.isfinite(value) and value >= 0):
        raise ReportFormatError(f"{path}.seconds: expected a finite number >= 0, got {value!r}")
    return float(value)


def _require_status(data: Mapping[str, Any], allowed: tuple[str, ...], path: str) -> Any:
    value = _require(data, "status", str, "a string", path)
    if value not in allowed:
        raise ReportFormatError(
            f"{path}.status: expected one of {', '.join(map(str, allowed))}, got {value!r}"
        )
    return value


def _string_list(data: Mapping[str, Any], key: str, path: str) -> list[str]:
    values = _require(data, key, list, "a list", path, default=[])
    for index, value in enumerate(values):
        if not isinstance(value, str):
            raise ReportFormatError(
                f"{path}.{key}[{index}]: expected a string, got {type(value).__name__}"
            )
    return list(values)


def _counterexample_from_dict(data: Any, path: str) -> Counterexample:
    mapping = _require_mapping(data, path)
    arguments = _require(mapping, "arguments", Mapping, "an object", path)
    shapes = _require(mapping, "input_shapes", Mapping, "an object", path)
    input_shapes: dict[str, list[int]] = {}
    for name, shape in shapes.items():
        where = f"{path}.input_shapes.{name}"
        if not isinstance(shape, list) or not all(
            isinstance(size, int) and not isinstance(size, bool) for size in shape
        ):
            raise ReportFormatError(f"{where}: expected a list of integers, got {shape!r}")
        input_shapes[str(name)] = list(shape)
    return Counterexample(
        arguments={str(name): value for name, value in arguments.items()},
        input_shapes=input_shapes,
        seed=_require_int(mapping, "seed", path),
    )


def _check_from_dict(data: Any, path: str) -> CheckResult:
    mapping = _require_mapping(data, path)
    counterexample = mapping.get("counterexample")
    return CheckResult(
        name=_require(mapping, "name", str, "a string", path),
        status=_require_status(mapping, CHECK_STATUSES, path),
        message=_require(mapping, "message", str, "a string", path, default=""),
        counterexample=(
            None
            if counterexample is None
            else _counterexample_from_dict(counterexample, f"{path}.counterexample")
        ),
        expected=_optional(mapping, "expected", str, "a string", path),
        actual=_optional(mapping, "actual", str, "a string", path),
        traceback=_optional(mapping, "traceback", str, "a string", path),
        line=_optional(mapping, "line", int, "an integer", path),
        seconds=_read_seconds(mapping, path),
    )
