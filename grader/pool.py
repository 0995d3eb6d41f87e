"""A pool of warm grading workers, driven from a process that never imports torch.

``GraderPool`` starts the warm server (``grader._zygote``) with a scrubbed
environment, sends it jobs and yields reports as they finish. The server forks
a judge per submission, and the judge forks the isolated process that runs the
submitted code, so one hostile file cannot stall, crash or cheat the others.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from questions import packaged_decks_dir, user_decks_dir

from ._errors import GraderError
from .report import SubmissionReport

START_TIMEOUT = 180.0


@dataclass(frozen=True)
class GradeRequest:
    """One submission to grade against one code question."""

    submission: str  # a file path, or "reference" / "wrong:N" with from_deck
    deck_path: str
    question_id: str
    display: str = ""
    seed: int = 0
    timeout: float = 20.0
    examples: int | None = None
    from_deck: bool = False
    hidden: tuple[str, ...] = field(default=())

    def job(self) -> dict[str, Any]:
        data = asdict(self)
        data["display"] = self.display or self.submission
        # The server runs elsewhere (its own working directory): paths travel absolute.
        data["deck_path"] = str(Path(self.deck_path).resolve())
        if not self.from_deck:
            data["submission"] = str(Path(self.submission).resolve())
        data["hidden"] = list(self.hidden) or hidden_folders(self.deck_path)
        return data


def hidden_folders(deck_path: str) -> list[str]:
    """Folders the submission must not see: where decks (and so references) live."""
    folders = {packaged_decks_dir(), user_decks_dir(), Path(deck_path).resolve().parent}
    return sorted(str(f) for f in folders if f.is_dir() and f != Path("/"))


def bubblewrap_prefix() -> list[str]:
    """The ``bwrap`` command that runs the workers read-only, when bubblewrap is installed.

    Inside it the whole file system is read-only, there is no network, and only
    ``/dev/shm`` (a private tmpfs) is writable; the judges' own namespaces then
    isolate each submission further. ``MLQUIZ_NO_BWRAP=1`` turns it off.
    """
    bwrap = shutil.which("bwrap")
    if bwrap is None or os.environ.get("MLQUIZ_NO_BWRAP"):
        return []
    prefix = [
        bwrap,
        "--ro-bind",
        "/",
        "/",
        "--dev",
        "/dev",
        "--proc",
        "/proc",
        "--unshare-all",
        "--die-with-parent",
        "--new-session",
    ]
    if os.geteuid() == 0:  # keep the powers the judges need to build namespaces of their own
        prefix += ["--cap-add", "ALL"]
    return [*prefix, "--"]


def _server_environment(in_bubblewrap: bool) -> dict[str, str]:
    """Nothing of the caller's environment but what Python needs to start."""
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    try:
        importlib.metadata.distribution("mlquiz")
    except importlib.metadata.PackageNotFoundError:  # running from a source tree
        env["PYTHONPATH"] = str(Path(__file__).resolve().parent.parent)
    if in_bubblewrap:
        env["TMPDIR"] = "/dev/shm"  # the one writable place inside the bubble
    return env


class GraderPool:
    """Warm workers for grading; use as a context manager."""

    def __init__(self, jobs: int = 1) -> None:
        if jobs < 1:
            raise GraderError("--jobs must be at least 1")
        self.jobs = jobs
        self._process: subprocess.Popen[bytes] | None = None
        self._next_id = 0
        self._buffer = b""
        self._ready = False

    def launch(self) -> None:
        """Start the workers without waiting for them: they warm up while the caller works."""
        if self._process is not None:
            return
        self._ready = False
        prefix = bubblewrap_prefix()
        self._process = subprocess.Popen(
            [
                *prefix,
                sys.executable,
                "-m",
                "grader._zygote",
                "--jobs",
                str(self.jobs),
                *(["--bubblewrap"] if prefix else []),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=_server_environment(bool(prefix)),
            cwd=tempfile.gettempdir(),
            start_new_session=True,
        )

    def start(self) -> None:
        """Start the workers (if not launched yet) and wait until they are warm."""
        self.launch()
        if self._ready:
            return
        ready = self._read_line(time.monotonic() + START_TIMEOUT)
        if ready is None or not ready.get("ready"):
            self.close()
            raise GraderError("the grading workers did not start")
        self._ready = True

    def _read_line(self, deadline: float | None) -> dict[str, Any] | None:
        process = self._process
        if process is None or process.stdout is None:
            return None
        fd = process.stdout.fileno()
        while b"\n" not in self._buffer:
            wait = None if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                ready, _, _ = select.select([fd], [], [], wait)
                if not ready:
                    return None
                chunk = os.read(fd, 1 << 16)
            except (OSError, ValueError):  # terminated from another thread
                return None
            if not chunk:
                return None
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        result: dict[str, Any] = json.loads(line)
        return result

    def grade(self, requests: Sequence[GradeRequest]) -> Iterator[tuple[int, SubmissionReport]]:
        """Grade ``requests``; yields ``(index, report)`` in the order they finish."""
        for index, payload in self._run([r.job() for r in requests]):
            yield index, SubmissionReport.from_dict(payload)

    def measure(self, deck_path: str, spec: dict[str, Any]) -> float:
        """Count a code question's reference module (``spec`` as a deck's ``measure``)."""
        job = {
            "measure": spec,
            "deck_path": str(Path(deck_path).resolve()),
            "display": spec.get("question", "?"),
        }
        [(_, payload)] = list(self._run([job]))
        if "value" not in payload:
            raise GraderError(
                f"cannot measure {spec.get('question')!r}: {payload.get('error', 'no answer')}"
            )
        return float(payload["value"])

    def _run(self, jobs: Sequence[dict[str, Any]]) -> Iterator[tuple[int, dict[str, Any]]]:
        """Send ``jobs`` to the server; yields ``(index, payload)`` as each finishes."""
        self.start()
        assert self._process is not None and self._process.stdin is not None
        ids: dict[int, int] = {}
        for index, job in enumerate(jobs):
            job_id = self._next_id
            self._next_id += 1
            ids[job_id] = index
            line = json.dumps({"id": job_id, "job": job}) + "\n"
            self._process.stdin.write(line.encode())
        self._process.stdin.flush()
        while ids:
            message = self._read_line(None)
            if message is None:
                raise GraderError("the grading workers stopped unexpectedly")
            index = ids.pop(int(message["id"]))
            yield index, message["report"]

    def grade_all(self, requests: Sequence[GradeRequest]) -> list[SubmissionReport]:
        """Grade ``requests``; reports in the order of the requests."""
        reports: list[SubmissionReport | None] = [None] * len(requests)
        for index, report in self.grade(requests):
            reports[index] = report
        return [r for r in reports if r is not None]

    def terminate(self) -> None:
        """Stop at once: the server, its judges and the submissions they run all end."""
        process, self._process = self._process, None
        self._buffer = b""
        self._ready = False
        if process is None:
            return
        with contextlib.suppress(OSError):
            os.killpg(process.pid, 9)  # judges share its group; submissions die with them
        process.wait()
        # The pipes are left open: another thread may be reading from them, and now
        # reads end of file. They close with the process object.

    def close(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        with contextlib.suppress(OSError):
            if process.stdin:
                process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(OSError):
                os.killpg(process.pid, 9)
            process.wait()
        if process.stdout:
            process.stdout.close()

    def __enter__(self) -> GraderPool:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
