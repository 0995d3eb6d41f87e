"""How a mock interview is set up: :class:`MockConfig`, and the question mix it asks for."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final, TypeGuard

KIND_ORDER: Final = ("concept", "numeric", "code", "choice")
"""The order in which :meth:`~quiz.progress.mock.MockInterview.create` takes one question of
each kind, round robin."""
MAX_MINUTES: Final = 600.0


def is_finite_number(value: object) -> TypeGuard[int | float]:
    """Whether ``value`` is an int or float (not a bool) and finite."""
    return (
        not isinstance(value, bool)
        and isinstance(value, int | float)
        and math.isfinite(float(value))
    )


@dataclass(frozen=True)
class MockConfig:
    """How a mock interview is set up; the constructor raises ``ValueError`` naming a bad field.

    ``decks`` is normalised to a tuple without repeats and ``minutes`` / ``hint_penalty`` to
    floats, so a config read back from JSON compares equal to the one written.
    """

    minutes: float = 30
    """Length of the countdown; more than 0, at most 600."""
    decks: tuple[str, ...] = ()
    """Deck ids to draw from; empty means every deck."""
    count: int = 6
    """Questions to ask, at least 1 (fewer when the decks hold fewer)."""
    seed: int | None = None
    """Chooses the questions and draws their numbers; None picks one at random (the mock
    records the seed it used)."""
    interviewer: bool = False
    """Someone else scores the answers live
    (:meth:`~quiz.progress.mock.MockInterview.set_interviewer_score`)."""
    hint_penalty: float = 0.25
    """Fraction of a question's point each hint costs, 0 to 1."""

    def __post_init__(self) -> None:
        if not is_finite_number(self.minutes) or not 0 < self.minutes <= MAX_MINUTES:
            raise ValueError(
                f"mock config: minutes must be a number above 0 and at most {MAX_MINUTES:g}, "
                f"got {self.minutes!r}"
            )
        if isinstance(self.decks, str) or not isinstance(self.decks, Iterable):
            raise ValueError(f"mock config: decks must be a list of deck ids, got {self.decks!r}")
        decks = tuple(self.decks)
        for deck in decks:
            if not isinstance(deck, str) or not deck.strip():
                raise ValueError(f"mock config: decks: a deck id is non-empty text, got {deck!r}")
        if isinstance(self.count, bool) or not isinstance(self.count, int) or self.count < 1:
            raise ValueError(f"mock config: count must be an integer >= 1, got {self.count!r}")
        if self.seed is not None and (
            isinstance(self.seed, bool) or not isinstance(self.seed, int)
        ):
            raise ValueError(f"mock config: seed must be an integer or null, got {self.seed!r}")
        if not isinstance(self.interviewer, bool):
            raise ValueError(
                f"mock config: interviewer must be true or false, got {self.interviewer!r}"
            )
        if not is_finite_number(self.hint_penalty) or not 0 <= self.hint_penalty <= 1:
            raise ValueError(
                f"mock config: hint_penalty must be a number from 0 to 1, got {self.hint_penalty!r}"
            )
        object.__setattr__(self, "minutes", float(self.minutes))
        object.__setattr__(self, "decks", tuple(dict.fromkeys(decks)))
        object.__setattr__(self, "hint_penalty", float(self.hint_penalty))

    def to_json(self) -> dict[str, Any]:
        """JSON-able form; :meth:`from_json` reads it back."""
        return {
            "minutes": self.minutes,
            "decks": list(self.decks),
            "count": self.count,
            "seed": self.seed,
            "interviewer": self.interviewer,
            "hint_penalty": self.hint_penalty,
        }

    @classmethod
    def from_json(cls, data: Any) -> MockConfig:
        """Inverse of :meth:`to_json`. Missing keys take their defaults and other keys (such as
        the ``questions`` a stored mock adds) are ignored; a bad value raises ``ValueError``, as
        the constructor does: it is the one set of rules for a config."""
        if not isinstance(data, Mapping):
            raise ValueError(f"mock config: expected an object, got {type(data).__name__}")
        defaults = cls()
        return cls(
            minutes=data.get("minutes", defaults.minutes),
            decks=data.get("decks", defaults.decks),
            count=data.get("count", defaults.count),
            seed=data.get("seed", defaults.seed),
            interviewer=data.get("interviewer", defaults.interviewer),
            hint_penalty=data.get("hint_penalty", defaults.hint_penalty),
        )
