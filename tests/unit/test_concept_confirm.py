"""The key-point checklist of a concept answer: the matcher pre-ticks it (quiz.progress.concept),
the learner or the interviewer confirms it, and the store, the export and the mock scorecard
keep what was confirmed (and say when a score is only the matcher's suggestion)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from testkit import FakeClock

from questions import ConceptQuestion, Deck, LoadedDeck
from quiz.progress.concept import judge, merge_spans, suggested_rating, ticked_score
from quiz.progress.mock import MockConfig, MockInterview, Scorecard
from quiz.progress.session import PracticeSession
from quiz.progress.store import (
    MIGRATIONS,
    SCHEMA_VERSION,
    STORE_FILENAME,
    Attempt,
    KeyPointMark,
    Store,
    StoreError,
)

PROMPT = "Explain the two ideas."
BOTH = "The first idea is alpha, and the second idea is beta."
ALPHA = "It is alpha. Alpha matters most."
START = datetime(2025, 3, 14, 9, 30, tzinfo=UTC)


def concept(qid: str = "c1") -> dict[str, Any]:
    return {
        "id": qid,
        "kind": "concept",
        "title": "Alpha, beta, gamma",
        "prompt": PROMPT,
        "answer": "Alpha, beta and gamma.",
        "key_points": [
            {"point": "Says alpha", "patterns": ["alpha"]},
            {"point": "Says beta", "patterns": ["beta"]},
            {"point": "Says gamma", "patterns": ["gamma"]},
        ],
    }


def deck() -> Deck:
    return Deck.model_validate(
        {"id": "mini", "title": "Mini", "questions": [concept("c1"), concept("c2")]}
    )


def question() -> ConceptQuestion:
    found = deck().get("c1")
    assert isinstance(found, ConceptQuestion)
    return found


@pytest.fixture
def store() -> Iterator[Store]:
    with Store() as opened:  # in this test's own QUIZ_HOME
        yield opened


def mock(store: Store, *, interviewer: bool = False) -> MockInterview:
    loaded = LoadedDeck(deck(), Path("/decks/mini.yaml"), "path")
    items = [(loaded, q) for q in loaded.deck.questions]
    return MockInterview(
        store,
        MockConfig(seed=1, count=2, interviewer=interviewer),
        items,
        clock=FakeClock(),
        wall_clock=lambda: START,
    )


# --------------------------------------------------------------------------- the adapter


def test_judge_gives_each_point_its_hit_and_the_words_that_make_it() -> None:
    alpha, beta, gamma = judge(question(), BOTH)
    assert (alpha.point, alpha.hit, beta.hit, gamma.hit) == ("Says alpha", True, True, False)
    assert [BOTH[start:end] for start, end in alpha.spans] == ["alpha"]
    assert [BOTH[start:end] for start, end in beta.spans] == ["beta"]
    assert gamma.spans == ()


def test_judge_finds_every_occurrence_whatever_its_case() -> None:
    alpha, *_ = judge(question(), ALPHA)
    assert [ALPHA[start:end] for start, end in alpha.spans] == ["alpha", "Alpha"]


def test_judge_agrees_with_the_rubric_on_hits() -> None:
    for text in (BOTH, ALPHA, "alpha and beta", "Nothing relevant here."):
        rubric = [hit for _, hit in question().rubric(text)]
        assert [result.hit for result in judge(question(), text)] == rubric


def test_overlapping_spans_are_merged_and_sorted() -> None:
    assert merge_spans([(8, 10), (0, 3), (2, 5), (5, 6)]) == ((0, 6), (8, 10))
    assert merge_spans([]) == ()


@pytest.mark.parametrize(
    ("ticks", "rating", "score"),
    [
        ((True, True, True), 3, 1.0),
        ((True, True, False), 2, 2 / 3),
        ((True, False), 2, 0.5),
        ((True, False, False), 1, 1 / 3),
        ((False, False, False), 1, 0.0),
        ((), 3, 1.0),
    ],
)
def test_the_ticked_share_scores_and_suggests_the_rating(
    ticks: tuple[bool, ...], rating: int, score: float
) -> None:
    assert suggested_rating(ticks) == rating
    assert ticked_score(ticks) == pytest.approx(score)


# --------------------------------------------------------------------------- practice


def test_the_matcher_pre_ticks_and_the_attempt_keeps_its_suggestion(store: Store) -> None:
    session = PracticeSession(deck(), store)
    outcome = session.submit_concept(ALPHA)
    assert session.ticks() == (True, False, False)
    assert session.suggested_rating() == 1
    assert not session.confirmed()
    [attempt] = store.attempts()
    assert attempt.score == pytest.approx(1 / 3) == outcome.score
    assert attempt.confirmed is False
    assert attempt.key_points == (
        KeyPointMark("Says alpha", matched=True, ticked=True),
        KeyPointMark("Says beta", matched=False, ticked=False),
        KeyPointMark("Says gamma", matched=False, ticked=False),
    )


def test_rating_confirms_the_ticks_the_learner_changed(store: Store) -> None:
    session = PracticeSession(deck(), store)
    session.submit_concept(ALPHA)
    assert session.tick(1) is True  # the learner says beta was made too
    assert session.tick(2, ticked=True) is True
    assert session.tick(0, ticked=False) is False
    assert session.ticks() == (False, True, True)
    assert session.suggested_rating() == 2
    session.rate(3)

    assert session.confirmed()
    assert session.outcome(0) is not None
    assert session.outcome(0).score == pytest.approx(2 / 3)  # type: ignore[union-attr]
    [attempt] = store.attempts()
    assert (attempt.rating, attempt.confirmed) == (3, True)
    assert attempt.score == pytest.approx(2 / 3)
    assert [(m.matched, m.ticked) for m in attempt.key_points] == [
        (True, False),
        (False, True),
        (False, True),
    ]


def test_ticking_needs_an_answer_and_a_point_that_exists(store: Store) -> None:
    session = PracticeSession(deck(), store)
    with pytest.raises(ValueError, match="no concept answer to tick"):
        session.tick(0)
    session.submit_concept(BOTH)
    with pytest.raises(ValueError, match="key point 3 does not exist; there are 3"):
        session.tick(3)


def test_a_new_answer_starts_a_new_checklist(store: Store) -> None:
    session = PracticeSession(deck(), store)
    session.submit_concept(ALPHA)
    session.tick(2)
    session.rate(2)
    session.submit_concept(BOTH)
    assert session.ticks() == (True, True, False)
    assert not session.confirmed()


def test_only_a_concept_attempt_carries_key_points() -> None:
    with pytest.raises(ValueError, match="only a concept attempt has key points"):
        Attempt(
            question="d/n",
            kind="numeric",
            answer="[]",
            verdict="wrong",
            score=0.0,
            key_points=(KeyPointMark("x", True, True),),
        )


def test_confirming_a_numeric_attempt_is_refused(store: Store) -> None:
    numeric = store.record(
        Attempt(question="d/n", kind="numeric", answer="[]", verdict="wrong", score=0.0)
    )
    with pytest.raises(StoreError, match="no concept attempt"):
        store.confirm(numeric, (), 1.0)


# --------------------------------------------------------------------------- store


def test_a_version_2_store_migrates_and_its_concept_attempts_are_unconfirmed(
    tmp_path: Path,
) -> None:
    path = tmp_path / STORE_FILENAME
    other = sqlite3.connect(path, isolation_level=None)
    for migration in MIGRATIONS[:2]:
        for statement in migration:
            other.execute(statement)
    other.execute(
        "INSERT INTO attempts (question, kind, answer, verdict, score, rating, seconds, hints, "
        "at) VALUES ('mini/c1', 'concept', 'alpha', 'rated', 0.5, 3, 20.0, 0, "
        "'2024-12-31T23:59:59.000001+00:00')"
    )
    other.execute("PRAGMA user_version = 2")
    other.close()

    with Store(path) as store:
        assert store.schema_version == SCHEMA_VERSION == 3
        [old] = store.attempts()
        assert (old.score, old.rating, old.key_points, old.confirmed) == (0.5, 3, (), False)
        store.confirm(old.id or 0, (KeyPointMark("Says alpha", True, True),), 1.0)
        [confirmed] = store.attempts()
        assert (confirmed.score, confirmed.confirmed) == (1.0, True)


def test_export_carries_the_checklist_and_old_exports_still_import(
    store: Store, tmp_path: Path
) -> None:
    session = PracticeSession(deck(), store)
    session.submit_concept(ALPHA)
    session.tick(1)
    session.rate(2)
    data = store.export_data()
    [entry] = data["attempts"]
    assert entry["confirmed"] is True
    assert [point["ticked"] for point in entry["key_points"]] == [True, True, False]

    with Store(tmp_path / "other.sqlite3") as other:
        other.import_data(json.loads(json.dumps(data)))
        [copied] = other.attempts()
        assert copied.key_points == store.attempts()[0].key_points
        assert copied.confirmed is True

    old = json.loads(json.dumps(data))
    for attempt in old["attempts"]:
        del attempt["key_points"], attempt["confirmed"]
    with Store(tmp_path / "old.sqlite3") as older:
        older.import_data(old)
        [imported] = older.attempts()
        assert (imported.key_points, imported.confirmed) == ((), False)


def test_an_export_with_a_malformed_checklist_is_refused(store: Store) -> None:
    session = PracticeSession(deck(), store)
    session.submit_concept(ALPHA)
    data = store.export_data()
    data["attempts"][0]["key_points"] = [{"point": "Says alpha", "ticked": "yes"}]
    with (
        Store(store.path.with_name("other.sqlite3")) as other,
        pytest.raises(StoreError, match="matched"),
    ):
        other.import_data(data)


# --------------------------------------------------------------------------- mock


def test_a_mock_concept_score_is_the_matchers_suggestion_until_confirmed(store: Store) -> None:
    interview = mock(store)
    interview.submit_concept(ALPHA)
    card = interview.finish()
    first = card.entries[0]
    assert (first.confirmed_by, first.suggested, first.score) == (None, True, 0.3333)
    assert [m.ticked for m in first.key_points] == [True, False, False]
    assert "(the matcher's suggestion, not confirmed)" in card.to_markdown()
    assert "1 the matcher's suggestion, not confirmed" in card.to_markdown()
    assert not card.entries[1].suggested  # unanswered: nothing to confirm


def test_confirming_after_the_end_rescores_and_saves_the_scorecard(store: Store) -> None:
    interview = mock(store)
    interview.submit_concept(ALPHA)
    interview.finish()
    interview.tick(1, 0)
    interview.confirm(0)

    card = interview.scorecard
    assert card is not None
    first = card.entries[0]
    assert (first.confirmed_by, first.score, first.points) == ("candidate", 0.6667, 0.6667)
    assert first.key_points_missed == ["Says gamma"]
    assert [(m.matched, m.ticked) for m in first.key_points][1] == (False, True)
    markdown = card.to_markdown()
    assert "(confirmed by the candidate)" in markdown
    assert "- [x] Says beta _(ticked by hand)_" in markdown
    assert "- [ ] Says gamma" in markdown

    saved = store.mock(interview.mock_id)
    assert saved is not None and saved.scorecard is not None
    assert Scorecard.from_json(saved.scorecard) == card
    assert saved.finished_at == START
    [attempt] = store.mock_attempts(interview.mock_id)
    assert attempt.confirmed
    assert attempt.score == pytest.approx(2 / 3)


def test_ticks_changed_after_confirming_are_not_counted_until_confirmed(store: Store) -> None:
    interview = mock(store)
    interview.submit_concept(ALPHA)
    interview.finish()
    interview.confirm(0)
    interview.tick(2, 0)
    assert not interview.confirmed(0)
    card = interview.scorecard
    assert card is not None
    assert card.entries[0].score == 0.3333
    assert card.entries[0].confirmed_by == "candidate"


def test_in_interviewer_mode_the_interviewer_confirms(store: Store) -> None:
    interview = mock(store, interviewer=True)
    interview.submit_concept(BOTH)
    interview.set_interviewer_score(0, 0.25)
    assert interview.confirmed_by(0) == "interviewer"
    interview.confirm(0)  # the checklist's score replaces the one given by hand
    card = interview.finish()
    first = card.entries[0]
    assert (first.scored_by, first.confirmed_by, first.score) == ("rubric", "interviewer", 0.6667)
    assert "(confirmed by the interviewer)" in card.to_markdown()


def test_confirm_needs_an_answered_concept_question(store: Store) -> None:
    interview = mock(store)
    with pytest.raises(ValueError, match="no concept answer to confirm"):
        interview.confirm(1)


def test_the_json_scorecard_round_trips_the_checklist(store: Store) -> None:
    interview = mock(store)
    interview.submit_concept(ALPHA)
    interview.finish()
    interview.confirm(0)
    card = interview.scorecard
    assert card is not None
    data = json.loads(json.dumps(card.to_json()))
    assert data["questions"][0]["confirmed_by"] == "candidate"
    assert data["questions"][1]["confirmed_by"] is None
    assert Scorecard.from_json(data) == card


def test_a_scorecard_written_before_checklists_still_loads(store: Store) -> None:
    interview = mock(store)
    interview.submit_concept(ALPHA)
    data = json.loads(json.dumps(interview.finish().to_json()))
    for entry in data["questions"]:
        del entry["key_points"], entry["confirmed_by"]
    old = Scorecard.from_json(data)
    first = old.entries[0]
    assert (first.key_points, first.confirmed_by, first.suggested) == ((), None, True)
    markdown = old.to_markdown()
    assert "### Key points missed" in markdown  # the old list, as before
    assert "(the matcher's suggestion, not confirmed)" in markdown


def test_a_scorecard_with_an_unknown_confirmer_is_refused(store: Store) -> None:
    interview = mock(store)
    interview.submit_concept(ALPHA)
    data = json.loads(json.dumps(interview.finish().to_json()))
    data["questions"][0]["confirmed_by"] = "the cat"
    with pytest.raises(ValueError, match=r"scorecard\.questions\[0\]\.confirmed_by"):
        Scorecard.from_json(data)
