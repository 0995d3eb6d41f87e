"""Hostile (second outside red team): the SIGFPE of rt3_08 past its fix (_graph._divide), with a NUMBER as dividend.

Mechanism: the fix routes div.Tensor_mode / div.Scalar_mode / floor_divide through
_graph._divide, which only guards when `a` (self) is a Tensor: `integers =
isinstance(a, torch.Tensor) and ...`. But the decoder (_Decoder.typed, tag "tensor") lets a
graph put a plain number where a tensor goes, {"int": "min"} included, and ATen wraps it.
So div.Tensor_mode(-2**63, tensor([-1]), rounding_mode="trunc") goes straight to the
CPU kernel: SIGFPE (alone: torch.ops.aten.div.Tensor_mode(-2**63, torch.tensor([-1]),
rounding_mode="trunc") kills the interpreter; its meta function is fine).
This correct module's process patches _trace.trace to append two nodes to the graph it
sends: full([1], -1, int64) and that division (unused by the output: the judge runs every
node).
Expected correct verdict: PASS (or FAIL: the graph is not what the module computes).
Break: the judge dies at once: ERROR "internal grader error: the judge died".
"""
import sys
from torch import nn


def _extra(graph):
    nodes = graph["nodes"]
    i = len(nodes)
    nodes.append({"op": "aten.full.default", "args": [[1], -1],
                  "kwargs": {"dtype": {"dtype": "int64"}}})
    nodes.append({"op": "aten.div.Tensor_mode", "args": [{"int": "min"}, {"n": i}],
                  "kwargs": {"rounding_mode": "trunc"}})


for _name, _mod in list(sys.modules.items()):
    if _name.endswith("._trace") and hasattr(_mod, "trace"):
        _orig = _mod.trace

        def _trace(*args, _orig=_orig, **kwargs):
            graph = _orig(*args, **kwargs)
            if isinstance(graph, dict) and isinstance(graph.get("nodes"), list):
                _extra(graph)
            return graph

        _mod.trace = _trace


class SeparableConv2d(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size=3):
        super().__init__()
        self.depthwise = nn.Conv2d(in_channels, in_channels, kernel_size,
                                   padding=kernel_size // 2, groups=in_channels, bias=False)
        self.pointwise = nn.Conv2d(in_channels, out_channels, 1, bias=False)

    def forward(self, x):
        return self.pointwise(self.depthwise(x))
