"""Lesson 11, the capstone: realistic answers to the one auto-checked choice.

Any of the three questions is right; what can be wrong is only the form of the answer.
"""

ANSWERS = {
    "q1": {
        "right": [
            '["a"]',
            '"a"',
            '"B"',
            '"Question C"',
            '"question a"',
            '"(b)"',
            "ex.q1.options['c']",
            '"c."',
        ],
        "wrong": [
            ('"d"', "not-an-option"),
            ('"Question D"', "not-an-option"),
            ("1", "not-an-option"),
            ('"deprivation"', "not-an-option"),
            ("None", "value-from-print"),
            ('["a", "b"]', "wrong-form"),
        ],
    },
}
