"""Wrong: every instance zeroes its weights at the start of its second forward.

The first call of each instance is exactly the reference; from the second call on, the
weights are set to zero (under ``torch.no_grad``, before they are used, so backward still
works; never while a tracer records the call, which would refuse an in-place change of a
parameter) and the output is all zeros. A grader that builds a fresh module for every
configuration and calls it once never sees the difference.

A grader must fail it (at ``outputs``): a module has to give the same answer when called
again on the same input.
"""

import torch
from torch import nn


def _traced(x):
    """A tracer (functionalize, make_fx, fake tensors) is recording this call."""
    try:
        return torch._is_functional_tensor(x) or any(
            torch._C._get_dispatch_mode(key) is not None
            for key in (torch._C._TorchDispatchModeKey.PROXY, torch._C._TorchDispatchModeKey.FAKE)
        )
    except Exception:
        return False


class SeparableConv2d(nn.Module):
    """WRONG: only the first forward of an instance is right."""

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
        self.calls = 0

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.calls += 1
        if self.calls > 1 and not _traced(x):
            with torch.no_grad():
                self.depthwise.weight.zero_()
                self.pointwise.weight.zero_()
        return self.pointwise(self.depthwise(x))
