"""Commands over the learner's progress: ``review``, ``mock``, ``stats``, ``export`` and
``import-progress``."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from questions import (
    DeckLibrary,
)

from ._base import (
    _fail,
    _library,
    _need_terminal,
    _require_folder,
    _run_app,
    _stdout,
    _write_atomically,
    cli,
)
from ._options import deck_choice_option, deck_option, json_option


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
@deck_choice_option("Review only this deck (an id, or a deck file to load); repeatable.")
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
    from ..progress.scheduling import Scheduler, set_new_per_day
    from ..progress.scheduling import new_per_day as saved_limit
    from ..progress.store import Store

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
@deck_choice_option(
    "Draw questions from this deck (an id, or a deck file); repeatable. Default: all."
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
    from ..progress.mock import MockConfig

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
@json_option("Print the stats as JSON.")
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
    from ..progress.scheduling import Scheduler
    from ..progress.stats import compute_stats
    from ..progress.store import Store
    from ..stats_view import render_stats

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
    from ..progress.store import Store

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
    from ..progress.store import Store

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
