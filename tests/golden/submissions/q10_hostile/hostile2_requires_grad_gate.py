"""Wrong whenever the input does not require a gradient (i.e. in ordinary use).

If ``x.requires_grad`` it is exactly the reference. Otherwise, which is the usual case
for data coming out of a data loader, it skips the depthwise convolution. A grader that
always marks its inputs ``requires_grad_(True)`` (to check input gradients in the same
call) never sees it.

A grader must fail it (at ``outputs``): outputs for a plain input must match too.
"""

import torch
from torch import nn


class SeparableConv2d(nn.Module):
    """WRONG for inputs that do not require grad."""

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
        if not x.requires_grad:
            return self.pointwise(x)
        return self.pointwise(self.depthwise(x))
