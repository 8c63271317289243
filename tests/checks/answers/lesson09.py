"""Lesson 9, Telling it responsibly: realistic answers and how each is judged."""

from dataclasses import replace

from answers import Typed, sig


def EDIT_DATA(data):
    """The shipped data with only 3 detentions of White people under 18 kept.

    White is the largest group, so that is the one small count in its row: a row that needs
    secondary suppression, whatever the shipped data hold (exercise 2's wrong method of
    hiding only the small counts can then be told from the right one).
    """
    from mhtrain import broad_ethnic_group

    detentions = data.mha_detentions
    people = data.people.set_index("person_id").loc[detentions["person_id"]]
    white = broad_ethnic_group(people["ethnic_category"]).to_numpy() == "White"
    under_18 = people["age"].to_numpy() < 18
    dropped = detentions.index[white & under_18][3:]
    tables = {**data.tables, "mha_detentions": detentions.drop(index=dropped)}
    return replace(data, tables=tables)


SETUP = """
with_totals_9 = counts.copy()
with_totals_9["Total"] = with_totals_9.sum(axis=1)
with_totals_9.loc["Total"] = with_totals_9.sum()
safe_9 = stats.disclosure_control(counts, margins=True)


def by_hand_9(table, *, low=1, high=7, zeros=False, rounding=True):
    out = table.astype(object).copy()
    for row in out.index:
        for col in out.columns:
            value = int(table.loc[row, col])
            if (low <= value <= high) or (zeros and value == 0):
                out.loc[row, col] = "*"
            elif rounding:
                out.loc[row, col] = int(5 * round(value / 5))
    return out


sizes_9 = data.people.groupby(["age", "sex", "ethnic_category", "area_code"]).size()
"""

ANSWERS = {
    "q1": {
        "right": [
            '"B) because its axis does not start at zero"',
            '"b"',
            '"Chart B"',
            '"chart b"',
            '"B"',
            "ex.q1.options['b']",
        ],
        "wrong": [
            ('"a"', "zero-hides-gaps"),
            ('"Chart A"', "zero-hides-gaps"),
            ('"c"', "same-numbers-same-message"),
            ('"neither"', "not-an-option"),
            ('"Chart D"', "not-an-option"),
        ],
    },
    "q2": {
        "right": [
            "stats.disclosure_control(counts, margins=True)",
            "safe_9.astype(str)",
            "safe_9.map(lambda v: v if v == '*' else float(v))",
            "safe_9.loc[['White', 'Asian', 'Black', 'Mixed', 'Other', 'Unknown', 'Total']]",
            "safe_9[['Total', 'Under 18', '18 to 24', '25 to 64', '65 and over']]",
        ],
        "wrong": [
            ("stats.disclosure_control(counts, margins=True, base=1)", "not-rounded"),
            ("stats.disclosure_control(counts, margins=True, smallest_shown=6)", "hid-up-to-5"),
            ("stats.disclosure_control(counts)", "no-totals"),
            ("by_hand_9(with_totals_9)", "no-secondary-suppression"),
            ("with_totals_9", "rows-differ"),
            ("stats.disclosure_control(counts, margins=True).drop(index='Total')", "wrong-rows"),
            ("safe_9['Total']", "wrong-form"),
        ],
    },
    "q2b": {
        "right": ['"b"', '"B"', '"(b)"', "ex.q2b.options['b']", '"option b"'],
        "wrong": [
            ('"a"', "star-is-enough"),
            ('"c"', "only-a-range"),
            ('"5"', "not-an-option"),
            ('"nothing"', "not-an-option"),
            ("None", "value-from-print"),
        ],
    },
    "q3": {
        "right": [
            "(sizes_9 == 1).sum()",
            'data.people.groupby(["age", "sex", "ethnic_category", "area_code"]).size().eq(1).sum()',
            Typed("{ref:.0f}"),
            Typed('"{ref:,.0f}"'),
            "int((sizes_9 == 1).sum())",
            '(~data.people.duplicated(subset=["age", "sex", "ethnic_category", "area_code"], '
            "keep=False)).sum()",
        ],
        "wrong": [
            ("len(sizes_9)", "counted-combinations"),
            ("(sizes_9 > 1).sum()", "not-a-known-slip"),
            ("sizes_9[sizes_9 > 1].sum()", "counted-shared"),
            (
                'data.people.groupby(["age_band", "sex", "ethnic_category", "area_code"]).size()'
                ".eq(1).sum()",
                "used-age-band",
            ),
            ("(sizes_9 == 1).sum() / len(data.people) * 100", "percentage-not-count"),
            (Typed("{v}", v=sig(2)), "rounded-too-far"),
        ],
    },
    "q3b": {
        "right": ['"c"', '"C"', '"More people are unique."', '"more people are unique"', '"(c)"'],
        "wrong": [
            ('"a"', "fields-hide-people"),
            ('"b"', "no-change"),
            ('"Fewer people are unique"', "fields-hide-people"),
            ('"more"', "not-an-option"),
            ("3", "not-an-option"),
        ],
    },
}
