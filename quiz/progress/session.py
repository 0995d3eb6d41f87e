"""A practice session over one deck, free of any UI: the state machine the Textual screens drive.

Provides :class:`PracticeSession` — the questions in practice order, where the learner is, what
they did with each question (new, answered, skipped), hints, drafts, and the grading of every
kind of answer — plus :class:`Outcome` and :class:`ChoiceOutcome`, what the UI shows after an
answer, and :class:`QuestionState`, what the session keeps of one question. Every answer is
recorded in the :class:`~quiz.progress.store.Store` as it is given.

Time on a question is measured with an injected clock: it runs while the question is the
current one, from when it is first shown, and stops while the learner is on another question;
an attempt stores the total time on its question up to the answer.

Never imports textual or torch: code is graded elsewhere (a grading worker) and its
:class:`~grader.SubmissionReport` handed to :meth:`PracticeSession.record_grade`.
"""

from __future__ import annotations

import json
import random
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal, TypeVar

from grader import NumericResult, SubmissionReport, grade_numeric
from questions import (
    AnyQuestion,
    ChoiceQuestion,
    CodeQuestion,
    ConceptQuestion,
    Deck,
    Kind,
    NumericQuestion,
    draw_numbers,
)

from .concept import PointResult, judge, suggested_rating, ticked_score
from .scheduling import Scheduler, rating_for
from .store import Attempt, KeyPointMark, PendingReview, Store, Verdict

QuestionStatus = Literal["new", "answered", "skipped"]

PointResults = list[PointResult]
"""Each key point of a concept question as the matcher judged the answer
(:func:`~quiz.progress.concept.judge`)."""

_Q = TypeVar("_Q", ConceptQuestion, NumericQuestion, ChoiceQuestion, CodeQuestion)


_KIND_NAMES: dict[type[AnyQuestion], str] = {
    ConceptQuestion: "concept",
    NumericQuestion: "numeric",
    ChoiceQuestion: "choice",
    CodeQuestion: "code",
}


@dataclass(frozen=True)
class ChoiceOutcome:
    """The options chosen, the correct ones, and whether they are the same set."""

    chosen: frozenset[int]
    correct: frozenset[int]
    right: bool


@dataclass(frozen=True)
class Outcome:
    """What the UI shows after an answer.

    ``detail`` depends on ``kind``: concept, :data:`PointResults` (the matcher's judgement;
    the checklist the learner confirms is :meth:`PracticeSession.ticks`);
    numeric, :class:`~grader.NumericResult`; choice, :class:`ChoiceOutcome`; code,
    :class:`~grader.SubmissionReport`.
    """

    kind: Kind
    verdict: Verdict
    """As :attr:`~quiz.progress.store.Attempt.verdict`."""
    score: float
    attempt_id: int
    detail: Any
    seconds: float | None = None
    """Time on the question up to this answer."""
    hints: int = 0
    """Hints shown before this answer."""
    answer: str = ""
    """What was given, as stored (free text, JSON of parts or options, code)."""


@dataclass(slots=True)
class QuestionState:
    """What a session keeps of one of its questions: what the learner did with it, for how
    long, and where spaced repetition put it. Sessions that keep more subclass it (see
    :meth:`PracticeSession._new_state`)."""

    status: QuestionStatus = "new"
    outcome: Outcome | None = None
    """The latest answer's."""
    rating: int | None = None
    """The self-rating of the latest concept answer; cleared by a new answer."""
    hints: int = 0
    """Hints shown."""
    spent: float = 0.0
    """Seconds on the question in earlier visits (the current visit is timed apart)."""
    tries: int = 0
    """Answers given."""
    scheduled_rating: int | None = None
    """The rating spaced repetition was given, once stored."""
    due: datetime | None = None
    """When spaced repetition brings the question back, once rated."""
    ticks: tuple[bool, ...] = ()
    """Concept: the key points ticked in the latest answer's checklist (the matcher's hits
    until someone changes them)."""
    confirmed_ticks: tuple[bool, ...] | None = None
    """Concept: the ticks last confirmed and stored, if any."""


class PracticeSession:
    """One pass over a deck's questions.

    Navigation (:meth:`go`, :meth:`next`, :meth:`previous`, :meth:`skip`) never leaves the
    range of questions. Submitting an answer of the wrong kind for the current question raises
    ``TypeError``; a usage error in an answer (a wrong count of numeric parts, an option that
    does not exist) raises before anything is recorded.
    """

    mode = "practice"
    """What the attempts of this session are recorded as (see :data:`quiz.progress.store.MODES`)."""
    reveals_answers = True
    """Whether the UI shows verdicts and reference answers as soon as a question is answered
    (False in a mock interview: answers are recorded, and may be changed, until the end)."""

    def __init__(
        self,
        deck: Deck,
        store: Store,
        *,
        shuffle: bool = False,
        seed: int | None = None,
        clock: Callable[[], float] = time.monotonic,
        items: Sequence[tuple[Deck, AnyQuestion]] | None = None,
        title: str | None = None,
        scheduler: Scheduler | None = None,
    ) -> None:
        """A session over ``deck``'s questions, or over ``items`` (questions from any decks,
        each with its deck, in the order given) when they are passed.

        With a ``scheduler``, every answer is also a spaced-repetition review: a numeric,
        choice or code result is rated when it is recorded
        (:func:`~quiz.progress.scheduling.rating_for`), a concept answer when it is
        self-rated; a question answered again in the same session has its rating replaced,
        not added.
        """
        self.deck = deck
        self.title = title if title is not None else deck.title
        self.store = store
        self._clock = clock
        # Questions that draw their numbers get fresh ones for each session.
        self.draw_seed = seed if seed is not None else random.randrange(2**31)
        pairs = list(items) if items is not None else [(deck, q) for q in deck.questions]
        if not pairs:
            raise ValueError("a session needs at least one question")
        if shuffle:
            random.Random(seed).shuffle(pairs)
        self.decks: list[Deck] = [d for d, _ in pairs]
        self.questions: list[AnyQuestion] = [
            draw_numbers(q, self.draw_seed) if isinstance(q, NumericQuestion) else q
            for _, q in pairs
        ]
        self._states: list[QuestionState] = [self._new_state() for _ in self.questions]
        self.index = 0
        self._shown_since = clock()
        self.scheduler = scheduler
        self.session_id = uuid.uuid4().hex
        """Names this session's reviews in the store."""

    # ------------------------------------------------------------------ where we are

    @property
    def current(self) -> AnyQuestion:
        return self.questions[self.index]

    def question_id(self, question: AnyQuestion | None = None) -> str:
        """``DECK/QID`` of ``question`` (the current one by default)."""
        target = question or self.current
        at = next((i for i, q in enumerate(self.questions) if q is target), None)
        if at is None:
            raise ValueError(f"question {target.id!r} is not one of this session's questions")
        return f"{self.decks[at].id}/{target.id}"

    def deck_of(self, index: int | None = None) -> Deck:
        """The deck of the question at ``index`` (the current one by default)."""
        return self.decks[self.index if index is None else self._checked(index)]

    def tries(self, index: int | None = None) -> int:
        """Answers given to the question at ``index`` (the current one) in this session."""
        return self._state(self.index if index is None else self._checked(index)).tries

    @property
    def position(self) -> tuple[int, int]:
        """(1-based index, number of questions)."""
        return self.index + 1, len(self.questions)

    def status(self, index: int) -> QuestionStatus:
        return self._state(self._checked(index)).status

    def outcome(self, index: int) -> Outcome | None:
        """The latest outcome of the question at ``index`` in this session."""
        return self._state(self._checked(index)).outcome

    def rating(self, index: int) -> int | None:
        """The self-rating given to the question at ``index`` in this session, if any."""
        return self._state(self._checked(index)).rating

    def hints_shown(self, index: int | None = None) -> list[str]:
        """The hints shown so far for the question at ``index`` (the current one by default)."""
        at = self.index if index is None else self._checked(index)
        return list(self.questions[at].hints[: self._state(at).hints])

    def seconds(self, index: int | None = None) -> float:
        """Time spent on the question at ``index`` (the current one by default) so far."""
        at = self.index if index is None else self._checked(index)
        spent = self._state(at).spent
        if at == self.index:
            spent += self._clock() - self._shown_since
        return spent

    @property
    def answered(self) -> int:
        """How many questions have been answered."""
        return sum(state.status == "answered" for state in self._states)

    @property
    def finished(self) -> bool:
        """Whether every question has been answered."""
        return self.answered == len(self.questions)

    # ------------------------------------------------------------------ navigation

    def go(self, index: int) -> None:
        """Show the question at ``index``; ``IndexError`` outside ``0 <= index < len``."""
        self._move_to(self._checked(index))

    def next(self) -> bool:
        """Move to the next question; False (and stay) at the last one."""
        if self.index + 1 >= len(self.questions):
            return False
        self._move_to(self.index + 1)
        return True

    def previous(self) -> bool:
        """Move to the previous question; False (and stay) at the first one."""
        if self.index == 0:
            return False
        self._move_to(self.index - 1)
        return True

    def skip(self) -> bool:
        """Mark the current question skipped (unless answered) and move to the next.

        Returns False when it was the last question (it is still marked skipped).
        """
        state = self._state(self.index)
        if state.status != "answered":
            state.status = "skipped"
        return self.next()

    def next_unanswered(self) -> int | None:
        """Index of the first unanswered question after the current one, wrapping round to the
        start and ending with the current one; None when all are answered."""
        count = len(self.questions)
        for step in range(1, count + 1):
            candidate = (self.index + step) % count
            if self._state(candidate).status != "answered":
                return candidate
        return None

    def _move_to(self, index: int) -> None:
        if index == self.index:
            return
        now = self._clock()
        self._state(self.index).spent += now - self._shown_since
        self.index = index
        self._shown_since = now

    def _new_state(self) -> QuestionState:
        """The state of a question not shown yet."""
        return QuestionState()

    def _state(self, at: int) -> QuestionState:
        """The state of the question at ``at`` (a checked index)."""
        return self._states[at]

    def _checked(self, index: int) -> int:
        if isinstance(index, bool) or not isinstance(index, int):
            raise TypeError(f"a question index is an integer, got {index!r}")
        if not 0 <= index < len(self.questions):
            raise IndexError(
                f"question index {index} is out of range (0 to {len(self.questions) - 1})"
            )
        return index

    # ------------------------------------------------------------------ hints and drafts

    def show_hint(self) -> str | None:
        """The next hint for the current question, counted as used; None when none are left."""
        hints = self.current.hints
        state = self._state(self.index)
        if state.hints >= len(hints):
            return None
        state.hints += 1
        return hints[state.hints - 1]

    def draft(self) -> str:
        """The saved draft for the current question; else the starter (code) or ``""``."""
        saved = self.store.draft(self.question_id())
        if saved is not None:
            return saved
        question = self.current
        return question.starter if isinstance(question, CodeQuestion) else ""

    def save_draft(self, text: str) -> None:
        """Save ``text`` as the draft for the current question (committed)."""
        self.store.save_draft(self.question_id(), text)

    # ------------------------------------------------------------------ answers

    def submit_concept(self, text: str) -> Outcome:
        """Check a free-text answer against the key points; record it, pending a self-rating.

        The matcher pre-ticks the checklist (:meth:`ticks`) with the points it finds; the
        score is the share of ticked points (1.0 when the question has none) and stays the
        matcher's suggestion until confirmed (:meth:`rate`). The draft is deleted: the answer
        is now in the store.
        """
        question = self._current_as(ConceptQuestion, "submit_concept")
        results: PointResults = judge(question, text)
        hits = tuple(result.hit for result in results)
        outcome = self._record(
            self.index,
            text,
            "rated",
            ticked_score(hits),
            results,
            key_points=tuple(KeyPointMark(r.point, r.hit, r.hit) for r in results),
        )
        state = self._state(self.index)
        state.ticks = hits
        state.confirmed_ticks = None
        self._keep_draft(self.index, text, settled=True)
        return outcome

    # ------------------------------------------------------------------ the checklist

    def ticks(self, index: int | None = None) -> tuple[bool, ...]:
        """The key points ticked in the checklist of the latest concept answer to the question
        at ``index`` (the current one); empty before an answer."""
        return self._state(self.index if index is None else self._checked(index)).ticks

    def tick(self, point: int, index: int | None = None, *, ticked: bool | None = None) -> bool:
        """Tick (``ticked=True``), untick (False) or toggle (None) key point ``point``
        (0-based) of the latest concept answer to the question at ``index`` (the current one);
        returns whether it is now ticked. The change waits to be confirmed (:meth:`rate`).
        ``ValueError`` before an answer or for a point that does not exist."""
        at = self.index if index is None else self._checked(index)
        state = self._state(at)
        if state.outcome is None or state.outcome.kind != "concept":
            raise ValueError(
                f"{self.question_id(self.questions[at])} has no concept answer to tick"
            )
        if (
            isinstance(point, bool)
            or not isinstance(point, int)
            or not 0 <= point < len(state.ticks)
        ):
            raise ValueError(f"key point {point!r} does not exist; there are {len(state.ticks)}")
        marks = list(state.ticks)
        marks[point] = not marks[point] if ticked is None else bool(ticked)
        state.ticks = tuple(marks)
        return marks[point]

    def confirmed(self, index: int | None = None) -> bool:
        """Whether the checklist of the question at ``index`` (the current one) is confirmed
        as it stands (ticked again since: not confirmed)."""
        state = self._state(self.index if index is None else self._checked(index))
        return state.confirmed_ticks is not None and state.confirmed_ticks == state.ticks

    def suggested_rating(self, index: int | None = None) -> int | None:
        """The self-rating the checklist suggests (:func:`~quiz.progress.concept.suggested_rating`);
        None before a concept answer."""
        state = self._state(self.index if index is None else self._checked(index))
        if state.outcome is None or state.outcome.kind != "concept":
            return None
        return suggested_rating(state.ticks)

    def _confirmation(self, at: int) -> tuple[tuple[KeyPointMark, ...], float]:
        """The checklist of the question at ``at`` as the store keeps it, and its score."""
        state = self._state(at)
        assert state.outcome is not None
        results: PointResults = state.outcome.detail
        marks = tuple(
            KeyPointMark(result.point, result.hit, ticked)
            for result, ticked in zip(results, state.ticks, strict=True)
        )
        return marks, ticked_score(state.ticks)

    def _confirmed(self, at: int, score: float) -> None:
        """Note that the checklist of the question at ``at`` is stored as confirmed."""
        state = self._state(at)
        assert state.outcome is not None
        state.confirmed_ticks = state.ticks
        state.outcome = replace(state.outcome, score=score)

    def rate(self, rating: int) -> None:
        """Self-rate the current concept answer 1..4 (Again/Hard/Good/Easy).

        ``TypeError`` when the current question is not a concept question; ``ValueError``
        for a rating outside 1..4 or when it has not been answered in this session. Rating
        again replaces the earlier rating.

        Rating confirms the checklist as it stands (:meth:`tick`): the attempt's score becomes
        the share of ticked points and the ticks are stored as the learner's.
        """
        self._current_as(ConceptQuestion, "rate")
        state = self._state(self.index)
        if state.outcome is None:
            raise ValueError(f"{self.question_id()} has not been answered yet; nothing to rate")
        review = None if self.scheduler is None else self._pending_review(self.index, rating)
        marks, score = self._confirmation(self.index)
        self.store.rate(state.outcome.attempt_id, rating, review=review, confirm=(marks, score))
        self._confirmed(self.index, score)
        state.rating = rating
        if review is not None:
            self._rescheduled(self.index, rating)

    def submit_numeric(self, answers: Sequence[str]) -> Outcome:
        """Grade one answer per part: ``correct`` when all are, ``partial`` when some are.

        Raises :class:`~grader.GraderError`, recording nothing, when the count of answers
        differs from the count of parts.
        """
        question = self._current_as(NumericQuestion, "submit_numeric")
        given = [answers] if isinstance(answers, str) else list(answers)
        result: NumericResult = grade_numeric(question, given)
        verdict: Verdict = (
            "correct" if result.all_correct else ("partial" if result.score else "wrong")
        )
        return self._record(self.index, json.dumps(given), verdict, result.score, result)

    def submit_choice(self, chosen: Iterable[int]) -> Outcome:
        """Grade the chosen option indices (0-based).

        Right when the chosen set equals the correct set. A multiple-answer question earns
        partial credit: the overlap of the two sets over their union (wrong picks cost as much
        as missed ones). ``ValueError``, recording nothing, for no option chosen, an index that
        names no option, or several options on a single-answer question.
        """
        question = self._current_as(ChoiceQuestion, "submit_choice")
        picked = frozenset(chosen)
        for index in picked:
            if (
                isinstance(index, bool)
                or not isinstance(index, int)
                or not 0 <= index < len(question.options)
            ):
                raise ValueError(
                    f"option {index!r} does not exist; choose from 0 to {len(question.options) - 1}"
                )
        if not picked:
            raise ValueError("choose at least one option")
        if not question.multiple and len(picked) > 1:
            raise ValueError(f"{self.question_id(question)} takes one option, got {len(picked)}")
        correct = question.correct_indices
        right = picked == correct
        score = 1.0 if right else len(picked & correct) / len(picked | correct)
        verdict: Verdict = "correct" if right else ("partial" if score > 0 else "wrong")
        detail = ChoiceOutcome(chosen=picked, correct=correct, right=right)
        return self._record(self.index, json.dumps(sorted(picked)), verdict, score, detail)

    def record_grade(
        self, report: SubmissionReport, source: str, *, index: int | None = None
    ) -> Outcome:
        """Record the grading ``report`` of code ``source``: verdict = status, score = score.

        ``index`` names the question graded when it is no longer the current one (grading runs
        in a worker; the learner may have moved on). ``ValueError`` when ``report.question``
        names another question. A pass deletes the draft. A fail or error leaves the draft
        alone (the editor may have saved newer text while grading ran), or saves ``source`` as
        the draft when there is none, so the editor reopens on the code to fix; the UI should
        save the draft before it starts grading.
        """
        at = self.index if index is None else self._checked(index)
        question = self.questions[at]
        if not isinstance(question, CodeQuestion):
            raise TypeError(
                f"record_grade is for code questions; {self.question_id(question)} is a "
                f"{question.kind} question"
            )
        full_id = self.question_id(question)
        if report.question not in (full_id, question.id):
            raise ValueError(f"the report is for {report.question!r}, not {full_id!r}")
        outcome = self._record(at, source, report.status, report.score, report)
        self._keep_draft(at, source, settled=report.status == "pass")
        return outcome

    # ------------------------------------------------------------------ internals

    def _current_as(self, kind: type[_Q], action: str) -> _Q:
        question = self.current
        if not isinstance(question, kind):
            raise TypeError(
                f"{action} is for {_KIND_NAMES[kind]} questions; {self.question_id()} is a "
                f"{question.kind} question"
            )
        return question

    def _record(
        self,
        at: int,
        answer: str,
        verdict: Verdict,
        score: float,
        detail: Any,
        *,
        key_points: tuple[KeyPointMark, ...] = (),
    ) -> Outcome:
        question = self.questions[at]
        state = self._state(at)
        seconds = self.seconds(at)
        attempt = Attempt(
            question=self.question_id(question),
            kind=question.kind,
            answer=answer,
            verdict=verdict,
            score=score,
            seconds=seconds,
            hints=state.hints,
            mode=self.mode,
            mock=self._mock_id(),
            key_points=key_points,
        )
        tries = state.tries + 1
        rating = self._graded_rating(at, verdict, tries=tries, seconds=seconds)
        review = None if rating is None else self._pending_review(at, rating)
        attempt_id = self.store.record(attempt, review=review)
        state.tries = tries
        if rating is not None:
            self._rescheduled(at, rating)
        outcome = Outcome(
            kind=question.kind,
            verdict=verdict,
            score=attempt.score,
            attempt_id=attempt_id,
            detail=detail,
            seconds=seconds,
            hints=attempt.hints,
            answer=answer,
        )
        state.outcome = outcome
        state.rating = None
        state.status = "answered"
        self._after_record(at, outcome)
        return outcome

    # Hooks for sessions that do more with an answer (review scheduling, mock interviews).

    def _keep_draft(self, at: int, answer: str, *, settled: bool) -> None:
        """After an answer to the question at ``at``: a settled one (a concept answer, a pass)
        needs no draft any more; otherwise keep a draft (a newer one, or the answer)."""
        full_id = self.question_id(self.questions[at])
        if settled:
            self.store.delete_draft(full_id)
        elif self.store.draft(full_id) is None:
            self.store.save_draft(full_id, answer)

    def _mock_id(self) -> int | None:
        return None

    def _after_record(self, at: int, outcome: Outcome) -> None:
        """Called once an answer to the question at ``at`` is recorded."""

    # ------------------------------------------------------------------ scheduling

    def _graded_rating(self, at: int, verdict: str, *, tries: int, seconds: float) -> int | None:
        """With a scheduler, the rating a graded answer earns; None for a concept answer
        (it waits for its self-rating) or without a scheduler."""
        question = self.questions[at]
        if self.scheduler is None or question.kind == "concept":
            return None
        return rating_for(
            verdict,
            tries=tries,
            hints=self._state(at).hints,
            seconds=seconds,
            expected_seconds=question.expected_seconds,
        )

    def _pending_review(self, at: int, rating: int) -> PendingReview:
        assert self.scheduler is not None
        return self.scheduler.pending(self.session_id, self.question_id(self.questions[at]), rating)

    def _rescheduled(self, at: int, rating: int) -> None:
        """Note the rating and the new due time of the question at ``at``, once stored."""
        card = self.store.card(self.question_id(self.questions[at]))
        state = self._state(at)
        state.due = None if card is None else card.due
        state.scheduled_rating = rating

    def next_due(self, index: int | None = None) -> datetime | None:
        """When the question at ``index`` (the current one) comes back, once it is rated."""
        return self._state(self.index if index is None else self._checked(index)).due

    def scheduled_rating(self, index: int | None = None) -> int | None:
        """The rating spaced repetition was given for the question at ``index`` (the current
        one) in this session, if any."""
        at = self.index if index is None else self._checked(index)
        return self._state(at).scheduled_rating


__all__ = [
    "ChoiceOutcome",
    "Outcome",
    "PointResults",
    "PracticeSession",
    "QuestionState",
    "QuestionStatus",
]
