"""The process that runs submitted code: it executes requests and reports raw results.

It is forked from a judge and isolated (``_sandbox.isolate``) before any
submitted code runs. It never decides anything: it constructs the submission,
copies in the weights it is given, runs forward and backward, counts FLOPs,
and sends back tensors and numbers over the wire format (JSON + raw bytes). The
judge, a process the submission cannot reach, compares them with the reference.
"""

from __future__ import annotations

import contextlib
import errno
import linecache
import sys
import traceback
import types
from typing import Any, NoReturn

from . import _wire

SUBMISSION_MODULE = "submission"


class _Tampered(Exception):
    pass


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
        from torch.utils import flop_counter

        self.torch = torch
        self.flop_counter = flop_counter
        # Captured before any submitted code runs, checked after every measurement.
        self._counter_class = flop_counter.FlopCounterMode
        self._counter_methods = dict(vars(flop_counter.FlopCounterMode))
        self._registry = dict(flop_counter.flop_registry)

    def reply(self, header: dict[str, Any], buffers: list[bytes] | None = None) -> None:
        # What the submission printed so far reaches the capture files even if it is
        # killed before it ends.
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        _wire.send(self.write_fd, header, buffers)

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
        """Construct, copy in the reference weights, run forward and backward; report all.

        The reply says how far it got: ``failed`` is None, "construct", "forward" or
        "backward", with the cut traceback of that failure.
        """
        from ._transplant import candidates

        torch = self.torch
        out: list[bytes] = []
        reply: dict[str, Any] = {"ok": True, "failed": None}
        stage = "construct"
        try:
            inputs = [_wire.unpack_tensor(d, buffers) for d in request["inputs"]]
            for tensor in inputs:
                if tensor.is_floating_point():
                    tensor.requires_grad_(True)
            call: Any = self.entry
            trainable: dict[str, Any] = {}
            if self.kind == "module":
                module = self._construct(request)
                if not isinstance(module, torch.nn.Module):
                    raise TypeError("the constructor did not return an nn.Module")
                named = list(module.named_parameters())
                trainable = {n: p for n, p in named if p.requires_grad}
                reply["params"] = [
                    {"name": n, "shape": list(p.shape), "trainable": bool(p.requires_grad)}
                    for n, p in named
                ]
                reply["count"] = sum(p.numel() for p in trainable.values())
                reference_shapes = [tuple(d["shape"]) for d in request.get("weights", [])]
                options = list(
                    candidates(
                        reference_shapes, [(n, tuple(p.shape)) for n, p in trainable.items()]
                    )
                )
                reply["candidates"] = len(options)
                choice = int(request.get("candidate", 0))
                if options and choice < len(options):
                    with torch.no_grad():
                        for name, index, shape in options[choice]:
                            source = _wire.unpack_tensor(request["weights"][index], buffers)
                            trainable[name].copy_(source.reshape(shape) if shape else source)
                    reply["assignment"] = options[choice]
                call = module
            stage = "forward"
            counter = self._counter_class(display=False)
            with counter:
                output = call(*inputs)
            reply["flops"] = int(counter.get_total_flops())
            self._check_counter()
            outputs = list(output) if isinstance(output, tuple | list) else [output]
            if not outputs or not all(isinstance(o, torch.Tensor) for o in outputs):
                raise TypeError(f"forward must return a tensor, got {type(output).__name__}")
            reply["outputs"] = [_wire.pack_tensor(o, out) for o in outputs]
            stage = "backward"
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
        except _Tampered as exc:
            self.reply({"ok": False, "failed": "tampered", "message": str(exc)})
            return
        except BaseException as exc:
            reply.update(_error(stage, exc, self.filename))
            reply["ok"], reply["failed"] = True, stage
        self.reply(reply, out)

    def _check_counter(self) -> None:
        fc = self.flop_counter
        if (
            fc.FlopCounterMode is not self._counter_class
            or dict(vars(self._counter_class)) != self._counter_methods
            or dict(fc.flop_registry) != self._registry
        ):
            raise _Tampered("the submission tampered with the FLOP counter")

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
            else:
                _exit(0)


def _numel(shape: list[int]) -> int:
    total = 1
    for d in shape:
        total *= d
    return total


def _exit(code: int) -> NoReturn:
    import os

    os._exit(code)
