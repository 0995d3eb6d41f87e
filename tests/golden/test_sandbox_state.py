"""Nothing one grade leaves behind reaches another, and nothing in a shared folder reaches
the grader's own processes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from testkit import Q10_CORRECT_MODULE

from grader import GradeRequest, GraderPool
from questions import DeckLibrary

pytestmark = pytest.mark.slow  # starts grader workers

REPO = Path(__file__).resolve().parents[2]

# Tries every folder it can see (but its private /tmp and /proc) and sys.path's first.
WRITER = (
    """\
import os
import sys

from torch import nn

wrote = []
folders = {"/", "/opt", "/etc", "/dev", "/usr", "/var", sys.path[0], os.path.dirname(sys.path[0])}
for top in ("/", "/opt"):
    try:
        folders.update(os.path.join(top, name) for name in os.listdir(top))
    except OSError:
        pass
for folder in sorted(folders):
    if folder.startswith(("/proc", "/tmp", "/dev/shm", "/sys")) or not os.path.isdir(folder):
        continue
    try:
        with open(os.path.join(folder, "mlquiz_left_behind.py"), "w") as out:
            out.write("LEFT = True\\n")
        wrote.append(folder)
    except OSError:
        pass
print("wrote:", wrote)
"""
    + Q10_CORRECT_MODULE
)

READER = (
    """\
try:
    import mlquiz_left_behind
    print("found what an earlier grade left")
except ImportError:
    print("found nothing")

from torch import nn
"""
    + Q10_CORRECT_MODULE
)


@pytest.mark.parametrize("use_bubblewrap", [False, True])
def test_a_grade_finds_nothing_an_earlier_one_left(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, use_bubblewrap: bool
) -> None:
    if use_bubblewrap and not shutil.which("bwrap"):
        pytest.skip("bubblewrap is not installed (Debian: apt-get install bubblewrap)")
    if not use_bubblewrap:
        monkeypatch.setenv("MLQUIZ_NO_BWRAP", "1")
    loaded, question = DeckLibrary.discover().question("inception-1x1/q10")
    requests = []
    for name, source in (("writer.py", WRITER), ("reader.py", READER)):
        (tmp_path / name).write_text(source, encoding="utf-8")
        requests.append(
            GradeRequest(str(tmp_path / name), str(loaded.path), question.id, display=name)
        )
    with GraderPool(jobs=1) as pool:  # one cell for both, one after the other
        writer, reader = pool.grade_all(requests)
    assert writer.status == "pass", writer.error
    assert "wrote: []" in writer.stdout, writer.stdout
    assert reader.status == "pass", reader.error
    assert "found nothing" in reader.stdout


def test_a_module_planted_in_the_temporary_folder_is_never_imported(tmp_path: Path) -> None:
    """The grader's processes start away from it, with no working folder on sys.path (with
    ``-m`` Python puts it first, and /tmp is everyone's)."""
    shared = tmp_path / "shared"
    shared.mkdir()
    marker = tmp_path / "imported"
    for name in ("argparse", "fcntl", "traceback", "signal", "socket", "selectors"):
        (shared / f"{name}.py").write_text(
            f"open({str(marker)!r}, 'a').write({name!r} + '\\n')\n"
            f"raise ImportError('planted {name} was imported')\n",
            encoding="utf-8",
        )
    reference = REPO / "tests" / "golden" / "submissions" / "q10" / "correct_reference.py"
    for light in (False, True):
        if not light and not shutil.which("bwrap"):
            continue
        env = {
            **os.environ,
            "TMPDIR": str(shared),
            "MLQUIZ_WARM_SECONDS": "0",
            **({"MLQUIZ_NO_BWRAP": "1"} if light else {}),
        }
        command = ["grade", "inception-1x1/q10", str(reference), "--format", "json"]
        result = subprocess.run(
            [sys.executable, "-m", "quiz", *command],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,  # the command's own folder is the user's to choose; TMPDIR is shared
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["status"] == "pass"
    assert not marker.exists(), marker.read_text()


def test_without_bubblewrap_the_graders_home_is_hidden_wherever_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    """Not only /home and /root: the home folder of whoever grades, read where they grade
    (here a folder at the top of the file system: under /tmp it would be hidden anyway)."""
    if os.geteuid() != 0:
        pytest.skip("needs root, to make a folder at the top of the file system")
    home = Path(tempfile.mkdtemp(prefix=".mlquiz-test-home-", dir="/"))
    request.addfinalizer(lambda: shutil.rmtree(home, ignore_errors=True))
    home.chmod(0o755)
    secret = home / "grades.csv"
    secret.write_text("alice,100\n", encoding="utf-8")
    secret.chmod(0o644)  # readable by anyone who can see it
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("MLQUIZ_NO_BWRAP", "1")
    probe = tmp_path / "probe.py"
    probe.write_text(
        f"try:\n    print('read:', open({str(secret)!r}).read().strip())\n"
        "except OSError as exc:\n    print('could not read:', type(exc).__name__)\n\n"
        "from torch import nn\n" + Q10_CORRECT_MODULE,
        encoding="utf-8",
    )
    loaded, question = DeckLibrary.discover().question("inception-1x1/q10")
    with GraderPool(jobs=1) as pool:
        [report] = pool.grade_all([GradeRequest(str(probe), str(loaded.path), question.id)])
    assert report.status == "pass", report.error
    assert "could not read" in report.stdout and "alice" not in report.stdout
