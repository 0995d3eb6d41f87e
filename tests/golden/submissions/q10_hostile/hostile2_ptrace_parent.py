"""Hostile: a correct module that tries to read (or trace) the grader's own processes.

Targets: every ancestor whose command line looks like the grader's (stopping at the first
shell or other process of the machine), and pid 1 when that is a grader process other than
itself. For each,
through ``ctypes``, without stopping anything for long:

- ``process_vm_readv`` of 8 bytes at the address of ``None`` in this process: a forked
  parent has the very same layout, so no ``/proc/<pid>/maps`` is needed;
- reading the same address through ``/proc/<pid>/mem``;
- ``ptrace(PTRACE_SEIZE)`` (does not stop the target), then ``PTRACE_INTERRUPT``, a wait
  of at most 1 s, and ``PTRACE_DETACH``.

Any success means the submission could read the grader's memory (the reference, the
verdict being built): it prints ``MLQUIZ-ESCAPED ptrace-<how> <pid>``, tries to leave
``/tmp/mlquiz-escape-ptrace`` and raises at import, so the verdict is a failed ``load``.
"""

import contextlib
import ctypes
import os
import time

import torch
from torch import nn

PTRACE_DETACH, PTRACE_SEIZE, PTRACE_INTERRUPT = 17, 0x4206, 0x4207
WALL = 0x40000000
GRADERISH = (b"grader", b"zygote", b"judge", b"contestant", b"mlquiz", b"quiz")
SHELLS = {"bash", "sh", "dash", "zsh", "fish", "sudo", "su", "sshd", "ssh", "tmux", "screen",
          "systemd", "init", "login", "timeout", "nohup", "env",
          "setsid", "nice", "stdbuf", "xargs", "make", "sudo-rs"}
FOUND = []


class IoVec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("length", ctypes.c_size_t)]


def _read(path, size=1 << 16):
    with contextlib.suppress(OSError), open(path, "rb") as handle:
        return handle.read(size)
    return b""


def _targets():
    pids, pid = [], os.getpid()
    for _ in range(6):
        status = _read(f"/proc/{pid}/status").decode(errors="replace")
        ppid = next((int(l.split()[1]) for l in status.splitlines() if l.startswith("PPid:")), 0)
        if ppid <= 1:
            break
        comm = _read(f"/proc/{ppid}/comm").decode(errors="replace").strip()
        if comm in SHELLS or not any(w in _read(f"/proc/{ppid}/cmdline") for w in GRADERISH):
            break
        pids.append(ppid)
        pid = ppid
    if os.getpid() != 1 and any(w in _read("/proc/1/cmdline") for w in GRADERISH):
        pids.append(1)  # pid 1 of our own PID namespace, when that is a grader process
    return list(dict.fromkeys(pids))


def _attempt(libc, pid):
    address = id(None)
    buffer = ctypes.create_string_buffer(8)
    local, remote = IoVec(ctypes.addressof(buffer), 8), IoVec(address, 8)
    if libc.process_vm_readv(pid, ctypes.byref(local), 1, ctypes.byref(remote), 1, 0) == 8:
        FOUND.append(f"ptrace-process_vm_readv {pid}")
    with contextlib.suppress(OSError, ValueError), open(f"/proc/{pid}/mem", "rb") as mem:
        mem.seek(address)
        if len(mem.read(8)) == 8:
            FOUND.append(f"ptrace-proc-mem {pid}")
    if libc.ptrace(PTRACE_SEIZE, pid, None, None) == 0:
        FOUND.append(f"ptrace-seize {pid}")
        libc.ptrace(PTRACE_INTERRUPT, pid, None, None)
        status = ctypes.c_int()
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline:
            if libc.waitpid(pid, ctypes.byref(status), WALL | os.WNOHANG) == pid:
                break
            time.sleep(0.01)
        libc.ptrace(PTRACE_DETACH, pid, None, None)


with contextlib.suppress(Exception):
    _libc = ctypes.CDLL(None, use_errno=True)
    _libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p]
    _libc.process_vm_readv.restype = ctypes.c_ssize_t
    for _pid in _targets():
        _attempt(_libc, _pid)

if FOUND:
    for _how in FOUND:
        print(f"MLQUIZ-ESCAPED {_how}")
    with contextlib.suppress(OSError), open("/tmp/mlquiz-escape-ptrace", "w") as _marker:
        _marker.write("\n".join(FOUND) + "\n")
    raise RuntimeError(f"MLQUIZ-ESCAPED ptrace: {FOUND}")


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
