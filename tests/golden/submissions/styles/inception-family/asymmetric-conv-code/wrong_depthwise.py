"""groups=channels: depthwise asymmetric convolutions, no mixing across channels."""

from torch import nn


class AsymmetricConv(nn.Module):
    def __init__(self, channels, n):
        super().__init__()
        self.conv_1xn = nn.Conv2d(
            channels, channels, (1, n), padding=(0, n // 2), groups=channels, bias=False
        )
        self.conv_nx1 = nn.Conv2d(
            channels, channels, (n, 1), padding=(n // 2, 0), groups=channels, bias=False
        )

    def forward(self, x):
        return self.conv_nx1(self.conv_1xn(x))
