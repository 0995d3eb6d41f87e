"""Deck loading: validation errors located in the YAML, never a traceback."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from testkit import TINY_DECK

from questions import (
    DeckError,
    DeckLibrary,
    DeckNotFoundError,
    Problem,
    Tolerance,
    UnknownQuestionError,
    deck_json_schema,
    load_deck,
    parse_deck,
)
from questions._loader import parse_deck_located

GOOD = TINY_DECK


def problems_of(text: str, source: str = "deck.yaml") -> list[Problem]:
    with pytest.raises(DeckError) as info:
        parse_deck(text, source)
    return list(info.value.problems)


def test_good_deck_loads_with_counts() -> None:
    deck = parse_deck(GOOD)
    assert deck.id == "tiny"
    assert [q.id for q in deck.questions] == ["c1", "n1", "m1"]
    assert deck.counts_by_kind() == {"concept": 1, "numeric": 1, "choice": 1, "code": 0}


def test_error_names_file_line_column_and_field_path() -> None:
    bad = GOOD.replace("{label: weights, answer: 72,", "{label: weights, answer: lots,")
    [problem] = problems_of(bad, "my-deck.yaml")
    assert problem.path == "questions[1].parts[0].answer"
    assert (problem.line, problem.column) == (16, 34)
    assert str(problem).startswith("my-deck.yaml:16:34: ")
    assert str(problem).endswith("(at questions[1].parts[0].answer)")


def test_every_problem_is_reported_not_just_the_first() -> None:
    bad = GOOD.replace("kind: choice", "kind: riddle").replace("title: A tiny deck\n", "")
    problems = problems_of(bad)
    messages = {p.path: p.message for p in problems}
    assert "title" in messages and "missing" in messages["title"]
    assert "questions[2]" in messages and "riddle" in messages["questions[2]"]


def test_unknown_field_points_at_the_key() -> None:
    bad = GOOD.replace("    answer: 3 * 3 * 2 * 4 = 72\n", "    answer: '72'\n    answr: 73\n")
    [problem] = problems_of(bad)
    assert problem.path == "questions[1].answr"
    assert problem.message == "unknown field"
    assert (problem.line, problem.column) == (15, 5)


def test_missing_field_points_at_its_parent() -> None:
    bad = GOOD.replace(
        "{label: weights, answer: 72, working: 3*3*2*4}", "{label: weights, working: 3*3*2*4}"
    )
    [problem] = problems_of(bad)
    # `answer` may be left out only when the question draws its numbers: the question says so.
    assert problem.path == "questions[1]"
    assert problem.message == "parts[0] needs an `answer`"
    assert (problem.line, problem.column) == (11, 5)


def test_duplicate_question_ids_are_an_error() -> None:
    bad = GOOD.replace("id: m1", "id: c1")
    [problem] = problems_of(bad)
    assert problem.message == "duplicate question id 'c1'"
    assert problem.path == "questions[2].id"
    assert (problem.line, problem.column) == (17, 9)


def test_duplicate_yaml_keys_are_an_error() -> None:
    bad = GOOD.replace("title: A tiny deck\n", "title: A tiny deck\ntitle: Again\n")
    [problem] = problems_of(bad)
    assert problem.message == "duplicate key 'title'"
    assert (problem.line, problem.column) == (3, 1)


def test_invalid_yaml_reports_its_position() -> None:
    [problem] = problems_of("id: x\ntitle: [unclosed\n")
    assert problem.message.startswith("invalid YAML")
    assert problem.line >= 2


@pytest.mark.parametrize("text", ["", "just a string", "- a\n- list\n", "42"])
def test_a_deck_must_be_a_mapping(text: str) -> None:
    [problem] = problems_of(text)
    assert "empty" in problem.message or "mapping" in problem.message


def test_bad_regex_in_key_point_is_located() -> None:
    bad = GOOD.replace("patterns: ['reduc']", "patterns: ['reduc(']")
    [problem] = problems_of(bad)
    assert problem.path == "questions[0].key_points[0].patterns"
    assert "regular expression" in problem.message


def test_choice_needs_a_correct_option() -> None:
    bad = GOOD.replace("{text: pointwise, correct: true}", "{text: pointwise}")
    [problem] = problems_of(bad)
    assert problem.path == "questions[2]"
    assert "no option is marked correct" in problem.message


def test_alias_bomb_is_refused_quickly() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for level in range(1, 9):
        bomb += (
            f"{'b' * level}: &{'b' * level} ["
            + ", ".join([f"*{'b' * (level - 1) if level > 1 else 'a'}"] * 10)
            + "]\n"
        )
    [problem] = problems_of(bomb)
    assert "too large" in problem.message


CODE_QUESTION = textwrap.dedent(
    """\
    id: code
    title: Code
    questions:
      - id: k1
        kind: code
        prompt: Write F.
        answer: See reference.
        entry_point: F
        starter: "class F: ..."
        reference: "class F:\\n    pass\\n"
        checks:
          init: {n: {int: [1, 4]}, k: {one_of: [1, 3]}}
          dims: {h: {int: [k, 8]}}
          inputs: {x: {shape: [1, n, h, h]}}
          compare: [parameters, output_shape]
        wrong_solutions:
          - {name: broken, fails: compile, code: "def ("}
    """
)


def test_code_question_with_checks_loads() -> None:
    deck = parse_deck(CODE_QUESTION)
    question = deck.questions[0]
    assert question.kind == "code"
    assert question.checks is not None
    assert list(question.checks.init) == ["n", "k"]


def test_check_bounds_must_name_earlier_values() -> None:
    bad = CODE_QUESTION.replace("h: {int: [k, 8]}", "h: {int: [q, 8]}")
    [problem] = problems_of(bad)
    assert "'q' is not defined" in problem.message
    assert problem.path == "questions[0].checks"


def test_unknown_strategy_is_explained() -> None:
    bad = CODE_QUESTION.replace("n: {int: [1, 4]}", "n: {integer: [1, 4]}")
    [problem] = problems_of(bad)
    assert problem.path == "questions[0].checks.init.n"
    assert "{int: [lo, hi]}" in problem.message


def test_reference_must_define_the_entry_point() -> None:
    bad = CODE_QUESTION.replace("entry_point: F", "entry_point: G")
    [problem] = problems_of(bad)
    assert "does not define 'G'" in problem.message


def test_reference_syntax_error_is_reported() -> None:
    bad = CODE_QUESTION.replace('reference: "class F:\\n    pass\\n"', 'reference: "class F(:"')
    [problem] = problems_of(bad)
    assert "not valid Python" in problem.message


@pytest.mark.parametrize(
    ("written", "relative", "absolute"),
    [("2%", 0.02, 0.0), (0.5, 0.0, 0.5), ("0.5", 0.0, 0.5), ({"relative": 0.1}, 0.1, 0.0)],
)
def test_tolerance_shorthands(written: object, relative: float, absolute: float) -> None:
    tolerance = Tolerance.model_validate(written)
    assert (tolerance.relative, tolerance.absolute) == (relative, absolute)


def test_json_schema_describes_every_kind() -> None:
    schema = deck_json_schema()
    text = json.dumps(schema)
    for kind in ("concept", "numeric", "choice", "code"):
        assert f'"const": "{kind}"' in text
    assert schema["title"] == "mlquiz deck"


# --------------------------------------------------------------------------- library


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_one_bad_deck_does_not_stop_the_others(tmp_path: Path) -> None:
    write(tmp_path / "good.yaml", GOOD)
    write(tmp_path / "bad.yaml", GOOD.replace("id: tiny", "id: Not A Slug"))
    library = DeckLibrary.discover([tmp_path], include_package=False)
    assert [d.id for d in library.decks] == ["tiny"]
    assert len(library.problems) == 1
    assert library.problems[0].source.endswith("bad.yaml")


def test_packaged_decks_are_found() -> None:
    library = DeckLibrary.discover()
    assert "inception-1x1" in [d.id for d in library.decks]
    assert all(d.origin == "package" for d in library.decks)


def test_user_data_directory_decks_are_found(quiz_home: Path) -> None:
    write(quiz_home / "decks" / "mine.yaml", GOOD)
    library = DeckLibrary.discover(include_package=False)
    assert [(d.id, d.origin) for d in library.decks] == [("tiny", "user")]


def test_deck_given_by_path_shadows_same_id_and_reports_it(tmp_path: Path) -> None:
    first = write(tmp_path / "a" / "one.yaml", GOOD)
    second = write(tmp_path / "b" / "two.yaml", GOOD)
    library = DeckLibrary.discover([first, tmp_path / "b"], include_package=False)
    assert [d.path for d in library.decks] == [first]
    [problem] = library.problems
    assert "duplicate deck id 'tiny'" in problem.message
    assert problem.line == 1
    [clash] = library.clashes
    assert (clash.deck_id, clash.used.path, clash.hidden, clash.problem) == (
        "tiny",
        first,
        second,
        problem,
    )
    assert library.files_with_id("tiny") == [(first, "path"), (second, "path")]


def test_a_user_deck_with_a_packaged_id_hides_the_packaged_one_and_says_so(
    quiz_home: Path,
) -> None:
    mine = write(quiz_home / "decks" / "mine.yaml", GOOD.replace("id: tiny", "id: inception-1x1"))
    library = DeckLibrary.discover()
    assert library.deck("inception-1x1").path == mine
    [clash] = library.clashes
    packaged = clash.hidden
    assert packaged.name == "inception-1x1.yaml" and clash.hidden_origin == "package"
    message = str(clash)
    assert "\n" not in message
    assert f"{mine} (your decks) is used, {packaged} (packaged) is hidden" in message


def test_clash_with_names_every_other_file_of_the_id(quiz_home: Path, tmp_path: Path) -> None:
    elsewhere = write(tmp_path / "copy.yaml", GOOD.replace("id: tiny", "id: attention"))
    library = DeckLibrary.discover()
    packaged = library.deck("attention").path
    message = library.clash_with("attention", elsewhere)
    assert message is not None
    assert message.startswith(f"{elsewhere}: the deck id 'attention' is also the id of ")
    assert f"{packaged} (packaged)" in message
    assert library.clash_with("attention", packaged) is None  # the file itself is no clash
    assert library.clash_with("no-such-deck", elsewhere) is None


def test_missing_deck_path_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(DeckNotFoundError):
        DeckLibrary.discover([tmp_path / "nope.yaml"])


def test_question_lookup_and_suggestions(tmp_path: Path) -> None:
    library = DeckLibrary.discover([write(tmp_path / "t.yaml", GOOD)], include_package=False)
    deck, question = library.question("tiny/n1")
    assert (deck.id, question.id) == ("tiny", "n1")
    with pytest.raises(UnknownQuestionError) as info:
        library.question("tiny/n2")
    assert "tiny/n1" in info.value.suggestions
    with pytest.raises(UnknownQuestionError) as info:
        library.question("m1")
    assert info.value.suggestions == ("tiny/m1",)
    with pytest.raises(UnknownQuestionError) as info:
        library.question("tiny")
    assert info.value.suggestions[0] == "tiny/c1"


def test_non_utf8_deck_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("title: caf\xe9\n".encode("latin-1"))
    with pytest.raises(DeckError) as info:
        load_deck(path)
    assert "not UTF-8" in str(info.value)


BAD_PATTERN_DECK = TINY_DECK.replace("patterns: ['reduc']", "patterns: ['reduc(']")


def test_a_bad_key_point_pattern_is_a_deck_error_in_any_deck_that_is_not_packaged(
    tmp_path: Path,
) -> None:
    [problem] = problems_of(BAD_PATTERN_DECK)
    assert "is not a valid regular expression" in problem.message
    assert (problem.line, problem.path) == (10, "questions[0].key_points[0].patterns")
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "tiny.yaml").write_text(BAD_PATTERN_DECK, encoding="utf-8")
    found = DeckLibrary.discover([folder], include_user=False, include_package=False)
    assert found.decks == []
    assert ["is not a valid regular expression" in p.message for p in found.problems] == [True]


def test_packaged_decks_load_without_compiling_their_patterns_again() -> None:
    """check-deck compiled them; a start of the app should not (it was most of the load)."""
    trusted = parse_deck_located(BAD_PATTERN_DECK, "tiny.yaml", trusted=True)[0]
    assert trusted.questions[0].kind == "concept"
    with pytest.raises(DeckError):
        parse_deck_located(BAD_PATTERN_DECK, "tiny.yaml")
    library = DeckLibrary.discover(include_user=False)
    assert library.problems == [] and all(d.origin == "package" for d in library.decks)
