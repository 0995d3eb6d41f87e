"""``quiz grade``: code submissions against one code question, and the report formats."""

from __future__ import annotations

import io
import json
import secrets
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import click
from rich.console import Console

from grader import (
    GradeRequest,
    GraderError,
    GraderPool,
    SubmissionReport,
    overall_exit_code,
    render_text,
    to_gradescope,
    to_json_lines,
    to_junit,
)
from questions import (
    CodeQuestion,
)

from . import _early
from ._base import (
    _fail,
    _grade_with_progress,
    _library,
    _question,
    _require_folder,
    _stdout,
    _warn_isolation,
    _write_atomically,
    cli,
)
from ._course import _grade_class_command
from ._options import (
    assignment_option,
    deck_option,
    examples_option,
    feedback_option,
    format_option,
    jobs_option,
    output_option,
    seed_option,
    timeout_option,
)


@cli.command("grade")
@click.argument("question_id", metavar="DECK/QID", required=False)
@click.argument("files", nargs=-1, type=click.Path(path_type=Path), metavar="FILE...")
@assignment_option(
    "Grade a class: an assignment YAML file; the argument is then SUBMISSIONS/, a "
    "folder with one subfolder per student."
)
@format_option(
    "Report format (json is JSON Lines; csv, the gradebook, with --assignment only).",
    default="text",
)
@feedback_option(
    "With --assignment: write one Markdown feedback file per student into this folder."
)
@click.option(
    "--shard",
    metavar="K/N",
    help="With --assignment: grade only shard K of N (a stable hash of each student's "
    "name); `quiz merge` joins the shards' JSON reports.",
)
@output_option("Write the report here instead of standard output.")
@jobs_option("Submissions graded at once.", default=1)
@timeout_option("Seconds one submission may take, in all.")
@examples_option("Drawn configurations per check (default: the question's).")
@seed_option(
    "Seed of the drawn configurations (random unless given; every report prints it, "
    "and the same seed replays a grade).",
    default=None,
)
@click.option(
    "--unsafe-without-bubblewrap",
    "unsafe",
    is_flag=True,
    help="Grade several files or a folder even without bubblewrap, with the lighter "
    "isolation only. Unsafe for code you did not write.",
)
@click.option("--verbose", "-v", is_flag=True, help="Show captured output and timings.")
@deck_option
def grade_command(
    question_id: str | None,
    files: tuple[Path, ...],
    assignment_path: Path | None,
    fmt: str,
    feedback_dir: Path | None,
    shard: str | None,
    output: Path | None,
    jobs: int,
    timeout: float,
    examples: int | None,
    seed: int | None,
    unsafe: bool,
    verbose: bool,
    deck_paths: tuple[Path, ...],
) -> None:
    """Grade code submissions against a code question's reference.

    Each FILE (or every .py file in a FILE that is a folder) runs in an isolated
    process and is checked with generated inputs: compile, load, construct,
    parameters, output_shape, outputs, gradients, flops. A failure shows the
    smallest configuration that breaks it. Exits 0 if all pass, 1 otherwise.

    With --assignment A.yaml SUBMISSIONS/, grades a class: every subfolder of
    SUBMISSIONS is a student; each question's entry point is found in their .py
    files or notebooks, and scores its points times the share of checks passed.
    """
    if assignment_path is not None:
        positional = [Path(question_id)] if question_id else []
        _grade_class_command(
            assignment_path,
            [*positional, *files],
            fmt=fmt,
            output=output,
            feedback_dir=feedback_dir,
            shard=shard,
            jobs=jobs,
            timeout=timeout,
            examples=examples,
            seed=seed,
            unsafe=unsafe,
            verbose=verbose,
            deck_paths=deck_paths,
        )
        return
    if question_id is None or not files:
        _fail("give DECK/QID FILE..., or --assignment A.yaml SUBMISSIONS/ (see --help)")
    for name, value in (("--feedback", feedback_dir), ("--shard", shard)):
        if value is not None:
            _fail(f"{name} grades a class: use it with --assignment")
    if fmt == "csv":
        _fail("--format csv is the gradebook of a class: use it with --assignment")
    if output is not None:
        _require_folder(output, "--output")
    submissions = _submission_files(files)
    # Several files, or a folder, are other people's code: only in the full sandbox.
    others = len(submissions) > 1 or any(path.is_dir() for path in files)
    try:
        pool = GraderPool(jobs=min(jobs, len(submissions)), require_sandbox=others and not unsafe)
    except GraderError as exc:
        _fail(str(exc))
    pool = _early.adopt(pool)  # started by main() before the imports, when it fits
    pool.launch()  # the workers warm up while the decks load
    try:
        library = _library(deck_paths)
        loaded, question = _question(library, question_id)
        full_id = f"{loaded.id}/{question.id}"
        if not isinstance(question, CodeQuestion) or question.checks is None:
            _fail(f"{full_id} is not a code question with checks: nothing to grade")
    except BaseException:
        pool.terminate()
        raise
    if seed is None:
        seed = secrets.randbelow(2**31)
    requests = [
        GradeRequest(
            submission=str(path),
            deck_path=str(loaded.path),
            question_id=question.id,
            display=str(path),
            seed=seed,
            timeout=timeout,
            examples=examples,
        )
        for path in submissions
    ]
    with pool:
        graded = _grade_with_progress(pool, requests, show=len(requests) > 1)
    # A report that ended before the deck was read names the question as the request did.
    reports = [r if r.question == full_id else replace(r, question=full_id) for r in graded]
    _warn_isolation(reports)
    _write_report(reports, fmt, output, verbose)
    _early.exit_now(overall_exit_code(reports))


def _submission_files(paths: Sequence[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            inside = sorted(p for p in path.rglob("*.py") if p.is_file())
            if not inside:
                _fail(f"{path}: no .py files in this folder")
            found += inside
        elif path.is_file():
            found.append(path)
        else:
            _fail(f"{path}: no such file")
    return found


def _write_report(
    reports: Sequence[SubmissionReport], fmt: str, output: Path | None, verbose: bool
) -> None:
    if fmt == "text":
        if output is None:
            render_text(reports, console=_stdout(), verbose=verbose)
            return
        buffer = io.StringIO()
        render_text(
            reports, console=Console(file=buffer, width=100, no_color=True), verbose=verbose
        )
        text = buffer.getvalue()
    elif fmt == "json":
        text = to_json_lines(reports)
    elif fmt == "junit":
        text = to_junit(reports)
    else:
        text = json.dumps(to_gradescope(reports), indent=2, ensure_ascii=False) + "\n"
    if output is None:
        click.echo(text, nl=False)
    else:
        _write_atomically(output, text)
