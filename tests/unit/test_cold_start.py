"""A cold ``quiz grade`` starts its workers before it parses its command line (``quiz.cli._early``).

What that must never change: a usage error is still one ``quiz: error:`` line and exit 2, any
way out ends the workers started early, and a grade still prints its whole report and exits
with its code. The subprocess cases run ``python -m quiz`` under a child subreaper, so that
every process it leaves behind, workers included (they run in a session of their own), comes
back to the test to be seen.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from quiz.cli._early import wants_early_pool

REPO = Path(__file__).resolve().parents[2]
CORRECT = REPO / "tests" / "golden" / "submissions" / "q10" / "correct_sequential.py"

# Runs ARGV as a child of a subreaper; prints JSON: its exit code, output, and the command
# lines of the processes still alive below the subreaper (orphans are re-parented to it) a
# second after it ended. Workers that were ended die with it (SIGKILL, and the sandbox's
# die-with-parent); workers left running would still be importing torch then.
SUBREAPER = r"""
import ctypes, json, os, subprocess, sys, time

ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
done = subprocess.run(sys.argv[1:], capture_output=True, text=True, timeout=300)

def children():
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rpartition(")")[2].split()
            except OSError:
                continue
            if int(fields[1]) == os.getpid() and fields[0] != "Z":
                with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                    found.append(cmdline.read().replace(b"\0", b" ").decode()[:200])
    return found

deadline = time.monotonic() + 1
while True:
    try:
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass
    except ChildProcessError:
        pass
    left = children()
    if not left or time.monotonic() > deadline:
        break
    time.sleep(0.05)
print(json.dumps({"code": done.returncode, "out": done.stdout, "err": done.stderr, "left": left}))
"""


def quiz_in_subreaper(*args: str | Path) -> dict[str, object]:
    command = [sys.executable, "-c", SUBREAPER, sys.executable, "-m", "quiz", *map(str, args)]
    finished = subprocess.run(command, capture_output=True, text=True, check=True, cwd=REPO)
    result: dict[str, object] = json.loads(finished.stdout)
    return result


@pytest.mark.parametrize(
    "args",
    [
        ["grade", "inception-1x1/q10", "a.py"],
        ["grade", "inception-1x1/q10", "a.py", "b.py", "--seed", "3"],
        ["grade", "--format", "json", "inception-1x1/q10", "folder"],
    ],
)
def test_a_grade_by_one_worker_starts_it_early(args: list[str]) -> None:
    assert wants_early_pool(args)


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["grade"],
        ["grade", "inception-1x1/q10"],
        ["practice", "inception-1x1", "x"],
        ["--deck", "d.yaml", "grade", "inception-1x1/q10", "a.py"],
        ["grade", "inception-1x1/q10", "a.py", "--help"],
        ["grade", "inception-1x1/q10", "a.py", "-h"],
        ["grade", "--assignment", "a.yaml", "submissions"],
        ["grade", "--assignment=a.yaml", "submissions", "x"],
        ["grade", "inception-1x1/q10", "folder", "--jobs", "4"],
        ["grade", "inception-1x1/q10", "folder", "-j4"],
    ],
)
def test_anything_else_starts_no_worker_before_parsing(args: list[str]) -> None:
    assert not wants_early_pool(args)


@pytest.mark.slow
def test_a_bad_option_value_is_one_error_line_and_leaves_no_worker() -> None:
    result = quiz_in_subreaper("grade", "inception-1x1/q10", CORRECT, "--seed", "abc")
    assert result["code"] == 2
    lines = str(result["err"]).splitlines()
    assert len(lines) == 1 and lines[0].startswith("quiz: error: "), lines
    assert "--seed" in lines[0]
    assert result["out"] == ""
    assert result["left"] == []


@pytest.mark.slow
def test_an_unknown_question_is_one_error_line_and_leaves_no_worker() -> None:
    result = quiz_in_subreaper("grade", "inception-1x1/q999", CORRECT, "--seed", "0")
    assert result["code"] == 2
    lines = str(result["err"]).splitlines()
    assert len(lines) == 1 and lines[0].startswith("quiz: error: unknown question"), lines
    assert result["left"] == []


@pytest.mark.slow
def test_a_cold_grade_prints_its_whole_report_exits_with_its_code_and_leaves_no_worker() -> None:
    result = quiz_in_subreaper(
        "grade", "inception-1x1/q10", CORRECT, "--seed", "0", "--format", "json"
    )
    assert result["code"] == 0, result["err"]
    [report] = [json.loads(line) for line in str(result["out"]).splitlines()]
    assert report["status"] == "pass"
    assert [c["name"] for c in report["checks"]][-1] == "flops"
    assert result["left"] == []
