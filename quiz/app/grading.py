"""The grading service the app uses (a protocol, and the real one over the worker pool), and the
one worker that grades code in the background and posts the result as a :class:`Graded` message.

The app takes the service as an injected dependency, so its tests run with a
fake and the app works (without grading) where the workers cannot start. The
real service starts the warm workers in the background when the app starts;
``grade`` blocks and is called from a worker thread, never the UI thread.
"""

from __future__ import annotations

import logging
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from textual.dom import DOMNode
from textual.message import Message
from textual.worker import Worker

from grader import GradeRequest, GraderError, GraderPool, SubmissionReport
from questions import CodeQuestion

logger = logging.getLogger(__name__)


class GradingCancelled(Exception):
    """``cancel()`` was called while a grade was running or waiting for its turn."""


class GradingService(Protocol):
    def start(self) -> None:
        """Begin warming up; must return at once."""

    def grade(
        self, deck_path: str, question_id: str, source: str, *, display: str
    ) -> SubmissionReport:
        """Grade ``source``; blocks. Raises ``GradingCancelled`` or ``GraderError``."""

    def cancel(self) -> None:
        """Stop the running grade, if any, and every grade still waiting for its turn."""

    def close(self) -> None:
        """Release the workers."""


class WorkerPool(Protocol):
    """What :class:`PoolGradingService` needs of :class:`grader.GraderPool` (a fake in tests)."""

    def launch(self) -> None: ...

    def grade_all(self, requests: Sequence[GradeRequest]) -> list[SubmissionReport]: ...

    def terminate(self) -> None: ...


class PoolGradingService:
    """Grades with ``grader.GraderPool``, started in the background, one grade at a time.

    Each call of :meth:`grade` takes a ticket (a number, in the order of the calls) before it
    waits for its turn; :meth:`cancel` stops every grade whose ticket was taken before it,
    the running one and those waiting. A cancel is never a flag that the next grade clears,
    so one that comes while a grade waits for its turn is not lost, and it never reaches a
    grade asked for after it.
    """

    def __init__(self, *, timeout: float = 20.0, pool: WorkerPool | None = None) -> None:
        self.timeout = timeout
        self._pool: WorkerPool = pool if pool is not None else GraderPool(jobs=1)
        self._turn = threading.Lock()
        """Held by the grade that has the workers."""
        self._tickets = threading.Lock()
        """Guards the two numbers below; held for moments (at most while the workers are
        launched or stopped)."""
        self._asked = 0
        """Tickets taken: the last grade asked for has this number."""
        self._cancelled_up_to = 0
        """Every grade whose ticket is at most this number is cancelled."""
        self._folder = Path(tempfile.mkdtemp(prefix="mlquiz-app-"))

    def start(self) -> None:
        self._pool.launch()

    def grade(
        self, deck_path: str, question_id: str, source: str, *, display: str
    ) -> SubmissionReport:
        with self._tickets:
            self._asked += 1
            ticket = self._asked
        with self._turn:
            with self._tickets:
                # Checked under the lock ``cancel`` takes: a cancel comes either before (this
                # grade never starts) or after, and then finds the workers launched to stop.
                if self._cancelled(ticket):
                    raise GradingCancelled
                self._pool.launch()
            path = self._folder / display
            path.write_text(source, encoding="utf-8")
            request = GradeRequest(
                submission=str(path),
                deck_path=deck_path,
                question_id=question_id,
                display=display,
                timeout=self.timeout,
            )
            try:
                reports = self._pool.grade_all([request])
            except GraderError:
                if self._cancelled(ticket):
                    raise GradingCancelled from None
                raise
            if self._cancelled(ticket):
                raise GradingCancelled
            return reports[0]

    def _cancelled(self, ticket: int) -> bool:
        return ticket <= self._cancelled_up_to

    def cancel(self) -> None:
        with self._tickets:
            self._cancelled_up_to = self._asked
            self._pool.terminate()  # a fresh pool starts on the next grade

    def close(self) -> None:
        self._pool.terminate()
        for path in self._folder.iterdir():
            path.unlink(missing_ok=True)
        self._folder.rmdir()


# --------------------------------------------------------------------------- the worker


@dataclass(frozen=True)
class GradeJob:
    """Code handed in for the code question at ``index`` of a session."""

    index: int
    question: CodeQuestion
    deck_path: Path
    """The deck file the grader reads the question from."""
    source: str

    @property
    def display(self) -> str:
        """The file name the report gives the code: the entry point's."""
        return f"{self.question.entry_point}.py"


class Graded(Message):
    """A grade is done: ``report`` is set, or ``error`` says why there is none (``cancelled``
    when it was stopped by :meth:`GradingService.cancel`)."""

    bubble = False  # for the node that started the grade only

    def __init__(
        self,
        job: GradeJob,
        report: SubmissionReport | None = None,
        *,
        error: str = "",
        cancelled: bool = False,
    ) -> None:
        super().__init__()
        self.job = job
        self.report = report
        self.error = error
        self.cancelled = cancelled


def grade_in_background(
    owner: DOMNode, grader: GradingService | None, job: GradeJob
) -> Worker[None]:
    """Grade ``job`` in a thread worker of ``owner``, then post ``owner`` a :class:`Graded`.

    The worker belongs to ``owner``: once ``owner`` is gone, the result is dropped. Several
    grades may be under way at once (:class:`PoolGradingService` takes them in turn); each
    posts its own result. A grading service that fails, is cancelled or is missing (``None``:
    the workers could not start) gives a ``Graded`` with the error, so the owner always hears
    back.
    """

    def grade() -> None:
        owner.post_message(graded(grader, job))

    return owner.run_worker(grade, name="grade", group="grading", thread=True, exit_on_error=False)


def graded(grader: GradingService | None, job: GradeJob) -> Graded:
    """Grade ``job`` with ``grader`` (blocking): the report, or the error that stopped it."""
    if grader is None:
        return Graded(job, error="grading is not available here")
    try:
        report = grader.grade(str(job.deck_path), job.question.id, job.source, display=job.display)
    except GradingCancelled:
        return Graded(job, error="grading was cancelled", cancelled=True)
    except GraderError as exc:
        return Graded(job, error=str(exc) or type(exc).__name__)
    except Exception as exc:  # a broken service: said like any other failure, never left hanging
        logger.exception("grading %s failed", job.question.id)
        return Graded(job, error=str(exc) or type(exc).__name__)
    return Graded(job, report)
