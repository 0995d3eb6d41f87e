"""The options several ``quiz`` commands take, each defined once.

An option's name, its short form and its type (with its range) are the same in every command
that takes it; each command says in its own words what the option does there (``help``), and
gives its default, if any, as keyword arguments passed on to :func:`click.option` as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

REPORT_FORMATS = ("text", "json", "csv", "junit", "gradescope")
"""What ``quiz grade`` and ``quiz merge`` write (``--format``)."""

MAX_SEED = 2**31 - 1
"""The largest ``--seed`` of drawn configurations and drawn numbers."""


def deck_paths_option(help: str) -> Callable[[F], F]:
    """``--deck PATH`` (repeatable, as ``deck_paths``): deck files or folders to load."""
    return click.option(
        "--deck", "deck_paths", multiple=True, type=click.Path(path_type=Path), help=help
    )


def deck_option(command: F) -> F:
    """``--deck PATH`` (repeatable): decks to load beside the packaged and user decks."""
    return deck_paths_option("A deck file or a folder of decks to load as well (repeatable).")(
        command
    )


def deck_choice_option(help: str) -> Callable[[F], F]:
    """``--deck DECK`` (repeatable, as ``decks``) of review and mock: a deck id, or a deck file
    to load."""
    return click.option("--deck", "decks", multiple=True, metavar="DECK", help=help)


def json_option(help: str) -> Callable[[F], F]:
    """``--json`` (as ``as_json``): print JSON instead of text."""
    return click.option("--json", "as_json", is_flag=True, help=help)


def output_option(help: str, **settings: Any) -> Callable[[F], F]:
    """``--output/-o FILE``: where to write what would be printed."""
    return click.option(
        "--output", "-o", type=click.Path(path_type=Path, dir_okay=False), help=help, **settings
    )


def format_option(
    help: str, *, default: str, choices: Sequence[str] = REPORT_FORMATS
) -> Callable[[F], F]:
    """``--format`` (as ``fmt``): a report format, by default one of :data:`REPORT_FORMATS`."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(list(choices)),
        default=default,
        show_default=True,
        help=help,
    )


def feedback_option(help: str) -> Callable[[F], F]:
    """``--feedback DIRECTORY`` (as ``feedback_dir``): a folder for one feedback file a
    student."""
    return click.option(
        "--feedback", "feedback_dir", type=click.Path(path_type=Path, file_okay=False), help=help
    )


def assignment_option(help: str, **settings: Any) -> Callable[[F], F]:
    """``--assignment FILE`` (as ``assignment_path``): an assignment YAML file."""
    return click.option(
        "--assignment",
        "assignment_path",
        type=click.Path(path_type=Path, dir_okay=False, exists=True),
        help=help,
        **settings,
    )


def jobs_option(help: str, *, default: int) -> Callable[[F], F]:
    """``--jobs/-j N``: how many gradings run at once (1 to 64)."""
    return click.option(
        "--jobs",
        "-j",
        type=click.IntRange(1, 64),
        default=default,
        show_default=True,
        help=help,
    )


def timeout_option(help: str) -> Callable[[F], F]:
    """``--timeout S``: seconds one grading may take, in all (1 to 3600, default 20)."""
    return click.option(
        "--timeout",
        type=click.FloatRange(1, 3600),
        default=20.0,
        show_default=True,
        help=help,
    )


def examples_option(help: str) -> Callable[[F], F]:
    """``--examples N``: drawn configurations per check (1 to 10,000)."""
    return click.option("--examples", type=click.IntRange(1, 10_000), help=help)


def seed_option(help: str, **settings: Any) -> Callable[[F], F]:
    """``--seed N``: the seed of what is drawn (0 to :data:`MAX_SEED`)."""
    return click.option("--seed", type=click.IntRange(0, MAX_SEED), help=help, **settings)


__all__ = [
    "MAX_SEED",
    "REPORT_FORMATS",
    "assignment_option",
    "deck_choice_option",
    "deck_option",
    "deck_paths_option",
    "examples_option",
    "feedback_option",
    "format_option",
    "jobs_option",
    "json_option",
    "output_option",
    "seed_option",
    "timeout_option",
]
