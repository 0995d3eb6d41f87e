"""Keys that arrive in one burst are all in what is submitted, graded or kept as a draft.

A terminal hands the app a paste (without bracketed paste), a fast typist's keys or a slow
link's backlog in one read, and the app reads every key of it before any widget has handled
the first. ``burst`` queues key events the same way, all at once, where Pilot's ``press`` would
wait for each key to be handled. The submit, grade and navigation keys are priority bindings:
they must still see every key typed before them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from textual import events
from textual.widgets import Input, TextArea

from questions import CodeQuestion, DeckLibrary
from quiz.app import QuizApp
from quiz.app.screens.mock import MockScreen
from quiz.progress.mock import MockConfig
from quiz.progress.store import Store

from .test_flows import SIZE, async_test, key_name, open_deck, progress, wait_for

if TYPE_CHECKING:
    from .conftest import AppFactory, FakeGrader

# Drives the whole app through a flow: the quick loop keeps test_flows.py and the snapshots.
pytestmark = pytest.mark.slow


DECK = "inception-1x1"
LONG_ANSWER = (
    "A 1x1 convolution mixes the channels at every pixel: it cuts or grows the depth cheaply, "
    "adds a ReLU non-linearity without touching height or width, and acts as a bottleneck "
    "before the costly 3x3 and 5x5 convolutions of Inception."
)


def burst(app: QuizApp, *pieces: str | list[str]) -> None:
    """Queue key presses all at once: a string is typed character by character, a list holds
    named keys (``["enter"]``, ``["ctrl+s"]``)."""
    for piece in pieces:
        if isinstance(piece, str):
            for character in piece:
                app.post_message(events.Key(key_name(character), character))
        else:
            for key in piece:
                app.post_message(events.Key(key, None))


@async_test
async def test_a_concept_answer_typed_in_one_burst_then_submitted_is_stored_whole(
    app: QuizApp,
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await open_deck(pilot)
        assert len(LONG_ANSWER) > 200  # as long as the answer the issue saw cut to "The"
        burst(app, LONG_ANSWER, ["ctrl+s"])
        await wait_for(pilot, lambda: bool(app.store.attempts(f"{DECK}/q1")), "the answer")
        [attempt] = app.store.attempts(f"{DECK}/q1")
        assert attempt.answer == LONG_ANSWER
        await wait_for(pilot, lambda: bool(app.screen.query("#given")), "the outcome")


@async_test
async def test_numeric_parts_typed_in_one_burst_each_land_in_their_own_field(
    app: QuizApp,
) -> None:
    answers = ["73,728", "576", "8192", "8768", "0.119"]
    async with app.run_test(size=SIZE) as pilot:
        await open_deck(pilot, question=6)
        await wait_for(pilot, lambda: isinstance(app.focused, Input), "the first part")
        pieces: list[str | list[str]] = []
        for answer in answers[:-1]:
            pieces += [answer, ["enter"]]
        burst(app, *pieces, answers[-1], ["ctrl+s"])
        await wait_for(pilot, lambda: bool(app.store.attempts(f"{DECK}/q6")), "the answer")
        [attempt] = app.store.attempts(f"{DECK}/q6")
        assert json.loads(attempt.answer) == answers
        assert attempt.verdict == "correct"


CHOICE_DECK = """\
id: choice-drill
title: Choice drill
questions:
  - id: pooling
    kind: choice
    prompt: Which layer has no trainable parameters?
    answer: Global average pooling only averages each feature map.
    options:
      - text: A fully connected layer
      - text: Global average pooling
        correct: true
      - text: A 1×1 convolution
"""


@async_test
async def test_an_option_picked_just_before_ctrl_s_is_the_one_submitted(
    make_app: AppFactory, tmp_path: Path
) -> None:
    path = tmp_path / "choice-drill.yaml"
    path.write_text(CHOICE_DECK, encoding="utf-8")
    library = DeckLibrary.discover([path], include_package=False)
    app = make_app(library=library)
    async with app.run_test(size=SIZE) as pilot:
        await open_deck(pilot)
        burst(app, "2", ["ctrl+s"])
        await wait_for(pilot, lambda: bool(app.store.attempts("choice-drill/pooling")), "it")
        [attempt] = app.store.attempts("choice-drill/pooling")
        assert json.loads(attempt.answer) == [1]
        assert attempt.verdict == "correct"


@async_test
async def test_code_typed_in_one_burst_then_graded_is_graded_whole(
    app: QuizApp, grader: FakeGrader
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        session = await open_deck(pilot, question=10)
        question = session.current
        assert isinstance(question, CodeQuestion)
        burst(app, "# typed in one go, then graded at once", ["ctrl+g"])
        await wait_for(pilot, lambda: bool(grader.calls), "the grade")
        [call] = grader.calls
        assert call.source == "# typed in one go, then graded at once" + question.starter


@async_test
async def test_moving_on_straight_after_typing_keeps_the_whole_draft_on_its_own_question(
    app: QuizApp,
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await open_deck(pilot)
        burst(app, LONG_ANSWER, ["ctrl+n"])
        await wait_for(pilot, lambda: progress(app).startswith("Question 2 of"), "question 2")
        await pilot.pause()
        assert app.store.draft(f"{DECK}/q1") == LONG_ANSWER
        assert app.store.draft(f"{DECK}/q2") is None
        assert app.screen.query_one("#concept-text", TextArea).text == ""

        await pilot.press("ctrl+b")
        await wait_for(pilot, lambda: progress(app).startswith("Question 1 of"), "question 1")
        assert app.screen.query_one("#concept-text", TextArea).text == LONG_ANSWER


@async_test
async def test_code_typed_just_before_moving_on_stays_the_draft_of_its_own_question(
    app: QuizApp,
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        session = await open_deck(pilot, question=10)
        question = session.current
        assert isinstance(question, CodeQuestion)
        burst(app, "# mine", ["ctrl+n"])
        await wait_for(pilot, lambda: progress(app).startswith("Question 11 of"), "q11")
        await pilot.pause(0.6)  # longer than the draft's save delay
        assert app.store.draft(f"{DECK}/q10") == "# mine" + question.starter
        assert app.store.draft(f"{DECK}/q11") is None


@async_test
async def test_an_answer_typed_just_before_quitting_is_kept_as_the_draft(
    make_app: AppFactory,
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_deck(pilot)
        burst(app, LONG_ANSWER, ["ctrl+q"])
        await pilot.pause()
    assert app.return_code == 0
    with Store() as store:
        assert store.draft(f"{DECK}/q1") == LONG_ANSWER


@async_test
async def test_a_mock_interview_answer_typed_in_one_burst_is_recorded_whole(
    packaged_library: DeckLibrary, grader: FakeGrader
) -> None:
    config = MockConfig(minutes=20, decks=(DECK,), count=3, seed=3)
    app = QuizApp(library=packaged_library, store=Store(), grader=grader, start="mock", mock=config)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.focused, TextArea), "the answer box")
        screen = app.screen
        assert isinstance(screen, MockScreen)
        burst(app, LONG_ANSWER, ["ctrl+s"])
        await wait_for(pilot, lambda: screen.interview.outcome(0) is not None, "the answer")
        outcome = screen.interview.outcome(0)
        assert outcome is not None and outcome.answer == LONG_ANSWER
        [attempt] = app.store.attempts()
        assert attempt.answer == LONG_ANSWER


@async_test
async def test_a_backspace_in_a_burst_deletes_the_character_before_it_not_after(
    app: QuizApp,
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await open_deck(pilot)
        burst(app, "1x1 bottleneckk", ["backspace"], " and ReLU", ["ctrl+s"])
        await wait_for(pilot, lambda: bool(app.store.attempts(f"{DECK}/q1")), "the answer")
        [attempt] = app.store.attempts(f"{DECK}/q1")
        assert attempt.answer == "1x1 bottleneck and ReLU"


@async_test
async def test_arrows_in_a_burst_move_the_cursor_before_the_text_after_them_is_typed(
    app: QuizApp,
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        session = await open_deck(pilot, question=10)
        question = session.current
        assert isinstance(question, CodeQuestion)
        burst(app, ["down"] * 9, "zzz")
        editor = app.screen.query_one("#code", TextArea)
        await wait_for(pilot, lambda: "zzz" in editor.text, "the typing")
        await pilot.pause()
        assert editor.cursor_location == (9, 3)
        assert editor.document[9] == "zzz" + question.starter.splitlines()[9]


@async_test
async def test_a_numeric_typo_fixed_with_backspace_in_a_burst_is_fixed(app: QuizApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await open_deck(pilot, question=6)
        await wait_for(pilot, lambda: isinstance(app.focused, Input), "the first part")
        burst(app, "73,7299", ["backspace", "backspace"], "8")
        field = app.screen.query_one("#part-0", Input)
        await wait_for(pilot, lambda: field.value.endswith("8"), "the typing")
        assert field.value == "73,728"
