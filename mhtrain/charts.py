"""The course's one chart and table style: legible on a phone, colour-blind safe, self-describing.

Every chart in the lessons is drawn with matplotlib (or seaborn) and shown with
:func:`show_chart`, which

- sets the figure to the course width (:data:`WIDTH_IN`) and raises any text smaller than
  :data:`MIN_FONT_PT`, so that the smallest text is at least 11 CSS px when the chart is shown
  358 px wide on a 390 px phone (and larger on a laptop, where it is shown wider);
- saves it as SVG with its text kept as text (``svg.fonttype: none``), inside an HTML
  ``<figure>`` with a visible ``<figcaption>`` tied to the chart, and alt text that the lesson
  makes from the data (checked here: at least 12 words, and a number that the chart draws);
- also offers a PNG of the same chart, for tools that cannot show HTML.

Side-by-side panels are drawn as separate charts, so nothing is squeezed on a phone.
:func:`show_table` formats a table for people: thousands separators, sensible decimals, words
instead of ``NaN``, no meaningless 0..n index and no empty header cell.
"""

from __future__ import annotations

import hashlib
import html
import io
import itertools
import math
import re
import textwrap
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from mhtrain.errors import MhtrainError

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from pandas.io.formats.style import Styler

WIDTH_IN = 5.0
"""Width of every course chart, in inches (360 pt). Shown 358 CSS px wide on a phone, one
point of the chart is 358 / 360 CSS px, so :data:`MIN_FONT_PT` text is about 11.9 CSS px."""

MIN_FONT_PT = 12.0
"""Smallest font size a course chart uses, in points."""

PANEL_MIN_PX = 300.0
"""Narrowest a panel of a side-by-side figure is shown, in CSS pixels: narrower, panels stack."""

PANEL_MIN_FONT_PT = 13.5
"""Smallest font size of a panel: a panel shown :data:`PANEL_MIN_PX` wide still has text of
about 11 CSS px (13.5 pt x 300 / 360 = 11.25)."""

MIN_TEXT_CSS_PX = 11.0
"""Smallest chart text a reader should have to read, in CSS pixels (on a 390 px phone)."""

PHONE_WIDTH_PX = 358.0
"""Width, in CSS pixels, at which a chart is shown on a 390 px phone (the page's text column)."""

PNG_DPI = 200
"""Density of the PNG copy of a chart, in pixels per inch."""

MIN_ALT_WORDS = 12
"""Fewest words an alt text may have: enough to say what the chart shows and a key number."""

PALETTE = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#000000",  # black
    "#F0E442",  # yellow (fills only: too light for lines or text on white)
)
"""Okabe and Ito's colour-blind-safe palette (Color Universal Design, 2008), in that order."""

MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
"""Marker shapes to pair with :data:`PALETTE`, so that colour is never the only signal."""

STYLE: dict[str, Any] = {
    "figure.figsize": (WIDTH_IN, 3.6),
    "figure.dpi": 100,
    "figure.facecolor": "white",
    "font.size": MIN_FONT_PT,
    "axes.titlesize": MIN_FONT_PT + 1,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": MIN_FONT_PT,
    "xtick.labelsize": MIN_FONT_PT,
    "ytick.labelsize": MIN_FONT_PT,
    "legend.fontsize": MIN_FONT_PT,
    "legend.title_fontsize": MIN_FONT_PT,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "axes.prop_cycle": None,  # filled in below, from PALETTE and MARKERS
    "lines.markersize": 7,
    "svg.fonttype": "none",
    "svg.hashsalt": "mhtrain",
}
"""matplotlib settings of the course style (see :func:`use_style`)."""


def _cycle() -> Any:
    from cycler import cycler

    n = len(MARKERS)
    return cycler(color=list(PALETTE[:n])) + cycler(marker=list(MARKERS[:n]))


def use_style() -> None:
    """Draw every later chart in the course style (font sizes, palette, shapes, SVG text).

    :func:`show_chart` enforces the width and the smallest font size whatever the style, so a
    chart drawn without this call is still legible; the call makes the layout right first time.
    """
    import matplotlib as mpl

    settings = dict(STYLE)
    settings["axes.prop_cycle"] = _cycle()
    mpl.rcParams.update(settings)


def colours(n: int) -> list[str]:
    """The first ``n`` colours of the course palette (at most ``len(PALETTE)``).

    Parameters
    ----------
    n
        How many colours.

    Returns
    -------
    list of str
        Hex colours.
    """
    if not 1 <= n <= len(PALETTE):
        raise MhtrainError(
            f"colours: the course palette has {len(PALETTE)} colours, not {n}; "
            "group the data into fewer categories"
        )
    return list(PALETTE[:n])


def legend_below(ax: Any, *, own_figure: bool = True) -> None:
    """Put an axes' legend under the chart, across its width, so it covers no data on a phone.

    Parameters
    ----------
    ax
        The matplotlib axes whose labelled artists make the legend.
    own_figure
        Whether the axes fill their figure (then the legend goes below the figure); if not,
        the legend stays inside the axes, where it covers least.
    """
    handles, labels = ax.get_legend_handles_labels()
    if not handles:
        return
    if own_figure:
        ax.figure.legend(handles, labels, loc="outside lower center", ncols=1)
    else:
        ax.legend(handles, labels, loc="best")


# --------------------------------------------------------------------------------------------
# Showing a chart


def _texts(fig: Figure) -> list[Any]:
    from matplotlib.text import Text

    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


def _fit(fig: Figure, *, smallest: float = MIN_FONT_PT) -> None:
    """Set the course width and raise every font below ``smallest`` (points) to it."""
    width, height = fig.get_size_inches()
    if width > WIDTH_IN:
        fig.set_size_inches(WIDTH_IN, height)
    fig.canvas.draw()
    for ax in fig.axes:
        # Tick labels are remade at every draw from the axis' own setting, so set that.
        for name in ("x", "y"):
            labels = getattr(ax, f"get_{name}ticklabels")(which="both")
            if any(label.get_fontsize() < smallest for label in labels):
                ax.tick_params(axis=name, which="both", labelsize=smallest)
    for text in _texts(fig):
        if text.get_fontsize() < smallest:
            text.set_fontsize(smallest)
    for legend in [ax.get_legend() for ax in fig.axes] + list(fig.legends):
        if legend is not None and legend.get_title().get_text():
            legend.get_title().set_fontsize(max(legend.get_title().get_fontsize(), smallest))
    if fig.get_layout_engine() is None:
        fig.set_layout_engine("constrained")
    _title_across_the_top(fig, smallest=smallest)
    _turn_crowded_tick_labels(fig)
    _wrap_long_text(fig)


def _turn_crowded_tick_labels(fig: Figure) -> None:
    """Stand x tick labels on end where, side by side, they would run into each other."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    for ax in fig.axes:
        labels = [t for t in ax.get_xticklabels() if t.get_visible() and t.get_text().strip()]
        boxes = sorted((t.get_window_extent(renderer) for t in labels), key=lambda b: b.x0)
        if any(left.x1 + 2 > right.x0 for left, right in itertools.pairwise(boxes)):
            ax.tick_params(axis="x", labelrotation=90)


def _title_across_the_top(fig: Figure, *, smallest: float = MIN_FONT_PT) -> None:
    """Move a one-chart figure's title to the top left of the figure, so it has the full width
    (over the axes alone it has only what the tick labels leave)."""
    if len(fig.axes) != 1 or fig._suptitle is not None:
        return
    ax = fig.axes[0]
    titles = [t for t in (ax.title, ax._left_title, ax._right_title) if t.get_text().strip()]
    if len(titles) != 1:
        return
    title = titles[0]
    size = max(title.get_fontsize(), smallest + 1)
    fig.suptitle(title.get_text(), x=0.01, ha="left", fontsize=size, fontweight="bold")
    title.set_text("")


def _wrap_long_text(fig: Figure) -> None:
    """Break titles and axis labels that run off the chart (or, on the y axis, off its height).

    A centred text has room for twice its distance to the nearer edge; a left-aligned one
    from where it starts to the right edge. The layout moves as text wraps, so look again.
    """
    for _ in range(3):
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        width, height = fig.get_size_inches() * fig.dpi
        # (text, the span it must fit in): the figure's width, or a y label its axes' height
        texts = [(fig._suptitle, (0, width))] if fig._suptitle is not None else []
        for ax in fig.axes:
            texts += [(t, (0, width)) for t in (ax.title, ax._left_title, ax._right_title)]
            texts.append((ax.xaxis.label, (0, width)))
            axes_box = ax.get_window_extent(renderer)
            texts.append((ax.yaxis.label, (axes_box.y0, axes_box.y1)))
        wrapped = False
        for text, (low, high) in texts:
            words = text.get_text()
            if not words.strip():
                continue
            box = text.get_window_extent(renderer)
            vertical = text.get_rotation() % 180 == 90
            start, end = (box.y0, box.y1) if vertical else (box.x0, box.x1)
            if end - start <= high - low and start >= 0 and end <= (height if vertical else width):
                continue
            edge = high if vertical else width
            if vertical:
                room = high - low
            elif text.get_horizontalalignment() == "left":
                room = edge - max(start, 0)
            else:
                middle = (start + end) / 2
                room = 2 * min(middle, edge - middle)
            lines = words.split("\n")
            chars = max(int(max(map(len, lines)) * 0.97 * room / (end - start)), 12)
            text.set_text(textwrap.fill(" ".join(words.split()), chars))
            wrapped = True
        if not wrapped:
            return


def plotted_values(fig: Figure) -> list[float]:
    """Every number a chart draws: bar lengths, point and line positions, numbers in its text.

    Parameters
    ----------
    fig
        A matplotlib figure.

    Returns
    -------
    list of float
        Finite values, sorted, without repeats.
    """
    import numpy as np
    from matplotlib.collections import Collection, LineCollection
    from matplotlib.lines import Line2D
    from matplotlib.patches import Rectangle

    found: set[float] = set()

    def add(values: Iterable[Any]) -> None:
        try:
            array = np.asarray(values, dtype="float64").ravel()
        except (TypeError, ValueError):  # category labels, dates: not numbers the chart shows
            return
        found.update(float(v) for v in array[np.isfinite(array)])

    for ax in fig.axes:
        for patch in ax.patches:
            if isinstance(patch, Rectangle):
                add([patch.get_width(), patch.get_height(), patch.get_x(), patch.get_y()])
        for line in ax.get_lines():
            if isinstance(line, Line2D):
                add(line.get_xydata())  # as drawn: category labels already turned into places
        for collection in ax.collections:
            if isinstance(collection, Collection):
                add(collection.get_offsets())
                for path in (
                    collection.get_paths() if isinstance(collection, LineCollection) else []
                ):
                    add(path.vertices)
    for text in _texts(fig):
        add(numbers_in(text.get_text()))
    return sorted(found)


_NUMBER = re.compile(r"(?<![\w.])-?\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?<![\w.,])-?\d+(?:\.\d+)?")


def numbers_in(text: str) -> list[float]:
    """The numbers written in a text (``1,234.5``, ``-0.8``, ``45%`` gives 45).

    Parameters
    ----------
    text
        Any text.

    Returns
    -------
    list of float
        The numbers, in order.
    """
    return [
        float(m.group().replace(",", "")) for m in _NUMBER.finditer(text.replace("\u2212", "-"))
    ]


def _decimals(token: str) -> int:
    return len(token.split(".")[1]) if "." in token else 0


def alt_text_problems(alt: str, values: Iterable[float]) -> list[str]:
    """Say what is wrong with a chart's alt text, if anything.

    Good alt text says what the chart shows with its key numbers: at least
    :data:`MIN_ALT_WORDS` words, at least one number that the chart draws (at the precision the
    text gives it: "2.9" matches a bar of length 2.94), and never a file name.

    Parameters
    ----------
    alt
        The alt text.
    values
        The numbers the chart draws (:func:`plotted_values`).

    Returns
    -------
    list of str
        One line per problem; empty when the alt text is good.
    """
    problems = []
    words = alt.split()
    if len(words) < MIN_ALT_WORDS:
        problems.append(f"it has {len(words)} words; say what the chart shows in at least 12")
    if re.search(r"\.(png|svg|jpe?g|gif|pdf)\b|_images/|[/\\]\w+\.\w{2,4}\b", alt, re.I):
        problems.append("it names a file; describe the chart instead")
    values = list(values)
    tokens = [m.group() for m in _NUMBER.finditer(alt.replace("\u2212", "-"))]
    if not tokens:
        problems.append("it gives no number; give the chart's key numbers")
    elif not any(
        math.isclose(value, float(token.replace(",", "")), abs_tol=0.5 * 10 ** -_decimals(token))
        for token in tokens
        for value in values
    ):
        problems.append(
            "none of its numbers is drawn in the chart; give a value the chart shows "
            f"(it says {', '.join(tokens[:5])})"
        )
    return problems


def _unique_ids(svg: str, prefix: str) -> str:
    """Give every id of an SVG a prefix, so several charts on one page never share an id."""
    svg = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}-{m.group(1)}"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}-{m.group(1)})", svg)
    return re.sub(
        r'(xlink:href|href)="#([^"]+)"', lambda m: f'{m.group(1)}="#{prefix}-{m.group(2)}"', svg
    )


def _svg(fig: Figure, prefix: str, alt: str, caption_id: str) -> str:
    import matplotlib as mpl

    buffer = io.StringIO()
    # Text stays text (searchable, sharp, measurable); the fixed salt makes ids repeatable.
    with mpl.rc_context({"svg.fonttype": "none", "svg.hashsalt": "mhtrain"}):
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    svg = _unique_ids(svg, prefix)
    # matplotlib's style sheet selects every element: keep it to this chart.
    svg = svg.replace("*{stroke-linejoin", f"#{prefix}-svg *{{stroke-linejoin", 1)
    opening = svg[: svg.index(">") + 1]
    # Drop the fixed size: the page's width decides, and the viewBox keeps the proportions.
    shown = re.sub(r'\s(width|height)="[^"]*"', "", opening)
    shown = shown.replace(
        "<svg",
        f'<svg id="{prefix}-svg" role="img" aria-label="{html.escape(alt, quote=True)}" '
        f'aria-describedby="{caption_id}" focusable="false" '
        'style="display:block;width:100%;max-width:36rem;height:auto"',
        1,
    )
    return shown + svg[len(opening) :]


class Chart:
    """A chart ready to show: an HTML figure (inline SVG, alt text, caption) and a PNG copy.

    Jupyter, JupyterLab, nbconvert and the book all show the HTML; the PNG is there for
    anything that cannot (and for output limits that drop long HTML).
    """

    def __init__(self, html_text: str, png: bytes, text: str, values: list[float]) -> None:
        self.html = html_text
        self.png = png
        self.text = text
        self.values = values

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return {"text/html": self.html, "image/png": self.png, "text/plain": self.text}

    def __repr__(self) -> str:
        return self.text


def _label_and_text(caption: str, label: str | None) -> str:
    text = html.escape(caption.strip())
    if label:
        return f'<strong class="mhtrain-chart-label">{html.escape(label)}.</strong> {text}'
    return text


def show_chart(fig: Figure | Sequence[Figure], **options: Any) -> None:
    """Show a chart in the course style, as a figure with alt text and a caption.

    It is shown where it is called, so code may follow it in the same cell. ``fig`` and the
    keyword-only options (``alt``, ``caption``, ``label``) are those of :func:`make_chart`,
    which builds what is shown: ``show_chart(fig, alt=..., caption=...)``.
    """
    from IPython.display import display

    display(make_chart(fig, **options))


def make_chart(
    fig: Figure | Sequence[Figure],
    *,
    alt: str | Sequence[str],
    caption: str,
    label: str | None = None,
) -> Chart:
    """Make a chart in the course style: a figure with alt text and a caption, to show.

    Parameters
    ----------
    fig
        The matplotlib figure, or several figures to show as panels of one figure: side by
        side where the page is wide enough, one above the other on a phone. Each is closed
        once shown, so it is never shown twice.
    alt
        Alt text made from the data (one per figure): what the chart shows, with its key
        numbers (at least 12 words and one number the chart draws; never a file name).
    caption
        The visible caption under the chart: what it shows and how to read it, in words.
    label
        Optional figure label shown before the caption in bold, e.g. ``"Figure 1"``.

    Returns
    -------
    Chart
        The displayable chart, with its HTML, its PNG (of the first panel) and the values it
        draws.

    Raises
    ------
    MhtrainError
        If the alt text or the caption is not good enough (the message says what to add).
    """
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    figures = [fig] if isinstance(fig, Figure) else list(fig)
    alts = [alt] if isinstance(alt, str) else list(alt)
    for one in figures:
        if not isinstance(one, Figure):
            raise MhtrainError(
                "show_chart: give a matplotlib figure (fig, ax = plt.subplots()), not "
                f"{type(one).__name__}"
            )
    if not figures or len(alts) != len(figures):
        raise MhtrainError(
            f"show_chart: give one alt text for each figure ({len(figures)} figures, "
            f"{len(alts)} alt texts)"
        )
    if not caption or not caption.strip():
        raise MhtrainError("show_chart: give a caption that says what the chart shows")
    digest = hashlib.sha256(f"{alts}\n{caption}".encode()).hexdigest()[:10]
    prefix = f"chart-{digest}"
    caption_id = f"{prefix}-caption"
    svgs, values, pngs = [], [], []
    smallest = MIN_FONT_PT if len(figures) == 1 else PANEL_MIN_FONT_PT
    for i, (one, words) in enumerate(zip(figures, alts, strict=True)):
        _fit(one, smallest=smallest)
        one.canvas.draw()
        drawn = plotted_values(one)
        problems = alt_text_problems(words, drawn)
        if problems:
            raise MhtrainError(
                f"show_chart: the alt text is not good enough: {'; '.join(problems)}"
            )
        panel = prefix if len(figures) == 1 else f"{prefix}-{i + 1}"
        svgs.append(_svg(one, panel, words, caption_id))
        values.extend(drawn)
        png = io.BytesIO()
        one.savefig(png, format="png", dpi=PNG_DPI, metadata={"Software": None})
        pngs.append(png.getvalue())
        plt.close(one)
    body = svgs[0]
    if len(svgs) > 1:
        body = (
            '<div class="mhtrain-chart-panels" '
            'style="display:flex;flex-wrap:wrap;gap:1rem;align-items:flex-start">'
            + "".join(
                svg.replace(
                    "display:block;width:100%;",
                    f"display:block;flex:1 1 {PANEL_MIN_PX:g}px;min-width:min({PANEL_MIN_PX:g}px,100%);",
                    1,
                )
                for svg in svgs
            )
            + "</div>"
        )
    values = sorted(set(values))
    shown_values = " ".join(f"{v:.6g}" for v in values)
    figure = (
        f'<figure class="mhtrain-chart" id="{prefix}" style="margin:1rem 0;max-width:100%" '
        f'data-chart-values="{shown_values}">'
        f"{body}"
        f'<figcaption id="{caption_id}">{_label_and_text(caption, label)}</figcaption>'
        "</figure>"
    )
    plain = f"{label}. {caption.strip()}" if label else caption.strip()
    return Chart(figure, pngs[0], plain, values)


# --------------------------------------------------------------------------------------------
# Showing a table


def _date(value: Any) -> str:
    return value.strftime("%Y-%m-%d")


def _default_format(series: pd.Series) -> Any:
    """Thousands separators; as many decimals as the values were rounded to (at most 3);
    dates without a time of day when none has one."""
    if pd.api.types.is_datetime64_any_dtype(series):
        times = series.dropna()
        return _date if (times == times.dt.normalize()).all() else None
    if pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
        return None
    if pd.api.types.is_integer_dtype(series):
        return "{:,.0f}"
    finite = series.dropna().astype("float64")
    for decimals in range(4):
        if ((finite - finite.round(decimals)).abs() < 1e-9).all():
            return f"{{:,.{decimals}f}}"
    return "{:,.2f}" if len(finite) and finite.abs().max() < 10 else "{:,.1f}"


def show_table(
    table: pd.DataFrame | pd.Series,
    *,
    caption: str | None = None,
    formats: Mapping[Hashable, str] | None = None,
    index: bool | None = None,
    missing: str = "none",
    names: Mapping[Hashable, str] | None = None,
    index_name: str | None = None,
) -> Styler:
    """Format a table for people; the table itself is not changed.

    Parameters
    ----------
    table
        A DataFrame or Series (a Series is shown as one column named after it).
    caption
        Optional caption shown above the table.
    formats
        Format strings by column, e.g. ``{"rate": "{:,.1f}", "share": "{:.0%}"}``; other
        numeric columns get thousands separators and as many decimal places as their values
        were rounded to (``table.round(1)`` shows one), at most three.
    index
        Show the index as the first column. Default: only when it holds labels (an unnamed
        index of whole numbers is row numbers, and is left out). A shown index becomes a
        named column, so no header cell is empty.
    missing
        Words shown for an empty cell (default ``"none"``; say ``"suppressed"`` where a count
        was withheld).
    names
        Column headings to show instead of the column names.
    index_name
        Heading for the index column when the index has no name of its own.

    Returns
    -------
    pandas.io.formats.style.Styler
        The styled table (a notebook and the book show it as HTML).
    """
    if isinstance(table, pd.Series):
        if table.name is None:
            raise MhtrainError(
                "show_table: the Series has no name, so its column would have no heading; "
                "name it first (series.rename('detentions'))"
            )
        table = table.to_frame()
    frame = table
    if not isinstance(frame, pd.DataFrame):
        raise MhtrainError(
            f"show_table: give a pandas DataFrame or Series, not {type(table).__name__}"
        )
    if index is None:
        numbered = frame.index.nlevels == 1 and pd.api.types.is_integer_dtype(frame.index)
        index = not (numbered and frame.index.name is None)
    shown = frame.copy()
    if index and index_name is not None and frame.index.nlevels == 1:
        shown = shown.rename_axis(frame.index.name or index_name)
    if index:
        if any(n is None or not str(n).strip() for n in shown.index.names):
            raise MhtrainError(
                "show_table: the index has no name, so its heading would be empty; name it "
                "(table.rename_axis('area'), or index_name='area') or pass index=False"
            )
        shown = shown.reset_index()
    shown.columns = [
        " ".join(str(part) for part in c if str(part).strip()) if isinstance(c, tuple) else str(c)
        for c in shown.columns
    ]
    if names:
        shown = shown.rename(columns={str(k): v for k, v in names.items()})
    blank = [c for c in shown.columns if not str(c).strip()]
    if blank:
        raise MhtrainError("show_table: a column has no name; give it one with names=")
    chosen: dict[str, Any] = {}
    wanted = {str(names.get(k, k) if names else k): v for k, v in (formats or {}).items()}
    for column in shown.columns:
        fmt = wanted.get(column, _default_format(shown[column]))
        if fmt is not None:
            chosen[column] = fmt
    styler = shown.style.format(na_rep=missing).format(chosen, na_rep=missing)
    # A fixed id (not pandas' random one), so the same table gives the same page.
    digest = hashlib.sha256(shown.to_csv().encode()).hexdigest()[:10]
    styler = styler.set_uuid(f"table-{digest}").hide(axis="index")
    # The theme's table look (the "dataframe" class), a little room, and numbers lined up
    # on the right, in the notebook as on the web.
    numeric = [c for c in shown.columns if c in chosen and not callable(chosen[c])]
    styler = (
        styler.set_table_attributes('class="dataframe mhtrain-table"')
        .set_table_styles(
            [
                {"selector": "th", "props": "text-align: left; padding: 0.3em 0.7em;"},
                {"selector": "td", "props": "padding: 0.3em 0.7em;"},
            ]
        )
        .set_properties(subset=numeric, **{"text-align": "right"})
    )
    if caption:
        styler = styler.set_caption(caption)
    return styler
