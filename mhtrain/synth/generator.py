"""The seeded generator: a scenario spec in, linked synthetic record tables and their truth out."""

from __future__ import annotations

import numbers
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from mhtrain.errors import MhtrainError
from mhtrain.synth import model, streams
from mhtrain.synth.dataset import TABLE_ORDER, Dataset
from mhtrain.synth.draws import labels
from mhtrain.synth.ids import MAX_AREAS, test_range_nhs_numbers
from mhtrain.synth.physical import generate_physical_health
from mhtrain.synth.population import draw_area_cells, draw_area_totals, joint_distribution
from mhtrain.synth.records import _SEX_CODES, AreaContext, generate_area
from mhtrain.synth.scenario import Scenario, default_residents
from mhtrain.synth.schema import coerce_types
from mhtrain.synth.talking import generate_talking_therapies

GENERATOR_VERSION = "1"


def describe_planted_effects(scenario: str = "default") -> str:
    """Markdown for the book: the published figures reproduced and every scenario setting."""
    from mhtrain.synth.describe import describe_planted_effects as describe

    return describe(scenario)


__all__ = [
    "Dataset",
    "default_residents",
    "describe_planted_effects",
    "generate",
    "iter_area_tables",
    "prepare",
    "GENERATOR_VERSION",
]


def _check_args(population: object, seed: object, sc: Scenario) -> tuple[int, int]:
    if population is None:
        population = int(sc.p("population.residents"))
    example = f"e.g. {int(sc.p('population.residents'))}"
    if isinstance(population, bool) or not isinstance(population, numbers.Integral):
        raise MhtrainError(
            f"population must be a whole number of residents, not {population!r}; {example}"
        )
    if population <= 0:
        raise MhtrainError(f"population must be above zero, not {population}; {example}")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise MhtrainError(f"seed must be a whole number, not {seed!r}; e.g. --seed 42")
    if seed < 0:
        raise MhtrainError(f"seed must be zero or more, not {seed}")
    return int(population), int(seed)


_PREPARED: dict[str, tuple[Scenario, np.ndarray]] = {}


def prepare(scenario: str | Path | Scenario = "default") -> tuple[Scenario, np.ndarray]:
    """Load a scenario, build its joint population distribution and calibrate it (cached)."""
    if isinstance(scenario, Scenario):
        sc = scenario
        if "_joint" in sc.__dict__:
            return sc, sc.__dict__["_joint"]
        key = f"obj:{id(sc)}"
    else:
        key = str(scenario)
        if key in _PREPARED:
            return _PREPARED[key]
        sc = Scenario.load(scenario)
    joint = joint_distribution(sc)
    model.calibrate(sc, joint)
    sc.__dict__["_joint"] = joint
    _PREPARED[key] = (sc, joint)
    return sc, joint


def iter_area_tables(
    scenario: str | Path | Scenario = "default",
    *,
    population: int | None = None,
    seed: int = 0,
    areas: Sequence[int] | None = None,
) -> Iterator[tuple[int, dict[str, pd.DataFrame], dict]]:
    """Yield ``(area index, tables, facts)`` one area at a time (for streaming large runs).

    ``population`` defaults to the scenario's ``population.residents``.
    """
    sc, joint = prepare(scenario)
    population, seed = _check_args(population, seed, sc)
    n_areas = len(sc.areas)
    most = min(MAX_AREAS, streams.max_areas())
    if n_areas > most:
        raise MhtrainError(f"the scenario has {n_areas} areas; at most {most} are supported")
    totals = draw_area_totals(sc, population, streams.rng("area_totals", seed))
    numbers_all = test_range_nhs_numbers(seed)
    block = len(numbers_all) // n_areas
    chosen = range(n_areas) if areas is None else areas
    for a in chosen:
        if not 0 <= a < n_areas:
            raise MhtrainError(f"area index {a} is out of range; use 0 to {n_areas - 1}")
        cells = draw_area_cells(joint[a], int(totals[a]), streams.rng("area_cells", seed, a))
        ctx = AreaContext(sc, a, seed, cells, numbers_all[a * block : (a + 1) * block])
        tables, facts = generate_area(ctx)
        tables["talking_therapies"] = generate_talking_therapies(ctx)
        tables["population"] = _population_table(sc, a, cells)
        physical, physical_facts = generate_physical_health(ctx)  # own stream, drawn last
        tables.update(physical)
        facts.update(physical_facts)
        yield a, tables, facts


def _population_table(sc: Scenario, area: int, cells: np.ndarray) -> pd.DataFrame:
    d, e, g, s = np.nonzero(cells)
    return pd.DataFrame(
        {
            "area_code": str(sc.areas.area_code.iloc[area]),
            "age_band": labels(sc.age_bands, g),
            "sex": labels(_SEX_CODES, s),
            "ethnic_category": labels(sc.ethnic_codes, e),
            "imd_decile": (d + 1).astype(np.int32),
            "residents": cells[d, e, g, s].astype(np.int64),
        }
    )


def generate(
    scenario: str | Path = "default",
    *,
    population: int | None = None,
    seed: int = 0,
    messy: bool = False,
    areas: Sequence[int] | None = None,
    progress: bool = False,
) -> Dataset:
    """Generate a synthetic dataset.

    Parameters
    ----------
    scenario
        Scenario name (``"default"``) or path to a scenario YAML file.
    population
        Number of residents in the whole area (default: the scenario's
        ``population.residents``).
    seed
        Seed for every random draw; the same scenario, seed and version give identical data.
    messy
        Add logged data-quality errors (duplicates, invalid codes, dates out of order).
    areas
        Only these area indices (the rest of the dataset is unchanged by leaving areas out).
    progress
        Show a progress bar, one step per area.

    Returns
    -------
    Dataset
        Tables, truth record and provenance.
    """
    sc, _ = prepare(scenario)
    population, seed = _check_args(population, seed, sc)
    parts: dict[str, list[pd.DataFrame]] = {name: [] for name in TABLE_ORDER}
    facts: list[dict] = []
    iterator = iter_area_tables(sc, population=population, seed=seed, areas=areas)
    if progress:
        from tqdm import tqdm

        iterator = tqdm(
            iterator,
            total=len(sc.areas) if areas is None else len(areas),
            desc="areas",
            unit="area",
        )
    for _, tables, area_facts in iterator:
        for name, df in tables.items():
            parts[name].append(df)
        facts.append(area_facts)
    tables = {"areas": sc.areas[["area_code", "area_name", "provider_code", "provider_name"]]}
    if areas is not None:
        keep = sc.areas.area_code.iloc[list(areas)]
        tables["areas"] = tables["areas"][tables["areas"].area_code.isin(keep)]
    tables["areas"] = tables["areas"].reset_index(drop=True)
    for name in TABLE_ORDER[1:]:
        tables[name] = pd.concat(parts[name], ignore_index=True)
    tables = {name: coerce_types(name, df) for name, df in tables.items()}
    hidden = {k: np.concatenate([f[k] for f in facts]) for k in facts[0]} if facts else {}
    from mhtrain.synth.truth import build_truth

    dataset = Dataset(
        tables=tables,
        truth={},
        scenario=sc.name,
        seed=seed,
        residents=population,
        version=GENERATOR_VERSION,
        extra={"scenario": sc, "facts": hidden},
    )
    dataset.truth = build_truth(dataset, sc)
    if messy:
        from mhtrain.synth.messy import make_messy

        make_messy(dataset, sc)
    return dataset
