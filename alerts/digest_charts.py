"""Alerts: the digests' charts as PNG images (matplotlib, no display), with a Chinese font.

Chinese labels need a CJK font: the first of :data:`CJK_FONTS` matplotlib finds
on the machine (Debian and Ubuntu: ``apt-get install fonts-noto-cjk``; CI
installs it), or the file named by ``RADAR_DIGEST_FONT``. Without one the
charts are still drawn, but Chinese shows as empty boxes; :func:`cjk_font`
says so once in the log, naming what to install.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display: charts are files

from matplotlib import font_manager
from matplotlib import pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

log = logging.getLogger(__name__)

#: Fonts with Chinese glyphs, in the order they are preferred.
CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Droid Sans Fallback",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Heiti SC",
)
#: Colours of the series (the dashboard's palette: blue, light blue, red, pink, ...).
COLOURS = ("#0068c9", "#83c9ff", "#ff2b2b", "#ffabab", "#29b09d", "#7defa1", "#ff8700", "#6d3fc0")
WIDTH_IN, HEIGHT_IN, DPI = 7.2, 3.4, 110
#: Legends under the plot, where they hide no bar or line.
BELOW: dict[str, Any] = {
    "fontsize": 8,
    "frameon": False,
    "loc": "upper center",
    "bbox_to_anchor": (0.5, -0.12),
    "ncol": 6,
}


@cache
def cjk_font(configured: str | None = None) -> str | None:
    """The family charts write Chinese in; None (and a warning) when the machine has none."""
    if configured:
        path = Path(configured).expanduser()
        if path.is_file():
            font_manager.fontManager.addfont(str(path))
            return str(font_manager.FontProperties(fname=str(path)).get_name())
        log.warning("RADAR_DIGEST_FONT=%s: no such file; looking for an installed CJK font", path)
    installed = {f.name for f in font_manager.fontManager.ttflist}
    for name in CJK_FONTS:
        if name in installed:
            return name
    log.warning(
        "no Chinese font found: digest charts will show Chinese as boxes. Install one "
        "(Debian/Ubuntu: apt-get install fonts-noto-cjk; then remove matplotlib's font cache, "
        "~/.cache/matplotlib) or set RADAR_DIGEST_FONT to a .ttf/.otf/.ttc file"
    )
    return None


def _style(font: str | None) -> dict[Any, Any]:
    """matplotlib settings of every chart: the CJK font first, DejaVu for what it lacks."""
    return {
        "font.family": "sans-serif",
        "font.sans-serif": [font, "DejaVu Sans"] if font else ["DejaVu Sans"],
        "axes.unicode_minus": False,  # a CJK font may lack U+2212
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.axisbelow": True,
    }


def _figure(title: str, height: float = HEIGHT_IN) -> tuple[Figure, Axes]:
    figure = Figure(figsize=(WIDTH_IN, height), dpi=DPI)
    axes = figure.add_subplot()
    axes.set_title(title, loc="left", fontsize=12, fontweight="bold")
    axes.grid(axis="y", color="#e6e6e6", linewidth=0.8)
    return figure, axes


def _png(figure: Figure) -> bytes:
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, facecolor="white")
    return buffer.getvalue()


def stacked_bars(
    title: str,
    labels: Sequence[str],
    series: Mapping[str, Sequence[float]],
    *,
    line: Sequence[float | None] | None = None,
    line_label: str = "",
    font: str | None = None,
) -> bytes:
    """Bars stacked per series (e.g. messages per channel and hour), with an optional line on
    a second axis in percent (e.g. the complaint rate)."""
    with plt.rc_context(_style(font)):
        figure, axes = _figure(title)
        bottom = [0.0] * len(labels)
        positions = list(range(len(labels)))
        for (name, values), colour in zip(series.items(), COLOURS, strict=False):
            axes.bar(positions, values, bottom=bottom, label=name, color=colour, width=0.8)
            bottom = [b + float(v) for b, v in zip(bottom, values, strict=True)]
        step = max(1, len(labels) // 12)
        axes.set_xticks(positions[::step], [labels[i] for i in positions[::step]], fontsize=8)
        handles, names = axes.get_legend_handles_labels()
        if line is not None:
            right = axes.twinx()
            values = [float("nan") if v is None else v for v in line]
            right.plot(
                positions, values, color="#262730", marker="o", markersize=3, label=line_label
            )
            right.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
            right.set_ylim(bottom=0)
            more, more_names = right.get_legend_handles_labels()
            handles, names = handles + more, names + more_names
        axes.legend(handles, names, **BELOW)
        return _png(figure)


def grouped_barh(
    title: str,
    labels: Sequence[str],
    series: Mapping[str, Sequence[float | None]],
    *,
    unit: str = "",
    percent: bool = False,
    font: str | None = None,
) -> bytes:
    """Horizontal bars per label, one per series side by side (e.g. median and p90 per channel,
    or a product's complaint rate this week and last)."""
    height = max(2.0, 1.3 + 0.3 * len(labels) * max(1, len(series)))
    with plt.rc_context(_style(font)):
        figure, axes = _figure(title, height)
        size = 0.8 / max(1, len(series))
        rows = list(range(len(labels)))
        for n, ((name, values), colour) in enumerate(zip(series.items(), COLOURS, strict=False)):
            offsets = [r - 0.4 + size * (n + 0.5) for r in rows]
            numbers = [0.0 if v is None else float(v) for v in values]
            axes.barh(offsets, numbers, height=size, label=name, color=colour)
        axes.set_yticks(rows, list(labels), fontsize=9)
        axes.invert_yaxis()
        axes.grid(axis="y", visible=False)
        axes.grid(axis="x", color="#e6e6e6", linewidth=0.8)
        if percent:
            axes.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        if unit:
            axes.set_xlabel(unit, fontsize=9)
        if len(series) > 1:  # under the axis label, if there is one
            axes.legend(**{**BELOW, "bbox_to_anchor": (0.5, -0.25)})
        return _png(figure)


def lines(
    title: str,
    days: Sequence[datetime],
    series: Mapping[str, Sequence[float | None]],
    *,
    percent: bool = False,
    font: str | None = None,
) -> bytes:
    """One line per series over local days (e.g. CSAT and NPS, or complaints per topic)."""
    with plt.rc_context(_style(font)):
        figure, axes = _figure(title)
        positions = list(range(len(days)))
        for (name, values), colour in zip(series.items(), COLOURS, strict=False):
            numbers = [float("nan") if v is None else float(v) for v in values]
            axes.plot(positions, numbers, marker="o", markersize=3, label=name, color=colour)
        axes.set_xticks(positions, [f"{d:%m-%d}" for d in days], fontsize=8)
        if percent:
            axes.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        axes.legend(**BELOW)
        return _png(figure)


def intervals(
    title: str,
    labels: Sequence[str],
    ratios: Sequence[float],
    lows: Sequence[float],
    highs: Sequence[float],
    *,
    font: str | None = None,
) -> bytes:
    """A point and its 95% interval per label around 1 (rate ratios of improvements): green
    when the whole interval is below 1, red above, grey across."""
    height = max(1.8, 1.0 + 0.4 * len(labels))
    with plt.rc_context(_style(font)):
        figure, axes = _figure(title, height)
        rows = list(range(len(labels)))
        for row, ratio, low, high in zip(rows, ratios, lows, highs, strict=True):
            colour = "#29b09d" if high < 1 else "#ff2b2b" if low > 1 else "#808495"
            axes.plot([low, high], [row, row], color=colour, linewidth=2)
            axes.plot([ratio], [row], marker="o", color=colour)
        axes.axvline(1.0, color="#262730", linewidth=1, linestyle="--")
        axes.set_yticks(rows, list(labels), fontsize=9)
        axes.invert_yaxis()
        axes.grid(axis="y", visible=False)
        axes.grid(axis="x", color="#e6e6e6", linewidth=0.8)
        return _png(figure)


__all__ = ["CJK_FONTS", "cjk_font", "grouped_barh", "intervals", "lines", "stacked_bars"]
