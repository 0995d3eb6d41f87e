"""The practice session: navigation, statuses, hints, drafts, timing and every kind of answer."""

from __future__ import annotations

import functools
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from testkit import FakeClock

from grader import GraderError
from grader.report import CheckResult, SubmissionReport
from questions import (
    ChoiceQuestion,
    CodeQuestion,
    ConceptQuestion,
    Deck,
    DeckLibrary,
    NumericQuestion,
)
from quiz.progress.session import ChoiceOutcome, Outcome, PracticeSession
from quiz.progress.store import Store

GOOD_Q1 = (
    "A 1x1 convolution is used for dimensionality reduction: a bottleneck with fewer channels "
    "before the expensive 3x3 and 5x5 convolutions. Followed by a ReLU it adds non-linearity "
    "without changing the spatial size, and it gives cross-channel interaction at each pixel."
)
Q6_RIGHT = ["73,728", "3*3*64", "8192", "8,768", "0.119"]
CHECK_NAMES = ("compile", "load", "construct", "parameters")


@functools.cache
def _day13() -> Deck:
    return DeckLibrary.discover(include_user=False).deck("inception-1x1").deck


@pytest.fixture(scope="module")
def day13() -> Deck:
    return _day13()


@pytest.fixture
def store() -> Iterator[Store]:
    with Store() as opened:  # in this test's own QUIZ_HOME
        yield opened


@pytest.fixture
def session(day13: Deck, store: Store, clock: FakeClock) -> PracticeSession:
    return PracticeSession(day13, store, clock=clock)


def index_of(session: PracticeSession, question_id: str) -> int:
    return next(i for i, q in enumerate(session.questions) if q.id == question_id)


def mini_choice_deck() -> Deck:
    return Deck.model_validate(
        {
            "id": "mini",
            "title": "Choices",
            "questions": [
                {
                    "id": "one",
                    "kind": "choice",
                    "prompt": "Which layer has no parameters?",
                    "answer": "Global average pooling.",
                    "options": [
                        {"text": "A 1×1 convolution"},
                        {"text": "Global average pooling", "correct": True},
                        {"text": "A fully connected layer"},
                    ],
                },
                {
                    "id": "many",
                    "kind": "choice",
                    "prompt": "Which are cheaper than a standard 3×3 convolution?",
                    "answer": "Depthwise, pointwise and their combination.",
                    "multiple": True,
                    "options": [
                        {"text": "Depthwise 3×3", "correct": True},
                        {"text": "Pointwise 1×1", "correct": True},
                        {"text": "Standard 5×5"},
                        {"text": "Depthwise separable", "correct": True},
                    ],
                },
                {
                    "id": "words",
                    "kind": "concept",
                    "prompt": "Say anything.",
                    "answer": "Anything.",
                },
            ],
        }
    )


def report(
    question: str, statuses: tuple[str, ...], *, error: str | None = None
) -> SubmissionReport:
    checks = tuple(
        CheckResult(name=name, status=status)  # type: ignore[arg-type]
        for name, status in zip(CHECK_NAMES, statuses, strict=False)
    )
    if error is not None:
        overall = "error"
    elif all(status == "pass" for status in statuses):
        overall = "pass"
    else:
        overall = "fail"
    return SubmissionReport(
        submission="SeparableConv2d.py",
        question=question,
        status=overall,  # type: ignore[arg-type]
        checks=checks,
        seed=0,
        error=error,
    )


# --------------------------------------------------------------------------- navigation


def test_a_new_session_starts_at_the_first_question(session: PracticeSession, day13: Deck) -> None:
    total = len(day13.questions)
    # Same questions in the same order; a question that draws its numbers gets drawn ones.
    assert [q.id for q in session.questions] == [q.id for q in day13.questions]
    drawn = {q.id for q in day13.questions if getattr(q, "params", None)}
    assert [q for q in session.questions if q.id not in drawn] == [
        q for q in day13.questions if q.id not in drawn
    ]
    assert session.index == 0
    assert session.current is day13.questions[0]
    assert session.position == (1, total)
    assert session.question_id() == "inception-1x1/q1"
    assert session.question_id(day13.questions[5]) == "inception-1x1/q6"
    assert [session.status(i) for i in range(total)] == ["new"] * total
    assert session.outcome(0) is None
    assert session.answered == 0


def test_next_previous_and_go_move_within_range(session: PracticeSession) -> None:
    last = len(session.questions) - 1
    assert session.previous() is False
    assert session.index == 0
    assert session.next() is True
    assert (session.index, session.position[0]) == (1, 2)
    assert session.previous() is True
    assert session.index == 0

    session.go(last)
    assert session.position == (last + 1, last + 1)
    assert session.next() is False
    assert session.index == last

    for outside in (-1, last + 1, 10_000):
        with pytest.raises(IndexError, match="out of range"):
            session.go(outside)
    assert session.index == last
    with pytest.raises(IndexError):
        session.status(last + 1)


def test_skip_marks_skipped_and_moves_on(session: PracticeSession) -> None:
    assert session.skip() is True
    assert session.index == 1
    assert session.status(0) == "skipped"
    assert session.status(1) == "new"

    last = len(session.questions) - 1
    session.go(last)
    assert session.skip() is False
    assert session.index == last
    assert session.status(last) == "skipped"


def test_skip_does_not_unanswer_an_answered_question(session: PracticeSession) -> None:
    session.submit_concept(GOOD_Q1)
    assert session.skip() is True
    assert session.status(0) == "answered"


def test_next_unanswered_wraps_round_and_skips_answered(session: PracticeSession) -> None:
    total = len(session.questions)
    assert session.next_unanswered() == 1
    session.submit_concept(GOOD_Q1)  # q1 answered
    session.go(total - 1)
    assert session.next_unanswered() == 1  # wraps past the end, over the answered q1

    session.go(1)
    session.skip()  # skipped still counts as unanswered
    session.go(total - 1)
    assert session.next_unanswered() == 1


def test_next_unanswered_ends_with_the_current_one_then_none(store: Store) -> None:
    session = PracticeSession(mini_choice_deck(), store)
    session.submit_choice([1])
    session.next()
    session.submit_choice([0, 1, 3])
    assert session.next_unanswered() == 2
    session.next()
    assert session.next_unanswered() == 2  # only the current one is left
    session.submit_concept("anything")
    assert session.next_unanswered() is None
    assert session.answered == 3
    assert session.finished


def test_shuffle_is_a_seeded_permutation(day13: Deck, store: Store) -> None:
    first = PracticeSession(day13, store, shuffle=True, seed=7)
    again = PracticeSession(day13, store, shuffle=True, seed=7)
    other = PracticeSession(day13, store, shuffle=True, seed=8)
    ids = [q.id for q in first.questions]
    assert ids == [q.id for q in again.questions]
    assert sorted(ids) == sorted(q.id for q in day13.questions)
    assert ids != [q.id for q in day13.questions]
    assert ids != [q.id for q in other.questions]
    assert first.question_id() == f"inception-1x1/{ids[0]}"


NAVIGATION = st.one_of(
    st.sampled_from(["next", "previous", "skip", "next_unanswered"]),
    st.tuples(st.just("go"), st.integers(-3, 30)),
)


@given(st.lists(NAVIGATION, max_size=60))
def test_any_navigation_stays_in_range_and_position_agrees(
    operations: list[str | tuple[str, int]],
) -> None:
    deck = _day13()  # loaded once: sessions never change their deck
    total = len(deck.questions)
    with tempfile.TemporaryDirectory() as folder, Store(Path(folder) / "p.sqlite3") as store:
        session = PracticeSession(deck, store)
        skipped: set[int] = set()
        for operation in operations:
            before = session.index
            if operation == "next":
                assert session.next() is (before < total - 1)
            elif operation == "previous":
                assert session.previous() is (before > 0)
            elif operation == "skip":
                skipped.add(before)
                assert session.skip() is (before < total - 1)
            elif operation == "next_unanswered":
                target = session.next_unanswered()
                assert target is not None  # nothing is ever answered here
                assert target == (before + 1) % total
                session.go(target)
            else:
                assert isinstance(operation, tuple)
                _, wanted = operation
                if 0 <= wanted < total:
                    session.go(wanted)
                    assert session.index == wanted
                else:
                    with pytest.raises(IndexError):
                        session.go(wanted)
                    assert session.index == before
            assert 0 <= session.index < total
            assert session.position == (session.index + 1, total)
            assert session.current is session.questions[session.index]
        assert {i for i in range(total) if session.status(i) == "skipped"} == skipped
        assert session.answered == 0


# --------------------------------------------------------------------------- concept


def test_a_good_concept_answer_hits_the_rubric_and_is_rated(
    session: PracticeSession, store: Store
) -> None:
    session.save_draft("half a thought")
    outcome = session.submit_concept(GOOD_Q1)

    assert isinstance(outcome, Outcome)
    assert (outcome.kind, outcome.verdict, outcome.score) == ("concept", "rated", 1.0)
    question = session.current
    assert isinstance(question, ConceptQuestion)
    assert [result.point for result in outcome.detail] == [k.point for k in question.key_points]
    assert all(result.hit for result in outcome.detail)
    assert session.status(0) == "answered"
    assert session.outcome(0) == outcome
    assert session.rating(0) is None

    (attempt,) = store.attempts("inception-1x1/q1")
    assert (attempt.id, attempt.kind, attempt.answer, attempt.verdict) == (
        outcome.attempt_id,
        "concept",
        GOOD_Q1,
        "rated",
    )
    assert attempt.rating is None
    assert store.draft("inception-1x1/q1") is None  # the draft went with the answer

    session.rate(3)
    assert session.rating(0) == 3
    rated = store.last_attempt("inception-1x1/q1")
    assert rated is not None
    assert rated.rating == 3


def test_a_partial_concept_answer_scores_the_fraction_hit(session: PracticeSession) -> None:
    outcome = session.submit_concept("It is a bottleneck.")
    assert [result.hit for result in outcome.detail] == [True, False, False]
    assert outcome.score == pytest.approx(1 / 3)


def test_a_concept_question_without_key_points_scores_one(store: Store) -> None:
    session = PracticeSession(mini_choice_deck(), store)
    session.go(2)
    outcome = session.submit_concept("whatever")
    assert (outcome.verdict, outcome.score, outcome.detail) == ("rated", 1.0, [])


def test_rating_needs_an_answer_and_a_rating_from_one_to_four(
    session: PracticeSession, store: Store
) -> None:
    with pytest.raises(ValueError, match="nothing to rate"):
        session.rate(3)
    session.submit_concept(GOOD_Q1)
    for wrong in (0, 5):
        with pytest.raises(ValueError, match="from 1 to 4"):
            session.rate(wrong)
    assert session.rating(0) is None
    assert store.attempts()[0].rating is None

    session.go(index_of(session, "q6"))
    with pytest.raises(TypeError, match="rate is for concept questions"):
        session.rate(3)


# --------------------------------------------------------------------------- numeric


def test_right_numeric_answers_are_correct(session: PracticeSession, store: Store) -> None:
    session.go(index_of(session, "q6"))
    assert isinstance(session.current, NumericQuestion)
    outcome = session.submit_numeric(Q6_RIGHT)

    assert (outcome.kind, outcome.verdict, outcome.score) == ("numeric", "correct", 1.0)
    assert outcome.detail.all_correct
    assert len(outcome.detail.parts) == 5
    (attempt,) = store.attempts("inception-1x1/q6")
    assert json.loads(attempt.answer) == Q6_RIGHT
    assert (attempt.verdict, attempt.score, attempt.id) == ("correct", 1.0, outcome.attempt_id)


def test_one_wrong_numeric_part_is_partial(session: PracticeSession) -> None:
    session.go(index_of(session, "q6"))
    outcome = session.submit_numeric([*Q6_RIGHT[:4], "0.5"])
    assert outcome.verdict == "partial"
    assert outcome.score == pytest.approx(0.8)
    assert [part.verdict for part in outcome.detail.parts][-1] == "wrong"


def test_no_right_numeric_part_is_wrong(session: PracticeSession) -> None:
    session.go(index_of(session, "q6"))
    outcome = session.submit_numeric(["1", "2", "3", "4", "five"])
    assert (outcome.verdict, outcome.score) == ("wrong", 0.0)


def test_a_wrong_count_of_numeric_answers_records_nothing(
    session: PracticeSession, store: Store
) -> None:
    at = index_of(session, "q6")
    session.go(at)
    with pytest.raises(GraderError, match="5 parts"):
        session.submit_numeric(Q6_RIGHT[:2])
    assert store.attempts() == []
    assert session.status(at) == "new"
    assert session.outcome(at) is None


# --------------------------------------------------------------------------- choice


def test_choice_answers(store: Store) -> None:
    session = PracticeSession(mini_choice_deck(), store)
    wrong = session.submit_choice([0])
    assert (wrong.verdict, wrong.score) == ("wrong", 0.0)
    assert wrong.detail == ChoiceOutcome(chosen=frozenset({0}), correct=frozenset({1}), right=False)
    right = session.submit_choice(iter([1]))
    assert (right.kind, right.verdict, right.score) == ("choice", "correct", 1.0)
    assert right.detail.right

    session.next()
    partial = session.submit_choice([0, 2])  # one right pick, one wrong, two missed
    assert partial.verdict == "partial"
    assert partial.score == pytest.approx(1 / 4)
    assert partial.detail.correct == frozenset({0, 1, 3})
    full = session.submit_choice([3, 1, 0])
    assert (full.verdict, full.score) == ("correct", 1.0)

    assert [(a.question, a.answer, a.verdict) for a in store.attempts()] == [
        ("mini/one", "[0]", "wrong"),
        ("mini/one", "[1]", "correct"),
        ("mini/many", "[0, 2]", "partial"),
        ("mini/many", "[0, 1, 3]", "correct"),
    ]
    assert session.outcome(0) == right  # the latest outcome


@pytest.mark.parametrize(
    ("index", "chosen", "message"),
    [
        (0, [], "at least one"),
        (0, [3], "option 3 does not exist"),
        (0, [-1], "option -1 does not exist"),
        (0, [0, 1], "takes one option"),
        (1, [True], "does not exist"),
    ],
)
def test_an_impossible_choice_records_nothing(
    store: Store, index: int, chosen: list[int], message: str
) -> None:
    session = PracticeSession(mini_choice_deck(), store)
    session.go(index)
    assert isinstance(session.current, ChoiceQuestion)
    with pytest.raises(ValueError, match=message):
        session.submit_choice(chosen)
    assert store.attempts() == []
    assert session.status(index) == "new"


# --------------------------------------------------------------------------- code


def test_a_graded_code_answer_is_recorded(session: PracticeSession, store: Store) -> None:
    at = index_of(session, "q10")
    session.go(at)
    assert isinstance(session.current, CodeQuestion)
    failed = session.record_grade(
        report("inception-1x1/q10", ("pass", "pass", "pass", "fail")), "attempt one"
    )
    assert (failed.kind, failed.verdict, failed.score) == ("code", "fail", 0.75)
    passed = session.record_grade(report("q10", ("pass",) * 4), "attempt two")
    assert (passed.verdict, passed.score) == ("pass", 1.0)
    assert passed.detail.status == "pass"
    errored = session.record_grade(report("q10", (), error="timed out after 20 s"), "three")
    assert (errored.verdict, errored.score) == ("error", 0.0)

    assert [(a.answer, a.verdict, a.score) for a in store.attempts("inception-1x1/q10")] == [
        ("attempt one", "fail", 0.75),
        ("attempt two", "pass", 1.0),
        ("three", "error", 0.0),
    ]
    assert session.status(at) == "answered"


def test_a_report_for_another_question_is_refused(session: PracticeSession, store: Store) -> None:
    session.go(index_of(session, "q10"))
    with pytest.raises(ValueError, match="not 'inception-1x1/q10'"):
        session.record_grade(report("inception-1x1/q11", ("pass",) * 4), "code")
    assert store.attempts() == []


def test_a_grade_arriving_after_moving_on_is_recorded_where_it_belongs(
    session: PracticeSession, store: Store
) -> None:
    at = index_of(session, "q10")
    session.go(at)
    session.next()  # the learner moves on while the worker grades
    outcome = session.record_grade(report("q10", ("pass",) * 4), "code", index=at)
    assert outcome.verdict == "pass"
    assert session.status(at) == "answered"
    assert session.status(session.index) == "new"
    assert [a.question for a in store.attempts()] == ["inception-1x1/q10"]


def test_code_drafts_start_from_the_starter_and_survive_a_new_session(
    day13: Deck, store: Store
) -> None:
    first = PracticeSession(day13, store)
    first.go(index_of(first, "q10"))
    question = first.current
    assert isinstance(question, CodeQuestion)
    assert first.draft() == question.starter

    first.save_draft("class SeparableConv2d: pass")
    resumed = PracticeSession(day13, store)
    resumed.go(index_of(resumed, "q10"))
    assert resumed.draft() == "class SeparableConv2d: pass"

    # A failed grade keeps the draft (the editor may hold newer text than what was graded).
    resumed.record_grade(report("q10", ("pass", "fail")), "class SeparableConv2d: old")
    assert resumed.draft() == "class SeparableConv2d: pass"
    # A pass clears it: next time the editor opens on the starter.
    resumed.record_grade(report("q10", ("pass",) * 4), "class SeparableConv2d: pass")
    assert resumed.draft() == question.starter


def test_a_failed_grade_without_a_draft_keeps_the_graded_code(session: PracticeSession) -> None:
    session.go(index_of(session, "q10"))
    session.record_grade(report("q10", ("fail",)), "class Broken: pass")
    assert session.draft() == "class Broken: pass"


def test_concept_drafts_default_to_empty_and_are_resumed(day13: Deck, store: Store) -> None:
    first = PracticeSession(day13, store)
    assert first.draft() == ""
    first.save_draft("reduces the channels")
    assert PracticeSession(day13, store).draft() == "reduces the channels"


# --------------------------------------------------------------------------- kinds


@pytest.mark.parametrize(
    ("question_id", "call"),
    [
        ("q1", lambda s: s.submit_numeric(["1"])),
        ("q1", lambda s: s.submit_choice([0])),
        ("q1", lambda s: s.record_grade(report("q1", ("pass",)), "code")),
        ("q6", lambda s: s.submit_concept("words")),
        ("q6", lambda s: s.submit_choice([0])),
        ("q10", lambda s: s.submit_concept("words")),
        ("q10", lambda s: s.submit_numeric(["1"])),
    ],
)
def test_an_answer_of_the_wrong_kind_is_a_type_error(
    session: PracticeSession, store: Store, question_id: str, call: object
) -> None:
    session.go(index_of(session, question_id))
    with pytest.raises(TypeError, match=r"is for \w+ questions; inception-1x1/q\d+ is a \w+"):
        call(session)  # type: ignore[operator]
    assert store.attempts() == []


# --------------------------------------------------------------------------- hints and time


def test_hints_come_in_order_and_are_counted(session: PracticeSession, store: Store) -> None:
    question = session.current
    assert len(question.hints) == 2
    assert session.show_hint() == question.hints[0]
    assert session.show_hint() == question.hints[1]
    assert session.show_hint() is None
    assert session.hints_shown() == question.hints

    outcome = session.submit_concept(GOOD_Q1)
    assert outcome.hints == 2
    assert store.attempts()[0].hints == 2


def test_hints_are_counted_per_question(session: PracticeSession, store: Store) -> None:
    session.show_hint()
    session.next()
    assert session.hints_shown() == []
    session.submit_concept("multi-scale kernels in parallel")
    assert store.attempts()[0].hints == 0
    assert session.hints_shown(0) == [session.questions[0].hints[0]]


def test_time_runs_from_first_showing_to_the_answer(
    session: PracticeSession, store: Store, clock: FakeClock
) -> None:
    clock.advance(12.5)
    outcome = session.submit_concept(GOOD_Q1)
    assert outcome.seconds == 12.5
    assert store.attempts()[0].seconds == 12.5


def test_time_on_other_questions_does_not_count(
    session: PracticeSession, store: Store, clock: FakeClock
) -> None:
    clock.advance(3.0)  # on q1
    session.next()
    clock.advance(100.0)  # on q2
    session.previous()
    clock.advance(4.0)  # back on q1
    assert session.seconds(1) == 100.0
    session.submit_concept(GOOD_Q1)
    session.go(index_of(session, "q6"))
    clock.advance(60.0)
    session.submit_numeric(Q6_RIGHT)
    clock.advance(5.0)
    session.submit_numeric(Q6_RIGHT)  # a retry counts all the time on the question

    assert [a.seconds for a in store.attempts()] == [7.0, 60.0, 65.0]
