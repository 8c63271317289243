"""Checks for lesson 7, Missing voices: missing ethnicity, recording by provider, messy records."""

from __future__ import annotations

from typing import Any

import pandas as pd

from mhtrain.checks import (
    ChoiceExercise,
    FreeTextExercise,
    Misconception,
    NumberExercise,
    TableExercise,
)
from mhtrain.checks._shared import proportion_not_percentage

# The providers as the scenario names them; a test checks this list against the data's areas.
PROVIDER_OPTIONS = {
    "a": ("SYNP1", "Riverside Mental Health NHS Trust"),
    "b": ("SYNP2", "Eastport and Westfield NHS Foundation Trust"),
    "c": ("SYNP3", "Millbrook and Oakley Partnership NHS Trust"),
    "d": ("SYNP4", "Harbourside Health and Care NHS Trust"),
    "e": ("SYNP5", "Northgate and Kingsmere NHS Foundation Trust"),
    "f": ("SYNP6", "Fenmoor and Stonecross NHS Trust"),
}

_MESSY: dict[tuple, Any] = {}


# --------------------------------------------------------------------------------------------
# Helpers shared by the exercises.
# --------------------------------------------------------------------------------------------


def _codes_with_key(*keys: str) -> list[str]:
    import mhtrain

    table = mhtrain.codes("ethnic_category")
    return table.loc[table["key"].isin(keys), "code"].astype(str).tolist()


def _missing_codes() -> list[str]:
    """The codes for not stated (Z) and not known (99), read from the NHS code list."""
    return _codes_with_key("not_stated", "not_known")


def _valid_codes() -> list[str]:
    import mhtrain

    return mhtrain.codes("ethnic_category")["code"].astype(str).tolist()


def _is_missing(codes: pd.Series, which: list[str] | None = None) -> pd.Series:
    return codes.astype(str).isin(_missing_codes() if which is None else which)


#: What each missing code is called, and the other code that means it too.
_CODE_WORDS = {
    "not_stated": ("Z", "not stated", "99 (not known)"),
    "not_known": ("99", "not known", "Z (not stated)"),
}

_ANY_OTHER = (
    "You counted code S as missing too. S means 'any other ethnic group': the person's "
    "ethnic group was recorded, as one not in the list. Only Z (not stated) and 99 (not "
    "known) mean no group was recorded."
)


def _percent_coded(data: Any, codes: list[str]) -> float:
    return float(_is_missing(data.people["ethnic_category"], codes).mean() * 100)


def _only_one_code(key: str, compute: Any) -> Misconception:
    """The slip of counting only one of the two missing codes, for any exercise's measure."""
    code, words, other = _CODE_WORDS[key]
    return Misconception(
        f"This counts only the people coded {code} ({words}). People coded {other} have no "
        "recorded ethnic group either: count both codes.",
        compute=lambda data: compute(data, _codes_with_key(key)),
        name=f"only-{words.replace(' ', '-')}",
    )


def _people_with_provider(data: Any) -> pd.DataFrame:
    return data.people.merge(data.areas[["area_code", "provider_code"]], on="area_code")


def _share_by(data: Any, column: str, which: list[str] | None = None) -> pd.Series:
    people = _people_with_provider(data)
    missing = _is_missing(people["ethnic_category"], which)
    return missing.groupby(people[column]).mean() * 100


def _messy(data: Any) -> Any:
    """The messy version of ``data`` (``data`` itself if it is already messy)."""
    if getattr(data, "messy", False):
        return data
    seed, residents = getattr(data, "seed", None), getattr(data, "residents", None)
    scenario = getattr(data, "scenario", None)
    key = (scenario, seed, residents)
    if key not in _MESSY:
        import mhtrain
        from mhtrain.data import SHIPPED

        if seed is None or (scenario, residents) == (SHIPPED["scenario"], SHIPPED["population"]):
            # The course size: the learner's own messy data, as mhtrain.load(messy=True) gives.
            messy = mhtrain.load(messy=True)
            if seed is not None and messy.seed != seed:
                messy = mhtrain.load(seed, messy=True)
        else:
            messy = mhtrain.generate(scenario, population=residents, seed=seed, messy=True)
        _MESSY[key] = messy
    return _MESSY[key]


def _deduplicated_people(data: Any) -> pd.DataFrame:
    return _messy(data).people.drop_duplicates(subset="person_id")


def _invalid(codes: pd.Series, valid: list[str]) -> pd.Series:
    return ~codes.astype(str).isin(valid)


# --------------------------------------------------------------------------------------------
# Exercise 1: how often is ethnicity missing?
# --------------------------------------------------------------------------------------------

q1 = NumberExercise(
    "q1",
    variable="percent_missing",
    prompt="What percentage of people in contact have ethnicity not stated (Z) or not known (99)?",
    expected=lambda data: float(_is_missing(data.people["ethnic_category"]).mean() * 100),
    quantity="percentage",
    hints=[
        "Two codes mean that no ethnic group was recorded: Z (not stated) and 99 (not known). "
        "Count the people with either code.",
        'data.people["ethnic_category"].isin(["Z", "99"]) is True for each person with '
        "either code. Adding it up with .sum() counts them; .mean() gives the share.",
        "Take the share (the .mean() of that True/False column) and multiply it by 100 to "
        "make it a percentage.",
    ],
    misconceptions=[
        _only_one_code("not_stated", lambda data, codes: _percent_coded(data, codes)),
        _only_one_code("not_known", lambda data, codes: _percent_coded(data, codes)),
        Misconception(
            _ANY_OTHER,
            compute=lambda data: _percent_coded(data, _missing_codes() + _codes_with_key("other")),
            name="any-other-counted-as-missing",
        ),
        proportion_not_percentage(
            lambda data: float(_is_missing(data.people["ethnic_category"]).mean())
        ),
        Misconception(
            "This is a count of people, not a percentage. Divide it by the number of people in "
            "the people table, then multiply by 100.",
            compute=lambda data: float(_is_missing(data.people["ethnic_category"]).sum()),
            name="count-not-percentage",
        ),
        Misconception(
            "You divided by the number of residents. The question asks about the records of "
            "people in contact with services, so divide by the number of rows in the people "
            "table.",
            compute=lambda data: float(
                _is_missing(data.people["ethnic_category"]).sum()
                / data.population["residents"].sum()
                * 100
            ),
            name="residents-denominator",
        ),
    ],
)


def _rough_share_key(data: Any) -> str:
    share = float(_is_missing(data.people["ethnic_category"]).mean())
    # Bands half-way (on a ratio scale) between 1 in 100, 1 in 10, 1 in 3 and 1 in 2.
    if share < 0.03:
        return "a"
    if share < 0.2:
        return "b"
    if share < 0.42:
        return "c"
    return "d"


q1b = ChoiceExercise(
    "q1b",
    variable="answer_q1b",
    prompt="Roughly how many people in contact have no recorded ethnic group?",
    options={
        "a": "About 1 in 100",
        "b": "About 1 in 10",
        "c": "About 1 in 3",
        "d": "About 1 in 2",
    },
    answer=_rough_share_key,
    hints=[
        "Look at the table of codes above. Add the people coded Z to the people coded 99.",
        "Compare that number with the total number of people. Is it closer to a tenth, a third "
        "or a half of them?",
    ],
    advice="Add the people coded Z and 99 in the table above, and compare with the total.",
)


# --------------------------------------------------------------------------------------------
# Exercise 2: missing ethnicity by provider.
# --------------------------------------------------------------------------------------------

q2 = TableExercise(
    "q2",
    variable="missing_by_provider",
    prompt="The percentage of people with ethnicity not stated or not known, for each provider.",
    expected=lambda data: _share_by(data, "provider_code"),
    quantity="percentage",
    hints=[
        "The people table has each person's area, not their provider. The areas table says "
        "which provider serves each area: join them with merge on area_code.",
        'Make a True/False column: people["missing"] = people["ethnic_category"].isin(["Z", '
        '"99"]).',
        'Group by provider and take the mean of that column: people.groupby("provider_code")'
        '["missing"].mean(). Then multiply by 100.',
    ],
    misconceptions=[
        Misconception(
            "This table has one row per area, not per provider. Join the areas table to find "
            "each area's provider, then group by provider_code.",
            compute=lambda data: _share_by(data, "area_code"),
            name="by-area-not-provider",
        ),
        _only_one_code("not_stated", lambda data, codes: _share_by(data, "provider_code", codes)),
        _only_one_code("not_known", lambda data, codes: _share_by(data, "provider_code", codes)),
        Misconception(
            _ANY_OTHER,
            compute=lambda data: _share_by(
                data, "provider_code", _missing_codes() + _codes_with_key("other")
            ),
            name="any-other-counted-as-missing",
        ),
        Misconception(
            "These look like counts of people, not percentages. A provider that serves more "
            "people will have more missing records just because it is bigger: divide by the "
            "number of people each provider serves (use .mean(), not .sum()).",
            compute=lambda data: (
                _share_by(data, "provider_code")
                / 100
                * _people_with_provider(data).groupby("provider_code").size()
            ),
            name="count-not-percentage",
        ),
    ],
)


# --------------------------------------------------------------------------------------------
# Exercise 3: which provider records ethnicity worst?
# --------------------------------------------------------------------------------------------


def _key_of_provider(code: str) -> str:
    for key, (provider, _) in PROVIDER_OPTIONS.items():
        if provider == code:
            return key
    raise KeyError(code)


def _worst_provider_key(data: Any) -> str:
    return _key_of_provider(str(_share_by(data, "provider_code").idxmax()))


def _most_missing_people_key(data: Any) -> str:
    people = _people_with_provider(data)
    counts = _is_missing(people["ethnic_category"]).groupby(people["provider_code"]).sum()
    return _key_of_provider(str(counts.idxmax()))


def _best_provider_key(data: Any) -> str:
    return _key_of_provider(str(_share_by(data, "provider_code").idxmin()))


q3 = ChoiceExercise(
    "q3",
    variable="answer_q3",
    prompt="Which provider records ethnicity worst (the largest share not stated or not known)?",
    options={key: f"{code} {name}" for key, (code, name) in PROVIDER_OPTIONS.items()},
    answer=_worst_provider_key,
    hints=[
        "Look at the chart of missing ethnicity by provider, or your table from Exercise 2.",
        "'Worst' here means the highest percentage of people with no recorded ethnic group: "
        "the tallest bars.",
    ],
    misconceptions=[
        Misconception(
            "That provider records ethnicity best, not worst: it has the smallest share of "
            "people with no recorded ethnic group.",
            compute=_best_provider_key,
            name="best-not-worst",
        ),
        Misconception(
            "That provider has the most people with no recorded ethnic group, but it also "
            "serves more people. Compare percentages, not counts.",
            compute=_most_missing_people_key,
            name="count-not-share",
        ),
    ],
)


# --------------------------------------------------------------------------------------------
# Exercise 4: duplicate rows in the messy data.
# --------------------------------------------------------------------------------------------

q4 = NumberExercise(
    "q4",
    variable="duplicate_rows",
    prompt="How many extra copies of people rows are in the messy people table?",
    expected=lambda data: int(_messy(data).people.duplicated(subset="person_id").sum()),
    quantity="count",
    hints=[
        "A person should appear once in the people table. A duplicate is a second row with a "
        "person_id that has already appeared.",
        'messy.people.duplicated(subset="person_id") is True for each row whose person_id has '
        "appeared in an earlier row. The first copy counts as the original, not a duplicate.",
        'Add up that True/False column: messy.people.duplicated(subset="person_id").sum().',
    ],
    misconceptions=[
        Misconception(
            "You counted every row of each duplicated person, including the original. The "
            "question asks for the extra copies only: keep the first row of each person as "
            "the original (drop keep=False).",
            compute=lambda data: int(
                _messy(data).people.duplicated(subset="person_id", keep=False).sum()
            ),
            name="all-rows-of-duplicated-ids",
        ),
        Misconception(
            "This is the number of rows in the messy people table. Count only the rows whose "
            "person_id has already appeared higher up.",
            compute=lambda data: len(_messy(data).people),
            name="all-rows",
        ),
        Misconception(
            "This is the number of different people (distinct person_id values). The question "
            "asks for the extra rows: the number of rows minus the number of different people.",
            compute=lambda data: int(_messy(data).people["person_id"].nunique()),
            name="distinct-people",
        ),
    ],
)

q4b = ChoiceExercise(
    "q4b",
    variable="answer_q4b",
    prompt="Three rows share one person_id. How many of them are extra copies?",
    options={"a": "1", "b": "2", "c": "3"},
    answer="b",
    hints=[
        "One of the three rows is the person's real record. Keep it.",
        "The extra copies are the rows you would delete to leave one row for the person.",
    ],
    misconceptions=[
        Misconception(
            "If you deleted all three rows, the person would vanish from the data. One row is "
            "the original: only the others are extra copies.",
            value="c",
            name="all-rows-of-duplicated-ids",
        ),
        Misconception(
            "Deleting one row would still leave two rows for the same person. How many must go "
            "to leave exactly one?",
            value="a",
            name="one-copy",
        ),
    ],
)


# --------------------------------------------------------------------------------------------
# Exercise 5: invalid ethnic codes.
# --------------------------------------------------------------------------------------------


def _invalid_count(data: Any) -> int:
    people = _deduplicated_people(data)
    return int(_invalid(people["ethnic_category"], _valid_codes()).sum())


q5 = NumberExercise(
    "q5",
    variable="invalid_codes",
    prompt="After removing duplicate rows, how many people have an ethnic code not on the NHS list?",
    expected=_invalid_count,
    quantity="count",
    hints=[
        'The NHS list is mhtrain.codes("ethnic_category")["code"]: the letters A to S, plus Z '
        "and 99. Z and 99 are valid codes: they mean not stated and not known.",
        "Start from the table without duplicates: people = messy.people.drop_duplicates("
        'subset="person_id").',
        'people["ethnic_category"].isin(valid) is True for valid codes. Put ~ in front to turn '
        "True into False and back, then add up with .sum().",
    ],
    misconceptions=[
        Misconception(
            "You counted Z (not stated) and 99 (not known) as invalid. They are on the NHS "
            "list: they record that no ethnic group was given. Count only codes that are not "
            "on the list at all.",
            compute=lambda data: int(
                _invalid(
                    _deduplicated_people(data)["ethnic_category"],
                    [c for c in _valid_codes() if c not in _missing_codes()],
                ).sum()
            ),
            name="missing-counted-as-invalid",
        ),
        Misconception(
            "You counted before removing the duplicate rows, so a person entered twice with a "
            "bad code counts twice. Drop the duplicates first.",
            compute=lambda data: int(
                _invalid(_messy(data).people["ethnic_category"], _valid_codes()).sum()
            ),
            name="before-deduplication",
        ),
        Misconception(
            "This is the number of different invalid codes. The question asks how many people "
            "have one: count the rows, not the distinct codes.",
            compute=lambda data: int(
                _deduplicated_people(data)["ethnic_category"]
                .loc[_invalid(_deduplicated_people(data)["ethnic_category"], _valid_codes())]
                .nunique()
            ),
            name="distinct-codes",
        ),
    ],
)


# --------------------------------------------------------------------------------------------
# Exercise 6: a written answer.
# --------------------------------------------------------------------------------------------

q6 = FreeTextExercise(
    "q6",
    prompt="How could missing ethnicity bias a comparison of detention rates between groups?",
    model_answer=(
        "People whose ethnicity is not recorded drop out of every group's numerator, but the "
        "census still counts them in a group's denominator, so every group's rate comes out too "
        "low. If recording were equally poor for everyone, the ratio between groups would be "
        "roughly right. But recording is worse in crisis care and in some providers, and people "
        "from Black African and Caribbean backgrounds are more often first seen in a crisis, so "
        "their records are more likely to be missing or put in an 'any other' category. That "
        "makes the rate for specific groups too low and for 'other' groups too high, and can "
        "shrink the gap we measure. Before comparing, I would report how many records were "
        "missing in each group and provider, and check whether the conclusion holds if the "
        "missing records are shared out in different ways."
    ),
    hints=[
        "Think about the top and the bottom of the rate: who is counted in each?",
        "Is recording equally good for everyone? Think about crisis care and about providers.",
    ],
)
