"""Correct: the pointwise step is an ``nn.Linear`` over the channel axis; must pass.

``nn.Linear(in, out)`` holds a weight of shape ``(out, in)`` where the reference's 1x1
convolution holds ``(out, in, 1, 1)``: the same numbers in another layout, so the weight
transplant has to reshape. The FLOPs are the same (one matrix multiply).
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
        self.pointwise = nn.Linear(in_channels, out_channels, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.depthwise(x)
        # (N, C, H, W) -> (N, H, W, C): Linear mixes the last axis, i.e. the channels.
        x = self.pointwise(x.permute(0, 2, 3, 1))
        return x.permute(0, 3, 1, 2)
