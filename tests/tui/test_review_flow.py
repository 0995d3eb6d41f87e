"""Review through the app: the home screen's due line, `r`, answers rated into FSRS.

The app gets a scheduler without fuzzing so that intervals are exact; the Day 13 deck alone
(16 questions) with the default limit of 10 new questions a day.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from textual.widgets import Input, TextArea

from questions import DeckLibrary
from quiz.app import QuizApp
from quiz.app.screens.home import HomeScreen
from quiz.app.screens.practice import PracticeScreen
from quiz.progress.review import ReviewSession
from quiz.progress.scheduling import AGAIN, EASY, GOOD, Scheduler, set_new_per_day
from quiz.progress.store import Store

from .test_flows import SIZE, async_test, notifications, progress, text_of, type_text, wait_for

if TYPE_CHECKING:
    from .conftest import FakeGrader

# Drives the whole app through a flow: the quick loop keeps test_flows.py and the snapshots.
pytestmark = pytest.mark.slow


DECK = "inception-1x1"


def review_app(library: DeckLibrary, grader: FakeGrader, **options: object) -> QuizApp:
    store = Store()
    return QuizApp(
        library=library,
        store=store,
        grader=grader,
        scheduler=Scheduler(store, fuzz=False),
        **options,  # type: ignore[arg-type]
    )


def review_session(app: QuizApp) -> ReviewSession:
    assert isinstance(app.screen, PracticeScreen), app.screen
    session = app.screen.session
    assert isinstance(session, ReviewSession)
    return session


@async_test
async def test_the_home_screen_counts_what_is_due_and_r_opens_the_review(
    packaged_library: DeckLibrary, grader: FakeGrader
) -> None:
    app = review_app(packaged_library, grader)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen), "the home screen")
        assert text_of(app, "#due-line").startswith("Due today: 0 · new today: 10")
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, PracticeScreen), "the review")
        session = review_session(app)
        assert [session.question_id(q) for q in session.questions] == [
            f"{DECK}/q{n}" for n in range(1, 11)
        ]
        assert app.screen.sub_title == "Review"
        assert progress(app).startswith("Question 1 of 10")
        assert "new" in progress(app)


@async_test
async def test_a_concept_answer_is_scheduled_when_self_rated(
    packaged_library: DeckLibrary, grader: FakeGrader
) -> None:
    app = review_app(packaged_library, grader)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen), "the home screen")
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, PracticeScreen), "the review")
        await wait_for(pilot, lambda: isinstance(app.focused, TextArea), "the answer box")
        await type_text(pilot, "it mixes channels")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "rate 1" in progress(app), "the rating prompt")
        assert app.store.reviews() == []  # nothing is scheduled before the rating
        await pilot.press("3")
        await wait_for(pilot, lambda: "Good" in progress(app), "the new due date")
        (review,) = app.store.reviews()
        assert (review.question, review.rating, review.card_before) == (f"{DECK}/q1", GOOD, None)
        assert "back in 2 days" in progress(app)
        card = app.store.card(f"{DECK}/q1")
        assert card is not None and card.question == f"{DECK}/q1"


@async_test
async def test_numeric_results_are_rated_from_the_grade(
    packaged_library: DeckLibrary, grader: FakeGrader
) -> None:
    app = review_app(packaged_library, grader)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen), "the home screen")
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, PracticeScreen), "the review")
        screen = app.screen
        assert isinstance(screen, PracticeScreen)
        # q6 right at the first try, well within its expected 150 s: Easy.
        screen.show_question(5)
        await wait_for(pilot, lambda: progress(app).startswith("Question 6 of"), "q6")
        await wait_for(pilot, lambda: isinstance(app.focused, Input), "the first part")
        for value in ("73,728", "576", "8192", "8768", "11.89%"):
            await type_text(pilot, value)
            await pilot.press("enter")
        await wait_for(pilot, lambda: "Easy" in progress(app), "q6 scheduled")
        # q8 wrong: Again, back tomorrow.
        screen.show_question(7)
        await wait_for(pilot, lambda: progress(app).startswith("Question 8 of"), "q8")
        await wait_for(pilot, lambda: isinstance(app.focused, Input), "the first part")
        for _ in range(3):  # every part wrong (an empty part is refused); Enter on the last submits
            await type_text(pilot, "3")
            await pilot.press("enter")
        await wait_for(pilot, lambda: "Again" in progress(app), "q8 scheduled")
        assert "back tomorrow" in progress(app)
        ratings = {r.question: r.rating for r in app.store.reviews()}
        assert ratings == {f"{DECK}/q6": EASY, f"{DECK}/q8": AGAIN}
        assert {a.mode for a in app.store.attempts()} == {"review"}


@async_test
async def test_with_nothing_due_r_says_so_and_stays_home(
    packaged_library: DeckLibrary, grader: FakeGrader
) -> None:
    app = review_app(packaged_library, grader)
    set_new_per_day(app.store, 0)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen), "the home screen")
        assert text_of(app, "#due-line").startswith("Due today: 0 · new today: 0")
        await pilot.press("r")
        await wait_for(pilot, lambda: notifications(app) != [], "a notification")
        assert "Nothing is due" in notifications(app)[-1].message
        assert isinstance(app.screen, HomeScreen)


@async_test
async def test_the_due_line_drops_as_new_questions_are_answered(
    packaged_library: DeckLibrary, grader: FakeGrader
) -> None:
    app = review_app(packaged_library, grader, start="review")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, PracticeScreen), "the review")
        await wait_for(pilot, lambda: isinstance(app.focused, TextArea), "the answer box")
        await type_text(pilot, "channels")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "rate 1" in progress(app), "the rating prompt")
        await pilot.press("1")
        await wait_for(pilot, lambda: "Again" in progress(app), "q1 scheduled")
        await pilot.press("escape", "escape")
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen), "the home screen")
        # One new question used today: 9 left; q1 comes back tomorrow, not today.
        await wait_for(
            pilot,
            lambda: text_of(app, "#due-line").startswith("Due today: 0 · new today: 9"),
            "the due line to update",
        )


@async_test
async def test_practising_a_deck_schedules_its_answers_too(
    packaged_library: DeckLibrary, grader: FakeGrader
) -> None:
    app = review_app(packaged_library, grader)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen), "the home screen")
        await pilot.press("enter")  # the deck, in practice order
        await wait_for(pilot, lambda: isinstance(app.screen, PracticeScreen), "the deck")
        screen = app.screen
        assert isinstance(screen, PracticeScreen)
        assert not isinstance(screen.session, ReviewSession)
        screen.show_question(7)  # q8
        await wait_for(pilot, lambda: progress(app).startswith("Question 8 of"), "q8")
        await wait_for(pilot, lambda: isinstance(app.focused, Input), "the first part")
        for _ in range(3):  # every part wrong (an empty part is refused); Enter on the last submits
            await type_text(pilot, "3")
            await pilot.press("enter")
        await wait_for(pilot, lambda: "Again" in progress(app), "q8 scheduled")
        (review,) = app.store.reviews()
        assert (review.question, review.rating) == (f"{DECK}/q8", AGAIN)
        assert [a.mode for a in app.store.attempts()] == ["practice"]
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen), "the home screen")
        # q8 is no longer new: one new question used today; it comes back tomorrow.
        await wait_for(
            pilot,
            lambda: text_of(app, "#due-line").startswith("Due today: 0 · new today: 9"),
            "the due line to update",
        )
