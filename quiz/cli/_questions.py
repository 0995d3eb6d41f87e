"""Commands over decks and questions: ``decks``, ``show``, ``answer``, ``check-deck``,
``import`` (notes to a deck) and ``schema``."""

from __future__ import annotations

import json
import random
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

import click

from grader import (
    GraderError,
    grade_numeric,
)
from grader.deckcheck import check_decks
from questions import (
    ChoiceQuestion,
    CodeQuestion,
    ConceptQuestion,
    DeckLibrary,
    NumericQuestion,
    deck_files,
    deck_json_schema,
    draw_numbers,
    packaged_decks_dir,
    user_decks_dir,
)

from ..render import deck_table, kind_counts, numeric_result_view, plain, question_view
from ._base import (
    EXIT_WRONG,
    _fail,
    _grade_with_progress,
    _library,
    _question,
    _require_folder,
    _stdout,
    _warn,
    _warn_deck_id_clash,
    _write_atomically,
    cli,
)
from ._options import deck_option, jobs_option, json_option, output_option, seed_option


@cli.command("decks")
@json_option("Print the deck list as JSON.")
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
@seed_option("For questions that draw their numbers: which numbers (default: new ones).")
@deck_option
def show_command(
    question_id: str, with_answer: bool, seed: int | None, deck_paths: tuple[Path, ...]
) -> None:
    """Print one question, rendered for the terminal."""
    library = _library(deck_paths)
    loaded, question = _question(library, question_id)
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
@seed_option("For questions that draw their numbers: the seed `quiz show` printed.")
@json_option("Concept questions: print one JSON object (key points, matched text, score).")
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
    loaded, question = _question(library, question_id)
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
@jobs_option("Code solutions graded at once.", default=2)
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


@cli.command("import")
@click.argument(
    "notes", type=click.Path(path_type=Path, dir_okay=False, exists=True), metavar="FILE.md"
)
@output_option("Write the deck here (default: print it); an existing deck is merged into.")
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


@cli.command("schema")
@click.option(
    "--assignment",
    "of_assignment",
    is_flag=True,
    help="The schema of an assignment file (quiz grade --assignment) instead of a deck.",
)
def schema_command(of_assignment: bool) -> None:
    """Print the JSON Schema of a deck file.

    With --assignment, the schema of an assignment file instead.
    """
    if of_assignment:
        from ..course import assignment_json_schema

        schema = assignment_json_schema()
    else:
        schema = deck_json_schema()
    click.echo(json.dumps(schema, indent=2, ensure_ascii=False))
