"""The answer widgets: one per question kind (``concept``, ``numeric``, ``choice``, ``code``),
over what they share (``base``)."""

from .base import RECORDED_NOTE, AnswerWidget
from .choice import ChoiceAnswer
from .code import CodeAnswer, CodeEditor
from .concept import ConceptAnswer
from .numeric import NumericAnswer

__all__ = [
    "RECORDED_NOTE",
    "AnswerWidget",
    "ChoiceAnswer",
    "CodeAnswer",
    "CodeEditor",
    "ConceptAnswer",
    "NumericAnswer",
]
