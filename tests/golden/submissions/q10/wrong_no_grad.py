"""Wrong: the pointwise weight is detached in forward, so it never learns.

Parameters, shapes and outputs all match the reference and the input gradient is still
right, but ``pointwise.weight.grad`` stays ``None``. The grader must fail it at
``gradients``.
"""

import torch
import torch.nn.functional as F
from torch import nn


class SeparableConv2d(nn.Module):
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
        x = self.depthwise(x)
        return F.conv2d(x, self.pointwise.weight.detach())
