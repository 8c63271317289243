"""Community treatment orders for one area, and their recalls to hospital and revocations."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from mhtrain.synth.draws import codes_at, lognormal_days, sort_within
from mhtrain.synth.ids import make_ids
from mhtrain.synth.periods import HOURS_PER_DAY, capped_lognormal, period_dates

if TYPE_CHECKING:
    from mhtrain.synth.records import AreaContext

CTO_AFTER = ("s3", "s37")
"""Sections a community treatment order can follow (Mental Health Act 1983, section 17A: a
patient detained for treatment under section 3, or under an unrestricted hospital order, s37)."""


def cto_tables(ctx: AreaContext, rng, prng, on_cto, det, person_id) -> tuple:
    """Community treatment orders (after the last detention if detained this year), and their
    recalls to hospital (drawn from ``prng``)."""
    sc = ctx.sc
    ndays = sc.period_days
    who_cto = np.flatnonzero(on_cto)
    last_end = np.full(len(person_id), -1)
    qualifying = np.isin(det["status_keys"], CTO_AFTER)
    if qualifying.any():
        np.maximum.at(last_end, det["person"][qualifying], det["end"][qualifying])
    detained_first = last_end[who_cto] >= 0
    median, cap = (float(v) for v in sc.p("community_treatment_orders.duration_days"))
    length = capped_lognormal(
        rng,
        np.full(len(who_cto), median),
        float(sc.p("community_treatment_orders.duration_spread")),
        cap,
    )
    # an order of a person not detained this year began after a detention in an earlier year,
    # and is in force on the first day of the period
    elapsed = 1 + np.floor(rng.random(len(who_cto)) * np.maximum(length - 1, 1)).astype(int)
    c_start = np.where(detained_first, last_end[who_cto] + 1, -elapsed)
    keep = c_start < ndays
    who_cto, c_start, length = who_cto[keep], c_start[keep], length[keep]
    c_end = c_start + length
    cto_ids = make_ids("cto", ctx.seed, ctx.area, np.arange(len(who_cto)))
    recalls, c_end = _recalls(ctx, prng, c_start, c_end, cto_ids, person_id[who_cto])
    ctos = pd.DataFrame(
        {
            "cto_id": cto_ids,
            "person_id": person_id[who_cto],
            "start_date": period_dates(sc, c_start),
            "end_date": period_dates(sc, c_end, known=c_end < ndays),
        }
    )
    return ctos, recalls


def _recalls(ctx: AreaContext, rng, c_start, c_end, cto_ids, persons) -> tuple:
    """Recalls to hospital of people on an order (section 17E), each for up to 72 hours, and
    the revocations that end an order (section 17F): the first revoked recall ends it."""
    sc = ctx.sc
    ndays = sc.period_days
    cto = "community_treatment_orders."
    first, last = np.maximum(c_start, 0), np.minimum(c_end, ndays)
    window = np.maximum(last - first, 0)
    per_month = float(sc.p(cto + "recalls_per_month"))
    n = rng.poisson(per_month * window / float(sc.p("calendar.days_per_month")))
    order = np.repeat(np.arange(len(c_start)), n)
    day = first[order] + np.floor(rng.random(len(order)) * window[order]).astype(int)
    hours = np.ceil(
        np.clip(
            lognormal_days(
                rng,
                np.full(len(order), float(sc.p(cto + "recall_median_days")) * HOURS_PER_DAY),
                float(sc.p(cto + "recall_spread")),
            ),
            1,
            float(sc.p(cto + "recall_max_days")) * HOURS_PER_DAY,
        )
    ).astype(int)
    revoked = rng.random(len(order)) < float(sc.p(cto + "revocation_share_of_recalls"))
    sort = sort_within(order, day)
    order, day, hours, revoked = order[sort], day[sort], hours[sort], revoked[sort]
    # keep each order's recalls up to its first revocation, which ends the order that day
    revoked_before = np.zeros(len(order), int)
    if len(order):
        cum = np.cumsum(revoked)
        at_first = np.r_[0, np.flatnonzero(np.diff(order)) + 1]
        base = np.repeat(cum[at_first] - revoked[at_first], np.diff(np.r_[at_first, len(order)]))
        revoked_before = cum - revoked - base
    keep = revoked_before == 0
    order, day, hours, revoked = order[keep], day[keep], hours[keep], revoked[keep]
    ends = day + hours // HOURS_PER_DAY
    c_end = c_end.copy()
    c_end[order[revoked]] = ends[revoked]
    outcomes = ("released", "revoked")
    return (
        pd.DataFrame(
            {
                "recall_id": make_ids("recall", ctx.seed, ctx.area, np.arange(len(order))),
                "cto_id": np.asarray(cto_ids, dtype=object)[order],
                "person_id": np.asarray(persons, dtype=object)[order],
                "recall_date": period_dates(sc, day),
                "duration_hours": hours.astype(np.int32),
                "outcome": codes_at("cto_recall_outcome", outcomes, revoked.astype(int)),
            }
        ),
        c_end,
    )
