"""A judge's own memory is bounded: what no check foresaw fails an allocation, not the host."""

from __future__ import annotations

import subprocess
import sys

import pytest

# A fresh interpreter, as a judge is a fresh fork of the warm server: forking a process whose
# torch thread pool has started (a test worker) can hang the child.
PROBE = """
import torch
from grader import _zygote

torch.set_num_threads(1)
_zygote._bound_memory()
small = torch.ones(1024, 1024)  # what grading needs still works
try:
    torch.empty(_zygote.JUDGE_MEMORY // 4 + 2**28, dtype=torch.float32).fill_(1)
except (RuntimeError, MemoryError):
    print("refused", int(small.sum()))
else:
    print("allocated")
"""


@pytest.mark.slow  # starts an interpreter that imports torch
def test_a_judge_cannot_allocate_past_its_bound() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.stdout.split() == ["refused", str(1024 * 1024)], result.stderr
