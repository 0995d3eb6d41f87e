"""How a free-text answer is judged against a concept question's key points, in one place.

Provides :func:`judge`, the only part of :mod:`quiz` that knows how key points are matched,
and :class:`PointResult`, what it says of each key point: whether the answer makes it and where
(character offsets into the answer, for highlighting). Everything else in :mod:`quiz` (sessions,
mock interviews, the app) asks :func:`judge` and never the question's matcher directly.

Also provides :func:`ticked_score`, the score of a set of ticked key points, and
:func:`suggested_rating`, the self-rating a share of ticked points suggests: the checklist the
learner confirms (the matcher pre-ticks it) is what is scored and what suggests a rating.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from questions import ConceptQuestion

Span = tuple[int, int]


@dataclass(frozen=True)
class PointResult:
    """One key point of a concept question, judged against one answer."""

    point: str
    """The key point's text (markdown with $LaTeX$)."""
    hit: bool
    """Whether the matcher found the point made."""
    spans: tuple[Span, ...] = ()
    """``(start, end)`` character offsets into the answer of the words that make the point;
    empty when it is missed. Sorted, without overlaps."""


def judge(question: ConceptQuestion, text: str) -> list[PointResult]:
    """Each key point of ``question``, in order, with whether ``text`` makes it and where: the
    claims that make it (a negated mention, a list of terms or the prompt's own words make
    nothing, see :meth:`questions.ConceptQuestion.judge`)."""
    return [
        PointResult(
            verdict.key_point.point,
            verdict.hit,
            merge_spans((claim.start, claim.end) for claim in verdict.claims),
        )
        for verdict in question.judge(text).verdicts
    ]


def merge_spans(spans: Iterable[Span]) -> tuple[Span, ...]:
    """``spans`` sorted, with overlapping or touching ones joined."""
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(merged)


def ticked_score(ticked: Iterable[bool]) -> float:
    """The share of key points ticked; 1.0 for a question without key points."""
    marks = list(ticked)
    return sum(marks) / len(marks) if marks else 1.0


def suggested_rating(ticked: Iterable[bool]) -> int:
    """The self-rating (1 Again .. 4 Easy) a checklist suggests: every point ticked → Good
    (Easy stays the learner's call), half of them or more → Hard, fewer → Again."""
    score = ticked_score(ticked)
    if score >= 1.0:
        return 3
    if score >= 0.5:
        return 2
    return 1


__all__ = ["PointResult", "Span", "judge", "merge_spans", "suggested_rating", "ticked_score"]
