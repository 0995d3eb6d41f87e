"""Choice questions: options, one or several correct."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import (
    Field,
    model_validator,
)

from ._base import _Model, _QuestionBase


class ChoiceOption(_Model):
    text: str = Field(min_length=1)
    correct: bool = False
    why: str | None = Field(default=None, description="Shown after answering.")


class ChoiceQuestion(_QuestionBase):
    """Pick one option (or several when ``multiple``)."""

    kind: Literal["choice"]
    options: list[ChoiceOption] = Field(min_length=2)
    multiple: bool = False

    @model_validator(mode="after")
    def _right_number_correct(self) -> Self:
        correct = sum(o.correct for o in self.options)
        if correct == 0:
            raise ValueError("no option is marked correct")
        if not self.multiple and correct > 1:
            raise ValueError(f"{correct} options are correct; set `multiple: true` or mark one")
        return self

    @property
    def correct_indices(self) -> frozenset[int]:
        return frozenset(i for i, o in enumerate(self.options) if o.correct)
