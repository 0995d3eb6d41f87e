"""``quiz check-deck`` runs a deck's code solutions through the real grader.

The reference must pass its own checks and every wrong solution must fail, first on the check
it names; each surprise is one ``FILE:LINE:COL: message`` line on stderr and exit 2.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from quiz.cli import cli

pytestmark = pytest.mark.slow  # starts grader workers or real processes

REFERENCE = """\
from torch import nn


class Pointwise(nn.Module):
    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size=1, bias=False)

    def forward(self, x):
        return self.conv(x)
"""

# Right after all: a 1x1 convolution written as nn.Linear over the channels.
LINEAR_POINTWISE = """\
from torch import nn


class Pointwise(nn.Module):
    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.linear = nn.Linear(in_channels, out_channels, bias=False)

    def forward(self, x):
        return self.linear(x.movedim(1, -1)).movedim(-1, 1)
"""

WITH_BIAS = REFERENCE.replace("bias=False", "bias=True")

# The reference's forward under no_grad: its weight never gets a gradient.
NO_GRAD_REFERENCE = REFERENCE.replace(
    "from torch import nn", "import torch\nfrom torch import nn"
).replace(
    "        return self.conv(x)", "        with torch.no_grad():\n            return self.conv(x)"
)


DECK = textwrap.dedent(
    """\
    id: tiny
    title: A tiny code deck
    questions:
      - id: pointwise
        kind: code
        prompt: Write a 1x1 convolution without bias as an nn.Module.
        answer: nn.Conv2d(in_channels, out_channels, kernel_size=1, bias=False).
        entry_point: Pointwise
        starter: |
          from torch import nn
        reference: |
    @REFERENCE@
        checks:
          init:
            in_channels: {int: [1, 3]}
            out_channels: {int: [1, 3]}
          dims:
            size: {int: [1, 4]}
          inputs:
            x: {shape: [2, in_channels, size, size]}
          max_examples: 10
        wrong_solutions:
          - name: @NAME@
            fails: @FAILS@
            code: |
    @WRONG@
    """
)


def deck_text(reference: str, wrong_name: str, wrong_fails: str, wrong_code: str) -> str:
    """The deck above with one reference and one wrong solution (code indented into place)."""
    return (
        DECK.replace("@REFERENCE@\n", textwrap.indent(reference, " " * 6))
        .replace("@WRONG@\n", textwrap.indent(wrong_code, " " * 10))
        .replace("@NAME@", wrong_name)
        .replace("@FAILS@", wrong_fails)
    )


def write_deck(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def located(path: Path, text: str, needle: str, value: str) -> str:
    """``FILE:LINE:COL`` of ``value`` on the one line of ``text`` that contains ``needle``."""
    [(number, line)] = [(n, line) for n, line in enumerate(text.splitlines(), 1) if needle in line]
    return f"{path}:{number}:{line.index(value) + 1}"


def check_deck(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, ["check-deck", *map(str, args)], catch_exceptions=False)


def problem_lines(result: Result) -> list[str]:
    # Blank lines are left by the (transient) progress bar on a console that is not a terminal.
    return [
        line
        for line in result.stderr.splitlines()
        if line.strip() and not line.startswith("quiz: error:")
    ]


def test_a_wrong_solution_that_passes_every_check_is_a_located_problem(tmp_path: Path) -> None:
    text = deck_text(REFERENCE, "linear over channels", "outputs", LINEAR_POINTWISE)
    path = write_deck(tmp_path, text)
    result = check_deck(path)
    assert result.exit_code == 2, result.output
    [problem] = problem_lines(result)
    assert problem.startswith(located(path, text, "fails: outputs", "outputs") + ": ")
    assert "tiny/pointwise wrong solution 'linear over channels' passes every check; " in problem
    assert problem.endswith(
        "it should fail on 'outputs' (at questions[0].wrong_solutions[0].fails)"
    )
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[-1] == "quiz: error: 1 of 1 deck file(s) have problems"


def test_a_wrong_solution_failing_another_check_first_is_a_problem(tmp_path: Path) -> None:
    text = deck_text(REFERENCE, "bias left on", "outputs", WITH_BIAS)
    path = write_deck(tmp_path, text)
    result = check_deck(path)
    assert result.exit_code == 2, result.output
    [problem] = problem_lines(result)
    assert problem.startswith(located(path, text, "fails: outputs", "outputs") + ": ")
    assert "wrong solution 'bias left on' fails first on 'parameters' (expected " in problem
    assert "trainable parameters" in problem
    assert "not on 'outputs'" in problem


def test_the_same_wrong_solution_named_correctly_is_no_problem(tmp_path: Path) -> None:
    path = write_deck(tmp_path, deck_text(REFERENCE, "bias left on", "parameters", WITH_BIAS))
    result = check_deck(path)
    assert result.exit_code == 0, result.output
    assert problem_lines(result) == []
    assert "2 code solution(s) run through the grader" in result.stdout


def test_a_reference_that_fails_its_own_checks_is_a_problem(tmp_path: Path) -> None:
    text = deck_text(NO_GRAD_REFERENCE, "bias left on", "parameters", WITH_BIAS)
    path = write_deck(tmp_path, text)
    result = check_deck(path)
    assert result.exit_code == 2, result.output
    [problem] = problem_lines(result)
    assert problem.startswith(f"{path}:")
    assert "tiny/pointwise reference fails its own checks: gradients: " in problem
    assert problem.endswith("(at questions[0].reference)")


def test_no_code_skips_grading(tmp_path: Path) -> None:
    path = write_deck(
        tmp_path, deck_text(REFERENCE, "linear over channels", "outputs", LINEAR_POINTWISE)
    )
    result = check_deck("--no-code", path)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert "tiny, 1 questions" in result.stdout
    assert "run through the grader" not in result.stdout
