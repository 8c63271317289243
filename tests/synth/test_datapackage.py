"""The written dataset describes itself: a valid Frictionless Data Package and a plain README."""

from __future__ import annotations

import json

import pytest

import mhtrain
from mhtrain.data import data_dir


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("pkg") / "data"
    return mhtrain.generate(population=20_000, seed=5).to_dir(out)


def _invalid_rows(report) -> list:
    return [
        (task.name, *error)
        for task in report.tasks
        for error in task.flatten(["rowNumber", "fieldName", "type", "note"])
    ][:10]


def test_frictionless_validates_every_resource_csv_and_parquet(written):
    """Frictionless' own validation of the whole package: every CSV and Parquet resource,
    every row against its typed schema, keys and foreign keys."""
    from frictionless import Package

    package = Package(str(written / "datapackage.json"))
    assert {r.format for r in package.resources} == {"csv", "parquet"}
    assert all(r.schema.fields for r in package.resources)
    report = package.validate()
    assert report.valid, _invalid_rows(report)
    assert {task.name for task in report.tasks} == {r.name for r in package.resources}


def test_frictionless_finds_a_bad_value_in_a_parquet_resource(written, tmp_path):
    """The Parquet resources are really checked: an impossible decile is reported."""
    import shutil

    import pandas as pd
    from frictionless import Package

    from mhtrain.synth.dataset import write_parquet

    copy = tmp_path / "copy"
    shutil.copytree(written, copy)
    people = pd.read_parquet(copy / "people.parquet")
    people.loc[people.index[0], "imd_decile"] = 11
    write_parquet(people, copy / "people.parquet")
    report = Package(str(copy / "datapackage.json")).validate()
    assert [task.name for task in report.tasks if not task.valid] == ["people-parquet"]
    assert report.flatten(["rowNumber", "fieldName", "type"]) == [
        [2, "imd_decile", "constraint-error"]
    ]


@pytest.mark.slow
def test_the_shipped_package_passes_frictionless_validate():
    """What a FAIR-minded user runs first: ``frictionless validate synthetic_data/datapackage.json``,
    on the shipped CSV files, every row, key and link between tables. (Each Parquet file is
    written from the same table as its CSV, and both are checked against a fresh regeneration
    by the reproducibility tests; frictionless reads Parquet row by row, which takes minutes at
    this size, so the Parquet resources are validated on a smaller package above.)"""
    from frictionless import Package

    package = Package(str(data_dir() / "datapackage.json"))
    for resource in [r for r in package.resources if r.format == "parquet"]:
        package.remove_resource(resource.name)
    assert package.resources
    report = package.validate()
    assert report.valid, _invalid_rows(report)


def test_datapackage_describes_every_field_of_every_file(written):
    import pyarrow.parquet as pq

    package = json.loads((written / "datapackage.json").read_text())
    for resource in package["resources"]:
        path = written / resource["path"]
        if resource["format"] == "csv":
            header = path.read_text().splitlines()[0].split(",")
        else:
            header = pq.read_schema(path).names
        assert [f["name"] for f in resource["schema"]["fields"]] == header
        assert all(f["description"] for f in resource["schema"]["fields"])


def test_manifest_checksums_match_the_files(written):
    from mhtrain.files import sha256_file as sha256

    manifest = json.loads((written / "manifest.json").read_text())
    assert manifest["synthetic"] is True
    for name, digest in manifest["files"].items():
        assert sha256(written / name) == digest, name


def test_readme_says_plainly_that_no_real_person_is_in_the_data():
    text = (data_dir() / "README.md").read_text()
    assert "No real person is in these data" in text


def test_dictionary_lists_every_field_of_a_table_and_refuses_unknown_tables():
    from mhtrain.errors import MhtrainError

    fields = mhtrain.dictionary("care_contacts")
    assert list(fields.field) == list(mhtrain.load().care_contacts.columns)
    assert fields.description.str.len().min() > 10
    with pytest.raises(MhtrainError, match="unknown table"):
        mhtrain.dictionary("patients")


def test_data_dictionary_page_links_each_code_list_to_its_own_section():
    from mhtrain.synth.schema import dictionary_markdown

    text = dictionary_markdown()
    for target in set(__import__("re").findall(r"<(codes-[a-z-]+)>", text)):
        assert f"({target})=" in text, target


def test_book_description_names_every_target_and_marks_illustrative_settings():
    from mhtrain.specload import _walk_params, load_scenario
    from mhtrain.synth import describe_planted_effects

    text = describe_planted_effects()
    spec = load_scenario()
    for target in spec["targets"]:
        assert target["label"] in text
    illustrative = [w for w, p in _walk_params(spec) if p.get("illustrative")]
    for where in illustrative:
        line = next(line for line in text.splitlines() if line.startswith(f"- `{where}`"))
        assert "**illustrative**" in line, where
