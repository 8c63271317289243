"""Time directly standardised rates for every area, ethnic group and sex of 10 million people."""

from __future__ import annotations

import statistics
import time

import numpy as np
import pandas as pd

from mhtrain.specload import standard_population
from mhtrain.stats import directly_standardised_rate

RESIDENTS = 10_000_000
AREAS = 6
ETHNIC_CODES = list("ABCDEFGHJKLMNPRS")  # the 16 NHS ethnic category codes
SEXES = ("1", "2")
DECILES = 10
SEED = 20240401
TARGET_S = 2.0
REPEATS = 5


def synthetic_population(seed: int = SEED) -> pd.DataFrame:
    """A population frame of 6 areas x 16 ethnic codes x 2 sexes x 19 age bands x 10 deciles.

    Residents are a multinomial draw summing to 10 million; events are Poisson draws. The
    shares and rates are illustrative (a benchmark needs realistic sizes, not real numbers).
    """
    rng = np.random.default_rng(seed)
    bands = standard_population("esp2013")["age_band"].tolist()
    index = pd.MultiIndex.from_product(
        [[f"E{i:02d}" for i in range(AREAS)], ETHNIC_CODES, SEXES, bands, range(1, DECILES + 1)],
        names=["area_code", "ethnic_category", "sex", "age_band", "imd_decile"],
    )
    shares = rng.dirichlet(np.full(len(index), 2.0))
    residents = rng.multinomial(RESIDENTS, shares)
    rates = rng.uniform(0.0002, 0.004, len(index))  # illustrative events per person
    events = rng.poisson(residents * rates)
    frame = index.to_frame(index=False)
    frame["residents"] = residents
    frame["events"] = events
    return frame


def run() -> list[dict]:
    """Time the DSRs of every area x ethnic group x sex; return the figures.

    Returns
    -------
    list of dict
        One row: name, value, unit, target, ratio, notes.
    """
    frame = synthetic_population()
    by = ["area_code", "ethnic_category", "sex"]
    timings = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        result = directly_standardised_rate(frame, by=by, population="residents")
        timings.append(time.perf_counter() - start)
    seconds = statistics.median(timings)
    refused = int(result["dsr"].isna().sum())
    rows = [
        {
            "name": "dsr_area_ethnicity_sex_10m",
            "value": round(seconds, 3),
            "unit": "s",
            "target": TARGET_S,
            "ratio": round(seconds / TARGET_S, 3),
            "notes": (
                f"{len(frame):,} rows, {int(frame['residents'].sum()):,} residents, "
                f"{len(result)} DSRs ({refused} refused); median of {REPEATS} runs, "
                f"first run {timings[0]:.3f} s"
            ),
        }
    ]
    for row in rows:
        print(
            f"{row['name']:<36} {row['value']:>8.3f} {row['unit']}"
            f"  (target {row['target']} s, ratio {row['ratio']})  {row['notes']}"
        )
    return rows


if __name__ == "__main__":
    run()
