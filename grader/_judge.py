"""The judge: grades one submission against the reference, in a process of its own.

A judge is forked from the warm server for each submission. Before it reads
the deck (so before the reference exists anywhere in its memory) it forks the
*contestant*, which isolates itself and runs the submitted code. The judge then
drives hypothesis: for each check it draws configurations, asks the
contestant for raw results, computes the reference's own results, and decides.
The submission never runs in the judge, so it cannot patch the comparison or
find the reference.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import inspect
import json
import math
import os
import re
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hypothesis
import torch
from hypothesis import HealthCheck, Phase, given, settings
from torch.autograd.gradcheck import GradcheckError
from torch.utils.flop_counter import FlopCounterMode

from questions import CHECK_ORDER, CodeQuestion, load_deck

from . import _graph, _sandbox, _source, _strategies, _transplant, _wire
from ._contestant import output_kind
from .report import CheckResult, Counterexample, SubmissionReport, SubmissionStatus

MAX_SOURCE_BYTES = 1_000_000
OUTPUT_KEEP = 16_000  # characters of captured stdout/stderr kept in a report


@dataclass(frozen=True)
class Job:
    """What to grade: a file, or a deck's own reference or wrong solution."""

    submission: str  # path, or "reference" / "wrong:N" when ``from_deck``
    display: str
    deck_path: str
    question_id: str
    seed: int = 0
    timeout: float = 20.0
    examples: int | None = None
    from_deck: bool = False
    hidden: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Job:
        fields = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        fields["hidden"] = tuple(fields.get("hidden", ()))
        return cls(**fields)


class Aborted(BaseException):
    """The contestant died or ran out of time: grading cannot go on.

    A BaseException, not an Exception, so that hypothesis stops at once instead
    of treating it as a failure to shrink (which would only replay the death).
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class CheckFailed(AssertionError):  # an AssertionError: hypothesis counts it as a failure
    def __init__(
        self,
        message: str,
        *,
        expected: str | None = None,
        actual: str | None = None,
        traceback: str | None = None,
        line: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.expected = expected
        self.actual = actual
        self.traceback = traceback
        self.line = line


# --------------------------------------------------------------------------- contestant


@dataclass
class ContestantEnds:
    """The judge's ends of one contestant: its socket and its stdout and stderr pipes."""

    sock: int
    out: int
    err: int
    mode: str
    notes: tuple[str, ...]

    def close(self) -> None:
        for fd in (self.sock, self.out, self.err):
            with contextlib.suppress(OSError):
                os.close(fd)


class OutputSink:
    """Drains one output pipe in a thread: keeps the head, counts the rest.

    The submission can print as much as it likes without filling a disk or
    blocking: what is past ``OUTPUT_KEEP`` bytes is read and dropped.
    """

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.head = bytearray()
        self.dropped = 0
        self.thread = threading.Thread(target=self._drain, daemon=True)
        self.thread.start()

    def _drain(self) -> None:
        while True:
            try:
                chunk = os.read(self.fd, 1 << 16)
            except OSError:
                return
            if not chunk:
                return
            room = OUTPUT_KEEP - len(self.head)
            self.head += chunk[:room]
            self.dropped += max(0, len(chunk) - room)

    def text(self) -> str:
        self.thread.join(timeout=1.0)
        text = bytes(self.head).decode("utf-8", errors="replace")
        if self.dropped:
            text += f"\n… [output cut: {self.dropped:,} more bytes not kept]"
        return text


STAGES = {
    "construct": "building the module",
    "forward": "forward",
    "backward": "backward",
    "again": "forward, called again",
    "step": "the optimiser's step",
    "graph": "the grader's run of your traced forward",
}


@dataclass
class ContestantHandle:
    sock: int
    deadline: float
    pid: int | None = None
    group: _sandbox.Group | None = None
    dead: str | None = None
    isolation: tuple[str, ...] = ()
    stage: str | None = None  # what the contestant said it was doing last
    received: int = 0  # bytes its replies carried, in all
    received_headers: int = 0  # of which in headers (decoded into Python objects)

    def ask(
        self, header: dict[str, Any], buffers: list[bytes] | None = None
    ) -> tuple[dict[str, Any], list[bytes]]:
        self.send(header, buffers)
        return self.receive_all()

    def send(self, header: dict[str, Any], buffers: list[bytes] | None = None) -> None:
        if self.dead:
            raise Aborted(self.dead)
        try:
            _wire.send(self.sock, header, buffers)
        except OSError:
            self.dead = "the submission's process exited early"
            raise Aborted(self.dead) from None

    def receive_all(self) -> tuple[dict[str, Any], list[bytes]]:
        """The reply to the request in flight; the progress notes before it set ``stage``."""
        if self.dead:
            raise Aborted(self.dead)
        try:
            while True:
                header, data, head_size = _wire.receive_counted(
                    self.sock,
                    deadline=self.deadline,
                    max_bytes=min(REPLY_BYTES, REPLIES_BYTES - self.received),
                    max_header_bytes=REPLY_HEADERS_BYTES - self.received_headers,
                )
                self.received += head_size + sum(len(b) for b in data)
                self.received_headers += head_size
                note = header.get("progress") if isinstance(header, dict) else None
                if note is None or len(header) != 1:
                    return header, data
                self.stage = note if note in STAGES else None
        except _wire.PeerTimeout:
            self.dead = "timed out"
        except _wire.PeerClosed:
            self.dead = "the submission's process exited early"
        except (_wire.WireError, OSError) as exc:
            self.dead = f"the submission's process sent a malformed reply ({exc})"
            if "too large" in str(exc) and (
                REPLIES_BYTES - self.received < REPLY_BYTES
                or REPLY_HEADERS_BYTES - self.received_headers < _wire.MAX_HEADER_BYTES
            ):
                self.dead = (
                    "the submission's process sent more than the grader keeps "
                    f"({REPLIES_BYTES >> 20} MiB in all, {REPLY_HEADERS_BYTES >> 20} MiB "
                    "of it in headers)"
                )
        raise Aborted(self.dead)

    def receive(self) -> dict[str, Any]:
        return self.receive_all()[0]

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.sock)
        if self.group is not None:
            self.group.close()


class InProcessContestant(ContestantHandle):
    """The contestant's code run in this very process, with no isolation at all.

    Only for measuring what isolation costs (``benchmarks/grade_speed.py``'s floor):
    the same requests and replies, encoded the same way, without processes between.
    """

    def __init__(self) -> None:
        from ._contestant import Contestant

        super().__init__(sock=-1, deadline=float("inf"))
        self._replies: list[tuple[dict[str, Any], list[bytes]]] = []
        self._contestant = Contestant(-1, -1)
        self._contestant.reply = self._keep  # type: ignore[method-assign]
        self._contestant.progress = self._stage  # type: ignore[method-assign]

    def _stage(self, stage: str) -> None:
        self.stage = stage

    def _keep(self, header: dict[str, Any], buffers: list[bytes] | None = None) -> None:
        self._replies.append((json.loads(json.dumps(header)), list(buffers or [])))

    def send(self, header: dict[str, Any], buffers: list[bytes] | None = None) -> None:
        request = json.loads(json.dumps(header))
        if request["op"] == "load":
            self._contestant.load(request)
        else:
            getattr(self._contestant, request["op"])(request, list(buffers or []))

    def receive_all(self) -> tuple[dict[str, Any], list[bytes]]:
        if not self._replies:
            raise Aborted("no reply")
        return self._replies.pop(0)

    def kill(self) -> None:
        pass


def grade_in_process(job: Job) -> SubmissionReport:
    """Grade with the contestant in this process: the floor that isolation adds to."""
    deck = load_deck(job.deck_path)
    question = deck.get(job.question_id)
    assert isinstance(question, CodeQuestion)
    contestant = InProcessContestant()
    checks, error = _grade_with(job, question, contestant, _submission_source(job, question))
    passed = bool(checks) and all(c.status == "pass" for c in checks)
    status: SubmissionStatus = "error" if error else ("pass" if passed else "fail")
    return SubmissionReport(
        submission=job.display,
        question=f"{deck.id}/{question.id}",
        status=status,
        checks=tuple(checks),
        seed=job.seed,
        error=error,
    )


REPLY_BYTES = 64 * 1024 * 1024
# What the judge (outside the submission's cgroup) receives from one submission in all: the
# largest total among the bank's references and wrong solutions is under 6 MB.
REPLIES_BYTES = 128 * 1024 * 1024
REPLY_HEADERS_BYTES = 16 * 1024 * 1024
_CREDENTIALS = struct.Struct("3i")  # struct ucred: pid, uid, gid


def connect_contestant(ends: ContestantEnds, timeout: float, name: str) -> ContestantHandle:
    """Wait for the contestant the cell server forked; bound it with a cgroup of its own."""
    handle = ContestantHandle(ends.sock, time.monotonic() + timeout)
    sock = socket.socket(fileno=os.dup(ends.sock))
    try:
        sock.settimeout(max(0.1, handle.deadline - time.monotonic()))
        data, ancillary, _, _ = sock.recvmsg(1, socket.CMSG_SPACE(_CREDENTIALS.size))
    except OSError:
        data, ancillary = b"", []
    finally:
        sock.close()
    pid = None
    for level, kind, payload in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
            pid = _CREDENTIALS.unpack(payload[: _CREDENTIALS.size])[0]
    if data != b"R" or not pid:
        handle.dead = "the sandbox did not start the submission's process"
        return handle
    handle.pid = pid
    group, notes = _sandbox.make_group(name, GROUP_MEMORY, GROUP_PROCESSES)
    group.add(pid)
    handle.group = group
    ready = handle.receive()
    handle.isolation = (
        f"sandbox: {ends.mode}",
        *ends.notes,
        *(str(n) for n in ready.get("isolation", []) if isinstance(n, str)),
        *notes,
    )
    return handle


TRACE_EVERY = 4
# The judge's work on one run of a submission's graph: at most this many times the
# reference's FLOPs, plus this many (see ``Grading.run_limit``).
RUN_LIMIT_TIMES = 1_000
RUN_LIMIT_FLOOR = 10**8
GROUP_MEMORY = 2048 * 1024 * 1024
GROUP_PROCESSES = 32


# --------------------------------------------------------------------------- reference


def _load_reference(question: CodeQuestion) -> Any:
    namespace: dict[str, Any] = {"__name__": "reference"}
    exec(compile(question.reference, "<reference>", "exec"), namespace)
    return namespace[question.entry_point]


@dataclass
class ReferenceResult:
    params: list[tuple[str, torch.Tensor]]
    outputs: list[torch.Tensor]
    input_grads: list[torch.Tensor | None] = field(default_factory=list)
    param_grads: list[torch.Tensor | None] = field(default_factory=list)
    eval_outputs: list[torch.Tensor] | None = None
    kind: str = "one"  # what forward returns: one tensor, a tuple or a list
    # How far the reference's own float32 gradients are from its float64 ones (largest
    # difference per tensor): rounding a correct answer summing in another order shows too.
    input_slack: list[float] = field(default_factory=list)
    param_slack: list[float] = field(default_factory=list)


_NO_DEFAULT = object()
DEFAULTS = "__defaults__"  # marks a configuration built with default arguments left out


def _defaults(reference: Any) -> dict[str, Any]:
    """The reference constructor's default argument values, by name."""
    try:
        signature = inspect.signature(reference)
    except (TypeError, ValueError):
        return {}
    return {
        name: p.default
        for name, p in signature.parameters.items()
        if p.default is not inspect.Parameter.empty
        and isinstance(p.default, int | float | bool | str)
    }


def _grad_loss(outputs: list[torch.Tensor], grad_seed: int) -> torch.Tensor:
    generator = torch.Generator().manual_seed(grad_seed)
    total = torch.zeros(())
    for o in outputs:
        if o.is_floating_point():
            total = total + (o.float() * torch.randn(o.shape, generator=generator)).sum()
    return total


def _float64_gradients(
    call: Any, inputs: list[torch.Tensor], grad_seed: int
) -> tuple[list[torch.Tensor | None], list[torch.Tensor | None]] | None:
    """The reference's input and parameter gradients computed in float64 (``call`` is a
    copy, changed in place), or None when it cannot run in float64."""
    try:
        if isinstance(call, torch.nn.Module):
            call.double()
        wide = [
            t.detach().double().requires_grad_(True) if t.is_floating_point() else t.detach()
            for t in inputs
        ]
        output = call(*wide)
        outputs = list(output) if isinstance(output, tuple | list) else [output]
        generator = torch.Generator().manual_seed(grad_seed)
        loss = torch.zeros((), dtype=torch.float64)
        for o in outputs:
            if o.is_floating_point():
                noise = torch.randn(o.shape, generator=generator).double()
                loss = loss + (o.double() * noise).sum()
        if not loss.requires_grad:
            return None
        loss.backward()  # type: ignore[no-untyped-call]
        params = (
            [p for p in call.parameters() if p.requires_grad]
            if isinstance(call, torch.nn.Module)
            else []
        )
        return [t.grad for t in wide], [p.grad for p in params]
    except Exception:  # a reference written for float32 only: no allowance for rounding
        return None


def _slack(
    narrow: list[torch.Tensor | None], wide: list[torch.Tensor | None] | None
) -> list[float]:
    """Largest |float32 - float64| per gradient (0 where either is missing)."""
    if wide is None or len(wide) != len(narrow):
        return [0.0] * len(narrow)
    return [
        float((a.double() - b).abs().max())
        if a is not None and b is not None and a.shape == b.shape and a.numel()
        else 0.0
        for a, b in zip(narrow, wide, strict=True)
    ]


def _make_distinct(params: list[torch.Tensor], generator: torch.Generator) -> None:
    """Give every parameter that starts out constant (a norm's scale of ones, a bias of
    zeros) random values of its own, in place.

    Then no two parameters hold the same values, so a wrong pairing of same-shape
    parameters cannot reproduce the reference's outputs; and scales of up to 4 with
    shifts drive activations into their clipped and saturated ranges (ReLU6's 6, a
    sigmoid's tails), where a wrong activation shows. Signs are kept: a scale stays
    positive.
    """
    with torch.no_grad():
        for param in params:
            if not param.is_floating_point() or param.numel() == 0:
                continue
            flat = param.reshape(-1)
            if not bool((flat == flat[0]).all()):
                continue  # a random initialisation: already its own
            constant = float(flat[0])
            if constant == 0.0:
                fresh = torch.randn(param.shape, generator=generator)
            else:
                fresh = constant * (0.5 + 3.5 * torch.rand(param.shape, generator=generator))
            param.copy_(fresh.to(param.dtype))


def _same_distribution(sample: torch.Tensor, reference: torch.Tensor) -> bool:
    """A two-sample Kolmogorov-Smirnov test: False only when ``sample`` is very unlikely
    (p < 1e-4) to come from the distribution ``reference`` was drawn from."""
    a = torch.sort(sample.detach().reshape(-1).double()).values
    b = torch.sort(reference.detach().reshape(-1).double()).values
    n, m = a.numel(), b.numel()
    if n == 0 or m == 0:
        return True
    points = torch.cat([a, b])
    cdf_a = torch.searchsorted(a, points, right=True).double() / n
    cdf_b = torch.searchsorted(b, points, right=True).double() / m
    statistic = float((cdf_a - cdf_b).abs().max())
    effective = math.sqrt(n * m / (n + m))
    lam = (effective + 0.12 + 0.11 / effective) * statistic
    p = 2.0 * math.fsum(
        (-1.0) ** (k - 1) * math.exp(-2.0 * k * k * lam * lam) for k in range(1, 101)
    )
    return min(max(p, 0.0), 1.0) >= 1e-4


def _weights(
    assignment: _transplant.Assignment, values: list[torch.Tensor]
) -> dict[str, torch.Tensor]:
    """The submission's parameters as ``assignment`` fills them from the reference's values."""
    weights: dict[str, torch.Tensor] = {}
    for entry in assignment:
        parts = [values[i].detach() for i in entry.refs]
        value = parts[0].clone() if len(parts) == 1 else torch.cat(parts)
        weights[entry.name] = value.reshape(entry.shape) if entry.shape else value
    return weights


def _per_reference(
    assignment: _transplant.Assignment,
    grads: Mapping[str, torch.Tensor | None],
    values: list[torch.Tensor],
) -> dict[int, torch.Tensor | None]:
    """Each reference parameter's share of the gradients of the submission's parameters."""
    shares: dict[int, torch.Tensor | None] = {}
    for entry in assignment:
        grad = grads.get(entry.name)
        sizes = [values[i].numel() for i in entry.refs]
        if grad is None or grad.numel() != sum(sizes):
            shares.update({i: None for i in entry.refs})
            continue
        flat, offset = grad.reshape(-1), 0
        for i, size in zip(entry.refs, sizes, strict=True):
            shares[i] = flat[offset : offset + size].reshape(values[i].shape)
            offset += size
    return shares


@contextlib.contextmanager
def _buffers_kept(module: Any) -> Iterator[None]:
    """Run the reference with its buffers (running statistics) as they were afterwards."""
    if not isinstance(module, torch.nn.Module):
        yield
        return
    state = dict(module.named_buffers())
    saved = {n: v.detach().clone() for n, v in state.items()}
    try:
        yield
    finally:
        with torch.no_grad():
            for name, value in saved.items():
                state[name].copy_(value)


def _first_uses(
    call: Any, params: list[torch.Tensor], inputs: list[torch.Tensor]
) -> dict[int, tuple[int, int]]:
    """Parameter index -> (operation, argument position) where a forward first uses it."""
    ids = {id(p): i for i, p in enumerate(params)}
    seen: dict[int, tuple[int, int]] = {}
    count = 0

    class Recorder(_graph.PlainDispatchMode):  # type: ignore[no-untyped-call]
        def __torch_dispatch__(
            self,
            func: Any,
            types: Any,
            args: tuple[Any, ...] = (),
            kwargs: dict[str, Any] | None = None,
        ) -> Any:
            nonlocal count
            flat = torch.utils._pytree.tree_leaves((args, kwargs or {}))
            for position, value in enumerate(flat):
                index = ids.get(id(value))
                if index is not None and index not in seen:
                    seen[index] = (count, position)
            count += 1
            return func(*args, **(kwargs or {}))

    with torch.no_grad(), Recorder():  # type: ignore[no-untyped-call]
        call(*[t.detach() for t in inputs])
    return seen


# --------------------------------------------------------------------------- grading


@dataclass
class Observation:
    """What the contestant reported for one configuration (one candidate weight copy)."""

    reply: dict[str, Any]
    outputs: list[torch.Tensor]
    input_grads: list[torch.Tensor | None]
    param_grads: dict[str, torch.Tensor | None]
    variants: dict[str, list[torch.Tensor]]
    graph: _graph.Graph | None = None
    graph_error: str | None = None
    state: dict[str, torch.Tensor] = field(default_factory=dict)
    initial_params: dict[str, torch.Tensor | None] | None = None

    @property
    def failed(self) -> str | None:
        failed: str | None = self.reply.get("failed")
        return failed

    @property
    def assignment(self) -> _transplant.Assignment | None:
        """The weight copy the contestant says it made (read, never trusted for a verdict)."""
        value = self.reply.get("assignment")
        if not isinstance(value, list):
            return None
        try:
            return [
                _transplant.Entry(
                    str(name),
                    tuple(int(i) for i in refs),
                    tuple(int(d) for d in shape) if shape else None,
                )
                for name, refs, shape in value
            ]
        except (TypeError, ValueError, OverflowError):
            return None

    def failure(self) -> CheckFailed:
        if self.reply.get("resource"):
            raise Aborted(one_line(self.reply["resource"]))
        return CheckFailed(
            one_line(self.reply.get("message", "error")),
            traceback=_text_or_none(self.reply.get("traceback")),
            line=_line_or_none(self.reply.get("line")),
        )


def _apply(function: Any, values: list[Any], *tensors: torch.Tensor) -> Any:
    """An autograd Function called as the contestant calls it: tensors, then drawn values."""
    return function.apply(*tensors, *values)


def _text_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _line_or_none(value: Any) -> int | None:
    """A line number from the submission's process: a plain positive int (not a bool), else
    None."""
    return value if type(value) is int and 0 < value < 2**31 else None


def one_line(value: Any, limit: int = 500) -> str:
    """Text from the submission's process as one line: it can never pass for a verdict line."""
    text = str(value)[:limit]
    return " ⏎ ".join(part for part in text.replace("\r", "\n").split("\n") if part.strip())


@dataclass
class JudgeRun:
    """The submission's traced graph, run by the judge with the reference's weights."""

    assignment: _transplant.Assignment | None  # the weight copy that reproduces the reference
    outputs: list[torch.Tensor]
    param_grads: dict[int, torch.Tensor | None]  # reference parameter index -> gradient
    input_grads: list[torch.Tensor | None]
    flops: int
    count: int


class Grading:
    """The checks of one submission, each run as a hypothesis search."""

    def __init__(self, job: Job, question: CodeQuestion, contestant: ContestantHandle) -> None:
        assert question.checks is not None
        self.job = job
        self.question = question
        self.checks = question.checks
        self.contestant = contestant
        self.reference = _load_reference(question)
        self.is_module = self.checks.kind == "module"
        # An optimiser's step and an autograd Function (whose backward is the point) are
        # not traced: their rules are read from the source.
        self.tracing = self.checks.kind in ("module", "function")
        self.source = ""  # the submitted text, for rules on the names it uses
        # Per configuration: the contestant's reply, its trajectory, the reference's.
        self._trajectories: dict[
            str, tuple[dict[str, Any], list[list[torch.Tensor]], list[list[torch.Tensor]]]
        ] = {}
        self._ref_cache: dict[str, ReferenceResult] = {}
        self._modules: dict[str, tuple[Any, list[tuple[str, Any]]]] = {}
        self._seen: dict[tuple[str, str, bool], Observation] = {}
        self._force_trace: set[str] = set()
        self._initial: dict[str, list[torch.Tensor]] = {}  # the reference's starting values
        self.running: str | None = None  # the check under way (named when time runs out)
        self.seconds: dict[str, float] = {}  # time spent per check on the fast path
        # Submission parameter -> reference parameter names, from a matched traced graph:
        # reused on configurations that are not traced.
        self._learned: dict[str, tuple[str, ...]] = {}
        # Set while a failure is searched check by check: then every configuration is
        # traced, so that a structural failure shrinks like any other.
        self.trace_all = False
        self._runs: dict[str, JudgeRun] = {}
        self._ref_flops: dict[str, int] = {}
        self.strategy = _strategies.config_strategy(self.checks)
        self.edges = _strategies.edge_configs(self.checks)
        self._defaults = _defaults(self.reference)
        # The edges once more, built without the arguments whose value is the default.
        for edge in list(self.edges):
            if any(self._defaults.get(k, _NO_DEFAULT) == v for k, v in edge.items()):
                self.edges.append({**edge, DEFAULTS: True})

    def init_args(self, config: dict[str, Any]) -> dict[str, Any]:
        """The constructor's arguments, leaving out those drawn equal to their default.

        Only for configurations marked ``DEFAULTS`` (the edges, tried a second time): so
        the submission's own defaults are exercised, and ``kernel_size=5`` where the
        question says 3 shows.
        """
        args = _strategies.init_args(self.checks, config)
        if not config.get(DEFAULTS):
            return args
        return {k: v for k, v in args.items() if self._defaults.get(k, _NO_DEFAULT) != v}

    def _defaulted(self, config: dict[str, Any]) -> str:
        left_out = sorted(
            set(_strategies.init_args(self.checks, config)) - set(self.init_args(config))
        )
        if not left_out:
            return ""
        return f" (built without {', '.join(left_out)}: your default was used)"

    @staticmethod
    def key(config: dict[str, Any]) -> str:
        return json.dumps(config, sort_keys=True, default=str)

    def _reference_module(self, config: dict[str, Any]) -> tuple[Any, list[tuple[str, Any]]]:
        """The reference, built for ``config`` (cheap), and its trainable parameters."""
        key = self.key(config)
        if key not in self._modules:
            # Only the CPU generator: torch.manual_seed also seeds (lazily) every accelerator.
            torch.default_generator.manual_seed(_strategies.config_seed(config, self.job.seed))
            if self.is_module:
                module = self.reference(**self.init_args(config))
                params = [(n, p) for n, p in module.named_parameters() if p.requires_grad]
                self._initial[key] = [p.detach().clone() for _, p in params]
                seed = _strategies.config_seed(config, self.job.seed) ^ 0xD157
                _make_distinct([p for _, p in params], torch.Generator().manual_seed(seed))
                self._modules[key] = (module, params)
            else:
                args = self.init_args(config)
                call = functools.partial(self.reference, **args) if args else self.reference
                if self.checks.kind == "autograd_function":  # positional arguments only
                    call = functools.partial(_apply, self.reference, list(args.values()))
                self._modules[key] = (call, [])
        return self._modules[key]

    def ref(self, config: dict[str, Any]) -> ReferenceResult:
        """The reference's outputs, FLOPs and gradients for ``config``."""
        key = self.key(config)
        if key not in self._ref_cache:
            seed = _strategies.config_seed(config, self.job.seed)
            call, params = self._reference_module(config)
            inputs = _strategies.make_inputs(self.checks, config, self.job.seed)
            for t in inputs:
                if t.is_floating_point():
                    t.requires_grad_(True)
            # Taken before the forward below changes any running statistics.
            wide_call = copy.deepcopy(call) if isinstance(call, torch.nn.Module) else call
            if self.checks.dropout is not None:  # the mask the contestant's seed draws too
                torch.default_generator.manual_seed(seed)
            output = call(*inputs)
            outputs = list(output) if isinstance(output, tuple | list) else [output]
            result = ReferenceResult(params, [o.detach() for o in outputs])
            result.kind = output_kind(output)
            loss = _grad_loss(outputs, seed)
            if loss.requires_grad:
                loss.backward()  # type: ignore[no-untyped-call]
            result.input_grads = [t.grad for t in inputs]
            result.param_grads = [p.grad for _, p in params]
            # A random forward draws another mask in float64: no measure of rounding there.
            wide = (
                None
                if self.checks.dropout is not None
                else _float64_gradients(wide_call, inputs, seed)
            )
            result.input_slack = _slack(result.input_grads, wide[0] if wide else None)
            result.param_slack = _slack(result.param_grads, wide[1] if wide else None)
            if isinstance(call, torch.nn.Module):
                call.eval()
                with torch.no_grad():
                    again = call(*[t.detach() for t in inputs])
                call.train()
                result.eval_outputs = [
                    o.detach() for o in (again if isinstance(again, tuple | list) else [again])
                ]
            self._ref_cache[key] = result
        return self._ref_cache[key]

    def ref_flops(self, config: dict[str, Any]) -> int:
        """The reference's FLOPs, counted as it runs, the way the submission's graph is."""
        key = self.key(config)
        if key not in self._ref_flops:
            call, _ = self._reference_module(config)
            inputs = _strategies.make_inputs(self.checks, config, self.job.seed)
            self._ref_flops[key] = self._count_reference(call, inputs)
        return self._ref_flops[key]

    def run_limit(self, config: dict[str, Any]) -> int:
        """The most FLOPs the judge spends on one run of a submission's graph: far more than
        any answer the flops check passes needs, and bounded, so a graph cannot keep the
        judge busy past the submission's time (an op may cost more time per counted FLOP
        than a convolution: attention about 10 times)."""
        return RUN_LIMIT_TIMES * self.ref_flops(config) + RUN_LIMIT_FLOOR

    def _count_reference(self, call: Any, inputs: list[torch.Tensor]) -> int:
        plain = [t.detach() for t in inputs]
        if not isinstance(call, torch.nn.Module):
            return _graph.count_flops_live(call, *plain)
        state = dict(call.named_buffers())
        saved = {n: v.detach().clone() for n, v in state.items()}
        try:
            return _graph.count_flops_live(call, *plain)
        finally:
            with torch.no_grad():
                for name, value in saved.items():
                    state[name].copy_(value)

    def observe(
        self, config: dict[str, Any], assignment: _transplant.Assignment | None = None
    ) -> Observation:
        """The contestant's results for ``config``, with the reference's weights copied in as
        ``assignment`` says (its own natural pairing when None, traced where planned)."""
        trace = assignment is None and self.traced(config) and self.tracing
        chosen = json.dumps([e.to_json() for e in assignment]) if assignment is not None else ""
        cache_key = (self.key(config), chosen, trace)
        if cache_key not in self._seen:
            seed = _strategies.config_seed(config, self.job.seed)
            buffers: list[bytes] = []
            inputs = [
                _wire.pack_tensor(t, buffers)
                for t in _strategies.make_inputs(self.checks, config, self.job.seed)
            ]
            weights = [_wire.pack_tensor(p, buffers) for _, p in self._reference_module(config)[1]]
            self.contestant.send(
                {
                    "op": "evaluate",
                    "args": self.init_args(config),
                    "seed": seed,
                    "grad_seed": seed,
                    "inputs": inputs,
                    "weights": weights,
                    "joins": self.joins(config),
                    "assignment": json.loads(chosen) if chosen else None,
                    "trace": trace,
                    "initial": trace,
                    "initial_params": trace and bool(self.checks.initial),
                    "variants": True,
                    "forward_seed": seed if self.checks.dropout is not None else None,
                },
                buffers,
            )
            self.ref(config)  # computed while the contestant works: the two run in parallel
            reply, data = self.contestant.receive_all()
            try:
                self._seen[cache_key] = _observation(reply, data)
            except (_wire.WireError, KeyError, TypeError, ValueError, AttributeError) as exc:
                self.contestant.dead = f"the submission's process sent a malformed reply ({exc})"
                raise Aborted(self.contestant.dead) from None
        return self._seen[cache_key]

    def joins(self, config: dict[str, Any]) -> list[list[int]]:
        """The question's declared stackings, as reference parameter indices."""
        names = [n for n, _ in self._reference_module(config)[1]]
        return [
            [names.index(n) for n in join]
            for join in self.checks.joins
            if all(n in names for n in join)
        ]

    def _close(
        self,
        actual: list[torch.Tensor],
        expected: list[torch.Tensor],
        scale: float = 1.0,
        slack: float = 0.0,
    ) -> bool:
        return len(actual) == len(expected) and all(
            a.shape == e.shape
            and (
                torch.allclose(
                    a.to(e.dtype),
                    e,
                    atol=self.checks.atol * scale + slack,
                    rtol=self.checks.rtol * scale,
                    equal_nan=True,
                )
                if e.is_floating_point()
                # Integer and bool results (indices, counts, masks) match exactly, dtype too.
                else a.dtype == e.dtype and torch.equal(a, e)
            )
            for a, e in zip(actual, expected, strict=True)
        )

    def _seen_keys(self) -> set[str]:
        return {key for key, _, _ in self._seen}

    def traced(self, config: dict[str, Any]) -> bool:
        """Whether ``config``'s forward is traced: the edges, and about one in TRACE_EVERY.

        Tracing costs ~10 ms a configuration, more than the rest of a check. Which ones
        are traced depends on the run's seed, unknown to the submission until asked.
        """
        if not self.tracing:
            return False
        if self.trace_all or config in self.edges[:2]:  # also every value lowest, highest
            return True
        if self.key(config) in self._force_trace:  # its weights could not be matched untraced
            return True
        return _strategies.config_seed(config, self.job.seed ^ 0x5EED) % TRACE_EVERY == 0

    def judge_run(self, config: dict[str, Any], *, needed: bool = True) -> JudgeRun | None:
        """Run the submission's graph here, with the reference's weights and inputs.

        None for a configuration that is not traced, or whose forward could not be
        traced when the check can do without (``needed`` False: outputs and gradients
        are then compared as the submission's own process computed them).
        """
        if not self.traced(config):
            return None
        key = self.key(config)
        if key in self._runs:
            return self._runs[key]
        observation = self.observe(config)
        if observation.failed in ("construct", "forward"):
            raise observation.failure()
        graph = observation.graph
        if graph is None and not needed and observation.reply.get("trace_error"):
            return None
        if graph is None:
            raise CheckFailed(
                f"the grader cannot check this forward: {observation.graph_error}",
                expected="a forward made of PyTorch operations",
                actual=str(observation.graph_error),
            )
        reference = self.ref(config)
        ref_params = reference.params
        inputs = _strategies.make_inputs(self.checks, config, self.job.seed)
        count = sum(math.prod(shape) for _, shape in graph.params)
        found = _transplant.groups(
            [tuple(p.shape) for _, p in ref_params], graph.params, self.joins(config)
        )
        if self.is_module and found is None:
            # No weight copy fits, so nothing to compare; the graph's FLOPs still count,
            # on tensors of its own shapes (counting needs shapes, not values).
            own = {
                str(p.name): torch.zeros(p.shape, dtype=p.dtype)
                for p in graph.placeholders
                if p.role == "param"
            }
            try:
                flops = _graph.count_flops(
                    graph,
                    own,
                    dict(observation.state),
                    inputs,
                    limit=self.run_limit(config),
                    deadline=self.contestant.deadline,
                )
            except _graph.GraphTimeout:
                self.contestant.dead, self.contestant.stage = "timed out", "graph"
                raise Aborted(self.contestant.dead) from None
            except _graph.GraphError as exc:
                raise CheckFailed(f"the grader cannot check this forward: {exc}") from None
            except Exception as exc:  # sized for real (a mask), it fails on these values
                raise CheckFailed(
                    f"the traced forward fails when run: {type(exc).__name__}: {exc}"[:500]
                ) from None
            run = JudgeRun(None, [], {}, [], flops, count)
            self._runs[key] = run
            return run
        found = found or []
        state = dict(observation.state)
        values = [p.detach() for _, p in ref_params]
        tries = [_transplant.pair(found)]
        ambiguous = any(len(g.names) > 1 for g in found)
        if ambiguous:
            # Same-shape parameters: first in the order the forwards use them, then in the
            # order they were created, then found one by one (``_probe``).
            used = graph.first_uses()
            ref_used = self._reference_first_uses(config)
            ordered = _transplant.pair(
                found,
                sub_order=lambda n: used.get(n, (len(used) + 1, 0)),
                ref_order=lambda r: ref_used.get(r[0], (len(ref_used) + 1, 0)),
            )
            if ordered != tries[0]:
                tries.insert(0, ordered)
        first: JudgeRun | None = None
        for attempt in range(len(tries) + ambiguous):
            if attempt == len(tries):
                probed = self._probe(config, graph, found, state, inputs)
                if probed is None or probed in tries:
                    break
                tries.append(probed)
            run = self._run_graph(graph, tries[attempt], values, state, inputs, config, count)
            first = first or run
            if self._close(run.outputs, reference.outputs):
                self._runs[key] = run
                self._learn(tries[attempt], ref_params)
                return run
        assert first is not None
        first.assignment = None
        self._runs[key] = first
        return first

    def _run_graph(
        self,
        graph: _graph.Graph,
        assignment: _transplant.Assignment,
        values: list[torch.Tensor],
        state: dict[str, torch.Tensor],
        inputs: list[torch.Tensor],
        config: dict[str, Any],
        count: int,
    ) -> JudgeRun:
        """Run the graph with the reference's weights copied in as ``assignment``, with
        gradients and FLOPs."""
        weights = {n: w.requires_grad_(True) for n, w in _weights(assignment, values).items()}
        leaves = [t.clone().requires_grad_(t.is_floating_point()) for t in inputs]
        try:
            # The FLOPs are counted node by node before each node runs: a graph that asks for
            # far more work than the reference needs is refused before the judge does it.
            # The count is that of this run, on the shapes its nodes really gave.
            outputs, flops = _graph.run_counted(
                graph,
                weights,
                state,
                leaves,
                limit=self.run_limit(config),
                deadline=self.contestant.deadline,
            )
        except _graph.GraphTimeout:
            self.contestant.dead, self.contestant.stage = "timed out", "graph"
            raise Aborted(self.contestant.dead) from None
        except _graph.GraphError as exc:
            raise CheckFailed(
                f"the grader cannot check this forward: {exc}",
                expected="a forward made of PyTorch operations",
                actual=str(exc),
            ) from None
        except Exception as exc:  # the graph fails when the judge runs it
            raise CheckFailed(
                f"the traced forward fails when run: {type(exc).__name__}: {exc}"[:500]
            ) from None
        loss = _grad_loss(outputs, _strategies.config_seed(config, self.job.seed))
        if loss.requires_grad:
            try:  # the graph's nodes hold the deadline between the backward's steps too
                loss.backward()  # type: ignore[no-untyped-call]
            except _graph.GraphTimeout:
                self.contestant.dead, self.contestant.stage = "timed out", "graph"
                raise Aborted(self.contestant.dead) from None
            except Exception as exc:
                raise CheckFailed(
                    f"the traced forward's backward fails when run: {type(exc).__name__}: {exc}"[
                        :500
                    ]
                ) from None
        grads = {n: w.grad for n, w in weights.items()}
        return JudgeRun(
            assignment,
            [o.detach() for o in outputs],
            _per_reference(assignment, grads, values),
            [t.grad for t in leaves],
            flops,
            count,
        )

    def _reference_first_uses(self, config: dict[str, Any]) -> dict[int, tuple[int, int]]:
        """Reference parameter index -> (operation, argument position) of its first use."""
        module, params = self._reference_module(config)
        inputs = _strategies.make_inputs(self.checks, config, self.job.seed)
        with _buffers_kept(module):
            return _first_uses(module, [p for _, p in params], inputs)

    def _probe(
        self,
        config: dict[str, Any],
        graph: _graph.Graph,
        found: list[_transplant.Group],
        state: dict[str, torch.Tensor],
        inputs: list[torch.Tensor],
    ) -> _transplant.Assignment | None:
        """Find which same-shape parameter is which, one reference parameter at a time.

        Every group's parameters are first given one value (the group's last member's),
        so that how a group is paired cannot matter; then one reference parameter at a time
        takes its own value (the rest of its group another member's), and the submission's
        parameter that reproduces the reference's outputs when given that value is its
        match. Every member is probed, the last one too, so that a member with no effect on
        this configuration (a LayerNorm weight over one element) cannot shift the pairing of
        the others; members with no effect are paired last, with what is left. At most
        k(k+1)/2 runs of the graph for a group of k. None when some reference parameter
        that changes the outputs has no match.
        """
        module, params = self._reference_module(config)
        names = [n for n, _ in params]
        values = [p.detach() for _, p in params]
        tie = list(values)
        for group in found:
            if len(group.names) > 1:
                for refs in group.indices:
                    tie[refs[0]] = values[group.indices[-1][0]].reshape(values[refs[0]].shape)
        plain = [t.detach() for t in inputs]

        def reference(given: list[torch.Tensor]) -> list[torch.Tensor]:
            with torch.no_grad(), _buffers_kept(module):
                out = torch.func.functional_call(
                    module, dict(zip(names, given, strict=True)), tuple(plain)
                )
            return [o.detach() for o in (out if isinstance(out, tuple | list) else [out])]

        def submission(
            assignment: _transplant.Assignment, given: list[torch.Tensor]
        ) -> list[torch.Tensor] | None:
            try:
                with torch.no_grad():
                    return _graph.run(
                        graph,
                        _weights(assignment, given),
                        state,
                        plain,
                        limit=self.run_limit(config),
                        deadline=self.contestant.deadline,
                    )
            except Exception:  # a pairing the graph cannot run with is no match
                return None

        base = reference(tie)
        assignment: _transplant.Assignment = []
        for group in found:
            if len(group.names) == 1:
                assignment.append(_transplant.Entry(group.names[0], group.indices[0], group.shape))
                continue
            left = list(group.names)
            matched: list[tuple[int, ...]] = []
            rest = [e for e in _transplant.pair(found) if e.name not in group.names]
            bases: dict[tuple[int, ...], list[torch.Tensor]] = {group.indices[-1]: base}
            for refs in group.indices:
                # The rest of the group holds one other member's value.
                holder = group.indices[-1] if refs != group.indices[-1] else group.indices[0]
                tied = list(tie)
                for member in group.indices:
                    tied[member[0]] = values[holder[0]].reshape(values[member[0]].shape)
                if holder not in bases:
                    bases[holder] = reference(tied)
                tie_now = list(tied)
                tie_now[refs[0]] = values[refs[0]]
                expected = reference(tie_now)
                if self._close(expected, bases[holder]):
                    continue  # no effect here: paired last, with what is left
                for name in left:
                    trial = [
                        *rest,
                        _transplant.Entry(name, refs, group.shape),
                        *(
                            _transplant.Entry(other, holder, group.shape)
                            for other in group.names
                            if other != name
                        ),
                    ]
                    got = submission(trial, tie_now)
                    if got is not None and self._close(got, expected):
                        assignment.append(_transplant.Entry(name, refs, group.shape))
                        left.remove(name)
                        matched.append(refs)
                        break
                else:
                    return None
            rest_refs = [r for r in group.indices if r not in matched]
            assignment += [
                _transplant.Entry(n, r, group.shape) for n, r in zip(left, rest_refs, strict=True)
            ]
        return assignment

    def _learn(self, assignment: _transplant.Assignment, ref_params: list[tuple[str, Any]]) -> None:
        for entry in assignment:
            self._learned[entry.name] = tuple(ref_params[i][0] for i in entry.refs)

    def _learned_assignment(
        self, config: dict[str, Any], observation: Observation
    ) -> _transplant.Assignment | None:
        """The pairing found on a traced configuration, by name, if it fits this one."""
        params = observation.reply.get("params")
        if not self._learned or not isinstance(params, list):
            return None
        ref_params = self._reference_module(config)[1]
        index = {n: i for i, (n, _) in enumerate(ref_params)}
        shapes = [tuple(p.shape) for _, p in ref_params]
        try:
            own = [(str(n), tuple(int(d) for d in shape)) for n, shape in params]
            value: list[list[Any]] = []
            for name, shape in own:
                refs = [index[r] for r in self._learned[name]]
                exact = len(refs) > 1 or shapes[refs[0]] == shape
                value.append([name, refs, None if exact else list(shape)])
            return _transplant.from_json(value, shapes, own)
        except (KeyError, ValueError, TypeError, OverflowError, IndexError):
            return None

    def with_reference_weights(self, config: dict[str, Any]) -> Observation:
        """The contestant's observation with the weight copy that reproduces the reference."""
        first = self.observe(config)
        if first.failed in ("construct", "forward"):
            raise first.failure()
        if self.is_module and not first.reply.get("matched"):
            self._no_match(config, first)
        if self.checks.dropout is not None:
            # A random forward: the graph the judge runs would draw its own mask, so the
            # contestant's own weight copy is compared (by its statistics, if need be).
            return first
        run = self.judge_run(config)
        if run is None:
            # Not traced: the contestant's own pairing, then one learned on a traced
            # configuration, then this configuration traced after all.
            expected = self.ref(config).outputs
            if not self.is_module or self._close(first.outputs, expected):
                return first
            learned = self._learned_assignment(config, first)
            if learned is not None and learned != first.assignment:
                other = self.observe(config, learned)
                if other.failed in (None, "backward") and self._close(other.outputs, expected):
                    return other
            self._force_trace.add(self.key(config))
            run = self.judge_run(config)
        if run is None or run.assignment is None or run.assignment == first.assignment:
            return first
        return self.observe(config, run.assignment)

    def _no_match(self, config: dict[str, Any], observation: Observation) -> None:
        shapes = observation.graph.params if observation.graph else []
        raise CheckFailed(
            "cannot copy the reference's weights in: the parameter shapes do not match "
            "the reference's",
            expected=str([tuple(p.shape) for _, p in self.ref(config).params]),
            actual=str([tuple(s) for _, s in shapes]),
        )

    # ---------------------------------------------------------------- the checks

    def check_all(self, config: dict[str, Any]) -> None:
        """Every planned check at once: the fast path for a submission that passes."""
        for name in self.planned:
            self.running = name
            started = time.monotonic()
            try:
                getattr(self, f"check_{name}")(config)
            finally:
                self.seconds[name] = self.seconds.get(name, 0.0) + time.monotonic() - started

    planned: tuple[str, ...] = ()

    def check_construct(self, config: dict[str, Any]) -> None:
        observation = self.observe(config)
        if observation.failed == "construct":
            raise observation.failure()

    def check_parameters(self, config: dict[str, Any]) -> None:
        observation = self.observe(config)
        if observation.failed == "construct":
            raise observation.failure()
        expected = sum(p.numel() for _, p in self.ref(config).params)
        run = self.judge_run(config) if observation.graph is not None else None
        if run is not None:
            count = run.count
        else:
            # No graph: not traced (a traced configuration decides), or the forward fails,
            # which output_shape reports. Either way this number cannot make it pass.
            reported = observation.reply.get("count")
            count = reported if type(reported) is int else -1
        if count != expected:
            raise CheckFailed(
                f"expected {expected:,} trainable parameters, got {count:,}",
                expected=f"{expected:,}",
                actual=f"{count:,}",
            )

    def check_rules(self, config: dict[str, Any]) -> None:
        """No call the prompt rules out: by name in the source, and in the traced forward
        the judge runs; an autograd Function must keep its own backward."""
        if self.checks.kind == "autograd_function":
            problem = _source.function_problem(self.source, self.question.entry_point)
            if problem:
                raise CheckFailed(
                    problem,
                    expected="a torch.autograd.Function with forward and backward of its own",
                    actual=problem,
                )
        for rule in self.checks.forbid:
            used = _source.forbidden_use(self.source, rule.names)
            if used:
                raise CheckFailed(
                    f"uses {rule.call}, which this question asks you not to use "
                    f"(your code names {used})",
                    expected=f"no {rule.call}",
                    actual=used,
                )
        if not self.tracing:
            return
        observation = self.observe(config)
        graph = observation.graph
        if graph is None:  # not traced here (the edges always are), or it failed: others say
            return
        ops = graph.ops
        for rule in self.checks.forbid:
            found = [op for op in ops if any(op == o or op.startswith(o + ".") for o in rule.ops)]
            if found:
                raise CheckFailed(
                    f"calls {rule.call}, which this question asks you not to use "
                    f"(your traced forward runs {found[0]})",
                    expected=f"no {rule.call}",
                    actual=found[0],
                )

    def check_initial(self, config: dict[str, Any]) -> None:
        """Parameters the prompt says how to initialise start as the reference's do."""
        observation = self.observe(config)
        if observation.failed == "construct":
            raise observation.failure()
        own = observation.initial_params
        if own is None:  # sent with traced configurations only (the edges always are)
            return
        run = self.judge_run(config, needed=False)
        assignment = (run.assignment if run is not None else None) or observation.assignment
        if not assignment:
            return
        names = [n for n, _ in self._reference_module(config)[1]]
        starts = self._initial[self.key(config)]
        shares = _per_reference(assignment, own, starts)
        by_reference = {i: e.name for e in assignment for i in e.refs}
        for wanted in self.checks.initial:
            if wanted not in names:
                continue
            index = names.index(wanted)
            actual, start = shares.get(index), starts[index]
            label = f"parameter {by_reference.get(index, wanted)!r}"
            if actual is None:
                raise CheckFailed(f"{label} has no starting values to compare")
            flat = start.reshape(-1)
            if bool((flat == flat[0]).all()):
                constant = float(flat[0])
                if not torch.allclose(actual, start, atol=1e-6, rtol=0):
                    raise CheckFailed(
                        f"{label} should start at {constant:g} everywhere, as the question "
                        f"says; it starts between {float(actual.min()):.3g} and "
                        f"{float(actual.max()):.3g}",
                        expected=f"all {constant:g}",
                        actual=f"{float(actual.min()):.3g} .. {float(actual.max()):.3g}",
                    )
            elif not _same_distribution(actual, self._initial_samples(config, index)):
                raise CheckFailed(
                    f"{label} does not start with values drawn like the reference's "
                    f"(mean {float(actual.mean()):.3g}, std {float(actual.std()):.3g} against "
                    f"{float(start.mean()):.3g}, {float(start.std()):.3g})",
                    expected="the initialisation the question asks for",
                    actual="another distribution",
                )

    def _initial_samples(self, config: dict[str, Any], index: int) -> torch.Tensor:
        """Starting values of reference parameter ``index`` from several fresh builds."""
        samples = []
        for draw in range(8):
            torch.default_generator.manual_seed(
                _strategies.config_seed(config, self.job.seed) + 7919 * (draw + 1)
            )
            module = self.reference(**self.init_args(config))
            params = [p for p in module.parameters() if p.requires_grad]
            samples.append(params[index].detach().reshape(-1))
        return torch.cat(samples)

    def check_output_shape(self, config: dict[str, Any]) -> None:
        observation = self.observe(config)
        if observation.failed in ("construct", "forward"):
            raise observation.failure()

        def show(shapes: list[tuple[int, ...]]) -> str:
            return str(shapes[0]) if len(shapes) == 1 else str(shapes)

        reference = self.ref(config)
        converted = [
            str(d.get("converted_from"))
            for d in observation.reply.get("outputs") or []
            if isinstance(d, dict) and d.get("converted_from")
        ]
        if converted:
            wanted = ", ".join(str(o.dtype).removeprefix("torch.") for o in reference.outputs)
            raise CheckFailed(
                f"forward returns {converted[0]} values, where the reference returns {wanted}",
                expected=wanted,
                actual=converted[0][:40],
            )
        kind = observation.reply.get("output_kind")
        if kind != reference.kind:
            what = {"one": "a tensor", "tuple": "a tuple of tensors", "list": "a list of tensors"}
            raise CheckFailed(
                f"forward returns {what.get(str(kind), 'something else')}, "
                f"where the reference returns {what[reference.kind]}",
                expected=what[reference.kind],
                actual=what.get(str(kind), str(kind)[:40]),
            )
        expected = [tuple(o.shape) for o in reference.outputs]
        actual = [tuple(o.shape) for o in observation.outputs]
        if expected != actual:
            raise CheckFailed(
                f"expected output shape {show(expected)}, got {show(actual)}",
                expected=show(expected),
                actual=show(actual),
            )

    def check_outputs(self, config: dict[str, Any]) -> None:
        observation = self.with_reference_weights(config)
        if self.checks.dropout is not None:
            self._check_dropout_outputs(config, observation)
            return
        reference = self.ref(config)
        expected = reference.outputs
        run = self.judge_run(config, needed=False)
        compared = [("", observation.outputs)]
        if run is not None:
            compared.append((" when the grader runs your traced forward", run.outputs))
        copied = " with the reference's weights copied in" if reference.params else ""
        for what, actual in compared:
            if not self._close(actual, expected):
                mismatch = _exact_mismatch(actual, expected)
                if mismatch:
                    raise CheckFailed(mismatch[0], expected=mismatch[1], actual=mismatch[2])
                broken = _non_finite(actual, expected)
                if broken:
                    raise CheckFailed(
                        f"your output contains {broken}{copied}{what}, where the reference's "
                        "is finite",
                        expected="finite values like the reference's",
                        actual=broken,
                    )
                worst = _worst(actual, expected)
                raise CheckFailed(
                    f"outputs differ from the reference's by up to {worst:.3g}{copied}{what} "
                    f"(atol={self.checks.atol:g}, rtol={self.checks.rtol:g})",
                    expected="the reference's output",
                    actual=f"max |difference| {worst:.3g}",
                )
        if observation.failed == "backward":
            return  # the forward again is run after backward: gradients reports this one
        variants = observation.variants
        initial = observation.reply.get("initial_outputs")
        if (
            isinstance(initial, list)
            and all(bool(torch.isfinite(o).all()) for o in expected if o.is_floating_point())
            and not all(bool(torch.isfinite(o).all()) for o in initial if o.is_floating_point())
        ):
            raise CheckFailed(
                "with its own initial weights (before the reference's are copied in) forward "
                "gives inf or nan",
                expected="finite outputs from a freshly built module",
                actual="inf or nan",
            )
        wanted = [
            ("again", expected, "a second call of forward on the same module"),
            ("no_grad", expected, "forward under torch.no_grad()"),
        ]
        if reference.eval_outputs is not None and self._close(reference.eval_outputs, expected):
            wanted.append(("eval", expected, "forward after .eval()"))
        for name, want, how in wanted:
            if name not in variants:
                raise CheckFailed(f"{how} gave no result", expected="the reference's output")
            if not self._close(variants[name], want):
                raise CheckFailed(
                    f"{how} gives a different result (by up to {_worst(variants[name], want):.3g})",
                    expected="the reference's output",
                    actual="a different output",
                )

    def check_gradients(self, config: dict[str, Any]) -> None:
        observation = self.with_reference_weights(config)
        if observation.failed == "backward":
            raise observation.failure()
        reference = self.ref(config)
        if self.checks.dropout is not None and not self._close(
            observation.outputs, reference.outputs
        ):
            self._check_dropout_gradients(config, observation)
            return
        run = None if self.checks.dropout is not None else self.judge_run(config, needed=False)
        # Every reference parameter needs its gradient, from the graph the judge ran...
        for index, expected in enumerate(reference.param_grads if run is not None else []):
            assert run is not None
            self._compare_grad(
                f"parameter {reference.params[index][0]!r} (as traced)",
                run.param_grads.get(index),
                expected,
                _at(reference.param_slack, index),
            )
        # ... and from the submission's own backward, for every parameter it matched.
        assignment = observation.assignment or []
        values = [p.detach() for _, p in reference.params]
        own = _per_reference(assignment, observation.param_grads, values)
        by_reference = {i: e.name for e in assignment for i in e.refs}
        for index, expected in enumerate(reference.param_grads):
            name = by_reference.get(index)
            self._compare_grad(
                f"parameter {name or index!r}",
                own.get(index),
                expected,
                _at(reference.param_slack, index),
            )
        sources = [("", observation.input_grads)]
        if run is not None:
            sources.append((" (as traced)", run.input_grads))
        for source, grads in sources:
            if len(grads) != len(reference.input_grads):
                raise CheckFailed(
                    f"expected {len(reference.input_grads)} input gradients{source}, "
                    f"got {len(grads)}",
                    expected=str(len(reference.input_grads)),
                    actual=str(len(grads)),
                )
            names = list(self.checks.inputs)
            for index, (actual, expected) in enumerate(
                zip(grads, reference.input_grads, strict=True)
            ):
                if expected is None and actual is not None and bool((actual != 0).any()):
                    raise CheckFailed(
                        f"input {names[index]!r}{source} gets a gradient, where the "
                        "reference's output does not depend on it through autograd (is "
                        "something not detached?)",
                        expected="no gradient",
                        actual="a gradient",
                    )
                self._compare_grad(
                    f"input {names[index]!r}{source}",
                    actual,
                    expected,
                    _at(reference.input_slack, index),
                )

    def _compare_grad(
        self,
        what: str,
        actual: torch.Tensor | None,
        expected: torch.Tensor | None,
        rounding: float = 0.0,
    ) -> None:
        """``rounding``: the reference's own float32 error on this gradient; a correct
        answer that sums in another order may be off by a few times as much."""
        if expected is None:
            return
        if actual is None:
            raise CheckFailed(
                f"{what} gets no gradient",
                expected="a gradient like the reference's",
                actual="no gradient",
            )
        if not bool(torch.isfinite(actual).all()) and bool(torch.isfinite(expected).all()):
            broken = _non_finite([actual], [expected]) or "inf or NaN"
            raise CheckFailed(
                f"{what} gets a gradient that contains {broken}, where the reference's is finite",
                expected="finite",
                actual=broken,
            )
        if actual.numel() != expected.numel() or not self._close(
            [actual.reshape(expected.shape)], [expected], scale=10, slack=8 * rounding
        ):
            raise CheckFailed(
                f"the gradient of {what} differs from the reference's",
                expected="the reference's gradient",
                actual="a different gradient",
            )

    # ---------------------------------------------------------------- dropout

    def _drop_rate(self, config: dict[str, Any]) -> float:
        rate = self.checks.dropout
        return float(config[rate]) if isinstance(rate, str) else float(rate or 0.0)

    def _check_dropout_outputs(self, config: dict[str, Any], observation: Observation) -> None:
        """A random forward: the reference's own mask where torch's draw was matched, else the
        statistics of the submission's; a new mask each call; eval mode drops nothing."""
        reference = self.ref(config)
        rate = self._drop_rate(config)
        actual = observation.outputs
        if not self._close(actual, reference.outputs):
            source = _strategies.make_inputs(self.checks, config, self.job.seed)[0]
            problem = _dropout_problem(source, actual, rate, self.checks.atol, self.checks.rtol)
            if problem:
                raise CheckFailed(problem[0], expected=problem[1], actual=problem[2])
        if observation.failed == "backward":
            return  # the forward again is run after backward: gradients reports this one
        variants = observation.variants
        again = variants.get("again") or []
        if (
            0.0 < rate < 1.0
            and again
            and actual[0].numel() >= 32
            and torch.equal(again[0], actual[0])
        ):
            raise CheckFailed(
                "a second call of forward drops exactly the same elements: dropout draws a "
                "new mask on every call",
                expected="a fresh mask each call",
                actual="the same mask",
            )
        evaluated = reference.eval_outputs
        if (
            evaluated is not None
            and "eval" in variants
            and not self._close(variants["eval"], evaluated)
        ):
            worst = _worst(variants["eval"], evaluated)
            raise CheckFailed(
                f"forward after .eval() gives a different result (by up to {worst:.3g}): "
                "in eval mode nothing is dropped and nothing is rescaled",
                expected="the reference's eval output",
                actual=f"max |difference| {worst:.3g}",
            )

    def _check_dropout_gradients(self, config: dict[str, Any], observation: Observation) -> None:
        """The input gradient of a mask the judge did not draw: the upstream gradient through
        the submission's own kept elements, scaled as they were."""
        rate = self._drop_rate(config)
        scale = 0.0 if rate >= 1.0 else 1.0 / (1.0 - rate)
        output = observation.outputs[0]
        generator = torch.Generator().manual_seed(_strategies.config_seed(config, self.job.seed))
        upstream = torch.randn(output.shape, generator=generator)
        expected = torch.where(output != 0, upstream * scale, torch.zeros(()))
        grads = observation.input_grads
        name = next(iter(self.checks.inputs))
        self._compare_grad(
            f"input {name!r} (through your own mask)", grads[0] if grads else None, expected
        )

    # ---------------------------------------------------------------- gradcheck

    def sampled(self, config: dict[str, Any]) -> bool:
        """The edges and about one configuration in TRACE_EVERY: costly checks run there."""
        if self.trace_all or config in self.edges[:2]:
            return True
        return _strategies.config_seed(config, self.job.seed ^ 0x5EED) % TRACE_EVERY == 0

    def _remote(
        self,
        config: dict[str, Any],
        inputs: tuple[torch.Tensor, ...],
        cotangents: tuple[torch.Tensor, ...] | None,
    ) -> tuple[list[torch.Tensor], list[torch.Tensor | None]]:
        """The submission's outputs for ``inputs`` and, given cotangents, its backward's
        input gradients: raw values its process computes, for the judge's gradcheck."""
        buffers: list[bytes] = []
        header: dict[str, Any] = {
            "op": "vjp",
            "args": self.init_args(config),
            "inputs": [_wire.pack_tensor(t.detach(), buffers) for t in inputs],
            "cotangents": None
            if cotangents is None
            else [_wire.pack_tensor(c.detach(), buffers) for c in cotangents],
        }
        reply, data = self.contestant.ask(header, buffers)
        try:
            if not isinstance(reply, dict) or reply.get("ok") is not True:
                raise ValueError("not a reply")
            if reply.get("failed"):
                raise Observation(reply, [], [], {}, {}).failure()
            outputs = [_wire.unpack_tensor(d, data) for d in reply["outputs"]]
            grads = [
                None if d is None else _wire.unpack_tensor(d, data)
                for d in (reply.get("grads") or [])
            ]
        except (_wire.WireError, KeyError, TypeError, ValueError) as exc:
            self.contestant.dead = f"the submission's process sent a malformed reply ({exc})"
            raise Aborted(self.contestant.dead) from None
        if cotangents is not None and len(grads) != len(inputs):
            raise CheckFailed(
                f"backward gave {len(grads)} gradients for {len(inputs)} inputs",
                expected=str(len(inputs)),
                actual=str(len(grads)),
            )
        return outputs, grads

    def check_gradcheck(self, config: dict[str, Any]) -> None:
        """``torch.autograd.gradcheck`` in float64, run by the judge: the numerical Jacobian
        of the submission's forward against the one its backward gives, each forward and
        backward asked of the contestant."""
        if not self.sampled(config):
            return
        inputs = [
            t.detach().double().requires_grad_(True) if t.is_floating_point() else t
            for t in _strategies.make_inputs(self.checks, config, self.job.seed)
        ]
        grading = self
        kinds: list[torch.dtype] = []

        class Remote(torch.autograd.Function):
            @staticmethod
            def forward(ctx: Any, *tensors: torch.Tensor) -> Any:
                ctx.save_for_backward(*tensors)
                outputs, _ = grading._remote(config, tensors, None)
                kinds[:] = [o.dtype for o in outputs]
                ctx.mark_non_differentiable(*[o for o in outputs if not o.is_floating_point()])
                return tuple(outputs)

            @staticmethod
            def backward(ctx: Any, *cotangents: torch.Tensor) -> Any:
                _, grads = grading._remote(config, tuple(ctx.saved_tensors), cotangents)
                return tuple(grads)

        def call(*tensors: torch.Tensor) -> Any:
            return Remote.apply(*tensors)  # type: ignore[no-untyped-call]

        names = list(self.checks.inputs)
        # The forward the gradcheck differentiates must be the one the other checks saw: at
        # the unperturbed inputs it must give the reference's outputs (here in float64).
        reference_call = self._reference_module(config)[0]
        try:
            with torch.no_grad():
                wanted = reference_call(*[t.detach() for t in inputs])
            expected = list(wanted) if isinstance(wanted, tuple | list) else [wanted]
        except Exception:  # a reference written for float32 only
            expected = None
        try:
            given = call(*inputs)
            outputs = list(given) if isinstance(given, tuple | list) else [given]
            if expected is not None and not self._close(
                [o.detach() for o in outputs], [e.detach() for e in expected]
            ):
                raise CheckFailed(
                    "given float64 inputs, your function's outputs differ from the reference's",
                    expected="the reference's output, in float64",
                    actual="a different output",
                )
            if torch.float32 in kinds:
                raise CheckFailed(
                    "given float64 inputs, your function returns float32: it must compute in "
                    "the inputs' dtype for gradcheck",
                    expected="float64 outputs",
                    actual="float32 outputs",
                )
            torch.autograd.gradcheck(
                call,
                tuple(inputs),
                eps=1e-6,
                atol=1e-5,
                rtol=1e-3,
                fast_mode=sum(t.numel() for t in inputs) > 256,
                check_undefined_grad=False,
            )
        except GradcheckError as exc:
            text = str(exc).strip().splitlines()[0].rstrip(",") if str(exc).strip() else "gradcheck"
            found = re.search(r"with respect to input (\d+)", text)
            which = (
                f" for input {names[int(found.group(1))]!r}"
                if found and int(found.group(1)) < len(names)
                else ""
            )
            raise CheckFailed(
                f"gradcheck in float64: your backward's gradient{which} disagrees with finite "
                "differences of your forward",
                expected="analytical Jacobian = numerical Jacobian",
                actual=text[:200],
            ) from None

    # ---------------------------------------------------------------- train and eval

    def _fresh_reference(self, config: dict[str, Any]) -> Any:
        """The reference built for ``config`` as ``_reference_module`` builds it, untouched."""
        torch.default_generator.manual_seed(_strategies.config_seed(config, self.job.seed))
        module = self.reference(**self.init_args(config))
        params = [p for p in module.parameters() if p.requires_grad]
        seed = _strategies.config_seed(config, self.job.seed) ^ 0xD157
        _make_distinct(params, torch.Generator().manual_seed(seed))
        return module

    def check_train_eval(self, config: dict[str, Any]) -> None:
        """Running statistics after ``train_steps`` training forwards, then eval mode."""
        observation = self.with_reference_weights(config)
        assignment = observation.assignment or []
        steps = self.checks.train_steps
        train = [
            _strategies.make_inputs(self.checks, config, self.job.seed + 7919 * (k + 1))
            for k in range(steps)
        ]
        evaluated = _strategies.make_inputs(self.checks, config, self.job.seed + 104729)
        buffers: list[bytes] = []
        weights = [_wire.pack_tensor(p, buffers) for _, p in self._reference_module(config)[1]]
        header = {
            "op": "train_eval",
            "args": self.init_args(config),
            "seed": _strategies.config_seed(config, self.job.seed),
            "weights": weights,
            "assignment": [e.to_json() for e in assignment],
            "train": [[_wire.pack_tensor(t, buffers) for t in batch] for batch in train],
            "eval": [_wire.pack_tensor(t, buffers) for t in evaluated],
        }
        self.contestant.send(header, buffers)
        module = self._fresh_reference(config)
        module.train()
        with torch.no_grad():
            for batch in train:
                module(*batch)
            module.eval()
            expected_out = module(*evaluated)
        expected = list(expected_out) if isinstance(expected_out, tuple | list) else [expected_out]
        reply, data = self.contestant.receive_all()
        try:
            if not isinstance(reply, dict) or reply.get("ok") is not True:
                raise ValueError("not a reply")
            if reply.get("failed"):
                raise Observation(reply, [], [], {}, {}).failure()
            outputs = [_wire.unpack_tensor(d, data) for d in reply["outputs"]]
            own = {str(n): _wire.unpack_tensor(d, data) for n, d in reply["buffers"].items()}
        except (_wire.WireError, KeyError, TypeError, ValueError, AttributeError) as exc:
            self.contestant.dead = f"the submission's process sent a malformed reply ({exc})"
            raise Aborted(self.contestant.dead) from None
        after = f"after {steps} training forward{'s' if steps > 1 else ''}"
        left = dict(own)
        for name, value in module.named_buffers():
            if not value.is_floating_point():
                continue
            same_shape = {n: b for n, b in left.items() if b.shape == value.shape}
            match = next((n for n, b in same_shape.items() if self._close([b], [value])), None)
            if match is not None:
                del left[match]
                continue
            if not same_shape:
                raise CheckFailed(
                    f"{after}, no buffer of yours has the shape of the reference's {name!r} "
                    f"{tuple(value.shape)}: keep running statistics with register_buffer",
                    expected=f"a buffer like {name!r}",
                    actual=", ".join(f"{n} {tuple(b.shape)}" for n, b in own.items()) or "none",
                )
            closest = min(same_shape, key=lambda n: _worst([same_shape[n]], [value]))
            worst = _worst([same_shape[closest]], [value])
            raise CheckFailed(
                f"{after}, your running statistic {closest!r} differs from the reference's "
                f"{name!r} by up to {worst:.3g}",
                expected=f"the reference's {name}",
                actual=f"max |difference| {worst:.3g}",
            )
        if not self._close(outputs, expected):
            worst = _worst(outputs, expected)
            raise CheckFailed(
                f"in eval mode {after}, outputs differ from the reference's by up to {worst:.3g}",
                expected="the reference's eval output",
                actual=f"max |difference| {worst:.3g}",
            )

    # ---------------------------------------------------------------- optimisers

    def _optimizer_case(
        self, config: dict[str, Any]
    ) -> tuple[list[torch.Tensor], list[list[torch.Tensor]]]:
        """The starting parameters and each step's gradients for ``config``."""
        params = _strategies.make_inputs(self.checks, config, self.job.seed)
        generator = torch.Generator().manual_seed(
            _strategies.config_seed(config, self.job.seed) ^ 0x57E9
        )
        grads = [
            [torch.randn(p.shape, generator=generator, dtype=p.dtype) for p in params]
            for _ in range(self.checks.steps)
        ]
        return params, grads

    def _reference_trajectory(
        self, config: dict[str, Any], params: list[torch.Tensor], grads: list[list[torch.Tensor]]
    ) -> list[list[torch.Tensor]]:
        torch.default_generator.manual_seed(_strategies.config_seed(config, self.job.seed))
        leaves = [torch.nn.Parameter(p.clone()) for p in params]
        optimizer = self.reference(leaves, **self.init_args(config))
        trajectory = []
        for step in grads:
            for leaf, grad in zip(leaves, step, strict=True):
                leaf.grad = grad.clone()
            optimizer.step()
            trajectory.append([leaf.detach().clone() for leaf in leaves])
        return trajectory

    def check_trajectory(self, config: dict[str, Any]) -> None:
        """The optimiser's parameters after every step against the reference's, from the
        same starting parameters and the same gradients; names the first step that parts."""
        key = self.key(config)
        if key not in self._trajectories:
            params, grads = self._optimizer_case(config)
            buffers: list[bytes] = []
            self.contestant.send(
                {
                    "op": "optimize",
                    "args": self.init_args(config),
                    "seed": _strategies.config_seed(config, self.job.seed),
                    "params": [_wire.pack_tensor(p, buffers) for p in params],
                    "grads": [[_wire.pack_tensor(g, buffers) for g in step] for step in grads],
                },
                buffers,
            )
            expected = self._reference_trajectory(config, params, grads)
            reply, data = self.contestant.receive_all()
            try:
                if not isinstance(reply, dict) or reply.get("ok") is not True:
                    raise ValueError("not a reply")
                got = [[_wire.unpack_tensor(d, data) for d in step] for step in reply["trajectory"]]
                if any(len(step) != len(params) for step in got) or len(got) > len(grads):
                    raise ValueError("a trajectory of the wrong size")
            except (_wire.WireError, KeyError, TypeError, ValueError) as exc:
                self.contestant.dead = f"the submission's process sent a malformed reply ({exc})"
                raise Aborted(self.contestant.dead) from None
            self._trajectories[key] = (reply, got, expected)
        reply, got, expected = self._trajectories[key]
        names = list(self.checks.inputs)
        total = len(expected)
        for step, want in enumerate(expected, 1):
            if step > len(got):
                failure = Observation(reply, [], [], {}, {}).failure()
                where = (
                    "building the optimiser"
                    if reply.get("failed") == "construct"
                    else f"step {step} of {total}"
                )
                raise CheckFailed(
                    f"{where} raised {failure.message}",
                    traceback=failure.traceback,
                    line=failure.line,
                )
            for name, actual, wanted in zip(names, got[step - 1], want, strict=False):
                if actual.shape != wanted.shape:
                    raise CheckFailed(
                        f"after step {step} of {total}, parameter {name!r} has shape "
                        f"{tuple(actual.shape)}, not {tuple(wanted.shape)}",
                        expected=str(tuple(wanted.shape)),
                        actual=str(tuple(actual.shape)),
                    )
                if self._close([actual], [wanted]):
                    continue
                broken = _non_finite([actual], [wanted])
                if broken:
                    raise CheckFailed(
                        f"parameter {name!r} contains {broken} after step {step} of {total}, "
                        "where the reference's stays finite",
                        expected="finite values like the reference's",
                        actual=broken,
                    )
                worst = _worst([actual], [wanted])
                raise CheckFailed(
                    f"the parameters part from the reference optimiser's at step {step} of "
                    f"{total}: "
                    f"{name!r} differs by up to {worst:.3g} (atol={self.checks.atol:g}, "
                    f"rtol={self.checks.rtol:g})",
                    expected=f"the reference's {name} after step {step}",
                    actual=f"max |difference| {worst:.3g}",
                )

    def check_flops(self, config: dict[str, Any]) -> None:
        observation = self.observe(config)
        if observation.failed in ("construct", "forward"):
            raise observation.failure()
        run = self.judge_run(config)
        if run is None:  # counted on the traced configurations only
            return
        reference = self.ref(config)
        expected = self.ref_flops(config)
        # The slack, and a few elementwise passes over the tensors involved: at tiny sizes a
        # scale or a mask on the weights must not outweigh the work that matters.
        passes = 2 * sum(
            t.numel() for t in [*(p for _, p in reference.params), *reference.outputs]
        ) + 2 * sum(math.prod(s) for s in _strategies.input_shapes(self.checks, config).values())
        allowed = expected * (1 + self.checks.flops_slack) + passes
        if run.flops > allowed:
            raise CheckFailed(
                f"{run.flops:,} FLOPs where the reference needs {expected:,} "
                f"(at most {allowed:,.0f} allowed; counted by the grader on your traced forward)",
                expected=f"≤ {allowed:,.0f} FLOPs",
                actual=f"{run.flops:,} FLOPs",
            )

    # ---------------------------------------------------------------- the search

    def search(
        self, name: str, check: Callable[[dict[str, Any]], None], *, shrink: bool = True
    ) -> CheckResult:
        """Run one check over drawn configurations; shrink a failure to the smallest."""
        started = time.monotonic()
        failures: list[tuple[dict[str, Any], CheckFailed, float]] = []
        budget = max(1.0, self.job.timeout / 8)

        @settings(
            max_examples=self.job.examples or self.checks.max_examples,
            database=None,
            deadline=None,
            derandomize=False,
            phases=[Phase.explicit, Phase.generate, *([Phase.shrink] if shrink else [])],
            suppress_health_check=list(HealthCheck),
            report_multiple_bugs=True,
            print_blob=False,
            verbosity=hypothesis.Verbosity.quiet,
        )
        @hypothesis.seed(self.job.seed)
        @given(self.strategy)
        def property_(config: dict[str, Any]) -> None:
            # Shrinking has a time budget: past it, no new configuration is tried (each
            # one "holds"), so the shrinker stops at the smallest failure found so far.
            late = failures and time.monotonic() - failures[0][2] > budget
            if late and self.key(config) not in self._seen_keys():
                return
            try:
                check(config)
            except CheckFailed as exc:
                failures.append((config, exc, time.monotonic()))
                raise

        try:
            property_()
        except Aborted:
            raise
        except Exception:
            if self.contestant.dead:
                raise Aborted(self.contestant.dead) from None
            if not failures:
                raise
            config, failure = _most_telling([(c, f) for c, f, _ in failures])
            shapes = _strategies.input_shapes(self.checks, config)
            return CheckResult(
                name=name,
                status="fail",
                message=failure.message + self._defaulted(config),
                counterexample=Counterexample(
                    arguments=dict(config), input_shapes=shapes, seed=self.job.seed
                ),
                expected=failure.expected,
                actual=failure.actual,
                traceback=failure.traceback,
                line=failure.line,
                seconds=round(time.monotonic() - started, 4),
            )
        # The edges of every drawn range, whatever the seed drew: a failure there is
        # reported as it is (the search above already shrank what it could find).
        for edge in self.edges:
            try:
                check(edge)
            except CheckFailed as failure:
                return CheckResult(
                    name=name,
                    status="fail",
                    message=failure.message + self._defaulted(edge),
                    counterexample=Counterexample(
                        arguments={k: v for k, v in edge.items() if k != DEFAULTS},
                        input_shapes=_strategies.input_shapes(self.checks, edge),
                        seed=self.job.seed,
                    ),
                    expected=failure.expected,
                    actual=failure.actual,
                    traceback=failure.traceback,
                    line=failure.line,
                    seconds=round(time.monotonic() - started, 4),
                )
        drawn = self.job.examples or self.checks.max_examples
        return CheckResult(
            name=name,
            status="pass",
            message=f"held for {drawn} drawn configurations and {len(self.edges)} at the edges",
            seconds=round(time.monotonic() - started, 4),
        )


def _observation(reply: dict[str, Any], data: list[bytes]) -> Observation:
    """Rebuild what the contestant sent; raises on anything malformed."""
    if not isinstance(reply, dict) or reply.get("ok") is not True:
        raise ValueError("not a reply")

    def tensor(described: Any) -> torch.Tensor | None:
        return None if described is None else _wire.unpack_tensor(described, data)

    def tensors(items: Any) -> list[torch.Tensor]:
        return [_wire.unpack_tensor(d, data) for d in (items or [])]

    param_grads = reply.get("param_grads") or {}
    variants = reply.get("variants") or {}
    if not isinstance(param_grads, dict) or not isinstance(variants, dict):
        raise TypeError("malformed gradients or variants")
    observation = Observation(
        reply,
        tensors(reply.get("outputs")),
        [tensor(d) for d in (reply.get("input_grads") or [])],
        {str(n): tensor(d) for n, d in param_grads.items()},
        {str(k): tensors(v) for k, v in variants.items() if k in ("again", "no_grad", "eval")},
    )
    if reply.get("initial") is not None:
        reply["initial_outputs"] = tensors(reply.get("initial"))
    initial_params = reply.get("initial_params")
    if initial_params is not None:
        if not isinstance(initial_params, dict):
            raise TypeError("malformed initial parameters")
        observation.initial_params = {str(n): tensor(d) for n, d in initial_params.items()}
    traced = reply.get("graph")
    if isinstance(traced, dict):
        try:
            observation.graph = _graph.decode(traced.get("graph"), data)
            state = traced.get("state") or {}
            if not isinstance(state, dict):
                raise _graph.GraphError("malformed module state")
            observation.state = {str(n): _wire.unpack_tensor(d, data) for n, d in state.items()}
        except (_graph.GraphError, _wire.WireError) as exc:
            observation.graph, observation.graph_error = None, str(exc)[:300]
    elif reply.get("trace_error"):
        observation.graph_error = one_line(reply["trace_error"])
    elif reply.get("failed") is None:
        observation.graph_error = "no traced graph came back"
    return observation


def _at(values: list[float], index: int) -> float:
    return values[index] if 0 <= index < len(values) else 0.0


def _non_finite(actual: list[torch.Tensor], expected: list[torch.Tensor]) -> str:
    """ "NaN", "inf" or "NaN and inf" where ``actual`` has them and ``expected`` has not."""
    found = []
    for a, e in zip(actual, expected, strict=False):
        if not (a.is_floating_point() and e.is_floating_point()):
            continue
        if bool(torch.isnan(a).any()) and not bool(torch.isnan(e).any()):
            found.append("NaN")
        if bool(torch.isinf(a).any()) and not bool(torch.isinf(e).any()):
            found.append("inf")
    return " and ".join(dict.fromkeys(found))


def _worst(actual: list[torch.Tensor], expected: list[torch.Tensor]) -> float:
    return max(
        (
            float((a.double() - e.double()).abs().max())
            for a, e in zip(actual, expected, strict=False)
            if a.shape == e.shape and a.numel()
        ),
        default=float("nan"),
    )


def _exact_mismatch(
    actual: list[torch.Tensor], expected: list[torch.Tensor]
) -> tuple[str, str, str] | None:
    """(message, expected, actual) where an integer or bool result is not the reference's
    exactly (its dtype included), or None."""
    for index, (a, e) in enumerate(zip(actual, expected, strict=False)):
        if e.is_floating_point() or a.shape != e.shape:
            continue
        which = f"output {index}" if len(expected) > 1 else "the output"
        wanted = str(e.dtype).removeprefix("torch.")
        if a.dtype != e.dtype:
            got = str(a.dtype).removeprefix("torch.")
            return (
                f"{which} is {got} where the reference's is {wanted}: integer and bool "
                "results must match exactly, dtype included",
                wanted,
                got,
            )
        wrong = int((a != e).sum())
        if wrong:
            return (
                f"{which}: {wrong} of {e.numel()} {wanted} values differ from the reference's "
                "(integer and bool results must match exactly)",
                "the reference's values",
                f"{wrong} differ",
            )
    return None


def _dropout_problem(
    source: torch.Tensor, outputs: list[torch.Tensor], rate: float, atol: float, rtol: float
) -> tuple[str, str, str] | None:
    """What is wrong with ``outputs[0]`` as inverted dropout of ``source`` at drop rate
    ``rate`` with a mask of its own, or None: kept elements scaled by 1/(1-p), dropped ones
    zero, and about a share p of them dropped (a binomial count, five deviations allowed)."""
    if len(outputs) != 1 or outputs[0].shape != source.shape:
        return ("forward must return one tensor shaped like its input", "one tensor", "other")
    output = outputs[0].detach().double()
    x = source.detach().double()
    broken = _non_finite([output], [x])
    if broken:
        return (f"your output contains {broken} at p={rate:g}", "finite values", broken)
    dropped = (output == 0) & (x != 0)
    kept = ~dropped & (x != 0)
    count, total = int(dropped.sum()), int((x != 0).sum())
    if rate >= 1.0:
        if count != total:
            return (
                f"with p=1 every element is dropped; yours keeps {total - count} of {total}",
                "all zeros",
                f"{total - count} kept",
            )
        return None
    scale = 1.0 / (1.0 - rate)
    if bool(kept.any()) and not torch.allclose(
        output[kept], x[kept] * scale, atol=atol, rtol=max(rtol, 1e-5)
    ):
        ratio = float((output[kept] / x[kept]).median())
        return (
            f"kept elements are multiplied by {ratio:.4g}, where inverted dropout scales them "
            f"by 1/(1-p) = {scale:.4g} in training (p={rate:g})",
            f"x * {scale:.4g}",
            f"x * {ratio:.4g}",
        )
    mean = total * rate
    spread = math.sqrt(total * rate * (1.0 - rate))
    if abs(count - mean) > 5 * spread + 1:
        return (
            f"drops {count} of {total} elements; with p={rate:g} each element is dropped with "
            f"probability p, about {mean:.0f} of them",
            f"about {mean:.0f} dropped",
            f"{count} dropped",
        )
    return None


def _most_telling(
    failures: list[tuple[dict[str, Any], CheckFailed]],
) -> tuple[dict[str, Any], CheckFailed]:
    """The failure to report when hypothesis found several distinct ones.

    Hypothesis replays each distinct failure's smallest example last, so the last
    failure of each kind is its shrunk one. A comparison ("expected X, got Y")
    teaches more than a crash, so it wins; otherwise the first kind found.
    """
    last_of_kind: dict[str, tuple[dict[str, Any], CheckFailed]] = {}
    for config, failure in failures:
        kind = "compare" if failure.expected is not None else failure.message.split(":")[0]
        last_of_kind[kind] = (config, failure)  # keeps the kind's first position
    if "compare" in last_of_kind:
        return last_of_kind["compare"]
    return next(iter(last_of_kind.values()))


def _skipped(name: str, why: str) -> CheckResult:
    return CheckResult(name=name, status="skipped", message=f"not run: {why}")


def grade(job: Job, ends: ContestantEnds | None) -> SubmissionReport:
    """Grade one submission; never raises for anything the submission does."""
    started = time.monotonic()
    contestant: ContestantHandle | None = None
    checks: list[CheckResult] = []
    error: str | None = None
    question_name = job.question_id
    sinks: list[OutputSink] = []
    try:
        if ends is None:
            raise Aborted("the sandbox could not start")
        sinks = [OutputSink(ends.out), OutputSink(ends.err)]
        contestant = connect_contestant(ends, job.timeout, _sandbox.group_name(os.getpid()))
        if contestant.dead:
            raise Aborted(contestant.dead)
        deck = load_deck(job.deck_path)
        question = deck.get(job.question_id)
        if not isinstance(question, CodeQuestion) or question.checks is None:
            raise Aborted(f"{job.question_id} is not a code question with checks")
        source = _submission_source(job, question)
        question_name = f"{deck.id}/{question.id}"
        checks, error = _grade_with(job, question, contestant, source)
    except Aborted as exc:
        error = exc.message
    except Exception as exc:  # a grader bug must still give a report, never a traceback
        error = f"internal grader error: {exc!r}"
    finally:
        if contestant is not None:
            contestant.kill()
        elif ends is not None:
            ends.close()
    stdout, stderr = (sink.text() for sink in sinks) if sinks else ("", "")
    if ends is not None:
        for fd in (ends.out, ends.err):
            with contextlib.suppress(OSError):
                os.close(fd)
    if error == "timed out":
        error = f"timed out after {job.timeout:g} s"
    passed = bool(checks) and all(c.status == "pass" for c in checks)
    status: SubmissionStatus = "error" if error else ("pass" if passed else "fail")
    return SubmissionReport(
        submission=job.display,
        question=question_name,
        status=status,
        checks=tuple(checks),
        seed=job.seed,
        error=error,
        stdout=stdout,
        stderr=stderr,
        isolation=contestant.isolation if contestant else (),
        seconds=round(time.monotonic() - started, 4),
    )


def _submission_source(job: Job, question: CodeQuestion) -> str:
    if job.from_deck:
        if job.submission == "reference":
            return question.reference
        return question.wrong_solutions[int(job.submission.removeprefix("wrong:"))].code
    try:
        raw = Path(job.submission).read_bytes()
    except OSError as exc:
        raise Aborted(f"cannot read {job.display}: {exc.strerror}") from None
    if len(raw) > MAX_SOURCE_BYTES:
        raise Aborted(f"{job.display} is larger than {MAX_SOURCE_BYTES:,} bytes")
    return raw.decode("utf-8", errors="replace")


def _grade_with(
    job: Job, question: CodeQuestion, contestant: ContestantHandle, source: str
) -> tuple[list[CheckResult], str | None]:
    """Run the checks in order, cheap to expensive; later checks may depend on earlier ones."""
    assert question.checks is not None
    is_module = question.checks.kind == "module"
    compare = question.checks.compare
    wanted = {
        *compare,
        *(["rules"] if _has_rules(question) else []),
        *(["initial"] if question.checks.initial and is_module else []),
    }
    later = [
        c
        for c in CHECK_ORDER[CHECK_ORDER.index("rules") :]
        if c in wanted and (is_module or c != "parameters")
    ]
    planned = ["compile", "load", *(["construct"] if is_module else []), *later]
    results: dict[str, CheckResult] = {}

    def skip_rest(why: str) -> list[CheckResult]:
        return [results.get(n) or _skipped(n, why) for n in planned]

    grading: Grading | None = None
    try:
        filename = "solution.py" if job.from_deck else Path(job.display).name
        for stage_reply in _load_replies(contestant, source, filename, question):
            stage = stage_reply.get("stage")
            if stage not in ("compile", "load") or not isinstance(stage_reply.get("ok"), bool):
                contestant.dead = "the submission's process sent a malformed reply"
                raise Aborted(contestant.dead)
            if stage_reply.get("resource"):
                raise Aborted(one_line(stage_reply["resource"]))
            if not stage_reply.get("ok"):
                results[stage] = CheckResult(
                    name=stage,
                    status="fail",
                    message=one_line(stage_reply.get("message", "")),
                    traceback=_text_or_none(stage_reply.get("traceback")),
                    line=_line_or_none(stage_reply.get("line")),
                )
                return skip_rest(f"{stage} failed"), None
            results[stage] = CheckResult(name=stage, status="pass")

        grading = Grading(job, question, contestant)
        grading.source = source
        stage_names = [*(["construct"] if is_module else []), *later]
        grading.planned = tuple(stage_names)
        # Fast path: one search over every check; only a failure needs a search per check,
        # so that each check gets its own verdict and its own smallest counterexample.
        try:
            # No shrinking here: a failure is searched again, and shrunk, check by check.
            together = grading.search("all", grading.check_all, shrink=False)
        except Exception as exc:  # the checks themselves broke: say so, per check
            together = CheckResult(
                name="all", status="error", message=f"the check could not run: {exc}"
            )
        if together.status == "pass":
            for name in stage_names:
                results[name] = CheckResult(
                    name=name,
                    status="pass",
                    message=together.message,
                    seconds=round(grading.seconds.get(name, 0.0), 4),
                )
            return [results[n] for n in planned], None
        stages = [(name, getattr(grading, f"check_{name}")) for name in stage_names]
        grading.trace_all = True
        for name, check in stages:
            blocked = _blocked_by(name, results)
            if blocked:
                results[name] = _skipped(name, blocked)
                continue
            grading.running = name
            try:
                results[name] = grading.search(name, check)
            except Aborted:
                raise
            except Exception as exc:
                if contestant.dead:
                    raise Aborted(contestant.dead) from None
                results[name] = CheckResult(
                    name=name, status="error", message=f"the check could not run: {exc}"
                )
            if name == "construct" and results[name].status != "pass":
                return skip_rest("construct failed"), None
        return [results[n] for n in planned], None
    except Aborted as exc:
        reason = exc.message
        running = grading.running if grading is not None else None
        # The check that needs what hung, where that is planned: the fast path runs the
        # constructor, forward and backward in the first check that asks for any of them.
        owner = {
            "construct": "construct",
            "forward": "output_shape",
            "again": "outputs",
            "backward": "gradients",
        }.get(contestant.stage or "")
        if owner in planned and owner not in results:
            running = owner
        if reason == "timed out":
            shown = f"timed out after {job.timeout:g} s"
            where = STAGES.get(contestant.stage or "", "your code")
            during = (
                f"{shown} during this check: {where} never returned "
                "(an endless loop, or far too slow)"
            )
        else:
            shown = during = reason
        return [
            results.get(n)
            or CheckResult(
                name=n,
                status="error",
                message=during if n == running else f"not run: {shown}",
            )
            for n in planned
        ], reason


def _has_rules(question: CodeQuestion) -> bool:
    """Whether ``rules`` runs: the question forbids calls, or its entry point is an autograd
    Function (whose backward must be its own)."""
    assert question.checks is not None
    return bool(question.checks.forbid) or question.checks.kind == "autograd_function"


_UNCHECKED = ("the grader cannot check this forward", "the traced forward fails when run")


def _blocked_by(name: str, results: dict[str, CheckResult]) -> str | None:
    """Why check ``name`` cannot run given the results so far, or None."""

    def failed(check: str) -> bool:
        return check in results and results[check].status != "pass"

    # The parameters check also fails when the judge cannot run the traced forward at all;
    # "the parameters differ" is only true when they were compared.
    unchecked = failed("parameters") and results["parameters"].message.startswith(_UNCHECKED)
    if unchecked and name in ("train_eval", "initial", "outputs", "gradients"):
        return "the traced forward could not be checked (see parameters)"

    if name in ("gradcheck", "train_eval") and failed("output_shape"):
        return "output_shape failed"
    if name == "train_eval" and failed("parameters"):
        return "the parameters differ, so the reference's weights cannot be copied in"

    if name in ("initial", "outputs", "gradients", "flops") and failed("output_shape"):
        return "output_shape failed"
    if name == "initial" and failed("parameters"):
        return "the parameters differ, so they cannot be compared with the reference's"
    if name in ("outputs", "gradients") and failed("parameters"):
        return "the parameters differ, so the reference's weights cannot be copied in"
    if name == "gradients" and failed("outputs"):
        return "outputs failed"
    return None


def _load_replies(
    contestant: ContestantHandle, source: str, filename: str, question: CodeQuestion
) -> list[dict[str, Any]]:
    """Send the code; the contestant answers once for compile and, if it compiled, for load."""
    assert question.checks is not None
    first, _ = contestant.ask(
        {
            "op": "load",
            "source": source,
            "filename": filename,
            "entry_point": question.entry_point,
            "kind": question.checks.kind,
        }
    )
    if not first.get("ok"):
        return [first]
    return [first, contestant.receive()]


def measure(job: dict[str, Any]) -> dict[str, Any]:
    """Count a code question's reference: trainable parameters, or FLOPs of one forward.

    Deck code is trusted: this runs in the judge's own process, with nothing submitted.
    Returns ``{"value": number}`` or ``{"error": message}``.
    """
    spec = job["measure"]
    try:
        deck = load_deck(job["deck_path"])
        question = deck.get(spec["question"])
        if not isinstance(question, CodeQuestion):
            return {"error": f"{spec['question']!r} is not a code question of the deck"}
        reference = _load_reference(question)
        torch.default_generator.manual_seed(0)
        module = reference(**spec.get("args", {}))
        if spec["count"] == "parameters":
            value = sum(p.numel() for p in module.parameters() if p.requires_grad)
            return {"value": value}
        inputs = [torch.randn(shape) for shape in spec.get("inputs", {}).values()]
        counter = FlopCounterMode(display=False)
        with counter, torch.no_grad():
            module(*inputs)
        return {"value": int(counter.get_total_flops())}
    except Exception as exc:  # a deck bug is reported, never raised
        return {"error": f"{type(exc).__name__}: {exc}"}
