"""The app's grading service over a fake worker pool: one grade at a time, and a cancel stops
every grade asked for before it (the running one and those waiting for their turn), never one
asked for after it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import pytest

from grader import CheckResult, GradeRequest, GraderError, SubmissionReport
from quiz.app.grading import GradingCancelled, PoolGradingService

WAIT = 10.0
"""Longest wait for another thread; only reached when a test fails."""


@dataclass
class _Running:
    done: threading.Event = field(default_factory=threading.Event)
    killed: bool = False


class BlockingPool:
    """Stands in for ``grader.GraderPool``: a grade blocks until ``release()``, or until
    ``terminate()`` stops it (then it fails with ``GraderError``, as the real workers do)."""

    def __init__(self) -> None:
        self.requests: list[GradeRequest] = []
        self.launched = 0
        self.terminated = 0
        self.arrived = threading.Semaphore(0)
        """Released each time a grade reaches the pool."""
        self._running: _Running | None = None

    def launch(self) -> None:
        self.launched += 1

    def grade_all(self, requests: Sequence[GradeRequest]) -> list[SubmissionReport]:
        running = self._running = _Running()
        self.requests.extend(requests)
        self.arrived.release()
        try:
            if not running.done.wait(WAIT):
                raise GraderError("the blocking pool was neither released nor terminated")
            if running.killed:
                raise GraderError("the grading workers stopped unexpectedly")
        finally:
            self._running = None
        passed = (CheckResult("compile", "pass"),)
        return [SubmissionReport(r.display, r.question_id, "pass", passed, 0) for r in requests]

    def release(self) -> None:
        """Let the running grade finish with a passing report."""
        if self._running is not None:
            self._running.done.set()

    def terminate(self) -> None:
        self.terminated += 1
        if self._running is not None:
            self._running.killed = True
            self._running.done.set()


class GradeThread(threading.Thread):
    """``service.grade`` in a thread of its own, as the app's grading worker calls it."""

    def __init__(self, service: PoolGradingService, source: str) -> None:
        super().__init__(daemon=True)
        self.service = service
        self.source = source
        self.report: SubmissionReport | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.report = self.service.grade("deck.yaml", "q10", self.source, display="f.py")
        except BaseException as exc:
            self.error = exc

    def outcome(self) -> SubmissionReport | BaseException | None:
        """The report or the exception, once the call has returned."""
        self.join(WAIT)
        assert not self.is_alive(), "the grade did not return"
        return self.report or self.error


@pytest.fixture
def pool() -> BlockingPool:
    return BlockingPool()


@pytest.fixture
def service(pool: BlockingPool) -> Iterator[PoolGradingService]:
    service = PoolGradingService(pool=pool)
    yield service
    pool.release()  # never leave a thread waiting when a test fails
    service.close()


def start_grade(service: PoolGradingService, source: str) -> GradeThread:
    call = GradeThread(service, source)
    call.start()
    return call


def reached_pool(pool: BlockingPool) -> None:
    assert pool.arrived.acquire(timeout=WAIT), "no grade reached the pool"


def wait_until_asked(service: PoolGradingService, count: int) -> None:
    """Wait until ``count`` grades have taken their ticket: the later ones wait for their turn."""
    deadline = time.monotonic() + WAIT
    while service._asked < count:  # the only sign that a grade is waiting for the lock
        assert time.monotonic() < deadline, f"{count} grades were never asked for"
        time.sleep(0.005)


def test_one_grade_runs_and_gives_its_report(
    service: PoolGradingService, pool: BlockingPool
) -> None:
    call = start_grade(service, "def f(): pass\n")
    reached_pool(pool)
    pool.release()
    report = call.outcome()
    assert isinstance(report, SubmissionReport) and report.status == "pass"
    [request] = pool.requests
    assert (request.question_id, request.display) == ("q10", "f.py")


def test_a_cancel_stops_the_running_grade(service: PoolGradingService, pool: BlockingPool) -> None:
    call = start_grade(service, "first")
    reached_pool(pool)
    service.cancel()
    assert isinstance(call.outcome(), GradingCancelled)
    assert pool.terminated == 1


def test_a_cancel_while_a_grade_waits_for_its_turn_stops_that_grade_too(
    service: PoolGradingService, pool: BlockingPool
) -> None:
    running = start_grade(service, "first")
    reached_pool(pool)
    waiting = start_grade(service, "second")
    wait_until_asked(service, 2)

    service.cancel()  # one cancel: the running grade and the one waiting both stop

    assert isinstance(running.outcome(), GradingCancelled)
    assert isinstance(waiting.outcome(), GradingCancelled)
    assert len(pool.requests) == 1  # the second never reached the workers


def test_a_grade_asked_for_after_a_cancel_runs(
    service: PoolGradingService, pool: BlockingPool
) -> None:
    first = start_grade(service, "first")
    reached_pool(pool)
    service.cancel()
    assert isinstance(first.outcome(), GradingCancelled)

    later = start_grade(service, "later")
    reached_pool(pool)
    pool.release()
    report = later.outcome()
    assert isinstance(report, SubmissionReport) and report.status == "pass"
    assert len(pool.requests) == 2


def test_a_cancel_with_nothing_to_grade_does_not_reach_the_next_grade(
    service: PoolGradingService, pool: BlockingPool
) -> None:
    service.cancel()
    call = start_grade(service, "after")
    reached_pool(pool)
    pool.release()
    report = call.outcome()
    assert isinstance(report, SubmissionReport) and report.status == "pass"


def test_a_grade_the_workers_fail_is_an_error_not_a_cancel(
    service: PoolGradingService, pool: BlockingPool
) -> None:
    call = start_grade(service, "crashes the workers")
    reached_pool(pool)
    pool.terminate()  # the workers die on their own: nobody cancelled
    error = call.outcome()
    assert isinstance(error, GraderError) and not isinstance(error, GradingCancelled)
