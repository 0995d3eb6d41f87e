"""Own conv weights (the 1x1s applied as einsums, the depthwise with F.conv2d), nn.BatchNorm2d modules.

Each weight is created just before its batch norm, so the weights (own parameters) are listed
before every batch norm's.
"""

import torch
import torch.nn.functional as F
from torch import nn


class InvertedResidual(nn.Module):
    def __init__(self, in_channels, out_channels, stride, expand_ratio):
        super().__init__()
        hidden = in_channels * expand_ratio
        self.stride = stride
        self.residual = stride == 1 and in_channels == out_channels
        self.w_expand = None
        if expand_ratio != 1:
            self.w_expand = nn.Parameter(torch.randn(hidden, in_channels) * in_channels**-0.5)
            self.bn_expand = nn.BatchNorm2d(hidden)
        self.w_dw = nn.Parameter(torch.randn(hidden, 1, 3, 3) / 3)
        self.bn_dw = nn.BatchNorm2d(hidden)
        self.w_project = nn.Parameter(torch.randn(out_channels, hidden) * hidden**-0.5)
        self.bn_project = nn.BatchNorm2d(out_channels)

    def forward(self, x):
        h = x
        if self.w_expand is not None:
            h = torch.einsum("oi,bihw->bohw", self.w_expand, h)
            h = self.bn_expand(h).clamp(0, 6)
        h = F.conv2d(h, self.w_dw, stride=self.stride, padding=1, groups=self.w_dw.shape[0])
        h = self.bn_dw(h).clamp(0, 6)
        h = self.bn_project(torch.einsum("oi,bihw->bohw", self.w_project, h))
        return x + h if self.residual else h
