"""Machine-readable reports: JSON Lines, JUnit XML and Gradescope results."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import Any

from ._helpers import (
    _JSON_RAW_UNSAFE,
    _detail_lines,
    _flat,
    _format_seconds,
    _json_escape,
    _xml_safe,
    fenced,
)
from ._model import _FAILED, GRADING_TEST_NAME, SubmissionReport

# --------------------------------------------------------------------------- JSON Lines


def to_json_lines(reports: Sequence[SubmissionReport], *, timings: bool = True) -> str:
    """One JSON object per submission (:meth:`SubmissionReport.to_dict`), one per line.

    Keys are sorted and non-ASCII text is kept as is (``ensure_ascii=False``); every line ends
    with a newline. The output is strict JSON (no ``NaN``), always encodable as UTF-8 and split
    only by its newlines: lone surrogates (which a submission's undecodable output can produce)
    and U+0085, U+2028 and U+2029 are written as ``\\uXXXX`` escapes, which parse back to the
    same string.
    """
    lines = []
    for report in reports:
        text = json.dumps(
            report.to_dict(timings=timings),
            sort_keys=True,
            ensure_ascii=False,
            allow_nan=False,
        )
        lines.append(_JSON_RAW_UNSAFE.sub(_json_escape, text) + "\n")
    return "".join(lines)


# --------------------------------------------------------------------------- JUnit XML


def to_junit(reports: Sequence[SubmissionReport]) -> str:
    """JUnit XML: ``<testsuites>``, a ``<testsuite>`` per submission, a ``<testcase>`` per check.

    - a test case's ``classname`` is the question (``DECK/QID``), its ``name`` the check;
    - ``fail`` becomes ``<failure>``, ``error`` ``<error>``, ``skipped`` ``<skipped>``; the
      element's ``message`` is the check's message, its text the counterexample,
      expected/actual, the line, the replay seed and the traceback;
    - a report with status ``error`` gets one more test case, ``grading``, with an ``<error>``
      carrying the report's error, so a suite whose grading never finished is never green;
    - the seed, status, score and isolation notes are ``<property>`` elements, the captured
      output ``<system-out>`` / ``<system-err>``;
    - characters XML 1.0 forbids (``\\x00``, ``\\x1b``, lone surrogates, ...) are written as
      visible escapes such as ``\\x1b``, so the document stays well-formed.
    """
    root = ET.Element("testsuites", {"name": "mlquiz"})
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    total_seconds = 0.0
    for report in reports:
        suite = _junit_suite(report)
        root.append(suite)
        for key in totals:
            totals[key] += int(suite.get(key, "0"))
        total_seconds += report.seconds
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("time", _format_seconds(total_seconds))
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _junit_suite(report: SubmissionReport) -> ET.Element:
    suite = ET.Element("testsuite", {"name": _xml_safe(report.submission)})
    properties = ET.SubElement(suite, "properties")
    for name, value in (
        ("question", report.question),
        ("status", report.status),
        ("score", str(report.score)),
        ("seed", str(report.seed)),
        *(("isolation", note) for note in report.isolation),
    ):
        ET.SubElement(properties, "property", {"name": name, "value": _xml_safe(value)})

    counts = {"fail": 0, "error": 0, "skipped": 0}
    classname = _xml_safe(report.question)
    for check in report.checks:
        case = ET.SubElement(
            suite,
            "testcase",
            {
                "classname": classname,
                "name": _xml_safe(check.name),
                "time": _format_seconds(check.seconds),
            },
        )
        if check.status == "pass":
            continue
        counts[check.status] += 1
        message = _xml_safe(check.message or f"{check.name}: {check.status}")
        if check.status == "skipped":
            ET.SubElement(case, "skipped", {"message": message})
            continue
        tag, kind = (
            ("failure", "CheckFailure") if check.status == "fail" else ("error", "CheckError")
        )
        outcome = ET.SubElement(case, tag, {"message": message, "type": kind})
        outcome.text = _xml_safe("\n".join(_detail_lines(check, report.seed, traceback=True)))

    tests = len(report.checks)
    if report.status == "error":
        tests += 1
        counts["error"] += 1
        case = ET.SubElement(
            suite, "testcase", {"classname": classname, "name": GRADING_TEST_NAME, "time": "0.000"}
        )
        reason = report.error or "grading could not finish"
        error = ET.SubElement(case, "error", {"message": _xml_safe(reason), "type": "GradingError"})
        error.text = _xml_safe(reason)

    if report.stdout:
        ET.SubElement(suite, "system-out").text = _xml_safe(report.stdout)
    if report.stderr:
        ET.SubElement(suite, "system-err").text = _xml_safe(report.stderr)
    suite.set("tests", str(tests))
    suite.set("failures", str(counts["fail"]))
    suite.set("errors", str(counts["error"]))
    suite.set("skipped", str(counts["skipped"]))
    suite.set("time", _format_seconds(report.seconds))
    return suite


# --------------------------------------------------------------------------- Gradescope


def to_gradescope(reports: Sequence[SubmissionReport]) -> dict[str, Any]:
    """Gradescope autograder ``results.json`` content (a JSON-able dict).

    For exactly one report::

        {"score": 5, "max_score": 8, "execution_time": 1.234, "output": "...",
         "tests": [{"name": "compile", "score": 1, "max_score": 1, "status": "passed",
                    "output": "..."}, ...],
         "visibility": "visible", "stdout_visibility": "hidden"}

    Each check is worth one point and scores it only when it passed (skipped and error checks
    score 0, status ``failed``). A report with status ``error`` gets one more test, ``grading``,
    worth one point and never awarded, carrying the error: a submission whose grading could not
    finish never gets full marks. ``output`` says the submission, question, status and score,
    and for an error the reason and the captured stdout/stderr.

    For several reports (batch grading outside Gradescope) the result is
    ``{"submissions": [<one such object per report>, ...]}`` in the order given.
    """
    objects = [_gradescope_one(report) for report in reports]
    if len(objects) == 1:
        return objects[0]
    return {"submissions": objects}


def _gradescope_one(report: SubmissionReport) -> dict[str, Any]:
    tests: list[dict[str, Any]] = []
    for check in report.checks:
        lines = [_flat(check.message)] if check.message else []
        if check.status in _FAILED:
            lines.extend(_detail_lines(check, report.seed, traceback=True))
        tests.append(
            {
                "name": check.name,
                "score": 1 if check.passed else 0,
                "max_score": 1,
                "status": "passed" if check.passed else "failed",
                "output": "\n".join(lines),
            }
        )
    if report.status == "error":
        tests.append(
            {
                "name": GRADING_TEST_NAME,
                "score": 0,
                "max_score": 1,
                "status": "failed",
                "output": f"error: {_flat(report.error or 'grading could not finish')}",
            }
        )
    score = sum(test["score"] for test in tests)
    max_score = len(tests)
    output = [
        f"{_flat(report.submission)}: {_flat(report.question)}: {report.status}, "
        f"{score}/{max_score} checks passed"
    ]
    if report.status == "error":
        output.append(f"error: {_flat(report.error or 'grading could not finish')}")
        for name, captured in (("stdout", report.stdout), ("stderr", report.stderr)):
            if captured:
                output.extend((f"--- captured {name} ---", fenced(captured)))
    return {
        "score": score,
        "max_score": max_score,
        "execution_time": round(report.seconds, 3),
        "output": "\n".join(output),
        "tests": tests,
        "visibility": "visible",
        "stdout_visibility": "hidden",
    }
