"""Wrong: the depthwise kernel is always 3 x 3, whatever ``kernel_size`` says.

Identical to the reference for ``kernel_size=3``; for 1, 5 and 7 it has
``C_in * 9`` depthwise weights instead of ``C_in * k * k``. The grader must fail it at
``parameters``.
"""

import torch
from torch import nn


class SeparableConv2d(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size=3):
        super().__init__()
        self.depthwise = nn.Conv2d(
            in_channels, in_channels, 3, padding=1, groups=in_channels, bias=False
        )
        self.pointwise = nn.Conv2d(in_channels, out_channels, kernel_size=1, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.pointwise(self.depthwise(x))
