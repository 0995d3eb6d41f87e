"""eps kept in a registered buffer; the variance as the mean squared deviation."""

import torch
from torch import nn


class LayerNorm(nn.Module):
    def __init__(self, normalized_shape, eps=1e-5):
        super().__init__()
        self.register_buffer("eps", torch.tensor(eps))
        self.weight = nn.Parameter(torch.ones(normalized_shape))
        self.bias = nn.Parameter(torch.zeros(normalized_shape))

    def forward(self, x):
        mu = x.mean(-1, keepdim=True)
        centred = x - mu
        sigma2 = centred.pow(2).mean(-1, keepdim=True)
        return centred / torch.sqrt(sigma2 + self.eps) * self.weight + self.bias
