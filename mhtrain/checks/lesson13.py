"""Checks for lesson 13, Body and mind: health checks, linking records by NHS number, early death."""

from __future__ import annotations

from typing import Any

import pandas as pd

from mhtrain.checks import (
    ChoiceExercise,
    FreeTextExercise,
    Misconception,
    NumberExercise,
)

# --------------------------------------------------------------------------------------------
# Helpers shared by the exercises (the lesson computes the same things in its own cells).
# --------------------------------------------------------------------------------------------


def _bands(data: Any) -> list[str]:
    """The age bands of adults under 75, as the truth record names them."""
    return list(data.truth["physical_health"]["premature_mortality"]["bands"])


def _linked(data: Any) -> pd.DataFrame:
    from mhtrain.synth.physical import link_deaths

    return link_deaths(data.smi_register, data.deaths)


def _premature(data: Any, linked: pd.DataFrame | None = None) -> dict[str, float | None]:
    from mhtrain.synth.physical import premature_smr

    bands = _bands(data)
    linked = _linked(data) if linked is None else linked
    return premature_smr(
        data.smi_register[data.smi_register["age_band"].isin(bands)],
        data.deaths,
        data.population,
        linked_deaths=linked[linked["age_band"].isin(bands)],
        bands=bands,
    )


def _smr_all_ages(data: Any) -> float:
    from mhtrain.synth.physical import premature_smr

    bands = sorted(set(data.population["age_band"]))
    return float(
        premature_smr(
            data.smi_register,
            data.deaths,
            data.population,
            linked_deaths=_linked(data),
            bands=bands,
        )["ratio"]
    )


def _percent_all_six(data: Any) -> float:
    return float(data.smi_register["all_six_checks"].mean() * 100)


def _crude_ratio(data: Any) -> float:
    """Death rate of register patients under 75 over that of all residents in the same bands."""
    bands = _bands(data)
    linked = _linked(data)
    reg = data.smi_register[data.smi_register["age_band"].isin(bands)]
    smi_rate = linked["age_band"].isin(bands).sum() / len(reg)
    pop = data.population[data.population["age_band"].isin(bands)]
    all_rate = data.deaths["age_band"].isin(bands).sum() / pop["residents"].sum()
    return float(smi_rate / all_rate)


# --------------------------------------------------------------------------------------------
# Exercise 1: how many people on the register had a full health check?
# --------------------------------------------------------------------------------------------

q1 = NumberExercise(
    "q1",
    variable="percent_all_six",
    prompt="What percentage of people on the SMI register had all six checks in the year?",
    expected=_percent_all_six,
    quantity="percentage",
    hints=[
        "The smi_register table has one row per person, and a column all_six_checks that is "
        "True when all six checks were recorded in the year.",
        "The mean of a True/False column is the share that are True. Multiply by 100 for a "
        "percentage.",
    ],
    misconceptions=[
        Misconception(
            "This looks like a proportion (a fraction of 1). Multiply it by 100 to make it a "
            "percentage.",
            compute=lambda data: _percent_all_six(data) / 100,
            name="proportion-not-percentage",
        ),
        Misconception(
            "This is a count of people, not a percentage. Divide it by the number of people on "
            "the register, then multiply by 100.",
            compute=lambda data: float(data.smi_register["all_six_checks"].sum()),
            name="count-not-percentage",
        ),
        Misconception(
            "This counts people with at least one check. A full health check means all six "
            "checks: use the all_six_checks column.",
            compute=lambda data: float(
                data.smi_register.filter(like="_date")
                .drop(columns="registered_date")
                .notna()
                .any(axis=1)
                .mean()
                * 100
            ),
            name="any-check",
        ),
        Misconception(
            "You divided by the number of residents. The question is about people on the "
            "register, so divide by the number of rows in smi_register.",
            compute=lambda data: float(
                data.smi_register["all_six_checks"].sum() / data.population["residents"].sum() * 100
            ),
            name="residents-denominator",
        ),
    ],
)


# --------------------------------------------------------------------------------------------
# Exercise 2: who misses out on full checks?
# --------------------------------------------------------------------------------------------


def _deprivation_answer(data: Any) -> str:
    share = data.smi_register.groupby("imd_decile")["all_six_checks"].mean()
    most, least = float(share.loc[1]), float(share.loc[10])
    if abs(most - least) < 0.02:
        return "c"
    return "a" if most < least else "b"


q2 = ChoiceExercise(
    "q2",
    variable="answer_q2",
    prompt=(
        "Compare people on the register in the most deprived tenth of neighbourhoods (decile "
        "1) with those in the least deprived tenth (decile 10). Which is true?"
    ),
    options={
        "a": "Fewer people in decile 1 had all six checks",
        "b": "More people in decile 1 had all six checks",
        "c": "About the same share (within 2 percentage points)",
    },
    answer=_deprivation_answer,
    hints=[
        "Look at the table of the share with all six checks by deprivation decile above.",
        "Compare the row for decile 1 with the row for decile 10.",
    ],
    advice="Read the first and last rows of the table by deprivation decile.",
)


# --------------------------------------------------------------------------------------------
# Exercise 3: how many deaths link to the register?
# --------------------------------------------------------------------------------------------


def _percent_died(data: Any) -> float:
    return float(len(_linked(data)) / len(data.smi_register) * 100)


q3 = NumberExercise(
    "q3",
    variable="percent_died",
    prompt=(
        "What percentage of people on the register have a death record in the year that links "
        "to them by NHS number?"
    ),
    expected=_percent_died,
    quantity="percentage",
    hints=[
        "Join the deaths table to the smi_register table on the nhs_number column. An inner "
        "join keeps only the rows that match: one row per linked death.",
        "Divide the number of linked deaths by the number of people on the register, and "
        "multiply by 100.",
    ],
    misconceptions=[
        Misconception(
            "This is a count of deaths, not a percentage. Divide it by the number of people on "
            "the register, then multiply by 100.",
            compute=lambda data: float(len(_linked(data))),
            name="count-not-percentage",
        ),
        Misconception(
            "This looks like a proportion (a fraction of 1). Multiply it by 100 to make it a "
            "percentage.",
            compute=lambda data: _percent_died(data) / 100,
            name="proportion-not-percentage",
        ),
        Misconception(
            "You divided by all deaths: that is the share of deaths that were of people on the "
            "register. The question asks about people on the register, so divide by them.",
            compute=lambda data: float(len(_linked(data)) / len(data.deaths) * 100),
            name="share-of-deaths",
        ),
        Misconception(
            "You counted every death record, not only the linked ones. Most people who died "
            "were not on the register: count only the deaths whose NHS number is found in "
            "smi_register.",
            compute=lambda data: float(len(data.deaths) / len(data.smi_register) * 100),
            name="all-deaths",
        ),
        Misconception(
            "This counts only the linked deaths before 75. The question asks about every linked "
            "death, at any age.",
            compute=lambda data: float(
                _linked(data)["age_band"].isin(_bands(data)).sum() / len(data.smi_register) * 100
            ),
            name="only-premature",
        ),
    ],
)


# --------------------------------------------------------------------------------------------
# Exercise 4: the standardised mortality ratio and its interval
# --------------------------------------------------------------------------------------------

q4 = NumberExercise(
    "q4",
    variable="smr",
    prompt=(
        "What is the standardised mortality ratio (SMR) for deaths before 75 of people on the "
        "register, with every resident as the reference?"
    ),
    expected=lambda data: float(_premature(data)["ratio"]),
    quantity="ratio",
    hints=[
        "Observed: the linked deaths in the age bands 15-19 to 70-74 (adults under 75). "
        "Expected: in each band, people on the register times the band's death rate for all "
        "residents.",
        "The band's death rate for all residents is deaths in the band (deaths table) divided "
        "by residents in the band (population table).",
        "mhtrain.stats.indirectly_standardised_ratio does the sum for you: give it a table of "
        "events and population by age band, and reference_rates by band. The SMR is the ratio "
        "column.",
    ],
    misconceptions=[
        Misconception(
            "This is the crude ratio: the death rate on the register over the death rate of all "
            "residents, without allowing for age. People on the register are older than "
            "residents as a whole, so compare each age band with the same band (indirect "
            "standardisation).",
            compute=_crude_ratio,
            name="crude-ratio",
        ),
        Misconception(
            "This is the number of observed deaths, not the ratio. Divide it by the number of "
            "deaths expected at the reference death rates.",
            compute=lambda data: float(_premature(data)["observed"]),
            name="observed-count",
        ),
        Misconception(
            "This is the number of expected deaths. The SMR is observed deaths divided by "
            "expected deaths.",
            compute=lambda data: float(_premature(data)["expected"]),
            name="expected-count",
        ),
        Misconception(
            "This looks like the SMR per 100 (as some reports print it). Give it as a ratio: "
            "divide by 100.",
            compute=lambda data: float(_premature(data)["ratio"]) * 100,
            name="per-100",
        ),
        Misconception(
            "This counts deaths at every age. Premature means before 75: keep the age bands "
            "from 15-19 to 70-74 for both the deaths and the people on the register.",
            compute=lambda data: _smr_all_ages(data),
            name="all-ages",
        ),
    ],
)

q4b = NumberExercise(
    "q4b",
    variable="smr_lower",
    prompt="What is the lower 95% confidence limit of that SMR?",
    expected=lambda data: float(_premature(data)["lower"]),
    quantity="ratio",
    hints=[
        "indirectly_standardised_ratio gives the limits in the lower and upper columns.",
        "The lower limit is the smaller of the two.",
    ],
    misconceptions=[
        Misconception(
            "This is the upper limit. The question asks for the lower one.",
            compute=lambda data: float(_premature(data)["upper"]),
            name="upper-limit",
        ),
        Misconception(
            "This is the SMR itself. The lower limit is the smallest ratio the data agree with.",
            compute=lambda data: float(_premature(data)["ratio"]),
            name="the-ratio",
        ),
    ],
)


# --------------------------------------------------------------------------------------------
# Exercise 5: what linkage error does to the answer
# --------------------------------------------------------------------------------------------


def _direction(data: Any) -> str:
    pm = data.truth["physical_health"]["premature_mortality"]
    naive, true = _premature(data)["ratio"], pm["true_vs_everyone"]["ratio"]
    if abs(naive - true) < 0.005 * true:
        return "c"
    return "b" if naive < true else "a"


q5 = ChoiceExercise(
    "q5",
    variable="answer_q5",
    prompt=(
        "The truth record gives the SMR with every death linked to the right person. Compared "
        "with it, your SMR from linking by NHS number is:"
    ),
    options={
        "a": "Higher: false links add deaths that are not really on the register",
        "b": "Lower: missed links lose deaths of people on the register",
        "c": "The same: linkage errors cancel out",
    },
    answer=_direction,
    hints=[
        "Print data.truth['physical_health']['premature_mortality']['true_vs_everyone'] and "
        "compare its ratio with yours.",
        "A death whose NHS number is missing or mistyped cannot be found on the register. "
        "Does that add or remove observed deaths?",
    ],
    advice="Compare your SMR with the ratio in the truth record.",
)


# --------------------------------------------------------------------------------------------
# Exercise 6: what it means
# --------------------------------------------------------------------------------------------

q6 = FreeTextExercise(
    "q6",
    prompt=(
        "Who is most affected when death records fail to link, and what should a report of "
        "premature mortality for people with SMI say about it?"
    ),
    model_answer=(
        "Missed links fall more often on people from ethnic minority groups, people in deprived "
        "areas and people with SMI themselves, whose numbers are more often missing or "
        "mistyped. Their deaths vanish from the count, so the SMR comes out too low, and lowest "
        "for the groups whose records link worst: the gap looks smaller than it is. A report "
        "should say how many records failed to link in each group, give the interval, and "
        "test how much the answer could change. Services should see the true figure as a call "
        "to offer full health checks to everyone on the register."
    ),
    hints=[
        "Think about whose records are more often missing or mistyped.",
        "If a death does not link, is it counted as a death of someone on the register?",
    ],
)
