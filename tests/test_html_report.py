"""The HTML report: one self-contained page, checked as text and in headless Chromium."""

from __future__ import annotations

import base64
import dataclasses
import html
import io
import json
import re
import struct
from pathlib import Path

import pandas as pd
import pytest
from browser import open_page
from click.testing import CliRunner
from rich.console import Console

from salesflow_xl.cli import main, progress
from salesflow_xl.core import demo
from salesflow_xl.core.dataset import SalesData
from salesflow_xl.core.forecast import calibration, revenue
from salesflow_xl.core.model import Settings
from salesflow_xl.core.report import build_report
from salesflow_xl.reports import charts
from salesflow_xl.reports import html as html_report
from salesflow_xl.workbook import build, reader

DEMO_WORKBOOK = Path(__file__).parent.parent / "workbook" / build.DEMO_NAME
HOSTILE = '<script>alert("x")</script> & <img src=x onerror=alert(1)>'


@pytest.fixture(scope="module")
def data():
    return demo.generate()


@pytest.fixture(scope="module")
def page(data) -> str:
    return html_report.render_page(build_report(data))


def png_size(content: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk (raises on anything that is not a PNG)."""
    assert content[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    assert content[12:16] == b"IHDR"
    return struct.unpack(">II", content[16:24])


def embedded_images(page: str) -> dict[str, bytes]:
    return {
        name: base64.b64decode(data)
        for data, name in re.findall(
            r'src="data:image/png;base64,([^"]+)"[^>]*data-chart="(\w+)"', page
        )
    }


def test_every_chart_is_embedded_as_a_real_png(page) -> None:
    images = embedded_images(page)
    assert list(images) == list(html_report.chart_names())
    assert set(images) == set(charts.CHARTS)
    for name, content in images.items():
        width, height = png_size(content)
        assert width >= 600, (name, width)
        assert height >= 150, (name, height)


def test_the_page_is_self_contained(page) -> None:
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page.lower()
    assert "<link" not in page.lower()
    assert not re.search(r'(src|href)="(?!data:|#)', page), "only data URIs and in-page anchors"
    for anchor, *_ in html_report.SECTIONS:
        assert f'<section id="{anchor}">' in page
        assert f'href="#{anchor}"' in page


def test_workbook_text_is_escaped(data) -> None:
    customers = data.customers.copy()
    deals = data.deals.copy()
    customers["name"] = HOSTILE
    deals["title"] = HOSTILE
    page = html_report.render_page(
        build_report(dataclasses.replace(data, customers=customers, deals=deals)), title=HOSTILE
    )
    assert HOSTILE not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;img" in page


def test_an_empty_workbook_still_makes_a_page() -> None:
    data = SalesData.from_records(Settings(as_of=demo.DEMO_AS_OF), {})
    page = html_report.render_page(build_report(data))
    assert len(embedded_images(page)) == len(charts.CHARTS)
    assert page.count("(none)") >= 5


def test_long_tables_are_cut_and_say_how_many_more(data) -> None:
    report = build_report(demo.generate(scale=4))
    due = len(report.followups_due)
    assert due > html_report.MAX_ROWS
    page = html_report.render_page(report)
    assert f"{due - html_report.MAX_ROWS:,} more not shown" in page


@pytest.mark.browser
def test_chromium_renders_the_demo_workbooks_report_without_errors(tmp_path) -> None:
    """The page `salesflow report` makes of the committed demo workbook, in headless Chromium."""
    path = tmp_path / "report.html"
    result = CliRunner().invoke(main, ["report", str(DEMO_WORKBOOK), "--html", str(path)])
    assert result.exit_code == 0, result.output
    with open_page(path) as (browser_page, log):
        images = browser_page.evaluate(
            "Array.from(document.images).map(i => "
            "({chart: i.dataset.chart, complete: i.complete, width: i.naturalWidth}))"
        )
        headings = browser_page.locator("h2").all_inner_texts()
        lost = browser_page.locator("#win-loss table tbody tr").all_inner_texts()
        height = browser_page.evaluate("document.body.scrollHeight")
    assert log.problems() == []
    assert log.requests == [path.resolve().as_uri()], "the page loads nothing from anywhere"
    assert [i["chart"] for i in images] == list(html_report.chart_names())
    broken = [i for i in images if not (i["complete"] and i["width"] > 0)]
    assert broken == [], "images that did not decode"
    assert headings == [heading for _, heading, *_ in html_report.SECTIONS]
    assert height > 3000
    # The lost-reasons table as the browser shows it, against a count made here from the deals.
    deals = reader.load(DEMO_WORKBOOK).deals
    expected = deals.loc[deals["status"] == "lost", "lost_reason"].value_counts()
    shown = dict(row.split("\t") for row in lost)
    assert {reason: int(count) for reason, count in shown.items()} == expected.to_dict()


def test_cli_writes_the_page_and_keeps_json_on_stdout(tmp_path) -> None:
    runner = CliRunner()
    book, out = tmp_path / "Demo.xlsx", tmp_path / "out" / "report.html"
    out.parent.mkdir()
    assert runner.invoke(main, ["new", str(book), "--demo"]).exit_code == 0
    result = runner.invoke(main, ["report", str(book), "--html", str(out), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["totals"]["deals"] == 300
    assert f"Wrote {out}" in result.stderr
    assert "━" not in result.stderr, "no progress bar when stderr is not a terminal"
    assert len(embedded_images(out.read_text(encoding="utf-8"))) == len(charts.CHARTS)


def test_demo_html_and_terminal_report(tmp_path) -> None:
    out = tmp_path / "demo.html"
    result = CliRunner().invoke(main, ["demo", "--html", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Wrote {out} ({len(charts.CHARTS)} charts")
    assert "Ember &amp; Oak" in out.read_text(encoding="utf-8")


def section(page: str, anchor: str) -> str:
    start = page.index(f'<section id="{anchor}">')
    return page[start : page.index("</section>", start)]


def table_rows(html_text: str, title: str) -> list[list[str]]:
    """The body rows of the table headed ``title`` (cells unescaped)."""
    after = html_text.split(f"<h3>{html.escape(title)}</h3>", 1)[1]
    body = after.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        [html.unescape(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", body)
    ]


def test_the_page_has_the_learned_forecast_with_its_chart(tmp_path, data) -> None:
    """`salesflow demo --html`: a Forecast section holding the revenue chart (a real PNG), the
    expected revenue of the next six months with its interval (the core's forecast, same seed)
    and each open stage's configured and learned probability with the deals it rests on."""
    out = tmp_path / "demo.html"
    result = CliRunner().invoke(main, ["demo", "--html", str(out)])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    part = section(page, "revenue-forecast")
    assert "<h2>Forecast</h2>" in part
    chart = embedded_images(part)
    assert list(chart) == ["revenue_forecast"]
    width, height = png_size(chart["revenue_forecast"])
    assert width >= 600
    assert height >= 150
    made = revenue.forecast(data, html_report.REVENUE_MONTHS)
    months = table_rows(part, "Expected revenue per month (learned forecast)")
    assert [row[0] for row in months] == made.months["month"].tolist()
    for row, expected in zip(months, made.months.itertuples(), strict=True):
        assert row[1:] == [
            f"{value:,.0f}"
            for value in (
                expected.deals,
                expected.new_deals,
                expected.orders,
                expected.total,
                expected.low,
                expected.high,
            )
        ]
    stages = calibration.calibrate_at(
        data.deals, data.stage_log, data.pipeline, data.settings.as_of
    )
    shown = table_rows(
        part, "Win probability per stage: configured and learned from the closed deals"
    )
    assert shown == [
        [
            row.stage,
            f"{100 * row.configured:.1f} %",
            f"{100 * row.learned:.1f} %",
            f"{row.closed:,}",
            f"{row.won:,}",
            f"{row.days_to_close:,.1f}",
        ]
        for row in stages.itertuples()
    ]
    assert f"Forecast made as of {data.settings.as_of}" in part


def test_a_page_without_a_forecast_says_so(page) -> None:
    """A report built without the simulation (as the terminal's) still makes the whole page."""
    part = section(page, "revenue-forecast")
    assert "revenue_forecast" in embedded_images(part)
    assert table_rows(part, "Expected revenue per month (learned forecast)") == [["(none)"]]


def test_progress_draws_on_a_terminal_and_is_silent_when_piped() -> None:
    for terminal, expect_output in ((True, True), (False, False)):
        stream = io.StringIO()
        console = Console(file=stream, force_terminal=terminal, width=80)
        with progress.steps("Reading the workbook", 3, console) as step:
            step()
            step(description="Drawing charts")
            console.print()  # a refresh while running
        assert ("Drawing charts" in stream.getvalue() or "Reading" in stream.getvalue()) is (
            expect_output
        ), stream.getvalue()


def test_report_page_totals_match_the_frames(data, page) -> None:
    """The KPI cards show the figures recomputed here from the frames."""
    deals = data.deals
    open_value = deals.loc[deals["status"] == "open", "value"].sum()
    won_value = deals.loc[deals["status"] == "won", "value"].sum()
    kpi = r'<div class="kpi"><b>([^<]+)</b><span>([^<]+)</span>'
    cards = {label: value for value, label in re.findall(kpi, page)}
    assert cards["open pipeline"] == f"{open_value:,.0f}"
    assert cards["won value"] == f"{won_value:,.0f}"
    assert cards["customers"] == f"{len(data.customers)}"
    assert cards["order revenue"] == f"{pd.Series(data.orders['amount']).sum():,.0f}"


CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def rendering_fonts(page, selector: str) -> list[dict]:
    """The fonts Chromium drew the text of the first ``selector`` node with, and how many
    glyphs each drew (Chromium's DevTools protocol, CSS.getPlatformFontsForNode)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    return cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]


@pytest.mark.browser
def test_chromium_draws_the_chinese_report_with_a_chinese_font(tmp_path) -> None:
    """The report of a Chinese web shop's workbook, in headless Chromium: the page says it is
    Chinese, loads nothing, decodes every chart, shows the Chinese section headings, and every
    Chinese character of the title and headings is drawn by a font that has it (a CJK font,
    not a fallback box)."""
    shop, path = tmp_path / "网店.xlsx", tmp_path / "report.html"
    runner = CliRunner()
    made = runner.invoke(
        main, ["new", str(shop), "--preset", "ecommerce", "--lang", "zh-CN", "--demo"]
    )
    assert made.exit_code == 0, made.output
    result = runner.invoke(main, ["report", str(shop), "--html", str(path)])
    assert result.exit_code == 0, result.output
    with open_page(path) as (browser_page, log):
        language = browser_page.evaluate("document.documentElement.lang")
        headings = browser_page.locator("h2").all_inner_texts()
        title = browser_page.locator("h1").inner_text()
        broken = browser_page.evaluate(
            "Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).length"
        )
        fonts = {s: rendering_fonts(browser_page, s) for s in ("h1", "h2")}
    assert log.problems() == []
    assert log.requests == [path.resolve().as_uri()]
    assert language == "zh-CN"
    assert broken == 0
    assert "网店" in title
    assert len(headings) == len(html_report.SECTIONS)
    assert all(CJK.search(heading) for heading in headings), headings
    for selector, used in fonts.items():
        text = title if selector == "h1" else headings[0]
        cjk_fonts = [f for f in used if "CJK" in f["familyName"]]
        assert cjk_fonts, (selector, used)
        assert sum(f["glyphCount"] for f in cjk_fonts) >= len(CJK.findall(text)), (selector, used)
