"""The cell server and the contestants it forks: where submitted code runs.

The cell server is started by the warm judge server, inside bubblewrap when it is
installed (``_sandbox.cell_command``). It imports torch once, then waits on its
control socket for ``spawn`` requests, each carrying a socket to one judge and the
write ends of that judge's stdout and stderr pipes. For each it forks a
*contestant*, which confines itself (``_confine``) before it reads anything
submitted, says it is ready (the judge learns its real pid from the kernel, not
from it), and then answers the judge's requests: load the code, then evaluate it
on inputs and weights the judge sends. It never decides anything: it sends back
raw tensors, and the forward traced into an aten graph that the judge checks and
runs itself (``_trace``, ``_graph``).

This file, ``_wire``, ``_trace`` and ``_confine`` are all of the project that
exists inside the sandbox: they import nothing else of it.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import linecache
import sys
import traceback
import types
from collections.abc import Iterator
from typing import Any, NoReturn

from . import _wire

SUBMISSION_MODULE = "submission"


def _cut_traceback(exc: BaseException, filename: str) -> tuple[str, int | None]:
    """The traceback limited to the submission's own frames, and its innermost line."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == filename]
    if len(frames) > 12:  # infinite recursion: the first and last few frames say it all
        frames = [*frames[:3], *frames[-6:]]
    lines = ["Traceback (your code, most recent call last):"]
    lines += traceback.format_list(frames)
    lines += traceback.format_exception_only(type(exc), exc)
    text = "".join(line if line.endswith("\n") else line + "\n" for line in lines)
    return text.rstrip()[:8000], (frames[-1].lineno if frames else None)


def _error(stage: str, exc: BaseException, filename: str) -> dict[str, Any]:
    text, line = _cut_traceback(exc, filename)
    summary = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    reply: dict[str, Any] = {
        "ok": False,
        "stage": stage,
        "message": summary[:500],
        "traceback": text,
        "line": line,
    }
    # A limit reached is not a wrong answer: the judge stops grading (and hypothesis does
    # not replay a 1 GiB allocation again and again while it shrinks).
    if isinstance(exc, OSError) and exc.errno == errno.EFBIG:
        reply["resource"] = f"the submission wrote more output than allowed ({summary})"
    elif isinstance(exc, MemoryError):
        reply["resource"] = "the submission ran out of its memory limit (MemoryError)"
    return reply


class Contestant:
    """Holds the submission's namespace and answers the judge's requests."""

    def __init__(self, read_fd: int, write_fd: int) -> None:
        self.read_fd = read_fd
        self.write_fd = write_fd
        self.filename = "submission.py"
        self.entry: Any = None
        self.kind = "module"
        import torch

        self.torch = torch

    def reply(self, header: dict[str, Any], buffers: list[bytes] | None = None) -> None:
        # What the submission printed so far reaches the capture files even if it is
        # killed before it ends.
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        _wire.send(self.write_fd, header, buffers)

    def progress(self, stage: str) -> None:
        """Tell the judge which part of a request runs now: it names what hung, if one does."""
        _wire.send(self.write_fd, {"progress": stage})

    # ------------------------------------------------------------------ loading

    def load(self, request: dict[str, Any]) -> None:
        source: str = request["source"]
        self.filename = request.get("filename") or "submission.py"
        self.kind = request.get("kind", "module")
        linecache.cache[self.filename] = (len(source), None, source.splitlines(True), self.filename)
        try:
            code = compile(source, self.filename, "exec", dont_inherit=True)
        except SyntaxError as exc:
            self.reply(
                {
                    "ok": False,
                    "stage": "compile",
                    "message": f"SyntaxError: {exc.msg}",
                    "line": exc.lineno,
                    "column": exc.offset,
                    "traceback": None,
                }
            )
            return
        except (ValueError, OverflowError, MemoryError, RecursionError) as exc:
            self.reply(_error("compile", exc, self.filename))
            return
        self.reply({"ok": True, "stage": "compile"})

        module = types.ModuleType(SUBMISSION_MODULE)
        module.__file__ = self.filename
        sys.modules[SUBMISSION_MODULE] = module
        try:
            exec(code, module.__dict__)
        except SystemExit as exc:
            self.reply(
                {
                    "ok": False,
                    "stage": "load",
                    "line": None,
                    "traceback": None,
                    "message": f"the submission called sys.exit({exc.code!r}) while loading",
                }
            )
            return
        except BaseException as exc:
            self.reply(_error("load", exc, self.filename))
            return
        name = request["entry_point"]
        entry = module.__dict__.get(name)
        problem = None
        if entry is None:
            defined = sorted(
                k
                for k, v in module.__dict__.items()
                if isinstance(v, type | types.FunctionType)
                and getattr(v, "__module__", "") == SUBMISSION_MODULE
            )
            problem = f"no {name!r} defined" + (
                f" (found: {', '.join(defined)})" if defined else ""
            )
        elif self.kind == "module" and not (
            isinstance(entry, type) and issubclass(entry, self.torch.nn.Module)
        ):
            problem = f"{name!r} must be a subclass of torch.nn.Module"
        elif self.kind == "function" and not callable(entry):
            problem = f"{name!r} must be a function"
        elif self.kind == "autograd_function" and not (
            isinstance(entry, type) and issubclass(entry, self.torch.autograd.Function)
        ):
            problem = f"{name!r} must be a subclass of torch.autograd.Function"
        elif self.kind == "optimizer" and not callable(entry):
            problem = f"{name!r} must be a class (or function) that builds an optimiser"
        if problem:
            self.reply(
                {"ok": False, "stage": "load", "message": problem, "line": None, "traceback": None}
            )
            return
        self.entry = entry
        self.reply({"ok": True, "stage": "load"})

    # ------------------------------------------------------------------ requests

    def _construct(self, request: dict[str, Any]) -> Any:
        self.torch.default_generator.manual_seed(int(request.get("seed", 0)))
        return self.entry(**request.get("args", {}))

    def evaluate(self, request: dict[str, Any], buffers: list[bytes]) -> None:
        """Construct, copy in the given weights, run forward and backward; send it all back.

        With ``trace``, the forward is also traced into an aten graph for the judge to
        check and run itself. With ``variants``, the forward runs again: a second time,
        under ``torch.no_grad()`` and in ``eval()``, each result sent back for the judge
        to compare. ``failed`` in the reply says how far it got.
        """
        from . import _transplant

        torch = self.torch
        out: list[bytes] = []
        reply: dict[str, Any] = {"ok": True, "failed": None}
        stage = "construct"
        self.progress("construct")
        try:
            inputs = [_wire.unpack_tensor(d, buffers) for d in request["inputs"]]
            for tensor in inputs:
                if tensor.is_floating_point():
                    tensor.requires_grad_(True)
            call: Any = self._callable(request)
            trainable: dict[str, Any] = {}
            module = None
            if self.kind == "module":
                module = self._construct(request)
                if not isinstance(module, torch.nn.Module):
                    raise TypeError("the constructor did not return an nn.Module")
                trainable = {n: p for n, p in module.named_parameters() if p.requires_grad}
                # Only used when there is no graph (the forward failed): never decides a pass.
                reply["count"] = sum(p.numel() for p in trainable.values())
                reference_shapes = [tuple(d["shape"]) for d in request.get("weights", [])]
                own_shapes = [(n, tuple(p.shape)) for n, p in trainable.items()]
                reply["params"] = [[n, list(shape)] for n, shape in own_shapes]
                assignment: _transplant.Assignment | None
                if request.get("assignment") is not None:  # the judge's: checked, not trusted
                    assignment = _transplant.from_json(
                        request["assignment"], reference_shapes, own_shapes
                    )
                else:
                    assignment = _transplant.natural(
                        reference_shapes, own_shapes, request.get("joins") or ()
                    )
                reply["matched"] = assignment is not None
                if request.get("initial_params"):  # as constructed, before any copy
                    reply["initial_params"] = {
                        n: _wire.pack_tensor(p.detach(), out) for n, p in trainable.items()
                    }
                if request.get("initial"):  # its own initial weights, before any copy
                    with contextlib.suppress(Exception):  # the forward below reports it
                        with _state_kept(torch, module):  # its running statistics too
                            own = _tensors(torch, module(*_fresh(inputs)))
                        reply["initial"] = [_wire.pack_tensor(o, out) for o in own]
                if assignment is not None:
                    weights = [_wire.unpack_tensor(d, buffers) for d in request["weights"]]
                    with torch.no_grad():
                        for entry in assignment:
                            parts = [weights[i] for i in entry.refs]
                            source = parts[0] if len(parts) == 1 else torch.cat(parts)
                            target = trainable[entry.name]
                            target.copy_(source.reshape(entry.shape or target.shape))
                    reply["assignment"] = [e.to_json() for e in assignment]
                call = module
            if request.get("trace"):
                # Before the forward that is sent back: restoring the module's buffers
                # after tracing must not touch tensors that backward still needs.
                self.progress("forward")
                try:
                    reply["graph"] = self._trace(module, call, inputs, out)
                except Exception as exc:  # the forward below says it better, if it fails
                    reply["trace_error"] = str(exc)[:500]
            stage = "forward"
            self.progress("forward")
            if request.get("forward_seed") is not None:  # random masks drawn as the judge's
                torch.default_generator.manual_seed(int(request["forward_seed"]))
            # Copies, not the leaves themselves: a forward may change its input in place
            # (``x += b``), as it may outside the grader; gradients still reach the leaves.
            output = call(*[t.clone() for t in inputs])
            reply["output_kind"] = output_kind(output)
            outputs = _tensors(torch, output)
            reply["outputs"] = [_wire.pack_tensor(o, out) for o in outputs]
            stage = "backward"
            self.progress("backward")
            generator = torch.Generator().manual_seed(int(request["grad_seed"]))
            loss = torch.zeros(())
            for o in outputs:
                if o.is_floating_point():
                    loss = loss + (o.float() * torch.randn(o.shape, generator=generator)).sum()
            if not loss.requires_grad:
                raise RuntimeError("the output does not depend on the input or any parameter")
            loss.backward()
            reply["input_grads"] = [
                _wire.pack_tensor(t.grad, out) if t.grad is not None else None for t in inputs
            ]
            reply["param_grads"] = {
                n: (_wire.pack_tensor(p.grad, out) if p.grad is not None else None)
                for n, p in trainable.items()
            }
            if request.get("variants"):
                stage = "forward"
                self.progress("again")
                reply["variants"] = self._variants(module, call, inputs, out)
        except BaseException as exc:
            reply.update(_error(stage, exc, self.filename))
            reply["ok"], reply["failed"] = True, stage
        self.reply(reply, out)

    def _callable(self, request: dict[str, Any]) -> Any:
        """What a function-like entry point is called as, its drawn arguments bound."""
        args = request.get("args") or {}
        if self.kind == "autograd_function":  # apply takes positional arguments only
            values = list(args.values())
            return lambda *tensors: self.entry.apply(*tensors, *values)
        if self.kind == "function" and args:  # drawn keyword arguments
            return functools.partial(self.entry, **args)
        return self.entry

    def vjp(self, request: dict[str, Any], buffers: list[bytes]) -> None:
        """Outputs for the given inputs and, with ``cotangents``, the input gradients the
        submission's backward gives for them: the judge's gradcheck asks, and decides."""
        torch = self.torch
        out: list[bytes] = []
        try:
            inputs = [_wire.unpack_tensor(d, buffers) for d in request["inputs"]]
            wanted = [t.is_floating_point() for t in inputs]
            for tensor, grad in zip(inputs, wanted, strict=True):
                tensor.requires_grad_(grad)
            with torch.enable_grad():  # also where the caller is a backward (in-process)
                outputs = _tensors(torch, self._callable(request)(*inputs))
            reply: dict[str, Any] = {
                "ok": True,
                "failed": None,
                "outputs": [_wire.pack_tensor(o.detach(), out) for o in outputs],
            }
            if request.get("cotangents") is not None:
                cotangents = [_wire.unpack_tensor(d, buffers) for d in request["cotangents"]]
                pairs = [
                    (o, c)
                    for o, c in zip(outputs, cotangents, strict=True)
                    if o.is_floating_point() and o.requires_grad
                ]
                sources = [t for t, grad in zip(inputs, wanted, strict=True) if grad]
                grads = (
                    torch.autograd.grad(
                        [o for o, _ in pairs],
                        sources,
                        [c for _, c in pairs],
                        allow_unused=True,
                    )
                    if pairs
                    else [None] * len(sources)
                )
                found = iter(grads)
                reply["grads"] = [
                    (_pack_or_none(next(found), out) if grad else None) for grad in wanted
                ]
        except BaseException as exc:
            out = []
            reply = {**_error("forward", exc, self.filename), "ok": True, "failed": "forward"}
        self.reply(reply, out)

    def optimize(self, request: dict[str, Any], buffers: list[bytes]) -> None:
        """Build the optimiser over the given parameters and take one step per set of
        gradients; send back every parameter after every step (raw values, for the judge
        to compare with its own reference optimiser's)."""
        torch = self.torch
        out: list[bytes] = []
        reply: dict[str, Any] = {"ok": True, "failed": None, "trajectory": []}
        stage = "construct"
        self.progress("construct")
        try:
            params = [
                torch.nn.Parameter(_wire.unpack_tensor(d, buffers)) for d in request["params"]
            ]
            steps = [[_wire.unpack_tensor(d, buffers) for d in step] for step in request["grads"]]
            self.torch.default_generator.manual_seed(int(request.get("seed", 0)))
            optimizer = self.entry(params, **(request.get("args") or {}))
            stage = "step"
            for grads in steps:
                self.progress("step")
                for param, grad in zip(params, grads, strict=True):
                    param.grad = grad.clone()
                optimizer.step()
                reply["trajectory"].append(
                    [_wire.pack_tensor(p.detach().clone(), out) for p in params]
                )
        except BaseException as exc:
            reply.update(_error(stage, exc, self.filename))
            reply["ok"], reply["failed"] = True, stage
        self.reply(reply, out)

    def train_eval(self, request: dict[str, Any], buffers: list[bytes]) -> None:
        """Build the module with the given weights, run training forwards, then one in eval
        mode; send back the eval output and every floating buffer (running statistics)."""
        from . import _transplant

        torch = self.torch
        out: list[bytes] = []
        reply: dict[str, Any] = {"ok": True, "failed": None}
        stage = "construct"
        self.progress("construct")
        try:
            module = self._construct(request)
            if not isinstance(module, torch.nn.Module):
                raise TypeError("the constructor did not return an nn.Module")
            trainable = {n: p for n, p in module.named_parameters() if p.requires_grad}
            reference_shapes = [tuple(d["shape"]) for d in request.get("weights", [])]
            own_shapes = [(n, tuple(p.shape)) for n, p in trainable.items()]
            assignment = _transplant.from_json(
                request.get("assignment") or [], reference_shapes, own_shapes
            )
            weights = [_wire.unpack_tensor(d, buffers) for d in request.get("weights", [])]
            with torch.no_grad():
                for entry in assignment:
                    parts = [weights[i] for i in entry.refs]
                    source = parts[0] if len(parts) == 1 else torch.cat(parts)
                    target = trainable[entry.name]
                    target.copy_(source.reshape(entry.shape or target.shape))
            stage = "forward"
            self.progress("forward")
            module.train()
            for batch in request["train"]:
                tensors = [_wire.unpack_tensor(d, buffers) for d in batch]
                with torch.no_grad():
                    module(*tensors)
            module.eval()
            self.progress("again")
            evaluated = [_wire.unpack_tensor(d, buffers) for d in request["eval"]]
            with torch.no_grad():
                outputs = _tensors(torch, module(*evaluated))
            reply["outputs"] = [_wire.pack_tensor(o, out) for o in outputs]
            reply["buffers"] = {
                n: _wire.pack_tensor(b.detach(), out)
                for n, b in module.named_buffers()
                if b.is_floating_point()
            }
        except BaseException as exc:
            out = []
            reply = {**_error(stage, exc, self.filename), "ok": True, "failed": stage}
        self.reply(reply, out)

    def _trace(self, module: Any, call: Any, inputs: list[Any], out: list[bytes]) -> Any:
        from ._trace import trace

        if module is None:
            return {"graph": trace(call, {}, {}, [t.detach() for t in inputs], out), "state": {}}
        params = {n: p for n, p in module.named_parameters() if p.requires_grad}
        frozen = {n: p for n, p in module.named_parameters() if not p.requires_grad}
        state = {**frozen, **dict(module.named_buffers())}
        # The trace runs the forward once: keep running statistics as they were.
        saved = {n: b.detach().clone() for n, b in state.items()}
        try:
            graph = trace(module, params, state, [t.detach() for t in inputs], out)
            return {
                "graph": graph,
                "state": {n: _wire.pack_tensor(v, out) for n, v in saved.items()},
            }
        finally:
            with self.torch.no_grad():
                for name, value in saved.items():
                    state[name].copy_(value)

    def _variants(self, module: Any, call: Any, inputs: list[Any], out: list[bytes]) -> Any:
        """The forward again: once more, under no_grad, and in eval mode."""
        torch = self.torch
        found: dict[str, Any] = {}
        # Running statistics as the one forward left them: the reference's eval output is
        # taken after one training forward, so the two forwards below must not count.
        with _state_kept(torch, module):
            again = _tensors(torch, call(*_fresh(inputs)))
            found["again"] = [_wire.pack_tensor(o, out) for o in again]
        with _state_kept(torch, module):
            no_grad = _tensors(torch, call(*_fresh(inputs)))
            found["no_grad"] = [_wire.pack_tensor(o, out) for o in no_grad]
        if module is not None:
            module.eval()
            with torch.no_grad():
                evaluated = _tensors(torch, call(*_fresh(inputs)))
                found["eval"] = [_wire.pack_tensor(o, out) for o in evaluated]
        return found

    def serve(self) -> NoReturn:
        while True:
            try:
                request, buffers = _wire.receive(self.read_fd)
            except _wire.WireError:
                _exit(0)
            op = request.get("op")
            if op == "load":
                self.load(request)
            elif op == "evaluate":
                self.evaluate(request, buffers)
            elif op == "vjp":
                self.vjp(request, buffers)
            elif op == "optimize":
                self.optimize(request, buffers)
            elif op == "train_eval":
                self.train_eval(request, buffers)
            else:
                _exit(0)


def output_kind(output: Any) -> str:
    """What a forward returned: "one" tensor, a "tuple" or a "list" (of tensors)."""
    return "tuple" if isinstance(output, tuple) else "list" if isinstance(output, list) else "one"


@contextlib.contextmanager
def _state_kept(torch: Any, module: Any) -> Iterator[None]:
    """No gradients, and the module's buffers (running statistics) as they were after."""
    buffers = dict(module.named_buffers()) if module is not None else {}
    with torch.no_grad():
        saved = {n: b.detach().clone() for n, b in buffers.items()}
        try:
            yield
        finally:
            for name, value in saved.items():
                buffers[name].copy_(value)


def _pack_or_none(tensor: Any, out: list[bytes]) -> Any:
    return None if tensor is None else _wire.pack_tensor(tensor, out)


def _fresh(inputs: list[Any]) -> list[Any]:
    """Detached copies of the inputs: what one forward changes in place, the next never sees."""
    return [t.detach().clone() for t in inputs]


def _tensors(torch: Any, output: Any) -> list[Any]:
    outputs = list(output) if isinstance(output, tuple | list) else [output]
    if not outputs or not all(isinstance(o, torch.Tensor) for o in outputs):
        raise TypeError(f"forward must return a tensor, got {type(output).__name__}")
    return outputs


def _exit(code: int) -> NoReturn:
    import os

    os._exit(code)


# --------------------------------------------------------------------------- the cell server


def warm_up() -> None:
    """Load what a contestant would otherwise load per submission (or could not load later)."""
    import collections  # noqa: F401
    import dataclasses  # noqa: F401
    import functools  # noqa: F401
    import itertools  # noqa: F401
    import math  # noqa: F401
    import typing  # noqa: F401

    import torch
    import torch.nn.functional as F

    from . import _confine, _trace, _transplant  # noqa: F401

    _confine.preload()

    conv = torch.nn.Sequential(
        torch.nn.Conv2d(2, 2, 3, padding=1, groups=2, bias=False),
        torch.nn.BatchNorm2d(2),
        torch.nn.Conv2d(2, 3, 1, bias=False),
    )
    x = torch.randn(1, 2, 4, 4, requires_grad=True)
    out: list[bytes] = []
    params: dict[str, torch.Tensor] = dict(conv.named_parameters())
    _trace.trace(conv, params, dict(conv.named_buffers()), [x.detach()], out)
    y = conv(x)
    y.sum().backward()
    F.relu(torch.einsum("bchw,oc->bohw", x, torch.randn(3, 2)))


def main() -> None:
    """The cell server: ``python -c '...main()' CONTROL_FD SETTINGS_JSON``."""
    import json
    import os
    import signal
    import socket

    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import warnings

    warnings.filterwarnings("ignore", message="Failed to initialize NumPy")
    import torch

    from . import _confine

    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    control = socket.socket(fileno=int(sys.argv[1]))
    settings = json.loads(sys.argv[2])
    warm_up()
    # Nothing of its own uid (a contestant, should one get out of its namespaces) may
    # read this process's memory or descriptors.
    _confine._libc().prctl(_confine.PR_SET_DUMPABLE, 0, 0, 0, 0)
    control.sendall(b'{"ready": true}')
    children: dict[int, int] = {}  # cell id -> pid
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    while True:
        try:
            data, fds, _, _ = socket.recv_fds(control, 1 << 16, 3)
        except OSError:
            data, fds = b"", []
        if not data:
            for pid in children.values():
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
            os._exit(0)
        _reap(children)
        try:
            request = json.loads(data)
            op, cell = request["op"], int(request["id"])
        except (ValueError, KeyError, TypeError):
            for fd in fds:
                os.close(fd)
            continue
        if op == "kill":
            pid = children.pop(cell, 0)
            if pid:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(pid, 0)
            continue
        if op != "spawn" or len(fds) != 3:
            for fd in fds:
                os.close(fd)
            continue
        pid = os.fork()
        if pid == 0:
            control.detach()
            _run_contestant(fds, request, settings)
        children[cell] = pid
        for fd in fds:
            os.close(fd)


def _reap(children: dict[int, int]) -> None:
    import os

    for cell, pid in list(children.items()):
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            done = pid
        if done:
            del children[cell]


def _run_contestant(fds: list[int], request: dict[str, Any], settings: dict[str, Any]) -> NoReturn:
    """In the forked child: confine, then serve one judge. Never returns."""
    import json
    import os

    from . import _confine

    try:
        _confine.die_with_parent()
        os.setsid()
        (sock,) = _confine.own_descriptors(fds)
        confinement = _confine.Confinement()
        in_namespaces = _confine.enter_namespaces(confinement)
        if in_namespaces:
            child = os.fork()
            if child:  # stays outside the PID namespace only to wait for its init
                os.close(sock)
                os.waitpid(child, 0)
                os._exit(0)
            _confine.die_with_parent()
            _confine.build_file_system(
                confinement,
                hide=[*settings.get("hide", []), *(request.get("hide") or [])]
                if settings.get("whole_host")
                else [],
                keep=settings.get("keep", []),
                whole_host=bool(settings.get("whole_host")),
            )
        else:
            confinement.missing.append("file system (the whole file system is visible)")
        limits = _confine.Limits(
            cpu_seconds=int(request.get("cpu_seconds", 20)),
            memory_bytes=int(request.get("memory_bytes", _confine.Limits.memory_bytes)),
            processes=int(request.get("processes", _confine.Limits.processes)),
        )
        _confine.set_limits(limits, confinement)
        _confine.drop_privileges(confinement)
        _confine.load_seccomp(confinement)
        _confine.clean_environment()
        notes = [f"not isolated: {m}" for m in confinement.missing]
        os.write(sock, b"R")  # carries this process's credentials: the judge learns its pid
        _wire.send(sock, {"ready": True, "isolation": notes})
        Contestant(sock, sock).serve()
    except BaseException:
        traceback.print_exc()
        sys.stderr.write(json.dumps({"contestant": "could not start"}) + "\n")
    finally:
        os._exit(70)
