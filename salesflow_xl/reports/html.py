"""The report as one self-contained HTML page: charts embedded as PNG data URIs, styles inline,
no scripts and no external references, so it reads offline, mails as one file and prints.

Every figure comes from the same :class:`~salesflow_xl.core.report.Report` as the terminal and
JSON reports; the tables use the terminal's column specs
(:data:`salesflow_xl.reports.terminal.TABLES`).
"""

from __future__ import annotations

import base64
import html
from collections.abc import Callable

import pandas as pd

from salesflow_xl.core import i18n
from salesflow_xl.core.i18n import N_, _
from salesflow_xl.core.report import Report
from salesflow_xl.reports import charts
from salesflow_xl.reports import terminal as render

#: Long tables (follow-ups, rotting deals) show at most this many rows and say how many more.
MAX_ROWS = 25

#: The months the page's learned revenue forecast covers
#: (:func:`~salesflow_xl.core.report.build_report`'s ``revenue_months``).
REVENUE_MONTHS = 6

#: The page's sections in order: (anchor, heading, charts, tables, explanation).
SECTIONS: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...], str], ...] = (
    (
        "funnel",
        N_("Funnel"),
        ("funnel",),
        ("funnel",),
        N_(
            "Band width = deals that ever reached the stage (from the stage log); a deal that "
            "skipped a stage counts as having passed it."
        ),
    ),
    (
        "conversion",
        N_("Stage-to-stage conversion"),
        ("stage_conversion",),
        (),
        N_(
            "Share of the deals that reached a stage which went on to reach the next one, and how"
            " long a completed stay in each open stage took on average."
        ),
    ),
    (
        "win-loss",
        N_("Win rate and lost reasons"),
        ("win_loss",),
        ("lost_reasons",),
        N_("Deals closed in the report period: win rate = won ÷ (won + lost)."),
    ),
    (
        "forecast",
        N_("Weighted forecast"),
        ("forecast",),
        ("forecast",),
        N_(
            "Open deals by expected close month; weighted = value × the deal's win chance (its "
            "own, else its stage's). Amber months are over: those close dates need a new "
            "estimate."
        ),
    ),
    (
        "revenue-forecast",
        N_("Forecast"),
        ("revenue_forecast",),
        ("revenue", "stage_probabilities"),
        N_(
            "Expected revenue per month, learned from the workbook's own history: open deals won"
            " at the rate their stage has actually had and after the time such deals took, deals"
            " not yet in the pipeline coming in as fast as lately, and customers' repeat orders "
            "(BG/NBD and Gamma-Gamma). The bars add up to the expected total; the error bar is "
            "the range of the middle 80 % (10th to 90th percentile) of up to 2,000 simulated "
            "futures (fewer for a business of thousands of customers)."
        ),
    ),
    (
        "marketing",
        N_("Campaigns and channels"),
        ("marketing",),
        ("campaigns", "channels"),
        N_(
            "ROI = (revenue − spend) ÷ spend, ROAS = revenue ÷ spend, CAC = spend ÷ new customers"
            " who won a deal. Organic channels have no spend, so no ROI or ROAS."
        ),
    ),
    (
        "clv",
        N_("Customer lifetime value"),
        ("clv_distribution",),
        ("top_customers",),
        N_(
            "CLV = average order value × orders per month × margin, over the retention months, "
            "discounted monthly (the workbook's Settings)."
        ),
    ),
    (
        "rfm",
        N_("RFM segments and cohort retention"),
        ("rfm_segments", "cohort_heatmap"),
        ("rfm_segments",),
        N_(
            "Segments from recency and frequency scores (1–5, ties scored alike); each cohort row"
            " is the customers whose first order fell in that month."
        ),
    ),
    (
        "followups",
        N_("Follow-ups due and rotting deals"),
        ("rotting",),
        ("followups_due", "rotting_deals"),
        N_(
            "Due = open activities and deal follow-up dates on or before the report date. Rotting"
            " = open deals idle longer than their stage allows."
        ),
    ),
)

STYLE = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2933;
       margin: 0; background: #f5f7fa; }
main { max-width: 1040px; margin: 0 auto; padding: 24px 28px 48px; background: white; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 36px 0 6px; padding-top: 12px; border-top: 1px solid #e4e7eb; }
h3 { font-size: 15px; margin: 18px 0 6px; }
p.meta, p.note, caption { color: #52606d; }
p.note { font-size: 13px; margin: 0 0 10px; }
nav a { margin-right: 12px; font-size: 13px; color: #2f6fb0; }
.kpis { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 10px;
        margin: 18px 0 8px; }
.kpi { border: 1px solid #e4e7eb; border-radius: 8px; padding: 10px 12px; }
.kpi b { display: block; font-size: 21px; }
.kpi span { font-size: 12px; color: #52606d; }
figure { margin: 10px 0; }
img { max-width: 100%; height: auto; display: block; }
table { border-collapse: collapse; margin: 6px 0 14px; font-size: 13px; }
th, td { padding: 4px 10px; border-bottom: 1px solid #e4e7eb; }
th { background: #f5f7fa; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
caption { caption-side: bottom; text-align: left; font-size: 12px; padding-top: 4px; }
@media print { body { background: white; } main { padding: 0; } h2 { break-before: auto; }
               figure, table { break-inside: avoid; } }
"""


def kpis(report: Report) -> list[tuple[str, str]]:
    """The headline figures shown as cards: (label, formatted value)."""
    totals, velocity = report.totals, report.velocity
    return [
        (_("open pipeline"), render.money(totals["open_value"])),
        (_("weighted forecast"), render.money(totals["weighted_pipeline"])),
        (_("win rate"), render.percent(report.win_rate)),
        (_("pipeline velocity per day"), render.money(velocity["per_day"])),
        (_("sales cycle (days)"), render.number(velocity["sales_cycle_days"])),
        (_("won value"), render.money(totals["won_value"])),
        (_("customers"), render.number(totals["customers"])),
        (_("order revenue"), render.money(totals["order_revenue"])),
    ]


def html_table(
    title: str,
    frame: pd.DataFrame,
    columns: render.Columns,
    max_rows: int = MAX_ROWS,
    note: str | None = None,
) -> str:
    """An HTML table of ``frame`` (every value escaped; numbers right-aligned), cut to
    ``max_rows`` rows with a caption saying how many more there are, else ``note``."""
    head = "".join(f"<th>{html.escape(_(heading))}</th>" for _key, heading, _f in columns)
    body = []
    for row in frame.head(max_rows).to_dict(orient="records"):
        cells = "".join(
            f"<td{'' if formatter in (render.text, render.label) else ' class=n'}>"
            f"{html.escape(formatter(row[name]))}</td>"
            for name, _heading, formatter in columns
        )
        body.append(f"<tr>{cells}</tr>")
    if frame.empty:
        body.append(f'<tr><td colspan="{len(columns)}">{html.escape(_("(none)"))}</td></tr>')
    more = _("{count} more not shown").format(count=f"{len(frame) - max_rows:,}")
    shown = more if len(frame) > max_rows else note
    caption = f"<caption>{html.escape(shown)}</caption>" if shown else ""
    return (
        f"<h3>{html.escape(_(title))}</h3>\n<table>{caption}<thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _image(name: str, content: bytes, alt: str) -> str:
    data = base64.b64encode(content).decode("ascii")
    return (
        f'<figure><img src="data:image/png;base64,{data}" alt="{html.escape(alt)}" '
        f'data-chart="{name}"></figure>'
    )


def _forecast_notes(report: Report) -> str:
    """The date the revenue forecast is made as of, and what it could not do."""
    made = report.revenue
    if made is None:
        return ""
    lines = [
        _(
            "Forecast made as of {date} with what was known then; {command} shows how far off "
            "it would have been in the past."
        ).format(date=made.at.isoformat(), command="{command}")
    ]
    lines += [_("Note: {note}").format(note=note) for note in made.notes]
    command = "<code>salesflow forecast --backtest</code>"
    return "".join(
        f'<p class="note">{html.escape(line).replace("{command}", command)}</p>' for line in lines
    )


def chart_names() -> list[str]:
    """Every chart of the page, in order."""
    return [name for section in SECTIONS for name in section[2]]


def render_page(
    report: Report,
    title: str | None = None,
    on_chart: Callable[[str], None] | None = None,
) -> str:
    """The whole page as a string, in the language in effect (title: "SalesFlow report" in
    it). ``on_chart(name)`` is called after each chart is drawn (for a progress bar)."""
    title = title or _("SalesFlow report")
    first, *rest = render.headline(report)
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{i18n.current()}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(title)} — {report.as_of}</title>",
        f"<style>{STYLE}</style></head><body><main>",
        f"<h1>{html.escape(title)}</h1>",
        f'<p class="meta">{html.escape(_("Report {headline}").format(headline=first))}<br>'
        + "<br>".join(html.escape(line) for line in rest)
        + "</p>",
        "<nav>"
        + "".join(f'<a href="#{a}">{html.escape(_(h))}</a>' for a, h, *_rest in SECTIONS)
        + "</nav>",
        '<div class="kpis">'
        + "".join(
            f'<div class="kpi"><b>{html.escape(v)}</b><span>{html.escape(k)}</span></div>'
            for k, v in kpis(report)
        )
        + "</div>",
    ]
    for anchor, heading, chart_keys, table_keys, note in SECTIONS:
        parts.append(f'<section id="{anchor}"><h2>{html.escape(_(heading))}</h2>')
        parts.append(f'<p class="note">{html.escape(_(note))}</p>')
        for name in chart_keys:
            parts.append(_image(name, charts.CHARTS[name](report), f"{_(heading)}: {name}"))
            if on_chart:
                on_chart(name)
        for key in table_keys:
            table_title, columns = render.REVENUE_TABLE if key == "revenue" else render.TABLES[key]
            note = render.learned_note() if key == "stage_probabilities" else None
            parts.append(html_table(table_title, render.frame_of(report, key), columns, note=note))
        if anchor == "revenue-forecast":
            parts.append(_forecast_notes(report))
        parts.append("</section>")
    made = _(
        "Made by SalesFlow XL from the workbook's own data; figures match its Dashboard and "
        "{command}."
    )
    command = "<code>salesflow report --json</code>"
    parts.append(
        f'<p class="note">{html.escape(made).replace("{command}", command)}</p>'
        "</main></body></html>"
    )
    return "\n".join(parts)
