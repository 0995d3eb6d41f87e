"""Variance from the two moments, E[x^2] - E[x]^2; affine applied with torch.addcmul."""

import torch


def batch_norm_train(x, weight, bias, eps=1e-5):
    dims = (0, 2, 3)
    mean = x.mean(dims, keepdim=True)
    var = (x * x).mean(dims, keepdim=True) - mean * mean
    x_hat = (x - mean) / torch.sqrt(var + eps)
    return torch.addcmul(bias.view(1, -1, 1, 1), x_hat, weight.view(1, -1, 1, 1))
