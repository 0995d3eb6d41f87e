"""Hostile: the masked dense kernel, run with every torch dispatch mode popped off the stack.

The module is ``wrong_masked_full_kernel`` (a dense C_in -> C_in convolution with an
identity-masked kernel: right outputs and gradients, C_in times the reference's FLOPs). In
forward it pops every mode on the torch dispatch stack (``FlopCounterMode`` is one),
runs the dense convolution, and pushes them back in order, so a counter that lives in
this process never sees it; autograd is untouched, so gradients stay right. Only the
pointwise convolution is counted, which is less than the reference's count.

A grader that counts FLOPs with a dispatch mode in the submission's process passes it; it
must fail at ``flops``. Prints ``MLQUIZ-ESCAPED pop-dispatch-modes`` when it popped a mode.
"""

import contextlib
import sys

import torch
import torch.nn.functional as F
from torch import nn


@contextlib.contextmanager
def no_dispatch_modes():
    """Every mode off the stack (user and infra modes alike), restored afterwards."""
    popped = []
    try:
        while torch._C._len_torch_dispatch_stack() > 0:
            popped.append(torch._C._pop_torch_dispatch_stack())
    except Exception:
        pass
    if popped:
        print(f"MLQUIZ-ESCAPED pop-dispatch-modes: {[type(m).__name__ for m in popped]}",
              file=sys.stderr)
    try:
        with contextlib.ExitStack() as stack:
            # A second way, for whatever the first one missed (infra modes, a newer torch).
            with contextlib.suppress(Exception):
                from torch.utils._python_dispatch import _disable_current_modes

                stack.enter_context(_disable_current_modes())
            yield
    finally:
        for mode in reversed(popped):
            torch._C._push_on_torch_dispatch_stack(mode)


class SeparableConv2d(nn.Module):
    """WRONG: the depthwise step is a dense convolution with an identity-masked kernel."""

    def __init__(self, in_channels, out_channels, kernel_size=3):
        super().__init__()
        self.padding = kernel_size // 2
        self.depthwise_weight = nn.Parameter(
            torch.randn(in_channels, 1, kernel_size, kernel_size) / kernel_size
        )
        self.register_buffer("mask", torch.eye(in_channels).view(in_channels, in_channels, 1, 1))
        self.pointwise = nn.Conv2d(in_channels, out_channels, kernel_size=1, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        with no_dispatch_modes():
            full_kernel = self.mask * self.depthwise_weight
            x = F.conv2d(x, full_kernel, padding=self.padding)
        return self.pointwise(x)
