"""The ``quiz`` group itself and what every command shares: the consoles, one-line errors
and warnings, exit codes, ``--deck`` loading, atomic output files. With no command, ``quiz``
opens the app."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click
from rich.console import Console

from grader import (
    GradeRequest,
    GraderError,
    GraderPool,
    SubmissionReport,
)
from questions import (
    AnyQuestion,
    DeckLibrary,
    LoadedDeck,
    QuestionsError,
)

from .. import __version__
from ..files import atomic_write_text
from ..progress.store import StoreError
from ..render import deck_table
from ._options import deck_paths_option

F = TypeVar("F", bound=Callable[..., Any])

EXIT_WRONG = 1
EXIT_USAGE = 2


def _stdout() -> Console:
    return Console(highlight=False)


def _stderr() -> Console:
    return Console(stderr=True, highlight=False)


def _fail(message: str) -> NoReturn:
    """One clear line on stderr, exit 2."""
    click.echo(f"quiz: error: {message}", err=True)
    sys.exit(EXIT_USAGE)


def _usage_error(exc: click.UsageError) -> NoReturn:
    """A usage error (a bad option value, a missing argument) as one ``quiz: error:`` line
    that says where the help is, instead of click's usage block."""
    message = " ".join(exc.format_message().split()).removesuffix(".")
    message = message[:1].lower() + message[1:]
    command = exc.ctx.command_path if exc.ctx is not None else "quiz"
    _fail(f"{message} (see `{command} --help`)")


class QuizGroup(click.Group):
    """Turns the libraries' own errors, and usage errors, into one stderr line and exit 2."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as exc:
            _usage_error(exc)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            _usage_error(exc)
        except (QuestionsError, GraderError, StoreError) as exc:
            _fail(str(exc).replace("\n", "\n  "))


def _warn(message: str) -> None:
    """One ``quiz: warning:`` line on stderr, never wrapped."""
    click.echo(f"quiz: warning: {message}", err=True)


def _library(deck_paths: Sequence[Path], *, warn: bool = True) -> DeckLibrary:
    library = DeckLibrary.discover(deck_paths)
    if not warn:
        return library
    for clash in library.clashes:
        _warn(str(clash))
    clash_problems = {clash.problem for clash in library.clashes}
    problems = [p for p in library.problems if p not in clash_problems]
    if problems:
        _warn(
            f"{len(problems)} problem(s) in deck files (those decks were skipped; "
            "`quiz check-deck` shows all):"
        )
        for problem in problems[:5]:
            click.echo(f"  {problem}", err=True)  # never wrapped: editors jump to file:line:col
    return library


@click.group(
    "quiz",
    cls=QuizGroup,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, "--version", "-V", prog_name="mlquiz")
@deck_paths_option("With no command: a deck file or folder to load in the app as well.")
@click.pass_context
def cli(ctx: click.Context, deck_paths: tuple[Path, ...]) -> None:
    """Practise machine-learning interview questions and grade PyTorch code.

    Question ids are DECK/QID, e.g. inception-1x1/q6. Decks come with the
    package, from your data folder (see `quiz decks`), and from --deck PATH.
    """
    if ctx.invoked_subcommand is None:
        if sys.stdin.isatty() and sys.stdout.isatty():
            _run_app(deck_paths)
            return
        # No terminal to draw on (a pipe, a script): say what there is instead.
        _stdout().print(deck_table(_library(deck_paths).decks))
        click.echo(ctx.get_help())
        click.echo(
            "\nIn a terminal, `quiz` opens the app. Try: quiz show inception-1x1/q1 --answer"
        )


def _run_app(
    deck_paths: Sequence[Path], *, library: DeckLibrary | None = None, **options: Any
) -> None:
    from ..app.grading import PoolGradingService
    from ..app.main import QuizApp
    from ..progress.store import Store

    if library is None:
        library = _library(deck_paths, warn=False)
    with Store() as store:
        app = QuizApp(library=library, store=store, grader=PoolGradingService(), **options)
        app.run()
    if app.return_code:  # the app crashed and printed why
        sys.exit(app.return_code)


def _need_terminal(command: str) -> None:
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        _fail(f"`quiz {command}` opens the app and needs a terminal")


def _require_folder(path: Path, option: str | None = None) -> None:
    """Refuse an output path whose folder does not exist, before any work is done."""
    if not path.parent.is_dir():
        where = f"{option} {path}" if option else str(path)
        _fail(f"{where}: the folder {path.parent} does not exist")


def _write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to the file the user named, atomically
    (:func:`~quiz.files.atomic_write_text`): a reader, or a crash, never sees half a file,
    and a failed write leaves nothing behind. A failure is one ``quiz: error:`` line naming
    ``path`` (never the temporary file beside it)."""
    try:
        atomic_write_text(path, text)
    except OSError as exc:
        if not path.parent.is_dir():
            _fail(f"{path}: cannot write: the folder {path.parent} does not exist")
        _fail(f"{path}: cannot write: {exc.strerror or exc}")
    except UnicodeEncodeError as exc:
        _fail(f"{path}: cannot write: the text cannot be written as UTF-8 ({exc.reason})")


def _warn_deck_id_clash(deck_id: str, path: Path) -> None:
    """One warning when a known deck (packaged or the user's) already has ``deck_id``."""
    clash = DeckLibrary.discover().clash_with(deck_id, path)
    if clash is not None:
        _warn(f"{clash} with --id ID")


def _grade_with_progress(
    pool: GraderPool, requests: Sequence[GradeRequest], *, show: bool
) -> list[SubmissionReport]:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    reports: list[SubmissionReport | None] = [None] * len(requests)
    progress_console = _stderr()
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=progress_console,
        transient=True,
        disable=not show or not progress_console.is_terminal,
    ) as progress:
        task = progress.add_task("grading", total=len(requests))
        for index, report in pool.grade(requests):
            reports[index] = report
            progress.advance(task)
    return [r for r in reports if r is not None]


def _warn_isolation(reports: Sequence[SubmissionReport]) -> None:
    notes = sorted({note for r in reports for note in r.isolation if note.startswith("not ")})
    for note in notes:
        click.echo(f"quiz: warning: {note}", err=True)


def _question(library: DeckLibrary, full_id: str) -> tuple[LoadedDeck, AnyQuestion]:
    """``library.question(full_id)``, with a note on stderr when ``full_id`` was retired and its
    replacement is shown instead."""
    loaded, question = library.question(full_id)
    now = f"{loaded.id}/{question.id}"
    if now != full_id.strip():
        _stderr().print(
            f"quiz: note: {full_id.strip()} was retired; it is asked now as {now}",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
    return loaded, question
