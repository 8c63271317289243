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
    "disclosure_control": (
        "nhse_hes_disclosure_2018",
        "opensafely_redaction",
        "nhse_mhsds_monthly",
        "secondary_suppression_technique",
    ),
}

#: Each named disclosure-control rule set (``stats.disclosure.RULE_SETS``) to the sources of
#: its rules: HES and OpenSAFELY for 1 to 7 hidden and rounding to 5, NHS England's monthly
#: MHSDS statistics for their own rules, and the general technique of secondary suppression.
RULE_SET_SOURCES: dict[str, tuple[str, ...]] = {
    "hes_opensafely": ("nhse_hes_disclosure_2018", "opensafely_redaction"),
    "mhsds": ("nhse_mhsds_monthly",),
    "secondary_only": ("secondary_suppression_technique",),
}
