"""What ``quiz check-deck`` proves about a deck beyond its schema.

- every numeric part's ``working`` evaluates to its answer (and each accepted
  alternative's working to its value), within the part's tolerance;
- every concept key point is hit by the question's own reference answer;
- every wrong solution names a check that the question actually runs.

Problems are located in the YAML (``file:line:col``); notes say what was not
verified and why.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from questions import (
    CHECK_ORDER,
    CodeQuestion,
    ConceptQuestion,
    Deck,
    DeckError,
    NumericQuestion,
    Problem,
    SourceMap,
    Tolerance,
    load_deck_located,
)

from ._errors import NumericParseError
from .numeric import evaluate_arithmetic, format_number

# Checks the grader runs on every code question, whatever `compare` lists.
ALWAYS_RUN = ("compile", "load", "construct")


@dataclass(frozen=True)
class DeckCheck:
    """The outcome of checking one deck file."""

    source: str
    deck: Deck | None
    where: SourceMap | None = None
    problems: tuple[Problem, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return self.deck is not None and not self.problems


def check_deck_file(path: Path | str) -> DeckCheck:
    """Load the deck at ``path`` and run every self-check on it."""
    try:
        deck, where = load_deck_located(path)
    except DeckError as exc:
        return DeckCheck(str(path), None, problems=exc.problems)
    problems, notes = check_deck(deck, where)
    return DeckCheck(str(path), deck, where, tuple(problems), tuple(notes))


def check_deck(deck: Deck, where: SourceMap) -> tuple[list[Problem], list[str]]:
    """Self-checks of a loaded deck: (problems, notes)."""
    problems: list[Problem] = []
    notes: list[str] = []
    for index, question in enumerate(deck.questions):
        loc = ("questions", index)
        if isinstance(question, NumericQuestion):
            problems += _check_numeric(question, loc, where)
            unverified = [p.label for p in question.parts if p.working is None]
            if unverified:
                notes.append(
                    f"{deck.id}/{question.id}: no `working` for {', '.join(unverified)}; "
                    "those answers are not verified"
                )
        elif isinstance(question, ConceptQuestion):
            for k_index, key_point in enumerate(question.key_points):
                if not key_point.hit_by(question.answer):
                    problems.append(
                        where.problem(
                            (*loc, "key_points", k_index, "patterns"),
                            f"key point {key_point.point!r} is not hit by the question's own "
                            "answer",
                        )
                    )
        elif isinstance(question, CodeQuestion):
            problems += _check_code(question, loc, where)
            if question.checks is None:
                notes.append(f"{deck.id}/{question.id}: no `checks`, so it cannot be graded")
            else:
                notes.append(
                    f"{deck.id}/{question.id}: reference and {len(question.wrong_solutions)} wrong "
                    "solution(s) parse; running them through the code grader is not available "
                    "in this version"
                )
    return problems, notes


def _check_numeric(
    question: NumericQuestion, loc: tuple[str | int, ...], where: SourceMap
) -> Iterable[Problem]:
    for p_index, part in enumerate(question.parts):
        part_loc = (*loc, "parts", p_index)
        targets = [(part.working, part.answer, part.tolerance, (*part_loc, "working"))]
        targets += [
            (
                alt.working,
                alt.value,
                alt.tolerance or part.tolerance,
                (*part_loc, "also_accept", a_index, "working"),
            )
            for a_index, alt in enumerate(part.also_accept)
        ]
        for working, expected, tolerance, working_loc in targets:
            if working is not None:
                problem = _working_problem(working, expected, tolerance)
                if problem:
                    yield where.problem(working_loc, problem)


def _working_problem(working: str, expected: float, tolerance: Tolerance) -> str | None:
    try:
        value = evaluate_arithmetic(working)
    except NumericParseError as exc:
        return f"working {working!r} does not evaluate: {exc}"
    if not tolerance.allows(value, expected):
        return (
            f"working {working!r} gives {format_number(value)}, but the answer is "
            f"{format_number(expected)} ({tolerance.describe()})"
        )
    return None


def _check_code(
    question: CodeQuestion, loc: tuple[str | int, ...], where: SourceMap
) -> Iterable[Problem]:
    if question.checks is None:
        return
    runs = set(ALWAYS_RUN) | set(question.checks.compare)
    for w_index, wrong in enumerate(question.wrong_solutions):
        if wrong.fails not in runs:
            yield where.problem(
                (*loc, "wrong_solutions", w_index, "fails"),
                f"fails on {wrong.fails!r}, but the question does not run that check "
                f"(it runs {', '.join(c for c in CHECK_ORDER if c in runs)})",
            )
