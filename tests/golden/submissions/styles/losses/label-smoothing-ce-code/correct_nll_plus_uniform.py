"""(1 - eps) * F.nll_loss plus eps times the mean negative log-probability."""

import torch.nn.functional as F


def label_smoothing_cross_entropy(logits, target, smoothing=0.1):
    log_probs = F.log_softmax(logits, dim=-1)
    nll = F.nll_loss(log_probs, target)
    smooth = -log_probs.mean(dim=-1).mean()
    return (1.0 - smoothing) * nll + smoothing * smooth
