"""An nn.ModuleDict of the two convolutions and a registered buffer holding the padding."""

import torch
from torch import nn


class AsymmetricConv(nn.Module):
    def __init__(self, channels, n):
        super().__init__()
        self.register_buffer("pad", torch.tensor(n // 2))
        self.convs = nn.ModuleDict(
            {
                "1xn": nn.Conv2d(channels, channels, kernel_size=(1, n), bias=False,
                                 padding=(0, n // 2)),
                "nx1": nn.Conv2d(channels, channels, kernel_size=(n, 1), bias=False,
                                 padding=(n // 2, 0)),
            }
        )

    def forward(self, x):
        return self.convs["nx1"](self.convs["1xn"](x))
