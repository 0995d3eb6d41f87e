"""Class reports: the gradebook, JSON Lines and merging shards, Gradescope, feedback files."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace

import pytest

from grader import CheckResult, Counterexample, SubmissionReport
from grader.report import SubmissionStatus
from quiz.course import (
    ClassResult,
    CourseError,
    QuestionGrade,
    feedback_markdown,
    feedback_name,
    gradescope_results,
    in_shard,
    parse_shard,
    question_score,
    read_json_lines,
    render,
    to_csv,
)

Q1, Q2 = "inception-1x1/q10", "attention/causal-attention"
NAMES = ["compile", "load", "construct", "parameters", "output_shape", "outputs"]


def report(student: str, failed: dict[str, CheckResult] | None = None) -> SubmissionReport:
    failed = failed or {}
    checks = tuple(failed.get(name, CheckResult(name, "pass")) for name in NAMES)
    status: SubmissionStatus = "fail" if failed else "pass"
    return SubmissionReport(f"{student}/hw.py", Q1, status, checks, seed=5)


WRONG_SHAPE = CheckResult(
    "output_shape",
    "fail",
    "output shape differs from the reference's",
    counterexample=Counterexample({"kernel_size": 5}, {"x": [1, 1, 5, 5]}, seed=11),
    expected="(1, 1, 5, 5)",
    actual="(1, 1, 3, 3)",
    traceback='  File "hw.ipynb", line 9, in forward\n    return self.conv(x)',
    line=9,
)


def grade(
    student: str,
    question: str,
    points: float,
    rep: SubmissionReport | None,
    cells: tuple[tuple[int, int], ...] = (),
) -> QuestionGrade:
    if rep is None:
        return QuestionGrade(student, question, points, "missing", 0.0, message="no f defined")
    score = question_score(points, rep)
    return QuestionGrade(
        student, question, points, rep.status, score, source="hw.py", cells=cells, report=rep
    )


@pytest.fixture
def result() -> ClassResult:
    bob_q1 = report(
        "bob",
        {
            "output_shape": WRONG_SHAPE,
            "outputs": CheckResult("outputs", "skipped", "not run: output_shape failed"),
        },
    )
    grades = (
        grade("alice", Q1, 10, report("alice")),
        grade("alice", Q2, 5, replace(report("alice"), question=Q2)),
        grade("bob", Q1, 10, bob_q1, cells=((2, 1), (6, 2))),
        grade("bob", Q2, 5, None),
    )
    return ClassResult(
        "hw3", ((Q1, 10), (Q2, 5)), grades, {"bob": ("link.py: a symbolic link, not read",)}
    )


def test_a_question_scores_its_points_times_the_share_of_checks_passed() -> None:
    assert question_score(10, report("a")) == 10
    assert question_score(10, report("a", {"output_shape": WRONG_SHAPE})) == round(10 * 5 / 6, 2)
    error = SubmissionReport(
        "a", Q1, "error", (CheckResult("compile", "pass"),), 1, error="timed out"
    )
    assert question_score(4, error) == 2  # the unfinished grading counts as a failed check


def test_the_csv_gradebook_has_a_row_per_student_and_a_column_per_question(
    result: ClassResult,
) -> None:
    rows = list(csv.reader(io.StringIO(to_csv(result))))
    assert rows == [
        ["student", Q1, Q2, "total"],
        ["alice", "10", "5", "15"],
        ["bob", "6.67", "0", "6.67"],
    ]


def test_a_student_named_like_a_formula_is_quoted_in_the_csv() -> None:
    grades = (QuestionGrade("=HYPERLINK(1)", Q1, 1, "missing", 0.0),)
    rows = list(csv.reader(io.StringIO(to_csv(ClassResult("hw", ((Q1, 1),), grades)))))
    assert rows[1][0] == "'=HYPERLINK(1)"


def test_json_lines_carry_the_required_keys_and_merge_back_to_the_same_gradebook(
    result: ClassResult,
) -> None:
    text = render(result, "json")
    records = [json.loads(line) for line in text.splitlines()]
    assert len(records) == 4
    for record in records:
        assert {"student", "question", "status", "score", "points"} <= set(record)
    assert [
        (r["student"], r["question"], r["status"], r["score"], r["points"]) for r in records
    ] == [
        ("alice", Q1, "pass", 10, 10),
        ("alice", Q2, "pass", 5, 5),
        ("bob", Q1, "fail", 6.67, 10),
        ("bob", Q2, "missing", 0, 5),
    ]
    alice = "".join(line + "\n" for line in text.splitlines() if '"alice"' in line)
    bob = "".join(line + "\n" for line in text.splitlines() if '"bob"' in line)
    merged = read_json_lines([("shard-2.jsonl", bob), ("shard-1.jsonl", alice)])
    assert to_csv(merged) == to_csv(result)
    assert feedback_markdown(merged, "bob") == feedback_markdown(result, "bob")


def test_merge_refuses_overlapping_shards_other_assignments_and_garbage(
    result: ClassResult,
) -> None:
    text = render(result, "json")
    with pytest.raises(CourseError, match=r"also in a\.jsonl"):
        read_json_lines([("a.jsonl", text), ("b.jsonl", text)])
    with pytest.raises(CourseError, match="assignment 'hw4'"):
        read_json_lines(
            [
                ("a.jsonl", text),
                (
                    "b.jsonl",
                    text.replace('"hw3"', '"hw4"').replace("alice", "zed").replace("bob", "yan"),
                ),
            ]
        )
    with pytest.raises(CourseError, match=r"c.jsonl:1: not JSON"):
        read_json_lines([("c.jsonl", "{oops\n")])
    with pytest.raises(CourseError, match="no grades"):
        read_json_lines([("d.jsonl", "")])
    lacking = "".join(
        line + "\n" for line in text.splitlines() if Q2 not in line or "alice" in line
    )
    with pytest.raises(CourseError, match=f"'bob' has no grade for {Q2}"):
        read_json_lines([("e.jsonl", lacking)])


def test_shards_split_students_by_a_stable_hash_of_their_name() -> None:
    students = [f"student{i:03d}" for i in range(200)]
    shards = [[s for s in students if in_shard(s, (k, 3))] for k in (1, 2, 3)]
    assert (
        sorted(s for shard in shards for s in shard) == students
    )  # each student in exactly one shard
    assert all(40 <= len(shard) <= 95 for shard in shards)
    # The same student lands in the same shard whoever else is in the class.
    assert [s for s in reversed(students) if in_shard(s, (2, 3))] == list(reversed(shards[1]))
    assert in_shard("alice", (1, 1)) and in_shard("alice", None)
    assert parse_shard(" 2/3 ") == (2, 3)
    for bad in ("0/3", "4/3", "1-3", ""):
        with pytest.raises(CourseError):
            parse_shard(bad)


def test_gradescope_results_have_a_test_per_check_and_the_score_out_of_the_points(
    result: ClassResult,
) -> None:
    results = gradescope_results(result, "bob")
    assert results["score"] == 6.67
    tests = results["tests"]
    assert len(tests) == len(NAMES) + 1  # the missing question is one failed test
    assert sum(t["max_score"] for t in tests) == pytest.approx(15)
    assert sum(t["score"] for t in tests) == pytest.approx(result.total("bob"), abs=0.01)
    for test in tests:
        assert test["status"] in ("passed", "failed")
        assert test["visibility"] == "visible"
        assert set(test) >= {"name", "score", "max_score", "output"}
    shape = next(t for t in tests if t["name"] == f"{Q1}: output_shape")
    assert "smallest counterexample: kernel_size=5; input x (1, 1, 5, 5)" in shape["output"]
    assert tests[-1]["name"] == f"{Q2}: entry point" and tests[-1]["max_score"] == 5
    json.dumps(results, allow_nan=False)


def test_feedback_says_what_failed_with_the_counterexample_and_the_students_lines(
    result: ClassResult,
) -> None:
    text = feedback_markdown(result, "bob")
    assert text.startswith("# hw3: feedback for bob\n")
    assert "**Total: 6.67 / 15 points**" in text
    assert "### Failed: output_shape" in text
    assert "- Smallest counterexample: `kernel_size=5; input x (1, 1, 5, 5)`" in text
    assert "- Expected: `(1, 1, 5, 5)`" in text and "- Got: `(1, 1, 3, 3)`" in text
    # A notebook's lines are also given as cell and line.
    assert "- At line 9 (cell 2, line 4) of hw.py" in text
    assert 'File "hw.ipynb", line 9 (cell 2, line 4), in forward' in text
    assert "Not run: outputs (not run: output\\_shape failed)" in text or "Not run: outputs" in text
    assert "Not graded: no f defined. This question scores 0." in text
    assert "Note: link.py: a symbolic link, not read" in text


def test_feedback_keeps_a_submissions_text_inert() -> None:
    hostile = CheckResult(
        "outputs",
        "fail",
        "<script>alert(1)</script> [click](http://x) **bold** \x1b[31m",
        traceback="```\n# Total: 15 / 15\n```",
    )
    rep = SubmissionReport("eve/hw.py", Q1, "fail", (hostile,), 1)
    result = ClassResult("hw3", ((Q1, 10),), (grade("eve", Q1, 10, rep),))
    text = feedback_markdown(result, "eve")
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert "\\[click\\]" in text and "\\*\\*bold\\*\\*" in text and "\x1b" not in text
    fence_open = next(line for line in text.splitlines() if line.startswith("````"))
    assert fence_open == "````text"  # longer than the backtick run inside
    assert text.count("# Total") == 1  # only inside the fence; the real total line says 0
    assert "**Total: 0 / 10 points**" in text


def test_feedback_files_are_named_after_the_student_and_stay_in_the_folder() -> None:
    assert feedback_name("alice") == "alice.md"
    assert feedback_name("..") == "_...md"
    assert "/" not in feedback_name("a/b")


def test_the_text_gradebook_marks_missing_answers(result: ClassResult) -> None:
    text = render(result, "text")
    assert "hw3: 2 students" in text
    assert "bob" in text and "6.67" in text and "—" in text
    assert all(line == line.rstrip() for line in text.splitlines())


def test_junit_has_a_suite_per_student_and_question(result: ClassResult) -> None:
    import xml.etree.ElementTree as ET

    root = ET.fromstring(render(result, "junit"))
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["alice/hw.py", "alice/hw.py", "bob/hw.py", "bob"]
    assert suites[-1].find("testcase/error") is not None
