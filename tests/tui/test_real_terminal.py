"""A long answer pasted into the real app, in a real terminal at 80×24, and submitted at once,
is stored whole.

The test starts `quiz review` in a pseudo-terminal, as a user would, and writes a 225-character
answer followed by ctrl+s in a single write: the app reads it all in one go, as it reads a paste
without bracketed paste, a fast typist or a slow link. The store is read from outside.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import processes
import pytest
from processes import pause, rows, start_in_terminal, stop

from quiz.progress.store import STORE_FILENAME

DECK = "inception-1x1"
ANSWER = (
    "A 1x1 convolution mixes the channels at every pixel: it cuts or grows the depth cheaply, "
    "adds a ReLU non-linearity without touching height or width, and is a bottleneck "
    "before the costly 3x3 and 5x5 convolutions of Inception."
)


@pytest.mark.slow  # a real process in a pseudo-terminal
def test_a_long_answer_written_in_one_go_with_ctrl_s_is_stored_whole(quiz_home: Path) -> None:
    assert len(ANSWER) == 225
    store_file = quiz_home / STORE_FILENAME
    child, master = start_in_terminal(["review", "--deck", DECK], quiz_home)
    screen = bytearray()

    def settle(condition: Callable[[], bool], what: str) -> None:
        processes.settle(child, master, screen, condition, what)

    attempts = "SELECT question, answer FROM attempts ORDER BY id"
    try:
        settle(lambda: rows(store_file, "SELECT 1 FROM sqlite_master") != [], "the store")
        pause(master, screen, 1.5)  # the first screen is drawn
        os.write(master, ANSWER.encode() + b"\x13")  # the answer, then ctrl+s, in one write
        settle(lambda: rows(store_file, attempts) != [], "the answer")
        stored = rows(store_file, attempts)
    finally:
        stop(child, master)

    assert stored == [(f"{DECK}/q1", ANSWER)]
