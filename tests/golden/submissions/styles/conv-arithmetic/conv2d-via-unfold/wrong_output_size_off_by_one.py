"""Output size computed as height - kh (off by one), so the reshape fails."""

import torch.nn.functional as F


def conv2d_via_unfold(x, weight):
    n, c_in, h, w = x.shape
    c_out, _, kh, kw = weight.shape
    out = weight.reshape(c_out, -1) @ F.unfold(x, (kh, kw))
    return out.reshape(n, c_out, h - kh, w - kw)
