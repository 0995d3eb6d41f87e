"""The n x 1 convolution created before the 1 x n one (applied second), padding="same"."""

from torch import nn


class AsymmetricConv(nn.Module):
    def __init__(self, channels, n):
        super().__init__()
        self.vertical = nn.Conv2d(channels, channels, (n, 1), padding="same", bias=False)
        self.horizontal = nn.Conv2d(channels, channels, (1, n), padding="same", bias=False)

    def forward(self, x):
        return self.vertical(self.horizontal(x))
