"""Wrong only at the smallest image: height == 1 and width == 1.

Everywhere else it is the reference. For a 1 x 1 input it returns the pointwise
convolution of the input (the depthwise step skipped), so the values are wrong while
shapes, parameters and FLOPs are right. height and width are each drawn from [1, 12].

A grader must fail it (at ``outputs``): the lower edge of each range has to be tried.
"""

import torch
from torch import nn


class SeparableConv2d(nn.Module):
    """WRONG only for 1 x 1 images."""

    def __init__(self, in_channels, out_channels, kernel_size=3):
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
        if x.shape[-2] == 1 and x.shape[-1] == 1:
            return self.pointwise(x)
        return self.pointwise(self.depthwise(x))
