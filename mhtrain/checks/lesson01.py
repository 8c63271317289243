"""Checks for lesson 1, Meet the data: tables, rows, the data dictionary and who is in the data."""

from __future__ import annotations

from typing import Any

from mhtrain.checks import (
    ChoiceExercise,
    FreeTextExercise,
    Misconception,
    NumberExercise,
)
from mhtrain.checks._shared import proportion_not_percentage

#: NHS code for a referral made by the police (source of referral for mental health).
POLICE = "E1"
#: NHS code for a referral made by a court.
COURTS = "E2"


def _people_in_contact(data: Any) -> int:
    return len(data.people)


def _residents(data: Any) -> float:
    return float(data.population["residents"].sum())


def _police_share(data: Any, codes: tuple[str, ...] = (POLICE,)) -> float:
    """Percentage of referrals whose source is one of ``codes``."""
    sources = data.referrals["referral_source"]
    return float(sources.isin(list(codes)).mean() * 100)


def _police_referrals(data: Any) -> int:
    return int(data.referrals["referral_source"].eq(POLICE).sum())


def _police_share_band(data: Any) -> str:
    """The option for the share of referrals from the police: under 1 in 10, up to 1 in 4, more."""
    share = _police_share(data)
    if share < 10:
        return "a"
    if share <= 25:
        return "b"
    return "c"


# --------------------------------------------------------------------------------------------
# Exercise 1: how many people were in contact with services?
# --------------------------------------------------------------------------------------------


def _counted_cells(table: str, fix: str) -> Misconception:
    """The slip of using ``.size`` (rows times columns) to count the rows of ``table``."""
    return Misconception(
        f"This is .size: the number of cells in the {table} table (its rows times its "
        f"columns), not the number you need. {fix}",
        compute=lambda data: getattr(data, table).size,
        name="counted-cells",
    )


def _counted_rows_of(table: str, what: str, why: str) -> Misconception:
    """The slip of counting the rows of ``table``, where one person can have several rows."""
    return Misconception(
        f"This is the number of {what}, not people. {why} Count the rows of the people table "
        "instead.",
        compute=lambda data: len(getattr(data, table)),
        name=f"counted-{table.replace('_', '-')}",
    )


q1 = NumberExercise(
    "q1",
    variable="people_in_contact",
    prompt="How many people were in contact with mental health services in the year?",
    expected=_people_in_contact,
    quantity="count",
    hints=[
        "The people table has one row for each person in contact with services. So you need "
        "to count its rows.",
        "len(...) counts the rows of a table. The people table is data.people.",
        "Write people_in_contact = len(data.people).",
    ],
    misconceptions=[
        _counted_rows_of("referrals", "referrals", "One person can have more than one referral."),
        _counted_rows_of(
            "care_contacts",
            "care contacts (appointments)",
            "One person can have many appointments.",
        ),
        Misconception(
            "This is the number of rows in the population table. Each of its rows is a group of "
            "residents, not a person in contact with services. Count the rows of the people "
            "table instead.",
            compute=lambda data: len(data.population),
            name="counted-population-rows",
        ),
        Misconception(
            "This is the number of residents: everyone who lives in the area. Most of them were "
            "not in contact with services. Count the rows of the people table instead.",
            compute=_residents,
            name="counted-residents",
        ),
        _counted_cells("people", "To count rows, use len(data.people) or data.people.shape[0]."),
    ],
)

q1b = ChoiceExercise(
    "q1b",
    variable="answer_q1b",
    prompt="Which row count in the overview table is the number of people in contact?",
    options={
        "a": "The number of rows in referrals.",
        "b": "The number of rows in people.",
        "c": "The number of rows in population.",
        "d": "The number of rows in care_contacts.",
    },
    answer="b",
    hints=[
        "Look at the column 'one row is' in the overview table.",
        "Which table has exactly one row for each person in contact with services?",
    ],
    misconceptions=[
        Misconception(
            "One person can have more than one referral, so counting referrals counts some "
            "people twice. Which table has one row for each person?",
            value="a",
            name="referrals-not-people",
        ),
        Misconception(
            "Each row of population is a group of residents with a count, and most residents "
            "were not in contact with services. Which table has one row for each person in "
            "contact?",
            value="c",
            name="population-not-people",
        ),
        Misconception(
            "A care contact is one appointment, and one person can have many. Which table has "
            "one row for each person?",
            value="d",
            name="contacts-not-people",
        ),
    ],
)

# --------------------------------------------------------------------------------------------
# Exercise 2: how many residents? The population table holds counts, not people.
# --------------------------------------------------------------------------------------------

q2 = NumberExercise(
    "q2",
    variable="residents",
    prompt="How many people live in the area (residents)?",
    expected=_residents,
    quantity="count",
    hints=[
        "Each row of the population table is a group of residents. The residents column says "
        "how many people are in the group.",
        "So do not count the rows: add up the residents column. .sum() adds up a column.",
        'Write residents = data.population["residents"].sum().',
    ],
    misconceptions=[
        Misconception(
            "This is the number of rows in the population table. Each row is a group of "
            "residents, not one person. Add up the residents column instead of counting rows.",
            compute=lambda data: len(data.population),
            name="counted-rows-not-residents",
        ),
        _counted_cells(
            "population",
            'Add up the residents column: data.population["residents"].sum().',
        ),
        Misconception(
            "This is the number of people in contact with services. Residents are everyone "
            "who lives in the area, in contact or not: add up the residents column of the "
            "population table.",
            compute=_people_in_contact,
            name="people-in-contact-not-residents",
        ),
    ],
)

q2b = ChoiceExercise(
    "q2b",
    variable="answer_q2b",
    prompt="What does one row of the population table stand for?",
    options={
        "a": "One person who lives in the area.",
        "b": "A group of residents who share an area, age band, sex, ethnic group and "
        "deprivation decile, with the number of them in the residents column.",
        "c": "One person in contact with mental health services.",
    },
    answer="b",
    hints=[
        "Look at the first rows of the population table shown above. What is in the residents "
        "column?",
        "If each row were one person, what would the residents column hold?",
    ],
    misconceptions=[
        Misconception(
            "Look at the residents column: it holds numbers bigger than 1. So a row cannot be "
            "one person.",
            value="a",
            name="row-is-a-person",
        ),
        Misconception(
            "People in contact with services are in the people table. The population table "
            "covers everyone who lives in the area.",
            value="c",
            name="population-is-people-in-contact",
        ),
    ],
)

# --------------------------------------------------------------------------------------------
# Exercise 3: which table holds detentions? Exercise 4: reading the data dictionary.
# --------------------------------------------------------------------------------------------

q3 = ChoiceExercise(
    "q3",
    variable="answer_q3",
    prompt="Which table would you use to count detentions under the Mental Health Act?",
    options={
        "a": "inpatient_spells",
        "b": "mha_detentions",
        "c": "people",
        "d": "restrictive_interventions",
    },
    answer="b",
    hints=[
        "Look at the overview table: which table's rows are periods of detention?",
        "A stay in hospital and a detention are not the same thing.",
    ],
    misconceptions=[
        Misconception(
            "Not every stay in hospital is a detention: many people agree to stay in hospital. "
            "They are called informal patients. Which table records detentions themselves?",
            value="a",
            name="spell-not-detention",
        ),
        Misconception(
            "The people table has one row per person, with facts such as age and area. It says "
            "nothing about detention. Which table records detentions?",
            value="c",
            name="people-not-detention",
        ),
        Misconception(
            "Restrictive interventions, such as restraint, are not detentions. Which table "
            "records periods of detention under the Act?",
            value="d",
            name="restraint-not-detention",
        ),
    ],
)

q4 = ChoiceExercise(
    "q4",
    variable="answer_q4",
    prompt="What does attendance code 3 mean in the care_contacts table?",
    options={
        "a": "The person attended on time.",
        "b": "The person did not attend and gave no warning.",
        "c": "The person cancelled the appointment.",
        "d": "The service cancelled the appointment.",
    },
    answer="b",
    hints=[
        "Look at the code list for attendance shown above.",
        "Find the row whose code is 3 and read its label.",
    ],
    misconceptions=[
        Misconception(
            "Attending is shown by other codes. Find the row whose code is 3 in the code list.",
            value="a",
            name="attended",
        ),
        Misconception(
            "A cancellation by the person has its own code. Find the row whose code is 3 in the "
            "code list.",
            value="c",
            name="cancelled-by-person",
        ),
        Misconception(
            "A cancellation by the service has its own code. Find the row whose code is 3 in "
            "the code list.",
            value="d",
            name="cancelled-by-provider",
        ),
    ],
)

# --------------------------------------------------------------------------------------------
# Exercise 5: what share of referrals came from the police?
# --------------------------------------------------------------------------------------------

q5 = NumberExercise(
    "q5",
    variable="percent_from_police",
    prompt="What percentage of referrals were made by the police (code E1)?",
    expected=_police_share,
    quantity="percentage",
    hints=[
        "You need two numbers: the referrals made by the police, and all referrals. Both come "
        "from the referrals table.",
        'data.referrals["referral_source"] == "E1" is True for each referral from the police. '
        "Adding it up with .sum() counts them, and len(data.referrals) counts all referrals.",
        "Divide the police referrals by all referrals, then multiply by 100 to make a percentage.",
    ],
    misconceptions=[
        Misconception(
            "This is the number of referrals from the police, not a percentage. Divide it by "
            "the number of all referrals, then multiply by 100.",
            compute=_police_referrals,
            name="count-not-percentage",
        ),
        proportion_not_percentage(lambda data: _police_share(data) / 100),
        Misconception(
            "You divided by the number of people, not the number of referrals. The question "
            "asks for a share of referrals, so divide by all the rows of the referrals table.",
            compute=lambda data: _police_referrals(data) / _people_in_contact(data) * 100,
            name="divided-by-people",
        ),
        Misconception(
            "You seem to have counted referrals from the courts (E2) as well. The question asks "
            "only about the police, code E1.",
            compute=lambda data: _police_share(data, (POLICE, COURTS)),
            name="added-courts",
        ),
    ],
)

q5b = ChoiceExercise(
    "q5b",
    variable="answer_q5b",
    prompt="Roughly what share of referrals came from the police?",
    options={
        "a": "Fewer than 1 in 10 referrals (under 10%).",
        "b": "Between 1 in 10 and 1 in 4 referrals (10% to 25%).",
        "c": "More than 1 in 4 referrals (over 25%).",
    },
    answer=_police_share_band,
    hints=[
        "Find the row for the police (code E1) in the table of referral sources.",
        "Read its number in the percent column. 1 in 10 is 10%, and 1 in 4 is 25%.",
    ],
    advice=(
        "Find the row for the police (code E1) in the table of referral sources, and read its "
        "percent column. 1 in 10 is 10%, and 1 in 4 is 25%."
    ),
)

# --------------------------------------------------------------------------------------------
# Exercise 6: who is missing from the data? (written; marked by a tutor)
# --------------------------------------------------------------------------------------------

q6 = FreeTextExercise(
    "q6",
    prompt="Who is missing from these data, and why does that matter when we look for "
    "inequalities?",
    model_answer=(
        "The people table only holds people who reached secondary mental health services in "
        "the year. People who needed help but never got there are missing: people who did not "
        "ask for help, who were not referred, who were turned away or who only saw their GP or "
        "a charity. The population table counts every resident, but only as numbers, so we "
        "cannot see who among them needed care. This matters because a group can look well "
        "served in the data only because fewer of its members got through the door. Some "
        "groups may reach care later, or by other routes, such as the police or a crisis. So "
        "the records show who got care, not who needed it, and we should compare groups with "
        "their residents, not only with the people in contact."
    ),
    hints=[
        "Think about a person who needed help but never reached a mental health service. "
        "Which table, if any, would they appear in?",
        "Now think about two groups of people. What if one group finds it harder to get "
        "through the door?",
    ],
)
