"""The warm grading server: kept for the next ``quiz grade``, private to its user, never
reachable from the sandbox, gone when idle or asked, and what it grades graded as before."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from testkit import Q10_CORRECT_MODULE, q10_sleeper

from grader import GradeRequest, _warm
from questions import DeckLibrary

REPO = Path(__file__).resolve().parents[2]
REFERENCE = REPO / "tests" / "golden" / "submissions" / "q10" / "correct_reference.py"


@pytest.fixture
def runtime(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private runtime folder of the test's own (a short path: a socket's has room for 107
    bytes), and the warm server turned on; any server started in it is stopped after."""
    folder = Path(tempfile.mkdtemp(prefix="mlquiz-run-"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(folder))
    monkeypatch.setenv("MLQUIZ_WARM_SECONDS", "60")
    yield folder
    for sock in folder.glob("mlquiz/*.sock"):
        _warm.stop(sock)
    shutil.rmtree(folder, ignore_errors=True)


def test_a_path_too_long_for_a_socket_gets_no_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    deep = tmp_path / ("d" * 90)
    deep.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(deep))
    where = _warm.address()
    assert where is None or len(os.fsencode(where)) <= 107


def _server_pid(where: Path) -> int | None:
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"grader._warm" in command and str(where).encode() in command:
                return int(entry.name)
    return None


def _request(submission: Path) -> GradeRequest:
    loaded, question = DeckLibrary.discover().question("inception-1x1/q10")
    return GradeRequest(str(submission), str(loaded.path), question.id, seed=3, timeout=30)


def _wait_gone(pid: int, seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            return True
        if state == "Z":
            return True
        time.sleep(0.05)
    return False


# --------------------------------------------------------------------------- where it lives


def test_the_socket_folder_is_private(runtime: Path) -> None:
    folder = _warm.runtime_folder()
    assert folder == runtime / "mlquiz"
    assert folder.stat().st_mode & 0o777 == 0o700


def test_a_folder_open_to_others_is_not_used(runtime: Path) -> None:
    (runtime / "mlquiz").mkdir(mode=0o755)
    (runtime / "mlquiz").chmod(0o755)
    folder = _warm.runtime_folder()
    assert folder != runtime / "mlquiz"
    assert folder is None or folder.stat().st_mode & 0o077 == 0


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root, to give a folder to another user")
def test_a_folder_of_another_user_is_not_used(runtime: Path) -> None:
    (runtime / "mlquiz").mkdir(mode=0o700)
    os.chown(runtime / "mlquiz", 65534, 65534)
    assert _warm.runtime_folder() != runtime / "mlquiz"


def test_the_address_differs_per_sandbox_mode(
    runtime: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLQUIZ_NO_BWRAP", "1")
    light = _warm.address()
    monkeypatch.delenv("MLQUIZ_NO_BWRAP")
    assert _warm.address() == _warm.address()
    if shutil.which("bwrap"):
        assert _warm.address() != light


def test_turned_off_there_is_no_warm_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    from quiz.cli import _early

    monkeypatch.setenv("MLQUIZ_WARM_SECONDS", "0")
    assert _warm.warm_seconds() == 0
    assert _early._warm_pool() is None


def test_the_peer_uid_is_the_kernels_word() -> None:
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    with ours, theirs:
        assert _warm._peer_uid(ours) == os.getuid()


# --------------------------------------------------------------------------- a real server


@pytest.mark.slow  # starts grading workers
def test_a_second_quiz_grade_reuses_the_warm_server(runtime: Path) -> None:
    command = [sys.executable, "-m", "quiz", "grade", "inception-1x1/q10", str(REFERENCE)]
    where = _warm.address()
    assert where is not None
    pids = []
    for _ in range(2):
        result = subprocess.run(
            [*command, "--format", "json", "--seed", "5"],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["status"] == "pass"
        assert where.exists()
        pids.append(_server_pid(where))
    assert pids[0] is not None and pids[0] == pids[1]
    _warm.stop(where)
    assert _wait_gone(pids[0])
    assert not where.exists()


@pytest.mark.slow  # starts grading workers
def test_the_server_ends_when_idle(runtime: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLQUIZ_WARM_SECONDS", "1")
    where = _warm.address()
    assert where is not None
    with _warm.WarmPool(where) as pool:
        [report] = pool.grade_all([_request(REFERENCE)])
    assert report.status == "pass"
    pid = _server_pid(where)
    assert pid is not None
    assert _wait_gone(pid)
    assert not where.exists()


SLEEPER = q10_sleeper(600, "mlquiz-warm-sleeper started")


@pytest.mark.slow  # starts grading workers
def test_hanging_up_ends_what_runs_and_the_server_grades_on(runtime: Path, tmp_path: Path) -> None:
    where = _warm.address()
    assert where is not None
    sleeper = tmp_path / "sleeper.py"
    sleeper.write_text(SLEEPER, encoding="utf-8")
    pool = _warm.WarmPool(where)
    pool.start()
    outcome: list[object] = []

    def grade() -> None:
        try:
            outcome.extend(pool.grade_all([_request(sleeper)]))
        except Exception as exc:  # the hang-up ends the grade: expected
            outcome.append(exc)

    grading = threading.Thread(target=grade)
    grading.start()
    time.sleep(3)  # the submission is asleep in its forward by now
    pool.terminate()
    grading.join(timeout=30)
    assert not grading.is_alive()
    # What it ran is gone: no process of the sleeper is left.
    deadline = time.monotonic() + 20
    while _sleepers() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _sleepers() == []
    with _warm.WarmPool(where) as again:
        [report] = again.grade_all([_request(REFERENCE)])
    assert report.status == "pass"


def _sleepers() -> list[int]:
    from processes import processes_named

    return processes_named(b"mlquiz-warm-sleeper")


PROBE = """\
import socket

from torch import nn

try:
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    probe.connect({where!r})
    print("warm server reached: yes")
except Exception as exc:
    print(f"warm server reached: no ({{type(exc).__name__}})")
""" + Q10_CORRECT_MODULE.replace("{", "{{").replace("}", "}}")


@pytest.mark.slow  # starts grading workers
@pytest.mark.parametrize("use_bubblewrap", [False, True])
def test_a_submission_cannot_reach_the_warm_server(
    runtime: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, use_bubblewrap: bool
) -> None:
    if use_bubblewrap and not shutil.which("bwrap"):
        pytest.skip("bubblewrap is not installed (Debian: apt-get install bubblewrap)")
    if not use_bubblewrap:
        monkeypatch.setenv("MLQUIZ_NO_BWRAP", "1")
    where = _warm.address()
    assert where is not None
    probe = tmp_path / "probe.py"
    probe.write_text(PROBE.format(where=str(where)), encoding="utf-8")
    with _warm.WarmPool(where) as pool:
        [report] = pool.grade_all([_request(probe)])
    assert report.status == "pass", report.error
    assert "warm server reached: no" in report.stdout


@pytest.mark.slow  # starts grading workers
def test_workers_that_died_while_idle_are_replaced(runtime: Path) -> None:
    where = _warm.address()
    assert where is not None
    with _warm.WarmPool(where) as pool:
        assert pool.grade_all([_request(REFERENCE)])[0].status == "pass"
    server = _server_pid(where)
    assert server is not None
    workers = [
        int(entry.name)
        for entry in Path("/proc").iterdir()
        if entry.name.isdigit()
        and b"grader._zygote" in _read(entry / "cmdline")
        and _parent(int(entry.name)) == server
    ]
    assert workers
    for pid in workers:
        os.kill(pid, signal.SIGKILL)
    assert all(_wait_gone(pid) for pid in workers)
    with _warm.WarmPool(where) as pool:
        assert pool.grade_all([_request(REFERENCE)])[0].status == "pass"


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


def _parent(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return 0


@pytest.mark.slow  # starts grading workers
def test_a_server_for_newer_code_stops_the_older_one(
    runtime: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    where = _warm.address()
    assert where is not None
    with _warm.WarmPool(where) as pool:
        assert pool.grade_all([_request(REFERENCE)])[0].status == "pass"
    older = _server_pid(where)
    assert older is not None
    monkeypatch.setattr(_warm, "_code_digest", lambda light: "0" * 16)  # as after an upgrade
    newer = _warm.address()
    assert newer is not None and newer != where
    with _warm.WarmPool(newer) as pool:
        assert pool.grade_all([_request(REFERENCE)])[0].status == "pass"
    assert _wait_gone(older)
    assert not where.exists() and newer.exists()


@pytest.mark.slow  # starts grading workers
def test_while_the_server_grades_for_one_command_another_grades_on_its_own(
    runtime: Path, tmp_path: Path
) -> None:
    where = _warm.address()
    assert where is not None
    sleeper = tmp_path / "sleeper.py"
    sleeper.write_text(SLEEPER, encoding="utf-8")
    first = _warm.WarmPool(where)
    first.start()
    grading = threading.Thread(target=lambda: _swallow(first.grade_all, [_request(sleeper)]))
    grading.start()
    try:
        time.sleep(2)  # the server is busy with the sleeper now
        started = time.monotonic()
        second = _warm.WarmPool(where)
        with second:
            [report] = second.grade_all([_request(REFERENCE)])
        assert report.status == "pass"
        assert time.monotonic() - started < 60  # not behind the sleeper's 600 s
        assert second._own is not None  # it said busy: workers of its own graded
    finally:
        first.terminate()
        grading.join(timeout=30)


def _swallow(call: object, *args: object) -> None:
    with contextlib.suppress(Exception):  # the hang-up ends the grade: expected
        call(*args)  # type: ignore[operator]


def test_a_bwrap_only_the_caller_can_see_is_not_the_full_sandbox(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The workers look for bubblewrap on their own PATH: so must the command that decides
    whether other people's code may be graded, and which warm server to ask."""
    from grader import _sandbox
    from grader.pool import SYSTEM_PATH, sandbox_available

    fake = tmp_path / "bwrap"
    fake.write_text("#!/bin/sh\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:{os.environ.get('PATH', '')}")
    monkeypatch.delenv("MLQUIZ_NO_BWRAP", raising=False)
    real = shutil.which("bwrap", path=SYSTEM_PATH)
    assert sandbox_available() == (real is not None)
    assert _sandbox.bubblewrap() == real


def test_a_server_that_cannot_serve_is_not_waited_for(tmp_path: Path) -> None:
    """It refuses a folder open to others (exit status 2): the command goes on at once."""
    folder = Path(tempfile.mkdtemp(prefix="mlquiz-open-"))
    try:
        folder.chmod(0o755)
        started = time.monotonic()
        with pytest.raises(OSError):
            _warm._connect(folder / "grader-x.sock")
        assert time.monotonic() - started < 8  # not the 10 s a starting server gets
    finally:
        shutil.rmtree(folder, ignore_errors=True)
