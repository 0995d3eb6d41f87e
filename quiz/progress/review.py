"""A review session: today's due questions across decks, each answer rescheduled by FSRS.

:class:`ReviewSession` is a :class:`~quiz.progress.session.PracticeSession` with a scheduler
over the queue that :meth:`~quiz.progress.scheduling.Scheduler.queue` builds; its attempts
are recorded as ``review``. A numeric, choice or code answer is rated as it is recorded
(:func:`~quiz.progress.scheduling.rating_for`), a concept answer when it is self-rated. The
answer (or the rating), the review and the new card are committed in one transaction before
the call returns, so a review killed midway keeps every answer and rating already given, each
with its new schedule.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from questions import DeckLibrary

from .scheduling import Scheduler, question_lookup
from .session import PracticeSession
from .store import Store


class ReviewSession(PracticeSession):
    """Due and new questions from any decks; answers move their cards."""

    mode = "review"

    def __init__(
        self,
        library: DeckLibrary,
        store: Store,
        scheduler: Scheduler,
        questions: Iterable[str],
        *,
        new: Iterable[str] = (),
        seed: int | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Review ``questions`` (``DECK/QID``, in order); ``new`` names those never seen."""
        by_id = question_lookup(library)
        wanted = list(questions)
        missing = [q for q in wanted if q not in by_id]
        if missing:
            raise ValueError(f"not in any deck: {', '.join(missing)}")
        items = [(by_id[q][0].deck, by_id[q][1]) for q in wanted]
        if not items:
            raise ValueError("nothing to review")
        super().__init__(
            items[0][0],
            store,
            seed=seed,
            clock=clock,
            items=items,
            title="Review",
            scheduler=scheduler,
        )
        self.new = frozenset(new)
        self.paths = {loaded.id: loaded.path for loaded in library.decks}

    @classmethod
    def due(
        cls,
        library: DeckLibrary,
        store: Store,
        scheduler: Scheduler,
        *,
        decks: Iterable[str] | None = None,
        new_limit: int | None = None,
        seed: int | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> ReviewSession | None:
        """A session over today's queue; None when nothing is due and no new question is left
        for today."""
        queue = scheduler.queue(library, decks=decks, new_limit=new_limit)
        if not queue:
            return None
        return cls(
            library, store, scheduler, queue.questions, new=queue.new, seed=seed, clock=clock
        )

    def is_new(self, index: int | None = None) -> bool:
        at = self.index if index is None else index
        return self.question_id(self.questions[at]) in self.new
