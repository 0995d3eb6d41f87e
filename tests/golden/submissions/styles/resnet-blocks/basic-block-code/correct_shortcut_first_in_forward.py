"""Shortcut computed first in forward; ReLU and addition done in place; different names."""

import torch
from torch import nn


class BasicBlock(nn.Module):
    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__()
        self.c1 = nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=False)
        self.n1 = nn.BatchNorm2d(out_channels)
        self.c2 = nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False)
        self.n2 = nn.BatchNorm2d(out_channels)
        self.proj = (
            nn.Sequential(
                nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False),
                nn.BatchNorm2d(out_channels),
            )
            if (stride, in_channels) != (1, out_channels)
            else nn.Identity()
        )

    def forward(self, x):
        skip = self.proj(x)
        y = self.n1(self.c1(x)).relu_()
        y = self.n2(self.c2(y))
        return torch.relu_(y.add_(skip))
