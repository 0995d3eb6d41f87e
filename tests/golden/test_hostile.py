"""Hostile submissions written against the grader's own source, graded in both sandbox modes.

Every file under ``submissions/q10_hostile`` attacks one mechanism: job injection
into the warm server, forged FLOP counts, parameter lists or gradients, escapes
from the sandbox, coverage gaps, and output meant to look like a verdict. Each is
graded in one batch, once inside bubblewrap and once with the lighter isolation,
and must hold in both:

- a wrong or hostile file never passes (``not-pass``); a correct file whose attack
  fails still passes (``pass``);
- every file of the batch gets its own report (none is lost to another's attack);
- no marker file appears, no process is left behind, no connection is made;
- a line a submission prints appears only in its own report's output, never
  outside it (``MLQUIZ-ESCAPED`` anywhere else is an escape).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from processes import processes_named

from grader import GradeRequest, GraderPool, SubmissionReport, render_text, to_junit
from questions import DeckLibrary

pytestmark = pytest.mark.slow  # starts grader workers or real processes

HERE = Path(__file__).parent
HOSTILE = HERE / "submissions" / "q10_hostile"
MANIFEST = yaml.safe_load((HOSTILE / "MANIFEST.yaml").read_text(encoding="utf-8"))
ENTRIES: list[dict[str, Any]] = MANIFEST["submissions"]
TIMEOUT = 8.0
MODES = ["bubblewrap", "light"]


def _escape_processes() -> list[int]:
    return processes_named(b"mlquiz-escape", b"MLQUIZ-ESCAPED")


def _markers() -> list[Path]:
    named = {Path(m) for e in ENTRIES for m in e.get("markers", [])}
    return sorted(named | set(Path("/tmp").glob("mlquiz-escape-*")))


def _grade_all(mode: str) -> dict[str, Any]:
    for marker in _markers():
        marker.unlink(missing_ok=True)
    loaded, question = DeckLibrary.discover().question("inception-1x1/q10")
    requests = [
        GradeRequest(
            submission=str(HOSTILE / e["file"]),
            deck_path=str(loaded.path),
            question_id=question.id,
            display=e["file"],
            seed=e.get("seed"),  # random per run, unless the entry needs a given draw
            timeout=e.get("timeout", TIMEOUT) * (e.get("examples", 25) / 25),
            examples=e.get("examples"),
        )
        for e in ENTRIES
    ]
    started = time.monotonic()
    with GraderPool(jobs=2) as pool:
        reports = pool.grade_all(requests)
    seconds = time.monotonic() - started
    time.sleep(0.5)  # let anything that escaped show itself
    return {
        "reports": {r.submission: r for r in reports},
        "count": len(reports),
        "seconds": seconds,
        "markers": [m for m in _markers() if m.exists()],
        "processes": _escape_processes(),
    }


@pytest.fixture(scope="module", params=MODES)
def graded(request: pytest.FixtureRequest) -> Iterator[dict[str, Any]]:
    mode = request.param
    if mode == "bubblewrap" and not shutil.which("bwrap"):
        pytest.skip("bubblewrap is not installed (Debian: apt-get install bubblewrap)")
    saved = os.environ.get("MLQUIZ_NO_BWRAP")
    if mode == "light":
        os.environ["MLQUIZ_NO_BWRAP"] = "1"
    else:
        os.environ.pop("MLQUIZ_NO_BWRAP", None)
    try:
        result = _grade_all(mode)
        result["mode"] = mode
        yield result
    finally:
        if saved is None:
            os.environ.pop("MLQUIZ_NO_BWRAP", None)
        else:
            os.environ["MLQUIZ_NO_BWRAP"] = saved


def _outside_output(report: SubmissionReport) -> str:
    """Everything of a report but the submission's own captured output."""
    data = report.to_dict()
    data.pop("stdout", None)
    data.pop("stderr", None)
    return json.dumps(data, ensure_ascii=False)


@pytest.mark.parametrize("entry", ENTRIES, ids=[e["file"] for e in ENTRIES])
def test_hostile_file_gets_the_verdict_it_deserves(
    graded: dict[str, Any], entry: dict[str, Any]
) -> None:
    report = graded["reports"][entry["file"]]
    detail = (graded["mode"], report.status, report.error, [c.message for c in report.checks])
    if entry.get("known_limit") and report.status == "pass":
        pytest.xfail(f"known limit: {entry['known_limit']}")
    if entry["expect"] == "pass":
        assert report.status == "pass", detail
    else:
        assert report.status in ("fail", "error"), detail


def test_every_file_of_the_batch_gets_its_own_report(graded: dict[str, Any]) -> None:
    assert graded["count"] == len(ENTRIES)
    assert sorted(graded["reports"]) == sorted(e["file"] for e in ENTRIES)


def test_no_attack_leaves_a_trace_outside_the_sandbox(graded: dict[str, Any]) -> None:
    assert graded["markers"] == [], graded["mode"]
    assert graded["processes"] == [], graded["mode"]


def test_escape_lines_appear_only_inside_the_submissions_own_output(
    graded: dict[str, Any],
) -> None:
    for report in graded["reports"].values():
        assert "MLQUIZ-ESCAPED" not in _outside_output(report), report.submission


def test_printed_verdicts_never_look_like_verdict_lines(graded: dict[str, Any]) -> None:
    """In text and JUnit, a submission's output is fenced off: no line of it starts a verdict."""
    from io import StringIO

    from rich.console import Console

    reports = list(graded["reports"].values())
    buffer = StringIO()
    render_text(reports, console=Console(file=buffer, width=120), verbose=True)
    names = {r.submission for r in reports}
    for line in buffer.getvalue().splitlines():
        if not line or line[0].isspace():
            continue  # everything a submission says is indented under its verdict line
        first, *rest = line.split()
        # At the margin: verdict lines (a file's name, then its question), the summary's
        # title and the totals. Nothing a submission printed.
        totals = re.fullmatch(r"\d+ submissions: \d+ pass / \d+ fail / \d+ error", line.strip())
        assert first in names or first == "Summary" or totals, line
        if first in names:
            assert rest[:1] == ["inception-1x1/q10"], line
    junit = to_junit(reports)
    assert junit.count("<testsuite ") == junit.count("</testsuite>")
