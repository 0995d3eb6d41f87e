"""One question's body: answer, hints, metadata, choices."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field

from ._data import OptionData
from ._scan import (
    _ANSWER_LABEL,
    _BACK_LINK,
    _BREAK_LINE,
    _CHECKBOX,
    _DETAILS_OPEN,
    _HINT_LABEL,
    _HR,
    _META_SEGMENT,
    _META_SEPARATOR,
    _answer_marker,
    _blocked_lines,
    _details_end,
    _details_parts,
    _markdown,
    _strip_emphasis,
)

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
