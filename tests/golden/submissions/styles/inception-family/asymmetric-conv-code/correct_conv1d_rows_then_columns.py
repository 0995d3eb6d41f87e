"""Two nn.Conv1d layers: one along every row (the 1 x n), then one along every column (n x 1)."""

import torch
from torch import nn


class AsymmetricConv(nn.Module):
    def __init__(self, channels, n):
        super().__init__()
        self.along_width = nn.Conv1d(channels, channels, n, padding=n // 2, bias=False)
        self.along_height = nn.Conv1d(channels, channels, n, padding=n // 2, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, c, h, w = x.shape
        rows = x.permute(0, 2, 1, 3).reshape(b * h, c, w)
        x = self.along_width(rows).reshape(b, h, c, w).permute(0, 2, 1, 3)
        cols = x.permute(0, 3, 1, 2).reshape(b * w, c, h)
        x = self.along_height(cols).reshape(b, w, c, h).permute(0, 2, 3, 1)
        return x
