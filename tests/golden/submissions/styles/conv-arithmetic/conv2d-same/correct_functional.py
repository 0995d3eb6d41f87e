"""Own weight and bias nn.Parameters, F.conv2d with the padding and dilation."""

import math

import torch
import torch.nn.functional as F
from torch import nn


class Conv2dSame(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size, dilation=1):
        super().__init__()
        self.dilation = dilation
        self.padding = dilation * (kernel_size - 1) // 2
        fan_in = in_channels * kernel_size * kernel_size
        self.weight = nn.Parameter(
            torch.randn(out_channels, in_channels, kernel_size, kernel_size) / math.sqrt(fan_in)
        )
        self.bias = nn.Parameter(torch.zeros(out_channels))

    def forward(self, x):
        return F.conv2d(x, self.weight, self.bias, padding=self.padding, dilation=self.dilation)
