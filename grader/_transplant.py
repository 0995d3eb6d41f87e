"""Matching a submission's parameters to the reference's, to copy the weights across.

Parameters are matched by shape; where several share a shape, every
permutation within that group is a candidate (the judge tries them in order
until outputs agree). A parameter whose shape matches none but whose size does
(a 1×1 convolution's ``(out, in, 1, 1)`` against ``nn.Linear``'s ``(out, in)``)
is matched by reshaping. Pure functions: no torch.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence

Shape = tuple[int, ...]
# (submission parameter name, reference parameter index, shape to reshape to or None)
Assignment = list[tuple[str, int, list[int] | None]]

MAX_CANDIDATES = 24


def _squeezed(shape: Shape) -> Shape:
    return tuple(d for d in shape if d != 1)


def candidates(
    reference: Sequence[Shape], submission: Sequence[tuple[str, Shape]]
) -> Iterator[Assignment]:
    """Assignments of reference weights to submission parameters, most natural first.

    Yields nothing when the two cannot be matched (different number or sizes).
    """
    if len(reference) != len(submission):
        return
    ref_groups: dict[Shape, list[int]] = defaultdict(list)
    for index, shape in enumerate(reference):
        ref_groups[tuple(shape)].append(index)
    sub_groups: dict[Shape, list[str]] = defaultdict(list)
    for name, shape in submission:
        sub_groups[tuple(shape)].append(name)

    fixed: list[tuple[list[str], list[int], list[int] | None]] = []
    left_ref = {s: list(i) for s, i in ref_groups.items()}
    left_sub: dict[Shape, list[str]] = {}
    for shape, names in sub_groups.items():
        indices = left_ref.pop(shape, [])
        if len(indices) == len(names):
            fixed.append((names, indices, None))
        else:
            left_sub[shape] = names
            if indices:
                left_ref[shape] = indices
    # Shapes that differ only in layout: match by squeezed shape, then by size.
    keys: tuple[Callable[[Shape], object], ...] = (_squeezed, math.prod)
    for key in keys:
        for shape, names in list(left_sub.items()):
            matches = [s for s in left_ref if key(s) == key(shape)]
            pool = [i for s in matches for i in left_ref[s]]
            if len(pool) >= len(names):
                chosen = pool[: len(names)]
                fixed.append((names, chosen, list(shape)))
                del left_sub[shape]
                for s in matches:
                    left_ref[s] = [i for i in left_ref[s] if i not in chosen]
                    if not left_ref[s]:
                        del left_ref[s]
    if left_sub or any(left_ref.values()):
        return

    per_group = [
        [list(zip(names, perm, strict=True)) for perm in itertools.permutations(indices)]
        for names, indices, _ in fixed
    ]
    reshapes = [shape for _, _, shape in fixed]
    for count, combination in enumerate(itertools.product(*per_group)):
        if count >= MAX_CANDIDATES:
            return
        assignment: Assignment = []
        for pairs, reshape in zip(combination, reshapes, strict=True):
            assignment += [(name, index, reshape) for name, index in pairs]
        yield assignment
