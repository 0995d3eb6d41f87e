"""Wrong only for a single input channel: in_channels == 1.

Everywhere else it is the reference. With one input channel it flips the depthwise kernel
(a true convolution instead of PyTorch's cross-correlation), which is wrong for every
kernel_size (3, 5 or 7) unless the kernel happens to be symmetric. in_channels is drawn from
[1, 16].

A grader must fail it (at ``outputs``): the lower edge of each range has to be tried.
"""

import torch
import torch.nn.functional as F
from torch import nn


class SeparableConv2d(nn.Module):
    """WRONG only when in_channels == 1."""

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
        if x.shape[1] == 1:
            weight = self.depthwise.weight.flip(-1, -2)
            x = F.conv2d(x, weight, padding=self.depthwise.padding, groups=1)
        else:
            x = self.depthwise(x)
        return self.pointwise(x)
