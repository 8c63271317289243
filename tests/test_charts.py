"""The course's chart and table style: legible on a phone, self-describing, formatted for people."""

from __future__ import annotations

import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from mhtrain import charts, stats
from mhtrain.errors import MhtrainError

_GOOD_ALT = (
    "Bar chart of detentions per 100,000 residents: Black 228, White 64, Asian 80 per 100,000."
)


def _bar_chart(*, figsize=(8, 4), font=None):
    fig, ax = plt.subplots(figsize=figsize)
    ax.barh(["Black", "White", "Asian"], [228.4, 64.1, 80.2])
    ax.set_title("Detention rates were highest in the Black group")
    ax.set_xlabel("Detentions per 100,000 residents")
    if font is not None:
        ax.tick_params(labelsize=font)
        ax.title.set_fontsize(font)
    return fig


def _font_sizes(svg: str) -> list[float]:
    return [float(size) for size in re.findall(r"font-size: ([\d.]+)px", svg)]


def _view_box_width(svg: str) -> float:
    return float(re.search(r'viewBox="0 0 ([\d.]+) [\d.]+"', svg).group(1))


def test_a_chart_drawn_too_small_is_made_legible_on_a_phone() -> None:
    """A wide chart with 6 pt text would show 4 CSS px text at 358 px: it is refitted."""
    chart = charts.make_chart(_bar_chart(figsize=(11, 4), font=6), alt=_GOOD_ALT, caption="Rates.")
    sizes = _font_sizes(chart.html)
    assert sizes, "the SVG holds no text: it must keep its text as text"
    width = _view_box_width(chart.html)
    assert width == pytest.approx(charts.WIDTH_IN * 72)
    smallest_on_phone = min(sizes) * charts.PHONE_WIDTH_PX / width
    assert smallest_on_phone >= charts.MIN_TEXT_CSS_PX


def test_the_svg_keeps_text_as_text_and_no_glyph_paths() -> None:
    chart = charts.make_chart(_bar_chart(), alt=_GOOD_ALT, caption="Rates.")
    assert "<text" in chart.html and "Black" in chart.html
    assert "glyph" not in chart.html.lower()


def test_chart_is_a_figure_with_alt_text_and_a_caption_tied_to_it() -> None:
    chart = charts.make_chart(
        _bar_chart(), alt=_GOOD_ALT, caption="One bar per group.", label="Figure 1"
    )
    html = chart.html
    assert html.startswith("<figure") and html.endswith("</figure>")
    caption_id = re.search(r'<figcaption id="([^"]+)"', html).group(1)
    assert f'aria-describedby="{caption_id}"' in html
    assert 'role="img"' in html and "aria-label=" in html
    assert "<strong" in html and "Figure 1." in html and "One bar per group." in html
    bundle = chart._repr_mimebundle_()
    assert bundle["image/png"][:8] == b"\x89PNG\r\n\x1a\n"
    assert bundle["text/plain"] == "Figure 1. One bar per group."


def test_same_chart_gives_the_same_bytes() -> None:
    first = charts.make_chart(_bar_chart(), alt=_GOOD_ALT, caption="Rates.")
    second = charts.make_chart(_bar_chart(), alt=_GOOD_ALT, caption="Rates.")
    assert first.html == second.html
    assert first.png == second.png


def test_two_charts_on_a_page_share_no_id() -> None:
    one = charts.make_chart(_bar_chart(), alt=_GOOD_ALT, caption="Rates.")
    two = charts.make_chart(_bar_chart(), alt=_GOOD_ALT, caption="Rates, again.")
    ids = re.findall(r'\bid="([^"]+)"', one.html + two.html)
    assert len(ids) == len(set(ids))
    # every internal reference points at an id of its own chart
    for html in (one.html, two.html):
        own = set(re.findall(r'\bid="([^"]+)"', html))
        assert set(re.findall(r"url\(#([^)]+)\)", html)) <= own


def test_panels_are_separate_charts_that_wrap_on_a_phone() -> None:
    chart = charts.make_chart(
        [_bar_chart(), _bar_chart()],
        alt=[_GOOD_ALT, "Second chart: the same rates, Black 228 and White 64 per 100,000."],
        caption="Two charts.",
    )
    assert chart.html.count("<svg") == 2
    assert "flex-wrap:wrap" in chart.html
    assert chart.html.count("<figcaption") == 1
    # side by side, a panel may be shown as narrow as PANEL_MIN_PX: its text must still be 11 px
    narrowest = min(_font_sizes(chart.html)) * charts.PANEL_MIN_PX / _view_box_width(chart.html)
    assert narrowest >= charts.MIN_TEXT_CSS_PX
    assert f"flex:1 1 {charts.PANEL_MIN_PX:g}px" in chart.html


@pytest.mark.parametrize(
    ("alt", "problem"),
    [
        ("A bar chart.", "words"),
        ("../../_images/25570eb5.png is the chart of the rates by ethnic group here.", "file"),
        ("Bar chart of detention rates by ethnic group, with the highest in one group.", "number"),
        (
            "Bar chart of detention rates by ethnic group: the highest is 999 per 100,001.",
            "drawn",
        ),
    ],
    ids=["too-short", "file-name", "no-number", "number-not-in-chart"],
)
def test_alt_text_that_does_not_describe_the_chart_is_refused(alt: str, problem: str) -> None:
    with pytest.raises(MhtrainError, match="alt text") as error:
        charts.make_chart(_bar_chart(), alt=alt, caption="Rates.")
    assert problem in str(error.value)


def test_alt_text_number_matches_at_the_precision_it_is_given() -> None:
    values = [228.43, 64.1]
    assert (
        charts.alt_text_problems(
            "Bar chart of detention rates by group: Black 228.4, White 64 per 100,000 residents.",
            values,
        )
        == []
    )
    assert charts.alt_text_problems(
        "Bar chart of detention rates by group: Black 228.9 per 100,000 residents in the year.",
        values,
    )


def test_numbers_in_reads_separators_signs_and_percentages() -> None:
    assert charts.numbers_in("1,234.5 people, \u22120.8 and 45% in 2017-18") == [
        1234.5,
        -0.8,
        45,
        2017,
        18,
    ]


def test_a_caption_is_required() -> None:
    with pytest.raises(MhtrainError, match="caption"):
        charts.make_chart(_bar_chart(), alt=_GOOD_ALT, caption=" ")


def test_show_chart_displays_once_and_closes_the_figure(capsys) -> None:
    fig = _bar_chart()
    charts.show_chart(fig, alt=_GOOD_ALT, caption="Rates.")
    assert not plt.fignum_exists(fig.number)
    assert "Rates." in capsys.readouterr().out  # outside Jupyter, the plain-text form


def test_funnel_markers_above_the_two_limits_differ_in_shape_and_colour() -> None:
    data = pd.DataFrame(
        {
            "area": list("ABCDEFGH"),
            "events": [80, 62, 50, 50, 50, 38, 20, 50],
            "people": [100] * 8,
        }
    )
    fig, _ = stats.funnel_plot(data, numerator="events", denominator="people", label="area")
    styles = {
        c.get_label().split(" (")[0]: (
            tuple(np.round(c.get_paths()[0].vertices.ravel(), 3)),
            tuple(np.round(c.get_facecolor()[0], 3)),
        )
        for c in fig.axes[0].collections
        if c.get_label() and not c.get_label().startswith("_")
    }
    above = [s for label, s in styles.items() if label.startswith("above")]
    assert len(above) == 2, styles.keys()
    (shape_a, colour_a), (shape_b, colour_b) = above
    assert shape_a != shape_b and colour_a != colour_b
    assert len({shape for shape, _ in styles.values()}) == len(styles)
    chart = charts.make_chart(fig, alt=fig.alt_text, caption="Funnel plot.")
    assert min(_font_sizes(chart.html)) >= charts.MIN_FONT_PT


def test_palette_is_the_colour_blind_safe_one_and_refuses_too_many() -> None:
    assert charts.colours(3) == ["#0072B2", "#E69F00", "#009E73"]
    with pytest.raises(MhtrainError, match="fewer categories"):
        charts.colours(len(charts.PALETTE) + 1)


# --- tables -------------------------------------------------------------------------------


def _cells(styler) -> list[str]:
    return re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", styler.to_html())


def test_table_for_people_has_separators_words_for_gaps_and_no_empty_header() -> None:
    table = pd.DataFrame(
        {"area": ["Eastport", "Kingsmere"], "residents": [818127, 5012], "rate": [12.34, np.nan]}
    )
    cells = _cells(charts.show_table(table.round(1)))
    assert cells[:3] == ["area", "residents", "rate"]  # no 0..n index, no empty corner
    assert "818,127" in cells and "12.3" in cells and "none" in cells
    assert "nan" not in " ".join(cells).lower()
    assert all(c.strip() for c in cells)
    assert table["rate"].isna().sum() == 1  # the learner's table itself is unchanged


def test_table_keeps_the_decimals_it_was_rounded_to() -> None:
    table = pd.DataFrame({"group": ["a", "b"], "ratio": [0.8123, 2.5]}).round(2)
    assert "0.81" in _cells(charts.show_table(table))
    assert "2.50" in _cells(charts.show_table(table))


def test_table_shows_a_named_index_as_a_column_and_refuses_an_unnamed_one() -> None:
    series = pd.Series([3, 4], index=pd.Index(["x", "y"], name="area"), name="detentions")
    cells = _cells(charts.show_table(series, missing="suppressed"))
    assert cells[:2] == ["area", "detentions"]
    with pytest.raises(MhtrainError, match="rename_axis"):
        charts.show_table(pd.DataFrame({"n": [1]}, index=["x"]))
    with pytest.raises(MhtrainError, match="no name"):
        charts.show_table(pd.Series([1, 2]))


def test_same_table_gives_the_same_html() -> None:
    table = pd.DataFrame({"n": [1, 2]})
    assert charts.show_table(table).to_html() == charts.show_table(table).to_html()


def test_table_leaves_out_row_numbers_and_names_an_unnamed_index_when_told() -> None:
    league = pd.DataFrame({"rank": [2, 1], "area": ["b", "a"]}, index=[5, 3])  # sorted rows
    assert _cells(charts.show_table(league))[:2] == ["rank", "area"]
    counts = pd.Series({"seen": 1200, "waiting": 31}, name="referrals")
    assert _cells(charts.show_table(counts, index_name="what happened"))[:4] == [
        "what happened",
        "referrals",
        "seen",
        "1,200",
    ]


def test_crowded_tick_labels_are_stood_on_end() -> None:
    fig, ax = plt.subplots(figsize=(8, 4))
    years = [f"{y}-{(y + 1) % 100:02d}" for y in range(2017, 2025)]
    ax.plot(years, [50.8, 52.1, 51.1, 51.4, 50.2, 49.9, 50.1, 50.5], marker="o")
    charts.make_chart(
        fig, alt="Line chart of recovery in England by year, from 50.8% to 50.5%.", caption="x"
    )
    assert {label.get_rotation() for label in ax.get_xticklabels()} == {90.0}


def test_show_chart_without_alt_text_says_what_to_give() -> None:
    with pytest.raises(TypeError, match="alt"):
        charts.show_chart(_bar_chart(), caption="Rates.")


def test_table_shows_dates_without_a_midnight_time_and_missing_dates_in_words() -> None:
    table = pd.DataFrame(
        {"referral_date": pd.to_datetime(["2023-09-07", "2024-01-05"]), "wait_days": [3, 0]}
    )
    table["first_contact_date"] = pd.to_datetime(["2023-09-10", None])
    cells = _cells(charts.show_table(table))
    assert "2023-09-07" in cells and "2023-09-10" in cells and "none" in cells
    assert not any("00:00" in c for c in cells)
