"""Facts and table helpers that several lessons' checks share, so each lives in one place."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from mhtrain.checks import Misconception
from mhtrain.data import broad_ethnic_group

#: Rates are given per this many residents, as in the published statistics.
PER_100K = 100_000
#: The group every other group is compared with, as in the published statistics.
REFERENCE_GROUP = "White"
#: The group whose rates lessons 3 and 4 work out by hand.
FOCUS_GROUP = "Black"


def broad(codes: pd.Series) -> pd.Series:
    """Broad ethnic group (``White``, ``Black``, ..., ``Unknown``) for each ethnic category code."""
    return broad_ethnic_group(codes)


def detentions_with(data: Any, columns: Sequence[str]) -> pd.DataFrame:
    """One row per detention, with the detained person's ``columns`` from the people table.

    Parameters
    ----------
    data : Dataset
        Any object with ``mha_detentions`` and ``people`` tables.
    columns : sequence of str
        Columns of ``people`` to bring in (``person_id`` is always kept).
    """
    people = data.people[["person_id", *columns]]
    return data.mha_detentions[["person_id"]].merge(people, on="person_id", how="left")


def detentions_and_residents(data: Any, *, age_bands: Sequence[str] | None = None) -> pd.DataFrame:
    """Detentions and residents by broad ethnic group (and age band), as lessons 3 and 4 make them.

    Indexed by ``ethnic_group`` (every group in the population table) and, when ``age_bands``
    is given, ``age_band`` (those bands, in that order), with whole-number ``detentions`` (0
    where there were none) and ``residents``. Detentions of people with no recorded ethnic
    group have no residents to be divided by, so they are left out.
    """
    extra = [] if age_bands is None else ["age_band"]
    keys = ["ethnic_group", *extra]
    detentions = detentions_with(data, ["ethnic_category", *extra])
    detentions["ethnic_group"] = broad(detentions["ethnic_category"])
    population = data.population.assign(ethnic_group=broad(data.population["ethnic_category"]))
    groups = sorted(population["ethnic_group"].unique())
    if age_bands is None:
        index = pd.Index(groups, name="ethnic_group")
    else:
        index = pd.MultiIndex.from_product([groups, list(age_bands)], names=keys)
    table = pd.DataFrame(
        {
            "detentions": detentions.groupby(keys).size().reindex(index, fill_value=0),
            "residents": population.groupby(keys)["residents"].sum().reindex(index, fill_value=0),
        }
    )
    return table.astype({"detentions": "int64", "residents": "int64"})


def residents_by_group(population: pd.DataFrame) -> pd.Series:
    """Residents in each broad ethnic group of a population table."""
    return population["residents"].groupby(broad(population["ethnic_category"])).sum()


def proportion_not_percentage(compute: Any, *, table: bool = False) -> Misconception:
    """The slip of giving a proportion (a share of 1) where the question asks for a percentage.

    Parameters
    ----------
    compute : callable
        ``compute(data)`` gives the proportion (the right answer divided by 100).
    table : bool, optional
        Whether the answer is a table of values (the message then speaks of them in plural).
    """
    message = (
        "These look like proportions (shares of 1), not percentages. Multiply by 100."
        if table
        else "This looks like a proportion (a share of 1), not a percentage. Multiply it by 100."
    )
    return Misconception(message, compute=compute, name="proportion-not-percentage")


def upside_down(compute: Any, *, top: str, bottom: str, why: str = "") -> Misconception:
    """The slip of dividing the other way round: ``bottom / top`` where ``top / bottom`` is asked.

    Parameters
    ----------
    compute : callable
        ``compute(data)`` gives the upside-down answer.
    top, bottom : str
        What goes on top of the fraction and what goes underneath, in the learner's words
        (``"the people in contact"``, ``"the residents"``).
    why : str, optional
        A sentence saying why that way round (for a ratio, which group is the reference).
    """
    message = (
        f"Your fraction is upside down: you divided {bottom} by {top}. Put {top} on top and "
        f"{bottom} underneath."
    )
    return Misconception(f"{message} {why}".strip(), compute=compute, name="upside-down")
