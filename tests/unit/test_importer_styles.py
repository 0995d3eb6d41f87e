"""The importer on note styles that once imported silently wrong: headings numbered "Q1 Title",
numbered list items answered in ``<details>`` blocks, and bold labels ("**Cons:**") at the start
of an answer's lines."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from packaged_decks import share_packaged_decks

from questions import ConceptQuestion, Deck, parse_deck
from questions.importer import ImportResult, import_markdown
from quiz.cli import cli


@pytest.fixture(autouse=True)
def _packaged_decks_parsed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """`quiz import` and `check-deck` discover the decks: the packaged ones are parsed once."""
    share_packaged_decks(monkeypatch)


def load(result: ImportResult) -> Deck:
    return parse_deck(result.to_yaml())


def import_with_cli(tmp_path: Path, notes: str) -> tuple[str, Deck]:
    """What `quiz import` reports on stderr for ``notes``, and the deck it wrote, which
    `quiz check-deck` must pass."""
    source = tmp_path / "notes.md"
    source.write_text(notes, encoding="utf-8")
    out = tmp_path / "deck.yaml"
    imported = CliRunner().invoke(cli, ["import", str(source), "-o", str(out)])
    assert imported.exit_code == 0, imported.stderr
    checked = CliRunner().invoke(cli, ["check-deck", "--no-code", str(out)])
    assert checked.exit_code == 0, checked.stderr
    return imported.stderr, parse_deck(out.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- numbered headings

TRANSFORMER_NOTES = textwrap.dedent(
    """\
    # Transformer interview prep

    ### Q1 Self-attention complexity
    Every token attends to every other token, so time and memory grow quadratically
    with the sequence length: O(n^2 d) for n tokens of width d.

    ### Q2 - KV cache
    During decoding the keys and values of earlier tokens are cached, so each new token
    only computes its own projections instead of recomputing the whole prefix.
    """
)


def test_a_heading_numbered_q1_with_a_plain_title_is_a_question(tmp_path: Path) -> None:
    stderr, deck = import_with_cli(tmp_path, TRANSFORMER_NOTES)
    assert "2 looked like questions, 2 imported" in stderr
    assert [(q.id, q.prompt) for q in deck.questions] == [
        ("q1", "Self-attention complexity"),
        ("q2", "KV cache"),
    ]
    assert deck.questions[0].answer.startswith("Every token attends")
    assert "KV" not in deck.questions[0].answer


@pytest.mark.parametrize(
    ("heading", "number", "title"),
    [
        ("Q1 Self-attention complexity", "1", "Self-attention complexity"),
        ("Q1. Self-attention complexity", "1", "Self-attention complexity"),
        ("Q1: Self-attention complexity", "1", "Self-attention complexity"),
        ("Q1 - Self-attention complexity", "1", "Self-attention complexity"),
        ("Q1) Self-attention complexity", "1", "Self-attention complexity"),
        ("**Q1** Self-attention complexity", "1", "Self-attention complexity"),
        ("Question 4 Self-attention complexity", "4", "Self-attention complexity"),
        ("Question 4: Self-attention complexity", "4", "Self-attention complexity"),
        ("7. Self-attention complexity", "7", "Self-attention complexity"),
        ("7) Self-attention complexity", "7", "Self-attention complexity"),
    ],
)
def test_every_common_form_of_question_number_on_a_heading_makes_a_question(
    heading: str, number: str, title: str
) -> None:
    notes = textwrap.dedent(
        f"""\
        # Attention

        ## {heading}
        Every token attends to every other token, so the cost grows quadratically with
        the sequence length.
        """
    )
    result = import_markdown(notes, "notes.md")
    assert (result.found, result.imported) == (1, 1)
    question = load(result).questions[0]
    assert (question.id, question.prompt) == (f"q{number}", title)


def test_a_numbered_heading_right_above_its_questions_stays_a_section() -> None:
    notes = textwrap.dedent(
        """\
        # Deep learning notes

        ## 1. Attention

        ### What is self-attention?
        Each token builds its output as a weighted mix of all tokens' values.

        ### Why scale the dot products?
        Large dot products saturate the softmax, so they are divided by the square root of d.
        """
    )
    result = import_markdown(notes, "notes.md")
    deck = load(result)
    assert [q.prompt for q in deck.questions] == [
        "What is self-attention?",
        "Why scale the dot products?",
    ]
    assert all(any(tag.endswith("attention") for tag in q.tags) for q in deck.questions)
    assert result.warnings == ()


def test_a_heading_skipped_beside_question_headings_is_reported(tmp_path: Path) -> None:
    notes = textwrap.dedent(
        """\
        # Regularisation

        ## Q1: What does weight decay do?
        It adds a penalty on the squared weights, pulling them towards zero.

        ## Self-attention complexity
        Quadratic in the sequence length, because every token attends to every other.

        ## Q2: Why does early stopping regularise?
        It limits how far the weights move from their initialisation.
        """
    )
    source = tmp_path / "notes.md"
    source.write_text(notes, encoding="utf-8")
    result = CliRunner().invoke(cli, ["import", str(source), "-o", str(tmp_path / "d.yaml")])
    assert result.exit_code == 0, result.stderr
    assert "2 looked like questions, 2 imported" in result.stderr
    assert f"{source}:6: warning: the heading 'Self-attention complexity' was read as a " in (
        result.stderr
    )


# --------------------------------------------------------------------------- list + details

DETAILS_ANSWERS = {
    "What does dropout do at test time?": (
        "It is turned off; activations are scaled during training (inverted dropout) so "
        "nothing changes."
    ),
    "Why use layer norm in transformers?": (
        "Batch statistics are noisy for variable-length sequences and small batches, so "
        "layer norm normalises each token over its own features instead."
    ),
    "Explain label smoothing.": (
        "The one-hot target is mixed with a uniform distribution, which keeps the model from "
        "becoming over-confident."
    ),
}


def details_notes(*, section: bool, indent: str, blank: bool) -> str:
    lines = ["# ML interview questions", ""]
    if section:
        lines += ["## Questions", ""]
    for number, (question, answer) in enumerate(DETAILS_ANSWERS.items(), 1):
        lines += [f"{number}. {question}", f"{indent}<details><summary>Answer</summary>"]
        lines += ["", f"{indent}{answer}", f"{indent}</details>"]
        if blank:
            lines.append("")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("section", [True, False], ids=["under-questions", "under-title"])
@pytest.mark.parametrize("indent", ["   ", ""], ids=["indented", "flush"])
@pytest.mark.parametrize("blank", [False, True], ids=["packed", "spaced"])
def test_each_numbered_item_with_a_details_answer_is_its_own_question(
    tmp_path: Path, section: bool, indent: str, blank: bool
) -> None:
    notes = details_notes(section=section, indent=indent, blank=blank)
    stderr, deck = import_with_cli(tmp_path, notes)
    assert "3 looked like questions, 3 imported" in stderr
    assert [(q.id, q.prompt) for q in deck.questions] == [
        (f"q{n}", question) for n, question in enumerate(DETAILS_ANSWERS, 1)
    ]
    for question in deck.questions:
        assert " ".join(question.answer.split()) == DETAILS_ANSWERS[question.prompt]
    assert ": warning:" not in stderr


def test_details_on_one_line_under_a_numbered_item_is_its_answer() -> None:
    notes = textwrap.dedent(
        """\
        # ML interview questions
        ## Questions
        1. What does dropout do at test time?
           <details><summary>Answer</summary> It is turned off; inverted dropout scales activations during training. </details>
        2. Why use layer norm in transformers?
           <details><summary>Answer</summary> Batch statistics are noisy for small batches and variable lengths. </details>
        """  # noqa: E501 - one-line details blocks are the style under test
    )
    deck = load(import_markdown(notes, "notes.md"))
    assert [q.prompt for q in deck.questions] == [
        "What does dropout do at test time?",
        "Why use layer norm in transformers?",
    ]
    assert deck.questions[0].answer.strip().startswith("It is turned off")
    assert "layer" not in deck.questions[0].answer
    assert deck.questions[1].answer.strip().startswith("Batch statistics")


# --------------------------------------------------------------------------- labels


POSITIONAL_NOTES = textwrap.dedent(
    """\
    # Positional encodings

    ## Q1: Learned or sinusoidal positional encodings?
    **Pros:** learned ones adapt to the data and cost nothing extra at inference.
    **Cons:** learned ones are capped at the training length.
    **Note:** RoPE rotates queries and keys so attention depends on relative offsets.

    ## Q2: Why does attention need positions at all?
    Answer: attention is permutation invariant, so without positions word order is lost.
    __Follow-up:__ relative schemes such as ALiBi extrapolate to longer inputs.
    """
)


def test_a_bold_label_at_the_start_of_a_line_never_leaks_into_a_key_point(
    tmp_path: Path,
) -> None:
    stderr, deck = import_with_cli(tmp_path, POSITIONAL_NOTES)
    assert "2 looked like questions, 2 imported" in stderr
    points = {
        q.id: [k.point for k in q.key_points]
        for q in deck.questions
        if isinstance(q, ConceptQuestion)
    }
    every_point = [point for found in points.values() for point in found]
    for point in every_point:
        assert not point.lower().startswith(("pros", "cons", "note", "answer", "follow")), point
    assert "learned ones are capped at the training length" in points["q1"]
    assert any(point.startswith("RoPE rotates") for point in points["q1"])
    for question in deck.questions:
        assert isinstance(question, ConceptQuestion)
        for key_point in question.key_points:
            assert key_point.hit_by(question.answer), (question.id, key_point.point)


def test_a_resources_section_after_the_questions_is_not_reported() -> None:
    notes = textwrap.dedent(
        """\
        # Regularisation

        ## Q1: What does weight decay do?
        It adds a penalty on the squared weights, pulling them towards zero.

        ## Resources
        - [Deep Learning book, chapter 7](https://www.deeplearningbook.org/)
        """
    )
    result = import_markdown(notes, "notes.md")
    assert (result.found, result.imported) == (1, 1)
    assert result.warnings == ()
