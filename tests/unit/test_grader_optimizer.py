"""``kind: optimizer``: the submission's optimiser runs for ``steps`` steps from the same
parameters with the same gradients as the reference's, and ``trajectory`` names the step
where the parameters part. Its process reports raw parameter values only; the judge runs
the reference itself and compares."""

from __future__ import annotations

import pytest
from feature_grading import Case, first_failure, grade_cases

from grader import SubmissionReport

pytestmark = pytest.mark.slow  # starts grader workers

# Looks for the reference optimiser (or anything holding its state) among every object of its
# own process and copies what it finds. The reference never exists there.
SNOOPS = """
import gc

import torch


class SGD:
    def __init__(self, params, lr, momentum=0.0, nesterov=False):
        self.params = list(params)
        self.lr = lr
        self.others = [
            o for o in gc.get_objects()
            if type(o).__name__ == "SGD" and o is not self and hasattr(o, "params")
        ]

    @torch.no_grad()
    def step(self):
        for other in self.others:
            for mine, theirs in zip(self.params, other.params):
                mine.copy_(theirs)
        if not self.others:
            for p in self.params:
                p.add_(p.grad, alpha=-self.lr)
"""

# Hands back torch's own optimiser: right values, not the learner's algorithm.
RETURNS_TORCH_SGD = """
import torch


def SGD(params, lr, momentum=0.0, nesterov=False):
    return torch.optim.SGD(params, lr=lr, momentum=momentum, nesterov=nesterov)
"""

# Nesterov's look-ahead left out: right until nesterov is drawn.
PLAIN_MOMENTUM_ONLY = """
import torch


class SGD:
    def __init__(self, params, lr, momentum=0.0, nesterov=False):
        self.params = list(params)
        self.lr, self.momentum = lr, momentum
        self.buffers = [None] * len(self.params)

    @torch.no_grad()
    def step(self):
        for i, p in enumerate(self.params):
            g = p.grad
            if self.momentum:
                if self.buffers[i] is None:
                    self.buffers[i] = g.clone()
                else:
                    self.buffers[i].mul_(self.momentum).add_(g)
                g = self.buffers[i]
            p.add_(g, alpha=-self.lr)
"""

# The state kept per parameter in a dict keyed by the tensor, torch.optim.Optimizer style.
OPTIMIZER_SUBCLASS = """
import torch


class SGD(torch.optim.Optimizer):
    def __init__(self, params, lr, momentum=0.0, nesterov=False):
        super().__init__(params, dict(lr=lr, momentum=momentum, nesterov=nesterov))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                d_p = p.grad
                if group["momentum"] != 0:
                    state = self.state[p]
                    if "buf" not in state:
                        state["buf"] = d_p.clone()
                    else:
                        state["buf"] = group["momentum"] * state["buf"] + d_p
                    if group["nesterov"]:
                        d_p = d_p + group["momentum"] * state["buf"]
                    else:
                        d_p = state["buf"]
                p -= group["lr"] * d_p
"""

# Forgets torch.no_grad: PyTorch refuses an in-place change of a leaf that needs grad.
NO_NO_GRAD = """
class SGD:
    def __init__(self, params, lr, momentum=0.0, nesterov=False):
        self.params, self.lr = list(params), lr

    def step(self):
        for p in self.params:
            p -= self.lr * p.grad
"""

# Replaces the grader's own reply in its process: every step reported with no parameters.
EMPTY_REPLY = """
import sys

contestant = next(
    m for m in list(sys.modules.values()) if hasattr(m, "Contestant") and hasattr(m, "_wire")
).Contestant


def optimize(self, request, buffers):
    steps = [[] for _ in request["grads"]]
    self.reply({"ok": True, "failed": None, "trajectory": steps}, [])


contestant.optimize = optimize


class SGD:
    def __init__(self, params, lr, momentum=0.0, nesterov=False):
        pass

    def step(self):
        pass
"""

# Replaces the reply with the starting parameters, well formed: it has no reference to copy.
STARTING_VALUES_REPLY = """
import sys

module = next(
    m for m in list(sys.modules.values()) if hasattr(m, "Contestant") and hasattr(m, "_wire")
)


def optimize(self, request, buffers):
    out = []
    start = [module._wire.pack_tensor(module._wire.unpack_tensor(d, buffers), out)
             for d in request["params"]]
    self.reply({"ok": True, "failed": None, "trajectory": [start] * len(request["grads"])}, out)


module.Contestant.optimize = optimize


class SGD:
    def __init__(self, params, lr, momentum=0.0, nesterov=False):
        pass

    def step(self):
        pass
"""

CASES = [
    Case("sgd", "reference", "reference"),
    Case("sgd", "wrong:0", "momentum-as-average"),
    Case("sgd", "wrong:1", "imports-torch-sgd"),
    Case("sgd", SNOOPS, "snoops"),
    Case("sgd", RETURNS_TORCH_SGD, "returns-torch-sgd"),
    Case("sgd-open", RETURNS_TORCH_SGD, "returns-torch-sgd-allowed"),
    Case("sgd", PLAIN_MOMENTUM_ONLY, "no-nesterov"),
    Case("sgd", OPTIMIZER_SUBCLASS, "optimizer-subclass"),
    Case("sgd", NO_NO_GRAD, "no-no-grad"),
    Case("sgd-open", "wrong:0", "no-momentum"),
    Case("sgd-open", EMPTY_REPLY, "empty-reply"),
    Case("sgd-open", STARTING_VALUES_REPLY, "starting-values-reply"),
]


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, SubmissionReport]:
    return grade_cases(CASES, tmp_path_factory.mktemp("optimizer"))


def test_the_reference_passes_its_trajectory(reports: dict[str, SubmissionReport]) -> None:
    report = reports["reference"]
    assert report.status == "pass", report.checks
    assert [c.name for c in report.checks] == ["compile", "load", "rules", "trajectory"]


def test_a_torch_optimizer_subclass_written_by_hand_passes(
    reports: dict[str, SubmissionReport],
) -> None:
    assert reports["optimizer-subclass"].status == "pass", reports["optimizer-subclass"].checks


def test_momentum_as_an_average_fails_at_the_first_step(
    reports: dict[str, SubmissionReport],
) -> None:
    check, message = first_failure(reports["momentum-as-average"]) or ("", "")
    assert check == "trajectory"
    assert "at step 1 of 4" in message


def test_a_missing_look_ahead_names_a_later_step_or_the_first(
    reports: dict[str, SubmissionReport],
) -> None:
    check, message = first_failure(reports["no-nesterov"]) or ("", "")
    assert check == "trajectory"
    assert "part from the reference optimiser's at step" in message


def test_a_submission_that_looks_for_the_reference_finds_nothing_and_fails(
    reports: dict[str, SubmissionReport],
) -> None:
    check, _ = first_failure(reports["snoops"]) or ("", "")
    assert check == "trajectory"


def test_torch_sgd_is_caught_by_name_where_the_question_forbids_it(
    reports: dict[str, SubmissionReport],
) -> None:
    for name in ("imports-torch-sgd", "returns-torch-sgd"):
        check, message = first_failure(reports[name]) or ("", "")
        assert check == "rules", name
        assert "torch.optim.SGD" in message


def test_torch_sgd_passes_where_the_question_allows_it(
    reports: dict[str, SubmissionReport],
) -> None:
    assert reports["returns-torch-sgd-allowed"].status == "pass"


def test_an_error_in_step_is_reported_with_its_step(reports: dict[str, SubmissionReport]) -> None:
    check, message = first_failure(reports["no-no-grad"]) or ("", "")
    assert check == "trajectory"
    assert message.startswith("step 1 of 4 raised RuntimeError")


def test_plain_sgd_fails_where_momentum_is_drawn(reports: dict[str, SubmissionReport]) -> None:
    check, _ = first_failure(reports["no-momentum"]) or ("", "")
    assert check == "trajectory"


def test_a_reply_with_missing_parameters_is_an_error_not_a_pass(
    reports: dict[str, SubmissionReport],
) -> None:
    report = reports["empty-reply"]
    assert report.status == "error"
    assert report.error is not None and "malformed reply" in report.error


def test_a_forged_reply_still_has_to_match_the_judges_reference(
    reports: dict[str, SubmissionReport],
) -> None:
    check, message = first_failure(reports["starting-values-reply"]) or ("", "")
    assert check == "trajectory"
    assert "at step 1 of 4" in message
