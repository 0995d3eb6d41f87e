"""Mask built with diagonal=0: each query is hidden from itself, and query 0 sees nothing."""

import math

import torch


def causal_attention(q, k, v):
    n, d = q.shape[-2], q.shape[-1]
    scores = q @ k.transpose(-2, -1) / math.sqrt(d)
    mask = torch.triu(torch.ones(n, n, dtype=torch.bool), diagonal=0)
    scores = scores.masked_fill(mask, float("-inf"))
    return torch.softmax(scores, dim=-1) @ v
