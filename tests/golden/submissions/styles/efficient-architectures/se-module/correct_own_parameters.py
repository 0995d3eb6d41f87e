"""Own nn.Parameters with F.linear, expand layer created before the squeeze layer."""

import math

import torch
import torch.nn.functional as F
from torch import nn


class SqueezeExcitation(nn.Module):
    def __init__(self, channels, reduction=4):
        super().__init__()
        hidden = channels // reduction
        self.w_expand = nn.Parameter(torch.randn(channels, hidden) / math.sqrt(hidden))
        self.b_expand = nn.Parameter(torch.zeros(channels))
        self.w_squeeze = nn.Parameter(torch.randn(hidden, channels) / math.sqrt(channels))
        self.b_squeeze = nn.Parameter(torch.zeros(hidden))

    def forward(self, x):
        z = x.mean(dim=[-2, -1])
        z = F.relu(F.linear(z, self.w_squeeze, self.b_squeeze))
        z = torch.sigmoid(F.linear(z, self.w_expand, self.b_expand))
        return x * z.unsqueeze(-1).unsqueeze(-1)
