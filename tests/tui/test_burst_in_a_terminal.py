"""A long answer typed in one burst and submitted at once, in a real 80×24 terminal, is stored
whole.

A paste without bracketed paste, a slow link or a loaded machine delivers the answer and the
submit key together. The test starts `quiz review` in a pseudo-terminal of 80×24 (the smallest
the README promises), writes the whole answer and ctrl+s in a single write, and reads the
stored attempt back from the progress store.
"""

from __future__ import annotations

import os
from pathlib import Path

import processes
import pytest
from processes import pause, rows, start_in_terminal, stop

from quiz.progress.store import STORE_FILENAME, Store

pytestmark = pytest.mark.slow  # a real process in a pseudo-terminal

DECK = "inception-1x1"
ANSWER = (
    "A 1x1 convolution mixes the channels at every pixel, so it works as a cheap bottleneck: "
    "it cuts 256 channels down to 64 before the expensive 3x3 and 5x5 convolutions, and the "
    "ReLU after it adds a non-linearity at almost no cost in parameters or multiply-adds."
)


def test_an_answer_typed_in_one_burst_and_submitted_at_once_is_stored_whole(
    quiz_home: Path,
) -> None:
    assert len(ANSWER) > 225  # longer than the answer that was cut before
    store_file = quiz_home / STORE_FILENAME
    child, master = start_in_terminal(["review", "--deck", DECK], quiz_home, rows=24, columns=80)
    screen = bytearray()
    attempts = "SELECT question, answer FROM attempts ORDER BY id"
    try:
        processes.settle(
            child,
            master,
            screen,
            lambda: rows(store_file, "SELECT 1 FROM sqlite_master") != [],
            "the store",
        )
        pause(master, screen, 1.5)  # the first screen is drawn
        os.write(master, (ANSWER + "\x13").encode())  # the answer and ctrl+s, in one write
        processes.settle(
            child, master, screen, lambda: len(rows(store_file, attempts)) == 1, "the answer"
        )
    finally:
        stop(child, master)

    with Store(store_file) as store:
        [attempt] = store.attempts()
    assert attempt.question == f"{DECK}/q1"
    assert attempt.answer == ANSWER
