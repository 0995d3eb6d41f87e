"""A deck: its questions of every kind, retired questions and their replacements, and the
JSON Schema."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Self, get_args

from pydantic import (
    Field,
    model_validator,
)

from ._base import Slug, _Model
from ._choice import ChoiceQuestion
from ._code import CodeQuestion
from ._concept import ConceptQuestion
from ._numeric import NumericQuestion

AnyQuestion = ConceptQuestion | NumericQuestion | ChoiceQuestion | CodeQuestion
Question = Annotated[AnyQuestion, Field(discriminator="kind")]
Kind = Literal["concept", "numeric", "choice", "code"]
"""The kinds of question."""
QUESTION_KINDS: tuple[Kind, ...] = get_args(Kind)


class Deck(_Model):
    """A named, ordered set of questions, stored as one YAML file."""

    id: Slug
    title: str = Field(min_length=1)
    source: str | None = Field(default=None, description="Where the questions come from.")
    description: str | None = None
    questions: list[Question] = Field(min_length=1)
    retired: list[Question] = Field(
        default_factory=list,
        description=(
            "Questions no longer asked, kept so that the ids users' progress refers to stay "
            "valid; each names its `replaced_by`."
        ),
    )

    @model_validator(mode="after")
    def _retired_name_their_replacement(self) -> Self:
        for question in self.questions:
            if question.replaced_by is not None:
                raise ValueError(
                    f"question {question.id!r} has `replaced_by`: move it to `retired`"
                )
        live = {q.id for q in self.questions}
        for question in self.retired:
            if question.replaced_by is None:
                raise ValueError(f"retired question {question.id!r} needs `replaced_by`")
            if question.id in live:
                raise ValueError(f"{question.id!r} is both asked and retired")
            if question.replaced_by == f"{self.id}/{question.id}":
                raise ValueError(f"retired question {question.id!r} cannot replace itself")
        return self

    def replacements(self) -> dict[str, str]:
        """``DECK/QID`` of each retired question → the ``DECK/QID`` that replaces it."""
        return {f"{self.id}/{q.id}": q.replaced_by for q in self.retired if q.replaced_by}

    def counts_by_kind(self) -> dict[str, int]:
        counts: dict[str, int] = dict.fromkeys(QUESTION_KINDS, 0)
        for q in self.questions:
            counts[q.kind] += 1
        return counts

    def get(self, question_id: str) -> AnyQuestion | None:
        """The question asked with this id (retired questions are not)."""
        return next((q for q in self.questions if q.id == question_id), None)


def deck_json_schema() -> dict[str, Any]:
    """The JSON Schema of a deck file."""
    schema = Deck.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "mlquiz deck"
    return schema
