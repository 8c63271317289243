"""Checks for lesson 8, Comparing services fairly: recovery by area, funnel plots, league tables."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from mhtrain.checks import (
    ALIAS,
    CORRECT,
    ChoiceExercise,
    FreeTextExercise,
    Misconception,
    NumberExercise,
    TableExercise,
)
from mhtrain.checks.core.base import ValueExercise
from mhtrain.checks.core.feedback import describe_type, list_labels

# The areas as the scenario names them; a test checks this list against the data's areas table.
AREAS = {
    "SYN01": "Riverside North",
    "SYN02": "Riverside South",
    "SYN03": "Eastport",
    "SYN04": "Westfield Hills",
    "SYN05": "Millbrook",
    "SYN06": "Oakley Vale",
    "SYN07": "Harbourside",
    "SYN08": "Ashgrove",
    "SYN09": "Northgate",
    "SYN10": "Kingsmere",
    "SYN11": "Fenmoor",
    "SYN12": "Stonecross",
}

#: The size of the imaginary service in Exercise 2: people who finished a course of treatment.
LIMIT_DENOMINATOR = 400

_NONE_WORDS = {"none", "no areas", "no area", "nothing", "no", "0", "zero"}


# --------------------------------------------------------------------------------------------
# Reference values from the data.
# --------------------------------------------------------------------------------------------


def _finished(data: Any) -> pd.DataFrame:
    """Referrals that finished a course of treatment and were at caseness at the start."""
    tt = data.talking_therapies
    return tt[tt["finished_treatment"].astype(bool) & tt["caseness_first"].astype(bool)]


def _recovery_by_area(data: Any) -> pd.Series:
    return _finished(data).groupby("area_code")["recovered"].mean() * 100


def _overall_recovery(data: Any) -> float:
    return float(_finished(data)["recovered"].mean() * 100)


def _area_counts(data: Any) -> pd.DataFrame:
    finished = _finished(data)
    grouped = finished.groupby("area_code")["recovered"]
    return pd.DataFrame({"recovered": grouped.sum(), "finished": grouped.size()}).reset_index()


def _funnel(data: Any) -> pd.DataFrame:
    from mhtrain import stats

    return stats.funnel_table(_area_counts(data), numerator="recovered", denominator="finished")


def _areas_at(data: Any, positions: Iterable[str]) -> list[str]:
    table = _funnel(data)
    return sorted(table.loc[table["position"].isin(list(positions)), "area_code"].astype(str))


def _limits(data: Any, level: float) -> pd.Series:
    from mhtrain import stats

    limits = stats.funnel_limits([LIMIT_DENOMINATOR], _overall_recovery(data), levels=(level,))
    return limits.iloc[0]


# --------------------------------------------------------------------------------------------
# Exercise 1: recovery rate by area.
# --------------------------------------------------------------------------------------------


def _per_referral(data: Any) -> pd.Series:
    tt = data.talking_therapies
    return tt.groupby("area_code")["recovered"].mean() * 100


def _per_finished(data: Any) -> pd.Series:
    tt = data.talking_therapies
    done = tt[tt["finished_treatment"].astype(bool)]
    return done.groupby("area_code")["recovered"].mean() * 100


q1 = TableExercise(
    "q1",
    variable="recovery_by_area",
    prompt="The Talking Therapies recovery rate (%) for each area.",
    expected=_recovery_by_area,
    quantity="percentage",
    hints=[
        "Start from the table `finished`: referrals that finished a course of treatment and "
        "were at caseness at the start. Those are the only referrals whose recovery counts.",
        "The column `recovered` is True or False. Its mean within a group is the share who "
        'recovered: finished.groupby("area_code")["recovered"].mean().',
        "Multiply that share by 100 to make it a percentage.",
    ],
    misconceptions=[
        Misconception(
            "You divided by every referral. Recovery is measured only for referrals that "
            "finished a course of treatment and were at caseness at the start: start from the "
            "table `finished`.",
            compute=_per_referral,
            name="all-referrals-denominator",
        ),
        Misconception(
            "You kept every referral that finished treatment, including people who were not at "
            "caseness at the start. They cannot 'recover', because they were below the "
            "thresholds already: start from the table `finished`.",
            compute=_per_finished,
            name="finished-without-caseness",
        ),
        Misconception(
            "These are counts of people who recovered, not rates. A bigger area has more "
            "recoveries just because it is bigger: take the mean of `recovered`, not the sum.",
            compute=lambda data: _finished(data).groupby("area_code")["recovered"].sum(),
            name="count-not-rate",
        ),
    ],
)


_AREA_OPTIONS = {
    chr(ord("a") + i): f"{code} {name}" for i, (code, name) in enumerate(AREAS.items())
}


def _option_of_area(code: str) -> str:
    for key, text in _AREA_OPTIONS.items():
        if text.split(" ", 1)[0] == code:
            return key
    raise KeyError(code)


q1b = ChoiceExercise(
    "q1b",
    variable="answer_q1b",
    prompt="Which area has the highest recovery rate?",
    options=_AREA_OPTIONS,
    answer=lambda data: _option_of_area(str(_recovery_by_area(data).idxmax())),
    hints=[
        "Look at the league table above: it is sorted from the highest recovery rate to the "
        "lowest.",
        "The area in the first row (rank 1) has the highest rate. Answer with its letter from "
        f"{ALIAS}.q1b.show_options(), or with its area code in quote marks.",
    ],
    misconceptions=[
        Misconception(
            "That area has the most people who recovered, but it also has more people who "
            "finished treatment. Compare rates (percentages), not counts.",
            compute=lambda data: _option_of_area(
                str(_finished(data).groupby("area_code")["recovered"].sum().idxmax())
            ),
            name="count-not-rate",
        ),
        Misconception(
            "That area has the lowest recovery rate: it is at the bottom of the table, not the "
            "top.",
            compute=lambda data: _option_of_area(str(_recovery_by_area(data).idxmin())),
            name="lowest-not-highest",
        ),
    ],
)


# --------------------------------------------------------------------------------------------
# Exercise 2: a control limit by hand.
# --------------------------------------------------------------------------------------------

q2 = NumberExercise(
    "q2",
    variable="upper_limit",
    prompt=(
        f"The upper 99.8% control limit (%) for a service where {LIMIT_DENOMINATOR} people "
        "finished treatment, around the overall recovery rate."
    ),
    expected=lambda data: float(_limits(data, 0.998)["upper_99_8"]),
    quantity="limit",
    hints=[
        "Turn the overall recovery rate into a proportion first: p = overall_recovery / 100.",
        f"The standard error is the square root of p * (1 - p) / {LIMIT_DENOMINATOR}. In "
        f"Python: (p * (1 - p) / {LIMIT_DENOMINATOR}) ** 0.5.",
        "For 99.8% limits, z is 3.09. The upper limit is p + z * standard error; multiply it "
        "by 100 to make it a percentage.",
    ],
    misconceptions=[
        Misconception(
            "This is the upper 95% limit: you used z = 1.96. The 99.8% limits use z = 3.09, "
            "about three standard errors.",
            compute=lambda data: float(_limits(data, 0.95)["upper_95"]),
            name="used-95-limit",
        ),
        Misconception(
            "This is the lower 99.8% limit. The question asks for the upper one: add z times "
            "the standard error to p instead of taking it away.",
            compute=lambda data: float(_limits(data, 0.998)["lower_99_8"]),
            name="lower-not-upper",
        ),
        Misconception(
            "You used z = 3, a rough rule. The 99.8% limits use z = 3.09: close, but not the same.",
            compute=lambda data: _by_hand(data, 3.0),
            name="z-of-3",
        ),
        Misconception(
            "You used z = 2.58, which is the z value for a 99% limit. A 99.8% limit uses z = 3.09.",
            compute=lambda data: _by_hand(data, 2.58),
            name="z-for-99-percent",
        ),
        Misconception(
            "You used p = 50% (0.5) as the target. The target is the recovery rate for all "
            "areas together, overall_recovery: use p = overall_recovery / 100.",
            compute=lambda data: _by_hand(data, 3.09, p=0.5),
            name="p-of-50-percent",
        ),
        Misconception(
            "This is only the distance from the average to the limit (z times the standard "
            "error). Add it to the overall rate to get the limit itself.",
            compute=lambda data: float(
                _limits(data, 0.998)["upper_99_8"] - _overall_recovery(data)
            ),
            name="half-width-only",
        ),
        Misconception(
            "You left out the square root. The standard error is the square root of "
            f"p * (1 - p) / {LIMIT_DENOMINATOR}.",
            compute=lambda data: _by_hand(data, 3.09, root=False),
            name="no-square-root",
        ),
    ],
)


def _by_hand(data: Any, z: float, *, root: bool = True, p: float | None = None) -> float:
    p = _overall_recovery(data) / 100 if p is None else p
    variance = p * (1 - p) / LIMIT_DENOMINATOR
    return float((p + z * (variance**0.5 if root else variance)) * 100)


# --------------------------------------------------------------------------------------------
# Exercise 3: which areas lie outside the 99.8% limits? (a list of areas, possibly empty)
# --------------------------------------------------------------------------------------------


class AreaListExercise(ValueExercise):
    """An exercise whose answer is a list of areas (codes or names); an empty list means none.

    ``expected(data)`` gives the right area codes; the other fields are those of
    :class:`~mhtrain.checks.core.base.ValueExercise`.
    """

    kind = "list"
    default_advice = (
        "Look at the position column of the funnel table, or at the points beyond the outer "
        "(99.8%) lines of the funnel plot."
    )

    def _reference(self, data: Any) -> list[str]:
        return sorted(str(code) for code in self._expected(data))

    @staticmethod
    def _parts(answer: Any) -> list[str] | None:
        if isinstance(answer, str):
            text = answer.strip()
            if text.lower() in _NONE_WORDS:
                return []
            return [p.strip() for p in re.split(r"[,;\n]|\band\b", text) if p.strip()]
        if isinstance(answer, list | tuple | set | frozenset | pd.Index | pd.Series | np.ndarray):
            return [str(p).strip() for p in list(answer)]
        return None

    def _format_problem(self, answer: Any) -> str | None:
        if self._parts(answer) is None:
            return (
                f"Your answer is {describe_type(answer)}, but this question asks for a list of "
                'areas, such as ["SYN01", "SYN02"], or an empty list [] if there are none.'
            )
        return None

    @staticmethod
    def _codes_by_label(data: Any) -> dict[str, str]:
        areas = data.areas
        labels = {str(c).lower(): str(c) for c in areas["area_code"]}
        if "area_name" in areas.columns:
            labels |= {
                str(n).lower(): str(c)
                for c, n in zip(areas["area_code"], areas["area_name"], strict=True)
            }
        return labels

    def _compare(self, answer: Any, data: Any) -> Any:
        labels = self._codes_by_label(data)
        parts = self._parts(answer) or []
        unknown = [p for p in parts if p.lower() not in labels]
        if unknown:
            return self._not_yet(
                f"These are not areas in the data: {list_labels(unknown)}. Use the area codes "
                '(such as "SYN01") or the area names from the table.',
                "not-an-area",
            )
        chosen = {labels[p.lower()] for p in parts}
        expected = set(self.expected(data=data))
        if chosen == expected:
            return self._result(CORRECT, "well done, those are the areas outside the limits.")
        for misconception, wrong in self._misconception_values(data):
            if chosen == {str(w) for w in wrong}:
                return self._not_yet(misconception.message, misconception.name)
        reasons = []
        if chosen - expected:
            reasons.append("at least one area in your list lies inside the 99.8% limits")
        if expected - chosen:
            reasons.append("at least one area outside the 99.8% limits is missing from your list")
        return self._not_yet(f"Not quite: {'; and '.join(reasons)}. {self.advice}", "areas-differ")


def _league_ends(data: Any) -> list[str]:
    rates = _recovery_by_area(data)
    return sorted({str(rates.idxmax()), str(rates.idxmin())})


q3 = AreaListExercise(
    "q3",
    variable="areas_outside",
    prompt="Which areas lie outside the 99.8% control limits for recovery?",
    expected=lambda data: _areas_at(data, ["above 99.8%", "below 99.8%"]),
    quantity="number",
    hints=[
        "The funnel table has a column called position. It says where each area lies: within "
        "the limits, between the 95% and 99.8% limits, or beyond the 99.8% limits.",
        "You want the rows whose position is 'above 99.8%' or 'below 99.8%'. The 95% rows do "
        "not count here.",
        'Write the area codes as a list in quote marks, for example ["SYN01", "SYN07"]. If '
        "no area lies outside the 99.8% limits, the answer is an empty list: [].",
    ],
    misconceptions=[
        Misconception(
            "You listed the areas outside the 95% limits (the inner lines). The question asks "
            "about the 99.8% limits, the outer lines: chance alone puts about 1 unit in 20 "
            "outside the 95% limits.",
            compute=lambda data: _areas_at(
                data, ["above 95%", "below 95%", "above 99.8%", "below 99.8%"]
            ),
            name="used-95-limits",
        ),
        Misconception(
            "You listed only the areas above the funnel. Areas below the lower 99.8% limit lie "
            "outside the limits too.",
            compute=lambda data: _areas_at(data, ["above 99.8%"]),
            name="only-above",
        ),
        Misconception(
            "You listed the areas at the top and bottom of the league table. Every table has a "
            "top and a bottom; the funnel plot asks whether an area is further from the average "
            "than chance would explain.",
            compute=_league_ends,
            name="league-table-ends",
        ),
    ],
)


# --------------------------------------------------------------------------------------------
# Exercise 4: why the top of a league table may be chance.
# --------------------------------------------------------------------------------------------

q4 = ChoiceExercise(
    "q4",
    variable="answer_q4",
    prompt="Why may the area at the top of a league table be there by chance?",
    options={
        "a": "Because the staff at the top area must be the most skilled.",
        "b": "Because chance moves a small unit's rate further from the average, so the top "
        "and bottom places often go to small units that had a lucky or unlucky year.",
        "c": "Because league tables always put the largest areas at the top.",
        "d": "Because areas with more people always have higher rates.",
    },
    answer="b",
    hints=[
        "Think back to the imaginary services that all had the same true recovery rate.",
        "Which of them ended up at the very top and the very bottom: the small ones or the "
        "large ones?",
    ],
    misconceptions=[
        Misconception(
            "A league table cannot tell skill from luck, or from serving different people. The "
            "imaginary services all had the same true rate, yet one still came top.",
            value="a",
            name="skill-not-chance",
        ),
        Misconception(
            "A league table sorts by the rate, not by size. Look again at where the largest "
            "imaginary services ended up.",
            value="c",
            name="largest-at-top",
        ),
        Misconception(
            "Size does not push a rate up or down. It changes how far chance can move the rate "
            "from its true value.",
            value="d",
            name="size-raises-rate",
        ),
    ],
)


# --------------------------------------------------------------------------------------------
# Exercise 5: a written answer.
# --------------------------------------------------------------------------------------------

q5 = FreeTextExercise(
    "q5",
    prompt="A local paper calls the area at the bottom of the recovery table 'the worst'. "
    "What would you say?",
    model_answer=(
        "Every ranked table has a bottom, even if all areas are equally good, so being last "
        "is not evidence on its own. I would first put the areas on a funnel plot: if the area "
        "lies within the 99.8% limits, its low rate could be chance. If it lies outside, that "
        "is a reason to ask questions, not a verdict. The area may serve more people from "
        "deprived neighbourhoods, where recovery is lower everywhere, so I would compare it "
        "with what we would expect for the people it serves. I would also check the data: how "
        "many referrals have no outcome recorded, and whether recording differs between "
        "areas. Then I would ask the service and the people who use it what gets in the way "
        "of recovery there, such as waits, access or whether the therapy fits people's lives."
    ),
    hints=[
        "Does every ranked table have a bottom, even when all the areas are equally good?",
        "Think of chance, the people each area serves, and the quality of the data.",
    ],
)
