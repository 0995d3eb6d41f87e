"""Broken: a correct module, but the class is ``SeparableConv``, not ``SeparableConv2d``.

The entry point does not exist, so the grader must fail it at ``load`` (and may suggest
the near miss).
"""

import torch
from torch import nn


class SeparableConv(nn.Module):
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
