"""Judgement: correct answers in the styles real candidates use pass, real mistakes fail.

The files under ``submissions/judgement`` are the cases the grader used to get wrong:
same-shape parameters created in another order or held on the module itself, a fused
q/k/v projection, a ReLU where ReLU6 belongs (hidden while BatchNorm's scale and shift
were 1 and 0), calls the prompt rules out, a parameter that starts at the wrong values,
an ignored ``eps``, a forward that changes its input in place; and the messages: an
argument named by its name, NaN in the output said as such, the check and the part of
the code that hung. Each is graded with two seeds (and the further ``seeds`` its entry
names, where a particular draw once misjudged it), in one batch.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from grader import GradeRequest, GraderPool, SubmissionReport
from questions import DeckLibrary

pytestmark = pytest.mark.slow  # starts grader workers or real processes

HERE = Path(__file__).parent / "submissions" / "judgement"
ENTRIES: list[dict[str, Any]] = yaml.safe_load(
    (HERE / "MANIFEST.yaml").read_text(encoding="utf-8")
)["submissions"]
SEEDS = (0, 1)
CASES = [(entry, seed) for entry in ENTRIES for seed in sorted({*SEEDS, *entry.get("seeds", ())})]


@pytest.fixture(scope="module")
def reports() -> dict[tuple[str, int], SubmissionReport]:
    library = DeckLibrary.discover()
    requests = []
    for entry in ENTRIES:
        loaded, question = library.question(entry["question"])
        seeds = [seed for e, seed in CASES if e is entry]
        requests += [
            GradeRequest(
                submission=str(HERE / entry["file"]),
                deck_path=str(loaded.path),
                question_id=question.id,
                display=f"{entry['file']}@{seed}",
                seed=seed,
                timeout=float(entry.get("timeout", 20)),
            )
            for seed in seeds
        ]
    with GraderPool(jobs=2) as pool:
        graded = pool.grade_all(requests)
    return {(r.submission.split("@")[0], r.seed): r for r in graded}


@pytest.mark.parametrize(("entry", "seed"), CASES, ids=[f"{e['file']}@{s}" for e, s in CASES])
def test_verdict(
    reports: dict[tuple[str, int], SubmissionReport], entry: dict[str, Any], seed: int
) -> None:
    report = reports[(entry["file"], seed)]
    detail = [(c.name, c.status, c.message) for c in report.checks]
    assert report.status == entry["expect"], detail
    if entry["expect"] == "pass":
        return
    if entry["expect"] == "fail":
        check = next(c for c in report.checks if c.status == "fail")
        assert check.name == entry["fails"], detail
    else:
        check = next(c for c in report.checks if c.name == entry["check"])
    assert entry.get("message", "") in check.message, detail
    if "not_message" in entry:
        assert entry["not_message"] not in check.message, detail
