"""A submission never outlives its grading: not its processes, not its cgroup.

The judge removes its submission's cgroup itself when it ends; a judge that is killed
(out of memory, the backstop alarm, a signal) cannot. The server that forked it removes the
group then, and the batch gets an error report for that submission.
"""

from __future__ import annotations

import os
import shutil
import signal
import threading
import time
from pathlib import Path

import pytest
from testkit import Q10_CORRECT_MODULE, q10_sleeper

from grader import GradeRequest, GraderPool, SubmissionReport, _sandbox
from questions import DeckLibrary

pytestmark = pytest.mark.slow  # starts grader workers

SLEEPER = q10_sleeper(120)


def _sandbox_mode(monkeypatch: pytest.MonkeyPatch, use_bubblewrap: bool) -> None:
    if use_bubblewrap and not shutil.which("bwrap"):
        pytest.skip("bubblewrap is not installed (Debian: apt-get install bubblewrap)")
    if not use_bubblewrap:
        monkeypatch.setenv("MLQUIZ_NO_BWRAP", "1")


def _need_cgroups() -> None:
    probe, notes = _sandbox.make_group(f"probe-{os.getpid()}", 1 << 30, 8)
    probe.close()
    if notes:
        pytest.skip(f"cgroups are not writable here: {notes[0]}")


def _request(submission: Path, source: str, timeout: float) -> GradeRequest:
    submission.write_text(source, encoding="utf-8")
    loaded, question = DeckLibrary.discover().question("inception-1x1/q10")
    return GradeRequest(
        submission=str(submission),
        deck_path=str(loaded.path),
        question_id=question.id,
        display=submission.name,
        timeout=timeout,
    )


def _groups() -> dict[str, list[Path]]:
    found: dict[str, list[Path]] = {}
    for parent in _sandbox._group_parents():
        if parent.is_dir():
            for folder in parent.iterdir():
                if folder.name.isdigit():
                    found.setdefault(folder.name, []).append(folder)
    return found


def _parent_of(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return 0


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


@pytest.mark.parametrize("use_bubblewrap", [False, True])
def test_a_killed_judge_leaves_no_cgroup_and_no_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, use_bubblewrap: bool
) -> None:
    _sandbox_mode(monkeypatch, use_bubblewrap)
    _need_cgroups()
    request = _request(tmp_path / "sleeper.py", SLEEPER, timeout=60.0)
    reports: list[SubmissionReport] = []
    with GraderPool(jobs=1) as pool:
        grading = threading.Thread(target=lambda: reports.extend(pool.grade_all([request])))
        grading.start()
        server = pool._process.pid if pool._process is not None else 0
        judge, members = 0, set()
        deadline = time.monotonic() + 60
        while not judge and time.monotonic() < deadline:  # the judge's group, once joined
            for name, folders in _groups().items():
                procs = {
                    int(p)
                    for folder in folders
                    if (folder / "cgroup.procs").exists()
                    for p in (folder / "cgroup.procs").read_text().split()
                }
                if procs and _parent_of(int(name)) == server:
                    judge, members = int(name), procs
            time.sleep(0.05)
        assert judge, "no judge with a submission cgroup appeared"
        os.kill(judge, signal.SIGKILL)
        grading.join(timeout=60)
        assert not grading.is_alive()

    [report] = reports
    assert report.status == "error"
    assert report.error is not None and "the judge died" in report.error
    assert str(judge) not in _groups()
    assert not [pid for pid in members if _alive(pid)]


def test_the_server_sweeps_empty_groups_of_judges_that_are_gone() -> None:
    _need_cgroups()
    gone = int(Path("/proc/sys/kernel/pid_max").read_text()) + 1  # never a process
    alive = str(os.getpid())
    stale, _ = _sandbox.make_group(str(gone), 1 << 30, 8)
    kept, _ = _sandbox.make_group(alive, 1 << 30, 8)
    try:
        _sandbox.sweep_groups()
        assert str(gone) not in _groups()
        assert alive in _groups()
    finally:
        stale.close()
        kept.close()


PROBE = (
    """\
import ctypes

from torch import nn

signal_number = ctypes.c_int(-1)
ctypes.CDLL(None).prctl(2, ctypes.byref(signal_number), 0, 0, 0)  # PR_GET_PDEATHSIG
print(f"parent-death signal: {signal_number.value}")
"""
    + Q10_CORRECT_MODULE
)


@pytest.mark.parametrize("use_bubblewrap", [False, True])
def test_the_submission_dies_with_its_parent_after_dropping_privileges(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, use_bubblewrap: bool
) -> None:
    """Where no cgroup can end a submission, the parent-death signal does: it must survive
    the change of uid (root -> nobody), which clears it."""
    _sandbox_mode(monkeypatch, use_bubblewrap)
    request = _request(tmp_path / "probe.py", PROBE, timeout=30.0)
    with GraderPool(jobs=1) as pool:
        [report] = pool.grade_all([request])
    assert report.status == "pass", report.error
    assert f"parent-death signal: {int(signal.SIGKILL)}" in report.stdout
