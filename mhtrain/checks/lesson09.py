"""Checks for lesson 9, Telling it responsibly: charts, small numbers, privacy and sharing."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from mhtrain.checks import (
    CORRECT,
    NOT_YET,
    CheckResult,
    ChoiceExercise,
    FreeTextExercise,
    Misconception,
    NumberExercise,
    TableExercise,
)

#: Broad ethnic groups in the order UK government statistics list them.
ETHNIC_GROUPS = ["Asian", "Black", "Mixed", "White", "Other", "Unknown"]
#: Age groups of the disclosure-control table, and where each starts (age in years).
AGE_GROUPS = ["Under 18", "18 to 24", "25 to 64", "65 and over"]
AGE_BREAKS = [0, 18, 25, 65, np.inf]
#: The fields that together can single a person out (exercise 3).
QUASI_IDENTIFIERS = ["age", "sex", "ethnic_category", "area_code"]
#: NHS rule: counts from 1 to SMALLEST_SHOWN - 1 are hidden, the rest rounded to ROUNDING_BASE.
SMALLEST_SHOWN = 8
ROUNDING_BASE = 5
TOTAL = "Total"
SUPPRESSED = "*"


# --------------------------------------------------------------------------------------------
# The table of exercise 2, and the rules applied by hand.
# --------------------------------------------------------------------------------------------


def detention_counts(data: Any) -> pd.DataFrame:
    """Detentions in the year in ``data`` by broad ethnic group (rows) and age group (columns).

    Whole-number counts, rows in :data:`ETHNIC_GROUPS` order, columns in :data:`AGE_GROUPS`
    order, with zeros where no one was detained.
    """
    from mhtrain import broad_ethnic_group

    detained = data.mha_detentions.merge(data.people, on="person_id")
    group = broad_ethnic_group(detained["ethnic_category"])
    age_group = pd.cut(detained["age"], bins=AGE_BREAKS, right=False, labels=AGE_GROUPS)
    counts = pd.crosstab(group.to_numpy(), age_group.astype(str).to_numpy())
    counts = counts.reindex(index=ETHNIC_GROUPS, columns=AGE_GROUPS, fill_value=0)
    return counts.rename_axis(index="ethnic group", columns="age group")


def _with_totals(counts: pd.DataFrame) -> pd.DataFrame:
    out = counts.copy()
    out[TOTAL] = out.sum(axis=1)
    out.loc[TOTAL] = out.sum(axis=0)
    return out


def _rounded(values: pd.DataFrame) -> pd.DataFrame:
    # Half up, as NHS statistics round (counts divided by 5 never end in exactly .5 anyway).
    return (np.floor(values / ROUNDING_BASE + 0.5) * ROUNDING_BASE).astype("int64")


def _primary(values: pd.DataFrame) -> pd.DataFrame:
    return (values >= 1) & (values < SMALLEST_SHOWN)


def _published(data: Any) -> pd.DataFrame:
    from mhtrain.stats import disclosure_control

    return disclosure_control(detention_counts(data), margins=True)


def _hid_up_to_5(data: Any) -> pd.DataFrame:
    from mhtrain.stats import disclosure_control

    return disclosure_control(detention_counts(data), margins=True, smallest_shown=6)


def _zeros_hidden(data: Any) -> pd.DataFrame:
    counts = _with_totals(detention_counts(data))
    return _published(data).mask(counts == 0, SUPPRESSED)


def _not_rounded(data: Any) -> pd.DataFrame:
    from mhtrain.stats import disclosure_control

    return disclosure_control(detention_counts(data), margins=True, base=1)


def _no_secondary(data: Any) -> pd.DataFrame:
    counts = _with_totals(detention_counts(data))
    return _rounded(counts).astype(object).mask(_primary(counts), SUPPRESSED)


def _no_totals(data: Any) -> pd.DataFrame:
    from mhtrain.stats import disclosure_control

    return disclosure_control(detention_counts(data))


def _cell(value: Any) -> Any:
    """A published cell as ``"*"`` or a float, however the learner typed it."""
    if isinstance(value, str):
        text = value.strip()
        if text == SUPPRESSED:
            return SUPPRESSED
        try:
            return float(text.replace(",", ""))
        except ValueError:
            return text
    if isinstance(value, bool | np.bool_):
        return value
    if isinstance(value, int | float | np.integer | np.floating):
        return float(value)
    return value


def _as_published(table: pd.DataFrame) -> pd.DataFrame:
    out = table.copy().astype(object)
    for column in out.columns:
        out[column] = [_cell(v) for v in out[column].tolist()]
    return out


def _is_safe_alternative(answer: pd.DataFrame, counts: pd.DataFrame, most_hidden: int) -> bool:
    """Whether ``answer`` follows all three rules, with other extra cells hidden than ours.

    Secondary suppression can be done in more than one safe way. An answer is accepted if every
    count from 1 to 7 is hidden, every shown count is rounded to 5, no row or column (totals
    included) has exactly one hidden cell, and it hides no more cells than the reference does.
    """
    rows = {str(r): r for r in answer.index}
    cols = {str(c): c for c in answer.columns}
    if set(rows) != {str(r) for r in counts.index} or set(cols) != {str(c) for c in counts.columns}:
        return False
    aligned = answer.loc[
        [rows[str(r)] for r in counts.index], [cols[str(c)] for c in counts.columns]
    ]
    hidden = np.array([[v == SUPPRESSED for v in row] for row in aligned.to_numpy()], dtype=bool)
    if hidden.sum() > most_hidden or (_primary(counts).to_numpy() & ~hidden).any():
        return False
    rounded = _rounded(counts).to_numpy()
    shown = aligned.to_numpy()
    for i, j in zip(*np.nonzero(~hidden), strict=True):
        if not isinstance(shown[i, j], float) or shown[i, j] != rounded[i, j]:
            return False
    return not ((hidden.sum(axis=0) == 1).any() or (hidden.sum(axis=1) == 1).any())


class _PublishedTableExercise(TableExercise):
    """A published table: ``"*"`` or rounded counts; other safe secondary choices are accepted."""

    def _compare(self, answer: Any, data: Any) -> CheckResult:
        if isinstance(answer, pd.DataFrame):
            answer = _as_published(answer)
        result = super()._compare(answer, data)
        if (
            result.status == NOT_YET
            and result.misconception not in {m.name for m in self.misconceptions}
            and isinstance(answer, pd.DataFrame)
        ):
            counts = _with_totals(detention_counts(data))
            most = int((self.expected(data=data) == SUPPRESSED).to_numpy().sum())
            if _is_safe_alternative(answer, counts, most):
                return self._result(
                    CORRECT,
                    "well done. Your table is safe to publish. You hid different extra cells "
                    "from the ones disclosure_control() hides (it picks the smallest count "
                    "in the row or column), and your choice protects the hidden counts too.",
                )
        return result


# --------------------------------------------------------------------------------------------
# Exercise 3: people who are unique on a few fields.
# --------------------------------------------------------------------------------------------


def _unique_people(people: pd.DataFrame, fields: list[str]) -> int:
    sizes = people.groupby(fields).size()
    return int((sizes == 1).sum())


def uniqueness_table(data: Any, field_sets: list[list[str]]) -> pd.DataFrame:
    """How many people in ``people`` are the only one with their values of each set of fields.

    Parameters
    ----------
    data : Dataset
        The course dataset.
    field_sets : list of list of str
        Sets of columns of ``people``, e.g. ``[["age"], ["age", "sex"]]``.

    Returns
    -------
    pandas.DataFrame
        One row per set of fields: ``people unique`` (a count) and ``percent of people``.
    """
    people = data.people
    rows = []
    for fields in field_sets:
        unique = _unique_people(people, list(fields))
        rows.append(
            {
                "fields": " + ".join(fields),
                "people unique": unique,
                "percent of people": round(unique / len(people) * 100, 1),
            }
        )
    return pd.DataFrame(rows).set_index("fields")


# --------------------------------------------------------------------------------------------
# The exercises.
# --------------------------------------------------------------------------------------------

q1 = ChoiceExercise(
    "q1",
    variable="answer_q1",
    prompt="Which of the two charts of recovery rates is misleading, and why?",
    options={
        "a": "Chart A, because its bars start at zero, which hides the differences between "
        "providers.",
        "b": "Chart B, because its axis does not start at zero, so small gaps look large.",
        "c": "Neither: both show the same numbers, so both are fair.",
    },
    answer="b",
    hints=[
        "Look at where the value axis of each chart starts.",
        "In a bar chart, we judge a value by the length of its bar. If the axis does not start "
        "at zero, is the length of a bar still in proportion to the value?",
    ],
    misconceptions=[
        Misconception(
            "Starting the bars at zero is what keeps their lengths honest. Look again at the "
            "chart whose axis starts higher up: how much bigger do the gaps look there?",
            value="a",
            name="zero-hides-gaps",
        ),
        Misconception(
            "The numbers are the same, but a chart is judged by the eye, not by the numbers. "
            "Compare the lengths of the bars in the two charts.",
            value="c",
            name="same-numbers-same-message",
        ),
    ],
)

q2 = _PublishedTableExercise(
    "q2",
    variable="published",
    prompt="Apply NHS disclosure control to the table of detentions by ethnic group and age "
    "group, with a total row and column.",
    expected=_published,
    quantity="count",
    advice="Check the three rules in order: a count from 1 to 7 becomes *, a zero stays 0, every "
    "other count (totals too) is rounded to the nearest 5; then, in any row or column with "
    "only one *, hide one more count, so the hidden one cannot be worked out from the total.",
    hints=[
        "There are three rules: hide counts from 1 to 7 with a *, round the other counts "
        "(totals too) to the nearest 5, and hide more cells wherever a row or column has "
        "only one *.",
        "The function stats.disclosure_control() applies all three rules. Look back at how "
        "the worked example called it.",
        "The table counts has no totals yet. Ask disclosure_control() to add a total row and "
        "column for you with margins=True.",
    ],
    misconceptions=[
        Misconception(
            "Some zeros in your table are shown as *. A zero is not hidden: it cannot point "
            "to one person, and hiding it would make the table hard to read. Show zeros as 0.",
            compute=_zeros_hidden,
            name="suppressed-zeros",
        ),
        Misconception(
            "You hid the counts up to 5. NHS England hides every count from 1 to 7, so a "
            "count of 6 or 7 must be shown as * too.",
            compute=_hid_up_to_5,
            name="hid-up-to-5",
        ),
        Misconception(
            "The small counts are hidden, but the other counts are not rounded. Round every "
            "count you show, totals included, to the nearest 5.",
            compute=_not_rounded,
            name="not-rounded",
        ),
        Misconception(
            "Some rows or columns have only one *. Then the hidden count can be worked out "
            "from the total, as in the worked example. Hide one more cell in each of those "
            "rows and columns (secondary suppression).",
            compute=_no_secondary,
            name="no-secondary-suppression",
        ),
        Misconception(
            "Your table has no totals. The question asks for the published table with a "
            "total row and a total column: use margins=True.",
            compute=_no_totals,
            name="no-totals",
        ),
    ],
)

q2b = ChoiceExercise(
    "q2b",
    variable="answer_q2b",
    prompt="A report shows Ward A 12, Ward B *, Ward C 9 and a total of 26, not rounded. What "
    "can a reader work out?",
    options={
        "a": "Nothing about Ward B: its count is hidden.",
        "b": "Ward B's count exactly, by taking the other wards away from the total.",
        "c": "Only that Ward B's count is somewhere from 1 to 7.",
    },
    answer="b",
    hints=[
        "The total is the sum of the three wards. Two of the three are shown.",
        "Take Ward A and Ward C away from the total. What is left?",
    ],
    misconceptions=[
        Misconception(
            "The * hides the count in its own cell, but the total still holds it. Try taking "
            "the two shown wards away from the total.",
            value="a",
            name="star-is-enough",
        ),
        Misconception(
            "The * alone says the count is from 1 to 7, but the total tells us more. Take the "
            "two shown wards away from the total.",
            value="c",
            name="only-a-range",
        ),
    ],
)

q3 = NumberExercise(
    "q3",
    variable="unique_people",
    prompt="How many people in the people table are the only person with their age, sex, "
    "ethnic category and area?",
    expected=lambda data: _unique_people(data.people, QUASI_IDENTIFIERS),
    quantity="count",
    hints=[
        "Group the people table by the four columns age, sex, ethnic_category and area_code, "
        "and count the people in each group.",
        "groupby([...]).size() gives the number of people with each combination of values. A "
        "person is unique when their combination has a size of exactly 1.",
        "Compare the sizes with 1 (sizes == 1) and add up the True values with .sum().",
    ],
    misconceptions=[
        Misconception(
            "This looks like the number of different combinations of the four fields, not the "
            "number of people who are alone in theirs. Count only the combinations that one "
            "person has (a size of exactly 1).",
            compute=lambda data: len(data.people.groupby(QUASI_IDENTIFIERS).size()),
            name="counted-combinations",
        ),
        Misconception(
            "This looks like the number of people who share their combination with someone "
            "else. The question asks for the people who are the only one with theirs.",
            compute=lambda data: len(data.people) - _unique_people(data.people, QUASI_IDENTIFIERS),
            name="counted-shared",
        ),
        Misconception(
            "This looks like the count for age bands (age_band), not age in years. Use the "
            "column age, as the question asks.",
            compute=lambda data: _unique_people(
                data.people, ["age_band", "sex", "ethnic_category", "area_code"]
            ),
            name="used-age-band",
        ),
        Misconception(
            "This looks like a percentage of people. The question asks for the number of people.",
            compute=lambda data: (
                _unique_people(data.people, QUASI_IDENTIFIERS) / len(data.people) * 100
            ),
            name="percentage-not-count",
        ),
    ],
)

q3b = ChoiceExercise(
    "q3b",
    variable="answer_q3b",
    prompt="In the table of unique people, what happens as more fields are added?",
    options={
        "a": "Fewer people are unique.",
        "b": "About the same number of people are unique.",
        "c": "More people are unique.",
    },
    answer="c",
    hints=[
        "Read the column 'people unique' from the top row to the bottom row.",
        "Each new field splits the groups of people into smaller groups. What happens to a "
        "group of two people when it is split?",
    ],
    misconceptions=[
        Misconception(
            "Look at the column 'people unique' again, from top to bottom. Each extra field "
            "splits groups of people into smaller groups, and a smaller group is more likely "
            "to hold just one person.",
            value="a",
            name="fields-hide-people",
        ),
        Misconception(
            "Read the numbers in the column 'people unique' from top to bottom: do they stay "
            "about the same?",
            value="b",
            name="no-change",
        ),
    ],
)

q4 = FreeTextExercise(
    "q4",
    prompt="Write a short message to a service manager about a gap you found.",
    model_answer=(
        "Dear service manager, thank you for sharing your service's data with us. We looked "
        "at detentions under the Mental Health Act in the year. People from Black African and "
        "Caribbean backgrounds were detained at a much higher rate than people from White "
        "backgrounds, and the gap stayed after we allowed for age. The gap is larger "
        "than chance alone would explain, but the numbers are small, so its exact size is "
        "uncertain, and some records have no ethnic group. The same pattern is seen across "
        "England, so we are not suggesting your team is at fault. Could we meet to look at it "
        "together? We would like to understand how people reach your service (for example, "
        "through the police or A&E), what support they had before a crisis, and how ethnic "
        "group is recorded. We would also like to hear from people who use the service, and "
        "from experts by experience. The tables we attach have small numbers hidden."
    ),
    hints=[
        "Start with what you found, in one plain sentence, and how sure you are.",
        "Then ask questions rather than make accusations: what would help you understand the "
        "gap? Who else should be asked?",
    ],
)
