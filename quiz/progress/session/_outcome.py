"""What an answer gives and what a session keeps of one question.

Provides :class:`Outcome` (what the UI shows after an answer) and :class:`ChoiceOutcome` (its
detail for a choice question), :data:`PointResults` (its detail for a concept question),
:class:`QuestionState` and :data:`QuestionStatus` (what a session keeps of one question).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from questions import Kind

from ..concept import PointResult
from ..store import Verdict

QuestionStatus = Literal["new", "answered", "skipped"]

PointResults = list[PointResult]
"""Each key point of a concept question as the matcher judged the answer
(:func:`~quiz.progress.concept.judge`)."""


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
    the checklist the learner confirms is :meth:`~quiz.progress.session.PracticeSession.ticks`);
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
    :meth:`~._state.SessionState._new_state`)."""

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


__all__ = ["ChoiceOutcome", "Outcome", "PointResults", "QuestionState", "QuestionStatus"]
