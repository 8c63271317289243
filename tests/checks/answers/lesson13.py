"""Lesson 13, Body and mind: realistic answers and how each is judged.

The right options of exercises 2 and 5 follow the learner's dataset, so they and the numbers
are written from the reference value (:class:`answers.Typed`).
"""

from answers import Typed, sig
from mhtrain.checks import lesson13

SETUP = """
observed_13 = result["observed"].iloc[0]
expected_13 = result["expected"].iloc[0]
"""


def _others(ref, namespace):
    """The option keys that are not the right one, in order."""
    return [key for key in ("a", "b", "c") if key != ref]


def _choice_answers(qid: str) -> dict:
    """Realistic answers to a choice whose right option the data decide."""
    return {
        "right": [
            Typed('"{ref}"'),
            Typed('"{u}"', u=lambda ref, ns: ref.upper()),
            Typed('"({ref})"'),
            Typed('["{ref}"]'),
            Typed(f"ex.{qid}.options[{{ref!r}}]"),
            Typed('"option {ref}"'),
        ],
        "wrong": [
            (Typed('"{w}"', w=lambda ref, ns: _others(ref, ns)[0]), "another-option"),
            (Typed('"{w}"', w=lambda ref, ns: _others(ref, ns)[1]), "another-option"),
            (
                Typed(f"ex.{qid}.options[{{w!r}}]", w=lambda ref, ns: _others(ref, ns)[0]),
                "another-option",
            ),
            ('"d"', "not-an-option"),
            ('"decile 1"', "not-an-option"),
            ('["a", "b"]', "wrong-form"),
        ],
    }


ANSWERS = {
    "q1": {
        "right": [
            'register["all_six_checks"].mean() * 100',
            'register["all_six_checks"].sum() / len(register) * 100',
            "round(percent_all_six, 1)",
            Typed("{ref:.1f}"),
            Typed("{ref:.2f}"),
            Typed('"{ref:.1f}%"'),
        ],
        "wrong": [
            ('register["all_six_checks"].mean()', "proportion-not-percentage"),
            ('register["all_six_checks"].sum()', "count-not-percentage"),
            (
                'register.filter(like="_date").drop(columns="registered_date")'
                ".notna().any(axis=1).mean() * 100",
                "any-check",
            ),
            (
                'register["all_six_checks"].sum() / data.population["residents"].sum() * 100',
                "residents-denominator",
            ),
            (Typed("{v}", v=sig(1)), "not-a-known-slip"),
        ],
    },
    "q2": _choice_answers("q2"),
    "q3": {
        "right": [
            "len(linked) / len(register) * 100",
            "on_register.sum() / len(register) * 100",
            "round(percent_died, 2)",
            Typed("{ref:.2f}"),
            Typed("{ref:.1f}"),
            Typed('"{ref:.2f}%"'),
        ],
        "wrong": [
            ("len(linked)", "count-not-percentage"),
            ("len(linked) / len(register)", "proportion-not-percentage"),
            ("len(linked) / len(deaths) * 100", "share-of-deaths"),
            ("len(deaths) / len(register) * 100", "all-deaths"),
            (
                'linked["age_band"].isin(by_band["age_band"]).sum() / len(register) * 100',
                "only-premature",
            ),
        ],
    },
    "q4": {
        "right": [
            "smr",
            'result["ratio"].iloc[0]',
            'by_band["events"].sum() / by_band["expected"].sum()',
            "round(smr, 2)",
            Typed("{ref:.2f}"),
            Typed("{v}", v=sig(2)),
        ],
        "wrong": [
            ("observed_13", "observed-count"),
            ("expected_13", "expected-count"),
            ("smr * 100", "per-100"),
            ("expected_13 / observed_13", "upside-down"),
            (Typed("{v:.2f}", v=lambda ref, ns: lesson13._crude_ratio(ns["data"])), "crude-ratio"),
        ],
    },
    "q4b": {
        "right": [
            "smr_lower",
            'result["lower"].iloc[0]',
            "round(smr_lower, 2)",
            Typed("{ref:.2f}"),
            Typed("{ref:.3g}"),
            Typed("{v}", v=sig(2)),
        ],
        "wrong": [
            ('result["upper"].iloc[0]', "upper-limit"),
            ('round(result["upper"].iloc[0], 2)', "upper-limit"),
            ("smr", "the-ratio"),
            ('round(result["ratio"].iloc[0], 2)', "the-ratio"),
            ('result[["lower", "upper"]].iloc[0].tolist()', "wrong-form"),
        ],
    },
    "q5": _choice_answers("q5"),
}
