"""Layers in an nn.ModuleDict (main path first); forward computes the shortcut first."""

import torch.nn.functional as F
from torch import nn


class Bottleneck(nn.Module):
    def __init__(self, in_channels, mid_channels, stride=1):
        super().__init__()
        out_channels = mid_channels * 4
        layers = {
            "reduce": nn.Conv2d(in_channels, mid_channels, 1, bias=False),
            "reduce_bn": nn.BatchNorm2d(mid_channels),
            "spatial": nn.Conv2d(mid_channels, mid_channels, 3, stride=stride, padding=1,
                                 bias=False),
            "spatial_bn": nn.BatchNorm2d(mid_channels),
            "expand": nn.Conv2d(mid_channels, out_channels, 1, bias=False),
            "expand_bn": nn.BatchNorm2d(out_channels),
        }
        if stride != 1 or in_channels != out_channels:
            layers["proj"] = nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False)
            layers["proj_bn"] = nn.BatchNorm2d(out_channels)
        self.layers = nn.ModuleDict(layers)

    def forward(self, x):
        m = self.layers
        shortcut = m["proj_bn"](m["proj"](x)) if "proj" in m else x
        h = F.relu(m["reduce_bn"](m["reduce"](x)), inplace=True)
        h = F.relu(m["spatial_bn"](m["spatial"](h)), inplace=True)
        h = m["expand_bn"](m["expand"](h))
        return F.relu(h + shortcut)
