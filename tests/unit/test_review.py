"""The review session: answers rated into FSRS as they are recorded, concept answers when
self-rated, and the queue it is built from."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fsrs import Card, Rating
from fsrs import Scheduler as FsrsScheduler
from testkit import FakeClock

from questions import DeckLibrary
from quiz.progress.review import ReviewSession
from quiz.progress.scheduling import AGAIN, EASY, GOOD, HARD, Scheduler, set_new_per_day
from quiz.progress.store import STORE_FILENAME, Store

NOW = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)

MINI = textwrap.dedent(
    """\
    id: mini
    title: Mini
    questions:
      - id: n1
        kind: numeric
        prompt: How many weights in a 3x3 conv from 2 to 4 channels?
        answer: 3 * 3 * 2 * 4 = 72
        hints: [Multiply kernel area by both channel counts.]
        parts:
          - {label: weights, answer: 72}
      - id: n2
        kind: numeric
        prompt: How many weights in a 1x1 conv from 8 to 4 channels?
        answer: 8 * 4 = 32
        expected_seconds: 30
        parts:
          - {label: weights, answer: 32}
      - id: m1
        kind: choice
        prompt: Which is a 1x1 conv?
        answer: The pointwise one.
        options:
          - {text: pointwise, correct: true}
          - {text: depthwise}
      - id: c1
        kind: concept
        prompt: Why use a 1x1 convolution?
        answer: To reduce channels.
        key_points:
          - point: reduces channels
            patterns: ['reduc']
    """
)
OTHER = textwrap.dedent(
    """\
    id: other
    title: Other
    questions:
      - {id: c1, kind: concept, prompt: Say anything., answer: Anything.}
    """
)


@pytest.fixture
def library(tmp_path: Path) -> DeckLibrary:
    decks = tmp_path / "decks"
    decks.mkdir()
    (decks / "mini.yaml").write_text(MINI, encoding="utf-8")
    (decks / "other.yaml").write_text(OTHER, encoding="utf-8")
    found = DeckLibrary.discover([decks], include_user=False, include_package=False)
    assert found.problems == []
    return found


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / STORE_FILENAME) as opened:
        yield opened


@pytest.fixture
def scheduler(store: Store) -> Scheduler:
    return Scheduler(store, fuzz=False, clock=lambda: NOW)


def session_over(
    library: DeckLibrary,
    store: Store,
    scheduler: Scheduler,
    clock: FakeClock,
    *questions: str,
) -> ReviewSession:
    return ReviewSession(library, store, scheduler, questions, new=questions, clock=clock)


def new_card_due(rating: int) -> datetime:
    """When FSRS (as quiz.progress.scheduling sets it up) brings back a new card rated at NOW."""
    fsrs = FsrsScheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)
    card, _log = fsrs.review_card(Card(due=NOW), Rating(rating), NOW)
    return card.due


# --------------------------------------------------------------------------- graded answers


def test_wrong_then_right_in_one_session_is_one_hard_review(
    library: DeckLibrary, store: Store, scheduler: Scheduler, clock: FakeClock
) -> None:
    session = session_over(library, store, scheduler, clock, "mini/n1")

    wrong = session.submit_numeric(["71"])
    assert wrong.verdict == "wrong"
    assert session.scheduled_rating() == AGAIN
    [first] = store.reviews()
    assert (first.rating, first.attempt, first.card_before) == (AGAIN, wrong.attempt_id, None)
    assert session.next_due() == new_card_due(AGAIN)

    right = session.submit_numeric(["72"])

    assert right.verdict == "correct"
    assert session.tries() == 2
    [review] = store.reviews()
    assert (review.session, review.question) == (session.session_id, "mini/n1")
    assert (review.rating, review.attempt, review.card_before) == (HARD, right.attempt_id, None)
    assert session.scheduled_rating() == HARD
    # Recomputed from the new card, not from the Again card of the first answer.
    assert session.next_due() == new_card_due(HARD)
    card = store.card("mini/n1")
    assert card is not None
    assert card.due == new_card_due(HARD)


def test_right_at_the_first_try_is_good(
    library: DeckLibrary, store: Store, scheduler: Scheduler, clock: FakeClock
) -> None:
    session = session_over(library, store, scheduler, clock, "mini/n1", "mini/m1")
    session.submit_numeric(["72"])
    assert session.scheduled_rating() == GOOD
    session.next()
    session.submit_choice([0])
    assert session.scheduled_rating() == GOOD
    assert [r.rating for r in store.reviews()] == [GOOD, GOOD]
    assert session.next_due(0) == session.next_due(1) == new_card_due(GOOD)


def test_a_hint_makes_a_right_answer_hard(
    library: DeckLibrary, store: Store, scheduler: Scheduler, clock: FakeClock
) -> None:
    session = session_over(library, store, scheduler, clock, "mini/n1")
    assert session.show_hint() is not None
    session.submit_numeric(["72"])
    assert [r.rating for r in store.reviews()] == [HARD]


def test_a_wrong_choice_is_again(
    library: DeckLibrary, store: Store, scheduler: Scheduler, clock: FakeClock
) -> None:
    session = session_over(library, store, scheduler, clock, "mini/m1")
    session.submit_choice([1])
    assert [r.rating for r in store.reviews()] == [AGAIN]


@pytest.mark.parametrize(("seconds", "rating"), [(30.0, EASY), (31.0, GOOD)])
def test_right_within_the_expected_time_is_easy(
    library: DeckLibrary,
    store: Store,
    scheduler: Scheduler,
    clock: FakeClock,
    seconds: float,
    rating: int,
) -> None:
    session = session_over(library, store, scheduler, clock, "mini/n2")
    clock.now += seconds
    outcome = session.submit_numeric(["32"])
    assert outcome.seconds == seconds
    assert [r.rating for r in store.reviews()] == [rating]


# --------------------------------------------------------------------------- concept answers


def test_a_concept_answer_is_scheduled_only_once_rated(
    library: DeckLibrary, store: Store, scheduler: Scheduler, clock: FakeClock
) -> None:
    session = session_over(library, store, scheduler, clock, "mini/c1")
    outcome = session.submit_concept("It reduces channels.")

    assert store.reviews() == []
    assert store.card("mini/c1") is None
    assert session.scheduled_rating() is None
    assert session.next_due() is None

    session.rate(AGAIN)
    [again] = store.reviews()
    assert (again.rating, again.attempt) == (AGAIN, outcome.attempt_id)
    assert session.next_due() == new_card_due(AGAIN)

    session.rate(GOOD)
    [good] = store.reviews()
    assert (good.rating, good.attempt, good.card_before) == (GOOD, outcome.attempt_id, None)
    assert session.scheduled_rating() == GOOD
    assert session.next_due() == new_card_due(GOOD)
    [attempt] = store.attempts()
    assert attempt.rating == GOOD


def test_a_bad_self_rating_schedules_nothing(
    library: DeckLibrary, store: Store, scheduler: Scheduler, clock: FakeClock
) -> None:
    session = session_over(library, store, scheduler, clock, "mini/c1")
    session.submit_concept("no idea")
    with pytest.raises(ValueError, match="a rating is an integer from 1 to 4"):
        session.rate(5)
    assert store.reviews() == []
    assert session.scheduled_rating() is None


# --------------------------------------------------------------------------- the session


def test_attempts_are_recorded_as_review(
    library: DeckLibrary, store: Store, scheduler: Scheduler, clock: FakeClock
) -> None:
    session = session_over(library, store, scheduler, clock, "mini/n1", "mini/m1", "other/c1")
    session.submit_numeric(["72"])
    session.next()
    session.submit_choice([1])
    session.next()
    session.submit_concept("anything")
    session.rate(EASY)

    attempts = store.attempts()
    assert [a.question for a in attempts] == ["mini/n1", "mini/m1", "other/c1"]
    assert {(a.mode, a.mock) for a in attempts} == {("review", None)}
    # Each review names its attempt; questions from two decks keep their own deck ids.
    assert [(r.question, r.attempt) for r in store.reviews()] == [
        (a.question, a.id) for a in attempts
    ]


def test_a_later_session_starts_from_the_card_left_by_an_earlier_one(
    library: DeckLibrary, store: Store, scheduler: Scheduler, clock: FakeClock
) -> None:
    first = session_over(library, store, scheduler, clock, "mini/n1")
    first.submit_numeric(["72"])
    card = store.card("mini/n1")
    assert card is not None

    later = Scheduler(store, fuzz=False, clock=lambda: NOW + timedelta(days=2))
    second = ReviewSession(library, store, later, ["mini/n1"], clock=clock)
    second.submit_numeric(["72"])

    assert second.session_id != first.session_id
    assert [(r.session, r.card_before) for r in store.reviews()] == [
        (first.session_id, None),
        (second.session_id, card.card),
    ]
    due = second.next_due()
    assert due is not None
    assert due - (NOW + timedelta(days=2)) > timedelta(days=2)


def test_due_builds_a_session_from_the_queue(
    library: DeckLibrary, store: Store, scheduler: Scheduler, clock: FakeClock
) -> None:
    # Yesterday's Again on mini/m1 is due today; then new questions up to the limit.
    yesterday = Scheduler(store, fuzz=False, clock=lambda: NOW - timedelta(days=1))
    yesterday.review("earlier", "mini/m1", AGAIN)

    session = ReviewSession.due(library, store, scheduler, new_limit=2, clock=clock)

    assert session is not None
    assert [session.question_id(q) for q in session.questions] == ["mini/m1", "mini/n1", "mini/n2"]
    assert [session.is_new(i) for i in range(3)] == [False, True, True]
    assert session.title == "Review"
    decks = ReviewSession.due(library, store, scheduler, decks=["other"], new_limit=5, clock=clock)
    assert decks is not None
    assert [decks.question_id(q) for q in decks.questions] == ["other/c1"]


def test_due_is_none_when_nothing_is_due_and_the_new_limit_is_used_up(
    library: DeckLibrary, store: Store, scheduler: Scheduler, clock: FakeClock
) -> None:
    assert ReviewSession.due(library, store, scheduler, new_limit=0, clock=clock) is None

    set_new_per_day(store, 2)
    session = ReviewSession.due(library, store, scheduler, clock=clock)
    assert session is not None
    assert len(session.questions) == 2
    session.submit_numeric(["72"])
    assert ReviewSession.due(library, store, scheduler, clock=clock) is not None  # one left
    session.next()
    session.submit_numeric(["32"])

    assert ReviewSession.due(library, store, scheduler, clock=clock) is None
    # Tomorrow brings new questions again.
    tomorrow = Scheduler(store, fuzz=False, clock=lambda: NOW + timedelta(days=1))
    assert ReviewSession.due(library, store, tomorrow, clock=clock) is not None


def test_questions_must_be_in_the_library(
    library: DeckLibrary, store: Store, scheduler: Scheduler
) -> None:
    with pytest.raises(ValueError, match="not in any deck: mini/nope, gone/q1"):
        ReviewSession(library, store, scheduler, ["mini/n1", "mini/nope", "gone/q1"])
    with pytest.raises(ValueError, match="nothing to review"):
        ReviewSession(library, store, scheduler, [])
    assert store.attempts() == []
