"""Moving progress between stores: the export file, written and read back.

Provides

- :func:`export_progress`, everything in a store as one JSON-ready object;
- :class:`ProgressExport` and its entries, pydantic models of that file as it is read back,
  and :func:`read_export`, which checks a whole file before anything is written: a bad one is
  one :class:`StoreError` naming where the first problem is
  (``attempts[3].at: expected an ISO 8601 time, got 'yesterday'``);
- :func:`merge_export`, a checked file merged into a store in the caller's transaction.

Times in a file must carry a zone; they are kept as the store keeps them (UTC text). An
attempt's own values (kind, verdict, score, rating, seconds, hints, mode) are checked by
:class:`Attempt`, the one set of rules for what the store can hold.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Annotated, Any, Final, Self, cast

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    StrictStr,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    model_validator,
)

from questions import Kind

from ...formatting import validation_problem
from ._records import (
    ATTEMPT_COLUMNS,
    Attempt,
    StoreError,
    Verdict,
    aware_time,
    check_rating,
    insert_attempt,
    read_key_points,
    utc_text,
)
from ._schema import EXPORT_FORMAT, EXPORT_VERSION

# --------------------------------------------------------------------------- writing


def export_progress(db: sqlite3.Connection, exported_at: datetime) -> dict[str, Any]:
    """Everything in the store ``db`` as one JSON-ready object, read in the caller's lock.

    Rows refer to each other by what identifies them in any store, not by row ids: a mock
    interview by its start time, an attempt by ``[question, at, answer]``.
    """
    mocks = db.execute(
        "SELECT id, started_at, finished_at, config, scorecard FROM mocks ORDER BY id"
    ).fetchall()
    mock_starts = {row["id"]: row["started_at"] for row in mocks}
    attempts = db.execute(f"SELECT {ATTEMPT_COLUMNS} FROM attempts ORDER BY at, id").fetchall()
    attempt_keys = {row["id"]: [row["question"], row["at"], row["answer"]] for row in attempts}
    reviews = db.execute(
        "SELECT session, question, rating, at, card_before, attempt FROM reviews ORDER BY at, id"
    ).fetchall()
    cards = db.execute(
        "SELECT question, card, due, introduced FROM cards ORDER BY question"
    ).fetchall()
    settings = db.execute("SELECT key, value FROM settings ORDER BY key").fetchall()
    drafts = db.execute(
        "SELECT question, text, updated_at FROM drafts ORDER BY question"
    ).fetchall()
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exported_at": utc_text(exported_at),
        "attempts": [
            {
                "question": row["question"],
                "kind": row["kind"],
                "answer": row["answer"],
                "verdict": row["verdict"],
                "score": row["score"],
                "rating": row["rating"],
                "seconds": row["seconds"],
                "hints": row["hints"],
                "at": row["at"],
                "mode": row["mode"],
                "mock": mock_starts.get(row["mock"]),
                "key_points": json.loads(row["key_points"]) if row["key_points"] else [],
                "confirmed": bool(row["confirmed"]),
            }
            for row in attempts
        ],
        "reviews": [
            {
                "session": row["session"],
                "question": row["question"],
                "rating": row["rating"],
                "at": row["at"],
                "card_before": row["card_before"],
                "attempt": attempt_keys.get(row["attempt"]),
            }
            for row in reviews
        ],
        "cards": [
            {
                "question": row["question"],
                "card": row["card"],
                "due": row["due"],
                "introduced": row["introduced"],
            }
            for row in cards
        ],
        "mocks": [
            {
                "started_at": row["started_at"],
                "finished_at": row["finished_at"],
                "config": json.loads(row["config"]),
                "scorecard": None if row["scorecard"] is None else json.loads(row["scorecard"]),
            }
            for row in mocks
        ],
        "settings": {row["key"]: row["value"] for row in settings},
        "drafts": [
            {"question": row["question"], "text": row["text"], "updated_at": row["updated_at"]}
            for row in drafts
        ],
    }


# --------------------------------------------------------------------------- reading


def _text(value: object) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"expected text, got {value!r}")
    return value


def _utc(value: object) -> str:
    return utc_text(aware_time(value))


def _json_object_text(value: object) -> str:
    if isinstance(value, str):
        try:
            if isinstance(json.loads(value), dict):
                return value
        except ValueError:
            pass
    raise ValueError("expected a JSON object as text")


def _one_message(message: str) -> WrapValidator:
    """Whatever is wrong inside the field, report ``message`` at the field."""

    def validate(value: object, handler: ValidatorFunctionWrapHandler) -> object:
        try:
            return handler(value)
        except ValidationError:
            raise ValueError(message) from None

    return WrapValidator(validate)


Text = Annotated[str, PlainValidator(_text)]
"""Text that is not empty."""
UtcText = Annotated[str, PlainValidator(_utc)]
"""An ISO 8601 time with a zone, read as the store writes times."""
RatingValue = Annotated[int, PlainValidator(check_rating)]
JsonObjectText = Annotated[str, PlainValidator(_json_object_text)]
"""A JSON object, as text (kept byte for byte)."""
AttemptKey = Annotated[
    tuple[StrictStr, UtcText, StrictStr], _one_message("expected [question, at, answer]")
]
"""An attempt named by what identifies it in any store."""
TextValues = Annotated[dict[str, StrictStr], _one_message("expected an object of text values")]


class _Entry(BaseModel):
    """One object of the file; keys it does not know are ignored."""

    model_config = ConfigDict(frozen=True)


class _CardTimes(_Entry):
    """The part of an fsrs card that merging compares."""

    last_review: UtcText | None = None


def _card_text(value: object) -> str:
    # Checked here so that a bad time fails reading the file, not the merge. A ValidationError
    # raised in a validator keeps its place under this field: ``cards[1].card.last_review``.
    text = _json_object_text(value)
    _CardTimes.model_validate(json.loads(text))
    return text


CardText = Annotated[str, PlainValidator(_card_text)]
"""An fsrs card as JSON text whose ``last_review`` is null or a time with a zone."""


class AttemptEntry(_Entry):
    """``attempts[i]``: one :class:`Attempt`, by its mock interview's start time. Its values are
    checked as :class:`Attempt` checks them, and a problem is reported at the entry:
    ``attempts[2]: attempt at 'd/q': a concept verdict is one of rated, got 'correct'``."""

    question: StrictStr
    kind: StrictStr
    answer: StrictStr
    verdict: StrictStr
    score: Any = None
    rating: Any = None
    seconds: Any = None
    hints: Any = 0
    at: UtcText
    mode: StrictStr = "practice"
    mock: UtcText | None = None
    """The start time of the mock interview the attempt was given in."""
    key_points: Any = ()
    """A concept answer's checklist (absent from exports written before checklists)."""
    confirmed: Any = False

    @model_validator(mode="after")
    def _holds_an_attempt(self) -> Self:
        # A placeholder mock id: the real one is given on import.
        self.attempt(mock=None if self.mock is None else 0)
        return self

    def attempt(self, mock: int | None) -> Attempt:
        """The attempt, in mock interview ``mock`` (an id in the store it goes to)."""
        try:
            return Attempt(  # which kinds and verdicts it can hold, Attempt checks
                question=self.question,
                kind=cast(Kind, self.kind),
                answer=self.answer,
                verdict=cast(Verdict, self.verdict),
                score=self.score,
                rating=self.rating,
                seconds=self.seconds,
                hints=self.hints,
                at=datetime.fromisoformat(self.at),
                mode=self.mode,
                mock=mock,
                key_points=read_key_points(list(self.key_points))
                if isinstance(self.key_points, list | tuple)
                else read_key_points(self.key_points),
                confirmed=self.confirmed,
            )
        except (TypeError, ValueError) as exc:
            raise ValueError(str(exc)) from None

    @property
    def key(self) -> tuple[str, str, str]:
        """What identifies the attempt in any store (see :data:`AttemptKey`)."""
        return self.question, self.at, self.answer


class ReviewEntry(_Entry):
    """``reviews[i]``: one rating of one question in one review session."""

    session: Text
    question: Text
    rating: RatingValue
    at: UtcText
    card_before: JsonObjectText | None = None
    attempt: AttemptKey | None = None


class CardEntry(_Entry):
    """``cards[i]``: the spaced-repetition state of one question."""

    question: Text
    card: CardText
    due: UtcText
    introduced: UtcText


class MockEntry(_Entry):
    """``mocks[i]``: one mock interview, known in any store by its start time."""

    started_at: UtcText
    finished_at: UtcText | None = None
    config: dict[str, Any]
    scorecard: dict[str, Any] | None = None


class DraftEntry(_Entry):
    """``drafts[i]``: the unsent answer to one question."""

    question: Text
    text: StrictStr
    updated_at: UtcText


class ProgressExport(_Entry):
    """A whole export file, checked; missing lists are empty."""

    format: str
    version: int
    attempts: tuple[AttemptEntry, ...] = ()
    reviews: tuple[ReviewEntry, ...] = ()
    cards: tuple[CardEntry, ...] = ()
    mocks: tuple[MockEntry, ...] = ()
    settings: TextValues = Field(default_factory=dict)
    drafts: tuple[DraftEntry, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _is_one_this_mlquiz_reads(cls, data: object) -> object:
        if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
            raise ValueError(f'not an mlquiz progress export (no "format": "{EXPORT_FORMAT}")')
        version = data.get("version")
        if not isinstance(version, int) or version > EXPORT_VERSION:
            raise ValueError(
                f"export version {version!r} is not one this mlquiz reads (up to "
                f"{EXPORT_VERSION}); upgrade mlquiz"
            )
        return data

    @model_validator(mode="after")
    def _mock_attempts_name_a_mock_in_the_file(self) -> Self:
        started = {mock.started_at for mock in self.mocks}
        for index, attempt in enumerate(self.attempts):
            if attempt.mock is not None and attempt.mock not in started:
                raise ValueError(
                    f"attempts[{index}].mock: no mock interview started at {attempt.mock}"
                )
        return self


def read_export(data: object) -> ProgressExport:
    """``data`` (a parsed export file) checked whole; :class:`StoreError` naming the first
    problem otherwise."""
    try:
        return ProgressExport.model_validate(data)
    except ValidationError as exc:
        problem = validation_problem(exc.errors(include_url=False)[0])
        raise StoreError(f"cannot import: {problem}; nothing was imported") from None


# --------------------------------------------------------------------------- merging

IMPORTED: Final = ("attempts", "reviews", "cards", "mocks", "settings", "drafts")
"""What :func:`merge_export` counts, in this order."""


def merge_export(db: sqlite3.Connection, export: ProgressExport) -> dict[str, int]:
    """Merge ``export`` into the store ``db`` in the caller's transaction; returns how many rows
    of each kind (:data:`IMPORTED`) were added. See :meth:`Store.import_data`."""
    added = dict.fromkeys(IMPORTED, 0)
    mock_ids: dict[str, int] = {}
    for mock in export.mocks:
        row = db.execute("SELECT id FROM mocks WHERE started_at = ?", (mock.started_at,)).fetchone()
        if row is not None:
            mock_ids[mock.started_at] = row["id"]
            continue
        cursor = db.execute(
            "INSERT INTO mocks (started_at, finished_at, config, scorecard) VALUES (?, ?, ?, ?)",
            (
                mock.started_at,
                mock.finished_at,
                json.dumps(mock.config, sort_keys=True),
                None if mock.scorecard is None else json.dumps(mock.scorecard, sort_keys=True),
            ),
        )
        assert cursor.lastrowid is not None
        mock_ids[mock.started_at] = cursor.lastrowid
        added["mocks"] += 1
    attempt_ids: dict[tuple[str, str, str], int] = {}
    for entry in export.attempts:
        row = db.execute(
            "SELECT id FROM attempts WHERE question = ? AND at = ? AND answer = ?", entry.key
        ).fetchone()
        if row is not None:
            attempt_ids[entry.key] = row["id"]
            continue
        mock_id = None if entry.mock is None else mock_ids[entry.mock]
        attempt_ids[entry.key] = insert_attempt(db, entry.attempt(mock=mock_id), mock_id)
        added["attempts"] += 1
    for review in export.reviews:
        exists = db.execute(
            "SELECT 1 FROM reviews WHERE session = ? AND question = ?",
            (review.session, review.question),
        ).fetchone()
        if exists:
            continue
        db.execute(
            "INSERT INTO reviews (session, question, rating, at, card_before, attempt) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (
                review.session,
                review.question,
                review.rating,
                review.at,
                review.card_before,
                None if review.attempt is None else attempt_ids.get(review.attempt),
            ),
        )
        added["reviews"] += 1
    for card in export.cards:
        row = db.execute("SELECT card FROM cards WHERE question = ?", (card.question,)).fetchone()
        if row is not None and _last_review(row["card"]) >= _last_review(card.card):
            continue
        db.execute(
            "INSERT INTO cards (question, card, due, introduced) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (question) DO UPDATE SET card = excluded.card, due = excluded.due",
            (card.question, card.card, card.due, card.introduced),
        )
        added["cards"] += 1
    for name, value in export.settings.items():
        cursor = db.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT DO NOTHING",
            (name, value),
        )
        added["settings"] += cursor.rowcount
    for draft in export.drafts:
        cursor = db.execute(
            "INSERT INTO drafts (question, text, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (question) DO UPDATE SET text = excluded.text, "
            "updated_at = excluded.updated_at WHERE excluded.updated_at > updated_at",
            (draft.question, draft.text, draft.updated_at),
        )
        added["drafts"] += cursor.rowcount
    return added


def _last_review(card: str) -> str:
    """The ``last_review`` time of a card (JSON), as comparable text; "" when never reviewed."""
    try:
        value = json.loads(card).get("last_review")
    except (ValueError, AttributeError):
        return ""
    return utc_text(datetime.fromisoformat(value)) if isinstance(value, str) else ""
