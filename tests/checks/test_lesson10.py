"""Tests of lesson 10's checks against a small streamed year written as Parquet files."""

from __future__ import annotations

import re

import duckdb
import pandas as pd
import pytest

import mhtrain
from mhtrain.checks import CORRECT, NOT_ATTEMPTED, NOT_YET, RECEIVED
from mhtrain.checks import lesson10 as ex
from mhtrain.synth.stream import stream_to_dir

SEED = 11
POPULATION = 300_000

DETENTIONS_BY_GROUP = """
    CREATE OR REPLACE VIEW detentions_by_group AS
    SELECT g.broad AS broad_group, COUNT(*) AS detentions
    FROM 'big-data/mha_detentions.parquet' AS d
    JOIN 'big-data/people.parquet' AS p ON p.person_id = d.person_id
    JOIN ethnic_groups AS g ON g.code = p.ethnic_category
    GROUP BY g.broad
"""
RESIDENTS_BY_GROUP = """
    CREATE OR REPLACE VIEW residents_by_group AS
    SELECT g.broad AS broad_group, SUM(pop.residents) AS residents
    FROM 'big-data/population.parquet' AS pop
    JOIN ethnic_groups AS g ON g.code = pop.ethnic_category
    GROUP BY g.broad
"""


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    """A folder holding big-data/, as the lesson leaves it next to the notebook."""
    root = tmp_path_factory.mktemp("lesson10")
    stream_to_dir(root / ex.FOLDER, population=POPULATION, seed=SEED, formats=("parquet",))
    return root


@pytest.fixture
def here(workdir, monkeypatch):
    """Run the test from the notebook's folder, so big-data/ is found as in the lesson."""
    monkeypatch.chdir(workdir)
    return workdir


@pytest.fixture
def con(here):
    """A DuckDB connection with the lesson's lookup table and two views."""
    connection = duckdb.connect()
    connection.register("ethnic_groups", mhtrain.codes("ethnic_category")[["code", "broad"]])
    connection.sql(DETENTIONS_BY_GROUP)
    connection.sql(RESIDENTS_BY_GROUP)
    yield connection
    connection.close()


def _rates_by_hand(folder) -> pd.Series:
    """Detentions per 100,000 residents by broad group, counted with plain pandas."""
    broad = dict(zip(*mhtrain.codes("ethnic_category")[["code", "broad"]].T.values, strict=True))
    detentions = pd.read_parquet(folder / "mha_detentions.parquet")
    people = pd.read_parquet(folder / "people.parquet").set_index("person_id")
    population = pd.read_parquet(folder / "population.parquet")
    groups = detentions["person_id"].map(people["ethnic_category"]).map(broad)
    events = groups.value_counts()
    residents = population.groupby(population["ethnic_category"].map(broad))["residents"].sum()
    shared = sorted(set(events.index) & set(residents.index))
    return pd.Series(
        {g: events[g] / residents[g] * 100_000 for g in shared}, name="per_100k"
    ).rename_axis("broad_group")


def _numbers_in(text: str) -> set[str]:
    return set(re.findall(r"\d[\d,.]*", text))


def _assert_rates_not_revealed(message: str, rates: pd.Series) -> None:
    shown = set()
    for value in rates:
        shown |= {f"{value:.0f}", f"{value:.1f}", f"{value:.2f}", f"{value:,.0f}"}
    assert not (shown & _numbers_in(message))


# --------------------------------------------------------------------------------------------
# Exercise 1: rates with SQL.
# --------------------------------------------------------------------------------------------


def test_reference_rates_match_a_count_by_hand(here):
    expected = ex.q1.expected()
    by_hand = _rates_by_hand(here / ex.FOLDER)
    assert sorted(expected.index) == sorted(by_hand.index)
    assert "Unknown" not in expected.index
    pd.testing.assert_series_equal(expected.sort_index(), by_hand.sort_index(), check_dtype=False)


def test_q1_worked_sql_solution_is_correct(con):
    namespace = {"con": con}
    exec(ex.q1.solution_text, namespace)
    rates = namespace["rates"]
    assert isinstance(rates, pd.DataFrame)
    assert ex.q1.evaluate(rates).status == CORRECT


def test_q1_a_series_of_rates_is_also_correct(here):
    assert ex.q1.evaluate(_rates_by_hand(here / ex.FOLDER)).status == CORRECT


def test_q1_checks_the_folder_it_is_given_whatever_the_current_folder(
    workdir, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)  # no big-data here
    big = ex.BigData(workdir / ex.FOLDER)
    assert ex.q1.evaluate(_rates_by_hand(workdir / ex.FOLDER), data=big).status == CORRECT


def test_q1_placeholder_is_not_attempted(here):
    assert ex.q1.evaluate(...).status == NOT_ATTEMPTED


def test_q1_without_the_data_folder_says_what_to_run_instead_of_failing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = ex.q1.evaluate(pd.Series({"White": 1.0}))
    assert result.status == NOT_YET
    assert "stream_to_dir" in result.message


WRONG_QUERIES = {
    "people-not-detentions": """
        WITH people_by_group AS (
            SELECT g.broad AS broad_group, COUNT(DISTINCT d.person_id) AS detained
            FROM 'big-data/mha_detentions.parquet' AS d
            JOIN 'big-data/people.parquet' AS p ON p.person_id = d.person_id
            JOIN ethnic_groups AS g ON g.code = p.ethnic_category
            GROUP BY g.broad
        )
        SELECT broad_group, detained / residents * 100000 AS per_100k
        FROM people_by_group JOIN residents_by_group USING (broad_group)
    """,
    "rows-not-residents": """
        WITH rows_by_group AS (
            SELECT g.broad AS broad_group, COUNT(*) AS population_rows
            FROM 'big-data/population.parquet' AS pop
            JOIN ethnic_groups AS g ON g.code = pop.ethnic_category
            GROUP BY g.broad
        )
        SELECT broad_group, detentions / population_rows * 100000 AS per_100k
        FROM detentions_by_group JOIN rows_by_group USING (broad_group)
    """,
    "people-in-contact-denominator": """
        WITH contact_by_group AS (
            SELECT g.broad AS broad_group, COUNT(*) AS in_contact
            FROM 'big-data/people.parquet' AS p
            JOIN ethnic_groups AS g ON g.code = p.ethnic_category
            GROUP BY g.broad
        )
        SELECT broad_group, detentions / in_contact * 100000 AS per_100k
        FROM detentions_by_group
        JOIN contact_by_group USING (broad_group)
        JOIN residents_by_group USING (broad_group)
    """,
    "upside-down": """
        SELECT broad_group, residents / detentions * 100000 AS per_100k
        FROM detentions_by_group JOIN residents_by_group USING (broad_group)
    """,
}


@pytest.mark.parametrize("name", sorted(WRONG_QUERIES))
def test_q1_misconceptions_from_realistic_queries_are_named(con, here, name):
    wrong = con.sql(WRONG_QUERIES[name]).df()
    result = ex.q1.evaluate(wrong)
    assert result.status == NOT_YET
    assert result.misconception == name
    _assert_rates_not_revealed(result.message, _rates_by_hand(here / ex.FOLDER))


def test_q1_rates_per_person_are_called_100000_times_too_small(con, here):
    per_person = con.sql(
        "SELECT broad_group, detentions / residents AS per_100k "
        "FROM detentions_by_group JOIN residents_by_group USING (broad_group)"
    ).df()
    result = ex.q1.evaluate(per_person)
    assert result.status == NOT_YET
    assert "100,000 times too small" in result.message


def test_q1_keeping_the_unknown_group_is_named_as_an_extra_row(con):
    left = con.sql(
        "SELECT broad_group, detentions / residents * 100000 AS per_100k "
        "FROM detentions_by_group LEFT JOIN residents_by_group USING (broad_group)"
    ).df()
    result = ex.q1.evaluate(left)
    assert result.status == NOT_YET
    assert "Unknown" in result.message


@pytest.mark.slow
def test_checks_read_the_folder_again_after_it_is_rewritten(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    stream_to_dir(tmp_path / ex.FOLDER, population=40_000, seed=1, formats=("parquet",))
    first = ex.q1.expected()
    stream_to_dir(tmp_path / ex.FOLDER, population=40_000, seed=2, formats=("parquet",))
    second = ex.q1.expected()
    pd.testing.assert_series_equal(second, _rates_by_hand(tmp_path / ex.FOLDER), check_dtype=False)
    assert not first.equals(second)


# --------------------------------------------------------------------------------------------
# Exercise 1b: reading the ratio off the table.
# --------------------------------------------------------------------------------------------


def test_q1b_right_option_follows_the_ratio_in_the_files(here):
    rates = _rates_by_hand(here / ex.FOLDER)
    ratio = rates["Black"] / rates["White"]
    right = "a" if ratio < 1.5 else ("b" if ratio <= 5 else "c")
    assert ex.q1b.evaluate(right).status == CORRECT
    for other in {"a", "b", "c"} - {right}:
        result = ex.q1b.evaluate(other)
        assert result.status == NOT_YET
        assert f"{ratio:.1f}" not in result.message


def test_q1b_placeholder_is_not_attempted(here):
    assert ex.q1b.evaluate(...).status == NOT_ATTEMPTED


# --------------------------------------------------------------------------------------------
# Exercises 2 and 3.
# --------------------------------------------------------------------------------------------


def test_q2_right_choice_is_correct_and_wrong_ones_are_explained():
    assert ex.q2.evaluate("b", data=object()).status == CORRECT
    for key, name in (("a", "smaller-files"), ("c", "sql-limit")):
        result = ex.q2.evaluate(key, data=object())
        assert result.status == NOT_YET
        assert result.misconception == name
        assert '"b"' not in result.message
    assert ex.q2.evaluate(..., data=object()).status == NOT_ATTEMPTED


def test_q3_written_answer_is_received_and_the_model_answer_is_in_the_lesson():
    from mhtrain.course.build import read_lesson

    assert ex.q3.check().status == RECEIVED
    nb = read_lesson("notebooks/10-big-data.md")
    [written] = [
        c
        for c in nb.cells
        if c.cell_type == "markdown" and c.metadata.get("nbgrader", {}).get("solution")
    ]
    assert " ".join(written.source.split()) == " ".join(ex.q3.model_answer.split())


def test_every_hint_sequence_ends_by_pointing_to_the_solution():
    for exercise in (ex.q1, ex.q1b, ex.q2, ex.q3):
        assert "solution()" in exercise.hint(len(exercise.hints))
