"""padding=n // 2 on both axes of both convolutions: each adds n - 1 rows or columns."""

from torch import nn


class AsymmetricConv(nn.Module):
    def __init__(self, channels, n):
        super().__init__()
        self.conv_1xn = nn.Conv2d(channels, channels, (1, n), padding=n // 2, bias=False)
        self.conv_nx1 = nn.Conv2d(channels, channels, (n, 1), padding=n // 2, bias=False)

    def forward(self, x):
        return self.conv_nx1(self.conv_1xn(x))
