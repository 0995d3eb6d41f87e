"""Own parameters with F.conv2d and F.batch_norm and running statistics as buffers."""

import torch
import torch.nn.functional as F
from torch import nn


class BasicBlock(nn.Module):
    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__()
        self.stride = stride
        self.conv1_w = nn.Parameter(torch.randn(out_channels, in_channels, 3, 3) * 0.1)
        self._bn("bn1", out_channels)
        self.conv2_w = nn.Parameter(torch.randn(out_channels, out_channels, 3, 3) * 0.1)
        self._bn("bn2", out_channels)
        self.project = stride != 1 or in_channels != out_channels
        if self.project:
            self.proj_w = nn.Parameter(torch.randn(out_channels, in_channels, 1, 1) * 0.1)
            self._bn("proj_bn", out_channels)

    def _bn(self, name, c):
        self.register_parameter(f"{name}_weight", nn.Parameter(torch.ones(c)))
        self.register_parameter(f"{name}_bias", nn.Parameter(torch.zeros(c)))
        self.register_buffer(f"{name}_mean", torch.zeros(c))
        self.register_buffer(f"{name}_var", torch.ones(c))

    def _norm(self, x, name):
        return F.batch_norm(
            x,
            getattr(self, f"{name}_mean"),
            getattr(self, f"{name}_var"),
            getattr(self, f"{name}_weight"),
            getattr(self, f"{name}_bias"),
            training=self.training,
        )

    def forward(self, x):
        out = F.conv2d(x, self.conv1_w, stride=self.stride, padding=1)
        out = F.relu(self._norm(out, "bn1"))
        out = self._norm(F.conv2d(out, self.conv2_w, padding=1), "bn2")
        if self.project:
            x = self._norm(F.conv2d(x, self.proj_w, stride=self.stride), "proj_bn")
        return F.relu(out + x)
