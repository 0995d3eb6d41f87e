"""Random forwards and train/eval behaviour: ``dropout`` seeds torch's generator before each
forward in both processes (torch's own draw matches the reference's mask exactly) and checks
any other mask by its statistics; ``train_eval`` compares running statistics after several
training forwards, and the output in eval mode."""

from __future__ import annotations

import pytest
import torch
from feature_grading import Case, first_failure, grade_cases

from grader import SubmissionReport
from grader._judge import _dropout_problem

pytestmark = pytest.mark.slow  # starts grader workers

# torch's own draw, written out: the mask equals the reference's own.
BERNOULLI = """
import torch
from torch import nn


class Dropout(nn.Module):
    def __init__(self, p=0.5):
        super().__init__()
        self.p = p

    def forward(self, x):
        if not self.training:
            return x
        if self.p == 1:
            return x * 0.0
        keep = torch.empty_like(x).bernoulli_(1 - self.p)
        return x * keep / (1 - self.p)
"""

# Drops a fixed share, not each element independently: at p=0.5 half the elements exactly,
# as it happens right; at p=0.1 none of 8 or fewer.
TOO_FEW = """
import torch
from torch import nn


class Dropout(nn.Module):
    def __init__(self, p=0.5):
        super().__init__()
        self.p = p

    def forward(self, x):
        if not self.training:
            return x
        if self.p == 1:
            return x * 0.0
        flat = torch.ones(x.numel())
        flat[: int(x.numel() * self.p * 0.25)] = 0
        keep = flat[torch.randperm(x.numel())].reshape(x.shape)
        return x * keep / (1 - self.p)
"""

# Running statistics kept in a register_buffer under other names, var updated unbiased: right.
HAND_BN = """
import torch
from torch import nn


class BN(nn.Module):
    def __init__(self, c, momentum=0.1):
        super().__init__()
        self.gamma = nn.Parameter(torch.ones(c))
        self.beta = nn.Parameter(torch.zeros(c))
        self.momentum = momentum
        self.register_buffer("mu", torch.zeros(c))
        self.register_buffer("sigma2", torch.ones(c))

    def forward(self, x):
        if self.training:
            mean, var = x.mean(0), x.var(0, unbiased=False)
            with torch.no_grad():
                n = x.shape[0]
                self.mu.mul_(1 - self.momentum).add_(self.momentum * mean)
                self.sigma2.mul_(1 - self.momentum).add_(self.momentum * var * n / (n - 1))
        else:
            mean, var = self.mu, self.sigma2
        return (x - mean) / torch.sqrt(var + 1e-5) * self.gamma + self.beta
"""

CASES = [
    Case("dropout", "reference", "dropout"),
    Case("dropout", BERNOULLI, "bernoulli"),
    Case("dropout", "wrong:0", "not-rescaled"),
    Case("dropout", "wrong:1", "keep-probability"),
    Case("dropout", "wrong:2", "scaled-in-eval"),
    Case("dropout", "wrong:3", "torch-dropout"),
    Case("dropout", "wrong:4", "fixed-mask"),
    Case("dropout", "wrong:5", "nan-at-one"),
    Case("dropout", TOO_FEW, "too-few"),
    Case("bn", "reference", "bn"),
    Case("bn", HAND_BN, "hand-bn"),
    Case("bn", "wrong:0", "biased-running-var"),
    Case("bn", "wrong:1", "momentum-inverted"),
]


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, SubmissionReport]:
    return grade_cases(CASES, tmp_path_factory.mktemp("train_eval"))


@pytest.mark.parametrize("name", ["dropout", "bernoulli", "bn", "hand-bn"])
def test_correct_answers_pass(reports: dict[str, SubmissionReport], name: str) -> None:
    assert reports[name].status == "pass", reports[name].checks


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("not-rescaled", "where inverted dropout scales them by 1/(1-p)"),
        ("keep-probability", "where inverted dropout scales them by 1/(1-p)"),
        ("scaled-in-eval", "forward after .eval()"),
        ("fixed-mask", "drops exactly the same elements"),
        ("nan-at-one", "NaN at p=1"),
        ("too-few", "each element is dropped with probability p"),
    ],
)
def test_dropout_mistakes_fail_outputs_saying_why(
    reports: dict[str, SubmissionReport], name: str, says: str
) -> None:
    check, message = first_failure(reports[name]) or ("", "")
    assert check == "outputs"
    assert says in message


def test_torch_dropout_is_caught_by_name(reports: dict[str, SubmissionReport]) -> None:
    check, message = first_failure(reports["torch-dropout"]) or ("", "")
    assert check == "rules"
    assert "torch.nn.functional.dropout" in message


@pytest.mark.parametrize("name", ["biased-running-var", "momentum-inverted"])
def test_running_statistics_are_compared_after_training(
    reports: dict[str, SubmissionReport], name: str
) -> None:
    check, message = first_failure(reports[name]) or ("", "")
    assert check == "train_eval"
    assert message.startswith("after 3 training forwards, your running statistic")


# --------------------------------------------------------------------- the statistics alone


def test_inverted_dropout_with_its_own_mask_is_accepted() -> None:
    x = torch.randn(64, 64, generator=torch.Generator().manual_seed(1))
    keep = torch.rand(x.shape, generator=torch.Generator().manual_seed(2)) >= 0.3
    assert _dropout_problem(x, [x * keep / 0.7], 0.3, 1e-5, 1e-4) is None


def test_a_drop_rate_far_from_p_is_refused() -> None:
    x = torch.randn(64, 64, generator=torch.Generator().manual_seed(1))
    keep = torch.rand(x.shape, generator=torch.Generator().manual_seed(2)) >= 0.2
    problem = _dropout_problem(x, [x * keep / 0.7], 0.3, 1e-5, 1e-4)
    assert problem is not None
    assert "dropped with probability p" in problem[0]
