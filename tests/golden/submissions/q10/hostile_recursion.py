"""Hostile (or just careless): ``forward`` calls ``self(x)`` where it meant ``self.depthwise(x)``.

Construction and the parameter count are fine; every call of ``forward`` recurses until
Python raises ``RecursionError``. The grader must survive that (no crash, no hang, no
stack overflow in the grader's own code) and fail it at ``output_shape``, the first check
that calls ``forward``, with a traceback cut to the submission's lines.
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
        x = self(x)
        return self.pointwise(x)
