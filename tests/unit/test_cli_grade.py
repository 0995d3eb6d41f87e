"""``quiz grade`` end to end: real grading (warm server, judges, isolated contestants).

Each invocation that grades starts a grading server (about two seconds), so the cases are
few and each asserts as much as it can.
"""

from __future__ import annotations

import json
import shutil
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from quiz.cli import cli

pytestmark = pytest.mark.slow  # starts grader workers or real processes

REPO = Path(__file__).resolve().parents[2]
Q10 = REPO / "tests" / "golden" / "submissions" / "q10"
CORRECT = Q10 / "correct_sequential.py"  # right, but not the reference verbatim
WRONG = Q10 / "wrong_padding_fixed_1.py"  # fails output_shape for kernel_size 5 and 7
MODULE_CHECKS = [
    "compile",
    "load",
    "construct",
    "parameters",
    "output_shape",
    "outputs",
    "gradients",
    "flops",
]
REPORT_KEYS = {"submission", "question", "status", "score", "checks"}
CHECK_KEYS = {"name", "status", "message", "counterexample"}


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def json_reports(text: str) -> list[dict[str, object]]:
    lines = text.splitlines()
    assert lines, "no JSON lines"
    return [json.loads(line) for line in lines]


def test_a_correct_file_passes_with_exit_0() -> None:
    result = run("grade", "inception-1x1/q10", CORRECT)
    assert result.exit_code == 0, result.output
    assert "PASS" in result.stdout
    assert "8/8 checks" in result.stdout
    assert "FAIL" not in result.stdout
    assert "Traceback" not in result.stderr


def test_a_wrong_file_fails_with_exit_1_naming_the_check_and_the_seed() -> None:
    result = run("grade", "--seed", "7", "inception-1x1/q10", WRONG)
    assert result.exit_code == 1, result.output
    text = result.stdout
    assert "FAIL" in text
    assert "4/8 checks" in text
    assert "✗ output_shape" in text
    assert "expected output shape" in text
    assert "counterexample:" in text
    assert text.count("replay with --seed 7") == 1  # once per report, not once per check
    assert text.rstrip().endswith("replay with --seed 7")
    assert "not run: output_shape failed" in text  # outputs, gradients and flops skipped
    # Not a terminal: no line is padded with spaces to the console's width.
    assert [line for line in text.splitlines() if line != line.rstrip()] == []


def test_a_text_report_goes_to_the_output_file_whole(tmp_path: Path) -> None:
    report = tmp_path / "report.txt"
    result = run("grade", "--seed", "7", "-o", report, "inception-1x1/q10", WRONG)
    assert result.exit_code == 1, result.stderr
    assert result.stdout == ""
    text = report.read_text(encoding="utf-8")
    assert "✗ output_shape" in text and text.count("replay with --seed 7") == 1
    assert [line for line in text.splitlines() if line != line.rstrip()] == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.txt"]


def test_a_submission_over_the_size_limit_is_an_error_naming_the_full_question_id(
    tmp_path: Path,
) -> None:
    big = tmp_path / "big.py"
    big.write_text("x = 1\n" * 200_000, encoding="utf-8")  # 1,200,000 bytes
    result = run("grade", "--seed", "1", "inception-1x1/q10", big)
    assert result.exit_code == 1, result.stderr
    flat = " ".join(result.stdout.split())  # a long path wraps the header
    assert f"{big} inception-1x1/q10 ERROR" in flat
    assert "larger than 1,000,000 bytes" in result.stdout
    line = json.loads(run("grade", "--format", "json", "inception-1x1/q10", big).stdout)
    assert line["question"] == "inception-1x1/q10"


def test_json_lines_for_a_folder_grade_every_py_file_inside(tmp_path: Path) -> None:
    folder = tmp_path / "submissions"
    (folder / "late").mkdir(parents=True)
    shutil.copy(CORRECT, folder / "alice.py")
    shutil.copy(WRONG, folder / "bob.py")
    shutil.copy(Q10 / "wrong_bias.py", folder / "late" / "carol.py")
    (folder / "README.txt").write_text("not a submission", encoding="utf-8")

    result = run("grade", "--format", "json", "--seed", "0", "inception-1x1/q10", folder)
    assert result.exit_code == 1, result.stderr
    reports = json_reports(result.stdout)
    by_file = {Path(str(r["submission"])).name: r for r in reports}
    assert sorted(by_file) == ["alice.py", "bob.py", "carol.py"]  # README.txt is not graded

    for report in reports:
        assert set(report) >= REPORT_KEYS, report.keys()
        assert report["question"] == "inception-1x1/q10"
        checks = report["checks"]
        assert isinstance(checks, list)
        assert [c["name"] for c in checks] == MODULE_CHECKS
        for check in checks:
            assert set(check) >= CHECK_KEYS, check.keys()

    alice, bob, carol = by_file["alice.py"], by_file["bob.py"], by_file["carol.py"]
    assert (alice["status"], alice["score"]) == ("pass", 1.0)
    assert (bob["status"], bob["score"]) == ("fail", 0.5)
    assert (carol["status"], carol["score"]) == ("fail", 0.625)
    assert isinstance(bob["checks"], list) and isinstance(carol["checks"], list)
    shape = next(c for c in bob["checks"] if c["name"] == "output_shape")
    assert shape["status"] == "fail"
    assert shape["message"].startswith("expected output shape")
    counterexample = shape["counterexample"]
    assert counterexample["seed"] == 0
    assert counterexample["arguments"]["kernel_size"] in (5, 7)
    assert set(counterexample["input_shapes"]) == {"x"}
    # Extra parameters: no weight copy, so outputs and gradients cannot run; flops still can.
    assert [c["status"] for c in carol["checks"]] == [
        "pass",
        "pass",
        "pass",
        "fail",
        "pass",
        "skipped",
        "skipped",
        "pass",
    ]
    parameters = carol["checks"][3]
    assert "trainable parameters" in parameters["message"]


def test_junit_output_is_parseable_xml_with_a_failure_for_the_wrong_file(tmp_path: Path) -> None:
    report = tmp_path / "report.xml"
    result = run(
        "grade",
        *("--format", "junit", "--output", report, "--seed", "0"),
        *("inception-1x1/q10", CORRECT, WRONG),
    )
    assert result.exit_code == 1, result.stderr
    assert "<testsuite" not in result.stdout  # written to the file, not standard output

    root = ET.parse(report).getroot()
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("16", "1", "0")
    suites = {Path(s.get("name", "")).name: s for s in root.iter("testsuite")}
    assert sorted(suites) == [CORRECT.name, WRONG.name]
    assert suites[CORRECT.name].findall(".//failure") == []
    [failure] = suites[WRONG.name].findall(".//failure")
    [failing_case] = [
        c for c in suites[WRONG.name].iter("testcase") if c.find("failure") is not None
    ]
    assert failing_case.get("name") == "output_shape"
    assert failing_case.get("classname") == "inception-1x1/q10"
    assert failure.get("message", "").startswith("expected output shape")
    assert "replay with --seed 0" in (failure.text or "")
    assert len(suites[WRONG.name].findall(".//skipped")) == 3


def test_gradescope_output_for_one_file(tmp_path: Path) -> None:
    results = tmp_path / "results.json"
    result = run(
        "grade", "--format", "gradescope", "-o", results, "--seed", "0", "inception-1x1/q10", WRONG
    )
    assert result.exit_code == 1, result.stderr
    data = json.loads(results.read_text(encoding="utf-8"))
    assert {"score", "max_score", "output", "tests"} <= set(data)
    assert (data["score"], data["max_score"]) == (4, 8)
    assert [t["name"] for t in data["tests"]] == MODULE_CHECKS
    for test in data["tests"]:
        assert {"name", "score", "max_score", "status", "output"} <= set(test)
        assert test["max_score"] == 1
        assert test["status"] == ("passed" if test["score"] == 1 else "failed")
    shape = next(t for t in data["tests"] if t["name"] == "output_shape")
    assert shape["status"] == "failed"
    assert "expected output shape" in shape["output"]
    assert WRONG.name in data["output"]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["inception-1x1/q1", str(CORRECT)], "not a code question"),
        (["inception-1x1/q10", "missing.py"], "missing.py: no such file"),
        (["inception-1x1/q99", str(CORRECT)], "unknown question 'inception-1x1/q99'"),
    ],
    ids=["concept_question", "missing_file", "unknown_question"],
)
def test_usage_errors_exit_2_with_one_stderr_line(args: list[str], says: str) -> None:
    result = run("grade", *args)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("quiz: error: ")
    assert says in lines[0]
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("option", "says"),
    [
        (["--jobs", "0"], "invalid value for '--jobs' / '-j': 0 is not in the range 1<=x<=64"),
        (["--seed", "abc"], "invalid value for '--seed': 'abc' is not a valid integer"),
        (["--format", "pdf"], "invalid value for '--format'"),
    ],
    ids=["jobs_0", "seed_abc", "format_pdf"],
)
def test_a_bad_option_value_is_one_error_line_without_a_usage_block(
    option: list[str], says: str
) -> None:
    result = run("grade", *option, "inception-1x1/q10", CORRECT)
    assert result.exit_code == 2
    [line] = result.stderr.splitlines()
    assert line.startswith("quiz: error: ")
    assert says in line
    assert line.endswith("(see `quiz grade --help`)")
    assert result.stdout == ""


@pytest.mark.parametrize("fmt", ["text", "json", "junit", "gradescope"])
def test_an_output_file_in_a_missing_folder_is_refused_before_grading(
    tmp_path: Path, fmt: str
) -> None:
    output = tmp_path / "missing" / "report.out"
    result = run("grade", "--format", fmt, "--output", output, "inception-1x1/q10", CORRECT)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"quiz: error: --output {output}: the folder {output.parent} does not exist"
    ]
    assert list(tmp_path.iterdir()) == []


def test_an_output_file_that_cannot_be_written_is_one_error_line_naming_it() -> None:
    if not Path("/proc/self").is_dir():
        pytest.skip("no /proc on this system")
    output = Path("/proc/report.xml")
    result = run("grade", "--format", "junit", "-o", output, "inception-1x1/q10", CORRECT)
    assert result.exit_code == 2
    [line] = result.stderr.splitlines()
    assert line.startswith(f"quiz: error: {output}: cannot write: ")
    assert ".tmp" not in line


# --------------------------------------------------------------------------- a function question

LOSS_DECK = textwrap.dedent(
    """\
    id: losses
    title: Loss functions
    questions:
      - id: smooth-l1
        kind: code
        prompt: Implement the smooth L1 (Huber, beta 1) loss, averaged over the elements.
        answer: Quadratic below 1, linear above, mean over the elements.
        entry_point: smooth_l1
        starter: |
          def smooth_l1(pred, target):
              raise NotImplementedError
        reference: |
          import torch


          def smooth_l1(pred, target):
              diff = (pred - target).abs()
              return torch.where(diff < 1.0, 0.5 * diff**2, diff - 0.5).mean()
        checks:
          kind: function
          dims:
            n: {int: [1, 20]}
          inputs:
            pred: {shape: [n]}
            target: {shape: [n]}
          compare: [output_shape, outputs, gradients]
          max_examples: 15
    """
)
FUNCTION_CHECKS = ["compile", "load", "output_shape", "outputs", "gradients"]


@pytest.fixture
def loss_deck(tmp_path: Path) -> Path:
    path = tmp_path / "decks" / "losses.yaml"
    path.parent.mkdir()
    path.write_text(LOSS_DECK, encoding="utf-8")
    return path


def grade_loss(deck: Path, tmp_path: Path, code: str) -> tuple[Result, dict[str, object]]:
    submission = tmp_path / "work" / "smooth_l1.py"
    submission.parent.mkdir(exist_ok=True)
    submission.write_text(textwrap.dedent(code), encoding="utf-8")
    result = run("grade", "--deck", deck, "--format", "json", "losses/smooth-l1", submission)
    [report] = json_reports(result.stdout)
    assert report["question"] == "losses/smooth-l1"
    checks = report["checks"]
    assert isinstance(checks, list)
    assert [c["name"] for c in checks] == FUNCTION_CHECKS  # no construct/parameters
    return result, report


def test_a_correct_function_passes(loss_deck: Path, tmp_path: Path) -> None:
    result, report = grade_loss(
        loss_deck,
        tmp_path,
        """\
        import torch.nn.functional as F


        def smooth_l1(pred, target):
            return F.smooth_l1_loss(pred, target)
        """,
    )
    assert result.exit_code == 0, result.output
    assert report["status"] == "pass"


def test_a_wrong_function_fails_on_its_outputs(loss_deck: Path, tmp_path: Path) -> None:
    result, report = grade_loss(
        loss_deck,
        tmp_path,
        """\
        def smooth_l1(pred, target):
            return (0.5 * (pred - target) ** 2).mean()  # forgot the linear part above 1
        """,
    )
    assert result.exit_code == 1, result.output
    assert report["status"] == "fail"
    checks = report["checks"]
    assert isinstance(checks, list)
    statuses = {c["name"]: c["status"] for c in checks}
    assert statuses == {
        "compile": "pass",
        "load": "pass",
        "output_shape": "pass",
        "outputs": "fail",
        "gradients": "skipped",
    }
    outputs = next(c for c in checks if c["name"] == "outputs")
    n = outputs["counterexample"]["arguments"]["n"]
    assert outputs["counterexample"]["input_shapes"] == {"pred": [n], "target": [n]}


def test_other_peoples_code_is_refused_without_bubblewrap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Several files without the full sandbox: one clear line and exit 2, nothing graded."""
    monkeypatch.setenv("MLQUIZ_NO_BWRAP", "1")
    folder = tmp_path / "class"
    folder.mkdir()
    shutil.copy(CORRECT, folder / "alice.py")
    shutil.copy(WRONG, folder / "bob.py")
    result = CliRunner().invoke(cli, ["grade", "inception-1x1/q10", str(folder)])
    assert result.exit_code == 2
    assert "bubblewrap" in result.output
    assert "--unsafe-without-bubblewrap" in result.output
    assert "alice.py" not in result.output


def test_the_unsafe_flag_grades_them_with_the_lighter_isolation_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLQUIZ_NO_BWRAP", "1")
    result = CliRunner().invoke(
        cli,
        [
            "grade",
            "inception-1x1/q10",
            str(CORRECT),
            str(WRONG),
            "--unsafe-without-bubblewrap",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 1, result.output
    reports = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["status"] for r in reports] == ["pass", "fail"]
    assert any("bubblewrap is not installed" in n for n in reports[0]["isolation"])
    assert "quiz: warning: not isolated: bubblewrap is not installed" in result.stderr


def test_without_seed_each_run_draws_its_own_and_prints_it() -> None:
    first = run("grade", "inception-1x1/q10", CORRECT, "--format", "json", "--examples", "3")
    second = run("grade", "inception-1x1/q10", CORRECT, "--format", "json", "--examples", "3")
    seeds = {json.loads(r.stdout)["seed"] for r in (first, second)}
    assert len(seeds) == 2
    text = run("grade", "inception-1x1/q10", CORRECT, "--seed", "1234", "--examples", "3")
    assert "seed 1234" in text.stdout
