"""Integer and bool results compare exactly, dtype included; inputs drawn at extreme values
(``low``/``high`` of ±1e4) show an overflow as NaN or inf, said as such."""

from __future__ import annotations

import pytest
from feature_grading import Case, first_failure, grade_cases

from grader import SubmissionReport

pytestmark = pytest.mark.slow  # starts grader workers

# Max first, then the first index holding it: right, and ties resolved as argmax does.
BY_HAND = """
import torch


def row_argmax(scores):
    best = scores.max(dim=1, keepdim=True).values
    positions = torch.arange(scores.shape[1]).expand_as(scores)
    masked = torch.where(scores == best, positions, scores.shape[1])
    return masked.min(dim=1).values
"""

# log-sum-exp through torch's own function: right at any scale.
LOGSUMEXP = """
import torch


def softmax(logits):
    return torch.exp(logits - torch.logsumexp(logits, dim=-1, keepdim=True))
"""

CASES = [
    Case("argmax", "reference", "argmax"),
    Case("argmax", BY_HAND, "by-hand"),
    Case("argmax", "wrong:0", "int32"),
    Case("argmax", "wrong:1", "argmin"),
    Case("softmax-extreme", "reference", "softmax"),
    Case("softmax-extreme", LOGSUMEXP, "logsumexp"),
    Case("softmax-extreme", "wrong:0", "no-shift"),
]


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, SubmissionReport]:
    return grade_cases(CASES, tmp_path_factory.mktemp("exact"))


@pytest.mark.parametrize("name", ["argmax", "by-hand", "softmax", "logsumexp"])
def test_correct_answers_pass(reports: dict[str, SubmissionReport], name: str) -> None:
    assert reports[name].status == "pass", reports[name].checks


def test_an_integer_output_of_another_dtype_fails(reports: dict[str, SubmissionReport]) -> None:
    check, message = first_failure(reports["int32"]) or ("", "")
    assert check == "outputs"
    assert "int32 where the reference's is int64" in message


def test_integer_outputs_compare_exactly(reports: dict[str, SubmissionReport]) -> None:
    check, message = first_failure(reports["argmin"]) or ("", "")
    assert check == "outputs"
    assert "int64 values differ from the reference's" in message


def test_an_overflow_at_extreme_logits_is_said_as_nan(
    reports: dict[str, SubmissionReport],
) -> None:
    check, message = first_failure(reports["no-shift"]) or ("", "")
    assert check == "outputs"
    assert message.startswith("your output contains NaN")
