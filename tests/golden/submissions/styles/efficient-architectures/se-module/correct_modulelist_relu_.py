"""The two layers in an nn.ModuleList, ReLU applied in place with relu_, sum/numel pooling."""

import torch
from torch import nn


class SqueezeExcitation(nn.Module):
    def __init__(self, channels, reduction=4):
        super().__init__()
        hidden = channels // reduction
        self.layers = nn.ModuleList([nn.Linear(channels, hidden), nn.Linear(hidden, channels)])

    def forward(self, x):
        s = x.sum(dim=(2, 3)) / x[0, 0].numel()
        s = self.layers[0](s).relu_()
        s = torch.sigmoid(self.layers[1](s))
        return x * s[..., None, None]
