"""The answer widgets: one per question kind (``concept``, ``numeric``, ``choice``, ``code``),
over what they share (``base``)."""

from .base import RECORDED_NOTE, AnswerWidget
from .choice import ChoiceAnswer
from .code import CodeAnswer
from .concept import ConceptAnswer
from .numeric import NumericAnswer

__all__ = [
    "RECORDED_NOTE",
    "AnswerWidget",
    "ChoiceAnswer",
    "CodeAnswer",
    "ConceptAnswer",
    "NumericAnswer",
]
