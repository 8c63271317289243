"""Which published sources each statistics function follows (ids in ``specs/sources*.yaml``)."""

from __future__ import annotations

#: Function name to the ids of the sources its method comes from, for references pages.
METHOD_SOURCES: dict[str, tuple[str, ...]] = {
    "poisson_limits": ("apho_tb3_2008", "phe_ci_guide_2018", "ulm1990", "breslow_day_1987"),
    "crude_rate": ("apho_tb3_2008", "phe_ci_guide_2018", "ulm1990", "breslow_day_1987"),
    "proportion": ("wilson1927", "newcombe1998", "phe_ci_guide_2018"),
    "rate_ratio": ("breslow_day_1987", "zou_donner2008"),
    "directly_standardised_rate": (
        "esp2013",
        "dobson1991",
        "apho_tb3_2008",
        "phe_ci_guide_2018",
        "morris2018",
    ),
    "dsr_ratio": ("esp2013", "dobson1991"),
    "indirectly_standardised_ratio": ("apho_tb3_2008", "breslow_day_1987", "ulm1990"),
    "funnel_limits": (
        "apho_tb2_2007",
        "phe_funnel_guide_2017",
        "spiegelhalter2005",
        "phe_indicator_methods",
    ),
    "funnel_table": ("apho_tb2_2007", "phe_funnel_guide_2017"),
    "funnel_plot": ("apho_tb2_2007", "spiegelhalter2005"),
    "slope_index_of_inequality": ("low_low_2004", "phe_indicator_methods"),
    "disclosure_control": ("nhse_mhsds_monthly",),
}
