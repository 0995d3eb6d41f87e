"""Shared test set-up: hypothesis profiles and an isolated data directory.

Hypothesis profiles: ``ci`` (200 derandomized examples; ``.ci/run`` sets it), ``dev`` (50, the
default of a full run) and ``quick`` (10), which the quick loop ``pytest -m "not slow"`` gets
when ``HYPOTHESIS_PROFILE`` is not set. A run that includes the slow tests, or that names a
profile, keeps its full example count.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from testkit import FakeClock

# No test leaves a warm grading server behind (``quiz grade`` starts one, detached, unless
# this is 0); tests/unit/test_warm.py turns it on where it is the subject.
os.environ["MLQUIZ_WARM_SECONDS"] = "0"

settings.register_profile(
    "ci",
    max_examples=200,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=50, deadline=None)
settings.register_profile("quick", max_examples=10, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


def pytest_configure(config: pytest.Config) -> None:
    """The quick loop (a marker expression that leaves out ``slow``) runs fewer examples."""
    markexpr = " ".join(str(config.getoption("markexpr", "") or "").split())
    if "HYPOTHESIS_PROFILE" not in os.environ and "not slow" in markexpr:
        settings.load_profile("quick")


REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def quiz_homes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Numbered directories for ``quiz_home``: the next one is always new and empty.

    One ``mktemp`` per test would list every directory made before it (thousands by the end
    of a run); counting here costs one ``mkdir``.
    """
    base = tmp_path_factory.mktemp("quiz-homes")
    return (base / str(number) for number in itertools.count())


@pytest.fixture(autouse=True)
def quiz_home(quiz_homes: Iterator[Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own empty QUIZ_HOME: no test reads or writes the real one."""
    home = next(quiz_homes)
    home.mkdir()  # fails if it were there already: never shared between tests
    monkeypatch.setenv("QUIZ_HOME", str(home))
    return home


@pytest.fixture
def clock() -> FakeClock:
    """A clock the test moves by hand (``clock.advance(30)``)."""
    return FakeClock()
