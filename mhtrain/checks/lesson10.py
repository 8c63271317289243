"""Checks for lesson 10, Big data: SQL on a larger synthetic year written as Parquet files.

The lesson writes its data to a folder called ``big-data`` in the notebook's own folder (the
current directory when the checks run). The reference answers are computed from the same
Parquet files, read here with pandas, so they agree with whatever seed the learner used. Tests
point the checks at another folder by passing ``data=BigData(folder)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from mhtrain.checks import (
    CheckResult,
    ChoiceExercise,
    FreeTextExercise,
    Misconception,
    TableExercise,
)
from mhtrain.checks._shared import broad, upside_down
from mhtrain.errors import MhtrainError

#: Where the lesson writes its Parquet files, relative to the notebook's folder.
FOLDER = "big-data"
#: The groups with residents to divide by (records with no ethnic group are left out).
GROUP_COLUMN = "broad_group"
RATE_COLUMN = "per_100k"


@dataclass(frozen=True)
class BigData:
    """A folder of Parquet files written by ``stream_to_dir`` (one file per table)."""

    #: The folder holding ``people.parquet``, ``population.parquet`` and the other tables.
    folder: Path
    #: When its manifest was last written (nanoseconds), so a rewritten folder is read again.
    stamp: int = 0

    def read(self, table: str, columns: list[str] | None = None) -> pd.DataFrame:
        """Read one table (or some of its columns) from the folder."""
        path = self.folder / f"{table}.parquet"
        if not path.exists():
            raise MhtrainError(
                f"{path} does not exist: run the cell that writes the data (stream_to_dir) "
                "first, in the same folder as this notebook"
            )
        return pd.read_parquet(path, columns=columns)


_OPENED: dict[tuple[str, int], BigData] = {}


def big_data(data: Any = None) -> BigData:
    """Return the :class:`BigData` the checks compare against.

    Parameters
    ----------
    data : BigData, path or None
        A :class:`BigData` (tests), a folder, or ``None`` for ``big-data`` in the current
        directory. Anything else (such as the course dataset a notebook loaded) also means
        ``big-data``.
    """
    if isinstance(data, BigData):
        return data
    folder = Path(data) if isinstance(data, str | Path) else Path(FOLDER)
    folder = folder.resolve()
    manifest = folder / "manifest.json"
    stamp = manifest.stat().st_mtime_ns if manifest.exists() else 0
    key = (str(folder), stamp)
    if key not in _OPENED:
        _OPENED[key] = BigData(folder, stamp)
    return _OPENED[key]


def _detentions(big: BigData) -> pd.DataFrame:
    detentions = big.read("mha_detentions", ["detention_id", "person_id"])
    people = big.read("people", ["person_id", "ethnic_category", "area_code"])
    out = detentions.merge(people, on="person_id")
    out[GROUP_COLUMN] = broad(out["ethnic_category"])
    return out


def _residents(big: BigData) -> pd.Series:
    population = big.read("population", ["ethnic_category", "residents"])
    population[GROUP_COLUMN] = broad(population["ethnic_category"])
    return population.groupby(GROUP_COLUMN)["residents"].sum()


def _per_100k(events: pd.Series, residents: pd.Series) -> pd.Series:
    both = pd.concat([events.rename("events"), residents.rename("residents")], axis=1)
    both = both.dropna()
    rate = both["events"] / both["residents"] * 100_000
    return rate.rename(RATE_COLUMN).rename_axis(GROUP_COLUMN)


def detention_rates(data: Any = None) -> pd.Series:
    """Detentions per 100,000 residents by broad ethnic group, from the lesson's Parquet files.

    Parameters
    ----------
    data : BigData, path or None
        Where the files are (see :func:`big_data`).

    Returns
    -------
    pandas.Series
        ``per_100k`` indexed by ``broad_group`` (groups without residents are left out).
    """
    big = big_data(data)
    return _per_100k(_detentions(big).groupby(GROUP_COLUMN).size(), _residents(big))


def _people_detained_rates(data: Any) -> pd.Series:
    big = big_data(data)
    people = _detentions(big).groupby(GROUP_COLUMN)["person_id"].nunique()
    return _per_100k(people, _residents(big))


def _population_rows_rates(data: Any) -> pd.Series:
    big = big_data(data)
    population = big.read("population", ["ethnic_category"])
    rows = population.groupby(broad(population["ethnic_category"]).rename(GROUP_COLUMN)).size()
    return _per_100k(_detentions(big).groupby(GROUP_COLUMN).size(), rows)


def _people_in_contact_rates(data: Any) -> pd.Series:
    big = big_data(data)
    people = big.read("people", ["ethnic_category"])
    in_contact = people.groupby(broad(people["ethnic_category"]).rename(GROUP_COLUMN)).size()
    detentions = _detentions(big).groupby(GROUP_COLUMN).size()
    residents = _residents(big)
    return _per_100k(detentions, in_contact).loc[lambda s: s.index.isin(residents.index)]


def _upside_down(data: Any) -> pd.Series:
    rates = detention_rates(data)
    return (100_000 / rates * 100_000).rename(RATE_COLUMN)


class _FromBigData:
    """Mixin: checks compare against the lesson's Parquet folder, not the course dataset."""

    def evaluate(self, answer: Any = None, *, data: Any = None) -> CheckResult:
        try:
            big = big_data(data)
            return super().evaluate(answer, data=big)  # type: ignore[misc]
        except MhtrainError as exc:
            return self._not_yet(f"The checks cannot read the data: {exc}.")  # type: ignore[attr-defined]

    def expected(self, *, data: Any = None) -> Any:
        return super().expected(data=big_data(data))  # type: ignore[misc]


class _RateTable(_FromBigData, TableExercise):
    """A table of rates by group: a Series, or the DataFrame a SQL query returns."""

    def _compare(self, answer: Any, data: Any) -> CheckResult:
        if isinstance(answer, pd.DataFrame):
            table = answer
            if GROUP_COLUMN in table.columns:
                table = table.set_index(GROUP_COLUMN)
            if RATE_COLUMN in table.columns:
                answer = table[RATE_COLUMN]
        return super()._compare(answer, data)


class _BigDataChoice(_FromBigData, ChoiceExercise):
    """A choice whose right option is read from the lesson's Parquet files."""


def _ratio_option(data: Any) -> str:
    rates = detention_rates(data)
    ratio = rates["Black"] / rates["White"]
    if ratio < 1.5:
        return "a"
    return "b" if ratio <= 5 else "c"


q1 = _RateTable(
    "q1",
    variable="rates",
    prompt="Detentions per 100,000 residents by broad ethnic group, with SQL in DuckDB.",
    expected=detention_rates,
    quantity="rate",
    hints=[
        "The two views detentions_by_group and residents_by_group each have one row per "
        "broad_group. JOIN them on that column.",
        "After the JOIN, divide the detentions by the residents and multiply by 100000. Name "
        "the result with AS per_100k.",
        "The shape of the query: SELECT broad_group, detentions, residents, <the sum> AS "
        "per_100k FROM one view JOIN the other view USING (broad_group). End with .df() to "
        "get a pandas table.",
    ],
    misconceptions=[
        Misconception(
            "This looks like people detained per 100,000, not detentions: some people were "
            "detained more than once in the year. Count every detention (COUNT(*)), as the "
            "view detentions_by_group does.",
            compute=_people_detained_rates,
            name="people-not-detentions",
        ),
        Misconception(
            "The bottom of your fraction looks like the number of rows of the population table, "
            "not the number of residents. Each row is a group of residents: add up the column "
            "residents with SUM(residents).",
            compute=_population_rows_rates,
            name="rows-not-residents",
        ),
        Misconception(
            "You divided by the people in contact with services, not by all residents. A rate "
            "per 100,000 residents divides by everyone who lives there (the population table).",
            compute=_people_in_contact_rates,
            name="people-in-contact-denominator",
        ),
        upside_down(_upside_down, top="the detentions", bottom="the residents"),
    ],
)

q1b = _BigDataChoice(
    "q1b",
    variable="answer_q1b",
    prompt="How many times as high as the White group's detention rate is the Black group's rate?",
    options={
        "a": "About the same: less than 1.5 times.",
        "b": "Between 1.5 and 5 times.",
        "c": "More than 5 times.",
    },
    answer=_ratio_option,
    hints=[
        "Find the rows for the Black and White groups in the table of rates.",
        "Divide the Black group's rate by the White group's rate. Which range is the result in?",
    ],
)

q2 = ChoiceExercise(
    "q2",
    variable="answer_q2",
    prompt="Why do analysts aggregate and apply disclosure control before they share results?",
    options={
        "a": "To make the files smaller, so they are quicker to send.",
        "b": "Because a table of counts answers the question, while rows about people, even "
        "without names, can single someone out, and so can small counts.",
        "c": "Because SQL can only share tables, not rows.",
    },
    answer="b",
    hints=[
        "Think back to the privacy part of Lesson 9: what can a few fields about a person do?",
        "Which option is about the people in the data, not about files or software?",
    ],
    misconceptions=[
        Misconception(
            "Smaller files are a side effect, not the reason. Think about the people in the "
            "data: what could a row about one person reveal, even with no name?",
            value="a",
            name="smaller-files",
        ),
        Misconception(
            "SQL can return rows as easily as tables. The reason is about the people in the "
            "data: what could a row about one person reveal?",
            value="c",
            name="sql-limit",
        ),
    ],
)

q3 = FreeTextExercise(
    "q3",
    prompt="A colleague asks for the big-data files to have a look. What do you send, and what "
    "do you ask first?",
    model_answer=(
        "I would not send the record-level files, even though they are synthetic, because with "
        "real data that would be a serious breach: rows about people can single someone out "
        "even without names. First I would ask what question my colleague wants to answer, "
        "and whether they have a lawful basis and approval to see the data. Then I would run "
        "the query for them, or share it, and send only the summary table that answers the "
        "question, with counts from 1 to 7 hidden and the rest rounded to 5 (and a note "
        "under the table saying so). If they need record-level data, they should ask for "
        "access through the proper route, to a secure setting."
    ),
    hints=[
        "Would you send the rows, or a summary? Why?",
        "What would you need to know about the request before you share anything?",
    ],
)
