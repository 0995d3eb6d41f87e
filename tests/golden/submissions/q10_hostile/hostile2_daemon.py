"""Hostile: a correct module that leaves a daemon writing a marker file every 0.2 s.

At import it double-forks with ``os.setsid()`` in between (the daemon is re-parented and in
a session of its own, outside the submission's process group), points the daemon's
standard streams at ``/dev/null`` and replaces it with ``python -c <loop>
mlquiz-escape-daemon``: for 30 s it rewrites ``/tmp/mlquiz-escape-daemon-hostile2`` (and one
in ``$TMPDIR``/the working directory, which must be private) every 0.2 s, then exits.

The module is correct, so the verdict must be a pass; afterwards no process with
``mlquiz-escape-daemon`` in its command line may be left, and
``/tmp/mlquiz-escape-daemon-hostile2`` must not exist (it would be rewritten for 30 s by
a daemon that got out).
"""

import contextlib
import os
import sys

import torch
from torch import nn

LOOP = """
import os, time
targets = ["/tmp/mlquiz-escape-daemon-hostile2",
           os.path.join(os.environ.get("TMPDIR") or os.getcwd(), "mlquiz-escape-daemon-hostile2")]
end = time.monotonic() + 30
while time.monotonic() < end:
    for path in targets:
        try:
            with open(path, "w") as marker:
                marker.write("daemon %d of hostile2_daemon.py alive at %.1f\\n"
                             % (os.getpid(), time.time()))
        except OSError:
            pass
    time.sleep(0.2)
"""


def _daemonize():
    pid = os.fork()
    if pid:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
        return
    try:  # the first child: a new session, fork the daemon, exit at once
        os.setsid()
        if os.fork() == 0:
            devnull = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(devnull, fd)
            os.execv(sys.executable, [sys.executable, "-c", LOOP, "mlquiz-escape-daemon"])
    finally:
        os._exit(0)


with contextlib.suppress(Exception):
    _daemonize()


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
