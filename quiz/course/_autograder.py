"""A Gradescope autograder for an assignment: build the zip, and grade inside Gradescope.

The zip holds ``setup.sh`` (installs Python ≥ 3.11, bubblewrap where the image allows it,
and mlquiz with its CPU torch through the pinned ``constraints.txt``), ``run_autograder``,
the assignment, the decks its questions come from and mlquiz's own source. In Gradescope's
container, ``run_autograder`` grades ``/autograder/submission`` as one student and writes
``/autograder/results/results.json`` (a test per check, visible, out of the assignment's
points). Paths come from ``MLQUIZ_AUTOGRADER_ROOT`` (default ``/autograder``) so the bundle can
be tried in a throw-away folder laid out the same way.
"""

from __future__ import annotations

import json
import os
import secrets
import stat
import traceback
import zipfile
from pathlib import Path
from typing import Any

from questions import DeckLibrary

from ._assignment import load_assignment
from ._grading import ClassResult, CourseError, grade_class
from ._reports import gradescope_results

SOURCE_PACKAGES = ("quiz", "questions", "grader")
SOURCE_FILES = ("pyproject.toml", "README.md", "constraints.txt", "LICENSE")
STUDENT = "submission"

SETUP_SH = """\
#!/usr/bin/env bash
# Gradescope runs this once, as root, while it builds the autograder image.
set -euo pipefail
cd /autograder/source
export DEBIAN_FRONTEND=noninteractive
apt-get update -y || true
# bubblewrap: the full sandbox where the image allows user namespaces; without it mlquiz
# grades with its lighter isolation inside Gradescope's own one-submission container.
apt-get install -y bubblewrap || echo "bubblewrap not installed: lighter isolation only"
python=""
for candidate in python3.13 python3.12 python3.11 python3; do
  if command -v "$candidate" >/dev/null &&
     "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    python="$candidate"; break
  fi
done
if [ -z "$python" ]; then
  apt-get install -y python3.11 python3.11-venv
  python=python3.11
fi
apt-get install -y "$(basename "$python")-venv" 2>/dev/null || true
"$python" -m venv /autograder/venv
/autograder/venv/bin/pip install --upgrade pip
# The pinned CPU torch comes from constraints.txt, as in mlquiz's own install commands.
{install}
/autograder/venv/bin/quiz --version
"""

RUN_AUTOGRADER = """\
#!/usr/bin/env bash
# Gradescope runs this for every submission. MLQUIZ_AUTOGRADER_ROOT and
# MLQUIZ_AUTOGRADER_PYTHON point it elsewhere, to try the bundle outside Gradescope.
set -uo pipefail
root="${MLQUIZ_AUTOGRADER_ROOT:-/autograder}"
python="${MLQUIZ_AUTOGRADER_PYTHON:-$root/venv/bin/python}"
# Containers that forbid user namespaces cannot run bubblewrap: use the lighter isolation.
if ! command -v bwrap >/dev/null || ! bwrap --unshare-all --ro-bind / / true 2>/dev/null; then
  export MLQUIZ_NO_BWRAP=1
fi
exec "$python" -m quiz.course.run_autograder --root "$root"
"""


def project_source() -> Path | None:
    """The source tree mlquiz runs from, if it runs from one (not from an installed wheel)."""
    here = Path(__file__).resolve().parent.parent.parent
    if (here / "pyproject.toml").is_file() and all((here / p).is_dir() for p in SOURCE_PACKAGES):
        return here
    return None


def build_bundle(
    assignment_path: Path,
    library: DeckLibrary,
    output: Path,
    *,
    timeout: float = 20.0,
    seed: int | None = None,
    examples: int | None = None,
) -> list[str]:
    """Write the autograder zip for the assignment at ``assignment_path``; returns its names."""
    assignment = load_assignment(assignment_path, library)
    from quiz import __version__

    source = project_source()
    if source is not None:
        install = "/autograder/venv/bin/pip install -c mlquiz/constraints.txt ./mlquiz"
    else:
        install = f"/autograder/venv/bin/pip install 'mlquiz=={__version__}'"
    deck_names = [f"decks/{i}-{p.name}" for i, p in enumerate(assignment.deck_files())]
    config = {
        "assignment": "assignment.yaml",
        "decks": deck_names,
        "timeout": timeout,
        "seed": secrets.randbelow(2**31) if seed is None else seed,
        "examples": examples,
        "mlquiz": __version__,
    }
    names: list[str] = []
    temporary = output.with_name(f".{output.name}.tmp")
    with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as bundle:

        def add(name: str, data: bytes, *, executable: bool = False) -> None:
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            mode = 0o755 if executable else 0o644
            info.external_attr = (stat.S_IFREG | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            bundle.writestr(info, data)
            names.append(name)

        add("setup.sh", SETUP_SH.replace("{install}", install).encode(), executable=True)
        add("run_autograder", RUN_AUTOGRADER.encode(), executable=True)
        add("assignment.yaml", assignment_path.read_bytes())
        for name, deck in zip(deck_names, assignment.deck_files(), strict=True):
            add(name, deck.read_bytes())
        add("mlquiz-autograder.json", (json.dumps(config, indent=2) + "\n").encode())
        if source is not None:
            for file in SOURCE_FILES:
                if (source / file).is_file():
                    add(f"mlquiz/{file}", (source / file).read_bytes())
            for package in SOURCE_PACKAGES:
                for path in sorted((source / package).rglob("*")):
                    if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                        add(f"mlquiz/{path.relative_to(source).as_posix()}", path.read_bytes())
    os.replace(temporary, output)
    return names


def run_in_gradescope(root: Path) -> dict[str, Any]:
    """Grade ``root/submission`` with the bundle in ``root/source``; write and return
    ``root/results/results.json``. Never ends without a results file: a failure of the
    autograder itself is a visible failed test scoring 0."""
    results_dir = root / "results"
    results_dir.mkdir(parents=True, exist_ok=True)
    try:
        results = _grade_submission(root)
    except Exception as exc:  # the results file must say what happened, whatever it was
        traceback.print_exc()
        results = {
            "score": 0,
            "output": f"The autograder could not grade this submission: {exc}",
            "visibility": "visible",
            "stdout_visibility": "hidden",
            "tests": [
                {
                    "name": "autograder",
                    "score": 0,
                    "max_score": 1,
                    "status": "failed",
                    "output": f"{type(exc).__name__}: {exc}",
                    "visibility": "visible",
                }
            ],
        }
    text = json.dumps(results, indent=2, ensure_ascii=False) + "\n"
    (results_dir / "results.json").write_text(text, encoding="utf-8")
    return results


def _grade_submission(root: Path) -> dict[str, Any]:
    from grader import GraderPool

    source = root / "source"
    config = json.loads((source / "mlquiz-autograder.json").read_text(encoding="utf-8"))
    library = DeckLibrary.discover([source / deck for deck in config["decks"]])
    assignment = load_assignment(source / config["assignment"], library)
    submission = root / "submission"
    if not submission.is_dir():
        raise CourseError(f"{submission}: no submission folder")
    with GraderPool(jobs=max(1, min(2, os.cpu_count() or 1))) as pool:
        result: ClassResult = grade_class(
            assignment,
            submission,
            pool,
            students=[(STUDENT, submission)],
            seed=int(config["seed"]),
            timeout=float(config["timeout"]),
            examples=config.get("examples"),
            also_hidden=[source, root / "results"],
        )
        isolation = pool.mode
    results = gradescope_results(result, STUDENT)
    results["output"] += f"\n(isolation: {isolation or 'unknown'}; seed {config['seed']})"
    return results
