"""What the learner answered earlier today, read back from the progress store.

A practice session starts with every question new; re-opening a deck later the same day
shows, for each question answered since midnight (in practice or a review; a mock
interview's answers stay its own), what that answer got. Textual-free.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from ..formatting import percent
from ..progress.scheduling import RATING_NAMES, local_now, start_of_day
from ..progress.session import PracticeSession
from ..progress.store import Attempt


def answered_today(session: PracticeSession, *, now: datetime | None = None) -> dict[int, Attempt]:
    """The newest attempt made today at each question of ``session`` answered today, by the
    question's index (mock interview attempts left out)."""
    since = start_of_day(now if now is not None else local_now())
    found: dict[int, Attempt] = {}
    for index, question in enumerate(session.questions):
        today = [
            attempt
            for attempt in session.store.attempts(session.question_id(question))
            if attempt.mode != "mock" and attempt.at >= since
        ]
        if today:
            found[index] = today[-1]
    return found


def attempt_summary(attempt: Attempt) -> str:
    """``partial, 80%``; a concept answer by its self-rating (``rated Good``) when it has one."""
    if attempt.kind == "concept":
        if attempt.rating is not None:
            return f"rated {RATING_NAMES[attempt.rating]}"
        return f"{percent(attempt.score, decimals=0)} of the key points, not rated"
    return f"{attempt.verdict}, {percent(attempt.score, decimals=0)}"


def answered_count(session: PracticeSession, earlier: Mapping[int, Attempt]) -> int:
    """Questions answered in ``session`` or earlier today."""
    return sum(
        session.status(index) == "answered" or index in earlier
        for index in range(len(session.questions))
    )
