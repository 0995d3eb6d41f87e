"""p_t taken from a sigmoid of the true-class logit (binary focal loss), not the softmax."""

import torch
import torch.nn.functional as F


def focal_loss(logits, target):
    true_logit = logits.gather(1, target[:, None]).squeeze(1)
    pt = torch.sigmoid(true_logit)
    return (-((1 - pt) ** 2) * F.logsigmoid(true_logit)).mean()
