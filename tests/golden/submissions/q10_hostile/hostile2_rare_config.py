"""Wrong for one rare configuration only: in_channels == 13 and kernel_size == 7.

Everywhere else it is the reference. For that one pair it puts a ReLU between the two
convolutions (same parameters and shapes, different values). Drawn at random, the pair
comes up about once in 48 configurations (13 of 1..16, 7 of 3/5/7), so 25 draws miss it
more often than not.

A grader must fail it (at ``outputs``), e.g. by drawing more configurations or by trying
every kernel size with several channel counts.
"""

import torch
from torch import nn


class SeparableConv2d(nn.Module):
    """WRONG only when in_channels == 13 and kernel_size == 7."""

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
        self.broken = in_channels == 13 and kernel_size == 7

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.depthwise(x)
        if self.broken:
            x = torch.relu(x)
        return self.pointwise(x)
