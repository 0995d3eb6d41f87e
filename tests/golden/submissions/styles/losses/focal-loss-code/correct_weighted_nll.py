"""kornia-style: weight every class's log-probability by (1 - p)^2, then F.nll_loss picks p_t."""

import torch
import torch.nn.functional as F


def focal_loss(logits, target, gamma=2.0):
    log_p = torch.log_softmax(logits, dim=1)
    weighted = (1 - log_p.exp()) ** gamma * log_p
    return F.nll_loss(weighted, target)
