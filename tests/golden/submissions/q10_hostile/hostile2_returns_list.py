"""Wrong API: forward returns ``[y]``, a one-element list, instead of the tensor ``y``.

The values, shapes, parameters, gradients and FLOPs are the reference's, but
``SeparableConv2d(...)(x)`` is a list: ``.shape``, ``+``, or the next layer of a
network all break on it. A grader that accepts a tuple or list of outputs for any question
(and unpacks it) never notices.

A grader must not pass it: the spec says forward returns a tensor of shape
(batch, out_channels, height, width).
"""

import torch
from torch import nn


class SeparableConv2d(nn.Module):
    """WRONG: returns a list."""

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

    def forward(self, x: torch.Tensor) -> list:
        return [self.pointwise(self.depthwise(x))]
