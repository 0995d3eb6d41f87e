"""Class grading with a fake pool: what goes to the grader, what comes back, what if it stops."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from grader import CheckResult, GradeRequest, GraderError, SubmissionReport
from grader.report import SubmissionStatus
from questions import DeckLibrary
from quiz.course import grade_class, load_assignment

FIXTURES = Path(__file__).parent / "fixtures" / "class"


class FakePool:
    """Passes every submission whose staged text has no ``BROKEN``; can stop once, midway."""

    def __init__(self, stop_after: int | None = None) -> None:
        self.stop_after = stop_after
        self.seen: list[GradeRequest] = []
        self.texts: list[str] = []
        self.terminated = 0

    def grade(self, requests: Sequence[GradeRequest]) -> Iterator[tuple[int, SubmissionReport]]:
        for index, request in enumerate(requests):
            if self.stop_after is not None and len(self.seen) == self.stop_after:
                self.stop_after = None
                raise GraderError("the grading workers stopped unexpectedly")
            self.seen.append(request)
            text = Path(request.submission).read_text(encoding="utf-8")
            self.texts.append(text)
            ok = "BROKEN" not in text
            checks = (CheckResult("compile", "pass"), CheckResult("load", "pass" if ok else "fail"))
            status: SubmissionStatus = "pass" if ok else "fail"
            yield index, SubmissionReport(request.display, "x/y", status, checks, request.seed or 0)

    def terminate(self) -> None:
        self.terminated += 1


@pytest.fixture(scope="module")
def library() -> DeckLibrary:
    return DeckLibrary.discover()


def make_class(root: Path) -> None:
    (root / "ann").mkdir(parents=True)
    (root / "ann" / "a.py").write_text("class SeparableConv2d:\n    pass\n", encoding="utf-8")
    (root / "ann" / "b.py").write_text("def causal_attention(q, k, v):\n    return v  # BROKEN\n")
    (root / "ben").mkdir()
    (root / "ben" / "notes.txt").write_text("nothing here")


def test_each_found_answer_is_staged_and_graded_and_scored(
    tmp_path: Path, library: DeckLibrary
) -> None:
    make_class(tmp_path / "class")
    assignment = load_assignment(FIXTURES / "hw3.yaml", library)
    pool = FakePool()
    started: list[int] = []
    result = grade_class(assignment, tmp_path / "class", pool, seed=3, on_start=started.append)
    assert started == [2]
    assert [r.display for r in pool.seen] == ["ann/a.py", "ann/b.py"]
    assert [r.question_id for r in pool.seen] == ["q10", "causal-attention"]
    for request in pool.seen:
        # The judge reads a private copy, never the student's folder, which is hidden.
        assert not Path(request.submission).is_relative_to(tmp_path)
        assert str((tmp_path / "class").resolve()) in request.hidden
        assert request.seed == 3
    assert not Path(pool.seen[0].submission).exists()  # the copies are gone afterwards
    assert [(g.student, g.status, g.score) for g in result.grades] == [
        ("ann", "pass", 10),
        ("ann", "fail", 2.5),
        ("ben", "missing", 0),
        ("ben", "missing", 0),
    ]
    assert result.total("ann") == 12.5


def test_workers_that_stop_midway_are_restarted_for_the_rest(
    tmp_path: Path, library: DeckLibrary
) -> None:
    make_class(tmp_path / "class")
    assignment = load_assignment(FIXTURES / "hw3.yaml", library)
    pool = FakePool(stop_after=1)
    result = grade_class(assignment, tmp_path / "class", pool, seed=1)
    assert pool.terminated == 1
    assert [r.display for r in pool.seen] == ["ann/a.py", "ann/b.py"]
    assert [g.status for g in result.grades if g.student == "ann"] == ["pass", "fail"]


def test_a_shard_grades_only_its_students(tmp_path: Path, library: DeckLibrary) -> None:
    root = tmp_path / "class"
    for index in range(12):
        (root / f"s{index:02d}").mkdir(parents=True)
    assignment = load_assignment(FIXTURES / "hw3.yaml", library)
    halves = [grade_class(assignment, root, FakePool(), shard=(k, 2)).students for k in (1, 2)]
    assert sorted(halves[0] + halves[1]) == [f"s{index:02d}" for index in range(12)]
    assert halves[0] and halves[1]
