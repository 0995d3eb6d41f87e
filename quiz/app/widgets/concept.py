"""The answer widget of a concept question: free text, then the reference answer, the key points
as a checklist the learner confirms, and a self-rating from 1 (Again) to 4 (Easy).

The matcher pre-ticks the checklist and its words are highlighted in the answer; the learner
ticks or unticks points (space on the focused point, or a click), and the rating confirms the
checklist: its share of ticked points is the attempt's score, and it suggests the rating.
:class:`KeyPointChecklist` is also the checklist of the mock interview's scorecard.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Self

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Button, Label, OptionList, Static, TextArea

from questions import ConceptQuestion

from ...progress.concept import PointResult, suggested_rating, ticked_score
from ...progress.scheduling import RATING_NAMES
from ...render import inline
from .base import AnswerWidget, reference_answer
from .fields import OrderedTextArea

MATCHED_STYLE = "bold green"
"""The words the matcher found, in the learner's answer."""
FOCUSED_STYLE = "bold black on green"
"""The words of the key point the checklist's cursor is on."""


def highlighted_answer(
    text: str, results: Sequence[PointResult], focused: int | None = None
) -> Text:
    """``text`` with the words that make each key point highlighted, those of point
    ``focused`` (0-based) more strongly."""
    answer = Text(text)
    for number, result in enumerate(results):
        if number != focused:
            for start, end in result.spans:
                answer.stylize(MATCHED_STYLE, start, end)
    if focused is not None and 0 <= focused < len(results):
        for start, end in results[focused].spans:
            answer.stylize(FOCUSED_STYLE, start, end)
    return answer


def checklist_summary(ticks: Sequence[bool], *, rating: bool = False) -> str:
    """``2 of 3 key points ticked (67%)``, and with ``rating`` `` · suggests 2 Hard``."""
    text = f"{sum(ticks)} of {len(ticks)} key points ticked ({round(100 * ticked_score(ticks))}%)"
    if rating:
        suggested = suggested_rating(ticks)
        text += f" · suggests {suggested} {RATING_NAMES[suggested]}"
    return text


class KeyPointChecklist(OptionList):
    """The key points of a concept answer, each ticked or not. Space, enter or a click toggles
    the point under the cursor and posts :class:`KeyPointChecklist.Toggled`; moving the cursor
    posts ``OptionList.OptionHighlighted``."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("space", "select", "Tick/untick")]

    class Toggled(Message):
        """A key point was ticked or unticked."""

        def __init__(self, checklist: KeyPointChecklist, point: int) -> None:
            super().__init__()
            self.checklist = checklist
            self.point = point
            """0-based."""

        @property
        def control(self) -> KeyPointChecklist:
            return self.checklist

    def __init__(
        self,
        points: Sequence[str],
        matched: Sequence[bool],
        ticks: Sequence[bool],
        *,
        id: str | None = None,
        disabled: bool = False,
    ) -> None:
        self.points = list(points)
        self.matched = list(matched)
        self.ticks = list(ticks)
        """What is ticked now (0-based, in the order of the points)."""
        super().__init__(
            *(self._prompt(number) for number in range(len(self.points))),
            id=id,
            disabled=disabled,
            markup=False,
            compact=True,
        )

    def _prompt(self, number: int) -> Text:
        ticked = self.ticks[number]
        prompt = Text.assemble(("[x] " if ticked else "[ ] ", "bold green" if ticked else "dim"))
        prompt.append_text(inline(self.points[number], style="" if ticked else "dim"))
        if ticked != self.matched[number]:
            prompt.append(" (ticked by you)" if ticked else " (unticked by you)", "italic yellow")
        return prompt

    @on(OptionList.OptionSelected)
    def _toggle(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        number = event.option_index
        self.ticks[number] = not self.ticks[number]
        self.replace_option_prompt_at_index(number, self._prompt(number))
        self.post_message(self.Toggled(self, number))


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
        results: list[PointResult] = outcome.detail
        rating = self.session.rating(self.index)
        label = "Your answer (the matcher's words in green)" if results else "Your answer"
        yield Label(label, classes="section")
        yield Static(highlighted_answer(outcome.answer, results), id="given")
        if results:
            ticks = self.session.ticks(self.index)
            if rating is None:
                title = "Key points: space ticks or unticks · 1–4 rates and confirms"
            else:
                title = "Key points, as you confirmed them"
            yield Label(title, classes="section")
            yield KeyPointChecklist(
                [result.point for result in results],
                [result.hit for result in results],
                ticks,
                id="checklist",
                disabled=rating is not None,
            )
            yield Static(checklist_summary(ticks, rating=rating is None), id="checklist-summary")
        if rating is None:
            if not results:
                yield Label("How did it go? Press 1–4:", classes="section")
            suggested = self.session.suggested_rating(self.index)
            with Horizontal(id="ratings"):
                for key, name in RATING_NAMES.items():
                    yield Button(
                        f"{key} {name}",
                        id=f"rate-{key}",
                        variant="primary" if key == suggested and results else "default",
                        compact=True,
                    )
        else:
            yield Static(f"Rated: {RATING_NAMES[rating]}", id="rated")
        yield Label("Reference answer", classes="section")
        yield reference_answer(self.question.answer)

    def on_mount(self) -> None:
        if self.editing:
            self.query_one("#concept-text", TextArea).focus()
        else:
            self.focus()

    def focus(self, scroll_visible: bool = True) -> Self:
        """Focus the checklist while it waits to be confirmed, else the widget itself.

        Focusing would centre the checklist, scrolling the answer it ticks out of view: the
        body scrolls instead only as far as it must to show the rating buttons under it."""
        checklists = self.query(KeyPointChecklist)
        if not checklists or checklists.first().disabled:
            return super().focus(scroll_visible)
        checklists.first().focus(scroll_visible=False)
        if scroll_visible:
            below = self.query("#ratings") or checklists
            self.call_after_refresh(below.first().scroll_visible, animate=False)
        return self

    @on(KeyPointChecklist.Toggled, "#checklist")
    def _ticked(self, event: KeyPointChecklist.Toggled) -> None:
        ticks = event.checklist.ticks
        self.session.tick(event.point, self.index, ticked=ticks[event.point])
        self.query_one("#checklist-summary", Static).update(checklist_summary(ticks, rating=True))
        suggested = self.session.suggested_rating(self.index)
        for button in self.query("#ratings Button").results(Button):
            button.variant = "primary" if button.id == f"rate-{suggested}" else "default"

    @on(OptionList.OptionHighlighted, "#checklist")
    def _pointed(self, event: OptionList.OptionHighlighted) -> None:
        outcome = self.outcome
        if outcome is None:
            return
        self.query_one("#given", Static).update(
            highlighted_answer(outcome.answer, outcome.detail, event.option_index)
        )

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
        ticks = self.session.ticks(self.index)
        confirmed = f", {sum(ticks)} of {len(ticks)} key points confirmed" if ticks else ""
        self.notify(f"Rated {RATING_NAMES[rating]}{confirmed}", timeout=2)
        self.show_outcome()
