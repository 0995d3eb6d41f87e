"""Own nn.Parameters (created q, k, v, output) with F.linear, and the heads as an einsum."""

import math

import torch
import torch.nn.functional as F
from torch import nn


class MultiHeadSelfAttention(nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
        self.heads = num_heads
        bound = 1 / math.sqrt(d_model)
        for name in ("q", "k", "v", "o"):
            weight = nn.Parameter(torch.empty(d_model, d_model).uniform_(-bound, bound))
            bias = nn.Parameter(torch.empty(d_model).uniform_(-bound, bound))
            self.register_parameter(f"w_{name}", weight)
            self.register_parameter(f"b_{name}", bias)

    def forward(self, x):
        b, n, d = x.shape
        hd = d // self.heads

        def heads(t):
            return t.reshape(b, n, self.heads, hd)

        q = heads(F.linear(x, self.w_q, self.b_q))
        k = heads(F.linear(x, self.w_k, self.b_k))
        v = heads(F.linear(x, self.w_v, self.b_v))
        scores = torch.einsum("bihc,bjhc->bhij", q, k) / math.sqrt(hd)
        out = torch.einsum("bhij,bjhc->bihc", scores.softmax(-1), v).reshape(b, n, d)
        return F.linear(out, self.w_o, self.b_o)
