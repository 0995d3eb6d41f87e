"""Own parameters, F.conv2d and F.batch_norm with registered running statistics."""

import torch
import torch.nn.functional as F
from torch import nn


class Bottleneck(nn.Module):
    def __init__(self, in_channels, mid_channels, stride=1):
        super().__init__()
        out = 4 * mid_channels
        self.stride = stride
        self.w1 = nn.Parameter(torch.randn(mid_channels, in_channels, 1, 1) * 0.1)
        self.g1, self.b1 = self._affine(mid_channels, "1")
        self.w2 = nn.Parameter(torch.randn(mid_channels, mid_channels, 3, 3) * 0.1)
        self.g2, self.b2 = self._affine(mid_channels, "2")
        self.w3 = nn.Parameter(torch.randn(out, mid_channels, 1, 1) * 0.1)
        self.g3, self.b3 = self._affine(out, "3")
        self.has_proj = stride != 1 or in_channels != out
        if self.has_proj:
            self.ws = nn.Parameter(torch.randn(out, in_channels, 1, 1) * 0.1)
            self.gs, self.bs = self._affine(out, "s")

    def _affine(self, c, tag):
        self.register_buffer(f"mean{tag}", torch.zeros(c))
        self.register_buffer(f"var{tag}", torch.ones(c))
        return nn.Parameter(torch.ones(c)), nn.Parameter(torch.zeros(c))

    def _bn(self, x, tag):
        return F.batch_norm(
            x,
            getattr(self, f"mean{tag}"),
            getattr(self, f"var{tag}"),
            getattr(self, f"g{tag}"),
            getattr(self, f"b{tag}"),
            training=self.training,
            momentum=0.1,
            eps=1e-5,
        )

    def forward(self, x):
        y = F.relu(self._bn(F.conv2d(x, self.w1), "1"))
        y = F.relu(self._bn(F.conv2d(y, self.w2, stride=self.stride, padding=1), "2"))
        y = self._bn(F.conv2d(y, self.w3), "3")
        s = self._bn(F.conv2d(x, self.ws, stride=self.stride), "s") if self.has_proj else x
        return F.relu(y + s)
