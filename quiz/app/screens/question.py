"""What the practice and mock interview screens share: one question at a time.

:class:`QuestionScreen` holds a :class:`~quiz.progress.session.PracticeSession` (or a
subclass), builds the answer widget for the current question, and turns the navigation keys
into calls on the session. Subclasses lay the screen out and say how it is rebuilt for another
question (:meth:`QuestionScreen.rebuild`).

Moving to another question waits for the keys typed before the key that moves
(:meth:`~quiz.app.main.QuizApp.after_keys`), then keeps the draft of the question left, so
nothing typed is lost however fast it came.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from rich.text import Text
from textual import getters
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Input, TextArea

from questions import ChoiceQuestion, CodeQuestion, ConceptQuestion, NumericQuestion

from ...progress.session import PracticeSession
from ...progress.store import Attempt
from ...render import inline
from ..main import QuizApp
from ..widgets import (
    AnswerWidget,
    ChoiceAnswer,
    CodeAnswer,
    CodeEditor,
    ConceptAnswer,
    NumericAnswer,
)


def hints_text(hints: Sequence[str]) -> Text:
    """The hints shown so far, one a line."""
    text = Text(style="italic yellow")
    for number, hint in enumerate(hints):
        if number:
            text.append("\n")
        text.append("Hint: ")
        text.append_text(inline(hint))
    return text


class QuestionBody(VerticalScroll):
    """The scrolling part of a question screen: the prompt, the hints and the answer. When it
    changes size (the lines above it wrap), the code editor being typed in stays in view."""

    def on_resize(self) -> None:
        focused = self.screen.focused
        if isinstance(focused, CodeEditor) and self in focused.ancestors:
            self.call_after_refresh(focused.show_whole)


class QuestionScreen(Screen[None]):
    """Base of the screens that show a session's questions one at a time."""

    LAST_QUESTION = "That was the last question. ctrl+l lists them all."

    app = getters.app(QuizApp)

    def __init__(
        self,
        session: PracticeSession,
        deck_paths: Mapping[str, Path],
        *,
        earlier: Mapping[int, Attempt] | None = None,
    ) -> None:
        """``deck_paths``: deck id → deck file (the grader reads code questions from it);
        ``earlier``: by question index, the answers given before this session (today's)."""
        super().__init__()
        self.session = session
        self.deck_paths = deck_paths
        self.earlier: Mapping[int, Attempt] = earlier if earlier is not None else {}

    def rebuild(self) -> None:
        """Rebuild the screen for the session's current question."""
        raise NotImplementedError

    def show_question(self, index: int) -> None:
        """Move the session to question ``index`` and rebuild the screen for it."""
        self.keep_draft()
        self.session.go(index)
        self.rebuild()

    def keep_draft(self) -> None:
        """Save what is typed in the answer shown as its question's draft (before leaving it)."""
        for widget in self.query(AnswerWidget):
            widget.keep_draft()

    def answer_widget(self) -> AnswerWidget:
        question = self.session.current
        earlier = self.earlier.get(self.session.index)
        if isinstance(question, ConceptQuestion):
            return ConceptAnswer(self.session, earlier=earlier)
        if isinstance(question, NumericQuestion):
            return NumericAnswer(self.session, earlier=earlier)
        if isinstance(question, ChoiceQuestion):
            return ChoiceAnswer(self.session, earlier=earlier)
        assert isinstance(question, CodeQuestion)
        deck_path = self.deck_paths[self.session.deck_of().id]
        return CodeAnswer(self.session, deck_path, self.app.grader, earlier=earlier)

    def position_text(self) -> Text:
        """``Question 2 of 6 · numeric · heading``."""
        position, total = self.session.position
        question = self.session.current
        return Text.assemble(
            (f"Question {position} of {total}", "bold"),
            " · ",
            (question.kind, "magenta"),
            " · ",
            inline(question.heading, style="bold"),
        )

    # ------------------------------------------------------------------ navigation keys

    def action_next(self) -> None:
        self.app.after_keys(self._next)

    def _next(self) -> None:
        if not self.is_attached:  # left meanwhile
            return
        self.keep_draft()
        if self.session.next():
            self.rebuild()
        else:
            self.notify(self.LAST_QUESTION, timeout=3)

    def action_previous(self) -> None:
        self.app.after_keys(self._previous)

    def _previous(self) -> None:
        if not self.is_attached:  # left meanwhile
            return
        self.keep_draft()
        if self.session.previous():
            self.rebuild()

    def action_jump(self) -> None:
        from .jump import JumpScreen

        def chosen(index: int | None) -> None:
            if index is not None:
                self.show_question(index)

        self.app.push_screen(JumpScreen(self.session, earlier=self.earlier), chosen)

    def leave_text_field(self) -> bool:
        """Escape's first job: move focus out of a text field (so that keys reach the screen).
        Returns whether it did."""
        if isinstance(self.focused, TextArea | Input):
            answer = next(iter(self.query(AnswerWidget)), None)
            if answer is not None:
                answer.focus()
                return True
        return False
