"""Re-opening a deck later the same day shows what was answered today, read from the store:
not "[new]", not 0%, not "Not graded yet"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from textual.widgets import Input, OptionList, ProgressBar

from quiz.app.screens.home import HomeScreen
from quiz.app.screens.jump import JumpScreen
from quiz.progress.store import Attempt, Store

from .test_flows import (
    SIZE,
    async_test,
    open_deck,
    progress,
    text_of,
    type_text,
    wait_for,
)

if TYPE_CHECKING:
    from .conftest import AppFactory

# Drives the whole app through a flow: the quick loop keeps test_flows.py and the snapshots.
pytestmark = pytest.mark.slow


DECK = "inception-1x1"


@async_test
async def test_answers_given_earlier_today_show_when_the_deck_is_opened_again(
    make_app: AppFactory,
) -> None:
    first = make_app()
    async with first.run_test(size=SIZE) as pilot:
        await open_deck(pilot)
        await type_text(pilot, "a bottleneck that mixes channels")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: bool(first.screen.query("#ratings")), "the rating")
        await pilot.press("3")
        await wait_for(pilot, lambda: bool(first.screen.query("#rated")), "rated")
        first.go_to_question(5)  # q6, numeric: every part right
        await wait_for(pilot, lambda: isinstance(first.focused, Input), "the first part")
        for answer in ["73,728", "576", "8192", "8768", "0.119"]:
            await type_text(pilot, answer)
            await pilot.press("enter")
        await wait_for(pilot, lambda: bool(first.screen.query("#numeric-result")), "the marks")
        first.go_to_question(9)  # q10, code: graded PASS by the fake
        await wait_for(pilot, lambda: bool(first.screen.query("#code")), "the editor")
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: text_of(first, "#code-summary").startswith("PASS"), "PASS")
        first.exit()
    with Store() as store:  # an answer from yesterday is not today's
        yesterday = datetime.now(UTC) - timedelta(days=1, hours=1)
        store.record(Attempt(f"{DECK}/q2", "concept", "old", "rated", 1.0, rating=3, at=yesterday))

    again = make_app()
    async with again.run_test(size=SIZE) as pilot:
        await open_deck(pilot)
        assert progress(again).endswith("[answered earlier today: rated Good]")
        bar = again.screen.query_one("#progress", ProgressBar)
        assert bar.progress == 3  # q1, q6 and q10 of 16
        assert text_of(again, "#earlier") == (
            "Answered earlier today: rated Good. Answer again to practise it once more."
        )

        again.go_to_question(1)
        await wait_for(pilot, lambda: progress(again).startswith("Question 2 "), "q2")
        assert progress(again).endswith("[new]")
        assert not again.screen.query("#earlier")

        again.go_to_question(5)
        await wait_for(pilot, lambda: progress(again).startswith("Question 6 "), "q6")
        assert progress(again).endswith("[answered earlier today: correct, 100%]")
        assert text_of(again, "#earlier").startswith("Answered earlier today: correct, 100%.")

        again.go_to_question(9)
        await wait_for(pilot, lambda: progress(again).startswith("Question 10 "), "q10")
        assert text_of(again, "#code-summary") == (
            "Graded earlier today: pass, 100%. ctrl+g grades it again."
        )

        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: isinstance(again.screen, JumpScreen), "the jump list")
        jump = again.screen.query_one("#jump-list", OptionList)
        marks = [str(jump.get_option_at_index(i).prompt)[0] for i in range(jump.option_count)]
        assert marks[:10] == ["✓", "·", "·", "·", "·", "✓", "·", "·", "·", "✓"]
        await pilot.press("escape")
        await pilot.press("escape", "escape")
        await wait_for(pilot, lambda: isinstance(again.screen, HomeScreen), "home")
