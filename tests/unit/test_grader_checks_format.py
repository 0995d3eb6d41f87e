"""The deck format of the grader's newer checks (optimiser, autograd Function, dropout,
train/eval, names in ``forbid``), and the judge's reading of names in the submitted text."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from grader._source import forbidden_use, function_problem
from questions import Checks, deck_json_schema

PARAMS = {"w": {"shape": [3]}}


def checks(**fields: Any) -> Checks:
    return Checks.model_validate({"inputs": PARAMS, **fields})


def test_an_optimizer_compares_its_trajectory_by_default() -> None:
    found = checks(kind="optimizer", init={"lr": {"float": [0.1, 0.5]}})
    assert found.compare == ["trajectory"]
    assert found.steps == 5


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"kind": "optimizer", "compare": ["outputs"]}, "checked by `trajectory` only"),
        ({"kind": "module", "compare": ["trajectory"]}, "`trajectory` is for `kind: optimizer`"),
        ({"kind": "function", "compare": ["train_eval"]}, "`train_eval` is for modules"),
        ({"kind": "module", "compare": ["gradcheck"]}, "`gradcheck` is for a function"),
        (
            {"kind": "optimizer", "forbid": [{"call": "SGD", "ops": ["aten.add"]}]},
            "is not traced",
        ),
        ({"dropout": "p"}, "not a value drawn"),
        ({"dropout": 1.5}, "is a probability"),
        ({"forbid": [{"call": "F.relu"}]}, "needs `ops` or `names`"),
        ({"forbid": [{"call": "F.relu", "names": ["F relu"]}]}, "not a dotted name"),
        ({"kind": "optimizer", "inputs": {"w": {"shape": [3], "dtype": "int64"}}}, "floating"),
    ],
)
def test_checks_that_do_not_fit_the_kind_are_refused(fields: dict[str, Any], says: str) -> None:
    with pytest.raises(ValidationError, match=says):
        checks(**fields)


def test_dropout_may_name_a_drawn_value() -> None:
    assert checks(init={"p": {"one_of": [0.1, 0.5]}}, dropout="p").dropout == "p"


def test_the_schema_documents_the_new_fields() -> None:
    properties = deck_json_schema()["$defs"]["Checks"]["properties"]
    for name in ("steps", "dropout", "train_steps"):
        assert properties[name]["description"]
    assert "names" in deck_json_schema()["$defs"]["Forbidden"]["properties"]


@pytest.mark.parametrize(
    "source",
    [
        "import torch\nopt = torch.optim.SGD",
        "from torch.optim import SGD",
        "from torch import optim\nclass S(optim.SGD): pass",
        "import torch.optim as o\nstep = o.SGD.step",
        "import torch\nopt = getattr(torch.optim, 'SGD')",
    ],
)
def test_forbidden_names_are_found_through_imports_and_aliases(source: str) -> None:
    assert forbidden_use(source, ["torch.optim.SGD"]) == "torch.optim.SGD"


@pytest.mark.parametrize(
    "source",
    [
        "import torch\nclass SGD(torch.optim.Optimizer): pass",
        "SGD = 'torch.optim.SGD'",
        "import torch\nx = torch.optim.SGDW",
    ],
)
def test_names_that_only_look_alike_are_not_forbidden(source: str) -> None:
    assert forbidden_use(source, ["torch.optim.SGD"]) is None


def test_a_leading_dot_forbids_an_attribute_anywhere() -> None:
    assert forbidden_use("loss.backward()", [".backward"]) == ".backward"
    assert forbidden_use("def backward(ctx, g): return g", [".backward"]) is None


@pytest.mark.parametrize(
    ("source", "says"),
    [
        ("class F:\n    def forward(ctx, x): return x\n    def backward(ctx, g): return g", None),
        ("F = object", "define F as a class"),
        ("class F:\n    def forward(ctx, x): return x", "defines no backward"),
        ("class F:\n    apply = staticmethod(abs)\n    def backward(ctx, g): return g", "replaces"),
        ("class F:\n    def backward(ctx, g): return g\nF.apply = abs", "replaced after"),
    ],
)
def test_a_function_must_keep_its_own_backward(source: str, says: str | None) -> None:
    problem = function_problem(source, "F")
    if says is None:
        assert problem is None
    else:
        assert problem is not None and says in problem
