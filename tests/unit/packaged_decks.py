"""The packaged decks parsed once per test process, for tests that run many CLI commands.

Every ``quiz`` command discovers the decks, and parsing the packaged ones costs about a third
of a second each time (YAML, source map, validation); a test file of CLI tests spends most of
its time there. Parsed decks are frozen models, so the tests of one process can share them.
Only packaged (trusted) files are shared, keyed by the path as given, its modification time and
size: a deck given with ``--deck`` or dropped in the user's folder is parsed afresh every time,
and the first load of a packaged file still goes through the real loader.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import questions._library as library_module
from questions import Deck, SourceMap, load_deck_located

_parsed: dict[tuple[str, int, int], tuple[Deck, SourceMap]] = {}


def _load_sharing_packaged(path: Path | str, *, trusted: bool = False) -> tuple[Deck, SourceMap]:
    """``load_deck_located``, answered from the shared decks for a packaged file."""
    if not trusted:
        return load_deck_located(path, trusted=trusted)
    stat = Path(path).stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    if key not in _parsed:
        _parsed[key] = load_deck_located(path, trusted=trusted)
    return _parsed[key]


def share_packaged_decks(monkeypatch: pytest.MonkeyPatch) -> None:
    """For the rest of the test, deck discovery reuses the packaged decks parsed before."""
    monkeypatch.setattr(library_module, "load_deck_located", _load_sharing_packaged)
