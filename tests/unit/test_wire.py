"""The framing between grader processes, through real pipes: round trips and hostile input.

A reader must get back exactly what was sent, and anything else that arrives on a pipe
(garbage, a lying header, a closed or silent peer) must end in ``WireError`` and nothing else,
without allocating what a header merely declares.
"""

from __future__ import annotations

import contextlib
import json
import os
import struct
import threading
import time
import tracemalloc
from collections.abc import Iterator
from typing import Any

import pytest
import torch
from hypothesis import example, given
from hypothesis import strategies as st

from grader._wire import (
    MAX_HEADER_BYTES,
    MAX_MESSAGE_BYTES,
    PeerClosed,
    PeerTimeout,
    WireError,
    pack_tensor,
    receive,
    send,
    unpack_tensor,
)

LENGTH = struct.Struct("!Q")
SOON = 30.0  # a deadline no healthy test comes near; it only stops a broken one hanging


@contextlib.contextmanager
def pipe() -> Iterator[tuple[int, int]]:
    read_end, write_end = os.pipe()
    try:
        yield read_end, write_end
    finally:
        for fd in (read_end, write_end):
            with contextlib.suppress(OSError):
                os.close(fd)


def deadline() -> float:
    return time.monotonic() + SOON


def through_pipe(
    header: dict[str, Any], buffers: list[bytes] | None = None, *, messages: int = 1
) -> list[tuple[dict[str, Any], list[bytes]]]:
    """Send ``messages`` copies from a writer thread (a pipe holds only 64 KiB), receive them,
    and check that nothing follows."""
    read_end, write_end = os.pipe()

    def write() -> None:
        try:
            for _ in range(messages):
                send(write_end, header, buffers)
        except BrokenPipeError:  # the reader gave up; its assertion says why
            pass
        finally:
            os.close(write_end)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        received = [receive(read_end, deadline=deadline()) for _ in range(messages)]
        with pytest.raises(PeerClosed):
            receive(read_end, deadline=deadline())
        return received
    finally:
        os.close(read_end)  # unblocks a writer stuck on a full pipe before we join it
        writer.join()


def feed(data: bytes, **kwargs: Any) -> tuple[dict[str, Any], list[bytes]]:
    """Write ``data`` (small: it must fit the pipe) and close, then receive one message."""
    with pipe() as (read_end, write_end):
        os.write(write_end, data)
        os.close(write_end)
        return receive(read_end, deadline=deadline(), **kwargs)


def frame(head: bytes, payload: bytes = b"") -> bytes:
    return LENGTH.pack(len(head)) + head + payload


# --------------------------------------------------------------------------- round trips

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)
headers = st.dictionaries(st.text().filter(lambda k: k != "_buffers"), json_values, max_size=6)


@given(header=headers, buffers=st.lists(st.binary(max_size=2000), max_size=4))
def test_headers_and_buffers_round_trip(header: dict[str, Any], buffers: list[bytes]) -> None:
    [(got_header, got_buffers)] = through_pipe(header, buffers)
    assert got_header == header
    assert got_buffers == buffers


def test_messages_back_to_back_are_read_one_at_a_time() -> None:
    received = through_pipe({"op": "evaluate", "n": 3}, [b"abc", b"", b"\x00" * 10], messages=3)
    assert received == [({"op": "evaluate", "n": 3}, [b"abc", b"", b"\x00" * 10])] * 3


def test_a_message_larger_than_the_pipe_arrives_whole() -> None:
    big = os.urandom(3 * 1024 * 1024)  # > the pipe's buffer and > one 1 MiB read
    [(header, buffers)] = through_pipe({"big": True}, [big, b"tail"])
    assert header == {"big": True}
    assert buffers == [big, b"tail"]


DTYPES = [
    torch.float32,
    torch.float64,
    torch.float16,
    torch.int64,
    torch.int32,
    torch.int16,
    torch.int8,
    torch.uint8,
    torch.bool,
]


def sample(dtype: torch.dtype, shape: tuple[int, ...]) -> torch.Tensor:
    generator = torch.Generator().manual_seed(1234)
    if dtype == torch.bool:
        return torch.randint(0, 2, shape, generator=generator).bool()
    if dtype.is_floating_point:
        return torch.randn(shape, generator=generator).to(dtype)
    info = torch.iinfo(dtype)
    return torch.randint(info.min, info.max, shape, generator=generator, dtype=dtype)


def tensors_through_pipe(*tensors: torch.Tensor) -> list[torch.Tensor]:
    buffers: list[bytes] = []
    descriptions = [pack_tensor(t, buffers) for t in tensors]
    [(header, received)] = through_pipe({"tensors": descriptions}, buffers)
    return [unpack_tensor(d, received) for d in header["tensors"]]


def assert_same(got: torch.Tensor, sent: torch.Tensor) -> None:
    assert got.dtype == sent.dtype
    assert got.shape == sent.shape
    assert torch.equal(got, sent)
    assert got.is_contiguous()


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("shape", [(), (1,), (2, 3, 5), (0,), (3, 0, 2)], ids=str)
def test_every_supported_dtype_round_trips(dtype: torch.dtype, shape: tuple[int, ...]) -> None:
    sent = sample(dtype, shape)
    [got] = tensors_through_pipe(sent)
    assert_same(got, sent)


@pytest.mark.parametrize("dtype", [torch.float16, torch.float32, torch.float64], ids=str)
def test_special_float_values_survive(dtype: torch.dtype) -> None:
    sent = torch.tensor([float("nan"), float("inf"), -float("inf"), -0.0, 1e-8], dtype=dtype)
    [got] = tensors_through_pipe(sent)
    assert got.dtype == dtype
    assert bool(torch.isnan(got[0]))
    assert got[1:3].tolist() == [float("inf"), -float("inf")]
    assert torch.signbit(got[3])  # -0.0 stays negative: the bytes travel, not the values
    assert torch.equal(got[4], sent[4])


@pytest.mark.parametrize(
    "make",
    [
        lambda: torch.arange(12.0).reshape(3, 4).T,
        lambda: torch.arange(24, dtype=torch.int64).reshape(4, 6)[:, ::2],
        lambda: torch.arange(10, dtype=torch.int16)[3:7],  # storage offset
        lambda: torch.tensor([1.0, 2.0, 3.0]).expand(4, 3),  # stride 0
        lambda: torch.ones(2, 3, requires_grad=True) * 2,  # part of a graph
        lambda: torch.arange(16.0, dtype=torch.float64).reshape(2, 2, 2, 2).permute(3, 1, 0, 2),
    ],
    ids=["transposed", "strided", "offset", "expanded", "requires_grad", "permuted"],
)
def test_non_contiguous_tensors_round_trip_by_value(make: Any) -> None:
    sent = make()
    assert not sent.is_contiguous() or sent.storage_offset() or sent.requires_grad
    [got] = tensors_through_pipe(sent)
    assert_same(got, sent.detach())
    assert not got.requires_grad


def test_several_tensors_in_one_message_keep_their_order() -> None:
    sent = [sample(torch.float32, (2, 2)), sample(torch.int8, (5,)), torch.empty(0, 4)]
    got = tensors_through_pipe(*sent)
    for g, s in zip(got, sent, strict=True):
        assert_same(g, s)


def test_an_unsupported_dtype_travels_as_float32() -> None:
    sent = torch.tensor([1.5, -2.25, 3.0], dtype=torch.bfloat16)
    [got] = tensors_through_pipe(sent)
    assert got.dtype == torch.float32
    assert got.tolist() == [1.5, -2.25, 3.0]


def test_a_complex_tensor_says_it_was_converted() -> None:
    buffers: list[bytes] = []
    description = pack_tensor(torch.tensor([1 + 2j, 3 - 1j]), buffers)
    assert description["converted_from"] == "complex64"
    assert unpack_tensor(description, buffers).tolist() == [1.0, 3.0]


def test_a_huge_declared_header_is_refused_before_any_of_it_is_read() -> None:
    """Only the 8-byte length is in the pipe: waiting for 200 MiB would hang or allocate."""
    with pipe() as (read_end, write_end):
        os.write(write_end, LENGTH.pack(200 * 1024 * 1024))
        with pytest.raises(WireError, match="too large"):
            receive(read_end, deadline=deadline())
        os.write(write_end, LENGTH.pack(MAX_HEADER_BYTES + 1))
        with pytest.raises(WireError, match="too large"):
            receive(read_end, deadline=deadline())


def test_the_rebuilt_tensor_owns_its_memory() -> None:
    buffers: list[bytes] = []
    description = pack_tensor(torch.tensor([1.0, 2.0]), buffers)
    got = unpack_tensor(description, buffers)
    got += 1  # a tensor over the (immutable) received bytes could not be written to
    assert got.tolist() == [2.0, 3.0]
    assert unpack_tensor(description, buffers).tolist() == [1.0, 2.0]


# --------------------------------------------------------------------------- closed, silent


def test_eof_before_a_message_is_peer_closed() -> None:
    with pytest.raises(PeerClosed):
        feed(b"")


@pytest.mark.parametrize(
    "data",
    [
        LENGTH.pack(10)[:5],  # inside the length
        LENGTH.pack(10) + b'{"a":',  # inside the header
        frame(b'{"_buffers":[8]}', b"1234"),  # inside a buffer
    ],
    ids=["length", "header", "buffer"],
)
def test_eof_inside_a_message_is_peer_closed(data: bytes) -> None:
    with pytest.raises(PeerClosed):
        feed(data)


def test_a_past_deadline_is_peer_timeout_without_waiting() -> None:
    # The writer stays open but silent: a read that ignored the deadline would hang.
    with pipe() as (read_end, _write_end), pytest.raises(PeerTimeout):
        receive(read_end, deadline=time.monotonic() - 1)


def test_a_future_deadline_still_gets_a_whole_message() -> None:
    with pipe() as (read_end, write_end):
        send(write_end, {"ok": True}, [b"x"])
        assert receive(read_end, deadline=deadline()) == ({"ok": True}, [b"x"])


def test_peer_errors_are_wire_errors() -> None:
    assert issubclass(PeerClosed, WireError)
    assert issubclass(PeerTimeout, WireError)


# --------------------------------------------------------------------------- garbage


def check_garbage(data: bytes, max_bytes: int = MAX_MESSAGE_BYTES) -> None:
    """``data`` then EOF: either a well-formed message or ``WireError``, never another error."""
    try:
        header, buffers = feed(data, max_bytes=max_bytes)
    except WireError:
        return
    assert isinstance(header, dict)
    assert "_buffers" not in header
    assert all(isinstance(b, bytes) for b in buffers)
    assert sum(map(len, buffers)) <= max_bytes


@given(st.binary(max_size=4000))
@example(b"\xff" * 8)  # a length of 2**64 - 1
@example(frame(b"\xff\xfe"))  # not UTF-8
@example(frame(b"[1, 2]"))  # JSON, not an object
@example(frame(b'{"_buffers": 3}'))
@example(frame(b'{"_buffers": [-1]}'))
@example(frame(b'{"_buffers": [1.5]}'))
@example(frame(b'{"_buffers": ["8"]}'))
@example(frame(b'{"_buffers": [Infinity]}'))
@example(frame(b'{"_buffers": [NaN]}'))
@example(frame(b'{"_buffers": [100000000000000000000000000]}'))
def test_arbitrary_bytes_never_raise_anything_but_wire_error(data: bytes) -> None:
    check_garbage(data)


@given(st.integers(0, 2**64 - 1), st.binary(max_size=2000))
def test_arbitrary_declared_lengths(length: int, rest: bytes) -> None:
    check_garbage(LENGTH.pack(length) + rest)


@given(st.text(max_size=500), st.binary(max_size=500))
def test_arbitrary_header_text(text: str, payload: bytes) -> None:
    check_garbage(frame(text.encode("utf-8", errors="surrogatepass"), payload))


@given(json_values, st.binary(max_size=500), st.integers(0, 2000))
def test_arbitrary_json_headers(value: Any, payload: bytes, max_bytes: int) -> None:
    head = json.dumps(value).encode()
    check_garbage(frame(head, payload), max_bytes=max_bytes)
    if isinstance(value, dict):
        lying = {**value, "_buffers": [len(payload) + 1]}  # declares more than is sent
        check_garbage(frame(json.dumps(lying).encode(), payload), max_bytes=max_bytes)


@pytest.mark.parametrize(
    "head", [b"[" * 20_000, b"1" * 5000], ids=["deeply_nested", "huge_integer"]
)
def test_headers_json_cannot_parse_are_wire_errors(head: bytes) -> None:
    with pytest.raises(WireError):
        feed(frame(head))


# --------------------------------------------------------------------------- size limits


@pytest.mark.parametrize(
    ("declared", "max_bytes"),
    [(1025, 1024), (MAX_MESSAGE_BYTES + 1, MAX_MESSAGE_BYTES), (2**64 - 1, MAX_MESSAGE_BYTES)],
    ids=["just_over", "default_limit", "largest"],
)
def test_a_header_larger_than_max_bytes_is_refused_unread(declared: int, max_bytes: int) -> None:
    with pipe() as (read_end, write_end):
        os.write(write_end, LENGTH.pack(declared) + b"{rest")  # the peer stays open
        with pytest.raises(WireError, match="too large") as raised:
            receive(read_end, deadline=deadline(), max_bytes=max_bytes)
        assert type(raised.value) is WireError  # refused, not timed out waiting for it
        assert os.read(read_end, 100) == b"{rest"  # nothing after the length was read


@pytest.mark.parametrize(
    ("sizes", "max_bytes"),
    [([2000], 1024), ([600, 600], 1024), ([MAX_MESSAGE_BYTES + 1], MAX_MESSAGE_BYTES)],
    ids=["one", "sum", "default_limit"],
)
def test_a_payload_larger_than_max_bytes_is_refused_without_allocating_it(
    sizes: list[int], max_bytes: int
) -> None:
    with pipe() as (read_end, write_end):
        os.write(write_end, frame(json.dumps({"_buffers": sizes}).encode(), b"payload"))
        tracemalloc.start()
        try:
            with pytest.raises(WireError, match="too large") as raised:
                receive(read_end, deadline=deadline(), max_bytes=max_bytes)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert type(raised.value) is WireError
        assert peak < 1024 * 1024
        assert os.read(read_end, 100) == b"payload"  # the payload was never read


def test_a_payload_of_exactly_max_bytes_is_accepted() -> None:
    head = b'{"_buffers":[15,5]}'  # 19 bytes: the header is capped separately
    payload = bytes(range(20))
    assert feed(frame(head, payload), max_bytes=20) == ({}, [payload[:15], payload[15:]])
    with pytest.raises(WireError, match="too large"):
        feed(frame(b'{"_buffers":[15,6]}', payload + b"!"), max_bytes=20)


# --------------------------------------------------------------------------- unpack_tensor


def float_buffers() -> list[bytes]:
    buffers: list[bytes] = []
    pack_tensor(torch.zeros(2, 3), buffers)  # 24 bytes
    return buffers


@pytest.mark.parametrize(
    "description",
    [
        {"dtype": "float32", "shape": [2, 2], "buffer": 0},  # 16 bytes, 24 given
        {"dtype": "float32", "shape": [7], "buffer": 0},
        {"dtype": "float64", "shape": [2, 3], "buffer": 0},  # 48 bytes
        {"dtype": "float32", "shape": [], "buffer": 0},
        {"dtype": "float32", "shape": [0], "buffer": 0},
        {"dtype": "complex64", "shape": [3], "buffer": 0},
        {"dtype": "torch.float32", "shape": [2, 3], "buffer": 0},
        {"dtype": "float", "shape": [2, 3], "buffer": 0},
        {"dtype": None, "shape": [2, 3], "buffer": 0},
        {"dtype": ["float32"], "shape": [2, 3], "buffer": 0},
        {"dtype": "float32", "shape": [-2, -3], "buffer": 0},
        {"dtype": "float32", "shape": [-1, 6], "buffer": 0},
        {"dtype": "float32", "shape": ["two", 3], "buffer": 0},
        {"dtype": "float32", "shape": None, "buffer": 0},
        {"dtype": "float32", "shape": [[2], 3], "buffer": 0},
        {"dtype": "float32", "shape": [2, 3], "buffer": 1},
        {"dtype": "float32", "shape": [2, 3], "buffer": "zero"},
        {"dtype": "float32", "shape": [2, 3]},
        {"shape": [2, 3], "buffer": 0},
        {"dtype": "float32", "buffer": 0},
        [],
        "float32",
        None,
    ],
)
def test_unpack_tensor_rejects_inconsistent_descriptions(description: Any) -> None:
    with pytest.raises(WireError):
        unpack_tensor(description, float_buffers())


def test_unpack_tensor_accepts_the_consistent_description() -> None:
    got = unpack_tensor({"dtype": "float32", "shape": [3, 2], "buffer": 0}, float_buffers())
    assert got.shape == (3, 2) and got.dtype == torch.float32


descriptions = st.fixed_dictionaries(
    {},
    optional={
        "dtype": st.sampled_from(["float32", "float64", "int8", "bool", "uint8", "complex64"])
        | json_values,
        # Dimensions stay below 2**62: larger ones are refused (tested below).
        "shape": st.lists(st.integers(-3, 2**62) | st.integers(0, 30), max_size=4) | json_values,
        "buffer": st.integers(-2, 3) | json_values,
    },
)


def finite(value: Any) -> bool:
    """Whether ``value`` holds no infinite float (those are refused, tested below)."""
    if isinstance(value, float):
        return value == value and abs(value) != float("inf")
    if isinstance(value, list):
        return all(map(finite, value))
    if isinstance(value, dict):
        return all(map(finite, value.values()))
    return True


@given(descriptions.filter(finite), st.lists(st.binary(max_size=64), max_size=3))
def test_unpack_tensor_gives_a_matching_tensor_or_wire_error(
    description: dict[str, Any], buffers: list[bytes]
) -> None:
    try:
        tensor = unpack_tensor(description, buffers)
    except WireError:
        return
    assert str(tensor.dtype).removeprefix("torch.") == description["dtype"]
    assert list(tensor.shape) == [int(d) for d in description["shape"]]
    assert tensor.numel() * tensor.element_size() == len(buffers[int(description["buffer"])])


@pytest.mark.parametrize(
    "description",
    [
        {"dtype": "float32", "shape": [float("inf")], "buffer": 0},
        {"dtype": "float32", "shape": [], "buffer": float("inf")},
        {"dtype": "float32", "shape": [2**63, 0], "buffer": 0},
    ],
    ids=["infinite_dimension", "infinite_buffer_index", "huge_dimension"],
)
def test_unpack_tensor_refuses_out_of_range_numbers(description: dict[str, Any]) -> None:
    with pytest.raises(WireError):
        unpack_tensor(description, [b""])
