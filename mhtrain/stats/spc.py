"""XmR ("plot the dots") statistical process control charts in the NHS Making Data Count style.

An XmR chart plots one value per period with its mean and process limits at the mean plus or
minus 2.66 times the mean moving range (the average absolute change from one point to the
next). Four rules mark **special cause** variation, a signal worth asking about, as opposed to
**common cause** variation, the ups and downs any stable process shows:

1. a point outside the process limits;
2. a trend: seven points in a row, each higher (or each lower) than the one before;
3. two of three points in a row beyond two thirds of the way to a limit (and not outside it),
   all three on the same side of the mean;
4. a shift: seven points in a row on the same side of the mean.

Where a point breaks more than one rule, the first in this list names it. The calculations
follow NHS England's *Making data count* guidance and the NHS-R Community's NHSRplotthedots
package, including its screening of large moving ranges before the limits are set.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pandas as pd

from mhtrain.charts import PALETTE, WIDTH_IN, legend_below
from mhtrain.errors import MhtrainError
from mhtrain.stats._checks import check_choice

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: Process limits sit this many mean moving ranges from the mean (3 / 1.128, the d2 constant
#: of a moving range of two points, rounded as Making Data Count publishes it).
LIMIT = 2.66
#: A moving range above this many times the mean moving range is left out before the limits
#: are set (the upper range limit of an XmR chart; NHSRplotthedots' ``screen_outliers``).
MOVING_RANGE_SCREEN = 3.267
#: Points in a row that make a trend or a shift (Making Data Count; NHSRplotthedots).
RUN = 7
#: NHSRplotthedots calls limits from fewer points than this "trial limits".
FEW_POINTS = 13

IMPROVEMENT = ("increase", "decrease", "neutral")

COMMON = "common_cause"
IMPROVING = "special_cause_improvement"
CONCERN = "special_cause_concern"
NEUTRAL_HIGH = "special_cause_neutral_high"
NEUTRAL_LOW = "special_cause_neutral_low"

_RULE_WORDS = {
    "above_limit": "above the upper process limit",
    "below_limit": "below the lower process limit",
    "trend_up": f"part of a run of {RUN} rising points",
    "trend_down": f"part of a run of {RUN} falling points",
    "two_of_three_high": "two of three points near the upper limit",
    "two_of_three_low": "two of three points near the lower limit",
    "shift_above": f"part of a run of {RUN} points above the mean",
    "shift_below": f"part of a run of {RUN} points below the mean",
}


def xmr(
    values: npt.ArrayLike | pd.Series,
    *,
    improvement: str = "increase",
    rebase: Sequence[Hashable] = (),
    fix_after: int | None = None,
    screen_outliers: bool = True,
    target: float | None = None,
) -> pd.DataFrame:
    """An XmR chart's table: mean, process limits and the special cause rules for each point.

    Parameters
    ----------
    values
        One value per period, in time order. A Series keeps its index (e.g. the years), which
        ``rebase`` then refers to. Missing values are refused: drop those periods first.
    improvement
        Which way is better: ``"increase"`` (e.g. recovery), ``"decrease"`` (e.g. a gap
        between groups) or ``"neutral"``. It decides whether a signal is an improvement or a
        concern.
    rebase
        Index labels (or positions, for an array) where a new period of the process starts,
        e.g. after a change to the service: the mean and limits are worked out afresh from
        there, and the rules look within each period only.
    fix_after
        Work out each period's mean and limits from its first ``fix_after`` points only (a
        baseline), and judge later points against them.
    screen_outliers
        Leave out moving ranges above 3.267 times the mean moving range before setting the
        limits, as NHSRplotthedots does by default.
    target
        An optional target; then ``assurance`` says whether the latest period's limits show
        the process will consistently meet it.

    Returns
    -------
    pandas.DataFrame
        One row per point with ``value``, ``period`` (0, 1, ... from each rebase), ``mean``,
        ``moving_range``, ``lower_limit``, ``upper_limit``, ``near_lower``, ``near_upper``
        (two thirds of the way to each limit), ``rule`` (the special cause rule the point
        breaks, or ``""``), ``variation`` (``common_cause``, ``special_cause_improvement``,
        ``special_cause_concern``, ``special_cause_neutral_high`` or ``..._low``) and
        ``few_points`` (the period has fewer than 13 points: its limits are rough). With a
        target, ``target`` and ``assurance`` (``consistent_pass``, ``consistent_fail`` or
        ``inconsistent``).
    """
    check_choice("improvement", improvement, IMPROVEMENT)
    series = _as_series(values)
    if fix_after is not None and (
        isinstance(fix_after, bool) or not isinstance(fix_after, int) or fix_after < 2
    ):
        raise MhtrainError(
            f"xmr: fix_after must be a whole number of 2 or more points (got {fix_after!r})"
        )
    starts = np.zeros(len(series), dtype=bool)
    for label in rebase:
        if label not in series.index:
            raise MhtrainError(
                f"xmr: rebase point {label!r} is not in the index of the values; "
                f"use one of {list(series.index)[:5]}..."
            )
        starts[series.index.get_loc(label)] = True
    starts[0] = False  # a rebase at the first point changes nothing
    period = np.cumsum(starts)

    y = series.to_numpy(dtype="float64")
    out = pd.DataFrame({"value": y, "period": period}, index=series.index)
    for column in ("mean", "moving_range", "lower_limit", "upper_limit", "near_lower"):
        out[column] = np.nan
    out["near_upper"] = np.nan
    out["rule"] = ""
    for p in np.unique(period):
        rows = np.flatnonzero(period == p)
        mean, mean_range, ranges = _limits(y[rows], fix_after, screen_outliers)
        out.iloc[rows, out.columns.get_loc("mean")] = mean
        out.iloc[rows, out.columns.get_loc("moving_range")] = ranges
        out.iloc[rows, out.columns.get_loc("lower_limit")] = mean - LIMIT * mean_range
        out.iloc[rows, out.columns.get_loc("upper_limit")] = mean + LIMIT * mean_range
        out.iloc[rows, out.columns.get_loc("near_lower")] = mean - 2 / 3 * LIMIT * mean_range
        out.iloc[rows, out.columns.get_loc("near_upper")] = mean + 2 / 3 * LIMIT * mean_range
        out.iloc[rows, out.columns.get_loc("rule")] = _rules(
            y[rows],
            mean,
            out["lower_limit"].to_numpy()[rows],
            out["upper_limit"].to_numpy()[rows],
            out["near_lower"].to_numpy()[rows],
            out["near_upper"].to_numpy()[rows],
        )
    out["variation"] = [_variation(rule, improvement) for rule in out["rule"]]
    sizes = out.groupby("period")["value"].transform("size")
    out["few_points"] = (sizes < FEW_POINTS).to_numpy()
    if target is not None:
        out["target"] = float(target)
        out["assurance"] = _assurance(out, float(target), improvement)
    return out


def _as_series(values: npt.ArrayLike | pd.Series) -> pd.Series:
    if isinstance(values, pd.DataFrame):
        raise MhtrainError("xmr: give one column of values (a Series), not a whole table")
    series = values if isinstance(values, pd.Series) else pd.Series(np.asarray(values))
    try:
        numbers = pd.to_numeric(series, errors="raise").astype("float64")
    except (TypeError, ValueError):
        raise MhtrainError(
            "xmr: values must be numbers; convert them with pandas.to_numeric"
        ) from None
    if numbers.isna().any():
        raise MhtrainError(
            "xmr: values hold missing points (for example suppressed figures); drop those "
            "periods first, and say so beside the chart"
        )
    if np.isinf(numbers.to_numpy()).any():
        raise MhtrainError("xmr: values hold infinite numbers; fix or drop them")
    if len(numbers) < 2:
        raise MhtrainError("xmr: an XmR chart needs at least 2 points (12 or more is better)")
    if not numbers.index.is_unique:
        raise MhtrainError("xmr: the index of the values must not repeat a label")
    return numbers


def _limits(y: np.ndarray, fix_after: int | None, screen: bool) -> tuple[float, float, np.ndarray]:
    """Return the mean, the mean moving range and each point's moving range for one period."""
    base = y if fix_after is None else y[:fix_after]
    ranges = np.full(len(y), np.nan)
    ranges[1 : len(base)] = np.abs(np.diff(base))
    if len(base) < 2:
        raise MhtrainError(
            "xmr: a period needs at least 2 points to set its limits; move the rebase point"
        )
    mean_range = float(np.nanmean(ranges))
    if screen:
        kept = ranges[ranges < MOVING_RANGE_SCREEN * mean_range]
        if kept.size:
            mean_range = float(kept.mean())
    return float(base.mean()), mean_range, ranges


def _runs(flags: np.ndarray, length: int) -> np.ndarray:
    """Mark every point that belongs to a window of ``length`` points all True."""
    marked = np.zeros(len(flags), dtype=bool)
    for end in range(length - 1, len(flags)):
        if flags[end - length + 1 : end + 1].all():
            marked[end - length + 1 : end + 1] = True
    return marked


def _rules(
    y: np.ndarray,
    mean: float,
    lower: np.ndarray,
    upper: np.ndarray,
    near_lower: np.ndarray,
    near_upper: np.ndarray,
) -> list[str]:
    n = len(y)
    side = np.sign(y - mean)
    outside = (y > upper) | (y < lower)
    near = ~outside & ((y < near_lower) | (y > near_upper))

    # Trend: RUN points with RUN - 1 steps all up (or all down); a tie breaks it.
    step = np.sign(np.diff(y))
    up = _runs(step > 0, RUN - 1)
    down = _runs(step < 0, RUN - 1)
    in_trend = np.zeros(n, dtype=bool)
    direction = np.zeros(n)
    for i in np.flatnonzero(up | down):  # step i joins points i and i + 1
        in_trend[i] = in_trend[i + 1] = True
    # A point at the end of one trend and the start of another (a peak or a trough) takes
    # the direction of the step after it, as NHSRplotthedots does.
    for i in range(n):
        if not in_trend[i]:
            continue
        after = i + 1 < n and in_trend[i + 1] and (up[i] or down[i])
        direction[i] = step[i] if after else step[i - 1]

    # Two of three near a limit, all three on one side of the mean: mark the near points.
    two_of_three = np.zeros(n, dtype=bool)
    for start in range(n - 2):
        window = slice(start, start + 3)
        if near[window].sum() >= 2 and abs(side[window].sum()) == 3:
            two_of_three[window] |= near[window]

    shift_above = _runs(side > 0, RUN)
    shift_below = _runs(side < 0, RUN)

    rules = []
    for i in range(n):
        if outside[i]:
            rules.append("above_limit" if y[i] > mean else "below_limit")
        elif in_trend[i]:
            rules.append("trend_up" if direction[i] > 0 else "trend_down")
        elif two_of_three[i]:
            rules.append("two_of_three_high" if side[i] > 0 else "two_of_three_low")
        elif shift_above[i]:
            rules.append("shift_above")
        elif shift_below[i]:
            rules.append("shift_below")
        else:
            rules.append("")
    return rules


def _variation(rule: str, improvement: str) -> str:
    if not rule:
        return COMMON
    high = rule in ("above_limit", "trend_up", "two_of_three_high", "shift_above")
    if improvement == "neutral":
        return NEUTRAL_HIGH if high else NEUTRAL_LOW
    better = high == (improvement == "increase")
    return IMPROVING if better else CONCERN


def _assurance(table: pd.DataFrame, target: float, improvement: str) -> str:
    if improvement == "neutral":
        return ""
    last = table.iloc[-1]
    increasing = improvement == "increase"
    if target > last["upper_limit"]:
        return "consistent_fail" if increasing else "consistent_pass"
    if target < last["lower_limit"]:
        return "consistent_pass" if increasing else "consistent_fail"
    return "inconsistent"


def xmr_summary(table: pd.DataFrame) -> pd.DataFrame:
    """One row per period of an :func:`xmr` table: its mean, limits, points and signals.

    Parameters
    ----------
    table
        The result of :func:`xmr`.

    Returns
    -------
    pandas.DataFrame
        ``mean``, ``lower_limit``, ``upper_limit``, ``points``, ``common_cause``,
        ``improvement`` and ``concern`` (counts of points) and ``latest`` (the variation of
        the period's last point, which Making Data Count shows as the variation icon).
    """
    needed = ["period", "mean", "lower_limit", "upper_limit", "variation"]
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise MhtrainError(f"xmr_summary: give the table xmr() returns (lacks {missing})")
    grouped = table.groupby("period")
    return pd.DataFrame(
        {
            "mean": grouped["mean"].first(),
            "lower_limit": grouped["lower_limit"].first(),
            "upper_limit": grouped["upper_limit"].first(),
            "points": grouped.size(),
            "common_cause": grouped["variation"].agg(lambda v: int((v == COMMON).sum())),
            "improvement": grouped["variation"].agg(lambda v: int((v == IMPROVING).sum())),
            "concern": grouped["variation"].agg(lambda v: int((v == CONCERN).sum())),
            "latest": grouped["variation"].last(),
        }
    )


_STYLES = {
    # variation: (colour, marker, legend words). Blue improvement and orange concern follow
    # Making Data Count; grey common cause; purple neutral. Shapes differ too.
    COMMON: ("#949494", "o", "common cause"),
    IMPROVING: (PALETTE[0], "P", "special cause: improvement"),
    CONCERN: (PALETTE[1], "X", "special cause: concern"),
    NEUTRAL_HIGH: (PALETTE[3], "^", "special cause: high"),
    NEUTRAL_LOW: (PALETTE[3], "v", "special cause: low"),
}


def xmr_plot(
    table: pd.DataFrame,
    *,
    measure: str = "value",
    units: str = "",
    title: str | None = None,
    xlabel: str = "Period",
    ylabel: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Draw an XmR chart from an :func:`xmr` table; its alt text is on ``fig.alt_text``.

    Parameters
    ----------
    table
        The result of :func:`xmr`; its index labels the points (e.g. years).
    measure
        What the values measure, in words (e.g. ``"recovery, England"``), for the title and
        alt text.
    units
        Units after each number in the alt text, e.g. ``"%"`` or ``" percentage points"``.
    title
        The figure title. Default: a sentence stating the finding, e.g. ``"Recovery: all 8
        points show common cause variation (no signal)"``.
    xlabel, ylabel
        Axis labels; ``ylabel`` defaults to ``measure`` with ``units``.
    ax
        Axes to draw on; a new figure is made when left out.

    Returns
    -------
    matplotlib.figure.Figure
        The figure, with ``fig.alt_text``: a plain-English description with the mean, the
        limits and every signal, made from the data.

    Notes
    -----
    Colours come from the course's colour-blind-safe palette (:mod:`mhtrain.charts`), and each
    kind of point also has its own marker shape, so colour is never the only signal. Show it
    with :func:`mhtrain.charts.show_chart` and ``fig.alt_text``.
    """
    import matplotlib.pyplot as plt
    import seaborn as sns

    needed = ["value", "mean", "lower_limit", "upper_limit", "variation", "period", "rule"]
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise MhtrainError(f"xmr_plot: give the table xmr() returns (lacks {missing})")
    own_figure = ax is None
    if ax is None:
        fig, ax = plt.subplots(figsize=(WIDTH_IN, WIDTH_IN), layout="constrained")
    else:
        fig = ax.figure
    x = np.arange(len(table))
    ax.plot(x, table["value"], color="0.55", linewidth=1, zorder=1)
    for p in table["period"].unique():
        rows = np.flatnonzero(table["period"].to_numpy() == p)
        first = p == table["period"].iloc[0]
        span = x[rows]
        ax.plot(
            span,
            table["mean"].to_numpy()[rows],
            color="0.2",
            linewidth=1.3,
            label="mean" if first else None,
        )
        for column in ("lower_limit", "upper_limit"):
            ax.plot(
                span,
                table[column].to_numpy()[rows],
                color="0.35",
                linestyle="--",
                linewidth=1,
                label="process limits" if first and column == "upper_limit" else None,
            )
    outline = {"s": 70, "edgecolor": "black", "linewidth": 0.6, "zorder": 3}
    for variation, (colour, marker, words) in _STYLES.items():
        rows = (table["variation"] == variation).to_numpy()
        if rows.any():
            label = f"{words} ({int(rows.sum())})"
            points = table["value"].to_numpy()[rows]
            ax.scatter(x[rows], points, color=colour, marker=marker, label=label, **outline)
    ax.set_xticks(x, [str(label) for label in table.index])
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel or (f"{measure} ({units.strip()})" if units else measure))
    ax.set_title(title or _finding(table, measure), loc="left")
    legend_below(ax, own_figure=own_figure)
    sns.despine(ax=ax)
    fig.alt_text = xmr_alt_text(table, measure=measure, units=units)  # type: ignore[attr-defined]
    ax.set_gid("xmr-chart")
    return fig


def _finding(table: pd.DataFrame, measure: str) -> str:
    special = table["variation"] != COMMON
    n = len(table)
    name = measure[:1].upper() + measure[1:]
    if not special.any():
        return f"{name}: all {n} points show common cause variation (no signal)"
    kinds = []
    for variation, words in ((IMPROVING, "improvement"), (CONCERN, "concern")):
        count = int((table["variation"] == variation).sum())
        if count:
            kinds.append(f"{count} {words}")
    neutral = int(table["variation"].isin([NEUTRAL_HIGH, NEUTRAL_LOW]).sum())
    if neutral:
        kinds.append(f"{neutral} neutral")
    return f"{name}: {int(special.sum())} of {n} points signal special cause ({', '.join(kinds)})"


def xmr_alt_text(table: pd.DataFrame, *, measure: str = "value", units: str = "") -> str:
    """Describe an :func:`xmr` table in plain English: points, mean, limits and every signal.

    Parameters
    ----------
    table
        The result of :func:`xmr`.
    measure, units
        As for :func:`xmr_plot`.

    Returns
    -------
    str
        The alt text :func:`xmr_plot` stores on ``fig.alt_text``.
    """
    labels = [str(label) for label in table.index]
    values = table["value"].to_numpy()
    parts = [
        f"XmR (statistical process control) chart of {measure}, {len(table)} points from "
        f"{labels[0]} ({values[0]:,.1f}{units}) to {labels[-1]} ({values[-1]:,.1f}{units})."
    ]
    periods = table.groupby("period", sort=False)
    for _, rows in periods:
        span = "" if periods.ngroups == 1 else f" From {rows.index[0]}:"
        parts.append(
            f"{span} Mean {rows['mean'].iloc[0]:,.1f}{units}, process limits "
            f"{rows['lower_limit'].iloc[0]:,.1f}{units} to {rows['upper_limit'].iloc[0]:,.1f}"
            f"{units}."
        )
    if "few_points" in table and bool(table["few_points"].any()):
        parts.append(
            f"With fewer than {FEW_POINTS} points the limits are rough and may change as "
            "points are added."
        )
    special = table[table["variation"] != COMMON]
    if special.empty:
        parts.append("Every point is within the limits and no run or trend rule is broken.")
    else:
        for label, row in special.iterrows():
            kind = row["variation"].replace("special_cause_", "").replace("_", " ")
            parts.append(
                f"{label} ({row['value']:,.1f}{units}) is {_RULE_WORDS[row['rule']]}: "
                f"special cause, {kind}."
            )
    if "assurance" in table and table["assurance"].iloc[-1]:
        parts.append(
            f"Against the target of {table['target'].iloc[-1]:,.1f}{units}: "
            f"{table['assurance'].iloc[-1].replace('_', ' ')}."
        )
    return " ".join(p.strip() for p in parts)
