"""Funnel plot control limits for proportions and rates, and an accessible funnel plot."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import special

from mhtrain.charts import PALETTE, WIDTH_IN, legend_below
from mhtrain.errors import MhtrainError
from mhtrain.stats._checks import (
    check_choice,
    check_confidence,
    check_multiplier,
    read_counts,
    require_columns,
    z_value,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: The two control limits of APHO technical briefing 2 (2007): about 2 and 3 standard deviations.
DEFAULT_LEVELS = (0.95, 0.998)

STATISTICS = ("proportion", "rate")


def level_label(level: float) -> str:
    """Column suffix for a confidence level: 0.95 -> ``"95"``, 0.998 -> ``"99_8"``."""
    return f"{level * 100:g}".replace(".", "_")


def funnel_limits(
    denominator: npt.ArrayLike,
    target: float,
    *,
    statistic: str = "proportion",
    multiplier: float | None = None,
    levels: Sequence[float] = DEFAULT_LEVELS,
) -> pd.DataFrame:
    """Funnel plot control limits around a target, for a range of denominators.

    Parameters
    ----------
    denominator
        Denominators at which to give the limits: people in the group for a proportion,
        person-years (population times years of data) for a rate.
    target
        The centre line, in the units of the plot (e.g. 80.6 per cent, or 116 per 100,000);
        usually the overall value, total numerator over total denominator.
    statistic
        ``"proportion"``: limits ``p0 -/+ z sqrt(p0 (1 - p0) / n)``, cut to 0 and 100%, the
        Fingertips method (PHE technical guide to funnel plots, 2017; these are the points
        where the Wilson score interval of an observed proportion just touches the target).
        ``"rate"``: exact Poisson limits, made continuous with the chi-squared distribution so
        that the funnel is smooth (APHO technical briefing 2, 2007; Spiegelhalter 2005): at a
        person-years ``n`` the lower limit is ``O / n`` where ``O`` events would put the target
        count ``n theta`` exactly at the upper exact limit of ``O``, and the other way round for
        the upper limit. This matches the Fingertips funnel plot tool for rates.
    multiplier
        Units of ``target`` and of the limits: default 100 (per cent) for a proportion and
        100,000 for a rate.
    levels
        Two-sided coverage of each pair of limits (default 95% and 99.8%).

    Returns
    -------
    pandas.DataFrame
        ``denominator``, ``target`` and, for each level, ``lower_<level>`` and
        ``upper_<level>`` (e.g. ``lower_95``, ``upper_99_8``). A zero denominator gives NaN.
    """
    check_choice("statistic", statistic, STATISTICS)
    if multiplier is None:
        multiplier = 100 if statistic == "proportion" else 100_000
    check_multiplier(multiplier)
    n = np.atleast_1d(np.asarray(denominator, dtype="float64"))
    if np.isnan(n).any() or (n < 0).any() or np.isinf(n).any():
        raise MhtrainError("funnel_limits: denominators must be finite numbers >= 0")
    theta = float(target) / multiplier
    if not np.isfinite(theta) or theta < 0:
        raise MhtrainError(f"funnel_limits: target must be a number >= 0 (got {target!r})")
    if statistic == "proportion" and theta > 1:
        raise MhtrainError(
            f"funnel_limits: a target of {target} is above {multiplier}, the whole; "
            "check the multiplier"
        )
    out = pd.DataFrame({"denominator": n, "target": np.full(n.shape, float(target))})
    for level in levels:
        check_confidence(level)
        if statistic == "proportion":
            lower, upper = _proportion_limits(n, theta, level)
        else:
            lower, upper = _rate_limits(n, theta, level)
        out[f"lower_{level_label(level)}"] = lower * multiplier
        out[f"upper_{level_label(level)}"] = upper * multiplier
    return out


def _proportion_limits(n: np.ndarray, p0: float, level: float) -> tuple[np.ndarray, np.ndarray]:
    z = z_value(level)
    with np.errstate(divide="ignore", invalid="ignore"):
        half = z * np.sqrt(p0 * (1 - p0) / n)
    lower = np.where(n > 0, np.clip(p0 - half, 0, 1), np.nan)
    upper = np.where(n > 0, np.clip(p0 + half, 0, 1), np.nan)
    return lower, upper


def _rate_limits(n: np.ndarray, theta: float, level: float) -> tuple[np.ndarray, np.ndarray]:
    alpha = 1 - level
    mean = 2 * n * theta
    with np.errstate(divide="ignore", invalid="ignore"):
        # chdtriv(p, x) is the degrees of freedom v with P(chi2_v <= x) = p.
        # Lower limit: the target is the exact upper limit of O events, i.e. chi2(2O + 2).
        df_low = special.chdtriv(1 - alpha / 2, mean)
        o_low = np.maximum(df_low / 2 - 1, 0.0)
        # Upper limit: the target is the exact lower limit of O events, i.e. chi2(2O).
        df_high = special.chdtriv(alpha / 2, mean)
        o_high = df_high / 2
        lower = np.where(n > 0, o_low / n, np.nan)
        upper = np.where(n > 0, o_high / n, np.nan)
    # With no events expected at all there is nothing to bound.
    if theta == 0:
        lower = np.where(n > 0, 0.0, np.nan)
        upper = np.where(n > 0, 0.0, np.nan)
    return lower, upper


def funnel_table(
    data: pd.DataFrame,
    *,
    numerator: Hashable,
    denominator: Hashable,
    statistic: str = "proportion",
    multiplier: float | None = None,
    target: float | None = None,
    levels: Sequence[float] = DEFAULT_LEVELS,
) -> pd.DataFrame:
    """Each row's value, its control limits and where it falls against them.

    Parameters
    ----------
    data
        One row per unit (area, provider, ...), with a numerator (count) and a denominator.
    numerator, denominator
        Column names.
    statistic, multiplier, levels
        As for :func:`funnel_limits`.
    target
        Centre line in plot units; default the overall value (total numerator over total
        denominator), as in the Fingertips tools.

    Returns
    -------
    pandas.DataFrame
        ``data`` with ``value``, ``target``, the limit columns and ``position``: one of
        ``"above 99.8%"``, ``"above 95%"``, ``"within"``, ``"below 95%"``, ``"below 99.8%"``
        (named after the levels given), or ``"no value"`` where the denominator is zero.
    """
    check_choice("statistic", statistic, STATISTICS)
    if multiplier is None:
        multiplier = 100 if statistic == "proportion" else 100_000
    check_multiplier(multiplier)
    require_columns(data, [numerator, denominator], "funnel_table")
    values = read_counts(data, {"numerator": numerator, "denominator": denominator}, "funnel_table")
    x, n = values["numerator"], values["denominator"]
    if np.isnan(x).any() or np.isnan(n).any():
        raise MhtrainError("funnel_table: numerators and denominators must not be missing")
    if statistic == "proportion" and (x > n).any():
        raise MhtrainError("funnel_table: a numerator is above its denominator for a proportion")
    if target is None:
        if n.sum() == 0:
            raise MhtrainError("funnel_table: every denominator is zero; nothing to compare")
        target = x.sum() / n.sum() * multiplier
    levels = sorted(levels)
    limits = funnel_limits(n, target, statistic=statistic, multiplier=multiplier, levels=levels)
    out = data.copy()
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(n > 0, x / n * multiplier, np.nan)
    out["value"] = value
    for column in limits.columns.drop("denominator"):
        out[column] = limits[column].to_numpy()
    position = np.full(len(out), "within", dtype=object)
    for level in levels:  # widest last, so it wins
        label = level_label(level)
        shown = f"{level * 100:g}%"
        position = np.where(value > limits[f"upper_{label}"], f"above {shown}", position)
        position = np.where(value < limits[f"lower_{label}"], f"below {shown}", position)
    position = np.where(np.isnan(value), "no value", position)
    out["position"] = position.astype(str)
    return out


def _default_measure(statistic: str, multiplier: float) -> str:
    if statistic == "proportion":
        return "percentages" if multiplier == 100 else f"proportions per {multiplier:,g}"
    return f"rates per {multiplier:,g} people"


def _default_ylabel(statistic: str, multiplier: float) -> str:
    if statistic == "proportion":
        return "Per cent (%)" if multiplier == 100 else f"Proportion (per {multiplier:,g})"
    return f"Rate per {multiplier:,g} people"


def funnel_plot(
    data: pd.DataFrame,
    *,
    numerator: Hashable,
    denominator: Hashable,
    label: Hashable | None = None,
    statistic: str = "proportion",
    multiplier: float | None = None,
    target: float | None = None,
    levels: Sequence[float] = DEFAULT_LEVELS,
    unit_name: str = "areas",
    measure: str | None = None,
    title: str | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
    ax: Axes | None = None,
) -> tuple[Figure, str]:
    """Draw a funnel plot with 95% and 99.8% control limits; return the figure and alt text.

    Parameters
    ----------
    data
        One row per unit, with numerator and denominator columns (see :func:`funnel_table`).
    numerator, denominator
        Column names.
    label
        Column naming each unit (e.g. ``"area_name"``); used to name outliers in the alt text.
    statistic, multiplier, target, levels
        As for :func:`funnel_table`.
    unit_name
        Plural noun for the units, used in the title and alt text (default ``"areas"``).
    measure
        What the values measure, in words (e.g. ``"detention rate"``); used in the alt text.
        Default: ``"percentages"`` or ``"rates per 100,000 people"``.
    title
        Figure title. Default: a sentence stating the finding, e.g. ``"2 of 12 areas lie above
        the 99.8% limit"`` or ``"All 12 areas lie within the 99.8% limits"``.
    xlabel, ylabel
        Axis labels with units. Defaults: ``"Population (people)"`` (``"Person-years"`` is
        yours to say for several years of data), and ``"Per cent (%)"`` or
        ``"Rate per 100,000 people"``.
    ax
        Axes to draw on; a new figure is made when left out.

    Returns
    -------
    (matplotlib.figure.Figure, str)
        The figure and its alt text: a plain-English description of what the plot shows, also
        stored as ``fig.alt_text`` so a page can use it as the caption or image description.

    Notes
    -----
    Colours come from the course's colour-blind-safe palette (:mod:`mhtrain.charts`) and each
    position also has its own marker shape, so the plot does not rely on colour alone. Show it
    with :func:`mhtrain.charts.show_chart` and the returned alt text.
    """
    import matplotlib.pyplot as plt
    import seaborn as sns
    from matplotlib.ticker import FuncFormatter

    if multiplier is None:
        multiplier = 100 if statistic == "proportion" else 100_000
    if label is not None:
        require_columns(data, [label], "funnel_plot")
    table = funnel_table(
        data,
        numerator=numerator,
        denominator=denominator,
        statistic=statistic,
        multiplier=multiplier,
        target=target,
        levels=levels,
    )
    levels = sorted(levels)
    target_value = float(table["target"].iloc[0]) if len(table) else float("nan")
    n = table[denominator].to_numpy(dtype="float64")
    positive = n[n > 0]
    if positive.size == 0:
        raise MhtrainError("funnel_plot: no unit has a denominator above zero; nothing to draw")
    grid = np.geomspace(max(positive.min() * 0.8, 1.0), positive.max() * 1.15, 300)
    curves = funnel_limits(
        grid, target_value, statistic=statistic, multiplier=multiplier, levels=levels
    )

    own_figure = ax is None
    if ax is None:
        fig, ax = plt.subplots(figsize=(WIDTH_IN, WIDTH_IN * 1.25), layout="constrained")
    else:
        fig = ax.figure
    line_styles = ["--", ":", "-."]
    ax.axhline(target_value, color="0.25", linewidth=1.2, label=f"Average ({target_value:,.1f})")
    for i, level in enumerate(levels):
        key = level_label(level)
        style = line_styles[i % len(line_styles)]
        ax.plot(
            grid,
            curves[f"lower_{key}"],
            color="0.35",
            linestyle=style,
            linewidth=1,
            label=f"{level * 100:g}% limits",
        )
        ax.plot(grid, curves[f"upper_{key}"], color="0.35", linestyle=style, linewidth=1)

    widest = f"{levels[-1] * 100:g}%"
    inner = f"{levels[0] * 100:g}%"
    # Each position has its own colour and its own shape, so neither is the only signal.
    styles = {
        f"above {widest}": (PALETTE[5], "^"),
        f"above {inner}": (PALETTE[1], "s"),
        "within": (PALETTE[0], "o"),
        f"below {inner}": (PALETTE[4], "D"),
        f"below {widest}": (PALETTE[2], "v"),
    }
    for position, (colour, marker) in styles.items():
        rows = table["position"] == position
        if rows.any():
            shown = f"within {inner} limits" if position == "within" else f"{position} limit"
            ax.scatter(
                table.loc[rows, denominator],
                table.loc[rows, "value"],
                color=colour,
                marker=marker,
                s=45,
                edgecolor="black",
                linewidth=0.5,
                zorder=3,
                label=f"{shown} ({int(rows.sum())})",
            )

    xlabel = xlabel or "Population (people)"
    ylabel = ylabel or _default_ylabel(statistic, multiplier)
    counts = table["position"].value_counts()
    total = int((table["position"] != "no value").sum())
    high = int(counts.get(f"above {widest}", 0))
    low = int(counts.get(f"below {widest}", 0))
    if title is None:
        title = _finding_title(total, high, low, unit_name, widest)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if positive.max() > 20 * positive.min():
        ax.set_xscale("log")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    legend_below(ax, own_figure=own_figure)
    sns.despine(ax=ax)

    alt_text = _alt_text(
        table,
        label,
        total,
        unit_name,
        measure or _default_measure(statistic, multiplier),
        xlabel,
        target_value,
        levels,
    )
    fig.alt_text = alt_text  # type: ignore[attr-defined]
    ax.set_gid("funnel-plot")
    return fig, alt_text


def _finding_title(total: int, high: int, low: int, unit_name: str, widest: str) -> str:
    if high == 0 and low == 0:
        return f"All {total} {unit_name} lie within the {widest} limits"
    parts = []
    if high:
        parts.append(f"{high} above")
    if low:
        parts.append(f"{low} below")
    sides = ", ".join(parts)
    verb = "lies" if high + low == 1 else "lie"
    return f"{high + low} of {total} {unit_name} {verb} outside the {widest} limits ({sides})"


def _alt_text(
    table: pd.DataFrame,
    label: Hashable | None,
    total: int,
    unit_name: str,
    measure: str,
    xlabel: str,
    target: float,
    levels: Sequence[float],
) -> str:
    widest = f"{levels[-1] * 100:g}%"
    inner = f"{levels[0] * 100:g}%"
    lines = [
        f"Funnel plot of {measure} for {total} {unit_name}, plotted against {xlabel.lower()}. "
        f"A flat line marks the average of {target:,.1f}; curved lines mark the {inner} and "
        f"{widest} control limits, which narrow as the denominator grows."
    ]
    for side in ("above", "below"):
        rows = table[table["position"] == f"{side} {widest}"]
        if len(rows):
            names = ""
            if label is not None:
                names = ": " + "; ".join(
                    f"{r[label]} ({r['value']:,.1f})" for _, r in rows.iterrows()
                )
            lines.append(f"{side.capitalize()} the {widest} limit, {len(rows)}{names}.")
    between = int(table["position"].isin([f"above {inner}", f"below {inner}"]).sum())
    within = int((table["position"] == "within").sum())
    lines.append(
        f"Between the {inner} and {widest} limits, {between}; within the {inner} limits, {within}."
    )
    return " ".join(lines)
