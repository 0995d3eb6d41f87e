"""The warm judge server takes work only from its pool, and nothing sent to it stops it.

A real server process is started as ``GraderPool`` starts it: the first line is the
key, every job after it a line signed with that key. Lines that are garbage, unsigned,
signed with another key, replayed, or too long are dropped, and the server goes on to
grade the next signed job.
"""

from __future__ import annotations

import hmac
import json
import secrets
import select
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.pool import GradeRequest, _server_environment
from questions import DeckLibrary

pytestmark = pytest.mark.slow  # starts grader workers or real processes

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "tests" / "golden" / "submissions" / "q10" / "correct_reference.py"


class Server:
    def __init__(self) -> None:
        self.key = secrets.token_bytes(32)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "grader._zygote", "--jobs", "1"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=_server_environment(),
            cwd=ROOT,
            start_new_session=True,
        )
        self.write(self.key.hex().encode() + b"\n")
        ready = self.read(timeout=180)
        assert ready is not None and ready.get("ready"), ready

    def write(self, data: bytes) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(data)
        self.process.stdin.flush()

    def read(self, timeout: float) -> dict[str, object] | None:
        assert self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        if not ready:
            return None
        line = self.process.stdout.readline()
        return json.loads(line) if line else None

    def signed(self, job_id: int, job: dict[str, object], key: bytes | None = None) -> bytes:
        body = json.dumps({"id": job_id, "job": job})
        mac = hmac.new(key or self.key, body.encode(), "sha256").hexdigest()
        return json.dumps({"body": body, "mac": mac}).encode() + b"\n"

    def close(self) -> None:
        self.process.kill()
        self.process.wait()


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    running = Server()
    yield running
    running.close()


def _job(display: str) -> dict[str, object]:
    loaded, question = DeckLibrary.discover().question("inception-1x1/q10")
    request = GradeRequest(
        submission=str(REFERENCE),
        deck_path=str(loaded.path),
        question_id=question.id,
        display=display,
        seed=1,
        examples=3,
    )
    return request.job()


def test_garbage_and_forged_lines_are_dropped_and_the_server_goes_on(server: Server) -> None:
    forged_measure: dict[str, object] = {
        "measure": {"question": "q10", "count": "parameters"},
        "deck_path": "/x",
    }
    server.write(b"this is not JSON\n")
    server.write(b"\xff\xfe\x00 binary\n")
    server.write(json.dumps({"id": 900, "job": _job("unsigned.py")}).encode() + b"\n")
    server.write(server.signed(901, _job("other-key.py"), key=b"k" * 32))
    server.write(server.signed(902, forged_measure, key=b"k" * 32))
    server.write(b'{"body": "{}", "mac": 7}\n')
    server.write(b"[" * 100_000 + b"\n")
    server.write(server.signed(1, _job("signed.py")))
    answer = server.read(timeout=120)
    assert answer is not None, "the server stopped"
    assert answer["id"] == 1
    report = answer["report"]
    assert isinstance(report, dict)
    assert report["submission"] == "signed.py"
    assert report["status"] == "pass", report.get("error")
    assert server.read(timeout=1.0) is None  # nothing else was graded
    assert server.process.poll() is None


def test_a_replayed_job_is_not_run_twice(server: Server) -> None:
    line = server.signed(2, _job("once.py"))
    server.write(line)
    first = server.read(timeout=120)
    assert first is not None and first["id"] == 2
    server.write(line)
    assert server.read(timeout=3.0) is None


def test_a_line_longer_than_any_job_is_dropped(server: Server) -> None:
    server.write(b"x" * (5 * 1024 * 1024))
    server.write(b"\n" + server.signed(3, _job("after-long.py")))
    answer = server.read(timeout=120)
    assert answer is not None and answer["id"] == 3


def test_the_server_holds_no_secret_in_its_environment(server: Server) -> None:
    environ = Path(f"/proc/{server.process.pid}/environ").read_bytes().split(b"\0")
    names = {entry.split(b"=", 1)[0].decode() for entry in environ if entry}
    assert names <= {
        "PATH",
        "LANG",
        "OMP_NUM_THREADS",
        "MKL_NUM_THREADS",
        "PYTHONDONTWRITEBYTECODE",
        "PYTHONSAFEPATH",
        "PYTHONPATH",
    }
