"""Wrong initialisation: every weight starts as NaN.

The structure is the reference's (depthwise then pointwise, no bias), but both weights are
filled with NaN in ``__init__``, so the module as constructed outputs only NaN and can
never be trained. A grader that always copies the reference's weights in before comparing
never runs it with its own weights, and passes it.

A grader must not pass it: a freshly constructed module must produce finite outputs (and
finite gradients) for finite inputs.
"""

import torch
from torch import nn


class SeparableConv2d(nn.Module):
    """WRONG: NaN weights."""

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
        with torch.no_grad():
            self.depthwise.weight.fill_(float("nan"))
            self.pointwise.weight.fill_(float("nan"))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.pointwise(self.depthwise(x))
