"""Grading a class: ``quiz grade --assignment``, ``merge``, ``similarity`` and ``autograder``."""

from __future__ import annotations

import secrets
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from grader import (
    GraderError,
    GraderPool,
)

from ._base import (
    EXIT_WRONG,
    _fail,
    _library,
    _require_folder,
    _stderr,
    _stdout,
    _warn,
    _warn_isolation,
    _write_atomically,
    cli,
)
from ._options import (
    assignment_option,
    deck_option,
    examples_option,
    feedback_option,
    format_option,
    output_option,
    seed_option,
    timeout_option,
)


def _grade_class_command(
    assignment_path: Path,
    paths: Sequence[Path],
    *,
    fmt: str,
    output: Path | None,
    feedback_dir: Path | None,
    shard: str | None,
    jobs: int,
    timeout: float,
    examples: int | None,
    seed: int | None,
    unsafe: bool,
    verbose: bool,
    deck_paths: tuple[Path, ...],
) -> None:
    """``quiz grade --assignment A.yaml SUBMISSIONS/``: the gradebook of a class."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from ..course import find_students, grade_class, load_assignment, parse_shard

    if len(paths) != 1:
        _fail("--assignment takes one SUBMISSIONS folder (one subfolder per student)")
    root = paths[0]
    if not root.is_dir():
        _fail(f"{root}: not a folder (SUBMISSIONS has one subfolder per student)")
    if output is not None:
        _require_folder(output, "--output")
    if feedback_dir is not None:
        _require_folder(feedback_dir.resolve(), "--feedback")
    for option, path in (("--output", output), ("--feedback", feedback_dir)):
        if path is not None and path.resolve().is_relative_to(root.resolve()):
            _fail(f"{option} {path}: inside {root}, where every folder is a student")
    wanted_shard = parse_shard(shard) if shard is not None else None
    # A class is other people's code: only in the full sandbox, unless told otherwise.
    try:
        pool = GraderPool(jobs=jobs, require_sandbox=not unsafe)
    except GraderError as exc:
        _fail(str(exc))
    pool.launch()  # the workers warm up while the assignment and the folders are read
    try:
        assignment = load_assignment(assignment_path, _library(deck_paths))
        students = find_students(root, wanted_shard)
    except BaseException:
        pool.terminate()
        raise
    if not students:
        _warn(f"{root}: no student folders" + (f" in shard {shard}" if shard else ""))
    progress_console = _stderr()
    with (
        Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=progress_console,
            transient=True,
            disable=not progress_console.is_terminal,
        ) as progress,
        pool,
    ):
        task = progress.add_task(f"grading {assignment.id}", total=None)
        result = grade_class(
            assignment,
            root,
            pool,
            students=students,
            seed=secrets.randbelow(2**31) if seed is None else seed,
            timeout=timeout,
            examples=examples,
            also_hidden=[p for p in (feedback_dir, output and output.parent) if p is not None],
            on_start=lambda total: progress.update(task, total=total),
            on_graded=lambda: progress.advance(task),
        )
    _warn_isolation([g.report for g in result.grades if g.report is not None])
    _write_class_outputs(result, fmt, output, feedback_dir, verbose)


def _write_class_outputs(
    result: Any, fmt: str, output: Path | None, feedback_dir: Path | None, verbose: bool
) -> None:
    """The gradebook in ``fmt`` (to ``output`` or standard output) and the feedback files.

    Exits 0 once they are written, whatever the students scored: the scores are in the
    gradebook, and a scheduler should not rerun a shard because a student failed.
    """
    from ..course import feedback_markdown, feedback_name, render, render_class_text

    console = _stdout()
    if fmt == "text" and output is None and console.is_terminal:
        render_class_text(result, console, verbose=verbose)
    else:
        text = render(result, fmt, verbose=verbose)
        if output is None:
            click.echo(text, nl=False)
        else:
            _write_atomically(output, text)
    if feedback_dir is not None:
        try:
            feedback_dir.mkdir(exist_ok=True)
        except OSError as exc:
            _fail(f"--feedback {feedback_dir}: cannot create: {exc.strerror or exc}")
        for student in result.students:
            _write_atomically(
                feedback_dir / feedback_name(student), feedback_markdown(result, student)
            )
        click.echo(f"wrote {len(result.students)} feedback files to {feedback_dir}", err=True)


@cli.command("merge")
@click.argument(
    "reports",
    nargs=-1,
    required=True,
    type=click.Path(path_type=Path, dir_okay=False, exists=True, allow_dash=True),
    metavar="REPORT.jsonl...",
)
@format_option("Report format of the merged gradebook.", default="csv")
@output_option("Write the gradebook here instead of standard output.")
@feedback_option("Write one Markdown feedback file per student into this folder.")
def merge_command(
    reports: tuple[Path, ...], fmt: str, output: Path | None, feedback_dir: Path | None
) -> None:
    """Join the JSON reports of class grading shards into one gradebook.

    Each REPORT is what `quiz grade --assignment A.yaml SUBMISSIONS/ --shard K/N
    --format json` wrote. Refuses reports of different assignments and a student
    graded twice. The result is the same as grading the class in one run.
    """
    from ..course import read_json_lines

    if output is not None:
        _require_folder(output, "--output")
    texts = []
    for path in reports:
        try:
            text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            _fail(f"{path}: cannot read: {exc}")
        texts.append((str(path), text))
    _write_class_outputs(read_json_lines(texts), fmt, output, feedback_dir, verbose=False)


@cli.command("similarity")
@assignment_option("The assignment YAML file.", required=True)
@click.argument("submissions", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option(
    "--threshold",
    type=click.FloatRange(0, 1),
    default=0.5,
    show_default=True,
    help="Smallest similarity (0-1) reported.",
)
@click.option(
    "--common",
    type=click.IntRange(1),
    help="Code shared by more than this many students is the usual way to write it and "
    "does not count (default: 10% of the class, at least 3).",
)
@format_option("Report format (json is JSON Lines).", default="text", choices=("text", "json"))
@output_option("Write the report here instead of standard output.")
@deck_option
def similarity_command(
    assignment_path: Path,
    submissions: Path,
    threshold: float,
    common: int | None,
    fmt: str,
    output: Path | None,
    deck_paths: tuple[Path, ...],
) -> None:
    """List pairs of students whose answers to a question are suspiciously alike.

    Compares normalised tokens with winnowed fingerprints, as MOSS does, so
    renaming variables, reformatting or reordering functions does not hide a
    copy; the question's starter code does not count. Nothing is run. Exits 1
    when some pair is at or above --threshold, 0 otherwise.
    """
    from grader import terminal_safe

    from ..course import find_similar, load_assignment, similarity_json_lines
    from ..course._similarity import describe_lines

    if output is not None:
        _require_folder(output, "--output")
    assignment = load_assignment(assignment_path, _library(deck_paths))
    pairs = find_similar(assignment, submissions, threshold=threshold, common=common)
    if fmt == "json":
        text = similarity_json_lines(pairs)
    else:
        lines = []
        for pair in pairs:
            lines.append(f"{pair.question}  {pair.a} ~ {pair.b}  similarity {pair.similarity:.2f}")
            for region in pair.regions:
                a = describe_lines(pair.a_file, region.a_first, region.a_last)
                b = describe_lines(pair.b_file, region.b_first, region.b_last)
                lines.append(f"  {pair.a}/{a}  ~  {pair.b}/{b}")
        count = len(pairs)
        lines.append(
            f"{count} pair{'' if count == 1 else 's'} at or above similarity {threshold:g}"
        )
        text = terminal_safe("\n".join(lines)) + "\n"
    if output is None:
        click.echo(text, nl=False)
    else:
        _write_atomically(output, text)
    sys.exit(EXIT_WRONG if pairs else 0)


@cli.command("autograder")
@click.argument(
    "assignment_path",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    metavar="ASSIGNMENT.yaml",
)
@output_option(
    "Where to write the autograder zip.", default=Path("autograder.zip"), show_default=True
)
@timeout_option("Seconds one question may take, in all.")
@seed_option(
    "Seed of the drawn configurations, the same for every student (random unless given).",
    default=None,
)
@examples_option("Drawn configurations per check (default: each question's).")
@deck_option
def autograder_command(
    assignment_path: Path,
    output: Path,
    timeout: float,
    seed: int | None,
    examples: int | None,
    deck_paths: tuple[Path, ...],
) -> None:
    """Build a Gradescope autograder zip for an assignment.

    Upload the zip as the assignment's autograder: setup.sh installs mlquiz with
    its CPU torch (and bubblewrap where it can), run_autograder grades the
    student's files and writes results.json, a test per check, out of the
    assignment's points.
    """
    from ..course import build_bundle

    _require_folder(output, "--output")
    names = build_bundle(
        assignment_path,
        _library(deck_paths),
        output,
        timeout=timeout,
        seed=seed,
        examples=examples,
    )
    click.echo(f"wrote {output}: {len(names)} files (setup.sh, run_autograder, …)", err=True)
