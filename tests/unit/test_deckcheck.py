"""``grader.deckcheck.check_decks``: several deck files checked together, without the CLI."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from packaged_decks import share_packaged_decks

from grader.deckcheck import check_decks

DECK = textwrap.dedent(
    """\
    id: {id}
    title: A tiny deck
    questions:
      - id: n1
        kind: numeric
        prompt: How many weights in a 3x3 conv from 2 to 4 channels?
        answer: 3 * 3 * 2 * 4 = 72
        parts:
          - {{label: weights, answer: 72, working: {working}}}
    """
)


@pytest.fixture(autouse=True)
def _packaged_decks_parsed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Checking decks discovers them: the packaged ones are parsed once, not per test."""
    share_packaged_decks(monkeypatch)


def write(path: Path, deck_id: str, working: str = "3*3*2*4") -> Path:
    path.write_text(DECK.format(id=deck_id, working=working), encoding="utf-8")
    return path


def test_a_deck_id_used_twice_is_a_problem_of_the_later_file(tmp_path: Path) -> None:
    first = write(tmp_path / "a.yaml", "tiny")
    second = write(tmp_path / "b.yaml", "tiny")
    other = write(tmp_path / "c.yaml", "other")
    run = check_decks([first, second, other], grade_code=False)
    assert run.graded == 0
    assert [len(p) for p in run.problems] == [0, 1, 0]
    [problem] = run.problems[1]
    assert "duplicate deck id 'tiny', also in" in problem.message
    assert str(first) in problem.message
    assert problem.line == 1
    assert run.failed == 1


def test_a_working_that_does_not_compute_its_answer_fails_its_file(tmp_path: Path) -> None:
    good = write(tmp_path / "good.yaml", "good")
    bad = write(tmp_path / "bad.yaml", "bad", working="3*3*2*5")
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: [unclosed\n", encoding="utf-8")
    run = check_decks([good, bad, broken], grade_code=False)
    assert run.failed == 2
    assert not run.problems[0]
    assert any("working" in p.message for p in run.problems[1])
    assert run.results[2].deck is None and run.problems[2]


CODE_DECK = textwrap.dedent(
    """\
    id: coded
    title: A code deck
    questions:
      - id: scale
        kind: code
        prompt: Write scale(x, factor=2.0, *, shift=0.0).
        answer: See the reference.
        entry_point: scale
        starter: |
          def scale(x, factor=2.0, *, shift=0.0):
              ...
        reference: |
          def scale(x, factor=2.0, *, shift=0.0):
              return x * factor + shift
        checks:
          kind: function
          init:
            factor: {{one_of: [1.0, 2.0]}}
          inputs:
            x: {{shape: [3]}}
          compare: [output_shape, outputs]
    """
)


def test_an_argument_with_a_default_that_is_never_drawn_gets_a_note(tmp_path: Path) -> None:
    path = tmp_path / "coded.yaml"
    path.write_text(CODE_DECK.format(), encoding="utf-8")
    run = check_decks([path], grade_code=False)
    assert run.failed == 0
    [note] = run.results[0].notes
    assert "argument 'shift' has a default but is never drawn" in note
    assert "'factor'" not in note


def test_a_retired_question_must_name_a_question_that_is_asked(tmp_path: Path) -> None:
    deck = tmp_path / "gamma.yaml"
    deck.write_text(
        "id: gamma\ntitle: G\nquestions:\n"
        "  - {id: g1, kind: concept, prompt: A?, answer: A.}\n"
        "retired:\n"
        "  - {id: old, kind: concept, prompt: B?, answer: B., replaced_by: gamma/g1}\n"
        "  - {id: lost, kind: concept, prompt: C?, answer: C., replaced_by: gamma/nowhere}\n",
        encoding="utf-8",
    )
    run = check_decks([deck], grade_code=False)
    messages = [p.message for found in run.problems for p in found]
    assert messages == ["'gamma/nowhere' is not a question asked in any deck"]
