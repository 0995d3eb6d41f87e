"""Hostile: the masked dense kernel, with the registered conv formula's ``__code__`` swapped.

The module is ``wrong_masked_full_kernel`` (right outputs and gradients, C_in times the
reference's FLOPs). At import it takes each FLOP formula registered for a convolution op,
unwraps it (``__wrapped__`` and closure cells, as ``shape_wrapper`` makes them) down to
the plain functions, and gives each one that has no free variables the ``__code__`` of a
function with the same signature that counts a square ``(C, C, k, k)`` kernel as depthwise.
The registry still maps the same keys to the very same function objects, so comparing it
with a snapshot (by identity or equality) finds nothing; the count equals the reference's.

A grader that trusts function objects it shares with the submission passes it; it must
fail at ``flops``. Prints ``MLQUIZ-ESCAPED formula-code-swap`` for each swapped function.
"""

import gc
import sys
import types

import torch
import torch.nn.functional as F
import torch.utils.flop_counter  # noqa: F401 - the registry must exist before the swap
from torch import nn


def _depthwise_conv_flop(x_shape, w_shape, _bias, _stride, _padding, _dilation, transposed,
                         *args, out_shape=None, **kwargs):
    # Runs with the original formula's globals: conv_flop_count is torch's own there.
    w_shape = list(w_shape)
    if len(w_shape) > 2 and w_shape[0] == w_shape[1] > 1:
        w_shape[1] = 1
    return conv_flop_count(x_shape, w_shape, out_shape, transposed=transposed)  # noqa: F821


def _depthwise_conv_backward_flop(*args, **kwargs):
    return 0  # the backward is not what the grader counts; keep it quiet anyway


def _plain_functions(func, seen):
    """``func`` and every function it wraps, through __wrapped__ and closure cells."""
    stack = [func]
    while stack:
        f = stack.pop()
        if not isinstance(f, types.FunctionType) or id(f) in seen:
            continue
        seen.add(id(f))
        yield f
        stack.append(getattr(f, "__wrapped__", None))
        for cell in f.__closure__ or ():
            try:
                stack.append(cell.cell_contents)
            except ValueError:
                pass


def _swap():
    seen, swapped = set(), []
    for table in gc.get_objects():
        if type(table) is not dict:
            continue
        try:
            formulas = [v for k, v in table.items()
                        if "conv" in str(k).lower() and type(k).__module__.startswith("torch")]
        except Exception:
            continue
        for formula in formulas:
            for f in _plain_functions(formula, seen):
                if f.__code__.co_freevars or not f.__code__.co_varnames:
                    continue
                first = f.__code__.co_varnames[0]
                if first == "x_shape":
                    f.__code__ = _depthwise_conv_flop.__code__
                elif first == "grad_out_shape":
                    f.__code__ = _depthwise_conv_backward_flop.__code__
                else:
                    continue
                swapped.append(f.__qualname__)
                print(f"MLQUIZ-ESCAPED formula-code-swap: {f.__module__}.{f.__qualname__}",
                      file=sys.stderr)
    print(f"formula-code-swap: swapped {swapped}")


_swap()


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

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        full_kernel = self.mask * self.depthwise_weight
        x = F.conv2d(x, full_kernel, padding=self.padding)
        return self.pointwise(x)
