"""Numeric fields the grader cannot read (``abc``, ``1,5``, nothing) are never submitted: the
field says why, stays editable, and the answer goes in once it is fixed. So in a mock
interview too, where nothing is marked until the end."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from textual.widgets import Input, Static

from questions import DeckLibrary
from quiz.app import QuizApp
from quiz.app.screens.mock import MockScreen
from quiz.progress.mock import MockConfig
from quiz.progress.store import Store

from .test_flows import SIZE, async_test, notifications, open_deck, text_of, type_text, wait_for

if TYPE_CHECKING:
    from textual.pilot import Pilot

    from .conftest import FakeGrader

# Drives the whole app through a flow: the quick loop keeps test_flows.py and the snapshots.
pytestmark = pytest.mark.slow


DECK = "inception-1x1"
RIGHT = ["73,728", "576", "8192", "8768", "0.119"]
"""The right answers to q6's five parts."""


async def fill(pilot: Pilot[None], answers: list[str]) -> None:
    """Type each answer in its field (moving on with Enter), then submit with ctrl+s."""
    for index, answer in enumerate(answers):
        await type_text(pilot, answer)
        if index + 1 < len(answers):
            await pilot.press("enter")
    await pilot.press("ctrl+s")
    await pilot.pause()


def field(app: QuizApp, index: int) -> Input:
    return app.screen.query_one(f"#part-{index}", Input)


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("abc", "unexpected letter 'a'"),
        ("1,5", "a comma must separate groups of three digits"),
        ("", "nothing was typed"),
    ],
    ids=["letters", "decimal-comma", "empty"],
)
@async_test
async def test_an_unreadable_part_is_not_submitted_and_the_field_says_why(
    app: QuizApp, typed: str, reason: str
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        session = await open_deck(pilot, question=6)
        await fill(pilot, [RIGHT[0], typed, *RIGHT[2:]])

        assert app.store.attempts() == []
        assert session.outcome(5) is None
        assert field(app, 1).has_class("-unreadable")
        assert not field(app, 0).has_class("-unreadable")
        problem = text_of(app, "#problem-1")
        assert problem.startswith("? ") and reason in problem
        assert not app.screen.query_one("#problem-0", Static).display
        assert app.focused is field(app, 1)
        warnings = [n.message for n in notifications(app) if n.severity == "warning"]
        assert warnings == ["Part 2 cannot be read as a number: fix and submit again."]

        # Fixing the field clears its mark, and the answer then goes in.
        field(app, 1).value = ""
        await type_text(pilot, RIGHT[1])
        await pilot.pause()
        assert not field(app, 1).has_class("-unreadable")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: bool(app.store.attempts()), "the answer")
        [attempt] = app.store.attempts()
        assert json.loads(attempt.answer) == RIGHT
        assert attempt.verdict == "correct"


@async_test
async def test_enter_on_an_unreadable_part_moves_on_but_marks_it(app: QuizApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await open_deck(pilot, question=6)
        await type_text(pilot, "lots")
        await pilot.press("enter")
        await pilot.pause()
        assert app.focused is field(app, 1)
        assert field(app, 0).has_class("-unreadable")
        assert "unexpected letter 'l'" in text_of(app, "#problem-0")


@async_test
async def test_several_unreadable_parts_are_all_named(app: QuizApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await open_deck(pilot, question=6)
        await fill(pilot, ["x", RIGHT[1], "", RIGHT[3], "?"])
        assert app.store.attempts() == []
        assert [field(app, i).has_class("-unreadable") for i in range(5)] == [
            True,
            False,
            True,
            False,
            True,
        ]
        assert app.focused is field(app, 0)
        warnings = [n.message for n in notifications(app) if n.severity == "warning"]
        assert warnings == ["Parts 1, 3, 5 cannot be read as a number: fix and submit again."]


@async_test
async def test_in_a_mock_interview_garbage_is_not_recorded(
    packaged_library: DeckLibrary, grader: FakeGrader
) -> None:
    config = MockConfig(minutes=20, decks=(DECK,), count=3, seed=3)
    app = QuizApp(library=packaged_library, store=Store(), grader=grader, start="mock", mock=config)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, MockScreen), "the mock screen")
        screen = app.screen
        assert isinstance(screen, MockScreen)
        screen.show_question(1)  # the numeric question: two parts
        await wait_for(pilot, lambda: isinstance(app.focused, Input), "the first part")
        await fill(pilot, ["garbage", "2592"])
        assert screen.interview.outcome(1) is None
        assert app.store.attempts() == []
        assert field(app, 0).has_class("-unreadable")
        assert "unexpected letter 'g'" in text_of(app, "#problem-0")

        field(app, 0).value = "162"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.interview.outcome(1) is not None, "the answer")
        [attempt] = app.store.attempts()
        assert json.loads(attempt.answer) == ["162", "2592"]
