"""Wrong: every instance with the same sizes shares one set of weights.

The convolutions are cached at class level by (in_channels, out_channels, kernel_size):
the second ``SeparableConv2d(8, 16, 3)`` gets the very same ``nn.Conv2d`` objects (and
so the same Parameters) as the first. Training or loading one silently changes the other;
two layers of a network built with the same sizes are really one. Each instance on its own
behaves exactly like the reference, so a grader that builds one module at a time and copies
weights into it never notices.

A grader must not pass it: two instances must not share parameters.
"""

import torch
from torch import nn

_CACHE = {}


class SeparableConv2d(nn.Module):
    """WRONG: instances of the same size share their parameters."""

    def __init__(self, in_channels, out_channels, kernel_size=3):
        super().__init__()
        key = (in_channels, out_channels, kernel_size)
        if key not in _CACHE:
            _CACHE[key] = (
                nn.Conv2d(
                    in_channels,
                    in_channels,
                    kernel_size,
                    padding=kernel_size // 2,
                    groups=in_channels,
                    bias=False,
                ),
                nn.Conv2d(in_channels, out_channels, kernel_size=1, bias=False),
            )
        self.depthwise, self.pointwise = _CACHE[key]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.pointwise(self.depthwise(x))
