"""Grading against ``fixtures/grader_features.yaml``, the deck that exercises the grader's
optimiser, autograd Function, dropout, running-statistics, integer and extreme-input checks.

``grade_cases`` grades every case of a test module in one batch with one real pool (inside
bubblewrap when it is installed), so each test only looks its report up.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path

from grader import GradeRequest, GraderPool, SubmissionReport

DECK = Path(__file__).parent / "fixtures" / "grader_features.yaml"
SEED = 0


@dataclass(frozen=True)
class Case:
    """One submission to a question of the features deck: deck code or a file's text."""

    question: str
    submission: str  # "reference", "wrong:N", or the source of a file
    name: str

    def request(self, folder: Path) -> GradeRequest:
        if self.submission == "reference" or self.submission.startswith("wrong:"):
            return GradeRequest(
                submission=self.submission,
                deck_path=str(DECK),
                question_id=self.question,
                display=self.name,
                seed=SEED,
                from_deck=True,
            )
        path = folder / f"{self.name}.py"
        path.write_text(textwrap.dedent(self.submission), encoding="utf-8")
        return GradeRequest(
            submission=str(path),
            deck_path=str(DECK),
            question_id=self.question,
            display=self.name,
            seed=SEED,
        )


def grade_cases(cases: list[Case], folder: Path) -> dict[str, SubmissionReport]:
    """Every case's report, by case name."""
    requests = [case.request(folder) for case in cases]
    with GraderPool(jobs=2) as pool:
        reports = pool.grade_all(requests)
    return {case.name: report for case, report in zip(cases, reports, strict=True)}


def first_failure(report: SubmissionReport) -> tuple[str, str] | None:
    """(check, message) of the first check that did not pass, or None."""
    return next(((c.name, c.message) for c in report.checks if c.status in ("fail", "error")), None)
