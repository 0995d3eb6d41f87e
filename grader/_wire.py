"""Framing for the pipes between grader processes: JSON headers plus raw tensor bytes.

Nothing read from a pipe is ever unpickled: a message is a length-prefixed JSON
header and a list of byte buffers whose sizes the header declares. Tensors
travel as ``{"dtype": ..., "shape": [...]}`` plus their bytes, rebuilt with
``torch.frombuffer``. A reader caps the total size, so a hostile peer cannot
make the grader allocate without bound.
"""

from __future__ import annotations

import ctypes
import json
import os
import select
import struct
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch

_LENGTH = struct.Struct("!Q")
MAX_MESSAGE_BYTES = 256 * 1024 * 1024
MAX_HEADER_BYTES = 8 * 1024 * 1024  # JSON metadata, a traced graph included


class WireError(Exception):
    """The peer closed the pipe, sent garbage, or did not answer in time."""


class PeerClosed(WireError):
    """The other end closed the pipe (it exited)."""


class PeerTimeout(WireError):
    """The deadline passed before a whole message arrived."""


def send(fd: int, header: dict[str, Any], buffers: list[bytes] | None = None) -> None:
    """Write one message: header JSON and the buffers it declares."""
    buffers = buffers or []
    header = {**header, "_buffers": [len(b) for b in buffers]}
    head = json.dumps(header, separators=(",", ":")).encode()
    payload = b"".join([_LENGTH.pack(len(head)), head, *buffers])
    view = memoryview(payload)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _read_exactly(fd: int, size: int, deadline: float | None) -> bytes:
    chunks: list[bytes] = []
    remaining = size
    while remaining:
        if deadline is not None:
            wait = deadline - time.monotonic()
            if wait <= 0:
                raise PeerTimeout("no answer before the deadline")
            ready, _, _ = select.select([fd], [], [], wait)
            if not ready:
                raise PeerTimeout("no answer before the deadline")
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            raise PeerClosed("the other process closed the pipe")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def receive(
    fd: int, *, deadline: float | None = None, max_bytes: int = MAX_MESSAGE_BYTES
) -> tuple[dict[str, Any], list[bytes]]:
    """Read one message; raises ``WireError`` on EOF, timeout, or a malformed message."""
    header, data, _ = receive_counted(fd, deadline=deadline, max_bytes=max_bytes)
    return header, data


def receive_counted(
    fd: int,
    *,
    deadline: float | None = None,
    max_bytes: int = MAX_MESSAGE_BYTES,
    max_header_bytes: int = MAX_HEADER_BYTES,
) -> tuple[dict[str, Any], list[bytes], int]:
    """:func:`receive`, with its own bound on the header; also returns the header's size."""
    (head_size,) = _LENGTH.unpack(_read_exactly(fd, _LENGTH.size, deadline))
    # Checked before a byte of it is read: a peer cannot make this process allocate.
    if head_size > min(max_bytes, max_header_bytes, MAX_HEADER_BYTES):
        raise WireError(f"message header of {head_size:,} bytes is too large")
    try:
        header = json.loads(_read_exactly(fd, head_size, deadline))
    except (ValueError, RecursionError) as exc:  # bad UTF-8 or JSON, absurd numbers, nesting
        raise WireError(f"malformed message: {type(exc).__name__}") from None
    sizes = header.pop("_buffers", []) if isinstance(header, dict) else None
    if not isinstance(header, dict) or not isinstance(sizes, list):
        raise WireError("malformed message header")
    if not all(isinstance(s, int) and s >= 0 for s in sizes) or sum(sizes) > max_bytes:
        raise WireError("message declares an invalid or too large payload")
    return header, [_read_exactly(fd, s, deadline) for s in sizes], head_size


# --------------------------------------------------------------------------- tensors

_DTYPES = ("float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool")


def pack_tensor(tensor: torch.Tensor, buffers: list[bytes]) -> dict[str, Any]:
    """Describe ``tensor`` and append its bytes to ``buffers``; returns the description."""
    tensor = tensor.detach().cpu()
    if str(tensor.layout) != "torch.strided":  # a sparse gradient: its values, laid out dense
        tensor = tensor.to_dense()
    tensor = tensor.contiguous()
    dtype = str(tensor.dtype).removeprefix("torch.")
    converted_from = None
    if dtype not in _DTYPES:
        if tensor.is_complex():
            tensor = torch_real(tensor)
        converted_from, tensor, dtype = dtype, tensor.float().contiguous(), "float32"
    buffers.append(ctypes.string_at(tensor.data_ptr(), tensor.numel() * tensor.element_size()))
    description = {"dtype": dtype, "shape": list(tensor.shape), "buffer": len(buffers) - 1}
    if converted_from is not None:  # the receiver must know this is not what was computed
        description["converted_from"] = converted_from
    return description


def torch_real(tensor: torch.Tensor) -> torch.Tensor:
    """The real part of a complex tensor (``.float()`` would warn and do the same)."""
    return tensor.real.contiguous()


def _is_count(value: Any, largest: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= largest


def unpack_tensor(description: Any, buffers: list[bytes]) -> torch.Tensor:
    """Rebuild a tensor described by ``pack_tensor``; raises ``WireError`` if inconsistent."""
    import torch

    try:
        dtype_name = description["dtype"]
        shape = description["shape"]
        index = description["buffer"]
    except (KeyError, TypeError, IndexError):
        raise WireError("malformed tensor description") from None
    # Exact integers only: JSON may carry floats, Infinity or numbers past 64 bits.
    if not (
        isinstance(shape, list)
        and all(_is_count(d, 2**40) for d in shape)
        and _is_count(index, len(buffers) - 1)
    ):
        raise WireError("malformed tensor description")
    raw = buffers[index]
    if dtype_name not in _DTYPES:
        raise WireError(f"unsupported tensor dtype: {dtype_name!r}")
    dtype = getattr(torch, dtype_name)
    numel = 1
    for d in shape:
        numel *= d
    itemsize = torch.empty((), dtype=dtype).element_size()
    if numel * itemsize != len(raw):
        raise WireError("tensor bytes do not match its shape")
    if numel == 0:
        return torch.empty(shape, dtype=dtype)
    return torch.frombuffer(bytearray(raw), dtype=dtype).reshape(shape).clone()
