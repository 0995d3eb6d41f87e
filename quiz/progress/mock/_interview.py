"""The interview itself: :class:`MockInterview`, the timed session, and how it chooses, times and
scores its questions (:func:`choose_questions`); :class:`MockOver` for an answer too late."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Final

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
from quiz.formatting import percent

from ..session import ChoiceOutcome, Outcome, PointResults, PracticeSession, QuestionState
from ..store import KeyPointMark, Store
from ._config import KIND_ORDER, MockConfig, is_finite_number
from ._scorecard import (
    ConfirmedBy,
    EndedBy,
    EntryStatus,
    Scorecard,
    ScorecardEntry,
    ScoredBy,
)

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


@dataclass(slots=True)
class MockQuestionState(QuestionState):
    """What a mock keeps of one question beyond what a practice session keeps."""

    visited: bool = False
    """Shown at some point: unanswered, it was skipped rather than never reached."""
    draft: str | None = None
    """The candidate's text, kept for this mock only (never a practice draft)."""
    interviewer_score: float | None = None
    """The interviewer's score of the latest answer, in place of its automatic one."""


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
        self._state(0).visited = True
        self.scorecard: Scorecard | None = None
        self._ended: tuple[datetime, EndedBy] | None = None
        """When the mock ended and how, once finished."""
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

    # ------------------------------------------------------------------ per-question state

    def _new_state(self) -> MockQuestionState:
        return MockQuestionState()

    def _state(self, at: int) -> MockQuestionState:
        state = super()._state(at)
        assert isinstance(state, MockQuestionState)  # every state comes from _new_state
        return state

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
        self._state(index).visited = True

    # ------------------------------------------------------------------ hints and drafts

    def show_hint(self) -> str | None:
        """The next hint for the current question (it costs points); ``MockOver`` when over."""
        self._check_open()
        return super().show_hint()

    def draft(self) -> str:
        """The candidate's text for the current question in this mock: what they last saved
        or submitted, else the starter (code) or ``""``."""
        saved = self._state(self.index).draft
        if saved is not None:
            return saved
        question = self.current
        return question.starter if isinstance(question, CodeQuestion) else ""

    def save_draft(self, text: str) -> None:
        """Keep ``text`` as the current question's draft, for this mock only (in memory)."""
        self._state(self.index).draft = text

    def _keep_draft(self, at: int, answer: str, *, settled: bool) -> None:
        # Practice drafts are never touched; going back shows the last answer given.
        self._state(at).draft = answer

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

    @property
    def confirmer(self) -> ConfirmedBy:
        """Who confirms concept scores in this mock: the interviewer in interviewer mode,
        else the candidate."""
        return "interviewer" if self.config.interviewer else "candidate"

    def confirm(self, index: int) -> None:
        """Confirm the checklist of the concept answer at ``index`` as ticked now
        (:meth:`tick`): its score becomes the share of ticked points, stored with the attempt,
        confirmed by :attr:`confirmer` (it replaces an interviewer's score given by hand).
        Also after the end: the scorecard is rebuilt and saved again. ``ValueError`` for a
        question that is not an answered concept question."""
        at = self._checked(index)
        state = self._state(at)
        if state.outcome is None or state.outcome.kind != "concept":
            raise ValueError(
                f"{self.question_id(self.questions[at])} has no concept answer to confirm"
            )
        marks, score = self._confirmation(at)
        self.store.confirm(state.outcome.attempt_id, marks, score)
        self._confirmed(at, score)
        state.interviewer_score = None
        if self.scorecard is not None:
            self._save_scorecard()

    def confirmed_by(self, index: int) -> ConfirmedBy | None:
        """Who confirmed the score of the concept answer at ``index``: a score the interviewer
        gave by hand, or its confirmed checklist; None when it is the matcher's suggestion
        (and for the other kinds)."""
        at = self._checked(index)
        state = self._state(at)
        if self.questions[at].kind != "concept" or state.outcome is None:
            return None
        if state.interviewer_score is not None:
            return "interviewer"
        return self.confirmer if state.confirmed_ticks is not None else None

    def _checklist(self, at: int) -> tuple[KeyPointMark, ...]:
        """The key points of the concept answer at ``at`` as they count now: as confirmed, or
        as the matcher ticked them."""
        state = self._state(at)
        if state.outcome is None or state.outcome.kind != "concept":
            return ()
        results: PointResults = state.outcome.detail
        ticks = state.confirmed_ticks or tuple(result.hit for result in results)
        return tuple(
            KeyPointMark(result.point, result.hit, ticked)
            for result, ticked in zip(results, ticks, strict=True)
        )

    def _mock_id(self) -> int | None:
        return self.mock_id

    def _after_record(self, at: int, outcome: Outcome) -> None:
        # The interviewer scored the earlier answer; the new one stands on its own until they
        # score it again.
        self._state(at).interviewer_score = None

    # ------------------------------------------------------------------ scoring

    def set_interviewer_score(self, index: int, score: float) -> None:
        """In interviewer mode, score the answer to the question at ``index`` (0..1) in place of its
        automatic score (for a concept answer, in place of its checklist's). ``ValueError`` outside
        interviewer mode, for a score outside 0..1 or a question not answered yet; ``MockOver`` once
        finished. A new answer to the question clears it."""
        if not self.config.interviewer:
            raise ValueError("only a mock in interviewer mode takes an interviewer's score")
        if self._stopped_at is not None:
            raise MockOver(f"mock interview {self.mock_id} is over; its scores are final")
        at = self._checked(index)
        if not is_finite_number(score) or not 0 <= score <= 1:
            raise ValueError(f"an interviewer's score is a number from 0 to 1, got {score!r}")
        if self.outcome(at) is None:
            raise ValueError(f"{self.question_id(self.questions[at])} has not been answered yet")
        self._state(at).interviewer_score = float(score)

    def score(self, index: int) -> float | None:
        """The score of the question at ``index`` before the hint penalty (the interviewer's,
        if given); None when unanswered; 0 for code that is the starter unchanged."""
        at = self._checked(index)
        state = self._state(at)
        if state.outcome is None:
            return None
        if state.interviewer_score is not None:
            return state.interviewer_score
        question = self.questions[at]
        if (
            isinstance(question, CodeQuestion)
            and state.outcome.answer.strip() == question.starter.strip()
        ):
            return 0.0  # the starter handed in unchanged: the checks it passes are not earned
        return state.outcome.score

    def scored_by(self, index: int) -> ScoredBy:
        at = self._checked(index)
        if self._state(at).interviewer_score is not None:
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
        state = self._state(at)
        outcome = state.outcome
        status: EntryStatus = (
            "answered" if outcome is not None else ("skipped" if state.visited else "unseen")
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
                missed = [mark.point for mark in self._checklist(at) if not mark.ticked]
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
            # The Skip key marks a question skipped; moving on or running out of time does not.
            explicitly_skipped=outcome is None and state.status == "skipped",
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
            key_points=self._checklist(at),
            confirmed_by=self.confirmed_by(at),
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
        self._ended = (self._wall_clock(), ended_by)
        return self._save_scorecard()

    def _save_scorecard(self) -> Scorecard:
        """Build the scorecard of the finished mock as it stands and save it with the mock."""
        assert self._ended is not None and self._stopped_at is not None
        finished_at, ended_by = self._ended
        card = Scorecard(
            mock_id=self.mock_id,
            started_at=self.started_at,
            finished_at=finished_at,
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
            + (f" ({percent(part.value)})" if part.percent else "")
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
