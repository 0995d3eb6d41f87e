"""The shipped ``initialisation`` deck: its data for ``DeckSuite``, and tests of its own.

``DeckSuite`` checks the structure and the rubric patterns. The tests here check the deck's
arithmetic against ``math`` and against ``torch.nn.init``'s own gains, its examples against the
rubric, what its code references start as, and, through the real grader, that correct answers
written in other styles pass.
"""

from __future__ import annotations

import math
from typing import ClassVar

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
STYLES = fixture_files("initialisation", "correct_*.py")


class TestInitialisationDeck(DeckSuite):
    DECK_PATH = DECKS_DIR / "initialisation.yaml"
    DECK_ID = "initialisation"
    DECK_TITLE = "Weight initialisation"

    QUESTION_IDS = (
        "zero-init-symmetry",
        "xavier-vs-he",
        "he-std",
        "variance-through-depth",
        "pytorch-default-linear",
        "gains",
        "zero-gamma",
        "zero-init-what",
        "orthogonal-init",
        "recurrent-powers",
        "lsuv",
        "kaiming-defaults",
        "fan-out-mode",
        "xavier-deep-relu",
        "he-linear",
        "zero-gamma-block",
    )
    CONCEPT_IDS = ("zero-init-symmetry", "xavier-vs-he", "zero-gamma", "orthogonal-init", "lsuv")
    NUMERIC_IDS = (
        "he-std",
        "variance-through-depth",
        "pytorch-default-linear",
        "gains",
        "recurrent-powers",
    )
    CHOICE_IDS = ("zero-init-what", "kaiming-defaults", "fan-out-mode", "xavier-deep-relu")
    CODE_IDS = ("he-linear", "zero-gamma-block")
    COUNTS_BY_KIND: ClassVar[dict[str, int]] = {"concept": 5, "numeric": 5, "choice": 4, "code": 2}
    MULTIPLE_CHOICE_IDS = frozenset({"zero-init-what"})
    CORRECT_INDICES: ClassVar[dict[str, frozenset[int]]] = {
        "zero-init-what": frozenset({0, 1}),
        "kaiming-defaults": frozenset({0}),
        "fan-out-mode": frozenset({1}),
        "xavier-deep-relu": frozenset({1}),
    }
    ALSO_ACCEPT_COUNT = 1  # the He standard deviation, given where the uniform bound is asked

    OWN_WORDS: ClassVar[dict[str, str]] = {
        "zero-init-symmetry": (
            "If all the weights are equal, every neuron in a layer gets identical gradients, so "
            "they remain identical for the whole run and the layer behaves like a single neuron. "
            "Initialising the weights at random breaks this."
        ),
        "xavier-vs-he": (
            "Both schemes preserve the variance of the signal from one layer to the next. "
            "Glorot picks Var(w) = 2/(n_in + n_out), a compromise between the forward and "
            "backward pass. He picks 2/n_in, because a ReLU zeroes half of its inputs."
        ),
        "zero-gamma": (
            "The BatchNorm at the end of each residual branch gets its gamma set to zero, so the "
            "residual branch outputs zero and every block is an identity at the start. The "
            "convolutions are still random and gamma receives a gradient, so the branch learns."
        ),
        "orthogonal-init": (
            "Its singular values are all one, so it keeps the length of every vector. Applied "
            "over many RNN steps, the hidden state will not explode or vanish. One way to get "
            "it is a QR factorisation of a Gaussian matrix."
        ),
        "lsuv": (
            "It takes a batch of training data, measures the variance of each layer's output, "
            "and rescales that layer's weights to unit variance, going layer by layer. It works "
            "for any activation function."
        ),
    }

    WRONG_ANSWERS: ClassVar[dict[str, list[str]]] = {
        "zero-init-symmetry": [
            "Zero weights make the learning rate ineffective, so you need a larger one.",
            "The loss becomes NaN immediately because the network divides by the weights.",
        ],
        "xavier-vs-he": [
            "Xavier is for convolutions and He is for linear layers; the 2 is the number of "
            "spatial dimensions.",
            "They both set the weights to the identity matrix scaled by a learning rate.",
        ],
        "zero-gamma": [
            "They removed BatchNorm from every block and used a larger learning rate.",
            "They initialised the shortcut convolution to zero so the block starts empty.",
        ],
        "orthogonal-init": [
            "It makes every weight positive so the activations stay positive.",
            "Orthogonal matrices are sparse, which makes the network faster to run.",
        ],
        "lsuv": [
            "LSUV picks a random learning rate for each layer and keeps the best one.",
            "It initialises all layers to the identity and trains them one at a time.",
        ],
    }

    OFF_TOPIC = (
        "I don't know.",
        "Weights are the parameters of a neural network that training adjusts.",
        "Convolutional networks learn filters with backpropagation, and deeper layers see larger "
        "regions of the input image.",
        "A good initialisation matters for training deep networks.",
    )

    # --------------------------------------------------------------------- rubric

    @pytest.mark.parametrize("question_id", CONCEPT_IDS)
    def test_examples_hit_and_miss_what_they_say(self, deck: Deck, question_id: str) -> None:
        question = concept_question(deck, question_id)
        assert_examples_of_every_kind(question)
        assert_examples_hit_and_miss_what_they_say(question)

    def test_xavier_and_he_formulas_are_told_apart(self, deck: Deck) -> None:
        _goal, xavier, he = concept_question(deck, "xavier-vs-he").key_points
        assert xavier.hit_by("Xavier uses Var(w) = 2/(fan_in + fan_out).")
        assert not he.hit_by("Xavier uses Var(w) = 2/(fan_in + fan_out).")
        assert he.hit_by("He uses Var(w) = 2/fan_in.")
        assert not xavier.hit_by("He uses Var(w) = 2/fan_in.")

    # --------------------------------------------------------------------- numeric

    def test_he_std(self, deck: Deck) -> None:
        fan_in, he_in, he_out, xavier = numeric_question(deck, "he-std").parts
        assert fan_in.answer == 3 * 3 * 64
        for part, value in [
            (he_in, math.sqrt(2 / 576)),
            (he_out, math.sqrt(2 / 1152)),
            (xavier, math.sqrt(2 / (576 + 1152))),
        ]:
            assert part.answer is not None
            assert part.tolerance.allows(value, part.answer), part.label
        # fan_out and fan_in must not be confused for one another.
        assert he_in.answer is not None and he_out.answer is not None
        assert not he_in.tolerance.allows(he_out.answer, he_in.answer)

    def test_variance_through_depth(self, deck: Deck) -> None:
        lecun, he, large = numeric_question(deck, "variance-through-depth").parts
        assert lecun.answer == pytest.approx(0.5**10, rel=1e-4)
        assert he.answer == 1
        assert large.answer == pytest.approx((256 * 0.01 / 2) ** 10, rel=1e-4)

    def test_gains_match_torch(self, deck: Deck) -> None:
        torch = pytest.importorskip("torch")
        calculate_gain = torch.nn.init.calculate_gain
        gain, default_bound, he_bound = numeric_question(deck, "pytorch-default-linear").parts
        assert gain.answer == pytest.approx(calculate_gain("leaky_relu", math.sqrt(5)), rel=1e-4)
        # nn.Linear's own default weights stay inside the bound, and reach close to it.
        weight = torch.nn.Linear(512, 256).weight.detach()
        assert default_bound.answer is not None
        assert float(weight.abs().max()) <= default_bound.answer * 1.0001
        assert float(weight.abs().max()) > default_bound.answer * 0.99
        assert he_bound.answer == pytest.approx(math.sqrt(6 / 512), rel=1e-4)
        slope, identity, std = numeric_question(deck, "gains").parts
        assert slope.answer == pytest.approx(calculate_gain("leaky_relu", 0.2), rel=1e-4)
        assert identity.answer == pytest.approx(calculate_gain("linear"), rel=1e-4)
        assert std.answer == pytest.approx(calculate_gain("leaky_relu", 0.2) / 32, rel=1e-4)

    def test_recurrent_powers(self, deck: Deck) -> None:
        grow, shrink, keep = numeric_question(deck, "recurrent-powers").parts
        assert grow.answer == pytest.approx(1.1**50, rel=1e-4)
        assert shrink.answer == pytest.approx(0.9**50, rel=1e-4)
        assert keep.answer == 1

    # --------------------------------------------------------------------- choice

    def test_kaiming_defaults_use_fan_in_and_the_relu_gain(self, deck: Deck) -> None:
        torch = pytest.importorskip("torch")
        question = choice_question(deck, "kaiming-defaults")
        [correct] = question.correct_indices
        assert question.options[correct].text == "$\\sqrt{2/256}$"
        weight = torch.empty(128, 256)
        torch.manual_seed(0)
        torch.nn.init.kaiming_normal_(weight)
        assert float(weight.std()) == pytest.approx(math.sqrt(2 / 256), rel=0.02)

    # --------------------------------------------------------------------- code

    def test_code_questions_check_the_starting_values(self, deck: Deck) -> None:
        linear = code_question(deck, "he-linear")
        block = code_question(deck, "zero-gamma-block")
        assert linear.checks is not None and linear.checks.initial == ["weight", "bias"]
        assert block.checks is not None and "bn2.weight" in block.checks.initial
        for question in (linear, block):
            fails = [wrong.fails for wrong in question.wrong_solutions]
            assert fails.count("initial") >= 3
        # in_features and out_features are drawn far apart, so fan_in and fan_out differ.
        drawn = linear.checks.model_dump()["init"]
        assert (
            tuple(drawn["in_features"]["int"]) == tuple(drawn["out_features"]["int"]) == (16, 256)
        )

    def test_references_start_as_the_prompts_say(self, deck: Deck) -> None:
        torch = pytest.importorskip("torch")
        torch.manual_seed(0)
        linear = reference_entry(deck, "he-linear")(1024, 64)
        block = reference_entry(deck, "zero-gamma-block")(8)
        with torch.no_grad():
            assert float(linear.weight.std()) == pytest.approx(math.sqrt(2 / 1024), rel=0.03)
            assert float(linear.bias.abs().max()) == 0
            assert float(block.bn2.weight.abs().max()) == 0
            assert float(block.bn1.weight.min()) == 1
            x = torch.randn(2, 8, 5, 5)
            # With the last γ at zero the block is ReLU of its input (the shortcut alone).
            torch.testing.assert_close(block(x), torch.relu(x))

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
        assert {s.split("/")[0] for s in STYLES} == set(self.CODE_IDS)
