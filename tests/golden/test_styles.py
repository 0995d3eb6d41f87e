"""Golden judgement: correct files in many styles pass, realistic mistakes fail (issue 11).

Every file under ``submissions/styles/<deck>/<question>`` is graded once, with a fixed
seed, by one real ``GraderPool`` for the whole corpus (inside bubblewrap when it is
installed, else with the lighter isolation: the pool's own choice, one mode per run), and
its verdict is compared with ``MANIFEST.yaml``: a correct file must pass; a wrong one must
fail, at the check the manifest names when it names one.

An entry marked ``known`` is one the grader gets wrong today. It is a strict xfail on the
pass/not-pass verdict alone, so it turns red the moment the grader gives the right verdict,
whichever check then catches the mistake: remove the mark, and the check is asserted too.

A deck's own tests may grade further styles, kept beside them under
``tests/unit/fixtures/<deck>/<question>/`` as ``correct_*.py`` and ``wrong_*.py``; they count
towards the styles every code question needs, and are graded there, not twice.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Literal, NotRequired, TypedDict

import pytest
import yaml

from grader import GradeRequest, GraderPool, SubmissionReport
from questions import CodeQuestion, DeckLibrary

pytestmark = pytest.mark.slow  # starts grader workers or real processes

HERE = Path(__file__).parent
STYLES = HERE / "submissions" / "styles"
SEED = 0
TIMEOUT = 20.0
MIN_CORRECT = 4
MIN_WRONG = 2
MIN_MISTAKES = 3
DECK_FIXTURES = HERE.parent / "unit" / "fixtures"
# In the order the grader runs them.
CHECKS = (
    "compile",
    "load",
    "construct",
    "rules",
    "parameters",
    "output_shape",
    "initial",
    "outputs",
    "gradients",
    "flops",
)


class Entry(TypedDict):
    """One submission of the manifest."""

    question: str
    file: str
    expect: Literal["pass", "fail"]
    why: str
    fails: NotRequired[str]
    known: NotRequired[str]


def _load_manifest() -> list[Entry]:
    data = yaml.safe_load((STYLES / "MANIFEST.yaml").read_text(encoding="utf-8"))
    entries: list[Entry] = data["submissions"]
    return entries


ENTRIES = _load_manifest()


def _param(entry: Entry) -> object:
    marks = []
    if "known" in entry:
        marks.append(pytest.mark.xfail(strict=True, reason=f"known: {entry['known']}"))
    return pytest.param(entry, id=entry["file"], marks=marks)


def _first_failure(report: SubmissionReport) -> str | None:
    return next((c.name for c in report.checks if c.status in ("fail", "error")), None)


@pytest.fixture(scope="module")
def graded() -> Iterator[dict[str, SubmissionReport]]:
    """Every file of the manifest graded once, in one pool, by its file name."""
    library = DeckLibrary.discover(include_user=False)
    requests = []
    for entry in ENTRIES:
        loaded, question = library.question(entry["question"])
        requests.append(
            GradeRequest(
                submission=str(STYLES / entry["file"]),
                deck_path=str(loaded.path),
                question_id=question.id,
                display=entry["file"],
                seed=SEED,
                timeout=TIMEOUT,
            )
        )
    with GraderPool(jobs=2) as pool:
        reports = pool.grade_all(requests)
    yield {r.submission: r for r in reports}


def test_every_submission_file_is_in_the_manifest() -> None:
    on_disk = sorted(str(p.relative_to(STYLES)) for p in STYLES.rglob("*.py"))
    assert sorted(e["file"] for e in ENTRIES) == on_disk


def test_every_entry_is_well_formed() -> None:
    misplaced = [e["file"] for e in ENTRIES if not e["file"].startswith(e["question"] + "/")]
    assert misplaced == []
    assert [e["file"] for e in ENTRIES if e["expect"] not in ("pass", "fail")] == []
    assert [e["file"] for e in ENTRIES if e.get("fails", "outputs") not in CHECKS] == []
    assert [e["file"] for e in ENTRIES if "fails" in e and e["expect"] != "fail"] == []


def test_every_code_question_has_correct_styles_and_mistakes() -> None:
    library = DeckLibrary.discover(include_user=False)
    wrong_solutions = {
        f"{loaded.id}/{question.id}": question.wrong_solutions
        for loaded in library.decks
        for question in loaded.deck.questions
        if isinstance(question, CodeQuestion) and question.checks is not None
    }
    code_questions = sorted(wrong_solutions)
    correct = Counter(e["question"] for e in ENTRIES if e["expect"] == "pass")
    wrong = Counter(e["question"] for e in ENTRIES if e["expect"] == "fail")
    # The corpus of judgement cases: four correct styles and two mistakes each.
    assert {q: n for q, n in correct.items() if n < MIN_CORRECT} == {}
    assert {q: n for q, n in wrong.items() if n < MIN_WRONG} == {}
    # Every code question: another correct style, and three mistakes check-deck or a
    # grading test proves are caught.
    for question in code_questions:
        folder = DECK_FIXTURES / question
        correct[question] += len(list(folder.glob("correct_*.py")))
        wrong[question] += len(list(folder.glob("wrong_*.py"))) + len(wrong_solutions[question])
    assert {q: correct[q] for q in code_questions if correct[q] < 1} == {}
    assert {q: wrong[q] for q in code_questions if wrong[q] < MIN_MISTAKES} == {}


@pytest.mark.parametrize("entry", [_param(e) for e in ENTRIES])
def test_file_gets_the_verdict_of_the_manifest(
    graded: dict[str, SubmissionReport], entry: Entry
) -> None:
    report = graded[entry["file"]]
    first = _first_failure(report)
    message = next((c.message for c in report.checks if c.name == first), report.error)
    mode = ", ".join(report.isolation[:1])
    detail = f"{report.status}, first failure {first}: {message} ({mode})"
    if entry["expect"] == "pass":
        assert report.status == "pass", detail
        assert report.score == 1.0, detail
        return
    if "known" in entry:  # while marked, only the verdict: any check may be the one to catch it
        assert report.status != "pass", detail
        return
    assert report.status == "fail", detail
    if "fails" in entry:
        assert first == entry["fails"], detail
