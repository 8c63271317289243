"""Run every benchmark (scripts/bench_*.py) and print its figures: `make bench`.

Set BENCH_ONLY=synth,stats to run some of them; BENCH_QUICK=1 skips the England-scale run.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _load(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return module


def main() -> int:
    only = {x.strip() for x in os.environ.get("BENCH_ONLY", "").split(",") if x.strip()}
    failures = 0
    for path in sorted(HERE.glob("bench_*.py")):
        topic = path.stem.removeprefix("bench_")
        if only and topic not in only:
            continue
        print(f"\n== {topic} ==", flush=True)
        started = time.perf_counter()
        try:
            rows = _load(path).run()
        except Exception as exc:  # one broken benchmark must not hide the others
            failures += 1
            print(f"  failed: {type(exc).__name__}: {exc}")
            continue
        for row in rows:
            target = row.get("target")
            ratio = row.get("ratio")
            extra = f"  target {target}" if target is not None else ""
            extra += f"  ratio {ratio:.3g}" if isinstance(ratio, int | float) else ""
            notes = f"  ({row['notes']})" if row.get("notes") else ""
            value = row["value"]
            shown = f"{value:,.3f}" if isinstance(value, float) else f"{value:,}"
            print(f"  {row['name']:<58} {shown:>14} {row.get('unit', '')}{extra}{notes}")
        print(f"  [{topic} took {time.perf_counter() - started:.1f} s]")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
