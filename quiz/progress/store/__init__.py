"""The progress store: every answer given, and unsent drafts, in one SQLite file.

Provides

- :class:`Attempt`, one answer to one question (what was given, the verdict, the score, the
  self-rating, time and hints, a concept answer's key-point checklist), a frozen dataclass
  that validates itself, and the other records
  the store reads back (:class:`CardRow`, :class:`Review`, :class:`MockRecord`);
- :class:`Store`, the SQLite database at ``data_home() / "progress.sqlite3"``: record and rate
  attempts, read them back, keep a draft per question, the spaced-repetition cards and
  reviews, settings and mock interviews, and move all of it to another store
  (:meth:`Store.export_data`, :meth:`Store.import_data`);
- :class:`StoreError`, the one exception this package raises on purpose, with a one-line
  message.

The parts: ``_records`` (the records and their vocabularies), ``_schema`` (migrations and the
checks made on opening a file), ``_store`` (the :class:`Store`), ``_transfer`` (the export
file, written, checked and merged; imported when progress is moved, as building its pydantic
models costs every start of ``quiz`` several milliseconds otherwise).
"""

from ._records import (
    KINDS,
    MODES,
    VERDICTS,
    Attempt,
    CardRow,
    KeyPointMark,
    MockRecord,
    PendingReview,
    Review,
    StoreError,
    Verdict,
    aware_time,
)
from ._schema import (
    CORRUPT_SUFFIX,
    EXPORT_FORMAT,
    EXPORT_VERSION,
    MIGRATIONS,
    SCHEMA_VERSION,
    backup_copy,
)
from ._store import STORE_FILENAME, Store

_backup_copy = backup_copy
"""Private: the corruption tests back a file up as the store does."""

__all__ = [
    "CORRUPT_SUFFIX",
    "EXPORT_FORMAT",
    "EXPORT_VERSION",
    "KINDS",
    "MIGRATIONS",
    "MODES",
    "SCHEMA_VERSION",
    "STORE_FILENAME",
    "VERDICTS",
    "Attempt",
    "CardRow",
    "KeyPointMark",
    "MockRecord",
    "PendingReview",
    "Review",
    "Store",
    "StoreError",
    "Verdict",
    "aware_time",
]
