"""Real published open data the course ships (not synthetic): NHS Talking Therapies annual reports.

The files live in ``mhtrain/open_data/talking_therapies/`` with their source, licence and a
manifest of checksums. They are NHS England's published aggregates, under the Open Government
Licence v3.0; no individual record is in them.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mhtrain.errors import MhtrainError
from mhtrain.files import sha256_file

#: Folder of the shipped NHS Talking Therapies files.
TALKING_THERAPIES_DIR = Path(__file__).resolve().parent / "talking_therapies"
MEASURES_FILE = "talking_therapies_annual_measures.parquet"
DEFINITIONS_FILE = "talking_therapies_annual_measures_definitions.csv"
VARIABLES_FILE = "talking_therapies_annual_variables.csv"
PROVIDERS_FILE = "talking_therapies_providers.csv"

#: How the published file marks a value NHS England suppressed, and a category that is absent.
SUPPRESSED_MARK = "*"
NO_CATEGORY = "NULL"

#: The columns of :func:`talking_therapies`, in order, each with its meaning.
COLUMNS = {
    "reporting_period": "financial year, e.g. '2023-24' (April 2023 to March 2024)",
    "start_date": "first day of the year (datetime)",
    "end_date": "last day of the year (datetime)",
    "org_type": "'England', 'Commissioning Region', 'ICB' or 'Provider'",
    "org_code": "the organisation's ODS code ('All' for England)",
    "org_name": "the organisation's name ('All' for England)",
    "variable_type": "the breakdown: 'Total', 'Indices of Deprivation Decile', 'Ethnic Group', "
    "'BME Group', 'Age Group' or 'Gender'",
    "variable_a": "the category, e.g. '01 Least deprived' (missing for the Total rows); decile "
    "'01' is the least deprived here, the reverse of the synthetic data's imd_decile",
    "variable_b": "the sub-category, e.g. 'Caribbean'; 'All' is a whole broad ethnic group "
    "(missing where there is none)",
    "measure_name": "what is counted: referrals_received, finished_course_treatment, "
    "at_caseness, not_at_caseness, improvement, deterioration, no_reliable_change, recovery, "
    "reliable_recovery",
    "measure_statistic": "'count' (referrals) or 'percentage' (per cent of the measure's "
    "denominator)",
    "value": "the published number (float); missing where NHS England suppressed it",
    "suppressed": "True where the published value was '*' (hidden by NHS England)",
}

ORG_TYPES = ("England", "Commissioning Region", "ICB", "Provider")

#: The Table Schema type of each column of :func:`talking_therapies` (for the data dictionary).
FIELD_TYPES = {
    "start_date": "date",
    "end_date": "date",
    "value": "number",
    "suppressed": "boolean",
}


@cache
def manifest() -> dict[str, Any]:
    """Return the shipped manifest: source, publisher, licence, attribution and file checksums."""
    path = TALKING_THERAPIES_DIR / "manifest.json"
    if not path.exists():
        raise MhtrainError(f"{path} is missing; reinstall mhtrain to restore the open data")
    return json.loads(path.read_text(encoding="utf-8"))


def attribution() -> str:
    """Return the Open Government Licence attribution to show beside these data."""
    return str(manifest()["attribution"])


def verify() -> None:
    """Check every shipped file against the manifest's SHA-256 checksums.

    Raises
    ------
    MhtrainError
        Naming the first file that is missing or changed.
    """
    for name, entry in manifest()["files"].items():
        path = TALKING_THERAPIES_DIR / name
        if not path.exists():
            raise MhtrainError(f"open data file {name} is missing; reinstall mhtrain")
        if sha256_file(path) != entry["sha256"]:
            raise MhtrainError(
                f"open data file {name} does not match its checksum in manifest.json; "
                "it was changed: reinstall mhtrain to restore NHS England's published figures"
            )


def _measures(org_type: str | None = None, reporting_period: str | None = None) -> pd.DataFrame:
    filters = [
        (column, "==", wanted)
        for column, wanted in (("org_type", org_type), ("reporting_period", reporting_period))
        if wanted is not None
    ]
    raw = pd.read_parquet(TALKING_THERAPIES_DIR / MEASURES_FILE, filters=filters or None)
    text = raw["value"].astype("str")
    suppressed = (text == SUPPRESSED_MARK).to_numpy()
    value = pd.to_numeric(text.where(~suppressed), errors="coerce")
    unreadable = value.isna().to_numpy() & ~suppressed
    if unreadable.any():
        example = text[unreadable].iloc[0]
        raise MhtrainError(
            f"{MEASURES_FILE}: value {example!r} is neither a number nor '*'; "
            "reinstall mhtrain to restore the published file"
        )
    out = raw.assign(
        start_date=pd.to_datetime(raw["start_date"]),
        end_date=pd.to_datetime(raw["end_date"]),
        variable_a=raw["variable_a"].where(raw["variable_a"] != NO_CATEGORY),
        variable_b=raw["variable_b"].where(raw["variable_b"] != NO_CATEGORY),
        value=value.astype("float64"),
        suppressed=suppressed,
    )
    return out[list(COLUMNS)]


def talking_therapies(
    *, org_type: str | None = None, reporting_period: str | None = None
) -> pd.DataFrame:
    """Return NHS England's published Talking Therapies annual measures, 2017-18 to 2024-25, tidy.

    These are real published aggregates (not synthetic; no individual records), under the
    Open Government Licence v3.0: see :func:`attribution`.

    Parameters
    ----------
    org_type
        Keep only one kind of organisation: ``"England"``, ``"Commissioning Region"``,
        ``"ICB"`` or ``"Provider"``. All of them by default.
    reporting_period
        Keep only one financial year, e.g. ``"2024-25"``. Every year by default.

    Returns
    -------
    pandas.DataFrame
        One row per year x organisation x breakdown x category x measure x statistic, with
        the columns of :data:`COLUMNS`. ``value`` is a number; where NHS England suppressed a
        value (``*`` in the published file) it is missing and ``suppressed`` is True. The
        published ``NULL`` category is missing. Labels are kept exactly as published: in
        particular, deprivation decile ``"01 Least deprived"`` is the **least** deprived.
    """
    if org_type is not None and org_type not in ORG_TYPES:
        raise MhtrainError(
            f"org_type must be one of {', '.join(map(repr, ORG_TYPES))} (got {org_type!r})"
        )
    table = _measures(org_type, reporting_period).reset_index(drop=True)
    if reporting_period is not None and table.empty:
        years = sorted(_measures("England")["reporting_period"].unique())
        raise MhtrainError(
            f"reporting_period {reporting_period!r} is not in the file; use one of "
            f"{', '.join(years)}"
        )
    return table


def dictionary() -> pd.DataFrame:
    """Return the data dictionary of :func:`talking_therapies`: each column, its type and meaning."""
    return pd.DataFrame(
        {
            "table": "open_data.talking_therapies",
            "field": list(COLUMNS),
            "type": [FIELD_TYPES.get(name, "string") for name in COLUMNS],
            "description": list(COLUMNS.values()),
        }
    )


def dictionary_markdown() -> str:
    """Return a Markdown section for the book's data dictionary: source, licence and columns.

    It says plainly that these are real published aggregates, not synthetic data.
    """
    about = manifest()
    files = about["files"][MEASURES_FILE]
    lines = [
        "## Real open data: NHS Talking Therapies annual measures",
        "",
        f"**Real published figures, not synthetic.** {about['title']}, published by "
        f"{about['publisher']} ([source]({about['source']})). Aggregates only: no individual "
        "records. "
        f"{files['rows']:,} rows, loaded by `mhtrain.open_data.talking_therapies()` from "
        f"`mhtrain/open_data/talking_therapies/`. Licence: {about['licence']['name']}.",
        "",
        f"*{about['attribution']}*",
        "",
        "| field | type | description |",
        "| --- | --- | --- |",
    ]
    for _, row in dictionary().iterrows():
        text = str(row["description"]).replace("|", "\\|")
        lines.append(f"| `{row['field']}` | {row['type']} | {text} |")
    return "\n".join(lines) + "\n"


def definitions() -> pd.DataFrame:
    """Return NHS England's definitions of every field and measure (the 2024-25 edition)."""
    return pd.read_csv(TALKING_THERAPIES_DIR / DEFINITIONS_FILE)


def variables() -> pd.DataFrame:
    """Return how each breakdown category is derived from the data set's fields."""
    return pd.read_csv(TALKING_THERAPIES_DIR / VARIABLES_FILE)


def providers() -> pd.DataFrame:
    """Return the providers' codes, names, towns, ICBs and regions."""
    return pd.read_csv(TALKING_THERAPIES_DIR / PROVIDERS_FILE)


def wide(
    table: pd.DataFrame,
    *,
    index: str | list[str] = "reporting_period",
    statistic: str = "count",
) -> pd.DataFrame:
    """Turn long rows into one column per measure, for one statistic.

    Parameters
    ----------
    table
        Rows of :func:`talking_therapies` (usually already filtered to one breakdown).
    index
        Column(s) that name a row of the result, e.g. ``["reporting_period", "org_code"]``.
    statistic
        ``"count"`` or ``"percentage"``.

    Returns
    -------
    pandas.DataFrame
        One row per ``index`` value and one column per measure; suppressed values are missing.
    """
    index = [index] if isinstance(index, str) else list(index)
    missing = [c for c in [*index, "measure_name", "measure_statistic", "value"] if c not in table]
    if missing:
        raise MhtrainError(f"wide: column(s) {', '.join(missing)} not found in the table")
    if statistic not in ("count", "percentage"):
        raise MhtrainError(f"wide: statistic must be 'count' or 'percentage' (got {statistic!r})")
    rows = table[table["measure_statistic"] == statistic]
    if rows.duplicated([*index, "measure_name"]).any():
        raise MhtrainError(
            "wide: some rows share an index and a measure; filter the table to one breakdown "
            "and category first, or add columns to index"
        )
    out = rows.pivot(index=index, columns="measure_name", values="value")
    out.columns.name = None
    return out.astype(np.float64)


__all__ = [
    "COLUMNS",
    "FIELD_TYPES",
    "ORG_TYPES",
    "TALKING_THERAPIES_DIR",
    "attribution",
    "definitions",
    "dictionary",
    "dictionary_markdown",
    "manifest",
    "providers",
    "talking_therapies",
    "variables",
    "verify",
    "wide",
]
