"""The ``quiz`` command line, driven through click's test runner."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from packaged_decks import share_packaged_decks

from questions import packaged_decks_dir
from quiz import __version__
from quiz.cli import cli

Q6_RIGHT = ["73,728", "576", "8192", "8768", "0.119"]

CUSTOM = textwrap.dedent(
    """\
    id: custom
    title: Custom deck
    questions:
      - id: pick
        kind: choice
        prompt: Which layers have no parameters?
        answer: Pooling layers only aggregate.
        multiple: true
        options:
          - {text: global average pooling, correct: true}
          - {text: max pooling, correct: true}
          - {text: a 1x1 convolution, why: it has C_in x C_out weights}
      - id: one
        kind: choice
        prompt: Which is cheaper?
        answer: Depthwise.
        options:
          - {text: depthwise, correct: true}
          - {text: standard}
      - id: sum
        kind: numeric
        prompt: Add them.
        answer: Ten.
        parts:
          - {label: total, answer: 10, working: 4 + 6}
    """
)


@pytest.fixture(autouse=True)
def _packaged_decks_parsed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each command below discovers the decks: the packaged ones are parsed once, not per run."""
    share_packaged_decks(monkeypatch)


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def custom_deck(tmp_path: Path) -> Path:
    path = tmp_path / "custom.yaml"
    path.write_text(CUSTOM, encoding="utf-8")
    return path


def test_every_command_has_help_text() -> None:
    assert cli.commands, "no commands registered"
    for name, command in cli.commands.items():
        result = run(name, "--help")
        assert result.exit_code == 0, name
        assert command.help, f"{name} has no help text"
        first_line = command.help.strip().splitlines()[0]
        assert first_line in result.output, name
    assert "Practise machine-learning" in run("--help").output


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert __version__ in result.output


@pytest.mark.slow  # starts a fresh interpreter
def test_python_dash_m_quiz_runs() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "quiz", "--version"], capture_output=True, text=True, check=True
    )
    assert __version__ in out.stdout


def test_bare_quiz_lists_decks_and_commands() -> None:
    result = run()
    assert result.exit_code == 0
    assert "inception-1x1" in result.output
    assert "check-deck" in result.output


def test_decks_lists_the_inception_deck_by_kind() -> None:
    result = run("decks")
    assert result.exit_code == 0
    assert "Inception & 1×1 convolutions" in result.output
    assert "inception-1x1" in result.output


def test_decks_json() -> None:
    result = run("decks", "--json")
    assert result.exit_code == 0
    payload = json.loads(result.output)
    [deck] = [d for d in payload["decks"] if d["id"] == "inception-1x1"]
    assert deck["kinds"]["concept"] == 7
    assert deck["kinds"]["code"] == 1
    assert deck["question_ids"][:10] == [f"inception-1x1/q{i}" for i in range(1, 11)]
    assert deck["questions"] == sum(deck["kinds"].values())
    assert payload["problems"] == []


def test_show_renders_math_as_unicode() -> None:
    result = run("show", "inception-1x1/q6")
    assert result.exit_code == 0
    assert "C_in" in result.output
    assert "$" not in result.output
    assert "73,728" not in result.output  # the answer stays hidden without --answer


def test_show_draws_inline_code_in_choice_options_without_backticks() -> None:
    result = run("show", "attention/softmax-axis")
    assert result.exit_code == 0
    assert "1. dim=-1: over the keys" in result.output
    assert "`" not in result.output


def test_show_answer_adds_reference_and_working() -> None:
    result = run("show", "inception-1x1/q6", "--answer")
    assert result.exit_code == 0
    assert "73,728" in result.output
    assert "3*3*64*128" in result.output
    assert "8.41" in result.output


def test_show_code_question_includes_starter_and_reference_on_request() -> None:
    plain = run("show", "inception-1x1/q10")
    assert "SeparableConv2d" in plain.output
    assert "kernel_size // 2" not in plain.output
    answered = run("show", "inception-1x1/q10", "--answer")
    assert "kernel_size // 2" in answered.output


def test_answer_all_right_exits_0() -> None:
    result = run("answer", "inception-1x1/q6", *Q6_RIGHT)
    assert result.exit_code == 0, result.output
    assert "5/5 correct" in result.output


@pytest.mark.parametrize("ratio", ["~8.4x", "1/8.4", "11.9%", "(576+8192)/73728"])
def test_answer_accepts_free_form_ratio(ratio: str) -> None:
    result = run("answer", "inception-1x1/q6", *Q6_RIGHT[:4], ratio)
    assert result.exit_code == 0, result.output


def test_answer_one_wrong_exits_1_and_shows_the_reference() -> None:
    result = run("answer", "inception-1x1/q6", "73,728", "576", "8192", "9000", "0.119")
    assert result.exit_code == 1
    assert "wrong" in result.output
    assert "8,768" in result.output


def test_nonsense_answer_is_a_wrong_answer_with_a_reason() -> None:
    result = run("answer", "inception-1x1/q6", "lots", "576", "8192", "8768", "0.119")
    assert result.exit_code == 1
    assert "lots" in result.output
    assert "invalid" in result.output


def test_answer_with_wrong_number_of_parts_is_a_usage_error() -> None:
    result = run("answer", "inception-1x1/q6", "73728")
    assert result.exit_code == 2
    assert "quiz: error:" in result.stderr
    assert "5 parts" in result.stderr


def test_unknown_question_suggests_the_closest() -> None:
    result = run("show", "inception-1x1/q66")
    assert result.exit_code == 2
    assert "did you mean" in result.stderr
    assert "inception-1x1/q6" in result.stderr
    assert "Traceback" not in result.stderr


def test_answer_refuses_code_questions() -> None:
    code = run("answer", "inception-1x1/q10", "x")
    assert code.exit_code == 2
    assert "quiz grade" in code.stderr


def test_answer_judges_a_concept_answer_by_its_claims() -> None:
    full = run(
        "answer",
        "inception-1x1/q1",
        "It mixes information across channels at each pixel, it reduces the number of channels"
        " so the following 3x3 and 5x5 convolutions are cheaper, and the ReLU after it adds"
        " non-linearity while the height and width stay the same.",
    )
    assert full.exit_code == 0, full.stdout
    assert "3/3 key points (100%)" in full.stdout
    listed = run("answer", "inception-1x1/q1", "Bottleneck. Non-linearity. Cross-channel.")
    assert listed.exit_code == 1
    assert "0/3 key points" in listed.stdout
    assert "Answer in sentences" in listed.stdout


def test_answer_json_for_a_concept_question_says_where_each_point_is_made() -> None:
    text = "A 1x1 convolution reduces the number of channels, and it has no nonlinearity."
    result = run("answer", "--json", "inception-1x1/q1", text)
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["question"] == "inception-1x1/q1"
    hits = [point["hit"] for point in data["key_points"]]
    assert hits == [True, False, False]
    [claim, *_] = data["key_points"][0]["matched"]
    assert text[claim["start"] : claim["end"]] == claim["text"]
    assert "channels" in claim["text"]
    assert data["score"] == pytest.approx(1 / 3)


def test_answer_refuses_an_empty_concept_answer() -> None:
    empty = run("answer", "inception-1x1/q1", "   ")
    assert empty.exit_code == 2
    assert "the answer is empty" in empty.stderr


def test_missing_argument_is_exit_2() -> None:
    assert run("answer", "inception-1x1/q6").exit_code == 2
    assert run("show").exit_code == 2


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["show"], "missing argument 'DECK/QID' (see `quiz show --help`)"),
        (["show", "inception-1x1/q6", "--seed", "abc"], "invalid value for '--seed'"),
        (["stats", "--days", "0"], "invalid value for '--days'"),
        (["check-deck", "--jobs", "0"], "0 is not in the range 1<=x<=64"),
        (["decks", "--bogus"], "no such option '--bogus' (see `quiz decks --help`)"),
        (["--bogus"], "no such option '--bogus' (see `quiz --help`)"),
        (["no-such-command"], "no such command 'no-such-command'"),
    ],
    ids=["missing_argument", "bad_seed", "bad_days", "jobs_0", "bad_option", "top_level", "cmd"],
)
def test_usage_errors_are_one_error_line_and_exit_2(args: list[str], says: str) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("quiz: error: ")
    assert says in line


def test_deck_option_loads_a_custom_deck(custom_deck: Path) -> None:
    result = run("answer", "--deck", str(custom_deck), "custom/sum", "4+6")
    assert result.exit_code == 0
    listed = run("decks", "--deck", str(custom_deck))
    assert "custom" in listed.output


@pytest.mark.parametrize(
    ("answers", "code"),
    [(["1", "2"], 0), (["1,2"], 0), (["a", "b"], 0), (["1"], 1), (["1", "3"], 1)],
)
def test_answer_multiple_choice(custom_deck: Path, answers: list[str], code: int) -> None:
    result = run("answer", "--deck", str(custom_deck), "custom/pick", *answers)
    assert result.exit_code == code, result.output


def test_single_choice_rejects_two_options(custom_deck: Path) -> None:
    result = run("answer", "--deck", str(custom_deck), "custom/one", "1", "2")
    assert result.exit_code == 2
    assert "exactly one" in result.stderr
    assert run("answer", "--deck", str(custom_deck), "custom/one", "9").exit_code == 2


@pytest.mark.slow
def test_check_deck_passes_on_the_shipped_decks() -> None:
    result = run("check-deck")
    assert result.exit_code == 0, result.output + result.stderr
    assert "inception-1x1" in result.output


def test_check_deck_reports_located_errors_and_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "my-deck.yaml"
    bad.write_text(
        CUSTOM.replace("{label: total, answer: 10,", "{label: total, answer: ten,"),
        encoding="utf-8",
    )
    result = run("check-deck", str(bad))
    assert result.exit_code == 2
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{bad}:25:32: ")
    assert first.endswith("(at questions[2].parts[0].answer)")


def test_check_deck_verifies_numeric_working(tmp_path: Path) -> None:
    bad = tmp_path / "deck.yaml"
    bad.write_text(CUSTOM.replace("working: 4 + 6", "working: 4 + 7"), encoding="utf-8")
    result = run("check-deck", str(bad))
    assert result.exit_code == 2
    assert "working '4 + 7' gives 11, but the answer is 10" in result.stderr


def test_check_deck_verifies_key_points_against_own_answer(tmp_path: Path) -> None:
    deck = tmp_path / "deck.yaml"
    deck.write_text(
        textwrap.dedent(
            """\
        id: kp
        title: Key points
        questions:
          - id: c
            kind: concept
            prompt: Why GAP?
            answer: It has zero parameters.
            key_points:
              - {point: no parameters, patterns: ['zero param']}
              - {point: confidence maps, patterns: ['confidence']}
        """
        ),
        encoding="utf-8",
    )
    result = run("check-deck", str(deck))
    assert result.exit_code == 2
    assert "'confidence maps' is not hit" in result.stderr
    assert ":10:" in result.stderr


def test_check_deck_on_missing_path_is_exit_2(tmp_path: Path) -> None:
    result = run("check-deck", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 2
    assert "no such deck" in result.stderr


def test_a_broken_user_deck_does_not_hide_the_others(quiz_home: Path) -> None:
    (quiz_home / "decks").mkdir()
    (quiz_home / "decks" / "broken.yaml").write_text("id: [\n", encoding="utf-8")
    result = run("decks")
    assert result.exit_code == 0
    assert "inception-1x1" in result.output
    assert "broken.yaml" in result.stderr


def clashing_deck(path: Path, deck_id: str = "inception-1x1") -> Path:
    """A valid deck file whose id is ``deck_id`` (by default a packaged deck's)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(CUSTOM.replace("id: custom", f"id: {deck_id}", 1), encoding="utf-8")
    return path


def test_decks_warns_once_about_a_user_deck_with_a_packaged_id(quiz_home: Path) -> None:
    mine = clashing_deck(quiz_home / "decks" / "mine.yaml")
    result = run("decks")
    assert result.exit_code == 0
    [warning] = result.stderr.splitlines()
    packaged = packaged_decks_dir() / "inception-1x1.yaml"
    assert warning.startswith("quiz: warning: two decks have the id 'inception-1x1': ")
    assert f"{mine} (your decks) is used" in warning
    assert f"{packaged} (packaged) is hidden" in warning
    assert "Custom deck" in result.stdout  # the deck listed is the one used
    assert "Inception & 1×1 convolutions" not in result.stdout
    payload = json.loads(run("decks", "--json").stdout)
    [used] = [d for d in payload["decks"] if d["id"] == "inception-1x1"]
    assert used["path"] == str(mine)
    [clash] = payload["clashes"]
    assert clash["used"] == str(mine)
    assert Path(clash["hidden"]).resolve() == packaged.resolve()


def test_check_deck_of_one_file_warns_when_a_known_deck_has_its_id(
    quiz_home: Path, tmp_path: Path
) -> None:
    elsewhere = clashing_deck(tmp_path / "notes-deck.yaml", "efficient-architectures")
    result = run("check-deck", "--no-code", str(elsewhere))
    assert result.exit_code == 0, result.stderr
    assert f"✓ {elsewhere}: efficient-architectures" in result.stdout
    [warning] = result.stderr.splitlines()
    assert warning.startswith(
        f"quiz: warning: {elsewhere}: the deck id 'efficient-architectures' is also the id of "
    )
    assert "efficient-architectures.yaml (packaged)" in warning
    # A user deck clashes as well, and checking the packaged file names the user deck.
    mine = clashing_deck(quiz_home / "decks" / "mine.yaml", "efficient-architectures")
    packaged = packaged_decks_dir() / "efficient-architectures.yaml"
    checked = run("check-deck", "--no-code", str(packaged))
    assert checked.exit_code == 0
    [warning] = checked.stderr.splitlines()
    assert warning.startswith(f"quiz: warning: {packaged}: the deck id ")
    assert f"{mine} (your decks)" in warning
    alone = run("check-deck", "--no-code", str(clashing_deck(tmp_path / "own.yaml", "own-id")))
    assert alone.exit_code == 0 and alone.stderr == ""


def test_schema_is_json() -> None:
    result = run("schema")
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert "questions" in schema["properties"]


def test_schema_of_an_assignment_is_the_published_one() -> None:
    from quiz.course._assignment import SCHEMA_FILE

    result = run("schema", "--assignment")
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert schema == json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert "questions" in schema["properties"] and "points" in json.dumps(schema)


def test_a_retired_question_id_shows_its_replacement_with_a_note() -> None:
    retired = run("show", "inception-family/aux-classifier-head")
    assert retired.exit_code == 0
    assert "inception-1x1/q3" in retired.stdout
    assert retired.stderr.strip() == (
        "quiz: note: inception-family/aux-classifier-head was retired; it is asked now as "
        "inception-1x1/q3"
    )
    assert run("show", "inception-1x1/q3").stderr == ""
