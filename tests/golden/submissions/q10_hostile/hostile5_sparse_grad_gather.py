"""rt3_07 (v2; v1, kept as rt3_07_sparse_grad_gather_v1_flawed.py, reshaped the
parameter before the gather, so its own backward raised in plain PyTorch): a correct module written with gather(..., sparse_grad=True).

Mechanism: the allow-list admits aten.gather.default with its keyword sparse_grad; the
decoder only refuses bound["sparse"] (embedding) and pin_memory. With sparse_grad=True the
gradient autograd gives the gathered tensor is a sparse COO tensor; here the pointwise
weight is read through an identity gather, so in the judge's run of the graph that
parameter's .grad is sparse. _judge._per_reference then does grad.reshape(-1) (and
_compare_grad isfinite/allclose) on it, which sparse COO tensors do not support, and nothing
around the backward or the comparison expects it.
Expected correct verdict: PASS (same values, same gradients: sparse_grad only changes the
layout of a gradient; PyTorch documents it as a plain option of torch.gather).
Break: ERROR / "the check could not run" for a correct module.
"""
import torch
import torch.nn.functional as F
from torch import nn


class SeparableConv2d(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size=3):
        super().__init__()
        self.depthwise = nn.Conv2d(in_channels, in_channels, kernel_size,
                                   padding=kernel_size // 2, groups=in_channels, bias=False)
        self.pointwise = nn.Conv2d(in_channels, out_channels, 1, bias=False)

    def forward(self, x):
        w = self.pointwise.weight                      # [O, C, 1, 1], a leaf
        idx = torch.arange(w.shape[0]).view(-1, 1, 1, 1).expand(w.shape)
        w2 = torch.gather(w, 0, idx, sparse_grad=True)  # identity; w.grad is sparse COO
        return F.conv2d(self.depthwise(x), w2)
