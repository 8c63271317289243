"""Lesson 6, Did it help?: realistic answers and how each is judged."""

from answers import Typed

SETUP = """
at_end_6 = (tt["phq9_last"] >= 10) | (tt["gad7_last"] >= 8)
cases_6 = tt[tt["finished_treatment"] & tt["caseness_first"]]
"""

ANSWERS = {
    "q1": {
        "right": [
            'tt["finished_treatment"] & at_start & ~at_end_6',
            'tt["finished_treatment"] & at_start & (tt["phq9_last"] < 10) & (tt["gad7_last"] < 8)',
            'tt["finished_treatment"] & tt["caseness_first"] & ~at_end_6',
            '(tt["finished_treatment"] & at_start & ~at_end_6).astype(int)',
            '(tt["finished_treatment"] & at_start & ~at_end_6).fillna(False)',
            'tt["recovered"] == 1',
        ],
        "wrong": [
            ("at_start & ~at_end_6", "no-finished-treatment"),
            ('tt["finished_treatment"] & ~at_end_6', "no-caseness-at-start"),
            (
                'tt["finished_treatment"] & ((tt["phq9_first"] > 10) | (tt["gad7_first"] > 8))'
                ' & ~((tt["phq9_last"] > 10) | (tt["gad7_last"] > 8))',
                "strict-thresholds",
            ),
            ('tt["reliable_improvement"]', "reliable-improvement-not-recovery"),
            (
                'tt["finished_treatment"] & at_start & (tt["phq9_last"] < 10) | (tt["gad7_last"] < 8)',
                "rows-differ",
            ),
            ('(tt["finished_treatment"] & at_start & ~at_end_6).sum()', "wrong-form"),
        ],
    },
    "q1b": {
        "right": ['"c"', '"Person C"', '"C"', '"person c"', '"(c)"'],
        "wrong": [
            ('"a"', "one-session"),
            ('"Person B"', "not-at-caseness"),
            ('"d"', "still-a-case-on-one-measure"),
            ('"e"', "not-an-option"),
            ('"C and D"', "not-an-option"),
        ],
    },
    "q2": {
        "right": [
            'tt.loc[tt["finished_treatment"] & tt["caseness_first"], "recovered"].mean() * 100',
            'finished_cases["recovered"].mean() * 100',
            'round(cases_6["recovered"].mean() * 100, 1)',
            Typed("{ref:.1f}"),
            Typed("{ref:.2f}"),
            Typed('"{ref:.1f}%"'),
            'cases_6["recovered"].sum() / len(cases_6) * 100',
        ],
        "wrong": [
            ('cases_6["recovered"].mean()', "proportion-not-percentage"),
            ('tt["recovered"].mean() * 100', "denominator-all-referrals"),
            (
                'tt.loc[tt["finished_treatment"], "recovered"].mean() * 100',
                "denominator-finished-not-cases",
            ),
            ('cases_6["reliable_improvement"].mean() * 100', "reliable-improvement-not-recovery"),
            ('cases_6["recovered"].sum()', "not-a-known-slip"),
            ("(50, 3)", "commas-make-a-tuple"),
        ],
    },
    "q3": {
        "right": [
            'finished_cases.groupby("imd_decile")["recovered"].mean() * 100',
            '(cases_6.groupby("imd_decile")["recovered"].mean() * 100).round(1)',
            '(cases_6.groupby("imd_decile")["recovered"].mean() * 100).round(2)',
            '(cases_6.groupby("imd_decile")["recovered"].mean() * 100).to_dict()',
            '(cases_6.groupby("imd_decile")["recovered"].mean() * 100).sort_values()',
            '(cases_6.groupby("imd_decile")["recovered"].mean() * 100).rename("recovery (%)")'
            ".reset_index()",
            'cases_6.groupby("imd_decile")["recovered"].agg(lambda s: s.mean() * 100)',
        ],
        "wrong": [
            ('cases_6.groupby("imd_decile")["recovered"].mean()', "proportion-not-percentage"),
            ('cases_6.groupby("imd_decile")["recovered"].sum()', "count-not-rate"),
            ('tt.groupby("imd_decile")["recovered"].mean() * 100', "denominator-all-referrals"),
            (
                'tt[tt["finished_treatment"]].groupby("imd_decile")["recovered"].mean() * 100',
                "denominator-finished-not-cases",
            ),
            ('(cases_6.groupby("imd_decile")["recovered"].mean() * 100).round(-1)', "rows-differ"),
            ('(cases_6.groupby("imd_decile")["recovered"].mean() * 100).iloc[:5]', "wrong-rows"),
        ],
    },
    "q3b": {
        "right": ['"a"', '"A"', '"(a)"', "ex.q3b.options['a']", '"option A"'],
        "wrong": [
            ('"b"', "wrong-direction"),
            ('"c"', "no-difference"),
            ('"rise"', "not-an-option"),
            ('"d"', "not-an-option"),
            ("None", "value-from-print"),
        ],
    },
    "q4": {
        "right": ['"a"', '"A"', '"(a)"', "ex.q4.options['a']", '" a "'],
        "wrong": [
            ('"b"', "wrong-direction"),
            ('"c"', "blames-the-group"),
            ('"d"', "proves-a-cause"),
            ('"odds"', "not-an-option"),
            ("0.6", "not-an-option"),
        ],
    },
}
