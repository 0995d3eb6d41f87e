"""Hostile: a correct module that leaves sleeping processes outside its process group.

At import it starts ``python -c "<sleep 300 s>" mlquiz-escape-grandchild`` twice: once with
``subprocess.Popen(..., start_new_session=True)`` and once by a double fork with
``os.setsid()`` in between, so the sleeper is re-parented and in a session of its own.
Killing the child's process group misses both. Errors (e.g. a process limit) are
ignored. The grader must pass it (the module is correct), and afterwards no process
whose command line contains ``mlquiz-escape-grandchild`` may be left.
"""

import contextlib
import os
import subprocess
import sys

import torch
from torch import nn

_SLEEPER = [sys.executable, "-c", "import time; time.sleep(300)", "mlquiz-escape-grandchild"]

with contextlib.suppress(Exception):
    subprocess.Popen(_SLEEPER, start_new_session=True, stdin=subprocess.DEVNULL)

with contextlib.suppress(Exception):
    _pid = os.fork()
    if _pid == 0:  # child: new session, fork the sleeper, exit at once
        try:
            os.setsid()
            if os.fork() == 0:
                os.execv(_SLEEPER[0], _SLEEPER)
        finally:
            os._exit(0)
    os.waitpid(_pid, 0)


class SeparableConv2d(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size=3):
        super().__init__()
        self.depthwise = nn.Conv2d(
            in_channels,
            in_channels,
            kernel_size,
            padding=kernel_size // 2,
            groups=in_channels,
            bias=False,
        )
        self.pointwise = nn.Conv2d(in_channels, out_channels, kernel_size=1, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.pointwise(self.depthwise(x))
