"""The home screen: the decks, with their question counts by kind."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from questions import LoadedDeck

from ..render import kind_counts, plain


def deck_line(loaded: LoadedDeck) -> Text:
    deck = loaded.deck
    line = Text()
    line.append(plain(deck.title), style="bold")
    line.append(
        f"\n  {len(deck.questions)} questions · {kind_counts(deck.counts_by_kind())}", style="dim"
    )
    return line


class HomeScreen(Screen[None]):
    """Pick a deck."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Open deck", show=True),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Choose a deck and press Enter.  ? help · ctrl+p commands", id="home-hint")
        decks = self.app.library.decks  # type: ignore[attr-defined]
        options = [Option(deck_line(d), id=d.id) for d in decks]
        yield OptionList(*options, id="decks")
        if not decks:
            yield Static(
                "No decks found. Add YAML decks to your data folder or pass --deck.", id="no-decks"
            )
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#decks", OptionList).focus()

    def action_open(self) -> None:
        options = self.query_one("#decks", OptionList)
        if options.highlighted is not None:
            option = options.get_option_at_index(options.highlighted)
            if option.id:
                self.app.open_deck(option.id)  # type: ignore[attr-defined]

    @on(OptionList.OptionSelected, "#decks")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.app.open_deck(event.option.id)  # type: ignore[attr-defined]
