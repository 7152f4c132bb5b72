"""Follow-up cadences (issue 17): each stage's "Follow up after (days)" sets a deal's next
follow-up when it enters the stage (advance, move, reopen, a new lead, an imported open deal)
and when an activity is logged on it, unless a date is given. The demo pipeline's cadences:
Lead acquisition 3 days, Nurturing 7, Negotiation 3 (core.model.DEFAULT_PIPELINE)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from salesflow_xl.cli import main
from salesflow_xl.workbook import reader
from tests.conftest import demo_copy
from tests.conftest import ok as run


@pytest.fixture
def book(tmp_path) -> Path:
    return demo_copy(tmp_path)


def deal(path: Path, deal_id: str) -> dict:
    deals = reader.load(path).deals.set_index("id")
    return deals.loc[deal_id].to_dict()


def open_in(path: Path, stage: str) -> str:
    deals = reader.load(path).deals
    return str(deals.loc[(deals["stage"] == stage) & (deals["status"] == "open"), "id"].iloc[0])


def test_entering_a_stage_sets_the_next_follow_up_by_its_days(book) -> None:
    deal_id = open_in(book, "Nurturing")
    run("advance", book, deal_id, "--at", "2026-06-30 10:00")  # into Negotiation: 3 days
    assert deal(book, deal_id)["next_follow_up"].date() == date(2026, 7, 3)
    run("move", book, deal_id, "--to", "Nurturing", "--at", "2026-07-01 10:00")  # 7 days
    assert deal(book, deal_id)["next_follow_up"].date() == date(2026, 7, 8)


def test_a_logged_activity_sets_the_next_follow_up_unless_one_is_given(book) -> None:
    deal_id = open_in(book, "Nurturing")
    out = run("log", book, deal_id, "--type", "call", "--at", "2026-06-30 10:00")
    assert deal(book, deal_id)["next_follow_up"].date() == date(2026, 7, 7)
    assert "next follow-up 2026-07-07" in out
    run("log", book, deal_id, "--type", "call", "--next", "2026-07-02", "--at", "2026-06-30 11:00")
    assert deal(book, deal_id)["next_follow_up"].date() == date(2026, 7, 2)


def test_a_new_lead_gets_its_first_follow_up_from_its_stage(book) -> None:
    out = run("add-lead", book, "--name", "Ada Park", "--at", "2026-06-30 10:00")
    new_id = out.split("with deal ")[1].split()[0]
    assert deal(book, new_id)["next_follow_up"].date() == date(2026, 7, 3)  # Lead acquisition


def test_a_stage_without_days_and_closing_keep_the_date(book) -> None:
    run("stage", "set", book, "Negotiation", "--no-follow-up")
    deal_id = open_in(book, "Nurturing")
    before = deal(book, deal_id)["next_follow_up"]
    run("advance", book, deal_id, "--at", "2026-06-30 10:00")
    assert deal(book, deal_id)["next_follow_up"] == before
    run("won", book, deal_id, "--at", "2026-06-30 11:00")
    assert deal(book, deal_id)["next_follow_up"] == before  # a closed deal is not followed up


def test_an_imported_open_deal_without_a_date_gets_one(book, tmp_path) -> None:
    source = tmp_path / "deals.csv"
    source.write_text(
        "Deal Name,Deal Stage,Amount,Associated Company,Create Date,Next step date\n"
        "Kegs,Nurturing,100,Quill & Co,2026-06-01,\n"
        "Beans,Nurturing,200,Hart Bakery,2026-06-02,\n",
        encoding="utf-8",
    )
    run("import", book, source, "--at", "2026-06-30 10:00")
    deals = reader.load(book).deals.set_index("title")
    assert deals.loc["Kegs", "next_follow_up"].date() == date(2026, 7, 7)
    assert deals.loc["Beans", "next_follow_up"].date() == date(2026, 7, 7)


def test_a_cadence_is_at_most_ten_years(book) -> None:
    """A longer one would put follow-ups past the last day Excel shows."""
    refused = CliRunner().invoke(
        main, ["stage", "set", str(book), "Nurturing", "--follow-up-days", "3651"]
    )
    assert refused.exit_code == 1
    assert "from 1 to 3650, got 3651" in refused.output
    run("stage", "set", book, "Nurturing", "--follow-up-days", "3650")
    deal_id = open_in(book, "Nurturing")
    run("log", book, deal_id, "--type", "call", "--at", "2026-06-30 10:00")
    assert deal(book, deal_id)["next_follow_up"].date() == date(2036, 6, 27)
