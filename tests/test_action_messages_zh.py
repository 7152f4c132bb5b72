"""The actions speak the language in effect: their summaries, refusals and import reports are in
Simplified Chinese inside ``i18n.use("zh-CN")`` (as the gateway's session sets it for a Chinese
workbook) and in English by default; the workbook's own data (IDs, titles, stage and list
names) stays as it is, and sheets are named as the workbook in that language names them."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from salesflow_xl.actions import catalog, deals, leads, order_exports, orders, safe_text
from salesflow_xl.core import demo, i18n
from salesflow_xl.core.errors import InvalidArgumentError, SalesflowError

NOW = datetime(2026, 6, 30, 14, 37)
CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def data():
    return demo.generate()


def open_deal(data, stage: str) -> str:
    frame = data.deals
    return str(frame.loc[(frame["status"] == "open") & (frame["stage"] == stage), "id"].iloc[0])


def in_both(plan):
    """``plan()`` run in English (the default) and in Chinese."""
    english = plan()
    with i18n.use("zh-CN"):
        chinese = plan()
    return english, chinese


def refusal(plan) -> str:
    with pytest.raises(SalesflowError) as caught:
        plan()
    return str(caught.value)


def assert_chinese(text: str | None, kept: tuple[str, ...] = (), english: tuple[str, ...] = ()):
    """``text`` has Chinese in it, keeps ``kept`` (data, numbers) as they are and says none of
    the ``english`` words."""
    assert text is not None
    assert CHINESE.search(text), text
    assert [k for k in kept if k not in text] == [], text
    assert [w for w in english if w in text] == [], text


def test_a_stage_move_is_summarised_in_the_language_in_effect(data) -> None:
    deal = open_deal(data, "Nurturing")
    english, chinese = in_both(lambda: deals.advance(data, [deal], NOW).summary)
    assert english[0] == "Advanced 1 deal(s)."
    assert_chinese(chinese[0], ("1",), ("Advanced", "deal"))
    # the move itself names the deal and its stages as the workbook does, in either language
    assert english[1] == chinese[1]
    assert english[1].startswith(f"{deal} ")
    assert english[1].endswith(": Nurturing → Negotiation")


def test_a_list_value_added_names_the_lists_sheet_as_the_workbook_does(data) -> None:
    english, chinese = in_both(lambda: catalog.add_list_value(data, "channels", "Fairs").summary)
    assert english == ["Added channel 'Fairs' to the Lists sheet (7 channels)."]
    (line,) = chinese
    # the Chinese workbook's name of the sheet
    assert_chinese(line, ("'Fairs'", "7", i18n.workbook_name("Lists", "zh-CN")), ("Lists", "Added"))


def test_refusals_are_in_the_language_in_effect(data) -> None:
    deal = open_deal(data, "Negotiation")

    def lost_for_no_reason():
        return deals.lost(data, [deal], "Weather", NOW)

    english = refusal(lost_for_no_reason)
    assert "one of Price, Timing, Competitor, No budget, No response, Not a fit" in english
    with i18n.use("zh-CN"), pytest.raises(InvalidArgumentError) as caught:
        lost_for_no_reason()
    # what would be accepted, in words, is Chinese; the workbook's lost reasons are as they are
    assert_chinese(caught.value.expected, ("Price, Timing, Competitor",), ("one of",))
    assert_chinese(caught.value.argument, (), ("reason",))

    english = refusal(lambda: deals.advance(data, ["D99999"], NOW))
    assert english == "no deal D99999 on the Deals sheet"
    with i18n.use("zh-CN"):
        chinese = refusal(lambda: deals.advance(data, ["D99999"], NOW))
    assert_chinese(chinese, ("D99999", i18n.workbook_name("Deals", "zh-CN")), ("Deals", "no deal"))

    def remove_used_stage():
        return catalog.remove_stage(data, "Nurturing")

    english = refusal(remove_used_stage)
    assert english.startswith("stage 'Nurturing' is in use (")
    with i18n.use("zh-CN"):
        chinese = refusal(remove_used_stage)
    assert_chinese(chinese, ("'Nurturing'",), ("in use", "deals", "rename"))


def test_a_lead_import_reports_its_rows_in_the_language_in_effect(data) -> None:
    text = (
        "Name,Company,E-mail,Deal value\n"
        "Ada Park,Park Café,ada@park.example,3600\n"
        "Bo Chen,,not-an-address,\n"
        'Cy Lee,"Lee & Co,1200\n'
    )

    def imported():
        changes, report = leads.import_leads(data, leads.parse_csv(text), NOW)
        return changes.summary, report

    (english, english_report), (chinese, chinese_report) = in_both(imported)
    assert english[0] == "Imported 3 row(s): 1 added, 0 merged, 2 skipped."
    assert_chinese(chinese[0], ("3", "1", "0", "2"), ("Imported", "added", "skipped"))
    assert english_report.added == ["line 2: C0151 Ada Park with deal D00301"]
    assert english_report.skipped[0].startswith(
        "line 3: email must be an e-mail address like ann@example.com"
    )
    assert english_report.skipped[1] == (
        "line 4: cannot be read (unexpected end of data); is a quote not closed?"
    )
    (added,) = chinese_report.added
    assert_chinese(added, ("C0151 Ada Park", "D00301"), ("line", "with deal"))
    assert added.startswith("第 2 行")
    assert chinese_report.skipped[0].startswith("第 3 行")
    assert_chinese(chinese_report.skipped[1], ("unexpected end of data",), ("cannot be read",))
    # the new deal's title is text of the workbook, in the language of the workbook
    assert [d["title"] for d in imported_deals(data, text, "en")] == ["New lead: Park Café"]
    assert [d["title"] for d in imported_deals(data, text, "zh-CN")] == ["新线索：Park Café"]


def imported_deals(data, text: str, language: str) -> list[dict]:
    with i18n.use(language):
        changes, _report = leads.import_leads(data, leads.parse_csv(text), NOW)
    return changes.appends["deals"]


def test_an_order_import_and_its_encoding_note_speak_the_language_in_effect(data) -> None:
    customer = data.customers["id"].iloc[0]
    raw = (
        "customer_id,date,amount\n"
        f"{customer},2026-06-01,120\n"
        f"{customer},2026-06-31,80\n"
        "C9999,2026-06-02,50\n"
    ).encode("cp1252")

    def imported():
        decoded = safe_text.decode(raw, "orders.csv")
        file = order_exports.parse_orders(decoded.text)
        changes, report = orders.import_orders(data, file, NOW)
        return changes.summary, report, order_exports.with_article(report.layout)

    (english, report, layout), (chinese, chinese_report, chinese_layout) = in_both(imported)
    assert english[0] == "Imported 3 order(s): 1 added, 0 duplicate, 2 skipped; 0 new customer(s)."
    assert report.skipped == [
        "line 3: date '2026-06-31' does not exist: June 2026 has 30 days",
        "line 4: customer 'C9999' is not in the workbook",
    ]
    assert layout == "a generic order file"
    assert_chinese(chinese[0], (), ("Imported", "duplicate", "customer"))
    assert_chinese(chinese_report.skipped[0], ("'2026-06-31'", "2026", "30"), ("June", "line"))
    assert_chinese(chinese_report.skipped[1], ("'C9999'",), ("workbook", "line"))
    assert_chinese(chinese_layout, (), ("generic",))
    assert_chinese(chinese_report.rule, (), ("rows",))

    guessed = safe_text.decode("Müller,Café\n".encode("cp1252"), "leads.csv")
    assert guessed.note("leads.csv") == "Read leads.csv as Windows-1252 (not UTF-8)."
    with i18n.use("zh-CN"):
        note = guessed.note("leads.csv")
    assert_chinese(note, ("leads.csv", "Windows-1252"), ("Read",))
