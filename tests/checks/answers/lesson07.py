"""Lesson 7, Missing voices: realistic answers and how each is judged."""

from answers import Typed, sig

SETUP = """
codes_7 = data.people["ethnic_category"]
missing_7 = codes_7.isin(["Z", "99"])
people_7 = data.people.merge(data.areas, on="area_code")
people_7["missing"] = people_7["ethnic_category"].isin(["Z", "99"])
by_provider_7 = people_7.groupby("provider_code")["missing"].mean() * 100
valid_7 = mhtrain.codes("ethnic_category")["code"]
once_7 = messy.people.drop_duplicates(subset="person_id")
"""

ANSWERS = {
    "q1": {
        "right": [
            'data.people["ethnic_category"].isin(["Z", "99"]).mean() * 100',
            "missing_7.sum() / len(data.people) * 100",
            "round(missing_7.mean() * 100, 1)",
            Typed("{ref:.1f}"),
            Typed("{ref:.2f}"),
            Typed('"{ref:.1f}%"'),
            "(codes_7.value_counts()[['Z', '99']].sum() / len(codes_7)) * 100",
        ],
        "wrong": [
            ('(codes_7 == "Z").mean() * 100', "only-not-stated"),
            ('(codes_7 == "99").mean() * 100', "only-not-known"),
            ('codes_7.isin(["Z", "99", "S"]).mean() * 100', "any-other-counted-as-missing"),
            ("missing_7.mean()", "proportion-not-percentage"),
            ("missing_7.sum()", "count-not-percentage"),
            ('missing_7.sum() / data.population["residents"].sum() * 100', "residents-denominator"),
            ("(11, 8)", "commas-make-a-tuple"),
        ],
    },
    "q1b": {
        "right": ['"b"', '"About 1 in 10"', '"1 in 10"', '"B"', '"(b)"'],
        "wrong": [
            ('"a"', "another-option"),
            ('"c"', "another-option"),
            ('"About 1 in 2"', "another-option"),
            ('"1 in 8"', "not-an-option"),
            ("10", "not-an-option"),
        ],
    },
    "q2": {
        "right": [
            'people_7.groupby("provider_code")["missing"].mean() * 100',
            "by_provider_7.round(1)",
            "by_provider_7.round(2)",
            "by_provider_7.sort_values(ascending=False)",
            "by_provider_7.to_dict()",
            'by_provider_7.rename("% missing").reset_index()',
        ],
        "wrong": [
            ('people_7.groupby("area_code")["missing"].mean() * 100', "by-area-not-provider"),
            (
                'people_7.assign(m=people_7["ethnic_category"] == "Z")'
                '.groupby("provider_code")["m"].mean() * 100',
                "only-not-stated",
            ),
            (
                'people_7.assign(m=people_7["ethnic_category"].isin(["Z", "99", "S"]))'
                '.groupby("provider_code")["m"].mean() * 100',
                "any-other-counted-as-missing",
            ),
            ('people_7.groupby("provider_code")["missing"].sum()', "count-not-percentage"),
            ('people_7.groupby("provider_code")["missing"].mean()', "too-small-x100"),
            ("by_provider_7.round(0)", "rounded-too-far"),
        ],
    },
    "q3": {
        "right": [
            '"d"',
            '"SYNP4"',
            "by_provider_7.idxmax()",
            '"Harbourside Health and Care NHS Trust"',
            '"synp4"',
        ],
        "wrong": [
            ("by_provider_7.idxmin()", "best-not-worst"),
            ('"a"', "best-not-worst"),
            ('"SYNP1 Riverside Mental Health NHS Trust"', "best-not-worst"),
            ('"e"', "another-option"),
            ('"SYN07"', "not-an-option"),
            ('"Harbourside"', "not-an-option"),
        ],
    },
    "q4": {
        "right": [
            'messy.people.duplicated(subset="person_id").sum()',
            'len(messy.people) - messy.people["person_id"].nunique()',
            "len(messy.people) - len(data.people)",
            Typed("{ref:.0f}"),
            Typed("{ref:.1f}"),
            'int(messy.people["person_id"].duplicated().sum())',
            "messy.people.duplicated().sum()",
        ],
        "wrong": [
            (
                'messy.people.duplicated(subset="person_id", keep=False).sum()',
                "all-rows-of-duplicated-ids",
            ),
            ("len(messy.people)", "all-rows"),
            ('messy.people["person_id"].nunique()', "distinct-people"),
            ("len(data.people)", "distinct-people"),
            ("messy.people.size", "not-a-known-slip"),
            ("700", "not-a-known-slip"),
        ],
    },
    "q4b": {
        "right": ['"b"', "2", '"2"', '"B"', "2.0", '"two"'],
        "wrong": [
            ('"c"', "all-rows-of-duplicated-ids"),
            ("3", "all-rows-of-duplicated-ids"),
            ("1", "one-copy"),
            ("0", "not-an-option"),
            ('"all of them"', "not-an-option"),
        ],
    },
    "q5": {
        "right": [
            "(~once_7['ethnic_category'].isin(valid_7)).sum()",
            "len(once_7) - once_7['ethnic_category'].isin(valid_7).sum()",
            Typed("{ref:.0f}"),
            Typed("np.int64({ref:.0f})"),
            "int((~once_7['ethnic_category'].isin(valid_7)).sum())",
        ],
        "wrong": [
            (
                "(~once_7['ethnic_category'].isin(valid_7) | once_7['ethnic_category'].isin(['Z', '99'])).sum()",
                "missing-counted-as-invalid",
            ),
            ("(~messy.people['ethnic_category'].isin(valid_7)).sum()", "before-deduplication"),
            (
                "once_7.loc[~once_7['ethnic_category'].isin(valid_7), 'ethnic_category'].nunique()",
                "distinct-codes",
            ),
            ("(~once_7['ethnic_category'].isin(valid_7)).mean() * 100", "not-a-known-slip"),
            (Typed("{v}", v=sig(2)), "rounded-too-far"),
        ],
    },
}
