"""Matching a submission's parameters to the reference's, to copy the weights across.

Parameters are matched by shape (``groups``). A parameter whose shape matches none but
whose layout differs only by size-1 dimensions or, as a last resort, whose size matches
(a 1×1 convolution's ``(out, in, 1, 1)`` against ``nn.Linear``'s ``(out, in)``) is matched
by reshaping; one that is several reference parameters stacked along the first dimension
(a fused q, k, v projection) is matched when the question declares that stacking
(``joins``). Where several parameters share a shape, which goes with which is for the
judge to find out (it runs the submission's traced graph, see ``_judge``); ``pair`` gives
the assignment for one order of each group. Pure functions: no torch.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

Shape = tuple[int, ...]


@dataclass(frozen=True)
class Entry:
    """One submission parameter and the reference parameter(s) whose values it takes.

    ``refs`` has one index, or several stacked along the first dimension in that order;
    ``shape`` is the submission's shape when the reference's values must be reshaped.
    """

    name: str
    refs: tuple[int, ...]
    shape: tuple[int, ...] | None = None

    def to_json(self) -> list[Any]:
        return [self.name, list(self.refs), list(self.shape) if self.shape else None]


Assignment = list[Entry]


@dataclass(frozen=True)
class Group:
    """Submission parameters that may take any of the same reference parameters."""

    names: tuple[str, ...]
    indices: tuple[tuple[int, ...], ...]
    shape: tuple[int, ...] | None


def _squeezed(shape: Shape) -> Shape:
    return tuple(d for d in shape if d != 1)


def groups(
    reference: Sequence[Shape],
    submission: Sequence[tuple[str, Shape]],
    joins: Sequence[Sequence[int]] = (),
) -> list[Group] | None:
    """The submission's parameters in groups that match the same reference parameters.

    None when the two cannot be matched (different number or sizes). Within a group
    every pairing fits the shapes; the groups are in the submission's order.
    """
    ref_groups: dict[Shape, list[int]] = defaultdict(list)
    for index, shape in enumerate(reference):
        ref_groups[tuple(shape)].append(index)
    sub_groups: dict[Shape, list[str]] = defaultdict(list)
    for name, shape in submission:
        sub_groups[tuple(shape)].append(name)

    found: list[Group] = []
    left_ref = {s: list(i) for s, i in ref_groups.items()}
    left_sub: dict[Shape, list[str]] = {}
    for shape, names in sub_groups.items():
        indices = left_ref.pop(shape, [])
        if len(indices) == len(names):
            found.append(Group(tuple(names), tuple((i,) for i in indices), None))
        else:
            left_sub[shape] = names
            if indices:
                left_ref[shape] = indices
    _match_joins(left_sub, left_ref, reference, joins, found)
    # Shapes that differ only in layout: match by squeezed shape, then by size.
    keys: tuple[Callable[[Shape], object], ...] = (_squeezed, math.prod)
    for key in keys:
        for shape, names in list(left_sub.items()):
            matches = [s for s in left_ref if key(s) == key(shape)]
            pool = [i for s in matches for i in left_ref[s]]
            if len(pool) >= len(names):
                chosen = pool[: len(names)]
                found.append(Group(tuple(names), tuple((i,) for i in chosen), shape))
                del left_sub[shape]
                for s in matches:
                    left_ref[s] = [i for i in left_ref[s] if i not in chosen]
                    if not left_ref[s]:
                        del left_ref[s]
    if left_sub or any(left_ref.values()):
        return None
    return found


def _match_joins(
    left_sub: dict[Shape, list[str]],
    left_ref: dict[Shape, list[int]],
    reference: Sequence[Shape],
    joins: Sequence[Sequence[int]],
    found: list[Group],
) -> None:
    """Match submission parameters that stack declared reference parameters."""
    for join in joins:
        indices = tuple(join)
        if len(indices) < 2 or not all(0 <= i < len(reference) for i in indices):
            continue
        shapes = [tuple(reference[i]) for i in indices]
        if any(not s or s[1:] != shapes[0][1:] for s in shapes):
            continue
        stacked = (sum(s[0] for s in shapes), *shapes[0][1:])
        names = left_sub.get(stacked)
        if not names or not all(i in left_ref.get(tuple(reference[i]), []) for i in indices):
            continue
        found.append(Group((names[0],), (indices,), None))
        names.pop(0)
        if not names:
            del left_sub[stacked]
        for i in indices:
            shape = tuple(reference[i])
            left_ref[shape].remove(i)
            if not left_ref[shape]:
                del left_ref[shape]


def pair(
    found: Sequence[Group],
    sub_order: Callable[[str], Any] | None = None,
    ref_order: Callable[[tuple[int, ...]], Any] | None = None,
) -> Assignment:
    """Pair each group's names with its reference parameters, both sorted by the orders
    given (stable: listing order otherwise)."""
    assignment: Assignment = []
    for group in found:
        names = sorted(group.names, key=sub_order) if sub_order else list(group.names)
        refs = sorted(group.indices, key=ref_order) if ref_order else list(group.indices)
        assignment += [Entry(n, r, group.shape) for n, r in zip(names, refs, strict=True)]
    return assignment


def natural(
    reference: Sequence[Shape],
    submission: Sequence[tuple[str, Shape]],
    joins: Sequence[Sequence[int]] = (),
) -> Assignment | None:
    """The assignment in listing order on both sides; None when nothing fits."""
    found = groups(reference, submission, joins)
    return None if found is None else pair(found)


def from_json(
    value: Any, reference: Sequence[Shape], submission: Sequence[tuple[str, Shape]]
) -> Assignment:
    """An assignment the judge sent, checked against both sides' shapes.

    Raises ``ValueError`` unless every submission parameter and every reference
    parameter appears exactly once, with sizes that fit.
    """
    if not isinstance(value, list):
        raise ValueError("an assignment is a list")
    shapes = dict(submission)
    assignment: Assignment = []
    for item in value:
        if not (isinstance(item, list) and len(item) == 3 and isinstance(item[0], str)):
            raise ValueError("an assignment entry is [name, [reference indices], shape]")
        name, refs, shape = item
        if not (isinstance(refs, list) and refs and all(isinstance(i, int) for i in refs)):
            raise ValueError("reference indices must be a non-empty list of integers")
        if shape is not None and not (
            isinstance(shape, list) and all(isinstance(d, int) for d in shape)
        ):
            raise ValueError("a shape is a list of integers")
        if name not in shapes or any(not 0 <= i < len(reference) for i in refs):
            raise ValueError("the assignment names an unknown parameter")
        parts = [tuple(reference[i]) for i in refs]
        if any(not p or p[1:] != parts[0][1:] for p in parts):
            raise ValueError(f"the reference parameters for {name!r} cannot be stacked")
        stacked = parts[0] if len(parts) == 1 else (sum(p[0] for p in parts), *parts[0][1:])
        wanted = tuple(shape) if shape is not None else None
        if (wanted or stacked) != tuple(shapes[name]) or math.prod(stacked) != math.prod(
            shapes[name]
        ):
            raise ValueError(f"the sizes of {name!r} do not fit")
        assignment.append(Entry(name, tuple(refs), wanted))
    names = [e.name for e in assignment]
    indices = [i for e in assignment for i in e.refs]
    if sorted(names) != sorted(shapes) or sorted(indices) != list(range(len(reference))):
        raise ValueError("an assignment must use every parameter exactly once")
    return assignment
