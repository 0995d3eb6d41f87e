"""Lookups shared by the deck tests: a question of the expected kind, rubric hits, parts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from questions import (
    AnyQuestion,
    ChoiceQuestion,
    CodeQuestion,
    ConceptQuestion,
    Deck,
    NumericPart,
    NumericQuestion,
)

Q = TypeVar("Q", bound=AnyQuestion)


def question_of(deck: Deck, question_id: str, kind: type[Q]) -> Q:
    question = deck.get(question_id)
    assert isinstance(question, kind), f"{question_id} is not a {kind.__name__}"
    return question


def concept_question(deck: Deck, question_id: str) -> ConceptQuestion:
    return question_of(deck, question_id, ConceptQuestion)


def numeric_question(deck: Deck, question_id: str) -> NumericQuestion:
    return question_of(deck, question_id, NumericQuestion)


def choice_question(deck: Deck, question_id: str) -> ChoiceQuestion:
    return question_of(deck, question_id, ChoiceQuestion)


def code_question(deck: Deck, question_id: str) -> CodeQuestion:
    return question_of(deck, question_id, CodeQuestion)


def key_points_hit(question: ConceptQuestion, text: str) -> list[str]:
    return [kp.point for kp, hit in question.rubric(text) if hit]


def key_points_missed(question: ConceptQuestion, text: str) -> list[str]:
    return [kp.point for kp, hit in question.rubric(text) if not hit]


def numeric_parts(deck: Deck, question_ids: Sequence[str]) -> list[tuple[str, NumericPart]]:
    """(question id, part) for every part of the given numeric questions."""
    return [(qid, part) for qid in question_ids for part in numeric_question(deck, qid).parts]
