"""Numeric questions that draw their numbers: same seed, same numbers; answers computed."""

from __future__ import annotations

import functools
import re
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from packaged_decks import share_packaged_decks

from grader import grade_numeric
from grader.deckcheck import check_deck_file
from questions import DeckError, DeckLibrary, NumericQuestion, draw_numbers, draw_values, parse_deck
from quiz.cli import cli
from quiz.progress.session import PracticeSession
from quiz.progress.store import Store

DRILL = "inception-1x1/separable-savings-drill"


@pytest.fixture(autouse=True)
def _packaged_decks_parsed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Discovery and `quiz` commands parse the packaged decks once, not per test."""
    share_packaged_decks(monkeypatch)


@functools.cache
def drill() -> NumericQuestion:
    _, question = DeckLibrary.discover().question(DRILL)
    assert isinstance(question, NumericQuestion)
    return question


def test_the_same_seed_draws_the_same_numbers() -> None:
    question = drill()
    assert draw_values(question, 5) == draw_values(question, 5)
    assert len({tuple(draw_values(question, s).values()) for s in range(30)}) > 10


@given(st.integers(0, 2**31 - 1))
def test_drawn_answers_follow_the_expressions(seed: int) -> None:
    question = drill()
    values = draw_values(question, seed)
    drawn = draw_numbers(question, seed)
    k, c_in, c_out = values["K"], values["C_in"], values["C_out"]
    assert values["C_out"] % 16 == 0 and 16 <= c_out <= 512
    assert [p.value for p in drawn.parts][:2] == [k * k * c_in * c_out, k * k * c_in + c_in * c_out]
    assert "{{" not in drawn.prompt and f"{c_in:,}" in drawn.prompt
    assert drawn.parts[0].working == f"{k}*{k}*{c_in}*{c_out}"
    # The drawn question grades its own answers as right.
    result = grade_numeric(drawn, [str(p.value) for p in drawn.parts])
    assert result.all_correct


def test_fixed_questions_come_back_unchanged() -> None:
    _, question = DeckLibrary.discover().question("inception-1x1/q6")
    assert isinstance(question, NumericQuestion)
    assert draw_numbers(question, 3) is question


DECK = textwrap.dedent(
    """\
    id: drawn
    title: Drawn
    questions:
      - id: d1
        kind: numeric
        prompt: Weights of a {{K}}x{{K}} conv from {{C}} channels to {{C}}?
        answer: K*K*C*C
        params:
          K: {one_of: [1, 3]}
          C: {int: [1, 8]}
        parts:
          - {label: weights, expr: K*K*C*C, working: "{{K}}*{{K}}*{{C}}*{{C}}"}
    """
)


def test_a_part_needs_an_expression_when_numbers_are_drawn() -> None:
    with pytest.raises(DeckError, match="needs `expr`"):
        parse_deck(DECK.replace("expr: K*K*C*C, ", ""))
    with pytest.raises(DeckError, match="'D' is not one of the drawn"):
        parse_deck(DECK.replace("expr: K*K*C*C", "expr: K*D"))
    fixed = "\n".join(
        line
        for line in DECK.splitlines()
        if "params:" not in line and "one_of" not in line and "int:" not in line
    )
    with pytest.raises(DeckError, match="has `expr` but the question has no `params`"):
        parse_deck(fixed.replace("{label: weights,", "{label: weights, answer: 1,"))


def test_check_deck_draws_the_numbers_and_verifies_the_working(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(DECK, encoding="utf-8")
    assert check_deck_file(good).ok
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        DECK.replace('working: "{{K}}*{{K}}*{{C}}*{{C}}"', 'working: "{{K}}*{{C}}"'),
        encoding="utf-8",
    )
    result = check_deck_file(bad)
    assert not result.ok
    assert "with the numbers of seed" in result.problems[0].message
    assert result.problems[0].path == "questions[0].parts[0].working"


def test_show_and_answer_with_a_seed() -> None:
    runner = CliRunner()
    shown = runner.invoke(cli, ["show", DRILL, "--seed", "11"])
    assert shown.exit_code == 0
    assert "--seed 11" in shown.output
    drawn = draw_numbers(drill(), 11)
    answers = [str(p.value) for p in drawn.parts]
    assert runner.invoke(cli, ["answer", DRILL, "--seed", "11", *answers]).exit_code == 0
    assert runner.invoke(cli, ["answer", DRILL, "--seed", "12", *answers]).exit_code in (0, 1)
    missing = runner.invoke(cli, ["answer", DRILL, *answers])
    assert missing.exit_code == 2
    assert "--seed" in missing.stderr


def test_each_practice_session_draws_its_own_numbers() -> None:
    deck = DeckLibrary.discover().deck("inception-1x1").deck
    with Store() as store:
        prompts = {
            next(
                q
                for q in PracticeSession(deck, store, seed=s).questions
                if q.id == "separable-savings-drill"
            ).prompt
            for s in range(8)
        }
    assert len(prompts) > 1
    assert all(not re.search(r"\{\{", p) for p in prompts)


MEASURED = textwrap.dedent(
    """\
    id: measured
    title: Measured
    questions:
      - id: lin
        kind: code
        prompt: Write Lin.
        answer: See the reference.
        entry_point: Lin
        starter: "class Lin: ..."
        reference: |
          from torch import nn


          class Lin(nn.Module):
              def __init__(self, n, m):
                  super().__init__()
                  self.layer = nn.Linear(n, m)

              def forward(self, x):
                  return self.layer(x)
      - id: count
        kind: numeric
        prompt: Weights of Lin({{N}}, {{M}}), with its bias?
        answer: N*M + M
        params:
          N: {int: [1, 9]}
          M: {int: [1, 9]}
        parts:
          - label: weights
            expr: N*M + M
            measure: {question: lin, count: parameters, args: {n: N, m: M}}
          - label: FLOPs for one input row
            expr: 2*N*M
            measure: {question: lin, count: flops, args: {n: N, m: M}, inputs: {x: [1, N]}}
    """
)


@pytest.mark.slow
def test_check_deck_measures_the_reference_module(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(MEASURED, encoding="utf-8")
    ok = CliRunner().invoke(cli, ["check-deck", str(good)])
    assert ok.exit_code == 0, ok.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text(MEASURED.replace("expr: N*M + M", "expr: N*M"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["check-deck", str(bad)])
    assert result.exit_code == 2
    assert "but the reference of 'lin' has" in result.stderr
    assert "(at questions[1].parts[0].measure)" in result.stderr
