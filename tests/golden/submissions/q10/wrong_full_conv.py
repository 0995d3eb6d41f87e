"""Wrong: one standard k x k convolution instead of depthwise + pointwise.

Same output shape, but ``C_in * C_out * k * k`` weights instead of
``C_in * k * k + C_in * C_out``; the two counts are never equal (that would need
``C_out * (k*k - 1) == k*k``), so the grader must fail it at ``parameters``.
"""

import torch
from torch import nn


class SeparableConv2d(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size=3):
        super().__init__()
        self.conv = nn.Conv2d(
            in_channels, out_channels, kernel_size, padding=kernel_size // 2, bias=False
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(x)
