"""Matching a submission's parameters to the reference's for the weight transplant."""

from __future__ import annotations

import math
from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from grader._transplant import MAX_CANDIDATES, Assignment, Shape, candidates


def test_identical_shapes_in_order_give_one_natural_assignment() -> None:
    reference = [(4, 1, 3, 3), (8, 4, 1, 1)]
    submission = [("depthwise.weight", (4, 1, 3, 3)), ("pointwise.weight", (8, 4, 1, 1))]
    assert list(candidates(reference, submission)) == [
        [("depthwise.weight", 0, None), ("pointwise.weight", 1, None)]
    ]


def test_parameters_declared_in_another_order_are_matched_by_shape() -> None:
    reference = [(4, 1, 3, 3), (8, 4, 1, 1), (8,)]
    submission = [("bias", (8,)), ("pw", (8, 4, 1, 1)), ("dw", (4, 1, 3, 3))]
    [assignment] = candidates(reference, submission)
    assert sorted(assignment) == [("bias", 2, None), ("dw", 0, None), ("pw", 1, None)]


def test_two_equal_shapes_yield_both_permutations_natural_first() -> None:
    reference = [(3, 3), (3, 3)]
    submission = [("a", (3, 3)), ("b", (3, 3))]
    assert list(candidates(reference, submission)) == [
        [("a", 0, None), ("b", 1, None)],
        [("a", 1, None), ("b", 0, None)],
    ]


def test_many_equal_shapes_are_capped_at_max_candidates() -> None:
    reference = [(2, 2)] * 5  # 120 permutations
    submission = [(f"w{i}", (2, 2)) for i in range(5)]
    found = list(candidates(reference, submission))
    assert len(found) == MAX_CANDIDATES
    assert found[0] == [(f"w{i}", i, None) for i in range(5)]
    assert len({tuple(a) for a in found}) == MAX_CANDIDATES  # no candidate repeats


def test_permutations_of_several_groups_multiply_up_to_the_cap() -> None:
    reference = [(2,), (2,), (3,), (3,)]
    submission = [("a", (2,)), ("b", (2,)), ("c", (3,)), ("d", (3,))]
    found = list(candidates(reference, submission))
    assert len(found) == 4  # 2! * 2!
    assert len({tuple(sorted(a)) for a in found}) == 4
    many = list(
        candidates(
            [(2,)] * 3 + [(3,)] * 3,
            [(f"p{i}", (2,)) for i in range(3)] + [(f"q{i}", (3,)) for i in range(3)],
        )
    )
    assert len(many) == MAX_CANDIDATES  # 3! * 3! = 36, capped


def test_a_linear_weight_takes_a_1x1_convolution_weight_by_reshaping() -> None:
    reference = [(4, 1, 3, 3), (8, 4, 1, 1)]
    submission = [("depthwise", (4, 1, 3, 3)), ("pointwise.weight", (8, 4))]
    assert list(candidates(reference, submission)) == [
        [("depthwise", 0, None), ("pointwise.weight", 1, [8, 4])]
    ]


def test_a_1x1_convolution_takes_a_linear_weight_by_reshaping() -> None:
    assert list(candidates([(8, 4)], [("conv.weight", (8, 4, 1, 1))])) == [
        [("conv.weight", 0, [8, 4, 1, 1])]
    ]


def test_shapes_with_only_the_same_size_are_matched_as_a_last_resort() -> None:
    assert list(candidates([(2, 6)], [("w", (3, 4))])) == [[("w", 0, [3, 4])]]


def test_no_parameters_on_either_side_is_one_empty_assignment() -> None:
    assert list(candidates([], [])) == [[]]


def test_a_different_number_of_parameters_yields_nothing() -> None:
    assert list(candidates([(3, 3), (3,)], [("w", (3, 3))])) == []
    assert list(candidates([(3, 3)], [("w", (3, 3)), ("b", (3,))])) == []
    assert list(candidates([], [("w", (1,))])) == []


def test_a_different_size_yields_nothing() -> None:
    assert list(candidates([(3, 3)], [("w", (3, 4))])) == []
    assert (
        list(candidates([(4, 1, 3, 3), (8, 4, 1, 1)], [("a", (4, 1, 3, 3)), ("b", (8, 5))])) == []
    )
    assert list(candidates([(2, 2), (4,)], [("a", (4,)), ("b", (5,))])) == []


# --------------------------------------------------------------------------- properties

small_shapes = st.lists(st.integers(1, 3), min_size=1, max_size=3).map(tuple)


def _relaid(shape: Shape, how: int) -> Shape:
    """The same parameter written another way, as a submission might."""
    if how == 1:  # nn.Linear for a 1x1 convolution: drop the size-1 dimensions
        return tuple(d for d in shape if d != 1) or (1,)
    if how == 2:  # a 1x1 convolution for nn.Linear: add them
        return (*shape, 1, 1)
    if how == 3:  # flattened
        return (math.prod(shape),)
    return shape


@st.composite
def matchable(draw: st.DrawFn) -> tuple[list[Shape], list[tuple[str, Shape]]]:
    """A reference and a submission holding the same parameters, shuffled and some relaid."""
    reference = draw(st.lists(small_shapes, max_size=6))
    order = draw(st.permutations(range(len(reference))))
    submission = [
        (f"p{index}", _relaid(reference[index], draw(st.integers(0, 3)))) for index in order
    ]
    return reference, submission


def _assert_valid(
    assignment: Assignment, reference: list[Shape], submission: list[tuple[str, Shape]]
) -> None:
    shapes = dict(submission)
    names = [name for name, _, _ in assignment]
    indices = [index for _, index, _ in assignment]
    assert sorted(names) == sorted(name for name, _ in submission), "each parameter once"
    assert sorted(indices) == list(range(len(reference))), "distinct reference indices"
    for name, index, reshape in assignment:
        assert math.prod(reference[index]) == math.prod(shapes[name]), (name, index)
        if reshape is None:
            assert tuple(reference[index]) == shapes[name], (name, index)
        else:
            assert reshape == list(shapes[name]), (name, index, reshape)


@given(matchable())
def test_matchable_parameters_give_valid_assignments(
    case: tuple[list[Shape], list[tuple[str, Shape]]],
) -> None:
    reference, submission = case
    found = list(candidates(reference, submission))
    assert 1 <= len(found) <= MAX_CANDIDATES
    for assignment in found:
        _assert_valid(assignment, reference, submission)
    assert len({repr(a) for a in found}) == len(found)


@given(
    st.lists(small_shapes, max_size=5),
    st.lists(
        st.tuples(st.sampled_from("abcdefg"), small_shapes), max_size=5, unique_by=lambda p: p[0]
    ),
)
def test_any_yielded_assignment_is_valid(
    reference: list[Shape], submission: list[tuple[str, Shape]]
) -> None:
    found = list(candidates(reference, submission))
    assert len(found) <= MAX_CANDIDATES
    for assignment in found:
        _assert_valid(assignment, reference, submission)
    sizes_differ = Counter(map(math.prod, reference)) != Counter(
        math.prod(shape) for _, shape in submission
    )
    if sizes_differ:
        assert found == []
