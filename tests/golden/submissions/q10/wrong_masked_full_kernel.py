"""Wrong: the "depthwise" step runs as a dense C_in -> C_in convolution.

The trainable depthwise weight has the right shape ``(C_in, 1, k, k)``; forward spreads it
onto the diagonal of a full ``(C_in, C_in, k, k)`` kernel with a fixed identity mask (a
buffer, not a parameter). Parameters, shapes, outputs and gradients all match the
reference, but the convolution multiplies C_in times as many weights, nearly all zeros.
For ``in_channels == 1`` the cost is the reference's, so hypothesis has to find
``in_channels >= 2``. The grader must fail it at ``flops``.
"""

import torch
import torch.nn.functional as F
from torch import nn


class SeparableConv2d(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size=3):
        super().__init__()
        self.padding = kernel_size // 2
        self.depthwise_weight = nn.Parameter(
            torch.randn(in_channels, 1, kernel_size, kernel_size) / kernel_size
        )
        # mask[o, i] = 1 if o == i: each output channel sees only its own input channel.
        self.register_buffer("mask", torch.eye(in_channels).view(in_channels, in_channels, 1, 1))
        self.pointwise = nn.Conv2d(in_channels, out_channels, kernel_size=1, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        full_kernel = self.mask * self.depthwise_weight  # (C_in, C_in, k, k)
        x = F.conv2d(x, full_kernel, padding=self.padding)
        return self.pointwise(x)
