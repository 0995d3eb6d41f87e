"""x.var(correction=0) and an explicit standard deviation; the affine with torch.mul/torch.add."""

import torch
from torch import nn


class LayerNorm(nn.Module):
    def __init__(self, normalized_shape, eps=1e-5):
        super().__init__()
        self.d = normalized_shape
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(self.d))
        self.bias = nn.Parameter(torch.zeros(self.d))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        mean = x.mean(dim=2, keepdim=True)
        std = torch.sqrt(x.var(dim=2, keepdim=True, correction=0) + self.eps)
        return torch.add(torch.mul((x - mean) / std, self.weight), self.bias)
