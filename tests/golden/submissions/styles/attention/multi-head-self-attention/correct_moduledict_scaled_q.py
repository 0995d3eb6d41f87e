"""The four projections in an nn.ModuleDict; q is scaled before the product; permute/reshape."""

import torch
from torch import nn


class MultiHeadSelfAttention(nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
        self.num_heads = num_heads
        self.scale = (d_model // num_heads) ** -0.5
        self.proj = nn.ModuleDict(
            {name: nn.Linear(d_model, d_model) for name in ("query", "key", "value", "out")}
        )

    def forward(self, x):
        batch, n, d_model = x.shape
        shape = (batch, n, self.num_heads, d_model // self.num_heads)
        q = self.proj["query"](x).reshape(shape).permute(0, 2, 1, 3) * self.scale
        k = self.proj["key"](x).reshape(shape).permute(0, 2, 3, 1)
        v = self.proj["value"](x).reshape(shape).permute(0, 2, 1, 3)
        attn = torch.softmax(q @ k, dim=-1)
        out = (attn @ v).permute(0, 2, 1, 3).reshape(batch, n, d_model)
        return self.proj["out"](out)
