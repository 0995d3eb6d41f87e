"""The home screen: the decks, with their question counts by kind."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import getters, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from questions import LoadedDeck

from ...render import kind_counts, plain
from ..main import QuizApp


def deck_line(loaded: LoadedDeck) -> Text:
    deck = loaded.deck
    line = Text()
    line.append(plain(deck.title), style="bold")
    line.append(
        f"\n  {len(deck.questions)} questions · {kind_counts(deck.counts_by_kind())}", style="dim"
    )
    return line


class HomeScreen(Screen[None]):
    """Pick a deck, or start today's review, a mock interview, or the stats."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Open deck", show=True),
        Binding("r", "app.review", "Review due", show=True),
        Binding("m", "app.mock", "Mock interview", show=True),
        Binding("s", "app.stats", "Stats", show=True),
    ]

    app = getters.app(QuizApp)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="due-line")
        yield Static(
            "Enter opens a deck · r review · m mock interview · s stats · ? help", id="home-hint"
        )
        decks = self.app.library.decks
        options = [Option(deck_line(d), id=d.id) for d in decks]
        # The list scrolls within the room left under the due line, which stays in view.
        with Vertical(id="deck-area"):
            yield OptionList(*options, id="decks")
        if not decks:
            yield Static(
                "No decks found. Add YAML decks to your data folder or pass --deck.", id="no-decks"
            )
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#decks", OptionList).focus()
        self.refresh_due()

    def on_screen_resume(self) -> None:
        self.refresh_due()

    def refresh_due(self) -> None:
        """Update the "Due today" line from the store."""
        queue = self.app.due_queue()
        line = Text()
        line.append(f"Due today: {len(queue.due)}", style="bold")
        line.append(f" · new today: {len(queue.new)}", style="")
        if queue:
            line.append("   press r to review", style="dim")
        else:
            line.append("   nothing left for today", style="dim")
        self.query_one("#due-line", Static).update(line)

    def action_open(self) -> None:
        options = self.query_one("#decks", OptionList)
        if options.highlighted is not None:
            option = options.get_option_at_index(options.highlighted)
            if option.id:
                self.app.open_deck(option.id)

    @on(OptionList.OptionSelected, "#decks")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.app.open_deck(event.option.id)
