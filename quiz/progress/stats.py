"""Progress statistics: how each deck is going, day by day history, and what falls due next.

Provides

- :func:`compute_stats`, which reads the progress store (attempts, reviews, cards, mock
  interviews) and the scheduler into one :class:`Stats`;
- the frozen records it is made of: :class:`DeckStats` (one per deck, and the totals),
  :class:`KindAccuracy`, :class:`DayHistory`, :class:`DueDay` and :class:`MockSummary`;
- :meth:`Stats.to_json`, the JSON-ready form (``quiz stats --json``). How the stats look in a
  terminal is :mod:`quiz.stats_view`'s.

Definitions. Days are local calendar days in the time zone of ``now``; the *window* is the
last ``days`` days (default 30), today included, from midnight ``days - 1`` days ago to the
end of today.

- **seen**: questions of the deck with at least one attempt (in any mode: practice, review or
  mock) or review, at any time.
- **new**: questions never seen: no attempt in any mode and no review. Seen and new split the
  deck: ``seen + new == questions``.
- **unreviewed**: questions with no review card yet, seen or not: those the review queue may
  still bring in as new (:meth:`~quiz.progress.scheduling.Scheduler.queue`, and the home
  screen's "new today", which is capped by the daily limit). At least ``new``.
- **due**: questions whose card is due by the end of today (overdue ones included), as
  :meth:`~quiz.progress.scheduling.Scheduler.queue` counts them.
- **retention**: over the reviews in the window of cards that were not new at that review
  (``card_before`` is set), the share rated Hard, Good or Easy (rating > 1); None when there
  are no such reviews.
- **recall**: FSRS's estimate that a card would be recalled now
  (:meth:`~quiz.progress.scheduling.Scheduler.retrievability`), averaged over the deck's
  reviewed cards;
  None when none has been reviewed.
- **accuracy by kind**: over every attempt (practice, review and mock, at any time), the share
  that counts as right (:attr:`~quiz.progress.store.Attempt.right`), per kind of question,
  with counts.
- **history**: for each day of the window, the attempts, how many were right (accuracy, None
  on a day without attempts) and the reviews.
- **forecast**: how many questions fall due on each of the next 14 days, today first (today
  counts everything overdue; see :meth:`~quiz.progress.scheduling.Scheduler.forecast`).
- **mocks**: each finished mock interview with its day, question count and percent score.

Deck rows and totals count only questions of the decks in the library; the history counts
every attempt and review in the store, also those of questions no longer in any deck.

Never imports rich, textual or torch.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Final

from fsrs import Rating

from questions import DeckLibrary

from .scheduling import Scheduler, question_lookup, start_of_day
from .store import KINDS, MockRecord, Store

DEFAULT_DAYS: Final = 30
"""The default window of the history and of retention, in days."""
FORECAST_DAYS: Final = 14
TOTALS_ID: Final = "all"
"""The ``deck`` of the totals row."""


@dataclass(frozen=True)
class KindAccuracy:
    """Attempts at one kind of question and how many of them were right."""

    kind: str
    attempts: int
    right: int

    @property
    def accuracy(self) -> float | None:
        """``right / attempts``; None without attempts."""
        return self.right / self.attempts if self.attempts else None

    def to_json(self) -> dict[str, Any]:
        return {"attempts": self.attempts, "right": self.right, "accuracy": self.accuracy}


@dataclass(frozen=True)
class DeckStats:
    """One deck (or, with ``deck == TOTALS_ID``, all decks together); see the module docstring
    for what each number means."""

    deck: str
    title: str
    questions: int
    seen: int
    due: int
    new: int
    """Never seen; ``seen + new == questions``."""
    unreviewed: int
    """No review card yet (what the review queue calls new); at least ``new``."""
    reviews: int
    """Reviews in the window of cards that were not new at the time (retention's base)."""
    retained: int
    """Of those, how many were rated Hard, Good or Easy."""
    recall: float | None
    kinds: tuple[KindAccuracy, ...]
    """One entry per kind of question, in the order of :data:`quiz.progress.store.KINDS`."""

    @property
    def retention(self) -> float | None:
        return self.retained / self.reviews if self.reviews else None

    @property
    def attempts(self) -> int:
        return sum(kind.attempts for kind in self.kinds)

    @property
    def right(self) -> int:
        return sum(kind.right for kind in self.kinds)

    @property
    def accuracy(self) -> float | None:
        """Over all kinds."""
        return self.right / self.attempts if self.attempts else None

    def kind(self, name: str) -> KindAccuracy:
        """The accuracy on questions of kind ``name`` (``KeyError`` for an unknown kind)."""
        for entry in self.kinds:
            if entry.kind == name:
                return entry
        raise KeyError(name)

    def to_json(self) -> dict[str, Any]:
        return {
            "deck": self.deck,
            "title": self.title,
            "questions": self.questions,
            "seen": self.seen,
            "due": self.due,
            "new": self.new,
            "unreviewed": self.unreviewed,
            "retention": {
                "reviews": self.reviews,
                "retained": self.retained,
                "rate": self.retention,
            },
            "recall": self.recall,
            "attempts": self.attempts,
            "right": self.right,
            "accuracy": self.accuracy,
            "by_kind": {entry.kind: entry.to_json() for entry in self.kinds},
        }


@dataclass(frozen=True)
class DayHistory:
    """One local calendar day: answers given, how many were right, reviews done."""

    day: date
    attempts: int
    right: int
    reviews: int

    @property
    def accuracy(self) -> float | None:
        return self.right / self.attempts if self.attempts else None

    def to_json(self) -> dict[str, Any]:
        return {
            "date": self.day.isoformat(),
            "attempts": self.attempts,
            "right": self.right,
            "accuracy": self.accuracy,
            "reviews": self.reviews,
        }


@dataclass(frozen=True)
class DueDay:
    """How many questions fall due on ``day``."""

    day: date
    due: int

    def to_json(self) -> dict[str, Any]:
        return {"date": self.day.isoformat(), "due": self.due}


@dataclass(frozen=True)
class MockSummary:
    """A finished mock interview. ``questions`` and ``percent`` are None when its scorecard
    does not say."""

    id: int
    finished_at: datetime
    day: date
    """The local day it finished."""
    questions: int | None
    percent: float | None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "date": self.day.isoformat(),
            "finished_at": self.finished_at.isoformat(),
            "questions": self.questions,
            "percent": self.percent,
        }


@dataclass(frozen=True)
class Stats:
    """Everything the stats screen and ``quiz stats`` show, as of ``now``."""

    now: datetime
    days: int
    """The window of the history and of retention, in days."""
    decks: tuple[DeckStats, ...]
    totals: DeckStats
    history: tuple[DayHistory, ...]
    """One entry per day of the window, oldest first, today last."""
    forecast: tuple[DueDay, ...]
    mocks: tuple[MockSummary, ...]
    """Finished mock interviews, oldest first."""
    attempts_ever: int
    """Every attempt in the store, also at questions no longer in any deck."""
    reviews_ever: int

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready object; dates and times as ISO 8601 text, keys in a fixed order."""
        return {
            "generated_at": self.now.isoformat(),
            "window_days": self.days,
            "attempts_ever": self.attempts_ever,
            "reviews_ever": self.reviews_ever,
            "decks": [deck.to_json() for deck in self.decks],
            "totals": self.totals.to_json(),
            "history": [day.to_json() for day in self.history],
            "forecast": [day.to_json() for day in self.forecast],
            "mocks": [mock.to_json() for mock in self.mocks],
        }


# --------------------------------------------------------------------------- computing


@dataclass
class _Tally:
    """Counts for one deck (or the totals) while the store is read."""

    questions: int
    due: int = 0
    unreviewed: int = 0
    reviews: int = 0
    retained: int = 0
    recall_sum: float = 0.0
    recall_cards: int = 0
    seen: set[str] = field(default_factory=set)
    attempts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    right: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))

    def freeze(self, deck: str, title: str) -> DeckStats:
        return DeckStats(
            deck=deck,
            title=title,
            questions=self.questions,
            seen=len(self.seen),
            due=self.due,
            new=self.questions - len(self.seen),
            unreviewed=self.unreviewed,
            reviews=self.reviews,
            retained=self.retained,
            recall=self.recall_sum / self.recall_cards if self.recall_cards else None,
            kinds=tuple(KindAccuracy(k, self.attempts[k], self.right[k]) for k in KINDS),
        )


def compute_stats(
    library: DeckLibrary,
    store: Store,
    scheduler: Scheduler,
    *,
    now: datetime | None = None,
    days: int = DEFAULT_DAYS,
) -> Stats:
    """The statistics of ``library``'s decks from ``store`` as of ``now`` (the scheduler's
    clock by default; it must be timezone-aware), over a window of ``days`` days."""
    moment = now if now is not None else scheduler.clock()
    if moment.utcoffset() is None:
        raise ValueError(f"`now` must be a timezone-aware datetime, got {moment!r}")
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise ValueError(f"the window is a whole number of days, at least 1, got {days!r}")
    zone = moment.tzinfo
    today = start_of_day(moment)
    window_start = today - timedelta(days=days - 1)
    window_end = today + timedelta(days=1)

    def local_day(at: datetime) -> date:
        return at.astimezone(zone).date()

    def in_window(at: datetime) -> bool:
        return window_start <= at < window_end

    lookup = question_lookup(library)
    deck_of = {question: loaded.id for question, (loaded, _) in lookup.items()}
    tallies = {loaded.id: _Tally(questions=len(loaded.deck.questions)) for loaded in library.decks}
    totals = _Tally(questions=len(lookup))

    def tallies_of(question: str) -> tuple[_Tally, ...]:
        deck = deck_of.get(question)
        return () if deck is None else (tallies[deck], totals)

    cards = store.cards()
    for question in lookup:
        if question not in cards:
            for tally in tallies_of(question):
                tally.unreviewed += 1
    for question, row in cards.items():
        if question not in lookup:
            continue
        for tally in tallies_of(question):
            tally.seen.add(question)  # a card comes from a review
        recall = scheduler.recall(row, now=moment)
        for tally in tallies_of(question):
            tally.recall_sum += recall
            tally.recall_cards += 1
    for question in scheduler.queue(library, new_limit=0, now=moment).due:
        for tally in tallies_of(question):
            tally.due += 1

    history_attempts: dict[date, int] = defaultdict(int)
    history_right: dict[date, int] = defaultdict(int)
    history_reviews: dict[date, int] = defaultdict(int)
    attempts = store.attempts()
    for attempt in attempts:
        for tally in tallies_of(attempt.question):
            tally.seen.add(attempt.question)
            tally.attempts[attempt.kind] += 1
            tally.right[attempt.kind] += int(attempt.right)
        if in_window(attempt.at):
            history_attempts[local_day(attempt.at)] += 1
            history_right[local_day(attempt.at)] += int(attempt.right)
    reviews = store.reviews()
    for review in reviews:
        for tally in tallies_of(review.question):
            tally.seen.add(review.question)
        if not in_window(review.at):
            continue
        history_reviews[local_day(review.at)] += 1
        if review.card_before is not None:
            for tally in tallies_of(review.question):
                tally.reviews += 1
                tally.retained += int(review.rating > Rating.Again)

    window_days = [(window_start + timedelta(days=offset)).date() for offset in range(days)]
    return Stats(
        now=moment,
        days=days,
        decks=tuple(tallies[d.id].freeze(d.id, d.deck.title) for d in library.decks),
        totals=totals.freeze(TOTALS_ID, "All decks"),
        history=tuple(
            DayHistory(day, history_attempts[day], history_right[day], history_reviews[day])
            for day in window_days
        ),
        forecast=tuple(
            DueDay(day, count)
            for day, count in scheduler.forecast(library, days=FORECAST_DAYS, now=moment)
        ),
        mocks=tuple(_mock_summaries(store.mocks(), local_day)),
        attempts_ever=len(attempts),
        reviews_ever=len(reviews),
    )


def _mock_summaries(
    mocks: Iterable[MockRecord], local_day: Callable[[datetime], date]
) -> Iterable[MockSummary]:
    for mock in mocks:
        if mock.finished_at is None:
            continue
        scorecard = mock.scorecard if isinstance(mock.scorecard, dict) else {}
        yield MockSummary(
            id=mock.id,
            finished_at=mock.finished_at,
            day=local_day(mock.finished_at),
            questions=_question_count(scorecard.get("questions")),
            percent=_finite_number(scorecard.get("percent")),
        )


def _question_count(value: Any) -> int | None:
    if isinstance(value, list):
        return len(value)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return None


def _finite_number(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


__all__ = [
    "DEFAULT_DAYS",
    "FORECAST_DAYS",
    "TOTALS_ID",
    "DayHistory",
    "DeckStats",
    "DueDay",
    "KindAccuracy",
    "MockSummary",
    "Stats",
    "compute_stats",
]
