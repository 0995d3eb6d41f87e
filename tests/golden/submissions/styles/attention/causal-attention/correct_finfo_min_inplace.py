"""Causal attention with the future set in place to the dtype's most negative value."""

import math

import torch


def causal_attention(q, k, v):
    n, d = q.shape[-2], q.shape[-1]
    scores = torch.matmul(q, k.transpose(-1, -2))
    scores = scores / math.sqrt(d)
    future = torch.ones(n, n, dtype=torch.bool).triu(1)
    scores[:, future] = torch.finfo(scores.dtype).min
    return torch.matmul(torch.softmax(scores, dim=-1), v)
