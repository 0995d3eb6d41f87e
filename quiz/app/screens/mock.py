"""Mock interview screens: the timed interview (:class:`MockScreen`), with its set-up and
dialogs in :mod:`.mock_dialogs` and the scorecard in :mod:`.mock_scorecard` (re-exported here).

The screens drive a :class:`~quiz.progress.mock.MockInterview` (textual-free, unit-tested
on its own).
The interview screen shows a countdown and the time on the current question, never a verdict
or a reference answer (answers stay editable until the end), except in interviewer mode, where
the reference answer and the rubric sit beside the candidate's answer and ctrl+r scores it.
Code is graded in the background for this screen (by the grading worker of
:mod:`quiz.app.grading`), so moving on does not stop a grade; the interview ends when the
candidate finishes it (ctrl+f) or the time runs out, once the submitted code has been graded.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Footer, Header, Label, Markdown, Static

from grader import SubmissionReport
from questions import ConceptQuestion, render_math

from ...formatting import clock_text, percent
from ...progress.mock import MockInterview, MockOver, export_scorecard
from ...render import inline
from ..grading import Graded, GradeJob, grade_in_background
from ..marks import NO_VERDICT, hit_mark
from ..widgets import AnswerWidget, CodeAnswer
from .mock_dialogs import CSS, ConfirmScreen, ExportScreen, MockSetupScreen, ScoreScreen
from .mock_scorecard import ScorecardScreen
from .question import QuestionBody, QuestionScreen, hints_text

# --------------------------------------------------------------------------- interview


class MockScreen(QuestionScreen):
    """One question at a time under a countdown."""

    LAST_QUESTION = "That was the last question. ctrl+f finishes the interview."

    CSS_PATH = CSS
    # The footer lists these in this order after the answer's own keys, and cuts what does
    # not fit in 80 columns: scoring and finishing come first.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "score", "Score", priority=True),
        Binding("ctrl+f", "finish", "Finish", priority=True),
        Binding("ctrl+n", "next", "Next", priority=True),
        Binding("ctrl+b", "previous", "Back", priority=True),
        Binding("ctrl+k", "skip", "Skip", priority=True),
        Binding("ctrl+l", "jump", "Questions", priority=True),
        Binding("ctrl+t", "hint", "Hint", priority=True),
        Binding("escape", "leave", "Finish", show=False, priority=True),
    ]

    def __init__(self, interview: MockInterview, *, export: Path | None = None) -> None:
        super().__init__(interview, interview.paths)
        self.interview = interview
        self.export = export
        self._being_graded: list[GradeJob] = []
        """Code submissions being graded, in the order they were handed in."""
        self._last_handed_in: dict[int, GradeJob] = {}
        """Question index → the code last handed in for it: the grade that counts."""
        self._ending = False

    @property
    def pending(self) -> int:
        """Code submissions being graded."""
        return len(self._being_graded)

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="mock-bar"):
            yield Static(self._answered_text(), id="mock-answered")
            yield Static("", id="mock-clock")
        yield Static(self.position_text(), id="mock-position")
        with Horizontal(id="mock-main"):
            with QuestionBody(id="mock-body"):
                yield Markdown(render_math(self.interview.current.prompt), id="prompt")
                yield Static(self._hints_text(), id="hints")
                yield self.answer_widget()
            if self.interview.config.interviewer:
                with VerticalScroll(id="interviewer"):
                    yield Label("Interviewer: reference answer", classes="section")
                    yield Markdown(
                        render_math(self.interview.reference(self.interview.index)),
                        id="ref-answer",
                    )
                    yield Static(self._rubric_text(), id="ref-rubric")
                    yield Static(self._score_text(), id="ref-score")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Mock interview" + (
            " · interviewer mode" if self.interview.config.interviewer else ""
        )
        self._tick()
        self.set_interval(0.5, self._tick)

    def _answered_text(self) -> Text:
        total = len(self.interview.questions)
        return Text(f"{self.interview.answered}/{total} answered", style="dim")

    def _hints_text(self) -> Text:
        return hints_text(self.interview.hints_shown())

    def _rubric_text(self) -> Text:
        question = self.interview.current
        text = Text()
        if isinstance(question, ConceptQuestion) and question.key_points:
            text.append("Key points\n", style="bold")
            outcome = self.interview.outcome(self.interview.index)
            hits: list[bool | None] = [None] * len(question.key_points)
            if outcome is not None and outcome.kind == "concept":
                hits = [result.hit for result in outcome.detail]
            for point, hit in zip(question.key_points, hits, strict=True):
                mark, style = NO_VERDICT if hit is None else hit_mark(hit)
                text.append(f"{mark} ", style=style)
                text.append_text(inline(point.point, style=style))
                text.append("\n")
        outcome = self.interview.outcome(self.interview.index)
        if outcome is not None:
            score = percent(outcome.score, decimals=0)
            text.append(f"\nAutomatic: {outcome.verdict}, {score}\n", style="dim")
        return text

    def _score_text(self) -> Text:
        points = self.interview.points(self.interview.index)
        return Text(f"Points now: {points:.2f} of 1 (ctrl+r to score)", style="bold")

    def _tick(self) -> None:
        if self._ending:
            return
        remaining = self.interview.remaining()
        clock = Text.assemble(
            ("⏱ ", "bold"),
            (f"{clock_text(remaining)} left", "bold red" if remaining < 60 else "bold"),
            f"  · this question {clock_text(self.interview.seconds())}",
        )
        self.query_one("#mock-clock", Static).update(clock)
        if self.interview.expired:
            self.notify("Time is up.", title="Mock interview", severity="warning")
            self.end()

    def rebuild(self) -> None:
        self.refresh(recompose=True)

    # ------------------------------------------------------------------ answers

    @on(AnswerWidget.Answered)
    def _answered(self) -> None:
        self.query_one("#mock-answered", Static).update(self._answered_text())
        if self.interview.config.interviewer:
            self.query_one("#ref-rubric", Static).update(self._rubric_text())
            self.query_one("#ref-score", Static).update(self._score_text())

    @on(CodeAnswer.Submitted)
    def _code_submitted(self, event: CodeAnswer.Submitted) -> None:
        event.stop()
        job = event.job
        # ctrl+g twice hands in the same code twice: it is graded once.
        same = next(
            (j for j in self._being_graded if (j.index, j.source) == (job.index, job.source)), None
        )
        self._last_handed_in[job.index] = same or job
        if same is None:
            self._being_graded.append(job)
            grade_in_background(self, self.app.grader, job)

    @on(Graded)
    def _graded(self, event: Graded) -> None:
        """Record the grade of the code last handed in for a question; one that could not be
        made counts as an error (it scores 0)."""
        job = event.job
        self._being_graded = [j for j in self._being_graded if j is not job]
        # Grades may end in any order: that of code handed in before the last is dropped.
        if self._last_handed_in.get(job.index) is job:
            self._record(event)
        if job.index == self.interview.index and self.interview.config.interviewer:
            self._answered()
        if self._ending and self.pending == 0:
            self._show_scorecard()

    def _record(self, event: Graded) -> None:
        job = event.job
        report = event.report
        if report is None:
            report = SubmissionReport(
                submission=job.display,
                question=self.interview.question_id(job.question),
                status="error",
                checks=(),
                seed=0,
                error=event.error,
            )
        with contextlib.suppress(MockOver):  # after the end: the scorecard is already made
            self.interview.record_grade(report, job.source, index=job.index)

    # ------------------------------------------------------------------ actions

    def action_skip(self) -> None:
        self.app.after_keys(self._skip)

    def _skip(self) -> None:
        if not self.is_attached or self._ending:
            return
        self.keep_draft()
        self.interview.skip()
        target = self.interview.next_unanswered()
        self.show_question(target if target is not None else self.interview.index)

    def action_hint(self) -> None:
        try:
            hint = self.interview.show_hint()
        except MockOver:
            self.notify("Time is up: no more hints.", timeout=3)
            return
        if hint is None:
            self.notify("No more hints for this question.", timeout=3)
            return
        penalty = percent(self.interview.config.hint_penalty, decimals=0)
        self.notify(f"Each hint costs {penalty} of this question's points.", timeout=3)
        self.query_one("#hints", Static).update(self._hints_text())
        if self.interview.config.interviewer:
            self.query_one("#ref-score", Static).update(self._score_text())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "score":  # interviewer mode only
            return self.interview.config.interviewer
        return True

    def action_score(self) -> None:
        if not self.interview.config.interviewer:
            self.notify("Scoring by hand is for interviewer mode (quiz mock --interviewer).")
            return
        index = self.interview.index

        def scored(score: float | None) -> None:
            if score is None:
                return
            try:
                self.interview.set_interviewer_score(index, score)
            except (ValueError, MockOver) as exc:
                self.notify(str(exc), severity="warning", title="Score")
                return
            self._answered()

        self.app.push_screen(ScoreScreen(), scored)

    def action_finish(self) -> None:
        """ctrl+f: once every key typed before is in, ask whether to finish now."""
        self.app.after_keys(self._ask_to_finish)

    def _ask_to_finish(self) -> None:
        if not self.is_current or self._ending:
            return
        left = len(self.interview.questions) - self.interview.answered

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.end()

        note = f" {left} question(s) are unanswered and will score 0." if left else ""
        self.app.push_screen(ConfirmScreen(f"Finish the interview now?{note}"), confirmed)

    def action_leave(self) -> None:
        """Escape: out of a text field first, then offer to finish."""
        self.app.after_keys(self._leave)

    def _leave(self) -> None:
        if self.is_current and not self.leave_text_field():
            self._ask_to_finish()

    def end(self) -> None:
        """End the interview: wait for code still being graded, then show the scorecard."""
        if self._ending:
            return
        self._ending = True
        self.keep_draft()
        if self.pending:
            self.query_one("#mock-clock", Static).update(
                Text(f"Grading {self.pending} submission(s)…", style="bold yellow")
            )
            return
        self._show_scorecard()

    def on_unmount(self) -> None:
        # Closing the app mid-interview (ctrl+q) still saves the scorecard of what was given.
        if not self.interview.finished:
            scorecard = self.interview.finish(left=True)
            if self.export is not None:
                with contextlib.suppress(OSError, ValueError):
                    export_scorecard(scorecard, self.export)

    def _show_scorecard(self) -> None:
        while self.app.screen is not self:  # close a dialog left open when time ran out
            self.app.pop_screen()
        scorecard = self.interview.finish()
        exported: Path | None = None
        if self.export is not None:
            try:
                export_scorecard(scorecard, self.export)
                exported = self.export
            except (OSError, ValueError) as exc:
                self.notify(f"Could not export the scorecard: {exc}", severity="error")
        self.app.switch_screen(
            ScorecardScreen(scorecard, exported=exported, interview=self.interview)
        )


__all__ = [
    "CSS",
    "ConfirmScreen",
    "ExportScreen",
    "MockScreen",
    "MockSetupScreen",
    "ScoreScreen",
    "ScorecardScreen",
]
