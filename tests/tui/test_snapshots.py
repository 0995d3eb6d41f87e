"""SVG snapshots of the main screens at 80×24 (pytest-textual-snapshot).

Deterministic by construction: an empty progress store in the per-test QUIZ_HOME, the
``FakeGrader``, clocks that stand still in the mock interview, no toasts (nothing here
notifies), and the editors' cursor blink turned off so the cursor is always drawn. Where the
part worth seeing is below the fold, ``run_before`` scrolls it into view as the learner would.

Regenerate after an intended change with ``pytest tests/tui --snapshot-update`` and look at
the SVGs in ``__snapshots__/`` before committing them. The README shows five of them.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest
from textual.css.query import NoMatches
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, TextArea

from quiz.app import QuizApp
from quiz.app.screens.mock import MockScreen, ScorecardScreen
from quiz.app.screens.practice import PracticeScreen
from quiz.progress.mock import MockConfig, MockInterview

if TYPE_CHECKING:
    from .conftest import FakeGrader

SIZE = (80, 24)
SnapCompare = Callable[..., bool]


async def wait_until(pilot: Pilot[None], condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 5.0
    while True:
        try:
            if condition():
                return
        except NoMatches:  # mid-recompose
            pass
        assert time.monotonic() < deadline, "the app never reached the state to snapshot"
        await pilot.pause(0.02)


def steady_cursors(app: QuizApp) -> None:
    for editor in app.screen.query(TextArea):
        editor.cursor_blink = False
    for field in app.screen.query(Input):
        field.cursor_blink = False


def practice(app: QuizApp) -> PracticeScreen:
    assert isinstance(app.screen, PracticeScreen)
    return app.screen


def shown(app: QuizApp, selector: str) -> bool:
    return bool(app.screen.query(selector))


async def open_question(pilot: Pilot[None], number: int) -> None:
    app = pilot.app
    assert isinstance(app, QuizApp)
    await pilot.press("enter")
    await wait_until(pilot, lambda: isinstance(app.screen, PracticeScreen))
    if number != 1:
        app.go_to_question(number - 1)
    await wait_until(
        pilot, lambda: shown(app, ".answer") and practice(app).session.index == number - 1
    )
    await pilot.pause()
    steady_cursors(app)


def scenario(
    number: int,
    *keys: str,
    until: Callable[[QuizApp], bool] = lambda app: True,
    show: str | None = None,
) -> Callable[[Pilot[None]], Awaitable[None]]:
    """Open question ``number``, press ``keys``, wait ``until`` the app is ready, then scroll
    ``show`` into view (to the top of the body, or as far as the body scrolls)."""

    async def run_before(pilot: Pilot[None]) -> None:
        app = pilot.app
        assert isinstance(app, QuizApp)
        await open_question(pilot, number)
        await pilot.press(*keys)
        await wait_until(pilot, lambda: until(app) and (show is None or shown(app, show)))
        await pilot.pause()
        if show is not None:
            body = app.screen.query_one("#body")
            body.scroll_to_widget(app.screen.query_one(show), animate=False, top=True)
            await pilot.pause()
        steady_cursors(app)

    return run_before


def test_home_screen(snap_compare: SnapCompare, app: QuizApp) -> None:
    assert snap_compare(app, terminal_size=SIZE)


def test_concept_question(snap_compare: SnapCompare, app: QuizApp) -> None:
    assert snap_compare(app, terminal_size=SIZE, run_before=scenario(1))


@pytest.mark.slow  # types a whole answer: the quick loop keeps the lighter screens
def test_concept_answered_with_rubric(snap_compare: SnapCompare, app: QuizApp) -> None:
    answer = "It is a bottleneck: it cuts the channels, and the ReLU after it adds non-linearity."
    # the checklist takes the focus, which scrolls it into view under the answer
    run_before = scenario(1, *answer, "ctrl+s", until=lambda app: shown(app, "#checklist:focus"))
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


@pytest.mark.slow  # types a whole answer: the quick loop keeps the lighter screens
def test_numeric_answered(snap_compare: SnapCompare, app: QuizApp) -> None:
    keys = [k for answer in ["73,728", "576", "8192", "9000", "0.119"] for k in [*answer, "enter"]]
    run_before = scenario(6, *keys, show="#numeric-result")
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


@pytest.mark.slow  # types a whole answer: the quick loop keeps the lighter screens
def test_code_failing_grade(snap_compare: SnapCompare, app: QuizApp, grader: FakeGrader) -> None:
    grader.mode = "fail"
    run_before = scenario(
        10,
        "ctrl+g",
        until=lambda app: app.screen.query_one("#checks", OptionList).option_count == 5,
        show="#code-summary",
    )
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


MOCK_START = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


def mock_interview(app: QuizApp, *, interviewer: bool) -> MockInterview:
    """The Day 13 deck's concept, numeric and code question (seed 3) on clocks that stand
    still, so that the countdown and the dates never change."""
    config = MockConfig(
        minutes=20, decks=("inception-1x1",), count=3, seed=3, interviewer=interviewer
    )
    return MockInterview.create(
        app.library, app.store, config, clock=lambda: 0.0, wall_clock=lambda: MOCK_START
    )


def test_mock_interview_in_interviewer_mode(snap_compare: SnapCompare, app: QuizApp) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await pilot.pause()
        interview = mock_interview(app, interviewer=True)
        interview.submit_concept("It cuts the channels before the 3x3: a bottleneck.")
        app.push_screen(MockScreen(interview))
        await wait_until(pilot, lambda: shown(app, "#ref-rubric"))
        await pilot.pause()
        steady_cursors(app)

    assert snap_compare(app, terminal_size=(120, 30), run_before=run_before)


@pytest.mark.slow  # types a whole answer: the quick loop keeps the lighter screens
def test_mock_scorecard(snap_compare: SnapCompare, app: QuizApp) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await pilot.pause()
        interview = mock_interview(app, interviewer=False)
        interview.show_hint()
        interview.submit_concept("A bottleneck: fewer channels, and a ReLU.")
        interview.next()
        interview.submit_numeric(["162", "2592"])
        app.push_screen(ScorecardScreen(interview.finish(), interview=interview))
        await wait_until(pilot, lambda: shown(app, "#scorecard") and shown(app, "#checklist-0"))
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
