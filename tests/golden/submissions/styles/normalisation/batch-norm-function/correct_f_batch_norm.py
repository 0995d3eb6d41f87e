"""F.batch_norm with no running statistics and training=True (the prompt names it as the target)."""

import torch.nn.functional as F


def batch_norm_train(x, weight, bias, eps=1e-5):
    return F.batch_norm(x, None, None, weight, bias, training=True, eps=eps)
