"""What the progress store holds, as Python values, and how an attempt becomes a row.

Provides the frozen records (:class:`Attempt`, which validates itself, :class:`KeyPointMark`,
:class:`CardRow`,
:class:`Review`, :class:`PendingReview`, :class:`MockRecord`), the vocabularies an attempt is
checked against (:data:`KINDS`, :data:`VERDICTS`, :data:`MODES`; ratings are fsrs's
:class:`~fsrs.Rating`), :class:`StoreError`, and the time helpers every part of the store
shares: times are kept as fixed-width UTC text, so that text order is time order.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final, Literal

from fsrs import Rating

from questions import QUESTION_KINDS, Kind

KINDS: Final = QUESTION_KINDS
Verdict = Literal["rated", "correct", "partial", "wrong", "pass", "fail", "error"]
"""What an attempt came to: a concept answer is rated; numeric and choice answers are
right, partly right or wrong; code passes, fails or errs."""
VERDICTS: Final[dict[Kind, tuple[Verdict, ...]]] = {
    "concept": ("rated",),
    "numeric": ("correct", "partial", "wrong"),
    "choice": ("correct", "partial", "wrong"),
    "code": ("pass", "fail", "error"),
}
"""The verdicts each kind of attempt may have."""
MODES: Final = ("practice", "review", "mock")
"""Where an attempt was given."""

_RATING_VALUES: Final = frozenset(int(rating) for rating in Rating)


class StoreError(Exception):
    """The progress store cannot be used; the message is one line saying why and what to do."""


def utc_now() -> datetime:
    return datetime.now(UTC)


def utc_text(moment: datetime) -> str:
    """``moment`` as stored: ISO 8601 in UTC with microseconds, one fixed width."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def aware_time(value: object, where: str | None = None) -> datetime:
    """``value`` read as an ISO 8601 time with a time zone; ``ValueError`` (naming ``where``
    when given) otherwise. For files read back: exports, scorecards."""
    prefix = f"{where}: " if where else ""
    if not isinstance(value, str):
        raise ValueError(f"{prefix}expected an ISO 8601 time, got {value!r}")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{prefix}expected an ISO 8601 time, got {value!r}") from None
    if moment.utcoffset() is None:
        raise ValueError(f"{prefix}the time {value!r} has no time zone")
    return moment


def check_rating(rating: object) -> int:
    """``rating`` when it is the value of one of fsrs's ratings (1 Again .. 4 Easy);
    ``ValueError`` otherwise."""
    if isinstance(rating, int) and not isinstance(rating, bool) and rating in _RATING_VALUES:
        return rating
    names = ", ".join(f"{int(value)} {value.name}" for value in Rating)
    raise ValueError(
        f"a rating is an integer from {min(_RATING_VALUES)} to {max(_RATING_VALUES)} "
        f"({names}), got {rating!r}"
    )


@dataclass(frozen=True)
class KeyPointMark:
    """One key point of a concept attempt's checklist."""

    point: str
    matched: bool
    """Whether the matcher found the point in the answer (the checklist's pre-tick)."""
    ticked: bool
    """Whether the point counts: the matcher's pre-tick, or what the learner confirmed."""

    def to_json(self) -> dict[str, str | bool]:
        return {"point": self.point, "matched": self.matched, "ticked": self.ticked}


def key_points_json(marks: tuple[KeyPointMark, ...]) -> str | None:
    """``marks`` as the store keeps them (None for none)."""
    return json.dumps([mark.to_json() for mark in marks]) if marks else None


def key_points_from_json(text: str | None) -> tuple[KeyPointMark, ...]:
    """Inverse of :func:`key_points_json`; ``ValueError`` for text that is not a checklist."""
    if text is None:
        return ()
    try:
        data = json.loads(text)
    except ValueError:
        raise ValueError(f"key points are not JSON: {text[:40]!r}") from None
    return read_key_points(data)


def read_key_points(data: object) -> tuple[KeyPointMark, ...]:
    """A checklist read back from parsed JSON; ``ValueError`` saying what is wrong."""
    if not isinstance(data, list):
        raise ValueError(f"key points are a list, got {type(data).__name__}")
    marks = []
    for item in data:
        if (
            not isinstance(item, dict)
            or not isinstance(item.get("point"), str)
            or not isinstance(item.get("matched"), bool)
            or not isinstance(item.get("ticked"), bool)
        ):
            raise ValueError(
                f'a key point is {{"point": text, "matched": bool, "ticked": bool}}, got {item!r}'
            )
        marks.append(KeyPointMark(item["point"], item["matched"], item["ticked"]))
    return tuple(marks)


@dataclass(frozen=True)
class Attempt:
    """One answer to one question, as recorded.

    ``at`` must be timezone-aware and is kept in UTC. The constructor raises ``ValueError`` for
    values the store cannot hold: an unknown kind, a verdict that does not belong to the kind,
    a score outside 0..1, a rating outside 1..4, negative seconds or hints.
    """

    question: str
    """``DECK/QID``."""
    kind: Kind
    answer: str
    """Free text, a JSON list of part answers, a JSON list of chosen option indices, or code."""
    verdict: Verdict
    """concept: ``rated``; numeric/choice: ``correct``/``partial``/``wrong``; code:
    ``pass``/``fail``/``error``."""
    score: float
    """0..1."""
    rating: int | None = None
    """Self-rating 1..4 (fsrs's :class:`~fsrs.Rating`) for a concept answer; None otherwise."""
    seconds: float | None = None
    """Time spent answering, if known."""
    hints: int = 0
    """Hints shown before answering."""
    at: datetime = field(default_factory=utc_now)
    id: int | None = None
    mode: str = "practice"
    """practice | review | mock."""
    mock: int | None = None
    """The mock interview (:meth:`Store.start_mock`) the attempt belongs to, if any."""
    key_points: tuple[KeyPointMark, ...] = ()
    """Concept: the checklist of key points (empty for other kinds, and for concept attempts
    stored before checklists were kept)."""
    confirmed: bool = False
    """Concept: whether the ticks in :attr:`key_points` (and so the score) were confirmed by
    the learner or the interviewer; else they are the matcher's suggestion."""

    @property
    def right(self) -> bool:
        """Whether the answer counts as right: a pass, an all-correct answer, or a concept
        answer self-rated Hard or better (unrated: half the key points or more)."""
        if self.kind == "concept":
            return self.rating >= Rating.Hard if self.rating is not None else self.score >= 0.5
        return self.verdict in ("correct", "pass")

    def __post_init__(self) -> None:
        where = f"attempt at {self.question!r}"
        if self.mode not in MODES:
            raise ValueError(f"{where}: mode must be one of {', '.join(MODES)}, got {self.mode!r}")
        if (self.mock is not None) != (self.mode == "mock"):
            raise ValueError(f"{where}: a mock attempt, and only one, names its mock interview")
        if self.kind not in VERDICTS:
            raise ValueError(f"{where}: kind must be one of {', '.join(KINDS)}, got {self.kind!r}")
        allowed = VERDICTS[self.kind]
        if self.verdict not in allowed:
            raise ValueError(
                f"{where}: a {self.kind} verdict is one of {', '.join(allowed)}, "
                f"got {self.verdict!r}"
            )
        if isinstance(self.score, bool) or not (
            isinstance(self.score, int | float) and 0.0 <= self.score <= 1.0
        ):
            raise ValueError(f"{where}: score must be a number from 0 to 1, got {self.score!r}")
        if self.rating is not None:
            check_rating(self.rating)
        if self.seconds is not None and not (
            isinstance(self.seconds, int | float)
            and math.isfinite(self.seconds)
            and self.seconds >= 0
        ):
            raise ValueError(f"{where}: seconds must be a finite number >= 0, got {self.seconds!r}")
        if isinstance(self.hints, bool) or not isinstance(self.hints, int) or self.hints < 0:
            raise ValueError(f"{where}: hints must be an integer >= 0, got {self.hints!r}")
        if not isinstance(self.at, datetime) or self.at.utcoffset() is None:
            raise ValueError(f"{where}: `at` must be a timezone-aware datetime, got {self.at!r}")
        object.__setattr__(self, "key_points", tuple(self.key_points))
        if self.key_points and self.kind != "concept":
            raise ValueError(f"{where}: only a concept attempt has key points")
        if not all(isinstance(mark, KeyPointMark) for mark in self.key_points):
            raise ValueError(f"{where}: key points must be KeyPointMark records")
        if not isinstance(self.confirmed, bool):
            raise ValueError(f"{where}: confirmed must be true or false, got {self.confirmed!r}")
        object.__setattr__(self, "score", float(self.score))
        object.__setattr__(self, "at", self.at.astimezone(UTC))


@dataclass(frozen=True)
class CardRow:
    """The spaced-repetition state of one question."""

    question: str
    card: str
    """The ``fsrs.Card`` as JSON (``quiz.progress.scheduling`` reads it)."""
    due: datetime
    introduced: datetime
    """When the question was first reviewed."""

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> CardRow:
        return cls(
            question=row["question"],
            card=row["card"],
            due=datetime.fromisoformat(row["due"]),
            introduced=datetime.fromisoformat(row["introduced"]),
        )


@dataclass(frozen=True)
class Review:
    """One rating of one question in one review session."""

    session: str
    question: str
    rating: int
    at: datetime
    card_before: str | None
    """The card before this session reviewed the question; None when it was new."""
    attempt: int | None = None
    id: int | None = None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Review:
        return cls(
            id=row["id"],
            session=row["session"],
            question=row["question"],
            rating=row["rating"],
            at=datetime.fromisoformat(row["at"]),
            card_before=row["card_before"],
            attempt=row["attempt"],
        )


@dataclass(frozen=True)
class PendingReview:
    """A review to store together with an answer or a rating (:meth:`Store.record`,
    :meth:`Store.rate`), in the same transaction; see :meth:`Store.review` for ``schedule``."""

    session: str
    question: str
    rating: int
    at: datetime
    schedule: Callable[[str | None], tuple[str, datetime]]


@dataclass(frozen=True)
class MockRecord:
    """One mock interview: when, how it was set up, and its scorecard once finished."""

    id: int
    started_at: datetime
    finished_at: datetime | None
    config: dict[str, Any]
    scorecard: dict[str, Any] | None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> MockRecord:
        finished_at, scorecard = row["finished_at"], row["scorecard"]
        return cls(
            id=row["id"],
            started_at=datetime.fromisoformat(row["started_at"]),
            finished_at=None if finished_at is None else datetime.fromisoformat(finished_at),
            config=json.loads(row["config"]),
            scorecard=None if scorecard is None else json.loads(scorecard),
        )


ATTEMPT_COLUMNS: Final = (
    "id, question, kind, answer, verdict, score, rating, seconds, hints, at, mode, mock, "
    "key_points, confirmed"
)
"""The columns of ``attempts`` that :func:`attempt_from_row` reads."""


def attempt_from_row(row: sqlite3.Row) -> Attempt:
    """The attempt in ``row`` (:data:`ATTEMPT_COLUMNS`); ``ValueError`` or ``TypeError`` when
    the row holds what an :class:`Attempt` cannot."""
    return Attempt(
        question=row["question"],
        kind=row["kind"],
        answer=row["answer"],
        verdict=row["verdict"],
        score=row["score"],
        rating=row["rating"],
        seconds=row["seconds"],
        hints=row["hints"],
        at=datetime.fromisoformat(row["at"]),
        id=row["id"],
        mode=row["mode"],
        mock=row["mock"],
        key_points=key_points_from_json(row["key_points"]),
        confirmed=bool(row["confirmed"]),
    )


def insert_attempt(db: sqlite3.Connection, attempt: Attempt, mock: int | None) -> int:
    """Insert ``attempt`` (belonging to mock interview ``mock``) in the caller's transaction;
    returns its row id."""
    cursor = db.execute(
        "INSERT INTO attempts (question, kind, answer, verdict, score, rating, seconds, "
        "hints, at, mode, mock, key_points, confirmed) VALUES (:question, :kind, :answer, "
        ":verdict, :score, :rating, :seconds, :hints, :at, :mode, :mock, :key_points, "
        ":confirmed)",
        {
            "question": attempt.question,
            "kind": attempt.kind,
            "answer": attempt.answer,
            "verdict": attempt.verdict,
            "score": attempt.score,
            "rating": attempt.rating,
            "seconds": attempt.seconds,
            "hints": attempt.hints,
            "at": utc_text(attempt.at),
            "mode": attempt.mode,
            "mock": mock,
            "key_points": key_points_json(attempt.key_points),
            "confirmed": int(attempt.confirmed),
        },
    )
    row_id = cursor.lastrowid
    assert row_id is not None  # an INSERT always sets it
    return row_id
