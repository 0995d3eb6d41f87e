"""The stats screen driven through Textual's Pilot: the deck table, the plots' data, keys.

The app is built as in ``test_flows.py`` (the packaged Day 13 deck, a fresh store in the
per-test QUIZ_HOME, the fake grader); the store is filled at known times before the app runs,
and the screen is opened at a fixed ``now``.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Coroutine
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, ParamSpec

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Static
from textual_plotext import PlotextPlot

from questions import Kind
from quiz.app.screens.stats import StatsScreen, count_ticks
from quiz.progress.scheduling import Scheduler
from quiz.progress.stats import TOTALS_ID
from quiz.progress.store import Attempt, Store, Verdict
from quiz.stats_view import DECK_COLUMNS, NARROW_COLUMNS

if TYPE_CHECKING:
    from .conftest import AppFactory

# Drives the whole app through a flow: the quick loop keeps test_flows.py and the snapshots.
pytestmark = pytest.mark.slow


DECK = "inception-1x1"
ZONE = timezone(timedelta(hours=-5))
NOW = datetime(2025, 3, 20, 12, 0, tzinfo=ZONE)
NARROW = (80, 24)
WIDE = (120, 40)

P = ParamSpec("P")


def async_test(test: Callable[P, Coroutine[Any, Any, None]]) -> Callable[P, None]:
    """Run an async test body with ``asyncio.run`` (there is no pytest-asyncio here)."""

    @functools.wraps(test)
    def run(*args: P.args, **kwargs: P.kwargs) -> None:
        asyncio.run(test(*args, **kwargs))

    return run


def answer(question: str, kind: Kind, verdict: Verdict, at: datetime, **fields: Any) -> Attempt:
    score = 1.0 if verdict in ("correct", "pass", "rated") else 0.0
    return Attempt(f"{DECK}/{question}", kind, "answer", verdict, score, at=at, **fields)


def fill(store: Store) -> None:
    """Four answers on three days and three reviews (see the comments) before ``NOW``."""
    for attempt in [
        answer("q10", "code", "pass", NOW - timedelta(days=3)),  # 03-17: right
        answer("q1", "concept", "rated", NOW - timedelta(days=1), rating=3),  # 03-19: right
        answer("q6", "numeric", "wrong", NOW - timedelta(days=1)),  # 03-19: wrong
        answer("q6", "numeric", "correct", NOW - timedelta(hours=2), mode="review"),  # today
    ]:
        store.record(attempt)
    scheduler = Scheduler(store, fuzz=False)
    # 03-10: two new cards; q6 (Easy) fell due on 03-18, so it is due today.
    scheduler.review("s1", f"{DECK}/q1", 3, at=NOW - timedelta(days=10))
    scheduler.review("s1", f"{DECK}/q6", 4, at=NOW - timedelta(days=10))
    # 03-12: q1 recalled on its due day (Good), the one review of a known card.
    q1_due = scheduler.review("s2", f"{DECK}/q1", 3, at=NOW - timedelta(days=8))
    assert q1_due == NOW + timedelta(days=3)


def cells(table: DataTable[Any], row: str) -> list[str]:
    return [str(cell) for cell in table.get_row(row)]


def columns(table: DataTable[Any]) -> list[str]:
    return [str(column.label) for column in table.columns.values()]


async def open_stats(pilot: Pilot[None], screen: StatsScreen) -> StatsScreen:
    await pilot.pause()
    await pilot.app.push_screen(screen)
    await pilot.pause()
    assert pilot.app.screen is screen
    return screen


# --------------------------------------------------------------------------- table


@async_test
async def test_the_table_has_a_row_for_the_deck_and_the_totals(make_app: AppFactory) -> None:
    app = make_app()
    fill(app.store)
    async with app.run_test(size=NARROW) as pilot:
        screen = await open_stats(pilot, StatsScreen(now=NOW))
        table = screen.query_one("#stats-decks", DataTable)
        assert columns(table) == list(NARROW_COLUMNS)
        assert [str(key.value) for key in table.rows] == [DECK, TOTALS_ID]
        assert screen.stats is not None
        recall = screen.stats.decks[0].recall
        assert recall is not None
        # Seen and new split the deck's 16 questions: q10, answered but never reviewed, is seen
        # and so not new.
        row = [DECK, "3/16", "1", "13", "100% (1)", f"{recall:.0%}", "75% (4)"]
        assert cells(table, DECK) == row
        assert cells(table, TOTALS_ID) == ["all decks", *row[1:]]
        assert str(screen.query_one("#stats-kinds", Static).content) == (
            "Right: concept 100% (1), numeric 50% (2), choice –, code 100% (1)"
        )
        assert str(screen.query_one("#stats-summary", Static).content) == (
            "Last 30 days: 4 answers (75% right), 3 reviews, active on 5 of 30 days"
        )
        assert screen.query_one("#stats-mocks", Static).display is False


@async_test
async def test_a_wide_terminal_has_a_column_per_kind_and_plots_side_by_side(
    make_app: AppFactory,
) -> None:
    app = make_app()
    fill(app.store)
    async with app.run_test(size=NARROW) as pilot:
        screen = await open_stats(pilot, StatsScreen(now=NOW))
        history = screen.query_one("#stats-history", PlotextPlot)
        forecast = screen.query_one("#stats-forecast", PlotextPlot)
        assert forecast.region.y > history.region.y  # one above the other

        await pilot.resize_terminal(*WIDE)
        await pilot.pause()
        table = screen.query_one("#stats-decks", DataTable)
        assert columns(table) == list(DECK_COLUMNS)
        assert cells(table, DECK)[7:] == ["100% (1)", "50% (2)", "–", "100% (1)"]
        assert screen.query_one("#stats-kinds", Static).display is False
        assert forecast.region.y == history.region.y
        assert forecast.region.x > history.region.x + history.region.width - 1


# --------------------------------------------------------------------------- plots


@async_test
async def test_the_plots_show_the_days_reviews_accuracy_and_forecast(make_app: AppFactory) -> None:
    app = make_app()
    fill(app.store)
    scheduler = Scheduler(app.store, fuzz=False)
    expected_forecast = [count for _, count in scheduler.forecast(app.library, now=NOW)]
    async with app.run_test(size=WIDE) as pilot:
        screen = await open_stats(pilot, StatsScreen(now=NOW, scheduler=scheduler))
        history = screen.history_series
        assert history is not None
        assert len(history.days) == 30
        assert (history.days[0], history.days[-1]) == ("2025-02-19", "2025-03-20")
        index = history.days.index
        assert {history.days[i]: n for i, n in enumerate(history.reviews) if n} == {
            "2025-03-10": 2,
            "2025-03-12": 1,
        }
        assert {history.days[i]: n for i, n in enumerate(history.attempts) if n} == {
            "2025-03-17": 1,
            "2025-03-19": 2,
            "2025-03-20": 1,
        }
        assert history.accuracy_days == (
            index("2025-03-17"),
            index("2025-03-19"),
            index("2025-03-20"),
        )
        assert history.accuracy == (100.0, 50.0, 100.0)
        assert history.ticks[-1] == 29 and history.labels[-1] == "today"

        forecast = screen.forecast_series
        assert forecast is not None
        assert list(forecast.due) == expected_forecast
        assert forecast.due[0] == 1 and forecast.due[3] == 1  # q6 overdue; q1 in 3 days
        assert forecast.labels[0] == "today" and forecast.days[0] == "2025-03-20"

        history_text = str(screen.query_one("#stats-history", PlotextPlot).render())
        assert "Last 30 days: reviews and % of answers right" in history_text
        assert "today" in history_text and "100%" in history_text
        forecast_text = str(screen.query_one("#stats-forecast", PlotextPlot).render())
        assert "Due in the next 14 days (2)" in forecast_text


def test_count_ticks_are_whole_round_steps_reaching_the_top() -> None:
    assert count_ticks(0) == [0, 1]
    assert count_ticks(3) == [0, 1, 2, 3]
    assert count_ticks(7) == [0, 2, 4, 6, 8]
    assert count_ticks(35) == [0, 10, 20, 30, 40]
    assert count_ticks(101) == [0, 50, 100, 150]
    for top in range(200):
        ticks = count_ticks(top)
        assert ticks[0] == 0 and ticks[-1] >= top and len(ticks) <= 5


# --------------------------------------------------------------------------- keys


@async_test
async def test_escape_and_q_go_back(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        below = app.screen
        for key in ("escape", "q"):
            await open_stats(pilot, StatsScreen(now=NOW))
            await pilot.press(key)
            await pilot.pause()
            assert app.screen is below, key


@async_test
async def test_r_reads_the_store_again(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        screen = await open_stats(pilot, StatsScreen(now=NOW))
        table = screen.query_one("#stats-decks", DataTable)
        assert cells(table, DECK)[1] == "0/16"
        app.store.record(answer("q6", "numeric", "correct", NOW - timedelta(hours=1)))
        await pilot.press("r")
        await pilot.pause()
        assert cells(table, DECK)[1] == "1/16"
        assert cells(table, DECK)[-1] == "100% (1)"
        assert screen.history_series is not None
        assert screen.history_series.attempts[-1] == 1


@async_test
async def test_an_empty_store_shows_zeros_and_what_to_do(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        screen = await open_stats(pilot, StatsScreen(now=NOW))
        table = screen.query_one("#stats-decks", DataTable)
        assert cells(table, DECK) == [DECK, "0/16", "0", "16", "–", "–", "–"]
        summary = str(screen.query_one("#stats-summary", Static).content)
        assert "No answers yet" in summary
        assert "No reviews yet — run `quiz review`" in summary
        assert screen.forecast_series is not None
        assert set(screen.forecast_series.due) == {0}
        text = str(screen.query_one("#stats-history", PlotextPlot).render())
        assert "Last 30 days" in text
