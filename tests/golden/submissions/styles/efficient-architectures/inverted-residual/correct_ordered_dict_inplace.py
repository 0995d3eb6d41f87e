"""An nn.Sequential built from an OrderedDict, in-place ReLU6, and an in-place residual add."""

from collections import OrderedDict

from torch import nn


class InvertedResidual(nn.Module):
    def __init__(self, in_channels, out_channels, stride, expand_ratio):
        super().__init__()
        hidden = in_channels * expand_ratio
        layers = OrderedDict()
        if expand_ratio > 1:
            layers["expand_conv"] = nn.Conv2d(in_channels, hidden, 1, bias=False)
            layers["expand_bn"] = nn.BatchNorm2d(hidden)
            layers["expand_act"] = nn.ReLU6(inplace=True)
        layers["dw_conv"] = nn.Conv2d(
            hidden, hidden, kernel_size=3, stride=stride, padding=1, groups=hidden, bias=False
        )
        layers["dw_bn"] = nn.BatchNorm2d(hidden)
        layers["dw_act"] = nn.ReLU6(inplace=True)
        layers["project_conv"] = nn.Conv2d(hidden, out_channels, 1, bias=False)
        layers["project_bn"] = nn.BatchNorm2d(out_channels)
        self.conv = nn.Sequential(layers)
        self.shortcut = stride == 1 and in_channels == out_channels

    def forward(self, x):
        out = self.conv(x)
        if self.shortcut:
            out += x
        return out
