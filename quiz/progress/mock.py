"""Timed mock interviews, free of any UI: the question mix, the countdown, scoring, the scorecard.

Provides

- :class:`MockConfig`, how a mock is set up (minutes, decks, question count, seed, interviewer
  mode, hint penalty), validated on construction and stored as JSON with the mock;
- :class:`MockInterview`, a :class:`~quiz.progress.session.PracticeSession` over questions
  drawn from the chosen decks and mixed by kind, with a countdown; its answers are recorded
  as ``mock`` attempts of one mock interview (:meth:`~quiz.progress.store.Store.start_mock`);
- :class:`Scorecard` and :class:`ScorecardEntry`, what the candidate reads at the end (per
  question: time, hints, score, key points missed, failed checks, wrong parts, the reference
  answer), saved with the mock (:meth:`~quiz.progress.store.Store.finish_mock`) and rendered as
  JSON or Markdown (:func:`export_scorecard`);
- :class:`MockOver`, raised by an answer once the mock is over.

Scoring: each question is worth one point. A concept answer scores the fraction of its key points
hit (no self-rating), a numeric answer the fraction of parts right, a choice answer as in practice,
code the fraction of checks passed; in interviewer mode the interviewer may set any answered
question's score. Every hint shown costs ``hint_penalty`` of the question's point, down to 0.

Time: one injected monotonic clock drives the countdown and the per-question timers; it stops at
the deadline and when the mock is finished, so no time is counted past either. After the
deadline no answer or hint is taken, except a code grade (grading runs in a worker, and a grade
started before the end may land after it) until :meth:`MockInterview.finish`.

Never imports textual or torch.
"""

from __future__ import annotations

import json
import math
import os
import random
import re
import secrets
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Final, Literal, TypeGuard, get_args

from grader import NumericResult, SubmissionReport, format_number
from questions import (
    AnyQuestion,
    ChoiceQuestion,
    CodeQuestion,
    ConceptQuestion,
    DeckLibrary,
    LoadedDeck,
    NumericQuestion,
)

from .session import ChoiceOutcome, Outcome, PracticeSession
from .store import Store, aware_time

EntryStatus = Literal["answered", "skipped", "unseen"]
ScoredBy = Literal["rubric", "grader", "interviewer"]
EndedBy = Literal["finished", "time", "left"]
"""How a mock ended: finished by the candidate, out of time, or left (the app was closed)."""

KIND_ORDER: Final = ("concept", "numeric", "code", "choice")
"""The order in which :meth:`MockInterview.create` takes one question of each kind, round robin."""
MAX_MINUTES: Final = 600.0
SCORECARD_FORMAT: Final = "mlquiz-scorecard"
SCORECARD_VERSION: Final = 1
MARKDOWN_SUFFIXES: Final = (".md", ".markdown")
JSON_SUFFIXES: Final = (".json",)

_STATUSES: Final = get_args(EntryStatus)
_SCORERS: Final = get_args(ScoredBy)
_ENDINGS: Final = get_args(EndedBy)
_AUTOMATIC_SCORER: Final[dict[str, ScoredBy]] = {
    "concept": "rubric",
    "numeric": "grader",
    "choice": "grader",
    "code": "grader",
}


class MockOver(Exception):
    """An answer, a hint or a score given once the mock interview is over (or out of time)."""


def _local_now() -> datetime:
    return datetime.now().astimezone()


def _is_number(value: object) -> TypeGuard[int | float]:
    return (
        not isinstance(value, bool)
        and isinstance(value, int | float)
        and math.isfinite(float(value))
    )


# --------------------------------------------------------------------------- configuration


@dataclass(frozen=True)
class MockConfig:
    """How a mock interview is set up; the constructor raises ``ValueError`` naming a bad field.

    ``decks`` is normalised to a tuple without repeats and ``minutes`` / ``hint_penalty`` to
    floats, so a config read back from JSON compares equal to the one written.
    """

    minutes: float = 30
    """Length of the countdown; more than 0, at most 600."""
    decks: tuple[str, ...] = ()
    """Deck ids to draw from; empty means every deck."""
    count: int = 6
    """Questions to ask, at least 1 (fewer when the decks hold fewer)."""
    seed: int | None = None
    """Chooses the questions and draws their numbers; None picks one at random (the mock
    records the seed it used)."""
    interviewer: bool = False
    """Someone else scores the answers live (:meth:`MockInterview.set_interviewer_score`)."""
    hint_penalty: float = 0.25
    """Fraction of a question's point each hint costs, 0 to 1."""

    def __post_init__(self) -> None:
        if not _is_number(self.minutes) or not 0 < self.minutes <= MAX_MINUTES:
            raise ValueError(
                f"mock config: minutes must be a number above 0 and at most {MAX_MINUTES:g}, "
                f"got {self.minutes!r}"
            )
        if isinstance(self.decks, str) or not isinstance(self.decks, Iterable):
            raise ValueError(f"mock config: decks must be a list of deck ids, got {self.decks!r}")
        decks = tuple(self.decks)
        for deck in decks:
            if not isinstance(deck, str) or not deck.strip():
                raise ValueError(f"mock config: decks: a deck id is non-empty text, got {deck!r}")
        if isinstance(self.count, bool) or not isinstance(self.count, int) or self.count < 1:
            raise ValueError(f"mock config: count must be an integer >= 1, got {self.count!r}")
        if self.seed is not None and (
            isinstance(self.seed, bool) or not isinstance(self.seed, int)
        ):
            raise ValueError(f"mock config: seed must be an integer or null, got {self.seed!r}")
        if not isinstance(self.interviewer, bool):
            raise ValueError(
                f"mock config: interviewer must be true or false, got {self.interviewer!r}"
            )
        if not _is_number(self.hint_penalty) or not 0 <= self.hint_penalty <= 1:
            raise ValueError(
                f"mock config: hint_penalty must be a number from 0 to 1, got {self.hint_penalty!r}"
            )
        object.__setattr__(self, "minutes", float(self.minutes))
        object.__setattr__(self, "decks", tuple(dict.fromkeys(decks)))
        object.__setattr__(self, "hint_penalty", float(self.hint_penalty))

    def to_json(self) -> dict[str, Any]:
        """JSON-able form; :meth:`from_json` reads it back."""
        return {
            "minutes": self.minutes,
            "decks": list(self.decks),
            "count": self.count,
            "seed": self.seed,
            "interviewer": self.interviewer,
            "hint_penalty": self.hint_penalty,
        }

    @classmethod
    def from_json(cls, data: Any) -> MockConfig:
        """Inverse of :meth:`to_json`. Missing keys take their defaults and other keys (such as
        the ``questions`` a stored mock adds) are ignored; a bad value raises ``ValueError``."""
        if not isinstance(data, Mapping):
            raise ValueError(f"mock config: expected an object, got {type(data).__name__}")
        defaults = cls()
        return cls(
            minutes=data.get("minutes", defaults.minutes),
            decks=data.get("decks", defaults.decks),
            count=data.get("count", defaults.count),
            seed=data.get("seed", defaults.seed),
            interviewer=data.get("interviewer", defaults.interviewer),
            hint_penalty=data.get("hint_penalty", defaults.hint_penalty),
        )


# --------------------------------------------------------------------------- the scorecard


@dataclass(frozen=True)
class ScorecardEntry:
    """One question of a finished mock, as the candidate reads it."""

    number: int
    """1-based position in the mock."""
    question: str
    """``DECK/QID``."""
    heading: str
    prompt: str
    """The question as asked (with its drawn numbers, if it draws them)."""
    kind: str
    status: EntryStatus
    """answered; skipped (shown, never answered); unseen (never shown)."""
    seconds: float
    """Time spent on the question in the mock, over every visit."""
    expected_seconds: int | None
    hints: int
    """Hints shown."""
    verdict: str | None
    """Of the latest answer (:attr:`~quiz.progress.store.Attempt.verdict`); None if unanswered."""
    score: float
    """0..1 before the hint penalty; 0 when unanswered."""
    points: float
    """``max(0, score - hint_penalty * hints)`` when answered, else 0."""
    scored_by: ScoredBy
    key_points_missed: list[str]
    """Concept: the rubric points the latest answer missed."""
    failed_checks: list[str]
    """Code: ``name: message`` of each check that failed or raised (and why grading could not
    finish, for an error)."""
    wrong_parts: list[str]
    """Numeric: labels of the parts not answered correctly."""
    answer: str
    """What was given, readably: free text, code, one ``label: value`` line per numeric part,
    or one line per chosen option; empty when unanswered."""
    reference: str
    """The reference answer (markdown), with the expected values of a numeric question and the
    correct options of a choice question."""

    def __post_init__(self) -> None:
        where = f"scorecard entry {self.number}"
        if self.status not in _STATUSES:
            raise ValueError(f"{where}: status must be one of {', '.join(_STATUSES)}")
        if self.scored_by not in _SCORERS:
            raise ValueError(f"{where}: scored_by must be one of {', '.join(_SCORERS)}")
        for name in ("score", "points"):
            value = getattr(self, name)
            if not _is_number(value) or not 0 <= value <= 1:
                raise ValueError(f"{where}: {name} must be a number from 0 to 1, got {value!r}")
        if not _is_number(self.seconds) or self.seconds < 0:
            raise ValueError(f"{where}: seconds must be a number >= 0, got {self.seconds!r}")

    @property
    def answered(self) -> bool:
        return self.status == "answered"

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "question": self.question,
            "heading": self.heading,
            "prompt": self.prompt,
            "kind": self.kind,
            "status": self.status,
            "seconds": self.seconds,
            "expected_seconds": self.expected_seconds,
            "hints": self.hints,
            "verdict": self.verdict,
            "score": self.score,
            "points": self.points,
            "scored_by": self.scored_by,
            "key_points_missed": list(self.key_points_missed),
            "failed_checks": list(self.failed_checks),
            "wrong_parts": list(self.wrong_parts),
            "answer": self.answer,
            "reference": self.reference,
        }

    @classmethod
    def from_json(cls, data: Any, where: str = "entry") -> ScorecardEntry:
        entry = _mapping(data, where)
        expected = entry.get("expected_seconds")
        if expected is not None:
            expected = _integer(entry, "expected_seconds", where)
        verdict = entry.get("verdict")
        if verdict is not None:
            verdict = _text(entry, "verdict", where)
        return cls(
            number=_integer(entry, "number", where),
            question=_text(entry, "question", where),
            heading=_text(entry, "heading", where),
            prompt=_text(entry, "prompt", where),
            kind=_text(entry, "kind", where),
            status=_choice(entry, "status", _STATUSES, where),
            seconds=_number(entry, "seconds", where),
            expected_seconds=expected,
            hints=_integer(entry, "hints", where),
            verdict=verdict,
            score=_number(entry, "score", where),
            points=_number(entry, "points", where),
            scored_by=_choice(entry, "scored_by", _SCORERS, where),
            key_points_missed=_texts(entry, "key_points_missed", where),
            failed_checks=_texts(entry, "failed_checks", where),
            wrong_parts=_texts(entry, "wrong_parts", where),
            answer=_text(entry, "answer", where),
            reference=_text(entry, "reference", where),
        )


@dataclass(frozen=True)
class Scorecard:
    """A finished mock interview: when, how it was set up, and every question's entry."""

    mock_id: int
    started_at: datetime
    finished_at: datetime
    config: MockConfig
    """As run: its ``seed`` is the one used."""
    entries: tuple[ScorecardEntry, ...]
    time_used: float
    """Seconds from the start to the end, at most the countdown."""
    ended_by: EndedBy
    """finished: the candidate ended it; time: the countdown ran out first."""
    notes: tuple[str, ...] = ()
    """Anything the candidate should know about how the mock was set up (e.g. fewer questions
    than asked for)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "entries", tuple(self.entries))
        object.__setattr__(self, "notes", tuple(self.notes))
        if self.ended_by not in _ENDINGS:
            raise ValueError(f"scorecard: ended_by must be one of {', '.join(_ENDINGS)}")
        for name in ("started_at", "finished_at"):
            moment = getattr(self, name)
            if not isinstance(moment, datetime) or moment.utcoffset() is None:
                raise ValueError(f"scorecard: {name} must be a timezone-aware datetime")

    @property
    def total(self) -> float:
        """Points earned (4 decimals)."""
        return round(sum(entry.points for entry in self.entries), 4)

    @property
    def maximum(self) -> int:
        """Points available: one per question."""
        return len(self.entries)

    @property
    def percent(self) -> float:
        """``total`` as a percentage of ``maximum``, one decimal."""
        return round(100 * self.total / self.maximum, 1) if self.maximum else 0.0

    def to_json(self) -> dict[str, Any]:
        """JSON-able form, keys in a fixed order; :meth:`from_json` reads it back."""
        return {
            "format": SCORECARD_FORMAT,
            "version": SCORECARD_VERSION,
            "mock_id": self.mock_id,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat(),
            "ended_by": self.ended_by,
            "time_used": self.time_used,
            "config": self.config.to_json(),
            "total": self.total,
            "maximum": self.maximum,
            "percent": self.percent,
            "notes": list(self.notes),
            "questions": [entry.to_json() for entry in self.entries],
        }

    @classmethod
    def from_json(cls, data: Any) -> Scorecard:
        """Inverse of :meth:`to_json` (``total``, ``maximum`` and ``percent`` are derived, so
        they are not read); a bad value raises ``ValueError`` naming its field."""
        card = _mapping(data, "scorecard")
        version = card.get("version", SCORECARD_VERSION)
        if card.get("format", SCORECARD_FORMAT) != SCORECARD_FORMAT:
            raise ValueError(f'scorecard: not a scorecard (no "format": "{SCORECARD_FORMAT}")')
        if isinstance(version, bool) or not isinstance(version, int) or version > SCORECARD_VERSION:
            raise ValueError(
                f"scorecard: version {version!r} is not one this mlquiz reads (up to "
                f"{SCORECARD_VERSION}); upgrade mlquiz"
            )
        questions = card.get("questions")
        if not isinstance(questions, list):
            raise ValueError("scorecard.questions: expected a list")
        try:
            config = MockConfig.from_json(card.get("config"))
        except ValueError as exc:
            raise ValueError(f"scorecard.config: {exc}") from None
        return cls(
            mock_id=_integer(card, "mock_id", "scorecard"),
            started_at=_moment(card, "started_at", "scorecard"),
            finished_at=_moment(card, "finished_at", "scorecard"),
            config=config,
            entries=tuple(
                ScorecardEntry.from_json(entry, f"scorecard.questions[{index}]")
                for index, entry in enumerate(questions)
            ),
            time_used=_number(card, "time_used", "scorecard"),
            ended_by=_choice(card, "ended_by", _ENDINGS, "scorecard"),
            notes=tuple(_texts(card, "notes", "scorecard", default=[])),
        )

    def to_markdown(self) -> str:
        """A report to read after the interview: a summary, a table, then every question with
        the answer given, what it missed and the reference answer."""
        return _render_markdown(self)


# --------------------------------------------------------------------------- the interview


class MockInterview(PracticeSession):
    """A timed session over questions mixed from several decks; build it with :meth:`create`.

    Answers are recorded at once (``mode="mock"``, ``mock=mock_id``); answering a question again
    replaces its answer (the latest counts). :meth:`finish` ends the mock and saves the
    scorecard. Drafts (:meth:`draft`, :meth:`save_draft`) live in memory for the length of the
    mock: the candidate never sees a practice draft, and practice drafts are never touched.
    """

    mode = "mock"
    reveals_answers = False
    """Verdicts and reference answers wait for the scorecard (interviewer mode aside)."""

    def __init__(
        self,
        store: Store,
        config: MockConfig,
        items: Sequence[tuple[LoadedDeck, AnyQuestion]],
        *,
        paths: Mapping[str, Path] | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], datetime] = _local_now,
        notes: Sequence[str] = (),
    ) -> None:
        """Start a mock over ``items`` in that order (:meth:`create` chooses them).

        ``config.seed`` must be set: it draws the numbers of questions that draw them.
        """
        if config.seed is None:
            raise ValueError("a mock interview needs the seed it runs with; use create()")
        if not items:
            raise ValueError("a mock interview needs at least one question")
        started_at = wall_clock()
        if not isinstance(started_at, datetime) or started_at.utcoffset() is None:
            raise ValueError(f"wall_clock must return an aware datetime, got {started_at!r}")
        self.config = config
        self.notes: tuple[str, ...] = tuple(notes)
        self.paths: dict[str, Path] = (
            dict(paths) if paths is not None else {loaded.id: loaded.path for loaded, _ in items}
        )
        self.started_at = started_at
        self._wall_clock = wall_clock
        self._monotonic = clock
        self._stopped_at: float | None = None
        self._started = clock()
        self._deadline = self._started + config.minutes * 60
        super().__init__(
            items[0][0].deck,
            store,
            seed=config.seed,
            clock=self._now,
            items=[(loaded.deck, question) for loaded, question in items],
            title="Mock interview",
        )
        self._visited: set[int] = {0}
        self._drafts: dict[int, str] = {}
        self._interviewer_scores: dict[int, float] = {}
        self.scorecard: Scorecard | None = None
        record = {
            **config.to_json(),
            "questions": [self.question_id(q) for q in self.questions],
        }
        self.mock_id: int = store.start_mock(record, at=started_at)

    @classmethod
    def create(
        cls,
        library: DeckLibrary,
        store: Store,
        config: MockConfig,
        *,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], datetime] = _local_now,
    ) -> MockInterview:
        """Choose ``config.count`` questions from the chosen decks and start the mock.

        The questions of each kind are shuffled by the seed, then taken round robin over the
        kinds in :data:`KIND_ORDER` (those the decks have), so three questions are a concept,
        a numeric and a code question when there are such. When the decks hold fewer questions
        than ``count`` the mock asks them all and says so in :attr:`notes`. ``ValueError``,
        before anything is recorded, for deck ids the library does not have.
        """
        seed = config.seed if config.seed is not None else random.randrange(2**31)
        chosen, notes = choose_questions(library, config, seed)
        return cls(
            store,
            replace(config, seed=seed),
            chosen,
            paths={loaded.id: loaded.path for loaded in library.decks},
            clock=clock,
            wall_clock=wall_clock,
            notes=notes,
        )

    # ------------------------------------------------------------------ time

    def _now(self) -> float:
        """The session's clock: the monotonic clock, stopped at the deadline and at the end."""
        if self._stopped_at is not None:
            return self._stopped_at
        return min(self._monotonic(), self._deadline)

    def remaining(self) -> float:
        """Seconds left on the countdown; never negative, and frozen once finished."""
        return max(0.0, self._deadline - self._now())

    def elapsed(self) -> float:
        """Seconds since the start, at most the countdown."""
        return self._now() - self._started

    @property
    def expired(self) -> bool:
        """Whether the countdown has run out."""
        return self.remaining() <= 0

    @property
    def finished(self) -> bool:
        """Whether :meth:`finish` has ended the mock (not, as in practice, whether every
        question is answered: see :attr:`answered`)."""
        return self.scorecard is not None

    @property
    def over(self) -> bool:
        """Whether answers are refused: finished, or out of time (a code grade is still taken
        until :meth:`finish`)."""
        return self._stopped_at is not None or self.expired

    def _check_open(self, *, grading: bool = False) -> None:
        if self._stopped_at is not None:
            raise MockOver(f"mock interview {self.mock_id} is over; it takes no more answers")
        if not grading and self.expired:
            raise MockOver(f"time is up in mock interview {self.mock_id}; finish it")

    # ------------------------------------------------------------------ navigation

    def _move_to(self, index: int) -> None:
        super()._move_to(index)
        self._visited.add(index)

    # ------------------------------------------------------------------ hints and drafts

    def show_hint(self) -> str | None:
        """The next hint for the current question (it costs points); ``MockOver`` when over."""
        self._check_open()
        return super().show_hint()

    def draft(self) -> str:
        """The candidate's text for the current question in this mock: what they last saved
        or submitted, else the starter (code) or ``""``."""
        saved = self._drafts.get(self.index)
        if saved is not None:
            return saved
        question = self.current
        return question.starter if isinstance(question, CodeQuestion) else ""

    def save_draft(self, text: str) -> None:
        """Keep ``text`` as the current question's draft, for this mock only (in memory)."""
        self._drafts[self.index] = text

    def _keep_draft(self, at: int, answer: str, *, settled: bool) -> None:
        # Practice drafts are never touched; going back shows the last answer given.
        self._drafts[at] = answer

    # ------------------------------------------------------------------ answers

    def submit_concept(self, text: str) -> Outcome:
        """Score a free-text answer by its rubric: the fraction of key points hit (1.0 when the
        question has none). There is no self-rating in a mock."""
        self._check_open()
        return super().submit_concept(text)

    def submit_numeric(self, answers: Sequence[str]) -> Outcome:
        self._check_open()
        return super().submit_numeric(answers)

    def submit_choice(self, chosen: Iterable[int]) -> Outcome:
        self._check_open()
        return super().submit_choice(chosen)

    def record_grade(
        self, report: SubmissionReport, source: str, *, index: int | None = None
    ) -> Outcome:
        """Record the grading ``report`` of code ``source`` for the question at ``index`` (the
        current one by default); taken after the deadline (the grading may have started
        before it) but not after :meth:`finish`. ``TypeError`` for a question that is not a
        code question, ``ValueError`` when ``report.question`` names another question."""
        self._check_open(grading=True)
        return super().record_grade(report, source, index=index)

    def rate(self, rating: int) -> None:
        """Not in a mock: concept answers are scored by their key points (``ValueError``)."""
        raise ValueError(
            "a mock interview scores concept answers by their key points; there is no self-rating"
        )

    def _mock_id(self) -> int | None:
        return self.mock_id

    def _after_record(self, at: int, outcome: Outcome) -> None:
        # The interviewer scored the earlier answer; the new one stands on its own until they
        # score it again.
        self._interviewer_scores.pop(at, None)

    # ------------------------------------------------------------------ scoring

    def set_interviewer_score(self, index: int, score: float) -> None:
        """In interviewer mode, score the answer to the question at ``index`` (0..1) in place of
        its automatic score. ``ValueError`` outside interviewer mode, for a score outside 0..1
        or a question not answered yet; ``MockOver`` once finished. A new answer to the
        question clears it."""
        if not self.config.interviewer:
            raise ValueError("only a mock in interviewer mode takes an interviewer's score")
        if self._stopped_at is not None:
            raise MockOver(f"mock interview {self.mock_id} is over; its scores are final")
        at = self._checked(index)
        if not _is_number(score) or not 0 <= score <= 1:
            raise ValueError(f"an interviewer's score is a number from 0 to 1, got {score!r}")
        if self.outcome(at) is None:
            raise ValueError(f"{self.question_id(self.questions[at])} has not been answered yet")
        self._interviewer_scores[at] = float(score)

    def score(self, index: int) -> float | None:
        """The score of the question at ``index`` before the hint penalty (the interviewer's,
        if given); None when unanswered; 0 for code that is the starter unchanged."""
        at = self._checked(index)
        outcome = self.outcome(at)
        if outcome is None:
            return None
        question = self.questions[at]
        if (
            at not in self._interviewer_scores
            and isinstance(question, CodeQuestion)
            and outcome.answer.strip() == question.starter.strip()
        ):
            return 0.0  # the starter handed in unchanged: the checks it passes are not earned
        return self._interviewer_scores.get(at, outcome.score)

    def scored_by(self, index: int) -> ScoredBy:
        at = self._checked(index)
        if at in self._interviewer_scores:
            return "interviewer"
        return _AUTOMATIC_SCORER[self.questions[at].kind]

    def points(self, index: int) -> float:
        """Points earned by the question at ``index``: 0 when unanswered, else the score less
        ``hint_penalty`` for each hint shown, never below 0 (4 decimals)."""
        score = self.score(index)
        if score is None:
            return 0.0
        penalty = self.config.hint_penalty * len(self.hints_shown(index))
        return round(max(0.0, score - penalty), 4)

    def reference(self, index: int) -> str:
        """The reference answer of the question at ``index`` as the scorecard shows it."""
        return _reference(self.questions[self._checked(index)])

    def entry(self, index: int) -> ScorecardEntry:
        """The question at ``index`` as the scorecard would show it now (for an interviewer's
        view during the mock; :meth:`finish` freezes them)."""
        at = self._checked(index)
        question = self.questions[at]
        outcome = self.outcome(at)
        status: EntryStatus = (
            "answered" if outcome is not None else ("skipped" if at in self._visited else "unseen")
        )
        score = self.score(at)
        missed: list[str] = []
        failed: list[str] = []
        wrong: list[str] = []
        answer = ""
        if outcome is not None:
            answer = _readable_answer(question, outcome)
            detail = outcome.detail
            if isinstance(question, ConceptQuestion):
                missed = [point.point for point, hit in detail if not hit]
            elif isinstance(detail, NumericResult):
                wrong = [part.label for part in detail.parts if part.verdict != "correct"]
            elif isinstance(detail, SubmissionReport):
                failed = _failed_checks(detail)
        return ScorecardEntry(
            number=at + 1,
            question=self.question_id(question),
            heading=question.heading,
            prompt=question.prompt,
            kind=question.kind,
            status=status,
            seconds=round(self.seconds(at), 3),
            expected_seconds=question.expected_seconds,
            hints=len(self.hints_shown(at)),
            verdict=None if outcome is None else outcome.verdict,
            score=0.0 if score is None else round(score, 4),
            points=self.points(at),
            scored_by=self.scored_by(at),
            key_points_missed=missed,
            failed_checks=failed,
            wrong_parts=wrong,
            answer=answer,
            reference=_reference(question),
        )

    # ------------------------------------------------------------------ the end

    def finish(self, *, left: bool = False) -> Scorecard:
        """End the mock: stop the clock, build the scorecard and save it with the mock.

        Unanswered questions score 0. ``ended_by`` is ``time`` when the countdown had run out,
        else ``left`` when ``left`` says the candidate closed the app mid-interview, else
        ``finished``. Calling it again returns the same scorecard.
        """
        if self.scorecard is not None:
            return self.scorecard
        ended_by: EndedBy = "time" if self.expired else ("left" if left else "finished")
        if self._stopped_at is None:
            self._stopped_at = self._now()
        card = Scorecard(
            mock_id=self.mock_id,
            started_at=self.started_at,
            finished_at=self._wall_clock(),
            config=self.config,
            entries=tuple(self.entry(at) for at in range(len(self.questions))),
            time_used=round(self._stopped_at - self._started, 3),
            ended_by=ended_by,
            notes=self.notes,
        )
        self.store.finish_mock(self.mock_id, card.to_json(), at=card.finished_at)
        self.scorecard = card
        return card


def choose_questions(
    library: DeckLibrary, config: MockConfig, seed: int
) -> tuple[list[tuple[LoadedDeck, AnyQuestion]], list[str]]:
    """The questions a mock with ``config`` and ``seed`` asks, in order, and notes on the choice
    (see :meth:`MockInterview.create`). ``ValueError`` names deck ids the library lacks."""
    known = {loaded.id: loaded for loaded in library.decks}
    unknown = [deck for deck in config.decks if deck not in known]
    if unknown:
        listed = ", ".join(sorted(known)) or "none"
        raise ValueError(
            f"no deck with id {', '.join(map(repr, unknown))}; the decks are: {listed}"
        )
    decks = [known[deck] for deck in config.decks] if config.decks else list(library.decks)
    if not decks:
        raise ValueError("there are no decks to draw mock interview questions from")
    rng = random.Random(seed)
    pools: dict[str, list[tuple[LoadedDeck, AnyQuestion]]] = {kind: [] for kind in KIND_ORDER}
    for loaded in decks:
        for question in loaded.deck.questions:
            pools[question.kind].append((loaded, question))
    for pool in pools.values():
        rng.shuffle(pool)
    queues = [pool for pool in pools.values() if pool]
    available = sum(len(pool) for pool in queues)
    wanted = min(config.count, available)
    chosen: list[tuple[LoadedDeck, AnyQuestion]] = []
    while len(chosen) < wanted:
        for pool in queues:
            if pool and len(chosen) < wanted:
                chosen.append(pool.pop(0))
    notes = []
    if available < config.count:
        where = ", ".join(loaded.id for loaded in decks)
        notes.append(
            f"{config.count} questions were asked for but {where} "
            f"{'holds' if len(decks) == 1 else 'hold'} only {available}; the mock asks them all"
        )
    return chosen, notes


def _readable_answer(question: AnyQuestion, outcome: Outcome) -> str:
    detail = outcome.detail
    if isinstance(detail, NumericResult):
        return "\n".join(f"{part.label}: {part.given}" for part in detail.parts)
    if isinstance(question, ChoiceQuestion) and isinstance(detail, ChoiceOutcome):
        return "\n".join(question.options[index].text for index in sorted(detail.chosen))
    return outcome.answer


def _failed_checks(report: SubmissionReport) -> list[str]:
    failed = []
    for check in report.failed_checks:
        line = f"{check.name}: {check.message or check.status}"
        if check.counterexample is not None:
            line += f" (for {check.counterexample.describe()})"
        failed.append(line)
    if report.status == "error":
        failed.append(f"grading: {report.error or 'grading could not finish'}")
    return failed


def _reference(question: AnyQuestion) -> str:
    text = question.answer.strip()
    if isinstance(question, NumericQuestion):
        values = "\n".join(
            f"- {part.label}: {format_number(part.value)}"
            + (f" ({_percent(part.value)})" if part.percent else "")
            for part in question.parts
        )
        return f"{text}\n\nExpected values:\n\n{values}"
    if isinstance(question, ChoiceQuestion):
        options = "\n".join(
            f"- {question.options[i].text}" for i in sorted(question.correct_indices)
        )
        label = "Correct options" if question.multiple else "Correct option"
        return f"{text}\n\n{label}:\n\n{options}"
    return text


def _percent(fraction: float) -> str:
    return f"{format_number(fraction * 100)}%"


# --------------------------------------------------------------------------- export


def export_scorecard(scorecard: Scorecard, path: Path) -> None:
    """Write ``scorecard`` to ``path``: Markdown for ``.md`` / ``.markdown``, JSON (indent 2)
    for ``.json``; ``ValueError`` for any other suffix, before anything is written.

    The file is written to a temporary file in the same folder, then moved into place, so it
    is either the old file or the whole new one, never half written.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in MARKDOWN_SUFFIXES:
        text = scorecard.to_markdown()
    elif suffix in JSON_SUFFIXES:
        text = scorecard_json(scorecard)
    else:
        known = ", ".join((*MARKDOWN_SUFFIXES, *JSON_SUFFIXES))
        raise ValueError(
            f"cannot export a scorecard to {path}: the file name must end in {known} "
            f"(Markdown or JSON), not {path.suffix or 'nothing'!r}"
        )
    _write_atomically(path, text)


def scorecard_json(scorecard: Scorecard) -> str:
    """The JSON text :func:`export_scorecard` writes: indent 2, a trailing newline, non-ASCII
    kept, and characters that could act on a terminal or break a line reader escaped."""
    text = json.dumps(scorecard.to_json(), indent=2, ensure_ascii=False, allow_nan=False)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n"


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    # os.open with 0o666 lets the umask decide the mode, as for any file the user writes.
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


# --------------------------------------------------------------------------- Markdown

# C0 and C1 controls (but tab and newline), DEL and lone surrogates: shown as escapes, never sent
# to a terminal that displays the report.
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029]")
_JSON_UNSAFE = re.compile(r"[\x7f-\x9f\ud800-\udfff\u2028\u2029]")


def _inert(text: str) -> str:
    def escape(match: re.Match[str]) -> str:
        code = ord(match.group())
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return _UNSAFE.sub(escape, text)


def _clock_text(seconds: float) -> str:
    """``mm:ss`` (minutes may pass 59)."""
    whole = round(seconds)
    return f"{whole // 60:02d}:{whole % 60:02d}"


def _points_text(value: float) -> str:
    return f"{value:.2f}"


def _cell(text: str) -> str:
    return _inert(text).replace("|", "\\|").replace("\n", " ")


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _fence(code: str, language: str = "") -> str:
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{code.rstrip()}\n{fence}"


_RESULTS: Final = {
    "pass": "passed",
    "fail": "failed",
    "error": "not graded",
    "correct": "correct",
    "partial": "partly right",
    "wrong": "wrong",
    "rated": "answered",
}


def _result_text(entry: ScorecardEntry) -> str:
    if entry.status == "skipped":
        return "skipped"
    if entry.status == "unseen":
        return "not reached"
    return _RESULTS.get(entry.verdict or "", entry.verdict or "")


def _render_markdown(card: Scorecard) -> str:
    config = card.config
    started = card.started_at.strftime("%Y-%m-%d %H:%M %Z").strip()
    lines = [f"# Mock interview, {started}", ""]
    limit = config.minutes * 60
    ending = {
        "time": "time ran out",
        "left": "left before the end (the app was closed)",
    }.get(card.ended_by, "finished early")
    statuses = [
        f"{count} {label}"
        for status, label in (
            ("answered", "answered"),
            ("skipped", "skipped"),
            ("unseen", "not reached"),
        )
        if (count := sum(entry.status == status for entry in card.entries))
    ]
    kinds = [kind for kind in KIND_ORDER if any(e.kind == kind for e in card.entries)]
    mix = ", ".join(f"{sum(e.kind == kind for e in card.entries)} {kind}" for kind in kinds)
    hints = sum(entry.hints for entry in card.entries)
    decks = ", ".join(config.decks) if config.decks else "all decks"
    lines += [
        f"- **Score:** {_points_text(card.total)} of {card.maximum} points ({card.percent:.1f}%)",
        f"- **Time:** {_clock_text(card.time_used)} used of {_clock_text(limit)}; {ending}",
        f"- **Questions:** {card.maximum} ({mix}); {', '.join(statuses) or 'none'}",
        f"- **Hints:** {hints} used; each costs {config.hint_penalty:g} of its question's point",
        f"- **Decks:** {_inert(decks)}",
    ]
    if config.interviewer:
        lines.append("- **Scored by:** an interviewer, live, where marked")
    replay = f"quiz mock --minutes {config.minutes:g}"
    replay += "".join(f" --deck {deck}" for deck in config.decks)
    replay += f" --count {config.count} --seed {config.seed}"
    lines.append(f"- **Same questions again:** `{_inert(replay)}`")
    lines += [f"- **Note:** {_inert(note)}" for note in card.notes]
    lines += [
        "",
        "| # | Question | Kind | Result | Time | Hints | Points |",
        "|--:|:---------|:-----|:-------|-----:|------:|-------:|",
    ]
    for entry in card.entries:
        lines.append(
            f"| {entry.number} | {_cell(entry.heading)} | {entry.kind} | {_result_text(entry)} "
            f"| {_clock_text(entry.seconds)} | {entry.hints} | {_points_text(entry.points)} |"
        )
    lines.append(
        f"| | **Total** | | | {_clock_text(card.time_used)} | {hints} "
        f"| **{_points_text(card.total)} / {card.maximum}** |"
    )
    for entry in card.entries:
        lines += ["", *_entry_markdown(entry, config)]
    return "\n".join(lines).rstrip() + "\n"


def _entry_markdown(entry: ScorecardEntry, config: MockConfig) -> list[str]:
    facts = [f"`{_inert(entry.question)}`", entry.kind]
    timing = f"{_clock_text(entry.seconds)} spent"
    if entry.expected_seconds is not None:
        timing += f" (a prepared candidate needs about {_clock_text(entry.expected_seconds)})"
    facts.append(timing)
    facts.append(_plural(entry.hints, "hint") if entry.hints else "no hints")
    lines = [f"## {entry.number}. {_inert(entry.heading)}", "", " · ".join(facts), ""]
    lines += [_score_line(entry, config), ""]
    lines += ["### Question", "", _inert(entry.prompt.strip()), ""]
    lines += ["### Your answer", ""]
    if not entry.answered:
        lines.append(
            "_No answer given._" if entry.status == "skipped" else "_Not reached before the end._"
        )
    elif entry.kind == "code":
        lines.append(_fence(_inert(entry.answer), "python"))
    elif entry.kind in ("numeric", "choice"):
        lines += [f"- {_inert(line)}" for line in entry.answer.splitlines()]
    elif entry.answer.strip():
        lines += [f"> {_inert(line)}".rstrip() for line in entry.answer.strip().splitlines()]
    else:
        lines.append("_An empty answer._")
    for title, items in (
        ("Key points missed", entry.key_points_missed),
        ("Failed checks", entry.failed_checks),
        ("Wrong parts", entry.wrong_parts),
    ):
        if items:
            lines += ["", f"### {title}", "", *(f"- {_inert(item)}" for item in items)]
    lines += ["", "### Reference answer", "", _inert(entry.reference.strip())]
    return lines


def _score_line(entry: ScorecardEntry, config: MockConfig) -> str:
    if not entry.answered:
        return f"{'Skipped' if entry.status == 'skipped' else 'Not reached'}: **0.00 of 1 point**."
    scorer = {
        "rubric": "for the share of key points made",
        "grader": {
            "numeric": "for the share of parts right",
            "code": "for the share of checks passed",
        }.get(entry.kind, "by the grader"),
        "interviewer": "by the interviewer",
    }[entry.scored_by]
    line = f"Scored {_points_text(entry.score)} {scorer}"
    if entry.hints:
        penalty = config.hint_penalty * entry.hints
        line += f", less {_points_text(penalty)} for {_plural(entry.hints, 'hint')}"
    return f"{line}: **{_points_text(entry.points)} of 1 point**."


# --------------------------------------------------------------------------- reading JSON


def _mapping(data: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise ValueError(f"{where}: expected an object, got {type(data).__name__}")
    return data


def _text(data: Mapping[str, Any], key: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise ValueError(f"{where}.{key}: expected text, got {value!r}")
    return value


def _texts(
    data: Mapping[str, Any], key: str, where: str, *, default: list[str] | None = None
) -> list[str]:
    value = data.get(key, default)
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError(f"{where}.{key}: expected a list of text, got {value!r}")
    return list(value)


def _integer(data: Mapping[str, Any], key: str, where: str) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{where}.{key}: expected an integer, got {value!r}")
    return value


def _number(data: Mapping[str, Any], key: str, where: str) -> float:
    value = data.get(key)
    if not _is_number(value):
        raise ValueError(f"{where}.{key}: expected a number, got {value!r}")
    return float(value)


def _choice(data: Mapping[str, Any], key: str, allowed: tuple[Any, ...], where: str) -> Any:
    value = data.get(key)
    if value not in allowed:
        raise ValueError(f"{where}.{key}: expected one of {', '.join(allowed)}, got {value!r}")
    return value


def _moment(data: Mapping[str, Any], key: str, where: str) -> datetime:
    return aware_time(_text(data, key, where), f"{where}.{key}")


__all__ = [
    "KIND_ORDER",
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
