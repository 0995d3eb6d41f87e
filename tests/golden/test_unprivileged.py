"""``quiz grade`` run by an ordinary user, not root, with and without bubblewrap.

Sessions and CI run as root, most users do not. When the tests run as root, this
runs the real command as ``nobody`` (``setpriv``). If the interpreter lives where
``nobody`` cannot read it (``/root/.pyenv``), the command runs in a private mount
namespace in which only that folder of ``/root`` is visible: nothing else changes.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
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


def _as_nobody(arguments: list[str], *, no_bwrap: bool) -> subprocess.CompletedProcess[str]:
    home = Path(tempfile.mkdtemp(prefix="mlquiz-nobody-"))
    os.chown(home, NOBODY, NOBODY)
    quiz = [sys.executable, "-m", "quiz", *arguments]
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(home),
        "QUIZ_HOME": str(home / "quiz"),
        "LANG": "C.UTF-8",
        "MLQUIZ_WARM_SECONDS": "0",
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
