"""Each 1x1 an einsum over its own Parameters; the 3x3 and 5x5 are nn.Conv2d children.

Everything is created in the order the prompt lists.
"""

import torch
import torch.nn.functional as F
from torch import nn


class InceptionModule(nn.Module):
    def __init__(self, in_channels, c1, c3_reduce, c3, c5_reduce, c5, pool_proj):
        super().__init__()

        def pointwise(cout):
            weight = nn.Parameter(torch.randn(cout, in_channels) / in_channels**0.5)
            return weight, nn.Parameter(torch.zeros(cout))

        self.w1, self.b1 = pointwise(c1)
        self.w3r, self.b3r = pointwise(c3_reduce)
        self.conv3 = nn.Conv2d(c3_reduce, c3, 3, padding=1)
        self.w5r, self.b5r = pointwise(c5_reduce)
        self.conv5 = nn.Conv2d(c5_reduce, c5, 5, padding=2)
        self.wp, self.bp = pointwise(pool_proj)

    @staticmethod
    def _pw(x, weight, bias):
        return torch.einsum("oc,bchw->bohw", weight, x) + bias[:, None, None]

    def forward(self, x):
        y1 = F.relu(self._pw(x, self.w1, self.b1))
        y3 = F.relu(self.conv3(F.relu(self._pw(x, self.w3r, self.b3r))))
        y5 = F.relu(self.conv5(F.relu(self._pw(x, self.w5r, self.b5r))))
        pooled = F.max_pool2d(x, 3, 1, 1)
        yp = F.relu(self._pw(pooled, self.wp, self.bp))
        return torch.cat([y1, y3, y5, yp], dim=1)
