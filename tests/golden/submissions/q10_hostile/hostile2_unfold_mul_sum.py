"""Wrong (no attack on the grader): a dense depthwise step written with unfold, mul and sum.

The depthwise step is computed as im2col (``F.unfold``) times a dense, identity-masked
``(C_in, C_in, k*k)`` kernel, summed over input channels and kernel taps: the same work as a
dense C_in -> C_in convolution (C_in times the reference's multiply-adds), but made of
elementwise ops that have no FLOP formula, so a ``FlopCounterMode`` counts only the
pointwise convolution. Parameters, shapes, outputs and gradients all match the reference.

A grader that counts only the ops its FLOP counter knows passes it; one that measures the
work done (or requires a convolution op for the depthwise step) must fail it at ``flops``.
"""

import torch
import torch.nn.functional as F
from torch import nn


class SeparableConv2d(nn.Module):
    """WRONG: C_in x the reference's multiply-adds, hidden in elementwise ops."""

    def __init__(self, in_channels, out_channels, kernel_size=3):
        super().__init__()
        self.kernel_size = kernel_size
        self.padding = kernel_size // 2
        self.depthwise_weight = nn.Parameter(
            torch.randn(in_channels, 1, kernel_size, kernel_size) / kernel_size
        )
        self.register_buffer("mask", torch.eye(in_channels).view(in_channels, in_channels, 1))
        self.pointwise = nn.Conv2d(in_channels, out_channels, kernel_size=1, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, c, h, w = x.shape
        k = self.kernel_size
        cols = F.unfold(x, k, padding=self.padding)  # (B, C*k*k, H*W)
        cols = cols.view(b, 1, c, k * k, h * w)
        dense = self.mask * self.depthwise_weight.view(c, 1, k * k)  # (C_out=C, C_in=C, k*k)
        y = (cols * dense.view(1, c, c, k * k, 1)).sum(dim=(2, 3))  # (B, C, H*W)
        return self.pointwise(y.view(b, c, h, w))
