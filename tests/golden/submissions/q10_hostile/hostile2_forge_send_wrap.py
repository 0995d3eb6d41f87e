"""Hostile: the masked dense kernel (too many FLOPs), plus every "send"-like function rewritten.

The module is ``wrong_masked_full_kernel``: the depthwise step runs as a dense C_in -> C_in
convolution with an identity-masked kernel, so only ``flops`` can catch it. At import it
walks ``gc.get_objects()`` for plain Python functions named like a message writer (``send``,
``reply``, ``respond``, ``send_message``, ``write_message``, ``send_frame``...) outside torch and
the standard library, and swaps each one's ``__code__`` for a trampoline into a wrapper
(so every reference to it, ``from x import send`` copies and bound methods included, is
caught). The wrapper lowers any ``"flops"`` in a dict (or in JSON bytes) it is given to what
the reference would cost for the last forward's shapes, then calls the original.

A grader that takes the FLOP count from the submission's own process is fooled (pass); one
that counts where the submission cannot reach must fail it at ``flops``. It prints
``MLQUIZ-ESCAPED forge-send`` each time it rewrites a count.
"""

import gc
import re
import sys
import types

import torch
import torch.nn.functional as F
from torch import nn

WRITER_NAMES = {"send", "_send", "reply", "_reply", "respond", "send_message", "write_message",
                "send_frame", "write_frame", "send_reply", "send_result", "emit", "report"}
FOREIGN = ("torch", "hypothesis", "multiprocessing", "asyncio", "socket", "concurrent", "email",
           "http", "logging", "xml", "urllib", "ssl", "selectors", "subprocess", "sympy",
           "typing", "importlib", "unittest", "numpy", "filelock", "fsspec", "jinja2",
           "networkx", "mpmath", "_pytest", "pytest", "pluggy", "rich", "textual", "click")
LAST_SHAPES = {}


def honest_flops():
    """What the reference costs for the last forward: 2 x multiply-adds of both convolutions."""
    if not LAST_SHAPES:
        return None
    s = LAST_SHAPES
    return 2 * s["b"] * s["h"] * s["w"] * (s["c"] * s["k"] * s["k"] + s["c"] * s["o"])


def _lower(value):
    honest = honest_flops()
    if honest is None:
        return value, False
    if isinstance(value, dict):
        changed = False
        for key, item in list(value.items()):
            if key == "flops" and isinstance(item, int) and item > honest:
                value[key] = honest
                changed = True
            elif isinstance(item, dict | list):
                changed = _lower(item)[1] or changed
        return value, changed
    if isinstance(value, list):
        changed = False
        for item in value:
            changed = _lower(item)[1] or changed
        return value, changed
    if isinstance(value, bytes | bytearray) and b'"flops"' in value:
        new = re.sub(rb'"flops":\s*\d+', b'"flops": %d' % honest, bytes(value))
        return new, new != value
    return value, False


def _make_wrapper(original):
    def wrapper(*args, **kwargs):
        args = list(args)
        changed = False
        for i, arg in enumerate(args):
            args[i], hit = _lower(arg)
            changed = changed or hit
        for key, arg in list(kwargs.items()):
            kwargs[key], hit = _lower(arg)
            changed = changed or hit
        if changed:
            print(f"MLQUIZ-ESCAPED forge-send: lowered flops to {honest_flops()} "
                  f"in {original.__module__}.{original.__qualname__}", file=sys.stderr)
        return original(*args, **kwargs)

    return wrapper


def _hijack():
    hijacked = []
    for index, func in enumerate(gc.get_objects()):
        if not isinstance(func, types.FunctionType) or func.__name__ not in WRITER_NAMES:
            continue
        module = func.__module__ or ""
        if module.startswith(FOREIGN) or module in sys.stdlib_module_names or module == __name__:
            continue
        if func.__code__.co_freevars:  # __code__ of a closure can only take a closure's code
            continue
        original = types.FunctionType(func.__code__, func.__globals__, func.__name__,
                                      func.__defaults__, func.__closure__)
        original.__kwdefaults__ = func.__kwdefaults__
        original.__qualname__ = func.__qualname__
        original.__module__ = module
        hook = f"__mlquiz_forge_{index}__"
        func.__globals__[hook] = _make_wrapper(original)
        namespace = {}
        exec(f"def trampoline(*args, **kwargs):\n    return {hook}(*args, **kwargs)\n", namespace)
        func.__code__ = namespace["trampoline"].__code__
        func.__defaults__ = None
        func.__kwdefaults__ = None
        hijacked.append(f"{module}.{func.__qualname__}")
    print(f"forge-send: hijacked {hijacked}")


_hijack()


class SeparableConv2d(nn.Module):
    """WRONG: the depthwise step is a dense convolution with an identity-masked kernel."""

    def __init__(self, in_channels, out_channels, kernel_size=3):
        super().__init__()
        self.shape = {"c": in_channels, "o": out_channels, "k": kernel_size}
        self.padding = kernel_size // 2
        self.depthwise_weight = nn.Parameter(
            torch.randn(in_channels, 1, kernel_size, kernel_size) / kernel_size
        )
        self.register_buffer("mask", torch.eye(in_channels).view(in_channels, in_channels, 1, 1))
        self.pointwise = nn.Conv2d(in_channels, out_channels, kernel_size=1, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        LAST_SHAPES.update(self.shape, b=x.shape[0], h=x.shape[2], w=x.shape[3])
        full_kernel = self.mask * self.depthwise_weight  # (C_in, C_in, k, k), mostly zeros
        x = F.conv2d(x, full_kernel, padding=self.padding)
        return self.pointwise(x)
