"""Hostile: a correct module whose last line is ``sys.exit(0)``.

The class is already defined when the import exits with status 0. A child that ends
early, even cleanly, has proved nothing: the grader must report an error, never a pass,
and must not carry on grading with the half-imported namespace.
"""

import sys

import torch
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
        return self.pointwise(self.depthwise(x))


sys.exit(0)
