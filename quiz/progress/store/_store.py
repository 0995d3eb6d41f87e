"""The :class:`Store`: the progress database, opened, read and written.

Durability: the database runs in WAL mode and every write is its own committed transaction, so
a process that crashes (or is killed) loses nothing it had already recorded. Attempts are also
synced to disk on commit (``synchronous=FULL``); drafts, written on every batch of keystrokes,
are not (``NORMAL``: they survive a crash of the program, but maybe not a power cut).

Threads: the connection is shared (``check_same_thread=False``) and every use of it is
serialised by a lock, so the UI thread can save drafts while a worker thread records a grade.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Final, NoReturn, Self

from questions import data_home

from ._records import (
    ATTEMPT_COLUMNS,
    Attempt,
    CardRow,
    KeyPointMark,
    MockRecord,
    PendingReview,
    Review,
    StoreError,
    attempt_from_row,
    check_rating,
    insert_attempt,
    key_points_json,
    utc_text,
)
from ._records import utc_now as _now
from ._schema import (
    backup_copy,
    backup_of,
    integrity_problem,
    is_corruption,
    migrate,
    read_version,
    refuse_newer,
)

logger = logging.getLogger(__name__)

STORE_FILENAME: Final = "progress.sqlite3"


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
        self._db.row_factory = sqlite3.Row
        try:
            self._open()
        except BaseException:
            self._db.close()
            raise

    # ------------------------------------------------------------------ opening

    def _open(self) -> None:
        try:
            refuse_newer(read_version(self._db), self.path)
            problem = integrity_problem(self._db)
            if problem is not None:
                self._corrupt(problem)
            mode = self._db.execute("PRAGMA journal_mode=WAL").fetchone()["journal_mode"]
            if str(mode).lower() != "wal":
                logger.warning("progress store %s: journal mode is %s, not wal", self.path, mode)
            with self._lock:
                migrate(self._db, self.path)
        except sqlite3.DatabaseError as exc:
            if is_corruption(exc):
                self._corrupt(str(exc))
            raise StoreError(f"cannot open the progress store {self.path}: {exc}") from None

    def _corrupt(self, reason: str) -> NoReturn:
        """Copy the corrupt file (and its WAL) aside, unless an earlier copy holds it as it is,
        then raise; the original is left alone."""
        try:
            # Copy before closing: closing the last connection may checkpoint a WAL file into
            # the database, and the copy must hold the bytes as they were found.
            backup = backup_of(self.path) or backup_copy(self.path)
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
            check_rating(review.rating)
        with self._transaction() as db:
            row_id = insert_attempt(db, attempt, attempt.mock)
            if review is not None:
                self._review(db, review, attempt=row_id)
        return row_id

    def rate(
        self,
        attempt_id: int,
        rating: int,
        *,
        review: PendingReview | None = None,
        confirm: tuple[tuple[KeyPointMark, ...], float] | None = None,
    ) -> None:
        """Set the self-rating (1..4, else ``ValueError``) of an attempt, committed; with
        ``review``, store that review and the new card in the same transaction; with
        ``confirm``, also confirm its key points and score (see :meth:`confirm`).

        Raises :class:`StoreError` when there is no attempt ``attempt_id``.
        """
        check_rating(rating)
        if review is not None:
            check_rating(review.rating)
        with self._transaction() as db:
            cursor = db.execute("UPDATE attempts SET rating = ? WHERE id = ?", (rating, attempt_id))
            if cursor.rowcount == 0:
                raise StoreError(f"no attempt with id {attempt_id} in the progress store")
            if confirm is not None:
                self._confirm(db, attempt_id, *confirm)
            if review is not None:
                self._review(db, review, attempt=attempt_id)

    def confirm(self, attempt_id: int, key_points: tuple[KeyPointMark, ...], score: float) -> None:
        """Store the checklist of a concept attempt as confirmed by a person, with the score
        it earns (0..1, else ``ValueError``), committed. :class:`StoreError` when there is no
        concept attempt ``attempt_id``."""
        with self._transaction() as db:
            self._confirm(db, attempt_id, key_points, score)

    def _confirm(
        self,
        db: sqlite3.Connection,
        attempt_id: int,
        key_points: tuple[KeyPointMark, ...],
        score: float,
    ) -> None:
        if isinstance(score, bool) or not (isinstance(score, int | float) and 0 <= score <= 1):
            raise ValueError(f"score must be a number from 0 to 1, got {score!r}")
        cursor = db.execute(
            "UPDATE attempts SET key_points = ?, score = ?, confirmed = 1 "
            "WHERE id = ? AND kind = 'concept'",
            (key_points_json(tuple(key_points)), float(score), attempt_id),
        )
        if cursor.rowcount == 0:
            raise StoreError(f"no concept attempt with id {attempt_id} in the progress store")

    def attempts(self, question: str | None = None) -> list[Attempt]:
        """Every attempt, or every attempt at ``question``, oldest first."""
        with self._locked() as db:
            if question is None:
                rows = db.execute(
                    f"SELECT {ATTEMPT_COLUMNS} FROM attempts ORDER BY at, id"
                ).fetchall()
            else:
                rows = db.execute(
                    f"SELECT {ATTEMPT_COLUMNS} FROM attempts WHERE question = ? ORDER BY at, id",
                    (question,),
                ).fetchall()
        return [self._attempt(row) for row in rows]

    def last_attempt(self, question: str) -> Attempt | None:
        """The newest attempt at ``question``, or None."""
        with self._locked() as db:
            row = db.execute(
                f"SELECT {ATTEMPT_COLUMNS} FROM attempts WHERE question = ? "
                "ORDER BY at DESC, id DESC LIMIT 1",
                (question,),
            ).fetchone()
        return None if row is None else self._attempt(row)

    def _attempt(self, row: sqlite3.Row) -> Attempt:
        try:
            return attempt_from_row(row)
        except (TypeError, ValueError) as exc:
            raise StoreError(
                f"progress store {self.path}: attempt {row['id']} is invalid: {exc}"
            ) from None

    # ------------------------------------------------------------------ spaced repetition

    def cards(self) -> dict[str, CardRow]:
        """The scheduling state of every question seen in review, by ``DECK/QID``."""
        with self._locked() as db:
            rows = db.execute("SELECT question, card, due, introduced FROM cards").fetchall()
        return {row["question"]: CardRow.from_row(row) for row in rows}

    def adopt_retired(self, replacements: Mapping[str, str]) -> int:
        """Move the card (the review schedule) and the draft of each retired question to the
        question that replaces it, unless that one has its own; committed. Attempts and
        reviews keep the id they were recorded under. Returns how many rows moved."""
        moved = 0
        with self._transaction() as db:
            for old, new in replacements.items():
                for table in ("cards", "drafts"):
                    cursor = db.execute(
                        f"UPDATE {table} SET question = ? WHERE question = ? "
                        f"AND NOT EXISTS (SELECT 1 FROM {table} WHERE question = ?)",
                        (new, old, new),
                    )
                    moved += cursor.rowcount
        return moved

    def card(self, question: str) -> CardRow | None:
        """The scheduling state of ``question``, or None when it is new."""
        with self._locked() as db:
            row = db.execute(
                "SELECT question, card, due, introduced FROM cards WHERE question = ?",
                (question,),
            ).fetchone()
        return None if row is None else CardRow.from_row(row)

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
        check_rating(rating)
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
            before: str | None = row["card_before"]
        else:
            current = db.execute(
                "SELECT card FROM cards WHERE question = ?", (review.question,)
            ).fetchone()
            before = None if current is None else current["card"]
        card, due = review.schedule(before)
        db.execute(
            "INSERT INTO reviews (session, question, rating, at, card_before, attempt) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (session, question) DO UPDATE SET "
            "rating = excluded.rating, at = excluded.at, attempt = excluded.attempt",
            (review.session, review.question, review.rating, utc_text(review.at), before, attempt),
        )
        db.execute(
            "INSERT INTO cards (question, card, due, introduced) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (question) DO UPDATE SET card = excluded.card, due = excluded.due",
            (review.question, card, utc_text(due), utc_text(review.at)),
        )
        stored = db.execute(
            "SELECT question, card, due, introduced FROM cards WHERE question = ?",
            (review.question,),
        ).fetchone()
        return CardRow.from_row(stored)

    def reviews(self, since: datetime | None = None) -> list[Review]:
        """Every review (or those at or after ``since``), oldest first."""
        with self._locked() as db:
            rows = db.execute(
                "SELECT id, session, question, rating, at, card_before, attempt FROM reviews "
                "WHERE at >= ? ORDER BY at, id",
                (utc_text(since) if since is not None else "",),
            ).fetchall()
        return [Review.from_row(row) for row in rows]

    def introduced(self, start: datetime, end: datetime) -> int:
        """How many questions had their first review in ``[start, end)``."""
        with self._locked() as db:
            count: int = db.execute(
                "SELECT count(*) AS introduced FROM cards WHERE introduced >= ? AND introduced < ?",
                (utc_text(start), utc_text(end)),
            ).fetchone()["introduced"]
        return count

    # ------------------------------------------------------------------ settings

    def setting(self, key: str) -> str | None:
        """The saved value of setting ``key``, or None."""
        with self._locked() as db:
            row = db.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row["value"])

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
            (utc_text(at or _now()), json.dumps(config, sort_keys=True)),
            durable=True,
        )
        row_id = cursor.lastrowid
        assert row_id is not None
        return row_id

    def finish_mock(self, mock: int, scorecard: dict[str, Any], at: datetime | None = None) -> None:
        """Save the scorecard of mock interview ``mock``, committed."""
        cursor = self._write(
            "UPDATE mocks SET finished_at = ?, scorecard = ? WHERE id = ?",
            (utc_text(at or _now()), json.dumps(scorecard, sort_keys=True), mock),
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
        return [MockRecord.from_row(row) for row in rows]

    def mock(self, mock: int) -> MockRecord | None:
        """Mock interview ``mock``, or None."""
        with self._locked() as db:
            row = db.execute(
                "SELECT id, started_at, finished_at, config, scorecard FROM mocks WHERE id = ?",
                (mock,),
            ).fetchone()
        return None if row is None else MockRecord.from_row(row)

    def mock_attempts(self, mock: int) -> list[Attempt]:
        """The attempts given in mock interview ``mock``, oldest first."""
        with self._locked() as db:
            rows = db.execute(
                f"SELECT {ATTEMPT_COLUMNS} FROM attempts WHERE mock = ? ORDER BY at, id",
                (mock,),
            ).fetchall()
        return [self._attempt(row) for row in rows]

    # ------------------------------------------------------------------ moving progress

    def export_data(self) -> dict[str, Any]:
        """Everything in the store as one JSON-ready object (see :meth:`import_data`)."""
        from ._transfer import export_progress

        with self._locked() as db:
            return export_progress(db, exported_at=_now())

    def import_data(self, data: Any) -> dict[str, int]:
        """Merge an :meth:`export_data` object into this store, all or nothing.

        Nothing already here is lost or duplicated: attempts, reviews and mock interviews
        already present (same question, time and answer; same session and question; same start
        time) are skipped; a card is replaced only by one reviewed later; a draft only by a newer
        one; settings already set here are kept. Returns how many rows of each kind were added.
        Raises :class:`StoreError` naming the first bad entry, having changed nothing.
        """
        from ._transfer import merge_export, read_export

        export = read_export(data)
        with self._transaction() as db:
            return merge_export(db, export)

    # ------------------------------------------------------------------ drafts

    def save_draft(self, question: str, text: str) -> None:
        """Keep ``text`` as the draft answer to ``question`` (replacing any), committed."""
        self._write(
            "INSERT INTO drafts (question, text, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (question) DO UPDATE SET text = excluded.text, "
            "updated_at = excluded.updated_at",
            (question, text, utc_text(_now())),
            durable=False,
        )

    def draft(self, question: str) -> str | None:
        """The saved draft answer to ``question``, or None."""
        with self._locked() as db:
            row = db.execute("SELECT text FROM drafts WHERE question = ?", (question,)).fetchone()
        return None if row is None else str(row["text"])

    def delete_draft(self, question: str) -> None:
        """Forget the draft answer to ``question`` (nothing happens if there is none)."""
        self._write("DELETE FROM drafts WHERE question = ?", (question,), durable=False)

    # ------------------------------------------------------------------ lifetime

    @property
    def schema_version(self) -> int:
        """The file's ``PRAGMA user_version``."""
        with self._locked() as db:
            return read_version(db)

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
