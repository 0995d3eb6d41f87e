"""The practice session: :class:`PracticeSession`, a :class:`~._state.SessionState` whose
answers are graded and recorded in the :class:`~quiz.progress.store.Store` as they are given,
with hints, drafts, self-ratings and spaced repetition."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import Any, TypeVar

from grader import NumericResult, SubmissionReport, grade_numeric
from questions import (
    AnyQuestion,
    ChoiceQuestion,
    CodeQuestion,
    ConceptQuestion,
    Deck,
    NumericQuestion,
)

from ..concept import judge, ticked_score
from ..scheduling import Scheduler, rating_for
from ..store import Attempt, KeyPointMark, PendingReview, Store, Verdict
from ._outcome import ChoiceOutcome, Outcome, PointResults
from ._state import SessionState

_Q = TypeVar("_Q", ConceptQuestion, NumericQuestion, ChoiceQuestion, CodeQuestion)


_KIND_NAMES: dict[type[AnyQuestion], str] = {
    ConceptQuestion: "concept",
    NumericQuestion: "numeric",
    ChoiceQuestion: "choice",
    CodeQuestion: "code",
}


class PracticeSession(SessionState):
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
        super().__init__(deck, shuffle=shuffle, seed=seed, clock=clock, items=items)
        self.scheduler = scheduler
        self.session_id = uuid.uuid4().hex
        """Names this session's reviews in the store."""

    # ------------------------------------------------------------------ drafts

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


__all__ = ["PracticeSession"]
