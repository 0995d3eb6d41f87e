"""A long answer pasted into the real app, in a real terminal at 80×24, and submitted at once,
is stored whole.

The test starts `quiz review` in a pseudo-terminal, as a user would, and writes a 225-character
answer followed by ctrl+s in a single write: the app reads it all in one go, as it reads a paste
without bracketed paste, a fast typist or a slow link. The store is read from outside.
"""

from __future__ import annotations

import fcntl
import os
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from quiz.progress.store import STORE_FILENAME

from .test_app_killed import drain, rows, wait_until

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
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
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

    def settle(condition: Callable[[], bool], what: str) -> None:
        def drained() -> bool:
            drain(master, screen)
            return condition()

        try:
            wait_until(drained, what, child)
        except AssertionError as exc:
            tail = screen[-3000:].decode(errors="replace")
            raise AssertionError(f"{exc}; the terminal showed last:\n{tail}") from None

    attempts = "SELECT question, answer FROM attempts ORDER BY id"
    try:
        settle(lambda: rows(store_file, "SELECT 1 FROM sqlite_master") != [], "the store")
        end = time.monotonic() + 1.5  # the first screen is drawn
        while time.monotonic() < end:
            drain(master, screen)
            time.sleep(0.05)
        os.write(master, ANSWER.encode() + b"\x13")  # the answer, then ctrl+s, in one write
        settle(lambda: rows(store_file, attempts) != [], "the answer")
        stored = rows(store_file, attempts)
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait(timeout=10)
        os.close(master)

    assert stored == [(f"{DECK}/q1", ANSWER)]
