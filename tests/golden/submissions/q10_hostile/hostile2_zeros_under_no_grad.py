"""Wrong: returns zeros whenever autograd is off (``torch.no_grad``, ``inference_mode``).

With gradients enabled it is exactly the reference. Under ``torch.no_grad()`` or
``torch.inference_mode()``, which is how a model is used for prediction, it returns a zero
tensor of the right shape. A grader that only ever calls forward with autograd on (to check
gradients in the same call) never sees it.

A grader must fail it (at ``outputs``): the outputs must not depend on the autograd mode.
"""

import torch
from torch import nn


class SeparableConv2d(nn.Module):
    """WRONG: zeros at inference time."""

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
        self.out_channels = out_channels

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not torch.is_grad_enabled() or torch.is_inference_mode_enabled():
            return x.new_zeros(x.shape[0], self.out_channels, *x.shape[2:])
        return self.pointwise(self.depthwise(x))
