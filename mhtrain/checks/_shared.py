"""Facts and table helpers that several lessons' checks share, so each lives in one place."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

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


def residents_by_group(population: pd.DataFrame) -> pd.Series:
    """Residents in each broad ethnic group of a population table."""
    return population["residents"].groupby(broad(population["ethnic_category"])).sum()
