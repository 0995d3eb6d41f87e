"""Wrong: skips the depthwise convolution in eval mode.

In training mode (the default after construction) it is exactly the reference. After
``module.eval()`` it applies only the pointwise convolution. The spec has no dropout or
normalisation, so eval mode must change nothing. A grader that never calls ``eval()``
never sees it.

A grader must fail it (at ``outputs``): outputs in eval mode must match too.
"""

import torch
from torch import nn


class SeparableConv2d(nn.Module):
    """WRONG: in eval mode the depthwise step is missing."""

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
        if not self.training:
            return self.pointwise(x)
        return self.pointwise(self.depthwise(x))
