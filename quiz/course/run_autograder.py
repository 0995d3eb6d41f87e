"""``python -m quiz.course.run_autograder --root /autograder``: what the Gradescope bundle runs."""

from __future__ import annotations

import argparse
from pathlib import Path

from ._autograder import run_in_gradescope


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--root", type=Path, default=Path("/autograder"))
    args = parser.parse_args(argv)
    results = run_in_gradescope(args.root)
    print(results.get("output", ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
