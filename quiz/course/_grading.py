"""Grading a class: every student's folder against every question of an assignment.

Each (student, question) whose entry point is found becomes one :class:`grader.GradeRequest`
graded by the warm pool, exactly as ``quiz grade`` grades a file: the student's file is copied
(as UTF-8 Python; a notebook as its code cells) into a private staging folder, so the judge
reads only that copy, and the submissions folder is among the folders the sandbox hides.
One student's code runs in its own isolated process and can change no one else's grade.
"""

from __future__ import annotations

import hashlib
import logging
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, Protocol, get_args

from grader import GradeRequest, GraderError, SubmissionReport
from grader.pool import hidden_folders

from ._assignment import Assignment
from ._sources import Located, Student, locate, read_student, student_folders

logger = logging.getLogger(__name__)

GradeStatus = Literal["pass", "fail", "error", "missing"]
GRADE_STATUSES: tuple[GradeStatus, ...] = get_args(GradeStatus)


class GradingPool(Protocol):
    """What class grading needs of :class:`grader.GraderPool` (a fake in tests)."""

    def grade(self, requests: Sequence[GradeRequest]) -> Iterator[tuple[int, SubmissionReport]]: ...

    def terminate(self) -> None: ...


class CourseError(GraderError):
    """Something about a class or its reports that makes grading impossible (exit 2)."""


@dataclass(frozen=True)
class QuestionGrade:
    """One student's result on one question of an assignment."""

    student: str
    question: str
    points: float
    status: GradeStatus
    score: float
    """Points earned: ``points`` × the share of checks passed."""
    source: str | None = None
    """The file graded, inside the student's folder."""
    message: str = ""
    """For ``missing``: why; for ``error``: the grader's reason."""
    notes: tuple[str, ...] = ()
    """How the file was found and read (duplicates, magics ignored, encoding)."""
    cells: tuple[tuple[int, int], ...] = ()
    """For a notebook: where each code cell starts in the graded script."""
    report: SubmissionReport | None = None

    def to_dict(self) -> dict[str, Any]:
        """One JSON Lines record; :meth:`from_dict` reads it back (``quiz merge``)."""
        return {
            "student": self.student,
            "question": self.question,
            "status": self.status,
            "score": self.score,
            "points": self.points,
            "source": self.source,
            "message": self.message,
            "notes": list(self.notes),
            "cells": [list(c) for c in self.cells],
            "report": None if self.report is None else self.report.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Any, where: str = "record") -> QuestionGrade:
        """Inverse of :meth:`to_dict`; raises :class:`CourseError` naming what is wrong."""
        if not isinstance(data, dict):
            raise CourseError(f"{where}: expected an object")
        try:
            status = data["status"]
            if status not in GRADE_STATUSES:
                raise CourseError(f"{where}: unknown status {status!r}")
            report = data.get("report")
            return cls(
                student=str(data["student"]),
                question=str(data["question"]),
                points=float(data["points"]),
                status=status,
                score=float(data["score"]),
                source=None if data.get("source") is None else str(data["source"]),
                message=str(data.get("message", "")),
                notes=tuple(str(n) for n in data.get("notes", [])),
                cells=tuple((int(a), int(b)) for a, b in data.get("cells", [])),
                report=None if report is None else SubmissionReport.from_dict(report),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise CourseError(f"{where}: not a class grading record ({exc})") from None


@dataclass(frozen=True)
class ClassResult:
    """Grades of a class (or one shard of it), in student order then question order."""

    assignment_id: str
    questions: tuple[tuple[str, float], ...]
    """``(question id, points)`` in the assignment's order."""
    grades: tuple[QuestionGrade, ...]
    student_notes: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def students(self) -> list[str]:
        return sorted({g.student for g in self.grades})

    @property
    def points(self) -> float:
        return sum(points for _, points in self.questions)

    def of(self, student: str) -> list[QuestionGrade]:
        order = {q: i for i, (q, _) in enumerate(self.questions)}
        return sorted(
            (g for g in self.grades if g.student == student),
            key=lambda g: order.get(g.question, len(order)),
        )

    def total(self, student: str) -> float:
        return round(sum(g.score for g in self.grades if g.student == student), 2)


def question_score(points: float, report: SubmissionReport) -> float:
    """``points`` × the share of checks passed; a grading that could not finish counts one
    more check that never passes (as in the Gradescope report), so it is never full marks."""
    total = len(report.checks) + (1 if report.status == "error" else 0)
    if total == 0:
        return 0.0
    return round(points * report.passed_checks / total, 2)


def parse_shard(text: str) -> tuple[int, int]:
    """``"2/4"`` → ``(2, 4)``; raises :class:`CourseError` unless 1 ≤ K ≤ N."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if not match:
        raise CourseError(f"--shard {text!r}: expected K/N, e.g. 1/4")
    k, n = int(match.group(1)), int(match.group(2))
    if not 1 <= k <= n:
        raise CourseError(f"--shard {text!r}: K must be between 1 and N")
    return k, n


def in_shard(student: str, shard: tuple[int, int] | None) -> bool:
    """Whether ``student`` belongs to shard ``K/N``: a stable hash of the name, so every
    machine agrees whatever the order or number of folders it sees."""
    if shard is None:
        return True
    k, n = shard
    digest = hashlib.sha256(student.encode("utf-8", errors="surrogateescape")).digest()
    return int.from_bytes(digest[:8], "big") % n == k - 1


def find_students(root: Path, shard: tuple[int, int] | None = None) -> list[tuple[str, Path]]:
    """The student folders of ``root`` in shard ``K/N`` (all without a shard)."""
    if not root.is_dir():
        raise CourseError(f"{root}: not a folder of student folders")
    return [(name, folder) for name, folder in student_folders(root) if in_shard(name, shard)]


@dataclass
class _Planned:
    student: Student
    question_index: int
    located: Located
    request: int | None = None


def grade_class(
    assignment: Assignment,
    root: Path,
    pool: GradingPool,
    *,
    shard: tuple[int, int] | None = None,
    seed: int = 0,
    timeout: float = 20.0,
    examples: int | None = None,
    also_hidden: Iterable[Path] = (),
    on_start: Callable[[int], None] | None = None,
    on_graded: Callable[[], None] | None = None,
    students: Sequence[tuple[str, Path]] | None = None,
) -> ClassResult:
    """Grade every student folder of ``root`` (in the shard) on every assignment question.

    ``on_start(n)`` is told how many submissions go to the grader, ``on_graded()`` once per
    graded one (for a progress bar). ``also_hidden``: more folders the submissions must not
    see (where reports and feedback are written).
    """
    folders = list(students) if students is not None else find_students(root, shard)
    stage = Path(tempfile.mkdtemp(prefix="mlquiz-class-"))
    try:
        hidden = _hidden(assignment, [root, *also_hidden], stage)
        planned: list[_Planned] = []
        requests: list[GradeRequest] = []
        notes: dict[str, tuple[str, ...]] = {}
        for name, folder in folders:
            student = read_student(name, folder)
            notes[name] = student.notes
            for index, question in enumerate(assignment.questions):
                located = locate(student, question.entry_point)
                plan = _Planned(student, index, located)
                if located.file is not None:
                    staged = stage / str(len(requests)) / "submission.py"
                    staged.parent.mkdir()
                    staged.write_text(located.file.text, encoding="utf-8", errors="replace")
                    plan.request = len(requests)
                    requests.append(
                        GradeRequest(
                            submission=str(staged),
                            deck_path=str(question.deck_path),
                            question_id=question.question.id,
                            display=f"{name}/{located.file.relative}",
                            seed=seed,
                            timeout=timeout,
                            examples=examples,
                            hidden=tuple(hidden),
                        )
                    )
                planned.append(plan)
        if on_start is not None:
            on_start(len(requests))
        reports = _grade_all(pool, requests, on_graded)
        grades = [_grade_of(assignment, plan, reports) for plan in planned]
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return ClassResult(
        assignment.id,
        tuple((q.id, q.points) for q in assignment.questions),
        tuple(grades),
        notes,
    )


def _grade_all(
    pool: GradingPool, requests: Sequence[GradeRequest], on_graded: Callable[[], None] | None
) -> list[SubmissionReport | None]:
    """Reports for ``requests`` (None where none came). Should the workers stop midway, they
    start again once for the rest: the class is graded whatever one submission did."""
    reports: list[SubmissionReport | None] = [None] * len(requests)
    pending = list(range(len(requests)))
    for attempt in range(2):
        if not pending:
            break
        try:
            for index, report in pool.grade([requests[i] for i in pending]):
                reports[pending[index]] = report
                if on_graded is not None:
                    on_graded()
        except GraderError as exc:
            logger.warning(
                "grading workers stopped (%s); %s",
                exc,
                "restarting" if not attempt else "giving up",
            )
            pool.terminate()
        pending = [i for i in pending if reports[i] is None]
    return reports


def _hidden(assignment: Assignment, folders: Sequence[Path], stage: Path) -> list[str]:
    """What the submissions must not see: the decks, the class, where reports are written.
    Never a folder that holds the staged copies or the interpreter (nothing would run)."""
    needed = [stage.resolve(), Path(sys.prefix).resolve(), Path(sys.executable).resolve()]
    found = {h for q in assignment.questions for h in hidden_folders(str(q.deck_path))}
    for folder in folders:
        if folder.is_dir():
            resolved = folder.resolve()
            if not any(n == resolved or n.is_relative_to(resolved) for n in needed):
                found.add(str(resolved))
    return sorted(found)


def _grade_of(
    assignment: Assignment, plan: _Planned, reports: Sequence[SubmissionReport | None]
) -> QuestionGrade:
    question = assignment.questions[plan.question_index]
    located = plan.located
    if located.file is None or plan.request is None:
        return QuestionGrade(
            plan.student.name, question.id, question.points, "missing", 0.0, message=located.note
        )
    notes = tuple(n for n in (located.note, *located.file.notes) if n)
    report = reports[plan.request]
    if report is None:  # the pool never answered for it: never a pass
        return QuestionGrade(
            plan.student.name,
            question.id,
            question.points,
            "error",
            0.0,
            source=located.file.relative,
            message="the grading workers stopped before grading it",
            notes=notes,
            cells=located.file.cells,
        )
    if report.question != question.id:  # ended before the deck was read
        report = replace(report, question=question.id)
    return QuestionGrade(
        plan.student.name,
        question.id,
        question.points,
        report.status,
        question_score(question.points, report),
        source=located.file.relative,
        message=report.error or "",
        notes=notes,
        cells=located.file.cells,
        report=report,
    )
