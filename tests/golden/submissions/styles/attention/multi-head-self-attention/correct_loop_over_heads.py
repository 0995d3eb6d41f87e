"""Heads as column slices of the projections, attended one by one in a loop, then concatenated."""

import math

import torch
from torch import nn


class MultiHeadSelfAttention(nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
        self.n_heads = num_heads
        self.W_q = nn.Linear(d_model, d_model)
        self.W_k = nn.Linear(d_model, d_model)
        self.W_v = nn.Linear(d_model, d_model)
        self.W_o = nn.Linear(d_model, d_model)

    def forward(self, x):
        q, k, v = self.W_q(x), self.W_k(x), self.W_v(x)
        width = x.shape[-1] // self.n_heads
        outputs = []
        for h in range(self.n_heads):
            cols = slice(h * width, (h + 1) * width)
            scores = q[..., cols] @ k[..., cols].transpose(1, 2) / math.sqrt(width)
            outputs.append(torch.softmax(scores, dim=-1) @ v[..., cols])
        return self.W_o(torch.cat(outputs, dim=-1))
