"""The answer widget of a code question: an editor whose draft is saved as you type, graded in
the background (ctrl+g) with the grader's checks listed below it.

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
from textual import on
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
from ..grading import Graded, GradeJob, GradingService, grade_in_background
from ..marks import verdict_mark
from .base import AnswerWidget

DRAFT_SAVE_DELAY = 0.4
"""Seconds after the last key press before the draft is saved."""


class CodeAnswer(AnswerWidget):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+g,ctrl+s", "grade", "Grade", priority=True),
        Binding("ctrl+x", "cancel", "Cancel grading", priority=True),
        Binding("ctrl+e", "editor", "Open in $EDITOR", priority=True),
    ]

    class Submitted(Message):
        """Blind mode: code was handed in; the screen grades it."""

        def __init__(self, job: GradeJob) -> None:
            super().__init__()
            self.job = job

    def __init__(
        self, session: PracticeSession, deck_path: Path, grader: GradingService | None
    ) -> None:
        """``deck_path``: the deck file the grader reads the question from; ``grader``: the
        app's grading service (None where grading is not available)."""
        super().__init__(session)
        self.deck_path = deck_path
        self.grader = grader
        self.report: SubmissionReport | None = None
        outcome = self.outcome
        if outcome is not None and isinstance(outcome.detail, SubmissionReport):
            self.report = outcome.detail
        self._save_timer: Timer | None = None
        self._pending_draft: str | None = None
        self._grading = False
        self._submitted = False

    def compose(self) -> ComposeResult:
        assert isinstance(self.question, CodeQuestion)
        if self.question.signature:
            yield Label(f"Implement {self.question.signature}", classes="section")
        editor = TextArea.code_editor(
            self.session.draft(), language="python", id="code", tab_behavior="indent"
        )
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
            return Text("Not graded yet.", style="dim")
        style = {"pass": "bold green", "fail": "bold red"}.get(report.status, "bold magenta")
        score = percent(report.score, decimals=0)
        summary = Text.assemble(
            (report.status.upper(), style),
            f"  {report.passed_checks}/{len(report.checks)} checks ({score})",
        )
        if report.error:
            summary.append(f"  {report.error}", style="red")
        return summary

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
    def _changed(self, event: TextArea.Changed) -> None:
        if self._save_timer is not None:
            self._save_timer.stop()
        self._pending_draft = event.text_area.text
        self._save_timer = self.set_timer(DRAFT_SAVE_DELAY, self._save_pending)

    def _save_pending(self) -> None:
        if self._pending_draft is not None:
            self.session.save_draft(self._pending_draft)
            self._pending_draft = None

    def save_draft(self) -> str:
        """Save the code in the editor as the draft now, without waiting for a pause in the
        typing, and return it."""
        text = self.query_one("#code", TextArea).text
        if self._save_timer is not None:
            self._save_timer.stop()
            self._save_timer = None
        self._pending_draft = None
        self.session.save_draft(text)
        return text

    def on_unmount(self) -> None:
        # Leaving the question (or quitting): what was typed last is kept, and a grade
        # still running is stopped rather than left to finish for nobody.
        if self._save_timer is not None:
            self._save_timer.stop()
        self._save_pending()
        if self._grading and self.grader is not None:
            self.grader.cancel()

    # ------------------------------------------------------------------ grading

    def _job(self, source: str) -> GradeJob:
        assert isinstance(self.question, CodeQuestion)
        return GradeJob(self.index, self.question, self.deck_path, source)

    @on(Button.Pressed, "#grade")
    def action_grade(self) -> None:
        if self.blind:  # the screen grades it, so leaving the question does not stop it
            job = self._job(self.save_draft())
            self._submitted = True
            self.post_message(self.Submitted(job))
            self.query_one("#code-summary", Static).update(self._summary())
            return
        if self.grader is None:
            self.notify("Grading is not available here.", severity="error")
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
        self._note_isolation(event.report)
        self.session.record_grade(event.report, event.job.source, index=event.job.index)
        self.post_message(self.Answered())
        self.query_one("#code-summary", Static).update(self._summary())
        checks = self.query_one("#checks", OptionList)
        checks.clear_options()
        checks.add_options(self._check_options())
        failed = next(
            (i for i, c in enumerate(event.report.checks) if c.status in ("fail", "error")), None
        )
        if failed is not None:
            checks.highlighted = failed
            checks.focus()

    def _set_busy(self, busy: bool) -> None:
        self._grading = busy
        self.query_one("#grading").set_class(not busy, "hidden")
        self.query_one("#grade", Button).disabled = busy
        self.query_one("#cancel", Button).disabled = not busy

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        if self.query_one("#cancel", Button).disabled:
            return
        if self.grader is not None:
            self.grader.cancel()
        self.query_one("#grading-status", Static).update("cancelling…")

    # ------------------------------------------------------------------ checks and editor

    @on(OptionList.OptionSelected, "#checks")
    def _jump(self, event: OptionList.OptionSelected) -> None:
        if self.report is None:
            return
        check = self.report.checks[int(event.option.id or 0)]
        if check.line:
            editor = self.query_one("#code", TextArea)
            editor.move_cursor((check.line - 1, 0))
            editor.focus()

    @on(Button.Pressed, "#editor")
    def action_editor(self) -> None:
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
        self.query_one("#code", TextArea).text = edited
        self.save_draft()
        self.action_grade()
