"""torch.var_mean with unbiased=False and torch.rsqrt; weight and bias indexed to (1, c, 1, 1)."""

import torch


def batch_norm_train(x, weight, bias, eps=1e-5):
    var, mean = torch.var_mean(x, dim=[0, 2, 3], unbiased=False, keepdim=True)
    x_hat = (x - mean) * torch.rsqrt(var + eps)
    return weight[None, :, None, None] * x_hat + bias[None, :, None, None]
