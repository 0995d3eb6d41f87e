"""The clip written with torch.minimum and torch.maximum against constant tensors."""

import torch


def hard_swish(x):
    zero = torch.zeros_like(x)
    six = torch.full_like(x, 6.0)
    return x * torch.minimum(torch.maximum(x + 3, zero), six) / 6
