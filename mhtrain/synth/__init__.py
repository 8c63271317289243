"""The synthetic records: :func:`generate` makes a dataset from a scenario.

The generator lives in :mod:`mhtrain.synth.generator` and its parts in modules of their own;
each name of the generator is reached from here, but only when first asked for, so reading a
saved dataset (:mod:`mhtrain.synth.dataset`, :mod:`mhtrain.synth.schema`) never loads the
generator and its dependencies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # what the lazy names below are, for readers and type checkers
    from mhtrain.synth.dataset import TABLE_ORDER, Dataset
    from mhtrain.synth.generator import (
        GENERATOR_VERSION,
        describe_planted_effects,
        generate,
        iter_area_tables,
        prepare,
    )
    from mhtrain.synth.scenario import Scenario, default_residents

__all__ = [
    "GENERATOR_VERSION",
    "TABLE_ORDER",
    "Dataset",
    "Scenario",
    "default_residents",
    "describe_planted_effects",
    "generate",
    "iter_area_tables",
    "prepare",
]

#: Names that live in a light module of their own; every other name is the generator's.
_HOMES = {
    "Dataset": "dataset",
    "TABLE_ORDER": "dataset",
    "Scenario": "scenario",
    "default_residents": "scenario",
}


def __getattr__(name: str) -> Any:
    import importlib
    import importlib.util

    if importlib.util.find_spec(f"{__name__}.{name}") is not None:
        # A module of the package (``from mhtrain.synth import streams``): the import system
        # loads it once this says it is not here yet.
        raise AttributeError(name)
    home = importlib.import_module(f"{__name__}.{_HOMES.get(name, 'generator')}")
    try:
        value = getattr(home, name)
    except AttributeError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    globals()[name] = value  # found once: later lookups do not come here again
    return value
