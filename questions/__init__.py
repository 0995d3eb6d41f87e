"""The question bank: deck models, the deck loader, deck discovery and math rendering.

Never imports torch or textual.
"""

from ._arithmetic import (
    ANSWER_RULES,
    BOUND_RULES,
    DECK_RULES,
    ArithmeticRefused,
    Rules,
    UnknownName,
    check_arithmetic,
    compute_arithmetic,
    compute_integer,
)
from ._errors import DeckError, DeckNotFoundError, Problem, QuestionsError, UnknownQuestionError
from ._library import (
    DeckLibrary,
    LoadedDeck,
    data_home,
    deck_files,
    packaged_decks_dir,
    user_decks_dir,
)
from ._loader import SourceMap, format_path, load_deck, load_deck_located, parse_deck
from ._models import (
    CHECK_ORDER,
    QUESTION_KINDS,
    AnyQuestion,
    Checks,
    ChoiceOption,
    ChoiceQuestion,
    CodeQuestion,
    ConceptQuestion,
    Deck,
    Example,
    KeyPoint,
    Kind,
    NumericPart,
    NumericQuestion,
    Tolerance,
    WrongSolution,
    deck_json_schema,
)
from ._params import DrawError, draw_numbers, draw_values
from ._params import evaluate as evaluate_expression
from ._render import latex_to_unicode, render_math

__all__ = [
    "ANSWER_RULES",
    "BOUND_RULES",
    "CHECK_ORDER",
    "DECK_RULES",
    "QUESTION_KINDS",
    "AnyQuestion",
    "ArithmeticRefused",
    "Checks",
    "ChoiceOption",
    "ChoiceQuestion",
    "CodeQuestion",
    "ConceptQuestion",
    "Deck",
    "DeckError",
    "DeckLibrary",
    "DeckNotFoundError",
    "DrawError",
    "Example",
    "KeyPoint",
    "Kind",
    "LoadedDeck",
    "NumericPart",
    "NumericQuestion",
    "Problem",
    "QuestionsError",
    "Rules",
    "SourceMap",
    "Tolerance",
    "UnknownName",
    "UnknownQuestionError",
    "WrongSolution",
    "check_arithmetic",
    "compute_arithmetic",
    "compute_integer",
    "data_home",
    "deck_files",
    "deck_json_schema",
    "draw_numbers",
    "draw_values",
    "evaluate_expression",
    "format_path",
    "latex_to_unicode",
    "load_deck",
    "load_deck_located",
    "packaged_decks_dir",
    "parse_deck",
    "render_math",
    "user_decks_dir",
]
