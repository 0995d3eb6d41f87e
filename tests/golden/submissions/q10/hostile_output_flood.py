"""Hostile: prints 400 MB to stdout while being imported, then defines a correct module.

Verdicts travel over a private pipe, so the flood cannot forge one; the grader must not
buffer it all in memory, block on a full pipe forever, or copy it into the report. It
must cap what it keeps (file-size limit or a bounded reader), end the child and report
an error within the timeout.
"""

import sys

import torch
from torch import nn

_LINE = "flood " * 17 + "\n"  # 103 characters
_CHUNK = _LINE * (2**20 // len(_LINE))  # just under 1 MiB
for _ in range(400):
    sys.stdout.write(_CHUNK)
sys.stdout.flush()


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
        return self.pointwise(self.depthwise(x))
