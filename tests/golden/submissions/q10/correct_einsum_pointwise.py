"""Correct: the pointwise step is a ``torch.einsum`` with its own ``(out, in)`` weight.

Like the ``nn.Linear`` variant, the transplant has to reshape the reference's
``(out, in, 1, 1)`` weight; the grader must pass it.
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
        self.mix = nn.Parameter(torch.randn(out_channels, in_channels) / in_channels**0.5)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.einsum("oi,nihw->nohw", self.mix, self.depthwise(x))
