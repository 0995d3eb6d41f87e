"""Wrong dtype: forward returns a complex tensor whose real part is the right answer.

The output is ``torch.complex(y, ones)``: complex64, with the reference's values as the
real part and 1 as the imaginary part. Anything that turns it into a real tensor (``.float()``,
``.real``, a cast to the expected dtype) sees the right numbers, and gradients flow through
the real part, but the module's output is not a float32 tensor and its values are not the
reference's.

A grader must not pass it (at ``outputs``): the output's dtype and values must match,
not a cast of them.
"""

import torch
from torch import nn


class SeparableConv2d(nn.Module):
    """WRONG: a complex output."""

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
        y = self.pointwise(self.depthwise(x))
        return torch.complex(y, torch.ones_like(y))
