"""`quiz review`, `quiz export`, `quiz import-progress` and `quiz mock` from the shell.

Each test runs in its own QUIZ_HOME (tests/conftest.py), so "this machine" starts empty.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from packaged_decks import share_packaged_decks

from questions import DeckLibrary
from quiz.cli import cli
from quiz.progress.review import ReviewSession
from quiz.progress.scheduling import Scheduler
from quiz.progress.store import STORE_FILENAME, Store


@pytest.fixture(autouse=True)
def _packaged_decks_parsed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each command below discovers the decks: the packaged ones are parsed once, not per run."""
    share_packaged_decks(monkeypatch)


def run(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=stdin, catch_exceptions=False)


def answer_first_new_questions(count: int) -> list[str]:
    """Review ``count`` questions of today's queue (concept: rated Good; others: "1")."""
    library = DeckLibrary.discover([])
    answered = []
    with Store() as store:
        session = ReviewSession.due(library, store, Scheduler(store, fuzz=False), seed=1)
        assert session is not None
        for _ in range(count):
            kind = session.current.kind
            if kind == "concept":
                session.submit_concept("an answer")
                session.rate(3)
            elif kind == "numeric":
                session.submit_numeric(["1"] * len(session.current.parts))  # type: ignore[union-attr]
            elif kind == "choice":
                session.submit_choice([0])
            else:
                continue
            answered.append(session.question_id())
            session.next()
    return answered


def test_review_list_prints_the_queue_and_remembers_the_daily_limit() -> None:
    result = run("review", "--list", "--new-per-day", "3")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Due today: 0 · new today: 3 (limit 3 a day)"
    assert [line.split()[0] for line in lines[1:4]] == ["new"] * 3
    # The order of new questions is said, not left to guess.
    assert lines[4:] == [
        "New questions come deck by deck, in the order `quiz decks` lists them; --deck DECK "
        "picks decks."
    ]
    # The limit is saved: the next run uses it without the option.
    again = run("review", "--list")
    assert again.output.splitlines()[0] == "Due today: 0 · new today: 3 (limit 3 a day)"


def test_review_list_of_one_deck_and_an_unknown_deck() -> None:
    result = run("review", "--list", "--deck", "losses")
    assert result.exit_code == 0
    queued = [line.split() for line in result.output.splitlines()[1:-1]]
    assert queued and all(words[1].startswith("losses/") for words in queued)
    unknown = run("review", "--list", "--deck", "no-such-deck")
    assert unknown.exit_code == 2
    assert "no deck 'no-such-deck'" in unknown.output


def test_review_with_nothing_left_says_when_the_next_is_due() -> None:
    run("review", "--list", "--new-per-day", "2")
    answer_first_new_questions(2)
    result = run("review", "--list")
    assert "Due today: 0 · new today: 0" in result.output
    assert "Nothing left for today. Next: " in result.output
    assert "due 20" in result.output  # a date


def test_export_then_import_on_another_machine(tmp_path: Path) -> None:
    answered = answer_first_new_questions(3)
    export = tmp_path / "progress.json"
    result = run("export", str(export))
    assert result.exit_code == 0, result.output
    data = json.loads(export.read_text(encoding="utf-8"))
    assert data["format"] == "mlquiz-progress"
    assert sorted(a["question"] for a in data["attempts"]) == sorted(answered)
    assert len(data["reviews"]) == len(data["cards"]) == 3

    os.environ["QUIZ_HOME"] = str(tmp_path / "other-machine")  # restored by the fixture
    imported = run("import-progress", str(export))
    assert imported.exit_code == 0, imported.output
    assert "3 attempts" in imported.output and "3 cards" in imported.output
    with Store() as store:
        assert sorted(a.question for a in store.attempts()) == sorted(answered)
        assert set(store.cards()) == set(answered)
    # A second import adds nothing.
    twice = run("import-progress", str(export))
    assert "0 attempts, 0 reviews, 0 cards" in twice.output


@pytest.mark.parametrize(
    ("target", "says"),
    [
        ("missing/progress.json", "the folder {folder} does not exist"),
        ("/proc/progress.json", "cannot write: "),
    ],
    ids=["missing_folder", "unwritable_folder"],
)
def test_export_to_a_path_it_cannot_write_is_one_line_naming_it(
    tmp_path: Path, target: str, says: str
) -> None:
    if target.startswith("/proc/") and not Path("/proc/self").is_dir():
        pytest.skip("no /proc on this system")
    output = Path(target) if target.startswith("/") else tmp_path / target
    result = run("export", str(output))
    assert result.exit_code == 2
    [line] = result.stderr.splitlines()
    assert line.startswith(f"quiz: error: {output}: ")
    assert says.format(folder=output.parent) in line
    assert ".tmp" not in line and "Traceback" not in result.output
    assert not output.exists()
    assert list(tmp_path.iterdir()) == []  # nothing half-written left behind


def test_export_refuses_to_overwrite_and_prints_to_stdout(tmp_path: Path) -> None:
    target = tmp_path / "progress.json"
    target.write_text("keep me", encoding="utf-8")
    refused = run("export", str(target))
    assert refused.exit_code == 2 and "exists" in refused.output
    assert target.read_text(encoding="utf-8") == "keep me"
    printed = run("export", "-")
    assert json.loads(printed.output)["attempts"] == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not JSON (line 1"),
        ("[1, 2]", "not an mlquiz progress export"),
        (
            json.dumps({"format": "mlquiz-progress", "version": 1, "attempts": [{"kind": "x"}]}),
            "attempts[0]",
        ),
    ],
)
def test_a_bad_progress_file_is_a_clear_error_and_imports_nothing(
    tmp_path: Path, content: str, message: str
) -> None:
    answer_first_new_questions(1)
    before = Store().export_data()
    bad = tmp_path / "bad.json"
    bad.write_text(content, encoding="utf-8")
    result = run("import-progress", str(bad))
    assert result.exit_code == 2
    assert message in result.output
    assert "nothing was imported" in result.output
    after = Store().export_data()
    assert {k: v for k, v in after.items() if k != "exported_at"} == {
        k: v for k, v in before.items() if k != "exported_at"
    }


def test_a_corrupt_progress_store_is_reported_and_kept(quiz_home: Path) -> None:
    store_file = quiz_home / STORE_FILENAME
    quiz_home.mkdir(parents=True, exist_ok=True)
    store_file.write_bytes(b"this is not a database" * 100)
    for _ in range(3):
        result = run("review", "--list")
        assert result.exit_code == 2
        assert "is corrupt" in result.output and "a copy is at" in result.output
    assert store_file.read_bytes() == b"this is not a database" * 100  # never reset
    assert len(list(quiz_home.glob(f"{STORE_FILENAME}.corrupt-*"))) == 1  # copied once


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--export", "card.txt"], "written as .md (Markdown) or .json"),
        (["--export", "no/such/folder/card.md"], "does not exist"),
        (["--deck", "nope"], "no deck 'nope'"),
        (["--minutes", "0"], "--minutes"),
        (["--count", "0"], "--count"),
    ],
)
def test_mock_options_are_checked_before_the_app_opens(args: list[str], message: str) -> None:
    result = run("mock", *args)
    assert result.exit_code == 2
    assert message in result.output


def test_mock_needs_a_terminal() -> None:
    result = run("mock", "--count", "2")
    assert result.exit_code == 2
    assert "needs a terminal" in result.output
