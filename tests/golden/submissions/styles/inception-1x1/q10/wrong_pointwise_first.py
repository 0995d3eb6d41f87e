"""Pointwise 1x1 first, then the depthwise convolution on out_channels."""

from torch import nn


class SeparableConv2d(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size=3):
        super().__init__()
        self.pointwise = nn.Conv2d(in_channels, out_channels, 1, bias=False)
        self.depthwise = nn.Conv2d(
            out_channels, out_channels, kernel_size, padding=kernel_size // 2,
            groups=out_channels, bias=False,
        )

    def forward(self, x):
        return self.depthwise(self.pointwise(x))
