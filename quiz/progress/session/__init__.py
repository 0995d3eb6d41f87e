"""A practice session over one deck, free of any UI: the state machine the Textual screens drive.

Provides :class:`PracticeSession` — the questions in practice order, where the learner is, what
they did with each question (new, answered, skipped), hints, drafts, and the grading of every
kind of answer — plus :class:`Outcome` and :class:`ChoiceOutcome`, what the UI shows after an
answer, and :class:`QuestionState`, what the session keeps of one question. Every answer is
recorded in the :class:`~quiz.progress.store.Store` as it is given.

Time on a question is measured with an injected clock: it runs while the question is the
current one, from when it is first shown, and stops while the learner is on another question;
an attempt stores the total time on its question up to the answer.

The parts: ``_outcome`` (outcomes and the state kept of one question), ``_state`` (the
session's questions, position, timing and checklists, apart from the store), ``_practice``
(:class:`PracticeSession`: answers graded and recorded, drafts, ratings, spaced repetition).

Never imports textual or torch: code is graded elsewhere (a grading worker) and its
:class:`~grader.SubmissionReport` handed to :meth:`PracticeSession.record_grade`.
"""

from ._outcome import ChoiceOutcome, Outcome, PointResults, QuestionState, QuestionStatus
from ._practice import PracticeSession

__all__ = [
    "ChoiceOutcome",
    "Outcome",
    "PointResults",
    "PracticeSession",
    "QuestionState",
    "QuestionStatus",
]
