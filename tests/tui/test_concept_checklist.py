"""The key-point checklist after a concept answer, driven through Pilot at 80×24: pre-ticked by
the matcher with its words highlighted, ticked and unticked by keyboard and mouse, and confirmed
by the self-rating it suggests (what is stored is what the learner confirmed)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from rich.text import Text
from textual.pilot import Pilot
from textual.widgets import Button, Static

from questions import DeckLibrary
from quiz.app import QuizApp
from quiz.app.widgets.concept import FOCUSED_STYLE, MATCHED_STYLE, KeyPointChecklist

from .test_flows import SIZE, async_test, open_deck, text_of, type_text, wait_for

if TYPE_CHECKING:
    from .conftest import AppFactory

# Drives the whole app through a flow: the quick loop keeps test_flows.py and the snapshots.
pytestmark = pytest.mark.slow


DECK = """\
id: greek
title: Greek letters
questions:
  - id: letters
    kind: concept
    title: Three letters
    prompt: Name the letters that matter.
    answer: Alpha, beta and gamma.
    key_points:
      - point: Says alpha
        patterns: ['alpha']
      - point: Says beta
        patterns: ['beta']
      - point: Says gamma
        patterns: ['gamma']
  - id: bare
    kind: concept
    title: No key points
    prompt: Say anything.
    answer: Anything.
"""
ANSWER = "It is alpha. Alpha matters most."


def greek_library(tmp_path: Path) -> DeckLibrary:
    """A library of the one deck DECK, written to ``tmp_path``."""
    path = tmp_path / "greek.yaml"
    path.write_text(DECK, encoding="utf-8")
    library = DeckLibrary.discover([path], include_package=False, include_user=False)
    assert [d.id for d in library.decks] == ["greek"], library.problems
    return library


@pytest.fixture
def greek(tmp_path: Path) -> DeckLibrary:
    return greek_library(tmp_path)


def checklist(app: QuizApp) -> KeyPointChecklist:
    return app.screen.query_one("#checklist", KeyPointChecklist)


def styled(app: QuizApp, style: str) -> list[str]:
    """The words of the answer shown in ``style``."""
    content = app.screen.query_one("#given", Static).content
    assert isinstance(content, Text)
    return [content.plain[s.start : s.end] for s in content.spans if str(s.style) == style]


def suggested_button(app: QuizApp) -> list[str]:
    buttons = app.screen.query("#ratings Button").results(Button)
    return [button.id or "" for button in buttons if button.variant == "primary"]


async def answered(pilot: Pilot[None], app: QuizApp) -> None:
    """Open the deck, answer the first question with ANSWER; the checklist is in focus."""
    await open_deck(pilot)
    await type_text(pilot, ANSWER)
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: bool(app.screen.query("#checklist")), "the checklist")
    await wait_for(pilot, lambda: app.focused is checklist(app), "the checklist in focus")


@async_test
async def test_the_matcher_pre_ticks_and_its_words_are_highlighted(
    make_app: AppFactory, greek: DeckLibrary
) -> None:
    app = make_app(library=greek)
    async with app.run_test(size=SIZE) as pilot:
        await answered(pilot, app)
        assert checklist(app).ticks == [True, False, False]
        lines = [str(checklist(app).get_option_at_index(i).prompt) for i in range(3)]
        assert lines == ["[x] Says alpha", "[ ] Says beta", "[ ] Says gamma"]
        assert text_of(app, "#given") == ANSWER
        assert sorted(styled(app, MATCHED_STYLE) + styled(app, FOCUSED_STYLE)) == [
            "Alpha",
            "alpha",
        ]
        assert text_of(app, "#checklist-summary") == (
            "1 of 3 key points ticked (33%) · suggests 1 Again"
        )
        assert suggested_button(app) == ["rate-1"]
        [attempt] = app.store.attempts("greek/letters")
        assert (attempt.confirmed, attempt.rating) == (False, None)


@async_test
async def test_space_ticks_the_focused_point_and_the_rating_confirms_it(
    make_app: AppFactory, greek: DeckLibrary
) -> None:
    app = make_app(library=greek)
    async with app.run_test(size=SIZE) as pilot:
        await answered(pilot, app)
        checklist(app).highlighted = 0
        await pilot.press("down", "space")
        await pilot.pause()
        assert checklist(app).ticks == [True, True, False]
        assert str(checklist(app).get_option_at_index(1).prompt) == (
            "[x] Says beta (ticked by you)"
        )
        assert text_of(app, "#checklist-summary") == (
            "2 of 3 key points ticked (67%) · suggests 2 Hard"
        )
        assert suggested_button(app) == ["rate-2"]

        await pilot.press("2")  # the rating keys still work with the checklist in focus
        await wait_for(pilot, lambda: bool(app.screen.query("#rated")), "the rating")
        assert text_of(app, "#rated") == "Rated: Hard"
        [attempt] = app.store.attempts("greek/letters")
        assert (attempt.rating, attempt.confirmed) == (2, True)
        assert attempt.score == pytest.approx(2 / 3)
        assert [mark.ticked for mark in attempt.key_points] == [True, True, False]
        assert [mark.matched for mark in attempt.key_points] == [True, False, False]
        # confirmed: the checklist shows what was stored and no longer changes
        assert checklist(app).disabled
        await pilot.press("space")
        assert app.store.attempts("greek/letters")[0].key_points == attempt.key_points


@async_test
async def test_a_click_unticks_a_point_and_every_point_ticked_suggests_good(
    make_app: AppFactory, greek: DeckLibrary
) -> None:
    app = make_app(library=greek)
    async with app.run_test(size=SIZE) as pilot:
        await answered(pilot, app)
        await pilot.click("#checklist", offset=(6, 1))
        await pilot.click("#checklist", offset=(6, 2))
        await pilot.pause()
        assert checklist(app).ticks == [True, True, True]
        assert suggested_button(app) == ["rate-3"]
        await pilot.click("#checklist", offset=(6, 0))
        await pilot.pause()
        assert checklist(app).ticks == [False, True, True]
        assert str(checklist(app).get_option_at_index(0).prompt) == (
            "[ ] Says alpha (unticked by you)"
        )
        await pilot.click("#rate-4")
        await wait_for(pilot, lambda: bool(app.screen.query("#rated")), "the rating")
        [attempt] = app.store.attempts("greek/letters")
        assert attempt.rating == 4
        assert attempt.score == pytest.approx(2 / 3)


@async_test
async def test_the_point_under_the_cursor_has_its_words_picked_out(
    make_app: AppFactory, greek: DeckLibrary
) -> None:
    app = make_app(library=greek)
    async with app.run_test(size=SIZE) as pilot:
        await answered(pilot, app)
        checklist(app).highlighted = 1  # beta: not in the answer
        await pilot.pause()
        assert styled(app, FOCUSED_STYLE) == []
        assert sorted(styled(app, MATCHED_STYLE)) == ["Alpha", "alpha"]
        await pilot.press("up")
        await pilot.pause()
        assert sorted(styled(app, FOCUSED_STYLE)) == ["Alpha", "alpha"]


@async_test
async def test_the_ticks_survive_leaving_the_question_and_coming_back(
    make_app: AppFactory, greek: DeckLibrary
) -> None:
    app = make_app(library=greek)
    async with app.run_test(size=SIZE) as pilot:
        await answered(pilot, app)
        checklist(app).highlighted = 2
        await pilot.press("space")
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: not app.screen.query("#checklist"), "question 2")
        await pilot.press("ctrl+b")
        await wait_for(pilot, lambda: bool(app.screen.query("#checklist")), "the checklist")
        assert checklist(app).ticks == [True, False, True]
        assert text_of(app, "#checklist-summary").startswith("2 of 3 key points ticked")


@async_test
async def test_a_question_without_key_points_asks_only_for_the_rating(
    make_app: AppFactory, greek: DeckLibrary
) -> None:
    app = make_app(library=greek)
    async with app.run_test(size=SIZE) as pilot:
        await open_deck(pilot, question=2)
        await type_text(pilot, "anything")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: bool(app.screen.query("#ratings")), "the ratings")
        assert not app.screen.query("#checklist")
        assert suggested_button(app) == []
        await pilot.press("3")
        await wait_for(pilot, lambda: bool(app.screen.query("#rated")), "the rating")
        [attempt] = app.store.attempts("greek/bare")
        assert (attempt.score, attempt.rating, attempt.confirmed) == (1.0, 3, True)
