"""Mock interviews: the question mix, seeding, the countdown, timing, scoring, the scorecard and
its export. A fake clock drives time; a fixed wall clock dates the mock."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from testkit import FakeClock

from grader import CheckResult, Counterexample, SubmissionReport
from questions import Deck, DeckLibrary, LoadedDeck, NumericQuestion, draw_numbers
from quiz.progress.mock import (
    KIND_ORDER,
    MockConfig,
    MockInterview,
    MockOver,
    Scorecard,
    ScorecardEntry,
    export_scorecard,
    scorecard_json,
)
from quiz.progress.store import Store

START = datetime(2025, 3, 14, 9, 30, tzinfo=UTC)
GOOD_Q1 = (
    "A 1x1 convolution is used for dimensionality reduction: a bottleneck with fewer channels "
    "before the expensive 3x3 and 5x5 convolutions. Followed by a ReLU it adds non-linearity "
    "without changing the spatial size, and it gives cross-channel interaction at each pixel."
)
CODE = "def double(x):\n    return 2 * x\n"


def fixed_wall_clock() -> datetime:
    return START


def mini_deck(deck_id: str = "mini") -> Deck:
    """Three concept, two numeric, two choice and one code question, in a known order."""

    def concept(qid: str, **extra: Any) -> dict[str, Any]:
        return {
            "id": qid,
            "kind": "concept",
            "prompt": f"Explain {qid}.",
            "answer": f"The answer to {qid}.",
            "key_points": [{"point": "Says alpha", "patterns": ["alpha"]}],
            **extra,
        }

    return Deck.model_validate(
        {
            "id": deck_id,
            "title": "Mini",
            "questions": [
                concept(
                    "c1",
                    title="Alpha and beta",
                    hints=["First hint.", "Second hint.", "Third hint."],
                    expected_seconds=60,
                    key_points=[
                        {"point": "Says alpha", "patterns": ["alpha"]},
                        {"point": "Says beta", "patterns": ["beta"]},
                    ],
                ),
                concept("c2"),
                concept("c3"),
                {
                    "id": "n1",
                    "kind": "numeric",
                    "prompt": "Two squares.",
                    "answer": "Four and nine.",
                    "hints": ["Multiply."],
                    "parts": [
                        {"label": "Two squared", "answer": 4, "working": "2*2"},
                        {"label": "Three squared", "answer": 9, "working": "3*3"},
                    ],
                },
                {
                    "id": "n2",
                    "kind": "numeric",
                    "prompt": "Half.",
                    "answer": "One half.",
                    "parts": [{"label": "Half", "answer": 0.5, "percent": True}],
                },
                {
                    "id": "ch1",
                    "kind": "choice",
                    "prompt": "Which has no parameters?",
                    "answer": "Pooling.",
                    "options": [
                        {"text": "A convolution"},
                        {"text": "Global average pooling", "correct": True},
                    ],
                },
                {
                    "id": "ch2",
                    "kind": "choice",
                    "prompt": "Which are cheap?",
                    "answer": "Depthwise and pointwise.",
                    "multiple": True,
                    "options": [
                        {"text": "Depthwise", "correct": True},
                        {"text": "Pointwise", "correct": True},
                        {"text": "Dense 5×5"},
                    ],
                },
                {
                    "id": "k1",
                    "kind": "code",
                    "prompt": "Write `double`.",
                    "answer": "```python\ndef double(x):\n    return 2 * x\n```",
                    "entry_point": "double",
                    "starter": "def double(x):\n    ...\n",
                    "reference": CODE,
                },
            ],
        }
    )


def loaded(deck: Deck) -> LoadedDeck:
    return LoadedDeck(deck, Path(f"/decks/{deck.id}.yaml"), "path")


@pytest.fixture
def library() -> DeckLibrary:
    return DeckLibrary(decks=[loaded(mini_deck())])


@pytest.fixture(scope="module")
def packaged() -> DeckLibrary:
    return DeckLibrary.discover([], include_user=False)


@pytest.fixture
def store() -> Iterator[Store]:
    with Store() as opened:  # in this test's own QUIZ_HOME
        yield opened


def start(
    library: DeckLibrary, store: Store, clock: FakeClock | None = None, **config: Any
) -> MockInterview:
    settings_ = {"seed": 1, **config}
    return MockInterview.create(
        library,
        store,
        MockConfig(**settings_),
        clock=clock or FakeClock(),
        wall_clock=fixed_wall_clock,
    )


def mock_of(
    store: Store, *question_ids: str, clock: FakeClock | None = None, **config: Any
) -> MockInterview:
    """A mock over the mini deck's ``question_ids`` in that order (no random choice)."""
    deck = mini_deck()
    items = [(loaded(deck), deck.get(qid)) for qid in question_ids]
    assert all(question is not None for _, question in items)
    settings_ = {"seed": 1, "count": len(items), **config}
    return MockInterview(
        store,
        MockConfig(**settings_),
        items,  # type: ignore[arg-type]
        clock=clock or FakeClock(),
        wall_clock=fixed_wall_clock,
    )


def go_to(mock: MockInterview, question_id: str) -> int:
    index = next(i for i, q in enumerate(mock.questions) if q.id == question_id)
    mock.go(index)
    return index


def code_report(
    question: str, statuses: dict[str, str], *, error: str | None = None
) -> SubmissionReport:
    checks = tuple(
        CheckResult(name, status, f"{name} went {status}")  # type: ignore[arg-type]
        for name, status in statuses.items()
    )
    failed = any(status in ("fail", "error") for status in statuses.values())
    overall = "error" if error else ("fail" if failed else "pass")
    return SubmissionReport(
        submission="double.py",
        question=question,
        status=overall,  # type: ignore[arg-type]
        checks=checks,
        seed=0,
        error=error,
    )


PASSING = {"compile": "pass", "load": "pass", "outputs": "pass"}
FAILING = {"compile": "pass", "load": "pass", "outputs": "fail"}


# --------------------------------------------------------------------------- configuration


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("minutes", 0),
        ("minutes", -5),
        ("minutes", 600.5),
        ("minutes", float("nan")),
        ("minutes", True),
        ("minutes", "30"),
        ("count", 0),
        ("count", 2.0),
        ("count", True),
        ("seed", 1.5),
        ("seed", False),
        ("decks", "inception-1x1"),
        ("decks", ("ok", "")),
        ("decks", (3,)),
        ("interviewer", "yes"),
        ("hint_penalty", -0.1),
        ("hint_penalty", 1.5),
    ],
)
def test_config_refuses_bad_values_naming_the_field(field: str, value: Any) -> None:
    with pytest.raises(ValueError, match=field):
        MockConfig(**{field: value})


def test_config_defaults_and_limits() -> None:
    config = MockConfig()
    assert (config.minutes, config.decks, config.count, config.seed) == (30.0, (), 6, None)
    assert (config.interviewer, config.hint_penalty) == (False, 0.25)
    assert MockConfig(minutes=600).minutes == 600.0
    assert MockConfig(decks=["a", "b", "a"]).decks == ("a", "b")  # type: ignore[arg-type]


def test_config_reads_back_what_it_writes_and_ignores_the_stored_question_list() -> None:
    config = MockConfig(minutes=12.5, decks=("a", "b"), count=4, seed=9, interviewer=True)
    data = config.to_json()
    assert list(data) == ["minutes", "decks", "count", "seed", "interviewer", "hint_penalty"]
    assert MockConfig.from_json(json.loads(json.dumps(data))) == config
    assert MockConfig.from_json({**data, "questions": ["a/q1"]}) == config
    assert MockConfig.from_json({}) == MockConfig()
    with pytest.raises(ValueError, match="count"):
        MockConfig.from_json({**data, "count": "four"})
    with pytest.raises(ValueError, match="expected an object"):
        MockConfig.from_json(["minutes", 3])


configs = st.builds(
    MockConfig,
    minutes=st.floats(min_value=0, max_value=600, exclude_min=True),
    decks=st.lists(st.text(min_size=1).filter(str.strip), max_size=4).map(tuple),
    count=st.integers(min_value=1, max_value=10_000),
    seed=st.none() | st.integers(),
    interviewer=st.booleans(),
    hint_penalty=st.floats(min_value=0, max_value=1),
)


@given(configs)
def test_any_config_survives_a_json_round_trip(config: MockConfig) -> None:
    assert MockConfig.from_json(json.loads(json.dumps(config.to_json()))) == config


# --------------------------------------------------------------------------- choosing questions


@pytest.mark.parametrize("seed", range(6))
def test_three_questions_are_a_concept_a_numeric_and_a_code_question(
    packaged: DeckLibrary, store: Store, seed: int
) -> None:
    mock = start(packaged, store, decks=("inception-1x1",), count=3, seed=seed)
    assert [q.kind for q in mock.questions] == ["concept", "numeric", "code"]
    assert {mock.deck_of(i).id for i in range(3)} == {"inception-1x1"}


def test_kinds_are_taken_round_robin_in_a_fixed_order(library: DeckLibrary, store: Store) -> None:
    mock = start(library, store, count=8)
    assert [q.kind for q in mock.questions] == [
        "concept",
        "numeric",
        "code",
        "choice",
        "concept",
        "numeric",
        "choice",
        "concept",
    ]
    assert KIND_ORDER == ("concept", "numeric", "code", "choice")
    assert mock.notes == ()
    assert (mock.mode, mock.reveals_answers) == ("mock", False)


def test_the_same_seed_asks_the_same_questions_with_the_same_numbers(
    packaged: DeckLibrary, store: Store
) -> None:
    def asked(seed: int) -> list[tuple[str, str]]:
        mock = start(packaged, store, count=8, seed=seed)
        return [(mock.question_id(q), q.prompt) for q in mock.questions]

    first = asked(11)
    assert asked(11) == first
    # Different seeds choose differently (over a handful of seeds, surely not all the same).
    assert len({tuple(asked(seed)) for seed in range(5)}) > 1


def test_a_drawn_numeric_question_gets_numbers_from_the_mock_seed(
    packaged: DeckLibrary, store: Store
) -> None:
    # Seed 3 picks the drill whose numbers are drawn (see the golden scorecard test).
    prompts = set()
    for _ in range(2):
        mock = start(packaged, store, decks=("inception-1x1",), count=3, seed=3)
        drill = mock.questions[1]
        original = packaged.deck("inception-1x1").deck.get(drill.id)
        assert isinstance(original, NumericQuestion) and original.parametric
        assert drill == draw_numbers(original, 3)
        assert "{{" not in drill.prompt
        prompts.add(drill.prompt)
    assert len(prompts) == 1


def test_without_a_seed_the_mock_records_the_seed_it_used(
    library: DeckLibrary, store: Store
) -> None:
    mock = MockInterview.create(library, store, MockConfig(count=4), wall_clock=fixed_wall_clock)
    seed = mock.config.seed
    assert isinstance(seed, int)
    record = store.mock(mock.mock_id)
    assert record is not None
    assert record.config["seed"] == seed
    assert record.config["questions"] == [mock.question_id(q) for q in mock.questions]
    assert record.started_at == START
    assert MockConfig.from_json(record.config) == mock.config
    again = start(library, store, count=4, seed=seed)
    assert [q.id for q in again.questions] == [q.id for q in mock.questions]


def test_unknown_decks_are_named_and_nothing_is_recorded(
    packaged: DeckLibrary, store: Store
) -> None:
    with pytest.raises(ValueError, match=r"'nope', 'nada'.*inception-1x1"):
        start(packaged, store, decks=("inception-1x1", "nope", "nada"))
    assert store.mocks() == []


def test_fewer_questions_than_asked_for_asks_them_all_and_says_so(
    library: DeckLibrary, store: Store
) -> None:
    mock = start(library, store, count=50)
    assert len(mock.questions) == 8
    assert len({q.id for q in mock.questions}) == 8
    [note] = mock.notes
    assert "50" in note and "8" in note and "mini" in note
    assert mock.finish().notes == (note,)


def test_questions_come_from_the_chosen_decks_only(store: Store) -> None:
    library = DeckLibrary(decks=[loaded(mini_deck("one")), loaded(mini_deck("two"))])
    mock = start(library, store, decks=("two",), count=8)
    assert {mock.deck_of(i).id for i in range(len(mock.questions))} == {"two"}
    both = start(library, store, count=16)
    assert {both.deck_of(i).id for i in range(16)} == {"one", "two"}
    assert both.paths == {"one": Path("/decks/one.yaml"), "two": Path("/decks/two.yaml")}


def test_paths_name_the_deck_files_for_the_grader(packaged: DeckLibrary, store: Store) -> None:
    mock = start(packaged, store, decks=("inception-1x1",), count=3)
    assert mock.paths["inception-1x1"] == packaged.deck("inception-1x1").path
    assert mock.paths["inception-1x1"].is_file()


# --------------------------------------------------------------------------- time


def test_the_countdown_runs_down_to_zero_and_never_below(
    library: DeckLibrary, store: Store, clock: FakeClock
) -> None:
    mock = start(library, store, clock, minutes=2)
    assert mock.remaining() == 120.0
    assert not mock.expired and not mock.over
    clock.advance(45.5)
    assert mock.remaining() == pytest.approx(74.5)
    assert mock.elapsed() == pytest.approx(45.5)
    clock.advance(74.5)
    assert mock.remaining() == 0.0
    assert mock.expired and mock.over
    clock.advance(1000)
    assert mock.remaining() == 0.0
    assert mock.elapsed() == pytest.approx(120.0)


def test_time_on_a_question_counts_only_while_it_is_shown(store: Store, clock: FakeClock) -> None:
    mock = mock_of(store, "c1", "n1", "k1", clock=clock)
    clock.advance(10)
    mock.skip()  # 0 -> 1
    clock.advance(20)
    mock.skip()  # 1 -> 2
    clock.advance(30)
    mock.go(0)  # come back
    clock.advance(5)
    assert [mock.seconds(i) for i in range(3)] == [15.0, 20.0, 30.0]
    assert mock.entry(0).status == "skipped"
    mock.submit_concept("It uses alpha and it uses beta.")
    assert mock.outcome(0) is not None
    assert mock.outcome(0).seconds == 15.0  # type: ignore[union-attr]


def test_the_timers_stop_at_the_deadline_and_at_the_end(store: Store, clock: FakeClock) -> None:
    mock = mock_of(store, "c1", "n1", clock=clock, minutes=1)
    clock.advance(50)
    mock.next()
    clock.advance(500)  # 10 s of it before the deadline
    assert mock.seconds(1) == 10.0
    card = mock.finish()
    assert card.ended_by == "time"
    assert card.time_used == 60.0
    assert [e.seconds for e in card.entries] == [50.0, 10.0]
    clock.advance(100)
    assert mock.remaining() == 0.0
    assert mock.seconds(1) == 10.0


def test_finishing_early_freezes_the_clock(store: Store, clock: FakeClock) -> None:
    mock = mock_of(store, "c1", clock=clock, minutes=10)
    clock.advance(90)
    card = mock.finish()
    assert (card.ended_by, card.time_used) == ("finished", 90.0)
    clock.advance(60)
    assert mock.remaining() == 510.0
    assert not mock.expired
    assert mock.seconds(0) == 90.0


def test_leaving_mid_interview_is_saved_as_left_unless_time_had_run_out(
    store: Store, clock: FakeClock
) -> None:
    mock = mock_of(store, "c1", clock=clock, minutes=10)
    clock.advance(30)
    card = mock.finish(left=True)
    assert (card.ended_by, card.time_used) == ("left", 30.0)
    assert "left before the end (the app was closed)" in card.to_markdown()
    saved = store.mock(mock.mock_id)
    assert saved is not None and saved.scorecard is not None
    assert saved.scorecard["ended_by"] == "left"

    late = mock_of(store, "c1", clock=clock, minutes=1)
    clock.advance(61)
    assert late.finish(left=True).ended_by == "time"


def test_out_of_time_takes_no_answer_or_hint_but_still_a_late_code_grade(
    store: Store, clock: FakeClock
) -> None:
    mock = mock_of(store, "c1", "n1", "k1", clock=clock, minutes=1)
    clock.advance(61)
    with pytest.raises(MockOver, match="time is up"):
        mock.submit_concept("It uses alpha.")
    with pytest.raises(MockOver):
        mock.show_hint()
    mock.go(1)
    with pytest.raises(MockOver):
        mock.submit_numeric(["4", "9"])
    code = go_to(mock, "k1")
    # Grading started before the deadline may land after it.
    outcome = mock.record_grade(code_report("mini/k1", PASSING), CODE)
    assert outcome.verdict == "pass"
    card = mock.finish()
    assert card.ended_by == "time"
    assert [e.status for e in card.entries] == ["skipped", "skipped", "answered"]
    assert card.entries[code].points == 1.0
    assert len(store.mock_attempts(mock.mock_id)) == 1


# --------------------------------------------------------------------------- answers and points


def test_concept_answers_are_scored_by_the_rubric_not_self_rated(store: Store) -> None:
    mock = mock_of(store, "c1")
    outcome = mock.submit_concept("I would mention alpha only.")
    assert (outcome.verdict, outcome.score) == ("rated", 0.5)
    assert mock.points(0) == 0.5
    assert mock.entry(0).key_points_missed == ["Says beta"]
    assert mock.entry(0).scored_by == "rubric"
    with pytest.raises(ValueError, match="no self-rating"):
        mock.rate(4)
    [attempt] = store.mock_attempts(mock.mock_id)
    assert attempt.rating is None


def test_each_hint_costs_the_penalty_and_points_never_go_below_zero(store: Store) -> None:
    mock = mock_of(store, "c1")
    assert mock.show_hint() == "First hint."
    assert mock.show_hint() == "Second hint."
    mock.submit_concept("It uses alpha and it uses beta.")
    assert mock.score(0) == 1.0
    assert mock.points(0) == 0.5
    entry = mock.entry(0)
    assert (entry.hints, entry.score, entry.points) == (2, 1.0, 0.5)

    harsh = mock_of(store, "c1", hint_penalty=0.4)
    for _ in range(3):
        harsh.show_hint()
    assert harsh.show_hint() is None  # only three
    harsh.submit_concept("It uses alpha and it uses beta.")
    assert harsh.points(0) == 0.0


def test_hints_count_whenever_they_are_shown(store: Store) -> None:
    mock = mock_of(store, "c1")
    mock.submit_concept("It uses alpha and it uses beta.")
    mock.show_hint()  # after the answer: still seen before the end
    assert mock.points(0) == 0.75


def test_unanswered_questions_score_nothing(store: Store) -> None:
    mock = mock_of(store, "c1", "n1", "k1", "ch1")
    assert [mock.points(i) for i in range(4)] == [0.0] * 4
    assert mock.score(0) is None
    mock.show_hint()
    mock.skip()  # shown, hinted, never answered
    card = mock.finish()
    assert [e.status for e in card.entries] == ["skipped", "skipped", "unseen", "unseen"]
    assert all(e.points == 0.0 and e.score == 0.0 and e.verdict is None for e in card.entries)
    assert card.entries[0].hints == 1
    assert (card.total, card.maximum, card.percent) == (0.0, 4, 0.0)


def test_answering_again_replaces_the_answer(store: Store) -> None:
    mock = mock_of(store, "c1", "n1")
    mock.submit_concept("It uses beta, I think.")
    mock.submit_concept("It uses alpha and it uses beta.")
    assert mock.points(0) == 1.0
    mock.next()
    mock.submit_numeric(["4", "9"])
    mock.submit_numeric(["4", "10"])  # the latest counts, even when worse
    assert mock.points(1) == 0.5
    card = mock.finish()
    assert card.entries[0].answer == "It uses alpha and it uses beta."
    assert card.entries[1].wrong_parts == ["Three squared"]
    assert card.entries[1].answer == "Two squared: 4\nThree squared: 10"
    assert card.total == 1.5
    # Every answer is in the history; the scorecard keeps the latest.
    assert [a.answer for a in store.mock_attempts(mock.mock_id)][:2] == [
        "It uses beta, I think.",
        "It uses alpha and it uses beta.",
    ]
    assert len(store.mock_attempts(mock.mock_id)) == 4


def test_attempts_are_recorded_as_mock_attempts(store: Store) -> None:
    mock = mock_of(store, "c1", "n1", "k1", "ch1")
    mock.submit_concept("It uses alpha.")
    mock.next()
    mock.submit_numeric(["4", "9"])
    mock.next()
    mock.record_grade(code_report("mini/k1", FAILING), CODE)
    mock.next()
    mock.submit_choice([1])
    attempts = store.mock_attempts(mock.mock_id)
    assert [a.kind for a in attempts] == ["concept", "numeric", "code", "choice"]
    assert {(a.mode, a.mock) for a in attempts} == {("mock", mock.mock_id)}
    assert attempts[0].question == "mini/c1"


def test_code_answers_list_the_checks_that_failed(store: Store) -> None:
    mock = mock_of(store, "c1", "n1", "k1")
    code = go_to(mock, "k1")
    failing = SubmissionReport(
        submission="double.py",
        question="mini/k1",
        status="fail",
        checks=(
            CheckResult("compile", "pass"),
            CheckResult(
                "outputs",
                "fail",
                "outputs differ",
                counterexample=Counterexample({"n": 3}, {"x": [2, 3]}, seed=0),
            ),
            CheckResult("gradients", "error", ""),
            CheckResult("flops", "skipped", "not run: outputs failed"),
        ),
        seed=0,
    )
    mock.record_grade(failing, CODE)
    entry = mock.entry(code)
    assert entry.failed_checks == [
        "outputs: outputs differ (for n=3; input x (2, 3))",
        "gradients: error",
    ]
    assert (entry.verdict, entry.score, entry.scored_by) == ("fail", 0.25, "grader")
    assert entry.answer == CODE

    mock.record_grade(code_report("k1", {}, error="timed out after 5 s"), CODE)
    assert mock.entry(code).failed_checks == ["grading: timed out after 5 s"]
    assert mock.points(code) == 0.0


def test_the_starter_handed_in_unchanged_earns_nothing(store: Store) -> None:
    mock = mock_of(store, "c1", "n1", "k1")
    code = go_to(mock, "k1")
    starter = "def double(x):\n    ...\n"
    mock.record_grade(code_report("mini/k1", FAILING), starter)
    assert mock.outcome(code) is not None and mock.outcome(code).score > 0  # type: ignore[union-attr]
    assert (mock.score(code), mock.points(code)) == (0.0, 0.0)
    mock.record_grade(code_report("mini/k1", FAILING), CODE)  # something written: its checks count
    assert mock.score(code) == mock.outcome(code).score > 0  # type: ignore[union-attr]


def test_record_grade_checks_the_question_and_takes_an_index(store: Store) -> None:
    mock = mock_of(store, "c1", "n1", "k1")
    code = go_to(mock, "k1")
    mock.go(0)  # the candidate moved on while grading ran
    with pytest.raises(TypeError, match="code questions"):
        mock.record_grade(code_report("mini/k1", PASSING), CODE)
    with pytest.raises(ValueError, match="mini/other"):
        mock.record_grade(code_report("mini/other", PASSING), CODE, index=code)
    mock.record_grade(code_report("mini/k1", PASSING), CODE, index=code)
    assert mock.status(code) == "answered"
    assert mock.index == 0


def test_choice_answers_show_the_options_chosen(store: Store) -> None:
    mock = mock_of(store, "ch2")
    index = go_to(mock, "ch2")
    mock.submit_choice([0, 2])
    entry = mock.entry(index)
    assert entry.answer == "Depthwise\nDense 5×5"
    assert entry.points == pytest.approx(1 / 3, abs=1e-4)
    assert entry.reference.endswith("Correct options:\n\n- Depthwise\n- Pointwise")


def test_the_reference_of_a_numeric_question_gives_the_expected_values(store: Store) -> None:
    mock = mock_of(store, "n2")
    index = go_to(mock, "n2")
    assert mock.reference(index) == "One half.\n\nExpected values:\n\n- Half: 0.5 (50%)"


def test_drafts_belong_to_the_mock_and_never_touch_practice_drafts(store: Store) -> None:
    store.save_draft("mini/k1", "practice work in progress")
    store.save_draft("mini/c1", "a practice answer")
    mock = mock_of(store, "c1", "n1", "k1")
    assert mock.draft() == ""  # not the practice draft
    mock.save_draft("alpha, so far")
    code = go_to(mock, "k1")
    assert mock.draft() == "def double(x):\n    ...\n"  # the starter
    mock.save_draft("def double(x):\n    return x\n")
    mock.go(0)
    assert mock.draft() == "alpha, so far"
    mock.submit_concept("It uses alpha and it uses beta.")
    mock.record_grade(code_report("mini/k1", FAILING), CODE, index=code)
    assert mock.draft() == "It uses alpha and it uses beta."  # coming back shows the answer given
    mock.go(code)
    assert mock.draft() == CODE
    assert store.draft("mini/k1") == "practice work in progress"
    assert store.draft("mini/c1") == "a practice answer"


# --------------------------------------------------------------------------- interviewer mode


def test_only_an_interviewer_mock_takes_an_interviewers_score(store: Store) -> None:
    mock = mock_of(store, "c1", "n1")
    mock.submit_concept("It uses alpha.")
    with pytest.raises(ValueError, match="interviewer mode"):
        mock.set_interviewer_score(0, 1.0)
    assert mock.points(0) == 0.5


def test_the_interviewers_score_overrides_the_automatic_one(store: Store) -> None:
    mock = mock_of(store, "c1", "n1", interviewer=True)
    with pytest.raises(ValueError, match="not been answered"):
        mock.set_interviewer_score(0, 0.5)
    mock.show_hint()
    mock.submit_concept("It uses alpha.")
    for bad in (-0.1, 1.01, float("nan"), True):
        with pytest.raises(ValueError, match="0 to 1"):
            mock.set_interviewer_score(0, bad)
    with pytest.raises(IndexError):
        mock.set_interviewer_score(5, 0.5)
    mock.set_interviewer_score(0, 0.9)
    assert (mock.score(0), mock.points(0), mock.scored_by(0)) == (0.9, 0.65, "interviewer")
    mock.next()
    mock.submit_numeric(["4", "9"])
    mock.set_interviewer_score(1, 0.0)  # right numbers, but the interviewer heard a guess
    card = mock.finish()
    assert [(e.score, e.points, e.scored_by) for e in card.entries] == [
        (0.9, 0.65, "interviewer"),
        (0.0, 0.0, "interviewer"),
    ]
    assert "by the interviewer" in card.to_markdown()
    with pytest.raises(MockOver):
        mock.set_interviewer_score(0, 1.0)


def test_a_new_answer_clears_the_interviewers_score(store: Store) -> None:
    mock = mock_of(store, "c1", interviewer=True)
    mock.submit_concept("It uses alpha.")
    mock.set_interviewer_score(0, 1.0)
    mock.submit_concept("It uses beta.")
    assert (mock.score(0), mock.scored_by(0)) == (0.5, "rubric")


def test_the_interviewer_may_score_after_time_is_up(store: Store, clock: FakeClock) -> None:
    mock = mock_of(store, "c1", clock=clock, minutes=1, interviewer=True)
    mock.submit_concept("It uses alpha.")
    clock.advance(120)
    mock.set_interviewer_score(0, 0.75)
    assert mock.finish().entries[0].points == 0.75


# --------------------------------------------------------------------------- the end


def test_finish_saves_the_scorecard_once_and_later_answers_raise(
    store: Store, clock: FakeClock
) -> None:
    mock = mock_of(store, "c1", "n1", "k1", "ch1", clock=clock)
    mock.submit_concept("It uses alpha and it uses beta.")
    clock.advance(30)
    assert not mock.finished and mock.scorecard is None
    card = mock.finish()
    assert mock.finished and mock.scorecard is card
    assert mock.finish() is card
    record = store.mock(mock.mock_id)
    assert record is not None and record.scorecard is not None
    assert record.scorecard == json.loads(json.dumps(card.to_json()))
    assert Scorecard.from_json(record.scorecard) == card
    assert record.finished_at == START
    assert [m.id for m in store.mocks()] == [mock.mock_id]

    with pytest.raises(MockOver, match="over"):
        mock.submit_concept("again")
    mock.next()
    with pytest.raises(MockOver):
        mock.submit_numeric(["4", "9"])
    with pytest.raises(MockOver):
        mock.record_grade(code_report("mini/k1", PASSING), CODE, index=2)
    mock.go(3)
    with pytest.raises(MockOver):
        mock.submit_choice([1])
    with pytest.raises(MockOver):
        mock.show_hint()
    assert len(store.mock_attempts(mock.mock_id)) == 1


def test_the_scorecard_adds_up(store: Store, clock: FakeClock) -> None:
    mock = mock_of(store, "c1", "n1", "k1", clock=clock, minutes=5)
    clock.advance(20)
    mock.submit_concept("It uses alpha.")  # 0.5
    mock.next()
    clock.advance(40)
    mock.submit_numeric(["4", "9"])  # 1.0
    mock.next()
    clock.advance(60)
    mock.record_grade(code_report("mini/k1", FAILING), CODE)  # 2/3
    card = mock.finish()
    assert card.mock_id == mock.mock_id
    assert card.config == mock.config
    assert [e.number for e in card.entries] == [1, 2, 3]
    assert [e.question for e in card.entries] == ["mini/c1", "mini/n1", "mini/k1"]
    assert [e.seconds for e in card.entries] == [20.0, 40.0, 60.0]
    assert [e.expected_seconds for e in card.entries] == [60, None, None]
    assert card.total == pytest.approx(0.5 + 1.0 + 2 / 3, abs=1e-3)
    assert (card.maximum, card.percent) == (3, 72.2)
    assert card.time_used == 120.0
    assert (card.started_at, card.finished_at) == (START, START)
    data = card.to_json()
    assert list(data)[-1] == "questions"
    assert (data["total"], data["maximum"], data["percent"]) == (card.total, 3, 72.2)


def test_the_markdown_report_reads_well(store: Store) -> None:
    mock = mock_of(store, "c1", "n1", "k1", "c2")
    mock.show_hint()
    mock.submit_concept("It says only alpha.\n\nNothing else.")
    mock.next()
    mock.skip()
    mock.record_grade(code_report("mini/k1", FAILING), "def double(x):\n    return x  # ```\n")
    text = mock.finish().to_markdown()
    assert text.startswith("# Mock interview, 2025-03-14 09:30 UTC\n")
    assert text.endswith("\n") and not text.endswith("\n\n")
    assert "- **Score:** 0.92 of 4 points (22.9%)" in text
    assert "- **Decks:** all decks" in text
    assert "`quiz mock --minutes 30 --count 4 --seed 1`" in text
    assert "| 1 | Alpha and beta | concept | answered | 0:00 | 1 | 0.25 |" in text
    assert "| 2 | Two squares. | numeric | skipped | 0:00 | 0 | 0.00 |" in text
    assert "| 4 | Explain c2. | concept | not reached | 0:00 | 0 | 0.00 |" in text
    assert "> It says only alpha.\n>\n> Nothing else." in text
    assert (
        "### Key points\n\n_Ticked by the matcher; not confirmed._\n\n"
        "- [x] Says alpha\n- [ ] Says beta\n"
    ) in text
    assert "less 0.25 for 1 hint: **0.25 of 1 point**" in text
    assert "Skipped: **0.00 of 1 point**.\n\n### Question\n\nTwo squares." in text
    assert "_No answer given._" in text
    assert "Not reached: **0.00 of 1 point**." in text
    assert "_Not reached before the end._" in text
    assert "### Failed checks\n\n- outputs: outputs went fail" in text
    assert "````python\ndef double(x):\n    return x  # ```\n````" in text  # a longer fence
    assert text.count("### Reference answer") == 4


def test_only_a_question_the_candidate_skipped_reads_skipped(store: Store) -> None:
    mock = mock_of(store, "c1", "n1", "k1", "c2", "c3")
    mock.next()  # c1: shown, then left for the next question without an answer
    mock.skip()  # n1: skipped with the Skip key
    mock.record_grade(code_report("mini/k1", PASSING), CODE)
    mock.next()  # c2: still the current question when the mock ends
    card = mock.finish()

    # The stored status stays "skipped" for every question shown and not answered.
    assert [e.status for e in card.entries] == [
        "skipped", "skipped", "answered", "skipped", "unseen"
    ]  # fmt: skip
    assert [e.explicitly_skipped for e in card.entries] == [False, True, False, False, False]
    text = card.to_markdown()
    assert "| 1 | Alpha and beta | concept | not answered | 0:00 | 0 | 0.00 |" in text
    assert "| 2 | Two squares. | numeric | skipped | 0:00 | 0 | 0.00 |" in text
    assert "| 4 | Explain c2. | concept | not answered | 0:00 | 0 | 0.00 |" in text
    assert "| 5 | Explain c3. | concept | not reached | 0:00 | 0 | 0.00 |" in text
    assert "; 1 answered, 1 skipped, 2 not answered, 1 not reached" in text
    assert text.count("Not answered: **0.00 of 1 point**.") == 2
    assert text.count("Skipped: **0.00 of 1 point**.") == 1
    assert text.count("_No answer given._") == 3
    data = card.to_json()
    assert [q["explicitly_skipped"] for q in data["questions"]] == [
        False, True, False, False, False
    ]  # fmt: skip
    assert Scorecard.from_json(data) == card


def test_a_question_answered_after_a_skip_is_answered(store: Store) -> None:
    mock = mock_of(store, "c1", "n1")
    mock.skip()
    mock.go(0)
    mock.submit_concept("It uses alpha and it uses beta.")
    entry = mock.finish().entries[0]
    assert (entry.status, entry.explicitly_skipped) == ("answered", False)


def test_an_older_scorecard_without_skips_recorded_reads_not_answered(store: Store) -> None:
    mock = mock_of(store, "c1", "n1", "k1")
    mock.skip()
    data = mock.finish().to_json()
    for question in data["questions"]:
        del question["explicitly_skipped"]  # as scorecards were written before
    card = Scorecard.from_json(data)
    assert [e.status for e in card.entries] == ["skipped", "skipped", "unseen"]
    assert not any(e.explicitly_skipped for e in card.entries)
    text = card.to_markdown()
    assert "| 1 | Alpha and beta | concept | not answered |" in text
    assert "| 2 | Two squares. | numeric | not answered |" in text
    assert "skipped" not in text.lower()


def test_only_a_skipped_entry_can_be_explicitly_skipped(card: Scorecard) -> None:
    answered = card.entries[0].to_json()
    assert answered["status"] == "answered"
    with pytest.raises(ValueError, match="only a skipped question can be explicitly_skipped"):
        ScorecardEntry.from_json({**answered, "explicitly_skipped": True})


def test_text_from_a_submission_cannot_drive_a_terminal(store: Store, tmp_path: Path) -> None:
    mock = mock_of(store, "c1", "n1", "k1")
    code = go_to(mock, "k1")
    hostile = SubmissionReport(
        submission="double.py",
        question="mini/k1",
        status="fail",
        checks=(CheckResult("outputs", "fail", "\x1b[2J\x9b31m wiped \ud800"),),
        seed=0,
    )
    mock.record_grade(hostile, "print('\x1b]0;title\x07')\n")
    card = mock.finish()
    assert card.entries[code].failed_checks == ["outputs: \x1b[2J\x9b31m wiped \ud800"]
    markdown = card.to_markdown()
    assert "\\x1b[2J\\x9b31m wiped \\ud800" in markdown
    for path in (tmp_path / "card.md", tmp_path / "card.json"):
        export_scorecard(card, path)
        raw = path.read_text(encoding="utf-8")
        assert not [c for c in raw if (ord(c) < 0x20 and c != "\n") or 0x7F <= ord(c) <= 0x9F]
    assert Scorecard.from_json(json.loads((tmp_path / "card.json").read_text("utf-8"))) == card


def test_a_bidi_override_in_an_answer_is_escaped_in_the_markdown_scorecard(store: Store) -> None:
    mock = mock_of(store, "c1", "k1")
    mock.submit_concept("alpha \u202eatad elbisivni\u202c done")
    mock.next()
    mock.record_grade(code_report("mini/k1", FAILING), "x = 1  # \u2066hidden\u2069\n")
    markdown = mock.finish().to_markdown()
    assert "> alpha \\u202eatad elbisivni\\u202c done" in markdown
    assert "x = 1  # \\u2066hidden\\u2069" in markdown
    assert not any(c in markdown for c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2069")


# --------------------------------------------------------------------------- export


@pytest.fixture
def card(store: Store) -> Scorecard:
    mock = mock_of(store, "c1", "n1")
    mock.submit_concept("alpha — «ünïcode» ×")
    return mock.finish()


@pytest.mark.parametrize("name", ["card.md", "card.markdown", "CARD.MD"])
def test_export_writes_markdown_by_suffix(card: Scorecard, tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    export_scorecard(card, path)
    assert path.read_text(encoding="utf-8") == card.to_markdown()


def test_export_writes_json_with_indent_two_and_a_final_newline(
    card: Scorecard, tmp_path: Path
) -> None:
    path = tmp_path / "card.json"
    export_scorecard(card, path)
    raw = path.read_text(encoding="utf-8")
    assert raw == json.dumps(card.to_json(), indent=2, ensure_ascii=False) + "\n"
    assert "«ünïcode» ×" in raw
    assert Scorecard.from_json(json.loads(raw)) == card
    assert raw == scorecard_json(card)


@pytest.mark.parametrize("name", ["card.txt", "card", "card.json.bak", "card.html"])
def test_export_refuses_other_suffixes_and_writes_nothing(
    card: Scorecard, tmp_path: Path, name: str
) -> None:
    with pytest.raises(ValueError, match=r"\.md, \.markdown, \.json"):
        export_scorecard(card, tmp_path / name)
    assert list(tmp_path.iterdir()) == []


def test_a_failed_export_leaves_the_old_file_whole(
    card: Scorecard, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "card.md"
    path.write_text("the previous report\n", encoding="utf-8")

    def broken_replace(source: Any, target: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        export_scorecard(card, path)
    assert path.read_text(encoding="utf-8") == "the previous report\n"
    assert [p.name for p in tmp_path.iterdir()] == ["card.md"]  # no temporary file left


def test_export_replaces_an_existing_file(card: Scorecard, tmp_path: Path) -> None:
    path = tmp_path / "card.json"
    path.write_text("old", encoding="utf-8")
    export_scorecard(card, path)
    assert json.loads(path.read_text(encoding="utf-8"))["mock_id"] == card.mock_id
    assert [p.name for p in tmp_path.iterdir()] == ["card.json"]


# --------------------------------------------------------------------------- scorecard JSON


def test_scorecard_from_json_names_the_bad_field(card: Scorecard) -> None:
    data = card.to_json()
    broken = json.loads(json.dumps(data))
    broken["questions"][1]["points"] = "lots"
    with pytest.raises(ValueError, match=r"questions\[1\]\.points"):
        Scorecard.from_json(broken)
    with pytest.raises(ValueError, match="started_at"):
        Scorecard.from_json({**data, "started_at": "2025-03-14T09:30:00"})  # no time zone
    with pytest.raises(ValueError, match="version"):
        Scorecard.from_json({**data, "version": 99})
    with pytest.raises(ValueError, match=r"config: mock config: minutes"):
        Scorecard.from_json({**data, "config": {"minutes": 0}})
    with pytest.raises(ValueError, match="ended_by"):
        Scorecard.from_json({**data, "ended_by": "bored"})


def test_scorecard_from_json_reports_a_bad_entry_at_its_place(card: Scorecard) -> None:
    data = json.loads(json.dumps(card.to_json()))
    out_of_range = json.loads(json.dumps(data))
    out_of_range["questions"][0]["score"] = 1.5
    with pytest.raises(ValueError, match=r"^scorecard\.questions\[0\]: .*score .* 0 to 1"):
        Scorecard.from_json(out_of_range)
    missing = json.loads(json.dumps(data))
    del missing["questions"][1]["answer"]
    with pytest.raises(ValueError, match=r"^scorecard\.questions\[1\]\.answer: missing$"):
        Scorecard.from_json(missing)
    with pytest.raises(ValueError, match=r"^scorecard\.questions\[0\]\.status: expected "):
        Scorecard.from_json({**data, "questions": [{**data["questions"][0], "status": "lost"}]})
    with pytest.raises(ValueError, match=r"^scorecard\.time_used: expected a number, got '9'$"):
        Scorecard.from_json({**data, "time_used": "9"})
    with pytest.raises(ValueError, match=r"^scorecard\.mock_id: expected an integer, got True$"):
        Scorecard.from_json({**data, "mock_id": True})
    with pytest.raises(ValueError, match=r"^scorecard: expected an object"):
        Scorecard.from_json([data])
    with pytest.raises(ValueError, match="not a scorecard"):
        Scorecard.from_json({**data, "format": "mlquiz-progress"})
    with pytest.raises(ValueError, match=r"^entry\.points: expected a number, got 'lots'$"):
        ScorecardEntry.from_json({**data["questions"][0], "points": "lots"})


texts = st.text(max_size=40)
any_entry = st.builds(
    ScorecardEntry,
    number=st.integers(min_value=1, max_value=99),
    question=texts,
    heading=texts,
    prompt=texts,
    kind=st.sampled_from(KIND_ORDER),
    status=st.sampled_from(["answered", "skipped", "unseen"]),
    seconds=st.floats(min_value=0, max_value=1e6),
    expected_seconds=st.none() | st.integers(min_value=1, max_value=10_000),
    hints=st.integers(min_value=0, max_value=5),
    verdict=st.none() | st.sampled_from(["rated", "pass", "fail", "error", "correct", "wrong"]),
    score=st.floats(min_value=0, max_value=1),
    points=st.floats(min_value=0, max_value=1),
    scored_by=st.sampled_from(["rubric", "grader", "interviewer"]),
    key_points_missed=st.lists(texts, max_size=3),
    failed_checks=st.lists(texts, max_size=3),
    wrong_parts=st.lists(texts, max_size=3),
    answer=texts,
    reference=texts,
)
entries = st.tuples(any_entry, st.booleans()).map(
    lambda drawn: replace(drawn[0], explicitly_skipped=drawn[1] and drawn[0].status == "skipped")
)
zones = st.sampled_from(
    [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-8))]
)
scorecards = st.builds(
    Scorecard,
    mock_id=st.integers(min_value=1, max_value=10**6),
    started_at=st.datetimes(timezones=zones),
    finished_at=st.datetimes(timezones=zones),
    config=configs.filter(lambda c: c.seed is not None),
    entries=st.lists(entries, max_size=6).map(tuple),
    time_used=st.floats(min_value=0, max_value=36_000),
    ended_by=st.sampled_from(["finished", "time"]),
    notes=st.lists(texts, max_size=2).map(tuple),
)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(scorecards)
def test_any_scorecard_survives_its_json_and_renders_as_markdown(card: Scorecard) -> None:
    assert Scorecard.from_json(card.to_json()) == card
    assert Scorecard.from_json(json.loads(scorecard_json(card))) == card
    markdown = card.to_markdown()
    assert markdown.endswith("\n")
    assert markdown.count("\n## ") == len(card.entries)
    assert 0 <= card.percent <= 100


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    hints=st.integers(min_value=0, max_value=3),
    penalty=st.floats(min_value=0, max_value=1),
    text=st.sampled_from(["", "alpha", "beta", "alpha beta"]),
)
def test_points_are_the_score_less_the_hint_penalty(
    store: Store, hints: int, penalty: float, text: str
) -> None:
    mock = mock_of(store, "c1", hint_penalty=penalty)
    for _ in range(hints):
        mock.show_hint()
    outcome = mock.submit_concept(text)
    expected = max(0.0, outcome.score - penalty * hints)
    assert mock.points(0) == pytest.approx(expected, abs=1e-4)
    assert 0.0 <= mock.finish().total <= 1.0


# --------------------------------------------------------------------------- layering


@pytest.mark.slow  # starts a fresh interpreter
def test_the_mock_module_imports_neither_textual_nor_torch() -> None:
    code = (
        "import sys, quiz.progress.mock; "
        "print(sorted(m for m in ('textual', 'torch') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_scorecard_reader_is_imported_only_to_read_a_scorecard() -> None:
    # Building its pydantic models would cost every start of the app.
    code = (
        "import sys\n"
        "from quiz.progress.mock import Scorecard\n"
        "print('quiz.progress.mock._reading' in sys.modules)\n"
        "try:\n"
        "    Scorecard.from_json({})\n"
        "except ValueError:\n"
        "    print('quiz.progress.mock._reading' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]
