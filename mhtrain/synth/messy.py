"""The optional messy mode: realistic data-quality errors for a cleaning lesson, each one logged."""

from __future__ import annotations

import numpy as np
import pandas as pd

# Wrong entries of the kind found in real extracts: retired or free-text ethnic codes, a team code
# that is not in the value set. They are errors by construction, never valid codes.
_BAD_ETHNIC = ("X", "W", "white", "0", "B1")
_BAD_TEAM = ("A99", "ZZZ", "CMHT")


def make_messy(dataset, sc) -> None:
    """Add logged errors to ``dataset`` in place and set ``dataset.messy_log``."""
    rng = np.random.default_rng([int(dataset.seed), 7777])
    log: list[dict] = []
    people = dataset.tables["people"].copy()
    referrals = dataset.tables["referrals"].copy()

    def pick(df: pd.DataFrame, share: float) -> np.ndarray:
        return np.flatnonzero(rng.random(len(df)) < share)

    rows = pick(people, sc.p("messy.invalid_ethnic_codes"))
    for i in rows:
        bad = _BAD_ETHNIC[int(rng.integers(len(_BAD_ETHNIC)))]
        log.append(
            _entry(
                "people",
                people.person_id.iat[i],
                "invalid code",
                "ethnic_category",
                people.ethnic_category.iat[i],
                bad,
            )
        )
    people.loc[people.index[rows], "ethnic_category"] = (
        [e["messy_value"] for e in log[-len(rows) :]] if len(rows) else []
    )
    rows = pick(people, sc.p("messy.missing_nhs_numbers"))
    for i in rows:
        log.append(
            _entry(
                "people",
                people.person_id.iat[i],
                "missing value",
                "nhs_number",
                people.nhs_number.iat[i],
                "",
            )
        )
    people.loc[people.index[rows], "nhs_number"] = np.nan
    rows = pick(referrals, sc.p("messy.invalid_team_codes"))
    bad_teams = [_BAD_TEAM[int(rng.integers(len(_BAD_TEAM)))] for _ in rows]
    for i, bad in zip(rows, bad_teams, strict=True):
        log.append(
            _entry(
                "referrals",
                referrals.referral_id.iat[i],
                "invalid code",
                "service_team_type",
                referrals.service_team_type.iat[i],
                bad,
            )
        )
    referrals.loc[referrals.index[rows], "service_team_type"] = bad_teams
    seen = referrals.first_contact_date.notna().to_numpy()
    rows = np.flatnonzero(seen & (rng.random(len(referrals)) < sc.p("messy.dates_out_of_order")))
    early = referrals.referral_date.iloc[rows] - pd.to_timedelta(
        rng.integers(1, 60, len(rows)), unit="D"
    )
    for i, new in zip(rows, early, strict=True):
        log.append(
            _entry(
                "referrals",
                referrals.referral_id.iat[i],
                "dates out of order",
                "first_contact_date",
                _day(referrals.first_contact_date.iat[i]),
                _day(new),
            )
        )
    referrals.loc[referrals.index[rows], "first_contact_date"] = early.to_numpy()

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
