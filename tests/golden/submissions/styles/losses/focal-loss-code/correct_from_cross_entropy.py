"""The classic recipe: per-example cross-entropy, p_t = exp(-ce), then (1 - p_t)^2 * ce."""

import torch
import torch.nn.functional as F


def focal_loss(logits, target):
    ce = F.cross_entropy(logits, target, reduction="none")
    pt = torch.exp(-ce)
    return ((1 - pt) ** 2 * ce).mean()
