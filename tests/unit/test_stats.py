"""Progress statistics (``quiz.progress.stats``): exact numbers on a store filled at known
times, the empty store, JSON and rich rendering, and properties over any attempts and reviews."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console

from questions import DeckLibrary, Kind
from quiz.progress.scheduling import Scheduler, start_of_day
from quiz.progress.stats import (
    DEFAULT_DAYS,
    FORECAST_DAYS,
    TOTALS_ID,
    DeckStats,
    KindAccuracy,
    Stats,
    compute_stats,
)
from quiz.progress.store import (
    KINDS,
    MODES,
    STORE_FILENAME,
    VERDICTS,
    Attempt,
    Store,
    Verdict,
)
from quiz.stats_view import render_stats

ZONE = timezone(timedelta(hours=-5))
NOW = datetime(2025, 3, 20, 12, 0, tzinfo=ZONE)
"""Local noon; 17:00 UTC."""
TODAY = NOW.date()

ALPHA = textwrap.dedent(
    """\
    id: alpha
    title: Alpha deck
    questions:
      - id: c1
        kind: concept
        prompt: Why use a 1x1 convolution?
        answer: To reduce channels.
        key_points:
          - point: reduces channels
            patterns: ['reduc']
      - id: n1
        kind: numeric
        prompt: How many weights in a 3x3 conv from 2 to 4 channels?
        answer: 3 * 3 * 2 * 4 = 72
        parts:
          - {label: weights, answer: 72, working: 3*3*2*4}
      - id: m1
        kind: choice
        prompt: Which is a 1x1 conv?
        answer: The pointwise one.
        options:
          - {text: pointwise, correct: true}
          - {text: depthwise}
    """
)
BETA = textwrap.dedent(
    """\
    id: beta
    title: Beta deck
    questions:
      - id: c1
        kind: concept
        prompt: What does batch norm normalise over?
        answer: The batch and spatial axes, per channel.
        key_points:
          - point: per channel
            patterns: ['channel']
      - id: n1
        kind: numeric
        prompt: Parameters of BatchNorm2d(64)?
        answer: 2 * 64 = 128
        parts:
          - {label: parameters, answer: 128, working: 2*64}
    """
)


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> DeckLibrary:
    folder = tmp_path_factory.mktemp("decks")
    (folder / "alpha.yaml").write_text(ALPHA, encoding="utf-8")
    (folder / "beta.yaml").write_text(BETA, encoding="utf-8")
    loaded = DeckLibrary.discover([folder], include_user=False, include_package=False)
    assert [d.id for d in loaded.decks] == ["alpha", "beta"], loaded.problems
    return loaded


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / STORE_FILENAME) as opened:
        yield opened


def attempt(
    question: str,
    kind: Kind,
    verdict: Verdict,
    at: datetime,
    *,
    score: float | None = None,
    rating: int | None = None,
    mode: str = "practice",
    mock: int | None = None,
) -> Attempt:
    if score is None:
        score = 1.0 if verdict in ("correct", "pass") else 0.0
    return Attempt(
        question, kind, "answer", verdict, score, rating=rating, at=at, mode=mode, mock=mock
    )


def days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def by_deck(stats: Stats) -> dict[str, DeckStats]:
    return {deck.deck: deck for deck in stats.decks}


def kinds(deck: DeckStats) -> dict[str, tuple[int, int]]:
    """kind → (attempts, right), for the kinds with attempts."""
    return {k.kind: (k.attempts, k.right) for k in deck.kinds if k.attempts}


@pytest.fixture
def filled(store: Store, library: DeckLibrary) -> tuple[Store, Scheduler]:
    """Attempts, reviews and mock interviews at known times around NOW (see each comment)."""
    scheduler = Scheduler(store, fuzz=False)
    mock = store.start_mock({"questions": 4}, at=days_ago(3))
    store.finish_mock(
        mock, {"percent": 75.0, "questions": [{}, {}, {}, {}]}, at=days_ago(3) + timedelta(hours=1)
    )
    store.start_mock({"questions": 2}, at=days_ago(0.5))  # never finished
    odd = store.start_mock({}, at=days_ago(2))
    store.finish_mock(odd, {"percent": "n/a"}, at=days_ago(2) + timedelta(minutes=5))

    for entry in [
        # 03-19 local: concept rated Good (right), numeric wrong.
        attempt("alpha/c1", "concept", "rated", days_ago(1), rating=3, score=0.2),
        attempt("alpha/n1", "numeric", "wrong", days_ago(1)),
        # 03-20 (today), a review: right.
        attempt("alpha/n1", "numeric", "correct", NOW - timedelta(hours=2), mode="review"),
        # 40 days ago (outside the window): concept rated Again.
        attempt("beta/c1", "concept", "rated", days_ago(40), rating=1, score=1.0),
        # Today, in the mock interview: unrated concept with half the key points (right).
        attempt("beta/c1", "concept", "rated", NOW, score=0.5, mode="mock", mock=mock),
        # Today, at a question no longer in any deck.
        attempt("gone/q1", "numeric", "correct", NOW),
        # 23:30 local on 03-18 is 04:30 UTC on 03-19: it belongs to 03-18.
        attempt("alpha/m1", "choice", "partial", datetime(2025, 3, 18, 23, 30, tzinfo=ZONE)),
    ]:
        store.record(entry)

    # alpha/c1: new 10 days ago (Good), lapsed 8 days ago (Again), recalled yesterday (Good).
    scheduler.review("s1", "alpha/c1", 3, at=days_ago(10))
    scheduler.review("s2", "alpha/c1", 1, at=days_ago(8))
    c1_due = scheduler.review("s3", "alpha/c1", 3, at=days_ago(1))
    # alpha/n1: new 10 days ago (Easy), due 2 days ago, so overdue.
    n1_due = scheduler.review("s1", "alpha/n1", 4, at=days_ago(10))
    # beta/c1: both reviews before the window; overdue.
    scheduler.review("s0", "beta/c1", 3, at=days_ago(45))
    beta_due = scheduler.review("s4", "beta/c1", 2, at=days_ago(40))
    # The scenario the assertions rely on.
    assert c1_due == NOW + timedelta(days=4)
    assert n1_due < start_of_day(NOW) and beta_due < start_of_day(NOW)
    return store, scheduler


# --------------------------------------------------------------------------- exact numbers


def test_seen_due_new_per_deck_and_in_total(
    filled: tuple[Store, Scheduler], library: DeckLibrary
) -> None:
    store, scheduler = filled
    stats = compute_stats(library, store, scheduler, now=NOW)
    alpha, beta = by_deck(stats)["alpha"], by_deck(stats)["beta"]
    # alpha/m1 was answered in practice but never reviewed: seen, so not new, yet unreviewed.
    assert (alpha.title, alpha.questions, alpha.seen, alpha.due, alpha.new) == (
        "Alpha deck",
        3,
        3,
        1,
        0,
    )
    assert alpha.unreviewed == 1
    assert (beta.questions, beta.seen, beta.due, beta.new, beta.unreviewed) == (2, 1, 1, 1, 1)
    totals = stats.totals
    assert (totals.deck, totals.questions, totals.seen, totals.due, totals.new) == (
        TOTALS_ID,
        5,
        4,
        2,
        1,
    )
    assert totals.unreviewed == 2


def test_retention_counts_reviews_of_known_cards_in_the_window(
    filled: tuple[Store, Scheduler], library: DeckLibrary
) -> None:
    store, scheduler = filled
    stats = compute_stats(library, store, scheduler, now=NOW)
    alpha, beta = by_deck(stats)["alpha"], by_deck(stats)["beta"]
    # alpha/c1's Again and Good; its first review and alpha/n1's were of new cards.
    assert (alpha.reviews, alpha.retained, alpha.retention) == (2, 1, 0.5)
    # beta's reviews were 40 and 45 days ago.
    assert (beta.reviews, beta.retained, beta.retention) == (0, 0, None)
    assert (stats.totals.reviews, stats.totals.retention) == (2, 0.5)
    # A window of 41 days reaches beta/c1's Hard (rated > 1) of 40 days ago.
    wide = compute_stats(library, store, scheduler, now=NOW, days=41)
    assert (by_deck(wide)["beta"].reviews, by_deck(wide)["beta"].retention) == (1, 1.0)


def test_recall_is_the_mean_retrievability_of_reviewed_cards(
    filled: tuple[Store, Scheduler], library: DeckLibrary
) -> None:
    store, scheduler = filled
    stats = compute_stats(library, store, scheduler, now=NOW)

    def recall(question: str) -> float:
        value = scheduler.retrievability(question, now=NOW)
        assert value is not None
        return value

    alpha, beta = by_deck(stats)["alpha"], by_deck(stats)["beta"]
    assert alpha.recall == pytest.approx((recall("alpha/c1") + recall("alpha/n1")) / 2)
    assert beta.recall == pytest.approx(recall("beta/c1"))
    assert stats.totals.recall == pytest.approx(
        (recall("alpha/c1") + recall("alpha/n1") + recall("beta/c1")) / 3
    )
    # Reviewed yesterday and due in 4 days: likely recalled; 40 days overdue: less so.
    assert 0.9 < recall("alpha/c1") < 1.0
    assert recall("beta/c1") < recall("alpha/c1")


def test_accuracy_by_kind_counts_every_attempt_in_any_mode(
    filled: tuple[Store, Scheduler], library: DeckLibrary
) -> None:
    store, scheduler = filled
    stats = compute_stats(library, store, scheduler, now=NOW)
    alpha, beta = by_deck(stats)["alpha"], by_deck(stats)["beta"]
    assert kinds(alpha) == {"concept": (1, 1), "numeric": (2, 1), "choice": (1, 0)}
    assert kinds(beta) == {"concept": (2, 1)}
    assert kinds(stats.totals) == {"concept": (3, 2), "numeric": (2, 1), "choice": (1, 0)}
    assert [k.kind for k in alpha.kinds] == list(KINDS)
    assert alpha.kind("numeric").accuracy == 0.5
    assert alpha.kind("code") == KindAccuracy("code", 0, 0)
    assert alpha.kind("code").accuracy is None
    assert (stats.totals.attempts, stats.totals.right) == (6, 3)
    assert stats.totals.accuracy == 0.5
    # The attempt at a question no longer in any deck is in no row but is counted.
    assert stats.attempts_ever == 7
    assert stats.reviews_ever == 6


def test_history_buckets_by_local_day(
    filled: tuple[Store, Scheduler], library: DeckLibrary
) -> None:
    store, scheduler = filled
    stats = compute_stats(library, store, scheduler, now=NOW)
    assert len(stats.history) == DEFAULT_DAYS
    assert stats.history[0].day == TODAY - timedelta(days=DEFAULT_DAYS - 1)
    assert stats.history[-1].day == TODAY
    busy = {
        day.day.isoformat(): (day.attempts, day.right, day.reviews)
        for day in stats.history
        if day.attempts or day.reviews
    }
    assert busy == {
        "2025-03-10": (0, 0, 2),
        "2025-03-12": (0, 0, 1),
        "2025-03-18": (1, 0, 0),
        "2025-03-19": (2, 1, 1),
        "2025-03-20": (3, 3, 0),
    }
    history = {day.day: day for day in stats.history}
    assert history[date(2025, 3, 19)].accuracy == 0.5
    assert history[date(2025, 3, 11)].accuracy is None


def test_the_window_runs_from_local_midnight_to_the_end_of_today(
    store: Store, library: DeckLibrary
) -> None:
    start = start_of_day(NOW) - timedelta(days=1)  # a 2-day window starts at 03-19 00:00
    for at in [
        start - timedelta(microseconds=1),  # out
        start,  # in
        start_of_day(NOW) + timedelta(hours=23, minutes=59),  # later today: in
        start_of_day(NOW) + timedelta(days=1),  # tomorrow: out
    ]:
        store.record(attempt("alpha/n1", "numeric", "correct", at))
    stats = compute_stats(library, store, Scheduler(store, fuzz=False), now=NOW, days=2)
    assert [(d.day, d.attempts) for d in stats.history] == [
        (date(2025, 3, 19), 1),
        (date(2025, 3, 20), 1),
    ]
    assert stats.totals.attempts == 4  # accuracy is over all time


def test_forecast_is_the_schedulers(filled: tuple[Store, Scheduler], library: DeckLibrary) -> None:
    store, scheduler = filled
    stats = compute_stats(library, store, scheduler, now=NOW)
    assert len(stats.forecast) == FORECAST_DAYS
    assert [(d.day, d.due) for d in stats.forecast] == scheduler.forecast(library, now=NOW)
    due = {d.day: d.due for d in stats.forecast if d.due}
    assert due == {TODAY: 2, TODAY + timedelta(days=4): 1}


def test_finished_mock_interviews_with_what_their_scorecards_say(
    filled: tuple[Store, Scheduler], library: DeckLibrary
) -> None:
    store, scheduler = filled
    stats = compute_stats(library, store, scheduler, now=NOW)
    assert [(m.day, m.questions, m.percent) for m in stats.mocks] == [
        (date(2025, 3, 17), 4, 75.0),
        (date(2025, 3, 18), None, None),  # its scorecard has no usable numbers
    ]


def test_now_must_be_aware_and_the_window_at_least_a_day(
    store: Store, library: DeckLibrary
) -> None:
    scheduler = Scheduler(store, fuzz=False)
    with pytest.raises(ValueError, match="timezone-aware"):
        compute_stats(library, store, scheduler, now=datetime(2025, 3, 20, 12))
    with pytest.raises(ValueError, match="at least 1"):
        compute_stats(library, store, scheduler, now=NOW, days=0)


def test_now_defaults_to_the_schedulers_clock(store: Store, library: DeckLibrary) -> None:
    scheduler = Scheduler(store, fuzz=False, clock=lambda: NOW)
    stats = compute_stats(library, store, scheduler)
    assert stats.now == NOW
    assert stats.history[-1].day == TODAY


# --------------------------------------------------------------------------- empty store


def test_an_empty_store_gives_zeros_and_nones(store: Store, library: DeckLibrary) -> None:
    stats = compute_stats(library, store, Scheduler(store, fuzz=False), now=NOW)
    for deck in (*stats.decks, stats.totals):
        assert (deck.seen, deck.due) == (0, 0)
        assert deck.new == deck.unreviewed == deck.questions
        assert (deck.retention, deck.recall, deck.accuracy) == (None, None, None)
        assert all(k.attempts == 0 and k.accuracy is None for k in deck.kinds)
    assert all(d.attempts == d.reviews == 0 and d.accuracy is None for d in stats.history)
    assert [d.due for d in stats.forecast] == [0] * FORECAST_DAYS
    assert (stats.mocks, stats.attempts_ever, stats.reviews_ever) == ((), 0, 0)


def test_an_empty_store_renders_with_hints(store: Store, library: DeckLibrary) -> None:
    stats = compute_stats(library, store, Scheduler(store, fuzz=False), now=NOW)
    text = rendered(stats, 120)
    assert "No reviews yet — run `quiz review`" in text
    assert "No answers yet" in text
    assert "Last 30 days: 0 answers, 0 reviews" in text
    assert "Mock interviews" not in text


# --------------------------------------------------------------------------- JSON, rendering


def test_to_json_survives_json_and_keeps_its_shape(
    filled: tuple[Store, Scheduler], library: DeckLibrary
) -> None:
    store, scheduler = filled
    data = compute_stats(library, store, scheduler, now=NOW).to_json()
    assert json.loads(json.dumps(data)) == data
    assert list(data) == [
        "generated_at",
        "window_days",
        "attempts_ever",
        "reviews_ever",
        "decks",
        "totals",
        "history",
        "forecast",
        "mocks",
    ]
    assert data["generated_at"] == "2025-03-20T12:00:00-05:00"
    alpha = data["decks"][0]
    assert list(alpha) == [
        "deck",
        "title",
        "questions",
        "seen",
        "due",
        "new",
        "unreviewed",
        "retention",
        "recall",
        "attempts",
        "right",
        "accuracy",
        "by_kind",
    ]
    assert alpha["retention"] == {"reviews": 2, "retained": 1, "rate": 0.5}
    assert list(alpha["by_kind"]) == list(KINDS)
    assert alpha["by_kind"]["numeric"] == {"attempts": 2, "right": 1, "accuracy": 0.5}
    assert alpha["by_kind"]["code"] == {"attempts": 0, "right": 0, "accuracy": None}
    assert data["totals"]["deck"] == TOTALS_ID
    assert data["history"][-1] == {
        "date": "2025-03-20",
        "attempts": 3,
        "right": 3,
        "accuracy": 1.0,
        "reviews": 0,
    }
    assert data["forecast"][0] == {"date": "2025-03-20", "due": 2}
    assert data["mocks"][0]["date"] == "2025-03-17"
    assert data["mocks"][0]["percent"] == 75.0


def rendered(stats: Stats, width: int) -> str:
    console = Console(record=True, width=width, color_system=None)
    console.print(render_stats(stats))
    return console.export_text()


def test_render_stats_on_a_wide_console_is_one_deck_table(
    filled: tuple[Store, Scheduler], library: DeckLibrary
) -> None:
    store, scheduler = filled
    stats = compute_stats(library, store, scheduler, now=NOW)
    text = rendered(stats, 120)
    lines = text.splitlines()
    header = next(line for line in lines if line.startswith("deck "))
    assert header.split() == [
        "deck", "questions", "seen", "due", "new", "retention", "recall", *KINDS
    ]  # fmt: skip
    alpha = next(line for line in lines if line.startswith("alpha "))
    assert alpha.split() == [
        "alpha", "3", "3", "1", "0", "50%", "(2)", f"{by_deck(stats)['alpha'].recall:.0%}",
        "100%", "(1)", "50%", "(2)", "0%", "(1)", "–",
    ]  # fmt: skip
    totals = next(line for line in lines if line.startswith("all decks "))
    assert totals.split()[2:7] == ["5", "4", "2", "1", "50%"]
    assert "Last 30 days: 6 answers (67% right), 4 reviews, active on 5 of 30 days" in text
    assert "Due in the next 14 days (3)" in text
    assert "Mock interviews" in text and "2025-03-17" in text and "75%" in text
    assert "No reviews yet" not in text
    assert max(len(line) for line in lines) <= 120


def test_render_stats_fits_80_columns_with_two_deck_tables(
    filled: tuple[Store, Scheduler], library: DeckLibrary
) -> None:
    store, scheduler = filled
    text = rendered(compute_stats(library, store, scheduler, now=NOW), 80)
    lines = text.splitlines()
    assert max(len(line.rstrip()) for line in lines) <= 80
    assert "…" not in text  # nothing squeezed
    headers = [line.split() for line in lines if line.startswith("deck ")]
    assert headers == [
        ["deck", "seen", "due", "new", "retention", "recall", "right"],
        ["deck", *KINDS],
    ]
    assert [line.split()[:2] for line in lines if line.startswith("alpha ")] == [
        ["alpha", "3/3"],
        ["alpha", "100%"],
    ]


# --------------------------------------------------------------------------- properties

QUESTIONS = ["alpha/c1", "alpha/n1", "alpha/m1", "beta/c1", "beta/n1", "gone/q1"]
IN_LIBRARY = set(QUESTIONS) - {"gone/q1"}


@st.composite
def any_attempt(draw: st.DrawFn) -> Attempt:
    kind = draw(st.sampled_from(KINDS))
    verdict = draw(st.sampled_from(VERDICTS[kind]))
    rating = draw(st.none() | st.integers(1, 4)) if kind == "concept" else None
    return Attempt(
        question=draw(st.sampled_from(QUESTIONS)),
        kind=kind,
        answer="x",
        verdict=verdict,
        score=draw(st.floats(0, 1)),
        rating=rating,
        at=NOW + timedelta(minutes=draw(st.integers(-45 * 24 * 60, 3 * 24 * 60))),
        mode=draw(st.sampled_from(["practice", "review"])),
    )


reviews = st.tuples(
    st.sampled_from(QUESTIONS),
    st.integers(1, 4),
    st.integers(-45 * 24 * 60, 0).map(lambda minutes: NOW + timedelta(minutes=minutes)),
)


@given(
    given_attempts=st.lists(any_attempt(), max_size=25),
    given_reviews=st.lists(reviews, max_size=10),
    days=st.integers(1, 40),
)
def test_counts_add_up_and_rates_are_rates(
    library: DeckLibrary,
    given_attempts: list[Attempt],
    given_reviews: list[tuple[str, int, datetime]],
    days: int,
) -> None:
    with tempfile.TemporaryDirectory() as folder, Store(Path(folder) / STORE_FILENAME) as store:
        scheduler = Scheduler(store, fuzz=False)
        for given_attempt in given_attempts:
            store.record(given_attempt)
        for index, (question, rating, at) in enumerate(given_reviews):
            scheduler.review(f"s{index}", question, rating, at=at)
        stats = compute_stats(library, store, scheduler, now=NOW, days=days)
        stored_reviews = store.reviews()

    in_library = [a for a in given_attempts if a.question in IN_LIBRARY]
    rows = (*stats.decks, stats.totals)
    for row in rows:
        for kind in row.kinds:
            assert 0 <= kind.right <= kind.attempts
            assert (kind.accuracy is None) == (kind.attempts == 0)
            assert kind.accuracy is None or 0.0 <= kind.accuracy <= 1.0
        for rate in (row.retention, row.recall):
            assert rate is None or 0.0 <= rate <= 1.0
        assert 0 <= row.seen <= row.questions
        assert row.due + row.new <= row.questions
    assert sum(deck.attempts for deck in stats.decks) == stats.totals.attempts == len(in_library)
    for name in KINDS:
        assert stats.totals.kind(name).attempts == sum(a.kind == name for a in in_library)
        assert stats.totals.kind(name).right == sum(a.kind == name and a.right for a in in_library)

    window = {TODAY - timedelta(days=offset) for offset in range(days)}
    assert [d.day for d in stats.history] == sorted(window)
    in_window = [a for a in given_attempts if a.at.astimezone(ZONE).date() in window]
    assert sum(d.attempts for d in stats.history) == len(in_window)
    assert sum(d.right for d in stats.history) == sum(a.right for a in in_window)
    reviewed = [r for r in stored_reviews if r.at.astimezone(ZONE).date() in window]
    assert sum(d.reviews for d in stats.history) == len(reviewed)
    known = [r for r in reviewed if r.card_before is not None and r.question in IN_LIBRARY]
    assert stats.totals.reviews == len(known)
    assert stats.totals.retained == sum(r.rating > 1 for r in known)
    assert stats.attempts_ever == len(given_attempts)
    json.dumps(stats.to_json())  # always serialisable


@given(
    given_attempts=st.lists(st.tuples(any_attempt(), st.sampled_from(MODES)), max_size=20),
    given_reviews=st.lists(reviews, max_size=8),
)
def test_seen_and_new_split_the_questions_for_any_attempts_and_reviews(
    library: DeckLibrary,
    given_attempts: list[tuple[Attempt, str]],
    given_reviews: list[tuple[str, int, datetime]],
) -> None:
    with tempfile.TemporaryDirectory() as folder, Store(Path(folder) / STORE_FILENAME) as store:
        scheduler = Scheduler(store, fuzz=False)
        mock = store.start_mock({"questions": 5}, at=NOW - timedelta(days=50))
        for drawn, mode in given_attempts:
            store.record(replace(drawn, mode=mode, mock=mock if mode == "mock" else None))
        for index, (question, rating, at) in enumerate(given_reviews):
            scheduler.review(f"s{index}", question, rating, at=at)
        stats = compute_stats(library, store, scheduler, now=NOW)

    touched = {a.question for a, _ in given_attempts} | {q for q, _, _ in given_reviews}
    for row in (*stats.decks, stats.totals):
        assert row.seen + row.new == row.questions
        assert row.seen >= 0 and row.new >= 0
        assert row.new <= row.unreviewed  # a question never seen has no card either
        assert row.due + row.unreviewed <= row.questions
    for deck in stats.decks:
        untouched = [q for q in IN_LIBRARY - touched if q.startswith(f"{deck.deck}/")]
        assert deck.new == len(untouched)
    assert stats.totals.new == len(IN_LIBRARY - touched)
    assert stats.to_json()["totals"]["new"] == stats.totals.new


def test_utc_now_works_too(store: Store, library: DeckLibrary) -> None:
    store.record(attempt("alpha/n1", "numeric", "correct", datetime(2025, 3, 20, 2, tzinfo=UTC)))
    # 02:00 UTC is 21:00 the day before at UTC-5, but today in UTC.
    in_utc = compute_stats(library, store, Scheduler(store), now=NOW.astimezone(UTC))
    assert [(d.day, d.attempts) for d in in_utc.history if d.attempts] == [(date(2025, 3, 20), 1)]
    local = compute_stats(library, store, Scheduler(store), now=NOW)
    assert [(d.day, d.attempts) for d in local.history if d.attempts] == [(date(2025, 3, 19), 1)]


@pytest.mark.slow  # starts a fresh interpreter
def test_the_stats_module_imports_no_rich_textual_or_torch() -> None:
    code = "import sys, json, quiz.progress.stats; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = {name.split(".")[0] for name in json.loads(out.stdout)}
    assert "fsrs" in loaded  # the check sees what was imported
    assert not loaded & {"rich", "textual", "textual_plotext", "torch", "hypothesis"}
