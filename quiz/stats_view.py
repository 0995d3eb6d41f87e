"""How progress statistics look: text cells and rich tables for ``quiz stats`` and the stats
screen.

Provides :func:`render_stats` (everything ``quiz stats`` prints, as one rich renderable that
picks the wide deck table or two narrow ones for the console's width), the tables it is made
of (:func:`deck_table`, :func:`narrow_deck_tables`, :func:`forecast_table`,
:func:`mock_table`), and the plain text the stats screen lays out itself: a deck's cells
(:func:`deck_cells`, :func:`narrow_cells`, :func:`kind_cells` under :data:`DECK_COLUMNS`,
:data:`NARROW_COLUMNS`, :data:`KIND_COLUMNS`), one-line summaries and hints for a new learner.

The numbers come from :func:`quiz.progress.stats.compute_stats`; this module only shows them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Final

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from . import formatting
from .progress.stats import TOTALS_ID, DeckStats, MockSummary, Stats
from .progress.store import KINDS

MOCKS_SHOWN: Final = 10
""":func:`mock_table` lists the latest this many mock interviews."""


def percent(value: float | None) -> str:
    """``83%``, or ``–`` for None."""
    return "–" if value is None else formatting.percent(value, decimals=0)


def rate_with_count(value: float | None, count: int) -> str:
    """``83% (12)``: a rate and how many things it is over; ``–`` over nothing."""
    return "–" if value is None else f"{formatting.percent(value, decimals=0)} ({count})"


def stats_hints(stats: Stats) -> list[str]:
    """What to do next, for someone with little history yet (empty when there is some)."""
    hints = []
    if stats.attempts_ever == 0:
        hints.append("No answers yet — practise a deck to see your accuracy here.")
    if stats.reviews_ever == 0:
        hints.append("No reviews yet — run `quiz review` to start spaced repetition.")
    return hints


def _table(title: str) -> Table:
    return Table(title=title, title_justify="left", header_style="bold", box=None, pad_edge=False)


def _deck_rows(
    table: Table, stats: Stats, columns: Sequence[str], cells: Callable[[DeckStats], list[str]]
) -> Table:
    table.add_column(columns[0], style="bold cyan", no_wrap=True)
    for name in columns[1:]:
        table.add_column(name, justify="right", no_wrap=True)
    for index, deck in enumerate((*stats.decks, stats.totals)):
        row = cells(deck)
        if deck.deck == TOTALS_ID:
            row[0] = f"[bold default]{row[0]}[/]"
        table.add_row(*row, end_section=index == len(stats.decks) - 1)
    return table


def deck_cells(deck: DeckStats) -> list[str]:
    """A deck's row with a column per kind (:data:`DECK_COLUMNS`); rates come with what they
    are over: ``83% (12)``."""
    return [
        deck_label(deck),
        str(deck.questions),
        str(deck.seen),
        str(deck.due),
        str(deck.new),
        rate_with_count(deck.retention, deck.reviews),
        percent(deck.recall),
        *(rate_with_count(entry.accuracy, entry.attempts) for entry in deck.kinds),
    ]


DECK_COLUMNS: Final = ("deck", "questions", "seen", "due", "new", "retention", "recall", *KINDS)
"""The headers of :func:`deck_cells`."""


def narrow_cells(deck: DeckStats) -> list[str]:
    """A deck's row for 80 columns (:data:`NARROW_COLUMNS`): seen out of its questions, and
    accuracy over all kinds."""
    return [
        deck_label(deck),
        f"{deck.seen}/{deck.questions}",
        str(deck.due),
        str(deck.new),
        rate_with_count(deck.retention, deck.reviews),
        percent(deck.recall),
        rate_with_count(deck.accuracy, deck.attempts),
    ]


NARROW_COLUMNS: Final = ("deck", "seen", "due", "new", "retention", "recall", "right")
"""The headers of :func:`narrow_cells`."""


def kind_cells(deck: DeckStats) -> list[str]:
    """A deck's accuracy by kind (:data:`KIND_COLUMNS`)."""
    return [
        deck_label(deck),
        *(rate_with_count(entry.accuracy, entry.attempts) for entry in deck.kinds),
    ]


KIND_COLUMNS: Final = ("deck", *KINDS)


def deck_label(deck: DeckStats) -> str:
    return "all decks" if deck.deck == TOTALS_ID else deck.deck


def deck_table(stats: Stats) -> Table:
    """A row per deck and a totals row: counts, retention, recall, accuracy by kind."""
    title = f"Decks — retention over the last {stats.days} days; by kind: % right (answers)"
    return _deck_rows(_table(title), stats, DECK_COLUMNS, deck_cells)


def narrow_deck_tables(stats: Stats) -> Group:
    """What :func:`deck_table` shows, as two tables that fit 80 columns."""
    return Group(
        _deck_rows(
            _table(f"Decks — retention over the last {stats.days} days"),
            stats,
            NARROW_COLUMNS,
            narrow_cells,
        ),
        Text(""),
        _deck_rows(_table("By kind — % right (answers)"), stats, KIND_COLUMNS, kind_cells),
    )


def day_label(day: date, today: date) -> str:
    """``today``, ``tomorrow`` or ``Mon 03-17``."""
    if day == today:
        return "today"
    if day == today + timedelta(days=1):
        return "tomorrow"
    return day.strftime("%a %m-%d")


def forecast_table(stats: Stats) -> Table:
    """The next 14 days in two columns of a week each."""
    total = sum(day.due for day in stats.forecast)
    table = _table(f"Due in the next {len(stats.forecast)} days ({total})")
    half = (len(stats.forecast) + 1) // 2
    for _ in range(2 if len(stats.forecast) > 1 else 1):
        table.add_column("day", no_wrap=True)
        table.add_column("due", justify="right")
    today = stats.now.date()
    for row in range(half):
        cells: list[str] = []
        for entry in (stats.forecast[row], *stats.forecast[row + half : row + half + 1]):
            cells += [day_label(entry.day, today), str(entry.due)]
        table.add_row(*cells)
    return table


def mock_table(mocks: Sequence[MockSummary]) -> Table:
    """The latest :data:`MOCKS_SHOWN` finished mock interviews, newest first."""
    shown = list(reversed(mocks))[:MOCKS_SHOWN]
    title = "Mock interviews"
    if len(mocks) > len(shown):
        title += f" (latest {len(shown)} of {len(mocks)})"
    table = _table(title)
    table.add_column("date", no_wrap=True)
    table.add_column("questions", justify="right")
    table.add_column("score", justify="right")
    for mock in shown:
        table.add_row(
            mock.day.isoformat(),
            "–" if mock.questions is None else str(mock.questions),
            "–" if mock.percent is None else f"{mock.percent:.0f}%",
        )
    return table


def history_summary(stats: Stats) -> str:
    """One line: the window's answers, accuracy, active days and reviews."""
    attempts = sum(day.attempts for day in stats.history)
    right = sum(day.right for day in stats.history)
    reviews = sum(day.reviews for day in stats.history)
    active = sum(1 for day in stats.history if day.attempts or day.reviews)
    accuracy = f" ({percent(right / attempts)} right)" if attempts else ""
    return (
        f"Last {stats.days} days: {attempts} answers{accuracy}, {reviews} reviews, "
        f"active on {active} of {stats.days} days"
    )


def kinds_summary(deck: DeckStats) -> str:
    """One line: ``Right: concept 72% (47), numeric –, ...`` (percent right, answers)."""
    return "Right: " + ", ".join(
        f"{entry.kind} {rate_with_count(entry.accuracy, entry.attempts)}" for entry in deck.kinds
    )


class _StatsView:
    """The stats for a console: the wide deck table when it fits, else the narrow ones."""

    def __init__(self, stats: Stats) -> None:
        self.stats = stats

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        stats = self.stats
        wide = deck_table(stats)
        # Measured without a width limit: Measurement.get clamps to the width it is given.
        natural = Measurement.get(console, options.update_width(10_000), wide).maximum
        yield wide if natural <= options.max_width else narrow_deck_tables(stats)
        yield Text("")
        yield Text(history_summary(stats))
        yield Text("")
        yield forecast_table(stats)
        if stats.mocks:
            yield Text("")
            yield mock_table(stats.mocks)
        hints = stats_hints(stats)
        if hints:
            yield Text("")
            for hint in hints:
                yield Text(hint, style="yellow")


def render_stats(stats: Stats) -> RenderableType:
    """Rich tables for ``quiz stats``: the decks and their totals (one wide table, or two
    narrower ones when the console is narrow), the history in one line, the forecast, mock
    interviews, and hints for a new learner."""
    return _StatsView(stats)


__all__ = [
    "DECK_COLUMNS",
    "KIND_COLUMNS",
    "MOCKS_SHOWN",
    "NARROW_COLUMNS",
    "day_label",
    "deck_cells",
    "deck_label",
    "deck_table",
    "forecast_table",
    "history_summary",
    "kind_cells",
    "kinds_summary",
    "mock_table",
    "narrow_cells",
    "narrow_deck_tables",
    "percent",
    "rate_with_count",
    "render_stats",
    "stats_hints",
]
