"""Hostile: ``forward`` spins forever in ``while True: pass``.

Construction and the parameter count are fine; the first call of ``forward`` never
returns. The grader must stop it at its timeout (killing the whole process group) and
report an error, not a pass or a hang.
"""

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
        while True:
            pass
        return self.pointwise(self.depthwise(x))
