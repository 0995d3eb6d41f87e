"""How long grading the Q10 reference takes, next to ``python -c "import torch"``.

Everything is measured in this one run, on this machine, so the ratios compare
like with like:

- torch import: a new interpreter that only imports torch (the floor for any
  grader that starts a fresh process per submission);
- cold: ``quiz grade inception-1x1/q10 FILE`` as a new process, start to exit, three ways:
  with the warm server already running (any ``quiz grade`` after the first, within
  ``MLQUIZ_WARM_SECONDS``), the first one (which starts the warm server), and with the
  warm server turned off (``MLQUIZ_WARM_SECONDS=0``: the command starts its own workers);
- warm: one file graded by an already started pool (``GraderPool``);
- batch: 50 files graded by a started pool with ``--jobs 1`` and ``--jobs 2``,
  per file; and the same 50 through the whole ``quiz grade`` command;
- in-process floor: the same checks on the same configurations (same file, same
  seed), with the contestant's code called in this process: no sandbox, no
  processes, no pipes. What isolation adds is the difference.

Goals (issue 10): one more file in a ``--jobs 1`` batch costs at most 2.0× the
floor; ``quiz grade`` on one file, from a new process, at most 1.6× ``import torch``.
The warm servers this starts run in a private runtime folder of its own and are stopped
at the end.

Run: ``.venv/bin/python benchmarks/grade_speed.py [--repeat N] [--batch N]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from grader import GradeRequest, GraderPool
from questions import CodeQuestion, DeckLibrary

QUESTION = "inception-1x1/q10"


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def median_of(repeat: int, action: Callable[[], object]) -> float:
    return statistics.median(timed(action) for _ in range(repeat))


def run(command: list[str], env: dict[str, str] | None = None) -> None:
    subprocess.run(
        command, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
    )


def _stop_warm_servers(runtime: Path) -> None:
    from grader import _warm

    for sock in runtime.glob("mlquiz/*.sock"):
        _warm.stop(sock)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument("--batch", type=int, default=50, help="files in the batch")
    args = parser.parse_args()

    library = DeckLibrary.discover()
    loaded, question = library.question(QUESTION)
    assert isinstance(question, CodeQuestion)
    work = Path(tempfile.mkdtemp(prefix="mlquiz-bench-"))
    try:
        reference = work / "reference.py"
        reference.write_text(question.reference, encoding="utf-8")
        batch_dir = work / "batch"
        batch_dir.mkdir()
        for index in range(args.batch):
            shutil.copy(reference, batch_dir / f"submission_{index:03d}.py")
        quiz = [sys.executable, "-m", "quiz"]

        torch_import = median_of(args.repeat, lambda: run([sys.executable, "-c", "import torch"]))
        floor = _in_process_floor(reference, str(loaded.path), question.id, max(args.repeat, 5))
        one_file = [*quiz, "grade", QUESTION, str(reference), "--seed", "0"]
        runtime = work / "run"
        runtime.mkdir(mode=0o700)
        warm_env = {**os.environ, "XDG_RUNTIME_DIR": str(runtime), "MLQUIZ_WARM_SECONDS": "600"}

        def first_run() -> None:
            _stop_warm_servers(runtime)
            run(one_file, env=warm_env)

        first = median_of(args.repeat, first_run)
        warm_server = median_of(args.repeat, lambda: run(one_file, env=warm_env))
        _stop_warm_servers(runtime)
        cold = median_of(
            args.repeat, lambda: run(one_file, env={**os.environ, "MLQUIZ_WARM_SECONDS": "0"})
        )

        def request(path: Path) -> GradeRequest:
            return GradeRequest(
                submission=str(path), deck_path=str(loaded.path), question_id=question.id, seed=0
            )

        files = sorted(batch_dir.iterdir())
        with GraderPool(jobs=1) as pool:
            pool.grade_all([request(reference)])  # first job: warm the page cache
            warm = median_of(max(args.repeat, 5), lambda: pool.grade_all([request(reference)]))
            batch1 = timed(lambda: pool.grade_all([request(f) for f in files])) / len(files)
        with GraderPool(jobs=2) as pool:
            pool.grade_all([request(reference)])
            batch2 = timed(lambda: pool.grade_all([request(f) for f in files])) / len(files)
        whole = timed(lambda: run([*quiz, "grade", QUESTION, str(batch_dir), "--jobs", "2"]))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    rows = [
        ('python -c "import torch"', torch_import),
        ("in-process floor: same checks, no isolation", floor),
        ("quiz grade, one file, warm server running", warm_server),
        ("quiz grade, one file, first (starts the server)", first),
        ("quiz grade, one file, warm server off", cold),
        ("warm: one file, started pool", warm),
        (f"batch of {args.batch}, --jobs 1, per file", batch1),
        (f"batch of {args.batch}, --jobs 2, per file", batch2),
        (f"quiz grade on {args.batch} files --jobs 2, whole command", whole),
    ]
    print(f"{'measurement':<48} {'seconds':>9} {'÷ import torch':>15}")
    for name, seconds in rows:
        print(f"{name:<48} {seconds:>9.3f} {seconds / torch_import:>15.2f}")
    print(
        f"\none more file in a --jobs 1 batch ÷ in-process floor = {batch1 / floor:.2f} "
        "(goal: ≤ 2.0)"
    )
    print(
        f"quiz grade on one file ÷ import torch = {warm_server / torch_import:.2f} with the "
        f"warm server running (goal: ≤ 1.6); {first / torch_import:.2f} for the first, which "
        f"starts it; {cold / torch_import:.2f} with it turned off"
    )


def _in_process_floor(reference: Path, deck_path: str, question_id: str, repeat: int) -> float:
    """The checks alone: judge and contestant code in this process, one thread."""
    import os

    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import torch

    from grader._judge import Job, grade_in_process

    torch.set_num_threads(1)
    job = Job(
        submission=str(reference),
        display=reference.name,
        deck_path=deck_path,
        question_id=question_id,
        seed=0,
    )
    report = grade_in_process(job)  # warm: first use of the tracer and hypothesis
    assert report.status == "pass", report
    return median_of(repeat, lambda: grade_in_process(job))


if __name__ == "__main__":
    main()
