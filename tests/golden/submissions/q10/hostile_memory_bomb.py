"""Hostile: ``__init__`` fills memory, 64 MiB at a time, up to 64 GiB.

The bytes are written, not just reserved, so overcommit does not hide them; they are
plain Python objects, so building on the ``meta`` device does not help either. The
grader's address-space limit must stop it (a MemoryError, or the child killed) and the
verdict must be an error, within the timeout, without hurting the machine.

Run outside the grader it can push a machine into swap or the OOM killer: do not.
"""

import torch
from torch import nn

CHUNK = 64 * 2**20
CEILING = 64 * 2**30


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
        self.hoard = []
        while len(self.hoard) * CHUNK < CEILING:
            self.hoard.append(b"\x01" * CHUNK)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.pointwise(self.depthwise(x))
