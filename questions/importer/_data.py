"""What an import produces: the question data, warnings and the merge report."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, NotRequired, TypedDict

import yaml

from .._errors import QuestionsError
from .._loader import parse_deck

REVIEW_TAGS = ("imported", "review")
MAX_KEY_POINTS = 5


class ImportProblem(QuestionsError):
    """The notes hold nothing that can become a deck, or the deck file to merge into is not
    a deck."""


@dataclass(frozen=True)
class LineWarning:
    """Something the importer guessed or left out, at a line of the notes (1-based)."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class KeyPointData(TypedDict):
    point: str
    patterns: list[str]


class OptionData(TypedDict):
    text: str
    correct: bool


class QuestionData(TypedDict):
    """One question as written to the deck file (the deck models validate it)."""

    id: str
    kind: Literal["concept", "choice", "code"]
    prompt: str
    answer: str
    hints: NotRequired[list[str]]
    tags: list[str]
    key_points: NotRequired[list[KeyPointData]]
    options: NotRequired[list[OptionData]]
    multiple: NotRequired[bool]
    entry_point: NotRequired[str]
    signature: NotRequired[str]
    starter: NotRequired[str]
    reference: NotRequired[str]


class DeckData(TypedDict):
    id: str
    title: str
    source: str
    description: str
    questions: list[QuestionData]


@dataclass(frozen=True)
class ImportResult:
    """The deck built from the notes; ``found`` counts what looked like a question (each
    imported question, and each one skipped for want of an answer)."""

    deck: DeckData
    warnings: tuple[LineWarning, ...]
    found: int

    @property
    def imported(self) -> int:
        return len(self.deck["questions"])

    def to_yaml(self) -> str:
        return dump_deck(self.deck)


@dataclass(frozen=True)
class Merge:
    """A re-import merged into an existing deck file.

    ``text`` is the file to write (the existing text itself when nothing was added);
    ``kept`` are ids found in both, whose version in the file was kept; ``added`` are new
    questions, appended; ``gone`` are ids in the file that the notes no longer have (kept).
    ``rewritten`` says the file was written out afresh (its comments are not kept), which
    happens only when the deck's id or title changes or the questions cannot be appended.
    """

    text: str
    deck_id: str
    kept: tuple[str, ...]
    added: tuple[str, ...]
    gone: tuple[str, ...]
    rewritten: bool

    @property
    def changed(self) -> bool:
        return bool(self.added) or self.rewritten


# =========================================================================== YAML


_FIELD_ORDER = (
    "id",
    "kind",
    "title",
    "prompt",
    "answer",
    "hints",
    "tags",
    "key_points",
    "options",
    "multiple",
    "entry_point",
    "signature",
    "starter",
    "reference",
)


def _in_field_order(question: Mapping[str, object]) -> dict[str, object]:
    """A question's fields in the order the deck format documents them (others last)."""
    known = {key: question[key] for key in _FIELD_ORDER if key in question}
    return known | {key: value for key, value in question.items() if key not in known}


# =========================================================================== YAML


class _BlockDumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    if style and any(line != line.rstrip() for line in value.splitlines()):
        style = None  # block scalars cannot keep trailing spaces; quote instead
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BlockDumper.add_representer(str, _str)


def _dump(data: object) -> str:
    return yaml.dump(data, Dumper=_BlockDumper, sort_keys=False, allow_unicode=True, width=100)


def dump_deck(deck: Mapping[str, Any]) -> str:
    """Deck data as readable YAML (block scalars for multi-line text), validated first."""
    data = dict(deck)
    if isinstance(data.get("questions"), list):
        data["questions"] = [
            _in_field_order(q) if isinstance(q, Mapping) else q for q in data["questions"]
        ]
    text = _dump(data)
    parse_deck(text, "<imported deck>")  # never hand back a deck that does not load
    return text
