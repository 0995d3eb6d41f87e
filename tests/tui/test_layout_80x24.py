"""What must be on screen at 80×24 (the smallest terminal the README promises): the due line
on the home screen with every packaged deck, the mock interview's clock apart from the question
title, all five scores of the scoring dialog, and ctrl+r in the footer; and choice options show
inline code as code, not between backticks."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.style import Style as RichStyle
from textual.content import Content
from textual.geometry import Region
from textual.style import Style as TextualStyle
from textual.widget import Widget
from textual.widgets import Button, SelectionList, Static

from questions import DeckLibrary
from quiz.app import QuizApp
from quiz.app.screens.home import HomeScreen
from quiz.app.screens.mock import MockScreen, ScoreScreen
from quiz.progress.mock import MockConfig
from quiz.progress.store import Store
from quiz.render import INLINE_CODE_STYLE

from .test_flows import SIZE, async_test, open_deck, text_of, wait_for

if TYPE_CHECKING:
    from .conftest import AppFactory, FakeGrader

SCREEN = Region(0, 0, *SIZE)


def on_screen(widget: Widget) -> bool:
    return widget.display and SCREEN.contains_region(widget.region)


@async_test
async def test_the_home_screen_with_every_packaged_deck_shows_the_due_line(
    make_app: AppFactory,
) -> None:
    library = DeckLibrary.discover(include_user=False)
    assert len(library.decks) >= 8  # enough decks to overflow 24 rows as one long list
    app = make_app(library=library)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen), "the home screen")
        await pilot.pause()
        assert text_of(app, "#due-line").startswith("Due today: 0 · new today: ")
        assert app.screen.scroll_offset.y == 0
        for selector in ("#due-line", "#home-hint", "#decks"):
            assert on_screen(app.screen.query_one(selector)), selector
        hint = app.screen.query_one("#home-hint", Static)
        assert hint.content_region.height == 1  # one line: it does not wrap at 80 columns

        await pilot.press(*["down"] * len(library.decks))  # to the last deck: the list scrolls
        await pilot.pause()
        assert app.screen.scroll_offset.y == 0
        assert on_screen(app.screen.query_one("#due-line"))


def interviewer_app(library: DeckLibrary, grader: FakeGrader) -> QuizApp:
    config = MockConfig(minutes=20, decks=("inception-1x1",), count=3, seed=3, interviewer=True)
    return QuizApp(library=library, store=Store(), grader=grader, start="mock", mock=config)


@async_test
async def test_the_mock_clock_has_a_line_of_its_own_above_the_question_title(
    packaged_library: DeckLibrary, grader: FakeGrader
) -> None:
    app = interviewer_app(packaged_library, grader)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, MockScreen), "the mock screen")
        await pilot.pause()
        clock = app.screen.query_one("#mock-clock")
        position = app.screen.query_one("#mock-position")
        assert "left" in text_of(app, "#mock-clock")
        assert text_of(app, "#mock-position") == (
            "Question 1 of 3 · concept · Purpose of a 1×1 convolution"
        )
        assert text_of(app, "#mock-answered") == "0/3 answered"
        assert clock.region.bottom <= position.region.y  # above, never beside, the title
        assert on_screen(clock) and on_screen(position)


@async_test
async def test_the_scoring_dialog_shows_all_five_scores_at_80_columns(
    packaged_library: DeckLibrary, grader: FakeGrader
) -> None:
    app = interviewer_app(packaged_library, grader)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, MockScreen), "the mock screen")
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: isinstance(app.screen, ScoreScreen), "the dialog")
        await pilot.pause()
        box = app.screen.query_one("#confirm-box").region
        buttons = {str(b.id): b.region for b in app.screen.query(Button)}
        assert sorted(buttons) == [f"score-{n}" for n in range(5)]
        for name, region in buttons.items():
            assert box.contains_region(region), name
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, MockScreen), "back")


@async_test
async def test_the_mock_footer_shows_score_and_finish_at_80_columns(
    packaged_library: DeckLibrary, grader: FakeGrader
) -> None:
    app = interviewer_app(packaged_library, grader)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, MockScreen), "the mock screen")
        await pilot.pause()
        keys = {str(getattr(k, "key", "")): k for k in app.screen.query("FooterKey")}
        palette = keys.pop("ctrl+p").region  # docked at the right, over what does not fit
        for key in ("ctrl+r", "ctrl+f", "ctrl+s", "ctrl+n"):
            region = keys[key].region
            assert region.right <= palette.x, key


CHOICE_DECK = """\
id: softmax-drill
title: Softmax drill
questions:
  - id: softmax-axis
    kind: choice
    prompt: Over which axis does attention take its softmax?
    answer: Over the keys, for each query.
    options:
      - text: "`dim=-1`: over the keys, for each query"
        correct: true
        why: "each row of `scores` sums to 1"
      - text: "`dim=-2`: over the queries, for each key"
"""


@async_test
async def test_choice_options_show_inline_code_as_code(
    make_app: AppFactory, tmp_path: Path
) -> None:
    path = tmp_path / "softmax-drill.yaml"
    path.write_text(CHOICE_DECK, encoding="utf-8")
    app = make_app(library=DeckLibrary.discover([path], include_package=False))
    async with app.run_test(size=SIZE) as pilot:
        await open_deck(pilot)
        choices = app.screen.query_one("#choices", SelectionList)
        prompt = choices.get_option_at_index(0).prompt
        assert isinstance(prompt, Content)
        assert prompt.plain == "1. dim=-1: over the keys, for each query"
        code = TextualStyle.from_rich_style(RichStyle.parse(INLINE_CODE_STYLE))
        assert [(prompt.plain[s.start : s.end], s.style) for s in prompt.spans] == [
            ("dim=-1", code)
        ]
        await pilot.press("1", "ctrl+s")
        await wait_for(pilot, lambda: bool(app.screen.query("#choice-result")), "the outcome")
        assert text_of(app, "#choice-result").splitlines() == [
            "✓ 1. dim=-1: over the keys, for each query  (your pick)"
            " — each row of scores sums to 1",
            "· 2. dim=-2: over the queries, for each key",
        ]
