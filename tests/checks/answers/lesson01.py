"""Lesson 1, Meet the data: realistic answers and how each is judged."""

from answers import Typed, scaled

ANSWERS = {
    "q1": {
        "right": [
            "len(data.people)",
            "data.people.shape[0]",
            'data.people["person_id"].nunique()',
            Typed("{ref:.0f}"),
            Typed("{ref:_.0f}"),
            Typed("{ref:.1f}"),
            Typed("np.int64({ref:.0f})"),
            Typed('"{ref:,.0f}"'),
        ],
        "wrong": [
            ("len(data.referrals)", "counted-referrals"),
            ("len(data.population)", "counted-population-rows"),
            ("len(data.care_contacts)", "counted-care-contacts"),
            ('data.population["residents"].sum()', "counted-residents"),
            ("data.people.size", "counted-cells"),
            ("data.people.shape", "shape-not-count"),
            ("(66, 0)", "commas-make-a-tuple"),
            (Typed("{k}", k=scaled(1 / 1000, ".3f")), "too-small-x1000"),
        ],
    },
    "q1b": {
        "right": [
            '"b"',
            '"B"',
            '"b)"',
            '"The number of rows in people."',
            '"the number of rows in people"',
        ],
        "wrong": [
            ('"a"', "referrals-not-people"),
            ('"C"', "population-not-people"),
            ('"d"', "contacts-not-people"),
            ('"e"', "not-an-option"),
            ("2", "not-an-option"),
        ],
    },
    "q2": {
        "right": [
            'data.population["residents"].sum()',
            'int(data.population["residents"].sum())',
            "1000000",
            "1_000_000",
            "1e6",
            '"1,000,000"',
        ],
        "wrong": [
            ("len(data.population)", "counted-rows-not-residents"),
            ("len(data.people)", "people-in-contact-not-residents"),
            ('data.population["residents"].mean()', "not-a-known-slip"),
            ("(1, 0, 0)", "commas-make-a-tuple"),
            ("data.population.size", "counted-cells"),
            ("100000", "too-small-x10"),
        ],
    },
    "q2b": {
        "right": ['"b"', '"B."', '"option b"', "ex.q2b.options['b'].upper()", '" (B) "'],
        "wrong": [
            ('"a"', "row-is-a-person"),
            ('"c"', "population-is-people-in-contact"),
            ('"One person who lives in the area"', "row-is-a-person"),
            ('"residents"', "not-an-option"),
            ("None", "value-from-print"),
        ],
    },
    "q3": {
        "right": ['"b"', '"mha_detentions"', '"MHA_detentions"', '"B"', '"data.mha_detentions"'],
        "wrong": [
            ('"a"', "spell-not-detention"),
            ('"inpatient_spells"', "spell-not-detention"),
            ('"people"', "people-not-detention"),
            ('"restrictive_interventions"', "restraint-not-detention"),
            ('"detentions"', "not-an-option"),
        ],
    },
    "q4": {
        "right": ['"b"', '"B"', '"The person did not attend and gave no warning"', '"(b)"', '"b."'],
        "wrong": [
            ('"a"', "attended"),
            ('"c"', "cancelled-by-person"),
            ('"d"', "cancelled-by-provider"),
            ('"did not attend"', "not-an-option"),
            ("3", "not-an-option"),
        ],
    },
    "q5": {
        "right": [
            '(data.referrals["referral_source"] == "E1").mean() * 100',
            "from_police / len(data.referrals) * 100",
            "round(from_police / len(data.referrals) * 100, 1)",
            Typed("{ref:.1f}"),
            Typed("{ref:.3g}"),
            Typed("{ref:.2f}"),
            Typed('"{ref:.1f}%"'),
            'data.referrals["referral_source"].value_counts(normalize=True)["E1"] * 100',
        ],
        "wrong": [
            ('(data.referrals["referral_source"] == "E1").sum()', "count-not-percentage"),
            ('(data.referrals["referral_source"] == "E1").mean()', "proportion-not-percentage"),
            ("from_police / len(data.people) * 100", "divided-by-people"),
            (
                'data.referrals["referral_source"].isin(["E1", "E2"]).mean() * 100',
                "added-courts",
            ),
            (Typed("{near}", near=lambda ref, ns: f"{ref - 0.1:.2f}"), "not-a-known-slip"),
            ("from_police / 1000000 * 100", "not-a-known-slip"),
        ],
    },
    "q5b": {
        "right": [
            '"a"',
            '"A"',
            '"(a)"',
            '"Fewer than 1 in 10 referrals (under 10%)."',
            '"option a"',
        ],
        "wrong": [
            ('"b"', "another-option"),
            ('"c"', "another-option"),
            ('"under 10"', "not-an-option"),
            ("4", "not-an-option"),
            ("0.04", "not-an-option"),
        ],
    },
}
