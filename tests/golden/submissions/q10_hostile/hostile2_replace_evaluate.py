"""Hostile: a full convolution that replaces the grader's evaluation code with its own.

The module is a single dense k x k convolution (``wrong_full_conv``: C_in*C_out*k*k weights,
the wrong parameter count). At import it looks for the object that answers the grader's
requests, without knowing its name: up the call stack (a frame whose ``self`` has methods
like ``evaluate``/``serve``/``reply``) and in ``gc.get_objects()`` (objects with integer
``read_fd``/``write_fd``-like attributes). It then finds the wire helpers by their job
(modules holding ``pack_tensor``/``unpack_tensor``-like functions) and replaces that object's
``evaluate`` with one that ignores the submitted module: it computes a depthwise separable
convolution with the weights it is sent, runs the same backward, counts its FLOPs, and
reports the reference's parameter names, shapes and count. If anything it expects is
missing it falls back to the original.

A grader whose evaluation runs in the submission's process reports a pass; it must fail at
``parameters`` (or ``outputs``). Prints ``MLQUIZ-ESCAPED replace-evaluate`` on stderr when
its own evaluate answered a request.
"""

import gc
import sys
import types

import torch
import torch.nn.functional as F
from torch import nn

HANDLER_NAMES = ("evaluate", "serve", "reply", "handle", "run_request")


def _looks_like_host(obj):
    try:
        methods = sum(callable(getattr(obj, n, None)) for n in HANDLER_NAMES)
        fds = [n for n in dir(obj) if n.endswith("_fd") and isinstance(getattr(obj, n, None), int)]
    except Exception:
        return False
    return methods >= 2 and (len(fds) >= 1 or hasattr(obj, "evaluate"))


def _find_host():
    frame = sys._getframe()
    while frame is not None:
        candidate = frame.f_locals.get("self")
        if candidate is not None and _looks_like_host(candidate):
            return candidate
        frame = frame.f_back
    for obj in gc.get_objects():
        kind = type(obj)
        if (kind.__module__.split(".")[0] in ("torch", "hypothesis", "builtins", "typing")
                or isinstance(obj, type | types.ModuleType | types.FunctionType)
                or not hasattr(obj, "__dict__")):
            continue
        if _looks_like_host(obj):
            return obj
    return None


def _find_wire(host):
    spaces = [vars(sys.modules.get(type(host).__module__, types.ModuleType("x")))]
    spaces += [vars(m) for m in list(sys.modules.values()) if isinstance(m, types.ModuleType)]
    for space in spaces:
        for value in list(space.values()) + [space]:
            scope = vars(value) if isinstance(value, types.ModuleType) else value
            if not isinstance(scope, dict):
                continue
            pack, unpack = scope.get("pack_tensor"), scope.get("unpack_tensor")
            if callable(pack) and callable(unpack):
                return pack, unpack
    return None


def _forged_evaluate(host, original, pack, unpack):
    from torch.utils.flop_counter import FlopCounterMode

    def evaluate(request, buffers, *rest, **kwargs):
        try:
            inputs = [unpack(d, buffers) for d in request["inputs"]]
            args = dict(request.get("args", {}))
            c, o = int(args["in_channels"]), int(args["out_channels"])
            k = int(args.get("kernel_size", 3))
            weights = [unpack(d, buffers) for d in request.get("weights", [])]
            shapes = [(c, 1, k, k), (o, c, 1, 1)]
            if [tuple(w.shape) for w in weights] != shapes:
                weights = [torch.randn(s) for s in shapes]
            x = inputs[0].detach().clone().requires_grad_(True)
            dw, pw = (w.detach().clone().requires_grad_(True) for w in weights)
            counter = FlopCounterMode(display=False)
            with counter:
                out = F.conv2d(F.conv2d(x, dw, padding=k // 2, groups=c), pw)
            generator = torch.Generator().manual_seed(int(request["grad_seed"]))
            (out.float() * torch.randn(out.shape, generator=generator)).sum().backward()
            data = []
            names = ["depthwise.weight", "pointwise.weight"]
            reply = {
                "ok": True,
                "failed": None,
                "params": [{"name": n, "shape": list(s), "trainable": True}
                           for n, s in zip(names, shapes, strict=True)],
                "count": c * k * k + c * o,
                "candidates": 1,
                "assignment": [[names[0], 0, None], [names[1], 1, None]],
                "flops": int(counter.get_total_flops()),
                "outputs": [pack(out, data)],
                "input_grads": [pack(x.grad, data)],
                "param_grads": {names[0]: pack(dw.grad, data), names[1]: pack(pw.grad, data)},
            }
        except Exception:
            return original(request, buffers, *rest, **kwargs)
        sys.stderr.write("MLQUIZ-ESCAPED replace-evaluate: answered a request itself\n")
        return host.reply(reply, data)

    return evaluate


def _hijack():
    host = _find_host()
    wire = _find_wire(host) if host is not None else None
    if host is None or wire is None or not callable(getattr(host, "evaluate", None)):
        print(f"replace-evaluate: nothing to replace ({type(host).__name__}, {bool(wire)})")
        return
    forged = _forged_evaluate(host, host.evaluate, *wire)
    host.evaluate = forged  # the instance attribute wins over the class's method
    print(f"replace-evaluate: replaced {type(host).__module__}.{type(host).__qualname__}.evaluate")


try:
    _hijack()
except Exception as exc:
    print(f"replace-evaluate: failed: {exc!r}")


class SeparableConv2d(nn.Module):
    """WRONG: one dense k x k convolution, C_in*C_out*k*k weights."""

    def __init__(self, in_channels, out_channels, kernel_size=3):
        super().__init__()
        self.conv = nn.Conv2d(
            in_channels, out_channels, kernel_size, padding=kernel_size // 2, bias=False
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(x)
