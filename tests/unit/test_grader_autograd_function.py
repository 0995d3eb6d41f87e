"""``kind: autograd_function``: a ``torch.autograd.Function`` with a hand-written backward,
called as ``apply``; its gradients are compared with the reference's autograd ones, and
``gradcheck`` runs ``torch.autograd.gradcheck`` in float64 in the judge, each forward and
backward asked of the submission's process. A backward that is autograd's own is refused
by ``rules`` where the question's ``forbid`` names it, and always when ``apply`` is
replaced."""

from __future__ import annotations

import pytest
from feature_grading import Case, first_failure, grade_cases

from grader import SubmissionReport

pytestmark = pytest.mark.slow  # starts grader workers

# The weight gradient written as (x^T g)^T, the bias's with an explicit loop: right.
OTHER_STYLE = """
import torch
from torch.autograd import Function


class LinearFunction(Function):
    @staticmethod
    def forward(ctx, x, weight, bias):
        ctx.save_for_backward(x, weight)
        return torch.addmm(bias, x, weight.t())

    @staticmethod
    def backward(ctx, grad_out):
        x, weight = ctx.saved_tensors
        grad_bias = torch.zeros_like(grad_out[0])
        for row in grad_out:
            grad_bias = grad_bias + row
        return grad_out.mm(weight), (x.t().mm(grad_out)).t(), grad_bias
"""

# Not a Function at all.
PLAIN_FUNCTION = """
def LinearFunction(x, weight, bias):
    return x @ weight.T + bias
"""

# The backward handed to autograd by replacing apply after the class is defined.
APPLY_PATCHED = """
import torch


class LinearFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, weight, bias):
        return x @ weight.T + bias

    @staticmethod
    def backward(ctx, grad):
        raise NotImplementedError


LinearFunction.apply = staticmethod(lambda x, weight, bias: x @ weight.T + bias)
"""

# Differentiates a recomputed forward with autograd, the call written through an alias.
AUTOGRAD_BY_ALIAS = """
import torch
from torch import autograd as ag


class LinearFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, weight, bias):
        ctx.save_for_backward(x, weight, bias)
        return x @ weight.T + bias

    @staticmethod
    def backward(ctx, grad):
        leaves = [t.detach().requires_grad_() for t in ctx.saved_tensors]
        with torch.enable_grad():
            out = leaves[0] @ leaves[1].T + leaves[2]
        return ag.grad(out, leaves, grad)
"""

# A right forward and backward for the other checks, and a forged reply to gradcheck's
# questions: zero outputs and zero gradients, which agree with each other perfectly.
FORGED_GRADCHECK = """
import sys

import torch

module = next(
    m for m in list(sys.modules.values()) if hasattr(m, "Contestant") and hasattr(m, "_wire")
)


def vjp(self, request, buffers):
    out = []
    inputs = [module._wire.unpack_tensor(d, buffers) for d in request["inputs"]]
    reply = {"ok": True, "failed": None}
    reply["outputs"] = [module._wire.pack_tensor(torch.zeros_like(inputs[0]), out)]
    if request.get("cotangents") is not None:
        reply["grads"] = [module._wire.pack_tensor(torch.zeros_like(t), out) for t in inputs]
    self.reply(reply, out)


module.Contestant.vjp = vjp


class Square(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return 2 * x * grad
"""

CASES = [
    Case("linear-fn", "reference", "reference"),
    Case("linear-fn", OTHER_STYLE, "other-style"),
    Case("linear-fn", "wrong:0", "transposed"),
    Case("linear-fn", "wrong:1", "bias-mean"),
    Case("linear-fn", "wrong:2", "autograd-inside"),
    Case("linear-fn", "wrong:3", "apply-replaced"),
    Case("linear-fn", PLAIN_FUNCTION, "plain-function"),
    Case("linear-fn", APPLY_PATCHED, "apply-patched"),
    Case("linear-fn", AUTOGRAD_BY_ALIAS, "autograd-by-alias"),
    Case("gc-only", "reference", "square"),
    Case("gc-only", "wrong:0", "square-half"),
    Case("gc-only", "wrong:1", "square-float32"),
    Case("gc-only", "wrong:2", "square-autograd-allowed"),
    Case("gc-only", FORGED_GRADCHECK, "square-forged"),
]


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, SubmissionReport]:
    return grade_cases(CASES, tmp_path_factory.mktemp("autograd_function"))


@pytest.mark.parametrize("name", ["reference", "other-style", "square"])
def test_hand_written_backwards_pass(reports: dict[str, SubmissionReport], name: str) -> None:
    report = reports[name]
    assert report.status == "pass", report.checks
    assert "gradcheck" in [c.name for c in report.checks]


def test_rules_always_run_for_a_function(reports: dict[str, SubmissionReport]) -> None:
    names = [c.name for c in reports["square"].checks]
    assert names == ["compile", "load", "rules", "output_shape", "outputs", "gradcheck"]


def test_a_wrong_bias_gradient_fails_gradients(reports: dict[str, SubmissionReport]) -> None:
    check, message = first_failure(reports["bias-mean"]) or ("", "")
    assert check == "gradients"
    assert "'bias'" in message


def test_gradcheck_names_the_input_whose_gradient_is_wrong(
    reports: dict[str, SubmissionReport],
) -> None:
    report = reports["bias-mean"]
    gradcheck = next(c for c in report.checks if c.name == "gradcheck")
    assert gradcheck.status == "fail"
    assert "for input 'bias'" in gradcheck.message


def test_gradcheck_alone_catches_a_wrong_backward(reports: dict[str, SubmissionReport]) -> None:
    check, message = first_failure(reports["square-half"]) or ("", "")
    assert check == "gradcheck"
    assert "disagrees with finite differences" in message


def test_gradcheck_asks_for_float64(reports: dict[str, SubmissionReport]) -> None:
    check, message = first_failure(reports["square-float32"]) or ("", "")
    assert check == "gradcheck"
    assert "float32" in message


def test_autograd_inside_backward_passes_where_not_forbidden(
    reports: dict[str, SubmissionReport],
) -> None:
    assert reports["square-autograd-allowed"].status == "pass"


@pytest.mark.parametrize("name", ["autograd-inside", "autograd-by-alias"])
def test_autograd_inside_backward_fails_rules_where_forbidden(
    reports: dict[str, SubmissionReport], name: str
) -> None:
    check, message = first_failure(reports[name]) or ("", "")
    assert check == "rules"
    assert "autograd inside backward" in message


@pytest.mark.parametrize("name", ["apply-replaced", "apply-patched"])
def test_replacing_apply_fails_rules(reports: dict[str, SubmissionReport], name: str) -> None:
    check, message = first_failure(reports[name]) or ("", "")
    assert check == "rules"
    assert "apply" in message


def test_a_plain_function_is_refused_at_load(reports: dict[str, SubmissionReport]) -> None:
    check, message = first_failure(reports["plain-function"]) or ("", "")
    assert check == "load"
    assert "torch.autograd.Function" in message


def test_a_wrong_forward_fails_before_its_backward_is_looked_at(
    reports: dict[str, SubmissionReport],
) -> None:
    check, _ = first_failure(reports["transposed"]) or ("", "")
    assert check == "output_shape"


def test_gradcheck_refuses_answers_that_are_not_the_graded_forward(
    reports: dict[str, SubmissionReport],
) -> None:
    check, message = first_failure(reports["square-forged"]) or ("", "")
    assert check == "gradcheck"
    assert "outputs differ from the reference's" in message
