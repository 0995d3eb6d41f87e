"""Matching a submission's parameters to the reference's for the weight transplant."""

from __future__ import annotations

import math
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grader._transplant import Assignment, Entry, Shape, from_json, groups, natural, pair


def test_identical_shapes_in_order_give_the_natural_assignment() -> None:
    reference = [(4, 1, 3, 3), (8, 4, 1, 1)]
    submission = [("depthwise.weight", (4, 1, 3, 3)), ("pointwise.weight", (8, 4, 1, 1))]
    assert natural(reference, submission) == [
        Entry("depthwise.weight", (0,)),
        Entry("pointwise.weight", (1,)),
    ]


def test_parameters_declared_in_another_order_are_matched_by_shape() -> None:
    reference = [(4, 1, 3, 3), (8, 4, 1, 1), (8,)]
    submission = [("bias", (8,)), ("pw", (8, 4, 1, 1)), ("dw", (4, 1, 3, 3))]
    assignment = natural(reference, submission)
    assert assignment is not None
    assert sorted((e.name, e.refs) for e in assignment) == [
        ("bias", (2,)),
        ("dw", (0,)),
        ("pw", (1,)),
    ]


def test_equal_shapes_form_one_group_of_any_size_without_a_cap() -> None:
    reference = [(2, 2)] * 9
    submission = [(f"w{i}", (2, 2)) for i in range(9)]
    found = groups(reference, submission)
    assert found is not None
    [group] = found
    assert group.names == tuple(f"w{i}" for i in range(9))
    assert sorted(group.indices) == [(i,) for i in range(9)]


def test_pair_follows_the_orders_given() -> None:
    found = groups([(3,), (3,), (3,)], [("a", (3,)), ("b", (3,)), ("c", (3,))])
    assert found is not None
    used = {"a": 2, "b": 0, "c": 1}  # the submission uses b first, then c, then a
    assignment = pair(found, sub_order=used.__getitem__, ref_order=lambda refs: refs[0])
    assert [(e.name, e.refs) for e in assignment] == [("b", (0,)), ("c", (1,)), ("a", (2,))]


def test_a_linear_weight_takes_a_1x1_convolution_weight_by_reshaping() -> None:
    reference = [(4, 1, 3, 3), (8, 4, 1, 1)]
    submission = [("depthwise", (4, 1, 3, 3)), ("pointwise.weight", (8, 4))]
    assert natural(reference, submission) == [
        Entry("depthwise", (0,)),
        Entry("pointwise.weight", (1,), (8, 4)),
    ]


def test_a_1x1_convolution_takes_a_linear_weight_by_reshaping() -> None:
    assert natural([(8, 4)], [("conv.weight", (8, 4, 1, 1))]) == [
        Entry("conv.weight", (0,), (8, 4, 1, 1))
    ]


def test_shapes_with_only_the_same_size_are_matched_as_a_last_resort() -> None:
    assert natural([(2, 6)], [("w", (3, 4))]) == [Entry("w", (0,), (3, 4))]


def test_a_declared_join_matches_a_fused_projection() -> None:
    # q, k, v weights and biases of (4, 4) and (4,), and the output projection.
    reference = [(4, 4), (4,), (4, 4), (4,), (4, 4), (4,), (4, 4), (4,)]
    submission = [
        ("qkv.weight", (12, 4)),
        ("qkv.bias", (12,)),
        ("out.weight", (4, 4)),
        ("out.bias", (4,)),
    ]
    assert natural(reference, submission) is None  # undeclared: no match
    joined = natural(reference, submission, joins=[[0, 2, 4], [1, 3, 5]])
    assert joined is not None
    assert sorted((e.name, e.refs) for e in joined) == [
        ("out.bias", (7,)),
        ("out.weight", (6,)),
        ("qkv.bias", (1, 3, 5)),
        ("qkv.weight", (0, 2, 4)),
    ]


def test_no_parameters_on_either_side_is_one_empty_assignment() -> None:
    assert natural([], []) == []


def test_a_different_number_of_parameters_matches_nothing() -> None:
    assert natural([(3, 3), (3,)], [("w", (3, 3))]) is None
    assert natural([(3, 3)], [("w", (3, 3)), ("b", (3,))]) is None
    assert natural([], [("w", (1,))]) is None


def test_a_different_size_matches_nothing() -> None:
    assert natural([(3, 3)], [("w", (3, 4))]) is None
    assert natural([(4, 1, 3, 3), (8, 4, 1, 1)], [("a", (4, 1, 3, 3)), ("b", (8, 5))]) is None
    assert natural([(2, 2), (4,)], [("a", (4,)), ("b", (5,))]) is None


# --------------------------------------------------------------------------- what the judge sends


def test_an_assignment_from_the_judge_round_trips() -> None:
    reference = [(4, 4), (4,), (4, 4), (4,)]
    submission = [("qk.weight", (8, 4)), ("qk.bias", (8,))]
    sent = [["qk.weight", [0, 2], None], ["qk.bias", [1, 3], None]]
    assignment = from_json(sent, reference, submission)
    assert [e.to_json() for e in assignment] == sent


@pytest.mark.parametrize(
    "sent",
    [
        "nonsense",
        [["w", [0], None]],  # b left out
        [["w", [0], None], ["b", [0], None]],  # reference 0 twice
        [["w", [0], None], ["b", [1], [4, 1]]],  # b is (4,), not (4, 1)
        [["w", [0], None], ["nope", [1], None]],
        [["w", [0], None], ["b", [9], None]],
        [["w", [0], None], ["b", [1.5], None]],
        [["w", [1], None], ["b", [0], None]],  # sizes do not fit
    ],
)
def test_a_malformed_or_inconsistent_assignment_is_refused(sent: object) -> None:
    with pytest.raises(ValueError):
        from_json(sent, [(4, 4), (4,)], [("w", (4, 4)), ("b", (4,))])


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
    # What the contestant accepts from the judge is exactly what is valid.
    sent = [e.to_json() for e in assignment]
    assert from_json(sent, reference, submission) == assignment


@given(matchable(), st.randoms())
def test_matchable_parameters_pair_validly_in_any_order(
    case: tuple[list[Shape], list[tuple[str, Shape]]], rng: object
) -> None:
    reference, submission = case
    found = groups(reference, submission)
    assert found is not None
    keys = {name: rng.random() for name, _ in submission}  # type: ignore[attr-defined]
    for assignment in (pair(found), pair(found, sub_order=keys.__getitem__)):
        _assert_valid(assignment, reference, submission)


@given(
    st.lists(small_shapes, max_size=5),
    st.lists(
        st.tuples(st.sampled_from("abcdefg"), small_shapes), max_size=5, unique_by=lambda p: p[0]
    ),
)
def test_any_assignment_found_is_valid(
    reference: list[Shape], submission: list[tuple[str, Shape]]
) -> None:
    assignment = natural(reference, submission)
    if assignment is not None:
        _assert_valid(assignment, reference, submission)
    sizes_differ = Counter(map(math.prod, reference)) != Counter(
        math.prod(shape) for _, shape in submission
    )
    if sizes_differ:
        assert assignment is None
