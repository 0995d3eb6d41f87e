"""Per-channel sums with einsum, divided by the count; the affine as an einsum too."""

import torch


def batch_norm_train(x, weight, bias, eps=1e-5):
    count = x.shape[0] * x.shape[2] * x.shape[3]
    mean = torch.einsum("nchw->c", x) / count
    centred = x - mean.view(1, -1, 1, 1)
    var = torch.einsum("nchw,nchw->c", centred, centred) / count
    scale = weight / torch.sqrt(var + eps)
    return torch.einsum("nchw,c->nchw", centred, scale) + bias.view(1, -1, 1, 1)
