"""What the answer widgets share: :class:`AnswerWidget`, the message it posts, and helpers.

Each widget turns input into a call on the practice session and shows the
outcome; it posts :class:`AnswerWidget.Answered` so the screen can update its progress line.
A submit key waits for the keys typed before it (:meth:`~quiz.app.main.QuizApp.after_keys`),
so that a fast typist or a paste is submitted whole.
"""

from __future__ import annotations

import json
from typing import Any

from textual import getters, on
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Button, Markdown, Static

from questions import render_math

from ...progress.session import Outcome, PracticeSession
from ...progress.store import Attempt
from ..main import QuizApp
from ..today import attempt_summary

RECORDED_NOTE = "✓ Answer recorded. You can change it and submit again until the end."


def reference_answer(text: str) -> Markdown:
    return Markdown(render_math(text), classes="reference")


class AnswerWidget(Vertical, can_focus=True):
    """Base: holds the session; subclasses compose the input or the outcome, and say what
    submitting does (:meth:`submit`)."""

    app = getters.app(QuizApp)

    class Answered(Message):
        """An answer was submitted (or rated): the screen refreshes its progress."""

    def __init__(self, session: PracticeSession, *, earlier: Attempt | None = None) -> None:
        """``earlier``: the answer given to this question earlier today, before this session."""
        super().__init__(classes="answer")
        self.session = session
        self.question = session.current
        self.index = session.index
        self.blind = not session.reveals_answers
        """Blind (a mock interview): no verdict or reference answer, answers stay editable."""
        self.earlier = None if self.blind else earlier

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

    @property
    def earlier_today(self) -> Attempt | None:
        """The answer given to this question earlier today, while this session has none."""
        return self.earlier if self.outcome is None else None

    def earlier_notes(self) -> list[Static]:
        """A line saying what the answer given earlier today got, if there was one."""
        if self.earlier_today is None:
            return []
        summary = attempt_summary(self.earlier_today)
        return [
            Static(
                f"Answered earlier today: {summary}. Answer again to practise it once more.",
                id="earlier",
                classes="dim",
            )
        ]

    def recorded_note(self) -> Static:
        return Static(
            RECORDED_NOTE if self.outcome is not None else "", id="recorded", classes="dim"
        )

    def show_outcome(self) -> None:
        self.post_message(self.Answered())

        async def rebuild() -> None:
            # The learner may have moved on (ctrl+n) before this runs: the widget is gone.
            if not self.is_attached:
                return
            await self.recompose()
            if self.is_attached:
                self.focus()
                self.screen.refresh_bindings()

        self.call_after_refresh(rebuild)

    @property
    def is_current(self) -> bool:
        """Whether the session is still on this widget's question (it moves on before the
        screen rebuilds)."""
        return self.session.index == self.index

    @on(Button.Pressed, "#submit")
    def action_submit(self) -> None:
        """ctrl+s or the Submit button: submit, once every key pressed before is in."""
        self.app.after_keys(self._submit_when_ready)

    def _submit_when_ready(self) -> None:
        if self.is_attached and self.is_current and self.editing:
            self.submit()

    def submit(self) -> None:
        """Submit what was given (only called while :attr:`editing`)."""
        raise NotImplementedError

    def keep_draft(self) -> None:
        """Save what is being typed as the draft of this question (the screen calls it before
        leaving the question); nothing for answers that have no draft."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "submit":  # answered: nothing more to submit (blind: submit again)
            return self.editing
        return True
