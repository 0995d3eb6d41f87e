"""The code editor at 80×24: the cursor and the last grade stay in view, a grade is never shown
for code other than the code it graded, and Enter indents as Python wants.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from textual.widgets import TextArea

from questions import CodeQuestion
from quiz.app import QuizApp

from .test_flows import SIZE, async_test, frame_text, open_deck, text_of, type_text, wait_for

if TYPE_CHECKING:
    from textual.pilot import Pilot

    from .conftest import FakeGrader, Mode

# Drives the whole app through a flow: the quick loop keeps test_flows.py and the snapshots.
pytestmark = pytest.mark.slow


DECK = "inception-1x1"


def editor_of(app: QuizApp) -> TextArea:
    return app.screen.query_one("#code", TextArea)


def in_view(app: QuizApp) -> bool:
    """Whether the whole editor, frame included, is inside the visible part of the body."""
    body = app.screen.query_one("#body")
    return body.region.contains_region(editor_of(app).region)


def cursor_in_view(app: QuizApp) -> bool:
    """Whether the cell of the editor's cursor is on screen, in the editor."""
    editor = editor_of(app)
    x, y = editor.cursor_screen_offset
    body = app.screen.query_one("#body")
    if not body.region.contains(x, y):
        return False
    widget, _ = app.screen.get_widget_at(x, y)
    return widget is editor


@async_test
async def test_at_80x24_the_view_follows_the_cursor_down_the_editor(app: QuizApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await open_deck(pilot, question=10)
        editor = editor_of(app)
        assert app.focused is editor
        await pilot.press(*["down"] * 9)
        await type_text(pilot, "zzz")
        await pilot.pause()
        assert editor.cursor_location == (9, 3)
        assert editor.document[9].startswith("zzz")
        assert cursor_in_view(app)
        assert in_view(app)


@pytest.mark.parametrize(
    ("mode", "verdict"),
    [
        ("pass", "PASS 6/6 checks"),
        ("fail", "FAIL 3/5 checks · output_shape at line 9 · ctrl+o"),
    ],
)
@async_test
async def test_at_80x24_the_grade_shows_in_the_editor_frame_without_leaving_the_editor(
    app: QuizApp, grader: FakeGrader, mode: Mode, verdict: str
) -> None:
    grader.mode = mode
    async with app.run_test(size=SIZE) as pilot:
        await open_deck(pilot, question=10)
        await pilot.press(*["down"] * 9)
        await pilot.press("ctrl+g")
        editor = editor_of(app)
        await wait_for(pilot, lambda: frame_text(editor) == verdict, "the verdict")
        await pilot.pause()
        assert app.focused is editor
        assert in_view(app)  # the frame, where the verdict is, is on screen
        assert cursor_in_view(app)


async def grade_and_wait(pilot: Pilot[None], expected: str) -> None:
    app = pilot.app
    assert isinstance(app, QuizApp)
    await pilot.press("ctrl+g")
    await wait_for(pilot, lambda: text_of(app, "#code-summary").startswith(expected), expected)


@async_test
async def test_changing_graded_code_marks_its_grade_out_of_date(app: QuizApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await open_deck(pilot, question=10)
        await grade_and_wait(pilot, "PASS")
        editor = editor_of(app)
        assert frame_text(editor) == "PASS 6/6 checks"

        await type_text(pilot, "#")
        await pilot.pause()
        assert text_of(app, "#code-summary") == (
            "Out of date: the code changed since this grade (PASS  6/6 checks (100%)). "
            "ctrl+g grades it again."
        )
        assert frame_text(editor) == "out of date: ctrl+g grades again"

        await pilot.press("backspace")  # the graded code again: its grade holds again
        await pilot.pause()
        assert text_of(app, "#code-summary") == "PASS  6/6 checks (100%)"
        assert frame_text(editor) == "PASS 6/6 checks"


EDITOR_SCRIPT = """\
import sys
from pathlib import Path

Path(sys.argv[1]).write_text("def forward(x):\\n    while True:\\n        pass\\n")
"""


@async_test
async def test_code_changed_in_editor_then_cancelled_is_not_shown_as_passing(
    app: QuizApp, grader: FakeGrader, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    script = tmp_path / "editor.py"
    script.write_text(EDITOR_SCRIPT, encoding="utf-8")
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    # run_test has no terminal to hand over; the editor runs all the same
    monkeypatch.setattr(app, "suspend", contextlib.nullcontext)
    async with app.run_test(size=SIZE) as pilot:
        await open_deck(pilot, question=10)
        await grade_and_wait(pilot, "PASS")

        grader.mode = "slow"
        grader.finished.clear()
        await pilot.press("ctrl+e")  # the editor turns the code into a loop, then it grades
        editor = editor_of(app)
        await wait_for(pilot, lambda: "while True" in editor.text, "the edited code")
        await wait_for(pilot, lambda: len(grader.calls) == 2, "the second grade")
        assert text_of(app, "#grading-status") == "grading…"
        await pilot.press("ctrl+x")
        await wait_for(pilot, lambda: grader.cancelled == 1, "the cancel")
        await wait_for(pilot, lambda: not app.screen.query_one("#grading").display, "the stop")

        summary = text_of(app, "#code-summary")
        assert summary.startswith("Out of date: the code changed since this grade")
        assert frame_text(editor) == "out of date: ctrl+g grades again"

        # A later grade says it is grading, not "cancelling…".
        grader.rearm()
        await pilot.press("ctrl+g")
        await wait_for(pilot, grader.grading.is_set, "the third grade to start")
        await pilot.pause()
        assert text_of(app, "#grading-status") == "grading…"
        assert frame_text(editor) == "grading…"
        grader.release()
        await wait_for(pilot, lambda: text_of(app, "#code-summary").startswith("FAIL"), "FAIL")
        assert frame_text(editor).startswith("FAIL")


@async_test
async def test_a_grade_after_a_cancel_says_grading_not_cancelling(
    app: QuizApp, grader: FakeGrader
) -> None:
    grader.mode = "slow"
    async with app.run_test(size=SIZE) as pilot:
        await open_deck(pilot, question=10)
        await pilot.press("ctrl+g")
        await wait_for(pilot, grader.grading.is_set, "the grade to start")
        await pilot.press("ctrl+x")
        grading = app.screen.query_one("#grading")
        await wait_for(pilot, lambda: not grading.display, "the grade to stop")
        assert text_of(app, "#grading-status") == "cancelling…"

        grader.rearm()
        await pilot.press("ctrl+g")
        await wait_for(pilot, grader.grading.is_set, "the second grade to start")
        await pilot.pause()
        assert grading.display
        assert text_of(app, "#grading-status") == "grading…"
        grader.release()
        await wait_for(pilot, lambda: not grading.display, "the second grade to end")


@async_test
async def test_enter_after_a_colon_indents_one_level_and_otherwise_keeps_the_indent(
    app: QuizApp,
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        session = await open_deck(pilot, question=10)
        assert isinstance(session.current, CodeQuestion)
        editor = editor_of(app)
        editor.text = ""
        await pilot.pause()
        for line in ["def f(x):", "if x:", "return 1", "", "y = 2  # still in the block"]:
            await type_text(pilot, line)
            await pilot.press("enter")
        await type_text(pilot, "z")
        assert editor.text == (
            "def f(x):\n"
            "    if x:\n"
            "        return 1\n"
            "        \n"
            "        y = 2  # still in the block\n"
            "        z"
        )


@async_test
async def test_enter_after_a_comment_ending_in_a_colon_does_not_indent(app: QuizApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await open_deck(pilot, question=10)
        editor = editor_of(app)
        editor.text = ""
        await pilot.pause()
        await type_text(pilot, "# steps:")
        await pilot.press("enter")
        await type_text(pilot, "x")
        assert editor.text == "# steps:\nx"
