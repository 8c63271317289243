"""The optional messy mode: realistic data-quality errors for a cleaning lesson, each one logged."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mhtrain.synth import streams

# Wrong entries of the kind found in real extracts: retired or free-text ethnic codes, a team code
# that is not in the value set. They are errors by construction, never valid codes.
_BAD_ETHNIC = ("X", "W", "white", "0", "B1")
_BAD_TEAM = ("A99", "ZZZ", "CMHT")


def make_messy(dataset, sc) -> None:
    """Add logged errors to ``dataset`` in place and set ``dataset.messy_log``."""
    rng = streams.rng("messy", dataset.seed)
    log: list[dict] = []
    people = dataset.tables["people"].copy()
    referrals = dataset.tables["referrals"].copy()

    def pick(df: pd.DataFrame, share: float) -> np.ndarray:
        return np.flatnonzero(rng.random(len(df)) < share)

    rows = pick(people, sc.p("messy.invalid_ethnic_codes"))
    bad_codes = [_BAD_ETHNIC[int(rng.integers(len(_BAD_ETHNIC)))] for _ in rows]
    _change(people, "people", rows, "ethnic_category", "invalid code", bad_codes, log)
    rows = pick(people, sc.p("messy.missing_nhs_numbers"))
    _change(people, "people", rows, "nhs_number", "missing value", [np.nan] * len(rows), log)
    rows = pick(referrals, sc.p("messy.invalid_team_codes"))
    bad_teams = [_BAD_TEAM[int(rng.integers(len(_BAD_TEAM)))] for _ in rows]
    _change(referrals, "referrals", rows, "service_team_type", "invalid code", bad_teams, log)
    seen = referrals.first_contact_date.notna().to_numpy()
    rows = np.flatnonzero(seen & (rng.random(len(referrals)) < sc.p("messy.dates_out_of_order")))
    early = referrals.referral_date.iloc[rows] - pd.to_timedelta(
        rng.integers(1, int(sc.p("messy.dates_out_of_order_max_days")), len(rows)), unit="D"
    )
    _change(
        referrals,
        "referrals",
        rows,
        "first_contact_date",
        "dates out of order",
        early.to_numpy(),
        log,
        shown=_day,
    )

    people = _duplicate(
        people, "person_id", pick(people, sc.p("messy.duplicate_people")), rng, log, "people"
    )
    referrals = _duplicate(
        referrals,
        "referral_id",
        pick(referrals, sc.p("messy.duplicate_referrals")),
        rng,
        log,
        "referrals",
    )
    dataset.tables["people"] = people
    dataset.tables["referrals"] = referrals
    dataset.messy = True
    dataset.messy_log = pd.DataFrame(
        log, columns=["table", "row_id", "problem", "field", "original_value", "messy_value"]
    ).astype(str)
    dataset.truth["messy"] = (
        dataset.messy_log.groupby(["table", "problem"])
        .size()
        .rename("rows")
        .reset_index()
        .to_dict(orient="records")
    )


_KEYS = {"people": "person_id", "referrals": "referral_id"}


def _change(df, table, rows, field, problem, values, log, *, shown=str) -> None:
    """Set ``field`` of some rows to new values, logging each original and new value."""
    key = _KEYS[table]
    for i, value in zip(rows, values, strict=True):
        original = df[field].iat[i]
        log.append(
            _entry(
                table,
                df[key].iat[i],
                problem,
                field,
                shown(original) if not pd.isna(original) else original,
                shown(value) if not pd.isna(value) else value,
            )
        )
    if len(rows):
        df.loc[df.index[rows], field] = values


def _entry(table, row_id, problem, field, original, messy) -> dict:
    return {
        "table": table,
        "row_id": row_id,
        "problem": problem,
        "field": field,
        "original_value": "" if pd.isna(original) else str(original),
        "messy_value": "" if pd.isna(messy) else str(messy),
    }


def _day(value) -> str:
    return "" if pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d")


def _duplicate(df, key, rows, rng, log, table) -> pd.DataFrame:
    """Append copies of some rows at random places (the same record entered twice)."""
    for i in rows:
        log.append(_entry(table, df[key].iat[i], "duplicate row", "(whole row)", "", "duplicate"))
    if not len(rows):
        return df
    combined = pd.concat([df, df.iloc[rows]], ignore_index=True)
    order = np.argsort(np.r_[np.arange(len(df)), rows + rng.random(len(rows))], kind="stable")
    return combined.iloc[order].reset_index(drop=True)
