"""Assignment files: validation with file:line errors, resolution against the decks, schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from questions import DeckError, DeckLibrary
from quiz.cli import cli
from quiz.course import assignment_json_schema, load_assignment, parse_assignment
from quiz.course._assignment import SCHEMA_FILE

FIXTURES = Path(__file__).parent / "fixtures" / "class"


@pytest.fixture(scope="module")
def library() -> DeckLibrary:
    return DeckLibrary.discover()


def problems_of(text: str, library: DeckLibrary) -> list[str]:
    with pytest.raises(DeckError) as raised:
        parse_assignment(text, library, source="hw.yaml")
    return [str(p) for p in raised.value.problems]


def test_a_valid_assignment_resolves_each_question_to_its_deck_and_entry_point(
    library: DeckLibrary,
) -> None:
    assignment = load_assignment(FIXTURES / "hw3.yaml", library)
    assert assignment.id == "hw3"
    assert assignment.question_ids == ("inception-1x1/q10", "attention/causal-attention")
    assert [q.points for q in assignment.questions] == [10, 5]
    assert assignment.points == 15
    assert [q.entry_point for q in assignment.questions] == ["SeparableConv2d", "causal_attention"]
    assert [p.name for p in assignment.deck_files()] == ["inception-1x1.yaml", "attention.yaml"]


def test_every_mistake_of_a_file_is_reported_with_its_line_and_column(
    library: DeckLibrary,
) -> None:
    with pytest.raises(DeckError) as raised:
        load_assignment(FIXTURES / "bad_assignment.yaml", library)
    source = str(FIXTURES / "bad_assignment.yaml")
    found = [str(p) for p in raised.value.problems]
    assert found[0].startswith(f"{source}:5:16: unknown question 'inception-1x1/q99'")
    assert "did you mean inception-1x1/q9" in found[0]
    assert found[1] == f"{source}:6:52: input should be greater than 0 (at questions[2].points)"
    assert found[2] == (
        f"{source}:7:16: duplicate question 'inception-1x1/q10' (at questions[3].question)"
    )
    assert found[3].startswith(f"{source}:8:16: 'inception-1x1/q1' is a concept question")
    assert len(found) == 4


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("id: hw\ntitle: T\nquestions: []\n", "hw.yaml:3:12: list should have at least 1 item"),
        (
            "id: hw\ntitle: T\nextra: 1\nquestions:\n  - {question: inception-1x1/q10, points: 1}",
            "hw.yaml:3:1: unknown field (at extra)",
        ),
        (
            "id: hw\ntitle: T\nquestions:\n  - {question: q10, points: 1}\n",
            "hw.yaml:4:16: a question is named DECK/QID, e.g. inception-1x1/q10",
        ),
        (
            "id: hw\ntitle: T\nquestions:\n  - {question: inception-1x1/q10}\n",
            "hw.yaml:4:5: missing required field (at questions[0].points)",
        ),
        ("id: hw\ntitle: [unclosed\n", "hw.yaml:3:1: invalid YAML"),
        ("- a list\n", "hw.yaml:1:1: an assignment is a mapping"),
        (
            "id: hw\nid: again\ntitle: T\nquestions:\n  - {question: inception-1x1/q10, points: 9}",
            "hw.yaml:2:1: duplicate key 'id'",
        ),
    ],
)
def test_malformed_assignments_name_the_place(
    text: str, expected: str, library: DeckLibrary
) -> None:
    assert any(p.startswith(expected) for p in problems_of(text, library)), problems_of(
        text, library
    )


@pytest.mark.slow  # the command starts the grading workers while it reads the assignment
def test_the_cli_prints_file_line_errors_and_exits_2(tmp_path: Path) -> None:
    (tmp_path / "alice").mkdir()
    result = CliRunner().invoke(
        cli, ["grade", "--assignment", str(FIXTURES / "bad_assignment.yaml"), str(tmp_path)]
    )
    assert result.exit_code == 2
    assert f"{FIXTURES / 'bad_assignment.yaml'}:6:52: input should be greater than 0" in (
        result.stderr
    )
    assert "Traceback" not in result.output


def test_class_options_without_an_assignment_are_usage_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    for args in (
        ["grade", "inception-1x1/q10", str(tmp_path), "--shard", "1/2"],
        ["grade", "inception-1x1/q10", str(tmp_path), "--feedback", str(tmp_path / "fb")],
        ["grade", "inception-1x1/q10", str(tmp_path), "--format", "csv"],
        ["grade"],
    ):
        result = runner.invoke(cli, args)
        assert result.exit_code == 2, args
        assert result.stderr.startswith("quiz: error:"), result.stderr


def test_a_bad_shard_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "alice").mkdir()
    for shard in ("3/2", "0/2", "two"):
        result = CliRunner().invoke(
            cli,
            ["grade", "--assignment", str(FIXTURES / "hw3.yaml"), str(tmp_path), "--shard", shard],
        )
        assert result.exit_code == 2
        assert "--shard" in result.stderr


def test_reports_are_never_written_among_the_students(tmp_path: Path) -> None:
    (tmp_path / "alice").mkdir()
    for option, value in (("--feedback", tmp_path / "feedback"), ("-o", tmp_path / "g.csv")):
        result = CliRunner().invoke(
            cli,
            [
                "grade",
                "--assignment",
                str(FIXTURES / "hw3.yaml"),
                str(tmp_path),
                option,
                str(value),
            ],
        )
        assert result.exit_code == 2
        assert "where every folder is a student" in result.stderr


def test_the_published_schema_is_the_generated_one() -> None:
    schema = assignment_json_schema()
    assert schema["title"] == "mlquiz assignment"
    assert set(schema["required"]) == {"id", "title", "questions"}
    assert json.loads(SCHEMA_FILE.read_text(encoding="utf-8")) == schema, (
        "regenerate quiz/course/assignment.schema.json from assignment_json_schema()"
    )
