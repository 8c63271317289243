"""Lesson 5, Waiting for care: realistic answers and how each is judged."""

from answers import Typed

SETUP = """
seen = community["wait_days"].dropna()
within = had_28_days["wait_days"] <= 28
"""

ANSWERS = {
    "q1": {
        "right": [
            'community["wait_days"].median()',
            "seen.median()",
            "np.median(seen)",
            'community["wait_days"].quantile(0.5)',
            Typed("{ref:.0f}"),
            Typed('"{ref:.0f} "'),
            "int(seen.median())",
        ],
        "wrong": [
            ('community["wait_days"].mean()', "mean-not-median"),
            ('community["wait_days"].fillna(0).median()', "never-seen-as-zero"),
            ('community["wait_days"].median() / 7', "weeks-not-days"),
            ('waits["wait_days"].median()', "all-teams"),
            ("round(seen.mean())", "mean-not-median"),
            ('community["wait_days"].quantile(0.9)', "not-a-known-slip"),
            ("None", "value-from-print"),
        ],
    },
    "q1b": {
        "right": [
            '"a - most waits are short but a few are very long"',
            '"a"',
            '"A"',
            '"(a)"',
            "ex.q1b.options['a']",
            '"option a"',
        ],
        "wrong": [
            ('"b"', "median-always-smaller"),
            ('"c"', "mean-leaves-out"),
            ('"d"', "median-includes-never-seen"),
            ('"median"', "not-an-option"),
            ("1", "not-an-option"),
        ],
    },
    "q2": {
        "right": [
            '(had_28_days["wait_days"] <= 28).mean() * 100',
            "within.sum() / len(had_28_days) * 100",
            "round(within.mean() * 100, 1)",
            Typed("{ref:.1f}"),
            Typed('"{ref:.1f}%"'),
            "np.mean(within) * 100",
            "round(within.mean() * 100, 2)",
        ],
        "wrong": [
            ("within.mean()", "proportion-not-percentage"),
            ('(had_28_days["wait_days"].dropna() <= 28).mean() * 100', "denominator-seen-only"),
            ('(community["wait_days"] <= 28).mean() * 100', "denominator-all-referrals"),
            ('(had_28_days["wait_days"] < 28).mean() * 100', "strictly-less-than"),
            ('(had_28_days["wait_days"] > 28).mean() * 100', "not-a-known-slip"),
            ('(community["wait_days"].dropna() <= 28).mean() * 100', "denominator-seen-only"),
            ("within.sum()", "not-a-known-slip"),
        ],
    },
    "q3": {
        "right": [
            'community.groupby("imd_decile")["wait_days"].median()',
            'community.groupby("imd_decile")["wait_days"].median().round(1)',
            'community.groupby("imd_decile")["wait_days"].median().astype(int)',
            'community.groupby("imd_decile")["wait_days"].median().to_dict()',
            'community.groupby("imd_decile")["wait_days"].median().reset_index()',
            'community.groupby("imd_decile")["wait_days"].median().sort_values()',
            'community.groupby("imd_decile").agg(median=("wait_days", "median"))',
        ],
        "wrong": [
            ('community.groupby("imd_decile")["wait_days"].mean()', "mean-not-median"),
            (
                'community.assign(wait_days=community["wait_days"].fillna(0))'
                '.groupby("imd_decile")["wait_days"].median()',
                "never-seen-as-zero",
            ),
            ('community.groupby("imd_decile")["wait_days"].median() / 7', "weeks-not-days"),
            ('waits.groupby("imd_decile")["wait_days"].median()', "all-teams"),
            ('community.groupby("imd_decile")["wait_days"].median().head(5)', "wrong-rows"),
            ('community.groupby("service_team_type")["wait_days"].median()', "wrong-rows"),
        ],
    },
    "q3b": {
        "right": ['"a"', '"A"', '"The most deprived deciles (1 and 2)."', '"(a)"', '"a."'],
        "wrong": [
            ('"b"', "deciles-upside-down"),
            ('"d"', "no-difference"),
            ('"c"', "another-option"),
            ('"1 and 2"', "not-an-option"),
            ("1", "not-an-option"),
        ],
    },
}
