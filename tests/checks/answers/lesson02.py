"""Lesson 2, Counting fairly: realistic answers and how each is judged."""

ANSWERS = {
    "q1": {
        "right": [
            'detentions.groupby("broad_group").size().astype("Int64")',
            'detentions.groupby("broad_group").size()',
            'detentions["broad_group"].value_counts()',
            'detentions["broad_group"].value_counts().sort_index()',
            'detentions.groupby("broad_group").size().astype(float)',
            'detentions.groupby("broad_group").size().to_dict()',
            'detentions.groupby("broad_group").size().reset_index(name="detentions")',
            'detentions.groupby("broad_group")["detention_id"].count()',
        ],
        "wrong": [
            (
                'detentions.groupby("broad_group")["person_id"].nunique()',
                "counted-people-not-detentions",
            ),
            ('people.groupby("broad_group").size()', "counted-people-in-contact"),
            ('detentions.groupby("broad_group").size().drop("Unknown")', "wrong-rows"),
            ('detentions["broad_group"].value_counts(normalize=True)', "rows-differ"),
            ("len(detentions)", "wrong-form"),
            ('list(detentions["broad_group"].value_counts().sort_values())', "list-without-labels"),
        ],
    },
    "q1b": {
        "right": ['"a"', '"White"', '"white"', 'table["detentions"].idxmax()', '"A"'],
        "wrong": [
            ('"d"', "another-option"),
            ('"Black"', "another-option"),
            ('"f"', "another-option"),
            ('"Unknown group"', "not-an-option"),
            ("564", "not-an-option"),
        ],
    },
    "q2": {
        "right": ['"b"', '"B"', '"The number of residents in that group."', '"(b)"', '"b)"'],
        "wrong": [
            ('"a"', "whole-population"),
            ('"c"', "people-in-contact"),
            ('"d"', "share-of-detentions"),
            ('"residents"', "not-an-option"),
            ('"e"', "not-an-option"),
        ],
    },
    "q3": {
        "right": [
            'rates["rate"].rename(index=str.lower)',
            "rates",
            'table["detentions"] / table["residents"] * 100_000',
            'rates["rate"]',
            'rates["rate"].round(1)',
            'rates["rate"].round(0)',
            'rates[["rate"]]',
            'rates["rate"].sort_values(ascending=False)',
            '(table["detentions"] / table["residents"] * 100_000).to_dict()',
            'rates["rate"].round(2).astype("float32")',
        ],
        "wrong": [
            ('table["detentions"] / table["residents"]', "forgot-100000"),
            ('table["detentions"]', "count-not-rate"),
            (
                'table["detentions"] / table["residents"].sum() * 100_000',
                "whole-population-denominator",
            ),
            (
                'table["detentions"] / table["people_in_contact"] * 100_000',
                "people-in-contact-denominator",
            ),
            ('table["detentions"] / table["detentions"].sum() * 100', "share-of-detentions"),
            ('table["detentions"] / table["residents"] * 100', "too-small-x1000"),
            ('rates["rate"].round(-1)', "rounded-too-far"),
            ('rates["rate"].drop("Other")', "wrong-rows"),
        ],
    },
    "q3b": {
        "right": ['"d"', '"Black"', 'rates["rate"].idxmax()', '" black "', '"D"'],
        "wrong": [
            ('"a"', "count-not-rate"),
            ('"White"', "count-not-rate"),
            ('"e"', "another-option"),
            ('"Other"', "another-option"),
            ('"Black Caribbean"', "not-an-option"),
        ],
    },
    "q4": {
        "right": ['"b"', '"B"', '"(b)"', '"answer b"', "ex.q4.options['b']"],
        "wrong": [
            ('"a) nothing is wrong"', "count-is-risk"),
            ('"a"', "count-is-risk"),
            ('"c"', "share-is-risk"),
            ('"Nothing"', "not-an-option"),
            ('"d"', "not-an-option"),
            ("2", "not-an-option"),
        ],
    },
}
