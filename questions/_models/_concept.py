"""Concept questions: key points judged by the claims an answer makes, and the examples that
prove them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Literal, Self

from pydantic import (
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from .._claims import ANSWER_IN_SENTENCES, Reading, Span, find_claims
from .._claims import read as read_answer
from ._base import _Model, _QuestionBase

TRUSTED_PATTERNS = "trusted_patterns"
"""Validation context key: the deck's patterns were compiled when it was checked (a packaged
deck), so loading it does not compile them again."""


class KeyPoint(_Model):
    """One rubric point; an answer hits it when a pattern matches a claim the answer makes.

    Patterns are matched against the normalised answer (see ``questions._claims``): a match
    in a clause that makes no claim, a negated match, or one whose words all come from the
    prompt earns nothing.
    """

    point: str = Field(min_length=1, description="What a good answer says, shown as hit/missed.")
    patterns: list[str] = Field(
        min_length=1,
        description=(
            "Case-insensitive regular expressions over the normalised answer (ASCII math, "
            "contractions spelled out); a match in a clause that asserts it counts as a hit."
        ),
    )

    @field_validator("patterns")
    @classmethod
    def _patterns_compile(cls, patterns: list[str], info: ValidationInfo) -> list[str]:
        # The packaged decks are compiled by check-deck in CI; loading them again on every
        # start would spend most of the load compiling regexes (they compile when first used).
        trusted = bool(info.context and info.context.get(TRUSTED_PATTERNS))
        for pattern in patterns:
            if not pattern.strip():
                raise ValueError("a pattern must not be empty")
            if trusted:
                continue
            try:
                re.compile(pattern, re.IGNORECASE)
            except re.error as exc:
                raise ValueError(
                    f"pattern {pattern!r} is not a valid regular expression: {exc}"
                ) from None
        return patterns

    def claims_in(self, reading: Reading) -> tuple[list[Span], list[Span]]:
        """(the answer's claims that make this point, matches that earn nothing)."""
        return find_claims(self.patterns, reading)

    def hit_by(self, text: str, prompt: str = "") -> bool:
        """Whether ``text``, answering ``prompt``, makes this point."""
        made, _ = self.claims_in(read_answer(text, prompt))
        return bool(made)


@dataclass(frozen=True)
class KeyPointVerdict:
    """One key point judged: hit or not, and where in the answer (offsets for highlighting)."""

    key_point: KeyPoint
    hit: bool
    claims: tuple[Span, ...]
    """The answer's spans that make the point."""
    void: tuple[Span, ...]
    """Matches that earn nothing: negated, only the prompt's words, or in a list of terms."""


@dataclass(frozen=True)
class Judgement:
    """A free-text answer judged against every key point of a concept question."""

    verdicts: tuple[KeyPointVerdict, ...]
    makes_claims: bool
    """False for an answer with no sentence that asserts anything (a list of terms)."""

    @property
    def score(self) -> float:
        """The share of key points hit (1.0 when the question has none)."""
        if not self.verdicts:
            return 1.0
        return sum(v.hit for v in self.verdicts) / len(self.verdicts)

    @property
    def advice(self) -> str | None:
        """What to tell the learner about the form of the answer, if anything."""
        listed = any(v.void for v in self.verdicts) or not self.verdicts
        return ANSWER_IN_SENTENCES if not self.makes_claims and listed else None

    def pairs(self) -> list[tuple[KeyPoint, bool]]:
        return [(v.key_point, v.hit) for v in self.verdicts]


ExampleKind = Literal["correct", "misconception", "keywords"]


class Example(_Model):
    """A sample answer that proves the key points judge fairly (check-deck runs it).

    By default a ``correct`` example must hit every key point and a wrong one
    (``misconception`` or ``keywords``) must hit none; ``hits`` and ``misses``
    (key point numbers, counted from 1) narrow that down.
    """

    answer: str = Field(min_length=1, description="The sample answer, as a learner would type it.")
    kind: ExampleKind = Field(
        description="correct, misconception (a confident wrong answer) or keywords (a bare list)."
    )
    hits: list[Annotated[int, Field(ge=1)]] | None = Field(
        default=None, description="Key points (from 1) this answer must hit."
    )
    misses: list[Annotated[int, Field(ge=1)]] | None = Field(
        default=None, description="Key points (from 1) this answer must not hit."
    )

    def expected(self, count: int) -> tuple[frozenset[int], frozenset[int]]:
        """The key point numbers this example must hit, and those it must miss."""
        every = frozenset(range(1, count + 1))
        if self.kind == "correct":
            hits = frozenset(self.hits) if self.hits is not None else every
            misses = frozenset(self.misses or ())
        else:
            hits = frozenset(self.hits or ())
            misses = frozenset(self.misses) if self.misses is not None else every - hits
        return hits, misses


class ConceptQuestion(_QuestionBase):
    """Free-text answer, self-rated, with rubric key points."""

    kind: Literal["concept"]
    key_points: list[KeyPoint] = Field(default_factory=list)
    examples: list[Example] = Field(
        default_factory=list,
        description="Sample answers, right and wrong, that check-deck runs through the key points.",
    )

    @model_validator(mode="after")
    def _examples_name_key_points(self) -> Self:
        count = len(self.key_points)
        for number, example in enumerate(self.examples, 1):
            named = [*(example.hits or ()), *(example.misses or ())]
            if any(point > count for point in named):
                raise ValueError(
                    f"example {number} names key point {max(named)}, but the question has {count}"
                )
            if set(example.hits or ()) & set(example.misses or ()):
                raise ValueError(f"example {number} lists a key point as both hit and missed")
        return self

    def judge(self, text: str) -> Judgement:
        """``text`` judged against each key point, with the spans that make each one."""
        reading = read_answer(text, self.prompt)
        verdicts = []
        for key_point in self.key_points:
            made, void = key_point.claims_in(reading)
            verdicts.append(KeyPointVerdict(key_point, bool(made), tuple(made), tuple(void)))
        return Judgement(tuple(verdicts), reading.makes_claims)

    def rubric(self, text: str) -> list[tuple[KeyPoint, bool]]:
        """Each key point with whether ``text`` makes it (see :meth:`judge` for the spans)."""
        return self.judge(text).pairs()
