"""Finding decks: packaged decks, the user's data directory, and paths given by hand.

A bad deck never stops the others from loading: its problems are collected on
the library and the good decks stay usable. Two files with one deck id are a
:class:`DeckClash`: the first found is used, the other is hidden and named. Questions
are addressed as ``DECK/QID``; an unknown id raises ``UnknownQuestionError`` with the
closest ids.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Literal

import platformdirs

from ._errors import DeckError, DeckNotFoundError, Problem, UnknownQuestionError
from ._loader import load_deck_located
from ._models import AnyQuestion, Deck

Origin = Literal["path", "user", "package"]
ORIGIN_NAMES: dict[Origin, str] = {
    "path": "given with --deck",
    "user": "your decks",
    "package": "packaged",
}
"""How a deck's origin reads in a message."""
DECK_SUFFIXES = (".yaml", ".yml")
APP_NAME = "mlquiz"


def data_home() -> Path:
    """The user's mlquiz data directory: ``$QUIZ_HOME`` or the platform's data dir."""
    override = os.environ.get("QUIZ_HOME")
    if override:
        return Path(override).expanduser()
    return platformdirs.user_data_path(APP_NAME, appauthor=False)


def user_decks_dir() -> Path:
    """Where a user drops their own deck files."""
    return data_home() / "decks"


def packaged_decks_dir() -> Path:
    return Path(str(resources.files("questions") / "decks"))


def deck_files(path: Path) -> list[Path]:
    """The deck files at ``path``: the file itself, or every YAML file below a folder."""
    if path.is_file():
        return [path]
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.suffix in DECK_SUFFIXES and p.is_file())
    raise DeckNotFoundError(path)


@dataclass(frozen=True)
class LoadedDeck:
    deck: Deck
    path: Path
    origin: Origin

    @property
    def id(self) -> str:
        return self.deck.id


@dataclass(frozen=True)
class DeckClash:
    """A deck file skipped because a deck found earlier has its id.

    ``problem`` is the same clash as it appears in :attr:`DeckLibrary.problems`, located at the
    skipped file's ``id``.
    """

    used: LoadedDeck
    hidden: Path
    hidden_origin: Origin
    problem: Problem

    @property
    def deck_id(self) -> str:
        return self.used.id

    def __str__(self) -> str:
        return (
            f"two decks have the id {self.deck_id!r}: {self.used.path} "
            f"({ORIGIN_NAMES[self.used.origin]}) is used, {self.hidden} "
            f"({ORIGIN_NAMES[self.hidden_origin]}) is hidden; give one of them another id "
            "to keep both"
        )


@dataclass
class DeckLibrary:
    """Decks found so far, the problems of the files that failed to load, and the files
    hidden by a deck of the same id (each in ``clashes``, and as a problem too)."""

    decks: list[LoadedDeck] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    clashes: list[DeckClash] = field(default_factory=list)

    @classmethod
    def discover(
        cls,
        paths: Sequence[Path | str] = (),
        *,
        include_user: bool = True,
        include_package: bool = True,
    ) -> DeckLibrary:
        """Load decks from ``paths`` first, then the user's folder, then the package.

        A deck id seen twice is a problem reported on the later file, which is
        skipped: a deck given by path shadows a packaged one of the same id.
        """
        library = cls()
        sources: list[tuple[Path, Origin]] = [(Path(p), "path") for p in paths]
        user_dir = user_decks_dir()
        if include_user and user_dir.is_dir():
            sources.append((user_dir, "user"))
        if include_package:
            sources.append((packaged_decks_dir(), "package"))
        seen_files: set[Path] = set()
        for root, origin in sources:
            for file in deck_files(root):
                resolved = file.resolve()
                if resolved in seen_files:
                    continue
                seen_files.add(resolved)
                library._add_file(file, origin)
        return library

    def _add_file(self, file: Path, origin: Origin) -> None:
        try:
            deck, where = load_deck_located(file, trusted=origin == "package")
        except DeckError as exc:
            self.problems.extend(exc.problems)
            return
        used = next((d for d in self.decks if d.id == deck.id), None)
        if used is not None:
            problem = where.problem(
                ("id",), f"duplicate deck id {deck.id!r}, already loaded from {used.path}"
            )
            self.problems.append(problem)
            self.clashes.append(DeckClash(used, file, origin, problem))
            return
        self.decks.append(LoadedDeck(deck, file, origin))

    def files_with_id(self, deck_id: str) -> list[tuple[Path, Origin]]:
        """Every deck file found with the id ``deck_id``: the one used first, then any hidden."""
        found = [(d.path, d.origin) for d in self.decks if d.id == deck_id]
        found += [(c.hidden, c.hidden_origin) for c in self.clashes if c.deck_id == deck_id]
        return found

    def clash_with(self, deck_id: str, path: Path) -> str | None:
        """The warning for a deck file at ``path`` whose id ``deck_id`` other files of this
        library have too, naming them; None when no other file has it."""
        here = path.resolve()
        others = [(f, o) for f, o in self.files_with_id(deck_id) if f.resolve() != here]
        if not others:
            return None
        named = ", ".join(f"{file} ({ORIGIN_NAMES[origin]})" for file, origin in others)
        return (
            f"{path}: the deck id {deck_id!r} is also the id of {named}; only one deck of an id "
            "is loaded (`quiz decks` shows which): give this one another id"
        )

    # ------------------------------------------------------------------ lookup

    def question_ids(self) -> list[str]:
        return [f"{d.id}/{q.id}" for d in self.decks for q in d.deck.questions]

    def deck(self, deck_id: str) -> LoadedDeck:
        found = next((d for d in self.decks if d.id == deck_id), None)
        if found is None:
            raise UnknownQuestionError(deck_id, _closest(deck_id, [d.id for d in self.decks]))
        return found

    def replacements(self) -> dict[str, str]:
        """``DECK/QID`` of every retired question → the live ``DECK/QID`` that asks it now
        (chains followed; a replacement that names no live question is left out)."""
        direct: dict[str, str] = {}
        for loaded in self.decks:
            direct.update(loaded.deck.replacements())
        live = set(self.question_ids())
        resolved: dict[str, str] = {}
        for old in direct:
            seen, current = {old}, direct[old]
            while current in direct and current not in seen:
                seen.add(current)
                current = direct[current]
            if current in live:
                resolved[old] = current
        return resolved

    def question(self, full_id: str) -> tuple[LoadedDeck, AnyQuestion]:
        """The deck and question named ``DECK/QID``; a retired id gives its replacement."""
        replacement = self.replacements().get(full_id.strip())
        if replacement is not None:
            full_id = replacement
        deck_id, slash, question_id = full_id.strip().partition("/")
        loaded = next((d for d in self.decks if d.id == deck_id), None)
        if loaded is not None and slash:
            question = loaded.deck.get(question_id)
            if question is not None:
                return loaded, question
        if loaded is not None and not slash:
            first = [f"{deck_id}/{q.id}" for q in loaded.deck.questions[:3]]
            raise UnknownQuestionError(full_id, first)
        raise UnknownQuestionError(full_id, _closest(full_id, self.question_ids()))


def _closest(wanted: str, candidates: Iterable[str]) -> list[str]:
    candidates = list(candidates)
    close = difflib.get_close_matches(wanted, candidates, n=3, cutoff=0.5)
    if not close and "/" not in wanted:  # a bare question id: `q6` → `inception-1x1/q6`
        close = [c for c in candidates if c.rpartition("/")[2] == wanted][:3]
    return close
