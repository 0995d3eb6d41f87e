"""The grading workers of ``quiz grade``, started before the command line is even parsed.

A cold ``quiz grade`` waits for its workers to import torch, and they are the longest part
of it. So :func:`launch` starts them from the command line as it comes in, before this
process imports click, rich, pydantic and the question bank: all of that, and the parsing
and the deck loading, then happen while the workers warm up. The command takes the pool
with :func:`adopt` when it is the one it would have started itself; any other way out
(a usage error, ``--help``, an error before grading, another pool needed) ends it in
:func:`discard`. Nothing here decides anything the command does not check again.

This module imports only the standard library and ``grader.pool`` (which holds no
pydantic): it runs before everything else.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    from grader import GraderPool

_pool: GraderPool | None = None
_owns_process = False  # main() runs as the program: it may end the process at once

# Tokens after which the early pool would not be the one the command starts (or none at
# all): help, a class (its own pools), and another number of workers.
_NOT_ONE_POOL = ("-h", "--help", "--assignment", "-j", "--jobs")


def wants_early_pool(args: Sequence[str]) -> bool:
    """Whether ``args`` look like ``quiz grade DECK/QID FILE...`` graded by one worker."""
    if len(args) < 3 or args[0] != "grade":
        return False
    return not any(arg.startswith(_NOT_ONE_POOL) for arg in args[1:])


def launch(args: Sequence[str], *, owns_process: bool) -> None:
    """Start one worker if ``args`` are a ``quiz grade`` that will want it."""
    global _pool, _owns_process
    _owns_process = owns_process
    if _pool is not None or not wants_early_pool(args):
        return
    pool = _warm_pool()
    if pool is None:
        from grader.pool import GraderPool

        pool = GraderPool(jobs=1)
        try:
            pool.launch()
        except OSError:  # the command starts its own, and reports what went wrong
            pool.terminate()
            return
    _pool = pool


def _warm_pool() -> GraderPool | None:
    """The warm server's worker (``grader._warm``), started if none runs; None when it is
    turned off (``MLQUIZ_WARM_SECONDS=0``) or cannot be reached."""
    from grader import _warm

    if not _warm.warm_seconds():
        return None
    where = _warm.address()
    if where is None:
        return None
    pool = _warm.WarmPool(where)
    try:
        pool.launch()
    except OSError:
        return None
    return pool


def adopt(pool: GraderPool) -> GraderPool:
    """The early pool if it runs the workers ``pool`` would (``pool`` is then unused), else
    ``pool``; an early pool that does not fit is ended."""
    global _pool
    early, _pool = _pool, None
    if early is None:
        return pool
    if early.jobs == pool.jobs:
        return early
    early.terminate()
    return pool


def discard() -> None:
    """End the early pool unless the command took it."""
    global _pool
    early, _pool = _pool, None
    if early is not None:
        early.terminate()


def exit_now(code: int) -> NoReturn:
    """Exit with ``code``; from the program itself, without tearing the interpreter down.

    The report is written and the workers are closed by then; what is left (freeing click,
    rich, pydantic and the question bank object by object) only delays the shell. Called
    in-process (tests, ``main(argv)``), it raises ``SystemExit`` like ``sys.exit``.
    """
    if not _owns_process:
        sys.exit(code)
    discard()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can be said there
            code = code or 1
    os._exit(code)
