"""Padding (kernel_size - 1) // 2 * dilation: too little for an even kernel with even dilation."""

from torch import nn


class Conv2dSame(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size, dilation=1):
        super().__init__()
        padding = (kernel_size - 1) // 2 * dilation
        self.conv = nn.Conv2d(
            in_channels, out_channels, kernel_size, padding=padding, dilation=dilation
        )

    def forward(self, x):
        return self.conv(x)
