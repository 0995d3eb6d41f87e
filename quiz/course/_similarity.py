"""Copied work: pairs of students whose answers to one question are suspiciously alike.

As MOSS does (Schleimer, Wilkerson and Aiken, *Winnowing: local algorithms for document
fingerprinting*, SIGMOD 2003): each answer is cut down to the code that answers the question
(the entry point and the module-level definitions it uses), turned into normalised Python
tokens (every name a student chooses becomes ``V``, literals ``N``/``S``; comments, docstrings
and layout are gone), hashed as k-grams and winnowed into fingerprints. Renaming, reformatting
and reordering functions leave the fingerprints as they were. Fingerprints of the question's
starter code, and those that many students share (the idiomatic way to write it), do not
count. Similarity is the Dice coefficient of two fingerprint sets (0–1).

Written here rather than taken from ``copydetect``: that package tokenises with Pygments at
the character level, hashes with Python's per-process ``hash()`` (fingerprints differ between
runs and machines, so shards could not agree), and imports NumPy and Matplotlib at start-up,
which the grading image otherwise does without.
"""

from __future__ import annotations

import hashlib
import io
import json
import keyword
import math
import token as token_kinds
import tokenize
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._assignment import Assignment
from ._grading import find_students
from ._sources import SourceFile, entry_point_lines, locate, read_student

# f-strings are tokenised in parts from Python 3.12 on.
_FSTRING_START = getattr(token_kinds, "FSTRING_START", -1)
_FSTRING_REST = (
    getattr(token_kinds, "FSTRING_MIDDLE", -1),
    getattr(token_kinds, "FSTRING_END", -1),
)

K = 10
"""Tokens per k-gram: shorter matches are noise."""
WINDOW = 4
"""Winnowing window: any match of K + WINDOW - 1 tokens is always caught."""
DEFAULT_THRESHOLD = 0.5


@dataclass(frozen=True)
class Token:
    text: str
    line: int


@dataclass(frozen=True)
class Fingerprints:
    """A student's answer to one question, fingerprinted."""

    student: str
    file: SourceFile
    hashes: dict[int, list[tuple[int, int]]]
    """Fingerprint → the line ranges of the k-grams it was taken from."""


@dataclass(frozen=True)
class Region:
    """Lines of ``a`` and of ``b`` that match."""

    a_first: int
    a_last: int
    b_first: int
    b_last: int


@dataclass(frozen=True)
class SimilarPair:
    """Two students' answers to one question that look alike."""

    question: str
    a: str
    b: str
    similarity: float
    a_file: SourceFile
    b_file: SourceFile
    regions: tuple[Region, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "a": self.a,
            "b": self.b,
            "similarity": self.similarity,
            "a_file": self.a_file.relative,
            "b_file": self.b_file.relative,
            "regions": [
                {
                    "a": _side(self.a_file, r.a_first, r.a_last),
                    "b": _side(self.b_file, r.b_first, r.b_last),
                }
                for r in self.regions
            ],
        }


def _side(file: SourceFile, first: int, last: int) -> dict[str, Any]:
    return {
        "first_line": first,
        "last_line": last,
        "where": describe_lines(file, first, last),
    }


def describe_lines(file: SourceFile, first: int, last: int) -> str:
    """``hw.py lines 3–14``; for a notebook ``hw.ipynb cell 2, line 1 – cell 2, line 12``."""
    if not file.cells:
        return f"{file.relative} lines {first}–{last}"
    return f"{file.relative} {file.where(first)} – {file.where(last)}"


def normalised_tokens(text: str, lines: Sequence[tuple[int, int]] = ()) -> list[Token]:
    """Python tokens of ``text`` (only those on ``lines`` when given), normalised so that
    renaming and layout do not show: names a student picks are ``V`` (keywords, ``self`` and
    attributes of anything but ``self`` stay), numbers ``N``, strings ``S``; comments,
    docstrings and blank lines go."""
    out: list[Token] = []
    previous: list[str] = []
    statement_start = True
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            kind, string, (line, _), _, _ = tok
            if kind in (tokenize.COMMENT, tokenize.NL, tokenize.ENCODING, tokenize.ENDMARKER):
                continue
            if kind in (tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT):
                statement_start = True
                if kind != tokenize.NEWLINE and lines and not _inside(line, lines):
                    continue
                previous.append(string if kind != tokenize.NEWLINE else ";")
                if not lines or _inside(line, lines):
                    out.append(
                        Token({tokenize.NEWLINE: ";", tokenize.INDENT: "{"}.get(kind, "}"), line)
                    )
                continue
            starts = statement_start
            statement_start = False
            if kind == tokenize.STRING and starts:
                continue  # a docstring, or a string on its own: says nothing about the code
            if lines and not _inside(line, lines):
                previous.append(string)
                continue
            if kind == tokenize.NAME:
                after_dot = len(previous) >= 2 and previous[-1] == "."
                if keyword.iskeyword(string) or string == "self":
                    shown = string
                elif after_dot and previous[-2] != "self":
                    shown = string  # an API name (nn.Conv2d, x.view): not the student's choice
                else:
                    shown = "V"
            elif kind == tokenize.NUMBER:
                shown = "N"
            elif kind in (tokenize.STRING, _FSTRING_START):
                shown = "S"
            elif kind in _FSTRING_REST:
                continue
            else:
                shown = string
            previous.append(string)
            out.append(Token(shown, line))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass  # the tokens up to the error still count
    return out


def _inside(line: int, ranges: Sequence[tuple[int, int]]) -> bool:
    return any(first <= line <= last for first, last in ranges)


def _hash(gram: Sequence[Token]) -> int:
    text = "\x1f".join(t.text for t in gram).encode()
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big")


def winnow(
    tokens: Sequence[Token], k: int = K, window: int = WINDOW
) -> dict[int, list[tuple[int, int]]]:
    """Fingerprints of ``tokens``: in every window of ``window`` k-gram hashes the smallest
    (the rightmost on ties), with the line range of its k-gram. Stable across runs."""
    grams = [tokens[i : i + k] for i in range(len(tokens) - k + 1)]
    hashes = [_hash(g) for g in grams]
    chosen: dict[int, list[tuple[int, int]]] = {}
    if not hashes:
        return chosen
    last_pick = -1
    for start in range(max(1, len(hashes) - window + 1)):
        span = hashes[start : start + window]
        low = min(span)
        pick = start + max(i for i, h in enumerate(span) if h == low)
        if pick != last_pick:
            gram = grams[pick]
            chosen.setdefault(hashes[pick], []).append((gram[0].line, gram[-1].line))
            last_pick = pick
    return chosen


def fingerprint_answer(student: str, file: SourceFile, entry_point: str) -> Fingerprints:
    """Fingerprints of the code in ``file`` that answers a question with ``entry_point``."""
    lines = entry_point_lines(file.text, entry_point)
    return Fingerprints(student, file, winnow(normalised_tokens(file.text, lines)))


def compare(
    question: str, a: Fingerprints, b: Fingerprints, ignored: set[int]
) -> SimilarPair | None:
    """How alike two answers are, leaving out ``ignored`` fingerprints (starter, common)."""
    ours = set(a.hashes) - ignored
    theirs = set(b.hashes) - ignored
    if not ours or not theirs:
        return None
    shared = ours & theirs
    similarity = round(2 * len(shared) / (len(ours) + len(theirs)), 3)
    pairs = sorted(
        (span_a, span_b) for h in shared for span_a in a.hashes[h][:1] for span_b in b.hashes[h][:1]
    )
    regions: list[Region] = []
    for (a1, a2), (b1, b2) in pairs:
        # One region while the matches run on in both files (they overlap or touch).
        if (
            regions
            and a1 <= regions[-1].a_last + 1
            and b1 <= regions[-1].b_last + 1
            and b2 >= regions[-1].b_first - 1
        ):
            last = regions[-1]
            regions[-1] = Region(
                last.a_first, max(last.a_last, a2), min(last.b_first, b1), max(last.b_last, b2)
            )
        else:
            regions.append(Region(a1, a2, b1, b2))
    return SimilarPair(question, a.student, b.student, similarity, a.file, b.file, tuple(regions))


def find_similar(
    assignment: Assignment,
    root: Path,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    common: int | None = None,
) -> list[SimilarPair]:
    """Pairs of students per question whose similarity is at least ``threshold``.

    Fingerprints found in more than ``common`` students' answers (default: 10% of the
    class, at least 3) are the usual way to write it and do not count, nor do the starter's.
    """
    students = [read_student(name, folder) for name, folder in find_students(root)]
    limit = common if common is not None else max(3, math.ceil(len(students) / 10))
    pairs: list[SimilarPair] = []
    for question in assignment.questions:
        entry = question.entry_point
        answers = []
        for student in students:
            located = locate(student, entry)
            if located.file is not None:
                answers.append(fingerprint_answer(student.name, located.file, entry))
        starter = question.question.starter or ""
        ignored = set(winnow(normalised_tokens(starter)))
        counts = Counter(h for answer in answers for h in answer.hashes)
        ignored |= {h for h, n in counts.items() if n > limit}
        for index, first in enumerate(answers):
            for second in answers[index + 1 :]:
                pair = compare(question.id, first, second, ignored)
                if pair is not None and pair.similarity >= threshold:
                    pairs.append(pair)
    pairs.sort(key=lambda p: (p.question, -p.similarity, p.a, p.b))
    return pairs


def similarity_json_lines(pairs: Sequence[SimilarPair]) -> str:
    return "".join(json.dumps(p.to_dict(), ensure_ascii=False) + "\n" for p in pairs)
