"""Named layers instead of one nn.Sequential, F.relu6, and the expand step skipped by a flag."""

import torch.nn.functional as F
from torch import nn


class InvertedResidual(nn.Module):
    def __init__(self, in_channels, out_channels, stride, expand_ratio):
        super().__init__()
        hidden = in_channels * expand_ratio
        self.expand = expand_ratio != 1
        if self.expand:
            self.pw = nn.Conv2d(in_channels, hidden, 1, bias=False)
            self.pw_bn = nn.BatchNorm2d(hidden)
        self.dw = nn.Conv2d(hidden, hidden, 3, stride, 1, groups=hidden, bias=False)
        self.dw_bn = nn.BatchNorm2d(hidden)
        self.project = nn.Conv2d(hidden, out_channels, 1, bias=False)
        self.project_bn = nn.BatchNorm2d(out_channels)
        self.identity = stride == 1 and in_channels == out_channels

    def forward(self, x):
        h = F.relu6(self.pw_bn(self.pw(x))) if self.expand else x
        h = F.relu6(self.dw_bn(self.dw(h)))
        h = self.project_bn(self.project(h))
        return h + x if self.identity else h
