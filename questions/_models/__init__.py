"""The deck format: pydantic models for decks and the four question kinds.

A deck is one YAML file validated against these models. Every model forbids
unknown keys so a typo in a deck is reported, not ignored. The JSON Schema that
``quiz schema`` prints is generated from here. One module per question kind, beside what
they share (:mod:`._base`) and the deck itself (:mod:`._deck`).
"""

from __future__ import annotations

from ._base import CHECK_ORDER, Slug
from ._choice import ChoiceOption, ChoiceQuestion
from ._code import Checks, CodeQuestion, TensorSpec, WrongSolution
from ._concept import TRUSTED_PATTERNS, ConceptQuestion, Example, KeyPoint
from ._deck import QUESTION_KINDS, AnyQuestion, Deck, Kind, deck_json_schema
from ._numeric import NumericPart, NumericQuestion, Tolerance
from ._strategies import BoolStrategy, ChoiceStrategy, FloatStrategy, IntStrategy

__all__ = [
    "CHECK_ORDER",
    "QUESTION_KINDS",
    "TRUSTED_PATTERNS",
    "AnyQuestion",
    "BoolStrategy",
    "Checks",
    "ChoiceOption",
    "ChoiceQuestion",
    "ChoiceStrategy",
    "CodeQuestion",
    "ConceptQuestion",
    "Deck",
    "Example",
    "FloatStrategy",
    "IntStrategy",
    "KeyPoint",
    "Kind",
    "NumericPart",
    "NumericQuestion",
    "Slug",
    "TensorSpec",
    "Tolerance",
    "WrongSolution",
    "deck_json_schema",
]
