"""The mock interview's dialogs: set-up (:class:`MockSetupScreen`), a yes/no question
(:class:`ConfirmScreen`), the interviewer's score (:class:`ScoreScreen`) and where to export
the scorecard (:class:`ExportScreen`). All take their styles from ``mock.tcss`` (:data:`CSS`),
which the mock screens share."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, SelectionList, Static, Switch

from questions import DeckLibrary

from ...progress.mock import MockConfig
from ...render import plain

CSS = Path(__file__).parent / "mock.tcss"


# --------------------------------------------------------------------------- set-up


class MockSetupScreen(ModalScreen[MockConfig | None]):
    """Choose the length, the number of questions, the decks and the mode."""

    CSS_PATH = CSS
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "start", "Start", priority=True),
    ]

    def __init__(self, library: DeckLibrary) -> None:
        super().__init__()
        self.library = library

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="setup-box"):
            yield Label("Mock interview", classes="section")
            yield Static(
                "Timed, mixed questions; no answers shown until the end; hints cost a quarter "
                "of a question's points. ctrl+s starts, Escape cancels.",
                classes="dim",
            )
            with Horizontal(classes="setup-row"):
                yield Label("Minutes", classes="setup-label")
                yield Input("30", id="setup-minutes", type="number", classes="setup-input")
                yield Label("Questions", classes="setup-label")
                yield Input("6", id="setup-count", type="integer", classes="setup-input")
            with Horizontal(classes="setup-row"):
                yield Label("Seed (optional)", classes="setup-label")
                yield Input("", id="setup-seed", type="integer", classes="setup-input")
                yield Label("Interviewer mode", classes="setup-label")
                yield Switch(False, id="setup-interviewer")
            yield Label("Decks (none ticked: all)")
            yield SelectionList[str](
                *((plain(d.deck.title), d.id) for d in self.library.decks), id="setup-decks"
            )
            with Horizontal(id="setup-buttons"):
                yield Button("Start (ctrl+s)", id="setup-start", variant="primary")
                yield Button("Cancel", id="setup-cancel")

    def on_mount(self) -> None:
        self.query_one("#setup-minutes", Input).focus()

    def config(self) -> MockConfig:
        """The configuration entered; ``ValueError`` with a readable message if invalid."""
        minutes_text = self.query_one("#setup-minutes", Input).value.strip()
        count_text = self.query_one("#setup-count", Input).value.strip()
        seed_text = self.query_one("#setup-seed", Input).value.strip()
        try:
            minutes = float(minutes_text)
        except ValueError:
            raise ValueError(f"minutes must be a number, got {minutes_text!r}") from None
        try:
            count = int(count_text)
        except ValueError:
            raise ValueError(f"questions must be a whole number, got {count_text!r}") from None
        try:
            seed = int(seed_text) if seed_text else None
        except ValueError:
            raise ValueError(f"the seed must be a whole number, got {seed_text!r}") from None
        return MockConfig(
            minutes=minutes,
            count=count,
            seed=seed,
            decks=tuple(self.query_one("#setup-decks", SelectionList).selected),
            interviewer=self.query_one("#setup-interviewer", Switch).value,
        )

    @on(Button.Pressed, "#setup-start")
    def action_start(self) -> None:
        try:
            config = self.config()
        except ValueError as exc:
            self.notify(str(exc), severity="error", title="Mock interview")
            return
        self.dismiss(config)

    @on(Button.Pressed, "#setup-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmScreen(ModalScreen[bool]):
    """A yes/no question."""

    CSS_PATH = CSS
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,n", "answer(False)", "No"),
        Binding("enter,y", "answer(True)", "Yes"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(self.question)
            with Horizontal(id="confirm-buttons"):
                yield Button("Yes (y)", id="yes", variant="primary")
                yield Button("No (n)", id="no")

    @on(Button.Pressed, "#yes")
    def _yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#no")
    def _no(self) -> None:
        self.dismiss(False)

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class ScoreScreen(ModalScreen[float | None]):
    """Interviewer mode: score the current answer 0–4 (0 none … 4 full marks)."""

    CSS_PATH = CSS
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "pick(-1)", "Cancel"),
        *(Binding(str(n), f"pick({n})", str(n), show=False) for n in range(5)),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static("Score this answer: 0 (nothing) … 4 (complete). Escape cancels.")
            with Horizontal(id="score-buttons"):
                for n in range(5):
                    yield Button(str(n), id=f"score-{n}")

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.action_pick(int((event.button.id or "score-0").removeprefix("score-")))

    def action_pick(self, value: int) -> None:
        self.dismiss(None if value < 0 else value / 4)


class ExportScreen(ModalScreen[Path | None]):
    """Ask where to write the scorecard."""

    CSS_PATH = CSS
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, default: str) -> None:
        super().__init__()
        self.default = default

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static("Export the scorecard to (.md for Markdown, .json for JSON):")
            yield Input(self.default, id="export-path")

    def on_mount(self) -> None:
        self.query_one("#export-path", Input).focus()

    @on(Input.Submitted, "#export-path")
    def _submitted(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        self.dismiss(Path(value).expanduser() if value else None)

    def action_cancel(self) -> None:
        self.dismiss(None)


__all__ = ["CSS", "ConfirmScreen", "ExportScreen", "MockSetupScreen", "ScoreScreen"]
