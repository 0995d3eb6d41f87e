"""The store's schema, the export file's version, and the checks made on opening a file.

Provides :data:`MIGRATIONS` and :data:`SCHEMA_VERSION`; :func:`migrate`, which brings a file up
to that version once, even with two programs opening it at the same moment; the refusal of a
file written by a newer mlquiz; the integrity check; the copy a corrupt file gets
(:func:`backup_copy`, :data:`CORRUPT_SUFFIX`) before it is reported, made once however often
the file is opened (:func:`backup_of`); and
:data:`EXPORT_FORMAT` and :data:`EXPORT_VERSION`, what ``quiz export`` writes.

``PRAGMA user_version`` holds the schema version; the migrations are applied in order, each
in a transaction. A newer file is refused, never downgraded; a corrupt file is copied aside
and reported, never silently replaced.
"""

from __future__ import annotations

import filecmp
import logging
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from ._records import StoreError

logger = logging.getLogger(__name__)

CORRUPT_SUFFIX: Final = ".corrupt-"
"""A corrupt store is copied to ``<file>.corrupt-<UTC timestamp>``."""

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
    (
        # Version 3: a concept attempt keeps its key points as a checklist (JSON: each point
        # with whether the matcher found it and whether it is ticked), and whether the learner
        # or the interviewer confirmed the ticks (else they are the matcher's suggestion).
        "ALTER TABLE attempts ADD COLUMN key_points TEXT",
        "ALTER TABLE attempts ADD COLUMN confirmed INTEGER NOT NULL DEFAULT 0 "
        "CHECK (confirmed IN (0, 1))",
    ),
)
SCHEMA_VERSION: Final = len(MIGRATIONS)
"""The schema version this code writes (``PRAGMA user_version``)."""

EXPORT_FORMAT: Final = "mlquiz-progress"
EXPORT_VERSION: Final = 1
"""``quiz export`` writes this format and version; ``quiz import-progress`` reads it."""

_CORRUPTION_CODES: Final = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})


def read_version(db: sqlite3.Connection) -> int:
    """The file's ``PRAGMA user_version``.

    Reading the header is the first access to the file; "file is not a database" or
    "database disk image is malformed" surface here as ``sqlite3.DatabaseError``.
    """
    version: int = db.execute("PRAGMA user_version").fetchone()["user_version"]
    return version


def refuse_newer(version: int, path: Path) -> None:
    """Raise :class:`StoreError` when ``version`` is newer than this code's schema."""
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"the progress store {path} was written by a newer mlquiz (schema version "
            f"{version}; this one knows up to {SCHEMA_VERSION}); upgrade mlquiz to use it"
        )


def integrity_problem(db: sqlite3.Connection) -> str | None:
    """The first problem ``PRAGMA integrity_check`` finds, or None when the file is sound."""
    found = [row["integrity_check"] for row in db.execute("PRAGMA integrity_check")]
    if found == ["ok"]:
        return None
    return f"integrity check failed: {found[0] if found else 'no result'}"


def migrate(db: sqlite3.Connection, path: Path) -> None:
    """Bring the file to :data:`SCHEMA_VERSION` in one transaction (nothing to do when it is
    there already); the caller serialises use of ``db``."""
    if read_version(db) == SCHEMA_VERSION:
        return
    # IMMEDIATE takes the write lock first, so two programs opening a new store at the same
    # moment migrate it once; the version is read again under that lock.
    db.execute("BEGIN IMMEDIATE")
    try:
        version = read_version(db)
        refuse_newer(version, path)
        for number in range(version + 1, SCHEMA_VERSION + 1):
            for statement in MIGRATIONS[number - 1]:
                db.execute(statement)
            logger.info("progress store %s: migrated to version %d", path, number)
        # PRAGMA does not take parameters; SCHEMA_VERSION is our own integer.
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION:d}")
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise


def is_corruption(exc: sqlite3.DatabaseError) -> bool:
    """Whether ``exc`` says the file is corrupt or not a database at all."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return (code & 0xFF) in _CORRUPTION_CODES
    message = str(exc).lower()
    return "not a database" in message or "malformed" in message


def backup_copy(path: Path) -> Path:
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


def backup_of(path: Path) -> Path | None:
    """An earlier :func:`backup_copy` of ``path`` that still holds its bytes as they are now
    (and its ``-wal`` file's, if not empty); None when there is none. A corrupt file opened
    again and again is then copied aside once, not once per attempt."""
    wal = path.with_name(path.name + "-wal")
    wal_in_use = wal.is_file() and wal.stat().st_size > 0
    backups = sorted(path.parent.glob(f"{path.name}{CORRUPT_SUFFIX}*"), reverse=True)
    for backup in backups:
        if backup.name.endswith("-wal") or not backup.is_file():
            continue
        backup_wal = backup.with_name(backup.name + "-wal")
        try:
            if not filecmp.cmp(path, backup, shallow=False):
                continue
            if wal_in_use:
                if backup_wal.is_file() and filecmp.cmp(wal, backup_wal, shallow=False):
                    return backup
            elif not backup_wal.exists():
                return backup
        except OSError:  # an earlier copy that cannot be read holds nothing for sure
            continue
    return None


def _copy_exclusive(source: Path, target: Path) -> None:
    with source.open("rb") as reader, target.open("xb") as writer:
        while chunk := reader.read(1 << 20):
            writer.write(chunk)
