"""`kill -9` in the middle of a review in the real app loses nothing already answered.

The test starts `quiz review` in a pseudo-terminal (so the app really runs, as a user would
start it), types answers through the terminal, watches the progress store from outside, and
kills the app with SIGKILL in the middle of the session. What was answered (and rated) before
the kill must be in the store, which must open cleanly afterwards.
"""

from __future__ import annotations

import fcntl
import os
import signal
import sqlite3
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from quiz.progress.store import STORE_FILENAME, Store

pytestmark = pytest.mark.slow  # a real process in a pseudo-terminal

DEADLINE = 60.0
DECK = "inception-1x1"


def rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    if not path.exists():
        return []
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as db:
            return [tuple(row) for row in db.execute(sql).fetchall()]
    except sqlite3.OperationalError:  # not created yet
        return []


def wait_until(condition: Callable[[], bool], what: str, child: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + DEADLINE
    while not condition():
        if child.poll() is not None:
            raise AssertionError(f"the app exited ({child.returncode}) while waiting for {what}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def drain(master: int, screen: bytearray) -> None:
    """Read what the app drew (so that it never blocks on a full terminal), keeping the tail
    for the failure message."""
    try:
        while True:
            chunk = os.read(master, 65536)
            if not chunk:
                return
            screen.extend(chunk)
            del screen[:-8192]
    except (BlockingIOError, OSError):
        return


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_killing_the_app_mid_review_keeps_every_answer_given(quiz_home: Path) -> None:
    store_file = quiz_home / STORE_FILENAME
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    os.set_blocking(master, False)
    env = {**os.environ, "TERM": "xterm-256color", "QUIZ_HOME": str(quiz_home)}
    child = subprocess.Popen(
        [sys.executable, "-m", "quiz", "review", "--deck", DECK],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        start_new_session=True,
    )
    os.close(slave)
    screen = bytearray()

    def send(keys: str) -> None:
        for key in keys:
            os.write(master, key.encode())
            time.sleep(0.02)
            drain(master, screen)

    def settle(condition: Callable[[], bool], what: str) -> None:
        def drained() -> bool:
            drain(master, screen)
            return condition()

        try:
            wait_until(drained, what, child)
        except AssertionError as exc:
            tail = screen[-3000:].decode(errors="replace")
            raise AssertionError(f"{exc}; the terminal showed last:\n{tail}") from None

    def pause(seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            drain(master, screen)
            time.sleep(0.05)

    attempts = "SELECT question, kind, mode FROM attempts ORDER BY id"
    reviews = "SELECT question, rating FROM reviews ORDER BY id"
    try:
        # The app creates the store on start; then it is ready for keys.
        settle(lambda: rows(store_file, "SELECT 1 FROM sqlite_master") != [], "the store")
        pause(1.5)  # the first screen is drawn
        send("reduces channels")
        send("\x13")  # ctrl+s: submit
        settle(lambda: len(rows(store_file, attempts)) == 1, "the first answer")
        send("3")  # rate it Good
        settle(lambda: len(rows(store_file, reviews)) == 1, "the first rating")
        send("\x0e")  # ctrl+n: the next question
        pause(1.0)
        send("the sparse structure")
        send("\x13")
        settle(lambda: len(rows(store_file, attempts)) == 2, "the second answer")
        # Answered, not rated yet: kill it now.
        os.killpg(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait(timeout=10)
        os.close(master)

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
