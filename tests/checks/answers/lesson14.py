"""Lesson 14, Whose data?: realistic answers and how each is judged."""

from answers import Typed

SETUP = """
three_14 = ["age_band", "sex", "area_code"]
four_14 = [*three_14, "ethnic_group"]
"""


def _choice(right: str, qid: str, wrong: dict[str, str], text: str) -> dict:
    """Realistic answers to a choice: the right key written many ways, each wrong option."""
    return {
        "right": [
            f'"{right}"',
            f'"{right.upper()}"',
            f'" ({right}) "',
            f'["{right}"]',
            f"ex.{qid}.options['{right}']",
            f'"{right}) {text}"',
        ],
        "wrong": [
            *((f'"{key}"', name) for key, name in wrong.items()),
            *((f"ex.{qid}.options['{key}']", name) for key, name in list(wrong.items())[:1]),
            ('"z"', "not-an-option"),
            ("3", "not-an-option"),
            ('["a", "b"]', "wrong-form"),
        ],
    }


ANSWERS = {
    "q1": _choice(
        "c", "q1", {"a": "direct-care-nurse", "b": "direct-care-crisis"}, "counting detentions"
    ),
    "q2": _choice(
        "b",
        "q2",
        {"a": "opt-out-stops-care", "c": "opt-out-covers-anonymous"},
        "the research team",
    ),
    "q3": _choice(
        "a",
        "q3",
        {"b": "duty-to-share", "c": "aware-of-responsibilities"},
        "minimum necessary",
    ),
    "q4": _choice(
        "c",
        "q4",
        {"a": "safe-people", "b": "safe-settings", "d": "safe-projects"},
        "Safe outputs",
    ),
    "q5": {
        "right": [
            "sizes.min()",
            "int(sizes.min())",
            "people.groupby(three_14).size().min()",
            "sizes.sort_values().iloc[0]",
            Typed("{ref:.0f}"),
            Typed("{ref:.1f}"),
            Typed("np.int64({ref:.0f})"),
        ],
        "wrong": [
            ("len(sizes)", "counted-groups"),
            ("sizes.max()", "largest-group"),
            ("people.groupby(four_14).size().min()", "added-ethnic-group"),
            ("sizes.idxmin()", "wrong-form"),
            ("sizes.median() + 0.5", "not-a-known-slip"),
        ],
    },
    "q6": {
        "right": [
            "(group_sizes == 1).sum()",
            "int((group_sizes == 1).sum())",
            "len(group_sizes[group_sizes == 1])",
            "group_sizes.eq(1).sum()",
            'linked_risk.loc[linked_risk.index[1], "people alone"]',
            Typed("{ref:.0f}"),
            Typed("np.int64({ref:.0f})"),
        ],
        "wrong": [
            ("len(group_sizes)", "counted-groups"),
            ("len(detained) - (group_sizes == 1).sum()", "counted-shared"),
            ("(people.groupby(four_14).size() == 1).sum()", "used-everyone"),
            (
                '(detained.groupby([*four_14, "detention_month"]).size() == 1).sum()',
                "added-month",
            ),
            ("(group_sizes == 1).sum() / len(detained) * 100", "percentage-not-count"),
            ("group_sizes == 1", "wrong-form"),
        ],
    },
    "q6b": _choice("c", "q6b", {"a": "fields-hide-people", "b": "no-change"}, "many more"),
    "q7": _choice(
        "b",
        "q7",
        {"a": "pseudonymised-is-anonymous", "c": "random-code-is-safe"},
        "still personal data",
    ),
    "q8": _choice("b", "q8", {"a": "a-survey-is-enough", "c": "names-needed"}, "every detention"),
    "q12": _choice(
        "b", "q12", {"a": "parents-always-decide", "c": "same-as-adult"}, "if they understand"
    ),
}
