"""The branches in an nn.ModuleList of Sequentials (in-place ReLUs); forward runs them last to first."""

import torch
from torch import nn


def conv_relu(cin, cout, k):
    return [nn.Conv2d(cin, cout, k, padding=k // 2), nn.ReLU(inplace=True)]


class InceptionModule(nn.Module):
    def __init__(self, in_channels, c1, c3_reduce, c3, c5_reduce, c5, pool_proj):
        super().__init__()
        self.branches = nn.ModuleList(
            [
                nn.Sequential(*conv_relu(in_channels, c1, 1)),
                nn.Sequential(*conv_relu(in_channels, c3_reduce, 1), *conv_relu(c3_reduce, c3, 3)),
                nn.Sequential(*conv_relu(in_channels, c5_reduce, 1), *conv_relu(c5_reduce, c5, 5)),
                nn.Sequential(nn.MaxPool2d(3, 1, 1), *conv_relu(in_channels, pool_proj, 1)),
            ]
        )

    def forward(self, x):
        outputs = [branch(x) for branch in reversed(self.branches)]
        return torch.cat(outputs[::-1], dim=1)
