"""The app driven through Textual's Pilot, as a learner would use it, at 80×24.

Each test asserts what the learner would see (widget contents, focus, screens) and what was
kept (session state, the progress store in the per-test QUIZ_HOME). Grading goes through the
``FakeGrader`` of ``conftest.py``. pytest-asyncio is not installed: each test body is a
coroutine that ``async_test`` runs with ``asyncio.run``.
"""

from __future__ import annotations

import asyncio
import functools
import json
import subprocess
import sys
import textwrap
import time
import unicodedata
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec

import pytest
from textual import events
from textual.command import CommandPalette
from textual.content import Content
from textual.css.query import NoMatches
from textual.notifications import Notification
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Button, Input, OptionList, SelectionList, Static, TextArea

from questions import CodeQuestion, ConceptQuestion, DeckLibrary
from quiz.app import QuizApp
from quiz.app.screens.help import HelpScreen
from quiz.app.screens.home import HomeScreen
from quiz.app.screens.jump import JumpScreen
from quiz.app.screens.practice import PracticeScreen
from quiz.app.widgets import ChoiceAnswer, CodeAnswer, ConceptAnswer, NumericAnswer
from quiz.app.widgets.concept import KeyPointChecklist
from quiz.progress.concept import judge, ticked_score
from quiz.progress.session import PracticeSession
from quiz.progress.store import Store
from quiz.render import plain

if TYPE_CHECKING:
    from .conftest import AppFactory, FakeGrader

SIZE = (80, 24)
DECK = "inception-1x1"
WAIT = 30.0
"""Longest wait for something asynchronous (a worker, a recompose); only reached on failure."""

P = ParamSpec("P")


def async_test(test: Callable[P, Coroutine[Any, Any, None]]) -> Callable[P, None]:
    """Run an async test body with ``asyncio.run`` (there is no pytest-asyncio here)."""

    @functools.wraps(test)
    def run(*args: P.args, **kwargs: P.kwargs) -> None:
        asyncio.run(test(*args, **kwargs))

    return run


# --------------------------------------------------------------------------- helpers


async def wait_for(
    pilot: Pilot[None], condition: Callable[[], bool], what: str, timeout: float = WAIT
) -> None:
    """Let the app run until ``condition()`` holds; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if condition():
                return
        except NoMatches:  # the screen is being recomposed
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.02)


def text_of(app: QuizApp, selector: str) -> str:
    """The plain text a ``Static`` on the current screen shows."""
    return str(app.screen.query_one(selector, Static).content)


def frame_text(widget: Widget) -> str:
    """The plain text in the bottom of a widget's frame (its border subtitle)."""
    return Content.from_markup(widget.border_subtitle or "").plain.strip()


def progress(app: QuizApp) -> str:
    return text_of(app, "#progress-line")


def session_of(app: QuizApp) -> PracticeSession:
    assert isinstance(app.screen, PracticeScreen), app.screen
    return app.screen.session


def notifications(app: QuizApp) -> list[Notification]:
    # run_test() does not draw toasts, but the app still keeps each notification here.
    return list(app._notifications)


async def open_deck(pilot: Pilot[None], question: int = 1) -> PracticeSession:
    """From the home screen, open the deck (Enter) and go to ``question`` (1-based)."""
    app = pilot.app
    assert isinstance(app, QuizApp)
    await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen), "the home screen")
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, PracticeScreen), "the practice screen")
    if question != 1:
        app.go_to_question(question - 1)
    await wait_for(
        pilot, lambda: progress(app).startswith(f"Question {question} of "), f"question {question}"
    )
    return session_of(app)


async def type_text(pilot: Pilot[None], text: str) -> None:
    """Type ``text`` as a quick typist would: every key is queued at once, as a terminal hands
    the app a burst of keys, then the app is let run until it has handled them all.

    Pilot's ``press`` would wait for the app to go idle after each character (twice, at least
    40 ms a key); what is typed, and in what order, is the same.
    """
    app = pilot.app
    for character in text:
        app.post_message(events.Key(key_name(character), character))
    await pilot.pause()
    await pilot.pause()  # keys forwarded to the focused widget during the first pause


def key_name(character: str) -> str:
    """The key a terminal reports for a printable character (as Textual's driver names it)."""
    if character.isalnum():
        return character
    return unicodedata.name(character).lower().replace("-", "_").replace(" ", "_")


async def run_palette_command(pilot: Pilot[None], query: str, expected: str) -> None:
    """ctrl+p, type ``query``, wait until the top hit starts with ``expected``, Enter."""
    app = pilot.app
    await pilot.press("ctrl+p")
    await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), "the command palette")
    await type_text(pilot, query)

    def top_hit() -> str:
        hits = app.screen.query_one(OptionList)
        if hits.highlighted is None:
            return ""
        return str(hits.get_option_at_index(hits.highlighted).prompt)

    await wait_for(pilot, lambda: top_hit().startswith(expected), f"the palette hit {expected!r}")
    await pilot.press("enter")
    await wait_for(
        pilot, lambda: not isinstance(app.screen, CommandPalette), "the palette to close"
    )


# --------------------------------------------------------------------------- home


@async_test
async def test_home_lists_the_deck_with_its_counts_and_enter_opens_question_1(app: QuizApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        decks = app.screen.query_one("#decks", OptionList)
        assert app.focused is decks
        assert decks.option_count == 1
        option = decks.get_option_at_index(0)
        assert option.id == DECK
        assert str(option.prompt).splitlines() == [
            "Inception & 1×1 convolutions",
            "  16 questions · 7 concept · 8 numeric · 1 code",
        ]

        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PracticeScreen), "the deck to open")
        session = session_of(app)
        assert (session.deck.id, session.index, session.current.id) == (DECK, 0, "q1")
        assert progress(app) == (
            "Question 1 of 16 · concept · Purpose of a 1×1 convolution   [new]"
        )
        assert isinstance(app.focused, TextArea) and app.focused.id == "concept-text"
        assert app.screen.sub_title == "Inception & 1×1 convolutions"


# --------------------------------------------------------------------------- concept

CONCEPT_ANSWER = "1x1 bottleneck + ReLU"


@async_test
async def test_concept_answer_shows_rubric_and_the_rating_is_stored(app: QuizApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        session = await open_deck(pilot)
        assert isinstance(app.screen.query_one(".answer"), ConceptAnswer)
        await type_text(pilot, CONCEPT_ANSWER)
        # digits typed into the answer went to the editor, not to the 1-4 rating keys
        assert app.screen.query_one("#concept-text", TextArea).text == CONCEPT_ANSWER
        assert app.store.draft(f"{DECK}/q1") == CONCEPT_ANSWER

        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: bool(app.screen.query("#checklist")), "the checklist")
        assert text_of(app, "#given") == CONCEPT_ANSWER
        question = session.current
        assert isinstance(question, ConceptQuestion)
        # the checklist is pre-ticked with what the matcher found
        checklist = app.screen.query_one("#checklist", KeyPointChecklist)
        matched = [result.hit for result in judge(question, CONCEPT_ANSWER)]
        assert checklist.ticks == matched
        assert checklist.option_count == 3
        assert plain(question.key_points[2].point) in str(checklist.get_option_at_index(2).prompt)
        assert [b.id for b in app.screen.query("#ratings Button").results(Button)] == [
            "rate-1",
            "rate-2",
            "rate-3",
            "rate-4",
        ]
        [attempt] = app.store.attempts(f"{DECK}/q1")
        assert (attempt.verdict, attempt.rating, attempt.answer) == ("rated", None, CONCEPT_ANSWER)
        assert attempt.score == pytest.approx(ticked_score(matched))
        assert app.store.draft(f"{DECK}/q1") is None
        assert "[answered]  rate 1–4 to schedule" in progress(app)

        await pilot.press("3")
        await wait_for(pilot, lambda: bool(app.screen.query("#rated")), "the rating")
        assert text_of(app, "#rated") == "Rated: Good"
        [attempt] = app.store.attempts(f"{DECK}/q1")
        assert attempt.rating == 3
        assert session.rating(0) == 3

        await pilot.press("4")  # rated already: a second rating key does nothing
        await pilot.pause()
        assert app.store.attempts(f"{DECK}/q1")[0].rating == 3

        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: progress(app).startswith("Question 2 of 16"), "question 2")
        assert session.current.id == "q2"
        assert app.screen.query_one("#concept-text", TextArea).text == ""


@pytest.mark.slow  # a further flow: the quick loop keeps one of each kind
@async_test
async def test_an_empty_concept_answer_is_not_submitted(app: QuizApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        session = await open_deck(pilot)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert session.outcome(0) is None
        assert app.store.attempts() == []
        assert [n.message for n in notifications(app)] == [
            "Write an answer first (or skip with ctrl+k)."
        ]


# --------------------------------------------------------------------------- numeric


@async_test
async def test_numeric_parts_are_each_marked_and_stored_as_partial(app: QuizApp) -> None:
    answers = ["73,728", "576", "8192", "9000", "0.119"]  # the separable total is wrong
    async with app.run_test(size=SIZE) as pilot:
        session = await open_deck(pilot, question=6)
        assert session.current.id == "q6"
        assert app.focused is app.screen.query_one("#part-0", Input)
        for index, answer in enumerate(answers):
            assert app.focused is app.screen.query_one(f"#part-{index}", Input)
            await type_text(pilot, answer)
            await pilot.press("enter")  # moves to the next part; submits on the last

        await wait_for(pilot, lambda: bool(app.screen.query("#numeric-result")), "the marks")
        lines = text_of(app, "#numeric-result").splitlines()
        marks = [line.split()[0] for line in lines if line[:1] in "✓✗≈?"]
        assert marks == ["✓", "✓", "✓", "✗", "✓"]
        assert "   you gave 9000; reference 8,768 = 3*3*64 + 64*128" in lines
        assert not app.screen.query(Input)

        [attempt] = app.store.attempts(f"{DECK}/q6")
        assert attempt.verdict == "partial"
        assert attempt.score == pytest.approx(0.8)
        assert json.loads(attempt.answer) == answers
        assert session.status(5) == "answered"


# --------------------------------------------------------------------------- choice

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
        why: it only averages
      - text: A 1×1 convolution
  - id: cheap
    kind: choice
    multiple: true
    prompt: Which of these make a convolution cheaper?
    answer: A bottleneck and a depthwise separable factorisation both cut multiplies.
    options:
      - text: A 1×1 bottleneck before it
        correct: true
      - text: A larger kernel
      - text: Depthwise separable factorisation
        correct: true
"""


@pytest.fixture
def choice_library(tmp_path: Path) -> DeckLibrary:
    path = tmp_path / "choice-drill.yaml"
    path.write_text(CHOICE_DECK, encoding="utf-8")
    library = DeckLibrary.discover([path], include_package=False)
    assert [d.id for d in library.decks] == ["choice-drill"], library.problems
    return library


@pytest.mark.parametrize(
    ("question", "keys", "chosen", "verdict", "result_lines"),
    [
        pytest.param(
            1,
            ["1", "2"],
            [1],
            "correct",
            [
                "· 1. A fully connected layer",
                "✓ 2. Global average pooling  (your pick) — it only averages",
                "· 3. A 1×1 convolution",
            ],
            id="single-right-last-key-wins",
        ),
        pytest.param(
            1,
            ["3"],
            [2],
            "wrong",
            [
                "· 1. A fully connected layer",
                "✓ 2. Global average pooling — it only averages",
                "✗ 3. A 1×1 convolution  (your pick)",
            ],
            id="single-wrong",
            marks=pytest.mark.slow,  # the quick loop keeps single-right
        ),
        pytest.param(
            2,
            ["1", "3"],
            [0, 2],
            "correct",
            [
                "✓ 1. A 1×1 bottleneck before it  (your pick)",
                "· 2. A larger kernel",
                "✓ 3. Depthwise separable factorisation  (your pick)",
            ],
            id="multiple-right",
            marks=pytest.mark.slow,  # the quick loop keeps single-right
        ),
        pytest.param(
            2,
            ["1", "2"],
            [0, 1],
            "partial",
            [
                "✓ 1. A 1×1 bottleneck before it  (your pick)",
                "✗ 2. A larger kernel  (your pick)",
                "✓ 3. Depthwise separable factorisation",
            ],
            id="multiple-partial",
            marks=pytest.mark.slow,  # the quick loop keeps single-right
        ),
    ],
)
@async_test
async def test_choice_number_keys_pick_and_submit(
    make_app: AppFactory,
    choice_library: DeckLibrary,
    question: int,
    keys: list[str],
    chosen: list[int],
    verdict: str,
    result_lines: list[str],
) -> None:
    app = make_app(library=choice_library)
    async with app.run_test(size=SIZE) as pilot:
        session = await open_deck(pilot, question=question)
        assert isinstance(app.screen.query_one(".answer"), ChoiceAnswer)
        choices = app.screen.query_one("#choices", SelectionList)
        assert app.focused is choices
        await pilot.press(*keys)
        await pilot.pause()
        assert sorted(choices.selected) == chosen

        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: bool(app.screen.query("#choice-result")), "the outcome")
        assert text_of(app, "#choice-result").splitlines() == result_lines
        [attempt] = app.store.attempts(session.question_id())
        assert attempt.verdict == verdict
        assert json.loads(attempt.answer) == chosen


# --------------------------------------------------------------------------- code: drafts


@pytest.mark.slow  # a further flow: the quick loop keeps one of each kind
@async_test
async def test_code_draft_is_saved_while_typing_and_a_new_app_resumes_it(
    make_app: AppFactory,
) -> None:
    first = make_app()
    async with first.run_test(size=SIZE) as pilot:
        session = await open_deck(pilot, question=10)
        assert isinstance(first.screen.query_one(".answer"), CodeAnswer)
        editor = first.screen.query_one("#code", TextArea)
        assert first.focused is editor
        assert isinstance(session.current, CodeQuestion)
        assert editor.text == session.current.starter
        await type_text(pilot, "# my draft")
        await pilot.press("enter")
        expected = editor.text
        assert expected.startswith("# my draft\n")
        # saved a moment after typing stops, without leaving the question
        await wait_for(pilot, lambda: first.store.draft(f"{DECK}/q10") == expected, "the draft")
        first.exit()
    assert first.return_code == 0

    second = make_app()
    async with second.run_test(size=SIZE) as pilot:
        await open_deck(pilot, question=10)
        assert second.screen.query_one("#code", TextArea).text == expected


@pytest.mark.slow  # a further flow: the quick loop keeps one of each kind
@async_test
async def test_code_draft_typed_just_before_quitting_is_kept(
    make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a long save delay makes "quit before the delayed save" certain, even on a slow machine
    monkeypatch.setattr("quiz.app.widgets.code.DRAFT_SAVE_DELAY", 60.0)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_deck(pilot, question=10)
        await type_text(pilot, "# last words")
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0
    with Store() as store:
        draft = store.draft(f"{DECK}/q10")
    assert draft is not None and draft.startswith("# last words")


# --------------------------------------------------------------------------- code: grading


@async_test
async def test_code_grade_passing_shows_pass_and_stores_it(
    app: QuizApp, grader: FakeGrader, packaged_library: DeckLibrary
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        session = await open_deck(pilot, question=10)
        assert grader.started == 1
        await type_text(pilot, "# mine")
        source = app.screen.query_one("#code", TextArea).text
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: text_of(app, "#code-summary").startswith("PASS"), "PASS")

        assert text_of(app, "#code-summary") == "PASS  6/6 checks (100%)"
        [call] = grader.calls
        assert call.question_id == "q10"
        assert call.source == source
        assert call.display == "SeparableConv2d.py"
        assert Path(call.deck_path) == packaged_library.deck(DECK).path
        [attempt] = app.store.attempts(f"{DECK}/q10")
        assert (attempt.verdict, attempt.score, attempt.answer) == ("pass", 1.0, source)
        assert app.store.draft(f"{DECK}/q10") is None  # a pass clears the draft
        assert session.status(9) == "answered"
        assert app.screen.query_one("#checks", OptionList).option_count == 6
        assert not app.screen.query_one("#grade", Button).disabled
        assert app.screen.query_one("#cancel", Button).disabled
    assert grader.closed == 1


@async_test
async def test_code_grade_failing_lists_the_check_and_enter_jumps_to_its_line(
    app: QuizApp, grader: FakeGrader
) -> None:
    grader.mode = "fail"
    async with app.run_test(size=SIZE) as pilot:
        await open_deck(pilot, question=10)
        await pilot.press("ctrl+g")
        checks = app.screen.query_one("#checks", OptionList)
        await wait_for(pilot, lambda: checks.option_count == 5, "the checks")

        assert text_of(app, "#code-summary") == "FAIL  3/5 checks (60%)"
        assert checks.highlighted == 3
        editor = app.screen.query_one("#code", TextArea)
        assert app.focused is editor  # the result is in the editor's frame: no need to leave
        assert frame_text(editor) == "FAIL 3/5 checks · output_shape at line 9 · ctrl+o"
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: app.focused is checks, "the checks")
        failed = str(checks.get_option_at_index(3).prompt).splitlines()
        assert failed == [
            "✗ output_shape expected output shape (1, 1, 3, 3), got (1, 1, 1, 1)",
            "     in_channels=1, out_channels=1, kernel_size=5, height=3; input x (1, 1, 3, 3)",
            "     → line 9 (Enter to jump)",
        ]
        assert app.store.attempts(f"{DECK}/q10")[0].verdict == "fail"
        assert editor.cursor_location == (0, 0)

        await pilot.press("enter")
        await pilot.pause()
        assert app.focused is editor
        assert editor.cursor_location == (8, 0)  # line 9, 1-based in the report


@async_test
async def test_code_slow_grade_keeps_the_ui_responsive_and_ctrl_x_cancels(
    app: QuizApp, grader: FakeGrader
) -> None:
    grader.mode = "slow"
    async with app.run_test(size=SIZE) as pilot:
        session = await open_deck(pilot, question=10)
        await pilot.press("ctrl+g")
        await wait_for(pilot, grader.grading.is_set, "the grade to start")
        await pilot.pause()
        grading = app.screen.query_one("#grading")
        assert grading.display  # the spinner is shown
        assert app.screen.query_one("#grade", Button).disabled
        assert not app.screen.query_one("#cancel", Button).disabled

        # the grade blocks its worker thread, not the UI: keys still work meanwhile
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: text_of(app, "#hints").startswith("Hint: "), "the hint")
        assert not grader.finished.is_set()

        await pilot.press("ctrl+x")
        await wait_for(pilot, lambda: not grading.display, "grading to stop")
        assert grader.cancelled == 1
        assert text_of(app, "#grading-status") == "cancelling…"
        assert not app.screen.query_one("#grade", Button).disabled
        assert app.screen.query_one("#cancel", Button).disabled
        warnings = [n for n in notifications(app) if n.severity == "warning"]
        assert [n.message for n in warnings] == ["Grading cancelled."]
        assert app.store.attempts() == []
        assert session.status(9) == "new"
        assert text_of(app, "#code-summary") == "Not graded yet."


@pytest.mark.slow  # a further flow: the quick loop keeps one of each kind
@async_test
async def test_leaving_a_question_while_it_grades_cancels_or_records_the_grade(
    app: QuizApp, grader: FakeGrader
) -> None:
    grader.mode = "slow"
    async with app.run_test(size=SIZE) as pilot:
        session = await open_deck(pilot, question=10)
        await pilot.press("ctrl+g")
        await wait_for(pilot, grader.grading.is_set, "the grade to start")
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: progress(app).startswith("Question 11 "), "question 11")
        grader.release()  # the grade finishes after the learner moved on
        await wait_for(pilot, grader.finished.is_set, "the grade to finish")

        def handled() -> bool:
            recorded = session.status(9) == "answered" and bool(app.store.attempts(f"{DECK}/q10"))
            return grader.cancelled > 0 or recorded

        await wait_for(pilot, handled, "the grade to be cancelled or recorded", timeout=1.0)


@pytest.mark.slow  # a further flow: the quick loop keeps one of each kind
@async_test
async def test_code_grader_error_is_a_notification_not_a_crash(
    app: QuizApp, grader: FakeGrader
) -> None:
    grader.mode = "error"
    async with app.run_test(size=SIZE) as pilot:
        await open_deck(pilot, question=10)
        await pilot.press("ctrl+g")
        await wait_for(
            pilot,
            lambda: any(n.severity == "error" for n in notifications(app)),
            "the error notification",
        )
        [error] = [n for n in notifications(app) if n.severity == "error"]
        assert "the grading workers could not start" in error.message
        assert not app.screen.query_one("#grade", Button).disabled
        assert not app.screen.query_one("#grading").display
        assert app.store.attempts() == []
        assert text_of(app, "#code-summary") == "Not graded yet."

        # still usable: grading again works once the grader recovers
        grader.mode = "pass"
        app.screen.query_one("#code", TextArea).focus()
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: text_of(app, "#code-summary").startswith("PASS"), "PASS")
        assert len(grader.calls) == 2


@pytest.mark.slow  # a further flow: the quick loop keeps one of each kind
@async_test
async def test_a_broken_grading_service_is_a_notification_too(
    app: QuizApp, grader: FakeGrader
) -> None:
    grader.mode = "broken"
    async with app.run_test(size=SIZE) as pilot:
        await open_deck(pilot, question=10)
        await pilot.press("ctrl+g")
        await wait_for(
            pilot,
            lambda: any(n.severity == "error" for n in notifications(app)),
            "the error notification",
        )
        [error] = [n for n in notifications(app) if n.severity == "error"]
        assert error.message == "Grading failed: the service fell over"
        assert not app.screen.query_one("#grade", Button).disabled
        assert not app.screen.query_one("#grading").display
        assert app.store.attempts() == []


# --------------------------------------------------------------------------- navigation


@async_test
async def test_next_back_skip_jump_list_and_hint(app: QuizApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        session = await open_deck(pilot)

        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: progress(app).startswith("Question 2 of 16"), "q2")
        assert session.current.id == "q2"
        await pilot.press("ctrl+b")
        await wait_for(pilot, lambda: progress(app).startswith("Question 1 of 16"), "q1")
        await pilot.press("ctrl+b")  # already at the first: stays
        await pilot.pause()
        assert session.index == 0

        await pilot.press("ctrl+k")
        await wait_for(pilot, lambda: progress(app).startswith("Question 2 of 16"), "skip to q2")
        assert session.status(0) == "skipped"

        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: isinstance(app.screen, JumpScreen), "the jump list")
        jump = app.screen.query_one("#jump-list", OptionList)
        assert app.focused is jump
        assert jump.highlighted == 1  # the current question
        lines = [str(jump.get_option_at_index(i).prompt) for i in range(jump.option_count)]
        assert len(lines) == 16
        assert lines[0] == "↷  1. Purpose of a 1×1 convolution  concept"
        assert lines[5] == "·  6. Savings of a depthwise separable convolution  numeric"
        await pilot.press("down", "down", "down", "down", "enter")
        await wait_for(pilot, lambda: progress(app).startswith("Question 6 of 16"), "q6")
        assert isinstance(app.screen, PracticeScreen)
        assert session.current.id == "q6"
        assert app.screen.query_one("#part-0", Input).has_focus

        hints = app.screen.query_one("#hints", Static)
        assert not hints.display
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert hints.display
        assert text_of(app, "#hints") == f"Hint: {plain(session.current.hints[0])}"
        assert session.hints_shown() == session.current.hints[:1]

        # escape first leaves the input (Textual's own binding), then leaves the deck
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.focused, NumericAnswer)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen), "back to the decks")


@pytest.mark.slow  # a further flow: the quick loop keeps one of each kind
@async_test
async def test_ctrl_n_on_the_last_question_stays_and_says_so(app: QuizApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        session = await open_deck(pilot, question=16)
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert session.index == 15
        assert [n.message for n in notifications(app)] == [
            "That was the last question. ctrl+l lists them all."
        ]


# --------------------------------------------------------------------------- help and quit


@async_test
async def test_question_mark_opens_help_and_escape_closes_it(app: QuizApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), "the help screen")
        assert "ctrl+g" in app.screen.query_one("Markdown").source  # type: ignore[attr-defined]
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen), "help to close")


@pytest.mark.slow  # a further flow: the quick loop keeps one of each kind
@async_test
async def test_f1_opens_help_from_an_answer_editor_where_question_mark_is_text(
    app: QuizApp,
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await open_deck(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, PracticeScreen)
        assert app.screen.query_one("#concept-text", TextArea).text == "?"
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), "the help screen")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, PracticeScreen), "help to close")


async def _to_home(pilot: Pilot[None]) -> None:
    await pilot.pause()


async def _to_practice(pilot: Pilot[None]) -> None:
    await open_deck(pilot, question=10)


async def _to_help(pilot: Pilot[None]) -> None:
    await pilot.pause()
    await pilot.press("f1")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, HelpScreen), "help")


async def _to_jump_list(pilot: Pilot[None]) -> None:
    await open_deck(pilot)
    await pilot.press("ctrl+l")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, JumpScreen), "the jump list")


async def _to_palette(pilot: Pilot[None]) -> None:
    await pilot.pause()
    await pilot.press("ctrl+p")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, CommandPalette), "the palette")


@pytest.mark.parametrize(
    "go_there",
    [
        _to_home,
        _to_practice,
        pytest.param(_to_help, marks=pytest.mark.slow),  # the quick loop keeps two screens
        pytest.param(_to_jump_list, marks=pytest.mark.slow),
        pytest.param(_to_palette, marks=pytest.mark.slow),
    ],
    ids=["home", "practice-code", "help", "jump-list", "command-palette"],
)
@async_test
async def test_ctrl_q_quits_from_any_screen(
    app: QuizApp, grader: FakeGrader, go_there: Callable[[Pilot[None]], Coroutine[Any, Any, None]]
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await go_there(pilot)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert app.return_code == 0
    assert grader.closed == 1


# --------------------------------------------------------------------------- command palette


@async_test
async def test_palette_open_deck(app: QuizApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await run_palette_command(pilot, "open deck", "Open deck: Inception & 1×1 convolutions")
        await wait_for(pilot, lambda: isinstance(app.screen, PracticeScreen), "the deck")
        assert session_of(app).deck.id == DECK
        assert [type(s).__name__ for s in app.screen_stack[1:]] == ["HomeScreen", "PracticeScreen"]


@pytest.mark.slow  # a further flow: the quick loop keeps one of each kind
@async_test
async def test_palette_go_to_question_6_in_the_open_deck(app: QuizApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        session = await open_deck(pilot)
        await run_palette_command(pilot, "Go to question 6", "Go to question 6: Savings")
        await wait_for(pilot, lambda: progress(app).startswith("Question 6 of 16"), "q6")
        assert session.current.id == "q6"
        assert isinstance(app.screen.query_one(".answer"), NumericAnswer)


@pytest.mark.slow  # a further flow: the quick loop keeps one of each kind
@async_test
async def test_palette_theme_toggle_switches_dark_and_light(app: QuizApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.current_theme.dark
        await run_palette_command(pilot, "toggle", "Toggle dark / light theme")
        await wait_for(pilot, lambda: not app.current_theme.dark, "the light theme")
        await run_palette_command(pilot, "toggle", "Toggle dark / light theme")
        await wait_for(pilot, lambda: app.current_theme.dark, "the dark theme")


# --------------------------------------------------------------------------- layering

NO_TORCH_SCRIPT = textwrap.dedent(
    """
    import asyncio
    import sys
    import time

    from grader import CheckResult, SubmissionReport
    from questions import DeckLibrary, packaged_decks_dir
    from quiz.app import QuizApp
    from quiz.progress.store import Store


    class Grader:
        def start(self): pass
        def cancel(self): pass
        def close(self): pass

        def grade(self, deck_path, question_id, source, *, display):
            checks = [CheckResult("compile", "pass")]
            return SubmissionReport(display, question_id, "pass", checks, seed=0)


    async def until(pilot, condition):
        deadline = time.monotonic() + 10
        while not condition():
            assert time.monotonic() < deadline
            await pilot.pause(0.02)


    async def main():
        library = DeckLibrary.discover(
            [packaged_decks_dir() / "inception-1x1.yaml"], include_package=False,
            include_user=False,
        )
        app = QuizApp(library=library, store=Store(), grader=Grader())
        shown = []
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("enter")
            for index in (0, 5, 9):  # a concept, a numeric and a code question
                await until(pilot, lambda: bool(app.screen.query(".answer")))
                app.go_to_question(index)
                answers = lambda: list(app.screen.query(".answer"))
                await until(pilot, lambda: [w.index for w in answers()] == [index])
                shown += [type(w).__name__ for w in answers()]
            await pilot.press("ctrl+g")  # grade the code through the worker thread
            summary = app.screen.query_one("#code-summary")
            await until(pilot, lambda: str(summary.content).startswith("PASS"))
        print(shown)
        print("torch" in sys.modules)


    asyncio.run(main())
    """
)


@pytest.mark.slow  # starts a fresh interpreter
def test_the_app_process_never_imports_torch() -> None:
    # A fresh interpreter: this test process may have imported torch elsewhere. The script
    # shows each kind of answer and grades code, with a fake grading service.
    out = subprocess.run(
        [sys.executable, "-c", NO_TORCH_SCRIPT], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["['ConceptAnswer', 'NumericAnswer', 'CodeAnswer']", "False"]


@pytest.mark.slow  # a further flow: the quick loop keeps one of each kind
@async_test
async def test_lighter_isolation_is_pointed_out_once_per_run(
    app: QuizApp, grader: FakeGrader, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without bubblewrap your own draft still grades; the app says so once, not every time."""
    monkeypatch.setattr(CodeAnswer, "_isolation_noted", False)
    grader.isolation = ("sandbox: light", "not isolated: bubblewrap is not installed")
    async with app.run_test(size=SIZE) as pilot:
        await open_deck(pilot, question=10)
        for _ in range(2):
            await pilot.press("ctrl+g")
            await wait_for(
                pilot, lambda: len(grader.calls) > 0 and grader.finished.is_set(), "a grade"
            )
            await wait_for(pilot, lambda: text_of(app, "#code-summary").startswith("PASS"), "PASS")
            grader.finished.clear()
        assert len(grader.calls) == 2
        said = [n for n in notifications(app) if "lighter isolation" in str(n.message)]
        assert len(said) == 1
        assert "bubblewrap is not installed" in str(said[0].message)
        assert "sandbox: light" not in str(said[0].message)
