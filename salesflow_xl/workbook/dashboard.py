"""The Dashboard sheet: its layout, native formulas, charts, and — for every formula cell — the
core figure it must equal. Layer: the SalesFlow workbook (imports ``salesflow_xl.core``,
``salesflow_xl.ooxml`` and ``salesflow_xl.workbook`` only).

The layout depends on the data only through the lengths of a few lists (stages, campaigns,
channels, segments); the refresh action rebuilds it when those change. Each :class:`Figure`
pairs a cell's formula with a function of the core :class:`Report`, so the golden test and the
cached-value writer read the meaning of a cell from the same place the builder writes it.
Formulas take their table, column and defined names from :mod:`~salesflow_xl.workbook.schema`;
the labels of the KPIs, the blocks' titles and their columns are the Dashboard's own words,
marked ``W_`` in English and laid out in the language in effect
(:func:`~salesflow_xl.core.i18n.workbook_name`), so the builder and
:func:`~salesflow_xl.workbook.relayout.layout_differences` see the same words.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from salesflow_xl.core.dataset import SalesData
from salesflow_xl.core.forecast import DASHBOARD_MONTHS
from salesflow_xl.core.forecast.calibration import PRIOR_WEIGHT
from salesflow_xl.core.i18n import W_, workbook_name
from salesflow_xl.core.model import Stage
from salesflow_xl.core.report import Report
from salesflow_xl.ooxml.refs import column_letter
from salesflow_xl.workbook import schema
from salesflow_xl.workbook.schema import Kind, ListSpec
from salesflow_xl.workbook.schema_spec import exactly, literal

if TYPE_CHECKING:
    from salesflow_xl.core.forecast.revenue import Forecast

Expected = Callable[[Report], Any]

KPI_LABEL_ROW = 4
KPI_ROW = 5
FUNNEL_HEADER_ROW = 8
#: The channel and segment blocks start in this column (K), right of the funnel; their formulas
#: name the cells of a row by letter.
BREAKDOWN_COLUMN = 11
#: A hidden column holding the funnel chart's invisible spacer series, which centres the bars.
SPACER_COLUMN = "S"

_DEALS, _STAGES = schema.DEALS.ref, schema.STAGES.ref
_CAMPAIGNS, _CUSTOMERS = schema.CAMPAIGNS.ref, schema.CUSTOMERS.ref
_ACTIVITIES = schema.ACTIVITIES.ref
_AS_OF = schema.AS_OF


def won_to_date() -> str:
    """COUNTIFS/SUMIFS criteria: deals won on or before the as-of date (the columns named in the
    language in effect)."""
    return f'{_DEALS("status")},{literal("won")},{_DEALS("closed")},"<="&{_AS_OF}'


def lost_to_date() -> str:
    """COUNTIFS/SUMIFS criteria: deals lost on or before the as-of date."""
    return f'{_DEALS("status")},{literal("lost")},{_DEALS("closed")},"<="&{_AS_OF}'


def __getattr__(name: str) -> Any:
    """``dashboard.WON_TO_DATE`` and ``LOST_TO_DATE``: the criteria in the language in effect,
    made each time they are read."""
    if name == "WON_TO_DATE":
        return won_to_date()
    if name == "LOST_TO_DATE":
        return lost_to_date()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True)
class Figure:
    """One formula cell of the Dashboard and the core value it must show."""

    cell: str
    formula: str
    kind: Kind
    expected: Expected


@dataclass(frozen=True)
class Block:
    """A titled table of figures: its title cell, header row and rows of figures (the title and
    headers in the language in effect)."""

    title: str
    anchor: tuple[int, int]  # row, column of the title
    headers: tuple[str, ...]
    rows: tuple[tuple[Figure, ...], ...]


@dataclass(frozen=True)
class Layout:
    """Every figure of the Dashboard and the rows the charts draw from."""

    kpis: tuple[tuple[str, Figure], ...]  # label in the language in effect → figure
    blocks: dict[str, Block]
    funnel_rows: tuple[int, int]  # first and last row of the funnel stages
    open_rows: tuple[int, int]  # first and last row of the open stages
    campaign_rows: tuple[int, int]
    forecast: ForecastBlock

    def figures(self) -> list[Figure]:
        cells = [f for _, f in self.kpis]
        for block in self.blocks.values():
            cells += [f for row in block.rows for f in row]
        return cells

    def bottom(self) -> int:
        """The last row a block (or the forecast's note) may fill."""
        last = max(self.funnel_rows[1], self.campaign_rows[1], self.forecast.note_row)
        for block in self.blocks.values():
            last = max(last, block.anchor[0] + 1 + len(block.rows))
        return last


def _value(frame: pd.DataFrame, key: str, name: str, column: str, default: Any = 0) -> Any:
    row = frame.loc[frame[key] == name]
    return row[column].iloc[0] if len(row) else default


def layout(data: SalesData) -> Layout:
    """The Dashboard for ``data``'s pipeline, campaigns, channels and segments."""
    first = FUNNEL_HEADER_ROW + 1
    funnel_length = len(data.pipeline.funnel)
    open_count = len(data.pipeline.open_stages)
    win_rate_header = first + len(data.pipeline.stages) + 2
    campaign_header = win_rate_header + open_count + 3
    c_first = campaign_header + 1
    segment_header = first + len(data.lists.channels) + 2
    forecast_header = segment_header + len(data.lists.segments) + 3
    return Layout(
        kpis=tuple((workbook_name(label), figure) for label, figure in kpi_figures()),
        blocks={
            "funnel": _funnel(data),
            "win_rates": _win_rates(data, win_rate_header),
            "campaigns": _campaigns(data, campaign_header),
            "channels": _channels(data, FUNNEL_HEADER_ROW),
            "segments": _segments(data, segment_header),
        },
        funnel_rows=(first, first + funnel_length - 1),
        open_rows=(first, first + open_count - 1),
        campaign_rows=(c_first, c_first + len(data.campaigns) - 1),
        forecast=_forecast(forecast_header),
    )


# -- KPIs ------------------------------------------------------------------------------------


def kpi_figures() -> tuple[tuple[str, Figure], ...]:
    """The KPI row: label (in English, the key :mod:`~salesflow_xl.workbook.analytics` names a
    KPI by) → figure, from column A. :attr:`Layout.kpis` has the labels as shown."""
    k = KPI_ROW
    is_open = f"{_DEALS('status')},{literal('open')}"
    won, lost = f"COUNTIFS({won_to_date()})", f"COUNTIFS({lost_to_date()})"
    due = f'"<="&{_AS_OF}'

    def won_average(column: str) -> str:
        return f'=IFERROR(AVERAGEIFS({_DEALS(column)},{won_to_date()}),"")'

    specs: list[tuple[str, str, Kind, Expected]] = [
        (W_("Open deals"), f"=COUNTIFS({is_open})", "integer", lambda r: r.totals["open"]),
        (
            W_("Open pipeline"),
            f"=SUMIFS({_DEALS('value')},{is_open})",
            "money",
            _total("open_value"),
        ),
        (
            W_("Weighted forecast"),
            f"=SUMIFS({_DEALS('Weighted value')},{is_open})",
            "money",
            _total("weighted_pipeline"),
        ),
        (W_("Win rate"), f'=IFERROR({won}/({won}+{lost}),"")', "percent", lambda r: r.win_rate),
        (W_("Average won deal"), won_average("value"), "money", _velocity("average_won_deal")),
        (
            W_("Sales cycle (days)"),
            won_average("Cycle days"),
            "number",
            _velocity("sales_cycle_days"),
        ),
        (
            W_("Velocity per day"),
            f'=IFERROR(A{k}*D{k}*E{k}/F{k},"")',
            "money",
            _velocity("per_day"),
        ),
        (
            W_("Follow-ups due"),
            f'=COUNTIFS({_ACTIVITIES("done")},"",{_ACTIVITIES("due")},{due})'
            f"+COUNTIFS({is_open},{_DEALS('next_follow_up')},{due})",
            "integer",
            lambda r: len(r.followups_due),
        ),
        (
            W_("Rotting deals"),
            f"=COUNTIFS({_DEALS('Rotting')},{literal(schema.ROTTING)})",
            "integer",
            lambda r: len(r.rotting_deals),
        ),
    ]
    return tuple(
        (label, Figure(f"{column_letter(i)}{k}", formula, kind, expected))
        for i, (label, formula, kind, expected) in enumerate(specs, start=1)
    )


def _total(key: str) -> Expected:
    return lambda r: r.totals[key]


def _velocity(key: str) -> Expected:
    return lambda r: r.velocity[key]


# -- funnel: every stage, reach and conversion for the funnel stages -------------------------


_FUNNEL_HEADERS = (
    W_("Stage"),
    W_("Deals now"),
    W_("Value"),
    W_("Weighted value"),
    W_("Ever reached"),
    W_("From previous"),
    W_("From first"),
)


def _funnel(data: SalesData) -> Block:
    first = FUNNEL_HEADER_ROW + 1
    funnel_length = len(data.pipeline.funnel)
    rows = []
    for i, stage in enumerate(data.pipeline.stages, start=1):
        row = _stage_row(stage, i, first)
        if i <= funnel_length:
            row += _reach_row(stage, i, first, first + funnel_length - 1)
        rows.append(tuple(row))
    return Block(
        workbook_name(W_("Funnel")),
        (FUNNEL_HEADER_ROW - 1, 1),
        tuple(workbook_name(header) for header in _FUNNEL_HEADERS),
        tuple(rows),
    )


def _stage_row(stage: Stage, i: int, first: int) -> list[Figure]:
    """Stage ``i`` (1-based): its name and the deals now in it, their value and weighted value."""
    r, name = first + i - 1, stage.name
    by_stage = f"{_DEALS('stage')},{exactly(f'A{r}')}"

    def funnel(column: str) -> Expected:
        return lambda rep: _value(rep.funnel, "stage", name, column)

    return [
        Figure(f"A{r}", f"=INDEX({_STAGES('name')},{i})", "text", lambda _r: name),
        Figure(f"B{r}", f"=COUNTIFS({by_stage})", "integer", funnel("deals")),
        Figure(f"C{r}", f"=SUMIFS({_DEALS('value')},{by_stage})", "money", funnel("value")),
        Figure(
            f"D{r}",
            f"=SUMIFS({_DEALS('Weighted value')},{by_stage})",
            "money",
            funnel("weighted_value"),
        ),
    ]


def _reach_row(stage: Stage, i: int, first: int, last: int) -> list[Figure]:
    """Funnel stage ``i``: deals that ever reached it, the conversions, and the chart's spacer."""
    r, name = first + i - 1, stage.name

    def conversion(column: str) -> Expected:
        return lambda rep: _value(rep.stage_conversion, "stage", name, column)

    previous = '=""' if i == 1 else f'=IFERROR(E{r}/E{r - 1},"")'
    return [
        Figure(
            f"E{r}",
            f'=COUNTIFS({_DEALS("Furthest step")},">={i}")',
            "integer",
            conversion("reached"),
        ),
        Figure(f"F{r}", previous, "percent", conversion("conversion")),
        Figure(f"G{r}", f'=IFERROR(E{r}/E${first},"")', "percent", conversion("from_first")),
        Figure(
            f"{SPACER_COLUMN}{r}",
            f"=(MAX(E${first}:E${last})-E{r})/2",
            "number",
            lambda rep: _funnel_pad(rep, name),
        ),
    ]


def _funnel_pad(report: Report, stage: str) -> float:
    reached = report.stage_conversion["reached"]
    mine = _value(report.stage_conversion, "stage", stage, "reached")
    return float((reached.max() - mine) / 2)


# -- win rates: configured and learned ------------------------------------------------------

_WIN_RATE_HEADERS = (W_("Stage"), W_("Configured"), W_("Learned"), W_("Closed deals"))


def _win_rates(data: SalesData, header_row: int) -> Block:
    """Each open stage's configured win probability beside the one learned from the closed
    deals that reached it, and how many those are, below the funnel: the Stages' *Learned
    probability* as COUNTIFS over the Deals' Furthest step and Status, so a workbook made
    before that column shows it too."""
    rows = []
    weight = f"{PRIOR_WEIGHT:g}"
    for i, stage in enumerate(data.pipeline.open_stages, start=1):
        r = header_row + i
        reached = f'{_DEALS("Furthest step")},">={i}",{_DEALS("status")}'
        won = f"COUNTIFS({reached},{literal('won')})"
        lost = f"COUNTIFS({reached},{literal('lost')})"

        def rate(column: str, name: str = stage.name) -> Expected:
            return lambda rep: _value(rep.win_rates, "stage", name, column)

        rows.append(
            (
                Figure(f"A{r}", f"=INDEX({_STAGES('name')},{i})", "text", rate("stage")),
                Figure(
                    f"B{r}", f"=INDEX({_STAGES('probability')},{i})", "percent", rate("configured")
                ),
                Figure(
                    f"C{r}", f"=({won}+{weight}*B{r})/(D{r}+{weight})", "percent", rate("learned")
                ),
                Figure(f"D{r}", f"={won}+{lost}", "integer", rate("closed")),
            )
        )
    return Block(
        workbook_name(W_("Win rate per stage: configured and learned")),
        (header_row - 1, 1),
        tuple(workbook_name(header) for header in _WIN_RATE_HEADERS),
        tuple(rows),
    )


# -- campaigns -------------------------------------------------------------------------------

#: The Campaigns table's columns shown, by field or computed header, with the report's column.
_CAMPAIGN_COLUMNS: tuple[tuple[str, str, Kind], ...] = (
    ("name", "campaign", "text"),
    ("channel", "channel", "text"),
    ("spend", "spend", "money"),
    ("Revenue", "revenue", "money"),
    ("ROI", "roi", "percent"),
    ("ROAS", "roas", "number"),
    ("CAC", "cac", "money"),
)


def _campaigns(data: SalesData, header_row: int) -> Block:
    """Each campaign's row of the Campaigns table, below the funnel."""
    rows = []
    for k in range(1, len(data.campaigns) + 1):
        r = header_row + k
        rows.append(
            tuple(
                Figure(
                    f"{column_letter(j)}{r}",
                    f"=INDEX({_CAMPAIGNS(column)},{k})",
                    kind,
                    lambda rep, i=k - 1, key=key: rep.campaigns[key].iloc[i],
                )
                for j, (column, key, kind) in enumerate(_CAMPAIGN_COLUMNS, start=1)
            )
        )
    return Block(
        workbook_name(W_("Campaigns")),
        (header_row - 1, 1),
        tuple(schema.CAMPAIGNS.column_for(column).header for column, _, _ in _CAMPAIGN_COLUMNS),
        tuple(rows),
    )


# -- channels and segments side by side, right of the funnel -------------------------------


@dataclass(frozen=True)
class _Measure:
    """A column of a breakdown block: its header (in English), the formula for row ``r``
    (whose name is in column K, the first measure in L …), and the report's column with its
    value when the name is missing there."""

    header: str
    kind: Kind
    formula: Callable[[int], str]
    column: str
    default: Any = 0


def _breakdown(
    title: str,
    header_row: int,
    names: Sequence[str],
    values: ListSpec,
    report_frame: Callable[[Report], pd.DataFrame],
    key: str,
    measures: Sequence[_Measure],
) -> Block:
    """A block titled ``title`` (in English) with one row per name of list ``values`` (column K)
    and a column per measure, each expected to equal the named row of ``report_frame(report)``
    (matched on ``key``)."""
    rows, names_column = [], column_letter(BREAKDOWN_COLUMN)
    for i, name in enumerate(names):
        r = header_row + 1 + i
        cell = f"{names_column}{r}"
        label = Figure(cell, f"=INDEX({values.name},{i + 1})", "text", lambda _r, n=name: n)
        figures = (
            Figure(
                f"{column_letter(BREAKDOWN_COLUMN + j)}{r}",
                measure.formula(r),
                measure.kind,
                lambda rep, n=name, m=measure: _value(
                    report_frame(rep), key, n, m.column, m.default
                ),
            )
            for j, measure in enumerate(measures, start=1)
        )
        rows.append((label, *figures))
    return Block(
        workbook_name(title),
        (header_row - 1, BREAKDOWN_COLUMN),
        (values.header, *(workbook_name(m.header) for m in measures)),
        tuple(rows),
    )


def _named(r: int) -> str:
    """The criterion matching exactly the name in column K of row ``r`` (a channel or
    segment block's row)."""
    return exactly(f"K{r}")


def _channels(data: SalesData, header_row: int) -> Block:
    """Spend, deals, won deals, revenue, ROI and CAC per acquisition channel."""

    def spend(r: int) -> str:
        return f"SUMIFS({_CAMPAIGNS('spend')},{_CAMPAIGNS('channel')},{_named(r)})"

    def new(r: int) -> str:
        return f'COUNTIFS({_CUSTOMERS("channel")},{_named(r)},{_CUSTOMERS("Won deals")},">0")'

    def won(r: int) -> str:
        return f"{_DEALS('channel')},{_named(r)},{_DEALS('status')},{literal('won')}"

    measures = (
        _Measure(W_("Spend"), "money", lambda r: f"={spend(r)}", "spend"),
        _Measure(
            W_("Deals"), "integer", lambda r: f"=COUNTIFS({_DEALS('channel')},{_named(r)})", "deals"
        ),
        _Measure(W_("Won"), "integer", lambda r: f"=COUNTIFS({won(r)})", "won"),
        _Measure(
            W_("Revenue"), "money", lambda r: f"=SUMIFS({_DEALS('value')},{won(r)})", "revenue"
        ),
        _Measure(W_("ROI"), "percent", lambda r: f'=IF(L{r}>0,(O{r}-L{r})/L{r},"")', "roi", None),
        _Measure(W_("CAC"), "money", lambda r: f'=IF({new(r)}>0,L{r}/{new(r)},"")', "cac", None),
    )
    return _breakdown(
        W_("Channels"),
        header_row,
        data.lists.channels,
        schema.LISTS["channels"],
        lambda rep: rep.channels,
        "channel",
        measures,
    )


def _segments(data: SalesData, header_row: int) -> Block:
    """Deals, won and lost deals, win rate and won value per customer segment."""

    def outcome(r: int, status: str) -> str:
        return f"{_DEALS('Segment')},{_named(r)},{_DEALS('status')},{literal(status)}"

    measures = (
        _Measure(
            W_("Deals"), "integer", lambda r: f"=COUNTIFS({_DEALS('Segment')},{_named(r)})", "deals"
        ),
        _Measure(W_("Won"), "integer", lambda r: f"=COUNTIFS({outcome(r, 'won')})", "won"),
        _Measure(W_("Lost"), "integer", lambda r: f"=COUNTIFS({outcome(r, 'lost')})", "lost"),
        _Measure(
            W_("Win rate"), "percent", lambda r: f'=IFERROR(M{r}/(M{r}+N{r}),"")', "win_rate", None
        ),
        _Measure(
            W_("Won value"),
            "money",
            lambda r: f"=SUMIFS({_DEALS('value')},{outcome(r, 'won')})",
            "won_value",
        ),
    )
    return _breakdown(
        W_("Segments"),
        header_row,
        data.lists.segments,
        schema.LISTS["segments"],
        lambda rep: rep.segments,
        "segment",
        measures,
    )


# -- the revenue forecast, right of the campaigns below the segments ------------------------

#: The forecast's columns: header (in English), the forecast's month column, its kind.
_FORECAST_COLUMNS: tuple[tuple[str, str, Kind], ...] = (
    (W_("Month"), "month", "text"),
    (W_("Expected"), "total", "money"),
    (W_("Low (10 %)"), "low", "money"),
    (W_("High (90 %)"), "high", "money"),
    (W_("Open deals"), "deals", "money"),
    (W_("New deals"), "new_deals", "money"),
    (W_("Repeat orders"), "orders", "money"),
)


@dataclass(frozen=True)
class ForecastBlock:
    """The revenue forecast: a row per coming month — expected revenue, its 80 % interval and
    what of it comes from the open deals, deals not in the pipeline yet and repeat orders — and
    a note under them. Plain values, not formulas: the simulation
    (:func:`~salesflow_xl.core.forecast.dashboard_forecast`) is made when the Dashboard is
    laid out or refreshed and stays as it was until the next time."""

    title: str
    anchor: tuple[int, int]  # row, column of the title
    headers: tuple[str, ...]
    kinds: tuple[Kind, ...]
    months: int

    @property
    def first_row(self) -> int:
        return self.anchor[0] + 2

    @property
    def note_row(self) -> int:
        return self.first_row + self.months

    def rows(self, result: Forecast | None) -> list[list[Any]]:
        """The values under the headers, month by month, then the note (in the language in
        effect); for ``result`` None (nothing to learn from yet) blank months and a note saying
        when there will be a forecast."""
        if result is None:
            lines = [[None] * len(self.headers) for _ in range(self.months)]
            note = workbook_name(
                W_(
                    "No forecast yet: refresh the dashboard once the workbook holds deals or "
                    "orders."
                )
            )
        else:
            table = result.months.head(self.months)
            lines = [
                [_plain(row[column]) for _, column, _ in _FORECAST_COLUMNS]
                for _, row in table.iterrows()
            ]
            note = workbook_name(
                W_(
                    "Simulated from the history up to {date}: 8 times out of 10 a month's "
                    "revenue falls between Low and High. Refresh the dashboard to make it anew."
                )
            ).format(date=result.at.isoformat())
        return [*lines, [note] + [None] * (len(self.headers) - 1)]


def _plain(value: Any) -> Any:
    """A forecast value as a cell takes it: text as is, numbers as floats rounded to cents."""
    return value if isinstance(value, str) else round(float(value), 2)


def _forecast(header_row: int) -> ForecastBlock:
    return ForecastBlock(
        workbook_name(W_("Revenue forecast: the next months")),
        (header_row - 1, BREAKDOWN_COLUMN),
        tuple(workbook_name(header) for header, _, _ in _FORECAST_COLUMNS),
        tuple(kind for _, _, kind in _FORECAST_COLUMNS),
        DASHBOARD_MONTHS,
    )
