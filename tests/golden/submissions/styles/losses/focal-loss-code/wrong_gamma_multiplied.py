"""(1 - p_t) * gamma instead of (1 - p_t) ** gamma."""

import torch


def focal_loss(logits, target):
    gamma = 2
    log_pt = torch.log_softmax(logits, dim=1).gather(1, target[:, None]).squeeze(1)
    return (-(1 - log_pt.exp()) * gamma * log_pt).mean()
