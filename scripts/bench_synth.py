"""Generator speed and memory: 1 million and 10 million residents, an England-scale year streamed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

ENGLAND = 56_489_800  # residents, Census 2021 (the scenario's own source)
SDV_ROWS_PER_S = 225_000  # Gaussian copula sampling rate seen on this kind of machine
FAKER_ROWS_PER_S = 56_000  # row-by-row Faker generator on this kind of machine

_CHILD = r"""
import json, resource, sys, time
from mhtrain.synth.stream import stream_to_dir
started = time.perf_counter()
m = stream_to_dir(sys.argv[1], population=int(sys.argv[2]), seed=1, formats=("parquet",))
took = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"seconds": took, "rows": sum(m["rows"].values()), "peak": peak,
                  "people": m["rows"]["people"]}))
"""


def _streamed(population: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run(
            [sys.executable, "-c", _CHILD, f"{tmp}/data", str(population)],
            capture_output=True,
            text=True,
            check=True,
        )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _numpy_people(n: int, rng: np.random.Generator) -> float:
    """Rows per second for drawing the people table's columns independently with numpy."""
    started = time.perf_counter()
    person = rng.integers(0, 2**32, n).astype(np.uint32)
    nhs = rng.integers(999_000_000, 999_999_999, n) * 10
    age = rng.integers(0, 100, n)
    birth_year = 2023 - age
    birth_month = rng.integers(1, 13, n)
    sex = rng.choice(np.array(["1", "2"]), n)
    eth = rng.choice(np.array(list("ABCDEFGHJKLMNPRS")), n)
    area = rng.integers(0, 12, n)
    imd = rng.integers(1, 11, n)
    _ = (person, nhs, birth_year, birth_month, sex, eth, area, imd)
    return n / (time.perf_counter() - started)


def _table_rows_per_second(population: int, repeats: int) -> tuple[float, int, int]:
    """Best rate over ``repeats`` runs of generating every linked table (kept one area at a
    time, as the streaming writer does); also the rows and people rows made."""
    from mhtrain.synth import iter_area_tables

    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        n_people = n_rows = 0
        for _, tables, _ in iter_area_tables(population=population, seed=1):
            n_people += len(tables["people"])
            n_rows += sum(len(t) for t in tables.values())
        best = min(best, time.perf_counter() - started)
    return n_rows / best, n_rows, n_people


def _physical_health_share(population: int, repeats: int) -> tuple[float, float]:
    """Best seconds for every table of ``population`` residents, and the part of it spent on
    the primary-care and deaths tables (timed inside the same runs)."""
    import mhtrain.synth.generator as synth

    draw = synth.generate_physical_health
    best_total = best_physical = float("inf")
    for _ in range(repeats):
        spent = [0.0]

        def timed(ctx, spent=spent):
            started = time.perf_counter()
            out = draw(ctx)
            spent[0] += time.perf_counter() - started
            return out

        synth.generate_physical_health = timed
        try:
            started = time.perf_counter()
            for _ in synth.iter_area_tables(population=population, seed=1):
                pass
            total = time.perf_counter() - started
        finally:
            synth.generate_physical_health = draw
        if total < best_total:
            best_total, best_physical = total, spent[0]
    return best_total, best_physical


def _versus_copula(name: str, rate: float) -> dict:
    return {
        "name": name,
        "value": int(rate),
        "unit": "rows/s",
        "target": ">= 10x a Gaussian copula sampler",
        "ratio": rate / SDV_ROWS_PER_S,
        "notes": f"ratio to a Gaussian copula sampler (225,000 rows/s); Faker ratio "
        f"{rate / FAKER_ROWS_PER_S:.0f}",
    }


def run() -> list[dict]:
    import mhtrain
    from mhtrain.synth import prepare

    prepare("default")  # calibration is done once per scenario; time the generation itself
    mhtrain.generate(population=100_000, seed=2)  # first-use costs (imports, kernels) paid here
    rows_out: list[dict] = []

    started = time.perf_counter()
    mhtrain.generate(population=1_000_000, seed=1)
    took = time.perf_counter() - started
    rows_out.append(
        {
            "name": "1M residents: full record set with truth",
            "value": took,
            "unit": "s",
            "target": "<= 10 s",
            "ratio": took / 10,
        }
    )
    rate_1m, rows_1m, n_people = _table_rows_per_second(1_000_000, repeats=3)
    people_rate = rate_1m * n_people / rows_1m
    rate_10m, rows_10m, _ = _table_rows_per_second(10_000_000, repeats=1)
    total_1m, physical_1m = _physical_health_share(1_000_000, repeats=3)
    without = total_1m - physical_1m
    rows_out.append(
        {
            "name": "1M residents: time added by the primary-care and deaths tables",
            "value": physical_1m,
            "unit": "s",
            "target": "<= 25% of the other tables' time",
            "ratio": physical_1m / without / 0.25,
            "notes": f"{physical_1m / without:.0%} on top of {without:.2f} s for the other tables",
        }
    )
    numpy_rate = _numpy_people(n_people, np.random.default_rng(1))
    rows_out += [
        _versus_copula("1M residents: rows/s, all linked tables (best of 3)", rate_1m),
        _versus_copula(f"10M residents: rows/s, all linked tables ({rows_10m:,} rows)", rate_10m),
        {
            "name": "1M residents: people rows/s (whole linked generation)",
            "value": int(people_rate),
            "unit": "rows/s",
            "ratio": people_rate / numpy_rate,
            "notes": "ratio to numpy drawing the same columns independently",
        },
        {
            "name": "numpy independent draw of the people columns",
            "value": int(numpy_rate),
            "unit": "rows/s",
        },
    ]

    ten = _streamed(10_000_000)
    rows_out += [
        {"name": "10M residents streamed to Parquet", "value": ten["seconds"], "unit": "s"},
        {
            "name": "10M residents streamed to Parquet: rows/s including writing",
            "value": int(ten["rows"] / ten["seconds"]),
            "unit": "rows/s",
            "ratio": ten["rows"] / ten["seconds"] / SDV_ROWS_PER_S,
            "notes": "ratio to a Gaussian copula sampler, which writes nothing",
        },
        {"name": "10M residents: peak memory", "value": ten["peak"] / 2**20, "unit": "MiB"},
    ]
    if os.environ.get("BENCH_QUICK"):
        return rows_out
    eng = _streamed(ENGLAND)
    rows_out += [
        {
            "name": "England-scale year (56.5M residents) streamed to Parquet",
            "value": eng["seconds"],
            "unit": "s",
            "target": "<= 180 s",
            "ratio": eng["seconds"] / 180,
        },
        {
            "name": "England-scale year: peak memory",
            "value": eng["peak"] / 2**20,
            "unit": "MiB",
            "target": "<= 2048 MiB",
            "ratio": eng["peak"] / 2**31,
        },
        {"name": "England-scale year: rows written", "value": eng["rows"], "unit": "rows"},
    ]
    return rows_out
