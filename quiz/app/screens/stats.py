"""The stats screen: a table of the decks, the last 30 days and the next 14 as terminal plots.

The numbers come from :func:`quiz.progress.stats.compute_stats` (see its module for what each one
means); this screen only lays them out. The plots are ``textual_plotext`` widgets; what each
one was last drawn from is kept on the screen (:attr:`StatsScreen.history_series`,
:attr:`StatsScreen.forecast_series`), as the pure functions :func:`history_series` and
:func:`forecast_series` build it from the stats.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar, Final

from rich.text import Text
from textual import events, getters
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.markup import escape
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static
from textual_plotext import PlotextPlot

from questions import DeckLibrary

from ...progress.scheduling import Scheduler
from ...progress.stats import TOTALS_ID, Stats, compute_stats
from ...progress.store import Store
from ...stats_view import (
    DECK_COLUMNS,
    NARROW_COLUMNS,
    deck_cells,
    history_summary,
    kinds_summary,
    mock_table,
    narrow_cells,
    stats_hints,
)
from ..main import QuizApp

HISTORY_TICKS: Final = 5
"""About this many date labels under the history plot, today's included."""
FORECAST_TICKS: Final = 4


@dataclass(frozen=True)
class HistorySeries:
    """What the history plot draws: reviews per day as bars, accuracy (percent) as a line
    through the days that had answers."""

    days: tuple[str, ...]
    """ISO dates, oldest first."""
    reviews: tuple[int, ...]
    attempts: tuple[int, ...]
    accuracy_days: tuple[int, ...]
    """Indices into ``days`` of the days with answers."""
    accuracy: tuple[float, ...]
    """Percent right on each of those days."""
    ticks: tuple[int, ...]
    labels: tuple[str, ...]


@dataclass(frozen=True)
class ForecastSeries:
    """What the forecast plot draws: questions due on each of the next days, today first."""

    days: tuple[str, ...]
    due: tuple[int, ...]
    ticks: tuple[int, ...]
    labels: tuple[str, ...]


def _ticks(count: int, wanted: int, *, from_end: bool) -> tuple[int, ...]:
    """About ``wanted`` evenly spaced positions in ``range(count)``, counted from the last one
    (``from_end``) or from the first, which is then always included."""
    if count <= 0:
        return ()
    step = max(1, round((count - 1) / max(1, wanted - 1)))
    if from_end:
        return tuple(sorted(range(count - 1, -1, -step)))
    return tuple(range(0, count, step))


def count_ticks(top: int, wanted: int = 4) -> list[int]:
    """Whole-number axis ticks from 0 up to ``top`` or just past it, at most ``wanted`` steps
    of 1, 2 or 5 times a power of ten."""
    top = max(top, 1)
    scale = 1
    while True:
        for step in (scale, 2 * scale, 5 * scale):
            steps = -(-top // step)  # ceiling division
            if steps <= wanted:
                return list(range(0, steps * step + 1, step))
        scale *= 10


def history_series(stats: Stats) -> HistorySeries:
    """The history plot's data: one bar per day of the window, today last."""
    history = stats.history
    accuracy = [
        (index, 100 * day.accuracy) for index, day in enumerate(history) if day.accuracy is not None
    ]
    ticks = _ticks(len(history), HISTORY_TICKS, from_end=True)
    today = stats.now.date()
    return HistorySeries(
        days=tuple(day.day.isoformat() for day in history),
        reviews=tuple(day.reviews for day in history),
        attempts=tuple(day.attempts for day in history),
        accuracy_days=tuple(index for index, _ in accuracy),
        accuracy=tuple(value for _, value in accuracy),
        ticks=ticks,
        labels=tuple(
            "today" if history[i].day == today else history[i].day.strftime("%m-%d") for i in ticks
        ),
    )


def forecast_series(stats: Stats) -> ForecastSeries:
    """The forecast plot's data: one bar per day, today first."""
    forecast = stats.forecast
    ticks = _ticks(len(forecast), FORECAST_TICKS, from_end=False)
    today = stats.now.date()
    return ForecastSeries(
        days=tuple(day.day.isoformat() for day in forecast),
        due=tuple(day.due for day in forecast),
        ticks=ticks,
        labels=tuple(
            "today" if forecast[i].day == today else forecast[i].day.strftime("%m-%d")
            for i in ticks
        ),
    )


WIDE: Final = 110
"""From this many columns the table has a column per kind and the plots sit side by side."""


class StatsScreen(Screen[None]):
    """Progress at a glance; ``r`` reads the store again, escape or ``q`` goes back."""

    CSS_PATH = "stats.tcss"
    # Textual does not declare this a ClassVar, so mypy refuses the annotation ruff asks for.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (WIDE, "-wide")]  # noqa: RUF012
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "back", "Back"),
        Binding("r", "refresh", "Refresh"),
    ]

    app = getters.app(QuizApp)

    def __init__(self, *, now: datetime | None = None, scheduler: Scheduler | None = None) -> None:
        """``now`` fixes the moment the stats are taken at (for tests); by default it is the
        time of each (re)load. ``scheduler`` defaults to the app's own."""
        super().__init__()
        self.now = now
        self.scheduler = scheduler
        self.stats: Stats | None = None
        self.history_series: HistorySeries | None = None
        self.forecast_series: ForecastSeries | None = None
        self._wide: bool | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="stats-body"):
            yield Static("", id="stats-summary")
            yield DataTable(id="stats-decks", cursor_type="none", zebra_stripes=True)
            yield Static("", id="stats-kinds")
            with Horizontal(id="stats-plots"):
                yield PlotextPlot(id="stats-history")
                yield PlotextPlot(id="stats-forecast")
            yield Static("", id="stats-mocks")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Stats"
        self.query_one("#stats-decks", DataTable).can_focus = False
        self.replot()
        # Arrows and page keys scroll the whole screen.
        self.query_one("#stats-body", VerticalScroll).focus()

    def on_resize(self, event: events.Resize) -> None:
        if self.stats is not None and (event.size.width >= WIDE) != self._wide:
            self._fill_table(self.stats)

    # ------------------------------------------------------------------ data

    def load(self) -> Stats:
        """Read the stats from the app's library and store."""
        library: DeckLibrary = self.app.library
        store: Store = self.app.store
        scheduler = self.scheduler if self.scheduler is not None else self.app.scheduler
        return compute_stats(library, store, scheduler, now=self.now)

    def replot(self) -> None:
        """Read the stats again and redraw the table, the plots and the summaries."""
        stats = self.stats = self.load()
        self._fill_table(stats)
        lines = [escape(history_summary(stats))]
        lines += [f"[b $warning]{escape(hint)}[/]" for hint in stats_hints(stats)]
        self.query_one("#stats-summary", Static).update("\n".join(lines))
        mocks = self.query_one("#stats-mocks", Static)
        mocks.update(mock_table(stats.mocks) if stats.mocks else "")
        mocks.display = bool(stats.mocks)
        self.history_series = history_series(stats)
        self.forecast_series = forecast_series(stats)
        self._draw_history(self.query_one("#stats-history", PlotextPlot), self.history_series)
        self._draw_forecast(self.query_one("#stats-forecast", PlotextPlot), self.forecast_series)

    def _fill_table(self, stats: Stats) -> None:
        self._wide = wide = self.size.width >= WIDE
        table = self.query_one("#stats-decks", DataTable)
        table.clear(columns=True)
        for index, name in enumerate(DECK_COLUMNS if wide else NARROW_COLUMNS):
            table.add_column(Text(name, justify="right" if index else "left"), key=name)
        for deck in (*stats.decks, stats.totals):
            cells = deck_cells(deck) if wide else narrow_cells(deck)
            label = Text(cells[0], style="bold" if deck.deck == TOTALS_ID else "bold cyan")
            table.add_row(label, *(Text(c, justify="right") for c in cells[1:]), key=deck.deck)
        kinds = self.query_one("#stats-kinds", Static)
        kinds.update(kinds_summary(stats.totals))
        kinds.display = not wide

    # ------------------------------------------------------------------ plots

    @staticmethod
    def _draw_history(plot: PlotextPlot, series: HistorySeries) -> None:
        plt = plot.plt
        plt.clear_figure()
        positions = list(range(len(series.days)))
        plt.bar(positions, list(series.reviews), label="reviews", width=0.6, color="cyan")
        if series.accuracy:
            plt.plot(
                list(series.accuracy_days),
                list(series.accuracy),
                yside="right",
                label="% right",
                marker="braille",
                color="orange",
            )
        counts = count_ticks(max(series.reviews, default=0))
        plt.ylim(0, counts[-1])
        plt.yticks([float(count) for count in counts], [str(count) for count in counts])
        # The plotext stubs type `yside` as a float; plotext takes "left" or "right".
        plt.ylim(0, 100, yside="right")  # type: ignore[arg-type]
        plt.yticks([0, 50, 100], ["0%", "50%", "100%"], yside="right")  # type: ignore[arg-type]
        plt.xlim(-0.5, len(series.days) - 0.5)
        plt.xticks(list(series.ticks), list(series.labels))
        plt.title(f"Last {len(series.days)} days: reviews and % of answers right")
        plot.refresh()

    @staticmethod
    def _draw_forecast(plot: PlotextPlot, series: ForecastSeries) -> None:
        plt = plot.plt
        plt.clear_figure()
        plt.bar(list(range(len(series.due))), list(series.due), width=0.6, color="magenta")
        counts = count_ticks(max(series.due, default=0))
        plt.ylim(0, counts[-1])
        plt.yticks([float(count) for count in counts], [str(count) for count in counts])
        plt.xlim(-0.5, len(series.due) - 0.5)
        plt.xticks(list(series.ticks), list(series.labels))
        plt.title(f"Due in the next {len(series.due)} days ({sum(series.due)})")
        plot.refresh()

    # ------------------------------------------------------------------ actions

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_refresh(self) -> None:
        self.replot()
        self.notify("Stats reloaded", timeout=2)
