"""Similarity: winnowed fingerprints of normalised tokens, as MOSS computes them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from packaged_decks import share_packaged_decks

from questions import DeckLibrary
from quiz.course import find_similar, load_assignment
from quiz.course._similarity import normalised_tokens, winnow

FIXTURES = Path(__file__).parent / "fixtures" / "class"
ALICE = (FIXTURES / "submissions" / "alice" / "sepconv.py").read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def _packaged_decks_parsed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Discovery and `quiz` commands parse the packaged decks once, not per test."""
    share_packaged_decks(monkeypatch)


@pytest.fixture(scope="module")
def assignment_path() -> Path:
    return FIXTURES / "hw3.yaml"


def fingerprints(text: str) -> set[int]:
    return set(winnow(normalised_tokens(text)))


def test_renaming_reformatting_and_comments_leave_the_fingerprints_unchanged() -> None:
    renamed = (
        ALICE.replace("spatial", "w_depth")
        .replace("mixing", "w_point")
        .replace("groups=self.groups", "groups=self.n_groups")
        .replace("self.groups =", "self.n_groups =")
        .replace("        x = F.conv2d", "        # the depthwise step\n        x = F.conv2d")
        .replace(
            "torch.empty(in_channels, 1,", "torch.empty(\n            in_channels,\n            1,"
        )
        .replace("x)", "inputs)")
        .replace("x = ", "inputs = ")
        .replace("(x,", "(inputs,")
    )
    assert renamed != ALICE
    assert fingerprints(renamed) == fingerprints(ALICE)


def test_different_implementations_share_few_fingerprints_beyond_the_starter() -> None:
    library = DeckLibrary.discover()
    _, question = library.question("inception-1x1/q10")
    starter = fingerprints(question.starter or "")  # type: ignore[union-attr]
    frank = (FIXTURES / "submissions" / "frank" / "separable.py").read_text(encoding="utf-8")
    ours, theirs = fingerprints(ALICE) - starter, fingerprints(frank) - starter
    assert len(ours & theirs) <= 0.2 * min(len(ours), len(theirs))


@pytest.mark.slow  # starts two interpreters
def test_fingerprints_are_the_same_in_every_process() -> None:
    code = (
        "import sys; from quiz.course._similarity import normalised_tokens, winnow; "
        "print(sorted(winnow(normalised_tokens(sys.stdin.read()))))"
    )
    runs = {
        subprocess.run(
            [sys.executable, "-c", code],
            input=ALICE,
            capture_output=True,
            text=True,
            env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"},
            check=True,
            cwd=Path(__file__).resolve().parents[2],
        ).stdout
        for seed in ("1", "2")
    }
    assert len(runs) == 1


def test_the_renamed_and_reordered_copy_is_flagged_and_nothing_else(
    assignment_path: Path,
) -> None:
    assignment = load_assignment(assignment_path, DeckLibrary.discover())
    pairs = find_similar(assignment, FIXTURES / "submissions", threshold=0.5)
    assert {(p.question, p.a, p.b) for p in pairs} == {
        ("inception-1x1/q10", "alice", "carol"),
        ("attention/causal-attention", "alice", "carol"),
    }
    for pair in pairs:
        assert pair.similarity >= 0.8
        assert pair.regions
        record = pair.to_dict()
        assert set(record) >= {"a", "b", "question", "similarity"}
        assert 0 <= record["similarity"] <= 1
    q10 = next(p for p in pairs if p.question == "inception-1x1/q10")
    # alice's __init__ (lines 11-18) matches carol's, which carol moved below forward.
    assert any(r.a_first <= 14 <= r.a_last and r.b_first >= 22 for r in q10.regions)


def test_handing_in_the_starter_code_is_not_a_copy(tmp_path: Path, assignment_path: Path) -> None:
    library = DeckLibrary.discover()
    assignment = load_assignment(assignment_path, library)
    starter = assignment.questions[0].question.starter
    for name in ("ann", "ben"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "hw.py").write_text(starter, encoding="utf-8")
    assert find_similar(assignment, tmp_path, threshold=0.01) == []


def test_code_most_of_the_class_shares_does_not_count(
    tmp_path: Path, assignment_path: Path
) -> None:
    assignment = load_assignment(assignment_path, DeckLibrary.discover())
    for index in range(5):
        (tmp_path / f"s{index}").mkdir()
        (tmp_path / f"s{index}" / "hw.py").write_text(ALICE, encoding="utf-8")
    assert len(find_similar(assignment, tmp_path, threshold=0.5, common=10)) == 10
    assert find_similar(assignment, tmp_path, threshold=0.5, common=3) == []


def test_the_cli_lists_pairs_as_json_lines_and_exits_1_when_some_are_found(
    assignment_path: Path,
) -> None:
    import json

    from click.testing import CliRunner

    from quiz.cli import cli

    result = CliRunner().invoke(
        cli,
        [
            "similarity",
            "--assignment",
            str(assignment_path),
            str(FIXTURES / "submissions"),
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 1, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert {(r["a"], r["b"]) for r in records} == {("alice", "carol")}
    assert {r["question"] for r in records} == {"inception-1x1/q10", "attention/causal-attention"}
    text = CliRunner().invoke(
        cli, ["similarity", "--assignment", str(assignment_path), str(FIXTURES / "submissions")]
    )
    assert "alice ~ carol" in text.stdout
    assert "alice/sepconv.py lines" in text.stdout
    assert "2 pairs at or above similarity 0.5" in text.stdout
