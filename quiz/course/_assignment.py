"""Assignments: a YAML file naming code questions and their points, validated like a deck.

Every problem is reported as ``file:line:column: message (at questions[1].points)``, all
problems of a file at once, and the questions are resolved against the deck library (an
unknown or non-code question is a located problem, with the closest ids as a hint).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from questions import (
    CodeQuestion,
    DeckError,
    DeckLibrary,
    LoadedDeck,
    Problem,
    SourceMap,
    UnknownQuestionError,
    format_path,
)

MAX_ASSIGNMENT_BYTES = 1_000_000
# As deck and question ids are spelled (questions._models).
_ID = r"^[a-z0-9][a-z0-9_-]*$"
_QUESTION_ID = r"^[a-z0-9][a-z0-9_-]*/[a-z0-9][a-z0-9_-]*$"


class AssignmentItem(BaseModel):
    """One question of an assignment and what it is worth."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    question: str = Field(
        pattern=_QUESTION_ID,
        description="A code question, as DECK/QID (see `quiz decks`).",
    )
    points: float = Field(gt=0, le=10_000, description="Points for passing every check.")


class AssignmentModel(BaseModel):
    """An assignment file: which code questions, worth how many points."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=_ID, description="Short id: lowercase letters, digits, - and _.")
    title: str = Field(min_length=1)
    questions: list[AssignmentItem] = Field(min_length=1)


@dataclass(frozen=True)
class GradedQuestion:
    """An assignment question resolved against the deck library."""

    id: str
    """``DECK/QID`` as the assignment file names it."""
    points: float
    deck_path: Path
    question: CodeQuestion

    @property
    def entry_point(self) -> str:
        return self.question.entry_point


@dataclass(frozen=True)
class Assignment:
    """A validated assignment whose questions all exist and are code questions with checks."""

    id: str
    title: str
    questions: tuple[GradedQuestion, ...]
    source: Path

    @property
    def points(self) -> float:
        """What the whole assignment is worth."""
        return sum(q.points for q in self.questions)

    @property
    def question_ids(self) -> tuple[str, ...]:
        return tuple(q.id for q in self.questions)

    def deck_files(self) -> tuple[Path, ...]:
        """The deck files the questions come from, each once, in question order."""
        return tuple(dict.fromkeys(q.deck_path for q in self.questions))


SCHEMA_FILE = Path(__file__).with_name("assignment.schema.json")
"""The schema, published for editors (``# yaml-language-server: $schema=…``); a test keeps it
equal to :func:`assignment_json_schema`."""


def assignment_json_schema() -> dict[str, Any]:
    """The JSON Schema of an assignment file, generated from :class:`AssignmentModel`."""
    schema = AssignmentModel.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "mlquiz assignment"
    return schema


def load_assignment(path: Path, library: DeckLibrary) -> Assignment:
    """Read, validate and resolve the assignment at ``path``; raises :class:`DeckError`."""
    source = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DeckError([Problem(source, 1, 1, f"cannot read: {exc.strerror or exc}")]) from None
    if len(raw) > MAX_ASSIGNMENT_BYTES:
        raise DeckError([Problem(source, 1, 1, "the file is too large for an assignment")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DeckError([Problem(source, line, 1, "the file is not UTF-8")]) from None
    return parse_assignment(text, library, source=source)


def parse_assignment(
    text: str, library: DeckLibrary, *, source: str = "<assignment>"
) -> Assignment:
    """Validate assignment YAML ``text``; ``source`` names it in error messages."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise DeckError([Problem(source, line, column, f"invalid YAML: {exc.problem}")]) from None
    except yaml.YAMLError as exc:
        raise DeckError([Problem(source, 1, 1, f"invalid YAML: {exc}")]) from None
    if root is None:
        raise DeckError([Problem(source, 1, 1, "the assignment is empty")])
    positions = SourceMap(root, source)
    try:
        data = yaml.SafeLoader(text).construct_document(root)
    except (yaml.YAMLError, RecursionError) as exc:
        raise DeckError([Problem(source, 1, 1, f"invalid YAML: {exc}")]) from None
    if not isinstance(data, dict):
        line, column = positions.of(())
        raise DeckError(
            [Problem(source, line, column, "an assignment is a mapping: id, title, questions")]
        )
    problems = list(positions.duplicates)
    model: AssignmentModel | None = None
    try:
        model = AssignmentModel.model_validate(data)
    except ValidationError as exc:
        problems += _validation_problems(exc, positions)
    problems += _question_problems(data.get("questions"), library, positions)
    if problems or model is None:
        unique = {(p.line, p.column, p.message): p for p in problems}
        raise DeckError(sorted(unique.values(), key=lambda p: (p.line, p.column)))
    resolved = []
    for item in model.questions:
        loaded, question = library.question(item.question)
        assert isinstance(question, CodeQuestion)
        resolved.append(GradedQuestion(item.question, item.points, loaded.path, question))
    return Assignment(model.id, model.title, tuple(resolved), Path(source))


def _validation_problems(exc: ValidationError, positions: SourceMap) -> list[Problem]:
    problems = []
    for error in exc.errors():
        loc = tuple(error["loc"])
        kind = error["type"]
        if kind == "extra_forbidden":
            message = "unknown field"
        elif kind == "missing":
            message = "missing required field"
        elif kind == "string_pattern_mismatch" and loc and loc[-1] == "question":
            message = "a question is named DECK/QID, e.g. inception-1x1/q10"
        elif kind == "string_pattern_mismatch":
            message = "an id is lowercase letters, digits, '-' and '_'"
        else:
            message = str(error["msg"])
            message = message[:1].lower() + message[1:]
        line, column = positions.of(loc, key=kind == "extra_forbidden")
        problems.append(Problem(positions.source, line, column, message, format_path(loc)))
    return problems


def _question_problems(items: Any, library: DeckLibrary, positions: SourceMap) -> list[Problem]:
    """Questions that repeat, that no deck has, or that cannot be graded."""
    problems: list[Problem] = []
    if not isinstance(items, list):
        return problems
    seen: set[str] = set()
    for index, item in enumerate(items):
        wanted = item.get("question") if isinstance(item, dict) else None
        if not isinstance(wanted, str) or not re.match(_QUESTION_ID, wanted):
            continue
        loc = ("questions", index, "question")
        if wanted in seen:
            problems.append(positions.problem(loc, f"duplicate question {wanted!r}"))
            continue
        seen.add(wanted)
        try:
            loaded, question = library.question(wanted)
        except UnknownQuestionError as exc:
            problems.append(positions.problem(loc, str(exc)))
            continue
        problem = _gradable(loaded, question, wanted)
        if problem:
            problems.append(positions.problem(loc, problem))
    return problems


def _gradable(loaded: LoadedDeck, question: object, wanted: str) -> str | None:
    if not isinstance(question, CodeQuestion):
        kind = getattr(question, "kind", "?")
        return f"{wanted!r} is a {kind} question; an assignment grades code questions only"
    if question.checks is None:
        return f"{wanted!r} has no checks in {loaded.path.name}: nothing to grade"
    return None
