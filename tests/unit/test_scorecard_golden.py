"""Golden scorecard: a short scripted mock on the packaged Day 13 deck, exported as Markdown and
JSON and compared byte for byte with ``tests/golden/scorecards/``.

The mock is fully determined: a fixed seed chooses the questions and draws their numbers, a fake
clock times them, a fixed wall clock dates them, and the code question gets a grading report
built here (no grader runs). Regenerate with ``MLQUIZ_UPDATE_GOLDEN=1`` after a deliberate
change, and read the diff: the Markdown is what a candidate reads after an interview.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from packaged_decks import share_packaged_decks
from testkit import FakeClock

from grader import CheckResult, Counterexample, SubmissionReport
from questions import DeckLibrary, NumericQuestion
from quiz.progress.mock import MockConfig, MockInterview, Scorecard, export_scorecard
from quiz.progress.store import Store

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "scorecards"
DECK = "inception-1x1"
SEED = 3
"""Chooses q1 (concept), separable-module-drill (numeric, drawn numbers) and q10 (code)."""
START = datetime(2025, 3, 14, 9, 30, tzinfo=UTC)

CONCEPT_ANSWER = (
    "A 1x1 convolution is mainly used for dimensionality reduction: it cuts the number of\n"
    "channels before the expensive 3x3 and 5x5 convolutions, like a bottleneck.\n"
    "\n"
    "With a ReLU after it, it also adds non-linearity without changing the spatial size."
)
CODE_ANSWER = """\
import torch
from torch import nn


class SeparableConv2d(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size=3):
        super().__init__()
        self.depthwise = nn.Conv2d(in_channels, in_channels, kernel_size,
                                   padding=1, groups=in_channels, bias=False)
        self.pointwise = nn.Conv2d(in_channels, out_channels, 1, bias=False)

    def forward(self, x):
        return self.pointwise(self.depthwise(x))
"""


def failing_report() -> SubmissionReport:
    """What the grader says of CODE_ANSWER: padding 1 keeps the size only for kernel_size 3."""
    counterexample = Counterexample(
        arguments={"in_channels": 1, "out_channels": 1, "kernel_size": 5, "height": 5, "width": 5},
        input_shapes={"x": [1, 1, 5, 5]},
        seed=0,
    )
    checks = [
        CheckResult("compile", "pass"),
        CheckResult("load", "pass"),
        CheckResult("construct", "pass", "held for 25 drawn configurations"),
        CheckResult("parameters", "pass", "held for 25 drawn configurations"),
        CheckResult(
            "output_shape",
            "fail",
            "expected output shape (1, 1, 5, 5), got (1, 1, 3, 3)",
            counterexample=counterexample,
            line=9,
        ),
        CheckResult("outputs", "skipped", "not run: output_shape failed"),
    ]
    return SubmissionReport(
        submission="SeparableConv2d.py",
        question=f"{DECK}/q10",
        status="fail",
        checks=tuple(checks),
        seed=0,
    )


def run_scripted_mock() -> Scorecard:
    clock = FakeClock(500.0)
    started = clock.now
    library = DeckLibrary.discover([], include_user=False)
    config = MockConfig(minutes=20, decks=(DECK,), count=3, seed=SEED)
    with Store() as store:
        mock = MockInterview.create(
            library,
            store,
            config,
            clock=clock,
            wall_clock=lambda: START + timedelta(seconds=clock.now - started),
        )
        assert [q.id for q in mock.questions] == ["q1", "separable-module-drill", "q10"]

        clock.advance(40)
        assert mock.show_hint() is not None
        clock.advance(35)
        mock.submit_concept(CONCEPT_ANSWER)  # misses cross-channel interaction

        mock.next()
        clock.advance(20)
        mock.skip()  # the numeric question, for later

        clock.advance(150)
        mock.save_draft(CODE_ANSWER)
        clock.advance(95)
        mock.record_grade(failing_report(), CODE_ANSWER)

        mock.go(1)
        clock.advance(70)
        drill = mock.current
        assert isinstance(drill, NumericQuestion)
        weights, flops = (part.value for part in drill.parts)
        mock.submit_numeric([f"{weights:.0f}", f"{flops / 2:.0f}"])  # forgot the factor 2

        clock.advance(5)
        return mock.finish()


@pytest.fixture(autouse=True)
def _packaged_decks_parsed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The scripted mock discovers the decks: the packaged ones are parsed once, not per test."""
    share_packaged_decks(monkeypatch)


@pytest.fixture
def scorecard() -> Scorecard:
    # Function scope: the store is opened in this test's own QUIZ_HOME (tests/conftest.py).
    return run_scripted_mock()


@pytest.mark.parametrize("name", ["mock.md", "mock.json"])
def test_exported_scorecard_matches_the_golden_file(
    scorecard: Scorecard, tmp_path: Path, name: str
) -> None:
    exported = tmp_path / name
    export_scorecard(scorecard, exported)
    golden = GOLDEN / name
    if os.environ.get("MLQUIZ_UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(exported.read_bytes())
    assert golden.exists(), f"no golden file {golden.name}; run with MLQUIZ_UPDATE_GOLDEN=1"
    assert exported.read_bytes() == golden.read_bytes()


def test_golden_json_reads_back_as_the_same_scorecard(scorecard: Scorecard) -> None:
    data = json.loads((GOLDEN / "mock.json").read_text(encoding="utf-8"))
    assert Scorecard.from_json(data) == scorecard


def test_the_scripted_mock_scores_as_intended(scorecard: Scorecard) -> None:
    concept, numeric, code = scorecard.entries
    assert (concept.score, concept.hints, concept.points) == (0.6667, 1, 0.4167)
    assert concept.key_points_missed == [
        "Cross-channel interaction — mixes information across channels at each spatial location"
    ]
    assert (numeric.verdict, numeric.points, numeric.wrong_parts) == (
        "partial",
        0.5,
        ["FLOPs of one forward pass"],
    )
    # 20 s before the skip, 70 after coming back, 5 more while it was current at the end.
    assert numeric.seconds == 95.0
    assert code.failed_checks == [
        "output_shape: expected output shape (1, 1, 5, 5), got (1, 1, 3, 3) (for in_channels=1, "
        "out_channels=1, kernel_size=5, height=5, width=5; input x (1, 1, 5, 5))"
    ]
    assert code.points == pytest.approx(4 / 6, abs=1e-4)
    assert scorecard.time_used == 415.0
    assert scorecard.ended_by == "finished"
