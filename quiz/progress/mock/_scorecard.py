"""What the candidate reads after a mock interview: :class:`Scorecard` and its entries, and the
JSON and Markdown files :func:`export_scorecard` writes."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final, Literal, get_args

from questions import Kind
from quiz.files import atomic_write_text
from quiz.progress.store import KeyPointMark, Verdict

from ._config import MockConfig, is_finite_number
from ._markdown import render_markdown

EntryStatus = Literal["answered", "skipped", "unseen"]
ScoredBy = Literal["rubric", "grader", "interviewer"]
EndedBy = Literal["finished", "time", "left"]
"""How a mock ended: finished by the candidate, out of time, or left (the app was closed)."""
ConfirmedBy = Literal["candidate", "interviewer"]
"""Who confirmed a concept answer's key points (and so its score)."""

SCORECARD_FORMAT: Final = "mlquiz-scorecard"
SCORECARD_VERSION: Final = 1
MARKDOWN_SUFFIXES: Final = (".md", ".markdown")
JSON_SUFFIXES: Final = (".json",)

_STATUSES: Final = get_args(EntryStatus)
_SCORERS: Final = get_args(ScoredBy)
_ENDINGS: Final = get_args(EndedBy)
_CONFIRMERS: Final = get_args(ConfirmedBy)


@dataclass(frozen=True)
class ScorecardEntry:
    """One question of a finished mock, as the candidate reads it."""

    number: int
    """1-based position in the mock."""
    question: str
    """``DECK/QID``."""
    heading: str
    prompt: str
    """The question as asked (with its drawn numbers, if it draws them)."""
    kind: Kind
    status: EntryStatus
    """answered; skipped (shown, never answered: skipped with the Skip key, or left for
    another question or the end, see :attr:`explicitly_skipped`); unseen (never shown)."""
    seconds: float
    """Time spent on the question in the mock, over every visit."""
    expected_seconds: int | None
    hints: int
    """Hints shown."""
    verdict: Verdict | None
    """Of the latest answer (:attr:`~quiz.progress.store.Attempt.verdict`); None if unanswered."""
    score: float
    """0..1 before the hint penalty; 0 when unanswered."""
    points: float
    """``max(0, score - hint_penalty * hints)`` when answered, else 0."""
    scored_by: ScoredBy
    key_points_missed: list[str]
    """Concept: the rubric points the latest answer missed."""
    failed_checks: list[str]
    """Code: ``name: message`` of each check that failed or raised (and why grading could not
    finish, for an error)."""
    wrong_parts: list[str]
    """Numeric: labels of the parts not answered correctly."""
    answer: str
    """What was given, readably: free text, code, one ``label: value`` line per numeric part,
    or one line per chosen option; empty when unanswered."""
    reference: str
    """The reference answer (markdown), with the expected values of a numeric question and the
    correct options of a choice question."""
    key_points: tuple[KeyPointMark, ...] = ()
    """Concept: the checklist of key points, each with whether the matcher found it and
    whether it counts (as confirmed, or as the matcher suggested); empty when unanswered and
    in scorecards written before checklists."""
    confirmed_by: ConfirmedBy | None = None
    """Concept: who confirmed the score (the key points ticked, or a score the interviewer
    gave); None when it is the matcher's suggestion."""
    explicitly_skipped: bool = False
    """Status ``skipped`` only: the candidate skipped it (the Skip key), rather than leaving it
    unanswered. False in scorecards written before this was recorded; those questions read
    "not answered", which is true either way."""

    def __post_init__(self) -> None:
        where = f"scorecard entry {self.number}"
        object.__setattr__(self, "key_points", tuple(self.key_points))
        if self.explicitly_skipped and self.status != "skipped":
            raise ValueError(f"{where}: only a skipped question can be explicitly_skipped")
        if self.confirmed_by is not None and self.confirmed_by not in _CONFIRMERS:
            raise ValueError(f"{where}: confirmed_by must be one of {', '.join(_CONFIRMERS)}")
        if self.status not in _STATUSES:
            raise ValueError(f"{where}: status must be one of {', '.join(_STATUSES)}")
        if self.scored_by not in _SCORERS:
            raise ValueError(f"{where}: scored_by must be one of {', '.join(_SCORERS)}")
        for name in ("score", "points"):
            value = getattr(self, name)
            if not is_finite_number(value) or not 0 <= value <= 1:
                raise ValueError(f"{where}: {name} must be a number from 0 to 1, got {value!r}")
        if not is_finite_number(self.seconds) or self.seconds < 0:
            raise ValueError(f"{where}: seconds must be a number >= 0, got {self.seconds!r}")

    @property
    def answered(self) -> bool:
        return self.status == "answered"

    @property
    def suggested(self) -> bool:
        """Whether this is an answered concept question whose score is the matcher's
        suggestion, not confirmed by anyone."""
        return self.kind == "concept" and self.answered and self.confirmed_by is None

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "question": self.question,
            "heading": self.heading,
            "prompt": self.prompt,
            "kind": self.kind,
            "status": self.status,
            "explicitly_skipped": self.explicitly_skipped,
            "seconds": self.seconds,
            "expected_seconds": self.expected_seconds,
            "hints": self.hints,
            "verdict": self.verdict,
            "score": self.score,
            "points": self.points,
            "scored_by": self.scored_by,
            "key_points_missed": list(self.key_points_missed),
            "failed_checks": list(self.failed_checks),
            "wrong_parts": list(self.wrong_parts),
            "answer": self.answer,
            "reference": self.reference,
            "key_points": [mark.to_json() for mark in self.key_points],
            "confirmed_by": self.confirmed_by,
        }

    @classmethod
    def from_json(cls, data: Any, where: str = "entry") -> ScorecardEntry:
        """Inverse of :meth:`to_json`; a bad value raises ``ValueError`` naming its field under
        ``where`` (``entry.points: expected a number, got 'lots'``)."""
        from ._reading import read_entry

        return read_entry(data, where)


@dataclass(frozen=True)
class Scorecard:
    """A finished mock interview: when, how it was set up, and every question's entry."""

    mock_id: int
    started_at: datetime
    finished_at: datetime
    config: MockConfig
    """As run: its ``seed`` is the one used."""
    entries: tuple[ScorecardEntry, ...]
    time_used: float
    """Seconds from the start to the end, at most the countdown."""
    ended_by: EndedBy
    """finished: the candidate ended it; time: the countdown ran out first."""
    notes: tuple[str, ...] = ()
    """Anything the candidate should know about how the mock was set up (e.g. fewer questions
    than asked for)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "entries", tuple(self.entries))
        object.__setattr__(self, "notes", tuple(self.notes))
        if self.ended_by not in _ENDINGS:
            raise ValueError(f"scorecard: ended_by must be one of {', '.join(_ENDINGS)}")
        for name in ("started_at", "finished_at"):
            moment = getattr(self, name)
            if not isinstance(moment, datetime) or moment.utcoffset() is None:
                raise ValueError(f"scorecard: {name} must be a timezone-aware datetime")

    @property
    def total(self) -> float:
        """Points earned (4 decimals)."""
        return round(sum(entry.points for entry in self.entries), 4)

    @property
    def maximum(self) -> int:
        """Points available: one per question."""
        return len(self.entries)

    @property
    def percent(self) -> float:
        """``total`` as a percentage of ``maximum``, one decimal."""
        return round(100 * self.total / self.maximum, 1) if self.maximum else 0.0

    def to_json(self) -> dict[str, Any]:
        """JSON-able form, keys in a fixed order; :meth:`from_json` reads it back."""
        return {
            "format": SCORECARD_FORMAT,
            "version": SCORECARD_VERSION,
            "mock_id": self.mock_id,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat(),
            "ended_by": self.ended_by,
            "time_used": self.time_used,
            "config": self.config.to_json(),
            "total": self.total,
            "maximum": self.maximum,
            "percent": self.percent,
            "notes": list(self.notes),
            "questions": [entry.to_json() for entry in self.entries],
        }

    @classmethod
    def from_json(cls, data: Any) -> Scorecard:
        """Inverse of :meth:`to_json` (``total``, ``maximum`` and ``percent`` are derived, so
        they are not read); a bad value raises ``ValueError`` naming its field
        (``scorecard.questions[1].points: expected a number, got 'lots'``)."""
        # Imported here: building the pydantic models costs every start of the app otherwise.
        from ._reading import read_scorecard

        return read_scorecard(data)

    def to_markdown(self) -> str:
        """A report to read after the interview: a summary, a table, then every question with
        the answer given, what it missed and the reference answer."""
        return render_markdown(self)


# --------------------------------------------------------------------------- export


def export_scorecard(scorecard: Scorecard, path: Path) -> None:
    """Write ``scorecard`` to ``path``: Markdown for ``.md`` / ``.markdown``, JSON (indent 2)
    for ``.json``; ``ValueError`` for any other suffix, before anything is written.

    The file is written atomically (:func:`~quiz.files.atomic_write_text`): it is either the
    old file or the whole new one, never half written; an ``OSError`` says why it could not be.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in MARKDOWN_SUFFIXES:
        text = scorecard.to_markdown()
    elif suffix in JSON_SUFFIXES:
        text = scorecard_json(scorecard)
    else:
        known = ", ".join((*MARKDOWN_SUFFIXES, *JSON_SUFFIXES))
        raise ValueError(
            f"cannot export a scorecard to {path}: the file name must end in {known} "
            f"(Markdown or JSON), not {path.suffix or 'nothing'!r}"
        )
    atomic_write_text(path, text)


# Characters JSON allows raw that could act on a terminal showing the file (DEL, C1 controls)
# or that break it for a line reader or an encoder (line separators, lone surrogates).
_JSON_UNSAFE = re.compile(r"[\x7f-\x9f\ud800-\udfff\u2028\u2029]")


def scorecard_json(scorecard: Scorecard) -> str:
    """The JSON text :func:`export_scorecard` writes: indent 2, a trailing newline, non-ASCII
    kept, and characters that could act on a terminal or break a line reader escaped."""
    text = json.dumps(scorecard.to_json(), indent=2, ensure_ascii=False, allow_nan=False)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n"
