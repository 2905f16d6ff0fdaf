"""Fuzz ``hb check`` longer than CI does: mutated real-world configurations, crashes by place.

Run before a release with the workspace venv:
``.venv/bin/python bench/check_fuzz.py [--cases 10000] [--seed 1]``. The cases are those of
``tests/test_check_fuzz.py`` (same mutations, same corpus at ``../shared/corpus/realworld``,
host names never sent to DNS), run with the safety net of ``hb check`` turned off, so every
exception is counted where it was raised. A "crash" is also output that is not one printable
line per problem, or a problem that names no file. It prints, never asserts: the count of cases,
the time, how many crashed, and one line per place (exception type and file:line) with an
example case to reproduce it.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from test_check_fuzz import Case, Crash, fuzz


def arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    options = arguments(argv)
    started = time.monotonic()
    places: Counter[tuple[str, str]] = Counter()
    examples: dict[tuple[str, str], tuple[Case, Crash]] = {}
    for case, crash in fuzz(options.seed, options.cases):
        if crash is None:
            continue
        place = (crash.kind, crash.place)
        places[place] += 1
        examples.setdefault(place, (case, crash))
    elapsed = time.monotonic() - started
    crashed = sum(places.values())
    print(
        f"{options.cases} cases (seed {options.seed}) in {elapsed:.1f} s: "
        f"{crashed} crashed, at {len(places)} place(s)"
    )
    for (kind, where), count in places.most_common():
        case, crash = examples[(kind, where)]
        print(f"{count:6}  {kind} at {where}")
        print(f"        e.g. {case.origin}: {', '.join(case.mutations)}")
        print(f"        {crash.message}")


if __name__ == "__main__":
    main()
