"""Wrong signature: the default kernel_size is 5, not 3.

The spec is ``SeparableConv2d(in_channels, out_channels, kernel_size=3)``. This module is
the reference for every explicit kernel_size, but ``SeparableConv2d(8, 16)`` builds 5 x 5
depthwise kernels. A grader that always passes kernel_size never notices.

A grader must not pass it (at ``parameters`` when built with the default): the default
is part of the signature.
"""

import torch
from torch import nn


class SeparableConv2d(nn.Module):
    """WRONG: kernel_size defaults to 5."""

    def __init__(self, in_channels, out_channels, kernel_size=5):
        super().__init__()
        self.depthwise = nn.Conv2d(
            in_channels,
            in_channels,
            kernel_size,
            padding=kernel_size // 2,
            groups=in_channels,
            bias=False,
        )
        self.pointwise = nn.Conv2d(in_channels, out_channels, kernel_size=1, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.pointwise(self.depthwise(x))
