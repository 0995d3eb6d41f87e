"""Grading a deck's fixture files for real, written once for every deck that has them.

A deck's fixtures live in ``fixtures/<deck id>/<question id>/<file>.py``; a file is named for
the verdict the real grader must give it: ``correct_*`` must pass with full marks, ``wrong_*``
must fail, first at the check its test module names, and ``known_*`` are files the grader gets
wrong today (strict xfails, so a grader that gets them right turns the test red). Every name
here is such a relative path, ``question-id/file.py``, which is also the test id and the key of
the graded reports.

The test modules keep their own tests (their ids are theirs); these helpers are what the tests
do: list the files, mark the known ones, grade them all once in one pool, and check names and
verdicts.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from deck_suite import DECKS_DIR

if TYPE_CHECKING:
    from _pytest.mark.structures import ParameterSet

    from grader import CheckResult, SubmissionReport

FIXTURES_DIR = Path(__file__).parent / "fixtures"

ANY_CHECK = "any check"
"""``fails_at`` for a file that must fail without saying where (a known one)."""


def fixture_files(deck_id: str, pattern: str = "*.py") -> list[str]:
    """``question-id/file.py`` for each fixture of the deck whose file name matches ``pattern``."""
    folder = FIXTURES_DIR / deck_id
    return sorted(str(path.relative_to(folder)) for path in folder.rglob(pattern))


def file_name(name: str) -> str:
    """The file part of ``question-id/file.py``."""
    return name.split("/")[1]


def fixture_params(names: Iterable[str], known: Mapping[str, str] = {}) -> list[ParameterSet]:
    """One parameter per name, its id the name; a known one is a strict xfail for its reason."""
    return [
        pytest.param(
            name,
            id=name,
            marks=[pytest.mark.xfail(strict=True, reason=known[name])] if name in known else [],
        )
        for name in names
    ]


def grade_fixtures(
    deck_id: str, names: Sequence[str], *, jobs: int = 2, timeout: float = 60.0
) -> dict[str, SubmissionReport]:
    """Grade each named fixture against its question, in one pool; the reports by name."""
    from grader import GradeRequest, GraderPool

    requests = [
        GradeRequest(
            submission=str(FIXTURES_DIR / deck_id / name),
            deck_path=str(DECKS_DIR / f"{deck_id}.yaml"),
            question_id=name.split("/")[0],
            display=name,
            seed=0,
            timeout=timeout,
        )
        for name in names
    ]
    with GraderPool(jobs=jobs) as pool:
        reports = pool.grade_all(requests)
    return {report.submission: report for report in reports}


def first_failure(report: SubmissionReport) -> CheckResult | None:
    """The first check that failed or raised, if any."""
    return next(iter(report.failed_checks), None)


def _detail(report: SubmissionReport) -> str:
    """What went wrong, for an assertion message: the status, error and checks not passed."""
    failures = [(c.name, c.status, c.message) for c in report.checks if c.status != "pass"]
    return f"{report.status} ({report.error}): {failures}"


def assert_verdict(report: SubmissionReport, fails_at: str | None = None) -> None:
    """``fails_at`` None: the report passes with full marks; else it fails, first at that check
    (at any check for ``ANY_CHECK``)."""
    if fails_at is None:
        assert report.status == "pass", _detail(report)
        assert report.score == 1.0, _detail(report)
        return
    assert report.status == "fail", _detail(report)
    if fails_at != ANY_CHECK:
        failed = first_failure(report)
        assert failed is not None and failed.name == fails_at, _detail(report)


def assert_all_pass(reports: Mapping[str, SubmissionReport]) -> None:
    """Every report passes; a failure names every file that did not, with its checks."""
    assert reports, "nothing was graded"
    failed = {name: _detail(report) for name, report in reports.items() if report.status != "pass"}
    assert failed == {}


def expected_verdict(name: str, fails_at: Mapping[str, str], known: Collection[str]) -> str | None:
    """What ``assert_verdict`` must see for a fixture named for its verdict: None for a
    ``correct_*`` file, ``ANY_CHECK`` for a known one, else the check ``fails_at`` names."""
    if file_name(name).startswith("correct_"):
        return None
    if name in known:
        return ANY_CHECK
    return fails_at[name]


def assert_named_for_verdict(
    names: Collection[str],
    code_ids: Collection[str],
    fails_at: Mapping[str, str],
    known: Collection[str],
    *,
    known_files: bool,
) -> None:
    """Every fixture sits under a code question and is named for its verdict.

    Each code question has fixtures and a ``correct_*`` one among them; ``fails_at`` names
    exactly the ``wrong_*`` files. ``known_files``: ``known_*`` files are allowed and ``known``
    names exactly them; otherwise every file is ``correct_*`` or ``wrong_*`` and ``known`` is
    some of them.
    """
    prefixes = ("correct_", "wrong_", "known_") if known_files else ("correct_", "wrong_")
    assert {n.split("/")[0] for n in names} == set(code_ids)
    assert all(file_name(n).startswith(prefixes) for n in names), sorted(names)
    assert set(fails_at) == {n for n in names if file_name(n).startswith("wrong_")}
    if known_files:
        assert set(known) == {n for n in names if file_name(n).startswith("known_")}
    else:
        assert set(known) <= set(names)
    for question_id in code_ids:
        assert any(n.startswith(f"{question_id}/correct_") for n in names), question_id
