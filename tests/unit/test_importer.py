"""The markdown importer: questions found by how they look in ten styles of notes, key points
that carry content, checklists and PyTorch code, merges that keep hand edits, and clean
errors from `quiz import`."""

from __future__ import annotations

import ast
import re
import textwrap
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from packaged_decks import share_packaged_decks

from grader.deckcheck import check_deck, check_deck_file
from questions import (
    ChoiceQuestion,
    CodeQuestion,
    ConceptQuestion,
    Deck,
    DeckLibrary,
    SourceMap,
    load_deck_located,
    parse_deck,
)
from questions.importer import ImportProblem, ImportResult, import_markdown, merge_into
from quiz.cli import cli

FIXTURES = Path(__file__).parent / "fixtures" / "notes"
SEED = Path(__file__).resolve().parents[2].parent / "shared" / "seeds" / "day13_inception_1x1.md"
SEED_TEXT = textwrap.dedent(
    """\
    # Day 13 Interview Questions: Inception & 1x1 Convs

    ## Q1: What is the primary purpose of a $1 \\times 1$ convolution?
    **Answer:**
    1.  **Dimensionality Reduction:** Reducing the number of channels (depth) to save computation before expensive operations.
    2.  **Adding Non-linearity:** Introducing ReLU without changing spatial dimensions.
    3.  **Cross-Channel Interaction:** Mixing information from different channels at the same spatial location.

    ## Q3: Why did GoogLeNet use Auxiliary Classifiers?
    **Answer:**
    To combat the **vanishing gradient problem** in deep networks (22 layers was very deep in 2014).
    *   They attached small classification heads to intermediate layers.
    *   During training, the loss from these heads was added to the total loss (weighted by 0.3).
    *   This injected useful gradients directly into the middle of the network.
    *   *Note: Inception v3/v4 showed they act more as regularizers.*

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
LABELS = {"problem", "pros", "cons", "level", "tags", "note", "answer", "remedies", "difficulty"}


@pytest.fixture(autouse=True)
def _packaged_decks_parsed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Discovery and `quiz import` parse the packaged decks once, not per test."""
    share_packaged_decks(monkeypatch)


def seed_text() -> str:
    """The whole seed when it is beside the project, else three of its questions."""
    return SEED.read_text(encoding="utf-8") if SEED.exists() else SEED_TEXT


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def load(result: ImportResult) -> Deck:
    return parse_deck(result.to_yaml())


def questions_of(result: ImportResult) -> dict[str, object]:
    return {q.id: q for q in load(result).questions}


def assert_good_key_points(deck: Deck) -> None:
    """No label, no fragment, no leaked markup; every point hit by its own answer."""
    for question in deck.questions:
        if not isinstance(question, ConceptQuestion):
            continue
        assert len(question.key_points) <= 5, question.id
        for key_point in question.key_points:
            text = key_point.point
            assert text.strip(" :").lower() not in LABELS, (question.id, text)
            assert re.search(r"[A-Za-z]{3,}", re.sub(r"\$[^$]*\$", "", text)), text
            assert "**" not in text and "__" not in text, text
            assert key_point.hit_by(question.answer), (question.id, text)


# --------------------------------------------------------------------------- the seed


def test_importing_the_seed_reproduces_the_shipped_questions_and_answers() -> None:
    result = import_markdown(seed_text(), "day13_inception_1x1.md")
    imported = load(result)
    shipped = DeckLibrary.discover().deck("inception-1x1").deck
    assert imported.title == "Inception & 1x1 Convs"
    assert result.found == result.imported == len(imported.questions)
    for question in imported.questions:
        original = shipped.get(question.id)
        assert original is not None, question.id
        # The shipped deck keeps the seed's question as the first line of each prompt.
        first_line = question.prompt.splitlines()[0].rstrip(".:?")
        assert first_line == original.prompt.strip().splitlines()[0].rstrip(".:?")
        if isinstance(original, ConceptQuestion):
            # The shipped answers are the seed's, with factual corrections added: nearly every
            # word of the seed's answer is still there.
            seed_words = re.findall(r"[a-z0-9]+", question.answer.lower())
            kept = set(re.findall(r"[a-z0-9]+", original.answer.lower()))
            assert sum(word in kept for word in seed_words) >= 0.9 * len(seed_words), question.id
    code = imported.get("q10")
    assert isinstance(code, CodeQuestion)
    assert code.entry_point == "SeparableConv2d"
    assert code.signature == "SeparableConv2d(in_channels, out_channels, kernel_size=3)"
    assert "padding=1" in code.reference  # the seed's own code, kept as written
    assert code.reference.startswith("from torch import nn\n")  # the import it needs
    assert "raise NotImplementedError" in code.starter
    assert "review" in code.tags


def test_the_seeds_key_points_name_each_idea_and_are_hit_by_their_answers() -> None:
    result = import_markdown(seed_text(), "seed.md")
    deck, where = load_deck_located_text(result.to_yaml())
    problems, _ = check_deck(deck, where)
    assert problems == []
    assert_good_key_points(deck)
    q1 = deck.get("q1")
    assert isinstance(q1, ConceptQuestion)
    assert [k.point.split(" — ")[0] for k in q1.key_points] == [
        "Dimensionality Reduction",
        "Adding Non-linearity",
        "Cross-Channel Interaction",
    ]
    assert q1.key_points[0].hit_by("it is a dimensionality reduction step")
    assert q1.key_points[0].hit_by("it reduces dimensionality")
    assert not q1.key_points[0].hit_by("it increases the spatial resolution")


def test_key_points_are_spread_over_the_answer_not_taken_from_its_start() -> None:
    q3 = questions_of(import_markdown(seed_text(), "seed.md"))["q3"]
    assert isinstance(q3, ConceptQuestion)
    points = " ".join(k.point for k in q3.key_points)
    # The first sentence and the last bullet (a note) both give a point.
    assert "vanishing gradient" in points
    assert "regularizers" in points


def load_deck_located_text(text: str) -> tuple[Deck, SourceMap]:
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False, encoding="utf-8") as f:
        f.write(text)
    try:
        return load_deck_located(f.name)
    finally:
        Path(f.name).unlink()


# --------------------------------------------------------------------------- ten styles


NOTE_FILES = sorted(p.name for p in FIXTURES.glob("*.md"))


def test_there_are_ten_styles_of_notes() -> None:
    assert len(NOTE_FILES) == 10


@pytest.mark.parametrize("name", NOTE_FILES)
def test_every_style_of_notes_imports_to_a_deck_that_passes_its_own_checks(
    name: str, tmp_path: Path
) -> None:
    result = import_markdown(fixture(name), name)
    assert result.imported >= 2
    out = tmp_path / "deck.yaml"
    out.write_text(result.to_yaml(), encoding="utf-8")
    checked = check_deck_file(out)
    assert checked.problems == ()
    assert checked.deck is not None
    assert_good_key_points(checked.deck)
    for question in checked.deck.questions:
        assert "imported" in question.tags and "review" in question.tags
        assert "<details" not in question.answer and "</summary>" not in question.answer
        assert not re.match(r"^\s*(?:\*\*)?(?:Q|A|Answer)\s*\d*\s*:", question.prompt)
        assert not re.match(r"^\s*(?:\*\*)?(?:A|Answer)\s*:", question.answer)


def test_h3_questions_under_h2_sections_are_each_a_question() -> None:
    result = import_markdown(fixture("sections_h3_questions.md"), "notes.md")
    questions = questions_of(result)
    assert list(questions) == ["q1", "q2", "q3"]
    assert result.found == 3
    q1, q3 = questions["q1"], questions["q3"]
    assert isinstance(q1, ConceptQuestion) and isinstance(q3, ConceptQuestion)
    assert q1.prompt == "Why does batch normalisation speed up training?"
    assert "normalisation" in q1.tags and "regularisation" in q3.tags
    assert "#### Cons" in q1.answer  # the answer's own sub-headings stay in it
    points = " ".join(k.point for k in q1.key_points)
    assert "regulariser" in points and "noisy statistics" in points  # from Pros and Cons


def test_bold_q_and_a_pairs_are_questions_and_answers() -> None:
    result = import_markdown(fixture("bold_qa_pairs.md"), "notes.md")
    deck = load(result)
    assert deck.title == "Optimisers Q&A"
    assert [q.prompt for q in deck.questions] == [
        "What problem does momentum solve?",
        "Why does Adam need bias correction?",
        "When would you prefer SGD over Adam?",
    ]
    assert deck.questions[0].answer.startswith("Plain gradient descent oscillates")
    assert deck.questions[1].answer.startswith("The moment estimates start at zero")
    assert deck.questions[2].id == "q3"


def test_details_blocks_give_answers_hints_and_questions() -> None:
    deck = load(import_markdown(fixture("details_answers.md"), "notes.md"))
    scaling, heads, mask = deck.questions
    assert scaling.prompt == "What is the purpose of the scaling factor in attention?"
    assert scaling.answer.startswith("Dot products grow with the key dimension")
    assert heads.hints == ["Think about what one softmax can attend to."]
    assert heads.answer.startswith("- Each head attends")
    assert mask.prompt == "What does a causal mask prevent?"
    assert mask.answer.startswith("It stops a position")
    assert "quick-checks" in mask.tags


def test_headings_ending_in_a_question_mark_are_questions_and_other_sections_are_not() -> None:
    result = import_markdown(fixture("question_mark_headings.md"), "notes.md")
    deck = load(result)
    assert result.found == 3
    assert [q.id for q in deck.questions] == [
        "what-is-a-receptive-field",
        "how-does-max-pooling-add-translation",
        "why-are-convolutions-cheaper-than-dense",
    ]
    assert all("CS231n" not in q.answer for q in deck.questions)  # "## Resources" is no question


def test_numbered_headings_without_q_take_their_number() -> None:
    deck = load(import_markdown(fixture("numbered_headings.md"), "notes.md"))
    assert [(q.id, q.prompt) for q in deck.questions] == [
        ("q1", "Explain why cross-entropy suits classification."),
        ("q2", "How does label smoothing change the targets?"),
        ("q3", "Focal loss"),  # a plain heading, but an **Answer:** follows it
    ]


def test_checklists_become_choice_questions_with_the_ticked_options_correct() -> None:
    result = import_markdown(fixture("checklists.md"), "notes.md")
    questions = questions_of(result)
    q1, q2, q3 = questions["q1"], questions["q2"], questions["q3"]
    assert isinstance(q1, ChoiceQuestion) and isinstance(q2, ChoiceQuestion)
    assert q1.multiple
    assert [o.text for o in q1.options if o.correct] == ["Dropout", "Weight decay"]
    assert [o.text for o in q1.options if not o.correct] == [
        "ReLU activation",
        "Larger learning rate",
    ]
    assert q1.answer.startswith("Both dropout and weight decay")
    assert "[x]" not in q1.prompt and "[x]" not in q1.answer
    assert not q2.multiple and q2.correct_indices == {1}
    assert q2.answer == "The correct option is Adam."
    # Nothing ticked: a concept question, and its options are no key points.
    assert isinstance(q3, ConceptQuestion)
    assert all("leakage" not in k.point for k in q3.key_points)
    assert any("no option ticked" in w.message for w in result.warnings)


def test_pytorch_code_becomes_a_code_question_whose_reference_runs_nothing_on_load() -> None:
    result = import_markdown(fixture("pytorch_code.md"), "notes.md")
    questions = questions_of(result)
    block, loss = questions["q1"], questions["q2"]
    assert isinstance(block, CodeQuestion) and isinstance(loss, CodeQuestion)
    # The module the answer builds up to, not the first function it defines.
    assert block.entry_point == "EncoderBlock"
    assert block.signature == "EncoderBlock(dim, hidden)"
    assert "# Usage" not in block.reference and "print(" not in block.reference
    assert "block = EncoderBlock" not in block.reference
    assert block.reference.startswith("import math\nimport torch\nfrom torch import nn\n")
    compile(block.reference, "<reference>", "exec")
    assert "class EncoderBlock(nn.Module):" in block.starter
    assert "class FeedForward" not in block.starter
    # The function the answer defines, not `main`; the __main__ block is gone.
    assert loss.entry_point == "smooth_l1"
    assert "__main__" not in loss.reference
    assert "beta: float = 1.0" in loss.starter  # the signature as written
    removed = [w for w in result.warnings if w.message.startswith("removed ")]
    assert [w.line for w in removed] == [36, 56]
    assert "would run whenever the reference loads" in removed[0].message


def test_a_code_questions_answer_shows_its_reference_once_and_nothing_else() -> None:
    q1 = questions_of(import_markdown(fixture("pytorch_code.md"), "notes.md"))["q1"]
    assert isinstance(q1, CodeQuestion)
    assert q1.answer.count("```") == 2
    assert q1.answer.count("class EncoderBlock") == 1
    assert q1.reference.strip() in q1.answer


def test_code_that_is_not_pytorch_stays_in_a_concept_answer() -> None:
    result = import_markdown(fixture("fastapi_code.md"), "notes.md")
    questions = questions_of(result)
    serve = questions["q1"]
    assert isinstance(serve, ConceptQuestion)
    assert "@app.post" in serve.answer
    warning = next(w for w in result.warnings if "not PyTorch" in w.message)
    assert warning.line == 9 and "fastapi" in warning.message


def test_labels_metadata_and_fragments_never_become_key_points() -> None:
    result = import_markdown(fixture("labels_and_metadata.md"), "notes.md")
    questions = questions_of(result)
    q1, q2 = questions["q1"], questions["q2"]
    assert isinstance(q1, ConceptQuestion) and isinstance(q2, ConceptQuestion)
    assert "Level:" not in q1.answer and "Tags:" not in q1.answer
    assert "Difficulty:" not in q2.answer
    assert {"optimisation", "rnn", "medium"} <= set(q1.tags) and "hard" in q2.tags
    points = [k.point for k in q1.key_points]
    assert not any(p.startswith(("Problem", "Pros", "Remedies", "(none)")) for p in points)
    assert any(p.startswith("Backpropagation multiplies") for p in points)
    for remedy in ("Residual connections", "Careful initialisation", "Gated units"):
        assert any(p.startswith(remedy) for p in points), remedy


def test_key_points_leave_out_words_that_only_repeat_the_question() -> None:
    notes = (
        "# T\n\n## Q1: Why use batch normalisation?\n**Answer:**\n"
        "- Batch normalisation is used for normalisation of batches.\n"
        "- It smooths the loss landscape so larger learning rates converge.\n"
    )
    q1 = questions_of(import_markdown(notes, "n.md"))["q1"]
    assert isinstance(q1, ConceptQuestion)
    assert [k.point for k in q1.key_points] == [
        "It smooths the loss landscape so larger learning rates converge"
    ]


def test_bold_question_lines_and_list_item_questions_under_topics() -> None:
    deck = load(import_markdown(fixture("bold_question_lines.md"), "notes.md"))
    assert [q.prompt for q in deck.questions] == [
        "What is the difference between precision and recall?",
        "When is accuracy misleading?",
        "What does the ROC AUC measure?",
        "Why prefer PR AUC for rare positives?",
    ]
    assert deck.questions[1].answer.startswith("With heavily imbalanced classes")
    assert deck.questions[2].answer.startswith("- The probability that a random positive")
    assert "classification" in deck.questions[0].tags and "ranking" in deck.questions[3].tags


# --------------------------------------------------------------------------- odd notes


ODD = textwrap.dedent(
    """\
    Some notes without a title.

    ## Q1: A question without an answer

    ## 2. A numbered heading
    **Answer:** The answer on the same line, with **a bold point** and more words.

    ## A heading with no number at all
    **Answer:**
    - first list head: detail about something
    - second list head, more detail

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
    assert "no '# Title'" in messages[1]
    assert "skipped 'A question without an answer': no answer below it" in messages[3]
    assert "taken" in messages[13]
    assert (result.found, result.imported) == (4, 3)
    ids = [q["id"] for q in result.deck["questions"]]
    assert ids == ["q2", "a-heading-with-no-number-at-all", "q2-2"]
    assert result.deck["questions"][0]["answer"].startswith("The answer on the same line")
    assert all(q["kind"] == "concept" for q in result.deck["questions"])
    load(result)  # still a valid deck


def test_notes_without_questions_are_a_clear_error() -> None:
    with pytest.raises(ImportProblem, match="nothing looks like a question"):
        import_markdown("# Just a title\n\n## A section\n\nSome text.\n", "empty.md")


def test_notes_whose_questions_have_no_answers_are_a_clear_error() -> None:
    with pytest.raises(ImportProblem, match="2 looked like questions, but none has an answer"):
        import_markdown("# T\n\n## Q1: What?\n\n## Q2: Why?\n", "bare.md")


def test_reference_code_that_would_do_work_on_load_is_reported() -> None:
    notes = textwrap.dedent(
        """\
        # T

        ## Q1: Implement a scaled linear layer.

        ```python
        class Scaled(nn.Module):
            scale = torch.ones(1)

            def __init__(self, n, init=torch.zeros(3)):
                super().__init__()
                self.linear = nn.Linear(n, n)

            def forward(self, x):
                return helper(self.linear(x)) * self.scale
        ```
        """
    )
    result = import_markdown(notes, "n.md")
    messages = [str(w) for w in result.warnings]
    assert "line 7: `torch.ones(1)` runs whenever the reference loads" in messages
    assert "line 9: `torch.zeros(3)` runs whenever the reference loads" in messages
    assert any("`helper`, which it neither defines nor imports" in m for m in messages)
    code = questions_of(result)["q1"]
    assert isinstance(code, CodeQuestion)
    assert code.reference.startswith("import torch\nfrom torch import nn\n")


def test_python_that_does_not_compile_is_no_reference() -> None:
    notes = "# T\n\n## Q1: Write a module.\n\n```python\nclass A(nn.Module):\n    return 1\n```\n"
    result = import_markdown(notes, "n.md")
    assert result.deck["questions"][0]["kind"] == "concept"
    assert any("does not compile" in w.message and w.line == 7 for w in result.warnings)


# --------------------------------------------------------------------------- merging


def test_a_re_import_keeps_hand_edits_adds_new_questions_and_names_removed_ones() -> None:
    first = import_markdown(fixture("sections_h3_questions.md"), "notes.md")
    edited = first.to_yaml().replace(
        "prompt: Why does batch normalisation speed up training?",
        "prompt: Why does BN speed up training?  # my wording",
    )
    edited = "# my deck\n" + edited
    notes = fixture("sections_h3_questions.md")
    notes = (
        notes.replace("### Q3:", "### Q4:")
        + "\n### Q5: Why clip gradients?\nTo stop one bad batch from wrecking the weights.\n"
    )
    merge = merge_into(edited, import_markdown(notes, "notes.md"), where="deck.yaml")
    assert merge.kept == ("q1", "q2")
    assert merge.added == ("q4", "q5")
    assert merge.gone == ("q3",)
    assert not merge.rewritten
    assert merge.text.startswith(edited)  # the file's text, comments and all, is kept
    deck = parse_deck(merge.text)
    assert [q.id for q in deck.questions] == ["q1", "q2", "q3", "q4", "q5"]
    assert deck.questions[0].prompt == "Why does BN speed up training?"
    assert "# my wording" in merge.text


def test_re_importing_unchanged_notes_changes_nothing() -> None:
    result = import_markdown(seed_text(), "seed.md")
    text = result.to_yaml()
    merge = merge_into(text, result)
    assert not merge.changed and merge.text == text and merge.added == ()


def test_a_new_id_or_title_rewrites_the_deck_on_merge() -> None:
    result = import_markdown(fixture("numbered_headings.md"), "notes.md")
    merge = merge_into(result.to_yaml(), result, deck_id="losses-mine", title="My losses")
    assert merge.rewritten and merge.deck_id == "losses-mine"
    assert parse_deck(merge.text).title == "My losses"


def test_merging_into_a_file_that_is_not_a_deck_is_refused() -> None:
    result = import_markdown(fixture("numbered_headings.md"), "notes.md")
    with pytest.raises(ImportProblem, match="holds no deck"):
        merge_into("just: a mapping\n", result, where="x.yaml")
    with pytest.raises(ImportProblem, match="is not YAML"):
        merge_into("a: [\n", result, where="x.yaml")


# --------------------------------------------------------------------------- quiz import


def test_quiz_import_writes_a_deck_and_reports_what_it_found(tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text(ODD, encoding="utf-8")
    out = tmp_path / "deck.yaml"
    result = CliRunner().invoke(cli, ["import", str(notes), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    assert f"{notes}:3: warning: skipped" in result.stderr
    assert "4 looked like questions, 3 imported (1 without an answer skipped)" in result.stderr
    checked = CliRunner().invoke(cli, ["check-deck", "--no-code", str(out)])
    assert checked.exit_code == 0, checked.stderr


def test_quiz_import_merges_into_an_existing_deck_and_force_overwrites(tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text(fixture("numbered_headings.md"), encoding="utf-8")
    out = tmp_path / "deck.yaml"
    assert CliRunner().invoke(cli, ["import", str(notes), "-o", str(out)]).exit_code == 0
    edited = out.read_text(encoding="utf-8").replace("prompt: Focal loss", "prompt: Focal loss?")
    out.write_text(edited, encoding="utf-8")
    again = CliRunner().invoke(cli, ["import", str(notes), "-o", str(out)])
    assert again.exit_code == 0, again.stderr
    assert "kept 3 already in" in again.stderr and "unchanged" in again.stderr
    assert out.read_text(encoding="utf-8") == edited
    forced = CliRunner().invoke(cli, ["import", str(notes), "-o", str(out), "--force"])
    assert forced.exit_code == 0, forced.stderr
    assert "prompt: Focal loss\n" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize("target", ["/missing/dir/x.yaml", "/proc/x.yaml"])
def test_quiz_import_to_a_place_it_cannot_write_is_one_error_line(target: str) -> None:
    if target.startswith("/proc") and not Path("/proc").is_dir():
        pytest.skip("no /proc here")
    notes = FIXTURES / "numbered_headings.md"
    result = CliRunner().invoke(cli, ["import", str(notes), "-o", target])
    assert result.exit_code == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("quiz: error:")]
    assert len(errors) == 1 and target in errors[0]
    assert "Traceback" not in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_quiz_import_of_notes_without_questions_exits_2_with_one_line(tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text("# Reading list\n\n## Papers\n\n- Attention is all you need\n", "utf-8")
    result = CliRunner().invoke(cli, ["import", str(notes)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("quiz: error: notes.md: nothing looks like a question")


def test_quiz_import_takes_an_id_and_a_title(tmp_path: Path) -> None:
    out = tmp_path / "deck.yaml"
    notes = FIXTURES / "numbered_headings.md"
    result = CliRunner().invoke(
        cli, ["import", str(notes), "-o", str(out), "--id", "my-losses", "--title", "My losses"]
    )
    assert result.exit_code == 0, result.stderr
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert (data["id"], data["title"]) == ("my-losses", "My losses")
    bad = CliRunner().invoke(cli, ["import", str(notes), "--id", "Not An Id"])
    assert bad.exit_code == 2
    assert bad.stderr.startswith("quiz: error: 'Not An Id' cannot be a deck id")


def test_quiz_import_warns_once_when_the_deck_id_is_a_known_decks(tmp_path: Path) -> None:
    notes = FIXTURES / "numbered_headings.md"
    clash = CliRunner().invoke(cli, ["import", str(notes), "--id", "inception-1x1"])
    assert clash.exit_code == 0, clash.stderr
    warnings = [line for line in clash.stderr.splitlines() if line.startswith("quiz: warning:")]
    assert len(warnings) == 1
    assert "'inception-1x1'" in warnings[0] and "packaged" in warnings[0]
    clean = CliRunner().invoke(cli, ["import", str(notes), "--id", "my-own-losses"])
    assert "quiz: warning:" not in clean.stderr


# --------------------------------------------------------------------------- properties


@given(st.text(max_size=400))
def test_arbitrary_text_never_crashes(text: str) -> None:
    try:
        result = import_markdown(text, "fuzz.md")
    except ImportProblem:
        return
    load(result)


markdownish = st.lists(
    st.sampled_from(
        [
            "# T",
            "## Q1: q?",
            "## 3) x",
            "## plain",
            "**Answer:**",
            "**Q:** why so?",
            "A: because",
            "- **b:** c d e",
            "- [x] yes",
            "- [ ] no",
            "1. item one two?",
            "   indented answer text",
            "<details><summary>Answer</summary>",
            "</details>",
            "```python",
            "class A(nn.Module):",
            "    pass",
            "print(A())",
            "```",
            "",
            "$x$",
            "Tags: a, b",
            "text words here",
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
    deck = load(result)
    assert result.imported == len(deck.questions) <= result.found
    assert len({q.id for q in deck.questions}) == len(deck.questions)


WORDS = [
    "gradient",
    "momentum",
    "dropout",
    "kernel",
    "softmax",
    "residual",
    "variance",
    "channels",
    "embedding",
    "attention",
    "overfitting",
    "stride",
    "pooling",
    "logits",
    "entropy",
]
sentence = st.lists(st.sampled_from(WORDS), min_size=3, max_size=8).map(
    lambda words: " ".join(words).capitalize() + "."
)
answer_text = st.lists(sentence, min_size=1, max_size=4)


@st.composite
def notes_in_mixed_styles(draw: st.DrawFn) -> tuple[str, int]:
    """Notes whose every question has an answer, each in one of seven styles."""
    count = draw(st.integers(1, 6))
    parts = ["# Generated notes", ""]
    for number in range(1, count + 1):
        question = " ".join(draw(st.lists(st.sampled_from(WORDS), min_size=2, max_size=5)))
        sentences = draw(answer_text)
        style = draw(st.sampled_from(["qn", "mark", "pair", "details", "check", "bullets", "code"]))
        if style == "qn":
            parts += [f"## Q{number}: Explain {question}.", "**Answer:**", *sentences]
        elif style == "mark":
            parts += [f"### Why does {question} matter?", "", " ".join(sentences)]
        elif style == "pair":
            parts += [f"**Q:** What is {question}?", f"**A:** {' '.join(sentences)}"]
        elif style == "details":
            parts += [f"### How does {question} work?", "<details><summary>Answer</summary>", ""]
            parts += [*sentences, "", "</details>"]
        elif style == "check":
            parts += [f"## Q{number}: Which is {question}?", "- [x] " + sentences[0]]
            parts += ["- [ ] " + s for s in sentences[1:]] or ["- [ ] none of these"]
        elif style == "code":
            name = f"{draw(st.sampled_from(['Block', 'Head', 'Mixer']))}{number}"
            parts += [f"## Q{number}: Implement {question}.", sentences[0], "```python"]
            parts += [f"class {name}(nn.Module):", "    def forward(self, x):"]
            parts += ["        return x * 2", "", "", "# Usage", f"print({name}()(torch.ones(1)))"]
            parts += ["```"]
        else:
            parts += [f"## {number}. Describe {question}", "**Answer:**"]
            parts += [f"- **{s.split()[0]}:** {s}" for s in sentences]
        parts.append("")
    return "\n".join(parts), count


@given(notes_in_mixed_styles())
def test_generated_notes_import_every_question_to_a_deck_that_validates(
    notes: tuple[str, int],
) -> None:
    text, count = notes
    result = import_markdown(text, "generated.md")
    deck = load(result)
    assert result.found == result.imported == count
    assert len({q.id for q in deck.questions}) == count
    for question in deck.questions:
        if isinstance(question, ConceptQuestion):
            assert all(k.hit_by(question.answer) for k in question.key_points)
        if isinstance(question, CodeQuestion):
            # The reference loads without running anything, and the answer shows it once.
            tree = ast.parse(question.reference)
            assert all(isinstance(n, ast.Import | ast.ImportFrom | ast.ClassDef) for n in tree.body)
            assert question.answer.count(question.reference.strip()) == 1


@given(notes_in_mixed_styles())
def test_merging_a_re_import_into_its_own_deck_changes_nothing(notes: tuple[str, int]) -> None:
    result = import_markdown(notes[0], "generated.md")
    text = result.to_yaml()
    merge = merge_into(text, result)
    assert (merge.text, merge.added, merge.gone, merge.changed) == (text, (), (), False)
