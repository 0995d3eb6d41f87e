"""Confirming concept scores on a mock interview's scorecard, driven through Pilot at 80×24:
each concept answer's checklist is the matcher's suggestion until the candidate (or, in
interviewer mode, the interviewer) reviews the ticks and confirms them; the scorecard on screen,
in the store and in the exported file then says so."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from textual.pilot import Pilot
from textual.widgets import Markdown, Static, TextArea

from questions import DeckLibrary
from quiz.app import QuizApp
from quiz.app.screens.home import HomeScreen
from quiz.app.screens.mock import ConfirmScreen, MockScreen, ScorecardScreen
from quiz.app.widgets.concept import KeyPointChecklist
from quiz.progress.mock import MockConfig, MockInterview, Scorecard, export_scorecard
from quiz.progress.store import Store

from .test_concept_checklist import ANSWER, greek_library
from .test_flows import SIZE, async_test, text_of, type_text, wait_for

if TYPE_CHECKING:
    from .conftest import FakeGrader

# Drives the whole app through a flow: the quick loop keeps test_flows.py and the snapshots.
pytestmark = pytest.mark.slow


CONFIG = MockConfig(minutes=20, decks=("greek",), count=2, seed=1)


@pytest.fixture
def greek(tmp_path: Path) -> DeckLibrary:
    return greek_library(tmp_path)


def scorecard_screen(app: QuizApp) -> ScorecardScreen:
    assert isinstance(app.screen, ScorecardScreen), app.screen
    return app.screen


def note(app: QuizApp, index: int = 0) -> str:
    box = app.screen.query_one(f"#review-{index}")
    return str(box.query_one(".confirm-note", Static).content)


def finished_interview(store: Store, library: DeckLibrary, *, interviewer: bool) -> MockInterview:
    config = MockConfig(minutes=20, decks=("greek",), count=2, seed=1, interviewer=interviewer)
    interview = MockInterview.create(library, store, config)
    at = next(i for i, q in enumerate(interview.questions) if q.id == "letters")
    interview.go(at)
    interview.submit_concept(ANSWER)
    interview.finish()
    return interview


def mock_app(library: DeckLibrary, grader: FakeGrader, export: Path) -> QuizApp:
    """The app started straight into a mock interview of CONFIG, exporting to ``export``."""
    return QuizApp(
        library=library, store=Store(), grader=grader, start="mock", mock=CONFIG, mock_export=export
    )


async def mock_on_screen(pilot: Pilot[None], app: QuizApp) -> MockInterview:
    """The interview, once its screen is up."""
    await wait_for(pilot, lambda: isinstance(app.screen, MockScreen), "the mock screen")
    screen = app.screen
    assert isinstance(screen, MockScreen)
    return screen.interview


@async_test
async def test_finishing_a_mock_lets_the_candidate_review_and_confirm_the_ticks(
    greek: DeckLibrary, grader: FakeGrader, tmp_path: Path
) -> None:
    export = tmp_path / "card.md"
    app = mock_app(greek, grader, export)
    async with app.run_test(size=SIZE) as pilot:
        interview = await mock_on_screen(pilot, app)
        at = next(i for i, q in enumerate(interview.questions) if q.id == "letters")
        if at:
            await pilot.press("ctrl+n")
            await wait_for(pilot, lambda: interview.index == at, "the question with key points")
        await wait_for(pilot, lambda: isinstance(app.focused, TextArea), "the answer box")
        await type_text(pilot, ANSWER)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: interview.outcome(at) is not None, "the answer")
        assert not app.screen.query(KeyPointChecklist)  # nothing is shown during the mock
        await pilot.press("ctrl+f")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the confirmation")
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, ScorecardScreen), "the scorecard")

        # The matcher's suggestion, said on screen and in the exported file.
        assert "1 concept score is the matcher's suggestion until you confirm" in text_of(
            app, "#scorecard-summary"
        )
        checklist = app.screen.query_one(f"#checklist-{at}", KeyPointChecklist)
        assert app.focused is checklist
        assert checklist.ticks == [True, False, False]
        assert "the matcher's suggestion" in note(app, at)
        assert "(the matcher's suggestion, not confirmed)" in export.read_text(encoding="utf-8")

        # Tick beta and confirm with c.
        checklist.highlighted = 0
        await pilot.press("down", "space", "c")
        await wait_for(
            pilot, lambda: "confirmed by the candidate" in note(app, at), "the confirmation"
        )
        card = scorecard_screen(app).scorecard
        entry = card.entries[at]
        assert (entry.confirmed_by, entry.score) == ("candidate", 0.6667)
        assert "suggestion" not in text_of(app, "#scorecard-summary")
        markdown = app.screen.query_one("#scorecard", Markdown)
        assert "(confirmed by the candidate)" in markdown.source
        exported = export.read_text(encoding="utf-8")
        assert "(confirmed by the candidate)" in exported
        assert "- [x] Says beta _(ticked by hand)_" in exported
        (saved,) = app.store.mocks()
        assert saved.scorecard is not None
        assert Scorecard.from_json(saved.scorecard) == card
        [attempt] = [a for a in app.store.attempts() if a.kind == "concept"]
        assert attempt.confirmed
        assert attempt.score == pytest.approx(2 / 3)

        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen), "the home screen")


@async_test
async def test_in_interviewer_mode_the_interviewer_confirms_and_the_json_says_so(
    greek: DeckLibrary, grader: FakeGrader, tmp_path: Path
) -> None:
    app = QuizApp(library=greek, store=Store(), grader=grader)
    export = tmp_path / "card.json"
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen), "the home screen")
        await pilot.pause()
        interview = finished_interview(app.store, greek, interviewer=True)
        assert interview.scorecard is not None
        export_scorecard(interview.scorecard, export)
        app.push_screen(ScorecardScreen(interview.scorecard, exported=export, interview=interview))
        await wait_for(
            pilot,
            lambda: "until the interviewer confirms" in text_of(app, "#scorecard-summary"),
            "the scorecard",
        )
        at = interview.questions.index(next(q for q in interview.questions if q.id == "letters"))
        assert json.loads(export.read_text())["questions"][at]["confirmed_by"] is None

        await pilot.press("c")  # the ticks as the matcher made them, confirmed
        await wait_for(
            pilot, lambda: "confirmed by the interviewer" in note(app, at), "the confirmation"
        )
        data = json.loads(export.read_text(encoding="utf-8"))
        assert data["questions"][at]["confirmed_by"] == "interviewer"
        assert data["questions"][at]["score"] == 0.3333
        assert [p["ticked"] for p in data["questions"][at]["key_points"]] == [True, False, False]


@async_test
async def test_a_scorecard_without_its_interview_has_nothing_to_confirm(
    greek: DeckLibrary, grader: FakeGrader
) -> None:
    app = QuizApp(library=greek, store=Store(), grader=grader)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen), "the home screen")
        await pilot.pause()
        interview = finished_interview(app.store, greek, interviewer=False)
        assert interview.scorecard is not None
        app.push_screen(ScorecardScreen(interview.scorecard))
        await wait_for(pilot, lambda: bool(app.screen.query("#scorecard")), "the scorecard")
        assert not app.screen.query(KeyPointChecklist)
        assert app.screen.check_action("confirm", ()) is False
        await pilot.press("c")
        await pilot.pause()
        assert all(entry.confirmed_by is None for entry in interview.scorecard.entries)
        assert "(the matcher's suggestion, not confirmed)" in (
            app.screen.query_one("#scorecard", Markdown).source
        )


@async_test
async def test_the_scorecard_says_skipped_only_for_a_question_the_candidate_skipped(
    greek: DeckLibrary, grader: FakeGrader, tmp_path: Path
) -> None:
    export = tmp_path / "card.md"
    app = mock_app(greek, grader, export)
    async with app.run_test(size=SIZE) as pilot:
        interview = await mock_on_screen(pilot, app)
        first, second = (question.heading for question in interview.questions)
        await pilot.press("ctrl+n")  # moves on without an answer
        await wait_for(pilot, lambda: interview.index == 1, "the second question")
        await pilot.press("ctrl+k")  # skips it
        await wait_for(pilot, lambda: interview.status(1) == "skipped", "the skip")
        await pilot.press("ctrl+f")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the confirmation")
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, ScorecardScreen), "the scorecard")

        shown = app.screen.query_one("#scorecard", Markdown).source
        for text in (shown, export.read_text(encoding="utf-8")):
            assert f"| 1 | {first} | concept | not answered |" in text
            assert f"| 2 | {second} | concept | skipped |" in text
            assert "; 1 skipped, 1 not answered" in text
