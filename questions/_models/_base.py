"""What every deck model shares: the strict base model, ids, check names, and the fields of
every question kind."""

from __future__ import annotations

import re
from typing import Annotated, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
)

Slug = Annotated[
    str,
    Field(
        pattern=r"^[a-z0-9][a-z0-9_-]*$",
        max_length=64,
        description="Lower-case letters, digits, '-' and '_'.",
    ),
]

CheckName = Literal[
    "compile",
    "load",
    "construct",
    "rules",
    "parameters",
    "output_shape",
    "initial",
    "outputs",
    "gradients",
    "gradcheck",
    "train_eval",
    "trajectory",
    "flops",
]
CHECK_ORDER: tuple[CheckName, ...] = get_args(CheckName)

DEFAULT_COMPARE: tuple[CheckName, ...] = ("parameters", "output_shape", "outputs", "gradients")

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _QuestionBase(_Model):
    id: Slug = Field(description="Unique within the deck; the full id is DECK/ID.")
    title: str | None = Field(default=None, description="Short title for lists.")
    prompt: str = Field(min_length=1, description="Markdown with $LaTeX$ math.")
    answer: str = Field(
        min_length=1, description="Reference answer and working, markdown with $LaTeX$."
    )
    hints: list[str] = Field(default_factory=list, description="Shown on request, cost points.")
    tags: list[str] = Field(default_factory=list)
    expected_seconds: int | None = Field(
        default=None, gt=0, description="Time a prepared candidate needs; fast and right → Easy."
    )
    replaced_by: str | None = Field(
        default=None,
        pattern=r"^[a-z0-9][a-z0-9-]*/[a-z0-9][a-z0-9-]*$",
        description=(
            "Only in a deck's `retired` list: the DECK/QID that now asks this question. A "
            "retired question is never offered again; progress on it moves to its replacement."
        ),
    )

    @property
    def heading(self) -> str:
        """A one-line title: ``title`` or the prompt's first line."""
        if self.title:
            return self.title
        first = self.prompt.strip().splitlines()[0]
        return first if len(first) <= 80 else first[:79] + "…"
