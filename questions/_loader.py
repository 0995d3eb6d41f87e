"""Reading deck files: YAML with source positions, validated by the deck models.

Every problem is reported as ``file:line:column: message (at path)``, where
``path`` is the field path in the deck (``questions[3].parts[0].answer``). All
problems of a file are collected, not just the first.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ._errors import DeckError, Problem
from ._models import TRUSTED_PATTERNS, Deck

Position = tuple[int, int]
Loc = tuple[str | int, ...]

# libyaml's loader when PyYAML was built with it: ten times faster, same nodes and marks.
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_DECK_BYTES = 5_000_000
MAX_NODES = 200_000
MAX_DEPTH = 60


def format_path(loc: Loc) -> str:
    """``('questions', 3, 'parts', 0, 'answer')`` → ``questions[3].parts[0].answer``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class SourceMap:
    """Line and column (1-based) of every node in a composed YAML document."""

    def __init__(self, root: yaml.Node, source: str) -> None:
        self.source = source
        self._at: dict[Loc, Position] = {}
        self._key_at: dict[Loc, Position] = {}
        self.duplicates: list[Problem] = []
        self._budget = MAX_NODES
        self._walk(root, ())

    @staticmethod
    def _mark(node: yaml.Node) -> Position:
        return node.start_mark.line + 1, node.start_mark.column + 1

    def _walk(self, node: yaml.Node, loc: Loc) -> None:
        self._budget -= 1
        if self._budget < 0 or len(loc) > MAX_DEPTH:
            line, column = self._mark(node)
            raise DeckError(
                [
                    Problem(
                        self.source,
                        line,
                        column,
                        "deck is too large or too deeply nested (YAML aliases?)",
                    )
                ]
            )
        self._at[loc] = self._mark(node)
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key_node, value_node in node.value:
                key = str(key_node.value)
                if key in seen:
                    line, column = self._mark(key_node)
                    self.duplicates.append(
                        Problem(
                            self.source,
                            line,
                            column,
                            f"duplicate key {key!r}",
                            format_path((*loc, key)),
                        )
                    )
                seen.add(key)
                self._key_at[(*loc, key)] = self._mark(key_node)
                self._walk(value_node, (*loc, key))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self._walk(item, (*loc, index))

    def problem(self, loc: Loc, message: str) -> Problem:
        """A problem located at ``loc`` (or its nearest ancestor present in the file)."""
        line, column = self.of(loc)
        return Problem(self.source, line, column, message, format_path(loc))

    def of(self, loc: Loc, *, key: bool = False) -> Position:
        """Position of ``loc``, or of its nearest ancestor that exists."""
        if key and loc in self._key_at:
            return self._key_at[loc]
        while loc not in self._at and loc:
            loc = loc[:-1]
        return self._at.get(loc, (1, 1))


def _data_loc(loc: Loc, data: Any, *, missing: bool) -> Loc:
    """Map a pydantic error location onto the YAML data.

    pydantic puts union tags in locations (``questions.3.numeric.parts``); a
    part that names nothing in the data is such a tag and is dropped, except
    the last part of a "missing field" error, which names the absent key.
    """
    out: list[str | int] = []
    node = data
    for index, part in enumerate(loc):
        is_last = index == len(loc) - 1
        names_nothing = not isinstance(node, dict) or part not in node
        if isinstance(part, str) and not (missing and is_last) and names_nothing:
            continue
        out.append(part)
        if isinstance(node, dict) and isinstance(part, str):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            node = None
    return tuple(out)


def _message(error: Any) -> str:
    kind = error["type"]
    message: str = error["msg"]
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "missing":
        return "missing required field"
    if kind == "union_tag_invalid":
        tag = error.get("input", {})
        got = tag.get("kind") if isinstance(tag, dict) else None
        return f"unknown question kind {got!r}; expected one of concept, numeric, choice, code"
    if kind == "union_tag_not_found":
        return "missing `kind` (concept, numeric, choice or code)"
    if message.startswith("Value error, "):
        message = message.removeprefix("Value error, ")
    return message[:1].lower() + message[1:]


def _problems_from_validation(
    exc: ValidationError, data: Any, positions: SourceMap
) -> list[Problem]:
    problems = []
    seen: set[str] = set()
    for error in exc.errors():
        loc = _data_loc(tuple(error["loc"]), data, missing=error["type"] == "missing")
        message = _message(error)
        path = format_path(loc)
        if path in seen:  # one message per field: a union reports each member's failure
            continue
        seen.add(path)
        line, column = positions.of(loc, key=error["type"] == "extra_forbidden")
        problems.append(Problem(positions.source, line, column, message, path))
    return problems


def _repeated(items: Any, key: str, loc: Loc, what: str, positions: SourceMap) -> list[Problem]:
    """A problem for each item of the list ``items`` whose ``key`` repeats an earlier one."""
    problems: list[Problem] = []
    if not isinstance(items, list):
        return problems
    seen: set[str] = set()
    for index, item in enumerate(items):
        value = item.get(key) if isinstance(item, dict) else None
        if not isinstance(value, str):
            continue
        if value in seen:
            item_loc = (*loc, index, key)
            line, column = positions.of(item_loc)
            problems.append(
                Problem(
                    positions.source,
                    line,
                    column,
                    f"duplicate {what} {value!r}",
                    format_path(item_loc),
                )
            )
        seen.add(value)
    return problems


def _duplicate_ids(data: dict[str, Any], positions: SourceMap) -> list[Problem]:
    """Ids the models cannot police alone: repeated question ids and wrong-solution names."""
    problems: list[Problem] = []
    for section in ("questions", "retired"):
        questions = data.get(section)
        problems += _repeated(questions, "id", (section,), "question id", positions)
        for index, question in enumerate(questions if isinstance(questions, list) else []):
            if isinstance(question, dict):
                problems += _repeated(
                    question.get("wrong_solutions"),
                    "name",
                    (section, index, "wrong_solutions"),
                    "wrong solution name",
                    positions,
                )
    return problems


def parse_deck(text: str, source: str = "<deck>") -> Deck:
    """Validate deck YAML ``text``; ``source`` names it in error messages."""
    return parse_deck_located(text, source)[0]


def parse_deck_located(
    text: str, source: str = "<deck>", *, trusted: bool = False
) -> tuple[Deck, SourceMap]:
    """Like ``parse_deck``, also returning where each field sits in the text. ``trusted``: a
    packaged deck, checked when it was built, whose key-point patterns need no compiling now."""
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise DeckError([Problem(source, line, column, f"invalid YAML: {exc.problem}")]) from None
    except yaml.YAMLError as exc:
        raise DeckError([Problem(source, 1, 1, f"invalid YAML: {exc}")]) from None
    if root is None:
        raise DeckError([Problem(source, 1, 1, "the deck is empty")])

    positions = SourceMap(root, source)
    try:
        data = _Loader(text).construct_document(root)
    except (yaml.YAMLError, RecursionError) as exc:
        raise DeckError([Problem(source, 1, 1, f"invalid YAML: {exc}")]) from None
    if not isinstance(data, dict):
        line, column = positions.of(())
        raise DeckError(
            [
                Problem(
                    source,
                    line,
                    column,
                    "a deck must be a mapping with `id`, `title` and `questions`",
                )
            ]
        )
    problems = positions.duplicates + _duplicate_ids(data, positions)
    try:
        deck = Deck.model_validate(data, context={TRUSTED_PATTERNS: True} if trusted else None)
    except ValidationError as exc:
        problems += _problems_from_validation(exc, data, positions)
    if problems:
        raise DeckError(sorted(problems, key=lambda p: (p.line, p.column)))
    return deck, positions


def load_deck(path: Path | str) -> Deck:
    """Read and validate the deck file at ``path``."""
    return load_deck_located(path)[0]


def load_deck_located(path: Path | str, *, trusted: bool = False) -> tuple[Deck, SourceMap]:
    """Like ``load_deck``, also returning where each field sits in the file (``trusted``: see
    :func:`parse_deck_located`)."""
    path = Path(path)
    source = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DeckError([Problem(source, 1, 1, f"cannot read deck: {exc.strerror}")]) from None
    if len(raw) > MAX_DECK_BYTES:
        raise DeckError([Problem(source, 1, 1, f"deck is larger than {MAX_DECK_BYTES} bytes")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DeckError([Problem(source, 1, 1, f"deck is not UTF-8 text: {exc.reason}")]) from None
    return parse_deck_located(text, source, trusted=trusted)
