"""Forged load reply whose 'resource' is not a string: Aborted(message=<dict>) reaches the report
unconverted; the pool's strict report parser may refuse it. The module itself is WRONG (ReLU)."""
import json, os, struct
import torch
from torch import nn

_h = json.dumps({"ok": False, "stage": "load", "resource": {"forged": ["not", "a", "string"]},
                 "_buffers": []}).encode()
try:
    os.write(3, struct.pack("!Q", len(_h)) + _h)
except OSError:
    pass


class SeparableConv2d(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size=3):
        super().__init__()
        self.depthwise = nn.Conv2d(in_channels, in_channels, kernel_size,
                                   padding=kernel_size // 2, groups=in_channels, bias=False)
        self.pointwise = nn.Conv2d(in_channels, out_channels, kernel_size=1, bias=False)

    def forward(self, x):
        return self.pointwise(torch.relu(self.depthwise(x)))
