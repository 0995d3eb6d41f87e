"""A pool of warm grading workers, driven from a process that never imports torch.

``GraderPool`` starts the warm server (``grader._zygote``) with a scrubbed
environment, sends it jobs and yields reports as they finish. The server forks
a judge per submission, and the judge forks the isolated process that runs the
submitted code, so one hostile file cannot stall, crash or cheat the others.
"""

from __future__ import annotations

import contextlib
import hmac
import importlib.metadata
import json
import os
import secrets
import select
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from ._errors import GraderError

if TYPE_CHECKING:
    from .report import SubmissionReport

START_TIMEOUT = 180.0
SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin"  # the workers' PATH


@dataclass(frozen=True)
class GradeRequest:
    """One submission to grade against one code question."""

    submission: str  # a file path, or "reference" / "wrong:N" with from_deck
    deck_path: str
    question_id: str
    display: str = ""
    seed: int | None = None  # None: a random seed, printed in the report so it can be replayed
    timeout: float = 20.0
    examples: int | None = None
    from_deck: bool = False
    hidden: tuple[str, ...] = field(default=())

    def job(self) -> dict[str, Any]:
        data = asdict(self)
        data["display"] = self.display or self.submission
        if self.seed is None:
            data["seed"] = secrets.randbelow(2**31)
        # The server runs elsewhere (its own working directory): paths travel absolute.
        data["deck_path"] = str(Path(self.deck_path).resolve())
        if not self.from_deck:
            data["submission"] = str(Path(self.submission).resolve())
        data["hidden"] = list(self.hidden) or hidden_folders(self.deck_path)
        return data


def hidden_folders(deck_path: str) -> list[str]:
    """Folders the submission must not see: where decks (and so references) live."""
    # Here, not at the top: ``quiz grade`` starts the workers before it loads the question
    # bank (and pydantic), so that they warm up while it does.
    from questions import packaged_decks_dir, user_decks_dir

    folders = {packaged_decks_dir(), user_decks_dir(), Path(deck_path).resolve().parent}
    # And the home folder of whoever grades, wherever it is (the workers' own environment
    # has no HOME): without bubblewrap, a submission sees the host's other folders.
    with contextlib.suppress(RuntimeError, KeyError):
        folders.add(Path.home())
    return sorted(str(f) for f in folders if f.is_dir() and f != Path("/"))


def _server_environment() -> dict[str, str]:
    """Nothing of the caller's environment but what Python needs to start."""
    env = {
        "PATH": SYSTEM_PATH,
        "LANG": "C.UTF-8",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        # Nothing on sys.path from where the process starts: with ``-m`` Python puts the
        # working folder first, and a shared one (/tmp) could hold anyone's ``fcntl.py``.
        "PYTHONSAFEPATH": "1",
    }
    try:
        importlib.metadata.distribution("mlquiz")
    except importlib.metadata.PackageNotFoundError:  # running from a source tree
        env["PYTHONPATH"] = str(Path(__file__).resolve().parent.parent)
    return env


def sandbox_available() -> bool:
    """Whether submissions run inside bubblewrap (``MLQUIZ_NO_BWRAP=1`` says no). Looked up
    where the workers look for it (their ``PATH``), not on the caller's: a ``bwrap`` only the
    caller can see must not pass for the full sandbox."""
    if os.environ.get("MLQUIZ_NO_BWRAP"):
        return False
    return shutil.which("bwrap", path=SYSTEM_PATH) is not None


class GraderPool:
    """Warm workers for grading; use as a context manager."""

    def __init__(self, jobs: int = 1, *, require_sandbox: bool = False) -> None:
        """``require_sandbox``: refuse to start without bubblewrap (for other people's code)."""
        if jobs < 1:
            raise GraderError("--jobs must be at least 1")
        if require_sandbox and not sandbox_available():
            raise GraderError(
                "bubblewrap (bwrap) is not installed, and grading other people's code needs "
                "the full sandbox: install it (Debian/Ubuntu: apt-get install bubblewrap), or "
                "pass --unsafe-without-bubblewrap to grade with the lighter isolation"
            )
        self.jobs = jobs
        self._key = secrets.token_bytes(32)
        self.mode = ""
        self.notes: tuple[str, ...] = ()
        self._process: subprocess.Popen[bytes] | None = None
        self._next_id = 0
        self._buffer = b""
        self._ready = False

    def launch(self) -> None:
        """Start the workers without waiting for them: they warm up while the caller works."""
        if self._process is not None:
            return
        self._ready = False
        self._process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "grader._zygote",
                "--jobs",
                str(self.jobs),
                *([] if sandbox_available() else ["--light"]),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=_server_environment(),
            cwd="/",
            start_new_session=True,
        )
        assert self._process.stdin is not None
        # The key signs every job: nothing but this pool can give the server work.
        self._process.stdin.write(self._key.hex().encode() + b"\n")
        self._process.stdin.flush()

    def start(self) -> None:
        """Start the workers (if not launched yet) and wait until they are warm."""
        self.launch()
        if self._ready:
            return
        ready = self._read_line(time.monotonic() + START_TIMEOUT)
        if ready is None or not ready.get("ready"):
            self.close()
            raise GraderError(
                "the grading workers did not start"
                + (f": {ready['error']}" if ready and ready.get("error") else "")
            )
        self.mode = str(ready.get("mode", ""))
        self.notes = tuple(str(n) for n in ready.get("notes", []))
        self._ready = True

    def _reply_fd(self) -> int | None:
        """Where the workers' lines come from (None: nowhere, the pool is not running)."""
        process = self._process
        if process is None or process.stdout is None:
            return None
        return process.stdout.fileno()

    def _read_line(self, deadline: float | None) -> dict[str, Any] | None:
        fd = self._reply_fd()
        if fd is None:
            return None
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
        try:
            result = json.loads(line)
        except ValueError:
            return None
        return result if isinstance(result, dict) else None

    def grade(self, requests: Sequence[GradeRequest]) -> Iterator[tuple[int, SubmissionReport]]:
        """Grade ``requests``; yields ``(index, report)`` in the order they finish."""
        from .report import ReportFormatError, SubmissionReport  # pydantic: not at launch

        jobs = [r.job() for r in requests]
        for index, payload in self._run(jobs):
            try:
                yield index, SubmissionReport.from_dict(payload)
            except ReportFormatError as exc:
                # One unreadable report costs only its own submission, never the batch.
                from ._zygote import error_report

                message = f"internal grader error: an unreadable report ({exc})"[:500]
                yield index, SubmissionReport.from_dict(error_report(jobs[index], message))

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
            body = json.dumps({"id": job_id, "job": job})
            mac = hmac.new(self._key, body.encode(), "sha256").hexdigest()
            self._process.stdin.write(json.dumps({"body": body, "mac": mac}).encode() + b"\n")
        self._process.stdin.flush()
        while ids:
            message = self._read_line(None)
            if message is None:
                raise GraderError("the grading workers stopped unexpectedly")
            index = ids.pop(message.get("id"), None)  # type: ignore[arg-type]
            if index is None or not isinstance(message.get("report"), dict):
                continue
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
