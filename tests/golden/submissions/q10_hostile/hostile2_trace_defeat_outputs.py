"""Hostile (a defeat device): right while it is being traced, wrong when it simply runs.

A grader that cannot trust numbers computed in the submission's process may instead trace
its forward into a graph (``make_fx``, ``functionalize``, fake tensors, dynamo) and
run and count that graph itself. This module notices tracing (a proxy, fake or functional
dispatch mode, a functional or fake tensor input, dynamo compiling, any dispatch mode that
is not a FLOP counter) and then computes the reference exactly. Run plainly, as a student's
network would run it, it puts a ReLU between the two convolutions.

A grader must not pass it: what it checks has to be what the module does when called (for
instance, compare the eagerly computed outputs with the traced graph's, or run the
module plainly as well). Prints ``MLQUIZ-ESCAPED trace-defeat`` on stderr the first
time it behaves differently under a tracer.
"""

import sys

import torch
from torch import nn

NOTICED = []


def being_traced(x):
    """True while a tracer (make_fx, functionalize, fake tensors, dynamo, a proxy or
    functional mode) runs this forward; a FLOP counter alone is not a tracer."""
    checks = (
        lambda: type(x) is not torch.Tensor and not isinstance(x, nn.Parameter),
        lambda: torch._is_functional_tensor(x),
        lambda: torch._C._get_dispatch_mode(torch._C._TorchDispatchModeKey.PROXY) is not None,
        lambda: torch._C._get_dispatch_mode(torch._C._TorchDispatchModeKey.FAKE) is not None,
        lambda: torch._C._get_dispatch_mode(torch._C._TorchDispatchModeKey.FUNCTIONAL)
        is not None,
        lambda: torch.compiler.is_compiling(),
        lambda: any(
            "flop" not in type(mode).__name__.lower()
            for mode in __import__(
                "torch.utils._python_dispatch", fromlist=["x"]
            )._get_current_dispatch_mode_stack()
        ),
    )
    for check in checks:
        try:
            if check():
                return True
        except Exception:
            continue
    return False


class SeparableConv2d(nn.Module):
    """WRONG when run plainly: a ReLU between the two convolutions."""

    def __init__(self, in_channels, out_channels, kernel_size=3):
        super().__init__()
        self.depthwise = nn.Conv2d(
            in_channels,
            in_channels,
            kernel_size,
            padding=kernel_size // 2,
            groups=in_channels,
            bias=False,
        )
        self.pointwise = nn.Conv2d(in_channels, out_channels, kernel_size=1, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if being_traced(x):
            if not NOTICED:
                NOTICED.append(True)
                print("MLQUIZ-ESCAPED trace-defeat: traced, so behaving", file=sys.stderr)
            return self.pointwise(self.depthwise(x))
        return self.pointwise(torch.relu(self.depthwise(x)))
