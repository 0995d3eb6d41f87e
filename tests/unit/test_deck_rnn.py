"""The shipped ``rnn`` deck: its data for ``DeckSuite``, and tests of its own numbers.

``DeckSuite`` checks the structure and the rubric patterns. The tests here recompute the deck's
numeric answers, pin its choice questions, check how its code questions are set up, and (marked
slow) run each reference against ``torch.nn.LSTMCell``, ``GRUCell`` and ``RNN`` with the same
weights, and grade the correct solutions in other styles under ``fixtures/rnn`` with the real
grader. The wrong solutions are graded by ``quiz check-deck``.
"""

from __future__ import annotations

import math
from typing import ClassVar

import pytest
from deck_fixtures import assert_verdict, fixture_files, grade_fixtures
from deck_helpers import choice_question, code_question, numeric_question, reference_entry
from deck_suite import DECKS_DIR, DeckSuite

from grader import SubmissionReport
from questions import Deck

OTHER_STYLES = fixture_files("rnn", "correct_*.py")
"""Correct solutions in styles other than the reference's, as ``question-id/file.py``."""
WRONG_STYLES = {
    "lstm-cell/wrong_gates_from_input_only.py": "outputs",
    "lstm-cell/wrong_tanh_on_cell_update.py": "outputs",
    "gru-cell/wrong_products_summed_before_split.py": "outputs",
    "gru-cell/wrong_sigmoid_candidate.py": "outputs",
    "elman-rnn/wrong_h_n_is_first_state.py": "outputs",
    "elman-rnn/wrong_starts_from_zeros.py": "outputs",
}
"""Mistakes other than the deck's own wrong solutions, with the check that must catch each."""


class TestRnnDeck(DeckSuite):
    DECK_PATH = DECKS_DIR / "rnn.yaml"
    DECK_ID = "rnn"
    DECK_TITLE = "RNN, LSTM and GRU"

    CONCEPT_IDS = ("lstm-gates", "gru", "bptt", "vanishing-exploding", "why-transformers")
    NUMERIC_IDS = ("recurrent-parameters", "bptt-memory", "gradient-factors", "gradient-clipping")
    CHOICE_IDS = ("gate-order", "update-gate", "clip-grad-norm", "cell-state-gradient")
    CODE_IDS = ("lstm-cell", "gru-cell", "elman-rnn")

    QUESTION_IDS = (
        "lstm-gates",
        "gate-order",
        "gru",
        "update-gate",
        "recurrent-parameters",
        "bptt",
        "bptt-memory",
        "vanishing-exploding",
        "gradient-factors",
        "gradient-clipping",
        "clip-grad-norm",
        "cell-state-gradient",
        "why-transformers",
        "lstm-cell",
        "gru-cell",
        "elman-rnn",
    )
    COUNTS_BY_KIND: ClassVar[dict[str, int]] = {"concept": 5, "numeric": 4, "choice": 4, "code": 3}
    # Every choice question has its one correct option first.
    CORRECT_INDICES: ClassVar[dict[str, frozenset[int]]] = dict.fromkeys(CHOICE_IDS, frozenset({0}))
    ALSO_ACCEPT_COUNT = 1  # one bias per gate (Keras) in recurrent-parameters

    # Good answers in words other than the deck's and its examples': each must hit every point.
    OWN_WORDS: ClassVar[dict[str, str]] = {
        "lstm-gates": (
            "Three sigmoid gates and a tanh candidate. The forget gate decides how much of the "
            "old memory survives, since c_t = f_t * c_{t-1} + i_t * g_t, and the output gate "
            "decides how much of it is shown: h_t = o_t * tanh(c_t). The gradient along the "
            "cell is multiplied only by the forget gate, so the error can flow back through the "
            "cell unchanged for many steps."
        ),
        "gru": (
            "The GRU keeps just a hidden state and has an update and a reset gate. Its new state "
            "is (1-z) times the candidate plus z times the old state, so it is a weighted "
            "average of the previous state and the candidate. The reset gate controls how much "
            "of the previous state the candidate is allowed to see. It has fewer parameters "
            "than an LSTM and works about as well."
        ),
        "bptt": (
            "You unroll the RNN over all time steps and backpropagate as through a deep net; "
            "the shared weights receive the sum of the gradients over the steps. The activations "
            "of every step are stored for the backward pass, so the memory grows linearly with "
            "the length. Truncated BPTT runs backward over windows of k steps and detaches the "
            "state between them."
        ),
        "vanishing-exploding": (
            "Backprop through time multiplies by W_hh and the tanh derivative at every step, so "
            "over k steps you get a product of Jacobians. Its spectral radius decides: below one "
            "the gradient vanishes exponentially, above one it may explode. Exploding gradients "
            "are tamed with gradient clipping; for vanishing ones we use gated units like the "
            "LSTM, whose additive cell helps, or orthogonal initialisation."
        ),
        "why-transformers": (
            "A recurrent net cannot be parallelised along the sequence because h_t needs "
            "h_{t-1}. Attention connects any two tokens directly, while an RNN passes the "
            "information through every intermediate step in a fixed-size state. RNNs still "
            "use constant memory per step at inference, whereas attention is quadratic."
        ),
    }

    # Plausible wrong answers: each may hit at most one key point.
    WRONG_ANSWERS: ClassVar[dict[str, list[str]]] = {
        "lstm-gates": [
            "An LSTM has a forget gate that deletes the whole memory at each sentence boundary "
            "and a ReLU activation that stops gradients from vanishing.",
            "The LSTM stacks four RNNs, one per gate, and averages their hidden states; more "
            "parameters give it a longer memory.",
        ],
        "gru": [
            "A GRU is an LSTM with an extra gradient gate, so it is slower but more accurate.",
            "The GRU replaces the tanh by a ReLU and uses a convolution over time instead of a "
            "recurrent matrix.",
        ],
        "bptt": [
            "Backpropagation through time trains each time step with its own copy of the weights "
            "and averages them after every epoch.",
            "BPTT means you backpropagate only through the last time step, which is why RNNs "
            "are cheap to train on long sequences.",
        ],
        "vanishing-exploding": [
            "Gradients vanish because the learning rate is too small and explode because it is "
            "too large, so a learning-rate schedule fixes both problems.",
            "They come from overfitting on long sequences; dropout and weight decay solve them.",
        ],
        "why-transformers": [
            "Transformers replaced RNNs because RNNs cannot process variable-length sentences "
            "and need one-hot inputs.",
            "RNNs have far more parameters than Transformers, so they overfit; Transformers "
            "also use less memory on long sequences.",
        ],
    }

    # Recurrent-network vocabulary that answers none of the questions: no key point may fire.
    OFF_TOPIC = (
        "I don't know.",
        "Recurrent networks read a sequence and keep a hidden state; LSTMs and GRUs are popular.",
        "We trained the LSTM with Adam, a batch size of 32 and a learning rate of 0.001.",
    )

    # --------------------------------------------------------------------- numeric

    def test_recurrent_parameter_counts_follow_torch_layout(self, deck: Deck) -> None:
        inputs, hidden = 128, 256
        block = hidden * inputs + hidden * hidden + 2 * hidden
        parts = numeric_question(deck, "recurrent-parameters").parts
        assert [p.answer for p in parts] == [4 * block, 3 * block, block, 4]
        [keras] = parts[0].also_accept
        assert keras.value == 4 * (hidden * inputs + hidden * hidden + hidden)
        measured = {p.measure.question for p in parts if p.measure is not None}
        assert measured == {"lstm-cell", "gru-cell", "elman-rnn"}

    def test_bptt_memory(self, deck: Deck) -> None:
        numbers = 6 * 512 * 32 * 1000
        answers = [p.answer for p in numeric_question(deck, "bptt-memory").parts]
        assert answers == [
            numbers,
            pytest.approx(numbers * 4 / 1e6),
            10,
            pytest.approx(numbers * 4 / 1e6 / 10),
        ]

    def test_gradient_factors(self, deck: Deck) -> None:
        answers = [p.value for p in numeric_question(deck, "gradient-factors").parts]
        assert answers == pytest.approx([0.9**50, 1.1**50, 0.25**10, 0.99**100])
        # two orders of magnitude lost one way, gained the other
        assert answers[0] < 0.01 and answers[1] > 100

    def test_gradient_clipping(self, deck: Deck) -> None:
        norm = math.hypot(30, 40)
        answers = [p.answer for p in numeric_question(deck, "gradient-clipping").parts]
        assert answers == pytest.approx([norm, 5 / norm, 30 * 5 / norm, math.hypot(5, 5)])

    # --------------------------------------------------------------------- choice

    def test_gate_order_is_torch_documented_order(self, deck: Deck) -> None:
        question = choice_question(deck, "gate-order")
        [correct] = question.correct_indices
        assert question.options[correct].text.startswith("i, f, g, o")

    def test_clip_grad_norm_keeps_the_direction(self, deck: Deck) -> None:
        question = choice_question(deck, "clip-grad-norm")
        [correct] = question.correct_indices
        assert "direction is kept" in question.options[correct].text

    # --------------------------------------------------------------------- code (static)

    def test_cells_state_torch_layout_in_the_prompt(self, deck: Deck) -> None:
        lstm = code_question(deck, "lstm-cell")
        assert "(4 * hidden_size, input_size)" in lstm.prompt
        assert "**i, f, g, o**" in lstm.prompt
        gru = code_question(deck, "gru-cell")
        assert "(3 * hidden_size, input_size)" in gru.prompt
        assert "**r, z, n**" in gru.prompt

    def test_code_inputs(self, deck: Deck) -> None:
        inputs = {
            question_id: list((code_question(deck, question_id).checks or pytest.fail()).inputs)
            for question_id in self.CODE_IDS
        }
        assert inputs == {
            "lstm-cell": ["x", "h", "c"],
            "gru-cell": ["x", "h"],
            "elman-rnn": ["x", "h0"],
        }

    def test_wrong_solutions_reach_every_kind_of_check(self, deck: Deck) -> None:
        fails = {
            w.fails
            for question_id in self.CODE_IDS
            for w in code_question(deck, question_id).wrong_solutions
        }
        assert fails == {"parameters", "output_shape", "outputs", "gradients"}
        elman = code_question(deck, "elman-rnn")
        [detached] = [w for w in elman.wrong_solutions if w.fails == "gradients"]
        assert ".detach()" in detached.code

    # --------------------------------------------------------------------- code (run)

    @pytest.mark.slow
    def test_lstm_reference_matches_torch_lstm_cell(self, deck: Deck) -> None:
        torch = pytest.importorskip("torch")
        torch.manual_seed(0)
        ours = reference_entry(deck, "lstm-cell")(3, 4)
        theirs = torch.nn.LSTMCell(3, 4)
        with torch.no_grad():
            for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                getattr(ours, name).copy_(getattr(theirs, name))
        x, h, c = torch.randn(2, 3), torch.randn(2, 4), torch.randn(2, 4)
        h_next, c_next = ours(x, h, c)
        expected_h, expected_c = theirs(x, (h, c))
        torch.testing.assert_close(h_next, expected_h)
        torch.testing.assert_close(c_next, expected_c)

    @pytest.mark.slow
    def test_gru_reference_matches_torch_gru_cell(self, deck: Deck) -> None:
        torch = pytest.importorskip("torch")
        torch.manual_seed(0)
        ours = reference_entry(deck, "gru-cell")(3, 4)
        theirs = torch.nn.GRUCell(3, 4)
        with torch.no_grad():
            for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                getattr(ours, name).copy_(getattr(theirs, name))
        x, h = torch.randn(2, 3), torch.randn(2, 4)
        torch.testing.assert_close(ours(x, h), theirs(x, h))

    @pytest.mark.slow
    def test_elman_reference_matches_torch_rnn(self, deck: Deck) -> None:
        torch = pytest.importorskip("torch")
        torch.manual_seed(0)
        ours = reference_entry(deck, "elman-rnn")(3, 4)
        theirs = torch.nn.RNN(3, 4, batch_first=True)
        with torch.no_grad():
            for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                getattr(ours, name).copy_(getattr(theirs, f"{name}_l0"))
        x, h0 = torch.randn(2, 5, 3), torch.randn(2, 4)
        output, h_n = ours(x, h0)
        expected_output, expected_h_n = theirs(x, h0.unsqueeze(0))
        torch.testing.assert_close(output, expected_output)
        torch.testing.assert_close(h_n, expected_h_n.squeeze(0))

    @pytest.fixture(scope="class")
    def graded(self) -> dict[str, SubmissionReport]:
        """Every style file graded once, in one pool, by its name."""
        return grade_fixtures(self.DECK_ID, [*OTHER_STYLES, *WRONG_STYLES])

    @pytest.mark.slow
    @pytest.mark.parametrize("submission", OTHER_STYLES)
    def test_correct_solution_in_another_style_passes(
        self, graded: dict[str, SubmissionReport], submission: str
    ) -> None:
        assert_verdict(graded[submission])

    @pytest.mark.slow
    @pytest.mark.parametrize("submission", sorted(WRONG_STYLES))
    def test_mistake_in_another_style_fails_on_its_check(
        self, graded: dict[str, SubmissionReport], submission: str
    ) -> None:
        assert_verdict(graded[submission], WRONG_STYLES[submission])

    def test_every_style_file_is_expected_to_pass_or_fail(self) -> None:
        assert fixture_files("rnn") == sorted([*OTHER_STYLES, *WRONG_STYLES])

    def test_every_code_question_has_another_correct_style(self) -> None:
        assert {s.split("/")[0] for s in OTHER_STYLES} == set(self.CODE_IDS)
