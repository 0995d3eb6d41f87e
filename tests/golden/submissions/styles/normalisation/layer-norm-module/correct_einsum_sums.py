"""Feature sums with einsum divided by d; the scale applied with einsum."""

import torch
from torch import nn


class LayerNorm(nn.Module):
    def __init__(self, normalized_shape, eps=1e-5):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(normalized_shape))
        self.bias = nn.Parameter(torch.zeros(normalized_shape))

    def forward(self, x):
        d = x.shape[-1]
        mean = torch.einsum("bsd->bs", x)[..., None] / d
        c = x - mean
        var = torch.einsum("bsd,bsd->bs", c, c)[..., None] / d
        return torch.einsum("bsd,d->bsd", c / torch.sqrt(var + self.eps), self.weight) + self.bias
