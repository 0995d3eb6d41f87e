"""Golden grading of real files in real child processes: right, wrong, broken and hostile.

Every file under ``submissions/q10`` is graded once per session by a real
``GraderPool`` (warm server, judges, isolated contestants). The verdicts are
compared with ``MANIFEST.yaml`` and, in full, with the expected JSON in
``expected/q10`` (regenerate with ``MLQUIZ_UPDATE_GOLDEN=1`` after a deliberate
change, and read the diff). Hostile files must end in time and leave nothing
behind: no process, no file outside the scratch directory, no connection, no
environment value in the report.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from processes import processes_named

from grader import GradeRequest, GraderPool, SubmissionReport
from questions import DeckLibrary

pytestmark = pytest.mark.slow  # starts grader workers or real processes

HERE = Path(__file__).parent
SUBMISSIONS = HERE / "submissions" / "q10"
EXPECTED = HERE / "expected" / "q10"
MANIFEST = yaml.safe_load((SUBMISSIONS / "MANIFEST.yaml").read_text(encoding="utf-8"))
ENTRIES = MANIFEST if isinstance(MANIFEST, list) else MANIFEST["submissions"]
TIMEOUT = 10.0
SEED = 0
SECRET = "mlquiz-secret-value-7f3a9c"
ESCAPE_PORTS = range(40000, 40011)
ESCAPE_FILES = [
    Path("/tmp/mlquiz-escape-write-outside"),
    Path("/tmp/mlquiz-escape-network"),
    Path.home() / "mlquiz-escape",
]


class LoopbackListener:
    """Accepts (and counts) connections on the ports a hostile file tries."""

    def __init__(self) -> None:
        self.connections = 0
        self.sockets: list[socket.socket] = []
        for port in ESCAPE_PORTS:
            server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                server.bind(("127.0.0.1", port))
            except OSError:
                server.close()
                continue
            server.listen(8)
            server.settimeout(0.2)
            self.sockets.append(server)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            for server in self.sockets:
                try:
                    connection, _ = server.accept()
                except (TimeoutError, OSError):
                    continue
                self.connections += 1
                connection.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        for server in self.sockets:
            server.close()


def _escape_processes() -> list[int]:
    return processes_named(b"mlquiz-escape")


@pytest.fixture(scope="module")
def graded() -> Iterator[dict[str, Any]]:
    """Grade every submission once; also what the machine looked like around it."""
    for path in ESCAPE_FILES:
        path.unlink(missing_ok=True)
    os.environ["MLQUIZ_TEST_SECRET"] = SECRET  # must never reach a report
    listener = LoopbackListener()
    loaded, question = DeckLibrary.discover().question("inception-1x1/q10")
    files = sorted(SUBMISSIONS.glob("*.py"))
    requests = [
        GradeRequest(
            submission=str(f),
            deck_path=str(loaded.path),
            question_id=question.id,
            display=f.name,
            seed=SEED,
            timeout=TIMEOUT,
        )
        for f in files
    ]
    try:
        with GraderPool(jobs=2) as pool:
            reports = pool.grade_all(requests)
            again = pool.grade_all(
                [r for r in requests if r.display == "correct_reference.py"]
                + [r for r in requests if r.display == "wrong_bias.py"]
            )
        time.sleep(0.5)  # let anything that escaped show itself
        yield {
            "reports": {r.submission: r for r in reports},
            "again": again,
            "connections": listener.connections,
            "escape_processes": _escape_processes(),
            "escape_files": [p for p in ESCAPE_FILES if p.exists()],
        }
    finally:
        listener.close()
        os.environ.pop("MLQUIZ_TEST_SECRET", None)


def _first_failure(report: SubmissionReport) -> str | None:
    return next((c.name for c in report.checks if c.status in ("fail", "error")), None)


def _golden(report: SubmissionReport) -> dict[str, Any]:
    """The report as compared with the golden file: no timings, nothing machine-specific."""
    data = report.to_dict(timings=False)
    for volatile in ("isolation", "stdout", "stderr"):
        data.pop(volatile, None)
    return data


@pytest.mark.parametrize("entry", ENTRIES, ids=[e["file"] for e in ENTRIES])
def test_verdict_matches_the_manifest(graded: dict[str, Any], entry: dict[str, Any]) -> None:
    report = graded["reports"][entry["file"]]
    if entry["expect"] == "not-pass":
        assert report.status in ("fail", "error"), (report.error, _first_failure(report))
        return
    assert report.status == entry["expect"], (report.error, _first_failure(report))
    if entry["expect"] == "fail":
        assert _first_failure(report) == entry["fails"]
    if entry["expect"] == "pass":
        assert report.score == 1.0


@pytest.mark.parametrize("entry", ENTRIES, ids=[e["file"] for e in ENTRIES])
def test_report_matches_the_golden_json(graded: dict[str, Any], entry: dict[str, Any]) -> None:
    if entry["expect"] == "not-pass":
        pytest.skip("its verdict depends on timing: no golden report")
    report = graded["reports"][entry["file"]]
    golden = EXPECTED / (Path(entry["file"]).stem + ".json")
    actual = _golden(report)
    if os.environ.get("MLQUIZ_UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(
            json.dumps(actual, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
            encoding="utf-8",
        )
    assert golden.exists(), f"no golden file {golden.name}; run with MLQUIZ_UPDATE_GOLDEN=1"
    assert actual == json.loads(golden.read_text(encoding="utf-8"))


def test_every_submission_file_is_in_the_manifest() -> None:
    assert sorted(e["file"] for e in ENTRIES) == sorted(p.name for p in SUBMISSIONS.glob("*.py"))


def test_same_file_and_seed_give_identical_json(graded: dict[str, Any]) -> None:
    first = graded["reports"]
    for report in graded["again"]:
        assert report.to_dict(timings=False) == first[report.submission].to_dict(timings=False)


def test_failures_come_with_a_shrunk_counterexample(graded: dict[str, Any]) -> None:
    report = graded["reports"]["wrong_padding_fixed_1.py"]
    [check] = [c for c in report.checks if c.name == "output_shape"]
    assert check.counterexample is not None
    assert check.counterexample.arguments["kernel_size"] == 5
    assert check.counterexample.seed == SEED
    assert check.expected != check.actual


def test_crash_traceback_is_cut_to_the_submission(graded: dict[str, Any]) -> None:
    report = graded["reports"]["broken_init_raises.py"]
    [check] = [c for c in report.checks if c.name == "construct"]
    assert check.traceback is not None
    assert "broken_init_raises.py" in check.traceback
    assert "site-packages" not in check.traceback
    assert check.line is not None


@pytest.mark.parametrize(
    "name", sorted(e["file"] for e in ENTRIES if e["file"].startswith("hostile_"))
)
def test_hostile_submission_ends_in_time_without_passing_wrongly(
    graded: dict[str, Any], name: str
) -> None:
    report = graded["reports"][name]
    assert report.seconds <= TIMEOUT + 1.0
    entry = next(e for e in ENTRIES if e["file"] == name)
    if entry["expect"] != "pass":
        assert report.status != "pass"


def test_hostile_submissions_leave_nothing_behind(graded: dict[str, Any]) -> None:
    assert graded["escape_processes"] == []
    assert graded["escape_files"] == []
    assert graded["connections"] == 0


def test_no_environment_value_reaches_a_report(graded: dict[str, Any]) -> None:
    sandbox_values = {"/usr/bin:/bin", "C.UTF-8"}
    secrets = {v for v in os.environ.values() if len(v) >= 8 and v not in sandbox_values}
    secrets.add(SECRET)
    for report in graded["reports"].values():
        text = json.dumps(report.to_dict())
        leaked = [v for v in secrets if v in text]
        assert not leaked, (report.submission, leaked)


@pytest.mark.parametrize("use_bubblewrap", [False, True])
def test_isolation_holds_with_and_without_bubblewrap(
    monkeypatch: pytest.MonkeyPatch, use_bubblewrap: bool
) -> None:
    """The namespaces alone, and bubblewrap around them, each keep a hostile file in."""
    if use_bubblewrap and not shutil.which("bwrap"):
        pytest.skip("bubblewrap is not installed (Debian: apt-get install bubblewrap)")
    if not use_bubblewrap:
        monkeypatch.setenv("MLQUIZ_NO_BWRAP", "1")
    marker = Path("/tmp/mlquiz-escape-write-outside")
    marker.unlink(missing_ok=True)
    loaded, question = DeckLibrary.discover().question("inception-1x1/q10")
    names = ["hostile_write_outside.py", "hostile_read_env.py", "wrong_bias.py"]
    requests = [
        GradeRequest(
            submission=str(SUBMISSIONS / n),
            deck_path=str(loaded.path),
            question_id=question.id,
            display=n,
            timeout=TIMEOUT,
        )
        for n in names
    ]
    with GraderPool(jobs=1) as pool:
        reports = {r.submission: r for r in pool.grade_all(requests)}
    assert reports["hostile_write_outside.py"].status == "pass"
    assert reports["hostile_read_env.py"].status == "pass"
    assert _first_failure(reports["wrong_bias.py"]) == "parameters"
    assert not marker.exists()
