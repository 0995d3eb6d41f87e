"""Adaptive average pooling and an nn.Sequential with an in-place ReLU and nn.Sigmoid."""

from torch import nn


class SqueezeExcitation(nn.Module):
    def __init__(self, channels, reduction=4):
        super().__init__()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.excite = nn.Sequential(
            nn.Linear(channels, channels // reduction),
            nn.ReLU(inplace=True),
            nn.Linear(channels // reduction, channels),
            nn.Sigmoid(),
        )

    def forward(self, x):
        b, c, _, _ = x.shape
        gate = self.excite(self.pool(x).view(b, c))
        return x * gate.view(b, c, 1, 1)
