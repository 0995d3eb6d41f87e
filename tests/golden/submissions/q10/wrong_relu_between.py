"""Wrong: a ReLU between the depthwise and the pointwise convolution.

Same parameters, same shapes, same FLOPs, but the question asks for the linear
separable convolution, so once the reference's weights are copied in the outputs differ
wherever a depthwise output is negative. The grader must fail it at ``outputs``.
"""

import torch
from torch import nn


class SeparableConv2d(nn.Module):
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
        return self.pointwise(torch.relu(self.depthwise(x)))
