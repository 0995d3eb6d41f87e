"""TUI test set-up: a fake grading service and apps built on the per-test QUIZ_HOME.

The fake stands in for ``quiz.app.grading.PoolGradingService`` so no test starts a grading
worker or imports torch. Its result is chosen per test (``FakeGrader.mode``): a passing
report, a failing one with a counterexample and a line to jump to, a slow grade that blocks
until ``cancel()`` (then raises ``GradingCancelled``) or ``release()``, a ``GraderError``, or
an exception no service should raise (a bug).
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import pytest

from grader import CheckResult, Counterexample, GraderError, SubmissionReport
from questions import DeckLibrary, packaged_decks_dir
from quiz.app import QuizApp
from quiz.app.grading import GradingCancelled
from quiz.progress.scheduling import Scheduler
from quiz.progress.store import Store

DECK_ID = "inception-1x1"
CODE_QUESTION = f"{DECK_ID}/q10"
FAILING_LINE = 9
"""The line of the submission the failing report points at."""
SLOW_GRADE_LIMIT = 10.0
"""A slow grade gives up waiting for ``cancel()`` after this long, so a broken test cannot hang."""

Mode = Literal["pass", "fail", "slow", "error", "broken"]


@dataclass(frozen=True)
class GradeCall:
    deck_path: str
    question_id: str
    source: str
    display: str


def passing_report(question: str = CODE_QUESTION) -> SubmissionReport:
    checks = [
        CheckResult(name, "pass", message)
        for name, message in [
            ("compile", ""),
            ("load", ""),
            ("construct", "held for 25 drawn configurations"),
            ("parameters", "held for 25 drawn configurations"),
            ("output_shape", "held for 25 drawn configurations"),
            ("outputs", "held for 25 drawn configurations"),
        ]
    ]
    return SubmissionReport(
        submission="SeparableConv2d.py",
        question=question,
        status="pass",
        checks=tuple(checks),
        seed=0,
    )


def failing_report(question: str = CODE_QUESTION) -> SubmissionReport:
    counterexample = Counterexample(
        arguments={"in_channels": 1, "out_channels": 1, "kernel_size": 5, "height": 3},
        input_shapes={"x": [1, 1, 3, 3]},
        seed=0,
    )
    checks = [
        CheckResult("compile", "pass"),
        CheckResult("load", "pass"),
        CheckResult("construct", "pass", "held for 25 drawn configurations"),
        CheckResult(
            "output_shape",
            "fail",
            "expected output shape (1, 1, 3, 3), got (1, 1, 1, 1)",
            counterexample=counterexample,
            line=FAILING_LINE,
        ),
        CheckResult("outputs", "skipped", "not run: output_shape failed"),
    ]
    return SubmissionReport(
        submission="SeparableConv2d.py",
        question=question,
        status="fail",
        checks=tuple(checks),
        seed=0,
    )


class FakeGrader:
    """Implements ``quiz.app.grading.GradingService``; records every call.

    ``mode`` picks the result of ``grade``: ``pass`` and ``fail`` return the reports above at
    once, ``error`` raises ``GraderError``, ``broken`` raises ``RuntimeError`` (a service with a
    bug), and ``slow`` blocks until ``cancel()`` (then raises ``GradingCancelled``) or
    ``release()`` (then returns the failing report).
    """

    def __init__(self, mode: Mode = "pass", isolation: tuple[str, ...] = ()) -> None:
        self.mode: Mode = mode
        self.isolation = isolation
        """Isolation notes put in every passing report (e.g. no bubblewrap)."""
        self.calls: list[GradeCall] = []
        self.started = 0
        self.cancelled = 0
        self.closed = 0
        self.grading = threading.Event()
        """Set when ``grade`` is entered (a slow grade then waits)."""
        self.finished = threading.Event()
        """Set when ``grade`` returns or raises."""
        self._wake = threading.Event()

    def start(self) -> None:
        self.started += 1

    def grade(
        self, deck_path: str, question_id: str, source: str, *, display: str
    ) -> SubmissionReport:
        self.calls.append(GradeCall(deck_path, question_id, source, display))
        self.grading.set()
        try:
            if self.mode == "error":
                raise GraderError("the grading workers could not start")
            if self.mode == "broken":
                raise RuntimeError("the service fell over")
            if self.mode == "slow":
                if not self._wake.wait(SLOW_GRADE_LIMIT):
                    raise GraderError("the slow fake grade was neither cancelled nor released")
                if self.cancelled:
                    raise GradingCancelled
                return failing_report()
            if self.mode == "pass":
                return dataclasses.replace(passing_report(), isolation=self.isolation)
            return failing_report()
        finally:
            self.finished.set()

    def cancel(self) -> None:
        self.cancelled += 1
        self._wake.set()

    def release(self) -> None:
        """Let a slow grade finish with the failing report."""
        self._wake.set()

    def rearm(self) -> None:
        """Make the next slow grade block again (after a cancel or a release)."""
        self._wake.clear()
        self.cancelled = 0
        self.grading.clear()
        self.finished.clear()

    def close(self) -> None:
        self.closed += 1
        self._wake.set()  # never leave a worker thread waiting after the app is gone


@pytest.fixture
def packaged_library() -> DeckLibrary:
    """The packaged Day 13 deck alone, so that screens do not change as decks are added."""
    library = DeckLibrary.discover(
        [packaged_decks_dir() / f"{DECK_ID}.yaml"], include_package=False, include_user=False
    )
    assert [d.id for d in library.decks] == [DECK_ID], library.problems
    return library


@pytest.fixture
def grader() -> FakeGrader:
    return FakeGrader()


AppFactory = Callable[..., QuizApp]


@pytest.fixture
def make_app(packaged_library: DeckLibrary, grader: FakeGrader) -> AppFactory:
    """Build a ``QuizApp`` on a fresh ``Store()`` in QUIZ_HOME (call it again to "restart"),
    with a scheduler that does not fuzz intervals.

    Keyword arguments override ``library`` and ``grader``.
    """

    def build(*, library: DeckLibrary | None = None, grader: FakeGrader | None = grader) -> QuizApp:
        store = Store()
        return QuizApp(
            library=library or packaged_library,
            store=store,
            grader=grader,
            scheduler=Scheduler(store, fuzz=False),  # exact intervals: screens do not vary
        )

    return build


@pytest.fixture
def app(make_app: AppFactory) -> QuizApp:
    return make_app()
