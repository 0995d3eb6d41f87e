"""Code answers: the entry point, the starter and the reference of a code question."""

from __future__ import annotations

import ast
import builtins
import copy
import importlib.util
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass

from ._data import LineWarning
from ._parts import _Body
from ._scan import _markdown

# =========================================================================== code

_TORCH_NAMES = {"torch", "nn", "F"}
_KNOWN_IMPORTS = {  # in the order they are added
    "math": "import math",
    "np": "import numpy as np",
    "torch": "import torch",
    "nn": "from torch import nn",
    "F": "import torch.nn.functional as F",
    "Tensor": "from torch import Tensor",
    "Optional": "from typing import Optional",
    "List": "from typing import List",
    "Tuple": "from typing import Tuple",
}
_PYTHON_FENCES = ("", "python", "py", "python3", "pytorch", "torch")
_NOT_AN_ENTRY = re.compile(r"^(?:_|test|main$|demo|example|run_example|sanity|check_)")
_LOAD_TIME_CALLS_ALLOWED = {
    "no_grad",
    "inference_mode",
    "enable_grad",
    "dataclass",
    "field",
    "lru_cache",
    "cache",
    "wraps",
    "script",
    "ignore",
    "unused",
}


@dataclass(frozen=True)
class _CodeAnswer:
    entry: str
    signature: str
    starter: str
    reference: str
    answer: str


@dataclass(frozen=True)
class _Fence:
    content: str
    line: int  # 1-based notes line of the code's first line
    start: int  # 0-based lines of the fence in the answer, [start, end)
    end: int
    labelled: bool


def _python_fences(answer: str, body: _Body) -> list[_Fence]:
    fences: list[_Fence] = []
    for token in _markdown().parse(answer):
        info = token.info.strip().lower().split(" ")[0] if token.type == "fence" else None
        if info is None or info not in _PYTHON_FENCES or token.map is None:
            continue
        start, end = token.map
        fences.append(_Fence(token.content, body.line_of(start + 1), start, end, bool(info)))
    return fences


def _compiles(code: str) -> SyntaxError | None:
    try:
        compile(code, "<reference>", "exec", dont_inherit=True)
    except SyntaxError as exc:
        return exc
    except (ValueError, RecursionError, MemoryError) as exc:
        return SyntaxError(str(exc))
    return None


def _definitions(tree: ast.Module) -> list[ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef]:
    return [
        node
        for node in tree.body
        if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
    ]


def _bound_and_loaded(tree: ast.AST) -> tuple[set[str], set[str]]:
    """Every name bound anywhere in ``tree``, and every name read."""
    bound: set[str] = set()
    loaded: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (loaded if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.alias):
            bound.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
        elif isinstance(node, ast.Global | ast.Nonlocal):
            bound.update(node.names)
    return bound, loaded


def _imported_roots(tree: ast.Module) -> list[str]:
    roots: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.extend(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            roots.append(node.module.split(".")[0])
    return list(dict.fromkeys(roots))


def _is_pytorch(tree: ast.Module) -> bool:
    bound, loaded = _bound_and_loaded(tree)
    return "torch" in _imported_roots(tree) or bool(_TORCH_NAMES & (loaded - bound))


def _keeps_at_load(node: ast.stmt, first: bool) -> bool:
    """Whether a top-level statement belongs in a reference: definitions, imports, constants
    and a docstring. Anything else would run whenever the reference loads."""
    if isinstance(node, ast.Import | ast.ImportFrom | ast.ClassDef | ast.FunctionDef):
        return True
    if isinstance(node, ast.AsyncFunctionDef):
        return True
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
        return first and isinstance(node.value.value, str)
    value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
    if value is None:
        return False
    try:
        ast.literal_eval(value)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False
    return True


def _strip_load_time(code: str, tree: ast.Module) -> tuple[str, list[ast.stmt]]:
    """The code without top-level statements that would run on load (and the comments just
    above them, such as "# Usage"), and the statements removed."""
    lines = code.split("\n")
    drop: set[int] = set()  # 1-based
    removed: list[ast.stmt] = []
    previous_end = 0
    for position, node in enumerate(tree.body):
        end = node.end_lineno or node.lineno
        if not _keeps_at_load(node, position == 0):
            removed.append(node)
            drop.update(range(previous_end + 1, end + 1))
        previous_end = end
    if tree.body and tree.body[-1] in removed:
        drop.update(range(previous_end + 1, len(lines) + 1))
    kept = [line for number, line in enumerate(lines, 1) if number not in drop]
    text = re.sub(r"\n{4,}", "\n\n\n", "\n".join(line.rstrip() for line in kept)).strip("\n")
    return text + "\n", removed


def _module_classes(tree: ast.Module) -> list[ast.ClassDef]:
    modules: list[ast.ClassDef] = []
    names: set[str] = set()
    for node in tree.body:
        if not isinstance(node, ast.ClassDef):
            continue
        bases = [ast.unparse(base) for base in node.bases]
        if any(
            b.endswith("Module") or b.startswith(("nn.", "torch.nn.")) or b in names for b in bases
        ):
            modules.append(node)
            names.add(node.name)
    return modules


def _entry_point(
    tree: ast.Module, question: str
) -> ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef | None:
    """The class (else the function) the answer builds up to: one the question names, else
    one that no other definition uses, the last such."""
    candidates: list[ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef] = list(
        _module_classes(tree)
    )
    if not candidates:
        functions = [
            node for node in tree.body if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        ]
        candidates.extend([f for f in functions if not _NOT_AN_ENTRY.match(f.name)] or functions)
    if not candidates:
        return None
    used_by_others = {
        name
        for node in _definitions(tree)
        for name in _bound_and_loaded(node)[1] | _attribute_roots(node)
        if name != node.name
    }
    roots = [c for c in candidates if c.name not in used_by_others] or candidates
    named = [c for c in candidates if re.search(rf"\b{re.escape(c.name)}\b", question, re.I)]
    named_roots = [c for c in named if c in roots]
    return (named_roots or named or roots)[-1]


def _attribute_roots(node: ast.AST) -> set[str]:
    return {
        n.value.id
        for n in ast.walk(node)
        if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name)
    }


def _call_arguments(args: ast.arguments, *, drop_self: bool) -> str:
    """``a, b, k=3`` of a signature: no annotations, without ``self``."""
    plain = copy.deepcopy(args)
    for arg in [*plain.posonlyargs, *plain.args, *plain.kwonlyargs, plain.vararg, plain.kwarg]:
        if arg is not None:
            arg.annotation = None
    if drop_self:
        if plain.posonlyargs:
            plain.posonlyargs = plain.posonlyargs[1:]
        elif plain.args:
            plain.args = plain.args[1:]
    return ast.unparse(plain)


def _signature(entry: ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    if isinstance(entry, ast.ClassDef):
        init = next(
            (n for n in entry.body if isinstance(n, ast.FunctionDef) and n.name == "__init__"),
            None,
        )
        inner = _call_arguments(init.args, drop_self=True) if init is not None else ""
        return f"{entry.name}({inner})"
    return f"{entry.name}({_call_arguments(entry.args, drop_self=False)})"


def _starter(
    tree: ast.Module, entry: ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef, code: str
) -> str:
    """Imports, then the entry point with its signatures and NotImplementedError bodies."""
    imports = [
        ast.get_source_segment(code, node) or ""
        for node in tree.body
        if isinstance(node, ast.Import | ast.ImportFrom)
    ]
    head = "\n".join(i for i in imports if i)

    lines = code.split("\n")

    def stub(function: ast.FunctionDef | ast.AsyncFunctionDef, indent: str, init: bool) -> str:
        first_statement = function.body[0].lineno
        if first_statement > function.lineno:  # the signature as the author wrote it
            header = "\n".join(lines[function.lineno - 1 : first_statement - 1]).rstrip()
            header = header if header.endswith(":") else ""
        else:
            header = ""
        if not header:
            returns = f" -> {ast.unparse(function.returns)}" if function.returns else ""
            prefix = "async def" if isinstance(function, ast.AsyncFunctionDef) else "def"
            header = f"{indent}{prefix} {function.name}({ast.unparse(function.args)}){returns}:"
        body = header + "\n"
        if init:
            body += f"{indent}    super().__init__()\n"
        return body + f"{indent}    raise NotImplementedError\n"

    if not isinstance(entry, ast.ClassDef):
        body = stub(entry, "", False)
    else:
        bases = ", ".join(ast.unparse(b) for b in entry.bases)
        body = f"class {entry.name}({bases}):\n" if bases else f"class {entry.name}:\n"
        methods = [n for n in entry.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
        body += "\n".join(stub(m, "    ", m.name == "__init__" and bool(bases)) for m in methods)
        if not methods:
            body += "    pass\n"
    return (head + "\n\n\n" if head else "") + body.rstrip() + "\n"


def _load_time_calls(tree: ast.Module) -> Iterator[ast.Call]:
    """Calls that run when the module loads: in decorators, default values, class bases and
    class bodies, and top-level values."""

    def calls(node: ast.AST | None) -> Iterator[ast.Call]:
        if node is None:
            return
        for inner in ast.walk(node):
            if isinstance(inner, ast.Call):
                name = ast.unparse(inner.func).rsplit(".", 1)[-1]
                if name not in _LOAD_TIME_CALLS_ALLOWED:
                    yield inner

    def definition(node: ast.stmt) -> Iterator[ast.Call]:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for decorator in node.decorator_list:
                yield from calls(decorator)
            for default in [*node.args.defaults, *node.args.kw_defaults]:
                yield from calls(default)
        elif isinstance(node, ast.ClassDef):
            for expression in [
                *node.decorator_list,
                *node.bases,
                *(k.value for k in node.keywords),
            ]:
                yield from calls(expression)
            for inner in node.body:
                yield from definition(inner)
        elif not isinstance(node, ast.Import | ast.ImportFrom):
            yield from calls(node)

    for node in tree.body:
        yield from definition(node)


def _code_question(
    answer: str, body: _Body, question: str, warn: list[LineWarning]
) -> _CodeAnswer | None:
    """A code question when the answer's Python is PyTorch and defines a module or function."""
    usable: list[_Fence] = []
    for fence in _python_fences(answer, body):
        error = _compiles(fence.content)
        if error is None:
            usable.append(fence)
        elif fence.labelled:
            where = fence.line + (error.lineno or 1) - 1
            warn.append(
                LineWarning(where, f"this Python does not compile ({error.msg}); it is not used")
            )
    if not usable:
        return None
    if _compiles("\n\n".join(f.content.rstrip() for f in usable) + "\n") is not None:
        usable = usable[:1]
    code = "\n\n".join(f.content.rstrip() for f in usable) + "\n"
    notes_lines: list[int] = []  # the notes' line of each line of ``code``
    for fence in usable:
        count = len(fence.content.rstrip().split("\n"))
        notes_lines += [*range(fence.line, fence.line + count), fence.line + count]

    def notes_line(code_line: int) -> int:
        return notes_lines[min(max(code_line, 1), len(notes_lines)) - 1]

    tree = ast.parse(code)
    line = usable[0].line
    if not _definitions(tree):
        return None
    if not _is_pytorch(tree):
        others = [r for r in _imported_roots(tree) if r not in sys.stdlib_module_names]
        why = f" (it uses {', '.join(others)})" if others else ""
        warn.append(
            LineWarning(
                line,
                f"the code here is not PyTorch{why}; it stays in the answer of a concept question",
            )
        )
        return None
    stripped, removed = _strip_load_time(code, tree)
    if removed:
        shown = (ast.get_source_segment(code, removed[0]) or "").strip()
        shown = shown.splitlines()[0] if shown else ""
        more = f" and {len(removed) - 1} more statement(s)" if len(removed) > 1 else ""
        warn.append(
            LineWarning(
                notes_line(removed[0].lineno),
                f"removed `{shown}`{more} from the reference: top-level code would run "
                "whenever the reference loads",
            )
        )
    tree = ast.parse(stripped)
    entry = _entry_point(tree, question)
    if entry is None:
        return None
    bound, loaded = _bound_and_loaded(tree)
    missing = sorted(loaded - bound - set(dir(builtins)))
    added = [line for name, line in _KNOWN_IMPORTS.items() if name in missing]
    unknown = [name for name in missing if name not in _KNOWN_IMPORTS]
    reference = ("\n".join(added) + "\n\n\n" if added else "") + stripped
    if _compiles(reference) is not None:
        return None
    tree = ast.parse(reference)
    entry = next(n for n in _definitions(tree) if n.name == entry.name)
    if unknown:
        warn.append(
            LineWarning(
                line,
                f"the reference uses {', '.join(f'`{n}`' for n in unknown)}, which it neither "
                "defines nor imports",
            )
        )
    for root in _imported_roots(tree):
        if importlib.util.find_spec(root) is None:
            warn.append(
                LineWarning(line, f"the reference imports `{root}`, which is not installed here")
            )
    code_lines = code.split("\n")
    for call in _load_time_calls(tree):
        source = (ast.get_source_segment(reference, call) or ast.unparse(call)).splitlines()[0]
        offset = next((i for i, text in enumerate(code_lines) if source in text), 0)
        warn.append(
            LineWarning(notes_line(offset + 1), f"`{source}` runs whenever the reference loads")
        )
    answer_lines = answer.split("\n")
    first = usable[0]
    shown_code = ["```python", *reference.rstrip("\n").split("\n"), "```"]
    kept: list[str] = []
    for index, text in enumerate(answer_lines):
        if index == first.start:
            kept.extend(shown_code)
        if not any(f.start <= index < f.end for f in usable):
            kept.append(text)
    new_answer = "\n".join(kept).strip()
    return _CodeAnswer(
        entry=entry.name,
        signature=_signature(entry),
        starter=_starter(tree, entry, reference),
        reference=reference,
        answer=new_answer,
    )
