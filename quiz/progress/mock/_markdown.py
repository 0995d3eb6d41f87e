"""The scorecard as Markdown, to read after the interview: :func:`render_markdown`.

Everything the candidate or a submission wrote goes through :func:`grader.terminal_safe`, so
the report can be shown in a terminal without any of it acting on the terminal (escape
sequences, bidirectional overrides).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final

from grader import terminal_safe
from quiz.formatting import clock_text

from ._config import KIND_ORDER, MockConfig

if TYPE_CHECKING:
    from quiz.progress.store import KeyPointMark

    from ._scorecard import Scorecard, ScorecardEntry

_RESULTS: Final = {
    "pass": "passed",
    "fail": "failed",
    "error": "not graded",
    "correct": "correct",
    "partial": "partly right",
    "wrong": "wrong",
    "rated": "answered",
}
"""What a verdict says in the table's Result column."""
_ENDINGS: Final = {
    "finished": "finished early",
    "time": "time ran out",
    "left": "left before the end (the app was closed)",
}
_STATUS_ORDER: Final = ("answered", "skipped", "not answered", "not reached")
"""The order of :func:`_status_text`'s counts in the summary."""


def render_markdown(card: Scorecard) -> str:
    """A summary, a table of the questions, then every question with the answer given, what it
    missed and the reference answer; ends with one newline."""
    config = card.config
    started = card.started_at.strftime("%Y-%m-%d %H:%M %Z").strip()
    lines = [f"# Mock interview, {started}", ""]
    limit = config.minutes * 60
    statuses = [
        f"{count} {label}"
        for label in _STATUS_ORDER
        if (count := sum(_status_text(entry) == label for entry in card.entries))
    ]
    kinds = [kind for kind in KIND_ORDER if any(e.kind == kind for e in card.entries)]
    mix = ", ".join(f"{sum(e.kind == kind for e in card.entries)} {kind}" for kind in kinds)
    hints = sum(entry.hints for entry in card.entries)
    decks = ", ".join(config.decks) if config.decks else "all decks"
    lines += [
        f"- **Score:** {_points_text(card.total)} of {card.maximum} points ({card.percent:.1f}%)",
        f"- **Time:** {clock_text(card.time_used)} used of {clock_text(limit)}; "
        f"{_ENDINGS[card.ended_by]}",
        f"- **Questions:** {card.maximum} ({mix}); {', '.join(statuses) or 'none'}",
        f"- **Hints:** {hints} used; each costs {config.hint_penalty:g} of its question's point",
        f"- **Decks:** {terminal_safe(decks)}",
    ]
    if config.interviewer:
        lines.append("- **Scored by:** an interviewer, live, where marked")
    concepts = [e for e in card.entries if e.kind == "concept" and e.answered]
    if concepts:
        suggested = sum(entry.suggested for entry in concepts)
        confirmed = len(concepts) - suggested
        parts = [f"{confirmed} confirmed"] if confirmed else []
        parts += [f"{suggested} the matcher's suggestion, not confirmed"] if suggested else []
        lines.append(f"- **Concept scores:** {'; '.join(parts)}")
    replay = f"quiz mock --minutes {config.minutes:g}"
    replay += "".join(f" --deck {deck}" for deck in config.decks)
    replay += f" --count {config.count} --seed {config.seed}"
    lines.append(f"- **Same questions again:** `{terminal_safe(replay)}`")
    lines += [f"- **Note:** {terminal_safe(note)}" for note in card.notes]
    lines += [
        "",
        "| # | Question | Kind | Result | Time | Hints | Points |",
        "|--:|:---------|:-----|:-------|-----:|------:|-------:|",
    ]
    for entry in card.entries:
        lines.append(
            f"| {entry.number} | {_cell(entry.heading)} | {entry.kind} | {_result_text(entry)} "
            f"| {clock_text(entry.seconds)} | {entry.hints} | {_points_text(entry.points)} |"
        )
    lines.append(
        f"| | **Total** | | | {clock_text(card.time_used)} | {hints} "
        f"| **{_points_text(card.total)} / {card.maximum}** |"
    )
    for entry in card.entries:
        lines += ["", *_entry_markdown(entry, config)]
    return "\n".join(lines).rstrip() + "\n"


def _entry_markdown(entry: ScorecardEntry, config: MockConfig) -> list[str]:
    facts = [f"`{terminal_safe(entry.question)}`", entry.kind]
    timing = f"{clock_text(entry.seconds)} spent"
    if entry.expected_seconds is not None:
        timing += f" (a prepared candidate needs about {clock_text(entry.expected_seconds)})"
    facts.append(timing)
    facts.append(_plural(entry.hints, "hint") if entry.hints else "no hints")
    lines = [f"## {entry.number}. {terminal_safe(entry.heading)}", "", " · ".join(facts), ""]
    lines += [_score_line(entry, config), ""]
    lines += ["### Question", "", terminal_safe(entry.prompt.strip()), ""]
    lines += ["### Your answer", ""]
    if not entry.answered:
        lines.append(
            "_No answer given._" if entry.status == "skipped" else "_Not reached before the end._"
        )
    elif entry.kind == "code":
        lines.append(_fence(terminal_safe(entry.answer), "python"))
    elif entry.kind in ("numeric", "choice"):
        lines += [f"- {terminal_safe(line)}" for line in entry.answer.splitlines()]
    elif entry.answer.strip():
        lines += [f"> {terminal_safe(line)}".rstrip() for line in entry.answer.strip().splitlines()]
    else:
        lines.append("_An empty answer._")
    if entry.key_points:
        lines += ["", "### Key points", "", _checklist_note(entry), ""]
        lines += [_checklist_line(mark) for mark in entry.key_points]
    for title, items in (
        ("Key points missed", [] if entry.key_points else entry.key_points_missed),
        ("Failed checks", entry.failed_checks),
        ("Wrong parts", entry.wrong_parts),
    ):
        if items:
            lines += ["", f"### {title}", "", *(f"- {terminal_safe(item)}" for item in items)]
    lines += ["", "### Reference answer", "", terminal_safe(entry.reference.strip())]
    return lines


def _score_line(entry: ScorecardEntry, config: MockConfig) -> str:
    if not entry.answered:
        return f"{_status_text(entry).capitalize()}: **0.00 of 1 point**."
    scorer = {
        "rubric": "for the share of key points made",
        "grader": {
            "numeric": "for the share of parts right",
            "code": "for the share of checks passed",
        }.get(entry.kind, "by the grader"),
        "interviewer": "by the interviewer",
    }[entry.scored_by]
    line = f"Scored {_points_text(entry.score)} {scorer}"
    if entry.kind == "concept" and entry.scored_by == "rubric":
        line += (
            " (the matcher's suggestion, not confirmed)"
            if entry.confirmed_by is None
            else f" (confirmed by the {entry.confirmed_by})"
        )
    if entry.hints:
        penalty = config.hint_penalty * entry.hints
        line += f", less {_points_text(penalty)} for {_plural(entry.hints, 'hint')}"
    return f"{line}: **{_points_text(entry.points)} of 1 point**."


def _checklist_note(entry: ScorecardEntry) -> str:
    if entry.confirmed_by is None:
        return "_Ticked by the matcher; not confirmed._"
    if entry.scored_by == "interviewer":
        return "_As the matcher ticked them; the interviewer gave the score by hand._"
    return f"_Confirmed by the {entry.confirmed_by}._"


def _checklist_line(mark: KeyPointMark) -> str:
    line = f"- [{'x' if mark.ticked else ' '}] {terminal_safe(mark.point)}"
    if mark.ticked != mark.matched:
        line += " _(ticked by hand)_" if mark.ticked else " _(unticked by hand)_"
    return line


def _status_text(entry: ScorecardEntry) -> str:
    """What became of a question, as a person reads it: answered; skipped (the candidate
    skipped it); not answered (shown, then left without an answer); not reached."""
    if entry.answered:
        return "answered"
    if entry.status == "unseen":
        return "not reached"
    return "skipped" if entry.explicitly_skipped else "not answered"


def _result_text(entry: ScorecardEntry) -> str:
    if not entry.answered:
        return _status_text(entry)
    return _RESULTS.get(entry.verdict or "", entry.verdict or "")


def _points_text(value: float) -> str:
    return f"{value:.2f}"


def _cell(text: str) -> str:
    return terminal_safe(text).replace("|", "\\|").replace("\n", " ")


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _fence(code: str, language: str = "") -> str:
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{code.rstrip()}\n{fence}"
