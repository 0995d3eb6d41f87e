"""Own weight Parameters (1 x n first) and F.conv2d."""

import torch
import torch.nn.functional as F
from torch import nn


class AsymmetricConv(nn.Module):
    def __init__(self, channels, n):
        super().__init__()
        scale = (channels * n) ** -0.5
        self.row_kernel = nn.Parameter(torch.randn(channels, channels, 1, n) * scale)
        self.col_kernel = nn.Parameter(torch.randn(channels, channels, n, 1) * scale)
        self.n = n

    def forward(self, x):
        x = F.conv2d(x, self.row_kernel, padding=(0, self.n // 2))
        return F.conv2d(x, self.col_kernel, padding=(self.n // 2, 0))
