import torch
import torch.nn.functional as F
from torch import nn


def pointwise(x, weight, bias):
    return torch.einsum("bchw,oc->bohw", x, weight) + bias[None, :, None, None]


class InceptionModule(nn.Module):
    """Every layer an own Parameter on the module itself, created in the prompt's order;
    the 1x1 convolutions are einsums over (out, in) matrices."""

    def __init__(self, in_channels, c1, c3_reduce, c3, c5_reduce, c5, pool_proj):
        super().__init__()

        def param(*shape):
            return nn.Parameter(torch.randn(*shape) * 0.1)

        self.w1, self.b1 = param(c1, in_channels), param(c1)
        self.w3r, self.b3r = param(c3_reduce, in_channels), param(c3_reduce)
        self.w3, self.b3 = param(c3, c3_reduce, 3, 3), param(c3)
        self.w5r, self.b5r = param(c5_reduce, in_channels), param(c5_reduce)
        self.w5, self.b5 = param(c5, c5_reduce, 5, 5), param(c5)
        self.wp, self.bp = param(pool_proj, in_channels), param(pool_proj)

    def forward(self, x):
        one = F.relu(pointwise(x, self.w1, self.b1))
        three = F.relu(pointwise(x, self.w3r, self.b3r))
        three = F.relu(F.conv2d(three, self.w3, self.b3, padding=1))
        five = F.relu(pointwise(x, self.w5r, self.b5r))
        five = F.relu(F.conv2d(five, self.w5, self.b5, padding=2))
        pool = F.relu(pointwise(F.max_pool2d(x, 3, stride=1, padding=1), self.wp, self.bp))
        return torch.cat([one, three, five, pool], dim=1)
