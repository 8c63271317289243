"""Checks for lesson 14, Whose data? Trust, consent and safe access to mental health records."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from mhtrain.checks import ChoiceExercise, FreeTextExercise, Misconception, NumberExercise
from mhtrain.stats.disclosure import NHS_SMALLEST_SHOWN

#: A group smaller than this would be hidden as ``*`` in a published NHS table (lesson 9), so
#: the lesson calls it a small group.
SMALL_GROUP = NHS_SMALLEST_SHOWN
#: The column that :func:`with_broad_group` adds.
BROAD_GROUP = "ethnic_group"
#: The column that :func:`detained_people` adds: the month a person's first detention began.
DETENTION_MONTH = "detention_month"
#: Exercise 5: the three fields whose smallest group the learner reads or works out.
THREE_FIELDS = ["age_band", "sex", "area_code"]
#: Exercise 6: the four fields on which detained people are counted as alone.
FOUR_FIELDS = [*THREE_FIELDS, BROAD_GROUP]
#: Exercise 6b: the same four fields and the month the detention began.
WITH_MONTH = [*FOUR_FIELDS, DETENTION_MONTH]
#: Plain names for the columns, used in the tables the lesson prints.
FIELD_NAMES = {
    "age_band": "age band",
    "sex": "sex",
    "area_code": "area",
    BROAD_GROUP: "broad ethnic group",
    "ethnic_category": "detailed ethnic category",
    DETENTION_MONTH: "month of detention",
}


# --------------------------------------------------------------------------------------------
# The tables the lesson shows: group sizes, k-anonymity and people who are alone.
# --------------------------------------------------------------------------------------------


def with_broad_group(table: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``table`` with the broad ethnic group of each row's ``ethnic_category``.

    Parameters
    ----------
    table : pandas.DataFrame
        Rows with an ``ethnic_category`` column (NHS ethnic category codes).

    Returns
    -------
    pandas.DataFrame
        The same rows with a column ``ethnic_group``: White, Mixed, Asian, Black, Other or
        Unknown.
    """
    from mhtrain import broad_ethnic_group

    out = table.copy()
    out[BROAD_GROUP] = broad_ethnic_group(out["ethnic_category"]).to_numpy()
    return out


def detained_people(data: Any) -> pd.DataFrame:
    """One row for each person detained in the year, linked to their record in ``people``.

    The detentions table holds only a pseudonym (``person_id``), the legal status and dates.
    Linking it to ``people`` on the pseudonym adds each person's age band, sex, area and ethnic
    category. A person detained more than once keeps their first detention of the year.

    Parameters
    ----------
    data : Dataset
        The course dataset (``mhtrain.load()``).

    Returns
    -------
    pandas.DataFrame
        The columns of ``people``, the broad ethnic group, and ``detention_month`` (the month
        the first detention began, as ``"2023-05"``).
    """
    detentions = data.mha_detentions.sort_values(["start_date", "detention_id"])
    first = detentions.drop_duplicates("person_id")[["person_id", "start_date"]]
    linked = first.merge(data.people, on="person_id", how="inner")
    linked[DETENTION_MONTH] = pd.to_datetime(linked["start_date"]).dt.strftime("%Y-%m")
    return with_broad_group(linked.drop(columns="start_date"))


def _sizes(table: pd.DataFrame, fields: Sequence[str]) -> pd.Series:
    """For each row, how many rows share its values of ``fields`` (its own row included)."""
    return table.groupby(list(fields), dropna=False)[list(fields)[0]].transform("size")


def smallest_group(table: pd.DataFrame, fields: Sequence[str]) -> int:
    """Return k: the number of people in the smallest group that shares values of ``fields``.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per person.
    fields : sequence of str
        Columns of ``table``, for example ``["age_band", "sex", "area_code"]``.

    Returns
    -------
    int
        The table is "k-anonymous" on these fields for this k: everyone shares their values
        with at least k - 1 other people.
    """
    return int(table.groupby(list(fields), dropna=False).size().min())


def people_alone(table: pd.DataFrame, fields: Sequence[str]) -> int:
    """Return how many people are the only one with their values of ``fields``."""
    return int((_sizes(table, fields) == 1).sum())


def _label(fields: Sequence[str]) -> str:
    return " + ".join(FIELD_NAMES.get(f, f) for f in fields)


def risk_table(table: pd.DataFrame, field_sets: Sequence[Sequence[str]]) -> pd.DataFrame:
    """How well a few fields hide each person, for each set of fields in turn.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per person (``data.people`` with its broad group, or :func:`detained_people`).
    field_sets : sequence of sequence of str
        Sets of columns, for example ``[["age_band", "sex"], ["age_band", "sex", "area_code"]]``.

    Returns
    -------
    pandas.DataFrame
        One row per set of fields: ``groups`` (how many different combinations), ``smallest
        group (k)``, ``people in small groups`` (groups of fewer than :data:`SMALL_GROUP`),
        ``people alone`` and ``percent alone``.
    """
    rows = []
    for fields in field_sets:
        sizes = _sizes(table, fields)
        alone = int((sizes == 1).sum())
        rows.append(
            {
                "fields": _label(fields),
                "groups": int(table.groupby(list(fields), dropna=False).ngroups),
                "smallest group (k)": int(sizes.min()),
                "people in small groups": int((sizes < SMALL_GROUP).sum()),
                "people alone": alone,
                "percent alone": round(alone / len(table) * 100, 1),
            }
        )
    return pd.DataFrame(rows).set_index("fields")


def describe_risk(risk: pd.DataFrame, *, people: str = "people") -> str:
    """Say in words what each row of a :func:`risk_table` shows.

    Parameters
    ----------
    risk : pandas.DataFrame
        A table made by :func:`risk_table`.
    people : str, optional
        What the rows of the underlying table are, for example ``"people detained"``.

    Returns
    -------
    str
        One sentence per row, with its numbers.
    """
    lines = []
    for fields, row in risk.astype(object).iterrows():
        k = int(row["smallest group (k)"])
        alone, small = int(row["people alone"]), int(row["people in small groups"])
        if k == 1:
            start = f"With {fields}, some {people} are alone in their group (k = 1)"
        else:
            start = (
                f"With {fields}, every one of the {people} shares their values with at least "
                f"{k - 1:,} others (k = {k:,})"
            )
        lines.append(
            f"{start}: {alone:,} {people} ({row['percent alone']}%) are alone, and {small:,} are "
            f"in groups of fewer than {SMALL_GROUP}."
        )
    return "\n".join(lines)


def _people(data: Any) -> pd.DataFrame:
    return with_broad_group(data.people)


def detention_gap(data: Any) -> pd.DataFrame:
    """Detentions, residents and the crude rate ratio against White, by broad ethnic group.

    People whose ethnic group was not recorded are left out: there are no residents to divide
    them by.

    Parameters
    ----------
    data : Dataset
        The course dataset.

    Returns
    -------
    pandas.DataFrame
        One row per broad ethnic group with ``detentions``, ``residents``, ``rate`` (per 100,000
        residents), ``rate_ratio`` and its 95% limits ``ratio_lower`` and ``ratio_upper``, as
        :func:`mhtrain.stats.rate_ratio` gives them.
    """
    from mhtrain.stats import rate_ratio

    detained = with_broad_group(data.mha_detentions.merge(data.people, on="person_id"))
    detentions = detained[BROAD_GROUP].value_counts()
    residents = with_broad_group(data.population).groupby(BROAD_GROUP)["residents"].sum()
    table = pd.DataFrame(
        {"detentions": detentions.reindex(residents.index, fill_value=0), "residents": residents}
    ).rename_axis(BROAD_GROUP)
    ratios = rate_ratio(
        table.reset_index(),
        group=BROAD_GROUP,
        reference="White",
        events="detentions",
        population="residents",
    ).set_index(BROAD_GROUP)
    return ratios


def _count(id: str, **kwargs: Any) -> NumberExercise:
    """A whole-number answer (a count of people): right only when it is exactly the count."""
    return NumberExercise(id, quantity="count", **kwargs)


def _choice(
    id: str,
    *,
    prompt: str,
    options: Mapping[str, str],
    answer: Any,
    hints: Sequence[str],
    wrong: Mapping[str, tuple[str, str]],
) -> ChoiceExercise:
    """A multiple-choice exercise whose answer variable is ``answer_<id>``."""
    return ChoiceExercise(
        id,
        variable=f"answer_{id}",
        prompt=prompt,
        options=options,
        answer=answer,
        hints=hints,
        misconceptions=[
            Misconception(message, value=key, name=name) for key, (name, message) in wrong.items()
        ],
    )


def _more_alone_with_month(data: Any) -> str:
    """Exercise 6b: the option that says what adding the month of detention did."""
    detained = detained_people(data)
    before, after = people_alone(detained, FOUR_FIELDS), people_alone(detained, WITH_MONTH)
    if after > before:
        return "c"
    return "b" if after == before else "a"


# --------------------------------------------------------------------------------------------
# The exercises.
# --------------------------------------------------------------------------------------------

q1 = _choice(
    "q1",
    prompt="Which of these is a secondary use of a person's mental health record?",
    options={
        "a": "A community nurse reads a person's care plan before visiting them at home.",
        "b": "A crisis team reads which medicines a person takes when they arrive at A&E.",
        "c": "An analyst counts detentions by ethnic group to help plan local services.",
    },
    answer="c",
    hints=[
        "Direct care is care for the person the record is about. A secondary use is any other "
        "use of the same record.",
        "In which option does the person whose record it is get no care from the use?",
    ],
    wrong={
        "a": (
            "direct-care-nurse",
            "The nurse uses the record to care for the person it is about. That is direct "
            "care. Look for the use that helps other people, not this person.",
        ),
        "b": (
            "direct-care-crisis",
            "The crisis team uses the record to treat the person in front of them. That is "
            "direct care, even in an emergency. Look for the use that helps other people.",
        ),
    },
)

q2 = _choice(
    "q2",
    prompt="Sam has set a national data opt-out. Which of these does the opt-out stop?",
    options={
        "a": "Sam's GP sending a referral letter about Sam to the mental health team.",
        "b": "A research team being given Sam's identifiable record for a study, under an "
        "approval that sets aside the duty of confidentiality, without asking Sam.",
        "c": "NHS England publishing a table of counts, with small numbers hidden, in which Sam "
        "is one of the people counted.",
    },
    answer="b",
    hints=[
        "The opt-out is about research and planning, not about Sam's own care.",
        "The opt-out covers confidential patient information: information that could identify "
        "Sam. Does a published table of counts, with small numbers hidden, identify Sam?",
    ],
    wrong={
        "a": (
            "opt-out-stops-care",
            "A referral letter is part of Sam's own care. The national data opt-out never "
            "stops information being shared for a person's care.",
        ),
        "c": (
            "opt-out-covers-anonymous",
            "The opt-out covers information that could identify Sam. A table of counts with "
            "small numbers hidden is anonymous, so the opt-out does not apply to it.",
        ),
    },
)

q3 = _choice(
    "q3",
    prompt="A team asks for full dates of birth, postcodes and NHS numbers to count detentions "
    "by age band and area. Which Caldicott principle does this break most clearly?",
    options={
        "a": "Use the minimum necessary confidential information.",
        "b": "The duty to share information for individual care is as important as the duty "
        "to protect patient confidentiality.",
        "c": "Everyone with access to confidential information should be aware of their "
        "responsibilities.",
    },
    answer="a",
    hints=[
        "What does the team need to answer its question? Compare that with what it asked for.",
        "Counts by age band and area need an age band and an area for each detention. Do they "
        "need a name, an NHS number or a full postcode?",
    ],
    wrong={
        "b": (
            "duty-to-share",
            "That principle is about sharing for a person's own care. Counting detentions is "
            "not care for the people counted. Look at how much the team asked for.",
        ),
        "c": (
            "aware-of-responsibilities",
            "Knowing your responsibilities matters, but the problem here is what was asked "
            "for. Does the team need all of those fields to count by age band and area?",
        ),
    },
)

q4 = _choice(
    "q4",
    prompt="Before a table leaves a secure data environment, two trained checkers look at it "
    "and ask for a count of 3 to be hidden. Which of the Five Safes is this?",
    options={
        "a": "Safe people",
        "b": "Safe settings",
        "c": "Safe outputs",
        "d": "Safe projects",
    },
    answer="c",
    hints=[
        "Think about what is being checked: a person, a place, a plan or a result.",
        "The table is a result of the analysis that is about to leave the secure environment.",
    ],
    wrong={
        "a": (
            "safe-people",
            "Safe people is about who may use the data: trained and approved researchers. "
            "Here the checkers are looking at a result, not at a person.",
        ),
        "b": (
            "safe-settings",
            "Safe settings is about where the data are used: the secure environment itself. "
            "Here the checkers are looking at something that is about to leave it.",
        ),
        "d": (
            "safe-projects",
            "Safe projects is about whether the study should happen at all. Here the study "
            "is done, and the checkers are looking at one of its results.",
        ),
    },
)

q5 = _count(
    "q5",
    variable="k_three_fields",
    prompt="What is k, the size of the smallest group, when people are grouped by age band, "
    "sex and area?",
    expected=lambda data: smallest_group(_people(data), THREE_FIELDS),
    hints=[
        "k is the number of people in the smallest group. The table above lists the groups "
        "from the smallest up.",
        "Read the number of people in the first row of the table. If you code, you can also "
        "take .min() of the group sizes.",
    ],
    misconceptions=[
        Misconception(
            "This looks like the number of different groups, not the size of the smallest "
            "one. k counts the people in the smallest group.",
            compute=lambda data: _people(data).groupby(THREE_FIELDS).ngroups,
            name="counted-groups",
        ),
        Misconception(
            "This looks like the size of the largest group. k is the size of the smallest.",
            compute=lambda data: int(_people(data).groupby(THREE_FIELDS).size().max()),
            name="largest-group",
        ),
        Misconception(
            "This looks like k once the ethnic group is added as well. The question asks for "
            "three fields only: age band, sex and area.",
            compute=lambda data: smallest_group(_people(data), FOUR_FIELDS),
            name="added-ethnic-group",
        ),
    ],
)

q6 = _count(
    "q6",
    variable="alone_detained",
    prompt="How many people detained in the year are the only one with their age band, sex, "
    "area and broad ethnic group?",
    expected=lambda data: people_alone(detained_people(data), FOUR_FIELDS),
    hints=[
        "Group the table detained by the four columns age_band, sex, area_code and "
        "ethnic_group, and count the people in each group with .size().",
        "A person is alone when their group has a size of exactly 1.",
        "Compare the sizes with 1 (sizes == 1) and add up the True values with .sum().",
    ],
    misconceptions=[
        Misconception(
            "This looks like the number of different groups, not the number of people who are "
            "alone in theirs. Count only the groups with a size of exactly 1.",
            compute=lambda data: detained_people(data).groupby(FOUR_FIELDS).ngroups,
            name="counted-groups",
        ),
        Misconception(
            "This looks like the number of people who share their group with someone else. "
            "The question asks for the people who are alone.",
            compute=lambda data: (
                len(detained_people(data)) - people_alone(detained_people(data), FOUR_FIELDS)
            ),
            name="counted-shared",
        ),
        Misconception(
            "This looks like the count for everyone in the people table, not only the people "
            "detained. Use the table detained.",
            compute=lambda data: people_alone(_people(data), FOUR_FIELDS),
            name="used-everyone",
        ),
        Misconception(
            "This looks like the count with the month of detention added. The question asks "
            "for four fields: age band, sex, area and broad ethnic group.",
            compute=lambda data: people_alone(detained_people(data), WITH_MONTH),
            name="added-month",
        ),
        Misconception(
            "This looks like a percentage. The question asks for the number of people.",
            compute=lambda data: (
                people_alone(detained_people(data), FOUR_FIELDS) / len(detained_people(data)) * 100
            ),
            name="percentage-not-count",
        ),
    ],
)

q6b = _choice(
    "q6b",
    prompt="What happened to the number of people detained who are alone when the month their "
    "detention began was added?",
    options={
        "a": "Fewer people were alone.",
        "b": "The number of people alone did not change.",
        "c": "Many more people were alone.",
    },
    answer=_more_alone_with_month,
    hints=[
        "Compare the last two rows of the table: the column people alone.",
        "A date splits people into much smaller groups. What does that do to the number of "
        "people who are alone?",
    ],
    wrong={
        "a": (
            "fields-hide-people",
            "Adding a field never makes groups bigger: it can only split them. Look again at "
            "the column people alone in the last two rows.",
        ),
        "b": (
            "no-change",
            "Look again at the column people alone in the last two rows: the numbers are not "
            "the same.",
        ),
    },
)

q7 = _choice(
    "q7",
    prompt="A file has names and NHS numbers replaced by a code, person_id. Which statement is "
    "right?",
    options={
        "a": "The file is anonymous now: no one in it can be identified.",
        "b": "The file is still personal data: the code links all of one person's records, and "
        "a few ordinary facts can still single them out.",
        "c": "The file is safe to publish on a website, as long as the code is random.",
    },
    answer="b",
    hints=[
        "Look back at the tables in Part 3. Did anyone in them have a name or an NHS number?",
        "Replacing a name with a code is called pseudonymisation. What else in a record can "
        "point to a person?",
    ],
    wrong={
        "a": (
            "pseudonymised-is-anonymous",
            "A code hides the name, but age band, sex, area and a date can still single a "
            "person out, as the tables in Part 3 showed. Pseudonymised is not anonymous.",
        ),
        "c": (
            "random-code-is-safe",
            "A random code does not hide the other facts in each row. Record-level files of "
            "real people are never published, even without names.",
        ),
    },
)

q8 = _choice(
    "q8",
    prompt="What was needed to find the gap in detention rates between the Black and White groups?",
    options={
        "a": "A survey that asked 1,000 volunteers whether they had ever been detained.",
        "b": "A record of every detention, with the person's ethnic group, and counts of the "
        "residents of each group.",
        "c": "The names and home addresses of everyone who was detained.",
    },
    answer="b",
    hints=[
        "A rate needs a number of events on top and a number of people underneath.",
        "Which option gives both, for every group, without more than is needed?",
    ],
    wrong={
        "a": (
            "a-survey-is-enough",
            "Detention is rare, so a survey of 1,000 volunteers would find very few people "
            "who had been detained, too few to compare groups. The rate needs every detention "
            "and the residents of each group.",
        ),
        "c": (
            "names-needed",
            "Names and addresses were never used: the rate needs a count of detentions and a "
            "count of residents in each group. Using only what is needed is a Caldicott "
            "principle.",
        ),
    },
)

q12 = _choice(
    "q12",
    prompt="In England, which is true of a 15-year-old and decisions about their care and "
    "their information?",
    options={
        "a": "They can never decide for themselves: a parent always decides.",
        "b": "They can decide for themselves if they understand fully what is involved, and "
        "their views should be heard either way.",
        "c": "They decide in exactly the same way as an adult, from their 13th birthday.",
    },
    answer="b",
    hints=[
        "In England there is no fixed age at which a child can start to decide: it depends on "
        "what they understand.",
        "The test of whether a child under 16 understands fully is often called Gillick "
        "competence.",
    ],
    wrong={
        "a": (
            "parents-always-decide",
            "A young person under 16 who understands fully what is involved can make their "
            "own decisions. Parents do not always decide.",
        ),
        "c": (
            "same-as-adult",
            "Under 16, a young person is not simply treated as an adult: it depends on what "
            "they understand. The age of 13 is a rule for consent to online services, not "
            "for health care.",
        ),
    },
)


q9 = FreeTextExercise(
    "q9",
    prompt="The two strongest reasons for the Northmoor study and the two strongest against "
    "it, each with why it matters.",
    model_answer=(
        "For: the gap in detention rates is large and long-standing, and this study could "
        "show where it starts, so that support can reach people before a crisis. For: the "
        "records already exist and would stay in a secure data environment, with results "
        "checked, so the risk to each person is kept low while many people could benefit. "
        "Against: linking police, A&E and mental health records makes each person's record "
        "far easier to trace, and it includes children, so a leak or misuse would do great "
        "harm. Against: no one is asked, and the software company's prediction tool could "
        "lead to people from some groups being treated as a risk, which would break the trust "
        "of the very people the study wants to help."
    ),
    hints=[
        "Think about who could benefit, and how the records are protected.",
        "Then think about what could go wrong: for the people in the records, and for "
        "trust in services.",
    ],
)

q10 = FreeTextExercise(
    "q10",
    prompt="Your verdict on the Northmoor request: a decision, three reasons, three "
    "conditions or changes, and one question.",
    model_answer=(
        "Decision: C, ask for changes, then look at it again. Reasons: the question matters "
        "and could make care fairer. The secure setting and output checks protect people "
        "well. But the software company's part changes the purpose of the study, and the plan "
        "for children is not clear. Conditions and changes: the company may not use the data "
        "or the results to build a prediction tool, and it may only help inside the secure "
        "environment, under the same rules as the researchers. The study must explain how "
        "young people aged 14 to 17, and their families, will be told, and a young people's "
        "group must advise it. People with lived experience, including people who have been "
        "detained, must help decide which results are published and how they are worded. The "
        "study must publish in plain words what it does, and say how many records were left "
        "out because of opt-outs in each group. The records must be deleted when the study "
        "ends. Question: how will the study make sure its findings lead to better support, "
        "not to more police involvement?"
    ),
    hints=[
        "Start with one letter, A, B, C or D, and the main reason for it.",
        "Conditions work best when someone could check them later: who may do what, with "
        "which data, for how long.",
    ],
)

q11 = FreeTextExercise(
    "q11",
    prompt="Three questions you would ask of a study that uses records like yours, each with "
    "why it matters.",
    model_answer=(
        "Who will see my records, and will they see my name? It matters because I would feel "
        "very differently about a researcher seeing a code and some facts in a secure setting "
        "than about a copy of my notes being sent away. What is the study for, and who gains "
        "from it? If a company will make money, or the results could be used to label people "
        "like me, I want to know before it starts. Were people with lived experience "
        "involved, and will the results be shared in plain words? That would show me the "
        "study is done with people like me, not to us."
    ),
    hints=[
        "Think about who sees the data, where they are kept, and what the study is for.",
        "Think about who gains, and whether people with lived experience had a say.",
    ],
)
