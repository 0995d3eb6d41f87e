"""Grading reports: the model's invariants, its dict round trip and its four renderings."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console

from grader._errors import GraderError
from grader.report import (
    CHECK_STATUSES,
    CheckResult,
    Counterexample,
    ReportFormatError,
    SubmissionReport,
    SubmissionStatus,
    overall_exit_code,
    render_text,
    to_gradescope,
    to_json_lines,
    to_junit,
)

CHECK_NAMES = (
    "compile",
    "load",
    "construct",
    "parameters",
    "output_shape",
    "outputs",
    "gradients",
    "flops",
)
HOSTILE = "\x00\x01\x08\x0b\x0c\x1b[31m\x1b]0;pwned\x07\x7f\x9b\ufffe\uffff\r"

# --------------------------------------------------------------------------- strategies

# Arbitrary unicode plus the control characters a hostile submission prints; no lone
# surrogates, which a dict round trip keeps but JSON turns pairs of into one character.
messy_text = st.text(
    st.characters() | st.sampled_from(list(HOSTILE + "\n\t\u202e")),
    max_size=40,
)
# The same, with lone surrogates too (what undecodable output read with surrogateescape gives).
surrogate_text = st.text(
    st.characters() | st.sampled_from(list(HOSTILE)) | st.integers(0xD800, 0xDFFF).map(chr),
    max_size=40,
)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | messy_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(messy_text, inner, max_size=3),
    max_leaves=8,
)
durations = st.floats(min_value=0, max_value=1e4, allow_nan=False, allow_infinity=False)


def counterexamples(text: st.SearchStrategy[str]) -> st.SearchStrategy[Counterexample]:
    return st.builds(
        Counterexample,
        arguments=st.dictionaries(text, json_values, max_size=6),
        input_shapes=st.dictionaries(text, st.lists(st.integers(0, 64), max_size=5), max_size=3),
        seed=st.integers(min_value=-(2**63), max_value=2**64),
    )


def check_results(text: st.SearchStrategy[str]) -> st.SearchStrategy[CheckResult]:
    return st.builds(
        CheckResult,
        name=st.sampled_from(CHECK_NAMES) | text,
        status=st.sampled_from(CHECK_STATUSES),
        message=text,
        counterexample=st.none() | counterexamples(text),
        expected=st.none() | text,
        actual=st.none() | text,
        traceback=st.none() | text,
        line=st.none() | st.integers(min_value=1, max_value=10_000),
        seconds=durations,
    )


@st.composite
def submission_reports(
    draw: st.DrawFn, text: st.SearchStrategy[str] = messy_text
) -> SubmissionReport:
    checks = tuple(draw(st.lists(check_results(text), max_size=8)))
    possible: list[SubmissionStatus] = ["error"]
    if checks and all(check.status == "pass" for check in checks):
        possible.append("pass")
    if any(check.status in ("fail", "error") for check in checks):
        possible.append("fail")
    status = draw(st.sampled_from(possible))
    return SubmissionReport(
        submission=draw(text),
        question=draw(text),
        status=status,
        checks=checks,
        seed=draw(st.integers(min_value=0, max_value=2**64)),
        error=draw(st.none() | text),
        stdout=draw(text),
        stderr=draw(text),
        isolation=tuple(draw(st.lists(text, max_size=3))),
        seconds=draw(durations),
    )


# --------------------------------------------------------------------------- examples

COUNTEREXAMPLE = Counterexample(
    arguments={
        "in_channels": 1,
        "out_channels": 1,
        "kernel_size": 5,
        "batch": 1,
        "height": 5,
        "width": 5,
    },
    input_shapes={"x": [1, 1, 5, 5]},
    seed=1234,
)
TRACEBACK = (
    "Traceback (most recent call last):\n"
    '  File "alice.py", line 12, in forward\n'
    "    return self.pointwise(self.depthwise(x))\n"
    "RuntimeError: shapes do not match\n"
)


def failing_report(submission: str = "subs/alice.py", **changes: Any) -> SubmissionReport:
    checks = [CheckResult(name, "pass", seconds=0.25) for name in CHECK_NAMES[:4]]
    checks.append(
        CheckResult(
            "output_shape",
            "fail",
            "expected output shape (1, 1, 5, 5), got (1, 1, 3, 3)",
            counterexample=COUNTEREXAMPLE,
            expected="(1, 1, 5, 5)",
            actual="(1, 1, 3, 3)",
            traceback=TRACEBACK,
            line=12,
            seconds=0.5,
        )
    )
    checks.extend(
        CheckResult(name, "skipped", "not run: output_shape failed") for name in CHECK_NAMES[5:]
    )
    fields: dict[str, Any] = {
        "submission": submission,
        "question": "inception-1x1/q10",
        "status": "fail",
        "checks": tuple(checks),
        "seed": 42,
        "stdout": "printed by alice\n",
        "seconds": 2.5,
    }
    fields.update(changes)
    return SubmissionReport(**fields)


def passing_report(submission: str = "subs/bob.py") -> SubmissionReport:
    checks = tuple(CheckResult(name, "pass", seconds=0.1) for name in CHECK_NAMES)
    return SubmissionReport(submission, "inception-1x1/q10", "pass", checks, seed=42, seconds=1.0)


def error_report(submission: str = "subs/eve.py", **changes: Any) -> SubmissionReport:
    fields: dict[str, Any] = {
        "submission": submission,
        "question": "inception-1x1/q10",
        "status": "error",
        "checks": (CheckResult("compile", "pass"), CheckResult("load", "pass")),
        "seed": 7,
        "error": "timed out after 10 s",
        "stdout": "".join(f"tick {i}\n" for i in range(30)),
        "stderr": "warning: slow\n",
        "isolation": ("no network namespace: unshare not permitted",),
    }
    fields.update(changes)
    return SubmissionReport(**fields)


def all_keys(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from all_keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from all_keys(item)


def rendered(reports: list[SubmissionReport], *, verbose: bool = False) -> str:
    console = Console(record=True, width=80)
    render_text(reports, console=console, verbose=verbose)
    return console.export_text()


# --------------------------------------------------------------------------- model


def test_describe_reads_like_the_design() -> None:
    assert COUNTEREXAMPLE.describe() == (
        "in_channels=1, out_channels=1, kernel_size=5, batch=1, height=5, width=5; "
        "input x (1, 1, 5, 5)"
    )


def test_describe_with_several_inputs_and_without_arguments() -> None:
    example = Counterexample({}, {"x": [2, 3], "mask": [2]}, seed=0)
    assert example.describe() == "input x (2, 3), input mask (2,)"
    assert Counterexample({"mode": "zeros"}, {}, seed=0).describe() == "mode='zeros'"


@pytest.mark.parametrize(
    ("statuses", "score"),
    [
        (["pass"] * 8, 1.0),
        (["pass"] * 5 + ["fail"] + ["skipped"] * 2, 0.625),
        (["pass", "error", "skipped"], 0.3333),
        (["pass", "pass", "skipped"], 0.6667),
        (["fail"], 0.0),
        ([], 0.0),
    ],
)
def test_score_counts_only_passed_checks(statuses: list[str], score: float) -> None:
    checks = tuple(CheckResult(f"c{i}", status) for i, status in enumerate(statuses))  # type: ignore[arg-type]
    status = "pass" if statuses and set(statuses) == {"pass"} else "error"
    report = SubmissionReport("s.py", "d/q", status, checks, seed=0)  # type: ignore[arg-type]
    assert report.score == score
    assert report.to_dict()["score"] == score


def test_passed_and_failed_checks() -> None:
    report = failing_report()
    assert report.passed_checks == 4
    assert [check.name for check in report.failed_checks] == ["output_shape"]


@pytest.mark.parametrize(
    ("status", "checks", "complaint"),
    [
        ("pass", (CheckResult("compile", "pass"), CheckResult("load", "skipped")), "pass"),
        ("pass", (), "pass"),
        ("fail", (CheckResult("compile", "pass"), CheckResult("load", "skipped")), "fail"),
        ("passed", (CheckResult("compile", "pass"),), "status must be one of"),
    ],
)
def test_inconsistent_status_is_refused(
    status: str, checks: tuple[CheckResult, ...], complaint: str
) -> None:
    with pytest.raises(ReportFormatError, match=complaint):
        SubmissionReport("s.py", "d/q", status, checks, seed=0)  # type: ignore[arg-type]


def test_bad_check_values_are_refused() -> None:
    with pytest.raises(ReportFormatError, match="status"):
        CheckResult("compile", "ok")  # type: ignore[arg-type]
    with pytest.raises(ReportFormatError, match="seconds"):
        CheckResult("compile", "pass", seconds=-1.0)
    with pytest.raises(ReportFormatError, match="seconds"):
        CheckResult("compile", "pass", seconds=float("nan"))
    assert issubclass(ReportFormatError, GraderError)


def test_sequences_are_stored_as_tuples() -> None:
    report = SubmissionReport(
        "s.py",
        "d/q",
        "pass",
        [CheckResult("compile", "pass")],  # type: ignore[arg-type]
        seed=0,
        isolation=["note"],  # type: ignore[arg-type]
    )
    assert report.checks == (CheckResult("compile", "pass"),)
    assert report.isolation == ("note",)


@pytest.mark.parametrize(
    ("reports", "code"),
    [
        ([], 0),
        ([passing_report()], 0),
        ([passing_report("a.py"), passing_report("b.py")], 0),
        ([passing_report(), failing_report()], 1),
        ([passing_report(), error_report()], 1),
        ([failing_report()], 1),
    ],
)
def test_overall_exit_code(reports: list[SubmissionReport], code: int) -> None:
    assert overall_exit_code(reports) == code


# --------------------------------------------------------------------------- dict round trip


@given(submission_reports(surrogate_text))
def test_dict_round_trip(report: SubmissionReport) -> None:
    assert SubmissionReport.from_dict(report.to_dict()) == report


@given(submission_reports())
def test_json_lines_round_trip(report: SubmissionReport) -> None:
    (line,) = to_json_lines([report]).splitlines()
    assert SubmissionReport.from_dict(json.loads(line)) == report


@given(submission_reports())
def test_without_timings_no_seconds_anywhere(report: SubmissionReport) -> None:
    data = report.to_dict(timings=False)
    assert "seconds" not in set(all_keys(data))
    # Keys, not text: a message may well say "seconds".
    assert "seconds" not in set(all_keys(json.loads(to_json_lines([report], timings=False))))
    zeroed = SubmissionReport.from_dict(data)
    assert zeroed.seconds == 0.0
    assert all(check.seconds == 0.0 for check in zeroed.checks)
    assert zeroed.to_dict(timings=False) == data


def test_timings_false_makes_runs_compare_equal() -> None:
    first = failing_report(seconds=1.0)
    second = failing_report(seconds=9.0)
    assert to_json_lines([first]) != to_json_lines([second])
    assert to_json_lines([first], timings=False) == to_json_lines([second], timings=False)


def test_to_dict_is_a_copy() -> None:
    report = failing_report()
    data = report.to_dict()
    data["checks"][4]["counterexample"]["arguments"]["kernel_size"] = 99
    data["checks"][4]["counterexample"]["input_shapes"]["x"].append(9)
    assert report.checks[4].counterexample == COUNTEREXAMPLE


@pytest.mark.parametrize(
    ("mutate", "path"),
    [
        (lambda d: d.pop("submission"), "report.submission: missing"),
        (lambda d: d.update(seed="42"), "report.seed: expected an integer"),
        (lambda d: d.update(seed=True), "report.seed: expected an integer"),
        (
            lambda d: d.update(status="ok"),
            "report.status: expected .pass., .fail. or .error., got .ok.",
        ),
        (lambda d: d.update(checks={}), "report.checks: expected a list"),
        (lambda d: d["checks"][4].update(status="bad"), r"checks\[4\].status"),
        (lambda d: d["checks"][1].update(seconds=-2), r"checks\[1\].seconds"),
        (lambda d: d["checks"][4].update(line="12"), r"checks\[4\].line"),
        (
            lambda d: d["checks"][4]["counterexample"].update(input_shapes={"x": [1, "2"]}),
            r"checks\[4\].counterexample.input_shapes.x",
        ),
        (lambda d: d["checks"][4]["counterexample"].pop("seed"), r"counterexample.seed: missing"),
        (lambda d: d.update(isolation=["ok", 3]), r"report.isolation\[1\]"),
        (lambda d: d["checks"].__setitem__(0, "compile"), r"checks\[0\]: expected an object"),
    ],
)
def test_from_dict_names_the_bad_field(mutate: Any, path: str) -> None:
    data = failing_report().to_dict()
    mutate(data)
    with pytest.raises(ReportFormatError, match=path):
        SubmissionReport.from_dict(data)


def test_from_dict_refuses_an_inconsistent_report() -> None:
    data = failing_report().to_dict()
    data["status"] = "pass"
    with pytest.raises(ReportFormatError, match="status pass"):
        SubmissionReport.from_dict(data)


def test_from_dict_ignores_derived_and_unknown_keys() -> None:
    data = failing_report().to_dict()
    data["score"] = 1.0
    data["added_in_a_later_version"] = True
    assert SubmissionReport.from_dict(data) == failing_report()


# --------------------------------------------------------------------------- JSON Lines


def test_json_lines_one_object_per_submission_with_required_keys() -> None:
    reports = [failing_report(), passing_report(), error_report()]
    text = to_json_lines(reports)
    assert text.endswith("\n")
    lines = text.splitlines()
    assert len(lines) == 3
    objects = [json.loads(line) for line in lines]
    assert [o["submission"] for o in objects] == [r.submission for r in reports]
    for obj, report in zip(objects, reports, strict=True):
        assert {"submission", "question", "status", "score", "checks"} <= obj.keys()
        assert obj["status"] == report.status
        assert obj["score"] == report.score
        for check in obj["checks"]:
            assert {"name", "status", "message", "counterexample"} <= check.keys()
    failing = objects[0]["checks"][4]
    assert failing["counterexample"]["arguments"]["kernel_size"] == 5
    assert failing["counterexample"]["input_shapes"] == {"x": [1, 1, 5, 5]}
    assert objects[0]["checks"][0]["counterexample"] is None


def test_json_lines_keys_sorted_and_unicode_kept() -> None:
    report = failing_report(submission="sub/ünïcode×.py")
    line = to_json_lines([report])
    assert "ünïcode×" in line
    decoded = json.loads(line)
    assert line.rstrip("\n") == json.dumps(decoded, sort_keys=True, ensure_ascii=False)


def test_json_lines_of_nothing_is_empty() -> None:
    assert to_json_lines([]) == ""


def test_json_lines_is_strict_and_utf8_encodable() -> None:
    example = Counterexample({"p": float("nan"), "q": float("inf"), "shape": (1, 2)}, {}, seed=1)
    check = CheckResult("outputs", "fail", "bad \udce2 bytes", counterexample=example)
    report = SubmissionReport(
        "s.py", "d/q", "fail", (check,), seed=1, stdout="\udcff\x00", stderr="a\x85b\u2028c\u2029"
    )

    def refuse(constant: str) -> None:
        raise AssertionError(f"non-standard JSON constant {constant}")

    text = to_json_lines([report])
    text.encode("utf-8")  # would raise on a raw lone surrogate
    data = json.loads(text, parse_constant=refuse)
    assert len(text.splitlines()) == 1
    assert data["stdout"] == "\udcff\x00"
    assert data["stderr"] == "a\x85b\u2028c\u2029"
    assert data["checks"][0]["message"] == "bad \udce2 bytes"
    assert data["checks"][0]["counterexample"]["arguments"] == {
        "p": "nan",
        "q": "inf",
        "shape": [1, 2],
    }


# --------------------------------------------------------------------------- JUnit XML


def test_junit_structure_and_counts() -> None:
    reports = [failing_report(), passing_report(), error_report()]
    root = ET.fromstring(to_junit(reports))
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [r.submission for r in reports]

    alice, bob, eve = suites
    assert [c.get("name") for c in alice.findall("testcase")] == list(CHECK_NAMES)
    assert {c.get("classname") for c in alice.iter("testcase")} == {"inception-1x1/q10"}
    assert (alice.get("tests"), alice.get("failures"), alice.get("errors")) == ("8", "1", "0")
    assert alice.get("skipped") == "3"
    assert alice.get("time") == "2.500"
    assert (bob.get("tests"), bob.get("failures"), bob.get("skipped")) == ("8", "0", "0")
    # The error report gets a `grading` test case carrying its error.
    assert (eve.get("tests"), eve.get("errors")) == ("3", "1")
    grading = eve.find("testcase[@name='grading']/error")
    assert grading is not None
    assert grading.get("message") == "timed out after 10 s"

    assert root.get("tests") == "19"
    assert root.get("failures") == "1"
    assert root.get("errors") == "1"
    assert root.get("skipped") == "3"
    assert root.get("time") == "3.500"


def test_junit_failure_details() -> None:
    root = ET.fromstring(to_junit([failing_report()]))
    failure = root.find(".//testcase[@name='output_shape']/failure")
    assert failure is not None
    assert failure.get("message") == "expected output shape (1, 1, 5, 5), got (1, 1, 3, 3)"
    assert failure.get("type")
    text = failure.text or ""
    assert COUNTEREXAMPLE.describe() in text
    assert "expected: (1, 1, 5, 5)" in text
    assert "actual: (1, 1, 3, 3)" in text
    assert "--seed 1234" in text
    assert "RuntimeError: shapes do not match" in text
    skipped = root.find(".//testcase[@name='flops']/skipped")
    assert skipped is not None
    assert skipped.get("message") == "not run: output_shape failed"
    assert root.find(".//testcase[@name='compile']/*") is None
    system_out = root.find("testsuite/system-out")
    assert system_out is not None
    assert system_out.text == "printed by alice\n"
    seed = root.find("testsuite/properties/property[@name='seed']")
    assert seed is not None
    assert seed.get("value") == "42"


def test_junit_check_error_becomes_error_element() -> None:
    check = CheckResult("construct", "error", "TypeError: __init__() missing 1 argument")
    report = SubmissionReport("s.py", "d/q", "fail", (check,), seed=3)
    root = ET.fromstring(to_junit([report]))
    error = root.find(".//testcase[@name='construct']/error")
    assert error is not None
    assert error.get("message") == "TypeError: __init__() missing 1 argument"
    assert root.find(".//failure") is None
    assert root.find("testsuite[@errors='1'][@failures='0']") is not None


def test_junit_control_characters_stay_well_formed() -> None:
    check = CheckResult("outputs", "fail", f"mismatch {HOSTILE}", traceback=f"tb {HOSTILE}")
    report = SubmissionReport(
        f"evil{HOSTILE}.py",
        "d/q",
        "fail",
        (check,),
        seed=0,
        stdout=f"out {HOSTILE}\udcff",
        stderr=f"err {HOSTILE}",
    )
    xml = to_junit([report])
    xml.encode("utf-8")
    root = ET.fromstring(xml)
    failure = root.find(".//failure")
    assert failure is not None
    assert "\\x1b[31m" in (failure.get("message") or "")
    assert "\\x00" in (failure.text or "")
    system_out = root.find(".//system-out")
    assert system_out is not None
    assert "\\x1b" in (system_out.text or "")
    assert "\\udcff" in (system_out.text or "")


@given(st.lists(submission_reports(surrogate_text), max_size=4))
def test_junit_always_well_formed_with_one_case_per_check(reports: list[SubmissionReport]) -> None:
    root = ET.fromstring(to_junit(reports).encode("utf-8"))
    errored = sum(1 for report in reports if report.status == "error")
    cases = root.findall("testsuite/testcase")
    assert len(cases) == sum(len(report.checks) for report in reports) + errored
    assert int(root.get("tests", "-1")) == len(cases)
    assert int(root.get("failures", "-1")) == len(root.findall("testsuite/testcase/failure"))
    assert int(root.get("errors", "-1")) == len(root.findall("testsuite/testcase/error"))
    assert int(root.get("skipped", "-1")) == len(root.findall("testsuite/testcase/skipped"))
    for suite in root.findall("testsuite"):
        assert int(suite.get("tests", "-1")) == len(suite.findall("testcase"))


# --------------------------------------------------------------------------- Gradescope


def test_gradescope_single_report() -> None:
    result = to_gradescope([failing_report()])
    json.dumps(result)
    assert result["score"] == 4
    assert result["max_score"] == 8
    assert result["execution_time"] == 2.5
    assert result["visibility"] == "visible"
    assert result["stdout_visibility"] == "hidden"
    assert "subs/alice.py" in result["output"]
    tests = result["tests"]
    assert [t["name"] for t in tests] == list(CHECK_NAMES)
    assert [t["status"] for t in tests] == ["passed"] * 4 + ["failed"] * 4
    assert sum(t["score"] for t in tests) == result["score"]
    assert all(t["max_score"] == 1 for t in tests)
    assert set(tests[0]) == {"name", "score", "max_score", "status", "output"}
    shape = tests[4]["output"]
    assert COUNTEREXAMPLE.describe() in shape
    assert "--seed 1234" in shape
    assert tests[6]["output"] == "not run: output_shape failed"


def test_gradescope_error_report_never_gets_full_marks() -> None:
    result = to_gradescope([error_report()])
    assert (result["score"], result["max_score"]) == (2, 3)
    assert result["tests"][-1]["name"] == "grading"
    assert result["tests"][-1]["status"] == "failed"
    assert "timed out after 10 s" in result["output"]
    assert "tick 29" in result["output"]


def test_gradescope_several_reports() -> None:
    result = to_gradescope([passing_report(), failing_report()])
    assert set(result) == {"submissions"}
    assert [s["score"] for s in result["submissions"]] == [8, 4]
    assert result["submissions"][0] == to_gradescope([passing_report()])


@given(st.lists(submission_reports(), max_size=3))
def test_gradescope_totals(reports: list[SubmissionReport]) -> None:
    result = to_gradescope(reports)
    objects = result["submissions"] if len(reports) != 1 else [result]
    assert len(objects) == len(reports)
    for obj, report in zip(objects, reports, strict=True):
        json.dumps(obj, allow_nan=False)
        assert obj["score"] == sum(t["score"] for t in obj["tests"]) == report.passed_checks
        assert obj["max_score"] == len(report.checks) + (report.status == "error")
        assert (obj["score"] == obj["max_score"]) == (report.status == "pass")


# --------------------------------------------------------------------------- text


def test_text_failing_check_shows_counterexample_expected_actual_and_seed() -> None:
    text = rendered([failing_report()])
    flat = " ".join(text.split())
    assert "subs/alice.py" in text
    assert "inception-1x1/q10" in text
    assert "FAIL" in text
    assert "50%" in text
    assert "✗ output_shape" in text
    assert "✓ compile" in text
    assert "· flops" in text
    assert "not run: output_shape failed" in text
    assert COUNTEREXAMPLE.describe() in flat
    assert "expected: (1, 1, 5, 5)" in text
    assert "actual: (1, 1, 3, 3)" in text
    assert "replay with --seed 1234" in text
    assert "RuntimeError: shapes do not match" in text
    assert "Summary" not in text
    assert "printed by alice" not in text  # captured output only when verbose or on error


def test_text_says_how_to_replay_once_per_report() -> None:
    # Two failed checks, both drawn with the report's seed (as the grader draws them).
    checks = list(failing_report().checks)
    checks[5] = CheckResult("outputs", "error", "timed out after 10 s during this check")
    report = failing_report(seed=1234, checks=tuple(checks))
    text = rendered([report, failing_report("subs/carol.py", seed=1234)])
    assert text.count("replay with --seed 1234") == 2
    lines = text.splitlines()
    replays = [i for i, line in enumerate(lines) if "replay with" in line]
    # At the end of each report: after its last check, before the next report.
    assert lines[replays[0] - 1].lstrip().startswith("·")
    assert lines[replays[0] + 2].startswith("subs/carol.py")
    assert "replay with" not in rendered([passing_report()])


def test_text_for_a_pipe_or_a_file_has_no_trailing_spaces() -> None:
    reports = [failing_report(), error_report(), passing_report()]
    piped = rendered(reports, verbose=True)
    assert "✗ output_shape" in piped
    assert [line for line in piped.splitlines() if line != line.rstrip()] == []
    # The same text as a terminal shows, but for the padding.
    terminal = Console(record=True, width=80, force_terminal=True)
    render_text(reports, console=terminal, verbose=True)
    assert [line.rstrip() for line in terminal.export_text().splitlines()] == piped.splitlines()


def test_text_fits_80_columns() -> None:
    long_path = "submissions/" + "very_long_directory_name/" * 6 + "alice.py"
    text = rendered([failing_report(long_path), error_report(), passing_report()], verbose=True)
    assert max(len(line) for line in text.splitlines()) <= 80


def test_text_summary_only_for_several_reports() -> None:
    single = rendered([error_report()])
    assert "Summary" not in single
    several = rendered([failing_report(), passing_report(), error_report()])
    assert "Summary" in several
    assert "3 submissions: 1 pass / 1 fail / 1 error" in several
    summary = several[several.index("Summary") :]
    assert "subs/alice.py" in summary
    assert "output_shape" in summary
    assert "timed out after 10 s" in summary


def test_text_captured_output_on_error_and_verbose() -> None:
    text = rendered([error_report()])
    assert "ERROR" in text
    assert "error: timed out after 10 s" in text
    # Fenced: a line the submission printed can never pass for a verdict line.
    assert re.search(r"^ +│ tick 29 *$", text, re.MULTILINE)
    assert not re.search(r"^ +│ tick 0 *$", text, re.MULTILINE)  # only the tail when not verbose
    assert "last 20 of 30 lines" in text
    assert "warning: slow" in text
    assert "unshare" not in text
    verbose = rendered([error_report()], verbose=True)
    assert re.search(r"^ +│ tick 0 *$", verbose, re.MULTILINE)
    assert "unshare not permitted" in verbose
    assert "printed by alice" in rendered([failing_report()], verbose=True)


def test_text_escapes_control_characters() -> None:
    check = CheckResult("outputs", "fail", f"msg {HOSTILE}", traceback=f"tb {HOSTILE}")
    report = SubmissionReport(
        "[bold]x[/].py", "d/q", "error", (check,), seed=0, error="crash", stdout=HOSTILE
    )
    console = Console(record=True, width=80, force_terminal=True)
    render_text([report], console=console)
    styled = console.export_text(styles=True, clear=False)
    plain = console.export_text()
    assert "\\x1b[31m" in plain
    assert "[bold]x[/].py" in plain  # shown literally, not read as markup
    for character in "\x00\x07\x08\x7f\x9b\r":
        assert character not in styled
    # Every escape in the styled output is one rich emitted (SGR), none from the submission.
    assert "\x1b]" not in styled


FORGED = "forged.py  inception-1x1/q10  PASS  8/8 checks (100%)  seed 0"


@given(
    st.sampled_from(["submission", "error", "message", "expected", "actual"]),
    st.sampled_from(["\n", "\r\n", "\r", "\n\n", "\v", "\u2028", " "]),
    st.integers(0, 120),
    st.booleans(),
)
def test_text_never_lets_a_submission_chosen_value_start_a_line(
    field: str, breaker: str, padding: int, verbose: bool
) -> None:
    """A file name, or a value the submission's process replied, cannot start a line at the
    left margin (where headers are) with text of its own: not by a line break, not by a
    length that makes the line fold there."""
    value = "x" * padding + breaker + FORGED
    check = CheckResult(
        "outputs",
        "fail",
        value if field == "message" else "outputs differ",
        expected=value if field == "expected" else None,
        actual=value if field == "actual" else None,
    )
    report = SubmissionReport(
        value if field == "submission" else "a.py",
        "inception-1x1/q10",
        "error" if field == "error" else "fail",
        (check,),
        seed=1,
        error=value if field == "error" else None,
    )
    lines = rendered(
        [
            report,
            SubmissionReport(
                "b.py", "inception-1x1/q10", "pass", (CheckResult("compile", "pass", ""),), seed=1
            ),
        ],
        verbose=verbose,
    ).splitlines()
    assert not [
        line
        for line in lines
        if line.startswith(("forged", "x" * max(padding, 1)))
        and "  inception-1x1/q10  FAIL" not in line
    ]


def test_gradescope_output_keeps_every_value_on_its_line() -> None:
    forged = "x.py\nforged.py: inception-1x1/q10: pass, 8/8 checks passed"
    check = CheckResult("outputs", "fail", f"differ\n{forged}")
    report = SubmissionReport(forged, "inception-1x1/q10", "fail", (check,), seed=1)
    result = to_gradescope([report])
    lines = [result["output"], *(test["output"] for test in result["tests"])]
    assert not any(line.startswith("forged.py") for text in lines for line in text.splitlines())


@given(st.lists(submission_reports(surrogate_text), max_size=3), st.booleans())
def test_text_never_crashes_or_leaks_escapes(
    reports: list[SubmissionReport], verbose: bool
) -> None:
    text = rendered(reports, verbose=verbose)
    assert "\x1b" not in text
    if len(reports) > 1:
        assert "Summary" in text
        assert f"{len(reports)} submissions: " in text


# --------------------------------------------------------------------------- imports


@pytest.mark.slow  # starts a fresh interpreter
def test_import_stays_light() -> None:
    code = (
        "import sys, grader.report\n"
        "print(sorted(m for m in ('rich', 'torch', 'hypothesis', 'textual') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
