"""Lookups shared by the deck tests: a question of the expected kind, rubric hits, parts, a
code question's reference entry point, and the checks every deck makes of its examples."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

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


def reference_entry(deck: Deck, question_id: str) -> Callable[..., Any]:
    """The entry point of a code question's reference, defined in this process (deck code is
    trusted; submissions are only ever run by the grader)."""
    question = code_question(deck, question_id)
    namespace: dict[str, Any] = {}
    exec(compile(question.reference, f"<{question_id} reference>", "exec"), namespace)
    entry: Callable[..., Any] = namespace[question.entry_point]
    return entry


def assert_examples_of_every_kind(question: ConceptQuestion) -> None:
    """At least two correct examples, a misconception and a bare keyword list."""
    kinds = [example.kind for example in question.examples]
    assert kinds.count("correct") >= 2, (question.id, kinds)
    assert "misconception" in kinds, (question.id, kinds)
    assert "keywords" in kinds, (question.id, kinds)


def assert_examples_hit_and_miss_what_they_say(question: ConceptQuestion) -> None:
    """Each example hits every key point it must hit and none it must miss."""
    for number, example in enumerate(question.examples, 1):
        must_hit, must_miss = example.expected(len(question.key_points))
        hit = {i for i, (_, made) in enumerate(question.rubric(example.answer), 1) if made}
        assert must_hit <= hit, (question.id, number, example.kind, example.answer, sorted(hit))
        assert not must_miss & hit, (question.id, number, example.kind, example.answer, sorted(hit))
