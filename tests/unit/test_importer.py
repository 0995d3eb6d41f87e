"""The markdown importer: the seed becomes the deck, odd notes give warnings, never a crash."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from grader.deckcheck import check_deck
from questions import CodeQuestion, ConceptQuestion, DeckLibrary, load_deck_located, parse_deck
from questions.importer import ImportProblem, import_markdown
from quiz.cli import cli

SEED = Path(__file__).resolve().parents[2].parent / "shared" / "seeds" / "day13_inception_1x1.md"
SEED_TEXT = textwrap.dedent(
    """\
    # Day 13 Interview Questions: Inception & 1x1 Convs

    ## Q1: What is the primary purpose of a $1 \\times 1$ convolution?
    **Answer:**
    1.  **Dimensionality Reduction:** Reducing the number of channels (depth) to save computation before expensive operations.
    2.  **Adding Non-linearity:** Introducing ReLU without changing spatial dimensions.
    3.  **Cross-Channel Interaction:** Mixing information from different channels at the same spatial location.

    ## Q10: Implement a Depthwise Separable Conv in PyTorch.
    **Answer:**
    ```python
    class SeparableConv2d(nn.Module):
        def __init__(self, in_channels, out_channels, kernel_size=3):
            super().__init__()
            self.depthwise = nn.Conv2d(in_channels, in_channels, kernel_size,
                                       padding=1, groups=in_channels, bias=False)
            self.pointwise = nn.Conv2d(in_channels, out_channels, kernel_size=1, bias=False)

        def forward(self, x):
            return self.pointwise(self.depthwise(x))
    ```
    """
)


def seed_text() -> str:
    """The whole seed when it is beside the project, else its first and last questions."""
    return SEED.read_text(encoding="utf-8") if SEED.exists() else SEED_TEXT


def test_importing_the_seed_reproduces_the_shipped_questions_and_answers() -> None:
    result = import_markdown(seed_text(), "day13_inception_1x1.md")
    imported = parse_deck(result.to_yaml())
    shipped = DeckLibrary.discover().deck("inception-1x1").deck
    assert imported.title == "Inception & 1x1 Convs"
    for question in imported.questions:
        original = shipped.get(question.id)
        assert original is not None, question.id
        # The shipped deck keeps the seed's question as the first line of each prompt.
        first_line = question.prompt.splitlines()[0].rstrip(".:?")
        assert first_line == original.prompt.strip().splitlines()[0].rstrip(".:?")
        if isinstance(original, ConceptQuestion):
            assert question.answer.strip() == original.answer.strip()
    code = imported.get("q10")
    assert isinstance(code, CodeQuestion)
    assert code.entry_point == "SeparableConv2d"
    assert "padding=1" in code.reference  # the seed's own code, kept as written
    assert "raise NotImplementedError" in code.starter
    assert "review" in code.tags


def test_proposed_key_points_are_hit_by_their_answers() -> None:
    result = import_markdown(seed_text(), "seed.md")
    deck, where = load_deck_from_text(result.to_yaml())
    problems, _ = check_deck(deck, where)
    assert problems == []
    q1 = deck.get("q1")
    assert isinstance(q1, ConceptQuestion)
    assert [k.point for k in q1.key_points] == [
        "Dimensionality Reduction",
        "Adding Non-linearity",
        "Cross-Channel Interaction",
    ]
    assert q1.key_points[0].hit_by("it is a dimensionality reduction step")
    assert not q1.key_points[0].hit_by("it increases the spatial resolution")


def load_deck_from_text(text: str) -> tuple[object, object]:
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False, encoding="utf-8") as f:
        f.write(text)
    try:
        return load_deck_located(f.name)
    finally:
        Path(f.name).unlink()


ODD = textwrap.dedent(
    """\
    Some notes without a title.

    ## Q1: A question without an answer

    ## 2. A numbered heading
    **Answer:** The answer on the same line, with **a bold point**.

    ## A heading with no number at all
    **Answer:**
    - first list head: detail
    - second list head, more

    ## Q2: A repeated number
    **Answer:**
    ```python
    x = 1  # code, but no class or function
    ```
    """
)


def test_odd_notes_give_warnings_with_line_numbers() -> None:
    result = import_markdown(ODD, "my-notes.md")
    messages: dict[int, str] = {}
    for warning in result.warnings:
        messages[warning.line] = messages.get(warning.line, "") + warning.message + "\n"
    assert result.deck["title"] == "my notes"
    assert 1 in messages and "no '# Title'" in messages[1]
    assert "no **Answer:**" in messages[3]
    assert "not 'Qn: question'" in messages[5]
    assert "no 'Qn:' number" in messages[8]
    assert "repeats" in messages[13]
    ids = [q["id"] for q in result.deck["questions"]]
    assert ids == ["q1", "q2", "q3", "q2-4"]
    assert result.deck["questions"][1]["answer"].startswith("The answer on the same line")
    assert all(q["kind"] == "concept" for q in result.deck["questions"])
    parse_deck(result.to_yaml())  # still a valid deck


def test_notes_without_questions_are_a_clear_error() -> None:
    with pytest.raises(ImportProblem, match="no questions found"):
        import_markdown("# Just a title\n\nSome text.\n", "empty.md")


@given(st.text(max_size=400))
def test_arbitrary_text_never_crashes(text: str) -> None:
    try:
        result = import_markdown(text, "fuzz.md")
    except ImportProblem:
        return
    parse_deck(result.to_yaml())


markdownish = st.lists(
    st.sampled_from(
        [
            "# T",
            "## Q1: q?",
            "## 3) x",
            "## plain",
            "**Answer:**",
            "- **b:** c",
            "1. item one two",
            "```python",
            "class A:",
            "    pass",
            "```",
            "",
            "$x$",
            "text",
            "### Q2: deep",
            "**Answer:** inline",
        ]
    ),
    max_size=30,
).map("\n".join)


@given(markdownish)
def test_markdown_like_text_imports_to_a_valid_deck(text: str) -> None:
    try:
        result = import_markdown(text, "fuzz.md")
    except ImportProblem:
        return
    parse_deck(result.to_yaml())


def test_quiz_import_writes_a_deck_and_reports_warnings(tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text(ODD, encoding="utf-8")
    out = tmp_path / "deck.yaml"
    result = CliRunner().invoke(cli, ["import", str(notes), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    assert f"{notes}:3: warning:" in result.stderr
    assert out.exists()
    checked = CliRunner().invoke(cli, ["check-deck", "--no-code", str(out)])
    assert checked.exit_code == 0, checked.stderr
    again = CliRunner().invoke(cli, ["import", str(notes), "-o", str(out)])
    assert again.exit_code == 2
    assert "exists" in again.stderr
