"""The specs are checked for meaning, not just shape."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
import yaml

from mhtrain.errors import SpecError
from mhtrain.specload import (
    SPEC_DIR,
    _walk_params,
    load_codes,
    load_scenario,
    load_schema,
    load_sources,
    parse_age_band,
    read_yaml,
    scenario_problems,
)

DEFAULT = read_yaml(SPEC_DIR / "default.yaml")
LESSON_DIR = SPEC_DIR.parent.parent / "notebooks"


def _problems_after(change) -> list[str]:
    spec = copy.deepcopy(DEFAULT)
    change(spec)
    return scenario_problems(spec)


def test_default_scenario_has_no_problems():
    assert scenario_problems(DEFAULT) == []
    load_scenario("default")


def test_every_distribution_in_the_default_scenario_sums_to_one():
    """Shares and every row of per-group shares add up to 1 (published rounding allowed)."""
    checked = 0
    for where, param in _walk_params(DEFAULT):
        if not where.rsplit(".", 1)[-1].endswith(("_shares", "team_type_by_age", "source_by_team")):
            continue
        value = param["value"]
        rows = value.values() if all(isinstance(v, dict) for v in value.values()) else [value]
        for row in rows:
            assert sum(row.values()) == pytest.approx(1, abs=0.0015), where
            checked += 1
    assert checked >= 8


def test_age_bands_are_contiguous_from_zero_to_an_open_band():
    bands = [parse_age_band(b) for b in DEFAULT["population"]["age_bands"]]
    assert bands[0][0] == 0 and bands[-1][1] is None
    for (_, hi), (lo, _) in zip(bands, bands[1:], strict=False):
        assert lo == hi + 1


def test_every_number_is_sourced_or_marked_illustrative():
    for where, param in _walk_params(DEFAULT):
        assert param.get("source") in load_sources() or param.get("illustrative") is True, where
    for target in DEFAULT["targets"]:
        assert target["source"] in load_sources(), target["id"]


def _used_source_ids() -> set[str]:
    used: set[str] = set()
    for path in SPEC_DIR.glob("*.yaml"):
        if path.stem.startswith("sources"):
            continue
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"\b[a-z0-9_]*(?:source|basis):\s*([a-z0-9_]+)", text))
    from mhtrain.stats import METHOD_SOURCES

    lessons = " ".join(p.read_text(encoding="utf-8") for p in LESSON_DIR.glob("*.md"))
    used |= {key for key, src in load_sources().items() if str(src["url"]) in lessons}

    for ids in METHOD_SOURCES.values():
        used |= set(ids if isinstance(ids, list | tuple) else [ids])
    return used


def test_every_source_is_used():
    unused = set(load_sources()) - _used_source_ids()
    assert not unused, f"sources listed but never used: {sorted(unused)}"


def test_every_source_has_a_title_publisher_year_and_web_address():
    for key, src in load_sources().items():
        assert str(src["url"]).startswith("https://"), key
        assert 1900 < int(src["year"]) <= 2026, key


def test_code_lists_have_unique_codes_and_valid_broad_groups():
    codes = load_codes()
    broad = {c["broad"] for c in codes["ethnic_category"]["codes"]}
    assert broad == {"White", "Mixed", "Asian", "Black", "Other", "Unknown"}
    assert {c["code"] for c in codes["ethnic_category"]["codes"]} >= set("ABCDEFGHJKLMNPRS")


def test_schema_tables_use_known_code_lists():
    schema = load_schema()
    assert {"people", "referrals", "talking_therapies"} <= set(schema)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: s["detention"]["base_rate"].pop("illustrative"), "has no source"),
        (lambda s: s["detention"]["base_rate"].update(source="no_such_source"), "unknown source"),
        (
            lambda s: s["talking_therapies"]["caseness_probability"].update(value=1.4),
            "probability above 1",
        ),
        (lambda s: s["referrals"]["attendance_shares"]["value"].update(dna=0.5), "sum to"),
        (lambda s: s["population"]["age_bands"].__setitem__(3, "16-19"), "not contiguous"),
        (lambda s: s["contact"].update(extra=0.5), "bare number"),
        (lambda s: s["contact"]["male_factor"].update(value=-1), "negative"),
        (lambda s: s["contact"]["male_factor"].pop("note"), "no `note`"),
    ],
    ids=[
        "missing source",
        "unknown source",
        "probability above 1",
        "shares not summing to 1",
        "gap in age bands",
        "bare number",
        "negative rate",
        "illustrative without a note",
    ],
)
def test_a_broken_spec_is_refused_with_the_problem_named(change, message):
    problems = _problems_after(change)
    assert any(message in p for p in problems), problems


def test_loading_a_broken_scenario_file_raises_one_clear_line(tmp_path):
    spec = copy.deepcopy(DEFAULT)
    spec["detention"]["base_rate"].pop("illustrative")
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    with pytest.raises(SpecError) as info:
        load_scenario(path)
    assert "\n" not in str(info.value)
    assert "detention.base_rate" in str(info.value)


def test_unknown_scenario_names_the_choices():
    with pytest.raises(SpecError, match="choose one of: default"):
        load_scenario("nope")


def test_malformed_yaml_is_reported_with_its_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("scenario: x\npopulation: [unclosed\n", encoding="utf-8")
    with pytest.raises(SpecError, match="not valid YAML"):
        load_scenario(Path(path))


def test_every_parameter_declares_a_known_kind():
    from mhtrain.specload import parameter_kinds

    kinds = set(parameter_kinds())
    for where, param in _walk_params(DEFAULT):
        if where.startswith("targets"):
            continue
        assert param.get("kind") in kinds, where


@pytest.mark.parametrize(
    ("change", "names", "fix"),
    [
        (
            lambda s: s["detention"]["base_rate"].pop("kind"),
            "detention.base_rate",
            "add `kind:`",
        ),
        (
            lambda s: s["detention"]["base_rate"].update(kind="speed"),
            "detention.base_rate",
            "use one of share, probability",
        ),
        (
            lambda s: s["detention"]["base_rate"].update(sorce="x"),
            "detention.base_rate",
            "unknown key 'sorce'",
        ),
        (
            lambda s: s["detention"]["young_adult_ages"].update(value=[34, 20]),
            "detention.young_adult_ages",
            "youngest age must come first",
        ),
        (
            lambda s: s["detention"]["young_adult_ages"].update(value="20 to 34"),
            "detention.young_adult_ages",
            "[youngest, oldest] ages",
        ),
        (
            lambda s: s["talking_therapies"]["session_gap_days"].update(value=[21, 7]),
            "talking_therapies.session_gap_days",
            "must not exceed the second",
        ),
        (
            lambda s: s["detention"]["duration_days"]["value"].update(s2=[40, 28]),
            "detention.duration_days",
            "must not exceed the second",
        ),
        (
            lambda s: s["referrals"]["team_type_by_age"]["value"]["child"].update(cyp=0.9),
            "referrals.team_type_by_age",
            "must sum to 1",
        ),
        (
            lambda s: s["contact"]["deprivation_ratio"].update(value=0),
            "contact.deprivation_ratio",
            "must be above 0",
        ),
        (
            lambda s: s["referrals"]["max_contacts_per_referral"].update(value=2.5),
            "referrals.max_contacts_per_referral",
            "a whole number",
        ),
        (
            lambda s: s["contact"]["male_factor"].update(value=True),
            "contact.male_factor",
            "a number",
        ),
        (
            lambda s: s["targets"][0].update(tolerance=-1),
            "targets[0]",
            "negative tolerance",
        ),
        (
            lambda s: s["targets"][0].update(kind="about"),
            "targets[0]",
            "fix that key",
        ),
    ],
    ids=[
        "no kind",
        "unknown kind",
        "misspelt key",
        "age range backwards",
        "age range as text",
        "day range backwards",
        "median above maximum",
        "row of shares",
        "ratio of zero",
        "count not whole",
        "true is not a number",
        "negative tolerance",
        "unknown target kind",
    ],
)
def test_a_malformed_parameter_gets_one_line_naming_it_and_the_fix(change, names, fix, tmp_path):
    problems = _problems_after(change)
    assert any(p.startswith(names) and fix in p for p in problems), problems
    spec = copy.deepcopy(DEFAULT)
    change(spec)
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    with pytest.raises(SpecError) as info:
        load_scenario(path)
    message = str(info.value)
    assert "\n" not in message and names in message and fix in message


def test_the_default_population_is_read_from_the_spec():
    from mhtrain.data import SHIPPED
    from mhtrain.synth import default_residents

    assert default_residents() == DEFAULT["population"]["residents"]["value"]
    assert SHIPPED["population"] == default_residents(SHIPPED["scenario"])


def _forms(value: float) -> set[str]:
    """How a target's value may be written in a source's figures (85.5, 17.4%, 0.06, 6%)."""
    forms = {f"{value:g}", f"{value:,}"}
    if 0 < value < 1:
        forms |= {f"{100 * value:.1f}%", f"{100 * value:g}%"}
    return forms


def test_no_target_rests_on_an_unverified_figure():
    """A target's value may not be one that its source lists only as unverified."""
    sources = load_sources()
    for target in DEFAULT["targets"]:
        source = sources[target["source"]]
        verified = " ".join(source.get("figures", []))
        unverified = " ".join(source.get("unverified_figures", []))
        value = float(target["value"])
        if value == 0:
            assert verified, f"{target['id']}: its source lists no checked figures"
            continue
        forms = _forms(value)
        only_unverified = any(f in unverified for f in forms) and not any(
            f in verified for f in forms
        )
        assert not only_unverified, (
            f"{target['id']} uses {value}, a figure its source '{target['source']}' has not "
            "checked; check it against the official page (move it to `figures`) or drop it"
        )


_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?(?: million)?")


def _verified_text() -> str:
    return " ".join(f for src in load_sources().values() for f in src.get("figures", []))


def _derivations(note: str, verified: str) -> set[float]:
    """Values a target's note derives from checked figures: a / b, a / b per 100,000, a - b,
    and a / (a + b + c) for a share of checked parts."""
    numbers = [
        float(n.replace(",", "").removesuffix(" million")) * (1e6 if "million" in n else 1)
        for n in _NUMBER.findall(note)
        if re.search(rf"(?<![\d.]){re.escape(n)}(?![\d])", verified)
    ]
    out: set[float] = set()
    for written in re.findall(r"\d[\d,]*(?:\s*\+\s*\d[\d,]*)+", note):
        # "a of the a + b + c": a share of a sum of checked parts
        parts = [p.strip() for p in written.split("+")]
        if all(re.search(rf"(?<![\d.]){re.escape(p)}(?![\d])", verified) for p in parts):
            total = sum(float(p.replace(",", "")) for p in parts)
            out |= {a / total for a in numbers}
    for a in numbers:
        for b in numbers:
            if b:
                out |= {a / b, a / b * 100_000}
            out |= {a - b, (a - b) / 100}
    return out


def _rests_on_verified_figure(value: float, note: str, own: str, verified: str) -> bool:
    if any(f in own for f in _forms(value)):
        return True
    return any(abs(d - value) <= 0.005 * abs(value) for d in _derivations(note, verified))


def test_every_target_rests_on_a_figure_its_sources_have_checked():
    """Each target is a checked figure of its source, or the note derives it from checked ones."""
    sources = load_sources()
    verified = _verified_text()
    for target in DEFAULT["targets"]:
        value = float(target["value"])
        if value == 0:  # a direction ("older people recover more"), stated in a checked figure
            assert sources[target["source"]].get("figures"), target["id"]
            continue
        own = " ".join(sources[target["source"]].get("figures", []))
        assert _rests_on_verified_figure(value, str(target.get("note", "")), own, verified), (
            f"{target['id']} = {value} is neither a checked figure of '{target['source']}' nor "
            "derived in its note from checked figures; check it or say how it is derived"
        )


def test_detailed_ethnic_detention_rates_are_checked_figures_of_their_source():
    param = DEFAULT["detention"]["detailed_ethnic_rates"]
    own = " ".join(load_sources()[param["source"]]["figures"])
    for code, value in param["value"].items():
        assert re.search(rf"\({value}\b|\b{value}\)", own), (code, value)


def test_the_verified_check_rejects_a_figure_no_source_states():
    verified = _verified_text()
    own = " ".join(load_sources()["efaf_mha_detentions_2023"]["figures"])
    assert _rests_on_verified_figure(228, "", own, verified)
    assert not _rests_on_verified_figure(262.4, "", own, verified)
    assert not _rests_on_verified_figure(3.99, "262.4 / 65.8", own, verified)
    assert _rests_on_verified_figure(3.5625, "228 / 64.", own, verified)


def test_the_unverified_check_catches_a_figure_listed_as_unverified():
    sources = load_sources()
    unverified = " ".join(sources["ons_census2021_first_results"]["unverified_figures"])
    assert any(f in unverified for f in _forms(0.174))
