"""`kill -9` in the middle of a review in the real app loses nothing already answered.

The test starts `quiz review` in a pseudo-terminal (so the app really runs, as a user would
start it), types answers through the terminal, watches the progress store from outside, and
kills the app with SIGKILL in the middle of the session. What was answered (and rated) before
the kill must be in the store, which must open cleanly afterwards.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

import processes
import pytest
from processes import drain, pause, rows, start_in_terminal, stop

from quiz.progress.store import STORE_FILENAME, Store

pytestmark = pytest.mark.slow  # a real process in a pseudo-terminal

DECK = "inception-1x1"


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_killing_the_app_mid_review_keeps_every_answer_given(quiz_home: Path) -> None:
    store_file = quiz_home / STORE_FILENAME
    child, master = start_in_terminal(["review", "--deck", DECK], quiz_home, rows=30, columns=100)
    screen = bytearray()

    def send(keys: str) -> None:
        for key in keys:
            os.write(master, key.encode())
            time.sleep(0.02)
            drain(master, screen)

    def settle(condition: Callable[[], bool], what: str) -> None:
        processes.settle(child, master, screen, condition, what)

    attempts = "SELECT question, kind, mode FROM attempts ORDER BY id"
    reviews = "SELECT question, rating FROM reviews ORDER BY id"
    try:
        # The app creates the store on start; then it is ready for keys.
        settle(lambda: rows(store_file, "SELECT 1 FROM sqlite_master") != [], "the store")
        pause(master, screen, 1.5)  # the first screen is drawn
        send("reduces channels")
        send("\x13")  # ctrl+s: submit
        settle(lambda: len(rows(store_file, attempts)) == 1, "the first answer")
        send("3")  # rate it Good
        settle(lambda: len(rows(store_file, reviews)) == 1, "the first rating")
        send("\x0e")  # ctrl+n: the next question
        pause(master, screen, 1.0)
        send("the sparse structure")
        send("\x13")
        settle(lambda: len(rows(store_file, attempts)) == 2, "the second answer")
        # Answered, not rated yet: kill it now.
        os.killpg(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
    finally:
        stop(child, master)

    assert child.returncode == -signal.SIGKILL
    with Store(store_file) as store:  # opens cleanly: integrity check and version
        given = store.attempts()
        assert [(a.question, a.kind, a.mode) for a in given] == [
            (f"{DECK}/q1", "concept", "review"),
            (f"{DECK}/q2", "concept", "review"),
        ]
        assert given[0].answer == "reduces channels"
        assert given[1].answer == "the sparse structure"
        assert [(r.question, r.rating) for r in store.reviews()] == [(f"{DECK}/q1", 3)]
        assert set(store.cards()) == {f"{DECK}/q1"}
