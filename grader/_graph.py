"""Decoding, checking and running a submission's traced graph, in the trusted judge.

The contestant sends its forward as data (``_trace``): placeholders, tensor
constants and a list of ATen calls. Nothing in it is believed. ``decode`` checks
every part against an explicit allow-list of functional ATen overloads and their
schemas; ``run`` calls those overloads itself on the judge's own tensors (so
autograd in the judge gives the gradients); ``count_flops`` counts the judge's
own FLOPs from the shapes it works out, with ``torch.utils.flop_counter``'s
formulas where PyTorch has one and a fixed cost per element elsewhere.

Before any operation runs for real, it runs on ``meta`` tensors (shapes only, no
memory): the result's size and the work done so far are checked against limits,
so a hostile graph cannot make the judge allocate or compute without bound. A few
kernels that trust their arguments' sizes get the judge's own shape checks first
(``_CHECKS``). What the shape pass finds depends only on the shapes passed in, so it
is cached on the graph per shapes (the first run of a graph is the slow one).

Besides ATen ops a graph may hold ``getitem`` (one result of a multi-result op) and
``straight_through`` (``[value, base]``: ``value``, whose gradient goes to ``base``;
how ``_trace`` writes an in-place change made under ``torch.no_grad()``).

Public API: ``GraphError``, ``Graph``, ``decode``, ``run``, ``count_flops``,
``allowed_ops``, and the limits below.
"""

from __future__ import annotations

import contextlib
import gc
import math
import re
import time
import types
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils.flop_counter import flop_registry

from . import _wire

FORMAT = "mlquiz-graph/1"

MAX_NODES = 20_000
MAX_PLACEHOLDERS = 4_096
MAX_CONSTANTS = 4_096
MAX_CONSTANT_BYTES = 64 * 1024 * 1024
MAX_LIST = 4_096
MAX_OUTPUTS = 1_024
MAX_DIMS = 32
MAX_NAME = 256
MAX_INT = 2**40
INT64_MAX = 2**63 - 1
INT64_MIN = -(2**63)
# Per tensor (views included), per run (everything materialised), and work per run.
MAX_TENSOR_ELEMENTS = 2**26
MAX_TOTAL_ELEMENTS = 2**28
MAX_FLOPS = 10**11


class GraphError(Exception):
    """The graph is malformed or uses an op that is not allowed; the message is for a human."""


class GraphTimeout(Exception):
    """Running the graph went past the submission's deadline (checked between nodes)."""


# --------------------------------------------------------------------------- the allow-list
#
# Only functional overloads: no in-place or ``out=`` variants (their schemas are mutable
# and are dropped below even if listed), nothing that reads raw memory or hands out
# uninitialised memory (``as_strided*``, ``set_``, ``resize_*``, ``empty*``,
# ``_reshape_alias``, ``_unsafe_index*``). Indexing ops listed here check their
# indices on CPU. ``_trace`` turns ``empty*`` into ``zeros*`` before sending.
#
# Each op has a cost class, used by ``count_flops``:
#   free       views, copies, padding, concatenation, indexing, creation: 0
#   elementwise  numel of the (first) output
#   reduce     numel of the largest tensor argument or result (reductions, norms, losses,
#              softmax, adaptive pooling, scatters)
#   pool       numel of the output times the window size (``kernel_size`` argument)
#   sort       numel of the largest tensor times its log2 (sorting, top-k, binary search)
#   matvec     2 × numel of the largest tensor (mv, dot: one multiply-add per matrix element)
#   formula    ``torch.utils.flop_counter`` formula for the op (convolution, matmuls, sdpa)

Cost = Literal["free", "elementwise", "reduce", "pool", "sort", "matvec", "formula"]

_FREE = """
view.default _unsafe_view.default permute.default transpose.int t.default
expand.default squeeze.default squeeze.dim squeeze.dims unsqueeze.default
clone.default alias.default detach.default lift_fresh_copy.default _to_copy.default copy.default
cat.default stack.default split.Tensor split_with_sizes.default unbind.int
slice.Tensor select.int unfold.default diagonal.default im2col.default
constant_pad_nd.default reflection_pad1d.default reflection_pad2d.default
reflection_pad3d.default replication_pad1d.default replication_pad2d.default
replication_pad3d.default repeat.default index_select.default gather.default index.Tensor
embedding.default flip.default roll.default pixel_shuffle.default pixel_unshuffle.default
slice_scatter.default select_scatter.default diagonal_scatter.default scatter.src scatter.value
diag_embed.default linspace.default
arange.default arange.start arange.start_step zeros.default ones.default full.default
zeros_like.default ones_like.default full_like.default new_zeros.default new_ones.default
new_full.default scalar_tensor.default fill.Scalar fill.Tensor zero.default eye.default
rand.default randn.default rand_like.default randn_like.default
"""
_ELEMENTWISE = """
add.Tensor add.Scalar sub.Tensor sub.Scalar rsub.Tensor rsub.Scalar mul.Tensor mul.Scalar
div.Tensor div.Scalar div.Tensor_mode div.Scalar_mode remainder.Tensor remainder.Scalar
fmod.Tensor fmod.Scalar floor_divide.default pow.Tensor_Scalar pow.Tensor_Tensor pow.Scalar
neg.default abs.default sign.default sgn.default exp.default exp2.default expm1.default
log.default log2.default log10.default log1p.default sqrt.default rsqrt.default
reciprocal.default sin.default cos.default tanh.default sigmoid.default erf.default
floor.default ceil.default round.default round.decimals trunc.default frac.default
clamp.default clamp.Tensor clamp_min.default clamp_min.Tensor clamp_max.default
clamp_max.Tensor minimum.default maximum.default relu.default hardtanh.default gelu.default
silu.default mish.default hardswish.default hardsigmoid.default leaky_relu.default elu.default
celu.default softplus.default softshrink.default hardshrink.default threshold.default
_prelu_kernel.default log_sigmoid_forward.default eq.Tensor eq.Scalar ne.Tensor ne.Scalar
lt.Tensor lt.Scalar le.Tensor le.Scalar gt.Tensor gt.Scalar ge.Tensor ge.Scalar
logical_and.default logical_or.default logical_not.default logical_xor.default where.self
where.ScalarSelf where.ScalarOther where.Scalar masked_fill.Scalar masked_fill.Tensor
tril.default triu.default lerp.Scalar lerp.Tensor addcmul.default addcdiv.default
atan2.default isnan.default isinf.default nan_to_num.default xlogy.Tensor
bitwise_not.default bitwise_and.Tensor bitwise_or.Tensor bitwise_xor.Tensor logaddexp.default
erfc.default
native_dropout.default bernoulli.p upsample_nearest1d.default upsample_nearest2d.default
upsample_nearest3d.default upsample_bilinear2d.default upsample_linear1d.default
"""
_REDUCE = """
sum.default sum.dim_IntList mean.default mean.dim amax.default amin.default max.default
min.default max.dim min.dim argmax.default argmin.default prod.default prod.dim_int
cumsum.default cumprod.default var.correction var_mean.correction std.correction
std_mean.correction logsumexp.default linalg_vector_norm.default any.default any.dim
all.default all.dim _softmax.default _log_softmax.default _safe_softmax.default
native_layer_norm.default native_group_norm.default native_batch_norm.default
_native_batch_norm_legit_no_training.default _native_batch_norm_legit_functional.default
_native_batch_norm_legit.no_stats nll_loss_forward.default nll_loss2d_forward.default
mse_loss.default smooth_l1_loss.default huber_loss.default binary_cross_entropy.default
binary_cross_entropy_with_logits.default _adaptive_avg_pool2d.default
_adaptive_avg_pool3d.default adaptive_max_pool2d.default col2im.default scatter_add.default
index_add.default index_put.default norm.ScalarOpt_dim
"""
_SORT = "sort.default sort.stable topk.default bucketize.Tensor searchsorted.Tensor"
_POOL = """
max_pool2d_with_indices.default max_pool3d_with_indices.default avg_pool2d.default
avg_pool3d.default
"""
_MATVEC = "mv.default dot.default addmv.default"
_FORMULA = """
convolution.default mm.default addmm.default bmm.default baddbmm.default
_scaled_dot_product_flash_attention_for_cpu.default
"""
# Ops whose formula PyTorch registers under a sibling's name (same leading arguments).
_FORMULA_ALIAS = {
    "_scaled_dot_product_flash_attention_for_cpu": "_scaled_dot_product_flash_attention",
}
# ``native_batch_norm`` updates its running-statistics arguments in place in training
# mode, although its schema does not say so: those arguments get copies.
_CLONE_ARGS = {"aten.native_batch_norm.default": (3, 4)}

# Tagged values: a fixed table from names to torch objects, no lookups by attacker strings.
_DTYPES: dict[str, torch.dtype] = {
    "float32": torch.float32,
    "float64": torch.float64,
    "float16": torch.float16,
    "bfloat16": torch.bfloat16,
    "int64": torch.int64,
    "int32": torch.int32,
    "int16": torch.int16,
    "int8": torch.int8,
    "uint8": torch.uint8,
    "bool": torch.bool,
}
_LAYOUTS = {"strided": torch.strided}
_DEVICES = {"cpu": torch.device("cpu")}
_MEMORY_FORMATS = {
    "contiguous_format": torch.contiguous_format,
    "channels_last": torch.channels_last,
    "channels_last_3d": torch.channels_last_3d,
    "preserve_format": torch.preserve_format,
}
_NON_FINITE = {"inf": math.inf, "-inf": -math.inf, "nan": math.nan}
_BIG_INTS = {"max": INT64_MAX, "min": INT64_MIN}
# String arguments, by argument name: the only values accepted.
_STRINGS = {
    "approximate": frozenset({"none", "tanh"}),
    "rounding_mode": frozenset({"trunc", "floor"}),
    "reduce": frozenset({"sum", "prod", "mean", "amax", "amin"}),
}
META = torch.device("meta")


# --------------------------------------------------------------------------- op specs

# A schema type, parsed: ("tensor",), ("int",), ("opt", t), ("list", t), ...
Type = tuple[Any, ...]
_SCALARS = {
    "Tensor": "tensor",
    "int": "int",
    "float": "float",
    "bool": "bool",
    "number": "number",
    "str": "str",
    "ScalarType": "dtype",
    "Layout": "layout",
    "Device": "device",
    "MemoryFormat": "memory_format",
}


def _parse_type(text: str) -> Type:
    for prefix, kind in (("Optional[", "opt"), ("List[", "list")):
        if text.startswith(prefix) and text.endswith("]"):
            return (kind, _parse_type(text[len(prefix) : -1]))
    # Anything else (Generator, Storage, nested tuples): only its default is accepted.
    return (_SCALARS.get(text, "unsupported"),)


@dataclass(frozen=True)
class _Arg:
    name: str
    type: Type
    kwarg_only: bool
    required: bool


@dataclass(frozen=True, eq=False)
class _OpSpec:
    name: str
    overload: Any  # torch._ops.OpOverload
    args: tuple[_Arg, ...]
    returns: Literal["tensor", "tuple", "list"]
    arity: int  # outputs of a "tuple" op
    is_view: bool
    creates: bool  # no tensor arguments: the meta pass must put it on the meta device
    cost: Cost
    formula: Callable[..., Any] | None


def _spec(name: str, cost: Cost) -> _OpSpec | None:
    packet_name, _, overload_name = name.partition(".")
    packet = getattr(torch.ops.aten, packet_name, None)
    overload = getattr(packet, overload_name, None) if packet is not None else None
    if overload is None:
        return None  # not in this torch version
    schema = overload._schema
    if schema.is_mutable:
        return None
    returns = [str(r.real_type) for r in schema.returns]
    if returns == ["Tensor"]:
        kind: Literal["tensor", "tuple", "list"] = "tensor"
    elif returns == ["List[Tensor]"]:
        kind = "list"
    elif len(returns) > 1 and all(r == "Tensor" for r in returns):
        kind = "tuple"
    else:
        return None
    args = tuple(
        _Arg(a.name, _parse_type(str(a.real_type)), a.kwarg_only, not a.has_default_value())
        for a in schema.arguments
    )
    formula = None
    if cost == "formula":
        base = _FORMULA_ALIAS.get(packet_name, packet_name)
        formula = flop_registry.get(getattr(torch.ops.aten, base))
        if formula is None:
            return None
    return _OpSpec(
        name=f"aten.{name}",
        overload=overload,
        args=args,
        returns=kind,
        arity=len(returns),
        is_view=any(r.alias_info is not None for r in schema.returns),
        creates=not any("tensor" in repr(a.type) for a in args),
        cost=cost,
        formula=formula,
    )


def _build_ops() -> dict[str, _OpSpec]:
    table: list[tuple[str, Cost]] = [
        *((n, "free") for n in _FREE.split()),
        *((n, "elementwise") for n in _ELEMENTWISE.split()),
        *((n, "reduce") for n in _REDUCE.split()),
        *((n, "pool") for n in _POOL.split()),
        *((n, "sort") for n in _SORT.split()),
        *((n, "matvec") for n in _MATVEC.split()),
        *((n, "formula") for n in _FORMULA.split()),
    ]
    ops: dict[str, _OpSpec] = {}
    for name, cost in table:
        spec = _spec(name, cost)
        if spec is not None:
            ops[spec.name] = spec
    return ops


OPS: Mapping[str, _OpSpec] = _build_ops()
GETITEM = "getitem"
# ``[value, base]``: ``value``, with its gradient sent to ``base`` unchanged (see ``_trace``).
STRAIGHT_THROUGH = "straight_through"


def allowed_ops() -> frozenset[str]:
    """The op names ``decode`` accepts (besides ``"getitem"``)."""
    return frozenset(OPS)


# --------------------------------------------------------------------------- the graph


@dataclass(frozen=True)
class Ref:
    """A reference to a placeholder ("p"), a constant ("c") or an earlier node ("n")."""

    kind: Literal["p", "c", "n"]
    index: int


@dataclass(frozen=True)
class Placeholder:
    role: Literal["param", "buffer", "input"]
    name: str | int
    shape: tuple[int, ...]
    dtype: torch.dtype


@dataclass(frozen=True, eq=False)
class Node:
    op: str
    spec: _OpSpec | None  # None for getitem and straight_through
    args: tuple[Any, ...]
    kwargs: Mapping[str, Any]


@dataclass(frozen=True, eq=False)
class Graph:
    """A decoded, checked graph; shapes in it only say what the judge must pass in."""

    placeholders: tuple[Placeholder, ...]
    constants: tuple[torch.Tensor, ...]
    nodes: tuple[Node, ...]
    outputs: tuple[Ref, ...]
    output_kind: Literal["tensor", "tuple", "list"]
    # What the shape pass found, per signature of the tensors passed in (see ``_Runner``).
    _plans: dict[Any, tuple[list[tuple[tuple[torch.Size, torch.dtype], ...]], int]] = field(
        default_factory=dict, repr=False
    )
    _flops: dict[Any, int] = field(default_factory=dict, repr=False)

    @property
    def params(self) -> list[tuple[str, tuple[int, ...]]]:
        """Trainable parameter placeholders as (name, shape), in placeholder order."""
        return [(str(p.name), p.shape) for p in self.placeholders if p.role == "param"]

    @property
    def buffers(self) -> list[tuple[str, tuple[int, ...]]]:
        return [(str(p.name), p.shape) for p in self.placeholders if p.role == "buffer"]

    @property
    def input_count(self) -> int:
        return sum(p.role == "input" for p in self.placeholders)

    def first_uses(self) -> dict[str, tuple[int, int]]:
        """Trainable parameter name -> (node, argument position) of its first use."""
        names = {i: str(p.name) for i, p in enumerate(self.placeholders) if p.role == "param"}
        seen: dict[str, tuple[int, int]] = {}
        for index, node in enumerate(self.nodes):
            flat = _refs_in((node.args, tuple(node.kwargs.values())))
            for position, ref in enumerate(flat):
                name = names.get(ref.index) if ref.kind == "p" else None
                if name is not None and name not in seen:
                    seen[name] = (index, position)
        return seen

    @property
    def ops(self) -> list[str]:
        """The op of every node, in order."""
        return [n.op for n in self.nodes]


def _refs_in(value: Any) -> list[Ref]:
    if isinstance(value, Ref):
        return [value]
    if isinstance(value, list | tuple):
        return [r for v in value for r in _refs_in(v)]
    return []


# --------------------------------------------------------------------------- decoding


_PLAIN_NAME = re.compile(r"[A-Za-z0-9_.]{1,100}")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _check_shape(shape: Any, what: str) -> tuple[int, ...]:
    if not isinstance(shape, list) or len(shape) > MAX_DIMS:
        raise GraphError(f"{what} has a malformed shape")
    if not all(_is_int(d) and 0 <= d <= MAX_INT for d in shape):
        raise GraphError(f"{what} has a malformed shape")
    if math.prod(max(d, 1) for d in shape) > MAX_INT:
        raise GraphError(f"{what} is too large")
    return tuple(shape)


def _dict_with(value: Any, keys: set[str], what: str) -> dict[str, Any]:
    if not isinstance(value, dict) or set(value) != keys:
        raise GraphError(f"{what} is malformed")
    return value


class _Decoder:
    def __init__(self, header: Any, buffers: Sequence[bytes]) -> None:
        self.header = _dict_with(
            header,
            {"format", "placeholders", "constants", "nodes", "outputs", "output_kind"},
            "the graph",
        )
        if self.header["format"] != FORMAT:
            raise GraphError("the graph is in an unknown format")
        if not isinstance(buffers, list | tuple):
            raise GraphError("the graph's data is malformed")
        self.buffers = list(buffers)
        self.placeholders: list[Placeholder] = []
        self.constants: list[torch.Tensor] = []
        # What each node produces: "tensor", "tuple" (with arity) or "list".
        self.produces: list[tuple[str, int]] = []

    def decode(self) -> Graph:
        self.decode_placeholders(self.header["placeholders"])
        self.decode_constants(self.header["constants"])
        nodes = self.header["nodes"]
        if not isinstance(nodes, list):
            raise GraphError("the graph's node list is malformed")
        if len(nodes) > MAX_NODES:
            raise GraphError(f"the graph has more than {MAX_NODES} operations")
        decoded = [self.decode_node(i, n) for i, n in enumerate(nodes)]
        kind = self.header["output_kind"]
        outputs = self.header["outputs"]
        if kind not in ("tensor", "tuple", "list") or not isinstance(outputs, list):
            raise GraphError("the graph's outputs are malformed")
        if not outputs or len(outputs) > MAX_OUTPUTS or (kind == "tensor" and len(outputs) != 1):
            raise GraphError("the graph has no outputs or too many")
        refs = tuple(self.tensor_ref(o, len(decoded), "the graph's output") for o in outputs)
        return Graph(tuple(self.placeholders), tuple(self.constants), tuple(decoded), refs, kind)

    def decode_placeholders(self, items: Any) -> None:
        if not isinstance(items, list) or len(items) > MAX_PLACEHOLDERS:
            raise GraphError("the graph's inputs are malformed or too many")
        seen: set[tuple[str, str | int]] = set()
        inputs = 0
        for item in items:
            entry = _dict_with(item, {"role", "name", "shape", "dtype"}, "a graph input")
            role, name = entry["role"], entry["name"]
            if role == "input":
                if not _is_int(name) or name != inputs:
                    raise GraphError("the graph's inputs are numbered wrongly")
                inputs += 1
            elif role in ("param", "buffer"):
                if not isinstance(name, str) or not 0 < len(name) <= MAX_NAME:
                    raise GraphError("a parameter or buffer of the graph has a malformed name")
            else:
                raise GraphError("a graph input has an unknown role")
            if (role, name) in seen:
                raise GraphError(f"the graph names the {role} {_describe(name)} twice")
            seen.add((role, name))
            dtype = entry["dtype"]
            if not isinstance(dtype, str) or dtype not in _DTYPES:
                raise GraphError(f"a graph input has an unsupported dtype {_describe(dtype)}")
            shape = _check_shape(entry["shape"], f"the {role} {_describe(name)}")
            self.placeholders.append(Placeholder(role, name, shape, _DTYPES[dtype]))

    def decode_constants(self, items: Any) -> None:
        if not isinstance(items, list) or len(items) > MAX_CONSTANTS:
            raise GraphError("the graph's constants are malformed or too many")
        total = 0
        for item in items:
            entry = _dict_with(item, {"dtype", "shape", "buffer"}, "a graph constant")
            _check_shape(entry["shape"], "a graph constant")
            index = entry["buffer"]
            if not _is_int(index) or not 0 <= index < len(self.buffers):
                raise GraphError("a graph constant points at data that is not there")
            raw = self.buffers[index]
            if not isinstance(raw, bytes | bytearray):
                raise GraphError("a graph constant's data is malformed")
            total += len(raw)
            if total > MAX_CONSTANT_BYTES:
                raise GraphError("the graph's constants are too large")
            try:
                tensor = _wire.unpack_tensor(entry, self.buffers)
            except _wire.WireError as exc:
                raise GraphError(f"a graph constant is malformed: {exc}") from None
            except (RuntimeError, ValueError, TypeError, OverflowError):
                raise GraphError("a graph constant is malformed") from None
            self.constants.append(tensor)

    # -- nodes

    def decode_node(self, position: int, item: Any) -> Node:
        entry = _dict_with(item, {"op", "args", "kwargs"}, f"operation {position}")
        op, args, kwargs = entry["op"], entry["args"], entry["kwargs"]
        if not isinstance(op, str):
            raise GraphError(f"operation {position} is malformed")
        if not isinstance(args, list) or not isinstance(kwargs, dict):
            raise GraphError(f"operation {position} ({_describe(op)}) is malformed")
        if op == GETITEM:
            return self.decode_getitem(position, args, kwargs)
        if op == STRAIGHT_THROUGH:
            if len(args) != 2 or kwargs:
                raise GraphError(f"straight_through (operation {position}) is malformed")
            what = f"straight_through (operation {position})"
            refs = tuple(self.tensor_ref(a, position, what) for a in args)
            self.produces.append(("tensor", 1))
            return Node(STRAIGHT_THROUGH, None, refs, {})
        spec = OPS.get(op)
        if spec is None:
            shown = op if _PLAIN_NAME.fullmatch(op) else _describe(op)
            raise GraphError(f"the submission uses {shown}, which the grader does not run")
        what = f"{op} (operation {position})"
        positional = [a for a in spec.args if not a.kwarg_only]
        if len(args) > len(positional):
            raise GraphError(f"{what} is given too many arguments")
        values: list[Any] = []
        for arg, value in zip(positional, args, strict=False):
            values.append(self.value(value, arg, position, f"{what}, argument {arg.name}"))
        # By name only what the schema makes keyword-only, as a trace writes them: every
        # other argument is where its position says, for the checks and the counting.
        by_name = {a.name: a for a in spec.args if a.kwarg_only}
        named: dict[str, Any] = {}
        for key, value in kwargs.items():
            found = by_name.get(key) if isinstance(key, str) else None
            if found is None:
                raise GraphError(f"{what} is given an unknown argument by name")
            named[key] = self.value(value, found, position, f"{what}, argument {key}")
        for arg in spec.args:
            given = arg.name in named if arg.kwarg_only else positional.index(arg) < len(args)
            if arg.required and not given:
                raise GraphError(f"{what} is missing its argument {arg.name}")
        bound = {**{a.name: v for a, v in zip(positional, values, strict=False)}, **named}
        if bound.get("pin_memory") or bound.get("sparse"):
            raise GraphError(f"{what} asks for pinned memory or sparse gradients")
        if bound.get("sparse_grad"):
            # ``gather``'s sparse gradient has the same values in another layout, one the
            # judge's comparisons do not take: it runs the gather with a dense one.
            names = [a.name for a in positional]
            if "sparse_grad" in named:
                named["sparse_grad"] = False
            else:
                values[names.index("sparse_grad")] = False
        self.produces.append((spec.returns, spec.arity))
        return Node(op, spec, tuple(values), named)

    def decode_getitem(self, position: int, args: list[Any], kwargs: dict[str, Any]) -> Node:
        if len(args) != 2 or kwargs:
            raise GraphError(f"getitem (operation {position}) is malformed")
        source, index = args
        ref = self.ref(source, position, f"getitem (operation {position})")
        if ref.kind != "n" or self.produces[ref.index][0] == "tensor":
            raise GraphError(f"getitem (operation {position}) reads from a single tensor")
        returns, arity = self.produces[ref.index]
        limit = arity if returns == "tuple" else MAX_LIST
        if not _is_int(index) or not 0 <= index < limit:
            raise GraphError(f"getitem (operation {position}) has an index out of range")
        self.produces.append(("tensor", 1))
        return Node(GETITEM, None, (ref, index), {})

    def ref(self, value: Any, position: int, what: str) -> Ref:
        if not isinstance(value, dict) or len(value) != 1:
            raise GraphError(f"{what} expects a tensor")
        ((kind, index),) = value.items()
        limits = {"p": len(self.placeholders), "c": len(self.constants), "n": position}
        if kind not in limits or not _is_int(index):
            raise GraphError(f"{what} expects a tensor")
        if not 0 <= index < limits[kind]:
            raise GraphError(f"{what} refers to a value that does not exist (yet)")
        return Ref(kind, index)

    def tensor_ref(self, value: Any, position: int, what: str) -> Ref:
        ref = self.ref(value, position, what)
        if ref.kind == "n" and self.produces[ref.index][0] != "tensor":
            raise GraphError(f"{what} uses a group of tensors as one tensor")
        return ref

    def value(self, value: Any, arg: _Arg, position: int, what: str) -> Any:
        return self.typed(value, arg.type, arg.name, position, what)

    def typed(self, value: Any, kind: Type, name: str, position: int, what: str) -> Any:
        tag = kind[0]
        if tag == "opt":
            return None if value is None else self.typed(value, kind[1], name, position, what)
        if tag == "list":
            if not isinstance(value, list) or len(value) > MAX_LIST:
                raise GraphError(f"{what} expects a list (of at most {MAX_LIST} items)")
            if kind[1][0] in ("list", "opt") and kind[1][1][0] != "tensor":
                raise GraphError(f"{what} has an unsupported type")
            return [self.typed(v, kind[1], name, position, what) for v in value]
        if tag == "tensor":
            # A Python number where a tensor goes (``add.Tensor(x, 1)``): torch wraps it.
            if isinstance(value, bool):
                return value
            if (
                _is_int(value)
                or isinstance(value, float)
                or (isinstance(value, dict) and len(value) == 1 and set(value) <= {"int", "float"})
            ):
                return self.number(value, what)
            return self.tensor_ref(value, position, what)
        if tag == "int":
            return self.integer(value, what)
        if tag == "bool":
            if not isinstance(value, bool):
                raise GraphError(f"{what} expects a bool")
            return value
        if tag == "float":
            if isinstance(value, bool):
                raise GraphError(f"{what} expects a number")
            return self.number(value, what)
        if tag == "number":
            return value if isinstance(value, bool) else self.number(value, what)
        if tag == "str":
            if not isinstance(value, str) or value not in _STRINGS.get(name, ()):
                raise GraphError(f"{what} has an unsupported value {_describe(value)}")
            return value
        tables: dict[str, Mapping[str, Any]] = {
            "dtype": _DTYPES,
            "layout": _LAYOUTS,
            "device": _DEVICES,
            "memory_format": _MEMORY_FORMATS,
        }
        if tag in tables:
            if isinstance(value, dict) and len(value) == 1 and tag in value:
                label = value[tag]
                if isinstance(label, str) and label in tables[tag]:
                    return tables[tag][label]
            raise GraphError(f"{what} has an unsupported value {_describe(value)}")
        raise GraphError(f"{what} cannot be given by a graph")

    def integer(self, value: Any, what: str) -> int:
        if _is_int(value) and abs(value) <= MAX_INT:
            return int(value)
        if isinstance(value, dict) and len(value) == 1 and "int" in value:
            name = value["int"]
            if isinstance(name, str) and name in _BIG_INTS:
                return _BIG_INTS[name]
        raise GraphError(f"{what} expects an integer of at most 2**40, got {_describe(value)}")

    def number(self, value: Any, what: str) -> int | float:
        if _is_int(value):
            return self.integer(value, what)
        if isinstance(value, float):
            if not math.isfinite(value):
                raise GraphError(f"{what} has a non-finite number without its tag")
            return value
        if isinstance(value, dict) and len(value) == 1 and "float" in value:
            name = value["float"]
            if isinstance(name, str) and name in _NON_FINITE:
                return _NON_FINITE[name]
        if isinstance(value, dict) and len(value) == 1 and "int" in value:
            return self.integer(value, what)
        raise GraphError(f"{what} expects a number, got {_describe(value)}")


def decode(header: Any, buffers: Sequence[bytes]) -> Graph:
    """Check and decode a graph sent by ``_trace.trace``; raises ``GraphError`` only."""
    try:
        return _Decoder(header, buffers).decode()
    except GraphError:
        raise
    except RecursionError:
        raise GraphError("the graph is nested too deeply") from None


# --------------------------------------------------------------------------- running


def _numel(shape: Sequence[int]) -> int:
    return math.prod(shape)


def _tensors(value: Any) -> list[torch.Tensor]:
    if isinstance(value, torch.Tensor):
        return [value]
    return [v for v in value if isinstance(v, torch.Tensor)]


def _cost(spec: _OpSpec, args: Sequence[Any], kwargs: Mapping[str, Any], out: Any) -> int:
    if spec.cost == "free":
        return 0
    first = _tensors(out)[0] if _tensors(out) else None
    if spec.cost == "elementwise":
        return first.numel() if first is not None else 0
    values = [*args, *kwargs.values(), out]
    tensors = [t for v in values for t in _tensors(v if isinstance(v, list | tuple) else [v])]
    largest = max((t.numel() for t in tensors), default=0)
    if spec.name == "aten.index_put.default":
        return max(largest, _index_put_work(args))
    if spec.name in _BROADCASTING_LOSSES:
        return max(largest, _spread([*args, *kwargs.values()]))
    if spec.cost == "reduce":
        return largest
    if spec.cost == "sort":
        return largest * max(largest.bit_length(), 1)
    if spec.cost == "matvec":
        return 2 * largest
    if spec.cost == "pool":
        kernel = args[1] if len(args) > 1 else kwargs.get("kernel_size", [1])
        sizes = list(kernel) if isinstance(kernel, list | tuple) else [kernel]
        dims = 3 if "3d" in spec.name else 2 if "2d" in spec.name else 1
        if len(sizes) == 1:  # one size stands for every spatial dimension
            sizes *= dims
        window = _numel([int(s) if isinstance(s, int) else 1 for s in sizes])
        return max((first.numel() if first is not None else 0) * max(window, 1), largest)
    assert spec.formula is not None
    try:
        counted = int(spec.formula(*args, **kwargs, out_val=out))
    except Exception as exc:  # a formula's own assertion on odd shapes
        raise GraphError(f"the grader cannot count the FLOPs of {spec.name}") from exc
    if "attention" in spec.name and len(tensors) >= 2 and tensors[0].dim() == 4:
        # Every score is computed and softmaxed whatever the head size (the formula's
        # factor, which a head size of 1 makes all but nothing).
        q, k = tensors[0], tensors[1]
        counted = max(counted, 4 * q.shape[0] * q.shape[1] * q.shape[2] * k.shape[2])
    return counted


def _index_put_work(args: Sequence[Any]) -> int:
    """The writes ``index_put`` does: one per index tuple (the index tensors broadcast, so
    [N, 1] and [1, N] make N * N of them) times the size of what each one writes."""
    target, indices = args[0], args[1] if len(args) > 1 else []
    if not isinstance(target, torch.Tensor) or not isinstance(indices, list | tuple):
        return 0
    shapes: list[tuple[int, ...]] = []
    masked, indexed = 1, 0
    for index in indices:
        if not isinstance(index, torch.Tensor):
            indexed += 1 if index is not None else 0
            continue
        if index.dtype in (torch.bool, torch.uint8):  # a mask: at most one write per element
            masked *= max(index.numel(), 1)
            indexed += index.dim()
        else:
            shapes.append(tuple(index.shape))
            indexed += 1
    tuples = _broadcast_numel(shapes)
    if tuples is None:
        return 0  # the meta function has refused these already
    return tuples * masked * _numel(target.shape[indexed:])


def _broadcast_numel(shapes: Sequence[tuple[int, ...]]) -> int | None:
    """The size of what ``shapes`` broadcast to (1 for none); None if they do not."""
    try:
        return _numel(torch.broadcast_shapes(*shapes))  # type: ignore[no-untyped-call]
    except RuntimeError:
        return None


# --------------------------------------------------------------------------- argument checks
#
# A few kernels trust their arguments' sizes and would read or write out of bounds
# (found by feeding them mismatched shapes): the batch-norm family with statistics of
# the wrong length, the CPU flash attention with mismatched q/k/v. Their meta functions
# do not check either, so the judge checks the shapes itself before either pass.


def _bind(spec: _OpSpec, args: Sequence[Any], kwargs: Mapping[str, Any]) -> dict[str, Any]:
    positional = [a.name for a in spec.args if not a.kwarg_only]
    return {**dict(zip(positional, args, strict=False)), **kwargs}


def _check_batch_norm(op: str, bound: dict[str, Any]) -> None:
    x = bound.get("input")
    if not isinstance(x, torch.Tensor) or x.dim() < 2:
        raise GraphError(f"{op} needs an input with a channel dimension")
    channels = x.shape[1]
    stats = [bound.get(n) for n in ("weight", "bias", "running_mean", "running_var")]
    for t in stats:
        if t is not None and (
            not isinstance(t, torch.Tensor) or t.dim() != 1 or t.shape[0] != channels
        ):
            raise GraphError(f"{op} is given statistics or weights of the wrong size")
    if (stats[2] is None) != (stats[3] is None):
        raise GraphError(f"{op} needs both running statistics or neither")


def _check_group_norm(op: str, bound: dict[str, Any]) -> None:
    x = bound.get("input")
    n, c, hxw, groups = (bound.get(k) for k in ("N", "C", "HxW", "group"))
    if not isinstance(x, torch.Tensor) or x.dim() < 2:
        raise GraphError(f"{op} needs an input with a channel dimension")
    if not (isinstance(n, int) and isinstance(c, int) and isinstance(hxw, int)):
        raise GraphError(f"{op} is malformed")
    if (n, c) != tuple(x.shape[:2]) or n * c * hxw != x.numel():
        raise GraphError(f"{op} is given sizes that do not match its input")
    if not isinstance(groups, int) or groups <= 0 or c % groups:
        raise GraphError(f"{op} is given a wrong number of groups")
    for name in ("weight", "bias"):
        t = bound.get(name)
        if t is not None and (not isinstance(t, torch.Tensor) or t.dim() != 1 or t.shape[0] != c):
            raise GraphError(f"{op} is given a {name} of the wrong size")


def _check_attention(op: str, bound: dict[str, Any]) -> None:
    q, k, v, mask = (bound.get(n) for n in ("query", "key", "value", "attn_mask"))
    if not all(isinstance(t, torch.Tensor) and t.dim() == 4 for t in (q, k, v)):
        raise GraphError(f"{op} needs 4-dimensional query, key and value")
    assert isinstance(q, torch.Tensor) and isinstance(k, torch.Tensor)
    assert isinstance(v, torch.Tensor)
    if not (
        q.shape[:2] == k.shape[:2] == v.shape[:2]
        and k.shape[2] == v.shape[2]
        and q.shape[3] == k.shape[3] == v.shape[3]
        and q.dtype == k.dtype == v.dtype
        and q.is_floating_point()
    ):
        raise GraphError(f"{op} is given query, key and value that do not fit together")
    if 0 in q.shape or 0 in k.shape:  # the CPU kernel divides by these lengths
        raise GraphError(f"{op} is given an empty query, key or value")
    if mask is not None:
        if not isinstance(mask, torch.Tensor):
            raise GraphError(f"{op} is given a mask that does not fit")
        full = (q.shape[0], q.shape[1], q.shape[2], k.shape[2])
        fits = all(m in (1, f) for m, f in zip(reversed(mask.shape), reversed(full), strict=False))
        if not fits or mask.dim() not in (2, 4) or mask.dtype not in (torch.bool, q.dtype):
            raise GraphError(f"{op} is given a mask that does not fit")


def _check_upsample(op: str, bound: dict[str, Any]) -> None:
    x, size = bound.get("self"), bound.get("output_size")
    if not isinstance(x, torch.Tensor) or not isinstance(size, list):
        raise GraphError(f"{op} is malformed")
    spatial = x.shape[2:]
    if len(size) != len(spatial):
        raise GraphError(f"{op} is given an output size of the wrong length")
    names = [n for n in ("scales_d", "scales_h", "scales_w", "scales") if n in bound]
    scales = [bound[n] for n in names][-len(spatial) :] if names else []
    for scale, before, after in zip(scales, spatial, size, strict=False):
        if scale is None:
            continue
        if not (math.isfinite(scale) and scale > 0 and math.floor(before * scale) == after):
            raise GraphError(f"{op} is given a scale that does not match its sizes")


# Losses whose CPU kernels broadcast their tensor arguments against each other before they
# reduce: the broadcast intermediate is theirs, not in any result's size.
_BROADCASTING_LOSSES = frozenset(
    f"aten.{name}.default"
    for name in (
        "mse_loss",
        "smooth_l1_loss",
        "huber_loss",
        "binary_cross_entropy",
        "binary_cross_entropy_with_logits",
    )
)


def _spread(values: Sequence[Any]) -> int:
    """The size the tensors among ``values`` broadcast to (0 if they do not)."""
    shapes = [tuple(v.shape) for v in values if isinstance(v, torch.Tensor)]
    return (_broadcast_numel(shapes) or 0) if shapes else 0


def _check_loss(op: str, bound: dict[str, Any]) -> None:
    size = _spread(list(bound.values()))
    if size > MAX_TENSOR_ELEMENTS:
        raise GraphError(
            f"{op} broadcasts its arguments to a tensor of {size} elements, more than the "
            f"grader allows ({MAX_TENSOR_ELEMENTS})"
        )


def _check_convolution(op: str, bound: dict[str, Any]) -> None:
    """The columns a CPU convolution may unfold its input into (float64, dilated and
    transposed ones do: batch x channels per group x kernel x positions), never in any
    result's size, are held to the limit of one tensor."""
    x, w = bound.get("input"), bound.get("weight")
    if not (isinstance(x, torch.Tensor) and isinstance(w, torch.Tensor)) or x.dim() < 3:
        return  # the meta function refuses these
    spatial = x.dim() - 2
    if w.dim() != spatial + 2:
        return

    def per_dimension(name: str, default: int) -> list[int]:
        given = bound.get(name)
        values = [int(v) for v in given] if isinstance(given, list) and given else [default]
        return values * spatial if len(values) == 1 else values

    sizes, kernel = list(x.shape[2:]), list(w.shape[2:])
    padding, stride = per_dimension("padding", 0), per_dimension("stride", 1)
    dilation = per_dimension("dilation", 1)
    if not len(padding) == len(stride) == len(dilation) == spatial or min(stride) < 1:
        return
    out = [
        max((n + 2 * p - d * (k - 1) - 1) // s + 1, 0)
        for n, p, d, k, s in zip(sizes, padding, dilation, kernel, stride, strict=True)
    ]
    # Per group, the weight's second dimension is the channels unfolded (in, or out when
    # transposed), over every kernel position and every input or output position.
    columns = x.shape[0] * w.shape[1] * _numel(kernel) * max(_numel(out), _numel(sizes))
    if columns > MAX_TENSOR_ELEMENTS:
        raise GraphError(
            f"{op} would unfold its input into {columns} elements, more than the grader "
            f"allows ({MAX_TENSOR_ELEMENTS})"
        )


_CHECKS: dict[str, Callable[[str, dict[str, Any]], None]] = {
    "aten.convolution.default": _check_convolution,
    **dict.fromkeys(_BROADCASTING_LOSSES, _check_loss),
    "aten.native_batch_norm.default": _check_batch_norm,
    "aten._native_batch_norm_legit_no_training.default": _check_batch_norm,
    "aten._native_batch_norm_legit_functional.default": _check_batch_norm,
    "aten._native_batch_norm_legit.no_stats": _check_batch_norm,
    "aten.native_group_norm.default": _check_group_norm,
    "aten._scaled_dot_product_flash_attention_for_cpu.default": _check_attention,
    "aten.upsample_nearest1d.default": _check_upsample,
    "aten.upsample_nearest2d.default": _check_upsample,
    "aten.upsample_nearest3d.default": _check_upsample,
    "aten.upsample_linear1d.default": _check_upsample,
    "aten.upsample_bilinear2d.default": _check_upsample,
}


# Ops whose result's size can depend on values (a boolean-mask index); bounded by
# their arguments' sizes, they run for real when the meta pass cannot size them.
_DATA_DEPENDENT = frozenset({"aten.index.Tensor", "aten.index_put.default"})


_CACHE_SIZE = 64


def _copy(self: Any, src: Any, non_blocking: bool = False) -> torch.Tensor:
    if not (isinstance(self, torch.Tensor) and isinstance(src, torch.Tensor)):
        plain: torch.Tensor = torch.ops.aten.copy.default(self, src, non_blocking)
        return plain  # a Python number wrapped by torch: nothing to differentiate
    return src.to(self.dtype).expand(self.shape).clone()


def _bernoulli(self: Any, p: float, generator: None = None) -> torch.Tensor:
    plain = self.detach() if isinstance(self, torch.Tensor) else self
    sample: torch.Tensor = torch.ops.aten.bernoulli.p(plain, p)
    return sample


def _divide(overload: Any, plain: Callable[..., torch.Tensor]) -> Callable[..., torch.Tensor]:
    """``overload`` for integers too: the CPU's integer division of the smallest integer
    by -1 overflows, and the process dies of SIGFPE (no exception to catch). Dividing by
    -1 is negating (which wraps for the smallest integer, as the division would). ``plain``
    is the same division taking tensors on both sides (a number becomes one of the type
    the division has)."""

    def divide(a: Any, b: Any, *args: Any, **kwargs: Any) -> torch.Tensor:
        true = overload is not torch.ops.aten.floor_divide.default and (
            kwargs.get("rounding_mode") is None
        )
        if true or (not isinstance(a, torch.Tensor) and not isinstance(b, torch.Tensor)):
            # True division gives floats, with nothing to overflow.
            result: torch.Tensor = overload(a, b, *args, **kwargs)
            return result
        kind = torch.result_type(a, b)
        if kind.is_floating_point or kind.is_complex or kind == torch.bool:
            result = overload(a, b, *args, **kwargs)
            return result
        a = a if isinstance(a, torch.Tensor) else torch.tensor(a, dtype=kind)
        b = b if isinstance(b, torch.Tensor) else torch.tensor(b, dtype=kind)
        minus_one = b == -1
        divided = plain(a, torch.where(minus_one, torch.ones_like(b), b), *args, **kwargs)
        return torch.where(minus_one, torch.neg(a).to(divided.dtype), divided)

    return divide


# Differentiable stand-ins for ops that autograd cannot go through (functionalization
# writes ``x[...] = y`` and circular padding with ``copy``), and integer divisions that
# would kill the judge; same values, same shapes.
_SUBSTITUTES: dict[str, Callable[..., torch.Tensor]] = {
    "aten.copy.default": _copy,
    "aten.bernoulli.p": _bernoulli,
    "aten.div.Tensor_mode": _divide(torch.ops.aten.div.Tensor_mode, torch.div),
    "aten.div.Scalar_mode": _divide(torch.ops.aten.div.Scalar_mode, torch.div),
    "aten.floor_divide.default": _divide(torch.ops.aten.floor_divide.default, torch.floor_divide),
}


class _StraightThrough(torch.autograd.Function):
    """Forward: ``value``. Backward: the gradient goes to ``base`` unchanged, none to ``value``."""

    @staticmethod
    def forward(ctx: Any, value: torch.Tensor, base: torch.Tensor) -> torch.Tensor:
        return value.clone()

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> tuple[None, torch.Tensor]:
        return None, grad


class _NeedsValues(Exception):
    """Counting needs real values: an op's result size depends on them."""


class _Runner:
    """Runs a graph node by node: on meta tensors always, on the given tensors if ``real``."""

    def __init__(
        self,
        graph: Graph,
        params: Mapping[str, torch.Tensor],
        buffers: Mapping[str, torch.Tensor],
        inputs: Sequence[torch.Tensor],
        real: bool,
        limit: int = MAX_FLOPS,
        deadline: float = math.inf,
    ) -> None:
        _keep_dynamo_out()
        self.graph = graph
        self.real = real
        self.limit = min(limit, MAX_FLOPS)
        self.deadline = deadline
        if not isinstance(inputs, list | tuple) or len(inputs) != graph.input_count:
            raise GraphError(
                f"the graph takes {graph.input_count} inputs, "
                f"got {len(inputs) if isinstance(inputs, list | tuple) else 'no list'}"
            )
        given: list[torch.Tensor] = []
        for p in graph.placeholders:
            if p.role == "input":
                assert isinstance(p.name, int)
                tensor: Any = inputs[p.name]
            else:
                source = params if p.role == "param" else buffers
                tensor = source.get(str(p.name)) if isinstance(source, Mapping) else None
            if not isinstance(tensor, torch.Tensor):
                raise GraphError(f"no tensor given for the graph's {p.role} {p.name!r}")
            if tensor.device.type != "cpu" or tensor.layout != torch.strided:
                raise GraphError(f"the graph's {p.role} {p.name!r} must be a dense CPU tensor")
            if tuple(tensor.shape) != p.shape or tensor.dtype != p.dtype:
                raise GraphError(
                    f"the graph's {p.role} {p.name!r} is {p.dtype} {list(p.shape)}, "
                    f"got {tensor.dtype} {list(tensor.shape)}"
                )
            given.append(tensor)
        constants = [c.clone() for c in graph.constants] if real else list(graph.constants)
        self.values: dict[str, list[Any]] = {"p": given, "c": constants, "n": []}
        self.metas: dict[str, list[Any]] = {
            "p": [self.meta_like(t) for t in given],
            "c": [self.meta_like(t) for t in graph.constants],
            "n": [],
        }
        self.flops = 0
        self.elements = 0
        self.backward_elements = 0
        self.signature = tuple((t.shape, t.stride(), t.dtype) for t in given)
        self.cacheable = not any(n.op in _DATA_DEPENDENT for n in graph.nodes)
        self.plan: list[tuple[tuple[torch.Size, torch.dtype], ...]] = []
        self.corrected = False  # a real result differed from its meta one

    @staticmethod
    def meta_like(tensor: torch.Tensor) -> torch.Tensor:
        return torch.empty_strided(tensor.shape, tensor.stride(), dtype=tensor.dtype, device=META)

    def resolve(self, value: Any, env: dict[str, list[Any]], device: torch.device) -> Any:
        if isinstance(value, Ref):
            return env[value.kind][value.index]
        if isinstance(value, list):
            return [self.resolve(v, env, device) for v in value]
        if isinstance(value, torch.device):
            return device
        return value

    def step(self, node: Node) -> None:
        if node.op == STRAIGHT_THROUGH:
            value, base = (self.metas[r.kind][r.index] for r in node.args)
            if value.shape != base.shape or value.dtype != base.dtype:
                raise GraphError("straight_through joins tensors of different shapes or types")
            self.elements += value.numel()
            self.count_backward([value, base], {})
            self.metas["n"].append(value)
            if self.real:
                joined = self.straight_through(node)
                self.guard(joined)
                self.values["n"].append(joined)
            return
        if node.spec is None:  # getitem
            ref, index = node.args
            group = self.metas["n"][ref.index]
            if index >= len(group):
                raise GraphError(f"getitem asks for item {index} of {len(group)}")
            self.metas["n"].append(group[index])
            if self.real:
                self.values["n"].append(self.values["n"][ref.index][index])
            return
        spec = node.spec
        args = [self.resolve(a, self.metas, META) for a in node.args]
        kwargs = {k: self.resolve(v, self.metas, META) for k, v in node.kwargs.items()}
        if spec.creates:
            kwargs["device"] = META
        check = _CHECKS.get(node.op)
        if check is not None:
            check(node.op, _bind(spec, args, kwargs))
        try:
            meta = spec.overload(*args, **kwargs)
        except Exception as exc:
            if node.op in _DATA_DEPENDENT:
                self.step_on_values(node, spec, args, kwargs)
                return
            raise GraphError(
                f"the grader cannot work out the result of {node.op}: "
                f"{type(exc).__name__}: {str(exc)[:200]}"
            ) from None
        results = _tensors(meta)
        if not isinstance(meta, torch.Tensor | tuple | list) or len(results) != (
            1 if isinstance(meta, torch.Tensor) else len(meta)
        ):
            raise GraphError(f"{node.op} gave an unexpected result")
        for result in results:
            if result.device != META:
                raise GraphError(f"{node.op} left the meta device")  # a bug, never data
            size = _numel(result.shape)
            if size > MAX_TENSOR_ELEMENTS:
                raise GraphError(
                    f"{node.op} makes a tensor of {size} elements, more than the grader "
                    f"allows ({MAX_TENSOR_ELEMENTS})"
                )
            if not spec.is_view:
                self.elements += size
        if self.elements > MAX_TOTAL_ELEMENTS:
            raise GraphError("the graph makes more data than the grader allows")
        self.count_backward(args, kwargs)
        self.flops += _cost(spec, args, kwargs, meta)
        if self.flops > self.limit:
            raise GraphError(
                f"the graph does more work than the grader allows ({self.limit:,} FLOPs)"
            )
        self.metas["n"].append(meta)
        if not self.real:
            return
        cpu = _DEVICES["cpu"]
        real_args = [self.resolve(a, self.values, cpu) for a in node.args]
        real_kwargs = {k: self.resolve(v, self.values, cpu) for k, v in node.kwargs.items()}
        for index in _CLONE_ARGS.get(node.op, ()):
            if index < len(real_args) and isinstance(real_args[index], torch.Tensor):
                real_args[index] = real_args[index].detach().clone()
        value = _SUBSTITUTES.get(node.op, spec.overload)(*real_args, **real_kwargs)
        actual = _tensors(value)
        if len(actual) != len(results) or any(
            a.numel() > m.numel() for a, m in zip(actual, results, strict=True)
        ):
            raise GraphError(f"{node.op} gave a result the grader did not expect")
        if any(
            a.shape != m.shape or a.dtype != m.dtype for a, m in zip(actual, results, strict=True)
        ):
            # Some CPU kernels return less than their meta function says (``native_batch_norm``
            # in eval mode returns empty statistics): carry on with what really came out.
            self.corrected = True
            if isinstance(value, torch.Tensor):
                self.metas["n"][-1] = self.meta_like(value)
            else:
                self.metas["n"][-1] = [self.meta_like(t) for t in value]
        self.guard(value)
        self.values["n"].append(value)

    def count_backward(self, args: Sequence[Any], kwargs: Mapping[str, Any]) -> None:
        """What the backward through a node makes: a gradient the size of each tensor it
        takes (a one-element ``select`` of a vast ``expand`` is free forward, and writes all
        of it backward). Past the graph's data limit, refused before anything runs."""
        for value in [*args, *kwargs.values()]:
            for tensor in _tensors(value if isinstance(value, list | tuple) else [value]):
                self.backward_elements += _numel(tensor.shape)
        if self.backward_elements > MAX_TOTAL_ELEMENTS:
            raise GraphError("the graph's backward makes more data than the grader allows")

    def guard(self, value: Any) -> None:
        """The deadline holds between the backward's nodes too, not only the forward's."""
        if self.deadline == math.inf:
            return
        for tensor in _tensors(value) if isinstance(value, torch.Tensor | list | tuple) else []:
            if tensor.requires_grad and tensor.grad_fn is not None:
                tensor.register_hook(self.in_time)  # type: ignore[no-untyped-call]

    def in_time(self, grad: torch.Tensor) -> None:
        if time.monotonic() > self.deadline:
            raise GraphTimeout

    def straight_through(self, node: Node) -> torch.Tensor:
        value, base = (self.values[r.kind][r.index] for r in node.args)
        result: torch.Tensor = _StraightThrough.apply(value, base)  # type: ignore[no-untyped-call]
        return result

    def step_on_values(
        self, node: Node, spec: _OpSpec, args: list[Any], kwargs: dict[str, Any]
    ) -> None:
        """An op whose result's size depends on values: indexing with a boolean mask.

        Its size is bounded first by the worst case (every mask element true), then it
        runs for real and what came out is what the rest of the graph works with.
        """
        indices = args[1] if len(args) > 1 and isinstance(args[1], list) else []
        worst: list[Any] = []
        for index in indices:
            if isinstance(index, torch.Tensor) and index.dtype in (torch.bool, torch.uint8):
                size = max(index.numel(), 1)
                worst += [torch.empty(size, dtype=torch.int64, device=META)] * index.dim()
            else:
                worst.append(index)
        try:
            bound = spec.overload(args[0], worst, *args[2:], **kwargs)
        except Exception as exc:
            raise GraphError(
                f"the grader cannot work out the result of {node.op}: "
                f"{type(exc).__name__}: {str(exc)[:200]}"
            ) from None
        if not isinstance(bound, torch.Tensor) or bound.device != META:
            raise GraphError(f"{node.op} gave an unexpected result")
        size = _numel(bound.shape)
        if size > MAX_TENSOR_ELEMENTS or self.elements + size > MAX_TOTAL_ELEMENTS:
            raise GraphError("the graph makes more data than the grader allows")
        if not self.real:
            raise _NeedsValues
        cpu = _DEVICES["cpu"]
        real_args = [self.resolve(a, self.values, cpu) for a in node.args]
        real_kwargs = {k: self.resolve(v, self.values, cpu) for k, v in node.kwargs.items()}
        value = spec.overload(*real_args, **real_kwargs)
        if not isinstance(value, torch.Tensor) or value.numel() > size:
            raise GraphError(f"{node.op} gave a result the grader did not expect")
        meta = self.meta_like(value)
        self.elements += value.numel()
        self.count_backward(args, kwargs)
        self.flops += _cost(spec, args, kwargs, meta)
        self.metas["n"].append(meta)
        self.guard(value)
        self.values["n"].append(value)

    def execute(self) -> list[torch.Tensor]:
        if self.real and self.signature in self.graph._plans:
            plan, self.flops = self.graph._plans[self.signature]
            if self.flops > self.limit:
                raise GraphError(
                    f"the graph does more work than the grader allows ({self.limit:,} FLOPs)"
                )
            return self.execute_planned(plan)
        for node in self.graph.nodes:
            if time.monotonic() > self.deadline:
                raise GraphTimeout
            self.step(node)
            last = self.metas["n"][-1]
            self.plan.append(tuple((t.shape, t.dtype) for t in _tensors(last)))
        if self.real and self.cacheable and len(self.graph._plans) < _CACHE_SIZE:
            self.graph._plans[self.signature] = (self.plan, self.flops)
            if not self.corrected:  # then the count is the one a meta-only pass gives
                self.graph._flops.setdefault(self.signature, self.flops)
        env = self.values if self.real else self.metas
        return [env[r.kind][r.index] for r in self.graph.outputs]

    def execute_planned(
        self, plan: list[tuple[tuple[torch.Size, torch.dtype], ...]]
    ) -> list[torch.Tensor]:
        """Run for real what an earlier real run with tensors like these checked.

        The shape pass is the slow part (many meta functions are Python); what it
        found depends only on the shapes, strides and dtypes passed in, so a graph
        with no value-dependent sizes reuses it. Each result must match exactly.
        """
        cpu = _DEVICES["cpu"]
        values = self.values["n"]
        for node, expected in zip(self.graph.nodes, plan, strict=True):
            if time.monotonic() > self.deadline:
                raise GraphTimeout
            if node.op == STRAIGHT_THROUGH:
                value = self.straight_through(node)
            elif node.spec is None:
                ref, index = node.args
                value = values[ref.index][index]
            else:
                args = [self.resolve(a, self.values, cpu) for a in node.args]
                kwargs = {k: self.resolve(v, self.values, cpu) for k, v in node.kwargs.items()}
                for position in _CLONE_ARGS.get(node.op, ()):
                    if position < len(args) and isinstance(args[position], torch.Tensor):
                        args[position] = args[position].detach().clone()
                value = _SUBSTITUTES.get(node.op, node.spec.overload)(*args, **kwargs)
            if tuple((t.shape, t.dtype) for t in _tensors(value)) != expected:
                raise GraphError(f"{node.op} gave a result the grader did not expect")
            self.guard(value)
            values.append(value)
        return [self.values[r.kind][r.index] for r in self.graph.outputs]


def run(
    graph: Graph,
    params: Mapping[str, torch.Tensor],
    buffers: Mapping[str, torch.Tensor],
    inputs: Sequence[torch.Tensor],
    *,
    limit: int = MAX_FLOPS,
    deadline: float = math.inf,
) -> list[torch.Tensor]:
    """Run ``graph`` on the judge's tensors; returns its outputs.

    Autograd works as usual: pass leaves with ``requires_grad=True`` and call
    ``backward`` on (a function of) the outputs. Buffers are never written to.
    Raises ``GraphError`` when the given tensors do not match the graph's
    placeholders or the graph would exceed the limits; an operation that fails on
    the given values raises what torch raises. The FLOPs are counted node by node before
    each node runs: past ``limit`` (at most ``MAX_FLOPS``), ``GraphError``, so a graph that
    asks the judge for far more work than the reference needs is stopped before doing it.
    Past ``deadline`` (``time.monotonic()``), checked between nodes, ``GraphTimeout``.
    """
    return run_counted(graph, params, buffers, inputs, limit=limit, deadline=deadline)[0]


def run_counted(
    graph: Graph,
    params: Mapping[str, torch.Tensor],
    buffers: Mapping[str, torch.Tensor],
    inputs: Sequence[torch.Tensor],
    *,
    limit: int = MAX_FLOPS,
    deadline: float = math.inf,
) -> tuple[list[torch.Tensor], int]:
    """:func:`run`, and the FLOPs of that very run.

    Counted node by node as it runs, on the shapes the nodes really gave: where a CPU
    kernel returns another shape than its meta function says, the rest of the graph is
    counted on what came out, not on what a shape-only pass would assume. A verdict on
    work rests on this count, the work of the graph the judge ran.
    """
    runner = _Runner(graph, params, buffers, inputs, real=True, limit=limit, deadline=deadline)
    outputs = runner.execute()
    return outputs, runner.flops


def count_flops(
    graph: Graph,
    params: Mapping[str, torch.Tensor],
    buffers: Mapping[str, torch.Tensor],
    inputs: Sequence[torch.Tensor],
    *,
    limit: int = MAX_FLOPS,
    deadline: float = math.inf,
) -> int:
    """The FLOPs of one forward of ``graph`` on tensors like these, counted by the judge.

    Works on shapes only (meta tensors; for real, without grad, only when a boolean
    mask decides a size). Convolutions, matrix products and attention use
    ``torch.utils.flop_counter``'s formulas (2 per multiply-add); elementwise ops cost
    one per output element; reductions, norms, losses and softmax one per element of
    their largest tensor; sorting n log2 n of it; pooling one per output element and
    window position; views, copies, indexing and creation are free. Counted again per
    shapes passed in, cached on the graph otherwise. Past ``limit``, ``GraphError``; past
    ``deadline``, ``GraphTimeout`` (as :func:`run`).
    """
    runner = _Runner(graph, params, buffers, inputs, real=False, limit=limit, deadline=deadline)
    cached = graph._flops.get(runner.signature)
    if cached is not None:
        if cached > runner.limit:
            raise GraphError(
                f"the graph does more work than the grader allows ({runner.limit:,} FLOPs)"
            )
        return cached
    try:
        runner.execute()
    except _NeedsValues:
        with torch.no_grad():
            runner = _Runner(
                graph, params, buffers, inputs, real=True, limit=limit, deadline=deadline
            )
            runner.execute()
    if runner.cacheable and len(graph._flops) < _CACHE_SIZE:
        graph._flops[runner.signature] = runner.flops
    return runner.flops


# --------------------------------------------------------------------------- the compiler stack

_dynamo_kept_out = False


def _keep_dynamo_out() -> None:
    """Let torch's ``_disable_dynamo`` wrappers call straight through, in this process.

    Most Python meta kernels the shape pass runs (every elementwise op with type
    promotion: ``add``, ``mul``, ``where``...) are wrapped in ``torch._disable_dynamo``,
    whose first call imports ``torch._dynamo`` and the compiler stack (about a second, in
    every judge server, so in every cold ``quiz grade``) to build a wrapper that only
    matters while ``torch.compile`` traces. Outside it, that wrapper just calls the
    function, and nothing in the judge compiles: so each wrapper is given now, as the
    "disabled" function it would cache on its first call, the function itself. Same
    results, same checks; only the import is gone. Runs once; where torch's wrapper
    looks different (another version), it changes nothing and the import happens as
    before.
    """
    global _dynamo_kept_out
    if _dynamo_kept_out:
        return
    _dynamo_kept_out = True
    try:
        from torch._compile import _disable_dynamo

        code = _disable_dynamo(lambda: None).__code__
        slot = code.co_freevars.index("fn")
    except (ImportError, AttributeError, TypeError, ValueError):
        return
    for candidate in gc.get_objects():
        if type(candidate) is not types.FunctionType or candidate.__code__ is not code:
            continue
        wrapped = candidate.__closure__[slot].cell_contents  # type: ignore[index]
        if getattr(wrapped, "__dynamo_disable", None) is None:
            with contextlib.suppress(AttributeError, TypeError):
                wrapped.__dynamo_disable = wrapped


# --------------------------------------------------------------------------- live counting


class PlainDispatchMode(TorchDispatchMode):  # type: ignore[no-untyped-call]
    """A dispatch mode that keeps the compiler stack out: ``TorchDispatchMode`` by default
    wraps ``__torch_dispatch__`` in ``torch._dynamo.disable``, whose first call imports
    dynamo (over a second) in a process that compiles nothing."""

    @classmethod
    def _should_skip_dynamo(cls) -> bool:
        return False


def count_flops_live(call: Callable[..., Any], *inputs: torch.Tensor) -> int:
    """The FLOPs of ``call(*inputs)``, counted as it runs, the way ``count_flops`` counts.

    For trusted code only (a deck's reference): no graph is built, so it costs little
    more than the call itself. In-place ops count as their functional twins, as they
    appear in a traced graph.
    """
    total = 0

    class Counter(PlainDispatchMode):  # type: ignore[no-untyped-call]
        def __torch_dispatch__(
            self,
            func: Any,
            types: Any,
            args: tuple[Any, ...] = (),
            kwargs: dict[str, Any] | None = None,
        ) -> Any:
            nonlocal total
            kwargs = kwargs or {}
            out = func(*args, **kwargs)
            name = str(func)
            namespace, _, rest = name.partition(".")
            op, _, overload = rest.partition(".")
            spec = OPS.get(name) or OPS.get(f"{namespace}.{op.rstrip('_')}.{overload}")
            if spec is None and overload in ("out", "Tensor_out", "Scalar_out"):
                spec = OPS.get(f"{namespace}.{op.rstrip('_')}.default")
            if spec is not None:
                with contextlib.suppress(GraphError):
                    total += _cost(spec, list(args), kwargs, out)
            return out

    with torch.no_grad(), Counter():  # type: ignore[no-untyped-call]
        call(*inputs)
    return total
