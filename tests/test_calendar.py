"""``salesflow followups --ics``: the follow-ups as an iCalendar file that calendars import, read
back with the icalendar library and held to what ``--json`` lists and to the workbook's own
rows, counted here with pandas."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from icalendar import Calendar

from salesflow_xl.cli import main
from salesflow_xl.workbook import reader

DEMO = Path(__file__).resolve().parents[1] / "workbook" / "SalesFlow-demo.xlsx"
AS_OF = date(2026, 6, 30)  # the demo workbook's pinned as-of date
AT = ("--at", "2026-06-30 08:00")
HORIZON = 14  # the default --days of --json and --ics


def run(*args: object) -> str:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def book(tmp_path: Path) -> Path:
    path = tmp_path / "SalesFlow-demo.xlsx"
    shutil.copyfile(DEMO, path)
    return path


def export(book: Path, *args: object) -> tuple[bytes, Calendar]:
    """The .ics file ``followups --ics`` writes for ``book``: its bytes and parsed."""
    target = book.with_name("followups.ics")
    run("followups", book, "--ics", target, *AT, *args)
    content = target.read_bytes()
    return content, Calendar.from_ical(content)


def listed(book: Path, *args: object) -> dict:
    return json.loads(run("followups", book, "--json", *args))


def events(calendar: Calendar) -> dict[str, dict]:
    """Each VEVENT by its UID: start, end, summary, description, sequence."""
    found = {}
    for event in calendar.walk("VEVENT"):
        uid = str(event["UID"])
        assert uid not in found, f"UID {uid} twice"
        found[uid] = {
            "start": event.decoded("DTSTART"),
            "end": event.decoded("DTEND"),
            "summary": str(event["SUMMARY"]),
            "description": str(event["DESCRIPTION"]),
            "sequence": int(event["SEQUENCE"]),
        }
    return found


def expected_follow_ups(book: Path, days: int = HORIZON) -> dict[str, date]:
    """UID → due date of what the workbook says is due by the as-of date + ``days``: open
    activities and open deals' next follow-up dates, counted from the rows themselves."""
    data = reader.load(book)
    assert data.settings.as_of == AS_OF
    until = pd.Timestamp(AS_OF + timedelta(days=days))
    acts = data.activities
    todo = acts[acts["done"].isna() & (acts["due"] <= until)]
    deals = data.deals
    chase = deals[(deals["status"] == "open") & (deals["next_follow_up"] <= until)]
    expected = {
        f"{i}.salesflow-demo@salesflow-xl": d.date()
        for i, d in zip(todo["id"], todo["due"], strict=True)
    }
    expected |= {
        f"{i}-followup.salesflow-demo@salesflow-xl": d.date()
        for i, d in zip(chase["id"], chase["next_follow_up"], strict=True)
    }
    return expected


def test_the_calendar_holds_exactly_the_follow_ups_json_lists(book) -> None:
    _content, calendar = export(book)
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]) == "-//SalesFlow XL//EN"
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["CALSCALE"]) == "GREGORIAN"
    assert str(calendar["X-WR-CALNAME"]) == "SalesFlow follow-ups"
    found = events(calendar)
    payload = listed(book)
    assert payload["as_of"] == "2026-06-30"
    assert payload["until"] == "2026-07-14"
    rows = {row["uid"]: row for row in payload["followups"]}
    assert len(rows) == len(payload["followups"])
    expected = expected_follow_ups(book)
    # both sources, overdue and upcoming ones: the demo exercises every case
    assert any(uid.startswith("A") for uid in expected)
    assert any("-followup." in uid for uid in expected)
    assert min(expected.values()) < AS_OF < max(expected.values())
    assert set(found) == set(rows) == set(expected)
    for uid, due in expected.items():
        day = max(due, AS_OF)  # an overdue follow-up is shown on the as-of date
        event = found[uid]
        assert type(event["start"]) is date, uid  # all-day: DTSTART;VALUE=DATE
        assert (event["start"], event["end"]) == (day, day + timedelta(days=1)), uid
        assert rows[uid]["due"] == due.isoformat()
        assert rows[uid]["day"] == day.isoformat()
        assert rows[uid]["days_overdue"] == (AS_OF - due).days
        assert rows[uid]["summary"] == event["summary"]
        assert event["summary"].endswith(f" (due {due})") == (due < AS_OF), event["summary"]
        assert f"Due: {due}" in event["description"]


def test_each_event_names_the_deal_the_customer_and_what_to_do(book) -> None:
    data = reader.load(book)
    deals = data.deals.set_index("id")
    customers = data.customers.set_index("id")
    acts = data.activities.set_index("id")
    found = events(export(book)[1])
    for row in listed(book)["followups"]:
        event = found[row["uid"]]
        deal = deals.loc[row["deal_id"]]
        customer = customers.loc[deal["customer_id"]]
        what = acts.loc[row["id"], "type"] if row["source"] == "activity" else "Follow up"
        assert event["summary"].startswith(f"{what}: {customer['name']} — {deal['title']}")
        lines = event["description"].split("\n")
        assert f"Deal: {row['deal_id']} {deal['title']}" in lines
        assert f"Stage: {deal['stage']}" in lines
        for label, field in (("E-mail", "email"), ("Phone", "phone")):
            if pd.notna(customer[field]):
                assert f"{label}: {customer[field]}" in lines
        if row["source"] == "activity":
            assert f"Activity: {row['id']}" in lines
            assert f"Note: {acts.loc[row['id'], 'note']}" in lines


def test_the_list_and_json_name_the_same_follow_ups(book) -> None:
    table = run("followups", book, "--days", HORIZON).splitlines()
    rows = listed(book)["followups"]
    assert len(table) == len(rows)
    for line, row in zip(table, rows, strict=True):
        assert line.startswith(row["due"])
        assert f" {row['deal_id']} " in line
    # today's list is still what is due by the as-of date
    assert len(run("followups", book).splitlines()) == len(expected_follow_ups(book, 0))
    assert len(listed(book, "--days", 0)["followups"]) == len(expected_follow_ups(book, 0))


def test_the_file_is_reproducible_and_its_uids_stable(book) -> None:
    first, calendar = export(book)
    again, _calendar = export(book)
    assert first == again  # the same workbook and --at: the same bytes
    later = events(export(book, "--at", "2026-07-01 08:00")[1])
    before = events(calendar)
    assert set(later) == set(before)
    # a later export is a newer version of the same events
    assert all(later[uid]["sequence"] > before[uid]["sequence"] for uid in before)
    # other changes leave the UIDs alone: a deal's new value, a new lead (with its follow-up)
    some_deal = next(r["deal_id"] for r in listed(book)["followups"])
    run("deal", "edit", book, some_deal, "--value", "4800")
    assert set(events(export(book)[1])) == set(before)
    run("add-lead", book, "--name", "Ada Park", "--company", "Park Café", "--at", "2026-06-30")
    changed = events(export(book)[1])
    assert set(changed) == set(expected_follow_ups(book))
    assert set(before) < set(changed)
    assert first.count(b"\r\n") > len(before) * 10  # CRLF line ends, as RFC 5545 asks
    assert max(len(line) for line in first.split(b"\r\n")) <= 75  # long lines folded


def test_moving_a_follow_up_keeps_its_uid_and_moves_the_event(book) -> None:
    rows = listed(book)["followups"]
    deal = next(r for r in rows if r["source"] == "deal" and r["due"] > "2026-06-30")
    uid = deal["uid"]
    assert uid == f"{deal['id']}-followup.salesflow-demo@salesflow-xl"
    moved = date.fromisoformat(deal["due"]) + timedelta(days=3)
    run("deal", "edit", book, deal["id"], "--next", moved)
    after = events(export(book)[1])
    assert after[uid]["start"] == moved
    assert len(after) == len(rows)
    # moved into the past: the event stays, on the as-of date, saying when it was due
    run("deal", "edit", book, deal["id"], "--next", "2026-06-01")
    late = events(export(book)[1])[uid]
    assert late["start"] == AS_OF
    assert late["summary"].endswith(" (due 2026-06-01)")


def test_a_follow_up_on_the_last_day_a_date_holds_has_no_end(book) -> None:
    """9999-12-31 has no next day for DTEND: its event has none, which RFC 5545 reads as one
    day; --days past it lists up to that day (any whole number >= 0 is taken)."""
    run("log", book, "D00064", "--type", "Call", "--next", "9999-12-31", *AT)
    content, calendar = export(book, "--days", 3_000_000)
    uid = "D00064-followup.salesflow-demo@salesflow-xl"
    (last,) = [e for e in calendar.walk("VEVENT") if str(e["UID"]) == uid]
    assert last.decoded("DTSTART") == date(9999, 12, 31)
    assert "DTEND" not in last
    assert "DURATION" not in last
    assert b"DTSTART;VALUE=DATE:99991231\r\n" in content
    others = [e for e in calendar.walk("VEVENT") if str(e["UID"]) != uid]
    assert others
    assert all(e.decoded("DTEND") == e.decoded("DTSTART") + timedelta(days=1) for e in others)
    payload = listed(book, "--days", 3_000_000)
    assert payload["until"] == "9999-12-31"
    (row,) = [r for r in payload["followups"] if r["uid"] == uid]
    assert (row["due"], row["day"]) == ("9999-12-31", "9999-12-31")
    assert len(payload["followups"]) == len(others) + 1


HOSTILE = (
    'First line\nsecond; with, commas; "quotes" \\ a backslash and a tab\there\r\n'
    "emoji ☕🚀 and Chinese 咖啡豆的跟进 " + "很长的备注，" * 400
)


def test_hostile_text_round_trips(book, tmp_path) -> None:
    source = tmp_path / "activities.csv"
    pd.DataFrame(
        [{"deal": "D00064", "type": "Call", "date": "2026-07-02", "done": "no", "note": HOSTILE}]
    ).to_csv(source, index=False)
    run("import", book, source, "--kind", "activities", "--at", "2026-06-30 10:00")
    title = "Beans; grinders,\nand 研磨机 ☕"
    run("deal", "edit", book, "D00064", "--title", title)
    acts = reader.load(book).activities
    ((activity, stored),) = acts.loc[acts["note"].str.contains("咖啡豆的跟进", na=False)][
        ["id", "note"]
    ].values
    assert len(stored) > 2_000
    content, calendar = export(book)
    event = events(calendar)[f"{activity}.salesflow-demo@salesflow-xl"]
    assert f"Note: {stored.replace(chr(13) + chr(10), chr(10))}" in event["description"]
    assert f"Deal: D00064 {title}" in event["description"]
    assert "\n" not in event["summary"]
    assert event["summary"].startswith("Call: ")
    assert event["summary"].endswith(" — Beans; grinders, and 研磨机 ☕")
    assert max(len(line) for line in content.split(b"\r\n")) <= 75
    content.decode("utf-8")  # folding never splits a character


def test_a_chinese_workbook_writes_its_own_words(tmp_path) -> None:
    book = tmp_path / "销售.xlsx"
    run("new", book, "--lang", "zh-CN", "--demo")
    data = reader.load(book)
    types = set(data.activities["type"])
    assert all(any("\u4e00" <= c <= "\u9fff" for c in t) for t in types)
    found = events(export(book)[1])
    assert all(uid.endswith(".%E9%94%80%E5%94%AE@salesflow-xl") for uid in found)
    summaries = [e["summary"] for e in found.values()]
    assert any(s.startswith(tuple(types)) for s in summaries)
    names = set(data.customers["name"])
    assert all(any(name in s for name in names) for s in summaries)


def test_a_chinese_workbooks_calendar_speaks_chinese(tmp_path) -> None:
    book = tmp_path / "销售.xlsx"
    run("new", book, "--lang", "zh-CN", "--demo")
    _content, calendar = export(book)
    assert str(calendar["X-WR-CALNAME"]) == "SalesFlow 跟进"
    found = events(calendar)
    summaries = [e["summary"] for e in found.values()]
    assert any(s.startswith("跟进：") for s in summaries)
    assert any(s.endswith("到期）") for s in summaries)
    assert all("Follow up" not in s and "(due" not in s for s in summaries)
    assert all(e["description"].startswith("商机：") for e in found.values())
    assert all("阶段：" in e["description"] for e in found.values())
    table = run("followups", book, "--days", 3)
    assert "天后到期" in table
    assert "Follow up" not in table


def test_refusals(book) -> None:
    result = CliRunner().invoke(main, ["followups", str(book), "--ics", str(book)])
    assert result.exit_code == 2
    assert "give a file name ending in .ics" in result.output
    result = CliRunner().invoke(main, ["followups", str(book), "--days", "-1"])
    assert result.exit_code == 2


def test_the_stamp_is_the_export_time_in_utc(book) -> None:
    content, _calendar = export(book)
    stamp = datetime(2026, 6, 30, 8, 0).astimezone().astimezone(UTC)  # --at is local time
    assert f"DTSTAMP:{stamp:%Y%m%dT%H%M%S}Z\r\n".encode() in content
