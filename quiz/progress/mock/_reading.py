"""Scorecard JSON read back: pydantic models of the file, and :func:`read_scorecard`.

Imported when a scorecard is read (:meth:`~quiz.progress.mock.Scorecard.from_json`), not with the
package: building the models would cost every start of the app otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    PlainValidator,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    ValidationError,
    model_validator,
)

from quiz.formatting import validation_problem

from ..store import KeyPointMark, aware_time
from ._config import MockConfig
from ._scorecard import (
    SCORECARD_FORMAT,
    SCORECARD_VERSION,
    ConfirmedBy,
    EndedBy,
    EntryStatus,
    Scorecard,
    ScorecardEntry,
    ScoredBy,
)


def _moment(value: object) -> datetime:
    return aware_time(value)


Moment = Annotated[datetime, PlainValidator(_moment)]
"""An ISO 8601 time with a time zone."""
Config = Annotated[MockConfig, PlainValidator(MockConfig.from_json)]
"""A mock's config, checked as :meth:`MockConfig.from_json` checks one."""


class _Part(BaseModel):
    """One object of the file; keys it does not know are ignored."""

    model_config = ConfigDict(frozen=True, allow_inf_nan=False)


class KeyPointFile(_Part):
    """``questions[i].key_points[j]``: one key point of a concept answer's checklist."""

    point: StrictStr
    matched: StrictBool
    ticked: StrictBool


class EntryFile(_Part):
    """``questions[i]``: one :class:`ScorecardEntry`. Its values are then checked as the entry
    checks them (``score`` from 0 to 1, ...), and a problem is reported at the entry."""

    number: StrictInt
    question: StrictStr
    heading: StrictStr
    prompt: StrictStr
    kind: StrictStr
    status: EntryStatus
    explicitly_skipped: StrictBool = False
    """Absent from scorecards written before it was recorded: their unanswered questions read
    "not answered"."""
    seconds: StrictFloat
    expected_seconds: StrictInt | None = None
    hints: StrictInt
    verdict: StrictStr | None = None
    score: StrictFloat
    points: StrictFloat
    scored_by: ScoredBy
    key_points_missed: list[StrictStr]
    failed_checks: list[StrictStr]
    wrong_parts: list[StrictStr]
    answer: StrictStr
    reference: StrictStr
    key_points: list[KeyPointFile] = []
    """Absent from scorecards written before checklists."""
    confirmed_by: ConfirmedBy | None = None

    @model_validator(mode="after")
    def _holds_an_entry(self) -> EntryFile:
        self.entry()
        return self

    def entry(self) -> ScorecardEntry:
        values = self.model_dump(exclude={"key_points"})
        marks = tuple(KeyPointMark(k.point, k.matched, k.ticked) for k in self.key_points)
        return ScorecardEntry(**values, key_points=marks)


class ScorecardFile(_Part):
    """A whole scorecard file (:meth:`Scorecard.to_json`); ``total``, ``maximum`` and
    ``percent`` are derived from the entries, so they are not read."""

    format: StrictStr = SCORECARD_FORMAT
    version: StrictInt = SCORECARD_VERSION
    mock_id: StrictInt
    started_at: Moment
    finished_at: Moment
    ended_by: EndedBy
    time_used: StrictFloat
    config: Config
    notes: list[StrictStr] = []
    questions: list[EntryFile]

    @model_validator(mode="before")
    @classmethod
    def _is_one_this_mlquiz_reads(cls, data: object) -> object:
        if not isinstance(data, Mapping):
            return data  # pydantic says what it is
        if data.get("format", SCORECARD_FORMAT) != SCORECARD_FORMAT:
            raise ValueError(f'not a scorecard (no "format": "{SCORECARD_FORMAT}")')
        version = data.get("version", SCORECARD_VERSION)
        if isinstance(version, bool) or not isinstance(version, int) or version > SCORECARD_VERSION:
            raise ValueError(
                f"version {version!r} is not one this mlquiz reads (up to "
                f"{SCORECARD_VERSION}); upgrade mlquiz"
            )
        return data

    def scorecard(self) -> Scorecard:
        return Scorecard(
            mock_id=self.mock_id,
            started_at=self.started_at,
            finished_at=self.finished_at,
            config=self.config,
            entries=tuple(entry.entry() for entry in self.questions),
            time_used=self.time_used,
            ended_by=self.ended_by,
            notes=tuple(self.notes),
        )


def read_scorecard(data: Any) -> Scorecard:
    """``data`` (a parsed scorecard file) as a :class:`Scorecard`; ``ValueError`` naming the
    first problem otherwise (``scorecard.questions[1].points: expected a number, got 'lots'``).
    """
    try:
        return ScorecardFile.model_validate(data).scorecard()
    except ValidationError as exc:
        raise ValueError(_first_problem(exc, "scorecard")) from None


def read_entry(data: Any, where: str) -> ScorecardEntry:
    """``data`` as one :class:`ScorecardEntry`; ``ValueError`` naming the first problem below
    ``where`` otherwise."""
    try:
        return EntryFile.model_validate(data).entry()
    except ValidationError as exc:
        raise ValueError(_first_problem(exc, where)) from None


def _first_problem(exc: ValidationError, root: str) -> str:
    return validation_problem(exc.errors(include_url=False)[0], root)
