"""Grading a class: ``quiz grade --assignment`` against one fresh ``quiz grade`` per file.

A class of ``--students`` folders (default 200), each answering two questions
(``inception-1x1/q10`` and ``attention/causal-attention``) in its own ``.py`` files; one
student in four hands in a wrong answer to each. Measured in this one run, on this machine:

- class: ``quiz grade --assignment hw.yaml CLASS/ --jobs 2 --format csv``, one command,
  start to exit (the warm pool grades every file; students' files are found, read and staged);
- fresh: ``quiz grade DECK/QID FILE``, a new process per file as otter-grader starts one per
  submission, two at a time (the same two cores ``--jobs 2`` uses). With ``--sample N`` only
  N files go through fresh processes and the per-file time is multiplied out to the class
  (``--sample 0``: every file, which takes a long time for 200 students).

Prints both times, per file and in all, and the ratio fresh ÷ class.

Run: ``.venv/bin/python benchmarks/class_throughput.py [--students N] [--sample N]``;
a quick run: ``--students 20 --sample 8``.
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from questions import CodeQuestion, DeckLibrary

QUESTIONS = ("inception-1x1/q10", "attention/causal-attention")
JOBS = 2


def timed_run(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def make_class(folder: Path, students: int) -> list[tuple[str, Path]]:
    """Student folders; returns every (question, file) a fresh process would grade."""
    library = DeckLibrary.discover()
    answers = []
    for full_id in QUESTIONS:
        _, question = library.question(full_id)
        assert isinstance(question, CodeQuestion)
        wrong = question.wrong_solutions[0].code if question.wrong_solutions else None
        answers.append((full_id, question.entry_point, question.reference, wrong))
    files = []
    for index in range(students):
        student = folder / f"student{index:03d}"
        student.mkdir(parents=True)
        for number, (full_id, entry, reference, wrong) in enumerate(answers, 1):
            code = wrong if wrong is not None and index % 4 == 3 else reference
            path = student / f"q{number}_{entry.lower()}.py"
            path.write_text(code, encoding="utf-8")
            files.append((full_id, path))
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=200, help="students in the class")
    parser.add_argument(
        "--sample", type=int, default=20, help="files graded by fresh processes (0: all)"
    )
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="mlquiz-class-bench-"))
    try:
        files = make_class(work / "class", args.students)
        assignment = work / "hw.yaml"
        assignment.write_text(
            "id: bench\ntitle: Benchmark\nquestions:\n"
            + "".join(f"  - {{question: {q}, points: 1}}\n" for q in QUESTIONS),
            encoding="utf-8",
        )
        quiz = [sys.executable, "-m", "quiz"]
        class_seconds = timed_run(
            [
                *quiz, "grade", "--assignment", str(assignment), str(work / "class"),
                "--jobs", str(JOBS), "--seed", "0", "--format", "csv",
                "-o", str(work / "gradebook.csv"),
            ]
        )  # fmt: skip
        rows = (work / "gradebook.csv").read_text(encoding="utf-8").splitlines()
        assert len(rows) == args.students + 1, "the class run did not write its gradebook"

        # Drawn with a fixed seed, so both questions and right and wrong answers are in it.
        wanted = len(files) if args.sample <= 0 else min(args.sample, len(files))
        sample = random.Random(0).sample(files, wanted)

        def fresh(item: tuple[str, Path]) -> float:
            return timed_run([*quiz, "grade", item[0], str(item[1]), "--seed", "0"])

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=JOBS) as workers:
            list(workers.map(fresh, sample))
        fresh_per_file = (time.perf_counter() - started) / len(sample)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    total = len(files)
    fresh_seconds = fresh_per_file * total
    how = "measured on all files" if len(sample) == total else f"{len(sample)} files, scaled"
    print(f"class: {args.students} students × {len(QUESTIONS)} questions = {total} files")
    print(f"{'measurement':<58} {'per file':>9} {'in all':>9}")
    print(
        f"{'quiz grade --assignment, --jobs 2 (one command)':<58} "
        f"{class_seconds / total:>9.3f} {class_seconds:>9.1f}"
    )
    print(
        f"{f'fresh quiz grade per file, 2 at a time ({how})':<58} "
        f"{fresh_per_file:>9.3f} {fresh_seconds:>9.1f}"
    )
    print(f"\nfresh ÷ class = {fresh_seconds / class_seconds:.1f}× (higher: the class run wins)")


if __name__ == "__main__":
    main()
