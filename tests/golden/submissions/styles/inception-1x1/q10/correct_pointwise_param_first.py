"""Pointwise as an own (out, in) Parameter created first, then an nn.Conv2d child depthwise."""

import torch
from torch import nn


class SeparableConv2d(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size=3):
        super().__init__()
        self.pw_weight = nn.Parameter(torch.randn(out_channels, in_channels) * 0.2)
        self.dw = nn.Conv2d(
            in_channels, in_channels, kernel_size, padding=kernel_size // 2,
            groups=in_channels, bias=False,
        )

    def forward(self, x):
        return torch.einsum("nchw,oc->nohw", self.dw(x), self.pw_weight)
