"""Turn interview notes written in markdown into a deck.

The notes look like the document the first deck came from::

    # Day 13 Interview Questions: Inception & 1x1 Convs
    ## Q1: What is the primary purpose of a $1 \\times 1$ convolution?
    **Answer:**
    1.  **Dimensionality Reduction:** ...

Each ``## Qn: question`` becomes a concept question whose answer is the text
after ``**Answer:**``; rubric key points are proposed from the answer's bold
phrases and list heads. An answer whose fenced Python code defines a class or
a function becomes a code question with that code as its reference. Every
imported question is tagged ``imported`` and ``review``: the proposals are a
start, not a finished deck. Odd input gives warnings with line numbers, never
an exception other than ``ImportProblem`` for input with no question at all.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from markdown_it import MarkdownIt

from ._errors import QuestionsError
from ._loader import parse_deck

REVIEW_TAGS = ["imported", "review"]
_Q_HEADING = re.compile(r"^Q(?:uestion)?\s*(\d+)\s*[:.)\-–]\s*(.+)$", re.IGNORECASE)
_NUMBERED = re.compile(r"^(?:Question\s+)?(\d+)\s*[:.)\-–]\s*(.+)$", re.IGNORECASE)
_ANSWER = re.compile(r"^\s*(?:\*\*|__)\s*Answer\s*:?\s*(?:\*\*|__)\s*:?\s*(.*)$", re.IGNORECASE)
_BOLD = re.compile(r"(?:\*\*|__)(.+?)(?:\*\*|__)")
_LIST_HEAD = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(.+)$")
_TITLE = re.compile(r"^(?:Day\s+\d+\s+)?(?:Interview\s+Questions?)?\s*[:\-–]?\s*(.+)$", re.I)


class ImportProblem(QuestionsError):
    """The notes hold nothing that can become a deck."""


@dataclass(frozen=True)
class Warning_:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class ImportResult:
    deck: dict[str, Any]
    warnings: list[Warning_] = field(default_factory=list)

    def to_yaml(self) -> str:
        return dump_deck(self.deck)


@dataclass
class _Section:
    line: int  # 1-based line of the heading
    heading: str
    body: list[str]
    body_line: int  # 1-based line of the first body line


def slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:64].strip("-") or "imported"


def _headings(text: str) -> list[tuple[int, int, str]]:
    """(level, 0-based line, text) of every heading, code fences respected."""
    found = []
    for index, token in enumerate(tokens := MarkdownIt("commonmark").parse(text)):
        if token.type == "heading_open" and token.map is not None:
            inline = tokens[index + 1]
            found.append((int(token.tag[1:]), token.map[0], inline.content.strip()))
    return found


def _split_answer(section: _Section, warnings: list[Warning_]) -> tuple[str, str]:
    """(extra prompt text, answer) of a question section."""
    for offset, line in enumerate(section.body):
        match = _ANSWER.match(line)
        if match:
            before = "\n".join(section.body[:offset]).strip()
            rest = (
                [match.group(1), *section.body[offset + 1 :]]
                if match.group(1)
                else section.body[offset + 1 :]
            )
            return before, _dedent_block("\n".join(rest)).strip()
    warnings.append(
        Warning_(
            section.line,
            "no **Answer:** line; the whole text below the question is used as its answer",
        )
    )
    return "", _dedent_block("\n".join(section.body)).strip()


def _dedent_block(text: str) -> str:
    lines = text.splitlines()
    indents = [len(line) - len(line.lstrip()) for line in lines if line.strip()]
    cut = min(indents, default=0)
    return "\n".join(line[cut:] for line in lines)


# Words that say nothing about what a key point is about.
_STOP_WORDS = frozenset(
    (  # noqa: SIM905 - a word list reads best as words
        "a an the it its they them this that these those is are was were be been to of in on "
        "at by for with from as and or but not so than then into over under which who what "
        "when where why how can could would should may might will just very more most also "
        "only each every some any all their there here simple simply terms"
    ).split()
)
_NOT_A_POINT = ("note", "example", "e.g", "for example", "in simple terms", "in short", "tip")


def _pattern(phrase: str) -> str | None:
    """A forgiving regex for a key phrase: its first telling words, anything short between."""
    words = re.findall(r"[A-Za-z0-9]+", re.sub(r"\$[^$]*\$", " ", phrase))
    words = [w for w in words if w.lower() not in _STOP_WORDS and (len(w) > 2 or w.isdigit())]
    words = words[:3]
    if not words:
        return None
    return r"\W+(?:\w+\W+){0,2}?".join(re.escape(w.lower()) for w in words)


def _key_points(answer: str) -> list[dict[str, Any]]:
    phrases: list[str] = []
    for line in answer.splitlines():
        bold = [b.strip().rstrip(":").strip() for b in _BOLD.findall(line)]
        head = _LIST_HEAD.match(line)
        if bold:
            phrases.extend(bold)
        elif head:
            first = re.split(r"[:.;,(]", head.group(1), maxsplit=1)[0].strip()
            if len(first.split()) >= 2:
                phrases.append(first)
    points: list[dict[str, Any]] = []
    seen: set[str] = set()
    for phrase in phrases:
        pattern = _pattern(phrase)
        if pattern is None or pattern in seen or phrase.lower().startswith(_NOT_A_POINT):
            continue
        if not re.search(pattern, answer, re.IGNORECASE):
            continue
        seen.add(pattern)
        points.append({"point": phrase, "patterns": [pattern]})
    return points[:4]


def _code_blocks(text: str) -> list[str]:
    return [
        t.content
        for t in MarkdownIt("commonmark").parse(text)
        if t.type == "fence" and t.info.strip().lower() in ("", "python", "py", "python3")
    ]


def _starter(tree: ast.Module, entry: ast.ClassDef | ast.FunctionDef, code: str) -> str:
    """Imports, then the entry point with its signatures and NotImplementedError bodies."""
    imports = [
        ast.get_source_segment(code, n) or ""
        for n in tree.body
        if isinstance(n, ast.Import | ast.ImportFrom)
    ]
    head = "\n".join(i for i in imports if i)
    if isinstance(entry, ast.FunctionDef):
        body = f"def {entry.name}({ast.unparse(entry.args)}):\n    raise NotImplementedError\n"
    else:
        bases = ", ".join(ast.unparse(b) for b in entry.bases)
        body = f"class {entry.name}({bases}):\n" if bases else f"class {entry.name}:\n"
        methods = [n for n in entry.body if isinstance(n, ast.FunctionDef)]
        for method in methods or []:
            body += (
                f"    def {method.name}({ast.unparse(method.args)}):\n"
                + ("        super().__init__()\n" if method.name == "__init__" and bases else "")
                + "        raise NotImplementedError\n\n"
            )
        if not methods:
            body += "    pass\n"
    return (head + "\n\n\n" if head else "") + body.rstrip() + "\n"


def _code_question(answer: str) -> tuple[str, str, str] | None:
    """(entry point, starter, reference) if the answer's code defines a class or function."""
    for code in _code_blocks(answer):
        try:
            tree = ast.parse(code)
        except SyntaxError:
            continue
        defs = [n for n in tree.body if isinstance(n, ast.ClassDef | ast.FunctionDef)]
        if not defs:
            continue
        entry = next((n for n in defs if isinstance(n, ast.ClassDef)), defs[0])
        reference = code if code.endswith("\n") else code + "\n"
        if not any(isinstance(n, ast.Import | ast.ImportFrom) for n in tree.body):
            uses_torch = re.search(r"\b(nn|torch|F)\.", code)
            if uses_torch:
                reference = (
                    "import torch\nfrom torch import nn\nimport torch.nn.functional as F"
                    "\n\n\n" + reference
                )
                tree = ast.parse(reference)
                entry = next(
                    n
                    for n in tree.body
                    if isinstance(n, ast.ClassDef | ast.FunctionDef) and n.name == entry.name
                )
                code = reference
        assert isinstance(entry, ast.ClassDef | ast.FunctionDef)
        return entry.name, _starter(tree, entry, code), reference
    return None


def import_markdown(text: str, source: str = "notes.md") -> ImportResult:
    """Build a deck (as plain data) from markdown notes; warnings say what was guessed."""
    warnings: list[Warning_] = []
    lines = text.splitlines()
    headings = _headings(text)
    title_heading = next(((line, h) for level, line, h in headings if level == 1), None)
    question_level = 2 if any(level == 2 for level, _, _ in headings) else 3
    if title_heading is None:
        warnings.append(Warning_(1, "no '# Title' heading; the deck is named after the file"))
        stem = re.sub(r"\.[^.]*$", "", source.rsplit("/", 1)[-1])
        title, source_title = stem.replace("_", " ").replace("-", " ").strip() or "Imported", stem
    else:
        source_title = title_heading[1]
        match = _TITLE.match(
            source_title.split(":", 1)[-1].strip() if ":" in source_title else source_title
        )
        title = (match.group(1) if match else source_title).strip() or source_title
    sections: list[_Section] = []
    starts = [(line, h) for level, line, h in headings if level == question_level]
    boundaries = sorted(line for level, line, _ in headings if level <= question_level)
    for line, heading in starts:
        end = next((b for b in boundaries if b > line), len(lines))
        sections.append(_Section(line + 1, heading, lines[line + 1 : end], line + 2))
    if not sections:
        raise ImportProblem(f"{source}: no questions found (expected '## Q1: question' headings)")

    questions: list[dict[str, Any]] = []
    used: set[str] = set()
    for order, section in enumerate(sections, 1):
        match = _Q_HEADING.match(section.heading)
        if match:
            number, prompt = match.group(1), match.group(2).strip()
        else:
            numbered = _NUMBERED.match(section.heading)
            if numbered:
                number, prompt = numbered.group(1), numbered.group(2).strip()
                warnings.append(
                    Warning_(
                        section.line,
                        f"heading {section.heading!r} is not "
                        "'Qn: question'; read as question "
                        f"{number}",
                    )
                )
            else:
                number, prompt = str(order), section.heading
                warnings.append(
                    Warning_(
                        section.line,
                        f"heading {section.heading!r} has no "
                        f"'Qn:' number; numbered {order} by its "
                        "place",
                    )
                )
        qid = f"q{number}"
        if qid in used:
            warnings.append(
                Warning_(
                    section.line, f"question number {number} repeats; this one is q{number}-{order}"
                )
            )
            qid = f"q{number}-{order}"
        used.add(qid)
        extra, answer = _split_answer(section, warnings)
        if not prompt:
            warnings.append(Warning_(section.line, "empty question heading"))
            prompt = f"Question {number}"
        full_prompt = prompt + (f"\n\n{extra}" if extra else "")
        if not answer:
            warnings.append(
                Warning_(section.line, "the answer is empty; written as 'TODO' for you to fill in")
            )
            answer = "TODO: write the reference answer."
        question: dict[str, Any] = {
            "id": qid,
            "prompt": full_prompt,
            "answer": answer,
            "tags": list(REVIEW_TAGS),
        }
        code = _code_question(answer)
        if code is not None:
            entry, starter, reference = code
            question.update(kind="code", entry_point=entry, starter=starter, reference=reference)
            warnings.append(
                Warning_(
                    section.line,
                    f"{qid} became a code question with entry "
                    f"point {entry!r}; add `checks` and wrong "
                    "solutions before grading it",
                )
            )
        else:
            question["kind"] = "concept"
            points = _key_points(answer)
            if points:
                question["key_points"] = points
            else:
                warnings.append(
                    Warning_(
                        section.line,
                        f"{qid}: no bold phrases or list heads to propose key points from",
                    )
                )
        questions.append(_ordered(question))

    deck = {
        "id": slugify(title),
        "title": title,
        "source": source_title,
        "description": f"Imported from {source}; review the proposed key points.",
        "questions": questions,
    }
    return ImportResult(deck, warnings)


def _ordered(question: dict[str, Any]) -> dict[str, Any]:
    order = [
        "id",
        "kind",
        "title",
        "prompt",
        "answer",
        "hints",
        "tags",
        "key_points",
        "entry_point",
        "signature",
        "starter",
        "reference",
    ]
    return {k: question[k] for k in order if k in question}


class _BlockDumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    if style and any(line != line.rstrip() for line in value.splitlines()):
        style = None  # block scalars cannot keep trailing spaces; quote instead
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BlockDumper.add_representer(str, _str)


def dump_deck(deck: dict[str, Any]) -> str:
    """Deck data as readable YAML (block scalars for multi-line text), validated first."""
    text = yaml.dump(deck, Dumper=_BlockDumper, sort_keys=False, allow_unicode=True, width=100)
    parse_deck(text, "<imported deck>")  # never hand back a deck that does not load
    return text
