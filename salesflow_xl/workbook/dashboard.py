"""The Dashboard sheet: its layout, native formulas, charts, and — for every formula cell — the
core figure it must equal.

The layout depends on the data only through the lengths of a few lists (stages, campaigns,
channels, segments); the refresh action rebuilds it when those change. Each :class:`Figure`
pairs a cell's formula with a function of the core :class:`Report`, so the golden test and the
cached-value writer read the meaning of a cell from the same place the builder writes it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from salesflow_xl.core.dataset import SalesData
from salesflow_xl.core.report import Report
from salesflow_xl.ooxml.refs import column_letter
from salesflow_xl.workbook.schema import Kind

Expected = Callable[[Report], Any]

TITLE_ROW = 1
KPI_LABEL_ROW = 4
KPI_ROW = 5
FUNNEL_HEADER_ROW = 8
#: A hidden column holding the funnel chart's invisible spacer series, which centres the bars.
SPACER_COLUMN = "S"


@dataclass(frozen=True)
class Figure:
    """One formula cell of the Dashboard and the core value it must show."""

    cell: str
    formula: str
    kind: Kind
    expected: Expected


@dataclass(frozen=True)
class Block:
    """A titled table of figures: its title cell, header row and rows of figures."""

    title: str
    anchor: tuple[int, int]  # row, column of the title
    headers: tuple[str, ...]
    rows: tuple[tuple[Figure, ...], ...]


@dataclass(frozen=True)
class Layout:
    kpis: tuple[tuple[str, Figure], ...]
    blocks: dict[str, Block]
    funnel_rows: tuple[int, int]  # first and last row of the funnel stages
    open_rows: tuple[int, int]  # first and last row of the open stages
    campaign_rows: tuple[int, int]

    def figures(self) -> list[Figure]:
        cells = [f for _, f in self.kpis]
        for block in self.blocks.values():
            cells += [f for row in block.rows for f in row]
        return cells


def _col(index: int) -> str:

    return column_letter(index)


def _value(frame: pd.DataFrame, key: str, name: str, column: str, default: Any = 0) -> Any:
    row = frame.loc[frame[key] == name]
    return row[column].iloc[0] if len(row) else default


WON_TO_DATE = 'tblDeals[Status],"won",tblDeals[Closed],"<="&AsOf'
LOST_TO_DATE = 'tblDeals[Status],"lost",tblDeals[Closed],"<="&AsOf'


def layout(data: SalesData) -> Layout:
    """The Dashboard for ``data``'s pipeline, campaigns, channels and segments."""
    k = KPI_ROW
    kpi_specs: list[tuple[str, str, Kind, Expected]] = [
        ("Open deals", '=COUNTIFS(tblDeals[Status],"open")', "integer", lambda r: r.totals["open"]),
        (
            "Open pipeline",
            '=SUMIFS(tblDeals[Value],tblDeals[Status],"open")',
            "money",
            lambda r: r.totals["open_value"],
        ),
        (
            "Weighted forecast",
            '=SUMIFS(tblDeals[Weighted value],tblDeals[Status],"open")',
            "money",
            lambda r: r.totals["weighted_pipeline"],
        ),
        (
            "Win rate",
            f'=IFERROR(COUNTIFS({WON_TO_DATE})/(COUNTIFS({WON_TO_DATE})+COUNTIFS({LOST_TO_DATE})),"")',
            "percent",
            lambda r: r.win_rate,
        ),
        (
            "Average won deal",
            f'=IFERROR(AVERAGEIFS(tblDeals[Value],{WON_TO_DATE}),"")',
            "money",
            lambda r: r.velocity["average_won_deal"],
        ),
        (
            "Sales cycle (days)",
            f'=IFERROR(AVERAGEIFS(tblDeals[Cycle days],{WON_TO_DATE}),"")',
            "number",
            lambda r: r.velocity["sales_cycle_days"],
        ),
        (
            "Velocity per day",
            f'=IFERROR(A{k}*D{k}*E{k}/F{k},"")',
            "money",
            lambda r: r.velocity["per_day"],
        ),
        (
            "Follow-ups due",
            '=COUNTIFS(tblActivities[Done],"",tblActivities[Due],"<="&AsOf)'
            '+COUNTIFS(tblDeals[Status],"open",tblDeals[Next follow-up],"<="&AsOf)',
            "integer",
            lambda r: len(r.followups_due),
        ),
        (
            "Rotting deals",
            '=COUNTIFS(tblDeals[Rotting],"Rotting")',
            "integer",
            lambda r: len(r.rotting_deals),
        ),
    ]
    kpis = tuple(
        (label, Figure(f"{_col(i)}{k}", formula, kind, expected))
        for i, (label, formula, kind, expected) in enumerate(kpi_specs, start=1)
    )

    # -- funnel: every stage, reach and conversion for the funnel stages -----------------------
    stages = data.pipeline.stages
    funnel_length = len(data.pipeline.funnel)
    first = FUNNEL_HEADER_ROW + 1
    funnel_rows = []
    for i, stage in enumerate(stages, start=1):
        r = first + i - 1
        name = stage.name
        row = [
            Figure(f"A{r}", f"=INDEX(tblStages[Stage],{i})", "text", lambda _r, n=name: n),
            Figure(
                f"B{r}",
                f"=COUNTIFS(tblDeals[Stage],A{r})",
                "integer",
                lambda rep, n=name: _value(rep.funnel, "stage", n, "deals"),
            ),
            Figure(
                f"C{r}",
                f"=SUMIFS(tblDeals[Value],tblDeals[Stage],A{r})",
                "money",
                lambda rep, n=name: _value(rep.funnel, "stage", n, "value"),
            ),
            Figure(
                f"D{r}",
                f"=SUMIFS(tblDeals[Weighted value],tblDeals[Stage],A{r})",
                "money",
                lambda rep, n=name: _value(rep.funnel, "stage", n, "weighted_value"),
            ),
        ]
        if i <= funnel_length:
            last_funnel = first + funnel_length - 1
            row += [
                Figure(
                    f"E{r}",
                    f'=COUNTIFS(tblDeals[Furthest step],">={i}")',
                    "integer",
                    lambda rep, n=name: _value(rep.stage_conversion, "stage", n, "reached"),
                ),
                Figure(
                    f"F{r}",
                    '=""' if i == 1 else f'=IFERROR(E{r}/E{r - 1},"")',
                    "percent",
                    lambda rep, n=name: _value(rep.stage_conversion, "stage", n, "conversion"),
                ),
                Figure(
                    f"G{r}",
                    f'=IFERROR(E{r}/E${first},"")',
                    "percent",
                    lambda rep, n=name: _value(rep.stage_conversion, "stage", n, "from_first"),
                ),
                Figure(
                    f"{SPACER_COLUMN}{r}",
                    f"=(MAX(E${first}:E${last_funnel})-E{r})/2",
                    "number",
                    lambda rep, n=name: _funnel_pad(rep, n),
                ),
            ]
        funnel_rows.append(tuple(row))
    funnel = Block(
        "Funnel",
        (FUNNEL_HEADER_ROW - 1, 1),
        (
            "Stage",
            "Deals now",
            "Value",
            "Weighted value",
            "Ever reached",
            "From previous",
            "From first",
        ),
        tuple(funnel_rows),
    )
    open_count = len(data.pipeline.open_stages)

    # -- campaigns --------------------------------------------------------------------------------
    campaign_header = first + len(stages) + 2
    c_first = campaign_header + 1
    campaign_columns: tuple[tuple[str, str, Kind], ...] = (
        ("Campaign", "campaign", "text"),
        ("Channel", "channel", "text"),
        ("Spend", "spend", "money"),
        ("Revenue", "revenue", "money"),
        ("ROI", "roi", "percent"),
        ("ROAS", "roas", "number"),
        ("CAC", "cac", "money"),
    )
    campaign_rows = []
    for k_row in range(1, len(data.campaigns) + 1):
        r = c_first + k_row - 1
        campaign_rows.append(
            tuple(
                Figure(
                    f"{_col(j)}{r}",
                    f"=INDEX(tblCampaigns[{header}],{k_row})",
                    kind,
                    lambda rep, i=k_row - 1, key=key: rep.campaigns[key].iloc[i],
                )
                for j, (header, key, kind) in enumerate(campaign_columns, start=1)
            )
        )
    campaigns = Block(
        "Campaigns",
        (campaign_header - 1, 1),
        tuple(h for h, _, _ in campaign_columns),
        tuple(campaign_rows),
    )

    # -- channels and segments side by side, right of the funnel ---------------------------------
    channels_rows = []
    ch_first = FUNNEL_HEADER_ROW + 1
    for i, channel in enumerate(data.lists.channels):
        r = ch_first + i
        spend = f"SUMIFS(tblCampaigns[Spend],tblCampaigns[Channel],K{r})"
        new = f'COUNTIFS(tblCustomers[Channel],K{r},tblCustomers[Won deals],">0")'
        channels_rows.append(
            (
                Figure(f"K{r}", f"=INDEX(ChannelList,{i + 1})", "text", lambda _r, c=channel: c),
                Figure(
                    f"L{r}",
                    f"={spend}",
                    "money",
                    lambda rep, c=channel: _value(rep.channels, "channel", c, "spend"),
                ),
                Figure(
                    f"M{r}",
                    f"=COUNTIFS(tblDeals[Channel],K{r})",
                    "integer",
                    lambda rep, c=channel: _value(rep.channels, "channel", c, "deals"),
                ),
                Figure(
                    f"N{r}",
                    f'=COUNTIFS(tblDeals[Channel],K{r},tblDeals[Status],"won")',
                    "integer",
                    lambda rep, c=channel: _value(rep.channels, "channel", c, "won"),
                ),
                Figure(
                    f"O{r}",
                    f'=SUMIFS(tblDeals[Value],tblDeals[Channel],K{r},tblDeals[Status],"won")',
                    "money",
                    lambda rep, c=channel: _value(rep.channels, "channel", c, "revenue"),
                ),
                Figure(
                    f"P{r}",
                    f'=IF(L{r}>0,(O{r}-L{r})/L{r},"")',
                    "percent",
                    lambda rep, c=channel: _value(rep.channels, "channel", c, "roi", None),
                ),
                Figure(
                    f"Q{r}",
                    f'=IF({new}>0,L{r}/{new},"")',
                    "money",
                    lambda rep, c=channel: _value(rep.channels, "channel", c, "cac", None),
                ),
            )
        )
    channels = Block(
        "Channels",
        (FUNNEL_HEADER_ROW - 1, 11),
        ("Channel", "Spend", "Deals", "Won", "Revenue", "ROI", "CAC"),
        tuple(channels_rows),
    )

    seg_header = ch_first + len(data.lists.channels) + 2
    segment_rows = []
    for i, segment in enumerate(data.lists.segments):
        r = seg_header + 1 + i
        won = f'COUNTIFS(tblDeals[Segment],K{r},tblDeals[Status],"won")'
        lost = f'COUNTIFS(tblDeals[Segment],K{r},tblDeals[Status],"lost")'
        segment_rows.append(
            (
                Figure(f"K{r}", f"=INDEX(SegmentList,{i + 1})", "text", lambda _r, s=segment: s),
                Figure(
                    f"L{r}",
                    f"=COUNTIFS(tblDeals[Segment],K{r})",
                    "integer",
                    lambda rep, s=segment: _value(rep.segments, "segment", s, "deals"),
                ),
                Figure(
                    f"M{r}",
                    f"={won}",
                    "integer",
                    lambda rep, s=segment: _value(rep.segments, "segment", s, "won"),
                ),
                Figure(
                    f"N{r}",
                    f"={lost}",
                    "integer",
                    lambda rep, s=segment: _value(rep.segments, "segment", s, "lost"),
                ),
                Figure(
                    f"O{r}",
                    f'=IFERROR(M{r}/(M{r}+N{r}),"")',
                    "percent",
                    lambda rep, s=segment: _value(rep.segments, "segment", s, "win_rate", None),
                ),
                Figure(
                    f"P{r}",
                    f'=SUMIFS(tblDeals[Value],tblDeals[Segment],K{r},tblDeals[Status],"won")',
                    "money",
                    lambda rep, s=segment: _value(rep.segments, "segment", s, "won_value"),
                ),
            )
        )
    segments = Block(
        "Segments",
        (seg_header - 1, 11),
        ("Segment", "Deals", "Won", "Lost", "Win rate", "Won value"),
        tuple(segment_rows),
    )

    return Layout(
        kpis=kpis,
        blocks={
            "funnel": funnel,
            "campaigns": campaigns,
            "channels": channels,
            "segments": segments,
        },
        funnel_rows=(first, first + funnel_length - 1),
        open_rows=(first, first + open_count - 1),
        campaign_rows=(c_first, c_first + len(data.campaigns) - 1),
    )


def _funnel_pad(report: Report, stage: str) -> float:
    reached = report.stage_conversion["reached"]
    mine = _value(report.stage_conversion, "stage", stage, "reached")
    return float((reached.max() - mine) / 2)
