"""ctrl+g while a grade runs grades nothing more: one ctrl+x then stops the only grade, and a
later ctrl+g grades again. In a mock interview, the same code handed in twice is graded once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from textual.widgets import TextArea

from questions import DeckLibrary
from quiz.app import QuizApp
from quiz.app.screens.home import HomeScreen
from quiz.app.screens.mock import MockScreen
from quiz.progress.mock import MockConfig, MockInterview
from quiz.progress.store import Store

from .test_flows import SIZE, async_test, notifications, open_deck, text_of, wait_for

if TYPE_CHECKING:
    from .conftest import FakeGrader

# Drives the whole app through a flow: the quick loop keeps test_flows.py and the snapshots.
pytestmark = pytest.mark.slow


@async_test
async def test_ctrl_g_twice_grades_once_and_one_ctrl_x_stops_it(
    app: QuizApp, grader: FakeGrader
) -> None:
    grader.mode = "slow"
    async with app.run_test(size=SIZE) as pilot:
        await open_deck(pilot, question=10)
        await pilot.press("ctrl+g", "ctrl+g")
        await wait_for(pilot, grader.grading.is_set, "the grade to start")
        await pilot.pause()
        grading = app.screen.query_one("#grading")
        assert grading.display
        assert text_of(app, "#grading-status") == "grading…"

        await pilot.press("ctrl+x")
        await wait_for(pilot, lambda: not grading.display, "the grade to stop")
        await app.workers.wait_for_complete()  # a second grade would have run by now
        await pilot.pause()
        assert len(grader.calls) == 1
        assert grader.cancelled == 1
        assert not grading.display
        messages = [n.message for n in notifications(app)]
        assert "Already grading: ctrl+x cancels it." in messages
        assert "Grading cancelled." in messages
        assert text_of(app, "#code-summary") == "Not graded yet."

        grader.rearm()  # a later ctrl+g grades, and says so
        await pilot.press("ctrl+g")
        await wait_for(pilot, grader.grading.is_set, "the later grade to start")
        await pilot.pause()
        assert text_of(app, "#grading-status") == "grading…"
        grader.release()
        await wait_for(pilot, lambda: text_of(app, "#code-summary").startswith("FAIL"), "FAIL")
        assert len(grader.calls) == 2


@async_test
async def test_in_a_mock_the_same_code_handed_in_twice_is_graded_once(
    packaged_library: DeckLibrary, grader: FakeGrader
) -> None:
    grader.mode = "slow"
    app = QuizApp(library=packaged_library, store=Store(), grader=grader)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen), "the home screen")
        await pilot.pause()  # let the home screen finish mounting before covering it
        config = MockConfig(minutes=20, decks=("inception-1x1",), count=3, seed=3)
        interview = MockInterview.create(packaged_library, app.store, config)
        interview.go(2)  # the code question
        screen = MockScreen(interview)
        app.push_screen(screen)
        await wait_for(pilot, lambda: isinstance(app.focused, TextArea), "the code editor")

        await pilot.press("ctrl+g", "ctrl+g")
        await wait_for(pilot, grader.grading.is_set, "the grade to start")
        await wait_for(pilot, lambda: screen.pending == 1, "the hand-in")
        await pilot.pause()
        grader.release()
        await wait_for(pilot, lambda: interview.outcome(2) is not None, "the grade")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert len(grader.calls) == 1
        assert screen.pending == 0
