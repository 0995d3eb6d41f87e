"""Causal attention one query at a time: query i only ever sees keys 0..i."""

import math

import torch


def causal_attention(q, k, v):
    n, d = q.shape[-2], q.shape[-1]
    rows = []
    for i in range(n):
        scores = q[:, i : i + 1] @ k[:, : i + 1].transpose(-2, -1) / math.sqrt(d)
        rows.append(torch.softmax(scores, dim=-1) @ v[:, : i + 1])
    return torch.cat(rows, dim=1)
