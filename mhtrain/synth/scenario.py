"""A scenario spec turned into arrays the generator can use, with its calibrated parameters."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mhtrain.errors import SpecError
from mhtrain.specload import load_codes, load_scenario, param, parse_age_band

BROAD_GROUPS = ("White", "Mixed", "Asian", "Black", "Other")
N_DECILES = 10  # IMD deciles: 1 = most deprived tenth of neighbourhoods, 10 = least
PER_100K = 1e5  # rates are published per 100,000 residents
N_SEXES = 2  # the sex dimension: male, female (sex codes 1 and 2)


def in_ages(age: np.ndarray, ages: Sequence[int | None]) -> np.ndarray:
    """True where ``age`` lies in an ``[youngest, oldest]`` range (``oldest`` None: no limit)."""
    lo, hi = ages
    inside = np.asarray(age) >= lo
    return inside if hi is None else inside & (np.asarray(age) <= hi)


def default_residents(scenario: str | Path = "default") -> int:
    """The scenario's default population, ``population.residents`` in its spec."""
    return int(param(load_scenario(scenario), "population.residents"))


@dataclass
class Scenario:
    """A validated scenario: parameters, dimensions and (once calibrated) the fitted values."""

    name: str
    spec: dict[str, Any]
    calibrated: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, scenario: str | Path = "default") -> Scenario:
        """Load and check a scenario by name or path."""
        spec = load_scenario(scenario)
        return cls(name=str(spec.get("scenario", Path(str(scenario)).stem)), spec=spec)

    def p(self, dotted: str) -> Any:
        """Value of a parameter, preferring its calibrated value when there is one."""
        if dotted in self.calibrated:
            return self.calibrated[dotted]
        return param(self.spec, dotted)

    # ---- dimensions -------------------------------------------------------------------------
    @cached_property
    def age_bands(self) -> list[str]:
        return list(self.spec["population"]["age_bands"])

    @cached_property
    def age_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Lowest and highest age of each band (the open band ends at ``oldest_age``)."""
        oldest = int(self.p("population.oldest_age"))
        lo, hi = zip(*(parse_age_band(b) for b in self.age_bands), strict=True)
        return np.array(lo), np.array([oldest if h is None else h for h in hi])

    @cached_property
    def age_mid(self) -> np.ndarray:
        lo, hi = self.age_bounds
        return np.mean([lo, hi + 1], axis=0)

    @cached_property
    def ethnic_codes(self) -> list[str]:
        return list(self.p("population.ethnic_shares"))

    @cached_property
    def broad_of(self) -> dict[str, str]:
        """Broad ethnic group of each NHS ethnic category code (from the code list)."""
        table = load_codes()["ethnic_category"]
        mapping = {row["code"]: row["broad"] for row in table["codes"]}
        missing = [c for c in self.ethnic_codes if c not in mapping]
        if missing:
            raise SpecError(f"ethnic codes {missing} are not in codes.yaml; use NHS codes A to S")
        return mapping

    @cached_property
    def broad_index(self) -> np.ndarray:
        """Index into BROAD_GROUPS for each ethnic code, in ``ethnic_codes`` order."""
        return np.array([BROAD_GROUPS.index(self.broad_of[c]) for c in self.ethnic_codes])

    @cached_property
    def areas(self) -> pd.DataFrame:
        areas = pd.DataFrame(self.spec["areas"]).rename(
            columns={"code": "area_code", "name": "area_name", "provider": "provider_code"}
        )
        providers = pd.DataFrame(self.spec["providers"]).rename(
            columns={"code": "provider_code", "name": "provider_name"}
        )
        unknown = set(areas.provider_code) - set(providers.provider_code)
        if unknown:
            raise SpecError(
                f"areas name unknown providers {sorted(unknown)}; list them in providers"
            )
        return areas.merge(providers, on="provider_code", how="left")

    @cached_property
    def period(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        rp = self.spec["reporting_period"]
        start, end = pd.Timestamp(rp["start"]), pd.Timestamp(rp["end"])
        if end <= start:
            raise SpecError("reporting_period.end must come after its start")
        return start, end

    @property
    def period_days(self) -> int:
        start, end = self.period
        return int((end - start).days) + 1

    def by_band(self, dotted: str, default: float = 0.0) -> np.ndarray:
        """A per-age-band parameter as an array in band order (missing bands get ``default``)."""
        values = self.p(dotted)
        return np.array([float(values.get(b, default)) for b in self.age_bands])

    def by_broad(self, dotted: str) -> np.ndarray:
        """A per-broad-group parameter expanded to one value per ethnic code."""
        values = self.p(dotted)
        per_broad = np.array([float(values[g]) for g in BROAD_GROUPS])
        return per_broad[self.broad_index]

    def by_code(self, dotted: str) -> np.ndarray:
        """A per-ethnic-code parameter as an array in ``ethnic_codes`` order."""
        values = self.p(dotted)
        return np.array([float(values[c]) for c in self.ethnic_codes])

    def by_area(self, dotted: str) -> np.ndarray:
        values = self.p(dotted)
        return np.array([float(values[a]) for a in self.areas.area_code])

    def deprivation_gradient(self, ratio: float) -> np.ndarray:
        """Log-linear factor over deciles: ``ratio`` in decile 1 (most deprived), 1 in decile 10."""
        x = (N_DECILES - np.arange(1, N_DECILES + 1)) / (N_DECILES - 1)
        return np.power(float(ratio), x)
