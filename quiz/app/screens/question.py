"""What the practice and mock interview screens share: one question at a time.

:class:`QuestionScreen` holds a :class:`~quiz.progress.session.PracticeSession` (or a
subclass), builds the answer widget for the current question, and turns the navigation keys
into calls on the session. Subclasses lay the screen out and say how a question is shown
(``show_question``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from rich.text import Text
from textual import getters
from textual.screen import Screen
from textual.widgets import Input, TextArea

from questions import ChoiceQuestion, CodeQuestion, ConceptQuestion, NumericQuestion

from ...progress.session import PracticeSession
from ...render import plain
from ..main import QuizApp
from ..widgets import AnswerWidget, ChoiceAnswer, CodeAnswer, ConceptAnswer, NumericAnswer


class QuestionScreen(Screen[None]):
    """Base of the screens that show a session's questions one at a time."""

    LAST_QUESTION = "That was the last question. ctrl+l lists them all."

    app = getters.app(QuizApp)

    def __init__(self, session: PracticeSession, deck_paths: Mapping[str, Path]) -> None:
        """``deck_paths``: deck id → deck file (the grader reads code questions from it)."""
        super().__init__()
        self.session = session
        self.deck_paths = deck_paths

    def show_question(self, index: int) -> None:
        """Move the session to question ``index`` and rebuild the screen for it."""
        raise NotImplementedError

    def answer_widget(self) -> AnswerWidget:
        question = self.session.current
        if isinstance(question, ConceptQuestion):
            return ConceptAnswer(self.session)
        if isinstance(question, NumericQuestion):
            return NumericAnswer(self.session)
        if isinstance(question, ChoiceQuestion):
            return ChoiceAnswer(self.session)
        assert isinstance(question, CodeQuestion)
        deck_path = self.deck_paths[self.session.deck_of().id]
        return CodeAnswer(self.session, deck_path, self.app.grader)

    def position_text(self) -> Text:
        """``Question 2 of 6 · numeric · heading``."""
        position, total = self.session.position
        question = self.session.current
        return Text.assemble(
            (f"Question {position} of {total}", "bold"),
            " · ",
            (question.kind, "magenta"),
            " · ",
            (plain(question.heading), "bold"),
        )

    def action_next(self) -> None:
        if self.session.next():
            self.show_question(self.session.index)
        else:
            self.notify(self.LAST_QUESTION, timeout=3)

    def action_previous(self) -> None:
        if self.session.previous():
            self.show_question(self.session.index)

    def action_jump(self) -> None:
        from .jump import JumpScreen

        def chosen(index: int | None) -> None:
            if index is not None:
                self.show_question(index)

        self.app.push_screen(JumpScreen(self.session), chosen)

    def leave_text_field(self) -> bool:
        """Escape's first job: move focus out of a text field (so that keys reach the screen).
        Returns whether it did."""
        if isinstance(self.focused, TextArea | Input):
            answer = next(iter(self.query(AnswerWidget)), None)
            if answer is not None:
                answer.focus()
                return True
        return False
