"""The 1x1 convolutions as einsums over own (out, in) Parameters, inside a submodule; 3x3 as nn.Conv2d."""

import torch
from torch import nn


class Pointwise(nn.Module):
    def __init__(self, cin, cout, stride=1):
        super().__init__()
        self.stride = stride
        self.weight = nn.Parameter(torch.randn(cout, cin) / cin**0.5)

    def forward(self, x):
        return torch.einsum("oc,bchw->bohw", self.weight, x[:, :, :: self.stride, :: self.stride])


class Bottleneck(nn.Module):
    def __init__(self, in_channels, mid_channels, stride=1):
        super().__init__()
        out_channels = 4 * mid_channels
        self.reduce = Pointwise(in_channels, mid_channels)
        self.bn1 = nn.BatchNorm2d(mid_channels)
        self.conv = nn.Conv2d(mid_channels, mid_channels, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(mid_channels)
        self.expand = Pointwise(mid_channels, out_channels)
        self.bn3 = nn.BatchNorm2d(out_channels)
        self.project = None
        if stride != 1 or in_channels != out_channels:
            self.project = nn.Sequential(
                Pointwise(in_channels, out_channels, stride), nn.BatchNorm2d(out_channels)
            )

    def forward(self, x):
        y = torch.relu(self.bn1(self.reduce(x)))
        y = torch.relu(self.bn2(self.conv(y)))
        y = self.bn3(self.expand(y))
        return torch.relu(y + (x if self.project is None else self.project(x)))
