"""Timed mock interviews, free of any UI: the question mix, the countdown, scoring, the scorecard.

Provides

- :class:`MockConfig`, how a mock is set up (minutes, decks, question count, seed, interviewer
  mode, hint penalty), validated on construction and stored as JSON with the mock;
- :class:`MockInterview`, a :class:`~quiz.progress.session.PracticeSession` over questions
  drawn from the chosen decks and mixed by kind (:func:`choose_questions`), with a countdown;
  its answers are recorded as ``mock`` attempts of one mock interview
  (:meth:`~quiz.progress.store.Store.start_mock`);
- :class:`Scorecard` and :class:`ScorecardEntry`, what the candidate reads at the end (per
  question: time, hints, score, key points missed, failed checks, wrong parts, the reference
  answer), saved with the mock (:meth:`~quiz.progress.store.Store.finish_mock`), rendered as
  JSON or Markdown (:func:`export_scorecard`, :func:`scorecard_json`) and read back
  (:meth:`Scorecard.from_json`);
- :class:`MockOver`, raised by an answer once the mock is over.

Scoring: each question is worth one point. A concept answer scores the share of its key points
ticked (no self-rating): the matcher ticks them, and the score is its suggestion until the
candidate, or the interviewer in interviewer mode, confirms the checklist
(:meth:`MockInterview.confirm`, also after the end, from the scorecard); a numeric answer the
fraction of parts right, a choice answer as in practice, code the fraction of checks passed; in
interviewer mode the interviewer may set any answered question's score. Every hint shown costs
``hint_penalty`` of the question's point, down to 0.

Time: one injected monotonic clock drives the countdown and the per-question timers; it stops at
the deadline and when the mock is finished, so no time is counted past either. After the
deadline no answer or hint is taken, except a code grade (grading runs in a worker, and a grade
started before the end may land after it) until :meth:`MockInterview.finish`.

The parts: ``_config`` (the config), ``_interview`` (the interview and its scoring),
``_scorecard`` (the scorecard, its JSON and the export), ``_markdown`` (the scorecard as
Markdown), ``_reading`` (scorecard JSON read back, with pydantic; imported when one is read).

Never imports textual or torch.
"""

from ._config import KIND_ORDER, MAX_MINUTES, MockConfig
from ._interview import MockInterview, MockOver, choose_questions
from ._scorecard import (
    JSON_SUFFIXES,
    MARKDOWN_SUFFIXES,
    SCORECARD_FORMAT,
    SCORECARD_VERSION,
    ConfirmedBy,
    EndedBy,
    EntryStatus,
    Scorecard,
    ScorecardEntry,
    ScoredBy,
    export_scorecard,
    scorecard_json,
)

__all__ = [
    "JSON_SUFFIXES",
    "KIND_ORDER",
    "MARKDOWN_SUFFIXES",
    "MAX_MINUTES",
    "SCORECARD_FORMAT",
    "SCORECARD_VERSION",
    "ConfirmedBy",
    "EndedBy",
    "EntryStatus",
    "MockConfig",
    "MockInterview",
    "MockOver",
    "Scorecard",
    "ScorecardEntry",
    "ScoredBy",
    "choose_questions",
    "export_scorecard",
    "scorecard_json",
]
