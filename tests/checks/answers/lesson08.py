"""Lesson 8, Comparing services fairly: realistic answers and how each is judged."""

from dataclasses import replace

import numpy as np

from answers import Typed


def EDIT_DATA(data):
    """The shipped data with four areas moved: the two smallest above the 99.8% limits, the
    largest below them, and a middle-sized one between the 95% and 99.8% limits.

    So the wrong methods of exercise 3 (the 95% limits, the areas above only, one of them, the
    two ends of the league table, none) can be told apart from the right one whatever the
    shipped data hold.
    """
    tt = data.talking_therapies.copy()
    cases = tt["finished_treatment"].astype(bool) & tt["caseness_first"].astype(bool)
    sizes = tt[cases].groupby("area_code").size().sort_values()
    middle = sizes.index[len(sizes) // 2]
    moves = {sizes.index[0]: 6.0, sizes.index[1]: 5.0, sizes.index[-1]: -6.0, middle: 2.5}
    for _ in range(3):  # the average moves a little with each area moved
        p = tt.loc[cases, "recovered"].astype(bool).mean()
        for area, z in moves.items():
            rows = tt.index[cases & (tt["area_code"] == area)]
            n = len(rows)
            recovered = round(n * (p + z * np.sqrt(p * (1 - p) / n)))
            tt.loc[rows, "recovered"] = np.arange(n) < recovered
    return replace(data, tables={**data.tables, "talking_therapies": tt})


SETUP = """
rates_8 = finished.groupby("area_code")["recovered"].mean() * 100
p_8 = overall_recovery / 100
se_8 = (p_8 * (1 - p_8) / 400) ** 0.5
outside_8 = funnel["position"].isin(["above 99.8%", "below 99.8%"])
most_recovered_8 = finished.groupby("area_code")["recovered"].sum().idxmax()
# An area someone might pick from the chart that is none of the named slips.
other_8 = next(
    area
    for area in recovery_by_area.sort_values().index[1:-1]
    if area != most_recovered_8
)
"""


def _names(codes, namespace):
    """The names of the areas with these codes, as the funnel table gives them."""
    return namespace["funnel"].set_index("area_code").loc[codes, "area_name"].tolist()


def _area(ref, namespace):
    """The code and name of the right option's area, as the option text gives them."""
    return namespace["ex"].q1b.options[ref].split(" ", 1)


ANSWERS = {
    "q1": {
        "right": [
            'rates_8.astype("Float64")',
            'finished.groupby("area_code")["recovered"].mean() * 100',
            "rates_8.round(1)",
            "rates_8.round(2)",
            "rates_8.sort_values(ascending=False)",
            "rates_8.to_dict()",
            'rates_8.rename("recovery (%)").reset_index()',
            'funnel.set_index("area_code")["value"]',
        ],
        "wrong": [
            ('tt.groupby("area_code")["recovered"].mean() * 100', "all-referrals-denominator"),
            (
                'tt[tt["finished_treatment"]].groupby("area_code")["recovered"].mean() * 100',
                "finished-without-caseness",
            ),
            ('finished.groupby("area_code")["recovered"].sum()', "count-not-rate"),
            ('finished.groupby("area_code")["recovered"].mean()', "too-small-x100"),
            ("rates_8.round(0)", "rounded-too-far"),
            ("rates_8.drop('SYN01')", "wrong-rows"),
        ],
    },
    "q1b": {
        "right": [
            Typed('"{ref}"'),
            Typed('"{code}"', code=lambda ref, ns: _area(ref, ns)[0]),
            "recovery_by_area.idxmax()",
            Typed('"{name}"', name=lambda ref, ns: _area(ref, ns)[1]),
            Typed('"{name}"', name=lambda ref, ns: _area(ref, ns)[1].lower()),
        ],
        "wrong": [
            ("recovery_by_area.idxmin()", "lowest-not-highest"),
            ("most_recovered_8", "count-not-rate"),
            ("other_8", "another-option"),
            ('"SYN13"', "not-an-option"),
            ('"Westfield"', "not-an-option"),
            ('"m"', "not-an-option"),
        ],
    },
    "q2": {
        "right": [
            "(p + 3.09 * standard_error) * 100",
            "(p_8 + 3.09 * se_8) * 100",
            "round((p_8 + 3.09 * se_8) * 100, 1)",
            Typed("{ref:.1f}"),
            Typed("{ref:.2f}"),
            Typed("{ref:.3f}"),
            Typed('"{ref:.1f}%"'),
            "overall_recovery + 3.09 * (overall_recovery * (100 - overall_recovery) / 400) ** 0.5",
        ],
        "wrong": [
            ("(p_8 + 1.96 * se_8) * 100", "used-95-limit"),
            ("(p_8 - 3.09 * se_8) * 100", "lower-not-upper"),
            ("(p_8 + 3 * se_8) * 100", "z-of-3"),
            ("(p_8 + 2.58 * se_8) * 100", "z-for-99-percent"),
            ("(0.5 + 3.09 * (0.5 * 0.5 / 400) ** 0.5) * 100", "p-of-50-percent"),
            ("3.09 * se_8 * 100", "half-width-only"),
            ("(p_8 + 3.09 * se_8)", "too-small-x100"),
            ("(p_8 + 3.09 * se_8**2) * 100", "no-square-root"),
        ],
    },
    "q3": {
        "right": [
            'sorted(funnel.loc[outside_8, "area_code"])',
            'list(funnel.loc[outside_8, "area_code"])',
            Typed("{v!r}", v=lambda ref, ns: sorted(ref, reverse=True)),
            Typed('"{v}"', v=lambda ref, ns: ", ".join(ref)),
            Typed("{v!r}", v=lambda ref, ns: _names(ref, ns)),
            'funnel.loc[outside_8, "area_code"]',
        ],
        "wrong": [
            (
                'funnel.loc[funnel["position"] != "within", "area_code"].tolist()',
                "used-95-limits",
            ),
            (
                'funnel.loc[funnel["position"] == "above 99.8%", "area_code"].tolist()[:1]',
                "areas-differ",
            ),
            ("[recovery_by_area.idxmax(), recovery_by_area.idxmin()]", "league-table-ends"),
            (
                'funnel.loc[funnel["position"] == "above 99.8%", "area_code"].tolist()',
                "only-above",
            ),
            ("[]", "areas-differ"),
            ('["SYN04", "SYN99"]', "not-an-area"),
            ("4", "wrong-form"),
        ],
    },
    "q4": {
        "right": ['"b"', '"B"', '"(b)"', "ex.q4.options['b']", '"answer b"'],
        "wrong": [
            ('"a"', "skill-not-chance"),
            ('"c"', "largest-at-top"),
            ('"d"', "size-raises-rate"),
            ('"chance"', "not-an-option"),
            ("2", "not-an-option"),
        ],
    },
}
