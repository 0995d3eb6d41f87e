"""The pool branch created first and branch 1 last (concatenated in the listed order)."""

import torch
from torch import nn


class InceptionModule(nn.Module):
    def __init__(self, in_channels, c1, c3_reduce, c3, c5_reduce, c5, pool_proj):
        super().__init__()
        self.pool_branch = nn.Sequential(
            nn.MaxPool2d(3, stride=1, padding=1), nn.Conv2d(in_channels, pool_proj, 1), nn.ReLU()
        )
        self.branch5x5 = nn.Sequential(
            nn.Conv2d(in_channels, c5_reduce, 1), nn.ReLU(),
            nn.Conv2d(c5_reduce, c5, 5, padding=2), nn.ReLU(),
        )
        self.branch3x3 = nn.Sequential(
            nn.Conv2d(in_channels, c3_reduce, 1), nn.ReLU(),
            nn.Conv2d(c3_reduce, c3, 3, padding=1), nn.ReLU(),
        )
        self.branch1x1 = nn.Sequential(nn.Conv2d(in_channels, c1, 1), nn.ReLU())

    def forward(self, x):
        parts = [self.branch1x1(x), self.branch3x3(x), self.branch5x5(x), self.pool_branch(x)]
        return torch.cat(parts, dim=1)
