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
import fcntl
import json
import os
import shutil
import signal
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hypothesis
import torch
from hypothesis import HealthCheck, Phase, given, settings
from torch.utils.flop_counter import FlopCounterMode

from questions import CodeQuestion, load_deck

from . import _sandbox, _strategies, _wire
from .report import CheckResult, Counterexample, SubmissionReport, SubmissionStatus

MAX_SOURCE_BYTES = 1_000_000
F_SETPIPE_SZ = 1031
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
class ContestantHandle:
    pid: int
    to_child: int
    from_child: int
    deadline: float
    stdout_path: Path
    stderr_path: Path
    dead: str | None = None
    isolation: tuple[str, ...] = ()

    def ask(
        self, header: dict[str, Any], buffers: list[bytes] | None = None
    ) -> tuple[dict[str, Any], list[bytes]]:
        self.send(header, buffers)
        return self.receive_all()

    def send(self, header: dict[str, Any], buffers: list[bytes] | None = None) -> None:
        if self.dead:
            raise Aborted(self.dead)
        try:
            _wire.send(self.to_child, header, buffers)
        except OSError:
            self.dead = self._exit_reason()
            raise Aborted(self.dead) from None

    def receive_all(self) -> tuple[dict[str, Any], list[bytes]]:
        if self.dead:
            raise Aborted(self.dead)
        try:
            return _wire.receive(self.from_child, deadline=self.deadline)
        except _wire.PeerTimeout:
            self.dead = "timed out"
        except (_wire.WireError, OSError):
            self.dead = self._exit_reason()
        raise Aborted(self.dead)

    def receive(self) -> dict[str, Any]:
        return self.receive_all()[0]

    def _exit_reason(self) -> str:
        try:
            _, status = os.waitpid(self.pid, 0)
        except ChildProcessError:
            return "the submission's process exited early"
        if os.WIFSIGNALED(status):
            signum = os.WTERMSIG(status)
            why = {
                signal.SIGXCPU: "used up its CPU time limit",
                signal.SIGXFSZ: "wrote more output than allowed",
                signal.SIGKILL: "was killed (out of memory?)",
                signal.SIGSEGV: "crashed (segmentation fault)",
            }.get(signal.Signals(signum), f"was killed by {signal.Signals(signum).name}")
            return f"the submission's process {why}"
        return f"the submission's process exited early (status {os.WEXITSTATUS(status)})"

    def kill(self) -> None:
        # The whole group (setsid made the contestant its leader); in a PID namespace,
        # killing its PID 1 takes every process inside with it.
        with contextlib.suppress(OSError):
            os.killpg(self.pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError, OSError):
            os.waitpid(self.pid, 0)
        for fd in (self.to_child, self.from_child):
            with contextlib.suppress(OSError):
                os.close(fd)


def start_contestant(timeout: float, hidden: list[Path], workdir: Path) -> ContestantHandle:
    """Fork the isolated process that will run the submission."""
    from ._contestant import Contestant

    in_pid_ns = _sandbox.enter_pid_namespace()
    to_child_r, to_child_w = os.pipe()
    from_child_r, from_child_w = os.pipe()
    for fd in (to_child_w, from_child_w):  # whole messages fit: no ping-pong per 64 KiB
        with contextlib.suppress(OSError):
            fcntl.fcntl(fd, F_SETPIPE_SZ, 1 << 20)
    stdout_path, stderr_path = workdir / "stdout", workdir / "stderr"
    out_fd = os.open(stdout_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    err_fd = os.open(stderr_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    pid = os.fork()
    if pid == 0:  # the contestant
        try:
            os.close(to_child_w)
            os.close(from_child_r)
            os.dup2(out_fd, 1)
            os.dup2(err_fd, 2)
            limits = _sandbox.Limits(cpu_seconds=int(timeout) + 1)
            isolation = _sandbox.isolate(
                in_pid_namespace=in_pid_ns,
                limits=limits,
                keep_fds=[to_child_r, from_child_w],
                hidden=hidden,
            )
            _wire.send(from_child_w, {"ready": True, "isolation": list(isolation.notes())})
            Contestant(to_child_r, from_child_w).serve()
        except BaseException:
            import traceback

            traceback.print_exc()
        finally:
            os._exit(70)
    for fd in (to_child_r, from_child_w, out_fd, err_fd):
        os.close(fd)
    handle = ContestantHandle(
        pid, to_child_w, from_child_r, time.monotonic() + timeout, stdout_path, stderr_path
    )
    ready = handle.receive()
    handle.isolation = tuple(ready.get("isolation", []))
    if not in_pid_ns:
        handle.isolation = (
            *handle.isolation,
            "not isolated: PID namespace (processes it starts may outlive it)",
        )
    return handle


# --------------------------------------------------------------------------- reference


def _load_reference(question: CodeQuestion) -> Any:
    namespace: dict[str, Any] = {"__name__": "reference"}
    exec(compile(question.reference, "<reference>", "exec"), namespace)
    return namespace[question.entry_point]


@dataclass
class ReferenceResult:
    params: list[tuple[str, torch.Tensor]]
    outputs: list[torch.Tensor]
    flops: int
    input_grads: list[torch.Tensor | None] = field(default_factory=list)
    param_grads: list[torch.Tensor | None] = field(default_factory=list)


def _grad_loss(outputs: list[torch.Tensor], grad_seed: int) -> torch.Tensor:
    generator = torch.Generator().manual_seed(grad_seed)
    total = torch.zeros(())
    for o in outputs:
        if o.is_floating_point():
            total = total + (o.float() * torch.randn(o.shape, generator=generator)).sum()
    return total


# --------------------------------------------------------------------------- grading


@dataclass
class Observation:
    """What the contestant reported for one configuration (one candidate weight copy)."""

    reply: dict[str, Any]
    outputs: list[torch.Tensor]
    input_grads: list[torch.Tensor | None]
    param_grads: dict[str, torch.Tensor | None]

    @property
    def failed(self) -> str | None:
        failed: str | None = self.reply.get("failed")
        return failed

    def failure(self) -> CheckFailed:
        if self.reply.get("resource"):
            raise Aborted(self.reply["resource"])
        return CheckFailed(
            self.reply.get("message", "error"),
            traceback=self.reply.get("traceback"),
            line=self.reply.get("line"),
        )


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
        self._ref_cache: dict[str, ReferenceResult] = {}
        self._modules: dict[str, tuple[Any, list[tuple[str, Any]]]] = {}
        self._seen: dict[tuple[str, int], Observation] = {}
        self.strategy = _strategies.config_strategy(self.checks)

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
                module = self.reference(**_strategies.init_args(self.checks, config))
                params = [(n, p) for n, p in module.named_parameters() if p.requires_grad]
                self._modules[key] = (module, params)
            else:
                self._modules[key] = (self.reference, [])
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
            counter = FlopCounterMode(display=False)
            with counter:
                output = call(*inputs)
            outputs = list(output) if isinstance(output, tuple | list) else [output]
            result = ReferenceResult(
                params, [o.detach() for o in outputs], int(counter.get_total_flops())
            )
            loss = _grad_loss(outputs, seed)
            if loss.requires_grad:
                loss.backward()  # type: ignore[no-untyped-call]
            result.input_grads = [t.grad for t in inputs]
            result.param_grads = [p.grad for _, p in params]
            self._ref_cache[key] = result
        return self._ref_cache[key]

    def observe(self, config: dict[str, Any], candidate: int = 0) -> Observation:
        """The contestant's results for ``config``, with reference weights copy ``candidate``."""
        cache_key = (self.key(config), candidate)
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
                    "args": _strategies.init_args(self.checks, config),
                    "seed": seed,
                    "grad_seed": seed,
                    "inputs": inputs,
                    "weights": weights,
                    "candidate": candidate,
                },
                buffers,
            )
            self.ref(config)  # computed while the contestant works: the two run in parallel
            reply, data = self.contestant.receive_all()
            if not reply.get("ok"):
                raise Aborted(reply.get("message", "the submission's process misbehaved"))

            def tensor(described: Any) -> torch.Tensor | None:
                return None if described is None else _wire.unpack_tensor(described, data)

            self._seen[cache_key] = Observation(
                reply,
                [_wire.unpack_tensor(d, data) for d in reply.get("outputs", [])],
                [tensor(d) for d in reply.get("input_grads", [])],
                {n: tensor(d) for n, d in reply.get("param_grads", {}).items()},
            )
        return self._seen[cache_key]

    def _close(
        self, actual: list[torch.Tensor], expected: list[torch.Tensor], scale: float = 1.0
    ) -> bool:
        return len(actual) == len(expected) and all(
            a.shape == e.shape
            and torch.allclose(
                a.to(e.dtype),
                e,
                atol=self.checks.atol * scale,
                rtol=self.checks.rtol * scale,
                equal_nan=True,
            )
            for a, e in zip(actual, expected, strict=True)
        )

    def with_reference_weights(self, config: dict[str, Any]) -> Observation:
        """The observation whose weight copy reproduces the reference, else the first one."""
        first = self.observe(config)
        if first.failed in ("construct", "forward"):
            raise first.failure()
        if self.is_module and not first.reply.get("candidates"):
            raise CheckFailed(
                "cannot copy the reference's weights in: the parameter shapes do not match "
                "the reference's",
                expected=str([tuple(p.shape) for _, p in self.ref(config).params]),
                actual=str(
                    [tuple(p["shape"]) for p in first.reply.get("params", []) if p["trainable"]]
                ),
            )
        expected = self.ref(config).outputs
        if self._close(first.outputs, expected):
            return first
        for candidate in range(1, int(first.reply.get("candidates", 1))):
            other = self.observe(config, candidate)
            if other.failed in (None, "backward") and self._close(other.outputs, expected):
                return other
        return first

    # ---------------------------------------------------------------- the checks

    def check_all(self, config: dict[str, Any]) -> None:
        """Every planned check at once: the fast path for a submission that passes."""
        for name in self.planned:
            getattr(self, f"check_{name}")(config)

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
        actual = int(observation.reply["count"])
        if actual != expected:
            raise CheckFailed(
                f"expected {expected:,} trainable parameters, got {actual:,}",
                expected=f"{expected:,}",
                actual=f"{actual:,}",
            )

    def check_output_shape(self, config: dict[str, Any]) -> None:
        observation = self.observe(config)
        if observation.failed in ("construct", "forward"):
            raise observation.failure()

        def show(shapes: list[tuple[int, ...]]) -> str:
            return str(shapes[0]) if len(shapes) == 1 else str(shapes)

        expected = [tuple(o.shape) for o in self.ref(config).outputs]
        actual = [tuple(o.shape) for o in observation.outputs]
        if expected != actual:
            raise CheckFailed(
                f"expected output shape {show(expected)}, got {show(actual)}",
                expected=show(expected),
                actual=show(actual),
            )

    def check_outputs(self, config: dict[str, Any]) -> None:
        observation = self.with_reference_weights(config)
        expected = self.ref(config).outputs
        if not self._close(observation.outputs, expected):
            worst = max(
                (
                    float((a.to(e.dtype) - e).abs().max())
                    for a, e in zip(observation.outputs, expected, strict=True)
                    if a.shape == e.shape and a.numel()
                ),
                default=float("nan"),
            )
            raise CheckFailed(
                f"outputs differ from the reference's by up to {worst:.3g} with the reference's "
                f"weights copied in (atol={self.checks.atol:g}, rtol={self.checks.rtol:g})",
                expected="the reference's output",
                actual=f"max |difference| {worst:.3g}",
            )

    def check_gradients(self, config: dict[str, Any]) -> None:
        observation = self.with_reference_weights(config)
        if observation.failed == "backward":
            raise observation.failure()
        reference = self.ref(config)
        for name, grad in observation.param_grads.items():
            if grad is None:
                raise CheckFailed(
                    f"parameter {name!r} gets no gradient",
                    expected="a gradient for every trainable parameter",
                    actual=f"{name}.grad is None",
                )
            if not bool(torch.isfinite(grad).all()):
                raise CheckFailed(
                    f"parameter {name!r} gets a non-finite gradient",
                    expected="finite gradients",
                    actual="inf or nan",
                )
        for index, (actual, expected) in enumerate(
            zip(observation.input_grads, reference.input_grads, strict=False)
        ):
            if expected is None:
                continue
            if actual is None or not self._close([actual], [expected], scale=10):
                raise CheckFailed(
                    f"the gradient of input {index} differs from the reference's",
                    expected="the reference's input gradient",
                    actual="none" if actual is None else "a different gradient",
                )
        for name, ref_index, _shape in observation.reply.get("assignment") or []:
            expected = reference.param_grads[ref_index]
            actual = observation.param_grads.get(name)
            if expected is None or actual is None:
                continue
            if actual.numel() != expected.numel() or not self._close(
                [actual.reshape(expected.shape)], [expected], scale=10
            ):
                raise CheckFailed(
                    f"the gradient of parameter {name!r} differs from the reference's",
                    expected="the reference's gradient",
                    actual="a different gradient",
                )

    def check_flops(self, config: dict[str, Any]) -> None:
        observation = self.observe(config)
        if observation.failed in ("construct", "forward"):
            raise observation.failure()
        expected = self.ref(config).flops
        allowed = expected * (1 + self.checks.flops_slack)
        actual = int(observation.reply["flops"])
        if actual > allowed:
            raise CheckFailed(
                f"{actual:,} FLOPs where the reference needs {expected:,} "
                f"(at most {allowed:,.0f} allowed)",
                expected=f"≤ {allowed:,.0f} FLOPs",
                actual=f"{actual:,} FLOPs",
            )

    # ---------------------------------------------------------------- the search

    def search(self, name: str, check: Callable[[dict[str, Any]], None]) -> CheckResult:
        """Run one check over drawn configurations; shrink a failure to the smallest."""
        started = time.monotonic()
        failures: list[tuple[dict[str, Any], CheckFailed]] = []

        @settings(
            max_examples=self.job.examples or self.checks.max_examples,
            database=None,
            deadline=None,
            derandomize=False,
            phases=[Phase.explicit, Phase.generate, Phase.shrink],
            suppress_health_check=list(HealthCheck),
            report_multiple_bugs=True,
            print_blob=False,
            verbosity=hypothesis.Verbosity.quiet,
        )
        @hypothesis.seed(self.job.seed)
        @given(self.strategy)
        def property_(config: dict[str, Any]) -> None:
            try:
                check(config)
            except CheckFailed as exc:
                failures.append((config, exc))
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
            config, failure = _most_telling(failures)
            shapes = _strategies.input_shapes(self.checks, config)
            return CheckResult(
                name=name,
                status="fail",
                message=failure.message,
                counterexample=Counterexample(
                    arguments=dict(config), input_shapes=shapes, seed=self.job.seed
                ),
                expected=failure.expected,
                actual=failure.actual,
                traceback=failure.traceback,
                line=failure.line,
                seconds=round(time.monotonic() - started, 4),
            )
        return CheckResult(
            name=name,
            status="pass",
            message=f"held for {self.job.examples or self.checks.max_examples} "
            "drawn configurations",
            seconds=round(time.monotonic() - started, 4),
        )


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


def _read_capped(path: Path) -> str:
    try:
        with open(path, "rb") as handle:
            head = handle.read(OUTPUT_KEEP)
            size = os.fstat(handle.fileno()).st_size
    except OSError:
        return ""
    text = head.decode("utf-8", errors="replace")
    if size > OUTPUT_KEEP:
        text += f"\n… [{size - OUTPUT_KEEP:,} more bytes not shown]"
    return text


def grade(job: Job) -> SubmissionReport:
    """Grade one submission; never raises for anything the submission does."""
    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="mlquiz-judge-"))
    contestant: ContestantHandle | None = None
    checks: list[CheckResult] = []
    error: str | None = None
    question_name = job.question_id
    try:
        contestant = start_contestant(job.timeout, [Path(h) for h in job.hidden], workdir)
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
        stdout = _read_capped(workdir / "stdout")
        stderr = _read_capped(workdir / "stderr")
        shutil.rmtree(workdir, ignore_errors=True)
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
    later = [
        c
        for c in ("parameters", "output_shape", "outputs", "gradients", "flops")
        if c in compare and (is_module or c != "parameters")
    ]
    planned = ["compile", "load", *(["construct"] if is_module else []), *later]
    results: dict[str, CheckResult] = {}

    def skip_rest(why: str) -> list[CheckResult]:
        return [results.get(n) or _skipped(n, why) for n in planned]

    try:
        filename = "solution.py" if job.from_deck else Path(job.display).name
        for stage_reply in _load_replies(contestant, source, filename, question):
            stage = stage_reply["stage"]
            if stage_reply.get("resource"):
                raise Aborted(stage_reply["resource"])
            if not stage_reply.get("ok"):
                results[stage] = CheckResult(
                    name=stage,
                    status="fail",
                    message=stage_reply.get("message", ""),
                    traceback=stage_reply.get("traceback"),
                    line=stage_reply.get("line"),
                )
                return skip_rest(f"{stage} failed"), None
            results[stage] = CheckResult(name=stage, status="pass")

        grading = Grading(job, question, contestant)
        stage_names = [*(["construct"] if is_module else []), *later]
        grading.planned = tuple(stage_names)
        # Fast path: one search over every check; only a failure needs a search per check,
        # so that each check gets its own verdict and its own smallest counterexample.
        try:
            together = grading.search("all", grading.check_all)
        except Exception as exc:  # the checks themselves broke: say so, per check
            together = CheckResult(
                name="all", status="error", message=f"the check could not run: {exc}"
            )
        if together.status == "pass":
            for name in stage_names:
                results[name] = CheckResult(name=name, status="pass", message=together.message)
            return [results[n] for n in planned], None
        stages = [(name, getattr(grading, f"check_{name}")) for name in stage_names]
        for name, check in stages:
            blocked = _blocked_by(name, results)
            if blocked:
                results[name] = _skipped(name, blocked)
                continue
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
        return [
            results.get(n) or CheckResult(name=n, status="error", message=f"not run: {reason}")
            for n in planned
        ], reason


def _blocked_by(name: str, results: dict[str, CheckResult]) -> str | None:
    """Why check ``name`` cannot run given the results so far, or None."""

    def failed(check: str) -> bool:
        return check in results and results[check].status != "pass"

    if name in ("outputs", "gradients", "flops") and failed("output_shape"):
        return "output_shape failed"
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
