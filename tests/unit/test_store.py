"""The progress store: round trips, durability, schema versions, corruption, crash safety."""

from __future__ import annotations

import dataclasses
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quiz.progress.store import (
    CORRUPT_SUFFIX,
    SCHEMA_VERSION,
    STORE_FILENAME,
    Attempt,
    Store,
    StoreError,
    _backup_copy,
)

REPO = Path(__file__).resolve().parents[2]
T0 = datetime(2025, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)


def concept(question: str = "inception-1x1/q1", **changes: object) -> Attempt:
    fields: dict[str, object] = {
        "question": question,
        "kind": "concept",
        "answer": "reduces channels",
        "verdict": "rated",
        "score": 1 / 3,
        "at": T0,
    }
    fields.update(changes)
    return Attempt(**fields)  # type: ignore[arg-type]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / STORE_FILENAME) as opened:
        yield opened


def raw_count(path: Path) -> int:
    """Rows in ``attempts`` as a separate connection sees them."""
    with sqlite3.connect(path) as other:
        count: int = other.execute("SELECT count(*) FROM attempts").fetchone()[0]
    other.close()
    return count


def user_version(path: Path) -> int:
    other = sqlite3.connect(path)
    try:
        version: int = other.execute("PRAGMA user_version").fetchone()[0]
    finally:
        other.close()
    return version


# --------------------------------------------------------------------------- attempts


def test_record_and_read_back_every_field(store: Store) -> None:
    given_attempts = [
        concept(rating=3, seconds=42.25, hints=2),
        Attempt(
            question="inception-1x1/q6",
            kind="numeric",
            answer=json.dumps(["73,728", "576", "8192", "8768", "0.5"]),
            verdict="partial",
            score=0.8,
            seconds=0.0,
            at=T0 + timedelta(seconds=1),
        ),
        Attempt(
            question="mini/pick",
            kind="choice",
            answer="[0, 2]",
            verdict="wrong",
            score=0.0,
            at=T0 + timedelta(seconds=2),
        ),
        Attempt(
            question="inception-1x1/q10",
            kind="code",
            answer="import torch\n\nclass SeparableConv2d: ...\n",
            verdict="fail",
            score=0.75,
            hints=1,
            at=T0 + timedelta(seconds=3),
        ),
    ]
    ids = [store.record(attempt) for attempt in given_attempts]

    assert len(set(ids)) == 4
    assert store.attempts() == [
        dataclasses.replace(attempt, id=row_id)
        for attempt, row_id in zip(given_attempts, ids, strict=True)
    ]
    assert store.attempts("inception-1x1/q6") == [dataclasses.replace(given_attempts[1], id=ids[1])]
    assert store.attempts("nobody/nothing") == []


def test_attempts_are_oldest_first_and_last_attempt_is_the_newest(store: Store) -> None:
    late = store.record(concept(answer="late", at=T0 + timedelta(hours=1)))
    early = store.record(concept(answer="early", at=T0))
    store.record(concept("other/q", answer="elsewhere", at=T0 + timedelta(hours=2)))

    assert [a.answer for a in store.attempts("inception-1x1/q1")] == ["early", "late"]
    last = store.last_attempt("inception-1x1/q1")
    assert last is not None
    assert (last.id, last.answer) == (late, "late")
    assert early != late
    assert store.last_attempt("nobody/nothing") is None


def test_timestamps_are_stored_as_iso_8601_utc(store: Store) -> None:
    paris = timezone(timedelta(hours=1))
    attempt = concept(at=datetime(2025, 3, 1, 10, 30, 15, 123456, tzinfo=paris))
    assert attempt.at.tzinfo == UTC
    assert attempt.at == T0
    store.record(attempt)

    with sqlite3.connect(store.path) as other:
        (stored,) = other.execute("SELECT at FROM attempts").fetchone()
    other.close()
    assert stored == "2025-03-01T09:30:15.123456+00:00"
    assert store.attempts()[0].at == T0
    assert store.attempts()[0].at.tzinfo == UTC


def test_the_default_time_is_now_in_utc() -> None:
    before = datetime.now(UTC)
    attempt = Attempt(question="d/q", kind="code", answer="", verdict="pass", score=1.0)
    assert before <= attempt.at <= datetime.now(UTC)
    assert attempt.at.tzinfo == UTC


def test_every_record_is_visible_to_a_second_connection_at_once(store: Store) -> None:
    second = Store(store.path)
    try:
        for expected in range(1, 6):
            row_id = store.record(concept(answer=f"answer {expected}"))
            # A plain connection, as another program would open it, and a second Store.
            assert raw_count(store.path) == expected
            assert [a.id for a in second.attempts()][-1] == row_id
    finally:
        second.close()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"kind": "essay"}, "kind must be one of"),
        ({"verdict": "correct"}, "a concept verdict is one of rated"),
        ({"kind": "code", "verdict": "rated"}, "a code verdict is one of pass, fail, error"),
        ({"score": 1.5}, "score must be a number from 0 to 1"),
        ({"score": -0.1}, "score must be a number from 0 to 1"),
        ({"score": float("nan")}, "score must be a number from 0 to 1"),
        ({"rating": 0}, "a rating is an integer from 1 to 4"),
        ({"rating": 5}, "a rating is an integer from 1 to 4"),
        ({"seconds": -1.0}, "seconds must be a finite number >= 0"),
        ({"seconds": float("inf")}, "seconds must be a finite number >= 0"),
        ({"hints": -1}, "hints must be an integer >= 0"),
        ({"at": datetime(2025, 3, 1, 9, 30)}, "timezone-aware"),
    ],
)
def test_an_attempt_the_store_cannot_hold_is_refused(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        concept(**changes)


# --------------------------------------------------------------------------- rating


def test_rate_sets_the_rating_and_commits(store: Store) -> None:
    row_id = store.record(concept())
    store.rate(row_id, 3)

    with sqlite3.connect(store.path) as other:
        assert other.execute("SELECT rating FROM attempts WHERE id = ?", (row_id,)).fetchone() == (
            3,
        )
    other.close()
    store.rate(row_id, 1)
    assert store.attempts()[0].rating == 1


@pytest.mark.parametrize("rating", [0, 5, -1, True, 2.0, "3", None])
def test_rate_refuses_a_rating_outside_one_to_four(store: Store, rating: object) -> None:
    row_id = store.record(concept())
    with pytest.raises(ValueError, match="a rating is an integer from 1 to 4"):
        store.rate(row_id, rating)  # type: ignore[arg-type]
    assert store.attempts()[0].rating is None


def test_rating_an_unknown_attempt_is_an_error(store: Store) -> None:
    with pytest.raises(StoreError, match="no attempt with id 99"):
        store.rate(99, 3)


# --------------------------------------------------------------------------- drafts


def test_drafts_upsert_read_and_delete(store: Store) -> None:
    assert store.draft("inception-1x1/q10") is None
    store.save_draft("inception-1x1/q10", "class SeparableConv2d:")
    store.save_draft("inception-1x1/q10", "class SeparableConv2d(nn.Module):")
    store.save_draft("inception-1x1/q1", "bottleneck")

    assert store.draft("inception-1x1/q10") == "class SeparableConv2d(nn.Module):"
    assert store.draft("inception-1x1/q1") == "bottleneck"
    with sqlite3.connect(store.path) as other:
        assert other.execute("SELECT count(*) FROM drafts").fetchone() == (2,)
    other.close()

    store.delete_draft("inception-1x1/q10")
    store.delete_draft("inception-1x1/q10")  # deleting what is not there is fine
    assert store.draft("inception-1x1/q10") is None
    assert store.draft("inception-1x1/q1") == "bottleneck"


def test_drafts_survive_closing_and_reopening(tmp_path: Path) -> None:
    path = tmp_path / STORE_FILENAME
    with Store(path) as first:
        first.save_draft("d/q", "half an answer")
    with Store(path) as second:
        assert second.draft("d/q") == "half an answer"


@given(
    answer=st.text(max_size=300),
    draft=st.text(max_size=300),
    score=st.floats(0, 1),
    seconds=st.none() | st.floats(0, 1e6),
)
def test_text_and_numbers_round_trip_exactly(
    tmp_path_factory: pytest.TempPathFactory,
    answer: str,
    draft: str,
    score: float,
    seconds: float | None,
) -> None:
    with Store(tmp_path_factory.mktemp("store") / STORE_FILENAME) as store:
        attempt = concept(answer=answer, score=score, seconds=seconds)
        row_id = store.record(attempt)
        store.save_draft("d/q", draft)
        assert store.attempts() == [dataclasses.replace(attempt, id=row_id)]
        assert store.draft("d/q") == draft


# --------------------------------------------------------------------------- schema


def test_a_new_store_goes_in_the_data_home(quiz_home: Path) -> None:
    with Store() as store:
        assert store.path == quiz_home / STORE_FILENAME
        store.record(concept())
    assert (quiz_home / STORE_FILENAME).is_file()


def test_a_missing_folder_is_created(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / STORE_FILENAME
    with Store(path) as store:
        store.save_draft("d/q", "x")
    assert path.is_file()


def test_migrating_an_empty_file_sets_the_version_and_wal(tmp_path: Path) -> None:
    path = tmp_path / STORE_FILENAME
    path.touch()  # an empty file is an empty SQLite database
    assert user_version(path) == 0

    with Store(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        with sqlite3.connect(path) as other:
            tables = {
                name
                for (name,) in other.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")
            }
            indexes = {
                name
                for (name,) in other.execute("SELECT name FROM sqlite_schema WHERE type = 'index'")
            }
            (mode,) = other.execute("PRAGMA journal_mode").fetchone()
        other.close()

    assert user_version(path) == SCHEMA_VERSION >= 1
    assert {"attempts", "drafts"} <= tables
    assert {"attempts_by_question", "attempts_by_time"} <= indexes
    assert mode == "wal"


def test_reopening_a_current_store_keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / STORE_FILENAME
    with Store(path) as first:
        row_id = first.record(concept())
    with Store(path) as second:
        assert [a.id for a in second.attempts()] == [row_id]
        assert second.schema_version == SCHEMA_VERSION


def test_a_store_from_a_newer_version_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / STORE_FILENAME
    newer = SCHEMA_VERSION + 1
    other = sqlite3.connect(path)
    other.execute("CREATE TABLE future (x)")
    other.execute(f"PRAGMA user_version = {newer}")
    other.commit()
    other.close()
    before = path.read_bytes()

    with pytest.raises(StoreError, match="newer mlquiz") as raised:
        Store(path)

    assert f"schema version {newer}" in str(raised.value)
    assert "\n" not in str(raised.value)
    assert user_version(path) == newer
    assert path.read_bytes() == before
    assert not list(tmp_path.glob(f"*{CORRUPT_SUFFIX}*"))


# --------------------------------------------------------------------------- corruption


def _random_bytes(path: Path) -> None:
    path.write_bytes(random.Random(1).randbytes(64 * 1024))


def _broken_page_header(path: Path) -> None:
    with Store(path) as store:
        for number in range(300):
            store.record(concept(f"d/q{number % 7}", answer="x" * 200))
    data = bytearray(path.read_bytes())
    last_page = len(data) - 4096
    data[last_page : last_page + 8] = b"\x0d" + b"\xff" * 7  # a b-tree header that lies
    path.write_bytes(bytes(data))


def _index_out_of_step(path: Path) -> None:
    # Readable, but PRAGMA integrity_check reports rows (rather than raising).
    with Store(path) as store:
        for number in range(5):
            store.record(concept(answer=f"answer {5 - number}"))
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("PRAGMA writable_schema = ON")
    other.execute(
        "UPDATE sqlite_schema SET sql = 'CREATE INDEX attempts_by_time ON attempts (answer)' "
        "WHERE name = 'attempts_by_time'"
    )
    other.close()


@pytest.mark.parametrize("corrupt", [_random_bytes, _broken_page_header, _index_out_of_step])
def test_a_corrupt_store_is_backed_up_and_reported_never_reset(
    tmp_path: Path, corrupt: Callable[[Path], None]
) -> None:
    path = tmp_path / STORE_FILENAME
    corrupt(path)
    original = path.read_bytes()

    with pytest.raises(StoreError) as raised:
        Store(path)

    backups = list(tmp_path.glob(f"{STORE_FILENAME}{CORRUPT_SUFFIX}*"))
    assert len(backups) == 1
    backup = backups[0]
    message = str(raised.value)
    assert "corrupt" in message
    assert str(backup) in message
    assert "to start a new store" in message
    assert "\n" not in message
    assert backup.read_bytes() == original
    assert path.read_bytes() == original  # nothing reset, nothing deleted


def test_a_store_found_corrupt_again_and_again_is_copied_aside_once(tmp_path: Path) -> None:
    path = tmp_path / STORE_FILENAME
    _random_bytes(path)
    messages = []
    for _ in range(3):
        with pytest.raises(StoreError, match="corrupt") as raised:
            Store(path)
        messages.append(str(raised.value))
    [backup] = tmp_path.glob(f"{STORE_FILENAME}{CORRUPT_SUFFIX}*")
    assert backup.read_bytes() == path.read_bytes()
    assert all(f"a copy is at {backup}" in message for message in messages)


def test_a_corrupt_store_that_changed_since_its_copy_is_copied_again(tmp_path: Path) -> None:
    path = tmp_path / STORE_FILENAME
    _random_bytes(path)
    with pytest.raises(StoreError, match="corrupt"):
        Store(path)
    [first] = tmp_path.glob(f"{STORE_FILENAME}{CORRUPT_SUFFIX}*")
    kept = first.read_bytes()
    path.write_bytes(b"other garbage" * 1000)
    with pytest.raises(StoreError, match="corrupt"):
        Store(path)
    backups = set(tmp_path.glob(f"{STORE_FILENAME}{CORRUPT_SUFFIX}*"))
    assert len(backups) == 2
    [second] = backups - {first}
    assert first.read_bytes() == kept  # never overwritten
    assert second.read_bytes() == b"other garbage" * 1000
    # A WAL file found beside the same main file is new data too: copied again, with it.
    path.with_name(STORE_FILENAME + "-wal").write_bytes(b"wal frames")
    with pytest.raises(StoreError, match="corrupt"):
        Store(path)
    [third] = {
        b
        for b in tmp_path.glob(f"{STORE_FILENAME}{CORRUPT_SUFFIX}*")
        if not b.name.endswith("-wal")
    } - backups
    assert third.with_name(third.name + "-wal").read_bytes() == b"wal frames"


def test_a_backup_takes_the_wal_along_and_never_overwrites(tmp_path: Path) -> None:
    # Committed data may still sit in the -wal file; a backup without it would lose that data.
    path = tmp_path / STORE_FILENAME
    path.write_bytes(b"main file")
    path.with_name(STORE_FILENAME + "-wal").write_bytes(b"wal frames")

    first = _backup_copy(path)
    second = _backup_copy(path)

    assert first != second
    for backup in (first, second):
        assert backup.name.startswith(STORE_FILENAME + CORRUPT_SUFFIX)
        assert backup.read_bytes() == b"main file"
        assert backup.with_name(backup.name + "-wal").read_bytes() == b"wal frames"
    assert path.read_bytes() == b"main file"


def test_after_moving_a_corrupt_store_away_a_new_one_starts(tmp_path: Path) -> None:
    path = tmp_path / STORE_FILENAME
    _random_bytes(path)
    with pytest.raises(StoreError):
        Store(path)
    path.unlink()
    with Store(path) as store:
        assert store.attempts() == []


def test_a_folder_where_the_file_should_be_is_an_error_not_a_corruption(tmp_path: Path) -> None:
    path = tmp_path / STORE_FILENAME
    path.mkdir()
    with pytest.raises(StoreError, match="cannot open the progress store"):
        Store(path)
    assert not list(tmp_path.glob(f"*{CORRUPT_SUFFIX}*"))


# --------------------------------------------------------------------------- lifetime


def test_a_closed_store_says_so(tmp_path: Path) -> None:
    with Store(tmp_path / STORE_FILENAME) as store:
        pass
    store.close()  # closing twice is fine
    with pytest.raises(StoreError, match="is closed"):
        store.record(concept())
    with pytest.raises(StoreError, match="is closed"):
        store.draft("d/q")


def test_a_worker_thread_can_record_while_the_ui_thread_saves_drafts(store: Store) -> None:
    errors: list[BaseException] = []

    def worker(number: int) -> None:
        try:
            for index in range(20):
                store.record(concept(f"d/w{number}", answer=str(index)))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    for index in range(50):
        store.save_draft("d/ui", f"draft {index}")
    for thread in threads:
        thread.join()

    assert errors == []
    assert raw_count(store.path) == 60
    for number in range(3):
        assert [a.answer for a in store.attempts(f"d/w{number}")] == [str(i) for i in range(20)]
    assert store.draft("d/ui") == "draft 49"


# --------------------------------------------------------------------------- crash safety

CHILD = textwrap.dedent(
    """
    import os, signal, sqlite3, sys
    from pathlib import Path
    from quiz.progress.store import Attempt, Store

    path = Path(sys.argv[1])
    store = Store(path)
    for number in range(3):
        store.record(Attempt(question=f"d/q{number}", kind="code", answer=f"answer {number}",
                             verdict="pass", score=1.0))

    # A 4th write, killed half way: inserted, not committed. The row is large and the page
    # cache tiny, so uncommitted pages spill into the WAL file before the kill.
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("PRAGMA cache_size = 2")
    raw.execute("BEGIN IMMEDIATE")
    raw.execute(
        "INSERT INTO attempts (question, kind, answer, verdict, score, hints, at) "
        "VALUES ('d/q3', 'code', ?, 'pass', 1.0, 0, '2025-01-01T00:00:00.000000+00:00')",
        ("x" * 2_000_000,),
    )
    print(os.path.getsize(str(path) + "-wal"), flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
    print("still alive", flush=True)
    """
)


@pytest.mark.slow  # starts and kills a real process
@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_process_killed_mid_transaction_loses_nothing_committed(tmp_path: Path) -> None:
    path = tmp_path / STORE_FILENAME
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )

    assert child.returncode == -signal.SIGKILL, child.stderr
    assert "still alive" not in child.stdout
    wal_size = int(child.stdout.strip())
    assert wal_size > 1_000_000, "the uncommitted row should have spilled into the WAL"

    with Store(path) as store:
        attempts = store.attempts()
    assert [(a.question, a.answer) for a in attempts] == [
        (f"d/q{number}", f"answer {number}") for number in range(3)
    ]
