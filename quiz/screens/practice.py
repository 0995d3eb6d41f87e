"""The practice screen: one question at a time, with a progress line.

Key presses become calls on ``PracticeSession``; the answer area is rebuilt for
each question from the session's state, so going back shows what was answered.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Markdown, ProgressBar, Static, TextArea

from questions import ChoiceQuestion, CodeQuestion, ConceptQuestion, NumericQuestion, render_math

from ..render import plain
from ..session import PracticeSession
from ..widgets.answers import (
    Answered,
    AnswerWidget,
    ChoiceAnswer,
    CodeAnswer,
    ConceptAnswer,
    NumericAnswer,
)


class PracticeScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+n", "next", "Next", priority=True),
        Binding("ctrl+b", "previous", "Back", priority=True),
        Binding("ctrl+k", "skip", "Skip", priority=True),
        Binding("ctrl+l", "jump", "Questions", priority=True),
        Binding("ctrl+t", "hint", "Hint", priority=True),
        Binding("escape", "leave", "Back", priority=True),
        *(
            Binding(str(k), f"rate({k})", name)
            for k, name in {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}.items()
        ),
    ]

    def __init__(self, session: PracticeSession, *, deck_path: Path) -> None:
        super().__init__()
        self.session = session
        self.deck_path = deck_path
        self._hints: list[str] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(self._progress_text(), id="progress-line")
        yield ProgressBar(total=len(self.session.questions), show_eta=False, id="progress")
        with VerticalScroll(id="body"):
            yield Markdown(render_math(self.session.current.prompt), id="prompt")
            yield Static("", id="hints", classes="empty")
            yield self._answer_widget()
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = plain(self.session.deck.title)
        self._refresh_progress()

    def _answer_widget(self) -> AnswerWidget:
        question = self.session.current
        if isinstance(question, ConceptQuestion):
            return ConceptAnswer(self.session)
        if isinstance(question, NumericQuestion):
            return NumericAnswer(self.session)
        if isinstance(question, ChoiceQuestion):
            return ChoiceAnswer(self.session)
        assert isinstance(question, CodeQuestion)
        return CodeAnswer(self.session, self.deck_path)

    def _progress_text(self) -> Text:
        position, total = self.session.position
        question = self.session.current
        status = self.session.status(self.session.index)
        return Text.assemble(
            (f"Question {position} of {total}", "bold"),
            " · ",
            (question.kind, "magenta"),
            " · ",
            (plain(question.heading), "bold"),
            (f"   [{status}]", "dim"),
        )

    def _refresh_progress(self) -> None:
        self.query_one("#progress-line", Static).update(self._progress_text())
        self.query_one("#progress", ProgressBar).update(progress=self.session.answered)

    @on(Answered)
    def _answered(self) -> None:
        self._refresh_progress()

    def show_question(self, index: int) -> None:
        """Rebuild the screen for question ``index``."""
        self.session.go(index)
        self._hints = []
        self.refresh(recompose=True)
        self.call_after_refresh(self._refresh_progress)

    # ------------------------------------------------------------------ actions

    def action_next(self) -> None:
        if self.session.next():
            self.show_question(self.session.index)
        else:
            self.notify("That was the last question. ctrl+l lists them all.", timeout=3)

    def action_previous(self) -> None:
        if self.session.previous():
            self.show_question(self.session.index)

    def action_skip(self) -> None:
        moved = self.session.skip()
        self.show_question(self.session.index)
        if not moved:
            self.notify("Skipped. That was the last question.", timeout=3)

    def action_jump(self) -> None:
        from .jump import JumpScreen

        def chosen(index: int | None) -> None:
            if index is not None:
                self.show_question(index)

        self.app.push_screen(JumpScreen(self.session), chosen)

    def action_hint(self) -> None:
        hint = self.session.show_hint()
        if hint is None:
            self.notify("No more hints for this question.", timeout=3)
            return
        self._hints.append(hint)
        hints = self.query_one("#hints", Static)
        hints.update(self._hints_text())
        hints.remove_class("empty")

    def _hints_text(self) -> Text:
        return Text("\n".join(f"Hint: {plain(h)}" for h in self._hints), style="italic yellow")

    def action_rate(self, rating: int) -> None:
        for widget in self.query(ConceptAnswer):
            widget.action_rate(rating)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "rate":  # only once a concept answer waits for its rating
            outcome = self.session.outcome(self.session.index)
            return (
                outcome is not None
                and outcome.kind == "concept"
                and self.session.rating(self.session.index) is None
            )
        return True

    def action_leave(self) -> None:
        """Escape: out of a text field first (to reach the keys), then back to the decks."""
        if isinstance(self.focused, TextArea | Input):
            answer = next(iter(self.query(AnswerWidget)), None)
            if answer is not None:
                answer.focus()
                return
        self.app.pop_screen()
