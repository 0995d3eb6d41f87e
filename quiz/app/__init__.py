"""The Textual app: screens, widgets and the grading service they use."""

from .main import QuizApp

__all__ = ["QuizApp"]
