"""A report the pool cannot read back costs only its own submission, never the batch."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import pytest

from grader.pool import GradeRequest, GraderPool


def _good(job: dict[str, Any]) -> dict[str, Any]:
    return {
        "submission": job["display"],
        "question": job["question_id"],
        "status": "pass",
        "score": 1.0,
        "checks": [{"name": "compile", "status": "pass"}],
        "seed": job["seed"],
        "error": None,
        "stdout": "",
        "stderr": "",
        "isolation": [],
        "seconds": 0.5,
    }


@pytest.mark.parametrize(
    "damage",
    [
        {"error": {"forged": ["not", "a", "string"]}},
        {"status": "pass", "checks": [{"name": "compile", "status": "pass", "line": True}]},
        {"status": "forged"},
    ],
)
def test_an_unreadable_report_becomes_an_error_for_its_submission_only(
    monkeypatch: pytest.MonkeyPatch, damage: dict[str, Any]
) -> None:
    def run(jobs: Sequence[dict[str, Any]]) -> Iterator[tuple[int, dict[str, Any]]]:
        yield 1, {**_good(jobs[1]), **damage}
        yield 0, _good(jobs[0])

    pool = GraderPool(jobs=1)
    monkeypatch.setattr(pool, "_run", run)
    requests = [
        GradeRequest(name, "deck.yaml", "inception-1x1/q10", seed=7) for name in ("a.py", "b.py")
    ]
    reports = pool.grade_all(requests)

    assert [r.submission for r in reports] == ["a.py", "b.py"]
    assert reports[0].status == "pass"
    assert reports[1].status == "error"
    assert reports[1].error is not None
    assert reports[1].error.startswith("internal grader error: an unreadable report")
    assert reports[1].seed == 7
