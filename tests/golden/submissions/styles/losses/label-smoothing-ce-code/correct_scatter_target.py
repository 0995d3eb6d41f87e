"""The smoothed target built with scatter, then a cross-entropy against it."""

import torch


def label_smoothing_cross_entropy(logits, target, smoothing=0.1):
    c = logits.size(1)
    smoothed = torch.full_like(logits, smoothing / c)
    smoothed.scatter_(1, target.unsqueeze(1), 1 - smoothing + smoothing / c)
    log_p = torch.log_softmax(logits, dim=-1)
    return -(smoothed * log_p).sum(dim=1).mean()
