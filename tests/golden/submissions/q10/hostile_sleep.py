"""Hostile: sleeps for an hour while being imported.

Uses no CPU, so a CPU-seconds limit alone never fires: the grader must stop it at its
wall-clock timeout and report an error.
"""

import time

import torch
from torch import nn

time.sleep(3600)


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
