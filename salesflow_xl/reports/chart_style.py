"""The charts' common look: colours, figure size and resolution, axes styling, money ticks, and
the PNG encoding. matplotlib's object API only (no pyplot, no global state)."""

from __future__ import annotations

import io

from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

INK = "#1f2933"
MUTED = "#7b8794"
GRID = "#e4e7eb"
BLUE = "#2f6fb0"
LIGHT_BLUE = "#a9c7e8"
GREEN = "#2e8b57"
RED = "#c0392b"
AMBER = "#d68910"
FUNNEL_COLOURS = ("#9ecae1", "#6baed6", "#3182bd", "#2e8b57")
DPI = 110

MONEY = FuncFormatter(lambda value, _: short_money(value))


def short_money(value: float) -> str:
    """12,300 → "12.3k", 1,250,000 → "1.25M"; small amounts as whole numbers."""
    size = abs(value)
    if size >= 1e6:
        return f"{value / 1e6:.3g}M"
    if size >= 1e3:
        return f"{value / 1e3:.3g}k"
    return f"{value:.0f}"


def figure(width: float, height: float) -> Figure:
    figure = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    figure.set_facecolor("white")
    return figure


def tidy(axes, grid_axis: str = "x") -> None:
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        axes.spines[side].set_color(MUTED)
    axes.tick_params(colors=INK, labelsize=9)
    if grid_axis:
        axes.grid(axis=grid_axis, color=GRID, linewidth=0.8)
        axes.set_axisbelow(True)


def nothing(axes, message: str) -> None:
    axes.set_axis_off()
    axes.text(0.5, 0.5, message, ha="center", va="center", color=MUTED, fontsize=11)


def ranked_bars(axes, names, values, colour: str, title: str, labels=None, margin=0.2) -> None:
    """Horizontal bars, the first on top, each labelled (with ``labels`` or its value)."""
    bars = axes.barh(names, values, color=colour)
    axes.bar_label(bars, labels=labels, fontsize=9, padding=2)
    axes.invert_yaxis()
    axes.set_title(title, loc="left", fontsize=11, color=INK)
    axes.margins(x=margin)
    tidy(axes)


def png(figure: Figure) -> bytes:
    """The figure as PNG bytes."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, facecolor="white")
    return buffer.getvalue()
