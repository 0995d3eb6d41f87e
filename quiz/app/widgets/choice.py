"""The answer widget of a choice question: options picked with the number keys or space, then
which were right, which were picked, and why."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Button, Label, SelectionList, Static

from questions import ChoiceQuestion

from ...progress.session import ChoiceOutcome
from ...render import inline
from ..marks import NO_VERDICT, hit_mark
from .base import AnswerWidget, reference_answer


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
            yield from self.earlier_notes()
            yield Label(f"Options ({hint}: number keys or space, ctrl+s to submit):")
            given = self.given()
            before = set(given) if isinstance(given, list) else set()
            yield SelectionList[int](
                *(
                    (Text(f"{i + 1}. ").append_text(inline(o.text)), i, i in before)
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
            mark, style = hit_mark(correct) if correct or picked else NO_VERDICT
            lines.append(f"{mark} {index + 1}. ", style=style)
            lines.append_text(inline(option.text, style=style))
            if picked:
                lines.append("  (your pick)", style="bold")
            if option.why:
                lines.append(" — ", style="dim")
                lines.append_text(inline(option.why, style="dim"))
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
        assert isinstance(self.question, ChoiceQuestion)
        choices = self.query_one("#choices", SelectionList)
        index = number - 1
        if index >= len(self.question.options):
            return
        if not self.question.multiple:
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

    def submit(self) -> None:
        chosen = self.query_one("#choices", SelectionList).selected
        if not chosen:
            self.notify("Pick an option first.", severity="warning")
            return
        self.session.submit_choice(chosen)
        self.show_outcome()
