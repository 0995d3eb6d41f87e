"""Hostile: ``forward`` calls ``os._exit(0)``, ending the process with status 0.

No exception, no ``finally``, no atexit: the child just disappears mid-check after
construct and parameters passed. The grader must report an error, never a pass built
from the checks that finished before it.
"""

import os

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
        os._exit(0)
        return self.pointwise(self.depthwise(x))
