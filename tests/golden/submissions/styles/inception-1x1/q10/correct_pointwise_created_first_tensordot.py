"""Pointwise conv created before the depthwise one; pointwise applied with torch.tensordot."""

import torch
from torch import nn


class SeparableConv2d(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size=3):
        super().__init__()
        self.pointwise = nn.Conv2d(in_channels, out_channels, 1, bias=False)
        self.depthwise = nn.Conv2d(
            in_channels, in_channels, kernel_size, 1, kernel_size // 2,
            groups=in_channels, bias=False,
        )

    def forward(self, x):
        y = self.depthwise(x)
        w = self.pointwise.weight[:, :, 0, 0]  # (out, in)
        return torch.tensordot(y, w, dims=([1], [1])).permute(0, 3, 1, 2)
