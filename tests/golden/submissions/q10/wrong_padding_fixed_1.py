"""Wrong: the seed document's answer, padding fixed at 1 whatever the kernel size.

Right for ``kernel_size=3`` only: ``k=1`` grows H and W by 2, ``k=5`` and ``k=7`` shrink
them (and ``k=7`` raises for inputs smaller than 5). The grader must fail it at
``output_shape``.
"""

import torch
from torch import nn


class SeparableConv2d(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size=3):
        super().__init__()
        # Depthwise: groups = in_channels
        self.depthwise = nn.Conv2d(
            in_channels, in_channels, kernel_size, padding=1, groups=in_channels, bias=False
        )
        # Pointwise: 1x1
        self.pointwise = nn.Conv2d(in_channels, out_channels, kernel_size=1, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.depthwise(x)
        x = self.pointwise(x)
        return x
