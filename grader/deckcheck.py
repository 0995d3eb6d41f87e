"""What ``quiz check-deck`` proves about a deck beyond its schema.

- every numeric part's ``working`` evaluates to its answer (and each accepted
  alternative's working to its value), within the part's tolerance;
- every concept key point is hit by the question's own reference answer, and each of
  the question's ``examples`` hits and misses the key points it says (a packaged deck's
  concept questions need at least two correct examples and two wrong ones, a
  misconception and a keyword list);
- every wrong solution names a check that the question actually runs;
- through the grader (``code_expectations``/``code_problem``): each code
  question's reference passes its own checks and each wrong solution fails,
  first on the check it names.

Problems are located in the YAML (``file:line:col``); notes say what was not
verified and why.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from questions import (
    CHECK_ORDER,
    CodeQuestion,
    ConceptQuestion,
    Deck,
    DeckError,
    DeckLibrary,
    DrawError,
    NumericQuestion,
    Problem,
    SourceMap,
    Tolerance,
    draw_numbers,
    draw_values,
    evaluate_expression,
    load_deck_located,
    packaged_decks_dir,
)

from ._errors import GraderError, NumericParseError
from .numeric import evaluate_working, format_number
from .pool import GradeRequest, GraderPool
from .report import SubmissionReport

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
    shipped = Path(path).resolve().parent == packaged_decks_dir().resolve()
    problems, notes = check_deck(deck, where, shipped=shipped)
    return DeckCheck(str(path), deck, where, tuple(problems), tuple(notes))


GradeAll = Callable[[GraderPool, Sequence[GradeRequest]], list[SubmissionReport]]
"""How a run grades its requests with a started pool (the CLI passes one that shows progress)."""


@dataclass(frozen=True)
class DeckRun:
    """The outcome of checking several deck files together."""

    results: tuple[DeckCheck, ...]
    problems: tuple[tuple[Problem, ...], ...]
    """Per file: its own problems, then clashes with other files and grading surprises."""
    graded: int
    """Code solutions run through the grader."""

    @property
    def failed(self) -> int:
        return sum(
            1
            for result, problems in zip(self.results, self.problems, strict=True)
            if result.deck is None or problems
        )


def check_decks(
    files: Sequence[Path],
    *,
    grade_code: bool = True,
    jobs: int = 2,
    grade_all: GradeAll | None = None,
) -> DeckRun:
    """Check ``files`` one by one, then together: a deck id may be used once; with
    ``grade_code``, every code question's reference and wrong solutions go through the
    grader and every measured numeric part is measured."""
    results = [check_deck_file(f) for f in files]
    problems: list[list[Problem]] = [list(r.problems) for r in results]
    first_source: dict[str, str] = {}
    for result, found in zip(results, problems, strict=True):
        if result.deck is not None and result.where is not None:
            earlier = first_source.setdefault(result.deck.id, result.source)
            if earlier != result.source:
                found.append(
                    result.where.problem(
                        ("id",), f"duplicate deck id {result.deck.id!r}, also in {earlier}"
                    )
                )
    _check_replacements(results, problems)
    graded = _grade_code(results, problems, jobs, grade_all) if grade_code else 0
    return DeckRun(tuple(results), tuple(tuple(p) for p in problems), graded)


def _check_replacements(results: Sequence[DeckCheck], problems: list[list[Problem]]) -> None:
    """Every retired question's ``replaced_by`` names a question asked in a deck checked here
    or installed."""
    live = set(DeckLibrary.discover().question_ids())
    live |= {f"{r.deck.id}/{q.id}" for r in results if r.deck for q in r.deck.questions}
    for result, found in zip(results, problems, strict=True):
        if result.deck is None or result.where is None:
            continue
        for index, question in enumerate(result.deck.retired):
            if question.replaced_by not in live:
                found.append(
                    result.where.problem(
                        ("retired", index, "replaced_by"),
                        f"{question.replaced_by!r} is not a question asked in any deck",
                    )
                )


def _grade_code(
    results: Sequence[DeckCheck],
    problems: list[list[Problem]],
    jobs: int,
    grade_all: GradeAll | None,
) -> int:
    """Grade every deck's references and wrong solutions, and take the measurements numeric
    answers declare; add a problem per surprise. Decks with problems already are skipped."""
    expectations = [
        (i, e) for i, r in enumerate(results) if not problems[i] for e in code_expectations(r)
    ]
    measures = [
        (i, m) for i, r in enumerate(results) if not problems[i] for m in measure_expectations(r)
    ]
    if not expectations and not measures:
        return 0
    with GraderPool(jobs=min(jobs, max(1, len(expectations)))) as pool:
        requests = [e.request for _, e in expectations]
        reports = grade_all(pool, requests) if grade_all else pool.grade_all(requests)
        for index, measured_part in measures:
            where = results[index].where
            assert where is not None
            try:
                value: float | str = pool.measure(results[index].source, measured_part.spec)
            except GraderError as exc:
                value = str(exc)
            problem = measure_problem(measured_part, value, where)
            if problem is not None:
                problems[index].append(problem)
    for (index, expectation), report in zip(expectations, reports, strict=True):
        where = results[index].where
        assert where is not None
        problem = code_problem(expectation, report, where)
        if problem is not None:
            problems[index].append(problem)
    return len(expectations)


def check_deck(
    deck: Deck, where: SourceMap, *, shipped: bool = False
) -> tuple[list[Problem], list[str]]:
    """Self-checks of a loaded deck: (problems, notes). A ``shipped`` (packaged) deck must
    prove every concept question's key points with examples."""
    problems: list[Problem] = []
    notes: list[str] = []
    for index, question in enumerate(deck.questions):
        loc = ("questions", index)
        if isinstance(question, NumericQuestion) and question.params:
            problems += _check_drawn(question, loc, where)
        elif isinstance(question, NumericQuestion):
            problems += _check_numeric(question, loc, where)
            unverified = [p.label for p in question.parts if p.working is None]
            if unverified:
                notes.append(
                    f"{deck.id}/{question.id}: no `working` for {', '.join(unverified)}; "
                    "those answers are not verified"
                )
        elif isinstance(question, ConceptQuestion):
            own = question.judge(question.answer).verdicts
            for k_index, (key_point, verdict) in enumerate(
                zip(question.key_points, own, strict=True)
            ):
                if not verdict.hit:
                    problems.append(
                        where.problem(
                            (*loc, "key_points", k_index, "patterns"),
                            f"key point {key_point.point!r} is not hit by the question's own "
                            "answer",
                        )
                    )
            problems += _check_examples(question, loc, where)
            missing = _examples_missing(question)
            if missing and shipped:
                problems.append(where.problem((*loc, "examples"), missing))
            elif missing:
                notes.append(f"{deck.id}/{question.id}: {missing}")
        elif isinstance(question, CodeQuestion):
            problems += _check_code(question, loc, where)
            if question.checks is None:
                notes.append(f"{deck.id}/{question.id}: no `checks`, so it cannot be graded")
            else:
                notes += [
                    f"{deck.id}/{question.id}: argument {name!r} has a default but is never "
                    "drawn, so an answer that ignores it passes (draw it under `checks.init`)"
                    for name in _undrawn_defaults(question)
                ]
    return problems, notes


MIN_CORRECT_EXAMPLES = 2
MIN_WRONG_EXAMPLES = 2


def _examples_missing(question: ConceptQuestion) -> str | None:
    """What the question's examples lack to prove its key points, or None."""
    kinds = [example.kind for example in question.examples]
    correct = kinds.count("correct")
    wrong = len(kinds) - correct
    lacking = []
    if correct < MIN_CORRECT_EXAMPLES:
        lacking.append(f"{MIN_CORRECT_EXAMPLES} correct answers in different words")
    if wrong < MIN_WRONG_EXAMPLES or "misconception" not in kinds or "keywords" not in kinds:
        lacking.append(
            f"{MIN_WRONG_EXAMPLES} wrong ones (at least a misconception and a keyword list)"
        )
    if not lacking:
        return None
    return (
        f"examples prove the key points: it needs at least {' and '.join(lacking)}; "
        f"it has {correct} correct and {wrong} wrong"
    )


def _check_examples(
    question: ConceptQuestion, loc: tuple[Any, ...], where: SourceMap
) -> list[Problem]:
    """Each example hits the key points it must hit and misses those it must miss."""
    problems = []
    count = len(question.key_points)
    for e_index, example in enumerate(question.examples):
        judgement = question.judge(example.answer)
        hit = {n for n, verdict in enumerate(judgement.verdicts, 1) if verdict.hit}
        must_hit, must_miss = example.expected(count)
        missed = sorted(must_hit - hit)
        wrongly = sorted(must_miss & hit)
        if not missed and not wrongly:
            continue
        said = []
        if missed:
            said.append(f"misses key point(s) {', '.join(map(str, missed))}")
        if wrongly:
            spans = "; ".join(
                f"{n}: {' / '.join(repr(s.text) for s in judgement.verdicts[n - 1].claims)}"
                for n in wrongly
            )
            said.append(f"hits key point(s) it must miss ({spans})")
        problems.append(
            where.problem(
                (*loc, "examples", e_index, "answer"),
                f"{example.kind} example {e_index + 1} {' and '.join(said)}",
            )
        )
    return problems


def _undrawn_defaults(question: CodeQuestion) -> list[str]:
    """Arguments of the reference's constructor (or function) that have a default value
    and are not drawn: read from the source, nothing is run."""
    assert question.checks is not None
    try:
        tree = ast.parse(question.reference)
    except SyntaxError:
        return []  # the grader reports the reference itself
    target: ast.FunctionDef | None = None
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == question.entry_point:
            target = node
        elif isinstance(node, ast.ClassDef) and node.name == question.entry_point:
            target = next(
                (n for n in node.body if isinstance(n, ast.FunctionDef) and n.name == "__init__"),
                None,
            )
    if target is None:
        return []
    arguments = target.args
    positional = [*arguments.posonlyargs, *arguments.args]
    with_default = [a.arg for a in positional[len(positional) - len(arguments.defaults) :]]
    with_default += [
        a.arg for a, d in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True) if d
    ]
    drawn = {*question.checks.init, *question.checks.inputs}
    return [name for name in with_default if name not in drawn]


@dataclass(frozen=True)
class CodeExpectation:
    """A deck solution to run through the grader, and what must come of it."""

    request: GradeRequest
    loc: tuple[str | int, ...]
    label: str
    fails: str | None  # the check a wrong solution must fail first; None: must pass


def code_expectations(check: DeckCheck, *, seed: int = 0) -> list[CodeExpectation]:
    """The reference (must pass) and every wrong solution (must fail where it says)."""
    if check.deck is None:
        return []
    out: list[CodeExpectation] = []
    for index, question in enumerate(check.deck.questions):
        if not isinstance(question, CodeQuestion) or question.checks is None:
            continue
        full_id = f"{check.deck.id}/{question.id}"

        def request(which: str, display: str, question_id: str = question.id) -> GradeRequest:
            return GradeRequest(
                submission=which,
                deck_path=check.source,
                question_id=question_id,
                display=display,
                seed=seed,
                from_deck=True,
            )

        out.append(
            CodeExpectation(
                request("reference", f"{full_id} reference"),
                ("questions", index, "reference"),
                f"{full_id} reference",
                None,
            )
        )
        for w_index, wrong in enumerate(question.wrong_solutions):
            label = f"{full_id} wrong solution {wrong.name!r}"
            out.append(
                CodeExpectation(
                    request(f"wrong:{w_index}", label),
                    ("questions", index, "wrong_solutions", w_index, "fails"),
                    label,
                    wrong.fails,
                )
            )
    return out


def code_problem(
    expectation: CodeExpectation, report: SubmissionReport, where: SourceMap
) -> Problem | None:
    """Why ``report`` does not meet ``expectation``, located in the deck; None if it does."""
    first = next((c for c in report.checks if c.status in ("fail", "error")), None)
    if report.status == "error":
        why = f"could not be graded: {report.error}"
    elif expectation.fails is None:
        if report.status == "pass":
            return None
        assert first is not None
        why = f"fails its own checks: {first.name}: {first.message}"
    elif first is None:
        why = f"passes every check; it should fail on {expectation.fails!r}"
    elif first.name != expectation.fails:
        why = f"fails first on {first.name!r} ({first.message}), not on {expectation.fails!r}"
    else:
        return None
    return where.problem(expectation.loc, f"{expectation.label} {why}")


MEASURED_DRAWS = 3


@dataclass(frozen=True)
class MeasureExpectation:
    """A numeric answer that must equal a count taken on a code question's reference."""

    loc: tuple[str | int, ...]
    label: str
    spec: dict[str, object]
    expected: float
    tolerance: Tolerance


def measure_expectations(check: DeckCheck) -> list[MeasureExpectation]:
    """Every part with ``measure``: for drawn numbers, a few draws, each resolved."""
    if check.deck is None:
        return []
    out: list[MeasureExpectation] = []
    for index, question in enumerate(check.deck.questions):
        if not isinstance(question, NumericQuestion):
            continue
        seeds = range(MEASURED_DRAWS) if question.params else [None]
        for seed in seeds:
            values = draw_values(question, seed) if seed is not None else {}
            drawn = draw_numbers(question, seed) if seed is not None else question
            for p_index, (part, filled) in enumerate(zip(question.parts, drawn.parts, strict=True)):
                if part.measure is None:
                    continue

                spec: dict[str, object] = {
                    "question": part.measure.question,
                    "count": part.measure.count,
                    "args": {k: _resolved(v, values) for k, v in part.measure.args.items()},
                    "inputs": {
                        k: [_resolved(d, values) for d in shape]
                        for k, shape in part.measure.inputs.items()
                    },
                }
                where = "" if seed is None else f" (numbers of seed {seed})"
                out.append(
                    MeasureExpectation(
                        ("questions", index, "parts", p_index, "measure"),
                        f"{check.deck.id}/{question.id} part {p_index + 1}{where}",
                        spec,
                        filled.value,
                        part.tolerance,
                    )
                )
    return out


def _resolved(value: object, values: dict[str, Any]) -> object:
    if isinstance(value, str):
        number = evaluate_expression(value, dict(values))
        return int(number) if number.is_integer() else number
    return value


def measure_problem(
    expectation: MeasureExpectation, measured: float | str, where: SourceMap
) -> Problem | None:
    """Why a measurement disagrees with the answer; None when it agrees."""
    if isinstance(measured, str):
        return where.problem(expectation.loc, f"{expectation.label}: {measured}")
    if expectation.tolerance.allows(measured, expectation.expected):
        return None
    return where.problem(
        expectation.loc,
        f"{expectation.label}: the answer is {format_number(expectation.expected)}, but the "
        f"reference of {expectation.spec['question']!r} has {format_number(measured)} "
        f"{expectation.spec['count']}",
    )


def _check_numeric(
    question: NumericQuestion, loc: tuple[str | int, ...], where: SourceMap
) -> Iterable[Problem]:
    for p_index, part in enumerate(question.parts):
        part_loc = (*loc, "parts", p_index)
        targets = [(part.working, part.value, part.tolerance, (*part_loc, "working"))]
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


DRAWS_CHECKED = 25


def _check_drawn(
    question: NumericQuestion, loc: tuple[str | int, ...], where: SourceMap
) -> Iterable[Problem]:
    """Draw the numbers many times: every draw must give finite answers and, where a part
    shows its working, working that computes the answer."""
    for seed in range(DRAWS_CHECKED):
        try:
            drawn = draw_numbers(question, seed)
        except DrawError as exc:
            yield where.problem((*loc, "params"), f"cannot draw the numbers (seed {seed}): {exc}")
            return
        for p_index, part in enumerate(drawn.parts):
            if part.working:
                problem = _working_problem(part.working, part.value, part.tolerance)
                if problem:
                    yield where.problem(
                        (*loc, "parts", p_index, "working"),
                        f"with the numbers of seed {seed}, {problem}",
                    )
                    return


def _working_problem(working: str, expected: float, tolerance: Tolerance) -> str | None:
    try:
        value = evaluate_working(working)
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
    if question.checks.forbid or question.checks.kind == "autograd_function":
        runs.add("rules")
    if question.checks.initial:
        runs.add("initial")
    for w_index, wrong in enumerate(question.wrong_solutions):
        if wrong.fails not in runs:
            yield where.problem(
                (*loc, "wrong_solutions", w_index, "fails"),
                f"fails on {wrong.fails!r}, but the question does not run that check "
                f"(it runs {', '.join(c for c in CHECK_ORDER if c in runs)})",
            )
