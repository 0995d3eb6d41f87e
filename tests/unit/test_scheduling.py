"""Spaced repetition: ratings earned by graded answers, FSRS intervals, the review queue, the
daily limit of new questions, the forecast and retrievability."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from fsrs import Card, Rating
from fsrs import Scheduler as FsrsScheduler
from hypothesis import given
from hypothesis import strategies as st

from questions import DeckError, DeckLibrary, parse_deck
from quiz.progress.scheduling import (
    AGAIN,
    DEFAULT_NEW_PER_DAY,
    EASY,
    GOOD,
    HARD,
    Scheduler,
    new_per_day,
    rating_for,
    set_new_per_day,
    start_of_day,
)
from quiz.progress.store import STORE_FILENAME, Store

# 22:00 on 10 March in New York (UTC-5) is already 11 March in UTC: "today" is the 10th.
NEW_YORK = timezone(timedelta(hours=-5))
NOW = datetime(2025, 3, 10, 22, 0, tzinfo=NEW_YORK)
END_OF_TODAY = datetime(2025, 3, 11, 0, 0, tzinfo=NEW_YORK)

ALPHA = textwrap.dedent(
    """\
    id: alpha
    title: Alpha
    questions:
      - {id: a1, kind: concept, prompt: One?, answer: One.}
      - {id: a2, kind: concept, prompt: Two?, answer: Two.}
      - {id: a3, kind: concept, prompt: Three?, answer: Three.}
      - {id: a4, kind: concept, prompt: Four?, answer: Four.}
    """
)
BETA = textwrap.dedent(
    """\
    id: beta
    title: Beta
    questions:
      - {id: b1, kind: concept, prompt: One?, answer: One.}
      - {id: b2, kind: concept, prompt: Two?, answer: Two.}
    """
)
ALL_QUESTIONS = ["alpha/a1", "alpha/a2", "alpha/a3", "alpha/a4", "beta/b1", "beta/b2"]


@pytest.fixture
def library(tmp_path: Path) -> DeckLibrary:
    decks = tmp_path / "decks"
    decks.mkdir()
    (decks / "alpha.yaml").write_text(ALPHA, encoding="utf-8")
    (decks / "beta.yaml").write_text(BETA, encoding="utf-8")
    found = DeckLibrary.discover([decks], include_user=False, include_package=False)
    assert found.problems == []
    assert found.question_ids() == ALL_QUESTIONS
    return found


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / STORE_FILENAME) as opened:
        yield opened


@pytest.fixture
def scheduler(store: Store) -> Scheduler:
    return Scheduler(store, fuzz=False, clock=lambda: NOW)


def fsrs() -> FsrsScheduler:
    """FSRS as quiz.progress.scheduling sets it up: whole days, no learning steps, no fuzz."""
    return FsrsScheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)


def set_due(store: Store, question: str, due: datetime, *, introduced: datetime) -> None:
    """Give ``question`` a card due at ``due``, first reviewed at ``introduced``."""
    store.review(
        session=f"set-{question}-{due.isoformat()}",
        question=question,
        rating=GOOD,
        at=introduced,
        attempt=None,
        schedule=lambda before: ("{}", due),
    )


# --------------------------------------------------------------------------- rating_for


@pytest.mark.parametrize(
    ("verdict", "tries", "hints", "seconds", "expected_seconds", "rating"),
    [
        ("correct", 1, 0, None, None, GOOD),
        ("pass", 1, 0, 30.0, None, GOOD),
        ("correct", 1, 0, 30.0, 60, EASY),
        ("correct", 1, 0, 60.0, 60, EASY),
        ("pass", 1, 0, 10.0, 60, EASY),
        ("correct", 1, 0, 60.5, 60, GOOD),
        ("correct", 1, 0, None, 60, GOOD),
        ("correct", 1, 1, 5.0, 60, HARD),
        ("correct", 1, 3, None, None, HARD),
        ("correct", 2, 0, 5.0, 60, HARD),
        ("pass", 5, 0, None, None, HARD),
        ("partial", 1, 0, 5.0, 60, AGAIN),
        ("wrong", 1, 0, 5.0, 60, AGAIN),
        ("wrong", 3, 2, None, None, AGAIN),
        ("fail", 1, 0, 5.0, 60, AGAIN),
        ("error", 1, 0, None, None, AGAIN),
    ],
)
def test_rating_for(
    verdict: str,
    tries: int,
    hints: int,
    seconds: float | None,
    expected_seconds: int | None,
    rating: int,
) -> None:
    assert (
        rating_for(
            verdict,
            tries=tries,
            hints=hints,
            seconds=seconds,
            expected_seconds=expected_seconds,
        )
        == rating
    )


def test_the_ratings_are_fsrs_ratings() -> None:
    assert (AGAIN, HARD, GOOD, EASY) == (1, 2, 3, 4)
    assert [Rating(value) for value in (AGAIN, HARD, GOOD, EASY)] == [
        Rating.Again,
        Rating.Hard,
        Rating.Good,
        Rating.Easy,
    ]


@pytest.mark.parametrize("tries", [0, -1])
def test_rating_for_counts_this_answer_as_a_try(tries: int) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        rating_for("correct", tries=tries, hints=0, seconds=None, expected_seconds=None)


@given(
    verdict=st.sampled_from(["correct", "partial", "wrong", "pass", "fail", "error"]),
    tries=st.integers(1, 3),
    hints=st.integers(0, 2),
    seconds=st.none() | st.floats(0, 600),
    expected_seconds=st.none() | st.integers(1, 600),
)
def test_rating_for_properties(
    verdict: str, tries: int, hints: int, seconds: float | None, expected_seconds: int | None
) -> None:
    rating = rating_for(
        verdict, tries=tries, hints=hints, seconds=seconds, expected_seconds=expected_seconds
    )
    assert rating in (AGAIN, HARD, GOOD, EASY)
    if hints > 0 or tries > 1:
        assert rating != EASY
    if verdict not in ("correct", "pass"):
        assert rating == AGAIN
    else:
        assert rating != AGAIN


@given(
    verdict=st.sampled_from(["correct", "pass"]),
    tries=st.integers(1, 3),
    hints=st.integers(1, 3),
    seconds=st.none() | st.floats(0, 60),
    expected_seconds=st.none() | st.integers(60, 600),
)
def test_a_right_answer_after_a_hint_is_never_easy_even_when_fast(
    verdict: str, tries: int, hints: int, seconds: float | None, expected_seconds: int | None
) -> None:
    rating = rating_for(
        verdict, tries=tries, hints=hints, seconds=seconds, expected_seconds=expected_seconds
    )
    assert rating == HARD


# --------------------------------------------------------------------------- intervals


@pytest.mark.parametrize("rating", [AGAIN, HARD, GOOD, EASY])
def test_a_new_card_is_due_after_what_fsrs_computes_in_whole_days(
    scheduler: Scheduler, store: Store, rating: int
) -> None:
    at = NOW.astimezone(UTC)
    expected, _log = fsrs().review_card(Card(due=at), Rating(rating), at)

    due = scheduler.review("s", "alpha/a1", rating)

    assert due == expected.due
    interval = due - at
    assert interval.days >= 1
    assert interval == timedelta(days=interval.days)  # no same-day learning steps
    card = store.card("alpha/a1")
    assert card is not None
    assert (card.due, card.introduced) == (due, at)
    stored = Card.from_json(card.card)
    assert (stored.stability, stored.difficulty) == (expected.stability, expected.difficulty)


def test_again_means_tomorrow_and_good_two_days_for_a_new_card(scheduler: Scheduler) -> None:
    # What the module promises (a wrong answer comes back tomorrow), and FSRS's default
    # parameters for a first Good (2 days), pinned so that a change of fsrs is noticed.
    assert scheduler.review("s", "alpha/a1", AGAIN) - NOW == timedelta(days=1)
    assert scheduler.review("s", "alpha/a2", GOOD) - NOW == timedelta(days=2)
    intervals = [scheduler.review("s", f"beta/b{n}", r) - NOW for n, r in ((1, HARD), (2, EASY))]
    assert timedelta(days=1) <= intervals[0] <= timedelta(days=2) < intervals[1]


def test_a_later_review_starts_from_the_stored_card(scheduler: Scheduler) -> None:
    first_at = NOW.astimezone(UTC)
    second_at = first_at + timedelta(days=2)
    card, _ = fsrs().review_card(Card(due=first_at), Rating.Good, first_at)
    expected, _ = fsrs().review_card(card, Rating.Good, second_at)

    scheduler.review("s1", "alpha/a1", GOOD)
    due = scheduler.review("s2", "alpha/a1", GOOD, at=second_at)

    assert due == expected.due
    assert due - second_at > timedelta(days=2)  # a second Good waits longer than the first


def test_review_takes_a_time_in_any_zone(scheduler: Scheduler) -> None:
    # fsrs itself refuses any zone but UTC; the scheduler's clock is local time.
    tokyo = NOW.astimezone(timezone(timedelta(hours=9)))
    assert scheduler.review("s", "alpha/a1", GOOD, at=tokyo) == NOW + timedelta(days=2)
    local = Scheduler(scheduler.store, fuzz=False, clock=lambda: tokyo)
    assert local.review("s", "alpha/a2", AGAIN) == NOW + timedelta(days=1)


def test_rating_again_in_a_session_recomputes_from_the_card_before_it(
    scheduler: Scheduler, store: Store
) -> None:
    scheduler.review("s", "alpha/a1", AGAIN)
    due = scheduler.review("s", "alpha/a1", HARD)

    at = NOW.astimezone(UTC)
    expected, _ = fsrs().review_card(Card(due=at), Rating.Hard, at)
    assert due == expected.due
    assert [(r.session, r.rating, r.card_before) for r in store.reviews()] == [("s", HARD, None)]


def test_fuzz_is_on_by_default(store: Store) -> None:
    assert Scheduler(store)._fsrs.enable_fuzzing is True
    assert Scheduler(store, fuzz=False)._fsrs.enable_fuzzing is False


# --------------------------------------------------------------------------- the queue


def test_a_fresh_store_queues_new_questions_in_deck_order_up_to_the_limit(
    scheduler: Scheduler, library: DeckLibrary
) -> None:
    queue = scheduler.queue(library, new_limit=3)
    assert (queue.due, queue.new) == ([], ["alpha/a1", "alpha/a2", "alpha/a3"])
    assert queue.questions == ["alpha/a1", "alpha/a2", "alpha/a3"]
    assert len(queue) == 3
    assert scheduler.queue(library, new_limit=100).new == ALL_QUESTIONS
    assert not scheduler.queue(library, new_limit=0)


def test_due_questions_come_most_overdue_first_then_new_ones(
    scheduler: Scheduler, store: Store, library: DeckLibrary
) -> None:
    long_ago = NOW - timedelta(days=30)
    set_due(store, "alpha/a3", NOW - timedelta(days=1), introduced=long_ago)
    set_due(store, "beta/b1", NOW - timedelta(days=5), introduced=long_ago)
    set_due(store, "alpha/a1", END_OF_TODAY - timedelta(microseconds=1), introduced=long_ago)
    # Due at midnight local time (05:00 UTC on the 11th, the same UTC day as NOW): tomorrow.
    set_due(store, "alpha/a2", END_OF_TODAY, introduced=long_ago)

    queue = scheduler.queue(library, new_limit=10)

    assert queue.due == ["beta/b1", "alpha/a3", "alpha/a1"]
    assert queue.new == ["alpha/a4", "beta/b2"]  # a2 has a card: it is not new
    assert queue.questions == queue.due + queue.new


def test_today_is_the_local_day_of_now(
    scheduler: Scheduler, store: Store, library: DeckLibrary
) -> None:
    set_due(store, "alpha/a1", END_OF_TODAY + timedelta(hours=2), introduced=NOW - timedelta(9))
    assert scheduler.queue(library, new_limit=0).due == []
    # In UTC it is already the 11th, the card's due day.
    assert scheduler.queue(library, new_limit=0, now=NOW.astimezone(UTC)).due == ["alpha/a1"]


def test_new_questions_introduced_today_count_against_the_limit(
    scheduler: Scheduler, store: Store, library: DeckLibrary
) -> None:
    start = start_of_day(NOW)
    assert start == datetime(2025, 3, 10, tzinfo=NEW_YORK)
    set_due(store, "alpha/a1", NOW + timedelta(days=2), introduced=start)
    set_due(store, "alpha/a2", NOW + timedelta(days=2), introduced=NOW)
    # Introduced yesterday (local time), even though it is the same UTC day as `start`.
    set_due(store, "alpha/a3", NOW + timedelta(days=2), introduced=start - timedelta(seconds=1))

    assert scheduler.queue(library, new_limit=3).new == ["alpha/a4"]
    assert scheduler.queue(library, new_limit=4).new == ["alpha/a4", "beta/b1"]
    assert scheduler.queue(library, new_limit=2).new == []
    assert scheduler.queue(library, new_limit=1).new == []  # never a negative count
    # Tomorrow the limit is whole again.
    assert scheduler.queue(library, new_limit=2, now=NOW + timedelta(hours=3)).new == [
        "alpha/a4",
        "beta/b1",
    ]


def test_the_daily_limit_comes_from_the_setting(
    scheduler: Scheduler, store: Store, library: DeckLibrary
) -> None:
    assert scheduler.queue(library).new == ALL_QUESTIONS[:DEFAULT_NEW_PER_DAY]
    set_new_per_day(store, 2)
    assert scheduler.queue(library).new == ["alpha/a1", "alpha/a2"]
    assert scheduler.queue(library, new_limit=1).new == ["alpha/a1"]  # an explicit limit wins


def test_cards_of_questions_not_in_the_library_are_ignored(
    scheduler: Scheduler, store: Store, library: DeckLibrary
) -> None:
    set_due(store, "gone/q1", NOW - timedelta(days=3), introduced=NOW - timedelta(days=9))
    set_due(store, "alpha/gone", NOW - timedelta(days=3), introduced=NOW - timedelta(days=9))
    set_due(store, "alpha/a2", NOW - timedelta(days=1), introduced=NOW - timedelta(days=9))

    queue = scheduler.queue(library, new_limit=0)
    assert queue.due == ["alpha/a2"]
    forecast = scheduler.forecast(library, now=NOW)
    assert forecast[0][1] == 1
    assert sum(count for _, count in forecast) == 1


def test_decks_filter_due_and_new_questions(
    scheduler: Scheduler, store: Store, library: DeckLibrary
) -> None:
    set_due(store, "alpha/a2", NOW - timedelta(days=1), introduced=NOW - timedelta(days=9))
    set_due(store, "beta/b2", NOW - timedelta(days=1), introduced=NOW - timedelta(days=9))

    beta = scheduler.queue(library, decks=["beta"], new_limit=10)
    assert (beta.due, beta.new) == (["beta/b2"], ["beta/b1"])
    alpha = scheduler.queue(library, decks=iter(["alpha"]), new_limit=2)
    assert (alpha.due, alpha.new) == (["alpha/a2"], ["alpha/a1", "alpha/a3"])
    assert not scheduler.queue(library, decks=["nope"], new_limit=10)


# --------------------------------------------------------------------------- the daily limit


def test_new_per_day_defaults_and_persists(tmp_path: Path) -> None:
    path = tmp_path / STORE_FILENAME
    with Store(path) as store:
        assert new_per_day(store) == DEFAULT_NEW_PER_DAY
        set_new_per_day(store, 0)
        assert new_per_day(store) == 0
        set_new_per_day(store, 1000)
        assert new_per_day(store) == 1000
        set_new_per_day(store, 25)
    with Store(path) as reopened:
        assert new_per_day(reopened) == 25


@pytest.mark.parametrize("limit", [-1, 1001, True, False, 2.0, "5", None])
def test_set_new_per_day_refuses_anything_but_0_to_1000(store: Store, limit: object) -> None:
    set_new_per_day(store, 7)
    with pytest.raises(ValueError, match="whole number from 0 to 1000"):
        set_new_per_day(store, limit)  # type: ignore[arg-type]
    assert new_per_day(store) == 7


def test_a_garbled_saved_limit_falls_back_to_the_default(store: Store) -> None:
    store.set_setting("new_per_day", "lots")
    assert new_per_day(store) == DEFAULT_NEW_PER_DAY


# --------------------------------------------------------------------------- forecast


def test_the_forecast_counts_each_of_the_next_14_days(
    scheduler: Scheduler, store: Store, library: DeckLibrary
) -> None:
    before = NOW - timedelta(days=60)
    set_due(store, "alpha/a1", NOW - timedelta(days=20), introduced=before)  # overdue
    set_due(store, "alpha/a2", NOW - timedelta(hours=1), introduced=before)  # today
    set_due(store, "alpha/a3", END_OF_TODAY + timedelta(hours=1), introduced=before)  # tomorrow
    set_due(store, "alpha/a4", END_OF_TODAY + timedelta(days=12, hours=23), introduced=before)
    set_due(store, "beta/b1", END_OF_TODAY + timedelta(days=13), introduced=before)  # day 15
    set_due(store, "beta/b2", NOW + timedelta(days=400), introduced=before)

    forecast = scheduler.forecast(library)

    assert len(forecast) == 14
    assert [day for day, _ in forecast] == [
        date(2025, 3, 10) + timedelta(days=n) for n in range(14)
    ]
    counts = [count for _, count in forecast]
    assert counts == [2, 1] + [0] * 11 + [1]
    assert [count for _, count in scheduler.forecast(library, days=3)] == [2, 1, 0]


def test_the_forecast_and_the_next_due_day_of_some_decks(
    scheduler: Scheduler, store: Store, library: DeckLibrary
) -> None:
    before = NOW - timedelta(days=60)
    set_due(store, "alpha/a1", NOW - timedelta(hours=1), introduced=before)  # today
    set_due(store, "alpha/a2", END_OF_TODAY + timedelta(days=3), introduced=before)
    set_due(store, "alpha/a3", END_OF_TODAY + timedelta(days=3, hours=2), introduced=before)
    set_due(store, "beta/b1", END_OF_TODAY + timedelta(hours=1), introduced=before)  # tomorrow

    alpha = [count for _, count in scheduler.forecast(library, days=5, decks=["alpha"])]
    assert alpha == [1, 0, 0, 0, 2]
    # Today does not count: the next day is the first one after it.
    assert scheduler.next_due(library) == (date(2025, 3, 11), 1)
    assert scheduler.next_due(library, decks=["alpha"]) == (date(2025, 3, 14), 2)
    assert scheduler.next_due(library, decks=["alpha"], within=3) is None


def test_recall_of_a_card_row_is_its_retrievability(scheduler: Scheduler, store: Store) -> None:
    scheduler.review("s", "alpha/a1", GOOD)
    row = store.card("alpha/a1")
    assert row is not None
    later = NOW + timedelta(days=5)
    assert scheduler.recall(row, now=later) == scheduler.retrievability("alpha/a1", now=later)
    assert scheduler.recall(row, now=later) < 1


def test_the_forecast_leaves_out_new_questions(scheduler: Scheduler, library: DeckLibrary) -> None:
    assert scheduler.forecast(library, now=NOW) == [
        (date(2025, 3, 10) + timedelta(days=n), 0) for n in range(14)
    ]


# --------------------------------------------------------------------------- retrievability


def test_retrievability_is_none_for_a_new_question(scheduler: Scheduler) -> None:
    assert scheduler.retrievability("alpha/a1") is None


def test_retrievability_after_a_review_falls_with_time(scheduler: Scheduler) -> None:
    scheduler.review("s", "alpha/a1", GOOD)

    at_once = scheduler.retrievability("alpha/a1")
    later = [
        scheduler.retrievability("alpha/a1", now=NOW + timedelta(days=days)) for days in (2, 30)
    ]

    assert at_once == 1.0
    assert later[0] is not None and later[1] is not None
    assert 0 < later[1] < later[0] < 1
    # FSRS aims for 90 % retention at the due time.
    assert later[0] == pytest.approx(0.9, abs=0.02)


# --------------------------------------------------------------------------- retired questions

GAMMA = textwrap.dedent(
    """\
    id: gamma
    title: Gamma
    questions:
      - {id: g1, kind: concept, prompt: One?, answer: One.}
    retired:
      - {id: old, kind: concept, prompt: One again?, answer: One., replaced_by: gamma/g1}
      - {id: older, kind: concept, prompt: Older?, answer: One., replaced_by: gamma/old}
      - {id: gone, kind: concept, prompt: Gone?, answer: Gone., replaced_by: nowhere/x}
    """
)


@pytest.fixture
def retiring(tmp_path: Path) -> DeckLibrary:
    decks = tmp_path / "retiring"
    decks.mkdir()
    (decks / "gamma.yaml").write_text(GAMMA, encoding="utf-8")
    found = DeckLibrary.discover([decks], include_user=False, include_package=False)
    assert found.problems == []
    return found


def test_a_retired_question_is_never_offered_and_its_id_finds_its_replacement(
    retiring: DeckLibrary,
) -> None:
    assert retiring.question_ids() == ["gamma/g1"]
    assert retiring.replacements() == {"gamma/old": "gamma/g1", "gamma/older": "gamma/g1"}
    loaded, question = retiring.question("gamma/older")
    assert (loaded.id, question.id) == ("gamma", "g1")


def test_progress_on_a_retired_question_moves_to_its_replacement(
    retiring: DeckLibrary, store: Store, scheduler: Scheduler
) -> None:
    due = NOW - timedelta(days=1)
    set_due(store, "gamma/older", due, introduced=NOW - timedelta(days=5))
    queue = scheduler.queue(retiring, new_limit=5, now=NOW)
    assert queue.due == ["gamma/g1"] and queue.new == []
    assert set(store.cards()) == {"gamma/g1"}
    assert [r.question for r in store.reviews()] == ["gamma/older"]  # history kept as it was


def test_a_replacement_keeps_its_own_card_over_a_retired_one(
    retiring: DeckLibrary, store: Store, scheduler: Scheduler
) -> None:
    set_due(store, "gamma/old", NOW - timedelta(days=1), introduced=NOW - timedelta(days=9))
    set_due(store, "gamma/g1", NOW + timedelta(days=3), introduced=NOW - timedelta(days=2))
    assert scheduler.queue(retiring, new_limit=5, now=NOW).due == []
    assert set(store.cards()) == {"gamma/g1", "gamma/old"}


@pytest.mark.parametrize(
    ("retired", "complaint"),
    [
        ("{id: x, kind: concept, prompt: X?, answer: X.}", "needs `replaced_by`"),
        ("{id: g1, kind: concept, prompt: X?, answer: X., replaced_by: gamma/x}", "both asked"),
        ("{id: x, kind: concept, prompt: X?, answer: X., replaced_by: gamma/x}", "itself"),
        ("{id: x, kind: concept, prompt: X?, answer: X., replaced_by: not an id}", "pattern"),
    ],
)
def test_retired_questions_are_checked(retired: str, complaint: str) -> None:
    text = (
        "id: gamma\ntitle: G\nquestions:\n"
        f"  - {{id: g1, kind: concept, prompt: A?, answer: A.}}\nretired:\n  - {retired}\n"
    )
    with pytest.raises(DeckError, match=complaint):
        parse_deck(text, "gamma.yaml")
