"""Spaced repetition: when each question comes back, through FSRS (the ``fsrs`` package).

Provides

- :func:`rating_for`, the FSRS rating a graded result earns: right at the first try with no
  hints → Good (Easy when it also took no longer than the question's ``expected_seconds``),
  right after hints or retries → Hard, anything else (wrong, partly right, failing or broken
  code) → Again. Concept answers are self-rated instead.
- :class:`Scheduler`, which applies a rating to a question's card in the progress store, and
  reads what is due: :meth:`Scheduler.queue` (the review queue: due questions, then new ones
  up to the daily limit), :meth:`Scheduler.forecast` and :meth:`Scheduler.next_due`.

Cards are scheduled in whole days (no same-day learning steps): a review session is a daily
habit, and a question answered wrong comes back tomorrow. Days are local calendar days of the
``now`` passed in (the local time zone by default).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from types import MappingProxyType
from typing import Final

from fsrs import Card, Rating
from fsrs import Scheduler as FsrsScheduler

from questions import AnyQuestion, DeckLibrary, LoadedDeck

from .store import CardRow, PendingReview, Store

DEFAULT_NEW_PER_DAY: Final = 10
NEW_PER_DAY_SETTING: Final = "new_per_day"
MAX_NEW_PER_DAY: Final = 1000

AGAIN: Final = int(Rating.Again)
HARD: Final = int(Rating.Hard)
GOOD: Final = int(Rating.Good)
EASY: Final = int(Rating.Easy)
RATING_NAMES: Final[Mapping[int, str]] = MappingProxyType({int(r): r.name for r in Rating})
"""A rating's name by its value (3 → ``Good``), as fsrs's :class:`~fsrs.Rating` has it."""

RIGHT_VERDICTS: Final = frozenset({"correct", "pass"})


def rating_for(
    verdict: str,
    *,
    tries: int,
    hints: int,
    seconds: float | None,
    expected_seconds: int | None,
) -> int:
    """The rating a graded numeric, choice or code result earns (1 Again .. 4 Easy).

    ``tries`` counts the answers given to the question in this session, this one included.
    """
    if tries < 1:
        raise ValueError(f"tries counts this answer too, so it is at least 1, got {tries}")
    if verdict not in RIGHT_VERDICTS:
        return AGAIN
    if tries > 1 or hints > 0:
        return HARD
    if expected_seconds is not None and seconds is not None and seconds <= expected_seconds:
        return EASY
    return GOOD


def local_now() -> datetime:
    return datetime.now().astimezone()


def start_of_day(moment: datetime) -> datetime:
    """Midnight at the start of ``moment``'s calendar day, in ``moment``'s time zone."""
    return datetime.combine(moment.date(), time(0), tzinfo=moment.tzinfo)


def new_per_day(store: Store) -> int:
    """The daily limit of new questions (the saved setting, else the default)."""
    saved = store.setting(NEW_PER_DAY_SETTING)
    try:
        return int(saved) if saved is not None else DEFAULT_NEW_PER_DAY
    except ValueError:
        return DEFAULT_NEW_PER_DAY


def set_new_per_day(store: Store, limit: int) -> None:
    """Save the daily limit of new questions; ``ValueError`` outside 0..1000."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 0 <= limit <= MAX_NEW_PER_DAY:
        raise ValueError(
            f"the daily limit of new questions is a whole number from 0 to {MAX_NEW_PER_DAY}, "
            f"got {limit!r}"
        )
    store.set_setting(NEW_PER_DAY_SETTING, str(limit))


@dataclass(frozen=True)
class Queue:
    """What a review session holds: due questions (most overdue first), then new ones."""

    due: list[str]
    new: list[str]

    @property
    def questions(self) -> list[str]:
        return self.due + self.new

    def __len__(self) -> int:
        return len(self.due) + len(self.new)


class Scheduler:
    """FSRS over the progress store. ``fuzz=False`` makes intervals exact (for tests)."""

    def __init__(
        self, store: Store, *, fuzz: bool = True, clock: Callable[[], datetime] = local_now
    ) -> None:
        self.store = store
        self.clock = clock
        self._fsrs = FsrsScheduler(
            learning_steps=(), relearning_steps=(), enable_fuzzing=fuzz, desired_retention=0.9
        )

    # ------------------------------------------------------------------ rating

    def pending(
        self, session: str, question: str, rating: int, *, at: datetime | None = None
    ) -> PendingReview:
        """The review of ``question`` with ``rating`` in ``session``, for the store to write
        with the answer or the rating it comes from (one transaction)."""
        # fsrs refuses any time zone but UTC; the clock (and ``at``) may be local.
        moment = (at if at is not None else self.clock()).astimezone(UTC)

        def schedule(before: str | None) -> tuple[str, datetime]:
            card = Card.from_json(before) if before is not None else Card(due=moment)
            new_card, _log = self._fsrs.review_card(card, Rating(rating), moment)
            return new_card.to_json(), new_card.due

        return PendingReview(session, question, rating, moment, schedule)

    def review(
        self,
        session: str,
        question: str,
        rating: int,
        *,
        attempt: int | None = None,
        at: datetime | None = None,
    ) -> datetime:
        """Apply ``rating`` to ``question`` for review ``session``; returns the new due time.

        Rating a question again in the same session replaces that session's rating (the card
        is recomputed from its state before the session), committed in one transaction.
        """
        pending = self.pending(session, question, rating, at=at)
        row = self.store.review(
            session=pending.session,
            question=pending.question,
            rating=pending.rating,
            at=pending.at,
            attempt=attempt,
            schedule=pending.schedule,
        )
        return row.due

    # ------------------------------------------------------------------ what is due

    def queue(
        self,
        library: DeckLibrary,
        *,
        decks: Iterable[str] | None = None,
        new_limit: int | None = None,
        now: datetime | None = None,
    ) -> Queue:
        """Questions due by the end of today (most overdue first), then new questions in deck
        order up to what is left of today's limit of new ones."""
        moment = now if now is not None else self.clock()
        known = _question_ids(library, decks)
        self.store.adopt_retired(library.replacements())
        cards = self.store.cards()
        end = start_of_day(moment) + timedelta(days=1)
        due = sorted(
            (row.due, question)
            for question, row in cards.items()
            if question in known and row.due < end
        )
        limit = new_limit if new_limit is not None else new_per_day(self.store)
        left = max(0, limit - self.store.introduced(start_of_day(moment), end))
        new = [question for question in known if question not in cards][:left]
        return Queue(due=[question for _, question in due], new=new)

    def forecast(
        self,
        library: DeckLibrary,
        *,
        days: int = 14,
        decks: Iterable[str] | None = None,
        now: datetime | None = None,
    ) -> list[tuple[date, int]]:
        """How many questions (of ``decks``, default all) fall due on each of the next ``days``
        days (today first; today counts everything overdue). New questions are not counted."""
        moment = now if now is not None else self.clock()
        today = start_of_day(moment)
        counts = [0] * days
        known = set(_question_ids(library, decks))
        self.store.adopt_retired(library.replacements())
        for question, row in self.store.cards().items():
            if question not in known:
                continue
            offset = (row.due.astimezone(moment.tzinfo).date() - today.date()).days
            if offset < days:
                counts[max(offset, 0)] += 1
        return [((today + timedelta(days=i)).date(), counts[i]) for i in range(days)]

    def next_due(
        self,
        library: DeckLibrary,
        *,
        within: int = 7,
        decks: Iterable[str] | None = None,
        now: datetime | None = None,
    ) -> tuple[date, int] | None:
        """The first day after today, at most ``within`` days ahead, on which questions (of
        ``decks``) fall due, with how many; None when there is none."""
        ahead = self.forecast(library, days=within + 1, decks=decks, now=now)[1:]
        return next(((day, count) for day, count in ahead if count), None)

    def retrievability(self, question: str, *, now: datetime | None = None) -> float | None:
        """FSRS's estimate that ``question`` would be recalled now; None when never reviewed."""
        row = self.store.card(question)
        return None if row is None else self.recall(row, now=now)

    def recall(self, row: CardRow, *, now: datetime | None = None) -> float:
        """FSRS's estimate that the question of card ``row`` would be recalled now."""
        moment = (now if now is not None else self.clock()).astimezone(UTC)
        return float(self._fsrs.get_card_retrievability(Card.from_json(row.card), moment))


def _question_ids(library: DeckLibrary, decks: Iterable[str] | None) -> list[str]:
    wanted = None if decks is None else set(decks)
    return [
        question_id
        for question_id, (loaded, _) in question_lookup(library).items()
        if wanted is None or loaded.id in wanted
    ]


def question_lookup(library: DeckLibrary) -> dict[str, tuple[LoadedDeck, AnyQuestion]]:
    """``DECK/QID`` → (its deck, the question) for every question in ``library``, in deck
    order."""
    return {
        f"{loaded.id}/{question.id}": (loaded, question)
        for loaded in library.decks
        for question in loaded.deck.questions
    }


__all__ = [
    "AGAIN",
    "DEFAULT_NEW_PER_DAY",
    "EASY",
    "GOOD",
    "HARD",
    "RATING_NAMES",
    "Queue",
    "Scheduler",
    "new_per_day",
    "question_lookup",
    "rating_for",
    "set_new_per_day",
    "start_of_day",
]
