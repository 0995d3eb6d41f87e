"""``quiz grade`` run by an ordinary user, not root, with and without bubblewrap.

Sessions and CI run as root, most users do not. When the tests run as root, this
runs the real command as ``nobody`` (``setpriv``). If the interpreter lives where
``nobody`` cannot read it (``/root/.pyenv``), the command runs in a private mount
namespace in which only that folder of ``/root`` is visible: nothing else changes.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

HERE = Path(__file__).parent
SUBMISSIONS = HERE / "submissions" / "q10"
NOBODY = 65534

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        os.geteuid() != 0 or not shutil.which("setpriv") or not shutil.which("unshare"),
        reason="needs root (to become nobody), setpriv and unshare",
    ),
]


def _readable_by_others(path: Path) -> bool:
    """Whether other users can reach ``path`` (every folder on the way) and read it."""
    folders_open = all(p.stat().st_mode & 0o001 for p in path.parents)
    return folders_open and bool(path.stat().st_mode & 0o004)


def _as_nobody(
    arguments: list[str],
    *,
    no_bwrap: bool,
    home: Path | None = None,
    warm_seconds: int = 0,
) -> subprocess.CompletedProcess[str]:
    if home is None:
        home = Path(tempfile.mkdtemp(prefix="mlquiz-nobody-"))
        os.chown(home, NOBODY, NOBODY)
    quiz = [sys.executable, "-m", "quiz", *arguments]
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(home),
        "QUIZ_HOME": str(home / "quiz"),
        "LANG": "C.UTF-8",
        "XDG_RUNTIME_DIR": str(home / "run"),
        "MLQUIZ_WARM_SECONDS": str(warm_seconds),
        **({"MLQUIZ_NO_BWRAP": "1"} if no_bwrap else {}),
    }
    source = Path(__file__).resolve().parents[2]
    env["PYTHONPATH"] = str(source)
    inner = f"exec setpriv --reuid={NOBODY} --regid={NOBODY} --clear-groups -- {shlex.join(quiz)}"
    base = Path(sys.base_prefix).resolve()
    if not _readable_by_others(base):
        # Show nobody the interpreter and nothing else of the folder that hides it.
        top = Path("/", base.parts[1])
        inner = (
            f"mkdir -p /tmp/.mlquiz-keep && mount --bind {shlex.quote(str(base))} "
            f"/tmp/.mlquiz-keep && mount -t tmpfs -o mode=755 tmpfs {shlex.quote(str(top))} "
            f"&& mkdir -p {shlex.quote(str(base))} && mount --bind /tmp/.mlquiz-keep "
            f"{shlex.quote(str(base))} && {inner}"
        )
    return subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "sh", "-c", inner],
        capture_output=True,
        text=True,
        env=env,
        cwd=home,
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize("no_bwrap", [False, True], ids=["bubblewrap", "light"])
def test_an_ordinary_user_grades_right_and_wrong_files(no_bwrap: bool) -> None:
    if not no_bwrap and not shutil.which("bwrap"):
        pytest.skip("bubblewrap is not installed")
    files = [SUBMISSIONS / "correct_reference.py", SUBMISSIONS / "wrong_masked_full_kernel.py"]
    for file in files:
        if not _readable_by_others(file):
            pytest.skip(f"{file} is not readable by other users")
    flags = ["--unsafe-without-bubblewrap"] if no_bwrap else []
    result = _as_nobody(
        ["grade", "inception-1x1/q10", *map(str, files), "--format", "json", "--seed", "3", *flags],
        no_bwrap=no_bwrap,
    )
    assert result.returncode == 1, result.stderr
    reports = {Path(r["submission"]).name: r for r in map(json.loads, result.stdout.splitlines())}
    assert reports["correct_reference.py"]["status"] == "pass", reports["correct_reference.py"]
    wrong = reports["wrong_masked_full_kernel.py"]
    assert wrong["status"] == "fail"
    assert [c["name"] for c in wrong["checks"] if c["status"] == "fail"] == ["flops"]


@pytest.mark.parametrize("no_bwrap", [False, True], ids=["bubblewrap", "light"])
def test_an_ordinary_user_gets_a_warm_server_of_their_own(no_bwrap: bool) -> None:
    if not no_bwrap and not shutil.which("bwrap"):
        pytest.skip("bubblewrap is not installed")
    file = SUBMISSIONS / "correct_reference.py"
    if not _readable_by_others(file):
        pytest.skip(f"{file} is not readable by other users")
    home = Path(tempfile.mkdtemp(prefix="mlquiz-nobody-"))
    os.chown(home, NOBODY, NOBODY)
    (home / "run").mkdir(mode=0o700)
    os.chown(home / "run", NOBODY, NOBODY)
    try:
        for _ in range(2):
            result = _as_nobody(
                ["grade", "inception-1x1/q10", str(file), "--format", "json", "--seed", "3"],
                no_bwrap=no_bwrap,
                home=home,
                warm_seconds=60,
            )
            assert result.returncode == 0, result.stderr
            assert json.loads(result.stdout)["status"] == "pass"
        servers = _warm_servers(home)
        assert len(servers) == 1  # the second command used the first one's server
        assert all(Path(f"/proc/{pid}").stat().st_uid == NOBODY for pid in servers)
        [sock] = (home / "run" / "mlquiz").glob("*.sock")
        assert sock.stat().st_uid == NOBODY and sock.stat().st_mode & 0o777 == 0o600
        assert (home / "run" / "mlquiz").stat().st_mode & 0o777 == 0o700
    finally:
        for pid in _warm_servers(home):
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        shutil.rmtree(home, ignore_errors=True)


def _warm_servers(home: Path) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if b"grader._warm" in command and str(home).encode() in command:
            found.append(int(entry.name))
    return found
