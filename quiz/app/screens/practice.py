"""The practice screen: one question at a time, with a progress line.

Key presses become calls on ``PracticeSession``; the answer area is rebuilt for
each question from the session's state, so going back shows what was answered.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Footer, Header, Markdown, ProgressBar, Static

from questions import render_math

from ...progress.review import ReviewSession
from ...progress.scheduling import RATING_NAMES
from ...progress.session import PracticeSession
from ...render import plain
from ..today import answered_count, answered_today, attempt_summary
from ..widgets import AnswerWidget, ConceptAnswer
from .question import QuestionBody, QuestionScreen, hints_text


def review_note(session: PracticeSession) -> Text:
    """Where the current question stands in spaced repetition: a first review, the rating it
    got and when it comes back, or that a concept answer waits for its rating."""
    note = Text()
    if isinstance(session, ReviewSession) and session.is_new():
        note.append("  first review", style="bold cyan")
    due = session.next_due()
    rating = session.scheduled_rating()
    if due is not None and rating is not None:
        days = max(0, (due.astimezone().date() - datetime.now().astimezone().date()).days)
        when = "tomorrow" if days == 1 else ("today" if days == 0 else f"in {days} days")
        note.append(f"  {RATING_NAMES[rating]} → back {when}", style="bold green")
    elif (
        session.scheduler is not None
        and session.current.kind == "concept"
        and session.outcome(session.index) is not None
        and session.rating(session.index) is None
    ):
        note.append("  rate 1–4 to schedule", style="yellow")
    return note


class PracticeScreen(QuestionScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+n", "next", "Next", priority=True),
        Binding("ctrl+b", "previous", "Back", priority=True),
        Binding("ctrl+k", "skip", "Skip", priority=True),
        Binding("ctrl+l", "jump", "Questions", priority=True),
        Binding("ctrl+t", "hint", "Hint", priority=True),
        Binding("escape", "leave", "Back", priority=True),
        *(Binding(str(k), f"rate({k})", name) for k, name in RATING_NAMES.items()),
    ]

    def __init__(self, session: PracticeSession, *, deck_path: Path | Mapping[str, Path]) -> None:
        """``deck_path``: the deck file, or (for sessions over several decks) deck id → file.
        Questions answered earlier today say so (read from the store)."""
        super().__init__(
            session,
            {session.deck.id: deck_path} if isinstance(deck_path, Path) else deck_path,
            earlier=answered_today(session),
        )

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(self._progress_text(), id="progress-line")
        yield ProgressBar(total=len(self.session.questions), show_eta=False, id="progress")
        with QuestionBody(id="body"):
            yield Markdown(render_math(self.session.current.prompt), id="prompt")
            hints = self.session.hints_shown()
            yield Static(hints_text(hints), id="hints", classes="" if hints else "empty")
            yield self.answer_widget()
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = plain(self.session.title)
        self._refresh_progress()

    def _progress_text(self) -> Text:
        text = self.position_text()
        index = self.session.index
        status = self.session.status(index)
        earlier = self.earlier.get(index)
        if status != "answered" and earlier is not None:
            text.append(f"   [answered earlier today: {attempt_summary(earlier)}]", style="dim")
        else:
            text.append(f"   [{status}]", style="dim")
        text.append_text(review_note(self.session))
        return text

    def _refresh_progress(self) -> None:
        if not self.is_attached:  # left before a deferred refresh ran
            return
        self.query_one("#progress-line", Static).update(self._progress_text())
        answered = answered_count(self.session, self.earlier)
        self.query_one("#progress", ProgressBar).update(progress=answered)

    @on(AnswerWidget.Answered)
    def _answered(self) -> None:
        self._refresh_progress()
        session = self.session
        if isinstance(session, ReviewSession) and all(
            session.scheduled_rating(i) is not None for i in range(len(session.questions))
        ):
            self.notify(
                f"Review done: {len(session.questions)} question(s) rescheduled. "
                "Escape goes back to the decks.",
                title="Review complete",
                timeout=6,
            )

    def rebuild(self) -> None:
        self.refresh(recompose=True)
        self.call_after_refresh(self._refresh_progress)

    # ------------------------------------------------------------------ actions

    def action_skip(self) -> None:
        self.app.after_keys(self._skip)

    def _skip(self) -> None:
        if not self.is_attached:
            return
        self.keep_draft()
        moved = self.session.skip()
        self.rebuild()
        if not moved:
            self.notify("Skipped. That was the last question.", timeout=3)

    def action_hint(self) -> None:
        if self.session.show_hint() is None:
            self.notify("No more hints for this question.", timeout=3)
            return
        hints = self.query_one("#hints", Static)
        hints.update(hints_text(self.session.hints_shown()))
        hints.remove_class("empty")

    def action_rate(self, rating: int) -> None:
        for widget in self.query(ConceptAnswer):
            widget.action_rate(rating)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "rate":  # only once a concept answer waits for its rating
            outcome = self.session.outcome(self.session.index)
            return (
                outcome is not None
                and outcome.kind == "concept"
                and self.session.rating(self.session.index) is None
            )
        return True

    def action_leave(self) -> None:
        """Escape: out of a text field first (to reach the keys), then back to the decks."""
        self.app.after_keys(self._leave)

    def _leave(self) -> None:
        if not self.is_current or self.leave_text_field():
            return
        self.keep_draft()
        self.app.pop_screen()
