"""A mock interview through the app: set-up, blind answering, hints, time, the scorecard.

The Day 13 deck with seed 3 and three questions gives one concept (q1), one numeric
(separable-module-drill) and one code question (q10), in that order. Code is graded by the
``FakeGrader`` of ``conftest.py``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from textual.widgets import Input, Label, Markdown, OptionList, Static, TextArea

from grader import SubmissionReport
from questions import DeckLibrary
from quiz.app import QuizApp
from quiz.app.screens.home import HomeScreen
from quiz.app.screens.mock import ConfirmScreen, MockScreen, MockSetupScreen, ScorecardScreen
from quiz.app.widgets import RECORDED_NOTE
from quiz.progress.mock import MockConfig, MockInterview, Scorecard
from quiz.progress.store import Store

from .test_flows import SIZE, async_test, text_of, type_text, wait_for

if TYPE_CHECKING:
    from textual.pilot import Pilot

    from .conftest import FakeGrader

# Drives the whole app through a flow: the quick loop keeps test_flows.py and the snapshots.
pytestmark = pytest.mark.slow


CONFIG = MockConfig(minutes=20, decks=("inception-1x1",), count=3, seed=3)


def interview_of(app: QuizApp) -> MockInterview:
    assert isinstance(app.screen, MockScreen), app.screen
    return app.screen.interview


def labels(app: QuizApp) -> list[str]:
    return [str(label.content) for label in app.screen.query(Label)]


async def answer_concept(pilot: Pilot[None], text: str) -> None:
    await wait_for(pilot, lambda: isinstance(pilot.app.focused, TextArea), "the answer box")
    await type_text(pilot, text)
    await pilot.press("ctrl+s")


@async_test
async def test_a_full_short_mock_interview(
    packaged_library: DeckLibrary, grader: FakeGrader, tmp_path: Path
) -> None:
    export = tmp_path / "card.json"
    app = QuizApp(
        library=packaged_library,
        store=Store(),
        grader=grader,
        start="mock",
        mock=CONFIG,
        mock_export=export,
    )
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, MockScreen), "the mock screen")
        interview = interview_of(app)
        assert [q.kind for q in interview.questions] == ["concept", "numeric", "code"]
        assert "left" in text_of(app, "#mock-clock")
        assert text_of(app, "#mock-position").startswith("Question 1 of 3")

        # Concept: recorded, no reference answer or rubric shown, still editable.
        await pilot.press("ctrl+t")  # one hint: costs a quarter of the points
        await wait_for(pilot, lambda: "Hint:" in text_of(app, "#hints"), "the hint")
        await answer_concept(pilot, "reduces channels, a bottleneck")
        await wait_for(pilot, lambda: text_of(app, "#recorded") == RECORDED_NOTE, "recorded")
        assert "Reference answer" not in labels(app)
        assert not app.screen.query("#rubric")
        assert interview.outcome(0) is not None

        # Numeric: skipped first, then answered after coming back.
        await pilot.press("ctrl+k")
        await wait_for(pilot, lambda: interview.index == 2, "the code question")
        await pilot.press("ctrl+g")  # hand in the starter; graded in the background
        await wait_for(pilot, lambda: interview.outcome(2) is not None, "the grade")
        assert grader.calls and grader.calls[-1].question_id == "q10"
        assert "results come at the end" in text_of(app, "#code-summary")
        assert not app.screen.query_one("#checks", OptionList).option_count  # no checks shown
        await pilot.press("ctrl+b")
        await wait_for(pilot, lambda: interview.index == 1, "the numeric question")
        await wait_for(pilot, lambda: isinstance(app.focused, Input), "the first part")
        await type_text(pilot, "162")
        await pilot.press("enter")
        await type_text(pilot, "1")
        await pilot.press("enter")
        await wait_for(pilot, lambda: interview.outcome(1) is not None, "the numeric answer")
        assert not app.screen.query("#numeric-result")

        # Finish: confirm, then the scorecard, exported.
        await pilot.press("ctrl+f")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the confirmation")
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, ScorecardScreen), "the scorecard")
        card = scorecard_of(app)
        assert [e.status for e in card.entries] == ["answered", "answered", "answered"]
        assert card.entries[0].hints == 1
        assert card.entries[2].verdict == "pass"
        assert card.entries[1].wrong_parts  # "1" FLOPs is wrong
        assert "Score" in text_of(app, "#scorecard-summary")
        assert str(export) in text_of(app, "#scorecard-summary")
        assert json.loads(export.read_text(encoding="utf-8"))["percent"] == card.percent
        markdown = app.screen.query_one("#scorecard", Markdown)
        assert markdown.source.startswith("# Mock interview")

        # Saved to history; escape goes home.
        (saved,) = app.store.mocks()
        assert saved.scorecard is not None and saved.scorecard["percent"] == card.percent
        assert {a.mode for a in app.store.attempts()} == {"mock"}
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen), "the home screen")


@async_test
async def test_when_time_runs_out_the_interview_ends_itself(
    packaged_library: DeckLibrary, grader: FakeGrader
) -> None:
    now = [0.0]
    app = QuizApp(library=packaged_library, store=Store(), grader=grader)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen), "the home screen")
        await pilot.pause()  # let the home screen finish mounting before covering it
        interview = MockInterview.create(packaged_library, app.store, CONFIG, clock=lambda: now[0])
        app.push_screen(MockScreen(interview))
        await wait_for(pilot, lambda: isinstance(app.screen, MockScreen), "the mock screen")
        await answer_concept(pilot, "channels")
        await wait_for(pilot, lambda: interview.outcome(0) is not None, "the answer")
        now[0] = 19 * 60 + 30.0
        await wait_for(pilot, lambda: "0:30 left" in text_of(app, "#mock-clock"), "the countdown")
        now[0] = 20 * 60 + 1.0
        await wait_for(pilot, lambda: isinstance(app.screen, ScorecardScreen), "the scorecard")
        card = scorecard_of(app)
        assert card.ended_by == "time"
        assert [e.status for e in card.entries] == ["answered", "unseen", "unseen"]
        assert card.entries[1].points == card.entries[2].points == 0
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen), "the home screen")


@async_test
async def test_quitting_mid_interview_still_saves_its_scorecard(
    packaged_library: DeckLibrary, grader: FakeGrader
) -> None:
    app = QuizApp(library=packaged_library, store=Store(), grader=grader, start="mock", mock=CONFIG)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, MockScreen), "the mock screen")
        await answer_concept(pilot, "reduces channels")
        await wait_for(pilot, lambda: interview_of(app).outcome(0) is not None, "the answer")
        await pilot.press("ctrl+q")
    with Store() as store:
        (saved,) = store.mocks()
        assert saved.scorecard is not None
        assert saved.scorecard["ended_by"] == "left"
        assert [q["status"] for q in saved.scorecard["questions"]] == [
            "answered",
            "unseen",
            "unseen",
        ]


@async_test
async def test_interviewer_mode_shows_the_reference_and_scores_live(
    packaged_library: DeckLibrary, grader: FakeGrader
) -> None:
    config = MockConfig(minutes=20, decks=("inception-1x1",), count=3, seed=3, interviewer=True)
    app = QuizApp(library=packaged_library, store=Store(), grader=grader, start="mock", mock=config)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, MockScreen), "the mock screen")
        reference = app.screen.query_one("#ref-answer", Markdown)
        assert "Dimensionality Reduction" in reference.source
        assert "Key points" in text_of(app, "#ref-rubric")
        await answer_concept(pilot, "it reduces channels before the 3x3")
        await wait_for(pilot, lambda: "Automatic:" in text_of(app, "#ref-rubric"), "the rubric")
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "ScoreScreen", "scoring")
        await pilot.press("4")
        await wait_for(pilot, lambda: isinstance(app.screen, MockScreen), "back")
        interview = interview_of(app)
        assert interview.scored_by(0) == "interviewer"
        assert interview.points(0) == 1.0
        assert "1.00 of 1" in text_of(app, "#ref-score")


@async_test
async def test_the_setup_dialog_starts_a_mock_and_refuses_nonsense(
    packaged_library: DeckLibrary, grader: FakeGrader
) -> None:
    app = QuizApp(library=packaged_library, store=Store(), grader=grader)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen), "the home screen")
        await pilot.press("m")
        await wait_for(pilot, lambda: isinstance(app.screen, MockSetupScreen), "the set-up")
        count = app.screen.query_one("#setup-count", Input)
        count.value = "0"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, MockSetupScreen)  # refused, with a message
        assert any("count" in n.message for n in app._notifications)
        count.value = "2"
        app.screen.query_one("#setup-minutes", Input).value = "5"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, MockScreen), "the mock screen")
        interview = interview_of(app)
        assert len(interview.questions) == 2
        assert interview.config.minutes == 5
        assert app.screen.query_one("#mock-clock", Static) is not None


@async_test
async def test_code_that_could_not_be_graded_is_recorded_as_an_error(
    packaged_library: DeckLibrary, grader: FakeGrader
) -> None:
    grader.mode = "error"
    app = QuizApp(library=packaged_library, store=Store(), grader=grader)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen), "the home screen")
        await pilot.pause()  # let the home screen finish mounting before covering it
        interview = MockInterview.create(packaged_library, app.store, CONFIG)
        interview.go(2)  # the code question
        app.push_screen(MockScreen(interview))
        await wait_for(pilot, lambda: isinstance(app.focused, TextArea), "the code editor")
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: interview.outcome(2) is not None, "the grade")
        outcome = interview.outcome(2)
        assert outcome is not None and outcome.verdict == "error"
        assert isinstance(outcome.detail, SubmissionReport)
        assert outcome.detail.error == "the grading workers could not start"
        assert outcome.detail.question == "inception-1x1/q10"
        assert isinstance(app.screen, MockScreen) and app.screen.pending == 0
        assert not [n for n in app._notifications if n.severity == "error"]  # said at the end


def scorecard_of(app: QuizApp) -> Scorecard:
    """The scorecard the screen on top shows (a ScorecardScreen)."""
    screen = app.screen
    assert isinstance(screen, ScorecardScreen)
    return screen.scorecard
