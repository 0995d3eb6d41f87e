"""Shared test set-up: hypothesis profiles and an isolated data directory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from testkit import FakeClock

settings.register_profile(
    "ci",
    max_examples=200,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=50, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def quiz_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own empty QUIZ_HOME: no test reads or writes the real one."""
    home = tmp_path_factory.mktemp("quiz-home")
    monkeypatch.setenv("QUIZ_HOME", str(home))
    return home


@pytest.fixture
def clock() -> FakeClock:
    """A clock the test moves by hand (``clock.advance(30)``)."""
    return FakeClock()
