"""Layering: the question bank and the CLI never pull in torch or textual."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import grader
import questions
import quiz

pytestmark = pytest.mark.slow  # each test starts a fresh interpreter

HEAVY = ("torch", "textual", "hypothesis")


def modules_after_import(statement: str) -> set[str]:
    code = f"import sys, json\n{statement}\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout))


@pytest.mark.parametrize(
    "statement",
    [
        "import questions",
        "import grader",
        "import quiz.cli",
        "import grader.deckcheck",
        "import quiz.progress.store, quiz.progress.session, quiz.progress.mock",
        "import quiz.progress.review, quiz.progress.stats, quiz.progress.scheduling",
    ],
)
def test_light_imports_stay_light(statement: str) -> None:
    loaded = modules_after_import(statement)
    assert not [m for m in HEAVY if m in loaded], statement


def test_the_progress_stats_and_store_never_import_rich() -> None:
    # How stats look is quiz.stats_view's; quiz.progress holds the numbers only.
    loaded = modules_after_import("import quiz.progress.stats, quiz.progress.store")
    assert "quiz.progress.stats" in loaded  # the check sees what was imported
    assert not [m for m in loaded if m == "rich" or m.startswith("rich.")]


@pytest.mark.parametrize(
    "statement",
    [
        "import quiz.app",
        "from quiz.app.screens import practice, home, jump, help",
        "import quiz.app.grading",
    ],
)
def test_the_app_never_imports_torch(statement: str) -> None:
    loaded = modules_after_import(statement)
    assert "torch" not in loaded
    assert "hypothesis" not in loaded


def test_quiz_help_does_not_import_torch() -> None:
    code = (
        "import sys\nfrom quiz.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print('torch' in sys.modules, 'textual' in sys.modules, file=sys.stderr)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stderr.strip() == "False False"


@pytest.mark.parametrize("package", [questions, grader, quiz])
def test_public_api_is_what_all_exports(package: object) -> None:
    names = package.__all__  # type: ignore[attr-defined]
    assert len(names) == len(set(names))
    for name in names:
        assert hasattr(package, name), name
        assert name == "__version__" or not name.startswith("_"), name
