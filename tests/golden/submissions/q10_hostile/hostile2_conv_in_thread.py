"""Hostile: the masked dense kernel, computed in another thread.

The module is ``wrong_masked_full_kernel`` (right outputs and gradients, C_in times the
reference's FLOPs). Forward runs the dense convolution in a fresh ``threading.Thread`` and
joins it. Torch dispatch modes (``FlopCounterMode``) are per thread, so a counter entered
in the calling thread never sees that convolution, while autograd records it as usual and
the gradients stay right. If the thread cannot be started (a process limit), it computes in
the calling thread instead.

A grader that counts with a dispatch mode in the submission's process passes it; it must
fail at ``flops``. Prints ``MLQUIZ-ESCAPED conv-in-thread`` when the thread ran it.
"""

import sys
import threading

import torch
import torch.nn.functional as F
from torch import nn


class SeparableConv2d(nn.Module):
    """WRONG: the depthwise step is a dense convolution with an identity-masked kernel."""

    def __init__(self, in_channels, out_channels, kernel_size=3):
        super().__init__()
        self.padding = kernel_size // 2
        self.depthwise_weight = nn.Parameter(
            torch.randn(in_channels, 1, kernel_size, kernel_size) / kernel_size
        )
        self.register_buffer("mask", torch.eye(in_channels).view(in_channels, in_channels, 1, 1))
        self.pointwise = nn.Conv2d(in_channels, out_channels, kernel_size=1, bias=False)
        self.reported = False

    def _dense(self, x):
        return F.conv2d(x, self.mask * self.depthwise_weight, padding=self.padding)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        result = []
        worker = threading.Thread(target=lambda: result.append(self._dense(x)), daemon=True)
        try:
            worker.start()
            worker.join(timeout=30)
        except RuntimeError:  # cannot start a thread
            pass
        if result:
            if not self.reported:
                self.reported = True
                print("MLQUIZ-ESCAPED conv-in-thread: dense conv ran outside the counter's thread",
                      file=sys.stderr)
            x = result[0]
        else:
            x = self._dense(x)
        return self.pointwise(x)
