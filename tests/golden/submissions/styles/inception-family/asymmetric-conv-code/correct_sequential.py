"""The two convolutions in an nn.Sequential, kernel and padding given as tuples."""

from torch import nn


class AsymmetricConv(nn.Module):
    def __init__(self, channels, n):
        super().__init__()
        p = n // 2
        self.body = nn.Sequential(
            nn.Conv2d(channels, channels, (1, n), padding=(0, p), bias=False),
            nn.Conv2d(channels, channels, (n, 1), padding=(p, 0), bias=False),
        )

    def forward(self, x):
        return self.body(x)
