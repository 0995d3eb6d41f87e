"""The shipped ``activations`` deck: its data for ``DeckSuite``, and tests of its own.

``DeckSuite`` checks the structure and the rubric patterns. The tests here check the deck's
arithmetic against ``math``, its examples against the rubric, that its code references compute
what PyTorch's own functions compute (on inputs large enough to overflow a naive formula), and,
through the real grader, that correct answers written in other styles pass.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, ClassVar

import pytest
from deck_fixtures import assert_verdict, fixture_files, grade_fixtures
from deck_helpers import (
    assert_examples_hit_and_miss_what_they_say,
    assert_examples_of_every_kind,
    choice_question,
    code_question,
    concept_question,
    numeric_question,
    reference_entry,
)
from deck_suite import DECKS_DIR, DeckSuite

from grader import SubmissionReport
from questions import Deck

# Correct answers written in styles other than the reference's, one folder per code question.
STYLES = fixture_files("activations", "correct_*.py")


def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


class TestActivationsDeck(DeckSuite):
    DECK_PATH = DECKS_DIR / "activations.yaml"
    DECK_ID = "activations"
    DECK_TITLE = "Activation functions"

    QUESTION_IDS = (
        "why-nonlinearity",
        "saturation",
        "saturation-derivatives",
        "vanishing-product",
        "dying-relu",
        "dead-unit-arithmetic",
        "gelu",
        "swish-silu",
        "softplus",
        "activation-values",
        "saturating-side",
        "torch-gelu-default",
        "output-activation",
        "softplus-derivative",
        "gelu-tanh-fn",
        "silu-fn",
        "elu-fn",
    )
    CONCEPT_IDS = ("why-nonlinearity", "saturation", "dying-relu", "gelu", "swish-silu", "softplus")
    NUMERIC_IDS = (
        "saturation-derivatives",
        "vanishing-product",
        "dead-unit-arithmetic",
        "activation-values",
    )
    CHOICE_IDS = (
        "saturating-side",
        "torch-gelu-default",
        "output-activation",
        "softplus-derivative",
    )
    CODE_IDS = ("gelu-tanh-fn", "silu-fn", "elu-fn")
    COUNTS_BY_KIND: ClassVar[dict[str, int]] = {"concept": 6, "numeric": 4, "choice": 4, "code": 3}
    MULTIPLE_CHOICE_IDS = frozenset({"saturating-side"})
    CORRECT_INDICES: ClassVar[dict[str, frozenset[int]]] = {
        "saturating-side": frozenset({0, 1}),
        "torch-gelu-default": frozenset({0}),
        "output-activation": frozenset({1}),
        "softplus-derivative": frozenset({0}),
    }
    # Every number here is computed exactly from its working; nothing else is accepted.
    ALSO_ACCEPT_COUNT = 0

    OWN_WORDS: ClassVar[dict[str, str]] = {
        "why-nonlinearity": (
            "Stacked linear layers collapse into a single matrix multiplication, so the 20-layer "
            "network is just one linear layer in disguise. It can only separate classes with a "
            "hyperplane, so it cannot learn XOR."
        ),
        "saturation": (
            "For big positive or negative inputs the sigmoid and tanh are flat and the gradient "
            "is nearly zero. Backprop multiplies these factors layer after layer, and since the "
            "sigmoid slope is 0.25 at best the gradients vanish. Tanh is zero-centred, the "
            "sigmoid is not, which is why tanh was the better hidden activation."
        ),
        "dying-relu": (
            "The units died: the bias got pushed strongly negative, so their input is below zero "
            "for all examples and they output 0. Because the ReLU has zero gradient there, they "
            "can never recover. A leaky ReLU keeps a small slope for negative inputs, which "
            "fixes it."
        ),
        "gelu": (
            "GELU weights x by Phi(x), the cumulative distribution of a standard normal. The "
            "common approximation is 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). It is "
            "smooth and non-monotonic, whereas ReLU has a hard kink at 0."
        ),
        "swish-silu": (
            "Swish is x * sigmoid(beta x), and SiLU is the case beta = 1. Ramachandran et al. "
            "discovered it with an automated search over activation functions. When beta goes "
            "to infinity it becomes ReLU."
        ),
        "softplus": (
            "It is log(1 + exp(x)), a smooth version of ReLU. Its derivative is the sigmoid. "
            "I would use it for a positive output such as the standard deviation of a Gaussian "
            "head."
        ),
    }

    WRONG_ANSWERS: ClassVar[dict[str, list[str]]] = {
        "why-nonlinearity": [
            "Without activations the network overfits, because it has too many parameters.",
            "The outputs can become negative, which the loss cannot handle, so training fails.",
        ],
        "saturation": [
            "Saturation is when the GPU memory is full, so training slows down.",
            "The sigmoid outputs explode for large inputs, which makes the weights overflow; "
            "tanh is preferred because it is faster to compute.",
        ],
        "dying-relu": [
            "The units are overfitting the training data; adding more data will revive them.",
            "Their outputs became too large and saturated, so I would switch to a sigmoid.",
        ],
        "gelu": [
            "GELU is a gated linear unit: it splits the input in two halves and multiplies one "
            "by the sigmoid of the other.",
            "It is ReLU with a learnable threshold that is trained by gradient descent.",
        ],
        "swish-silu": [
            "Swish is a normalisation layer that swaps the order of channels to mix them.",
            "SiLU is the sigmoid function applied twice, designed by hand to be faster.",
        ],
        "softplus": [
            "Softplus is the softmax of a single logit plus one, so it always lies in [1, 2].",
            "It is the absolute value function, used to make the loss symmetric.",
        ],
    }

    OFF_TOPIC = (
        "I don't know.",
        "Activation functions are applied after each layer of a neural network.",
        "Convolutional networks learn filters with backpropagation, and deeper layers see larger "
        "regions of the input image.",
        "The optimiser updates the weights using the gradients of the loss.",
    )

    # --------------------------------------------------------------------- rubric

    @pytest.mark.parametrize("question_id", CONCEPT_IDS)
    def test_examples_hit_and_miss_what_they_say(self, deck: Deck, question_id: str) -> None:
        question = concept_question(deck, question_id)
        assert_examples_of_every_kind(question)
        assert_examples_hit_and_miss_what_they_say(question)

    def test_gelu_rubric_tells_gelu_from_swish(self, deck: Deck) -> None:
        definition = concept_question(deck, "gelu").key_points[0]
        swish = concept_question(deck, "swish-silu").key_points[0]
        assert definition.hit_by("GELU is x times Phi(x).")
        assert not definition.hit_by("It is x * sigmoid(x).")
        assert swish.hit_by("It is x * sigmoid(x).")
        assert not swish.hit_by("GELU is x times Phi(x).")

    # --------------------------------------------------------------------- numeric

    def test_saturation_derivatives(self, deck: Deck) -> None:
        parts = numeric_question(deck, "saturation-derivatives").parts
        expected = [
            _sigmoid(0) * (1 - _sigmoid(0)),
            _sigmoid(5) * (1 - _sigmoid(5)),
            1 - math.tanh(0) ** 2,
            1 - math.tanh(3) ** 2,
        ]
        for part, value in zip(parts, expected, strict=True):
            assert part.answer is not None
            assert part.tolerance.allows(value, part.answer), part.label

    def test_vanishing_product(self, deck: Deck) -> None:
        factor, weight = numeric_question(deck, "vanishing-product").parts
        assert factor.answer == pytest.approx(0.25**10, rel=1e-4)
        assert weight.answer == 4

    def test_dead_unit(self, deck: Deck) -> None:
        bias, largest, gradient = numeric_question(deck, "dead-unit-arithmetic").parts
        assert bias.answer == pytest.approx(0.5 - 0.1 * 30)
        assert largest.answer == pytest.approx(2 + 0.5 - 0.1 * 30)
        assert largest.answer is not None and largest.answer < 0  # dead on every example
        assert gradient.answer == 0

    def test_activation_values(self, deck: Deck) -> None:
        silu, gelu, elu, leaky = numeric_question(deck, "activation-values").parts
        inner = math.sqrt(2 / math.pi) * (1 + 0.044715)
        exact_gelu = 0.5 * (1 + math.erf(1 / math.sqrt(2)))
        for part, value in [
            (silu, 2 * _sigmoid(2)),
            (gelu, 0.5 * (1 + math.tanh(inner))),
            (elu, math.expm1(-2)),
            (leaky, -0.02),
        ]:
            assert part.answer is not None
            assert part.tolerance.allows(value, part.answer), part.label
        # The exact GELU(1) is within the tolerance too: both are right to three figures.
        assert gelu.answer is not None and gelu.tolerance.allows(exact_gelu, gelu.answer)

    # --------------------------------------------------------------------- choice

    def test_saturating_side_is_sigmoid_and_tanh(self, deck: Deck) -> None:
        question = choice_question(deck, "saturating-side")
        correct = {question.options[i].text for i in question.correct_indices}
        assert correct == {"Sigmoid", "Tanh"}

    # --------------------------------------------------------------------- code

    def test_code_questions_forbid_the_builtin_and_draw_large_inputs(self, deck: Deck) -> None:
        forbidden = {"gelu-tanh-fn": "aten.gelu", "silu-fn": "aten.silu", "elu-fn": "aten.elu"}
        for question_id, op in forbidden.items():
            checks = code_question(deck, question_id).checks
            assert checks is not None and checks.kind == "function"
            assert op in checks.forbid[0].ops
            high = checks.inputs["x"].high
            assert isinstance(high, float | int) and high >= 30  # beyond a naive exp's reach
            fails = {wrong.fails for wrong in code_question(deck, question_id).wrong_solutions}
            assert {"rules", "outputs"} <= fails

    def test_references_match_pytorch(self, deck: Deck) -> None:
        torch = pytest.importorskip("torch")
        functional = torch.nn.functional
        x = torch.linspace(-120, 120, 2401, dtype=torch.float32, requires_grad=True)
        cases: list[tuple[Callable[..., Any], Callable[..., Any]]] = [
            (
                reference_entry(deck, "gelu-tanh-fn"),
                lambda t: functional.gelu(t, approximate="tanh"),
            ),
            (reference_entry(deck, "silu-fn"), functional.silu),
            (
                lambda t: reference_entry(deck, "elu-fn")(t, alpha=0.3),
                lambda t: functional.elu(t, 0.3),
            ),
        ]
        for ours, theirs in cases:
            ours_out, theirs_out = ours(x), theirs(x)
            torch.testing.assert_close(ours_out, theirs_out, atol=1e-5, rtol=1e-4)
            (ours_grad,) = torch.autograd.grad(ours_out.sum(), x)
            (theirs_grad,) = torch.autograd.grad(theirs_out.sum(), x)
            assert bool(torch.isfinite(ours_grad).all())
            torch.testing.assert_close(ours_grad, theirs_grad, atol=1e-5, rtol=1e-4)

    def test_gelu_approximations_differ_by_more_than_the_tolerance(self, deck: Deck) -> None:
        torch = pytest.importorskip("torch")
        checks = code_question(deck, "gelu-tanh-fn").checks
        assert checks is not None
        x = torch.linspace(-4, 4, 801)
        tanh_form = torch.nn.functional.gelu(x, approximate="tanh")
        gap = (torch.nn.functional.gelu(x) - tanh_form).abs()
        allowed = checks.atol + checks.rtol * tanh_form.abs()
        assert bool((gap > 2 * allowed).any())  # an answer with erf must fail `outputs`

    @pytest.fixture(scope="class")
    def graded_styles(self) -> dict[str, SubmissionReport]:
        """Every correct answer in another style, graded once by the real grader."""
        return grade_fixtures(self.DECK_ID, STYLES)

    @pytest.mark.slow
    @pytest.mark.parametrize("style", STYLES)
    def test_correct_answer_in_another_style_passes(
        self, graded_styles: dict[str, SubmissionReport], style: str
    ) -> None:
        assert_verdict(graded_styles[style])

    def test_every_code_question_has_correct_answers_in_other_styles(self) -> None:
        styles = {s.split("/")[0] for s in STYLES}
        assert styles == set(self.CODE_IDS)
