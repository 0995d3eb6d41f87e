"""Hostile (a defeat device): a true depthwise step while traced, the dense one otherwise.

Like ``hostile2_trace_defeat_outputs.py``, but the difference is only in the work done:
under a tracer (a proxy, fake or functional dispatch mode, a functional or fake tensor
input, dynamo, any dispatch mode that is not a FLOP counter) it runs the depthwise step as
``F.conv2d(..., groups=in_channels)``, exactly the reference; run plainly (even under a
``FlopCounterMode``) it runs ``wrong_masked_full_kernel``'s dense C_in -> C_in convolution
with an identity-masked kernel. Outputs and gradients are identical either way, so
comparing eager outputs with the graph's does not catch it; only the work differs.

A grader must fail it at ``flops``: the FLOPs it counts have to be those of the module
as it runs, not of a graph the module chose to show. Prints ``MLQUIZ-ESCAPED
trace-defeat-flops`` on stderr the first time it behaves differently under a tracer.
"""

import sys

import torch
import torch.nn.functional as F
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
    """WRONG when run plainly: a dense convolution with an identity-masked kernel."""

    def __init__(self, in_channels, out_channels, kernel_size=3):
        super().__init__()
        self.in_channels = in_channels
        self.padding = kernel_size // 2
        self.depthwise_weight = nn.Parameter(
            torch.randn(in_channels, 1, kernel_size, kernel_size) / kernel_size
        )
        self.register_buffer("mask", torch.eye(in_channels).view(in_channels, in_channels, 1, 1))
        self.pointwise = nn.Conv2d(in_channels, out_channels, kernel_size=1, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if being_traced(x):
            if not NOTICED:
                NOTICED.append(True)
                print("MLQUIZ-ESCAPED trace-defeat-flops: traced, so behaving", file=sys.stderr)
            x = F.conv2d(x, self.depthwise_weight, padding=self.padding, groups=self.in_channels)
        else:
            x = F.conv2d(x, self.mask * self.depthwise_weight, padding=self.padding)
        return self.pointwise(x)
