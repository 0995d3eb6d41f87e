"""A list of the deck's questions with their status; pick one to jump to it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from ...progress.session import PracticeSession
from ...progress.store import Attempt
from ...render import inline
from ..marks import verdict_mark

STATUS_MARKS = {"new": ("·", "dim"), "skipped": ("↷", "yellow")}
"""The marks of the questions not answered."""


class JumpScreen(ModalScreen[int | None]):
    """Returns the index of the chosen question, or None."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss_none", "Close")]

    def __init__(
        self, session: PracticeSession, *, earlier: Mapping[int, Attempt] | None = None
    ) -> None:
        """``earlier``: by question index, the answers given earlier today (marked as theirs,
        dimmed, until the question is answered again)."""
        super().__init__()
        self.session = session
        self.earlier: Mapping[int, Attempt] = earlier if earlier is not None else {}

    def compose(self) -> ComposeResult:
        options = []
        for index, question in enumerate(self.session.questions):
            outcome = self.session.outcome(index)
            if outcome is not None and not self.session.reveals_answers:
                mark, style = "•", "cyan"  # answered; the verdict waits for the end
            elif outcome is not None:
                mark, style = verdict_mark(outcome.verdict)
            elif index in self.earlier:
                mark, style = verdict_mark(self.earlier[index].verdict)
                style = f"dim {style}"
            else:
                mark, style = STATUS_MARKS[self.session.status(index)]
            line = Text.assemble(
                (f"{mark} ", style),
                f"{index + 1:>2}. ",
                inline(question.heading, style="bold"),
                (f"  {question.kind}", "dim"),
            )
            options.append(Option(line, id=str(index)))
        with Vertical(id="jump-box"):
            yield Label("Jump to question (Enter), Escape to close")
            yield OptionList(*options, id="jump-list")

    def on_mount(self) -> None:
        jump = self.query_one("#jump-list", OptionList)
        jump.highlighted = self.session.index
        jump.focus()

    @on(OptionList.OptionSelected, "#jump-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id or 0))

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
