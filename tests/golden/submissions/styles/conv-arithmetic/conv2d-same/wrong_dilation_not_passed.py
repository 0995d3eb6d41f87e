"""The dilation goes into the padding but is never passed to the convolution."""

from torch import nn


class Conv2dSame(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size, dilation=1):
        super().__init__()
        self.conv = nn.Conv2d(
            in_channels, out_channels, kernel_size, padding=dilation * (kernel_size - 1) // 2
        )

    def forward(self, x):
        return self.conv(x)
