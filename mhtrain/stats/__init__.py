"""Equity statistics as UK public health statisticians publish them, with confidence limits."""

from mhtrain.stats.disclosure import disclosure_control
from mhtrain.stats.funnel import funnel_limits, funnel_plot, funnel_table
from mhtrain.stats.inequality import slope_index_of_inequality
from mhtrain.stats.intervals import poisson_limits
from mhtrain.stats.rates import crude_rate, proportion, rate_ratio
from mhtrain.stats.references import METHOD_SOURCES
from mhtrain.stats.spc import xmr, xmr_alt_text, xmr_plot, xmr_summary
from mhtrain.stats.standardise import (
    directly_standardised_rate,
    dsr_ratio,
    indirectly_standardised_ratio,
)

__all__ = [
    "METHOD_SOURCES",
    "crude_rate",
    "directly_standardised_rate",
    "disclosure_control",
    "dsr_ratio",
    "funnel_limits",
    "funnel_plot",
    "funnel_table",
    "indirectly_standardised_ratio",
    "poisson_limits",
    "proportion",
    "rate_ratio",
    "slope_index_of_inequality",
    "xmr",
    "xmr_alt_text",
    "xmr_plot",
    "xmr_summary",
]
