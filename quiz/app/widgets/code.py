"""The answer widget of a code question: an editor whose draft is saved as you type, graded in
the background (ctrl+g) with the grader's checks listed below it.

The result of the last grade is shown in the editor's frame as well, so it is in view while
you type, and it is marked out of date as soon as the code differs from what was graded.
Practising, the widget grades the code itself, and leaving the question stops the grade. In a
mock interview (blind) it hands the code to the screen instead (:class:`CodeAnswer.Submitted`),
so that the grade goes on while the candidate moves on.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Button, Label, LoadingIndicator, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from grader import SubmissionReport
from questions import CodeQuestion

from ...formatting import percent
from ...progress.session import PracticeSession
from ...progress.store import Attempt
from ..grading import Graded, GradeJob, GradingService, grade_in_background
from ..marks import verdict_mark
from ..today import attempt_summary
from .base import AnswerWidget
from .fields import OrderedTextArea

DRAFT_SAVE_DELAY = 0.4
"""Seconds after the last key press before the draft is saved."""

STATUS_STYLE = {"pass": "bold green", "fail": "bold red"}
"""How a report's status is drawn (any other status: ``ERROR_STYLE``)."""
ERROR_STYLE = "bold magenta"
OUT_OF_DATE_STYLE = "bold yellow"


class CodeEditor(OrderedTextArea):
    """The code editor: Enter keeps the indentation of the line, one level deeper after a
    line that ends with a colon; the screen scrolls to keep the whole editor (and so the
    cursor) in view."""

    def new_line(self) -> str:
        """What Enter inserts at the cursor: a line break and the indentation to carry on."""
        row, column = min(self.selection.start, self.selection.end)
        before = self.document[row][:column]
        indent = before[: len(before) - len(before.lstrip())]
        code = before.strip()
        if code.endswith(":") and not code.startswith("#"):
            indent += "\t" if self.indent_type == "tabs" else " " * self.indent_width
        return "\n" + indent

    async def _on_key(self, event: events.Key) -> None:
        # Textual's guide to extending TextArea: handle the key, and prevent the default.
        if event.key == "enter" and not self.read_only:
            event.stop()
            event.prevent_default()
            start, end = self.selection
            self.replace(self.new_line(), start, end, maintain_selection_offset=False)

    def on_focus(self) -> None:
        self.call_after_refresh(self.show_whole)

    @on(TextArea.SelectionChanged)
    def _follow_cursor(self) -> None:
        if self.has_focus:
            self.show_whole()

    def show_whole(self) -> None:
        """Scroll the screen so that the editor, with its cursor and its frame (where the grade
        shows), is in view."""
        if self.is_attached:
            self.scroll_visible(animate=False, immediate=True)


class CodeAnswer(AnswerWidget):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+g,ctrl+s", "grade", "Grade", priority=True),
        Binding("ctrl+o", "checks", "Checks", priority=True),
        # Taken from the editor (where it would cut a line) even when nothing is graded, so
        # that a late ctrl+x never cuts code; the Cancel button and the spinner name the key.
        Binding("ctrl+x", "cancel", "Cancel grading", show=False, priority=True),
        Binding("ctrl+e", "editor", "$EDITOR", priority=True),
    ]

    class Submitted(Message):
        """Blind mode: code was handed in; the screen grades it."""

        def __init__(self, job: GradeJob) -> None:
            super().__init__()
            self.job = job

    def __init__(
        self,
        session: PracticeSession,
        deck_path: Path,
        grader: GradingService | None,
        *,
        earlier: Attempt | None = None,
    ) -> None:
        """``deck_path``: the deck file the grader reads the question from; ``grader``: the
        app's grading service (None where grading is not available); ``earlier``: the answer
        given earlier today."""
        super().__init__(session, earlier=earlier)
        self.deck_path = deck_path
        self.grader = grader
        self.report: SubmissionReport | None = None
        self.graded_source: str | None = None
        """The code :attr:`report` is about."""
        outcome = self.outcome
        if outcome is not None and isinstance(outcome.detail, SubmissionReport):
            self.report = outcome.detail
            self.graded_source = outcome.answer
        self._editor: CodeEditor | None = None
        self._saved_text: str | None = None
        """The editor's text as last saved as the draft (or loaded)."""
        self._save_timer: Timer | None = None
        self._grading = False
        """Whether a grade of this widget's is running: there is never more than one."""
        self._submitted = False

    def compose(self) -> ComposeResult:
        assert isinstance(self.question, CodeQuestion)
        if self.question.signature:
            yield Label(f"Implement {self.question.signature}", classes="section")
        self._saved_text = self.session.draft()
        editor = CodeEditor.code_editor(
            self._saved_text, language="python", id="code", tab_behavior="indent"
        )
        assert isinstance(editor, CodeEditor)  # the constructor is a classmethod
        self._editor = editor
        editor.border_subtitle = self._verdict_line()
        yield editor
        with Horizontal(id="code-buttons"):
            label = "Submit (ctrl+g)" if self.blind else "Grade (ctrl+g)"
            yield Button(label, id="grade", variant="primary")
            yield Button("Cancel (ctrl+x)", id="cancel", disabled=True)
            yield Button("Open in $EDITOR (ctrl+e)", id="editor")
        with Horizontal(id="grading", classes="hidden"):
            yield LoadingIndicator()
            yield Static("grading…", id="grading-status")
        yield Static(self._summary(), id="code-summary")
        yield OptionList(*self._check_options(), id="checks")

    def on_mount(self) -> None:
        self.query_one("#code", TextArea).focus()

    @property
    def out_of_date(self) -> bool:
        """Whether the code in the editor differs from the code the shown report is about."""
        return (
            self.report is not None
            and self._editor is not None
            and self._editor.text != self.graded_source
        )

    def _summary(self) -> Text:
        report = self.report
        if self.blind:
            if self.outcome is None and not self._submitted:
                return Text("Not submitted yet.", style="dim")
            return Text(
                "✓ Submitted. It is graded in the background; results come at the end. "
                "You can change it and submit again.",
                style="dim",
            )
        if report is None:
            if self.earlier_today is not None:
                return Text(
                    f"Graded earlier today: {attempt_summary(self.earlier_today)}. "
                    "ctrl+g grades it again.",
                    style="dim",
                )
            return Text("Not graded yet.", style="dim")
        score = percent(report.score, decimals=0)
        summary = Text.assemble(
            (report.status.upper(), STATUS_STYLE.get(report.status, ERROR_STYLE)),
            f"  {report.passed_checks}/{len(report.checks)} checks ({score})",
        )
        if report.error:
            summary.append(f"  {report.error}", style="red")
        if self.out_of_date:
            summary = Text.assemble(
                ("Out of date: ", OUT_OF_DATE_STYLE),
                "the code changed since this grade (",
                summary,
                "). ctrl+g grades it again.",
            )
        return summary

    def _verdict_line(self) -> Text:
        """The last grade in a few words, for the editor's frame."""
        report = self.report
        if self._grading:
            return Text(" grading… ", style="bold")
        if self.blind or report is None:
            return Text()
        if self.out_of_date:
            return Text(" out of date: ctrl+g grades again ", style=OUT_OF_DATE_STYLE)
        line = Text.assemble(
            " ",
            (report.status.upper(), STATUS_STYLE.get(report.status, ERROR_STYLE)),
            f" {report.passed_checks}/{len(report.checks)} checks",
        )
        failed = next((c for c in report.checks if c.status in ("fail", "error")), None)
        if failed is not None:
            line.append(f" · {failed.name}")
            if failed.line:
                line.append(f" at line {failed.line}")
            line.append(" · ctrl+o")
        return line.append(" ")

    def _show_result(self) -> None:
        """Draw the last grade (or that there is none) in the frame and below the editor."""
        if self._editor is not None:
            self._editor.border_subtitle = self._verdict_line()
        self.query_one("#code-summary", Static).update(self._summary())

    def _check_options(self) -> list[Option]:
        if self.report is None or self.blind:
            return []
        options = []
        for index, check in enumerate(self.report.checks):
            mark, style = verdict_mark(check.status)
            line = Text.assemble((f"{mark} ", style), (f"{check.name:<13}", "bold"), check.message)
            if check.counterexample is not None:
                line.append(f"\n     {check.counterexample.describe()}", style="dim")
            if check.expected or check.actual:
                line.append(f"\n     expected {check.expected}, got {check.actual}", style="dim")
            if check.traceback:
                tail = "\n".join(check.traceback.splitlines()[-4:])
                line.append("\n" + "\n".join("     " + t for t in tail.splitlines()), style="dim")
            if check.line:
                line.append(f"\n     → line {check.line} (Enter to jump)", style="cyan")
            options.append(Option(line, id=str(index)))
        return options

    # ------------------------------------------------------------------ the draft

    @on(TextArea.Changed, "#code")
    def _changed(self) -> None:
        if self._save_timer is not None:
            self._save_timer.stop()
        self._save_timer = self.set_timer(DRAFT_SAVE_DELAY, self.keep_draft)
        if self.report is not None:
            self._show_result()

    def keep_draft(self) -> None:
        if self._editor is None or not self.is_current:
            return
        text = self._editor.text
        if text != self._saved_text:
            self.session.save_draft(text)
            self._saved_text = text

    def save_draft(self) -> str:
        """Save the code in the editor as the draft now, without waiting for a pause in the
        typing, and return it."""
        assert self._editor is not None
        if self._save_timer is not None:
            self._save_timer.stop()
            self._save_timer = None
        text = self._editor.text
        self.session.save_draft(text)
        self._saved_text = text
        return text

    def on_unmount(self) -> None:
        # Leaving the question (or quitting): what was typed last is kept, and a grade
        # still running is stopped rather than left to finish for nobody.
        if self._save_timer is not None:
            self._save_timer.stop()
        self.keep_draft()
        if self._grading and self.grader is not None:
            self.grader.cancel()

    # ------------------------------------------------------------------ grading

    def _job(self, source: str) -> GradeJob:
        assert isinstance(self.question, CodeQuestion)
        return GradeJob(self.index, self.question, self.deck_path, source)

    @on(Button.Pressed, "#grade")
    def action_grade(self) -> None:
        """ctrl+g: grade (or, blind, hand in) the code, once every key typed before is in."""
        self.app.after_keys(self._grade)

    def _grade(self) -> None:
        if not self.is_attached or not self.is_current:
            return
        if self.blind:  # the screen grades it, so leaving the question does not stop it
            job = self._job(self.save_draft())
            self._submitted = True
            self.post_message(self.Submitted(job))
            self._show_result()
            return
        if self.grader is None:
            self.notify("Grading is not available here.", severity="error")
            return
        if self._grading:  # one at a time: a second would start once ctrl+x stopped the first
            self.notify("Already grading: ctrl+x cancels it.", timeout=3)
            return
        job = self._job(self.save_draft())
        self._set_busy(True)
        grade_in_background(self, self.grader, job)

    # Whether the lighter isolation (no bubblewrap) was pointed out: once per run of the app.
    _isolation_noted: ClassVar[bool] = False

    def _note_isolation(self, report: SubmissionReport) -> None:
        missing = [n for n in report.isolation if n.startswith("not ")]
        if missing and not type(self)._isolation_noted:
            type(self)._isolation_noted = True
            self.notify(
                "Your code runs with lighter isolation: " + "; ".join(missing),
                title="Grading",
                severity="warning",
                timeout=8,
            )

    @on(Graded)
    def _graded(self, event: Graded) -> None:
        self._set_busy(False)
        if event.report is None:
            if event.cancelled:
                self.notify("Grading cancelled.", severity="warning")
            else:
                self.notify(f"Grading failed: {event.error}", severity="error")
            return
        self.report = event.report
        self.graded_source = event.job.source
        self._note_isolation(event.report)
        self.session.record_grade(event.report, event.job.source, index=event.job.index)
        # The grade may have deleted the draft (a pass): it is saved again if the code changes.
        self._saved_text = event.job.source
        self.post_message(self.Answered())
        self._show_result()
        checks = self.query_one("#checks", OptionList)
        checks.clear_options()
        checks.add_options(self._check_options())
        failed = next(
            (i for i, c in enumerate(event.report.checks) if c.status in ("fail", "error")), None
        )
        if failed is not None:
            checks.highlighted = failed
        self.screen.refresh_bindings()

    def _set_busy(self, busy: bool) -> None:
        """The grade starts (``busy``) or ends: the spinner shows while it runs."""
        self._grading = busy
        self.query_one("#grading").set_class(not busy, "hidden")
        if busy:  # a grade started after a cancel is not being cancelled
            self.query_one("#grading-status", Static).update("grading…")
        self.query_one("#grade", Button).disabled = busy
        self.query_one("#cancel", Button).disabled = not busy
        if self._editor is not None:
            self._editor.border_subtitle = self._verdict_line()

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        if not self._grading:
            return
        if self.grader is not None:
            self.grader.cancel()
        self.query_one("#grading-status", Static).update("cancelling…")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "checks":  # only once there are checks to look at
            return self.report is not None and not self.blind
        return super().check_action(action, parameters)

    # ------------------------------------------------------------------ checks and editor

    def action_checks(self) -> None:
        """ctrl+o: to the list of checks (Enter on a failed one jumps back to its line)."""
        self.query_one("#checks", OptionList).focus()

    @on(OptionList.OptionSelected, "#checks")
    def _jump(self, event: OptionList.OptionSelected) -> None:
        if self.report is None:
            return
        check = self.report.checks[int(event.option.id or 0)]
        if check.line and self._editor is not None:
            self._editor.move_cursor((check.line - 1, 0))
            self._editor.focus()

    @on(Button.Pressed, "#editor")
    def action_editor(self) -> None:
        """ctrl+e: the code in ``$VISUAL`` or ``$EDITOR``, once every key typed before is in;
        graded on return."""
        self.app.after_keys(self._open_editor)

    def _open_editor(self) -> None:
        if not self.is_attached or not self.is_current or self._editor is None:
            return
        command = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
        assert isinstance(self.question, CodeQuestion)
        source = self.save_draft()
        folder = Path(tempfile.mkdtemp(prefix="mlquiz-edit-"))
        path = folder / f"{self.question.entry_point}.py"
        path.write_text(source, encoding="utf-8")
        try:
            with self.app.suspend():
                subprocess.run([*shlex.split(command), str(path)], check=False)
        except Exception as exc:  # no terminal to hand over (e.g. headless), or no editor
            self.notify(f"Could not open {command}: {exc}", severity="error")
            return
        finally:
            edited = path.read_text(encoding="utf-8") if path.exists() else source
            path.unlink(missing_ok=True)
            folder.rmdir()
        self._editor.text = edited
        self.save_draft()
        self._show_result()
        self._grade()
