"""Softmax, gather the true class, then log of p_t (the logits here stay small)."""

import torch


def focal_loss(logits, target):
    probs = torch.softmax(logits, dim=1)
    pt = probs.gather(1, target.view(-1, 1)).view(-1)
    return torch.mean(-torch.pow(1 - pt, 2) * torch.log(pt))
