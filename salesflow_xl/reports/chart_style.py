"""The charts' common look: colours, fonts, figure size and resolution, axes styling, money
ticks, and the PNG encoding. matplotlib's object API (no pyplot); the one global setting, the
font family, is set only while a chart is drawn (:func:`chart`)."""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import matplotlib
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

P = ParamSpec("P")
R = TypeVar("R")

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

#: Fonts for Chinese text, the first one installed taken: Noto Sans CJK (Debian's
#: fonts-noto-cjk, which scripts/test installs), else what Windows and macOS have.
CJK_FONTS = ("Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", "Source Han Sans SC")


@functools.cache
def font_family() -> list[str]:
    """matplotlib's own DejaVu Sans for Latin text, then a Chinese font (glyph by glyph)."""
    installed = {font.name for font in font_manager.fontManager.ttflist}
    return ["DejaVu Sans", *[name for name in CJK_FONTS if name in installed][:1]]


def chart(draw: Callable[P, R]) -> Callable[P, R]:
    """Draw with :func:`font_family`, so a chart in Chinese has every glyph."""

    @functools.wraps(draw)
    def drawn(*args: P.args, **kwargs: P.kwargs) -> R:
        with matplotlib.rc_context({"font.family": font_family()}):
            return draw(*args, **kwargs)

    return drawn


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
