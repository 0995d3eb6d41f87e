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

import logging
import math
import sqlite3
import threading
from collections.abc import Iterator, Sequence
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
)
SCHEMA_VERSION: Final = len(MIGRATIONS)
"""The schema version this code writes (``PRAGMA user_version``)."""

_CORRUPTION_CODES: Final = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})
_ATTEMPT_COLUMNS: Final = "id, question, kind, answer, verdict, score, rating, seconds, hints, at"


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

    def __post_init__(self) -> None:
        where = f"attempt at {self.question!r}"
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

    def record(self, attempt: Attempt) -> int:
        """Insert ``attempt`` (its ``id`` is ignored) and commit; returns the new row id."""
        cursor = self._write(
            "INSERT INTO attempts (question, kind, answer, verdict, score, rating, seconds, "
            "hints, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
            ),
            durable=True,
        )
        row_id = cursor.lastrowid
        assert row_id is not None  # an INSERT always sets it
        return row_id

    def rate(self, attempt_id: int, rating: int) -> None:
        """Set the self-rating (1..4, else ``ValueError``) of an attempt, committed.

        Raises :class:`StoreError` when there is no attempt ``attempt_id``.
        """
        _check_rating(rating)
        cursor = self._write(
            "UPDATE attempts SET rating = ? WHERE id = ?", (rating, attempt_id), durable=True
        )
        if cursor.rowcount == 0:
            raise StoreError(f"no attempt with id {attempt_id} in the progress store")

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
        row_id, question, kind, answer, verdict, score, rating, seconds, hints, at = row
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
            )
        except (TypeError, ValueError) as exc:
            raise StoreError(
                f"progress store {self.path}: attempt {row_id} is invalid: {exc}"
            ) from None

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
