"""Hostile: a correct module that starts 300 sleeping processes (a bounded fork bomb).

At import it forks up to 300 children, one after another (never recursively). Each child
at once replaces itself with ``/bin/sleep 30`` under the name ``mlquiz-escape-forkbomb``
(its ``argv[0]``), so it costs almost no memory, ends by itself after 30 s and can be found
by its command line. The parent stops at the first fork that fails (a process limit) and
does not wait for the sleepers.

All 300 starting means the grader sets no process limit: then it prints
``MLQUIZ-ESCAPED fork-bomb``, tries to leave ``/tmp/mlquiz-escape-fork-bomb`` and raises at
import, so the verdict is a failed ``load`` instead of a pass. Whatever happens, no
process with ``mlquiz-escape-forkbomb`` in its command line may outlive grading.
"""

import contextlib
import os

import torch
from torch import nn

WANTED = 300
SLEEP = "/bin/sleep" if os.path.exists("/bin/sleep") else "/usr/bin/sleep"


def _fork_sleepers():
    started = 0
    for _ in range(WANTED):
        try:
            pid = os.fork()
        except OSError as exc:
            print(f"fork-bomb: fork {started + 1} failed: {exc.strerror}")
            break
        if pid == 0:
            try:
                devnull = os.open(os.devnull, os.O_RDWR)
                for fd in (0, 1, 2):
                    os.dup2(devnull, fd)
                os.execv(SLEEP, ["mlquiz-escape-forkbomb", "30"])
            finally:
                os._exit(0)
        started += 1
    return started


_started = _fork_sleepers()
print(f"fork-bomb: {_started} sleepers started")
if _started >= WANTED:
    print(f"MLQUIZ-ESCAPED fork-bomb {_started} processes")
    with contextlib.suppress(OSError), open("/tmp/mlquiz-escape-fork-bomb", "w") as _marker:
        _marker.write(f"{_started} processes started\n")
    raise RuntimeError(f"MLQUIZ-ESCAPED fork-bomb: {_started} processes started, no limit")


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
