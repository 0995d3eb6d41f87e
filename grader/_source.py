"""What the judge reads in the submitted text itself: the dotted names it uses.

The judge never runs submitted code, but it has the source it sent. ``used_names``
lists every dotted name the code refers to, with imports and aliases resolved
(``from torch import optim`` then ``optim.SGD`` is ``torch.optim.SGD``), so a
question's ``forbid: [{names: [...]}]`` can rule out a library call in code that is
not traced (an optimiser's step, an autograd Function's backward). It reads what is
written: a call reached through strings built at run time is not seen, so these
rules catch a learner's shortcut, and the verdict on values still rests on the
judge's own comparisons. ``function_problem`` says why a class cannot be a
hand-written ``torch.autograd.Function``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable


def _dotted(node: ast.expr, aliases: dict[str, str]) -> str | None:
    """``a.b.c`` for an attribute chain on a name (the name's alias resolved), else None."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Call) and _is_getattr(node):
        inner = _dotted(node.args[0], aliases)
        constant = node.args[1]
        if inner is None or not isinstance(constant, ast.Constant):
            return None
        if not isinstance(constant.value, str):
            return None
        return ".".join([inner, constant.value, *reversed(parts)])
    if not isinstance(node, ast.Name):
        return None
    root = aliases.get(node.id, node.id)
    return ".".join([root, *reversed(parts)])


def _is_getattr(node: ast.Call) -> bool:
    return isinstance(node.func, ast.Name) and node.func.id == "getattr" and len(node.args) >= 2


def used_names(source: str) -> tuple[set[str], set[str]]:
    """(dotted names the code uses, attribute names it reads anywhere); empty when the
    source does not parse (compile reports that)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return set(), set()
    aliases: dict[str, str] = {}
    names: set[str] = set()
    attributes: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    aliases[alias.asname] = alias.name
                names.add(alias.name)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                aliases[alias.asname or alias.name] = full
                names.add(full)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            attributes.add(node.attr)
            dotted = _dotted(node, aliases)
            if dotted:
                names.add(dotted)
        elif isinstance(node, ast.Name):
            names.add(aliases.get(node.id, node.id))
        elif isinstance(node, ast.Call) and _is_getattr(node):
            dotted = _dotted(node, aliases)
            if dotted:
                names.add(dotted)
                attributes.add(dotted.rsplit(".", 1)[-1])
    return names, attributes


def forbidden_use(source: str, forbidden: Iterable[str]) -> str | None:
    """The first forbidden name ``source`` uses (``.attr`` for an attribute anywhere), or
    None. A name covers what is under it: ``torch.optim.SGD`` covers ``torch.optim.SGD.step``."""
    names, attributes = used_names(source)
    for wanted in forbidden:
        if wanted.startswith("."):
            if wanted[1:] in attributes:
                return wanted
            continue
        if any(n == wanted or n.startswith(wanted + ".") for n in names):
            return wanted
    return None


def function_problem(source: str, entry_point: str) -> str | None:
    """Why ``entry_point`` is not a Function class with a backward of its own, or None.

    A class that overrides ``apply`` (or has it replaced later) never runs its own
    backward: autograd differentiates whatever ``apply`` computes.
    """
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    found = next(
        (n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == entry_point), None
    )
    if found is None:
        return f"define {entry_point} as a class, a torch.autograd.Function with its own backward"
    members: set[str] = set()
    for item in found.body:
        if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
            members.add(item.name)
        elif isinstance(item, ast.Assign):
            members.update(t.id for t in item.targets if isinstance(t, ast.Name))
        elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
            members.add(item.target.id)
    if "apply" in members:
        return f"{entry_point} replaces apply, so its own backward is never used"
    for node in ast.walk(tree):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Attribute) and target.attr in ("apply", "backward"):
                return f"{entry_point}'s {target.attr} is replaced after the class is defined"
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "setattr"
        ):
            return "setattr is not allowed here: it could replace the Function's apply"
    if "backward" not in members and "vjp" not in members:
        return f"{entry_point} defines no backward of its own"
    return None
