"""Lesson 12, Real open data: realistic answers and how each is judged.

The right answers come from the real published file the course ships, so each number is
written from the reference value (:class:`answers.Typed`), not typed from today's file.
"""

from answers import Typed, sig

SETUP = """
row_12 = counts.loc[latest]
cases_12 = row_12["finished_course_treatment"] - row_12["not_at_caseness"]
"""


def _other(ref, namespace):
    """The other of options a and b (the direction read the wrong way round)."""
    return "b" if ref == "a" else "a"


ANSWERS = {
    "q1": {
        "right": [
            '"a"',
            '"A"',
            '["a"]',
            "ex.q1.options['a']",
            '"(a)"',
            '"a) real figures published by NHS England"',
        ],
        "wrong": [
            ('"b"', "thinks-synthetic"),
            ('"c"', "thinks-individual-records"),
            ('"Synthetic records made by a computer program"', "not-an-option"),
            ('"d"', "not-an-option"),
            ("1", "not-an-option"),
        ],
    },
    "q2": {
        "right": [
            '"d"',
            '"D"',
            '"r: reusable"',
            "ex.q2.options['d']",
            '"option d"',
            '"R: reusable"',
        ],
        "wrong": [
            ('"a"', "findable"),
            ('"b"', "accessible"),
            ('"c"', "interoperable"),
            ('"I: interoperable"', "interoperable"),
            ('"licence"', "not-an-option"),
        ],
    },
    "q3": {
        "right": [
            'row_12["recovery"] / cases_12 * 100',
            'row["recovery"] / (row["finished_course_treatment"] - row["not_at_caseness"]) * 100',
            "round(england_recovery, 1)",
            Typed("{ref:.1f}"),
            Typed("{ref:.2f}"),
            Typed('"{ref:.1f}%"'),
            Typed("{ref:.3g}"),
        ],
        "wrong": [
            ('row_12["recovery"] / cases_12', "proportion-not-percentage"),
            ('row_12["recovery"] / row_12["referrals_received"] * 100', "denominator-referrals"),
            (
                'row_12["recovery"] / row_12["finished_course_treatment"] * 100',
                "denominator-finished",
            ),
            ('row_12["recovery"] / row_12["at_caseness"] * 100', "denominator-at-caseness"),
            ('row_12["reliable_recovery"] / cases_12 * 100', "reliable-recovery"),
            (Typed("{ref:.0f}1"), "not-a-known-slip"),
        ],
    },
    "q4": {
        "right": [
            'latest_providers["suppressed"].mean() * 100',
            'latest_providers["suppressed"].sum() / len(latest_providers) * 100',
            'latest_providers["value"].isna().mean() * 100',
            Typed("{ref:.1f}"),
            Typed("{ref:.2f}"),
            Typed('"{ref:.1f}%"'),
        ],
        "wrong": [
            ('latest_providers["suppressed"].mean()', "proportion-not-percentage"),
            ('latest_providers["suppressed"].sum()', "count-not-percentage"),
            (
                'ex.open_data.talking_therapies(org_type="Provider")["suppressed"].mean() * 100',
                "every-year",
            ),
            (Typed("{v}", v=sig(1)), "not-a-known-slip"),
            ('latest_providers["suppressed"]', "wrong-form"),
        ],
    },
    "q5": {
        "right": [
            '"b"',
            '"B"',
            '" b "',
            "ex.q5.options['b']",
            '"b) it was hidden to protect privacy"',
        ],
        "wrong": [
            ('"a"', "star-means-none"),
            ('"c"', "star-means-not-recorded"),
            ('"d"', "star-as-zero"),
            ('"The value is zero"', "not-an-option"),
            ("0", "not-an-option"),
        ],
    },
    "q6": {
        "right": [
            "recovery_by_decile",
            'decile_rows.set_index("variable_a")["value"]',
            "recovery_by_decile.round(1)",
            "recovery_by_decile.sort_values()",
            "recovery_by_decile.to_dict()",
            "ex.by_decile()",
        ],
        "wrong": [
            ("ex.by_decile(statistic='count')", "counts-not-percentages"),
            ("ex.by_decile(measure='reliable_recovery')", "reliable-recovery"),
            (
                "ex.by_decile(period=sorted(england['reporting_period'].unique())[-2])",
                "wrong-year",
            ),
            ("recovery_by_decile.round(0)", "rounded-too-far"),
            ("recovery_by_decile.iloc[1:]", "wrong-rows"),
        ],
    },
    "q7": {
        "right": [
            Typed('"{ref}"'),
            Typed('"{u}"', u=lambda ref, ns: ref.upper()),
            Typed('"({ref})"'),
            Typed('"option {ref}"'),
            Typed("ex.q7.options[{ref!r}]"),
        ],
        "wrong": [
            (Typed('"{w}"', w=_other), "reversed-deciles"),
            (Typed('"{w}"', w=lambda ref, ns: _other(ref, ns).upper()), "reversed-deciles"),
            ('"c"', "no-difference"),
            ('"01"', "not-an-option"),
            ('"least deprived"', "not-an-option"),
        ],
    },
    "q8": {
        "right": [
            Typed('"{ref}"'),
            Typed('"{u}"', u=lambda ref, ns: ref.upper()),
            Typed('"{ref}."'),
            Typed('"answer {ref}"'),
            Typed("ex.q8.options[{ref!r}]"),
        ],
        "wrong": [
            (Typed('"{w}"', w=_other), "misread-signal"),
            ('"c"', "proves-no-change"),
            ('"C"', "proves-no-change"),
            ('"no change"', "not-an-option"),
            ("None", "value-from-print"),
        ],
    },
    "q9": {
        "right": [
            "deprivation_gap_latest",
            'recovery_by_decile["01 Least deprived"] - recovery_by_decile["10 Most deprived"]',
            'd = decile_rows.set_index("variable_a")["value"]\n'
            'deprivation_gap_latest = d["01 Least deprived"] - d["10 Most deprived"]',
            Typed("{ref:.1f}"),
            Typed("{ref:.2f}"),
            Typed("{ref:.3g}"),
        ],
        "wrong": [
            (
                'recovery_by_decile["10 Most deprived"] - recovery_by_decile["01 Least deprived"]',
                "reversed",
            ),
            (
                'recovery_by_decile["01 Least deprived"] / recovery_by_decile["10 Most deprived"]',
                "ratio-not-gap",
            ),
            (
                "ex.by_decile(period=sorted(england['reporting_period'].unique())[-2])"
                '["01 Least deprived"] - ex.by_decile(period=sorted(england["reporting_period"]'
                '.unique())[-2])["10 Most deprived"]',
                "wrong-year",
            ),
            (
                "s = ex.synthetic_recovery_by_decile(data)\n"
                "deprivation_gap_latest = s.loc[10] - s.loc[1]",
                "synthetic-gap",
            ),
            (Typed('"{ref:.1f} points"'), "wrong-form"),
        ],
    },
    "q10": {
        "right": ['"b"', '"B"', '"(b)"', "ex.q10.options['b']", '"b: more than chance alone"'],
        "wrong": [
            ('"a"', "league-table"),
            ('"c"', "all-chance"),
            ('"A"', "league-table"),
            ('"the best therapy"', "not-an-option"),
            ("2", "not-an-option"),
        ],
    },
}
