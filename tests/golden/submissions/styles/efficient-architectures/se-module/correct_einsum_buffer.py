"""Pooling as an einsum against a registered scale buffer; gating with einsum too."""

import torch
from torch import nn


class SqueezeExcitation(nn.Module):
    def __init__(self, channels, reduction=4):
        super().__init__()
        self.register_buffer("calls", torch.zeros((), dtype=torch.long))
        self.reduce = nn.Linear(channels, channels // reduction)
        self.restore = nn.Linear(channels // reduction, channels)

    def forward(self, x):
        self.calls += 1
        squeezed = torch.einsum("bchw->bc", x) / (x.shape[2] * x.shape[3])
        gate = self.restore(self.reduce(squeezed).relu()).sigmoid()
        return torch.einsum("bchw,bc->bchw", x, gate)
