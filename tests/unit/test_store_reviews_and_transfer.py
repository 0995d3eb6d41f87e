"""The progress store, schema version 2: migration, reviews and cards, settings, mock
interviews, and moving progress between stores (export, import, merge)."""

from __future__ import annotations

import copy
import json
import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import quiz.progress.store
from quiz.progress.scheduling import Scheduler
from quiz.progress.store import (
    EXPORT_FORMAT,
    EXPORT_VERSION,
    MIGRATIONS,
    SCHEMA_VERSION,
    STORE_FILENAME,
    Attempt,
    PendingReview,
    Store,
    StoreError,
)

T0 = datetime(2025, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)
TABLES = ("attempts", "drafts", "mocks", "cards", "reviews", "settings")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / STORE_FILENAME) as opened:
        yield opened


def open_store(folder: Path) -> Store:
    folder.mkdir(parents=True, exist_ok=True)
    return Store(folder / STORE_FILENAME)


def numeric(question: str = "d/n", at: datetime = T0, **changes: Any) -> Attempt:
    fields: dict[str, Any] = {
        "question": question,
        "kind": "numeric",
        "answer": '["72"]',
        "verdict": "correct",
        "score": 1.0,
        "seconds": 12.5,
        "at": at,
    }
    fields.update(changes)
    return Attempt(**fields)


def row_counts(path: Path) -> dict[str, int]:
    """Rows in every table, as a separate connection sees them."""
    other = sqlite3.connect(path)
    try:
        return {
            table: other.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in TABLES
        }
    finally:
        other.close()


def without_time(export: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in export.items() if key != "exported_at"}


class FixedSchedule:
    """A ``schedule`` for :meth:`Store.review` that gives a set card and due time, and
    remembers the cards it was given."""

    def __init__(self, card: str, due: datetime) -> None:
        self.card, self.due = card, due
        self.seen: list[str | None] = []

    def __call__(self, before: str | None) -> tuple[str, datetime]:
        self.seen.append(before)
        return self.card, self.due


# --------------------------------------------------------------------------- migration


def write_version_1(path: Path) -> None:
    other = sqlite3.connect(path, isolation_level=None)
    try:
        for statement in MIGRATIONS[0]:
            other.execute(statement)
        other.execute(
            "INSERT INTO attempts (question, kind, answer, verdict, score, rating, seconds, "
            "hints, at) VALUES ('inception-1x1/q1', 'concept', 'bottleneck', 'rated', 0.5, 3, "
            "20.0, 1, '2024-12-31T23:59:59.000001+00:00')"
        )
        other.execute("INSERT INTO drafts VALUES ('d/q', 'half', '2025-01-01T00:00:00+00:00')")
        other.execute("PRAGMA user_version = 1")
    finally:
        other.close()


def table_names(path: Path) -> set[str]:
    other = sqlite3.connect(path)
    try:
        return {
            name for (name,) in other.execute("SELECT name FROM sqlite_schema WHERE type='table'")
        }
    finally:
        other.close()


def test_a_version_1_store_opens_at_the_latest_version_with_its_data(tmp_path: Path) -> None:
    path = tmp_path / STORE_FILENAME
    write_version_1(path)
    assert "cards" not in table_names(path)

    with Store(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        [old] = store.attempts()
        assert old == Attempt(
            question="inception-1x1/q1",
            kind="concept",
            answer="bottleneck",
            verdict="rated",
            score=0.5,
            rating=3,
            seconds=20.0,
            hints=1,
            at=datetime(2024, 12, 31, 23, 59, 59, 1, tzinfo=UTC),
            id=old.id,
        )
        assert (old.mode, old.mock) == ("practice", None)
        assert store.draft("d/q") == "half"

        # Every new table is usable.
        mock = store.start_mock({"decks": ["d"]}, at=T0)
        store.record(numeric(mode="mock", mock=mock))
        store.set_setting("new_per_day", "3")
        store.review(
            session="s",
            question="d/n",
            rating=3,
            at=T0,
            attempt=None,
            schedule=FixedSchedule("{}", T0 + timedelta(days=2)),
        )
        assert [a.mock for a in store.mock_attempts(mock)] == [mock]
        assert store.setting("new_per_day") == "3"
        assert len(store.reviews()) == 1
        assert set(store.cards()) == {"d/n"}

    assert {"attempts", "drafts", "mocks", "cards", "reviews", "settings"} <= table_names(path)
    with Store(path) as again:  # reopening does not migrate twice
        assert again.schema_version == SCHEMA_VERSION
        assert len(again.attempts()) == 2


def test_a_failed_migration_changes_nothing(tmp_path: Path) -> None:
    # A version 1 file that happens to hold a table version 2 creates later in its migration.
    path = tmp_path / STORE_FILENAME
    write_version_1(path)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("CREATE TABLE cards (x)")
    other.close()

    with pytest.raises(StoreError, match="cannot open the progress store"):
        Store(path)

    other = sqlite3.connect(path)
    try:
        assert other.execute("PRAGMA user_version").fetchone() == (1,)
        columns = {row[1] for row in other.execute("PRAGMA table_info(attempts)")}
    finally:
        other.close()
    assert "mode" not in columns  # the ALTER TABLE before the failure was rolled back
    assert "mocks" not in table_names(path)


def test_a_new_store_starts_at_the_latest_version(tmp_path: Path) -> None:
    path = tmp_path / STORE_FILENAME
    with Store(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert store.cards() == {}
        assert store.reviews() == []
        assert store.mocks() == []
    assert set(TABLES) <= table_names(path)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"mode": "exam"}, "mode must be one of practice, review, mock"),
        ({"mode": "mock"}, "a mock attempt, and only one, names its mock interview"),
        ({"mock": 3}, "a mock attempt, and only one, names its mock interview"),
        ({"mode": "review", "mock": 3}, "a mock attempt, and only one"),
    ],
)
def test_an_attempt_with_a_bad_mode_or_mock_is_refused(
    changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        numeric(**changes)


def test_modes_round_trip(store: Store) -> None:
    mock = store.start_mock({}, at=T0)
    given_modes = [("practice", None), ("review", None), ("mock", mock)]
    for offset, (mode, mock_id) in enumerate(given_modes):
        store.record(numeric(at=T0 + timedelta(seconds=offset), mode=mode, mock=mock_id))
    assert [(a.mode, a.mock) for a in store.attempts()] == given_modes


# --------------------------------------------------------------------------- review()


def test_a_first_review_stores_no_card_before_and_a_card(store: Store) -> None:
    attempt = store.record(numeric())
    schedule = FixedSchedule('{"n": 1}', T0 + timedelta(days=2))

    row = store.review(
        session="s1", question="d/n", rating=3, at=T0, attempt=attempt, schedule=schedule
    )

    assert schedule.seen == [None]
    assert (row.question, row.card, row.due, row.introduced) == (
        "d/n",
        '{"n": 1}',
        T0 + timedelta(days=2),
        T0,
    )
    assert store.card("d/n") == row
    assert store.cards() == {"d/n": row}
    assert store.card("d/other") is None
    [review] = store.reviews()
    assert (review.session, review.question, review.rating, review.at) == ("s1", "d/n", 3, T0)
    assert (review.card_before, review.attempt) == (None, attempt)


def test_a_second_review_in_a_session_replaces_it_from_the_same_card_before(store: Store) -> None:
    store.review(
        session="old",
        question="d/n",
        rating=3,
        at=T0,
        attempt=None,
        schedule=FixedSchedule('{"n": 0}', T0 + timedelta(days=1)),
    )
    later = T0 + timedelta(days=2)
    first = FixedSchedule('{"n": 1}', later + timedelta(days=1))
    second = FixedSchedule('{"n": 2}', later + timedelta(days=5))

    store.review(session="s", question="d/n", rating=1, at=later, attempt=7, schedule=first)
    row = store.review(
        session="s",
        question="d/n",
        rating=2,
        at=later + timedelta(minutes=1),
        attempt=8,
        schedule=second,
    )

    # Both ratings were computed from the card as it was before session "s".
    assert first.seen == second.seen == ['{"n": 0}']
    reviews = [r for r in store.reviews() if r.session == "s"]
    assert len(reviews) == 1
    assert (reviews[0].rating, reviews[0].attempt, reviews[0].card_before) == (2, 8, '{"n": 0}')
    assert reviews[0].at == later + timedelta(minutes=1)
    assert (row.card, row.due) == ('{"n": 2}', later + timedelta(days=5))
    assert row.introduced == T0  # the first review ever, not this one
    assert row_counts(store.path)["reviews"] == 2


def test_a_new_session_starts_from_the_stored_card(store: Store) -> None:
    store.review(
        session="s1",
        question="d/n",
        rating=3,
        at=T0,
        attempt=None,
        schedule=FixedSchedule('{"n": 1}', T0 + timedelta(days=2)),
    )
    schedule = FixedSchedule('{"n": 2}', T0 + timedelta(days=9))
    store.review(
        session="s2",
        question="d/n",
        rating=4,
        at=T0 + timedelta(days=2),
        attempt=None,
        schedule=schedule,
    )

    assert schedule.seen == ['{"n": 1}']
    assert [(r.session, r.card_before) for r in store.reviews()] == [
        ("s1", None),
        ("s2", '{"n": 1}'),
    ]
    card = store.card("d/n")
    assert card is not None
    assert card.card == '{"n": 2}'


def test_reviews_since_filters_by_time(store: Store) -> None:
    for day in range(3):
        store.review(
            session=f"s{day}",
            question="d/n",
            rating=3,
            at=T0 + timedelta(days=day),
            attempt=None,
            schedule=FixedSchedule("{}", T0 + timedelta(days=day + 1)),
        )
    assert [r.session for r in store.reviews(since=T0 + timedelta(days=1))] == ["s1", "s2"]


def _state(store: Store) -> tuple[Any, ...]:
    return (store.reviews(), store.cards(), row_counts(store.path))


def test_a_review_whose_schedule_raises_changes_nothing(store: Store) -> None:
    store.review(
        session="s1",
        question="d/n",
        rating=3,
        at=T0,
        attempt=None,
        schedule=FixedSchedule('{"n": 1}', T0 + timedelta(days=2)),
    )
    before = _state(store)

    def broken(card_before: str | None) -> tuple[str, datetime]:
        raise RuntimeError("fsrs fell over")

    with pytest.raises(RuntimeError, match="fsrs fell over"):
        store.review(session="s2", question="d/n", rating=1, at=T0, attempt=None, schedule=broken)
    assert _state(store) == before


def test_a_review_is_one_transaction(store: Store) -> None:
    # The review row is written before the card; a card the table refuses (NOT NULL) must
    # take the review row down with it.
    store.review(
        session="s1",
        question="d/n",
        rating=3,
        at=T0,
        attempt=None,
        schedule=FixedSchedule('{"n": 1}', T0 + timedelta(days=2)),
    )
    before = _state(store)

    def no_card(card_before: str | None) -> tuple[str, datetime]:
        return None, T0 + timedelta(days=3)  # type: ignore[return-value]

    with pytest.raises(StoreError, match="NOT NULL"):
        store.review(session="s2", question="d/n", rating=1, at=T0, attempt=None, schedule=no_card)
    with pytest.raises(StoreError, match="NOT NULL"):
        store.review(
            session="s3", question="d/new", rating=1, at=T0, attempt=None, schedule=no_card
        )
    assert _state(store) == before


def _no_card(card_before: str | None) -> tuple[str, datetime]:
    return None, T0 + timedelta(days=3)  # type: ignore[return-value]


def test_an_answer_and_its_review_are_one_transaction(store: Store) -> None:
    good = PendingReview("s1", "d/n", 3, T0, FixedSchedule('{"n": 1}', T0 + timedelta(days=2)))
    attempt_id = store.record(numeric(), review=good)
    (review,) = store.reviews()
    assert (review.attempt, review.rating) == (attempt_id, 3)
    assert store.cards()["d/n"].due == T0 + timedelta(days=2)
    before = _state(store)
    # The card is refused after the attempt and the review rows were written: neither stays.
    with pytest.raises(StoreError, match="NOT NULL"):
        store.record(numeric(answer="2"), review=PendingReview("s2", "d/n", 1, T0, _no_card))
    assert _state(store) == before
    assert len(store.attempts()) == 1


def test_a_self_rating_and_its_review_are_one_transaction(store: Store) -> None:
    concept = Attempt(
        question="d/c", kind="concept", answer="text", verdict="rated", score=0.5, at=T0
    )
    attempt_id = store.record(concept)
    with pytest.raises(StoreError, match="NOT NULL"):
        store.rate(attempt_id, 2, review=PendingReview("s1", "d/c", 2, T0, _no_card))
    assert store.attempts()[0].rating is None  # the rating went down with the review
    assert store.reviews() == []
    store.rate(attempt_id, 2, review=PendingReview("s1", "d/c", 2, T0, FixedSchedule("{}", T0)))
    assert store.attempts()[0].rating == 2
    assert [(r.question, r.rating, r.attempt) for r in store.reviews()] == [("d/c", 2, attempt_id)]


@pytest.mark.parametrize("rating", [0, 5, True, None])
def test_a_review_with_a_bad_rating_is_refused(store: Store, rating: object) -> None:
    schedule = FixedSchedule("{}", T0)
    with pytest.raises(ValueError, match="a rating is an integer from 1 to 4"):
        store.review(
            session="s",
            question="d/n",
            rating=rating,  # type: ignore[arg-type]
            at=T0,
            attempt=None,
            schedule=schedule,
        )
    assert schedule.seen == []
    assert row_counts(store.path)["reviews"] == 0


def test_introduced_counts_first_reviews_in_a_half_open_range(store: Store) -> None:
    firsts = {"d/a": T0, "d/b": T0 + timedelta(hours=1), "d/c": T0 + timedelta(days=1)}
    for question, at in firsts.items():
        store.review(
            session="first",
            question=question,
            rating=3,
            at=at,
            attempt=None,
            schedule=FixedSchedule("{}", at + timedelta(days=1)),
        )
    # A later review of d/a does not make it introduced again.
    store.review(
        session="second",
        question="d/a",
        rating=3,
        at=T0 + timedelta(days=1, hours=1),
        attempt=None,
        schedule=FixedSchedule("{}", T0 + timedelta(days=4)),
    )

    assert store.introduced(T0, T0 + timedelta(days=1)) == 2
    assert store.introduced(T0 + timedelta(microseconds=1), T0 + timedelta(days=1)) == 1
    assert store.introduced(T0, T0 + timedelta(days=1, microseconds=1)) == 3
    assert store.introduced(T0 + timedelta(days=1), T0 + timedelta(days=2)) == 1
    assert store.introduced(T0 - timedelta(days=1), T0) == 0
    # The range may be given in any time zone.
    tokyo = timezone(timedelta(hours=9))
    assert store.introduced(T0.astimezone(tokyo), (T0 + timedelta(hours=2)).astimezone(tokyo)) == 2


# --------------------------------------------------------------------------- settings


def test_settings_are_saved_replaced_and_kept(tmp_path: Path) -> None:
    path = tmp_path / STORE_FILENAME
    with Store(path) as store:
        assert store.setting("new_per_day") is None
        store.set_setting("new_per_day", "5")
        store.set_setting("new_per_day", "7")
        store.set_setting("theme", "dark")
        assert store.setting("new_per_day") == "7"
    with Store(path) as reopened:
        assert (reopened.setting("new_per_day"), reopened.setting("theme")) == ("7", "dark")
    assert row_counts(path)["settings"] == 2


# --------------------------------------------------------------------------- mock interviews


def test_a_mock_interview_starts_finishes_and_holds_its_attempts(store: Store) -> None:
    first = store.start_mock({"decks": ["d"], "minutes": 30}, at=T0)
    second = store.start_mock({"decks": ["e"]}, at=T0 - timedelta(days=1))
    assert first != second

    started = store.mock(first)
    assert started is not None
    assert (started.id, started.started_at, started.finished_at) == (first, T0, None)
    assert started.config == {"decks": ["d"], "minutes": 30}
    assert started.scorecard is None

    late = store.record(numeric("d/b", at=T0 + timedelta(minutes=5), mode="mock", mock=first))
    early = store.record(numeric("d/a", at=T0 + timedelta(minutes=1), mode="mock", mock=first))
    store.record(numeric("e/a", at=T0, mode="mock", mock=second))
    store.record(numeric("d/a", at=T0 + timedelta(minutes=2)))  # practice, in no mock
    assert [a.id for a in store.mock_attempts(first)] == [early, late]
    assert [a.question for a in store.mock_attempts(second)] == ["e/a"]
    assert store.mock_attempts(999) == []

    store.finish_mock(first, {"score": 0.5, "right": 1}, at=T0 + timedelta(minutes=30))
    finished = store.mock(first)
    assert finished is not None
    assert finished.finished_at == T0 + timedelta(minutes=30)
    assert finished.scorecard == {"score": 0.5, "right": 1}
    assert finished.config == started.config

    # Oldest first, by start time rather than id.
    assert [m.id for m in store.mocks()] == [second, first]
    assert store.mocks()[0].scorecard is None


def test_an_unknown_mock_interview(store: Store) -> None:
    assert store.mock(99) is None
    with pytest.raises(StoreError, match="no mock interview with id 99"):
        store.finish_mock(99, {"score": 1.0})
    assert row_counts(store.path)["mocks"] == 0


def test_a_mock_started_without_a_time_starts_now(store: Store) -> None:
    before = datetime.now(UTC)
    mock = store.mock(store.start_mock({}))
    assert mock is not None
    assert before <= mock.started_at <= datetime.now(UTC)


# --------------------------------------------------------------------------- export / import


def populate(store: Store, *, base: datetime = T0, tag: str = "a") -> None:
    """Some of everything: attempts of each mode and kind, mocks (finished and not), reviews
    with and without an attempt, cards from the real scheduler, settings and drafts."""
    scheduler = Scheduler(store, fuzz=False)
    finished = store.start_mock({"decks": ["d"], "tag": tag}, at=base)
    store.start_mock({"decks": ["e"]}, at=base + timedelta(hours=3))
    store.record(numeric(f"d/{tag}1", at=base + timedelta(minutes=1), mode="mock", mock=finished))
    store.record(
        Attempt(
            question=f"d/{tag}2",
            kind="choice",
            answer="[0, 2]",
            verdict="partial",
            score=0.5,
            at=base + timedelta(minutes=2),
            mode="mock",
            mock=finished,
        )
    )
    store.finish_mock(finished, {"score": 0.75}, at=base + timedelta(minutes=30))
    concept = store.record(
        Attempt(
            question=f"d/{tag}3",
            kind="concept",
            answer="bottleneck, ünïcode ✓",
            verdict="rated",
            score=1 / 3,
            at=base + timedelta(hours=1),
            mode="review",
        )
    )
    store.rate(concept, 2)
    code = store.record(
        Attempt(
            question=f"d/{tag}4",
            kind="code",
            answer="def f():\n    return 1\n",
            verdict="fail",
            score=0.25,
            hints=2,
            seconds=None,
            at=base + timedelta(hours=2),
        )
    )
    scheduler.review("s1", f"d/{tag}3", 2, attempt=concept, at=base + timedelta(hours=1))
    scheduler.review("s1", f"d/{tag}4", 1, attempt=code, at=base + timedelta(hours=2))
    scheduler.review("s2", f"d/{tag}3", 3, at=base + timedelta(days=3))
    store.set_setting("new_per_day", "5")
    store.save_draft(f"d/{tag}4", "def f():\n")


def test_export_holds_everything(store: Store) -> None:
    populate(store)
    data = store.export_data()

    assert (data["format"], data["version"]) == (EXPORT_FORMAT, EXPORT_VERSION)
    assert datetime.fromisoformat(data["exported_at"]).tzinfo is not None
    assert json.loads(json.dumps(data)) == data  # JSON-ready
    assert [len(data[name]) for name in ("attempts", "reviews", "cards", "mocks", "drafts")] == [
        4,
        3,
        2,
        2,
        1,
    ]
    assert data["settings"] == {"new_per_day": "5"}
    mock_attempt = data["attempts"][0]
    assert (mock_attempt["mode"], mock_attempt["mock"]) == ("mock", data["mocks"][0]["started_at"])
    assert data["reviews"][0]["attempt"] == [
        "d/a3",
        data["attempts"][2]["at"],
        "bottleneck, ünïcode ✓",
    ]
    assert data["reviews"][2]["attempt"] is None


def test_export_then_import_into_an_empty_store_reproduces_everything(tmp_path: Path) -> None:
    with open_store(tmp_path / "a") as source, open_store(tmp_path / "b") as target:
        populate(source)
        exported = json.loads(json.dumps(source.export_data()))

        added = target.import_data(exported)

        assert added == {
            "attempts": 4,
            "reviews": 3,
            "cards": 2,
            "mocks": 2,
            "settings": 1,
            "drafts": 1,
        }
        assert without_time(target.export_data()) == without_time(source.export_data())
        assert row_counts(target.path) == row_counts(source.path)
        # Links survive with the new ids: mock attempts, and reviews naming their attempt.
        [mock] = [m for m in target.mocks() if m.scorecard is not None]
        assert [a.question for a in target.mock_attempts(mock.id)] == ["d/a1", "d/a2"]
        by_question = {a.question: a.id for a in target.attempts()}
        assert [r.attempt for r in target.reviews()] == [
            by_question["d/a3"],
            by_question["d/a4"],
            None,
        ]


def test_importing_twice_adds_nothing_the_second_time(tmp_path: Path) -> None:
    with open_store(tmp_path / "a") as source, open_store(tmp_path / "b") as target:
        populate(source)
        exported = source.export_data()
        first = target.import_data(exported)
        after_first = without_time(target.export_data())

        second = target.import_data(exported)

        assert sum(first.values()) > 0
        assert second == dict.fromkeys(first, 0)
        assert without_time(target.export_data()) == after_first
        # Importing a store's own export into itself adds nothing either.
        assert source.import_data(source.export_data()) == dict.fromkeys(first, 0)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def test_merging_two_histories_keeps_both(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock(T0)
    monkeypatch.setattr(quiz.progress.store._store, "_now", clock)  # when drafts are saved
    with open_store(tmp_path / "here") as here, open_store(tmp_path / "there") as there:
        populate(here, base=T0, tag="h")
        populate(there, base=T0 + timedelta(days=10), tag="t")
        here_scheduler, there_scheduler = Scheduler(here, fuzz=False), Scheduler(there, fuzz=False)
        # Shared questions: "d/newer-there" was last reviewed there, "d/newer-here" here.
        here_scheduler.review("h9", "d/newer-there", 3, at=T0)
        there_scheduler.review("t9", "d/newer-there", 1, at=T0 + timedelta(days=1))
        there_scheduler.review("t8", "d/newer-here", 3, at=T0)
        here_scheduler.review("h8", "d/newer-here", 4, at=T0 + timedelta(days=1))
        # Drafts: "d/draft-there" was saved last there, "d/draft-here" here.
        clock.now = T0 + timedelta(minutes=1)
        here.save_draft("d/draft-there", "old here")
        there.save_draft("d/draft-here", "old there")
        clock.now = T0 + timedelta(minutes=2)
        there.save_draft("d/draft-there", "new there")
        here.save_draft("d/draft-here", "new here")
        # Settings: a local value wins, a value only there is taken.
        here.set_setting("new_per_day", "3")
        there.set_setting("new_per_day", "20")
        there.set_setting("theme", "dark")

        here_before = here.export_data()
        there_export = there.export_data()
        added = here.import_data(there_export)

        merged = here.export_data()
        counts = {name: len(merged[name]) for name in ("attempts", "reviews", "mocks")}
        assert counts == {
            name: len(here_before[name]) + len(there_export[name])
            for name in ("attempts", "reviews", "mocks")
        }
        assert added["attempts"] == len(there_export["attempts"]) == 4
        assert added["reviews"] == len(there_export["reviews"]) == 5
        questions = {a["question"] for a in merged["attempts"]}
        assert {"d/h1", "d/h4", "d/t1", "d/t4"} <= questions

        there_cards = {c["question"]: c for c in there_export["cards"]}
        here_cards = {c["question"]: c for c in here_before["cards"]}
        merged_cards = {c["question"]: c for c in merged["cards"]}
        assert set(merged_cards) == set(here_cards) | set(there_cards)
        assert merged_cards["d/newer-there"]["card"] == there_cards["d/newer-there"]["card"]
        assert merged_cards["d/newer-there"]["due"] == there_cards["d/newer-there"]["due"]
        assert merged_cards["d/newer-here"] == here_cards["d/newer-here"]
        assert merged_cards["d/t3"] == there_cards["d/t3"]
        # 2 of there's own + d/newer-there; d/newer-here stays as it was.
        assert added["cards"] == 3

        drafts = {d["question"]: d["text"] for d in merged["drafts"]}
        assert drafts["d/draft-there"] == "new there"
        assert drafts["d/draft-here"] == "new here"
        assert drafts["d/t4"] == "def f():\n"
        assert merged["settings"] == {"new_per_day": "3", "theme": "dark"}
        assert added["settings"] == 1

        # There's mock attempts point at the imported mock, not at one of here's.
        [there_mock] = [
            m for m in here.mocks() if m.scorecard is not None and m.config["tag"] == "t"
        ]
        assert [a.question for a in here.mock_attempts(there_mock.id)] == ["d/t1", "d/t2"]


def valid_export(tmp_path: Path) -> dict[str, Any]:
    with open_store(tmp_path / "source") as source:
        populate(source)
        source.record(numeric("d/extra", at=T0 + timedelta(days=5)))
        return source.export_data()


def _set(path: tuple[Any, ...], value: Any) -> Callable[[dict[str, Any]], Any]:
    def change(data: dict[str, Any]) -> Any:
        target: Any = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        return data

    return change


INVALID: list[tuple[str, Callable[[dict[str, Any]], Any], str]] = [
    ("not a dict", lambda data: [data], "not an mlquiz progress export"),
    ("wrong format", _set(("format",), "anki"), "not an mlquiz progress export"),
    ("no format", lambda data: {k: v for k, v in data.items() if k != "format"}, 'no "format"'),
    ("newer version", _set(("version",), EXPORT_VERSION + 1), "export version 2 is not one"),
    ("bad verdict", _set(("attempts", 2, "verdict"), "correct"), r"attempts\[2\]: .*verdict"),
    ("bad time", _set(("attempts", 3, "at"), "yesterday"), r"attempts\[3\]\.at: .*ISO 8601"),
    ("naive time", _set(("attempts", 3, "at"), "2025-03-01T10:00:00"), r"attempts\[3\]\.at"),
    ("bad score", _set(("attempts", 4, "score"), "1"), r"attempts\[4\]: .*score"),
    ("rating 7", _set(("reviews", 2, "rating"), 7), r"reviews\[2\]\.rating: a rating is"),
    ("card not JSON", _set(("cards", 1, "card"), "{not json"), r"cards\[1\]\.card: .*JSON"),
    ("card not text", _set(("cards", 1, "card"), {"a": 1}), r"cards\[1\]\.card: .*JSON"),
    (
        "card with a bad last review",
        _set(("cards", 1, "card"), '{"last_review": "soon"}'),
        r"cards\[1\]\.card\.last_review",
    ),
    (
        "missing mock",
        _set(("attempts", 1, "mock"), "2020-01-01T00:00:00.000000+00:00"),
        r"attempts\[1\]\.mock: no mock interview started at 2020",
    ),
    ("attempts not a list", _set(("attempts",), {}), "attempts: expected a list"),
    ("review not an object", _set(("reviews", 1), "s1"), r"reviews\[1\]: expected an object"),
    ("bad draft time", _set(("drafts", 0, "updated_at"), 5), r"drafts\[0\]\.updated_at"),
    ("bad setting", _set(("settings", "new_per_day"), 5), "settings: expected an object"),
]


@pytest.mark.parametrize(
    ("change", "message"),
    [pytest.param(change, message, id=name) for name, change, message in INVALID],
)
def test_an_invalid_file_is_refused_naming_the_entry_and_changes_nothing(
    tmp_path: Path, change: Callable[[dict[str, Any]], Any], message: str
) -> None:
    data = valid_export(tmp_path)
    assert len(data["attempts"]) == 5 and len(data["reviews"]) == 3
    with open_store(tmp_path / "target") as target:
        target.record(numeric("d/mine"))
        target.set_setting("theme", "light")
        target.save_draft("d/mine", "mine")
        counts_before = row_counts(target.path)
        export_before = without_time(target.export_data())

        with pytest.raises(StoreError, match=message) as raised:
            target.import_data(change(copy.deepcopy(data)))

        assert str(raised.value).startswith("cannot import: ")
        assert "nothing was imported" in str(raised.value)
        assert "\n" not in str(raised.value)
        assert row_counts(target.path) == counts_before
        assert without_time(target.export_data()) == export_before
        # The file itself was fine before the change.
        assert target.import_data(data)["attempts"] == 5


# --------------------------------------------------------------------------- property

ZONES = [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-8))]


@st.composite
def attempt_fields(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(sorted(quiz.progress.store.VERDICTS)))
    return {
        "question": draw(st.sampled_from(["d/a", "d/b", "other/q-1"])),
        "kind": kind,
        "answer": draw(st.text(max_size=40)),
        "verdict": draw(st.sampled_from(quiz.progress.store.VERDICTS[kind])),
        "score": draw(st.floats(0, 1)),
        "rating": draw(st.none() | st.integers(1, 4)),
        "seconds": draw(st.none() | st.floats(0, 1e6)),
        "hints": draw(st.integers(0, 5)),
        "at": draw(
            st.datetimes(
                min_value=datetime(2000, 1, 1),
                max_value=datetime(2100, 1, 1),
                timezones=st.sampled_from(ZONES),
            )
        ),
        "mode": draw(st.sampled_from(quiz.progress.store.MODES)),
    }


def _identity(fields: dict[str, Any]) -> tuple[str, datetime, str]:
    # Import recognises an attempt it already has by question, time and answer; two generated
    # attempts agreeing on all three would be the same attempt to it.
    return fields["question"], fields["at"].astimezone(UTC), fields["answer"]


@given(generated=st.lists(attempt_fields(), max_size=12, unique_by=_identity))
def test_attempts_survive_export_and_import(
    tmp_path_factory: pytest.TempPathFactory, generated: list[dict[str, Any]]
) -> None:
    folder = tmp_path_factory.mktemp("round-trip")
    with open_store(folder / "a") as source, open_store(folder / "b") as target:
        mocks = [source.start_mock({"n": n}, at=T0 + timedelta(hours=n)) for n in range(2)]
        for number, fields in enumerate(generated):
            mock = mocks[number % 2] if fields["mode"] == "mock" else None
            source.record(Attempt(**fields, mock=mock))
        exported = source.export_data()

        added = target.import_data(json.loads(json.dumps(exported)))

        assert added["attempts"] == len(generated)
        assert target.export_data()["attempts"] == exported["attempts"]
        assert [(a.question, a.at, a.answer, a.score, a.seconds) for a in target.attempts()] == [
            (a.question, a.at, a.answer, a.score, a.seconds) for a in source.attempts()
        ]
