"""The output projection created first, then values, keys, queries (each used correctly)."""

import math

import torch
from torch import nn


class MultiHeadSelfAttention(nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
        self.num_heads = num_heads
        self.out_proj = nn.Linear(d_model, d_model)
        self.v_proj = nn.Linear(d_model, d_model)
        self.k_proj = nn.Linear(d_model, d_model)
        self.q_proj = nn.Linear(d_model, d_model)

    def forward(self, x):
        b, n, d = x.shape
        hd = d // self.num_heads
        q = self.q_proj(x).view(b, n, self.num_heads, hd).transpose(1, 2)
        k = self.k_proj(x).view(b, n, self.num_heads, hd).transpose(1, 2)
        v = self.v_proj(x).view(b, n, self.num_heads, hd).transpose(1, 2)
        weights = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(hd), dim=-1)
        return self.out_proj((weights @ v).transpose(1, 2).reshape(b, n, d))
