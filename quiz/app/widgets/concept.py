"""The answer widget of a concept question: free text, then the reference answer, the key
points it met, and a self-rating from 1 (Again) to 4 (Easy)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import Button, Label, Static, TextArea

from questions import ConceptQuestion

from ...progress.scheduling import RATING_NAMES
from ...render import inline
from ..marks import hit_mark
from .base import AnswerWidget, reference_answer
from .fields import OrderedTextArea


class ConceptAnswer(AnswerWidget):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+s", "submit", "Submit", priority=True)]

    _text: TextArea | None = None
    """The answer being typed (while editing)."""

    def compose(self) -> ComposeResult:
        assert isinstance(self.question, ConceptQuestion)
        outcome = self.outcome
        if self.editing:
            yield from self.earlier_notes()
            yield Label("Your answer (ctrl+s to submit):")
            given = self.given()
            self._text = OrderedTextArea(
                given if given is not None else self.session.draft(),
                id="concept-text",
                soft_wrap=True,
                show_line_numbers=False,
            )
            yield self._text
            yield Button("Submit", id="submit", variant="primary")
            if self.blind:
                yield self.recorded_note()
            return
        assert outcome is not None
        yield Label("Your answer", classes="section")
        yield Static(Text(outcome.answer), id="given")
        yield Label("Reference answer", classes="section")
        yield reference_answer(self.question.answer)
        if outcome.detail:
            yield Label("Key points", classes="section")
            lines = Text()
            for key_point, hit in outcome.detail:
                mark, style = hit_mark(hit)
                lines.append(f"{mark} ", style=style)
                lines.append_text(inline(key_point.point, style="" if hit else "dim"))
                lines.append("\n")
            yield Static(lines, id="rubric")
        rating = self.session.rating(self.index)
        if rating is None:
            yield Label("How did it go? Press 1–4:", classes="section")
            with Horizontal(id="ratings"):
                for key, name in RATING_NAMES.items():
                    yield Button(f"{key} {name}", id=f"rate-{key}")
        else:
            yield Static(f"Rated: {RATING_NAMES[rating]}", id="rated")

    def on_mount(self) -> None:
        if self.editing:
            self.query_one("#concept-text", TextArea).focus()
        else:
            self.focus()

    @on(TextArea.Changed, "#concept-text")
    def _changed(self, event: TextArea.Changed) -> None:
        if self.is_current:  # else the screen kept the draft before moving on
            self.session.save_draft(event.text_area.text)

    def keep_draft(self) -> None:
        if self._text is None or not (self.editing and self.is_current):
            return
        text = self._text.text
        if text != self.session.draft():
            self.session.save_draft(text)

    def on_unmount(self) -> None:
        # Quitting: the keys typed last are in the editor, if not yet in the draft.
        self.keep_draft()

    def submit(self) -> None:
        assert self._text is not None
        text = self._text.text
        if not text.strip():
            self.notify("Write an answer first (or skip with ctrl+k).", severity="warning")
            return
        self.session.submit_concept(text)
        self.show_outcome()

    @on(Button.Pressed, "#ratings Button")
    def _rate_button(self, event: Button.Pressed) -> None:
        self.action_rate(int((event.button.id or "rate-3").removeprefix("rate-")))

    def action_rate(self, rating: int) -> None:
        if self.blind or self.outcome is None or self.session.rating(self.index) is not None:
            return
        self.session.rate(rating)
        self.notify(f"Rated {RATING_NAMES[rating]}", timeout=2)
        self.show_outcome()
