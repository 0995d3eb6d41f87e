"""The answer widget of a numeric question: one field per part, then each part's verdict."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import Button, Input, Label, Static

from grader import NumericResult, format_number
from questions import NumericQuestion

from ...render import plain
from ..marks import verdict_mark
from .base import AnswerWidget, reference_answer


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
            mark, style = verdict_mark(verdict.verdict)
            lines.append(f"{mark} {index}. {plain(verdict.label)}\n", style=f"bold {style}")
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
