"""The answer widget of a numeric question: one field per part, then each part's verdict.

A part that cannot be read as a number (``abc``, ``1,5``, nothing at all) is never submitted:
the field says what is wrong with it (the grader's own reading, :func:`grader.parse_number`)
and stays editable, as ``quiz answer`` refuses it too.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import Button, Input, Label, Static

from grader import NumericParseError, NumericResult, format_number, parse_number
from questions import NumericQuestion

from ...render import inline
from ..marks import verdict_mark
from .base import AnswerWidget, reference_answer
from .fields import OrderedInput


def unreadable(text: str) -> str | None:
    """Why ``text`` cannot be read as a number, or None when it can."""
    try:
        parse_number(text)
    except NumericParseError as exc:
        return exc.reason
    return None


class NumericAnswer(AnswerWidget):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "submit", "Submit", priority=True),
        # Moving to the next field at once, as the key is read, sends the keys typed after
        # Enter to the next field even when they arrive in one burst (a paste, a fast typist).
        Binding("enter", "next_part", "Next part", show=False, priority=True),
    ]

    def compose(self) -> ComposeResult:
        assert isinstance(self.question, NumericQuestion)
        outcome = self.outcome
        if self.editing:
            yield from self.earlier_notes()
            yield Static(
                "Type each part as you like: 73,728 · 0.119 · 11.9% · ~8.4x · "
                "3*3*64*128 (Enter moves on, ctrl+s submits)",
                classes="dim",
            )
            given = self.given()
            values = [str(v) for v in given] if isinstance(given, list) else []
            for index, part in enumerate(self.question.parts):
                with Horizontal(classes="part"):
                    yield Static(
                        Text(f"{index + 1}. ").append_text(inline(part.label)),
                        classes="part-label",
                    )
                    yield OrderedInput(
                        values[index] if index < len(values) else "",
                        placeholder="answer",
                        id=f"part-{index}",
                        classes="part-input",
                    )
                yield Static("", id=f"problem-{index}", classes="part-problem")
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
            lines.append_text(inline(f"{mark} {index}. {verdict.label}", style=f"bold {style}"))
            lines.append("\n")
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

    def _fields(self) -> list[Input]:
        return list(self.query(".part-input").results(Input))

    def action_next_part(self) -> None:
        """Enter in a field: the next field, or submit from the last one."""
        fields = self._fields()
        focused = self.screen.focused
        if not self.editing or focused not in fields:
            raise SkipAction  # Enter does what it does elsewhere (a button, the ratings)
        assert isinstance(focused, Input)
        position = fields.index(focused)
        # Once the keys before Enter are in, say whether the field can be read.
        self.app.after_keys(lambda: self._check_field(position))
        if position + 1 < len(fields):
            self.screen.set_focus(fields[position + 1])
        else:
            self.action_submit()

    def _check_field(self, position: int) -> bool:
        """Show why the field at ``position`` cannot be read (or clear it); whether it can."""
        if not self.is_attached or not self.editing:
            return True
        problem = unreadable(self._fields()[position].value)
        self._show_problem(position, problem)
        return problem is None

    def _show_problem(self, position: int, problem: str | None) -> None:
        field = self._fields()[position]
        field.set_class(problem is not None, "-unreadable")
        note = self.query_one(f"#problem-{position}", Static)
        note.set_class(problem is not None, "-shown")
        if problem is None:
            note.update("")
            return
        mark, style = verdict_mark("invalid")
        note.update(Text.assemble((f"{mark} ", style), (problem, style)))

    @on(Input.Changed, ".part-input")
    def _typed(self, event: Input.Changed) -> None:
        # A field being fixed is no longer marked wrong; it is read again on Enter or submit.
        if event.input.has_class("-unreadable"):
            self._show_problem(self._fields().index(event.input), None)

    def submit(self) -> None:
        fields = self._fields()
        readable = [self._check_field(position) for position in range(len(fields))]
        if not all(readable):
            first = readable.index(False)
            fields[first].focus()
            wrong = [str(p + 1) for p, ok in enumerate(readable) if not ok]
            which = f"Part {wrong[0]}" if len(wrong) == 1 else f"Parts {', '.join(wrong)}"
            self.notify(
                f"{which} cannot be read as a number: fix and submit again.", severity="warning"
            )
            return
        self.session.submit_numeric([field.value for field in fields])
        self.show_outcome()
