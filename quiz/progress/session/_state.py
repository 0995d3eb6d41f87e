"""The state of a session, apart from the store: its questions, where the learner is, the time
on each question and what the learner did with it.

Provides :class:`SessionState`, which :class:`~quiz.progress.session.PracticeSession` extends
with what goes to the store (answers, ratings, drafts, spaced repetition).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import datetime

from questions import AnyQuestion, Deck, NumericQuestion, draw_numbers

from ..concept import suggested_rating
from ._outcome import Outcome, QuestionState, QuestionStatus


class SessionState:
    """The questions of one pass, in practice order, and the state of each.

    Navigation (:meth:`go`, :meth:`next`, :meth:`previous`, :meth:`skip`) never leaves the
    range of questions. Time on a question is measured with the injected clock: it runs while
    the question is the current one and stops while the learner is on another question.
    """

    def __init__(
        self,
        deck: Deck,
        *,
        shuffle: bool,
        seed: int | None,
        clock: Callable[[], float],
        items: Sequence[tuple[Deck, AnyQuestion]] | None,
    ) -> None:
        """The state of a pass over ``deck``'s questions, or over ``items`` (questions from
        any decks, each with its deck, in the order given) when they are passed."""
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

    # ------------------------------------------------------------------ hints

    def show_hint(self) -> str | None:
        """The next hint for the current question, counted as used; None when none are left."""
        hints = self.current.hints
        state = self._state(self.index)
        if state.hints >= len(hints):
            return None
        state.hints += 1
        return hints[state.hints - 1]

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

    # ------------------------------------------------------------------ scheduling

    def next_due(self, index: int | None = None) -> datetime | None:
        """When the question at ``index`` (the current one) comes back, once it is rated."""
        return self._state(self.index if index is None else self._checked(index)).due

    def scheduled_rating(self, index: int | None = None) -> int | None:
        """The rating spaced repetition was given for the question at ``index`` (the current
        one) in this session, if any."""
        at = self.index if index is None else self._checked(index)
        return self._state(at).scheduled_rating


__all__ = ["SessionState"]
