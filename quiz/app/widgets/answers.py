"""Answer widgets, one per question kind, and what they show once answered.

Each widget turns input into a call on the practice session and shows the
outcome; it posts ``Answered`` so the screen can update its progress line.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import tempfile
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import (
    Button,
    Input,
    Label,
    LoadingIndicator,
    Markdown,
    OptionList,
    SelectionList,
    Static,
    TextArea,
)
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from grader import GraderError, NumericResult, SubmissionReport, format_number
from questions import ChoiceQuestion, CodeQuestion, ConceptQuestion, NumericQuestion, render_math

from ...progress.session import ChoiceOutcome, Outcome, PracticeSession
from ...render import VERDICT_MARK, plain
from ..grading import GradingCancelled

RATINGS = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}
VERDICT_CLASS = {
    "correct": "good",
    "pass": "good",
    "close": "meh",
    "partial": "meh",
    "rated": "meh",
    "wrong": "bad",
    "fail": "bad",
    "error": "bad",
    "invalid": "bad",
}
CHECK_MARK = {
    "pass": ("✓", "green"),
    "fail": ("✗", "red"),
    "error": ("!", "red"),
    "skipped": ("·", "dim"),
}
DRAFT_SAVE_DELAY = 0.4


def reference_answer(text: str) -> Markdown:
    return Markdown(render_math(text), classes="reference")


class Answered(Message):
    """An answer was submitted (or rated): the screen refreshes its progress."""


class CodeSubmitted(Message):
    """Blind mode: code was handed in for the question at ``index``; the screen grades it."""

    def __init__(self, index: int, source: str) -> None:
        super().__init__()
        self.index = index
        self.source = source


RECORDED_NOTE = "✓ Answer recorded. You can change it and submit again until the end."


class AnswerWidget(Vertical, can_focus=True):
    """Base: holds the session; subclasses compose the input or the outcome."""

    def __init__(self, session: PracticeSession) -> None:
        super().__init__(classes="answer")
        self.session = session
        self.question = session.current
        self.index = session.index
        self.blind = not session.reveals_answers
        """Blind (a mock interview): no verdict or reference answer, answers stay editable."""

    @property
    def outcome(self) -> Outcome | None:
        return self.session.outcome(self.index)

    @property
    def editing(self) -> bool:
        """Whether the input is shown: not answered yet, or blind."""
        return self.outcome is None or self.blind

    def given(self) -> Any:
        """Blind mode: the recorded answer, parsed (JSON for numeric and choice), or None."""
        outcome = self.outcome
        if outcome is None or not self.blind:
            return None
        if outcome.kind in ("numeric", "choice"):
            try:
                return json.loads(outcome.answer)
            except ValueError:
                return None
        return outcome.answer

    def recorded_note(self) -> Static:
        return Static(
            RECORDED_NOTE if self.outcome is not None else "", id="recorded", classes="dim"
        )

    def show_outcome(self) -> None:
        self.post_message(Answered())

        async def rebuild() -> None:
            # The learner may have moved on (ctrl+n) before this runs: the widget is gone.
            if not self.is_attached:
                return
            await self.recompose()
            if self.is_attached:
                self.focus()
                self.screen.refresh_bindings()

        self.call_after_refresh(rebuild)

    def action_submit(self) -> None:
        raise NotImplementedError

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "submit":  # answered: nothing more to submit (blind: submit again)
            return self.editing
        return True


# --------------------------------------------------------------------------- concept


class ConceptAnswer(AnswerWidget):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+s", "submit", "Submit", priority=True)]

    def compose(self) -> ComposeResult:
        assert isinstance(self.question, ConceptQuestion)
        outcome = self.outcome
        if self.editing:
            yield Label("Your answer (ctrl+s to submit):")
            given = self.given()
            yield TextArea(
                given if given is not None else self.session.draft(),
                id="concept-text",
                soft_wrap=True,
                show_line_numbers=False,
            )
            yield Button("Submit", id="submit", variant="primary")
            if self.blind:
                yield self.recorded_note()
            return
        assert outcome is not None
        yield Label("Your answer", classes="section")
        yield Static(Text(outcome.answer), id="given")
        yield Label("Reference answer", classes="section")
        yield reference_answer(self.question.answer)
        if outcome.detail:
            yield Label("Key points", classes="section")
            lines = Text()
            for key_point, hit in outcome.detail:
                lines.append("✓ " if hit else "✗ ", style="green" if hit else "red")
                lines.append(plain(key_point.point) + ("\n"), style="" if hit else "dim")
            yield Static(lines, id="rubric")
        rating = self.session.rating(self.index)
        if rating is None:
            yield Label("How did it go? Press 1–4:", classes="section")
            with Horizontal(id="ratings"):
                for key, name in RATINGS.items():
                    yield Button(f"{key} {name}", id=f"rate-{key}")
        else:
            yield Static(f"Rated: {RATINGS[rating]}", id="rated")

    def on_mount(self) -> None:
        if self.editing:
            self.query_one("#concept-text", TextArea).focus()
        else:
            self.focus()

    @on(TextArea.Changed, "#concept-text")
    def _changed(self, event: TextArea.Changed) -> None:
        self.session.save_draft(event.text_area.text)

    @on(Button.Pressed, "#submit")
    def action_submit(self) -> None:
        if not self.editing:
            return
        text = self.query_one("#concept-text", TextArea).text
        if not text.strip():
            self.notify("Write an answer first (or skip with ctrl+k).", severity="warning")
            return
        self.session.submit_concept(text)
        self.show_outcome()

    @on(Button.Pressed, "#ratings Button")
    def _rate_button(self, event: Button.Pressed) -> None:
        self.action_rate(int((event.button.id or "rate-3").removeprefix("rate-")))

    def action_rate(self, rating: int) -> None:
        if self.blind or self.outcome is None or self.session.rating(self.index) is not None:
            return
        self.session.rate(rating)
        self.notify(f"Rated {RATINGS[rating]}", timeout=2)
        self.show_outcome()


# --------------------------------------------------------------------------- numeric


class NumericAnswer(AnswerWidget):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+s", "submit", "Submit", priority=True)]

    def compose(self) -> ComposeResult:
        assert isinstance(self.question, NumericQuestion)
        outcome = self.outcome
        if self.editing:
            yield Static(
                "Type each part as you like: 73,728 · 0.119 · 11.9% · ~8.4x · "
                "3*3*64*128 (Enter moves on, ctrl+s submits)",
                classes="dim",
            )
            given = self.given()
            values = [str(v) for v in given] if isinstance(given, list) else []
            for index, part in enumerate(self.question.parts):
                with Horizontal(classes="part"):
                    yield Static(f"{index + 1}. {plain(part.label)}", classes="part-label")
                    yield Input(
                        values[index] if index < len(values) else "",
                        placeholder="answer",
                        id=f"part-{index}",
                        classes="part-input",
                    )
            yield Button("Submit", id="submit", variant="primary")
            if self.blind:
                yield self.recorded_note()
            return
        assert outcome is not None
        result = outcome.detail
        assert isinstance(result, NumericResult)
        lines = Text()
        for index, verdict in enumerate(result.parts, 1):
            style = {"correct": "green", "close": "yellow"}.get(verdict.verdict, "red")
            lines.append(
                f"{VERDICT_MARK[verdict.verdict]} {index}. {plain(verdict.label)}\n",
                style=f"bold {style}",
            )
            reference = format_number(verdict.reference)
            working = f" = {verdict.working}" if verdict.working else ""
            lines.append(f"   you gave {verdict.given or '—'}; reference {reference}{working}\n")
            lines.append(f"   {verdict.message}\n", style="dim")
        yield Static(lines, id="numeric-result")
        yield Label("Reference answer", classes="section")
        yield reference_answer(self.question.answer)

    def on_mount(self) -> None:
        if self.editing:
            self.query_one("#part-0", Input).focus()

    @on(Input.Submitted)
    def _enter(self, event: Input.Submitted) -> None:
        inputs = list(self.query(Input))
        position = inputs.index(event.input)
        if position + 1 < len(inputs):
            inputs[position + 1].focus()
        else:
            self.action_submit()

    @on(Button.Pressed, "#submit")
    def action_submit(self) -> None:
        if not self.editing:
            return
        answers = [i.value for i in self.query(Input)]
        if not any(a.strip() for a in answers):
            self.notify("Fill in at least one part.", severity="warning")
            return
        self.session.submit_numeric(answers)
        self.show_outcome()


# --------------------------------------------------------------------------- choice


class ChoiceAnswer(AnswerWidget):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "submit", "Submit", priority=True),
        *(Binding(str(k), f"pick({k})", show=False) for k in range(1, 10)),
    ]

    def compose(self) -> ComposeResult:
        assert isinstance(self.question, ChoiceQuestion)
        outcome = self.outcome
        hint = "pick all that apply" if self.question.multiple else "pick one"
        if self.editing:
            yield Label(f"Options ({hint}: number keys or space, ctrl+s to submit):")
            given = self.given()
            before = set(given) if isinstance(given, list) else set()
            yield SelectionList[int](
                *(
                    (f"{i + 1}. {plain(o.text)}", i, i in before)
                    for i, o in enumerate(self.question.options)
                ),
                id="choices",
            )
            yield Button("Submit", id="submit", variant="primary")
            if self.blind:
                yield self.recorded_note()
            return
        assert outcome is not None
        detail = outcome.detail
        assert isinstance(detail, ChoiceOutcome)
        lines = Text()
        for index, option in enumerate(self.question.options):
            picked, correct = index in detail.chosen, index in detail.correct
            mark, style = ("✓", "green") if correct else (("✗", "red") if picked else ("·", "dim"))
            lines.append(f"{mark} {index + 1}. {plain(option.text)}", style=style)
            if picked:
                lines.append("  (your pick)", style="bold")
            if option.why:
                lines.append(f" — {plain(option.why)}", style="dim")
            lines.append("\n")
        yield Static(lines, id="choice-result")
        yield Label("Reference answer", classes="section")
        yield reference_answer(self.question.answer)

    def on_mount(self) -> None:
        if self.editing:
            self.query_one("#choices", SelectionList).focus()

    def action_pick(self, number: int) -> None:
        if not self.editing:
            return
        choices = self.query_one("#choices", SelectionList)
        index = number - 1
        if index >= len(self.question.options):  # type: ignore[union-attr]
            return
        if not self.question.multiple:  # type: ignore[union-attr]
            choices.deselect_all()
        choices.toggle(index)

    @on(SelectionList.SelectedChanged, "#choices")
    def _single(self, event: SelectionList.SelectedChanged[int]) -> None:
        assert isinstance(self.question, ChoiceQuestion)
        selected = event.selection_list.selected
        if not self.question.multiple and len(selected) > 1:
            highlighted = event.selection_list.highlighted
            keep = (
                event.selection_list.get_option_at_index(highlighted).value
                if highlighted is not None
                else selected[-1]
            )
            with event.selection_list.prevent(SelectionList.SelectedChanged):
                event.selection_list.deselect_all()
                event.selection_list.select(keep)

    @on(Button.Pressed, "#submit")
    def action_submit(self) -> None:
        if not self.editing:
            return
        chosen = self.query_one("#choices", SelectionList).selected
        if not chosen:
            self.notify("Pick an option first.", severity="warning")
            return
        self.session.submit_choice(chosen)
        self.show_outcome()


# --------------------------------------------------------------------------- code


class CodeAnswer(AnswerWidget):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+g,ctrl+s", "grade", "Grade", priority=True),
        Binding("ctrl+x", "cancel", "Cancel grading", priority=True),
        Binding("ctrl+e", "editor", "Open in $EDITOR", priority=True),
    ]

    class Graded(Message):
        def __init__(self, report: SubmissionReport | None, error: str | None) -> None:
            super().__init__()
            self.report = report
            self.error = error

    def __init__(self, session: PracticeSession, deck_path: Path) -> None:
        super().__init__(session)
        self.deck_path = deck_path
        self.report: SubmissionReport | None = None
        outcome = self.outcome
        if outcome is not None and isinstance(outcome.detail, SubmissionReport):
            self.report = outcome.detail
        self._save_timer: Any = None
        self._pending_draft: str | None = None
        self._graded_source = ""
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
        summary = Text.assemble(
            (report.status.upper(), style),
            f"  {report.passed_checks}/{len(report.checks)} checks ({report.score:.0%})",
        )
        if report.error:
            summary.append(f"  {report.error}", style="red")
        return summary

    def _check_options(self) -> list[Option]:
        if self.report is None or self.blind:
            return []
        options = []
        for index, check in enumerate(self.report.checks):
            mark, style = CHECK_MARK[check.status]
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

    def _flush_draft(self) -> str:
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
        grader = getattr(self.app, "grader", None)
        if self._grading and grader is not None:
            grader.cancel()

    @on(Button.Pressed, "#grade")
    def action_grade(self) -> None:
        if self.blind:  # the screen grades it, so leaving the question does not stop it
            source = self._flush_draft()
            self._submitted = True
            self.post_message(CodeSubmitted(self.index, source))
            self.query_one("#code-summary", Static).update(self._summary())
            return
        grader = getattr(self.app, "grader", None)
        if grader is None:
            self.notify("Grading is not available here.", severity="error")
            return
        source = self._flush_draft()
        self._graded_source = source
        self._set_busy(True)
        self.run_grade(source)

    @work(thread=True, exclusive=True, group="grading", exit_on_error=False)
    def run_grade(self, source: str) -> None:
        grader = self.app.grader  # type: ignore[attr-defined]
        assert isinstance(self.question, CodeQuestion)
        try:
            report = grader.grade(
                str(self.deck_path),
                self.question.id,
                source,
                display=f"{self.question.entry_point}.py",
            )
        except GradingCancelled:
            self.post_message(self.Graded(None, "cancelled"))
            return
        except GraderError as exc:
            self.post_message(self.Graded(None, str(exc)))
            return
        self.post_message(self.Graded(report, None))

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
            if event.error == "cancelled":
                self.notify("Grading cancelled.", severity="warning")
            else:
                self.notify(f"Grading failed: {event.error}", severity="error")
            return
        self.report = event.report
        self._note_isolation(event.report)
        self.session.record_grade(event.report, self._graded_source, index=self.index)
        self.post_message(Answered())
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
        grader = getattr(self.app, "grader", None)
        if grader is not None:
            grader.cancel()
        self.query_one("#grading-status", Static).update("cancelling…")

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "grading" and event.state == WorkerState.ERROR:
            self._set_busy(False)
            self.notify(f"Grading failed: {event.worker.error}", severity="error")

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
        source = self._flush_draft()
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
        self._flush_draft()
        self.action_grade()
