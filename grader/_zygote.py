"""The warm judge server: imports torch and hypothesis once, forks a judge per submission.

Started by ``grader.pool.GraderPool`` as ``python -m grader._zygote --jobs N``
with a scrubbed environment. Its first line on stdin is a key only the pool
knows; every job after it is one JSON line signed with that key (HMAC-SHA256),
and anything else is dropped, so no process but the pool can ask for work (nor
for deck code to run). It writes one JSON result per line on stdout.

It starts the cell server (``_sandbox.start_cell``), where submissions run, and
for each job hands the cell server a fresh socket and output pipes, then forks
the judge that holds the other ends. Submitted code never runs in this process,
nor in a judge. The cell server is started before this process imports torch; torch is
then limited to one thread before anything runs: forking a process whose thread pool
has started can hang the child.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import argparse
import contextlib
import hmac
import json
import logging
import select
import signal
import socket
import sys
import traceback
import warnings
from typing import Any

from . import _sandbox

warnings.filterwarnings("ignore", message="Failed to initialize NumPy")
logger = logging.getLogger(__name__)


def import_torch() -> None:
    """Import torch, limited to one thread before any of its pools can start."""
    import torch

    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)


def warm_up() -> None:
    """Load what torch, the FLOP counter and hypothesis would otherwise load per job."""
    import linecache  # noqa: F401

    import torch
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from . import _graph, _judge, _strategies, _transplant  # noqa: F401

    conv = torch.nn.Sequential(
        torch.nn.Conv2d(2, 2, 3, padding=1, groups=2, bias=False),
        torch.nn.Conv2d(2, 3, 1, bias=False),
        torch.nn.Linear(4, 4),
    )
    x = torch.randn(1, 2, 4, 4, requires_grad=True)
    _graph.count_flops_live(conv, x.detach())
    # A graph as a contestant would send it, decoded, sized on meta tensors (whose
    # shape checks import sympy) and run: the judge's own path through a job.
    from . import _trace

    params: dict[str, torch.Tensor] = dict(conv.named_parameters())
    buffers: dict[str, torch.Tensor] = dict(conv.named_buffers())
    raw: list[bytes] = []
    graph = _graph.decode(_trace.trace(conv, params, buffers, [x.detach()], raw), raw)
    _graph.count_flops(graph, params, buffers, [x.detach()])
    _graph.run(graph, params, buffers, [x])[0].sum().backward()  # type: ignore[no-untyped-call]
    out = conv(x)
    out.sum().backward()
    torch.allclose(out, out)
    torch.einsum("bchw,oc->bohw", x, torch.randn(3, 2))

    @settings(max_examples=5, database=None, deadline=None)
    @given(st.integers(0, 3), st.sampled_from([1, 3]))
    def exercise(a: int, b: int) -> None:
        assert a >= 0 and b > 0

    exercise()


def error_report(job: dict[str, Any], message: str) -> dict[str, Any]:
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


# What a judge may allocate beyond the warm server it was forked from. It runs graphs sent
# by submissions (outside their cgroup): every size it can foresee is checked before it
# runs, and this bounds what no check foresaw (a kernel's own workspace). Past it, torch
# raises, and the submission fails or ends in an error; nothing else is touched.
JUDGE_MEMORY = 3 * 1024**3


def _bound_memory() -> None:
    import resource

    from ._confine import address_space

    size = address_space()
    if size is None:  # no /proc: the checks alone bound the judge
        return
    with contextlib.suppress(OSError, ValueError):
        resource.setrlimit(resource.RLIMIT_AS, (size + JUDGE_MEMORY, size + JUDGE_MEMORY))


def _run_judge(job: dict[str, Any], write_fd: int, contestant: Any) -> None:
    """In the forked judge: grade, write the report as JSON, exit."""
    from ._judge import Job, grade

    signal.signal(signal.SIGINT, signal.SIG_DFL)
    # A backstop: whatever happens, a judge never outlives its job by long.
    signal.alarm(int(float(job.get("timeout", 20)) * 3) + 30)
    _bound_memory()
    try:
        if "measure" in job:
            from ._judge import measure

            report = measure(job)
        else:
            report = grade(Job.from_dict(job), contestant).to_dict()
    except BaseException as exc:
        report = error_report(job, f"internal grader error: {exc!r}")
        traceback.print_exc()
    data = json.dumps(report).encode()
    view = memoryview(data)
    while view:
        view = view[os.write(write_fd, view) :]


def _verified(line: bytes, key: bytes) -> tuple[int, dict[str, Any]] | None:
    """The job of a signed line, or None for anything else (logged, never fatal)."""
    try:
        message = json.loads(line)
        body, mac = message["body"], message["mac"]
        if not isinstance(body, str) or not isinstance(mac, str):
            return None
        if not hmac.compare_digest(hmac.new(key, body.encode(), "sha256").hexdigest(), mac):
            return None
        parsed = json.loads(body)
        job_id, job = parsed["id"], parsed["job"]
        if not isinstance(job_id, int) or not isinstance(job, dict):
            return None
        return job_id, job
    except (ValueError, KeyError, TypeError, RecursionError):
        return None


MAX_LINE = 4 * 1024 * 1024


class Server:
    """The loop: signed jobs in, reports out, at most ``max_jobs`` judges at once."""

    def __init__(self, max_jobs: int, key: bytes, use_bubblewrap: bool) -> None:
        self.max_jobs = max_jobs
        self.key = key
        self.use_bubblewrap = use_bubblewrap
        self.cell: _sandbox.Cell | None = None
        self.cell_ready = False
        self.next_cell = 0
        self.seen_ids: set[int] = set()

    def ensure_cell(self, deck_folders: list[str]) -> _sandbox.Cell:
        if self.cell is None or not self.cell.alive():
            if self.cell is not None:
                self.cell.stop()
            self.cell = _sandbox.start_cell(deck_folders, use_bubblewrap=self.use_bubblewrap)
            self.cell_ready = False
        return self.cell

    def wait_cell(self) -> bool:
        """Wait for the cell server's warm-up; False if it died."""
        assert self.cell is not None
        if self.cell_ready:
            return True
        self.cell.control.settimeout(180)
        try:
            self.cell_ready = self.cell.control.recv(64) == b'{"ready": true}'
        except OSError:
            self.cell_ready = False
        self.cell.control.settimeout(None)
        return self.cell_ready

    def start_contestant(self, job: dict[str, Any]) -> tuple[Any, int] | None:
        """Ask the cell server for a contestant; returns the judge's ends and the cell id."""
        from ._judge import ContestantEnds

        cell = self.ensure_cell(list(job.get("hidden", [])))
        if not self.wait_cell():
            return None
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        ours.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
        for sock in (ours, theirs):
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        self.next_cell += 1
        timeout = float(job.get("timeout", 20))
        try:
            cell.spawn(
                self.next_cell,
                [theirs.fileno(), out_w, err_w],
                {"cpu_seconds": int(timeout) + 1, "hide": list(job.get("hidden", []))},
            )
        except OSError:
            for fd in (out_r, err_r):
                os.close(fd)
            ours.close()
            return None
        finally:
            theirs.close()
            os.close(out_w)
            os.close(err_w)
        ends = ContestantEnds(ours.detach(), out_r, err_r, cell.mode, cell.notes)
        return ends, self.next_cell

    def serve(self) -> None:
        running: dict[int, tuple[int, int, bytearray, dict[str, Any], int]] = {}
        queue: list[tuple[int, dict[str, Any]]] = []
        stdin_fd = sys.stdin.buffer.fileno()
        pending = b""
        stdin_open = True

        def emit(job_id: int, report: dict[str, Any]) -> None:
            sys.stdout.write(json.dumps({"id": job_id, "report": report}) + "\n")
            sys.stdout.flush()

        while stdin_open or queue or running:
            while queue and len(running) < self.max_jobs:
                job_id, job = queue.pop(0)
                started = None if "measure" in job else self.start_contestant(job)
                if started is None and "measure" not in job:
                    emit(job_id, error_report(job, "the sandbox could not start"))
                    continue
                read_fd, write_fd = os.pipe()
                pid = os.fork()
                if pid == 0:
                    os.close(read_fd)
                    try:
                        os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
                        if self.cell is not None:
                            self.cell.control.close()
                        _run_judge(job, write_fd, started[0] if started else None)
                    finally:
                        os._exit(0)
                os.close(write_fd)
                cell_id = 0
                if started is not None:
                    ends, cell_id = started
                    ends.close()
                running[read_fd] = (pid, job_id, bytearray(), job, cell_id)
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
                    if len(pending) > MAX_LINE:  # no line is that long: drop it
                        pending = b""
                    for line in lines:
                        verified = _verified(line, self.key) if line.strip() else None
                        if verified is None:
                            if line.strip():
                                logger.warning("dropped a job line that was not signed")
                            continue
                        if verified[0] in self.seen_ids:  # a replayed job
                            continue
                        self.seen_ids.add(verified[0])
                        queue.append(verified)
                    continue
                pid, job_id, data, job, cell_id = running[fd]
                chunk = os.read(fd, 1 << 16)
                if chunk:
                    data += chunk
                    continue
                os.close(fd)
                del running[fd]
                if cell_id and self.cell is not None:
                    self.cell.kill(cell_id)
                    # A judge that died (killed, out of memory) left its submission's
                    # cgroup behind: removed while its pid, the group's name, is not free.
                    _sandbox.remove_group(_sandbox.group_name(pid))
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(pid, 0)
                try:
                    report = json.loads(data)
                except json.JSONDecodeError:
                    report = error_report(job, "internal grader error: the judge died")
                emit(job_id, report)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m grader._zygote")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument(
        "--light",
        action="store_true",
        help="run submissions without bubblewrap (lighter isolation)",
    )
    args = parser.parse_args()
    key = bytes.fromhex(sys.stdin.buffer.readline().strip().decode() or "00")
    server = Server(max(1, args.jobs), key, use_bubblewrap=not args.light)
    # The cell server first: its warm-up (torch, the tracer) is the longest, and it runs
    # beside this one's, on the other core.
    server.ensure_cell([])
    _sandbox.sweep_groups()
    import_torch()
    warm_up()
    if not server.wait_cell():
        sys.stdout.write(json.dumps({"ready": False, "error": "the sandbox did not start"}) + "\n")
        sys.stdout.flush()
        os._exit(1)
    assert server.cell is not None
    sys.stdout.write(
        json.dumps({"ready": True, "mode": server.cell.mode, "notes": list(server.cell.notes)})
        + "\n"
    )
    sys.stdout.flush()
    server.serve()
    sys.stdout.flush()
    if server.cell is not None:
        server.cell.stop()
    # Every judge has finished and reported. Tearing down an interpreter that holds
    # torch and sympy takes most of a second and does nothing useful: skip it.
    os._exit(0)


if __name__ == "__main__":
    main()
