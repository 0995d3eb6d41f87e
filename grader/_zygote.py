"""The warm grading server: imports torch and hypothesis once, forks a judge per submission.

Started by ``grader.pool.GraderPool`` as ``python -m grader._zygote --jobs N``
with a scrubbed environment. It reads one JSON job per line on stdin and
writes one JSON result per line on stdout, running at most N judges at once.
torch is limited to one thread *before* anything runs: forking a process whose
thread pool has started can hang the child. Everything torch and hypothesis
load lazily is loaded here by a warm-up, so a judge starts ready.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import argparse
import contextlib
import json
import select
import signal
import sys
import traceback
import warnings
from typing import Any

from . import _sandbox

warnings.filterwarnings("ignore", message="Failed to initialize NumPy")
import torch  # noqa: E402

torch.set_num_threads(1)
torch.set_num_interop_threads(1)


def warm_up() -> None:
    """Load what torch, the FLOP counter and hypothesis would otherwise load per job."""
    import cProfile  # noqa: F401 - the FLOP counter imports it on first use
    import linecache  # noqa: F401

    from hypothesis import given, settings
    from hypothesis import strategies as st
    from torch.utils.flop_counter import FlopCounterMode

    from . import _contestant, _judge, _strategies, _transplant  # noqa: F401

    conv = torch.nn.Sequential(
        torch.nn.Conv2d(2, 2, 3, padding=1, groups=2, bias=False),
        torch.nn.Conv2d(2, 3, 1, bias=False),
        torch.nn.Linear(4, 4),
    )
    x = torch.randn(1, 2, 4, 4, requires_grad=True)
    with FlopCounterMode(display=False):
        out = conv(x)
    out.sum().backward()
    torch.allclose(out, out)
    torch.einsum("bchw,oc->bohw", x, torch.randn(3, 2))

    @settings(max_examples=5, database=None, deadline=None)
    @given(st.integers(0, 3), st.sampled_from([1, 3]))
    def exercise(a: int, b: int) -> None:
        assert a >= 0 and b > 0

    exercise()


def _error_report(job: dict[str, Any], message: str) -> dict[str, Any]:
    return {
        "submission": job.get("display", "?"),
        "question": job.get("question_id", "?"),
        "status": "error",
        "score": 0.0,
        "checks": [],
        "seed": job.get("seed", 0),
        "error": message,
        "stdout": "",
        "stderr": "",
        "isolation": [],
        "seconds": 0.0,
    }


def _run_judge(job: dict[str, Any], write_fd: int) -> None:
    """In the forked judge: grade, write the report as JSON, exit."""
    from ._judge import Job, grade

    signal.signal(signal.SIGINT, signal.SIG_DFL)
    # A backstop: whatever happens, a judge never outlives its job by long.
    signal.alarm(int(float(job.get("timeout", 20)) * 3) + 30)
    try:
        if "measure" in job:
            from ._judge import measure

            report = measure(job)
        else:
            report = grade(Job.from_dict(job)).to_dict()
    except BaseException as exc:
        report = _error_report(job, f"internal grader error: {exc!r}")
        traceback.print_exc()
    data = json.dumps(report).encode()
    view = memoryview(data)
    while view:
        view = view[os.write(write_fd, view) :]


def serve(max_jobs: int) -> None:
    running: dict[int, tuple[int, int, bytearray, dict[str, Any]]] = {}  # fd -> (pid, id, ...)
    queue: list[tuple[int, dict[str, Any]]] = []
    stdin = sys.stdin.buffer
    stdin_fd = stdin.fileno()
    pending = b""
    stdin_open = True

    def emit(job_id: int, report: dict[str, Any]) -> None:
        sys.stdout.write(json.dumps({"id": job_id, "report": report}) + "\n")
        sys.stdout.flush()

    while stdin_open or queue or running:
        while queue and len(running) < max_jobs:
            job_id, job = queue.pop(0)
            read_fd, write_fd = os.pipe()
            pid = os.fork()
            if pid == 0:
                os.close(read_fd)
                try:
                    _run_judge(job, write_fd)
                finally:
                    os._exit(0)
            os.close(write_fd)
            running[read_fd] = (pid, job_id, bytearray(), job)
        watch = list(running) + ([stdin_fd] if stdin_open else [])
        ready, _, _ = select.select(watch, [], [])
        for fd in ready:
            if fd == stdin_fd:
                chunk = os.read(stdin_fd, 1 << 16)
                if not chunk:
                    stdin_open = False
                    continue
                pending += chunk
                *lines, pending = pending.split(b"\n")
                for line in lines:
                    if line.strip():
                        message = json.loads(line)
                        queue.append((int(message["id"]), message["job"]))
                continue
            pid, job_id, data, job = running[fd]
            chunk = os.read(fd, 1 << 16)
            if chunk:
                data += chunk
                continue
            os.close(fd)
            del running[fd]
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
            try:
                report = json.loads(data)
            except json.JSONDecodeError:
                report = _error_report(job, "internal grader error: the judge died")
            emit(job_id, report)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m grader._zygote")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument(
        "--bubblewrap",
        action="store_true",
        help="this server runs inside bubblewrap (read-only, no network)",
    )
    args = parser.parse_args()
    _sandbox.IN_BUBBLEWRAP = args.bubblewrap
    warm_up()
    sys.stdout.write(json.dumps({"ready": True}) + "\n")
    sys.stdout.flush()
    serve(max(1, args.jobs))
    sys.stdout.flush()
    # Every judge has finished and reported. Tearing down an interpreter that holds
    # torch and sympy takes most of a second and does nothing useful: skip it.
    os._exit(0)


if __name__ == "__main__":
    main()
