"""The grading worker's result, and the one table of verdict marks the app draws from.

``graded`` is what the background worker runs (the practice screen and the mock interview
share it): whatever the grading service does, it gives a ``Graded`` message, never an
exception.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, get_args

import pytest

from grader.numeric import PartVerdict
from grader.report import CheckStatus
from questions import CodeQuestion, DeckLibrary
from quiz.app.grading import GradeJob, graded
from quiz.app.marks import VERDICT_COLOUR, verdict_mark
from quiz.progress.store import VERDICTS
from quiz.render import VERDICT_MARK

if TYPE_CHECKING:
    from .conftest import FakeGrader


@pytest.fixture
def job(packaged_library: DeckLibrary) -> GradeJob:
    loaded = packaged_library.deck("inception-1x1")
    [question] = [q for q in loaded.deck.questions if q.id == "q10"]
    assert isinstance(question, CodeQuestion)
    return GradeJob(9, question, loaded.path, "# my code\n")


def test_a_grade_carries_the_report_and_the_job(job: GradeJob, grader: FakeGrader) -> None:
    grader.mode = "fail"
    message = graded(grader, job)
    assert message.job is job
    assert message.report is not None and message.report.status == "fail"
    assert (message.error, message.cancelled) == ("", False)
    [call] = grader.calls
    assert (call.question_id, call.source, call.display) == (
        "q10",
        job.source,
        "SeparableConv2d.py",
    )
    assert call.deck_path == str(job.deck_path)


def test_a_grader_error_is_the_message_not_an_exception(job: GradeJob, grader: FakeGrader) -> None:
    grader.mode = "error"
    message = graded(grader, job)
    assert message.report is None
    assert message.error == "the grading workers could not start"
    assert not message.cancelled


def test_a_cancelled_grade_says_it_was_cancelled(job: GradeJob, grader: FakeGrader) -> None:
    grader.mode = "slow"
    grader.cancel()  # the slow grade then stops at once, as cancelled
    message = graded(grader, job)
    assert message.report is None
    assert message.cancelled
    assert message.error == "grading was cancelled"


def test_without_a_grading_service_the_error_says_so(job: GradeJob) -> None:
    message = graded(None, job)
    assert message.report is None
    assert message.error == "grading is not available here"


def test_a_broken_service_still_gives_an_answer(job: GradeJob, grader: FakeGrader) -> None:
    grader.mode = "broken"
    message = graded(grader, job)
    assert message.report is None
    assert message.error == "the service fell over"
    assert not message.cancelled


def test_every_verdict_and_check_status_has_a_mark_and_a_colour() -> None:
    verdicts = {v for allowed in VERDICTS.values() for v in allowed}
    verdicts |= set(get_args(PartVerdict)) | set(get_args(CheckStatus))
    assert set(VERDICT_MARK) == set(VERDICT_COLOUR) == verdicts
    assert verdict_mark("pass") == ("✓", "green")
    assert verdict_mark("error") == ("!", "red")
    assert verdict_mark("skipped") == ("·", "dim")
