"""The scorecard of a finished mock interview (:class:`ScorecardScreen`).

It shows each concept answer's key points as a checklist, ticked by the matcher: its score is
the matcher's suggestion until the candidate (the interviewer, in interviewer mode) reviews the
ticks and confirms them (c); the scorecard, and the file it was exported to, then say so.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Label, Markdown, OptionList, Static

from questions import render_math

from ...formatting import clock_text
from ...progress.mock import MockInterview, Scorecard, export_scorecard
from ...render import plain
from ..widgets.concept import KeyPointChecklist, checklist_summary, highlighted_answer
from .mock_dialogs import CSS, ExportScreen


class ScorecardScreen(Screen[None]):
    """The scorecard of a finished mock interview, as it is exported (Markdown); with the
    ``interview``, each concept answer's checklist above it, to review and confirm."""

    CSS_PATH = CSS
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "confirm", "Confirm ticks"),
        Binding("e", "export", "Export"),
        Binding("escape,q", "close", "Close"),
    ]

    def __init__(
        self,
        scorecard: Scorecard,
        *,
        exported: Path | None = None,
        interview: MockInterview | None = None,
    ) -> None:
        super().__init__()
        self.scorecard = scorecard
        self.exported = exported
        self.interview = interview
        """The finished interview, when its concept scores can still be confirmed."""

    def _concept_indices(self) -> list[int]:
        """The answered concept questions (0-based) whose checklists can be confirmed."""
        if self.interview is None:
            return []
        return [
            entry.number - 1
            for entry in self.scorecard.entries
            if entry.kind == "concept" and entry.answered and entry.key_points
        ]

    def _summary(self) -> Text:
        card = self.scorecard
        summary = Text.assemble(
            ("Score ", "bold"),
            (f"{card.percent:.1f}%", "bold green" if card.percent >= 70 else "bold yellow"),
            f"  ({card.total:.2f} of {card.maximum} points) · time used "
            f"{clock_text(round(card.time_used))} of {clock_text(card.config.minutes * 60)}"
            + (" · time ran out" if card.ended_by == "time" else ""),
        )
        waiting = sum(entry.suggested for entry in card.entries)
        if waiting:
            who = "the interviewer" if card.config.interviewer else "you"
            summary.append(
                f"\n{waiting} concept score{'s are' if waiting > 1 else ' is'} the matcher's "
                f"suggestion until {who} confirm{'s' if who != 'you' else ''} "
                "the ticks (space ticks, c confirms)",
                style="yellow",
            )
        if self.exported is not None:
            summary.append(f"\nExported to {self.exported}", style="dim")
        return summary

    def _confirm_note(self, index: int) -> Text:
        entry = self.scorecard.entries[index]
        assert self.interview is not None
        if entry.scored_by == "interviewer":
            return Text(f"Score {entry.score:.2f}, given by the interviewer · c scores the ticks")
        if not self.interview.confirmed(index) and entry.confirmed_by is not None:
            return Text("Ticks changed since confirmed · c confirms them", "yellow")
        if entry.confirmed_by is not None:
            return Text(
                f"✓ Score {entry.score:.2f}, confirmed by the {entry.confirmed_by}", "green"
            )
        return Text(f"Score {entry.score:.2f} is the matcher's suggestion · c confirms", "yellow")

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(self._summary(), id="scorecard-summary")
        with VerticalScroll(id="scorecard-body"):
            for index in self._concept_indices():
                assert self.interview is not None
                entry = self.scorecard.entries[index]
                outcome = self.interview.outcome(index)
                assert outcome is not None
                ticks = self.interview.ticks(index)
                with Vertical(classes="concept-review", id=f"review-{index}"):
                    yield Label(f"{entry.number}. {plain(entry.heading)}", classes="section")
                    yield Static(
                        highlighted_answer(outcome.answer, outcome.detail), classes="given"
                    )
                    yield KeyPointChecklist(
                        [mark.point for mark in entry.key_points],
                        [mark.matched for mark in entry.key_points],
                        ticks,
                        id=f"checklist-{index}",
                    )
                    yield Static(checklist_summary(ticks), classes="checklist-summary")
                    yield Static(self._confirm_note(index), classes="confirm-note")
            yield Markdown(render_math(self.scorecard.to_markdown()), id="scorecard")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Mock interview scorecard"
        checklists = self.query(KeyPointChecklist)
        if checklists:  # the top of the scorecard stays in view
            checklists.first().focus(scroll_visible=False)
        else:
            self.query_one("#scorecard-body").focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "confirm":
            return bool(self._concept_indices())
        return True

    @on(KeyPointChecklist.Toggled)
    def _ticked(self, event: KeyPointChecklist.Toggled) -> None:
        if self.interview is None:
            return
        index = _review_index(event.checklist)
        ticks = event.checklist.ticks
        self.interview.tick(event.point, index, ticked=ticks[event.point])
        box = self.query_one(f"#review-{index}")
        box.query_one(".checklist-summary", Static).update(checklist_summary(ticks))
        box.query_one(".confirm-note", Static).update(self._confirm_note(index))

    @on(OptionList.OptionHighlighted)
    def _pointed(self, event: OptionList.OptionHighlighted) -> None:
        checklist = event.option_list
        if self.interview is None or not isinstance(checklist, KeyPointChecklist):
            return
        index = _review_index(checklist)
        outcome = self.interview.outcome(index)
        if outcome is None:
            return
        self.query_one(f"#review-{index}").query_one(".given", Static).update(
            highlighted_answer(outcome.answer, outcome.detail, event.option_index)
        )

    def action_confirm(self) -> None:
        """Confirm the checklist under focus (else the first one not confirmed yet)."""
        if self.interview is None:
            return
        indices = self._concept_indices()
        focused = self.focused
        if isinstance(focused, KeyPointChecklist):
            index = _review_index(focused)
        else:
            pending = [i for i in indices if self.scorecard.entries[i].confirmed_by is None]
            if not pending:
                self.notify("Every concept score is confirmed.", timeout=3)
                return
            index = pending[0]
        self.interview.confirm(index)
        assert self.interview.scorecard is not None
        self.scorecard = self.interview.scorecard
        entry = self.scorecard.entries[index]
        self.query_one(f"#review-{index}").query_one(".confirm-note", Static).update(
            self._confirm_note(index)
        )
        self.query_one("#scorecard-summary", Static).update(self._summary())
        self.query_one("#scorecard", Markdown).update(render_math(self.scorecard.to_markdown()))
        message = f"Question {entry.number}: {entry.score:.2f} confirmed"
        if self.exported is not None:
            try:
                export_scorecard(self.scorecard, self.exported)
                message += f"; {self.exported} updated"
            except (OSError, ValueError) as exc:
                self.notify(f"Could not export the scorecard: {exc}", severity="error")
        self.notify(message, title="Scorecard", timeout=3)
        following = [i for i in indices if i > index]
        if following:
            self.query_one(f"#checklist-{following[0]}", KeyPointChecklist).focus(
                scroll_visible=False
            )
            self.query_one(f"#review-{following[0]}").scroll_visible(animate=False, top=True)

    def action_export(self) -> None:
        def chosen(path: Path | None) -> None:
            if path is None:
                return
            try:
                export_scorecard(self.scorecard, path)
            except (OSError, ValueError) as exc:
                self.notify(str(exc), severity="error", title="Export")
                return
            self.notify(f"Scorecard written to {path}", title="Export")

        self.app.push_screen(
            ExportScreen(f"mock-{self.scorecard.started_at:%Y%m%d-%H%M}.md"), chosen
        )

    def action_close(self) -> None:
        self.app.pop_screen()


def _review_index(checklist: KeyPointChecklist) -> int:
    """The question (0-based) whose answer ``checklist`` (``checklist-<index>``) ticks."""
    return int((checklist.id or "").removeprefix("checklist-"))


__all__ = ["ScorecardScreen"]
