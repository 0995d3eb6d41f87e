"""Grading a whole class end to end: real workers, real sandbox, real processes.

The class in ``fixtures/class/submissions``: alice (correct ``.py`` files), bob (a notebook
with magics, one answer wrong), carol (alice's work renamed and reordered), dave (an empty
folder), eve (a hostile file that forges output, hunts for other students' files and the
reports, forks and sleeps forever) and frank (a draft beside the final file, and a file that
is not UTF-8). One test, because each grading run starts the workers and waits out eve.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from grader.pool import sandbox_available
from quiz.cli import cli

pytestmark = pytest.mark.slow

FIXTURES = Path(__file__).parent / "fixtures" / "class"
ASSIGNMENT = FIXTURES / "hw3.yaml"
Q1, Q2 = "inception-1x1/q10", "attention/causal-attention"
SEED = "7"
# Not UTF-8 although it says so (an editor saved it as Latin-1): made here, not kept in the
# repository, whose linters read every file as UTF-8.
LATIN1_ATTENTION = (
    b"# -*- coding: utf-8 -*-\n"
    b"# Attention \xe0 la Fran\xe7ois: masque additif (\xab triangulaire \xbb)\n"
    b"import math\n\nimport torch\n\n\n"
    b"def causal_attention(q, k, v):\n"
    b"    n, d = q.shape[-2], q.shape[-1]\n"
    b'    penalty = torch.full((n, n), float("-inf")).triu(1)\n'
    b"    logits = q @ k.transpose(-2, -1) / math.sqrt(d) + penalty\n"
    b"    return torch.softmax(logits, dim=-1) @ v\n"
)


def run(*args: str | Path) -> Result:
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    return result


def grade(submissions: Path, *extra: str | Path) -> Result:
    result = run(
        "grade", "--assignment", ASSIGNMENT, submissions,
        "--jobs", "2", "--timeout", "8", "--seed", SEED, *extra,
    )  # fmt: skip
    assert result.exit_code == 0, result.output  # written, whatever the students scored
    return result


def gradebook(text: str) -> dict[str, dict[str, str]]:
    rows = list(csv.DictReader(io.StringIO(text)))
    return {row["student"]: row for row in rows}


def snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.mark.skipif(not sandbox_available(), reason="grading a class needs bubblewrap")
def test_a_class_is_graded_fed_back_checked_for_copies_sharded_and_run_as_gradescope(
    tmp_path: Path,
) -> None:
    submissions = tmp_path / "class"
    shutil.copytree(FIXTURES / "submissions", submissions)
    (submissions / "dave" / ".gitkeep").unlink()  # an empty folder
    (submissions / "frank" / "attention_latin1.py").write_bytes(LATIN1_ATTENTION)
    notebook = submissions / "bob" / "hw3.ipynb"
    cells = json.loads(notebook.read_text(encoding="utf-8"))
    cells["cells"].append(  # a syntax error, as left in class
        {
            "cell_type": "code",
            "id": "unfinished",
            "execution_count": None,
            "metadata": {},
            "outputs": [],
            "source": "print('unfinished'",
        }
    )
    notebook.write_text(json.dumps(cells), encoding="utf-8")
    before = snapshot(submissions)
    reports = tmp_path / "reports"
    reports.mkdir()

    # One run: JSON Lines and feedback; the gradebook comes from them.
    grade(
        submissions, "--format", "json", "-o", reports / "all.jsonl", "--feedback", tmp_path / "fb"
    )
    lines = (reports / "all.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert len(records) == 6 * 2  # eve's forged lines are not among them
    for record in records:
        assert {"student", "question", "status", "score", "points"} <= set(record)
    assert run("merge", reports / "all.jsonl", "-o", reports / "all.csv").exit_code == 0
    text = (reports / "all.csv").read_text(encoding="utf-8")
    assert text.splitlines()[0] == f"student,{Q1},{Q2},total"
    book = gradebook(text)
    assert list(book) == ["alice", "bob", "carol", "dave", "eve", "frank"]
    for row in book.values():
        assert float(row["total"]) == pytest.approx(float(row[Q1]) + float(row[Q2]), abs=0.011)
    assert book["alice"]["total"] == "15"
    assert book["carol"]["total"] == "15"
    assert book["frank"]["total"] == "15"  # the top-level file, the not-UTF-8 one decoded
    assert book["bob"][Q1] == "10"
    assert 0 < float(book["bob"][Q2]) < 5  # no causal mask: outputs fail
    assert book["dave"]["total"] == "0"
    assert book["eve"]["total"] == "0"
    status = {(r["student"], r["question"]): r["status"] for r in records}
    assert status[("dave", Q1)] == "missing"
    assert status[("eve", Q1)] == status[("eve", Q2)] == "error"

    # Feedback: one file per student, saying what failed and why.
    feedback = {p.stem: p.read_text(encoding="utf-8") for p in (tmp_path / "fb").glob("*.md")}
    assert set(feedback) == set(book)
    assert "### Failed: outputs" in feedback["bob"]
    assert "- Smallest counterexample: `batch=" in feedback["bob"]
    assert "IPython lines ignored: cell 1: %matplotlib inline" in feedback["bob"]
    assert "cell 7 has a syntax error" in feedback["bob"]
    assert "Not graded: no SeparableConv2d defined in any file" in feedback["dave"]
    assert "timed out" in feedback["eve"]
    assert "graded separable.py, the first by folder depth" in feedback["frank"]
    assert "read as Windows-1252" in feedback["frank"]
    assert "**Total: 15 / 15 points**" in feedback["alice"]

    # Eve changed nothing: no student's files, no planted file anywhere, no report touched.
    assert snapshot(submissions) == before
    assert not [p for p in tmp_path.rglob("*") if "pwned-by-eve" in p.name]
    for path in (reports / "all.jsonl", reports / "all.csv", *(tmp_path / "fb").glob("*.md")):
        assert "pwned-by-eve,10,5,15" not in path.read_text(encoding="utf-8")

    # Two shards merge into the same gradebook as the single run.
    for k in ("1", "2"):
        grade(submissions, "--shard", f"{k}/2", "--format", "json", "-o", reports / f"s{k}.jsonl")
    shard_students = [
        {json.loads(line)["student"] for line in (reports / f"s{k}.jsonl").read_text().splitlines()}
        for k in ("1", "2")
    ]
    assert shard_students[0] and shard_students[1]
    assert not shard_students[0] & shard_students[1]
    merged = run("merge", reports / "s2.jsonl", reports / "s1.jsonl", "--format", "csv")
    assert merged.stdout == text

    # Similarity flags the copy, and nothing else.
    found = run("similarity", "--assignment", ASSIGNMENT, submissions, "--format", "json")
    pairs = [json.loads(line) for line in found.stdout.splitlines()]
    assert {(p["a"], p["b"]) for p in pairs} == {("alice", "carol")}
    assert {p["question"] for p in pairs} == {Q1, Q2}

    # The Gradescope bundle's run_autograder, in a folder laid out like /autograder.
    bundle = tmp_path / "autograder.zip"
    run("autograder", ASSIGNMENT, "-o", bundle, "--seed", SEED, "--timeout", "8")
    root = tmp_path / "autograder"
    with zipfile.ZipFile(bundle) as archive:
        names = set(archive.namelist())
        assert {"setup.sh", "run_autograder", "assignment.yaml"} <= names
        assert "mlquiz/constraints.txt" in names and "mlquiz/pyproject.toml" in names
        archive.extractall(root / "source")
    setup = (root / "source" / "setup.sh").read_text()
    assert "pip install -c mlquiz/constraints.txt ./mlquiz" in setup and "bubblewrap" in setup
    run_autograder = root / "source" / "run_autograder"
    run_autograder.chmod(0o755)
    shutil.copytree(submissions / "bob", root / "submission")
    env = {
        **os.environ,
        "MLQUIZ_AUTOGRADER_ROOT": str(root),
        "MLQUIZ_AUTOGRADER_PYTHON": sys.executable,
    }
    subprocess.run([str(run_autograder)], env=env, check=True, capture_output=True, timeout=300)
    results = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    assert results["score"] == pytest.approx(float(book["bob"]["total"]))
    assert sum(t["max_score"] for t in results["tests"]) == pytest.approx(15)
    for test in results["tests"]:
        assert set(test) >= {"name", "score", "max_score", "status", "output", "visibility"}
        assert test["status"] in ("passed", "failed")
        assert 0 <= test["score"] <= test["max_score"]
    assert any(t["name"] == f"{Q2}: outputs" and t["status"] == "failed" for t in results["tests"])
    assert results["visibility"] == "visible"
