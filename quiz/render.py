"""Rich renderables for questions, answers, deck lists and numeric results.

Used by the command line; markdown goes through rich's renderer after the math
in it has been turned into Unicode. The app draws its one-line labels (options, key points,
hints) with :func:`inline`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.markdown import Markdown
from rich.panel import Panel
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from grader import NumericResult, format_number
from questions import (
    QUESTION_KINDS,
    AnyQuestion,
    ChoiceQuestion,
    CodeQuestion,
    ConceptQuestion,
    LoadedDeck,
    NumericQuestion,
    render_math,
)

VERDICT_STYLE = {
    "correct": "bold green",
    "close": "bold yellow",
    "wrong": "bold red",
    "invalid": "bold magenta",
}
VERDICT_MARK = {
    "correct": "✓",
    "pass": "✓",
    "rated": "✓",
    "close": "≈",
    "partial": "~",
    "wrong": "✗",
    "fail": "✗",
    "error": "!",
    "invalid": "?",
    "skipped": "·",
}
"""The mark shown before a verdict: of a numeric part, of an answer, or of a grader check."""


def markdown(text: str) -> Markdown:
    """Deck markdown with its math rendered as Unicode."""
    return Markdown(render_math(text), code_theme="monokai", hyperlinks=False)


def plain(text: str) -> str:
    """Deck text with math rendered, for one-line labels."""
    return render_math(text, markdown=False)


INLINE_CODE_STYLE = "bold cyan"
"""How ``inline code`` in a one-line label is drawn (rich's markdown draws it so)."""

_INLINE_CODE = re.compile(r"`([^`\n]+)`")


def inline(text: str, style: str = "") -> Text:
    """Deck text for a one-line label, as rich text: math rendered, and ``inline code``
    drawn as code rather than between backticks."""
    label = Text(style=style)
    for index, piece in enumerate(_INLINE_CODE.split(text)):
        if index % 2:  # odd pieces are the code between backticks
            label.append(piece, style=INLINE_CODE_STYLE)
        elif piece:
            label.append(plain(piece))
    return label


def kind_counts(counts: dict[str, int]) -> str:
    """``7 concept · 6 numeric · 1 code``: the kinds present, in the canonical order."""
    return " · ".join(f"{counts[k]} {k}" for k in QUESTION_KINDS if counts.get(k))


def deck_table(decks: Sequence[LoadedDeck]) -> Table:
    """The decks: id, then title over its question counts (fits 80 columns)."""
    table = Table(
        title="Decks",
        title_justify="left",
        box=None,
        pad_edge=False,
        header_style="bold underline",
    )
    table.add_column("id", style="bold cyan", no_wrap=True)
    table.add_column("deck")
    show_origin = any(d.origin != "package" for d in decks)
    if show_origin:
        table.add_column("from", style="dim", overflow="fold")
    for loaded in decks:
        deck = loaded.deck
        cell = Text(plain(deck.title), style="bold")
        cell.append(f"\n{kind_counts(deck.counts_by_kind())} ({len(deck.questions)})", style="dim")
        row: list[RenderableType] = [loaded.id, cell]
        if show_origin:
            row.append("package" if loaded.origin == "package" else str(loaded.path))
        table.add_row(*row)
    return table


def question_view(full_id: str, question: AnyQuestion, *, with_answer: bool) -> RenderableType:
    """A question as a person reads it; with the reference answer when asked."""
    title = Text.assemble((full_id, "bold cyan"), " · ", (question.kind, "magenta"))
    if question.title:
        title.append(f" · {plain(question.title)}")
    body: list[RenderableType] = [markdown(question.prompt)]
    body += _what_to_give(question)
    views: list[RenderableType] = [Panel(Group(*body), title=title, title_align="left")]
    if with_answer:
        views.append(
            Panel(
                Group(*_answer_parts(question)),
                title="Answer",
                title_align="left",
                border_style="green",
            )
        )
    return Group(*views)


def _what_to_give(question: AnyQuestion) -> list[RenderableType]:
    if isinstance(question, NumericQuestion):
        lines = Text("\nGive:\n", style="bold")
        for index, part in enumerate(question.parts, 1):
            lines.append(f"  {index}. {plain(part.label)}\n", style="")
        return [lines]
    if isinstance(question, ChoiceQuestion):
        lines = Text(
            "\n" + ("Pick all that apply:" if question.multiple else "Pick one:") + "\n",
            style="bold",
        )
        for index, option in enumerate(question.options, 1):
            lines.append(f"  {index}. ", style="")
            lines.append_text(inline(option.text))
            lines.append("\n")
        return [lines]
    if isinstance(question, CodeQuestion):
        views: list[RenderableType] = []
        if question.signature:
            views.append(Text.assemble("\nImplement: ", (question.signature, "bold")))
        views.append(Text("\nStarter:", style="bold"))
        views.append(Syntax(question.starter.rstrip(), "python", line_numbers=True))
        return views
    return []


def _answer_parts(question: AnyQuestion) -> list[RenderableType]:
    views: list[RenderableType] = [markdown(question.answer)]
    if isinstance(question, NumericQuestion):
        table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
        table.add_column("#", justify="right")
        table.add_column("part")
        table.add_column("answer", justify="right", style="bold green")
        table.add_column("working")
        table.add_column("tolerance", style="dim")
        for index, part in enumerate(question.parts, 1):
            answer = format_number(part.value)
            if part.percent:
                answer += f" ({format_number(part.value * 100)}%)"
            working = part.working or ""
            for alt in part.also_accept:
                working += f"\nalso accepted: {format_number(alt.value)} — {alt.note}"
            table.add_row(str(index), plain(part.label), answer, working, part.tolerance.describe())
        views.append(table)
    elif isinstance(question, ConceptQuestion) and question.key_points:
        points = Text("Key points:\n", style="bold")
        for key_point in question.key_points:
            points.append(f"  • {plain(key_point.point)}\n", style="")
        views.append(points)
    elif isinstance(question, ChoiceQuestion):
        lines = Text("Correct: ", style="bold")
        for index, option in enumerate(question.options, 1):
            if option.correct:
                lines.append(f"\n  {index}. {plain(option.text)}", style="green")
                if option.why:
                    lines.append(f" — {plain(option.why)}", style="")
        views.append(lines)
    elif isinstance(question, CodeQuestion) and question.reference.strip() not in question.answer:
        # Most answers already show the reference as a fenced block: show it once.
        views.append(Text("Reference:", style="bold"))
        views.append(Syntax(question.reference.rstrip(), "python", line_numbers=True))
    return views


def numeric_result_view(result: NumericResult) -> RenderableType:
    """A table of the parts, then a line for each part whose verdict needs explaining."""
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    table.add_column("#", justify="right")
    table.add_column("part", ratio=1)
    table.add_column("you gave", justify="right")
    table.add_column("verdict", no_wrap=True)
    table.add_column("reference", justify="right")
    explanations = Text()
    for index, part in enumerate(result.parts, 1):
        verdict = Text(
            f"{VERDICT_MARK[part.verdict]} {part.verdict}", style=VERDICT_STYLE[part.verdict]
        )
        reference = format_number(part.reference)
        if part.working:
            reference += f"\n= {part.working}"
        table.add_row(str(index), plain(part.label), part.given, verdict, reference)
        if part.verdict != "correct" or part.note:
            explanations.append(f"{index}. ", style="bold")
            explanations.append(f"{part.message}\n", style=VERDICT_STYLE[part.verdict].split()[-1])
    return Group(table, Text(), explanations) if explanations else table
