"""The terminal report, rendered with rich (imported only when rendering)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ._helpers import _detail_lines, _score, fenced, one_line, terminal_safe
from ._model import _FAILED, CAPTURED_TAIL_LINES, SUBMISSION_STATUSES, CheckResult, SubmissionReport

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
    from rich.text import Text

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
        for renderable in _report_renderables(report, verbose=verbose, width=console.width):
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


def _report_renderables(
    report: SubmissionReport, *, verbose: bool, width: int = 80
) -> list[RenderableType]:
    from rich.padding import Padding
    from rich.table import Table
    from rich.text import Text

    tail = Text()
    tail.append("  ")
    tail.append(one_line(report.question), style="cyan")
    tail.append("  ")
    tail.append(report.status.upper(), style=_STATUS_STYLES[report.status])
    tail.append(f"  {report.passed_checks}/{len(report.checks)} checks ({_score(report)})")
    tail.append(f"  seed {report.seed}", style="dim")
    if verbose:
        tail.append(f"  {report.seconds:.2f} s", style="dim")
    # The file name is the submitter's choice: all of it fits on the header's first line
    # (a longer one loses its middle), so the header can fold only after it, in text of
    # the grader's own; the rest of a long name never starts a line.
    name = _fit(_display_name(report.submission), max(width - 2, 24))
    header = Text(overflow="fold")
    header.append(name, style="bold")
    header.append_text(tail)
    out: list[RenderableType] = [header]
    if report.status == "error":
        # In a column of its own: however it folds, no part of it reaches the left margin.
        reason = Table.grid(padding=(0, 1), pad_edge=False)
        reason.add_column(no_wrap=True)
        reason.add_column(ratio=1, overflow="fold")
        reason.add_row(
            Text("error:", style="bold yellow"),
            Text(one_line(report.error or "grading could not finish"), style="yellow"),
        )
        out.append(Padding(reason, (0, 0, 0, 2)))

    name_width = max((len(check.name) for check in report.checks), default=0)
    for check in report.checks:
        mark, style = _MARKS[check.status]
        row = Table.grid(padding=(0, 1), pad_edge=False)
        row.add_column(width=1, no_wrap=True)
        row.add_column(width=min(name_width, 20), no_wrap=True, overflow="ellipsis")
        row.add_column(ratio=1, overflow="fold")
        message = Text(one_line(check.message), style="dim" if check.status == "skipped" else "")
        if verbose:
            message.append(f" ({check.seconds:.2f} s)", style="dim")
        row.add_row(Text(mark, style=style), Text(one_line(check.name), style=style), message)
        out.append(Padding(row, (0, 0, 0, 2)))
        if check.status in _FAILED:
            out.append(Padding(_check_details(check, report.seed), (0, 0, 0, 6)))
    if any(check.status in _FAILED for check in report.checks):
        out.append(Text(f"  replay with --seed {report.seed}", style="dim"))

    if verbose and report.isolation:
        out.append(Text("  isolation:", style="dim"))
        out.extend(
            Padding(Text(one_line(note), style="dim", overflow="fold"), (0, 0, 0, 4))
            for note in report.isolation
        )
    if verbose or report.status == "error":
        for name, captured in (("stdout", report.stdout), ("stderr", report.stderr)):
            if captured:
                out.extend(_captured(name, captured, full=verbose))
    return out


def _display_name(name: str) -> str:
    """A submission's name as a shell would quote it (as ``ls`` shows it): a name with
    spaces or odd characters is one quoted word, never a line that reads like a header."""
    import shlex

    return one_line(shlex.quote(name))


def _fit(text: str, room: int) -> str:
    """``text`` in at most ``room`` cells, its middle cut out (and marked) if it is longer."""
    from rich.cells import cell_len, set_cell_size

    if cell_len(text) <= room:
        return text
    head = set_cell_size(text, (room - 1) // 2)
    tail_room = room - 1 - cell_len(head)
    tail = text[::-1]
    tail = set_cell_size(tail, tail_room)[::-1] if tail_room > 0 else ""
    return f"{head}…{tail}"


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
        failed = ", ".join(one_line(check.name) for check in report.failed_checks)
        if report.status == "error":
            reason = one_line(report.error or "grading could not finish")
            failed = f"{failed}; {reason}" if failed else reason
        table.add_row(
            _display_name(report.submission),
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
