"""Tests for directly standardised rates (Dobson limits), DSR ratios and indirect ratios."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from mhtrain.errors import MhtrainError
from mhtrain.specload import load_sources, standard_population
from mhtrain.stats import directly_standardised_rate, dsr_ratio, indirectly_standardised_ratio

# Eurostat (2013), Revision of the European Standard Population, table of the 2013 ESP.
ESP2013_PUBLISHED = {
    "0-4": 5000, "5-9": 5500, "10-14": 5500, "15-19": 5500, "20-24": 6000, "25-29": 6000,
    "30-34": 6500, "35-39": 7000, "40-44": 7000, "45-49": 7000, "50-54": 7000, "55-59": 6500,
    "60-64": 6000, "65-69": 5500, "70-74": 5000, "75-79": 4000, "80-84": 2500, "85-89": 1500,
    "90+": 1000,
}  # fmt: skip
BANDS = list(ESP2013_PUBLISHED)


def make_population(seed: int, rate_by_group: dict[str, float]) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for group, rate in rate_by_group.items():
        for i, band in enumerate(BANDS):
            residents = int(rng.integers(200, 6000))
            age_effect = 0.5 + i / 10  # older bands have higher rates
            events = int(rng.poisson(residents * rate * age_effect))
            rows.append((group, band, residents, events))
    return pd.DataFrame(rows, columns=["group", "age_band", "population", "events"])


def naive_dsr(part: pd.DataFrame) -> tuple[float, float, int]:
    """Per-person DSR and Dobson variance, one band at a time, from the published weights."""
    total_weight = sum(ESP2013_PUBLISHED.values())
    dsr = variance = 0.0
    for _, row in part.iterrows():
        w = ESP2013_PUBLISHED[row["age_band"]] / total_weight
        dsr += w * row["events"] / row["population"]
        variance += w**2 * row["events"] / row["population"] ** 2
    return dsr, variance, int(part["events"].sum())


def test_shipped_esp2013_matches_the_published_table_and_is_sourced():
    esp = standard_population("esp2013")
    assert list(esp["age_band"]) == BANDS
    assert list(esp["weight"]) == list(ESP2013_PUBLISHED.values())
    assert esp["weight"].sum() == 100_000
    source = load_sources()["esp2013"]
    assert source["publisher"] == "Eurostat" and source["year"] == 2013


def test_dsr_equals_a_band_by_band_computation():
    data = make_population(11, {"A": 0.002, "B": 0.005})
    out = directly_standardised_rate(data, by="group").set_index("group")
    for group, part in data.groupby("group"):
        dsr, _, total = naive_dsr(part)
        assert out.loc[group, "dsr"] == pytest.approx(dsr * 100_000, rel=1e-12)
        assert out.loc[group, "events"] == total


@pytest.mark.parametrize("method", ["exact", "byar"])
def test_dobson_limits_follow_the_published_formula(method):
    data = make_population(12, {"A": 0.003})
    out = directly_standardised_rate(data, method=method, confidence=0.95).iloc[0]
    dsr, variance, o = naive_dsr(data)
    if method == "exact":
        o_lo, o_hi = stats.chi2.ppf(0.025, 2 * o) / 2, stats.chi2.ppf(0.975, 2 * o + 2) / 2
    else:
        z = stats.norm.ppf(0.975)
        o_lo = o * (1 - 1 / (9 * o) - z / (3 * np.sqrt(o))) ** 3
        o_hi = (o + 1) * (1 - 1 / (9 * (o + 1)) + z / (3 * np.sqrt(o + 1))) ** 3
    spread = np.sqrt(variance / o)
    assert out["lower"] == pytest.approx((dsr + spread * (o_lo - o)) * 100_000, rel=1e-10)
    assert out["upper"] == pytest.approx((dsr + spread * (o_hi - o)) * 100_000, rel=1e-10)
    assert out["method"] == f"dobson-{method}"


def test_dsr_of_a_population_shaped_like_the_standard_equals_its_crude_rate():
    events = [3 * (i + 1) for i in range(19)]
    data = pd.DataFrame(
        {
            "age_band": BANDS,
            "population": [w * 2 for w in ESP2013_PUBLISHED.values()],
            "events": events,
        }
    )
    out = directly_standardised_rate(data).iloc[0]
    assert out["dsr"] == pytest.approx(sum(events) / 200_000 * 100_000, rel=1e-12)


def test_equal_age_specific_rates_give_that_rate_whatever_the_age_structure():
    pops = np.linspace(100, 10_000, 19).astype(int) * 10
    data = pd.DataFrame({"age_band": BANDS, "population": pops, "events": pops // 500})
    out = directly_standardised_rate(data, multiplier=1).iloc[0]
    assert out["dsr"] == pytest.approx(1 / 500, rel=1e-12)


def test_dsr_is_refused_below_10_events_with_a_reason():
    data = make_population(13, {"A": 0.003})
    data["events"] = 0
    data.loc[data["age_band"] == "90+", "events"] = 9
    out = directly_standardised_rate(data).iloc[0]
    assert np.isnan(out["dsr"]) and np.isnan(out["lower"]) and np.isnan(out["upper"])
    assert "fewer than 10 events" in out["note"]
    assert out["events"] == 9
    data.loc[data["age_band"] == "90+", "events"] = 10
    assert directly_standardised_rate(data).iloc[0]["dsr"] > 0


def test_zero_events_in_some_bands_still_give_a_dsr():
    data = make_population(14, {"A": 0.01})
    data.loc[data["age_band"].isin(BANDS[:5]), "events"] = 0
    out = directly_standardised_rate(data).iloc[0]
    assert out["dsr"] > 0 and out["note"] == ""


def test_a_group_missing_an_age_band_is_refused_not_understated():
    data = make_population(15, {"A": 0.004, "B": 0.004})
    data = data[~((data["group"] == "B") & (data["age_band"] == "90+"))]
    out = directly_standardised_rate(data, by="group").set_index("group")
    assert np.isnan(out.loc["B", "dsr"]) and "90+" in out.loc["B", "note"]
    assert out.loc["A", "dsr"] > 0


def test_zero_population_in_a_band_is_refused_with_the_band_named():
    data = make_population(16, {"A": 0.004})
    data.loc[data["age_band"] == "85-89", ["population", "events"]] = 0
    out = directly_standardised_rate(data).iloc[0]
    assert np.isnan(out["dsr"]) and "85-89" in out["note"]


def test_missing_counts_are_refused_not_treated_as_zero():
    data = make_population(17, {"A": 0.004})
    data["events"] = data["events"].astype(float)
    data.loc[3, "events"] = np.nan
    out = directly_standardised_rate(data).iloc[0]
    assert np.isnan(out["dsr"]) and "missing" in out["note"]


def test_an_age_band_outside_the_standard_is_an_error():
    data = make_population(18, {"A": 0.004})
    data.loc[0, "age_band"] = "0-5"
    with pytest.raises(MhtrainError, match="0-5"):
        directly_standardised_rate(data)


def test_negative_counts_are_an_error():
    data = make_population(19, {"A": 0.004})
    data.loc[0, "events"] = -2
    with pytest.raises(MhtrainError, match="negative"):
        directly_standardised_rate(data)


def test_unknown_standard_population_is_an_error():
    with pytest.raises(MhtrainError, match="esp2013"):
        directly_standardised_rate(make_population(20, {"A": 0.004}), standard="who2000")


def test_rows_within_a_band_are_summed_before_standardising():
    data = make_population(21, {"A": 0.004})
    halves = pd.concat(
        [
            data.assign(events=data["events"] // 2, population=data["population"] // 2),
            data.assign(
                events=data["events"] - data["events"] // 2,
                population=data["population"] - data["population"] // 2,
            ),
        ]
    )
    assert directly_standardised_rate(halves).iloc[0]["dsr"] == pytest.approx(
        directly_standardised_rate(data).iloc[0]["dsr"]
    )


def test_dsr_ratio_uses_the_log_delta_method():
    data = make_population(22, {"White": 0.002, "Black": 0.007})
    out = dsr_ratio(data, group="group", reference="White").set_index("group")
    d1, v1, _ = naive_dsr(data[data["group"] == "Black"])
    d2, v2, _ = naive_dsr(data[data["group"] == "White"])
    se = np.sqrt(v1 / d1**2 + v2 / d2**2)
    z = stats.norm.ppf(0.975)
    assert out.loc["Black", "dsr_ratio"] == pytest.approx(d1 / d2, rel=1e-12)
    assert out.loc["Black", "lower"] == pytest.approx(d1 / d2 * np.exp(-z * se), rel=1e-10)
    assert out.loc["Black", "upper"] == pytest.approx(d1 / d2 * np.exp(z * se), rel=1e-10)
    assert out.loc["White", "dsr_ratio"] == 1


def test_dsr_ratio_of_identical_groups_is_one():
    data = make_population(23, {"White": 0.004})
    twin = pd.concat([data, data.assign(group="Twin")])
    out = dsr_ratio(twin, group="group", reference="White").set_index("group")
    assert out.loc["Twin", "dsr_ratio"] == pytest.approx(1)
    assert out.loc["Twin", "lower"] < 1 < out.loc["Twin", "upper"]


def test_dsr_ratio_is_refused_when_either_dsr_is_refused():
    data = make_population(24, {"White": 0.004, "Black": 0.004})
    data.loc[data["group"] == "Black", "events"] = 0
    out = dsr_ratio(data, group="group", reference="White").set_index("group")
    assert np.isnan(out.loc["Black", "dsr_ratio"]) and "fewer than 10" in out.loc["Black", "note"]
    out = dsr_ratio(data, group="group", reference="Black").set_index("group")
    assert np.isnan(out.loc["White", "dsr_ratio"]) and "reference" in out.loc["White", "note"]


def test_dsr_ratio_refuses_an_unknown_reference():
    with pytest.raises(MhtrainError, match="Other"):
        dsr_ratio(make_population(25, {"White": 0.004}), group="group", reference="Other")


def test_isr_expected_counts_use_the_reference_rates():
    data = make_population(26, {"A": 0.003, "B": 0.006})
    reference = pd.Series(np.linspace(0.001, 0.02, 19), index=BANDS)
    out = indirectly_standardised_ratio(data, by="group", reference_rates=reference)
    out = out.set_index("group")
    part = data[data["group"] == "B"]
    expected = float((part["population"].to_numpy() * reference.to_numpy()).sum())
    observed = int(part["events"].sum())
    assert out.loc["B", "expected"] == pytest.approx(expected)
    assert out.loc["B", "ratio"] == pytest.approx(observed / expected)
    z = stats.norm.ppf(0.975)
    byar_lo = observed * (1 - 1 / (9 * observed) - z / (3 * np.sqrt(observed))) ** 3
    assert out.loc["B", "lower"] == pytest.approx(byar_lo / expected, rel=1e-10)


def test_isr_with_the_pooled_reference_balances_observed_and_expected():
    data = make_population(27, {"A": 0.003, "B": 0.006, "C": 0.001})
    out = indirectly_standardised_ratio(data, by="group")
    assert out["expected"].sum() == pytest.approx(out["observed"].sum())
    assert out.set_index("group").loc["B", "ratio"] > 1 > out.set_index("group").loc["C", "ratio"]


def test_isr_small_counts_use_exact_limits():
    data = pd.DataFrame({"age_band": ["0-4", "5-9"], "events": [2, 1], "population": [100, 100]})
    reference = pd.Series([0.01, 0.02], index=["0-4", "5-9"])
    out = indirectly_standardised_ratio(data, reference_rates=reference, multiplier=100).iloc[0]
    assert out["method"] == "exact"
    assert out["upper"] == pytest.approx(stats.chi2.ppf(0.975, 8) / 2 / 3 * 100)


def test_isr_with_no_expected_events_is_nan_with_note():
    data = pd.DataFrame({"age_band": ["0-4"], "events": [0], "population": [100]})
    out = indirectly_standardised_ratio(data, reference_rates=pd.Series([0.0], index=["0-4"]))
    assert np.isnan(out.iloc[0]["ratio"]) and "no events expected" in out.iloc[0]["note"]


def test_isr_refuses_bands_without_a_reference_rate():
    data = make_population(28, {"A": 0.003})
    with pytest.raises(MhtrainError, match="reference rate"):
        indirectly_standardised_ratio(data, reference_rates=pd.Series([0.01], index=["0-4"]))


def test_every_method_source_is_cited_by_a_function_and_every_citation_exists(tmp_path):
    import shutil

    from mhtrain import stats as mstats
    from mhtrain.specload import SPEC_DIR

    shutil.copy(SPEC_DIR / "sources_methods.yaml", tmp_path / "sources_methods.yaml")
    method_sources = set(load_sources(tmp_path))
    cited = {s for ids in mstats.METHOD_SOURCES.values() for s in ids}
    assert method_sources <= cited, f"uncited: {sorted(method_sources - cited)}"
    assert cited <= set(load_sources()), f"unknown: {sorted(cited - set(load_sources()))}"
    assert set(mstats.METHOD_SOURCES) <= set(mstats.__all__)


def test_dsr_ratio_in_a_stratum_without_the_reference_is_nan_with_note():
    data = pd.concat(
        [
            make_population(29, {"White": 0.004, "Black": 0.006}).assign(area="x"),
            make_population(30, {"Black": 0.006}).assign(area="y"),
        ]
    )
    out = dsr_ratio(data, group="group", reference="White", by="area").set_index(["area", "group"])
    assert out.loc[("x", "Black"), "dsr_ratio"] > 0
    assert np.isnan(out.loc[("y", "Black"), "dsr_ratio"])
    assert "reference group missing" in out.loc[("y", "Black"), "note"]
