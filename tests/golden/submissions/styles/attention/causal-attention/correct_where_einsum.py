"""Causal attention with einsum, a lower-triangular keep-mask and torch.where."""

import torch


def causal_attention(q, k, v):
    n, d = q.shape[-2], q.shape[-1]
    scores = torch.einsum("bid,bjd->bij", q, k) * d**-0.5
    keep = torch.tril(torch.ones(n, n, dtype=torch.bool, device=q.device))
    scores = torch.where(keep, scores, torch.tensor(float("-inf"), device=q.device))
    weights = scores.softmax(dim=-1)
    return torch.einsum("bij,bjd->bid", weights, v)
