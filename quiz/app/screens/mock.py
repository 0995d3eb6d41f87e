"""Mock interview screens: set-up, the timed interview, and the scorecard.

The screens drive a :class:`~quiz.progress.mock.MockInterview` (textual-free, unit-tested
on its own).
The interview screen shows a countdown and the time on the current question, never a verdict
or a reference answer (answers stay editable until the end), except in interviewer mode, where
the reference answer and the rubric sit beside the candidate's answer and ctrl+r scores it.
Code is graded in the background for this screen (by the grading worker of
:mod:`quiz.app.grading`), so moving on does not stop a grade; the interview ends when the
candidate finishes it (ctrl+f) or the time runs out, once the submitted code has been graded.

The scorecard screen shows each concept answer's key points as a checklist, ticked by the
matcher: its score is the matcher's suggestion until the candidate (the interviewer, in
interviewer mode) reviews the ticks and confirms them (c); the scorecard, and the file it was
exported to, then say so.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import (
    Button,
    Footer,
    Header,
    Input,
    Label,
    Markdown,
    OptionList,
    SelectionList,
    Static,
    Switch,
)

from grader import SubmissionReport
from questions import ConceptQuestion, DeckLibrary, render_math

from ...formatting import clock_text, percent
from ...progress.mock import MockConfig, MockInterview, MockOver, Scorecard, export_scorecard
from ...render import inline, plain
from ..grading import Graded, grade_in_background
from ..marks import NO_VERDICT, hit_mark
from ..widgets import AnswerWidget, CodeAnswer
from ..widgets.concept import KeyPointChecklist, checklist_summary, highlighted_answer
from .question import QuestionBody, QuestionScreen, hints_text

CSS = Path(__file__).parent / "mock.tcss"


# --------------------------------------------------------------------------- set-up


class MockSetupScreen(ModalScreen[MockConfig | None]):
    """Choose the length, the number of questions, the decks and the mode."""

    CSS_PATH = CSS
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "start", "Start", priority=True),
    ]

    def __init__(self, library: DeckLibrary) -> None:
        super().__init__()
        self.library = library

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="setup-box"):
            yield Label("Mock interview", classes="section")
            yield Static(
                "Timed, mixed questions; no answers shown until the end; hints cost a quarter "
                "of a question's points. ctrl+s starts, Escape cancels.",
                classes="dim",
            )
            with Horizontal(classes="setup-row"):
                yield Label("Minutes", classes="setup-label")
                yield Input("30", id="setup-minutes", type="number", classes="setup-input")
                yield Label("Questions", classes="setup-label")
                yield Input("6", id="setup-count", type="integer", classes="setup-input")
            with Horizontal(classes="setup-row"):
                yield Label("Seed (optional)", classes="setup-label")
                yield Input("", id="setup-seed", type="integer", classes="setup-input")
                yield Label("Interviewer mode", classes="setup-label")
                yield Switch(False, id="setup-interviewer")
            yield Label("Decks (none ticked: all)")
            yield SelectionList[str](
                *((plain(d.deck.title), d.id) for d in self.library.decks), id="setup-decks"
            )
            with Horizontal(id="setup-buttons"):
                yield Button("Start (ctrl+s)", id="setup-start", variant="primary")
                yield Button("Cancel", id="setup-cancel")

    def on_mount(self) -> None:
        self.query_one("#setup-minutes", Input).focus()

    def config(self) -> MockConfig:
        """The configuration entered; ``ValueError`` with a readable message if invalid."""
        minutes_text = self.query_one("#setup-minutes", Input).value.strip()
        count_text = self.query_one("#setup-count", Input).value.strip()
        seed_text = self.query_one("#setup-seed", Input).value.strip()
        try:
            minutes = float(minutes_text)
        except ValueError:
            raise ValueError(f"minutes must be a number, got {minutes_text!r}") from None
        try:
            count = int(count_text)
        except ValueError:
            raise ValueError(f"questions must be a whole number, got {count_text!r}") from None
        try:
            seed = int(seed_text) if seed_text else None
        except ValueError:
            raise ValueError(f"the seed must be a whole number, got {seed_text!r}") from None
        return MockConfig(
            minutes=minutes,
            count=count,
            seed=seed,
            decks=tuple(self.query_one("#setup-decks", SelectionList).selected),
            interviewer=self.query_one("#setup-interviewer", Switch).value,
        )

    @on(Button.Pressed, "#setup-start")
    def action_start(self) -> None:
        try:
            config = self.config()
        except ValueError as exc:
            self.notify(str(exc), severity="error", title="Mock interview")
            return
        self.dismiss(config)

    @on(Button.Pressed, "#setup-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmScreen(ModalScreen[bool]):
    """A yes/no question."""

    CSS_PATH = CSS
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,n", "answer(False)", "No"),
        Binding("enter,y", "answer(True)", "Yes"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(self.question)
            with Horizontal(id="confirm-buttons"):
                yield Button("Yes (y)", id="yes", variant="primary")
                yield Button("No (n)", id="no")

    @on(Button.Pressed, "#yes")
    def _yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#no")
    def _no(self) -> None:
        self.dismiss(False)

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class ScoreScreen(ModalScreen[float | None]):
    """Interviewer mode: score the current answer 0–4 (0 none … 4 full marks)."""

    CSS_PATH = CSS
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "pick(-1)", "Cancel"),
        *(Binding(str(n), f"pick({n})", str(n), show=False) for n in range(5)),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static("Score this answer: 0 (nothing) … 4 (complete). Escape cancels.")
            with Horizontal(id="score-buttons"):
                for n in range(5):
                    yield Button(str(n), id=f"score-{n}")

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.action_pick(int((event.button.id or "score-0").removeprefix("score-")))

    def action_pick(self, value: int) -> None:
        self.dismiss(None if value < 0 else value / 4)


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
        self.pending = 0
        """Code submissions being graded."""
        self._ending = False

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
        self.pending += 1
        grade_in_background(self, self.app.grader, event.job)

    @on(Graded)
    def _graded(self, event: Graded) -> None:
        """Record the grade; one that could not be made counts as an error (it scores 0)."""
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
        self.pending -= 1
        with contextlib.suppress(MockOver):  # after the end: the scorecard is already made
            self.interview.record_grade(report, job.source, index=job.index)
        if job.index == self.interview.index and self.interview.config.interviewer:
            self._answered()
        if self._ending and self.pending == 0:
            self._show_scorecard()

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


# --------------------------------------------------------------------------- scorecard


class ExportScreen(ModalScreen[Path | None]):
    """Ask where to write the scorecard."""

    CSS_PATH = CSS
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, default: str) -> None:
        super().__init__()
        self.default = default

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static("Export the scorecard to (.md for Markdown, .json for JSON):")
            yield Input(self.default, id="export-path")

    def on_mount(self) -> None:
        self.query_one("#export-path", Input).focus()

    @on(Input.Submitted, "#export-path")
    def _submitted(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        self.dismiss(Path(value).expanduser() if value else None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ScorecardScreen(Screen[None]):
    """The scorecard of a finished mock interview, as it is exported (Markdown); with the
    ``interview``, each concept answer's checklist above it, to review and confirm."""

    CSS_PATH = CSS
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "confirm", "Confirm ticks"),
        Binding("e", "export", "Export"),
        Binding("escape,q", "close", "Close"),
    ]

    def __init__(
        self,
        scorecard: Scorecard,
        *,
        exported: Path | None = None,
        interview: MockInterview | None = None,
    ) -> None:
        super().__init__()
        self.scorecard = scorecard
        self.exported = exported
        self.interview = interview
        """The finished interview, when its concept scores can still be confirmed."""

    def _concept_indices(self) -> list[int]:
        """The answered concept questions (0-based) whose checklists can be confirmed."""
        if self.interview is None:
            return []
        return [
            entry.number - 1
            for entry in self.scorecard.entries
            if entry.kind == "concept" and entry.answered and entry.key_points
        ]

    def _summary(self) -> Text:
        card = self.scorecard
        summary = Text.assemble(
            ("Score ", "bold"),
            (f"{card.percent:.1f}%", "bold green" if card.percent >= 70 else "bold yellow"),
            f"  ({card.total:.2f} of {card.maximum} points) · time used "
            f"{clock_text(round(card.time_used))} of {clock_text(card.config.minutes * 60)}"
            + (" · time ran out" if card.ended_by == "time" else ""),
        )
        waiting = sum(entry.suggested for entry in card.entries)
        if waiting:
            who = "the interviewer" if card.config.interviewer else "you"
            summary.append(
                f"\n{waiting} concept score{'s are' if waiting > 1 else ' is'} the matcher's "
                f"suggestion until {who} confirm{'s' if who != 'you' else ''} "
                "the ticks (space ticks, c confirms)",
                style="yellow",
            )
        if self.exported is not None:
            summary.append(f"\nExported to {self.exported}", style="dim")
        return summary

    def _confirm_note(self, index: int) -> Text:
        entry = self.scorecard.entries[index]
        assert self.interview is not None
        if entry.scored_by == "interviewer":
            return Text(f"Score {entry.score:.2f}, given by the interviewer · c scores the ticks")
        if not self.interview.confirmed(index) and entry.confirmed_by is not None:
            return Text("Ticks changed since confirmed · c confirms them", "yellow")
        if entry.confirmed_by is not None:
            return Text(
                f"✓ Score {entry.score:.2f}, confirmed by the {entry.confirmed_by}", "green"
            )
        return Text(f"Score {entry.score:.2f} is the matcher's suggestion · c confirms", "yellow")

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(self._summary(), id="scorecard-summary")
        with VerticalScroll(id="scorecard-body"):
            for index in self._concept_indices():
                assert self.interview is not None
                entry = self.scorecard.entries[index]
                outcome = self.interview.outcome(index)
                assert outcome is not None
                ticks = self.interview.ticks(index)
                with Vertical(classes="concept-review", id=f"review-{index}"):
                    yield Label(f"{entry.number}. {plain(entry.heading)}", classes="section")
                    yield Static(
                        highlighted_answer(outcome.answer, outcome.detail), classes="given"
                    )
                    yield KeyPointChecklist(
                        [mark.point for mark in entry.key_points],
                        [mark.matched for mark in entry.key_points],
                        ticks,
                        id=f"checklist-{index}",
                    )
                    yield Static(checklist_summary(ticks), classes="checklist-summary")
                    yield Static(self._confirm_note(index), classes="confirm-note")
            yield Markdown(render_math(self.scorecard.to_markdown()), id="scorecard")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Mock interview scorecard"
        checklists = self.query(KeyPointChecklist)
        if checklists:  # the top of the scorecard stays in view
            checklists.first().focus(scroll_visible=False)
        else:
            self.query_one("#scorecard-body").focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "confirm":
            return bool(self._concept_indices())
        return True

    @on(KeyPointChecklist.Toggled)
    def _ticked(self, event: KeyPointChecklist.Toggled) -> None:
        if self.interview is None:
            return
        index = _review_index(event.checklist)
        ticks = event.checklist.ticks
        self.interview.tick(event.point, index, ticked=ticks[event.point])
        box = self.query_one(f"#review-{index}")
        box.query_one(".checklist-summary", Static).update(checklist_summary(ticks))
        box.query_one(".confirm-note", Static).update(self._confirm_note(index))

    @on(OptionList.OptionHighlighted)
    def _pointed(self, event: OptionList.OptionHighlighted) -> None:
        checklist = event.option_list
        if self.interview is None or not isinstance(checklist, KeyPointChecklist):
            return
        index = _review_index(checklist)
        outcome = self.interview.outcome(index)
        if outcome is None:
            return
        self.query_one(f"#review-{index}").query_one(".given", Static).update(
            highlighted_answer(outcome.answer, outcome.detail, event.option_index)
        )

    def action_confirm(self) -> None:
        """Confirm the checklist under focus (else the first one not confirmed yet)."""
        if self.interview is None:
            return
        indices = self._concept_indices()
        focused = self.focused
        if isinstance(focused, KeyPointChecklist):
            index = _review_index(focused)
        else:
            pending = [i for i in indices if self.scorecard.entries[i].confirmed_by is None]
            if not pending:
                self.notify("Every concept score is confirmed.", timeout=3)
                return
            index = pending[0]
        self.interview.confirm(index)
        assert self.interview.scorecard is not None
        self.scorecard = self.interview.scorecard
        entry = self.scorecard.entries[index]
        self.query_one(f"#review-{index}").query_one(".confirm-note", Static).update(
            self._confirm_note(index)
        )
        self.query_one("#scorecard-summary", Static).update(self._summary())
        self.query_one("#scorecard", Markdown).update(render_math(self.scorecard.to_markdown()))
        message = f"Question {entry.number}: {entry.score:.2f} confirmed"
        if self.exported is not None:
            try:
                export_scorecard(self.scorecard, self.exported)
                message += f"; {self.exported} updated"
            except (OSError, ValueError) as exc:
                self.notify(f"Could not export the scorecard: {exc}", severity="error")
        self.notify(message, title="Scorecard", timeout=3)
        following = [i for i in indices if i > index]
        if following:
            self.query_one(f"#checklist-{following[0]}", KeyPointChecklist).focus(
                scroll_visible=False
            )
            self.query_one(f"#review-{following[0]}").scroll_visible(animate=False, top=True)

    def action_export(self) -> None:
        def chosen(path: Path | None) -> None:
            if path is None:
                return
            try:
                export_scorecard(self.scorecard, path)
            except (OSError, ValueError) as exc:
                self.notify(str(exc), severity="error", title="Export")
                return
            self.notify(f"Scorecard written to {path}", title="Export")

        self.app.push_screen(
            ExportScreen(f"mock-{self.scorecard.started_at:%Y%m%d-%H%M}.md"), chosen
        )

    def action_close(self) -> None:
        self.app.pop_screen()


def _review_index(checklist: KeyPointChecklist) -> int:
    """The question (0-based) whose answer ``checklist`` (``checklist-<index>``) ticks."""
    return int((checklist.id or "").removeprefix("checklist-"))
