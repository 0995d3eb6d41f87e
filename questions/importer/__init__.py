"""Turn interview notes written in markdown into a deck, and merge a re-import into it.

Questions are recognised by how they look, not by heading level:

* a heading (any level) that reads as a question: ``Q1: …``, ``Q1 Title``, ``Question 3. …``,
  text ending in ``?``, text starting with an interrogative or an instruction ("Why …",
  "Explain …"), a numbered heading (``3. Title``) with text of its own below it, or a heading
  whose text is followed by an answer marker (a heading skipped beside question headings is
  reported);
* a ``**Q:** …`` line (``Q1.``, ``Question:``, bold or not), answered by ``**A:** …``;
* outside a question heading, a bold line or a list item ending in ``?`` with its answer
  below it (a list item's answer may be a ``<details>`` block right below, indented or not),
  and a ``<details>`` block whose ``<summary>`` is the question.

A heading that is none of these is a section: its questions are tagged with its name and
it never swallows them. Answers start after ``**Answer:**``, ``**A:**``, an "Answer"
sub-heading or a ``<details><summary>Answer</summary>`` block, else right below the
question. ``Level:``/``Tags:`` lines are metadata, not answer text (tags become tags).

Each question becomes one of three kinds:

* **choice** when its text holds a ``- [x]`` / ``- [ ]`` list (ticked = correct);
* **code** when its answer's fenced Python is PyTorch and defines an ``nn.Module`` subclass
  or a function: the entry point is the class (else the function) the answer builds up to,
  top-level code that would run when the reference loads ("# Usage" lines) is removed, and
  the reference is compiled and checked here, without running it;
* **concept** otherwise, with key points proposed from the sentences and bullets that carry
  content, spread over the answer's parts (labels, fragments, examples and words that only
  repeat the question are left out); every pattern is checked against the answer itself.

Everything imported is tagged ``imported`` and ``review``: the proposals are a start, not a
finished deck. Guesses are :class:`LineWarning` s with the notes' line numbers; notes in which
nothing looks like an answered question raise :class:`ImportProblem`.

:func:`merge_into` re-imports into an existing deck file without losing hand edits: questions
already in the file are kept as they are there, new ones are appended, and questions no longer
in the notes are reported (and kept).
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence

import yaml
from pydantic import TypeAdapter, ValidationError

from .._loader import parse_deck
from .._models import Slug
from ._code import _code_question
from ._data import (
    REVIEW_TAGS,
    DeckData,
    ImportProblem,
    ImportResult,
    LineWarning,
    Merge,
    QuestionData,
    _dump,
    _in_field_order,
    dump_deck,
)
from ._key_points import _key_points, _without_math
from ._parts import _choices, _plain_text, _split_body, _tag, _trim_tail, _without_checkboxes
from ._scan import _TITLE, _Scanner, _Start

# =========================================================================== the deck


def slugify(text: str, limit: int = 64) -> str:
    plain = _without_math(_plain_text(text)) if text else ""
    slug = re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")
    if len(slug) > limit:
        slug = slug[:limit].rsplit("-", 1)[0] if "-" in slug[:limit] else slug[:limit]
    return slug.strip("-") or "imported"


def _deck_title(scanner: _Scanner, source: str, warn: list[LineWarning]) -> tuple[str, str]:
    """(title, source) of the deck: the '# Title' without "Day N Interview Questions:"."""
    if scanner.title is None:
        warn.append(LineWarning(1, "no '# Title' heading; the deck is named after the file"))
        stem = re.sub(r"\.[^.]*$", "", source.rsplit("/", 1)[-1])
        return stem.replace("_", " ").replace("-", " ").strip() or "Imported", stem or source
    heading = scanner.title
    match = _TITLE.match(heading.split(":", 1)[-1].strip() if ":" in heading else heading)
    return (match.group(1) if match else heading).strip() or heading, heading


def _valid_id(deck_id: str) -> str:
    try:
        return TypeAdapter(Slug).validate_python(deck_id)
    except ValidationError:
        raise ImportProblem(
            f"{deck_id!r} cannot be a deck id: use lower-case letters, digits, '-' and '_', "
            "starting with a letter or digit, at most 64 characters"
        ) from None


def _build(
    start: _Start, lines: list[str], used: set[str], warn: list[LineWarning]
) -> QuestionData | None:
    """The question found at ``start``, or None (with a warning) when it has no answer."""
    line = start.line + 1
    if start.body_lines is not None:
        body_lines, first_line = start.body_lines, start.line + 1
    else:
        end = start.end if start.end is not None else len(lines)
        body_lines, first_line = lines[start.body_start : end], start.body_start + 1
    if start.head_rest:
        body_lines, first_line = [start.head_rest, *body_lines], first_line - 1
    body = _split_body(list(body_lines), first_line)
    question = start.question
    if not question:
        question = f"Question {start.number}" if start.number else "Question"
        warn.append(LineWarning(line, f"empty question; written as {question!r}"))
    extra = textwrap.dedent("\n".join(body.prompt)).strip()
    answer = textwrap.dedent("\n".join(body.answer)).rstrip()
    choices = _choices(body.prompt + body.answer)
    if not answer.strip() and not (choices and any(o["correct"] for o in choices)):
        warn.append(LineWarning(line, f"skipped {_short(question)!r}: no answer below it"))
        return None

    qid = f"q{start.number}" if start.number else slugify(question, 40)
    if qid in used:
        taken, count = qid, 2
        while f"{taken}-{count}" in used:
            count += 1
        qid = f"{taken}-{count}"
        warn.append(LineWarning(line, f"the id {taken!r} is taken; this question is {qid!r}"))
    used.add(qid)
    tags = list(REVIEW_TAGS)
    for tag in [_tag(start.section or ""), *body.tags]:
        if tag and tag not in tags:
            tags.append(tag)
    data: QuestionData = {
        "id": qid,
        "kind": "concept",
        "prompt": question + (f"\n\n{extra}" if extra else ""),
        "answer": answer,
        "tags": tags,
    }
    if body.hints:
        data["hints"] = body.hints

    if choices is not None:
        correct = [o for o in choices if o["correct"]]
        if correct:
            extra = textwrap.dedent("\n".join(_without_checkboxes(body.prompt))).strip()
            explanation = textwrap.dedent("\n".join(_without_checkboxes(body.answer)))
            texts = "; ".join(o["text"] for o in correct)
            said = (
                f"The correct option is {texts}."
                if len(correct) == 1
                else f"The correct options are: {texts}."
            )
            data["kind"] = "choice"
            data["prompt"] = question + (f"\n\n{extra}" if extra else "")
            data["answer"] = _trim_text(explanation) or said
            data["options"] = choices
            if len(correct) > 1:
                data["multiple"] = True
            return data
        warn.append(
            LineWarning(line, f"{qid}: a checklist with no option ticked; imported as a concept")
        )

    code = _code_question(answer, body, question, warn)
    if code is not None:
        data["kind"] = "code"
        data["answer"] = code.answer
        data["entry_point"] = code.entry
        data["signature"] = code.signature
        data["starter"] = code.starter
        data["reference"] = code.reference
        warn.append(
            LineWarning(
                line,
                f"{qid} became a code question with entry point {code.entry!r}; add `checks` "
                "and wrong solutions before grading it",
            )
        )
        return data
    points = _key_points(answer, question)
    if points:
        data["key_points"] = points
    else:
        warn.append(
            LineWarning(line, f"{qid}: no bullet or sentence with enough content for a key point")
        )
    return data


def _trim_text(text: str) -> str:
    return "\n".join(_trim_tail(text.splitlines())).strip()


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:59] + "…"


def import_markdown(
    text: str,
    source: str = "notes.md",
    *,
    deck_id: str | None = None,
    title: str | None = None,
) -> ImportResult:
    """Build a deck (as plain data) from markdown notes; warnings say what was guessed.

    ``deck_id`` and ``title`` replace the ones taken from the notes' '# Title'. Raises
    :class:`ImportProblem` when nothing looks like a question, or no question has an answer.
    """
    if deck_id is not None:
        deck_id = _valid_id(deck_id)
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # lines as markdown counts them
    warn: list[LineWarning] = []
    scanner = _Scanner(text)
    starts = scanner.scan()
    if not starts:
        raise ImportProblem(
            f"{source}: nothing looks like a question (expected headings such as '## Q1: …' "
            "or ending in '?', '**Q:**'/'**A:**' pairs, or <details> answers)"
        )
    found_title, source_title = _deck_title(scanner, source, warn)
    for index, heading in scanner.skipped_headings():
        warn.append(
            LineWarning(
                index + 1,
                f"the heading {_short(heading)!r} was read as a section, not a question, "
                "although the headings beside it are questions",
            )
        )
    questions: list[QuestionData] = []
    used: set[str] = set()
    for start in starts:
        question = _build(start, scanner.lines, used, warn)
        if question is not None:
            questions.append(question)
    if not questions:
        raise ImportProblem(
            f"{source}: {len(starts)} looked like questions, but none has an answer below it"
        )
    deck_title = title.strip() if title and title.strip() else found_title
    deck: DeckData = {
        "id": deck_id or slugify(deck_title),
        "title": deck_title,
        "source": source_title,
        "description": f"Imported from {source}; review the proposed key points.",
        "questions": questions,
    }
    warn.sort(key=lambda w: w.line)
    return ImportResult(deck, tuple(warn), len(starts))


def merge_into(
    existing: str,
    result: ImportResult,
    *,
    where: str = "the deck file",
    deck_id: str | None = None,
    title: str | None = None,
) -> Merge:
    """Merge a re-import into the text of an existing deck file.

    Questions are matched by id: one in both keeps the file's version (hand edits survive),
    a new one is appended (the file's text, comments included, is kept as it is), and one in
    the file only is kept and reported. ``deck_id``/``title`` replace the file's when given.
    """
    try:
        data = yaml.safe_load(existing)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" (line {mark.line + 1})" if mark is not None else ""
        raise ImportProblem(
            f"{where} exists and is not YAML{at}; fix it, or pass --force to replace it"
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("questions"), list):
        raise ImportProblem(
            f"{where} exists and holds no deck; choose another file, or pass --force to replace it"
        )
    old = [q for q in data["questions"] if isinstance(q, dict)]
    old_ids = [str(q.get("id")) for q in old]
    new_ids = [q["id"] for q in result.deck["questions"]]
    added = [q for q in result.deck["questions"] if q["id"] not in old_ids]
    kept = tuple(i for i in new_ids if i in old_ids)
    gone = tuple(i for i in old_ids if i not in new_ids)
    overrides = {
        key: value
        for key, value in (("id", deck_id), ("title", title))
        if value is not None and data.get(key) != value
    }
    merged = {**data, **overrides, "questions": [*data["questions"], *added]}
    final_id = str(merged.get("id"))
    added_ids = tuple(q["id"] for q in added)
    if not added and not overrides:
        return Merge(existing, final_id, kept, (), gone, rewritten=False)
    if not overrides:
        appended = _append_questions(existing, added)
        if appended is not None and yaml.safe_load(appended) == merged:
            parse_deck(appended, where)
            return Merge(appended, final_id, kept, added_ids, gone, rewritten=False)
    return Merge(dump_deck(merged), final_id, kept, added_ids, gone, rewritten=True)


def _append_questions(existing: str, added: Sequence[QuestionData]) -> str | None:
    """The file's text with ``added`` appended to its ``questions:`` list, when that list is
    the file's last key in block style; None otherwise."""
    lines = existing.rstrip("\n").split("\n")
    key = next(
        (i for i, line in enumerate(lines) if re.match(r"^questions:\s*(#.*)?$", line)), None
    )
    if key is None or any(re.match(r"^[^\s#-]", line) for line in lines[key + 1 :]):
        return None
    item = next((line for line in lines[key + 1 :] if re.match(r"^\s*- ", line)), None)
    if item is None:
        return None
    indent = item[: len(item) - len(item.lstrip())]
    block = _dump([_in_field_order(q) for q in added])
    shifted = "\n".join(indent + line if line else line for line in block.split("\n"))
    return "\n".join(lines) + "\n" + shifted + "\n"


__all__ = [
    "REVIEW_TAGS",
    "DeckData",
    "ImportProblem",
    "ImportResult",
    "KeyPointData",
    "LineWarning",
    "Merge",
    "OptionData",
    "QuestionData",
    "dump_deck",
    "import_markdown",
    "merge_into",
    "slugify",
]
