"""Every convolution a named attribute in the listed order; F.relu and F.max_pool2d in forward."""

import torch
import torch.nn.functional as F
from torch import nn


class InceptionModule(nn.Module):
    def __init__(self, in_channels, c1, c3_reduce, c3, c5_reduce, c5, pool_proj):
        super().__init__()
        self.b1 = nn.Conv2d(in_channels, c1, 1)
        self.b2_reduce = nn.Conv2d(in_channels, c3_reduce, 1)
        self.b2 = nn.Conv2d(c3_reduce, c3, 3, padding=1)
        self.b3_reduce = nn.Conv2d(in_channels, c5_reduce, 1)
        self.b3 = nn.Conv2d(c5_reduce, c5, 5, padding=2)
        self.b4 = nn.Conv2d(in_channels, pool_proj, 1)

    def forward(self, x):
        y1 = F.relu(self.b1(x))
        y2 = F.relu(self.b2(F.relu(self.b2_reduce(x))))
        y3 = F.relu(self.b3(F.relu(self.b3_reduce(x))))
        y4 = F.relu(self.b4(F.max_pool2d(x, 3, stride=1, padding=1)))
        return torch.cat([y1, y2, y3, y4], 1)
