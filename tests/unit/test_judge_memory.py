"""A judge's own memory is bounded: what no check foresaw fails an allocation, not the host."""

from __future__ import annotations

import os

import pytest

from grader import _zygote


@pytest.mark.slow  # forks a process that imports torch
def test_a_judge_cannot_allocate_past_its_bound() -> None:
    import torch

    pid = os.fork()
    if pid == 0:  # the judge's side of the fork
        code = 1
        try:
            _zygote._bound_memory()
            small = torch.ones(1024, 1024)  # what grading needs still works
            try:
                torch.empty(_zygote.JUDGE_MEMORY // 4 + 2**28, dtype=torch.float32).fill_(1)
            except (RuntimeError, MemoryError):
                code = 0 if small.sum() == 1024 * 1024 else 2
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
