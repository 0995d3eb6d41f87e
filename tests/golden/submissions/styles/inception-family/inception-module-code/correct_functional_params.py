"""Own weight and bias Parameters for every convolution (listed order), F.conv2d throughout."""

import math

import torch
import torch.nn.functional as F
from torch import nn


def _conv_params(cout, cin, k):
    bound = 1 / math.sqrt(cin * k * k)
    weight = nn.Parameter(torch.empty(cout, cin, k, k).uniform_(-bound, bound))
    bias = nn.Parameter(torch.empty(cout).uniform_(-bound, bound))
    return weight, bias


class InceptionModule(nn.Module):
    def __init__(self, in_channels, c1, c3_reduce, c3, c5_reduce, c5, pool_proj):
        super().__init__()
        self.w1, self.b1 = _conv_params(c1, in_channels, 1)
        self.w3r, self.b3r = _conv_params(c3_reduce, in_channels, 1)
        self.w3, self.b3 = _conv_params(c3, c3_reduce, 3)
        self.w5r, self.b5r = _conv_params(c5_reduce, in_channels, 1)
        self.w5, self.b5 = _conv_params(c5, c5_reduce, 5)
        self.wp, self.bp = _conv_params(pool_proj, in_channels, 1)

    def forward(self, x):
        out1 = F.relu(F.conv2d(x, self.w1, self.b1))
        out3 = F.relu(F.conv2d(x, self.w3r, self.b3r))
        out3 = F.relu(F.conv2d(out3, self.w3, self.b3, padding=1))
        out5 = F.relu(F.conv2d(x, self.w5r, self.b5r))
        out5 = F.relu(F.conv2d(out5, self.w5, self.b5, padding=2))
        pooled = F.max_pool2d(x, kernel_size=3, stride=1, padding=1)
        outp = F.relu(F.conv2d(pooled, self.wp, self.bp))
        return torch.cat((out1, out3, out5, outp), dim=1)
