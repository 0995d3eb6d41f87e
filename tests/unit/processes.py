"""Real processes in tests: the app in a pseudo-terminal, the store read from outside, and
processes a hostile submission may have left running.

Shared by the real-terminal tests (tests/tui) and the hostile-submission tests
(tests/golden); tests/unit is on pytest's (and mypy's) path.
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
from collections.abc import Callable, Sequence
from pathlib import Path

DEADLINE = 60.0


def start_in_terminal(
    args: Sequence[str], quiz_home: Path, *, rows: int = 24, columns: int = 80
) -> tuple[subprocess.Popen[bytes], int]:
    """``python -m quiz ARGS`` in a new pseudo-terminal of ``rows`` × ``columns``, in its own
    session; the child and the terminal's (non-blocking) master end."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    os.set_blocking(master, False)
    env = {**os.environ, "TERM": "xterm-256color", "QUIZ_HOME": str(quiz_home)}
    child = subprocess.Popen(
        [sys.executable, "-m", "quiz", *args],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        start_new_session=True,
    )
    os.close(slave)
    return child, master


def stop(child: subprocess.Popen[bytes], master: int) -> None:
    """Kill the child's whole session if it still runs, and close the terminal."""
    if child.poll() is None:
        os.killpg(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
    os.close(master)


def rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    """``sql``'s rows from the database at ``path``, opened read-only; [] before it exists."""
    if not path.exists():
        return []
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as db:
            return [tuple(row) for row in db.execute(sql).fetchall()]
    except sqlite3.OperationalError:  # not created yet
        return []


def wait_until(condition: Callable[[], bool], what: str, child: subprocess.Popen[bytes]) -> None:
    """Poll ``condition`` until it holds; fail if the child exits or DEADLINE passes."""
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


def processes_named(*markers: bytes) -> list[int]:
    """Pids of the running processes whose command line holds any of ``markers``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if any(marker in command for marker in markers):
            found.append(int(entry.name))
    return found


def settle(
    child: subprocess.Popen[bytes],
    master: int,
    screen: bytearray,
    condition: Callable[[], bool],
    what: str,
) -> None:
    """:func:`wait_until`, draining the terminal meanwhile; a failure shows its last output."""

    def drained() -> bool:
        drain(master, screen)
        return condition()

    try:
        wait_until(drained, what, child)
    except AssertionError as exc:
        tail = screen[-3000:].decode(errors="replace")
        raise AssertionError(f"{exc}; the terminal showed last:\n{tail}") from None


def pause(master: int, screen: bytearray, seconds: float) -> None:
    """Let ``seconds`` pass, draining the terminal."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        drain(master, screen)
        time.sleep(0.05)
