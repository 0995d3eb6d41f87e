"""Hostile: a correct module that tries to leave files outside its scratch directory.

At import it writes a marker to ``/tmp/mlquiz-escape-write-outside``, to
``mlquiz-escape`` in ``~`` and in the user's home from the password database, and to
``mlquiz-escape-parent`` in the parent of the working directory, ignoring every error.
The grader must pass it (the module is correct) and no marker may appear outside the
scratch directory (``~`` may legitimately be the scratch directory itself).
"""

import contextlib
import os
import pwd

import torch
from torch import nn

_MARKER = "written by hostile_write_outside.py: a submission escaped its scratch directory\n"


def _targets():
    yield "/tmp/mlquiz-escape-write-outside"
    yield os.path.join(os.path.expanduser("~"), "mlquiz-escape")
    with contextlib.suppress(Exception):
        yield os.path.join(pwd.getpwuid(os.getuid()).pw_dir, "mlquiz-escape")
    yield os.path.join(os.pardir, "mlquiz-escape-parent")


for _path in _targets():
    with contextlib.suppress(Exception), open(_path, "w") as _file:
        _file.write(_MARKER)


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
