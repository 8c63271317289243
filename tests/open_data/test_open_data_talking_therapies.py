"""The shipped real NHS Talking Therapies figures: intact, tidy, and saying what NHS England
published (England 2023-24 recovery 50.1%; deprivation gradient 56.1% to 42.3%)."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pandas as pd
import pytest

from mhtrain import open_data
from mhtrain.errors import MhtrainError


@pytest.fixture(scope="module")
def england():
    return open_data.talking_therapies(org_type="England")


def _recovery(table, period, breakdown="Total"):
    rows = table[
        (table["reporting_period"] == period)
        & (table["variable_type"] == breakdown)
        & (table["measure_name"] == "recovery")
        & (table["measure_statistic"] == "percentage")
    ]
    return rows.set_index("variable_a")["value"] if breakdown != "Total" else rows["value"]


def test_england_2023_24_recovery_is_the_published_50_1_per_cent(england):
    assert _recovery(england, "2023-24").tolist() == [50.1]


def test_deprivation_gradient_runs_from_56_1_least_deprived_to_42_3_most_deprived(england):
    by_decile = _recovery(england, "2023-24", "Indices of Deprivation Decile")
    assert by_decile["01 Least deprived"] == 56.1
    assert by_decile["10 Most deprived"] == 42.3
    # decile "01" is the least deprived in this file: recovery falls as the label rises
    deciles = by_decile.drop("Not stated/Not known/Invalid").sort_index()
    assert deciles.is_monotonic_decreasing


def test_england_counts_give_the_published_percentage_with_the_published_denominator(england):
    """Recovery = recovered / (finished treatment - not at caseness), per the definitions."""
    counts = open_data.wide(england[england["variable_type"] == "Total"])
    published = open_data.wide(england[england["variable_type"] == "Total"], statistic="percentage")
    worked = counts["recovery"] / (counts["finished_course_treatment"] - counts["not_at_caseness"])
    assert np.allclose((worked * 100).round(1), published["recovery"])
    assert counts.loc["2023-24", "referrals_received"] == 1_829_202


def test_values_are_numbers_and_every_star_becomes_a_flagged_missing_value():
    raw = pd.read_parquet(open_data.TALKING_THERAPIES_DIR / open_data.MEASURES_FILE)
    tidy = open_data.talking_therapies()
    assert len(tidy) == len(raw) == open_data.manifest()["files"][open_data.MEASURES_FILE]["rows"]
    assert list(tidy.columns) == list(open_data.COLUMNS)
    assert tidy["value"].dtype == np.float64
    stars = (raw["value"] == "*").to_numpy()
    assert stars.sum() > 200_000
    assert (tidy["suppressed"].to_numpy() == stars).all()
    assert tidy.loc[tidy["suppressed"], "value"].isna().all()
    assert tidy.loc[~tidy["suppressed"], "value"].notna().all()
    assert pd.api.types.is_datetime64_any_dtype(tidy["start_date"])
    # the published NULL category becomes missing, not the text "NULL"
    assert not (tidy["variable_a"] == "NULL").any()
    assert tidy.loc[tidy["variable_type"] == "Total", "variable_a"].isna().all()


def test_nothing_for_england_is_hidden_but_about_a_third_of_provider_values_are():
    tidy = open_data.talking_therapies()
    share = tidy.groupby("org_type")["suppressed"].mean()
    assert share["England"] == 0
    assert 0.25 < share["Provider"] < 0.4
    assert share["Commissioning Region"] < share["ICB"] < share["Provider"]


def test_org_type_filter_keeps_one_kind_and_refuses_an_unknown_one():
    providers = open_data.talking_therapies(org_type="Provider")
    assert set(providers["org_type"]) == {"Provider"}
    assert providers["org_code"].nunique() > 200
    with pytest.raises(MhtrainError, match="org_type must be one of"):
        open_data.talking_therapies(org_type="CCG")


def test_shipped_files_match_the_manifest_checksums():
    open_data.verify()
    entry = open_data.manifest()
    assert entry["publisher"] == "NHS England"
    assert "Open Government Licence v3.0" in entry["licence"]["name"]
    assert "Open Government Licence v3.0" in open_data.attribution()
    assert "NHS England" in open_data.attribution()
    assert set(entry["files"]) == {
        p.name for p in open_data.TALKING_THERAPIES_DIR.glob("talking_therapies_*")
    }


def test_a_changed_file_is_named_with_the_fix(tmp_path, monkeypatch):
    copy = tmp_path / "talking_therapies"
    shutil.copytree(open_data.TALKING_THERAPIES_DIR, copy)
    (copy / open_data.PROVIDERS_FILE).write_text("org_code\nX\n")
    monkeypatch.setattr(open_data, "TALKING_THERAPIES_DIR", copy)
    with pytest.raises(MhtrainError, match="providers.csv does not match its checksum"):
        open_data.verify()
    (copy / open_data.PROVIDERS_FILE).unlink()
    with pytest.raises(MhtrainError, match="missing"):
        open_data.verify()


def test_the_readme_states_source_licence_and_that_the_data_are_real():
    text = (open_data.TALKING_THERAPIES_DIR / "README.md").read_text(encoding="utf-8")
    assert "not synthetic" in text
    assert open_data.attribution() in " ".join(text.split())
    assert (
        json.loads((open_data.TALKING_THERAPIES_DIR / "manifest.json").read_text())["source"]
        in text
    )


def test_definitions_variables_and_providers_load():
    defs = open_data.definitions()
    assert "Percentage_Recovery" in set(defs["field_name"])
    assert {"variable_type", "variable_a"} <= set(open_data.variables().columns)
    assert open_data.providers()["org_code"].is_unique


def test_wide_refuses_rows_that_would_collide(england):
    with pytest.raises(MhtrainError, match="filter the table to one breakdown"):
        open_data.wide(england)
    with pytest.raises(MhtrainError, match="statistic must be"):
        open_data.wide(england, statistic="rate")


def test_dictionary_types_match_the_loaded_table_and_the_page_says_real():
    tidy = open_data.talking_therapies(org_type="England")
    kinds = {
        "string": pd.api.types.is_string_dtype,
        "date": pd.api.types.is_datetime64_any_dtype,
        "number": pd.api.types.is_float_dtype,
        "boolean": pd.api.types.is_bool_dtype,
    }
    for _, row in open_data.dictionary().iterrows():
        assert kinds[row["type"]](tidy[row["field"]]), row["field"]
    page = open_data.dictionary_markdown()
    assert "not synthetic" in page and open_data.attribution() in page
    assert page.count("\n| `") == len(open_data.COLUMNS)
    assert "least deprived here" in page


def test_one_year_can_be_read_alone_and_an_unknown_year_is_named():
    year = open_data.talking_therapies(org_type="England", reporting_period="2023-24")
    assert set(year["reporting_period"]) == {"2023-24"}
    assert _recovery(year, "2023-24").tolist() == [50.1]
    with pytest.raises(MhtrainError, match="'2023/24' is not in the file; use one of 2017-18"):
        open_data.talking_therapies(reporting_period="2023/24")
