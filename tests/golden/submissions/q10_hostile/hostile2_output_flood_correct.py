"""Correct, but very talkative: prints 400 MB to stdout while being imported.

Unlike ``q10/hostile_output_flood.py`` (graded as an error there), the flood here comes
from a module that is otherwise exactly the reference: printing a lot is not a wrong
answer. A grader must still grade it a pass within its timeout, keep only a bounded part of
the output in the report (cut, with a note of how much was left out), and never buffer it
all in memory or block on a full pipe.
"""

import sys

import torch
from torch import nn

_LINE = "chatty " * 14 + "\n"  # 99 characters
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
