"""Turn interview notes written in markdown into a deck, and merge a re-import into it.

Questions are recognised by how they look, not by heading level:

* a heading (any level) that reads as a question: ``Q1: …``, ``Question 3. …``, text ending
  in ``?``, text starting with an interrogative or an instruction ("Why …", "Explain …"),
  or a heading whose text is followed by an answer marker;
* a ``**Q:** …`` line (``Q1.``, ``Question:``, bold or not), answered by ``**A:** …``;
* outside a question heading, a bold line or a list item ending in ``?`` with its answer
  below it, and a ``<details>`` block whose ``<summary>`` is the question.

A heading that is none of these is a section: its questions are tagged with its name and
it never swallows them. Answers start after ``**Answer:**``, ``**A:**``, an "Answer"
sub-heading or a ``<details><summary>Answer</summary>`` block, else right below the
question. ``Level:``/``Tags:`` lines are metadata, not answer text (tags become tags).

Each question becomes one of three kinds:

* **choice** when its text holds a ``- [x]`` / ``- [ ]`` list (ticked = correct);
* **code** when its answer's fenced Python is PyTorch and defines an ``nn.Module`` subclass
  or a function: the entry point is the class (else the function) the answer builds up to,
  top-level code that would run when the reference loads ("# Usage" lines) is removed, and
  the reference is compiled and checked here, without running it;
* **concept** otherwise, with key points proposed from the sentences and bullets that carry
  content, spread over the answer's parts (labels, fragments, examples and words that only
  repeat the question are left out); every pattern is checked against the answer itself.

Everything imported is tagged ``imported`` and ``review``: the proposals are a start, not a
finished deck. Guesses are :class:`LineWarning` s with the notes' line numbers; notes in which
nothing looks like an answered question raise :class:`ImportProblem`.

:func:`merge_into` re-imports into an existing deck file without losing hand edits: questions
already in the file are kept as they are there, new ones are appended, and questions no longer
in the notes are reported (and kept).
"""

from __future__ import annotations

import ast
import builtins
import copy
import functools
import importlib.util
import re
import sys
import textwrap
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, NotRequired, TypedDict

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token
from pydantic import TypeAdapter, ValidationError

from ._errors import QuestionsError
from ._loader import parse_deck
from ._models import Slug
from ._render import _DISPLAY_MATH, _INLINE_MATH

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


# =========================================================================== recognising


_EMPHASIS = r"(?:\*\*|__|\*|_)?"
_Q_MARKER = re.compile(
    rf"^\s*(?:[-*+]\s+)?{_EMPHASIS}\s*Q(?:uestion)?\s*(\d+)?\s*{_EMPHASIS}\s*"
    rf"(?:[:.)]|\s[-–—])\s*{_EMPHASIS}\s*(.*)$",
    re.IGNORECASE,
)
_A_MARKER = re.compile(
    rf"^\s*(?:[-*+]\s+)?{_EMPHASIS}\s*(?:A|Ans|Answer|Solution)\s*(?:\d+)?\s*{_EMPHASIS}\s*"
    rf":\s*{_EMPHASIS}\s*(.*)$|"
    r"^\s*(?:\*\*|__)\s*(?:Ans|Answer|Solution)\s*[.:]?\s*(?:\*\*|__)\s*[.:]?\s*(.*)$",
    re.IGNORECASE,
)
_NUMBERED = re.compile(r"^(?:Question\s+|No\.?\s*|#)?(\d+)\s*(?:[:.)]|\s[-–—])\s*(.+)$", re.I)
_ANSWER_LABEL = re.compile(
    r"^(?:show\s+|click\s+(?:here\s+)?(?:to\s+)?(?:see|show|reveal|expand)?\s*)?(?:the\s+)?"
    r"(?:answer|solution|ans|explanation|reveal|expand|click)\b.{0,30}$",
    re.IGNORECASE,
)
_HINT_LABEL = re.compile(r"^\W*hints?\b", re.IGNORECASE)
_INTERROGATIVE = re.compile(
    r"^(?:why|which|how\s+(?!to\b)\w+|(?:what|when|where|who)(?:'s|\s+(?:is|are|was|were|do|"
    r"does|did|can|could|should|would|will|happens?|makes?|if|kind|type|types|role))|"
    r"(?:is|are|does|do|did|can|could|should|would|will)\s+\w+|"
    r"(?:explain|describe|define|compare|contrast|implement|derive|calculate|compute|prove|"
    r"differentiate|distinguish|estimate|discuss|outline|justify|sketch|walk\s+through)\b)",
    re.IGNORECASE,
)
_BOLD_LINE = re.compile(r"^\s*(?:\*\*|__)(?P<q>.+?)(?:\*\*|__)\s*[:.]?\s*(?P<rest>.*)$")
_ITEM_QUESTION = re.compile(r"^(?P<indent>\s{0,3})(?P<mark>\d+[.)]|[-*+])\s+(?P<q>.+?)\s*$")
_DETAILS_OPEN = re.compile(r"^\s*<details\b", re.IGNORECASE)
_DETAILS_CLOSE = re.compile(r"</details\s*>", re.IGNORECASE)
_SUMMARY = re.compile(r"<summary\b[^>]*>(.*?)</summary\s*>", re.IGNORECASE | re.DOTALL)
_HTML_TAG = re.compile(r"<[^>]+>")
_TITLE = re.compile(r"^(?:Day\s+\d+\s+)?(?:Interview\s+Questions?)?\s*[:\-–]?\s*(.+)$", re.I)
_HR = re.compile(r"^\s{0,3}([-*_])(?:\s*\1){2,}\s*$")
_TRAILING_NOISE = re.compile(
    r"(?:\[\[[^\]]*\]\]?\([^)]*\)\]?|\[[^\]]*\]\([^)]*\)|\([^()]*https?://[^()]*\)"
    r"|[^\w\s?!.)\]'\"`$*_]+)\s*$"
)
_LINK_REFERENCE = re.compile(r"\[\[[^\]]*\]\]?\([^)]*\)\]?")
_BREAK_LINE = re.compile(r"^\s*(?:<br\s*/?>\s*)+$", re.IGNORECASE)
_BACK_LINK = re.compile(r"^\s*\[[^\]]*(?:back|top|↑|⬆)[^\]]*\]\([^)]*\)\s*$", re.IGNORECASE)
_CHECKBOX = re.compile(r"^\s*[-*+]\s+\[(?P<mark>[ xX])\]\s+(?P<text>.+?)\s*$")
_META_NAMES = (
    r"level|difficulty|tags?|topics?|category|categories|compan(?:y|ies)|asked(?:\s+(?:at|by|in))?"
    r"|source|frequency|importance|priority|rating|status"
)
_META_SEGMENT = re.compile(
    rf"^{_EMPHASIS}\s*(?P<name>{_META_NAMES})\s*{_EMPHASIS}\s*:\s*{_EMPHASIS}\s*(?P<value>.*?)"
    rf"\s*{_EMPHASIS}\s*$",
    re.IGNORECASE,
)
_META_SEPARATOR = re.compile(r"\s+[·|•]\s+|\s*\|\s*|\s{2,}")


@functools.cache
def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark").enable("table")


def _strip_emphasis(text: str) -> str:
    """Question text without the bold/italic markers wrapped around it."""
    text = text.strip()
    for marker in ("**", "__", "*", "_"):
        if text.startswith(marker) and text.endswith(marker) and len(text) > 2 * len(marker):
            text = text[len(marker) : -len(marker)].strip()
    if text.count("**") % 2:
        text = text.rstrip("*").strip() if text.endswith("**") else text.replace("**", "", 1)
    return text.strip()


def _answer_marker(line: str) -> str | None:
    """The text after an answer marker on ``line`` ('' for a bare marker), else None."""
    match = _A_MARKER.match(line)
    if not match:
        return None
    rest = (match.group(1) if match.group(1) is not None else match.group(2) or "").strip()
    return "" if rest in ("**", "__") else rest


def _question_marker(line: str) -> tuple[str | None, str] | None:
    """(number, question text) of a ``**Q1:** …`` line, else None."""
    match = _Q_MARKER.match(line)
    if not match:
        return None
    return match.group(1), _strip_emphasis(match.group(2))


@dataclass(frozen=True)
class _HeadingRead:
    question: bool
    number: str | None
    text: str


def _read_heading(text: str) -> _HeadingRead:
    """Whether a heading reads as a question by its words alone, with its number."""
    marker = _question_marker(text)
    if marker is not None and marker[1]:
        return _HeadingRead(True, marker[0], _question_text(marker[1]))
    numbered = _NUMBERED.match(text)
    number, rest = (numbered.group(1), numbered.group(2).strip()) if numbered else (None, text)
    rest = _question_text(rest)
    return _HeadingRead(_reads_as_question(rest), number, rest)


def _question_text(text: str) -> str:
    """A question without what trails it: source links (``[[src](…)]``), difficulty marks
    (emoji, stars) and emphasis markers."""
    text = _strip_emphasis(text)
    while True:
        trimmed = _TRAILING_NOISE.sub("", text).rstrip()
        trimmed = _strip_emphasis(trimmed)
        if trimmed == text:
            return text
        text = trimmed


def _reads_as_question(text: str) -> bool:
    bare = _question_text(text)
    return bare.endswith("?") or bool(_INTERROGATIVE.match(bare))


@dataclass
class _Start:
    """Where a question starts in the notes, and where its body lies."""

    line: int  # 0-based line of the question
    style: Literal["heading", "marker", "bold", "item", "details"]
    question: str
    number: str | None
    level: int = 0  # heading level, for headings
    head_rest: str = ""  # text after the question on its own line: the body's first line
    body_start: int = 0  # 0-based first body line after the question line(s)
    end: int | None = None  # fixed end (exclusive) where the style has one
    body_lines: list[str] | None = None  # the body when it is not lines[body_start:end]
    section: str | None = None

    @property
    def implicit(self) -> bool:
        return self.style in ("bold", "item", "details")


def _blocked_lines(tokens: Sequence[Token]) -> set[int]:
    """Lines inside code blocks and the underline of setext headings."""
    blocked: set[int] = set()
    for token in tokens:
        if token.map is None:
            continue
        start, end = token.map
        if token.type in ("fence", "code_block"):
            blocked.update(range(start, end))
        elif token.type == "heading_open" and token.markup in ("=", "-"):
            blocked.update(range(start + 1, end))
    return blocked


def _headings(tokens: Sequence[Token]) -> dict[int, tuple[int, str]]:
    found: dict[int, tuple[int, str]] = {}
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.map is not None:
            found[token.map[0]] = (int(token.tag[1:]), tokens[index + 1].content.strip())
    return found


def _details_end(lines: Sequence[str], start: int) -> int:
    """The line after the ``</details>`` closing the block opened at ``start``."""
    depth = 0
    for index in range(start, len(lines)):
        depth += len(re.findall(r"<details\b", lines[index], re.IGNORECASE))
        depth -= len(_DETAILS_CLOSE.findall(lines[index]))
        if depth <= 0:
            return index + 1
    return len(lines)


def _details_parts(block: Sequence[str]) -> tuple[str, list[str]]:
    """(summary as plain text, inner lines with the details and summary tags removed)."""
    joined = "\n".join(block)
    summary_match = _SUMMARY.search(joined)
    summary = ""
    if summary_match:
        summary = _question_text(_HTML_TAG.sub("", summary_match.group(1)).strip())
        joined = joined[: summary_match.start()] + joined[summary_match.end() :]
    joined = re.sub(r"<details\b[^>]*>", "", joined, count=1, flags=re.IGNORECASE)
    closing = list(_DETAILS_CLOSE.finditer(joined))
    if closing:
        joined = joined[: closing[-1].start()] + joined[closing[-1].end() :]
    return " ".join(summary.split()), joined.split("\n")


class _Scanner:
    """Finds where questions start and end, in one pass over the lines."""

    def __init__(self, text: str) -> None:
        self.lines = text.split("\n")
        tokens = _markdown().parse(text)
        self.blocked = _blocked_lines(tokens)
        self.headings = _headings(tokens)
        self.starts: list[_Start] = []
        self.title: str | None = None
        self.sections: list[tuple[int, str]] = []  # (level, text) of the enclosing sections

    def scan(self) -> list[_Start]:
        index = 0
        current: _Start | None = None
        while index < len(self.lines):
            if index in self.blocked:
                index += 1
                continue
            line = self.lines[index]
            if index in self.headings:
                current = self._heading(index, current)
                index += 1
                continue
            if _DETAILS_OPEN.match(line):
                end = _details_end(self.lines, index)
                summary, inner = _details_parts(self.lines[index:end])
                if (current is None or current.implicit) and _reads_as_question(summary):
                    self._close(current, index)
                    current = self._start(
                        _Start(index, "details", summary, None, end=end, body_lines=inner)
                    )
                index = end
                continue
            marker = _question_marker(line)
            if marker is not None and marker[1] and not self._continues_paragraph(index, current):
                self._close(current, index)
                current = self._marker_question(index, marker)
                index = current.body_start
                continue
            if current is None or current.implicit:
                found = self._implicit_question(index)
                if found is not None:
                    self._close(current, index)
                    current = self._start(found)
                    index = found.end if found.end is not None else found.body_start
                    continue
            index += 1
        self._close(current, len(self.lines))
        return self.starts

    # ------------------------------------------------------------------ the pieces

    def _continues_paragraph(self, index: int, current: _Start | None) -> bool:
        """An indented ``Q:`` line under a question is text of its answer (a list item's
        continuation), not a question of its own."""
        return current is not None and self.lines[index].startswith((" ", "\t"))

    def _start(self, start: _Start) -> _Start:
        start.section = self.sections[-1][1] if self.sections else None
        self.starts.append(start)
        return start

    def _close(self, current: _Start | None, end: int) -> None:
        if current is not None and current.end is None:
            current.end = end

    def _heading(self, index: int, current: _Start | None) -> _Start | None:
        level, text = self.headings[index]
        read = _read_heading(text)
        below_current = current is not None and (
            current.style != "heading" or level > current.level
        )
        if below_current and _ANSWER_LABEL.match(_strip_emphasis(text).rstrip(":")):
            return current  # "### Answer" under a question is part of it
        inside = current is not None and current.style == "heading" and level > current.level
        if inside and not read.question:
            return current  # a sub-heading of the answer ("#### Pros")
        if level == 1 and not read.question and self.title is None:
            self.title = text
            self._close(current, index)
            return None
        if not read.question and self._answer_follows(index):
            read = _HeadingRead(True, read.number, read.text)
        self._close(current, index)
        if not read.question:
            self.sections = [s for s in self.sections if s[0] < level] + [(level, text)]
            return None
        self.sections = [s for s in self.sections if s[0] < level]
        return self._start(
            _Start(index, "heading", read.text, read.number, level=level, body_start=index + 1)
        )

    def _answer_follows(self, index: int) -> bool:
        """Whether the lines below a heading, up to the next heading, hold an answer marker."""
        for below in range(index + 1, len(self.lines)):
            if below in self.headings:
                return False
            if below in self.blocked:
                continue
            line = self.lines[below]
            if _question_marker(line) is not None:
                return False  # the answer below belongs to that question
            if _answer_marker(line) is not None:
                return True
            if _DETAILS_OPEN.match(line):
                summary, _ = _details_parts(self.lines[below : _details_end(self.lines, below)])
                return bool(_ANSWER_LABEL.match(summary))
        return False

    def _marker_question(self, index: int, marker: tuple[str | None, str]) -> _Start:
        """A ``**Q:**`` line; its question runs on until a blank line or the answer marker."""
        number, question = marker
        below = index + 1
        parts = [question]
        while (
            below < len(self.lines)
            and below not in self.headings
            and below not in self.blocked
            and self.lines[below].strip()
            and _answer_marker(self.lines[below]) is None
            and _question_marker(self.lines[below]) is None
            and not _CHECKBOX.match(self.lines[below])
            and not _DETAILS_OPEN.match(self.lines[below])
        ):
            parts.append(self.lines[below].strip())
            below += 1
        text = _question_text(" ".join(parts))
        return self._start(_Start(index, "marker", text, number, body_start=below))

    def _implicit_question(self, index: int) -> _Start | None:
        """A bold line ending in '?' that starts a paragraph, or a list item ending in '?'
        with its answer indented below it."""
        line = self.lines[index]
        after_blank = index == 0 or not self.lines[index - 1].strip() or index - 1 in self.headings
        bold = _BOLD_LINE.match(line)
        if bold and after_blank and _question_text(bold.group("q")).endswith("?"):
            number, question = _number_of(_question_text(bold.group("q")))
            return _Start(
                index,
                "bold",
                question,
                number,
                head_rest=bold.group("rest").strip(),
                body_start=index + 1,
            )
        item = _ITEM_QUESTION.match(line)
        if item is None or not _question_text(item.group("q")).endswith("?"):
            return None
        indent = len(item.group("indent")) + len(item.group("mark")) + 1
        end = index + 1
        while end < len(self.lines):
            below = self.lines[end]
            if below.strip() and len(below) - len(below.lstrip()) < indent:
                break
            end += 1
        if not any(line.strip() for line in self.lines[index + 1 : end]):
            return None
        number = item.group("mark")[:-1] if item.group("mark")[0].isdigit() else None
        return _Start(
            index,
            "item",
            _question_text(item.group("q")),
            number,
            body_start=index + 1,
            end=end,
        )


def _number_of(question: str) -> tuple[str | None, str]:
    numbered = _NUMBERED.match(question)
    if numbered:
        return numbered.group(1), numbered.group(2).strip()
    return None, question


# =========================================================================== one question


@dataclass
class _Body:
    """A question's text below it: what belongs to the prompt and to the answer (with the
    notes' line of each answer line), hints, and tags from its metadata."""

    prompt: list[str]
    answer: list[str]
    answer_lines: list[int]  # 1-based notes line of each answer line
    hints: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)

    def line_of(self, answer_index: int) -> int:
        if not self.answer_lines:
            return 1
        return self.answer_lines[min(max(answer_index, 0), len(self.answer_lines) - 1)]


def _code_lines(lines: Sequence[str]) -> set[int]:
    return _blocked_lines(_markdown().parse("\n".join(lines)))


def _split_body(lines: list[str], first_line: int) -> _Body:
    """Split a question's body at its answer marker; take out metadata and hints."""
    code = _code_lines(lines)
    tags: list[str] = []
    hints: list[str] = []
    kept: list[tuple[int, str]] = []  # (notes line, text)
    index = 0
    marker_at: int | None = None
    while index < len(lines):
        line = lines[index]
        if index not in code and _DETAILS_OPEN.match(line):
            end = _details_end(lines, index)
            summary, inner = _details_parts(lines[index:end])
            if _HINT_LABEL.match(summary):
                hint = textwrap.dedent("\n".join(inner)).strip()
                if hint:
                    hints.append(hint)
            else:
                marker_at = len(kept) if marker_at is None else marker_at
                kept.extend(
                    (first_line + index + offset, text) for offset, text in enumerate(inner)
                )
            index = end
            continue
        meta = None if index in code else _metadata(line)
        if meta is not None:
            for name, value in meta:
                if name.startswith(("tag", "topic", "categor", "level", "difficulty")):
                    tags.extend(v for v in re.split(r"[,;/]|\s#", value) if v.strip())
            index += 1
            continue
        if marker_at is None and index not in code:
            rest = _answer_marker(line)
            heading = re.match(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$", line)
            if rest is None and heading and _ANSWER_LABEL.match(heading.group(1).rstrip(":")):
                rest = ""
            if rest is not None:
                marker_at = len(kept)
                if rest:
                    kept.append((first_line + index, rest))
                index += 1
                continue
        kept.append((first_line + index, line))
        index += 1
    split = marker_at or 0
    prompt = [text for _, text in kept[:split]]
    answer = kept[split:]
    while answer and not answer[0][1].strip():
        answer = answer[1:]
    texts = _trim_tail([text for _, text in answer])
    return _Body(
        prompt=_trim_tail(prompt),
        answer=texts,
        answer_lines=[number for number, _ in answer[: len(texts)]],
        hints=hints,
        tags=[t for t in map(_tag, tags) if t],
    )


def _metadata(line: str) -> list[tuple[str, str]] | None:
    """[(name, value)] when every part of ``line`` is a ``Name: value`` metadata field."""
    stripped = re.sub(r"^\s*(?:[-*+>]\s+)?", "", line).strip()
    if not stripped or ":" not in stripped:
        return None
    found: list[tuple[str, str]] = []
    for segment in _META_SEPARATOR.split(stripped):
        if not segment.strip():
            continue
        match = _META_SEGMENT.match(segment.strip())
        if match is None:
            return None
        found.append((match.group("name").lower(), _strip_emphasis(match.group("value"))))
    return found or None


def _tag(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", _plain_text(text).lower()).strip("-")[:40].strip("-")


def _trim_tail(lines: list[str]) -> list[str]:
    """Without trailing blank lines, separators (``---``) and "back to top" links."""
    out = list(lines)
    while out and (
        not out[-1].strip()
        or _HR.match(out[-1])
        or _BACK_LINK.match(out[-1])
        or _BREAK_LINE.match(out[-1])
    ):
        out.pop()
    return out


def _plain_text(text: str) -> str:
    """Inline markdown as plain text: no emphasis markers, links as their text, code kept."""
    tokens = _markdown().parseInline(text)
    pieces: list[str] = []
    for token in tokens:
        for child in token.children or []:
            if child.type in ("text", "code_inline"):
                pieces.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                pieces.append(" ")
    plain = "".join(pieces)
    plain = re.sub(r"(\*\*|__)", "", plain)
    return " ".join(plain.split())


# =========================================================================== choices


def _choices(lines: list[str]) -> list[OptionData] | None:
    """The options of a ``- [x]`` / ``- [ ]`` checklist in ``lines`` (two or more)."""
    code = _code_lines(lines)
    options: list[OptionData] = []
    for index, line in enumerate(lines):
        match = None if index in code else _CHECKBOX.match(line)
        if match:
            options.append({"text": match.group("text"), "correct": match.group("mark") != " "})
    return options if len(options) >= 2 else None


def _without_checkboxes(lines: list[str]) -> list[str]:
    code = _code_lines(lines)
    return [line for i, line in enumerate(lines) if i in code or not _CHECKBOX.match(line)]


# =========================================================================== code

_TORCH_NAMES = {"torch", "nn", "F"}
_KNOWN_IMPORTS = {  # in the order they are added
    "math": "import math",
    "np": "import numpy as np",
    "torch": "import torch",
    "nn": "from torch import nn",
    "F": "import torch.nn.functional as F",
    "Tensor": "from torch import Tensor",
    "Optional": "from typing import Optional",
    "List": "from typing import List",
    "Tuple": "from typing import Tuple",
}
_PYTHON_FENCES = ("", "python", "py", "python3", "pytorch", "torch")
_NOT_AN_ENTRY = re.compile(r"^(?:_|test|main$|demo|example|run_example|sanity|check_)")
_LOAD_TIME_CALLS_ALLOWED = {
    "no_grad",
    "inference_mode",
    "enable_grad",
    "dataclass",
    "field",
    "lru_cache",
    "cache",
    "wraps",
    "script",
    "ignore",
    "unused",
}


@dataclass(frozen=True)
class _CodeAnswer:
    entry: str
    signature: str
    starter: str
    reference: str
    answer: str


@dataclass(frozen=True)
class _Fence:
    content: str
    line: int  # 1-based notes line of the code's first line
    start: int  # 0-based lines of the fence in the answer, [start, end)
    end: int
    labelled: bool


def _python_fences(answer: str, body: _Body) -> list[_Fence]:
    fences: list[_Fence] = []
    for token in _markdown().parse(answer):
        info = token.info.strip().lower().split(" ")[0] if token.type == "fence" else None
        if info is None or info not in _PYTHON_FENCES or token.map is None:
            continue
        start, end = token.map
        fences.append(_Fence(token.content, body.line_of(start + 1), start, end, bool(info)))
    return fences


def _compiles(code: str) -> SyntaxError | None:
    try:
        compile(code, "<reference>", "exec", dont_inherit=True)
    except SyntaxError as exc:
        return exc
    except (ValueError, RecursionError, MemoryError) as exc:
        return SyntaxError(str(exc))
    return None


def _definitions(tree: ast.Module) -> list[ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef]:
    return [
        node
        for node in tree.body
        if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
    ]


def _bound_and_loaded(tree: ast.AST) -> tuple[set[str], set[str]]:
    """Every name bound anywhere in ``tree``, and every name read."""
    bound: set[str] = set()
    loaded: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (loaded if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.alias):
            bound.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
        elif isinstance(node, ast.Global | ast.Nonlocal):
            bound.update(node.names)
    return bound, loaded


def _imported_roots(tree: ast.Module) -> list[str]:
    roots: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.extend(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            roots.append(node.module.split(".")[0])
    return list(dict.fromkeys(roots))


def _is_pytorch(tree: ast.Module) -> bool:
    bound, loaded = _bound_and_loaded(tree)
    return "torch" in _imported_roots(tree) or bool(_TORCH_NAMES & (loaded - bound))


def _keeps_at_load(node: ast.stmt, first: bool) -> bool:
    """Whether a top-level statement belongs in a reference: definitions, imports, constants
    and a docstring. Anything else would run whenever the reference loads."""
    if isinstance(node, ast.Import | ast.ImportFrom | ast.ClassDef | ast.FunctionDef):
        return True
    if isinstance(node, ast.AsyncFunctionDef):
        return True
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
        return first and isinstance(node.value.value, str)
    value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
    if value is None:
        return False
    try:
        ast.literal_eval(value)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False
    return True


def _strip_load_time(code: str, tree: ast.Module) -> tuple[str, list[ast.stmt]]:
    """The code without top-level statements that would run on load (and the comments just
    above them, such as "# Usage"), and the statements removed."""
    lines = code.split("\n")
    drop: set[int] = set()  # 1-based
    removed: list[ast.stmt] = []
    previous_end = 0
    for position, node in enumerate(tree.body):
        end = node.end_lineno or node.lineno
        if not _keeps_at_load(node, position == 0):
            removed.append(node)
            drop.update(range(previous_end + 1, end + 1))
        previous_end = end
    if tree.body and tree.body[-1] in removed:
        drop.update(range(previous_end + 1, len(lines) + 1))
    kept = [line for number, line in enumerate(lines, 1) if number not in drop]
    text = re.sub(r"\n{4,}", "\n\n\n", "\n".join(line.rstrip() for line in kept)).strip("\n")
    return text + "\n", removed


def _module_classes(tree: ast.Module) -> list[ast.ClassDef]:
    modules: list[ast.ClassDef] = []
    names: set[str] = set()
    for node in tree.body:
        if not isinstance(node, ast.ClassDef):
            continue
        bases = [ast.unparse(base) for base in node.bases]
        if any(
            b.endswith("Module") or b.startswith(("nn.", "torch.nn.")) or b in names for b in bases
        ):
            modules.append(node)
            names.add(node.name)
    return modules


def _entry_point(
    tree: ast.Module, question: str
) -> ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef | None:
    """The class (else the function) the answer builds up to: one the question names, else
    one that no other definition uses, the last such."""
    candidates: list[ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef] = list(
        _module_classes(tree)
    )
    if not candidates:
        functions = [
            node for node in tree.body if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        ]
        candidates.extend([f for f in functions if not _NOT_AN_ENTRY.match(f.name)] or functions)
    if not candidates:
        return None
    used_by_others = {
        name
        for node in _definitions(tree)
        for name in _bound_and_loaded(node)[1] | _attribute_roots(node)
        if name != node.name
    }
    roots = [c for c in candidates if c.name not in used_by_others] or candidates
    named = [c for c in candidates if re.search(rf"\b{re.escape(c.name)}\b", question, re.I)]
    named_roots = [c for c in named if c in roots]
    return (named_roots or named or roots)[-1]


def _attribute_roots(node: ast.AST) -> set[str]:
    return {
        n.value.id
        for n in ast.walk(node)
        if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name)
    }


def _call_arguments(args: ast.arguments, *, drop_self: bool) -> str:
    """``a, b, k=3`` of a signature: no annotations, without ``self``."""
    plain = copy.deepcopy(args)
    for arg in [*plain.posonlyargs, *plain.args, *plain.kwonlyargs, plain.vararg, plain.kwarg]:
        if arg is not None:
            arg.annotation = None
    if drop_self:
        if plain.posonlyargs:
            plain.posonlyargs = plain.posonlyargs[1:]
        elif plain.args:
            plain.args = plain.args[1:]
    return ast.unparse(plain)


def _signature(entry: ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    if isinstance(entry, ast.ClassDef):
        init = next(
            (n for n in entry.body if isinstance(n, ast.FunctionDef) and n.name == "__init__"),
            None,
        )
        inner = _call_arguments(init.args, drop_self=True) if init is not None else ""
        return f"{entry.name}({inner})"
    return f"{entry.name}({_call_arguments(entry.args, drop_self=False)})"


def _starter(
    tree: ast.Module, entry: ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef, code: str
) -> str:
    """Imports, then the entry point with its signatures and NotImplementedError bodies."""
    imports = [
        ast.get_source_segment(code, node) or ""
        for node in tree.body
        if isinstance(node, ast.Import | ast.ImportFrom)
    ]
    head = "\n".join(i for i in imports if i)

    lines = code.split("\n")

    def stub(function: ast.FunctionDef | ast.AsyncFunctionDef, indent: str, init: bool) -> str:
        first_statement = function.body[0].lineno
        if first_statement > function.lineno:  # the signature as the author wrote it
            header = "\n".join(lines[function.lineno - 1 : first_statement - 1]).rstrip()
            header = header if header.endswith(":") else ""
        else:
            header = ""
        if not header:
            returns = f" -> {ast.unparse(function.returns)}" if function.returns else ""
            prefix = "async def" if isinstance(function, ast.AsyncFunctionDef) else "def"
            header = f"{indent}{prefix} {function.name}({ast.unparse(function.args)}){returns}:"
        body = header + "\n"
        if init:
            body += f"{indent}    super().__init__()\n"
        return body + f"{indent}    raise NotImplementedError\n"

    if not isinstance(entry, ast.ClassDef):
        body = stub(entry, "", False)
    else:
        bases = ", ".join(ast.unparse(b) for b in entry.bases)
        body = f"class {entry.name}({bases}):\n" if bases else f"class {entry.name}:\n"
        methods = [n for n in entry.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
        body += "\n".join(stub(m, "    ", m.name == "__init__" and bool(bases)) for m in methods)
        if not methods:
            body += "    pass\n"
    return (head + "\n\n\n" if head else "") + body.rstrip() + "\n"


def _load_time_calls(tree: ast.Module) -> Iterator[ast.Call]:
    """Calls that run when the module loads: in decorators, default values, class bases and
    class bodies, and top-level values."""

    def calls(node: ast.AST | None) -> Iterator[ast.Call]:
        if node is None:
            return
        for inner in ast.walk(node):
            if isinstance(inner, ast.Call):
                name = ast.unparse(inner.func).rsplit(".", 1)[-1]
                if name not in _LOAD_TIME_CALLS_ALLOWED:
                    yield inner

    def definition(node: ast.stmt) -> Iterator[ast.Call]:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for decorator in node.decorator_list:
                yield from calls(decorator)
            for default in [*node.args.defaults, *node.args.kw_defaults]:
                yield from calls(default)
        elif isinstance(node, ast.ClassDef):
            for expression in [
                *node.decorator_list,
                *node.bases,
                *(k.value for k in node.keywords),
            ]:
                yield from calls(expression)
            for inner in node.body:
                yield from definition(inner)
        elif not isinstance(node, ast.Import | ast.ImportFrom):
            yield from calls(node)

    for node in tree.body:
        yield from definition(node)


def _code_question(
    answer: str, body: _Body, question: str, warn: list[LineWarning]
) -> _CodeAnswer | None:
    """A code question when the answer's Python is PyTorch and defines a module or function."""
    usable: list[_Fence] = []
    for fence in _python_fences(answer, body):
        error = _compiles(fence.content)
        if error is None:
            usable.append(fence)
        elif fence.labelled:
            where = fence.line + (error.lineno or 1) - 1
            warn.append(
                LineWarning(where, f"this Python does not compile ({error.msg}); it is not used")
            )
    if not usable:
        return None
    if _compiles("\n\n".join(f.content.rstrip() for f in usable) + "\n") is not None:
        usable = usable[:1]
    code = "\n\n".join(f.content.rstrip() for f in usable) + "\n"
    notes_lines: list[int] = []  # the notes' line of each line of ``code``
    for fence in usable:
        count = len(fence.content.rstrip().split("\n"))
        notes_lines += [*range(fence.line, fence.line + count), fence.line + count]

    def notes_line(code_line: int) -> int:
        return notes_lines[min(max(code_line, 1), len(notes_lines)) - 1]

    tree = ast.parse(code)
    line = usable[0].line
    if not _definitions(tree):
        return None
    if not _is_pytorch(tree):
        others = [r for r in _imported_roots(tree) if r not in sys.stdlib_module_names]
        why = f" (it uses {', '.join(others)})" if others else ""
        warn.append(
            LineWarning(
                line,
                f"the code here is not PyTorch{why}; it stays in the answer of a concept question",
            )
        )
        return None
    stripped, removed = _strip_load_time(code, tree)
    if removed:
        shown = (ast.get_source_segment(code, removed[0]) or "").strip()
        shown = shown.splitlines()[0] if shown else ""
        more = f" and {len(removed) - 1} more statement(s)" if len(removed) > 1 else ""
        warn.append(
            LineWarning(
                notes_line(removed[0].lineno),
                f"removed `{shown}`{more} from the reference: top-level code would run "
                "whenever the reference loads",
            )
        )
    tree = ast.parse(stripped)
    entry = _entry_point(tree, question)
    if entry is None:
        return None
    bound, loaded = _bound_and_loaded(tree)
    missing = sorted(loaded - bound - set(dir(builtins)))
    added = [line for name, line in _KNOWN_IMPORTS.items() if name in missing]
    unknown = [name for name in missing if name not in _KNOWN_IMPORTS]
    reference = ("\n".join(added) + "\n\n\n" if added else "") + stripped
    if _compiles(reference) is not None:
        return None
    tree = ast.parse(reference)
    entry = next(n for n in _definitions(tree) if n.name == entry.name)
    if unknown:
        warn.append(
            LineWarning(
                line,
                f"the reference uses {', '.join(f'`{n}`' for n in unknown)}, which it neither "
                "defines nor imports",
            )
        )
    for root in _imported_roots(tree):
        if importlib.util.find_spec(root) is None:
            warn.append(
                LineWarning(line, f"the reference imports `{root}`, which is not installed here")
            )
    code_lines = code.split("\n")
    for call in _load_time_calls(tree):
        source = (ast.get_source_segment(reference, call) or ast.unparse(call)).splitlines()[0]
        offset = next((i for i, text in enumerate(code_lines) if source in text), 0)
        warn.append(
            LineWarning(notes_line(offset + 1), f"`{source}` runs whenever the reference loads")
        )
    answer_lines = answer.split("\n")
    first = usable[0]
    shown_code = ["```python", *reference.rstrip("\n").split("\n"), "```"]
    kept: list[str] = []
    for index, text in enumerate(answer_lines):
        if index == first.start:
            kept.extend(shown_code)
        if not any(f.start <= index < f.end for f in usable):
            kept.append(text)
    new_answer = "\n".join(kept).strip()
    return _CodeAnswer(
        entry=entry.name,
        signature=_signature(entry),
        starter=_starter(tree, entry, reference),
        reference=reference,
        answer=new_answer,
    )


# =========================================================================== key points

# Words that carry no topic: function words, then words any answer uses.
_STOP_WORDS = frozenset(
    (  # noqa: SIM905 - a word list reads best as words
        "a an the it its it's they them their this that these those is are was were be been "
        "being to of in on at by for with from as and or nor but not no so than then into onto "
        "over under which who whom whose what when where why how can could would should may "
        "might must will shall just very more most less least also only each every some any all "
        "both either neither there here do does did done has have had having i we you he she "
        "our your his her one ones own if else while because since though although until "
        "about above below after before between through during without within across per via "
        "up down out off again further once same other another such too rather instead"
    ).split()
)
_GENERIC_WORDS = frozenset(
    (  # noqa: SIM905 - a word list reads best as words
        "use uses used using make makes made making allow allows allowed allowing add adds "
        "added adding introduce introduces introduced introducing get gets got getting give "
        "gives gave giving help helps helped helping take takes took taking let lets way ways "
        "thing things number numbers lot lots many much new different various several like "
        "well good better best important simply simple basically actually really often usually "
        "typically generally mainly mostly much many few step steps example examples e.g i.e "
        "etc term terms called known need needs needed show shows showed shown work works worked "
        "working become becomes became able kind type types part parts case cases way idea "
        "problem problems answer question note notes see also first second third two three "
        "four five main key point points set sets thus hence therefore however"
    ).split()
)
_GENERIC_LABEL = re.compile(
    r"^(?:the\s+)?(?:problems?|solutions?|answers?|pros|cons|advantages?|disadvantages?|benefits?|"
    r"drawbacks?|limitations?|notes?|n\.?b\.?|examples?|e\.?g\.?|i\.?e\.?|intuition|(?:key\s+|main\s+)?"
    r"ideas?|summary|tl;?dr|definitions?|explanations?|reasons?|why|how|what|results?|formulas?|"
    r"code|usage|in\s+short|in\s+simple\s+terms|in\s+other\s+words|simply\s+put|overview|"
    r"context|background|details?|important|tips?|hints?|remember|key\s+points?|takeaways?|"
    r"bonus|follow[- ]?ups?|level|tags?|difficulty|(?:step|option|case|part|point|reason|"
    r"method|approach)\s*\d*)\s*:?$",
    re.IGNORECASE,
)
_EXAMPLE = re.compile(r"^\W*(?:e\.\s?g\.|i\.\s?e\.|for\s+(?:example|instance)|example)\b", re.I)
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-'][A-Za-z0-9]+)*")
_ABBREVIATIONS = re.compile(r"(?:\b(?:e\.g|i\.e|vs|etc|cf|approx|fig|eq|[A-Z])\.)$", re.I)
_GAP = r"\W+(?:\w+\W+){0,3}?"
_POINT_LENGTH = 100


@dataclass(frozen=True)
class _Unit:
    """A bullet or a sentence of an answer, as a candidate key point."""

    order: int
    group: int
    lead: str  # a bold or "Name:" lead naming the idea, plain text ('' when none)
    rest: str  # what it says, plain text
    item: bool
    depth: int


def _protect_math(text: str) -> tuple[str, list[str]]:
    spans: list[str] = []

    def hide(match: re.Match[str]) -> str:
        spans.append(match.group(0))
        return f"\ue000{len(spans) - 1}\ue001"

    return _INLINE_MATH.sub(hide, _DISPLAY_MATH.sub(hide, text)), spans


def _restore_math(text: str, spans: Sequence[str]) -> str:
    return re.sub("\ue000(\\d+)\ue001", lambda m: spans[int(m.group(1))], text)


def _inline_plain(text: str) -> str:
    """Inline markdown as plain text (math kept as written)."""
    hidden, spans = _protect_math(_LINK_REFERENCE.sub("", text))
    return _restore_math(_plain_text(hidden), spans)


def _without_math(text: str) -> str:
    return _INLINE_MATH.sub(" ", _DISPLAY_MATH.sub(" ", text))


def _words(text: str) -> list[str]:
    """The words of ``text`` that can name a topic (math and links left out)."""
    text = re.sub(r"https?://\S+", " ", _without_math(text))
    found = []
    for word in _WORD.findall(text):
        lower = word.lower().strip("'")
        if lower in _STOP_WORDS or lower in _GENERIC_WORDS:
            continue
        if lower.endswith("ly") and len(lower) > 5:
            continue  # "significantly", "directly": how, not what
        if len(lower) >= 3 or (word.isupper() and len(word) >= 2):
            found.append(word)
    return found


def _stem(piece: str) -> str:
    piece = piece.lower()
    if len(piece) >= 7:
        return piece[:5]
    if len(piece) > 3 and piece.endswith("s") and not piece.endswith("ss"):
        return piece[:-1]
    return piece


def _keys(word: str) -> set[str]:
    return {_stem(p) for p in re.split(r"[-']", word) if p}


def _word_pattern(word: str) -> str:
    if word.isupper() and word.isalpha() and len(word) <= 5:
        return rf"\b{re.escape(word.lower())}s?\b"
    pieces = [p for p in re.split(r"[-']", word) if p]
    return r"\b" + r"[-\s]?".join(re.escape(_stem(p)) + r"\w*" for p in pieces)


def _phrase(words: Sequence[str]) -> str:
    return _GAP.join(_word_pattern(w) for w in words)


def _lead(text: str) -> tuple[str, str]:
    """(lead, rest) of a bullet or paragraph: ``**Name:** rest`` or ``Name: rest``; the lead is
    '' when there is none or it is only a label such as "Pros" or "Note"."""
    hidden, spans = _protect_math(_LINK_REFERENCE.sub("", text))
    bold = re.match(r"^\s*(\*\*|__)(.+?)\1\s*(.*)$", hidden, re.DOTALL)
    lead = rest = ""
    names = bold is not None and (
        bold.group(2).rstrip().endswith(":")
        or re.match(r"^[:\-–—]\s*\S", bold.group(3)) is not None
    )
    if bold and names:
        lead = _plain_text(bold.group(2)).rstrip(":").strip()
        rest = _plain_text(re.sub(r"^[:\-–—]\s*", "", bold.group(3)))
    else:
        plain = _plain_text(hidden)
        named = re.match(r"^([^:.!?\ue000]{2,40}):\s+(\S.*)$", plain)
        if named and len(named.group(1).split()) <= 5:
            lead, rest = named.group(1).strip(), named.group(2)
        else:
            rest = plain
    lead, rest = _restore_math(lead, spans), _restore_math(rest, spans)
    if _GENERIC_LABEL.match(lead) or not _words(lead):
        return "", rest if rest else ""
    return lead, rest


def _is_label(lead: str, rest: str, raw: str) -> bool:
    """A line that only names what follows: "**Pros:**", "v3:", "Problem"; not a short
    sentence of its own ("**GAP has zero parameters.**")."""
    plain = _inline_plain(raw).strip()
    if _GENERIC_LABEL.match(plain):
        return True
    if plain.endswith(":"):
        return len(plain.split()) <= 8
    all_bold = re.fullmatch(r"\s*(\*\*|__)[^*_]+\1\s*", raw) is not None
    short = len(plain.split()) <= 4 and not plain.endswith((".", "!", "?"))
    return short and (all_bold or (bool(lead) and not rest))


def _sentences(text: str) -> list[str]:
    pieces = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9$(\"'`])", text)
    out: list[str] = []
    for piece in pieces:
        if out and _ABBREVIATIONS.search(out[-1]):
            out[-1] += " " + piece
        else:
            out.append(piece)
    return [p.strip() for p in out if p.strip()]


def _units(answer: str) -> list[_Unit]:
    tokens = _markdown().parse(answer)
    units: list[_Unit] = []
    group = 0
    stack: list[str] = []
    for index, token in enumerate(tokens):
        if token.nesting == 1:
            stack.append(token.type)
        elif token.nesting == -1 and stack:
            stack.pop()
        if token.type == "heading_open":
            group += 1
        if token.type != "inline" or tokens[index - 1].type != "paragraph_open":
            continue
        if "table_open" in stack:
            continue
        depth = sum(t in ("bullet_list_open", "ordered_list_open") for t in stack)
        raw = token.content
        if re.match(r"^\[[ xX]\]\s", raw):
            continue  # an option of a checklist, not a point
        first_in_item = index >= 2 and tokens[index - 2].type == "list_item_open"
        has_children = first_in_item and any(
            t.type in ("bullet_list_open", "ordered_list_open")
            for t in tokens[index + 2 : index + 3]
        )
        lead, rest = _lead(raw)
        if _is_label(lead, rest, raw) and (has_children or not first_in_item):
            group += 1  # what follows is a part of its own ("Pros:", "v3:")
            continue
        if first_in_item:
            units.append(_Unit(len(units), group, lead, rest, True, depth))
            continue
        for position, sentence in enumerate(_sentences(rest)):
            units.append(
                _Unit(len(units), group, lead if position == 0 else "", sentence, False, depth)
            )
    return units


@dataclass(frozen=True)
class _Candidate:
    unit: _Unit
    score: float
    keys: frozenset[str]
    patterns: tuple[str, ...]


def _novel(word: str, question_keys: set[str]) -> bool:
    """Whether ``word`` says something the question does not (``conv`` repeats
    ``convolution``)."""
    for key in _keys(word):
        if not any(
            key == known
            or (min(len(key), len(known)) >= 4 and known.startswith(key))
            or (min(len(key), len(known)) >= 4 and key.startswith(known))
            for known in question_keys
        ):
            return True
    return False


def _pairs(text: str, question_keys: set[str]) -> list[tuple[str, str]]:
    """Successive telling words of ``text``, best first: side by side (a term such as
    "vanishing gradient" or "label smoothing") before words further apart, longer first."""
    words = _WORD.findall(re.sub(r"https?://\S+", " ", _without_math(text)))
    telling = set(_words(text))
    found: list[tuple[int, int, str, str]] = []
    previous: tuple[int, str] | None = None
    for position, word in enumerate(words):
        if word not in telling or not _novel(word, question_keys):
            continue
        if previous is not None and _keys(previous[1]) != _keys(word):
            gap = position - previous[0] - 1
            if gap <= 3:
                found.append((min(gap, 1), -(len(previous[1]) + len(word)), previous[1], word))
        previous = (position, word)
    return [(first, second) for _, _, first, second in sorted(found)]


def _candidate(unit: _Unit, question_keys: set[str], answer: str) -> _Candidate | None:
    """``unit`` as a key point, unless it is an example or says too little beyond the
    question; its patterns are the ones the answer itself hits."""
    if _EXAMPLE.match(unit.rest) and not unit.lead:
        return None
    lead_words = [w for w in _words(unit.lead) if _novel(w, question_keys)]
    rest_words = [w for w in _words(unit.rest) if _novel(w, question_keys)]
    keys = frozenset(k for w in lead_words + rest_words for k in _keys(w))
    one_telling_word = unit.item and len(keys) == 1 and max(map(len, keys)) >= 5
    if len(keys) < 2 and not one_telling_word:
        return None

    def hits(pattern: str) -> bool:
        return re.search(pattern, answer, re.IGNORECASE) is not None

    patterns: list[str] = []
    if len(lead_words) >= 2 and hits(_phrase(lead_words[:2])):
        # The idea named either way round: "dimensionality reduction", "reduce dimensionality".
        patterns += [_phrase(lead_words[:2]), _phrase(lead_words[1::-1])]
    elif lead_words and hits(_word_pattern(lead_words[0])):
        patterns.append(_word_pattern(lead_words[0]))
    pair = next((p for p in _pairs(unit.rest, question_keys) if hits(_phrase(p))), None)
    if pair is not None:
        patterns.append(_phrase(pair))
    # A name such as ReLU, RMSProp or GAP is telling on its own.
    technical = [
        w
        for w in lead_words + rest_words
        if re.search(r"[a-z][A-Z]|[A-Z]{2,}|[A-Za-z]\d", w) or len(keys) == 1
    ]
    if technical:
        term = _word_pattern(max(technical, key=len))
        if hits(term):
            patterns.append(term)
    patterns = list(dict.fromkeys(patterns))
    if not patterns:
        return None
    score = (
        min(len(keys), 6)
        + (2 if lead_words else 0)
        + (1 if unit.item else 0)
        - (1 if unit.depth > 1 else 0)
    )
    return _Candidate(unit, score, keys, tuple(patterns))


def _point_text(unit: _Unit) -> str:
    rest = unit.rest.strip()
    if unit.lead and rest:
        if len(rest) > 1 and rest[0].isupper() and rest[1].islower():
            rest = rest[0].lower() + rest[1:]
        text = f"{unit.lead} — {rest}"
    else:
        text = unit.lead or rest
    text = text.strip()
    if len(text) > _POINT_LENGTH:
        cut = text[:_POINT_LENGTH].rsplit(" ", 1)[0]
        if cut.count("$") % 2:
            cut = cut[: cut.rfind("$")].rstrip()
        text = cut.rstrip(" ,;:—-(") + "…"
    return text.rstrip(" .:;,")


def _key_points(answer: str, question: str) -> list[KeyPointData]:
    """Up to five key points: bullets and sentences that say something the question does not,
    the best of each part of the answer first, each with patterns its answer hits."""
    question_keys = {k for w in _words(question) for k in _keys(w)}
    by_group: dict[int, list[_Candidate]] = {}
    for unit in _units(answer):
        found = _candidate(unit, question_keys, answer)
        if found is not None:
            by_group.setdefault(unit.group, []).append(found)
    for candidates in by_group.values():
        candidates.sort(key=lambda c: (-c.score, c.unit.order))
    chosen: list[_Candidate] = []
    while len(chosen) < MAX_KEY_POINTS and any(by_group.values()):
        round_ = [group.pop(0) for group in by_group.values() if group]
        for candidate in sorted(round_, key=lambda c: (-c.score, c.unit.order)):
            if len(chosen) >= MAX_KEY_POINTS:
                break
            redundant = any(
                candidate.keys <= c.keys or candidate.patterns[0] == c.patterns[0] for c in chosen
            )
            if not redundant:
                chosen.append(candidate)
    chosen.sort(key=lambda c: c.unit.order)
    return [{"point": _point_text(c.unit), "patterns": list(c.patterns)} for c in chosen]


# =========================================================================== the deck


def slugify(text: str, limit: int = 64) -> str:
    plain = _without_math(_plain_text(text)) if text else ""
    slug = re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")
    if len(slug) > limit:
        slug = slug[:limit].rsplit("-", 1)[0] if "-" in slug[:limit] else slug[:limit]
    return slug.strip("-") or "imported"


def _deck_title(scanner: _Scanner, source: str, warn: list[LineWarning]) -> tuple[str, str]:
    """(title, source) of the deck: the '# Title' without "Day N Interview Questions:"."""
    if scanner.title is None:
        warn.append(LineWarning(1, "no '# Title' heading; the deck is named after the file"))
        stem = re.sub(r"\.[^.]*$", "", source.rsplit("/", 1)[-1])
        return stem.replace("_", " ").replace("-", " ").strip() or "Imported", stem or source
    heading = scanner.title
    match = _TITLE.match(heading.split(":", 1)[-1].strip() if ":" in heading else heading)
    return (match.group(1) if match else heading).strip() or heading, heading


def _valid_id(deck_id: str) -> str:
    try:
        return TypeAdapter(Slug).validate_python(deck_id)
    except ValidationError:
        raise ImportProblem(
            f"{deck_id!r} cannot be a deck id: use lower-case letters, digits, '-' and '_', "
            "starting with a letter or digit, at most 64 characters"
        ) from None


def _build(
    start: _Start, lines: list[str], used: set[str], warn: list[LineWarning]
) -> QuestionData | None:
    """The question found at ``start``, or None (with a warning) when it has no answer."""
    line = start.line + 1
    if start.body_lines is not None:
        body_lines, first_line = start.body_lines, start.line + 1
    else:
        end = start.end if start.end is not None else len(lines)
        body_lines, first_line = lines[start.body_start : end], start.body_start + 1
    if start.head_rest:
        body_lines, first_line = [start.head_rest, *body_lines], first_line - 1
    body = _split_body(list(body_lines), first_line)
    question = start.question
    if not question:
        question = f"Question {start.number}" if start.number else "Question"
        warn.append(LineWarning(line, f"empty question; written as {question!r}"))
    extra = textwrap.dedent("\n".join(body.prompt)).strip()
    answer = textwrap.dedent("\n".join(body.answer)).rstrip()
    choices = _choices(body.prompt + body.answer)
    if not answer.strip() and not (choices and any(o["correct"] for o in choices)):
        warn.append(LineWarning(line, f"skipped {_short(question)!r}: no answer below it"))
        return None

    qid = f"q{start.number}" if start.number else slugify(question, 40)
    if qid in used:
        taken, count = qid, 2
        while f"{taken}-{count}" in used:
            count += 1
        qid = f"{taken}-{count}"
        warn.append(LineWarning(line, f"the id {taken!r} is taken; this question is {qid!r}"))
    used.add(qid)
    tags = list(REVIEW_TAGS)
    for tag in [_tag(start.section or ""), *body.tags]:
        if tag and tag not in tags:
            tags.append(tag)
    data: QuestionData = {
        "id": qid,
        "kind": "concept",
        "prompt": question + (f"\n\n{extra}" if extra else ""),
        "answer": answer,
        "tags": tags,
    }
    if body.hints:
        data["hints"] = body.hints

    if choices is not None:
        correct = [o for o in choices if o["correct"]]
        if correct:
            extra = textwrap.dedent("\n".join(_without_checkboxes(body.prompt))).strip()
            explanation = textwrap.dedent("\n".join(_without_checkboxes(body.answer)))
            texts = "; ".join(o["text"] for o in correct)
            said = (
                f"The correct option is {texts}."
                if len(correct) == 1
                else f"The correct options are: {texts}."
            )
            data["kind"] = "choice"
            data["prompt"] = question + (f"\n\n{extra}" if extra else "")
            data["answer"] = _trim_text(explanation) or said
            data["options"] = choices
            if len(correct) > 1:
                data["multiple"] = True
            return data
        warn.append(
            LineWarning(line, f"{qid}: a checklist with no option ticked; imported as a concept")
        )

    code = _code_question(answer, body, question, warn)
    if code is not None:
        data["kind"] = "code"
        data["answer"] = code.answer
        data["entry_point"] = code.entry
        data["signature"] = code.signature
        data["starter"] = code.starter
        data["reference"] = code.reference
        warn.append(
            LineWarning(
                line,
                f"{qid} became a code question with entry point {code.entry!r}; add `checks` "
                "and wrong solutions before grading it",
            )
        )
        return data
    points = _key_points(answer, question)
    if points:
        data["key_points"] = points
    else:
        warn.append(
            LineWarning(line, f"{qid}: no bullet or sentence with enough content for a key point")
        )
    return data


def _trim_text(text: str) -> str:
    return "\n".join(_trim_tail(text.splitlines())).strip()


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:59] + "…"


def import_markdown(
    text: str,
    source: str = "notes.md",
    *,
    deck_id: str | None = None,
    title: str | None = None,
) -> ImportResult:
    """Build a deck (as plain data) from markdown notes; warnings say what was guessed.

    ``deck_id`` and ``title`` replace the ones taken from the notes' '# Title'. Raises
    :class:`ImportProblem` when nothing looks like a question, or no question has an answer.
    """
    if deck_id is not None:
        deck_id = _valid_id(deck_id)
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # lines as markdown counts them
    warn: list[LineWarning] = []
    scanner = _Scanner(text)
    starts = scanner.scan()
    if not starts:
        raise ImportProblem(
            f"{source}: nothing looks like a question (expected headings such as '## Q1: …' "
            "or ending in '?', '**Q:**'/'**A:**' pairs, or <details> answers)"
        )
    found_title, source_title = _deck_title(scanner, source, warn)
    questions: list[QuestionData] = []
    used: set[str] = set()
    for start in starts:
        question = _build(start, scanner.lines, used, warn)
        if question is not None:
            questions.append(question)
    if not questions:
        raise ImportProblem(
            f"{source}: {len(starts)} looked like questions, but none has an answer below it"
        )
    deck_title = title.strip() if title and title.strip() else found_title
    deck: DeckData = {
        "id": deck_id or slugify(deck_title),
        "title": deck_title,
        "source": source_title,
        "description": f"Imported from {source}; review the proposed key points.",
        "questions": questions,
    }
    warn.sort(key=lambda w: w.line)
    return ImportResult(deck, tuple(warn), len(starts))


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


def merge_into(
    existing: str,
    result: ImportResult,
    *,
    where: str = "the deck file",
    deck_id: str | None = None,
    title: str | None = None,
) -> Merge:
    """Merge a re-import into the text of an existing deck file.

    Questions are matched by id: one in both keeps the file's version (hand edits survive),
    a new one is appended (the file's text, comments included, is kept as it is), and one in
    the file only is kept and reported. ``deck_id``/``title`` replace the file's when given.
    """
    try:
        data = yaml.safe_load(existing)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" (line {mark.line + 1})" if mark is not None else ""
        raise ImportProblem(
            f"{where} exists and is not YAML{at}; fix it, or pass --force to replace it"
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("questions"), list):
        raise ImportProblem(
            f"{where} exists and holds no deck; choose another file, or pass --force to replace it"
        )
    old = [q for q in data["questions"] if isinstance(q, dict)]
    old_ids = [str(q.get("id")) for q in old]
    new_ids = [q["id"] for q in result.deck["questions"]]
    added = [q for q in result.deck["questions"] if q["id"] not in old_ids]
    kept = tuple(i for i in new_ids if i in old_ids)
    gone = tuple(i for i in old_ids if i not in new_ids)
    overrides = {
        key: value
        for key, value in (("id", deck_id), ("title", title))
        if value is not None and data.get(key) != value
    }
    merged = {**data, **overrides, "questions": [*data["questions"], *added]}
    final_id = str(merged.get("id"))
    added_ids = tuple(q["id"] for q in added)
    if not added and not overrides:
        return Merge(existing, final_id, kept, (), gone, rewritten=False)
    if not overrides:
        appended = _append_questions(existing, added)
        if appended is not None and yaml.safe_load(appended) == merged:
            parse_deck(appended, where)
            return Merge(appended, final_id, kept, added_ids, gone, rewritten=False)
    return Merge(dump_deck(merged), final_id, kept, added_ids, gone, rewritten=True)


def _append_questions(existing: str, added: Sequence[QuestionData]) -> str | None:
    """The file's text with ``added`` appended to its ``questions:`` list, when that list is
    the file's last key in block style; None otherwise."""
    lines = existing.rstrip("\n").split("\n")
    key = next(
        (i for i, line in enumerate(lines) if re.match(r"^questions:\s*(#.*)?$", line)), None
    )
    if key is None or any(re.match(r"^[^\s#-]", line) for line in lines[key + 1 :]):
        return None
    item = next((line for line in lines[key + 1 :] if re.match(r"^\s*- ", line)), None)
    if item is None:
        return None
    indent = item[: len(item) - len(item.lstrip())]
    block = _dump([_in_field_order(q) for q in added])
    shifted = "\n".join(indent + line if line else line for line in block.split("\n"))
    return "\n".join(lines) + "\n" + shifted + "\n"


__all__ = [
    "REVIEW_TAGS",
    "DeckData",
    "ImportProblem",
    "ImportResult",
    "KeyPointData",
    "LineWarning",
    "Merge",
    "OptionData",
    "QuestionData",
    "dump_deck",
    "import_markdown",
    "merge_into",
    "slugify",
]
