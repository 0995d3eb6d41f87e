"""nn.ZeroPad2d in front of an unpadded nn.Conv2d, wrapped in an nn.Sequential."""

from torch import nn


class Conv2dSame(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size, dilation=1):
        super().__init__()
        span = dilation * (kernel_size - 1) + 1
        pad = (span - 1) // 2
        self.net = nn.Sequential(
            nn.ZeroPad2d(pad),
            nn.Conv2d(in_channels, out_channels, kernel_size, dilation=dilation),
        )

    def forward(self, x):
        return self.net(x)
