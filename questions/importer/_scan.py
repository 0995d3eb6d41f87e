"""Recognising questions and answers in markdown notes by how they look."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from markdown_it import MarkdownIt
from markdown_it.token import Token

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
# "Q1 Title", "**Q3** Title": a question number and a title with nothing between them.
_Q_NUMBER_TITLE = re.compile(
    rf"^\s*{_EMPHASIS}\s*Q(?:uestion)?\s*(\d+)\s*{_EMPHASIS}\s+{_EMPHASIS}\s*(\w.*)$",
    re.IGNORECASE,
)
# Sections that notes end with and that never hold a question: not worth a warning.
_BACK_MATTER = re.compile(
    r"^\W*(?:resources|references|further\s+reading|reading\s+list|links|useful\s+links|"
    r"sources|see\s+also|bibliography|acknowledg(?:e)?ments|credits|summary|cheat\s*sheet|"
    r"table\s+of\s+contents|contents|toc|todo|changelog)\W*$",
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
    q_number = _Q_NUMBER_TITLE.match(text)
    if q_number is not None:  # "Q1 Self-attention complexity": the number says it
        return _HeadingRead(True, q_number.group(1), _question_text(q_number.group(2)))
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
        # (line, level, text, read as a question) of the headings that were read as either
        self.heading_reads: list[tuple[int, int, str, bool]] = []

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
        if not read.question and (
            self._answer_follows(index) or (read.number is not None and self._text_follows(index))
        ):
            read = _HeadingRead(True, read.number, read.text)
        self.heading_reads.append((index, level, text, read.question))
        self._close(current, index)
        if not read.question:
            self.sections = [s for s in self.sections if s[0] < level] + [(level, text)]
            return None
        self.sections = [s for s in self.sections if s[0] < level]
        return self._start(
            _Start(index, "heading", read.text, read.number, level=level, body_start=index + 1)
        )

    def _text_follows(self, index: int) -> bool:
        """Whether a heading has prose of its own below it before the next heading (a
        numbered heading with text below is a question; one right above others is a
        section)."""
        for below in range(index + 1, len(self.lines)):
            if below in self.headings:
                return False
            line = self.lines[below]
            if below in self.blocked or not line.strip():
                continue
            return not (
                _question_marker(line) is not None
                or _DETAILS_OPEN.match(line)
                or self._implicit_question(below) is not None
            )
        return False

    def _details_below(self, index: int) -> int | None:
        """The end of an answer ``<details>`` block that is the next thing below the line at
        ``index`` (blank lines between allowed), else None."""
        below = index + 1
        while below < len(self.lines) and not self.lines[below].strip():
            below += 1
        if below >= len(self.lines) or below in self.blocked or below in self.headings:
            return None
        if not _DETAILS_OPEN.match(self.lines[below]):
            return None
        end = _details_end(self.lines, below)
        summary, _ = _details_parts(self.lines[below:end])
        return end if _ANSWER_LABEL.match(summary) else None

    def skipped_headings(self) -> list[tuple[int, str]]:
        """(line, text) of headings read as sections although headings beside them (same
        level, same parent) are questions: likely questions in a form not recognised."""
        parents: list[tuple[int, int]] = []  # (level, line) of the enclosing headings
        siblings: dict[tuple[int, int], list[tuple[int, str, bool]]] = {}
        for index, level, text, question in self.heading_reads:
            parents = [p for p in parents if p[0] < level]
            parent = parents[-1][1] if parents else -1
            siblings.setdefault((parent, level), []).append((index, text, question))
            parents.append((level, index))
        return [
            (index, text)
            for group in siblings.values()
            if any(question for _, _, question in group)
            for index, text, question in group
            if not question and not _BACK_MATTER.match(_strip_emphasis(text))
        ]

    def _answer_follows(self, index: int) -> bool:
        """Whether the lines below a heading, up to the next heading, hold an answer marker."""
        for below in range(index + 1, len(self.lines)):
            if below in self.headings:
                return False
            if below in self.blocked:
                continue
            line = self.lines[below]
            if _question_marker(line) is not None or self._implicit_question(below):
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
        if item is None:
            return None
        details = self._details_below(index)
        item_text = _question_text(item.group("q"))
        asks = item_text.endswith("?") or (details is not None and _reads_as_question(item_text))
        if not asks:
            return None
        indent = len(item.group("indent")) + len(item.group("mark")) + 1
        end = index + 1
        while end < len(self.lines):
            below = self.lines[end]
            if below.strip() and len(below) - len(below.lstrip()) < indent:
                break
            end += 1
        if details is not None:
            end = max(end, details)  # "1. Question?" then a <details> answer, indented or not
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
