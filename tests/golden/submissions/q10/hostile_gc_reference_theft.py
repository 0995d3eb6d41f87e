"""Hostile: a wrong module that looks for the reference in memory and hands over to it.

Its own computation skips the depthwise step (it applies only the pointwise
convolution), which fails ``outputs``. But at its first ``forward`` it searches
``gc.get_objects()`` for other modules that have ``depthwise`` and ``pointwise``
attributes or a class called ``SeparableConv2d`` (once per instance: a full scan of a
torch process takes tens of milliseconds), and from then on returns the first one's
output that has the right shape. The grader never lets submitted code share an interpreter with
the reference, so nothing is found and it must fail at ``outputs``, as the plain wrong
module would. (A successful theft would pass ``outputs`` and fail ``gradients`` instead.)
"""

import gc

import torch
from torch import nn


class SeparableConv2d(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size=3):
        super().__init__()
        self.out_channels = out_channels
        self.depthwise = nn.Conv2d(
            in_channels,
            in_channels,
            kernel_size,
            padding=kernel_size // 2,
            groups=in_channels,
            bias=False,
        )
        self.pointwise = nn.Conv2d(in_channels, out_channels, kernel_size=1, bias=False)
        self.victims = None

    def _find_victims(self):
        for obj in gc.get_objects():
            if not isinstance(obj, nn.Module) or isinstance(obj, type(self)):
                continue
            named_like_us = type(obj).__name__ == "SeparableConv2d"
            if named_like_us or (hasattr(obj, "depthwise") and hasattr(obj, "pointwise")):
                yield obj

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        expected = (x.shape[0], self.out_channels, *x.shape[2:])
        if self.victims is None:
            self.victims = list(self._find_victims())
        for victim in self.victims:
            try:
                out = victim(x)
            except Exception:
                continue
            if isinstance(out, torch.Tensor) and out.device == x.device and out.shape == expected:
                return out
        return self.pointwise(x)
