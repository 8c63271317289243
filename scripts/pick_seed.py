"""Find the first seeds, from a starting year, whose default-scenario data meet every target.

The shipped course data use one of these seeds (`mhtrain/data.py`, ``SHIPPED``). Run this
after a change to the generator or the targets, if `tests/synth/test_realism.py` fails on the
shipped seed:

    .venv/bin/python scripts/pick_seed.py --start 2027 --count 3

Each seed is generated at the shipped size; the script prints, for each seed tried, how many
targets it misses and which.
"""

from __future__ import annotations

import argparse

import mhtrain
from mhtrain.data import SHIPPED
from mhtrain.specload import load_scenario
from mhtrain.synth import realism


def misses(seed: int) -> list[str]:
    """The ids of the default scenario's targets that ``seed`` does not meet."""
    data = mhtrain.generate(SHIPPED["scenario"], population=SHIPPED["population"], seed=seed)
    targets = load_scenario(SHIPPED["scenario"])["targets"]
    return [
        t["id"]
        for t in targets
        if not realism.target_met(t, realism.STATISTICS[t["statistic"]](data))
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--start", type=int, default=2027, help="first seed to try")
    parser.add_argument("--count", type=int, default=1, help="how many good seeds to find")
    parser.add_argument("--tries", type=int, default=200, help="give up after this many seeds")
    args = parser.parse_args()
    found = []
    for seed in range(args.start, args.start + args.tries):
        missed = misses(seed)
        print(f"seed {seed}: {len(missed)} target(s) missed {' '.join(missed)}".rstrip())
        if not missed:
            found.append(seed)
            if len(found) == args.count:
                break
    print("seeds meeting every target:", ", ".join(map(str, found)) or "none")
    raise SystemExit(0 if found else 1)


if __name__ == "__main__":
    main()
