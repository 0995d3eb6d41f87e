"""What the answer widgets share: :class:`AnswerWidget`, the message it posts, and helpers.

Each widget turns input into a call on the practice session and shows the
outcome; it posts :class:`AnswerWidget.Answered` so the screen can update its progress line.
"""

from __future__ import annotations

import json
from typing import Any

from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Markdown, Static

from questions import render_math

from ...progress.session import Outcome, PracticeSession

RECORDED_NOTE = "✓ Answer recorded. You can change it and submit again until the end."


def reference_answer(text: str) -> Markdown:
    return Markdown(render_math(text), classes="reference")


class AnswerWidget(Vertical, can_focus=True):
    """Base: holds the session; subclasses compose the input or the outcome."""

    class Answered(Message):
        """An answer was submitted (or rated): the screen refreshes its progress."""

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

    def action_submit(self) -> None:
        raise NotImplementedError

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "submit":  # answered: nothing more to submit (blind: submit again)
            return self.editing
        return True
