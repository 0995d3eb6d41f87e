"""PyTorch's own padding="same" (stride 1 only, which is all the question needs)."""

import torch
from torch import nn


class Conv2dSame(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size, dilation=1):
        super().__init__()
        self.conv = nn.Conv2d(
            in_channels, out_channels, kernel_size, padding="same", dilation=dilation
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(x)
