"""log p_t picked with a one-hot mask and a sum over classes; (1 - p_t) squared by multiplication."""

import torch.nn.functional as F


def focal_loss(logits, target):
    log_probs = F.log_softmax(logits, dim=-1)
    mask = F.one_hot(target, logits.shape[-1]).to(log_probs.dtype)
    log_pt = (log_probs * mask).sum(dim=-1)
    one_minus = 1 - log_pt.exp()
    return -(one_minus * one_minus * log_pt).mean()
