"""The report's charts, drawn with matplotlib from a :class:`~salesflow_xl.core.report.Report`.

Each function returns PNG bytes. Figures are made with :class:`matplotlib.figure.Figure`
directly (no pyplot): no global state, no display, safe to call from any thread or surface.
Money is in the workbook's one currency, shown without a symbol.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, PercentFormatter

from salesflow_xl.core.i18n import N_, _
from salesflow_xl.core.report import Report
from salesflow_xl.reports import chart_style as style


@style.chart
def funnel(report: Report) -> bytes:
    """The funnel as a funnel: one centred band per stage, width = deals that ever reached it,
    joined by trapezoids; each band is labelled with its count, the conversion from the stage
    before and the share of the first stage."""
    stages = report.stage_conversion
    figure = style.figure(7.2, 3.6)
    axes = figure.add_subplot()
    axes.set_axis_off()
    reached = stages["reached"].to_numpy(dtype="float64")
    if len(reached) == 0 or reached[0] <= 0:
        style.nothing(axes, _("No deals in the stage log yet"))
        return style.png(figure)
    widths = reached / reached[0]
    band, gap = 0.62, 0.38
    for index, (name, width, count) in enumerate(
        zip(stages["stage"], widths, reached, strict=True)
    ):
        top = -index * (band + gap)
        last = index == len(widths) - 1  # the won stage, in green
        colour = style.FUNNEL_COLOURS[-1 if last else min(index, len(style.FUNNEL_COLOURS) - 2)]
        axes.fill_between(
            [-width / 2, width / 2], top - band, top, color=colour, linewidth=0, zorder=2
        )
        if index + 1 < len(widths):
            below = widths[index + 1]
            axes.fill(
                [-width / 2, width / 2, below / 2, -below / 2],
                [top - band, top - band, top - band - gap, top - band - gap],
                color=colour,
                alpha=0.35,
                linewidth=0,
            )
        axes.text(
            -0.53,
            top - band / 2,
            str(name),
            ha="right",
            va="center",
            fontsize=10,
            color=style.INK,
        )
        conversion = stages["conversion"].iloc[index]
        detail = _("{count} deals").format(count=f"{count:,.0f}")
        if not math.isnan(conversion):
            detail += "  ·  " + _("{share} of previous").format(share=f"{conversion:.0%}")
            detail += "  ·  " + _("{share} of all").format(
                share=f"{stages['from_first'].iloc[index]:.0%}"
            )
        axes.text(0.53, top - band / 2, detail, ha="left", va="center", fontsize=9, color=style.INK)
    axes.set_xlim(-1.25, 1.45)
    axes.set_ylim(-(len(widths) - 1) * (band + gap) - band - 0.05, 0.05)
    axes.set_title(_("Deals that reached each stage"), loc="left", fontsize=11, color=style.INK)
    return style.png(figure)


@style.chart
def stage_conversion(report: Report) -> bytes:
    """Conversion from each funnel stage to the next, as bars with percentage labels, beside
    the average days a completed stay in the stage took."""
    stages = report.stage_conversion
    figure = style.figure(7.2, 3.0)
    left, right = figure.subplots(1, 2, width_ratios=(3, 2))
    steps = stages.iloc[1:]
    if steps.empty:
        style.nothing(left, _("No stage moves yet"))
    else:
        names = stages["stage"].tolist()
        labels = [f"{a} →\n{b}" for a, b in itertools.pairwise(names)]
        values = steps["conversion"].fillna(0).to_numpy()
        bars = left.bar(labels, values, color=style.BLUE, width=0.6)
        left.bar_label(bars, labels=[f"{v:.0%}" for v in values], fontsize=9, color=style.INK)
        left.yaxis.set_major_formatter(PercentFormatter(1.0))
        left.set_ylim(0, 1.1)
        left.tick_params(axis="x", labelsize=8)
        left.set_title(_("Stage-to-stage conversion"), loc="left", fontsize=11, color=style.INK)
        style.tidy(left, "y")
    days = report.days_in_stage.dropna()
    if days.empty:
        style.nothing(right, _("No completed stays yet"))
    else:
        style.ranked_bars(
            right,
            days["stage"],
            days["average_days"],
            style.LIGHT_BLUE,
            _("Average days in stage"),
            labels=[_("{days} d").format(days=f"{d:.1f}") for d in days["average_days"]],
            margin=0.25,
        )
    return style.png(figure)


@style.chart
def win_loss(report: Report) -> bytes:
    """Won against lost deals of the period (one split bar with the win rate) and the lost
    deals by reason."""
    totals = report.lost_reasons
    won, lost = int(report.closed["won"]), int(report.closed["lost"])
    figure = style.figure(7.2, 3.0)
    left, right = figure.subplots(1, 2, width_ratios=(2, 3))
    if math.isnan(report.win_rate):
        style.nothing(left, _("Nothing closed in the period"))
    else:
        left.bar([0], [won], color=style.GREEN, width=0.5, label=_("won"))
        left.bar([0], [lost], bottom=[won], color=style.RED, width=0.5, label=_("lost"))
        left.text(0, won / 2, f"{_('won')}\n{won:,}", ha="center", va="center", color="white")
        left.text(
            0, won + lost / 2, f"{_('lost')}\n{lost:,}", ha="center", va="center", color="white"
        )
        left.set_xlim(-0.6, 0.6)
        left.set_xticks([])
        left.set_title(
            _("Win rate {rate}").format(rate=f"{report.win_rate:.1%}"),
            loc="left",
            fontsize=11,
            color=style.INK,
        )
        style.tidy(left, "y")
    if totals.empty:
        style.nothing(right, _("No lost deals in the period"))
    else:
        style.ranked_bars(
            right,
            totals["reason"].astype(str),
            totals["deals"],
            style.RED,
            _("Lost deals by reason"),
            margin=0.15,
        )
    return style.png(figure)


@style.chart
def forecast(report: Report) -> bytes:
    """Open value and weighted value by expected-close month; months already over (the close
    date needs a new estimate) in amber."""
    months = report.forecast
    figure = style.figure(7.2, 3.0)
    axes = figure.add_subplot()
    if months.empty:
        style.nothing(axes, _("No open deals"))
        return style.png(figure)
    positions = np.arange(len(months))
    axes.bar(positions, months["value"], color=style.GRID, width=0.7, label=_("open value"))
    colours = [style.AMBER if overdue else style.BLUE for overdue in months["overdue"]]
    bars = axes.bar(positions, months["weighted_value"], color=colours, width=0.45)
    axes.bar_label(
        bars, labels=[style.short_money(v) for v in months["weighted_value"]], fontsize=8, padding=2
    )
    axes.set_xticks(positions, months["month"], fontsize=8, rotation=0 if len(months) < 9 else 45)
    axes.yaxis.set_major_formatter(style.MONEY)
    handles = [
        Patch(color=style.GRID, label=_("open value")),
        Patch(color=style.BLUE, label=_("weighted forecast")),
        Patch(color=style.AMBER, label=_("weighted, close date passed")),
    ]
    axes.legend(
        handles=handles,
        fontsize=8,
        frameon=False,
        loc="upper left",
        bbox_to_anchor=(0, -0.1),
        ncol=3,
    )
    axes.set_title(_("Weighted forecast by expected close month"), loc="left", fontsize=11)
    style.tidy(axes, "y")
    return style.png(figure)


@style.chart
def revenue_forecast(report: Report) -> bytes:
    """The learned forecast's expected revenue per coming month, stacked by where it comes
    from (open deals, deals not yet in the pipeline, repeat orders), with the 80 % interval of
    the total as an error bar and the expected total above it."""
    figure = style.figure(7.2, 3.2)
    axes = figure.add_subplot()
    months = report.revenue.months if report.revenue is not None else None
    if months is None or months.empty:
        style.nothing(axes, _("No revenue forecast made"))
        return style.png(figure)
    positions = np.arange(len(months))
    bottom = np.zeros(len(months))
    for column, colour, name in (
        ("deals", style.BLUE, N_("open deals")),
        ("new_deals", style.LIGHT_BLUE, N_("new deals")),
        ("orders", style.GREEN, N_("repeat orders")),
    ):
        values = months[column].to_numpy(dtype="float64")
        axes.bar(positions, values, bottom=bottom, color=colour, width=0.6, label=_(name))
        bottom = bottom + values
    total = months["total"].to_numpy(dtype="float64")
    low = np.minimum(months["low"].to_numpy(dtype="float64"), total)
    high = np.maximum(months["high"].to_numpy(dtype="float64"), total)
    axes.errorbar(
        positions,
        total,
        yerr=[total - low, high - total],
        fmt="none",
        ecolor=style.INK,
        elinewidth=1.2,
        capsize=5,
        label=_("interval (80 %)"),
    )
    for position, value, top in zip(positions, total, high, strict=True):
        axes.annotate(
            style.short_money(value),
            (position, top),
            xytext=(0, 3),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=8,
            color=style.INK,
        )
    axes.set_xticks(positions, months["month"], fontsize=8)
    axes.yaxis.set_major_formatter(style.MONEY)
    axes.set_ylim(0, max(float(high.max()), 1.0) * 1.12)
    axes.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(0, -0.1), ncol=4)
    axes.set_title(
        _("Expected revenue per month, learned from the workbook's history"),
        loc="left",
        fontsize=11,
    )
    style.tidy(axes, "y")
    return style.png(figure)


@style.chart
def marketing(report: Report) -> bytes:
    """ROI, ROAS and CAC per campaign (top row) and per channel (bottom row). Organic channels
    and campaigns without spend have no ROI or ROAS: their rows say "no spend". Red marks money
    lost (ROI below 0, ROAS below 1, the dashed line)."""
    rows = len(report.campaigns) + len(report.channels)
    figure = style.figure(7.6, max(5.4, 1.6 + 0.3 * rows))
    grid = figure.subplots(
        2,
        3,
        sharey="row",
        height_ratios=(max(len(report.campaigns), 1), max(len(report.channels), 1)),
    )
    for row, (frame, key, by) in enumerate(
        (
            (report.campaigns, "campaign", N_("campaign")),
            (report.channels, "channel", N_("channel")),
        )
    ):
        for column, (measure, title, formatter) in enumerate(
            (
                ("roi", N_("ROI per {by}"), PercentFormatter(1.0)),
                ("roas", N_("ROAS per {by}"), FuncFormatter(lambda v, _pos: f"{v:.0f}×")),
                ("cac", N_("CAC per {by}"), style.MONEY),
            )
        ):
            axes = grid[row][column]
            values = frame[measure].astype("float64")
            names = frame[key].astype(str)
            shown = values.fillna(0.0)
            colours = [
                style.RED if v < (1 if measure == "roas" else 0) else style.BLUE for v in shown
            ]
            if measure == "cac":
                colours = [
                    style.MUTED if frame["spend"].iloc[i] == 0 else style.AMBER
                    for i in range(len(frame))
                ]
            axes.barh(names, shown, color=colours)
            for position, missing in enumerate(values.isna() | (frame["spend"] == 0)):
                if missing:
                    axes.text(
                        0, position, " " + _("no spend"), va="center", fontsize=7, color=style.MUTED
                    )
            axes.xaxis.set_major_formatter(formatter)
            axes.tick_params(axis="x", labelsize=7)
            axes.set_title(_(title).format(by=_(by)), loc="left", fontsize=10)
            if measure == "roas":
                axes.axvline(1.0, color=style.MUTED, linewidth=0.8, linestyle="--")
            style.tidy(axes)
        grid[row][0].invert_yaxis()
    return style.png(figure)


@style.chart
def clv_distribution(report: Report) -> bytes:
    """How many customers fall in each CLV band, with the median band marked; a last band that
    also holds the top 1 % says "and above"."""
    bands = report.clv_distribution
    figure = style.figure(7.2, 3.0)
    axes = figure.add_subplot()
    if bands.empty or bands["customers"].sum() == 0:
        style.nothing(axes, _("No customers with orders yet"))
        return style.png(figure)
    width = float(bands["to"].iloc[0] - bands["from"].iloc[0])
    bars = axes.bar(
        bands["from"],
        bands["customers"],
        width=width,
        align="edge",
        color=style.BLUE,
        edgecolor="white",
    )
    if bands["and_above"].iloc[-1]:
        axes.bar_label(
            bars, labels=[""] * (len(bands) - 1) + [_("and above")], fontsize=8, color=style.MUTED
        )
    counts = bands["customers"].to_numpy()
    half = np.searchsorted(np.cumsum(counts), counts.sum() / 2)
    median_band = bands.iloc[int(half)]
    axes.axvspan(
        median_band["from"],
        median_band["to"],
        color=style.AMBER,
        alpha=0.15,
        label=_("median customer's band"),
    )
    axes.xaxis.set_major_formatter(style.MONEY)
    axes.set_xlabel(_("customer lifetime value (CLV)"), fontsize=9, color=style.INK)
    axes.set_ylabel(_("customers"), fontsize=9, color=style.INK)
    axes.legend(fontsize=8, frameon=False)
    axes.set_title(_("CLV distribution"), loc="left", fontsize=11)
    style.tidy(axes, "y")
    return style.png(figure)


@style.chart
def rfm_segments(report: Report) -> bytes:
    """Customers and revenue share per RFM segment, side by side."""
    segments = report.rfm_segments
    figure = style.figure(7.2, 3.2)
    left, right = figure.subplots(1, 2, sharey=True)
    if segments["customers"].sum() == 0:
        style.nothing(left, _("No customers with orders yet"))
        right.set_axis_off()
        return style.png(figure)
    names = [_(str(name)) for name in segments["segment"]]
    bars = left.barh(names, segments["customers"], color=style.BLUE)
    left.bar_label(bars, fontsize=8, padding=2)
    left.invert_yaxis()
    left.set_title(_("Customers per RFM segment"), loc="left", fontsize=10)
    left.margins(x=0.2)
    shares = segments["revenue_share"].fillna(0.0)
    bars = right.barh(names, shares, color=style.GREEN)
    right.bar_label(bars, labels=[f"{s:.0%}" for s in shares], fontsize=8, padding=2)
    right.xaxis.set_major_formatter(PercentFormatter(1.0))
    right.set_title(_("Share of revenue"), loc="left", fontsize=10)
    right.margins(x=0.2)
    style.tidy(left)
    style.tidy(right)
    return style.png(figure)


@style.chart
def cohort_heatmap(report: Report) -> bytes:
    """Customer retention by first-purchase month (rows) and months since (columns), as a heat
    map with the percentage in each cell; months not reached yet are blank."""
    table = report.cohort_retention
    months = [c for c in table.columns if not isinstance(c, str)]
    height = 1.6 + 0.24 * max(len(table), 1)
    figure = style.figure(7.6, min(height, 9.0))
    axes = figure.add_subplot()
    if table.empty:
        style.nothing(axes, _("No orders yet"))
        return style.png(figure)
    values = table[months].to_numpy(dtype="float64")
    colours = LinearSegmentedColormap.from_list(
        "retention", ["#ffffff", "#c6dbef", style.BLUE, "#08306b"]
    ).with_extremes(bad="#f5f7fa")
    image = axes.imshow(np.ma.masked_invalid(values), cmap=colours, vmin=0, vmax=1, aspect="auto")
    if values.size <= 600:
        for (row, column), value in np.ndenumerate(values):
            if not math.isnan(value):
                axes.text(
                    column,
                    row,
                    f"{value:.0%}",
                    ha="center",
                    va="center",
                    fontsize=6,
                    color="white" if value > 0.55 else style.INK,
                )
    labels = [f"{c} ({n:,})" for c, n in zip(table["cohort"], table["customers"], strict=True)]
    axes.set_yticks(range(len(table)), labels, fontsize=7)
    axes.set_xticks(range(len(months)), [str(m) for m in months], fontsize=7)
    axes.set_xlabel(_("months since first purchase"), fontsize=9)
    axes.set_title(
        _("Cohort retention: share of each cohort (size) ordering again"), loc="left", fontsize=11
    )
    figure.colorbar(image, ax=axes, format=PercentFormatter(1.0), shrink=0.8)
    for side in axes.spines.values():
        side.set_visible(False)
    return style.png(figure)


@style.chart
def rotting(report: Report, limit: int = 15) -> bytes:
    """The most idle open deals: days idle against their stage's limit."""
    deals = report.rotting_deals.head(limit)
    figure = style.figure(7.2, 1.2 + 0.28 * max(len(deals), 1))
    axes = figure.add_subplot()
    if deals.empty:
        style.nothing(axes, _("No rotting deals: every open deal was touched in time"))
        return style.png(figure)
    labels = [f"{i} · {t}" for i, t in zip(deals["id"], deals["title"], strict=True)]
    axes.barh(labels, deals["days_idle"], color=style.AMBER, label=_("days idle"))
    axes.scatter(
        deals["rotting_days"],
        labels,
        marker="|",
        s=200,
        color=style.INK,
        zorder=3,
        label=_("stage's limit"),
    )
    axes.invert_yaxis()
    axes.tick_params(axis="y", labelsize=8)
    axes.legend(fontsize=8, frameon=False, loc="lower right")
    axes.set_title(_("Rotting deals: idle days against the stage's limit"), loc="left", fontsize=11)
    style.tidy(axes)
    return style.png(figure)


#: Every chart of the HTML report, in page order: (key, function).
CHARTS = {
    "funnel": funnel,
    "stage_conversion": stage_conversion,
    "win_loss": win_loss,
    "forecast": forecast,
    "revenue_forecast": revenue_forecast,
    "marketing": marketing,
    "clv_distribution": clv_distribution,
    "rfm_segments": rfm_segments,
    "cohort_heatmap": cohort_heatmap,
    "rotting": rotting,
}
