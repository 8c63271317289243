"""Days of the reporting period as dates, and durations drawn in whole days."""

from __future__ import annotations

import numpy as np

from mhtrain.synth.draws import lognormal_days
from mhtrain.synth.scenario import Scenario

DAY = np.timedelta64(1, "D")
NAT = np.datetime64("NaT")
# Hours in a day (place of safety orders and recalls are timed in hours, the specs give days).
HOURS_PER_DAY = 24


def period_dates(sc: Scenario, day: np.ndarray, *, known: np.ndarray | None = None) -> np.ndarray:
    """Days from the period start as dates; empty where ``known`` is false."""
    start = np.datetime64(sc.period[0].date(), "D")
    dates = start + day * DAY
    if known is not None:
        dates = np.where(known, dates, NAT)
    return dates.astype("datetime64[s]")


def capped_lognormal(rng, median: np.ndarray, spread: float, cap) -> np.ndarray:
    """Whole days drawn around ``median`` and capped."""
    return np.minimum(np.ceil(lognormal_days(rng, median, spread)), cap).astype(int)
