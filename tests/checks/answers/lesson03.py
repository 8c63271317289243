"""Lesson 3, Comparing groups: realistic answers and how each is judged."""

from answers import Typed, sig
from mhtrain.checks import lesson03
from mhtrain.checks.lesson03 import _COUNT_OPTIONS

SETUP = """
black = by_group.loc["Black"]
white = by_group.loc["White"]
rates_by_hand = by_group["detentions"] / by_group["residents"] * 100_000
"""

ANSWERS = {
    "q1": {
        "right": [
            'list(ratios.loc[ratios["ethnic_group"] == "Black", "rate_ratio"])',
            "(black['detentions'] / black['residents']) / (white['detentions'] / white['residents'])",
            "rates_by_hand['Black'] / rates_by_hand['White']",
            "round(rates_by_hand['Black'] / rates_by_hand['White'], 2)",
            Typed("{v}", v=sig(2)),
            Typed("{ref:.3g}"),
            "round(rates_by_hand['Black'], 1) / round(rates_by_hand['White'], 1)",
            "np.float32(rates_by_hand['Black'] / rates_by_hand['White'])",
            Typed('"{ref:.3g}"'),
        ],
        "wrong": [
            ("black['detentions'] / white['detentions']", "ratio-of-counts"),
            ("rates_by_hand['White'] / rates_by_hand['Black']", "upside-down"),
            ("rates_by_hand['Black'] - rates_by_hand['White']", "rate-difference"),
            (
                "(black['detentions'] / by_group['residents'].sum()) "
                "/ (white['detentions'] / white['residents'])",
                "whole-population-denominator",
            ),
            (
                "rates_by_hand['Black'] / (by_group['detentions'].sum() / by_group['residents'].sum() * 100_000)",
                "not-a-known-slip",
            ),
            (Typed("{v}", v=sig(1)), "rounded-too-far"),
            ("(3, 36)", "commas-make-a-tuple"),
        ],
    },
    "q2": {
        "right": [
            "stats.rate_ratio(by_group.reset_index(), group='ethnic_group', reference='White', "
            "events='detentions', population='residents')",
            "ratios.round(2)",
            "ratios.set_index('ethnic_group')[['rate_ratio', 'ratio_lower', 'ratio_upper']]",
            "ratios.set_index('ethnic_group')[['rate_ratio', 'ratio_lower', 'ratio_upper']].round(3)",
            "ratios.sort_values('rate_ratio', ascending=False)",
            "stats.rate_ratio(by_group.reset_index(), group='ethnic_group', reference='White', "
            "events='detentions', population='residents', confidence=0.95)",
        ],
        "wrong": [
            (
                "stats.rate_ratio(by_group.reset_index(), group='ethnic_group', reference='Black', "
                "events='detentions', population='residents')",
                "wrong-reference",
            ),
            (
                "stats.rate_ratio(by_group.reset_index(), group='ethnic_group', reference='White', "
                "events='detentions', population='residents', confidence=0.9)",
                "confidence-90",
            ),
            (
                "stats.rate_ratio(by_group.reset_index(), group='ethnic_group', reference='White', "
                "events='detentions', population='residents', confidence=0.99)",
                "confidence-99",
            ),
            ("ratios.round(0)", "rounded-too-far"),
            ("ratios.set_index('ethnic_group')[['rate_ratio']]", "missing-columns"),
            ("ratios[ratios['ethnic_group'] != 'White']", "wrong-rows"),
        ],
    },
    "q2b": {
        "right": ['"c"', '"C"', '"(c)"', "ex.q2b.options['c']", '"option C"'],
        "wrong": [
            ('"a"', "percent-of-people"),
            ('"b"', "certain"),
            ('"d"', "covers-recording-errors"),
            ('"95%"', "not-an-option"),
            ("None", "value-from-print"),
        ],
    },
    "q3": {
        # The right count depends on the data: every answer is written from the reference.
        "right": [
            Typed('"{ref}"'),
            Typed('"{text}"', text=lambda ref, ns: _COUNT_OPTIONS[ref]),
            Typed("{n}", n=lambda ref, ns: _count(ref)),
            Typed('"{n}"', n=lambda ref, ns: _count(ref)),
            "outside.sum()",
            Typed('"{up}"', up=lambda ref, ns: ref.upper()),
            Typed('"{text}"', text=lambda ref, ns: _COUNT_OPTIONS[ref].lower()),
        ],
        "wrong": [
            (Typed('"{k}"', k=lambda ref, ns: _crossing(ns)), "counted-crossing"),
            (Typed("{n}", n=lambda ref, ns: _count(_crossing(ns))), "counted-crossing"),
            (Typed('"{k}"', k=lambda ref, ns: _others(ref, ns)[0]), "another-option"),
            (Typed('"{k}"', k=lambda ref, ns: _others(ref, ns)[-1]), "another-option"),
            (
                Typed('"{t}"', t=lambda ref, ns: _COUNT_OPTIONS[_others(ref, ns)[0]].lower()),
                "another-option",
            ),
        ],
    },
}


def _count(key: str) -> int:
    return list(_COUNT_OPTIONS).index(key)


def _crossing(ns: dict) -> str:
    """The option a learner picks who counts the intervals that cross 1."""
    return lesson03._groups_including_one(ns["data"])


def _others(ref: str, ns: dict) -> list[str]:
    """Options that no named mistake gives and that are not the right one."""
    named = {ref, _crossing(ns), lesson03._groups_with_dot_above_one(ns["data"])}
    return [key for key in _COUNT_OPTIONS if key not in named]
