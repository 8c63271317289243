"""Lesson 0, Getting started: realistic answers and how each is judged."""

ANSWERS = {
    "q1": {
        "right": [
            "people_in_contact / residents * 100",
            "round(people_in_contact / residents * 100, 1)",
            "6.6",
            "np.float64(6.6)",
            '"6.6%"',
            'len(data.people) / data.population["residents"].sum() * 100',
            "66000 / 1000000 * 100",
        ],
        "wrong": [
            ("people_in_contact / residents", "proportion-not-percentage"),
            ("round(66000 / 1000000, 3)", "proportion-not-percentage"),
            ("residents / people_in_contact * 100", "upside-down"),
            ("people_in_contact", "count-not-percentage"),
            ("7", "rounded-too-far"),
            ("(6, 6)", "commas-make-a-tuple"),
            ("None", "value-from-print"),
            ("len(data.referrals) / residents * 100", "not-a-known-slip"),
        ],
    },
    "q2": {
        "right": [
            '"b"',
            '"B"',
            '" b "',
            '"(b)"',
            '"Option B"',
            "ex.q2.options['b']",
        ],
        "wrong": [
            ('"a"', "deidentified-not-synthetic"),
            ('"A)"', "deidentified-not-synthetic"),
            ('"c"', "sample-not-synthetic"),
            ('"They are a small random sample of real patients"', "not-an-option"),
            ('"synthetic"', "not-an-option"),
            ("True", "wrong-form"),
        ],
    },
}
