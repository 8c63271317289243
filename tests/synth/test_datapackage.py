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


def test_datapackage_is_valid_frictionless_and_every_csv_row_passes(written):
    """The descriptor is a valid package; every CSV row meets its schema and foreign keys."""
    from frictionless import Package

    descriptor = json.loads((written / "datapackage.json").read_text())
    Package(descriptor, basepath=str(written))  # raises if the descriptor is not valid
    descriptor["resources"] = [r for r in descriptor["resources"] if r["format"] == "csv"]
    report = Package(descriptor, basepath=str(written)).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]


def test_datapackage_describes_every_field_of_every_csv(written):
    package = json.loads((written / "datapackage.json").read_text())
    for resource in package["resources"]:
        if resource["format"] != "csv":
            continue
        header = (written / resource["path"]).read_text().splitlines()[0].split(",")
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
