"""Each disclosure-control rule set is credited to the publications whose rules it follows."""

from __future__ import annotations

from mhtrain.specload import load_sources
from mhtrain.stats.disclosure import RULE_SETS
from mhtrain.stats.references import METHOD_SOURCES, RULE_SET_SOURCES


def test_every_rule_set_names_sources_that_exist():
    sources = load_sources()
    assert set(RULE_SET_SOURCES) == set(RULE_SETS)
    for name, ids in RULE_SET_SOURCES.items():
        assert ids, name
        assert all(i in sources for i in ids), (name, ids)


def test_the_function_cites_every_rule_sets_sources():
    cited = set(METHOD_SOURCES["disclosure_control"])
    assert {i for ids in RULE_SET_SOURCES.values() for i in ids} <= cited


def test_the_1_to_7_rule_is_credited_to_hes_and_opensafely_not_to_the_mhsds_statistics():
    """The MHSDS monthly statistics hide values under 5; 1 to 7 is HES's and OpenSAFELY's."""
    sources = load_sources()
    hes = RULE_SET_SOURCES["hes_opensafely"]
    assert "nhse_mhsds_monthly" not in hes
    assert RULE_SETS["hes_opensafely"].smallest_shown == 8
    assert "1 to 7" in sources["nhse_hes_disclosure_2018"]["note"]
    assert "n=7" in sources["opensafely_redaction"]["note"]
    mhsds = sources["nhse_mhsds_monthly"]["note"]
    assert "under 5" in mhsds and "no secondary suppression" in mhsds
    assert RULE_SETS["mhsds"].smallest_shown == 5 and not RULE_SETS["mhsds"].secondary
    assert not RULE_SETS["mhsds"].round_totals


def test_secondary_suppression_alone_is_credited_as_a_general_technique():
    assert RULE_SET_SOURCES["secondary_only"] == ("secondary_suppression_technique",)
    assert RULE_SETS["secondary_only"].base == 1 and RULE_SETS["secondary_only"].secondary
