"""Lesson 4, Like with like: realistic answers and how each is judged."""

from answers import Typed, sig

SETUP = """
rates_4 = by_age["detentions"] / by_age["residents"] * 100_000
black_4 = by_age.loc["Black"]
white_4 = by_age.loc["White"]
black_rates_4 = black_4["detentions"] / black_4["residents"] * 100_000
white_rates_4 = white_4["detentions"] / white_4["residents"] * 100_000
dsr_b = (black_rates_4 * weights).sum() / weights.sum()
dsr_w = (white_rates_4 * weights).sum() / weights.sum()
crude_b = black_4["detentions"].sum() / black_4["residents"].sum() * 100_000
crude_w = white_4["detentions"].sum() / white_4["residents"].sum() * 100_000
"""

ANSWERS = {
    "q1": {
        "right": [
            'by_age["detentions"] / by_age["residents"] * 100_000',
            "rates_4.round(1)",
            "rates_4.round(2)",
            "rates_4.to_frame('rate')",
            "rates_4.reset_index(name='rate')",
            "rates_4.sort_values()",
            "rates_4.swaplevel().sort_index()",
        ],
        "wrong": [
            ('by_age["detentions"] / by_age["residents"]', "too-small-x100000"),
            ('by_age["detentions"]', "rows-differ"),
            (
                'by_age["detentions"] / by_age.groupby(level="ethnic_group")["residents"]'
                '.transform("sum") * 100_000',
                "group-total-denominator",
            ),
            (
                'by_age["detentions"] / by_age.groupby(level="age_band")["residents"]'
                '.transform("sum") * 100_000',
                "all-groups-denominator",
            ),
            ("rates_4.loc[['Black', 'White']]", "wrong-rows"),
            ("rates_4.round(-1)", "rounded-too-far"),
        ],
    },
    "q1b": {
        "right": ['"a"', '"Under 15"', '"under 15"', '"A"', '"(a)"'],
        "wrong": [
            ('"c"', "another-option"),
            ('"65 and over"', "another-option"),
            ('"b"', "another-option"),
            ('"0-4"', "not-an-option"),
            ("15", "not-an-option"),
        ],
    },
    "q2": {
        "right": [
            "(black_rates * weights).sum() / weights.sum()",
            "dsr_b",
            "round(dsr_b, 1)",
            "round(dsr_b)",
            "(black_rates_4 * weights / 100_000).sum()",
            "np.average(black_rates_4, weights=weights)",
            'stats.directly_standardised_rate(by_age.loc[["Black"]].reset_index(), '
            'by="ethnic_group", events="detentions", population="residents")["dsr"].iloc[0]',
            "float(f'{dsr_b:.1f}')",
        ],
        "wrong": [
            ("crude_b", "crude-rate"),
            ("(black_rates_4 * weights).sum()", "forgot-total-weight"),
            ("black_rates_4.mean()", "unweighted-mean"),
            (
                '(black_rates_4 * black_4["residents"]).sum() / black_4["residents"].sum()',
                "crude-rate",
            ),
            ("dsr_w", "white-group"),
            ("(black_rates_4 * weights).sum() / 100", "too-large-x1000"),
            (Typed("{v}", v=sig(2)), "rounded-too-far"),
        ],
    },
    "q3": {
        "right": [
            'dsr_ratios.loc[dsr_ratios["ethnic_group"] == "Black", "dsr_ratio"]',
            "dsr_b / dsr_w",
            "round(dsr_b / dsr_w, 2)",
            Typed("{v}", v=sig(2)),
            Typed("{ref:.2f}"),
            'dsr_ratios.set_index("ethnic_group").loc["Black", "dsr_ratio"]',
            'side_by_side.loc["Black", "standardised ratio"]',
            "np.float64(dsr_b) / np.float64(dsr_w)",
        ],
        "wrong": [
            ("crude_b / crude_w", "crude-ratio"),
            ("dsr_w / dsr_b", "upside-down"),
            ("dsr_b - dsr_w", "rate-difference"),
            ("dsr_b / crude_w", "mixed-standardised-and-crude"),
            ("crude_b / dsr_w", "mixed-standardised-and-crude"),
            ("4", "rounded-too-far"),
            ("dsr_b", "not-a-known-slip"),
        ],
    },
    "q4": {
        "right": ['"a"', '"Bigger"', '"bigger"', '"A"', '"a)"'],
        "wrong": [
            ('"b"', "another-option"),
            ('"Smaller"', "another-option"),
            ('"c"', "another-option"),
            ('"the same"', "not-an-option"),
            ("3.6", "not-an-option"),
        ],
    },
}
