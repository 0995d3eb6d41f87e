"""The ``quiz`` command line: a thin layer over ``questions`` and ``grader``.

Exit codes: 0 success (all answers right), 1 some answer wrong, 2 usage error or
a deck error. Errors from the libraries become one line on stderr.
"""

from __future__ import annotations

import io
import json
import random
import re
import secrets
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click
from rich.console import Console

from grader import (
    GradeRequest,
    GraderError,
    GraderPool,
    SubmissionReport,
    grade_numeric,
    overall_exit_code,
    render_text,
    to_gradescope,
    to_json_lines,
    to_junit,
)
from grader.deckcheck import check_decks
from questions import (
    ChoiceQuestion,
    CodeQuestion,
    ConceptQuestion,
    DeckLibrary,
    NumericQuestion,
    QuestionsError,
    deck_files,
    deck_json_schema,
    draw_numbers,
    packaged_decks_dir,
    user_decks_dir,
)

from . import __version__
from .files import atomic_write_text
from .progress.store import StoreError
from .render import deck_table, kind_counts, numeric_result_view, plain, question_view

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


def deck_option(command: F) -> F:
    """``--deck PATH`` (repeatable): decks to load beside the packaged and user decks."""
    return click.option(
        "--deck",
        "deck_paths",
        multiple=True,
        type=click.Path(path_type=Path),
        help="A deck file or a folder of decks to load as well (repeatable).",
    )(command)


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
@click.option(
    "--deck",
    "deck_paths",
    multiple=True,
    type=click.Path(path_type=Path),
    help="With no command: a deck file or folder to load in the app as well.",
)
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
    from .app.grading import PoolGradingService
    from .app.main import QuizApp
    from .progress.store import Store

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


def _deck_selection(values: Sequence[str]) -> tuple[DeckLibrary, list[str] | None]:
    """``--deck`` values of review and mock: deck ids, or deck files/folders to load (then
    their decks are the ones chosen). Returns the library and the chosen deck ids (None: all)."""
    paths = [Path(v) for v in values if Path(v).exists()]
    library = _library(paths)
    if not values:
        return library, None
    chosen: list[str] = []
    for value in values:
        if Path(value).exists():
            chosen += [
                d.id
                for d in library.decks
                if d.path.resolve().is_relative_to(Path(value).resolve())
            ]
        elif value in {d.id for d in library.decks}:
            chosen.append(value)
        else:
            known = ", ".join(d.id for d in library.decks)
            _fail(f"no deck {value!r} (a deck id or a deck file); decks: {known}")
    return library, list(dict.fromkeys(chosen))


@cli.command("review")
@click.option(
    "--deck",
    "decks",
    multiple=True,
    metavar="DECK",
    help="Review only this deck (an id, or a deck file to load); repeatable.",
)
@click.option(
    "--new-per-day",
    type=click.IntRange(0, 1000),
    help="Save the daily limit of new questions (default 10) before reviewing.",
)
@click.option(
    "--list", "as_list", is_flag=True, help="Print today's queue instead of opening the app."
)
def review_command(decks: tuple[str, ...], new_per_day: int | None, as_list: bool) -> None:
    """Review what spaced repetition says is due today, then new questions.

    Numeric, choice and code answers are rated by their result (right first try:
    Good, or Easy within the question's expected time; after hints or retries:
    Hard; wrong: Again); concept answers are rated by you after the reference
    answer is shown. Progress is saved as each answer is given.
    """
    from .progress.scheduling import Scheduler, set_new_per_day
    from .progress.scheduling import new_per_day as saved_limit
    from .progress.store import Store

    library, chosen = _deck_selection(decks)
    with Store() as store:
        if new_per_day is not None:
            set_new_per_day(store, new_per_day)
        scheduler = Scheduler(store)
        queue = scheduler.queue(library, decks=chosen)
        limit = saved_limit(store)
        upcoming = None if queue else scheduler.next_due(library, decks=chosen)
    soon = None if upcoming is None else f"{upcoming[1]} due {upcoming[0].isoformat()}"
    if as_list or not (sys.stdin.isatty() and sys.stdout.isatty()):
        out = _stdout()
        out.print(
            f"[bold]Due today: {len(queue.due)}[/] · new today: {len(queue.new)} "
            f"(limit {limit} a day)"
        )
        for question in queue.due:
            out.print(f"  due  {question}")
        for question in queue.new:
            out.print(f"  new  {question}")
        if queue.new:
            out.print(
                "[dim]New questions come deck by deck, in the order `quiz decks` lists them; "
                "--deck DECK picks decks.[/]",
                soft_wrap=True,
            )
        if not queue:
            out.print(f"Nothing left for today. Next: {soon or 'nothing this week'}.")
        elif not as_list:
            out.print("In a terminal, `quiz review` opens the app on this queue.")
        return
    if not queue:
        click.echo(
            "Nothing is due and no new questions are left for today."
            + (f" Next: {soon}." if soon else "")
        )
        return
    _run_app((), library=library, start="review", review_decks=chosen)


@cli.command("mock")
@click.option(
    "--minutes",
    type=click.FloatRange(min=0, min_open=True, max=600),
    default=30,
    show_default=True,
    help="Length of the interview.",
)
@click.option(
    "--deck",
    "decks",
    multiple=True,
    metavar="DECK",
    help="Draw questions from this deck (an id, or a deck file); repeatable. Default: all.",
)
@click.option(
    "--count", type=click.IntRange(min=1), default=6, show_default=True, help="Questions."
)
@click.option("--seed", type=int, help="Pick the same questions and numbers again.")
@click.option(
    "--interviewer",
    is_flag=True,
    help="Interviewer mode: show the reference answer and rubric beside the answer, score live.",
)
@click.option(
    "--export",
    "export",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the scorecard here at the end: .md for Markdown, .json for JSON.",
)
def mock_command(
    minutes: float,
    decks: tuple[str, ...],
    count: int,
    seed: int | None,
    interviewer: bool,
    export: Path | None,
) -> None:
    """A timed mock interview: mixed concept, numeric and code questions.

    No reference answers until the end; hints cost a quarter of a question's
    points each; skip and come back as you like. The scorecard (time, score,
    key points missed and failed checks per question) is saved to your history.
    """
    from .progress.mock import MockConfig

    if export is not None and export.suffix.lower() not in (".md", ".markdown", ".json"):
        _fail(f"--export {export}: the scorecard is written as .md (Markdown) or .json")
    if export is not None:
        _require_folder(export, "--export")
    library, chosen = _deck_selection(decks)
    try:
        config = MockConfig(
            minutes=minutes,
            decks=tuple(chosen or ()),
            count=count,
            seed=seed,
            interviewer=interviewer,
        )
    except ValueError as exc:
        _fail(str(exc))
    _need_terminal("mock")
    _run_app((), library=library, start="mock", mock=config, mock_export=export)


@cli.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print the stats as JSON.")
@click.option(
    "--days", type=click.IntRange(1, 3650), default=30, show_default=True, help="History window."
)
@deck_option
def stats_command(as_json: bool, days: int, deck_paths: tuple[Path, ...]) -> None:
    """Show progress per deck, recent history and the 14-day forecast.

    Per deck: questions seen, due today, new, retention of reviewed questions and
    accuracy by kind; then the history window, the forecast and mock interviews
    (`--json` has the per-day history too).
    """
    from .progress.scheduling import Scheduler
    from .progress.stats import compute_stats
    from .progress.store import Store
    from .stats_view import render_stats

    library = _library(deck_paths, warn=not as_json)
    with Store() as store:
        stats = compute_stats(library, store, Scheduler(store), days=days)
    if as_json:
        click.echo(json.dumps(stats.to_json(), indent=2, ensure_ascii=False))
    else:
        _stdout().print(render_stats(stats))


@cli.command("export")
@click.argument("output", type=click.Path(path_type=Path, dir_okay=False, allow_dash=True))
@click.option("--force", is_flag=True, help="Overwrite OUTPUT if it exists.")
def export_command(output: Path, force: bool) -> None:
    """Write all your progress to a JSON file, to move it to another machine.

    Answers, reviews, the review schedule, mock interviews, settings and drafts.
    `quiz import-progress FILE` on the other machine merges it into that machine's
    progress. OUTPUT `-` prints to stdout.
    """
    from .progress.store import Store

    to_stdout = str(output) == "-"
    if not to_stdout:
        _require_folder(output)
        if output.exists() and not force:
            _fail(f"{output} exists; choose another name or pass --force")
    with Store() as store:
        data = store.export_data()
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if to_stdout:
        click.echo(text, nl=False)
        return
    _write_atomically(output, text)
    click.echo(
        f"wrote {output}: {len(data['attempts'])} answers, {len(data['reviews'])} reviews, "
        f"{len(data['cards'])} scheduled questions, {len(data['mocks'])} mock interviews",
        err=True,
    )


@cli.command("import-progress")
@click.argument("source", type=click.Path(path_type=Path, dir_okay=False, allow_dash=True))
def import_progress_command(source: Path) -> None:
    """Merge a `quiz export` file into this machine's progress.

    Nothing here is lost or duplicated: entries already present are skipped, a
    question's schedule is replaced only by one reviewed later, and settings
    already made here are kept. A bad file changes nothing.
    """
    from .progress.store import Store

    try:
        text = sys.stdin.read() if str(source) == "-" else source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        _fail(f"{source}: cannot read: {exc}")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        _fail(
            f"{source}: not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
            "nothing was imported"
        )
    with Store() as store:
        added = store.import_data(data)
    summary = ", ".join(f"{count} {name}" for name, count in added.items())
    click.echo(f"imported from {source}: {summary} added")


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


@cli.command("decks")
@click.option("--json", "as_json", is_flag=True, help="Print the deck list as JSON.")
@deck_option
def decks_command(as_json: bool, deck_paths: tuple[Path, ...]) -> None:
    """List the decks and their questions by kind."""
    library = _library(deck_paths, warn=not as_json)
    if as_json:
        payload = {
            "decks": [
                {
                    "id": d.id,
                    "title": d.deck.title,
                    "source": d.deck.source,
                    "origin": d.origin,
                    "path": str(d.path),
                    "questions": len(d.deck.questions),
                    "kinds": d.deck.counts_by_kind(),
                    "question_ids": [f"{d.id}/{q.id}" for q in d.deck.questions],
                }
                for d in library.decks
            ],
            "problems": [str(p) for p in library.problems],
            "clashes": [
                {"id": c.deck_id, "used": str(c.used.path), "hidden": str(c.hidden)}
                for c in library.clashes
            ],
        }
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    out = _stdout()
    out.print(deck_table(library.decks))
    out.print(f"[dim]Your own decks: {user_decks_dir()}  (or --deck PATH)[/]")


@cli.command("show")
@click.argument("question_id", metavar="DECK/QID")
@click.option(
    "--answer",
    "-a",
    "with_answer",
    is_flag=True,
    help="Also show the reference answer and its working.",
)
@click.option(
    "--seed",
    type=click.IntRange(0, 2**31 - 1),
    help="For questions that draw their numbers: which numbers (default: new ones).",
)
@deck_option
def show_command(
    question_id: str, with_answer: bool, seed: int | None, deck_paths: tuple[Path, ...]
) -> None:
    """Print one question, rendered for the terminal."""
    library = _library(deck_paths)
    loaded, question = library.question(question_id)
    full_id = f"{loaded.id}/{question.id}"
    out = _stdout()
    if isinstance(question, NumericQuestion) and question.params:
        seed = seed if seed is not None else random.randrange(2**31)
        out.print(question_view(full_id, draw_numbers(question, seed), with_answer=with_answer))
        out.print(
            f"[dim]Numbers drawn with --seed {seed}; answer with "
            f"`quiz answer {full_id} --seed {seed} ...`[/]",
            highlight=False,
            soft_wrap=True,
        )
        return
    out.print(question_view(full_id, question, with_answer=with_answer))


@cli.command("answer")
@click.argument("question_id", metavar="DECK/QID")
@click.argument("answers", nargs=-1, required=True, metavar="ANSWER...")
@click.option(
    "--seed",
    type=click.IntRange(0, 2**31 - 1),
    help="For questions that draw their numbers: the seed `quiz show` printed.",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Concept questions: print one JSON object (key points, matched text, score).",
)
@deck_option
def answer_command(
    question_id: str,
    answers: tuple[str, ...],
    seed: int | None,
    as_json: bool,
    deck_paths: tuple[Path, ...],
) -> None:
    """Check answers to a numeric, choice or concept question from the shell.

    Give one ANSWER per part of a numeric question, written as you like:
    73,728  7.37e4  11.9%  ~8.4x  1/8.4  3*3*64*128. For a choice question give
    the option numbers (or letters). For a concept question give the answer
    text in sentences (`-` reads it from stdin): each key point is hit only by
    a claim that makes it. Exits 0 when all are right (every key point hit),
    1 otherwise.
    """
    library = _library(deck_paths)
    loaded, question = library.question(question_id)
    full_id = f"{loaded.id}/{question.id}"
    out = _stdout()
    if isinstance(question, NumericQuestion) and question.params:
        if seed is None:
            _fail(
                f"{full_id} draws its numbers: pass the --seed that `quiz show {full_id}` printed"
            )
        question = draw_numbers(question, seed)
    if isinstance(question, NumericQuestion):
        result = grade_numeric(question, answers)
        out.print(numeric_result_view(result))
        correct = sum(p.verdict == "correct" for p in result.parts)
        out.print(f"{correct}/{len(result.parts)} correct")
        sys.exit(0 if result.all_correct else EXIT_WRONG)
    if isinstance(question, ChoiceQuestion):
        chosen = _choice_indices(question, answers)
        right = chosen == question.correct_indices
        for index, option in enumerate(question.options):
            picked, correct = index in chosen, option.correct
            if picked or correct:
                mark = "✓" if picked == correct else "✗"
                style = "green" if picked == correct else "red"
                why = f" — {plain(option.why)}" if option.why and (picked or correct) else ""
                status = "right" if picked and correct else "missed" if correct else "wrong"
                out.print(f"[{style}]{mark}[/] {index + 1}. {plain(option.text)} ({status}){why}")
        out.print("[bold green]correct[/]" if right else "[bold red]wrong[/]")
        sys.exit(0 if right else EXIT_WRONG)
    if isinstance(question, ConceptQuestion):
        _answer_concept(question, full_id, answers, as_json=as_json)
    if isinstance(question, CodeQuestion):
        _fail(
            f"{full_id} is a code question: write {question.entry_point} in a file and grade "
            f"it with `quiz grade {full_id} FILE`"
        )


def _answer_concept(
    question: ConceptQuestion, full_id: str, answers: Sequence[str], *, as_json: bool
) -> NoReturn:
    text = sys.stdin.read() if list(answers) == ["-"] else " ".join(answers)
    if not text.strip():
        _fail("the answer is empty")
    judgement = question.judge(text)
    everything = all(v.hit for v in judgement.verdicts)
    if as_json:
        data = {
            "question": full_id,
            "key_points": [
                {
                    "point": v.key_point.point,
                    "hit": v.hit,
                    "matched": [
                        {"text": span.text, "start": span.start, "end": span.end}
                        for span in v.claims
                    ],
                }
                for v in judgement.verdicts
            ],
            "score": judgement.score,
            "advice": judgement.advice,
        }
        click.echo(json.dumps(data, ensure_ascii=False))
        sys.exit(0 if everything else EXIT_WRONG)
    out = _stdout()
    for verdict in judgement.verdicts:
        mark, style = ("✓", "green") if verdict.hit else ("✗", "red")
        said = f" — “{verdict.claims[0].text}”" if verdict.claims else ""
        out.print(
            f"[{style}]{mark}[/] {plain(verdict.key_point.point)}{said}",
            highlight=False,
            soft_wrap=True,
        )
    hit = sum(v.hit for v in judgement.verdicts)
    out.print(f"{hit}/{len(judgement.verdicts)} key points ({judgement.score:.0%})")
    if judgement.advice:
        out.print(f"[yellow]{judgement.advice}[/]", highlight=False)
    sys.exit(0 if everything else EXIT_WRONG)


def _choice_indices(question: ChoiceQuestion, answers: Sequence[str]) -> frozenset[int]:
    tokens = [t for a in answers for t in re.split(r"[\s,]+", a.strip()) if t]
    chosen: set[int] = set()
    count = len(question.options)
    for token in tokens:
        if token.isdigit() and 1 <= int(token) <= count:
            chosen.add(int(token) - 1)
        elif len(token) == 1 and token.isalpha() and ord(token.lower()) - ord("a") < count:
            chosen.add(ord(token.lower()) - ord("a"))
        else:
            raise GraderError(f"{token!r} is not an option: give a number from 1 to {count}")
    if not question.multiple and len(chosen) != 1:
        raise GraderError("this question takes exactly one option")
    return frozenset(chosen)


@cli.command("check-deck")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--no-code", is_flag=True, help="Skip running code solutions through the grader.")
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(1, 64),
    default=2,
    show_default=True,
    help="Code solutions graded at once.",
)
def check_deck_command(paths: tuple[Path, ...], no_code: bool, jobs: int) -> None:
    """Validate deck files (default: the packaged decks and your own).

    Checks the schema, that each numeric working computes its answer, that each
    concept key point is hit by its own reference answer, and — through the
    grader — that each code question's reference passes its checks and each
    wrong solution fails on the check it names. Problems print as
    FILE:LINE:COL: message (at field.path); exits 2 if there are any.
    """
    files: list[Path] = []
    roots = list(paths) or [
        packaged_decks_dir(),
        *([user_decks_dir()] if user_decks_dir().is_dir() else []),
    ]
    for root in roots:
        found = deck_files(root)
        if not found:
            _fail(f"{root}: no deck files (*.yaml, *.yml) here")
        files += found
    run = check_decks(
        files,
        grade_code=not no_code,
        jobs=jobs,
        grade_all=lambda pool, requests: _grade_with_progress(pool, requests, show=True),
    )
    # Files checked on their own may take the id of a deck they were not checked with.
    known = DeckLibrary.discover() if paths else None
    out = _stdout()
    for result, found_problems in zip(run.results, run.problems, strict=True):
        for problem in found_problems:
            click.echo(str(problem), err=True)  # one unwrapped line each: file:line:col
        if result.deck is not None and not found_problems:
            deck = result.deck
            out.print(
                f"[green]✓[/] {result.source}: {deck.id}, {len(deck.questions)} questions "
                f"({kind_counts(deck.counts_by_kind())})",
                highlight=False,
                soft_wrap=True,
            )
            clash = None if known is None else known.clash_with(deck.id, Path(result.source))
            if clash is not None:
                _warn(clash)
        else:
            out.print(f"[red]✗[/] {result.source}", highlight=False, soft_wrap=True)
        for note in result.notes:
            out.print(f"  [dim]note:[/] {note}", highlight=False, soft_wrap=True)
    if run.graded:
        out.print(f"[dim]{run.graded} code solution(s) run through the grader[/]", highlight=False)
    if run.failed:
        _fail(f"{run.failed} of {len(files)} deck file(s) have problems")


@cli.command("grade")
@click.argument("question_id", metavar="DECK/QID", required=False)
@click.argument("files", nargs=-1, type=click.Path(path_type=Path), metavar="FILE...")
@click.option(
    "--assignment",
    "assignment_path",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Grade a class: an assignment YAML file; the argument is then SUBMISSIONS/, a "
    "folder with one subfolder per student.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "csv", "junit", "gradescope"]),
    default="text",
    show_default=True,
    help="Report format (json is JSON Lines; csv, the gradebook, with --assignment only).",
)
@click.option(
    "--feedback",
    "feedback_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="With --assignment: write one Markdown feedback file per student into this folder.",
)
@click.option(
    "--shard",
    metavar="K/N",
    help="With --assignment: grade only shard K of N (a stable hash of each student's "
    "name); `quiz merge` joins the shards' JSON reports.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the report here instead of standard output.",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Submissions graded at once.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(1, 3600),
    default=20.0,
    show_default=True,
    help="Seconds one submission may take, in all.",
)
@click.option(
    "--examples",
    type=click.IntRange(1, 10_000),
    help="Drawn configurations per check (default: the question's).",
)
@click.option(
    "--seed",
    type=click.IntRange(0, 2**31 - 1),
    default=None,
    help="Seed of the drawn configurations (random unless given; every report prints it, "
    "and the same seed replays a grade).",
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
    pool.launch()  # the workers warm up while the decks load
    try:
        library = _library(deck_paths)
        loaded, question = library.question(question_id)
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
    sys.exit(overall_exit_code(reports))


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

    from .course import find_students, grade_class, load_assignment, parse_shard

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
    from .course import feedback_markdown, feedback_name, render, render_class_text

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
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "csv", "junit", "gradescope"]),
    default="csv",
    show_default=True,
    help="Report format of the merged gradebook.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the gradebook here instead of standard output.",
)
@click.option(
    "--feedback",
    "feedback_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Write one Markdown feedback file per student into this folder.",
)
def merge_command(
    reports: tuple[Path, ...], fmt: str, output: Path | None, feedback_dir: Path | None
) -> None:
    """Join the JSON reports of class grading shards into one gradebook.

    Each REPORT is what `quiz grade --assignment A.yaml SUBMISSIONS/ --shard K/N
    --format json` wrote. Refuses reports of different assignments and a student
    graded twice. The result is the same as grading the class in one run.
    """
    from .course import read_json_lines

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
@click.option(
    "--assignment",
    "assignment_path",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="The assignment YAML file.",
)
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
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Report format (json is JSON Lines).",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the report here instead of standard output.",
)
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

    from .course import find_similar, load_assignment, similarity_json_lines
    from .course._similarity import describe_lines

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
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("autograder.zip"),
    show_default=True,
    help="Where to write the autograder zip.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(1, 3600),
    default=20.0,
    show_default=True,
    help="Seconds one question may take, in all.",
)
@click.option(
    "--seed",
    type=click.IntRange(0, 2**31 - 1),
    default=None,
    help="Seed of the drawn configurations, the same for every student (random unless given).",
)
@click.option(
    "--examples",
    type=click.IntRange(1, 10_000),
    help="Drawn configurations per check (default: each question's).",
)
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
    from .course import build_bundle

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


@cli.command("import")
@click.argument(
    "notes", type=click.Path(path_type=Path, dir_okay=False, exists=True), metavar="FILE.md"
)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the deck here (default: print it); an existing deck is merged into.",
)
@click.option("--id", "deck_id", metavar="ID", help="The deck's id (default: from its title).")
@click.option("--title", help="The deck's title (default: the notes' '# Title').")
@click.option("--force", is_flag=True, help="Overwrite --output instead of merging into it.")
def import_command(
    notes: Path, output: Path | None, deck_id: str | None, title: str | None, force: bool
) -> None:
    """Turn markdown interview notes into a deck.

    Questions are found by how they look: headings such as "## Q1: …" or ending
    in "?" (at any level, under sections or not), "**Q:**"/"**A:**" pairs, and
    <details> answers. A "- [x]"/"- [ ]" list becomes a choice question, PyTorch
    code that defines a module or function a code question, anything else a
    concept question with proposed key points. Everything imported is tagged
    "review"; guesses are reported as FILE:LINE: warnings on stderr.

    When --output exists, the import is merged into it: questions already there
    keep your edits, new ones are added, and ones the notes no longer have are
    named. --force overwrites it instead.
    """
    from questions.importer import import_markdown, merge_into

    if output is not None:
        _require_folder(output, "--output")
    try:
        text = notes.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        _fail(f"{notes}: cannot read: {exc}")
    result = import_markdown(text, notes.name, deck_id=deck_id, title=title)
    for warning in result.warnings:
        click.echo(f"{notes}:{warning.line}: warning: {warning.message}", err=True)
    skipped = result.found - result.imported
    found = f"{notes}: {result.found} looked like questions, {result.imported} imported" + (
        f" ({skipped} without an answer skipped)" if skipped else ""
    )
    if output is None:
        _warn_deck_id_clash(result.deck["id"], notes)
        click.echo(result.to_yaml(), nl=False)
        click.echo(f"{found}; deck {result.deck['id']!r}", err=True)
        return
    if output.exists() and not force:
        try:
            existing = output.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            _fail(f"{output}: cannot read: {exc}")
        merge = merge_into(existing, result, where=str(output), deck_id=deck_id, title=title)
        _warn_deck_id_clash(merge.deck_id, output)
        if merge.changed:
            _write_atomically(output, merge.text)
        summary = f"kept {len(merge.kept)} already in {output} as they are there"
        if merge.added:
            summary += f", added {', '.join(merge.added)}"
        if merge.gone:
            summary += (
                f"; {', '.join(merge.gone)} no longer in the notes (kept: delete them by hand "
                "if they should go)"
            )
        if merge.rewritten:
            summary += "; the file was written afresh (its comments are gone)"
        click.echo(f"{found}; {summary}", err=True)
        if not merge.changed:
            click.echo(f"{output} unchanged", err=True)
        return
    deck_yaml = result.to_yaml()
    _warn_deck_id_clash(result.deck["id"], output)
    _write_atomically(output, deck_yaml)
    warned = len(result.warnings)
    click.echo(
        f"{found}; wrote {output}: deck {result.deck['id']!r} "
        f"({warned} warning{'' if warned == 1 else 's'}); check it with "
        f"`quiz check-deck {output}`",
        err=True,
    )


def _warn_deck_id_clash(deck_id: str, path: Path) -> None:
    """One warning when a known deck (packaged or the user's) already has ``deck_id``."""
    clash = DeckLibrary.discover().clash_with(deck_id, path)
    if clash is not None:
        _warn(f"{clash} with --id ID")


@cli.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of a deck file."""
    click.echo(json.dumps(deck_json_schema(), indent=2, ensure_ascii=False))


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``quiz`` console script."""
    cli.main(args=list(argv) if argv is not None else None, prog_name="quiz")
