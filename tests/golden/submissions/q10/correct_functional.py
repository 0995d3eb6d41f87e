"""Correct: its own ``nn.Parameter``s and ``F.conv2d``; the grader must pass it.

Weights have the reference's shapes, depthwise ``(C_in, 1, k, k)`` and pointwise
``(C_out, C_in, 1, 1)``, but different names and their own initialisation.
"""

import math

import torch
import torch.nn.functional as F
from torch import nn


class SeparableConv2d(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size=3):
        super().__init__()
        self.groups = in_channels
        self.padding = kernel_size // 2
        self.spatial = nn.Parameter(torch.empty(in_channels, 1, kernel_size, kernel_size))
        self.mixing = nn.Parameter(torch.empty(out_channels, in_channels, 1, 1))
        nn.init.kaiming_uniform_(self.spatial, a=math.sqrt(5))
        nn.init.kaiming_uniform_(self.mixing, a=math.sqrt(5))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.conv2d(x, self.spatial, padding=self.padding, groups=self.groups)
        return F.conv2d(x, self.mixing)
