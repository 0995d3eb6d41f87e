"""The progress store: every answer given, and unsent drafts, in one SQLite file.

Provides

- :class:`Attempt`, one answer to one question (what was given, the verdict, the score, the
  self-rating, time and hints), a frozen dataclass that validates itself;
- :class:`Store`, the SQLite database at ``data_home() / "progress.sqlite3"``: record and rate
  attempts, read them back, and keep a draft per question;
- :class:`StoreError`, the one exception this module raises on purpose, with a one-line message.

Durability: the database runs in WAL mode and every write is its own committed transaction, so
a process that crashes (or is killed) loses nothing it had already recorded. Attempts are also
synced to disk on commit (``synchronous=FULL``); drafts, written on every batch of keystrokes,
are not (``NORMAL``: they survive a crash of the program, but maybe not a power cut).

Schema: ``PRAGMA user_version`` holds the schema version; :data:`MIGRATIONS` are applied in
order, each in a transaction. A file written by a newer mlquiz is refused, never downgraded; a
corrupt file is copied aside and reported, never silently replaced.

Threads: the connection is shared (``check_same_thread=False``) and every use of it is
serialised by a lock, so the UI thread can save drafts while a worker thread records a grade.
"""

from __future__ import annotations

import json
import logging
import math
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Final, NoReturn, Self

from questions import data_home

logger = logging.getLogger(__name__)

STORE_FILENAME: Final = "progress.sqlite3"
CORRUPT_SUFFIX: Final = ".corrupt-"
"""A corrupt store is copied to ``<file>.corrupt-<UTC timestamp>``."""

KINDS: Final = ("concept", "numeric", "choice", "code")
VERDICTS: Final[dict[str, tuple[str, ...]]] = {
    "concept": ("rated",),
    "numeric": ("correct", "partial", "wrong"),
    "choice": ("correct", "partial", "wrong"),
    "code": ("pass", "fail", "error"),
}
"""The verdicts each kind of attempt may have."""
RATINGS: Final = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}
"""Self-ratings, as FSRS names them."""

# Each migration is a list of statements run in one transaction; migration N (1-based) brings
# the schema from version N-1 to N. Never edit a released migration: append a new one.
MIGRATIONS: Final[tuple[tuple[str, ...], ...]] = (
    (
        """
        CREATE TABLE attempts (
            id       INTEGER PRIMARY KEY,
            question TEXT    NOT NULL,
            kind     TEXT    NOT NULL,
            answer   TEXT    NOT NULL,
            verdict  TEXT    NOT NULL,
            score    REAL    NOT NULL CHECK (score >= 0 AND score <= 1),
            rating   INTEGER CHECK (rating BETWEEN 1 AND 4),
            seconds  REAL    CHECK (seconds >= 0),
            hints    INTEGER NOT NULL DEFAULT 0 CHECK (hints >= 0),
            at       TEXT    NOT NULL
        )
        """,
        "CREATE INDEX attempts_by_question ON attempts (question, at)",
        "CREATE INDEX attempts_by_time ON attempts (at)",
        """
        CREATE TABLE drafts (
            question   TEXT PRIMARY KEY,
            text       TEXT NOT NULL,
            updated_at TEXT NOT NULL
        ) WITHOUT ROWID
        """,
    ),
    (
        # Version 2: spaced repetition, mock interviews, settings; attempts say where they
        # were given (practice, review or a mock interview).
        """
        CREATE TABLE mocks (
            id          INTEGER PRIMARY KEY,
            started_at  TEXT NOT NULL,
            finished_at TEXT,
            config      TEXT NOT NULL,
            scorecard   TEXT
        )
        """,
        "ALTER TABLE attempts ADD COLUMN mode TEXT NOT NULL DEFAULT 'practice' "
        "CHECK (mode IN ('practice', 'review', 'mock'))",
        "ALTER TABLE attempts ADD COLUMN mock INTEGER REFERENCES mocks (id)",
        """
        CREATE TABLE cards (
            question   TEXT PRIMARY KEY,
            card       TEXT NOT NULL,
            due        TEXT NOT NULL,
            introduced TEXT NOT NULL
        ) WITHOUT ROWID
        """,
        "CREATE INDEX cards_by_due ON cards (due)",
        """
        CREATE TABLE reviews (
            id          INTEGER PRIMARY KEY,
            session     TEXT    NOT NULL,
            question    TEXT    NOT NULL,
            rating      INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
            at          TEXT    NOT NULL,
            card_before TEXT,
            attempt     INTEGER REFERENCES attempts (id),
            UNIQUE (session, question)
        )
        """,
        "CREATE INDEX reviews_by_time ON reviews (at)",
        """
        CREATE TABLE settings (
            key   TEXT PRIMARY KEY,
            value TEXT NOT NULL
        ) WITHOUT ROWID
        """,
    ),
)
SCHEMA_VERSION: Final = len(MIGRATIONS)
"""The schema version this code writes (``PRAGMA user_version``)."""

_CORRUPTION_CODES: Final = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})
_ATTEMPT_COLUMNS: Final = (
    "id, question, kind, answer, verdict, score, rating, seconds, hints, at, mode, mock"
)
MODES: Final = ("practice", "review", "mock")
"""Where an attempt was given."""


class StoreError(Exception):
    """The progress store cannot be used; the message is one line saying why and what to do."""


def _utc_text(moment: datetime) -> str:
    # One fixed width (microseconds, +00:00) so that text order is time order.
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Attempt:
    """One answer to one question, as recorded.

    ``at`` must be timezone-aware and is kept in UTC. The constructor raises ``ValueError`` for
    values the store cannot hold: an unknown kind, a verdict that does not belong to the kind,
    a score outside 0..1, a rating outside 1..4, negative seconds or hints.
    """

    question: str
    """``DECK/QID``."""
    kind: str
    """concept | numeric | choice | code."""
    answer: str
    """Free text, a JSON list of part answers, a JSON list of chosen option indices, or code."""
    verdict: str
    """concept: ``rated``; numeric/choice: ``correct``/``partial``/``wrong``; code:
    ``pass``/``fail``/``error``."""
    score: float
    """0..1."""
    rating: int | None = None
    """Self-rating 1..4 (Again/Hard/Good/Easy) for a concept answer; None otherwise."""
    seconds: float | None = None
    """Time spent answering, if known."""
    hints: int = 0
    """Hints shown before answering."""
    at: datetime = field(default_factory=_now)
    id: int | None = None
    mode: str = "practice"
    """practice | review | mock."""
    mock: int | None = None
    """The mock interview (:meth:`Store.start_mock`) the attempt belongs to, if any."""

    @property
    def right(self) -> bool:
        """Whether the answer counts as right: a pass, an all-correct answer, or a concept
        answer self-rated Hard or better (unrated: half the key points or more)."""
        if self.kind == "concept":
            return self.rating >= 2 if self.rating is not None else self.score >= 0.5
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
            _check_rating(self.rating)
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
        object.__setattr__(self, "score", float(self.score))
        object.__setattr__(self, "at", self.at.astimezone(UTC))


def _check_rating(rating: int) -> None:
    if isinstance(rating, bool) or not isinstance(rating, int) or rating not in RATINGS:
        names = ", ".join(f"{value} {name}" for value, name in RATINGS.items())
        raise ValueError(f"a rating is an integer from 1 to 4 ({names}), got {rating!r}")


@dataclass(frozen=True)
class CardRow:
    """The spaced-repetition state of one question."""

    question: str
    card: str
    """The ``fsrs.Card`` as JSON (``quiz.progress.scheduling`` reads it)."""
    due: datetime
    introduced: datetime
    """When the question was first reviewed."""


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


EXPORT_FORMAT: Final = "mlquiz-progress"
EXPORT_VERSION: Final = 1
"""``quiz export`` writes this format and version; ``quiz import-progress`` reads it."""


class Store:
    """The progress database. Open it, use it, close it (or use it as a context manager).

    Every write is committed before the method returns. Opening raises :class:`StoreError` when
    the file cannot be opened, was written by a newer mlquiz, or is corrupt (after copying it
    aside, see :data:`CORRUPT_SUFFIX`).
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path: Path = Path(path) if path is not None else data_home() / STORE_FILENAME
        self._lock = threading.RLock()
        self._closed = False
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"cannot create the folder for the progress store {self.path}: {exc}"
            ) from None
        try:
            # isolation_level=None: no implicit transactions; each write below opens its own.
            self._db = sqlite3.connect(
                self.path, timeout=10.0, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the progress store {self.path}: {exc}") from None
        try:
            self._open()
        except BaseException:
            self._db.close()
            raise

    # ------------------------------------------------------------------ opening

    def _open(self) -> None:
        try:
            self._refuse_newer(self._read_version())
            self._check_integrity()
            mode = self._db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                logger.warning("progress store %s: journal mode is %s, not wal", self.path, mode)
            self._migrate()
        except sqlite3.DatabaseError as exc:
            if _is_corruption(exc):
                self._corrupt(str(exc))
            raise StoreError(f"cannot open the progress store {self.path}: {exc}") from None

    def _read_version(self) -> int:
        # Reading the header is the first access to the file; "file is not a database" or
        # "database disk image is malformed" surface here as DatabaseError.
        version: int = self._db.execute("PRAGMA user_version").fetchone()[0]
        return version

    def _refuse_newer(self, version: int) -> None:
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"the progress store {self.path} was written by a newer mlquiz (schema version "
                f"{version}; this one knows up to {SCHEMA_VERSION}); upgrade mlquiz to use it"
            )

    def _check_integrity(self) -> None:
        rows = self._db.execute("PRAGMA integrity_check").fetchall()
        if [tuple(row) for row in rows] != [("ok",)]:
            first = rows[0][0] if rows else "no result"
            self._corrupt(f"integrity check failed: {first}")

    def _migrate(self) -> None:
        with self._lock:
            if self._read_version() == SCHEMA_VERSION:
                return
            # IMMEDIATE takes the write lock first, so two programs opening a new store at
            # the same moment migrate it once; the version is read again under that lock.
            self._db.execute("BEGIN IMMEDIATE")
            try:
                version = self._read_version()
                self._refuse_newer(version)
                for number in range(version + 1, SCHEMA_VERSION + 1):
                    for statement in MIGRATIONS[number - 1]:
                        self._db.execute(statement)
                    logger.info("progress store %s: migrated to version %d", self.path, number)
                # PRAGMA does not take parameters; SCHEMA_VERSION is our own integer.
                self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION:d}")
                self._db.execute("COMMIT")
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise

    def _corrupt(self, reason: str) -> NoReturn:
        """Copy the corrupt file (and its WAL) aside, then raise; the original is left alone."""
        try:
            # Copy before closing: closing the last connection may checkpoint a WAL file into
            # the database, and the copy must hold the bytes as they were found.
            backup = _backup_copy(self.path)
        except OSError as exc:
            raise StoreError(
                f"the progress store {self.path} is corrupt ({reason}) and could not be backed "
                f"up ({exc}); move it away to start a new store"
            ) from None
        finally:
            self._db.close()
        raise StoreError(
            f"the progress store {self.path} is corrupt ({reason}); a copy is at {backup}; "
            f"move {self.path.name} away (e.g. delete it, the copy stays) to start a new store"
        )

    # ------------------------------------------------------------------ plumbing

    @contextmanager
    def _locked(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            if self._closed:
                raise StoreError(f"the progress store {self.path} is closed")
            try:
                yield self._db
            except sqlite3.Error as exc:
                raise StoreError(f"progress store {self.path}: {exc}") from exc

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """Several statements as one durable committed transaction (rolled back on error)."""
        with self._locked() as db:
            db.execute("PRAGMA synchronous = FULL")
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise

    def _write(self, sql: str, parameters: Sequence[Any], *, durable: bool) -> sqlite3.Cursor:
        """Run one statement as its own committed transaction.

        ``durable`` also syncs the commit to disk; drafts skip that because they are written
        often and are cheap to lose in a power cut.
        """
        with self._locked() as db:
            db.execute(f"PRAGMA synchronous = {'FULL' if durable else 'NORMAL'}")
            db.execute("BEGIN IMMEDIATE")
            try:
                cursor = db.execute(sql, parameters)
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
            return cursor

    # ------------------------------------------------------------------ attempts

    def record(self, attempt: Attempt, *, review: PendingReview | None = None) -> int:
        """Insert ``attempt`` (its ``id`` is ignored) and commit; returns the new row id.

        With ``review``, the review of the answer and the question's new card are stored in
        the same transaction: a crash keeps both or neither.
        """
        if review is not None:
            _check_rating(review.rating)
        with self._transaction() as db:
            row_id = _insert_attempt(db, attempt, attempt.mock)
            if review is not None:
                self._review(db, review, attempt=row_id)
        return row_id

    def rate(self, attempt_id: int, rating: int, *, review: PendingReview | None = None) -> None:
        """Set the self-rating (1..4, else ``ValueError``) of an attempt, committed; with
        ``review``, store that review and the new card in the same transaction.

        Raises :class:`StoreError` when there is no attempt ``attempt_id``.
        """
        _check_rating(rating)
        if review is not None:
            _check_rating(review.rating)
        with self._transaction() as db:
            cursor = db.execute("UPDATE attempts SET rating = ? WHERE id = ?", (rating, attempt_id))
            if cursor.rowcount == 0:
                raise StoreError(f"no attempt with id {attempt_id} in the progress store")
            if review is not None:
                self._review(db, review, attempt=attempt_id)

    def attempts(self, question: str | None = None) -> list[Attempt]:
        """Every attempt, or every attempt at ``question``, oldest first."""
        with self._locked() as db:
            if question is None:
                rows = db.execute(
                    f"SELECT {_ATTEMPT_COLUMNS} FROM attempts ORDER BY at, id"
                ).fetchall()
            else:
                rows = db.execute(
                    f"SELECT {_ATTEMPT_COLUMNS} FROM attempts WHERE question = ? ORDER BY at, id",
                    (question,),
                ).fetchall()
        return [self._attempt(row) for row in rows]

    def last_attempt(self, question: str) -> Attempt | None:
        """The newest attempt at ``question``, or None."""
        with self._locked() as db:
            row = db.execute(
                f"SELECT {_ATTEMPT_COLUMNS} FROM attempts WHERE question = ? "
                "ORDER BY at DESC, id DESC LIMIT 1",
                (question,),
            ).fetchone()
        return None if row is None else self._attempt(row)

    def _attempt(self, row: Sequence[Any]) -> Attempt:
        row_id, question, kind, answer, verdict, score, rating, seconds, hints, at, mode, mock = row
        try:
            return Attempt(
                question=question,
                kind=kind,
                answer=answer,
                verdict=verdict,
                score=score,
                rating=rating,
                seconds=seconds,
                hints=hints,
                at=datetime.fromisoformat(at),
                id=row_id,
                mode=mode,
                mock=mock,
            )
        except (TypeError, ValueError) as exc:
            raise StoreError(
                f"progress store {self.path}: attempt {row_id} is invalid: {exc}"
            ) from None

    # ------------------------------------------------------------------ spaced repetition

    def cards(self) -> dict[str, CardRow]:
        """The scheduling state of every question seen in review, by ``DECK/QID``."""
        with self._locked() as db:
            rows = db.execute("SELECT question, card, due, introduced FROM cards").fetchall()
        return {row[0]: _card_row(row) for row in rows}

    def card(self, question: str) -> CardRow | None:
        """The scheduling state of ``question``, or None when it is new."""
        with self._locked() as db:
            row = db.execute(
                "SELECT question, card, due, introduced FROM cards WHERE question = ?",
                (question,),
            ).fetchone()
        return None if row is None else _card_row(row)

    def review(
        self,
        *,
        session: str,
        question: str,
        rating: int,
        at: datetime,
        attempt: int | None,
        schedule: Callable[[str | None], tuple[str, datetime]],
    ) -> CardRow:
        """Rate ``question`` in review ``session`` and store its new card, in one transaction.

        ``schedule`` gets the card as it was before this session first reviewed the question
        (JSON, or None for a new question) and returns the new card (JSON) and its due time.
        Rating the same question again in the same session replaces the earlier rating, so a
        retry that succeeds turns an Again into a Hard rather than adding a second review.
        """
        _check_rating(rating)
        pending = PendingReview(session, question, rating, at, schedule)
        with self._transaction() as db:
            return self._review(db, pending, attempt=attempt)

    def _review(
        self, db: sqlite3.Connection, review: PendingReview, *, attempt: int | None
    ) -> CardRow:
        """The writes of :meth:`review`, inside the caller's transaction."""
        row = db.execute(
            "SELECT card_before FROM reviews WHERE session = ? AND question = ?",
            (review.session, review.question),
        ).fetchone()
        if row is not None:
            before: str | None = row[0]
        else:
            current = db.execute(
                "SELECT card FROM cards WHERE question = ?", (review.question,)
            ).fetchone()
            before = None if current is None else current[0]
        card, due = review.schedule(before)
        db.execute(
            "INSERT INTO reviews (session, question, rating, at, card_before, attempt) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (session, question) DO UPDATE SET "
            "rating = excluded.rating, at = excluded.at, attempt = excluded.attempt",
            (review.session, review.question, review.rating, _utc_text(review.at), before, attempt),
        )
        db.execute(
            "INSERT INTO cards (question, card, due, introduced) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (question) DO UPDATE SET card = excluded.card, due = excluded.due",
            (review.question, card, _utc_text(due), _utc_text(review.at)),
        )
        stored = db.execute(
            "SELECT question, card, due, introduced FROM cards WHERE question = ?",
            (review.question,),
        ).fetchone()
        return _card_row(stored)

    def reviews(self, since: datetime | None = None) -> list[Review]:
        """Every review (or those at or after ``since``), oldest first."""
        with self._locked() as db:
            rows = db.execute(
                "SELECT id, session, question, rating, at, card_before, attempt FROM reviews "
                "WHERE at >= ? ORDER BY at, id",
                (_utc_text(since) if since is not None else "",),
            ).fetchall()
        return [
            Review(
                id=row[0],
                session=row[1],
                question=row[2],
                rating=row[3],
                at=datetime.fromisoformat(row[4]),
                card_before=row[5],
                attempt=row[6],
            )
            for row in rows
        ]

    def introduced(self, start: datetime, end: datetime) -> int:
        """How many questions had their first review in ``[start, end)``."""
        with self._locked() as db:
            count: int = db.execute(
                "SELECT count(*) FROM cards WHERE introduced >= ? AND introduced < ?",
                (_utc_text(start), _utc_text(end)),
            ).fetchone()[0]
        return count

    # ------------------------------------------------------------------ settings

    def setting(self, key: str) -> str | None:
        """The saved value of setting ``key``, or None."""
        with self._locked() as db:
            row = db.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_setting(self, key: str, value: str) -> None:
        """Save setting ``key``, committed."""
        self._write(
            "INSERT INTO settings (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
            durable=True,
        )

    # ------------------------------------------------------------------ mock interviews

    def start_mock(self, config: dict[str, Any], at: datetime | None = None) -> int:
        """Record the start of a mock interview; returns its id."""
        cursor = self._write(
            "INSERT INTO mocks (started_at, config) VALUES (?, ?)",
            (_utc_text(at or _now()), json.dumps(config, sort_keys=True)),
            durable=True,
        )
        row_id = cursor.lastrowid
        assert row_id is not None
        return row_id

    def finish_mock(self, mock: int, scorecard: dict[str, Any], at: datetime | None = None) -> None:
        """Save the scorecard of mock interview ``mock``, committed."""
        cursor = self._write(
            "UPDATE mocks SET finished_at = ?, scorecard = ? WHERE id = ?",
            (_utc_text(at or _now()), json.dumps(scorecard, sort_keys=True), mock),
            durable=True,
        )
        if cursor.rowcount == 0:
            raise StoreError(f"no mock interview with id {mock} in the progress store")

    def mocks(self) -> list[MockRecord]:
        """Every mock interview, oldest first (unfinished ones have no scorecard)."""
        with self._locked() as db:
            rows = db.execute(
                "SELECT id, started_at, finished_at, config, scorecard FROM mocks "
                "ORDER BY started_at, id"
            ).fetchall()
        return [_mock_record(row) for row in rows]

    def mock(self, mock: int) -> MockRecord | None:
        """Mock interview ``mock``, or None."""
        with self._locked() as db:
            row = db.execute(
                "SELECT id, started_at, finished_at, config, scorecard FROM mocks WHERE id = ?",
                (mock,),
            ).fetchone()
        return None if row is None else _mock_record(row)

    def mock_attempts(self, mock: int) -> list[Attempt]:
        """The attempts given in mock interview ``mock``, oldest first."""
        with self._locked() as db:
            rows = db.execute(
                f"SELECT {_ATTEMPT_COLUMNS} FROM attempts WHERE mock = ? ORDER BY at, id",
                (mock,),
            ).fetchall()
        return [self._attempt(row) for row in rows]

    # ------------------------------------------------------------------ moving progress

    def export_data(self) -> dict[str, Any]:
        """Everything in the store as one JSON-ready object (see :meth:`import_data`)."""
        with self._locked() as db:
            mocks = db.execute(
                "SELECT id, started_at, finished_at, config, scorecard FROM mocks ORDER BY id"
            ).fetchall()
            mock_keys = {row[0]: row[1] for row in mocks}
            attempts = db.execute(
                f"SELECT {_ATTEMPT_COLUMNS} FROM attempts ORDER BY at, id"
            ).fetchall()
            reviews = db.execute(
                "SELECT session, question, rating, at, card_before, attempt FROM reviews "
                "ORDER BY at, id"
            ).fetchall()
            attempt_keys = {row[0]: [row[1], row[9], row[3]] for row in attempts}
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
            "exported_at": _utc_text(_now()),
            "attempts": [
                {
                    "question": row[1],
                    "kind": row[2],
                    "answer": row[3],
                    "verdict": row[4],
                    "score": row[5],
                    "rating": row[6],
                    "seconds": row[7],
                    "hints": row[8],
                    "at": row[9],
                    "mode": row[10],
                    "mock": mock_keys.get(row[11]),
                }
                for row in attempts
            ],
            "reviews": [
                {
                    "session": row[0],
                    "question": row[1],
                    "rating": row[2],
                    "at": row[3],
                    "card_before": row[4],
                    "attempt": attempt_keys.get(row[5]),
                }
                for row in reviews
            ],
            "cards": [
                {"question": row[0], "card": row[1], "due": row[2], "introduced": row[3]}
                for row in cards
            ],
            "mocks": [
                {
                    "started_at": row[1],
                    "finished_at": row[2],
                    "config": json.loads(row[3]),
                    "scorecard": None if row[4] is None else json.loads(row[4]),
                }
                for row in mocks
            ],
            "settings": {row[0]: row[1] for row in settings},
            "drafts": [
                {"question": row[0], "text": row[1], "updated_at": row[2]} for row in drafts
            ],
        }

    def import_data(self, data: Any) -> dict[str, int]:
        """Merge an :meth:`export_data` object into this store, all or nothing.

        Nothing already here is lost or duplicated: attempts, reviews and mock interviews
        already present (same question, time and answer; same session and question; same start
        time) are skipped; a card is replaced only by one reviewed later; a draft only by a newer
        one; settings already set here are kept. Returns how many rows of each kind were added.
        Raises :class:`StoreError` naming the first bad entry, having changed nothing.
        """
        plan = _ImportPlan.read(data)
        added = dict.fromkeys(("attempts", "reviews", "cards", "mocks", "settings", "drafts"), 0)
        with self._transaction() as db:
            mock_ids: dict[str, int] = {}
            for mock in plan.mocks:
                row = db.execute(
                    "SELECT id FROM mocks WHERE started_at = ?", (mock["started_at"],)
                ).fetchone()
                if row is None:
                    cursor = db.execute(
                        "INSERT INTO mocks (started_at, finished_at, config, scorecard) "
                        "VALUES (?, ?, ?, ?)",
                        (
                            mock["started_at"],
                            mock["finished_at"],
                            json.dumps(mock["config"], sort_keys=True),
                            None
                            if mock["scorecard"] is None
                            else json.dumps(mock["scorecard"], sort_keys=True),
                        ),
                    )
                    assert cursor.lastrowid is not None
                    mock_ids[mock["started_at"]] = cursor.lastrowid
                    added["mocks"] += 1
                else:
                    mock_ids[mock["started_at"]] = row[0]
            attempt_ids: dict[tuple[str, str, str], int] = {}
            for attempt, mock_key in plan.attempts:
                at = _utc_text(attempt.at)
                key = (attempt.question, at, attempt.answer)
                row = db.execute(
                    "SELECT id FROM attempts WHERE question = ? AND at = ? AND answer = ?", key
                ).fetchone()
                if row is not None:
                    attempt_ids[key] = row[0]
                    continue
                mock_id = None
                if mock_key is not None:
                    if mock_key not in mock_ids:
                        raise StoreError(
                            f"cannot import: an attempt at {attempt.question} names a mock "
                            f"interview started at {mock_key} that is not in the file"
                        )
                    mock_id = mock_ids[mock_key]
                attempt_ids[key] = _insert_attempt(db, attempt, mock_id)
                added["attempts"] += 1
            for review in plan.reviews:
                exists = db.execute(
                    "SELECT 1 FROM reviews WHERE session = ? AND question = ?",
                    (review["session"], review["question"]),
                ).fetchone()
                if exists:
                    continue
                ref = review["attempt"]
                db.execute(
                    "INSERT INTO reviews (session, question, rating, at, card_before, attempt) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        review["session"],
                        review["question"],
                        review["rating"],
                        review["at"],
                        review["card_before"],
                        None if ref is None else attempt_ids.get(tuple(ref)),
                    ),
                )
                added["reviews"] += 1
            for card in plan.cards:
                row = db.execute(
                    "SELECT card FROM cards WHERE question = ?", (card["question"],)
                ).fetchone()
                if row is not None and _last_review(row[0]) >= _last_review(card["card"]):
                    continue
                db.execute(
                    "INSERT INTO cards (question, card, due, introduced) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (question) DO UPDATE SET card = excluded.card, "
                    "due = excluded.due",
                    (card["question"], card["card"], card["due"], card["introduced"]),
                )
                added["cards"] += 1
            for name, value in plan.settings.items():
                cursor = db.execute(
                    "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT DO NOTHING",
                    (name, value),
                )
                added["settings"] += cursor.rowcount
            for draft in plan.drafts:
                cursor = db.execute(
                    "INSERT INTO drafts (question, text, updated_at) VALUES (?, ?, ?) "
                    "ON CONFLICT (question) DO UPDATE SET text = excluded.text, "
                    "updated_at = excluded.updated_at WHERE excluded.updated_at > updated_at",
                    (draft["question"], draft["text"], draft["updated_at"]),
                )
                added["drafts"] += cursor.rowcount
        return added

    # ------------------------------------------------------------------ drafts

    def save_draft(self, question: str, text: str) -> None:
        """Keep ``text`` as the draft answer to ``question`` (replacing any), committed."""
        self._write(
            "INSERT INTO drafts (question, text, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (question) DO UPDATE SET text = excluded.text, "
            "updated_at = excluded.updated_at",
            (question, text, _utc_text(_now())),
            durable=False,
        )

    def draft(self, question: str) -> str | None:
        """The saved draft answer to ``question``, or None."""
        with self._locked() as db:
            row = db.execute("SELECT text FROM drafts WHERE question = ?", (question,)).fetchone()
        return None if row is None else str(row[0])

    def delete_draft(self, question: str) -> None:
        """Forget the draft answer to ``question`` (nothing happens if there is none)."""
        self._write("DELETE FROM drafts WHERE question = ?", (question,), durable=False)

    # ------------------------------------------------------------------ lifetime

    @property
    def schema_version(self) -> int:
        """The file's ``PRAGMA user_version``."""
        with self._locked():
            return self._read_version()

    def close(self) -> None:
        """Close the database; later calls raise :class:`StoreError`. Closing twice is fine."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def _is_corruption(exc: sqlite3.DatabaseError) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return (code & 0xFF) in _CORRUPTION_CODES
    message = str(exc).lower()
    return "not a database" in message or "malformed" in message


def _backup_copy(path: Path) -> Path:
    """Copy ``path`` (and its ``-wal`` file, if not empty) to a new ``.corrupt-<timestamp>`` name.

    The copy is created exclusively, so an earlier backup is never overwritten.
    """
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    for attempt in range(1000):
        suffix = f"{CORRUPT_SUFFIX}{stamp}" + (f"-{attempt}" if attempt else "")
        backup = path.with_name(path.name + suffix)
        try:
            _copy_exclusive(path, backup)
        except FileExistsError:
            continue
        wal = path.with_name(path.name + "-wal")
        if wal.is_file() and wal.stat().st_size > 0:  # committed data not yet checkpointed
            _copy_exclusive(wal, backup.with_name(backup.name + "-wal"))
        return backup
    raise OSError(f"too many backups of {path} already exist")


def _copy_exclusive(source: Path, target: Path) -> None:
    with source.open("rb") as reader, target.open("xb") as writer:
        while chunk := reader.read(1 << 20):
            writer.write(chunk)


def _insert_attempt(db: sqlite3.Connection, attempt: Attempt, mock: int | None) -> int:
    """Insert ``attempt`` (belonging to mock interview ``mock``) in the caller's transaction;
    returns its row id."""
    cursor = db.execute(
        "INSERT INTO attempts (question, kind, answer, verdict, score, rating, seconds, "
        "hints, at, mode, mock) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            attempt.question,
            attempt.kind,
            attempt.answer,
            attempt.verdict,
            attempt.score,
            attempt.rating,
            attempt.seconds,
            attempt.hints,
            _utc_text(attempt.at),
            attempt.mode,
            mock,
        ),
    )
    row_id = cursor.lastrowid
    assert row_id is not None  # an INSERT always sets it
    return row_id


def _card_row(row: Sequence[Any]) -> CardRow:
    return CardRow(
        question=row[0],
        card=row[1],
        due=datetime.fromisoformat(row[2]),
        introduced=datetime.fromisoformat(row[3]),
    )


def _mock_record(row: Sequence[Any]) -> MockRecord:
    return MockRecord(
        id=row[0],
        started_at=datetime.fromisoformat(row[1]),
        finished_at=None if row[2] is None else datetime.fromisoformat(row[2]),
        config=json.loads(row[3]),
        scorecard=None if row[4] is None else json.loads(row[4]),
    )


def _last_review(card: str) -> str:
    """The ``last_review`` time of a card (JSON), as comparable text; "" when never reviewed."""
    try:
        value = json.loads(card).get("last_review")
    except (ValueError, AttributeError):
        return ""
    return _utc_text(datetime.fromisoformat(value)) if isinstance(value, str) else ""


def aware_time(value: Any, where: str) -> datetime:
    """``value`` read as an ISO 8601 time with a time zone; ``ValueError`` naming ``where``
    otherwise (for files read back: exports, scorecards)."""
    if not isinstance(value, str):
        raise ValueError(f"{where}: expected an ISO 8601 time, got {value!r}")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{where}: expected an ISO 8601 time, got {value!r}") from None
    if moment.utcoffset() is None:
        raise ValueError(f"{where}: the time {value!r} has no time zone")
    return moment


def _utc_field(value: Any, where: str) -> str:
    return _utc_text(aware_time(value, where))


def _text_field(entry: dict[str, Any], key: str, where: str, *, optional: bool = False) -> Any:
    value = entry.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, str) or (not value and key != "text" and key != "answer"):
        raise ValueError(f"{where}.{key}: expected text, got {value!r}")
    return value


@dataclass
class _ImportPlan:
    """An export file read and checked entry by entry before anything is written."""

    attempts: list[tuple[Attempt, str | None]]
    reviews: list[dict[str, Any]]
    cards: list[dict[str, Any]]
    mocks: list[dict[str, Any]]
    settings: dict[str, str]
    drafts: list[dict[str, Any]]

    @classmethod
    def read(cls, data: Any) -> _ImportPlan:
        try:
            return cls._read(data)
        except ValueError as exc:
            raise StoreError(f"cannot import: {exc}; nothing was imported") from None

    @classmethod
    def _read(cls, data: Any) -> _ImportPlan:
        if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
            raise ValueError(f'not an mlquiz progress export (no "format": "{EXPORT_FORMAT}")')
        version = data.get("version")
        if not isinstance(version, int) or version > EXPORT_VERSION:
            raise ValueError(
                f"export version {version!r} is not one this mlquiz reads (up to "
                f"{EXPORT_VERSION}); upgrade mlquiz"
            )

        def entries(name: str) -> list[tuple[str, dict[str, Any]]]:
            value = data.get(name, [])
            if not isinstance(value, list):
                raise ValueError(f"{name}: expected a list")
            out = []
            for index, entry in enumerate(value):
                where = f"{name}[{index}]"
                if not isinstance(entry, dict):
                    raise ValueError(f"{where}: expected an object")
                out.append((where, entry))
            return out

        mocks = []
        for where, entry in entries("mocks"):
            config, scorecard = entry.get("config"), entry.get("scorecard")
            if not isinstance(config, dict) or not (
                scorecard is None or isinstance(scorecard, dict)
            ):
                raise ValueError(f"{where}: config and scorecard must be objects")
            finished = entry.get("finished_at")
            mocks.append(
                {
                    "started_at": _utc_field(entry.get("started_at"), f"{where}.started_at"),
                    "finished_at": None
                    if finished is None
                    else _utc_field(finished, f"{where}.finished_at"),
                    "config": config,
                    "scorecard": scorecard,
                }
            )
        known_mocks = {mock["started_at"] for mock in mocks}
        attempts = []
        for where, entry in entries("attempts"):
            fields: dict[str, Any] = {
                key: entry.get(key)
                for key in ("question", "kind", "answer", "verdict", "score", "rating", "seconds")
            }
            mock_key = entry.get("mock")
            if mock_key is not None:
                mock_key = _utc_field(mock_key, f"{where}.mock")
                if mock_key not in known_mocks:
                    raise ValueError(f"{where}.mock: no mock interview started at {mock_key}")
            try:
                attempt = Attempt(
                    **fields,
                    hints=entry.get("hints", 0),
                    at=datetime.fromisoformat(_utc_field(entry.get("at"), f"{where}.at")),
                    mode=entry.get("mode", "practice"),
                    # A placeholder id; the real one is given on import.
                    mock=0 if mock_key is not None else None,
                )
            except TypeError as exc:
                raise ValueError(f"{where}: {exc}") from None
            except ValueError as exc:
                raise ValueError(f"{where}: {exc}") from None
            if not isinstance(attempt.question, str) or not isinstance(attempt.answer, str):
                raise ValueError(f"{where}: question and answer must be text")
            # Kept with its placeholder mock id: replacing it by None would fail validation
            # for a mock attempt. The insert uses the id found for ``mock_key`` instead.
            attempts.append((attempt, mock_key))
        reviews = []
        for where, entry in entries("reviews"):
            rating = entry.get("rating")
            try:
                _check_rating(rating)  # type: ignore[arg-type]
            except ValueError as exc:
                raise ValueError(f"{where}.rating: {exc}") from None
            ref = entry.get("attempt")
            if ref is not None and not (
                isinstance(ref, list) and len(ref) == 3 and all(isinstance(x, str) for x in ref)
            ):
                raise ValueError(f"{where}.attempt: expected [question, at, answer]")
            reviews.append(
                {
                    "session": _text_field(entry, "session", where),
                    "question": _text_field(entry, "question", where),
                    "rating": rating,
                    "at": _utc_field(entry.get("at"), f"{where}.at"),
                    "card_before": _json_object_text(
                        entry.get("card_before"), f"{where}.card_before", optional=True
                    ),
                    "attempt": None
                    if ref is None
                    else [ref[0], _utc_field(ref[1], f"{where}.attempt"), ref[2]],
                }
            )
        cards = [
            {
                "question": _text_field(entry, "question", where),
                "card": _card_text(entry.get("card"), f"{where}.card"),
                "due": _utc_field(entry.get("due"), f"{where}.due"),
                "introduced": _utc_field(entry.get("introduced"), f"{where}.introduced"),
            }
            for where, entry in entries("cards")
        ]
        settings = data.get("settings", {})
        if not isinstance(settings, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in settings.items()
        ):
            raise ValueError("settings: expected an object of text values")
        drafts = [
            {
                "question": _text_field(entry, "question", where),
                "text": _text_field(entry, "text", where),
                "updated_at": _utc_field(entry.get("updated_at"), f"{where}.updated_at"),
            }
            for where, entry in entries("drafts")
        ]
        return cls(attempts, reviews, cards, mocks, settings, drafts)


def _card_text(value: Any, where: str) -> str:
    """A card (a JSON object as text) whose ``last_review``, which merging compares, is a time
    with a zone or null; checked here so that a bad one fails the plan, not the merge."""
    text = _json_object_text(value, where)
    assert text is not None
    last_review = json.loads(text).get("last_review")
    if last_review is not None:
        _utc_field(last_review, f"{where}.last_review")
    return text


def _json_object_text(value: Any, where: str, *, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    try:
        parsed = json.loads(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        raise ValueError(f"{where}: expected a JSON object as text")
    return str(value)
