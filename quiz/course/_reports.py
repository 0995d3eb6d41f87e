"""Class reports: the gradebook (CSV, text, JSON Lines, JUnit, Gradescope) and feedback files.

All are renderings of one :class:`ClassResult`. JSON Lines, one record per student and
question, carries everything (the full grader report included), so ``quiz merge`` rebuilds
every other rendering from the JSON Lines of several shards.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from grader import CheckResult, SubmissionReport, terminal_safe, to_junit

from ._grading import ClassResult, CourseError, QuestionGrade

if TYPE_CHECKING:
    from rich.console import Console

FORMATS = ("text", "json", "csv", "junit", "gradescope")


def number(value: float) -> str:
    """``10`` for 10.0, ``7.14`` for 7.142857: how points read in a gradebook."""
    rounded = round(value, 2)
    return str(int(rounded)) if rounded == int(rounded) else f"{rounded:g}"


# --------------------------------------------------------------------------- CSV


def to_csv(result: ClassResult) -> str:
    """One row per student: ``student``, one column per question id (points earned), ``total``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", *(q for q, _ in result.questions), "total"])
    for student in result.students:
        by_question = {g.question: g for g in result.of(student)}
        row = [_spreadsheet_safe(student)]
        for question, _ in result.questions:
            grade = by_question.get(question)
            row.append(number(grade.score) if grade is not None else "")
        row.append(number(result.total(student)))
        writer.writerow(row)
    return buffer.getvalue()


def _spreadsheet_safe(text: str) -> str:
    """A folder name a spreadsheet would run as a formula (``=cmd|…``) is quoted with ``'``."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


# --------------------------------------------------------------------------- JSON Lines


def to_json_lines(result: ClassResult) -> str:
    """One JSON object per student and question: ``student``, ``question``, ``status``,
    ``score``, ``points``, then ``assignment``, the file graded, notes and the grader's report."""
    lines = []
    for student in result.students:
        for grade in result.of(student):
            record = {
                "assignment": result.assignment_id,
                **grade.to_dict(),
                "student_notes": list(result.student_notes.get(student, ())),
            }
            text = json.dumps(record, sort_keys=False, ensure_ascii=False, allow_nan=False)
            lines.append(re.sub(r"[\ud800-\udfff\x85\u2028\u2029]", _escape, text) + "\n")
    return "".join(lines)


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def read_json_lines(texts: Iterable[tuple[str, str]]) -> ClassResult:
    """Merge JSON Lines reports (``(name, text)`` pairs) into one result.

    Refuses reports of different assignments, of different question lists, and a student
    graded in two reports (shards overlap, or a report was given twice).
    """
    assignment: str | None = None
    questions: dict[str, float] = {}
    grades: list[QuestionGrade] = []
    notes: dict[str, tuple[str, ...]] = {}
    owner: dict[str, str] = {}
    for name, text in texts:
        for number_, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            where = f"{name}:{number_}"
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                raise CourseError(f"{where}: not JSON ({exc.msg})") from None
            if not isinstance(data, dict):
                raise CourseError(f"{where}: expected an object")
            grade = QuestionGrade.from_dict(data, where)
            this = str(data.get("assignment", ""))
            if assignment is None:
                assignment = this
            elif this != assignment:
                raise CourseError(
                    f"{where}: assignment {this!r}, but earlier ones are {assignment!r}"
                )
            if owner.setdefault(grade.student, name) != name:
                raise CourseError(
                    f"{where}: student {grade.student!r} is also in {owner[grade.student]} "
                    "(overlapping shards, or the same report twice)"
                )
            if questions.setdefault(grade.question, grade.points) != grade.points:
                raise CourseError(f"{where}: {grade.question} is worth different points elsewhere")
            notes[grade.student] = tuple(str(n) for n in data.get("student_notes", []))
            grades.append(grade)
    if assignment is None:
        raise CourseError("the reports hold no grades")
    seen: dict[str, set[str]] = {}
    for grade in grades:
        if grade.question in seen.setdefault(grade.student, set()):
            raise CourseError(f"student {grade.student!r} has {grade.question} twice")
        seen[grade.student].add(grade.question)
    for student, got in seen.items():
        if got != set(questions):
            lacking = ", ".join(sorted(set(questions) - got))
            raise CourseError(f"student {student!r} has no grade for {lacking}")
    return ClassResult(assignment, tuple(questions.items()), tuple(grades), notes)


# --------------------------------------------------------------------------- JUnit, Gradescope


def _as_report(grade: QuestionGrade) -> SubmissionReport:
    """A grade as a grader report (a missing entry point is a report that could not run)."""
    if grade.report is not None:
        return replace(grade.report, submission=f"{grade.student}/{grade.source}")
    return SubmissionReport(
        submission=grade.student,
        question=grade.question,
        status="error",
        checks=(),
        seed=0,
        error=grade.message or "no submission",
    )


def to_class_junit(result: ClassResult) -> str:
    """JUnit XML: a test suite per student and question, a test case per check."""
    return to_junit([_as_report(g) for s in result.students for g in result.of(s)])


def gradescope_results(result: ClassResult, student: str) -> dict[str, Any]:
    """Gradescope ``results.json`` for one student: a test per check, worth an equal share of
    its question's points; the score is out of the assignment's points."""
    tests: list[dict[str, Any]] = []
    seconds = 0.0
    for index, grade in enumerate(result.of(student), 1):
        tests += _gradescope_tests(grade, index)
        if grade.report is not None:
            seconds += grade.report.seconds
    total = result.total(student)
    lines = [
        f"{result.assignment_id}: {number(total)} / {number(result.points)} points",
        *(
            f"{g.question}: {number(g.score)} / {number(g.points)} ({g.status})"
            + (f" — {g.source}" if g.source else "")
            for g in result.of(student)
        ),
    ]
    for note in result.student_notes.get(student, ()):
        lines.append(f"note: {note}")
    return {
        "score": total,
        "execution_time": round(seconds, 3),
        "output": "\n".join(lines),
        "output_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def _gradescope_tests(grade: QuestionGrade, index: int) -> list[dict[str, Any]]:
    report = grade.report
    if report is None:
        return [
            {
                "name": f"{grade.question}: entry point",
                "number": f"{index}.1",
                "score": 0,
                "max_score": grade.points,
                "status": "failed",
                "output": grade.message,
                "visibility": "visible",
            }
        ]
    checks: list[CheckResult | None] = [*report.checks]
    if report.status == "error":
        checks.append(None)
    share = grade.points / len(checks) if checks else 0
    tests = []
    for position, check in enumerate(checks, 1):
        if check is None:
            name, passed = "grading", False
            output = f"error: {report.error or 'grading could not finish'}"
        else:
            name, passed = check.name, check.passed
            output = "\n".join(_check_lines(check, report.seed, grade))
        tests.append(
            {
                "name": f"{grade.question}: {name}",
                "number": f"{index}.{position}",
                "score": share if passed else 0,
                "max_score": share,
                "status": "passed" if passed else "failed",
                "output": output,
                "visibility": "visible",
            }
        )
    if grade.notes:
        tests[0]["output"] = "\n".join([*grade.notes, str(tests[0]["output"])]).strip()
    return tests


def to_class_gradescope(result: ClassResult) -> dict[str, Any]:
    """Gradescope results for every student: ``{"submissions": [{"student": …, …}, …]}``."""
    return {
        "submissions": [{"student": s, **gradescope_results(result, s)} for s in result.students]
    }


def _check_lines(check: CheckResult, seed: int, grade: QuestionGrade) -> list[str]:
    lines = [check.message] if check.message else []
    if check.status in ("fail", "error"):
        if check.counterexample is not None:
            lines.append(f"smallest counterexample: {check.counterexample.describe()}")
        if check.expected is not None:
            lines.append(f"expected: {check.expected}")
        if check.actual is not None:
            lines.append(f"actual: {check.actual}")
        if check.line is not None:
            lines.append(f"at {_where(grade, check.line)}")
        if check.traceback:
            lines.append(_traceback_with_cells(check.traceback, grade))
        replay = check.counterexample.seed if check.counterexample is not None else seed
        lines.append(f"replay with --seed {replay}")
    return lines


def _where(grade: QuestionGrade, line: int) -> str:
    for first, cell in reversed(grade.cells):
        if first <= line:
            return f"line {line} (cell {cell}, line {line - first + 1})"
    return f"line {line}"


def _traceback_with_cells(traceback: str, grade: QuestionGrade) -> str:
    """In a notebook's traceback, ``line 17`` also says ``(cell 3, line 2)``."""
    if not grade.cells:
        return traceback
    return re.sub(r"\bline (\d+)\b", lambda m: _where(grade, int(m.group(1))), traceback)


# --------------------------------------------------------------------------- text


def render_class_text(result: ClassResult, console: Console, *, verbose: bool = False) -> None:
    """The gradebook as a table, then a summary; ``verbose`` adds every grader report."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from grader import render_text

    if verbose:
        reports = [g.report for s in result.students for g in result.of(s) if g.report]
        if reports:
            render_text(reports, console=console, verbose=True)
            console.print()
    table = Table(
        title=f"{result.assignment_id}: {len(result.students)} students",
        box=box.SIMPLE_HEAD,
        title_justify="left",
    )
    table.add_column("student", overflow="fold")
    for question, points in result.questions:
        table.add_column(f"{question}\n/{number(points)}", justify="right")
    table.add_column(f"total\n/{number(result.points)}", justify="right", style="bold")
    styles = {"pass": "green", "fail": "red", "error": "yellow", "missing": "dim"}
    for student in result.students:
        cells: list[Text | str] = [terminal_safe(student)]
        for grade in result.of(student):
            shown = "—" if grade.status == "missing" else number(grade.score)
            cells.append(Text(shown, style=styles[grade.status]))
        cells.append(number(result.total(student)))
        table.add_row(*cells)
    console.print(table)
    totals = [result.total(s) for s in result.students]
    if totals:
        mean = sum(totals) / len(totals)
        missing = sum(1 for g in result.grades if g.status == "missing")
        console.print(
            f"mean {number(mean)} / {number(result.points)}; "
            f"{sum(1 for t in totals if t == result.points)} with full marks"
            + (f"; — no entry point found ({missing})" if missing else ""),
            highlight=False,
            soft_wrap=True,
        )


def render(result: ClassResult, fmt: str, *, verbose: bool = False) -> str:
    """``result`` as text in one of :data:`FORMATS` (text without colour, 100 columns)."""
    if fmt == "csv":
        return to_csv(result)
    if fmt == "json":
        return to_json_lines(result)
    if fmt == "junit":
        return to_class_junit(result)
    if fmt == "gradescope":
        return json.dumps(to_class_gradescope(result), indent=2, ensure_ascii=False) + "\n"
    from rich.console import Console

    buffer = io.StringIO()
    render_class_text(result, Console(file=buffer, width=100, no_color=True), verbose=verbose)
    return "\n".join(line.rstrip() for line in buffer.getvalue().split("\n"))


# --------------------------------------------------------------------------- feedback


def feedback_markdown(result: ClassResult, student: str) -> str:
    """What one student gets back: each question's score, the failed checks with their
    smallest counterexample, expected and actual, and the student's own traceback lines."""
    grades = result.of(student)
    out = [
        f"# {_md(result.assignment_id)}: feedback for {_md(student)}",
        "",
        f"**Total: {number(result.total(student))} / {number(result.points)} points**",
        "",
        "| question | file | result | points |",
        "| --- | --- | --- | --- |",
    ]
    for grade in grades:
        out.append(
            f"| {_md(grade.question)} | {_md(grade.source or '—')} | {grade.status} "
            f"| {number(grade.score)} / {number(grade.points)} |"
        )
    for note in result.student_notes.get(student, ()):
        out += ["", f"- Note: {_md(note)}"]
    for grade in grades:
        out += ["", *_question_section(grade)]
    return "\n".join(out).rstrip("\n") + "\n"


def _question_section(grade: QuestionGrade) -> list[str]:
    out = [f"## {_md(grade.question)}: {number(grade.score)} / {number(grade.points)}", ""]
    if grade.status == "missing":
        out.append(f"Not graded: {_md(grade.message)}. This question scores 0.")
        return out
    kind = "the notebook's code cells, as one script" if grade.cells else "the file"
    out.append(f"Graded `{_code(grade.source or '')}` ({kind}).")
    for note in grade.notes:
        out.append(f"- Note: {_md(note)}")
    report = grade.report
    if report is None:
        out += ["", f"Grading could not finish: {_md(grade.message)}"]
        return out
    passed = [c.name for c in report.checks if c.passed]
    out += [
        "",
        f"Checks passed: {report.passed_checks} of {len(report.checks)}"
        + (f" ({', '.join(passed)})" if passed else "")
        + ".",
    ]
    if report.status == "error":
        out += ["", f"**Grading could not finish:** {_md(report.error or 'unknown reason')}"]
    not_run = [c for c in report.checks if c.status == "skipped" or _never_ran(c)]
    for check in report.checks:
        if check.status not in ("fail", "error") or check in not_run:
            continue
        out += ["", f"### Failed: {_md(check.name)}", ""]
        if check.message:
            out.append(_md(check.message))
            out.append("")
        if check.counterexample is not None:
            out.append(f"- Smallest counterexample: `{_code(check.counterexample.describe())}`")
        if check.expected is not None:
            out.append(f"- Expected: `{_code(check.expected)}`")
        if check.actual is not None:
            out.append(f"- Got: `{_code(check.actual)}`")
        if check.line is not None:
            out.append(f"- At {_where(grade, check.line)} of {_md(grade.source or '')}")
        replay = check.counterexample.seed if check.counterexample is not None else report.seed
        target = "YOUR_CODE.py" if grade.cells else "YOUR_FILE"
        how = " (the notebook's code cells saved as a .py file)" if grade.cells else ""
        out.append(f"- Replay: `quiz grade {_code(grade.question)} {target} --seed {replay}`{how}")
        if check.traceback:
            out += [
                "",
                "Your code's traceback:",
                "",
                *_fence(_traceback_with_cells(check.traceback, grade)),
            ]
    if not_run:
        reasons: dict[str, list[str]] = {}
        for check in not_run:
            reasons.setdefault(check.message or "not run", []).append(check.name)
        out += [""] + [
            f"Not run: {_md(', '.join(names))} ({_md(reason)})" for reason, names in reasons.items()
        ]
    if report.status == "error":
        for name, captured in (("output", report.stdout), ("error output", report.stderr)):
            lines = captured.rstrip("\n").split("\n")[-CAPTURED_LINES:] if captured else []
            if lines:
                out += ["", f"The last lines of your code's {name}:", "", *_fence("\n".join(lines))]
    return out


CAPTURED_LINES = 15
"""Lines of a submission's printed output that feedback shows when grading could not finish."""


def _never_ran(check: CheckResult) -> bool:
    """A check the grader never got to (the run ended first): nothing to explain but why."""
    return (
        check.status == "error"
        and check.message.startswith("not run")
        and check.counterexample is None
        and check.traceback is None
        and check.expected is None
    )


def _md(text: str) -> str:
    """Untrusted text made inert in Markdown: controls shown as escapes, markup characters
    and HTML escaped, on one line."""
    text = terminal_safe(text).replace("\n", " ")
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"([\\`*\[\]|~])", r"\\\1", text)


def _code(text: str) -> str:
    """Text for an inline code span: one line, no backticks to break out of it."""
    return terminal_safe(text).replace("\n", " ").replace("`", "'")


def _fence(text: str) -> list[str]:
    """A fenced block longer than any run of backticks inside, so it cannot be closed early."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence + "text", terminal_safe(text).rstrip("\n"), fence]


def feedback_name(student: str) -> str:
    """The feedback file for ``student``: their folder name, ``.md`` (never a path)."""
    safe = re.sub(r"[/\\\x00]", "_", student)
    if safe in ("", ".", ".."):
        safe = f"_{safe}"
    return f"{safe}.md"
