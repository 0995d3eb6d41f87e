"""mlquiz: practise machine-learning interview questions and auto-grade PyTorch code.

The user-facing program: the ``quiz`` command line (``quiz.cli``) and, later, the
Textual app. Importing this package imports neither torch nor textual.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
