"""Wrong only at the upper edge: in_channels == 16 and out_channels == 16.

Everywhere else it is the reference. At 16 -> 16 channels it adds the input to the output
(a residual connection the spec does not have). Each channel count is drawn from [1, 16],
so the pair comes up about once in 256 random draws.

A grader must fail it (at ``outputs``): the upper edges of the ranges, together, have to
be tried.
"""

import torch
from torch import nn


class SeparableConv2d(nn.Module):
    """WRONG only for 16 -> 16 channels."""

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
        self.residual = in_channels == 16 and out_channels == 16

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.pointwise(self.depthwise(x))
        return y + x if self.residual else y
