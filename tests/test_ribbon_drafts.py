"""The ribbon's Draft follow-up e-mails button (issue 17), driven through the recording fake
Excel book: it writes, into "<workbook> drafts" beside the workbook, the very drafts
``salesflow drafts`` writes for the same workbook file — same files, same recipients, same
text — says how many and where, and only reads the workbook."""

from __future__ import annotations

import email
import email.policy
import re
from pathlib import Path

import pytest
from conftest import DEMO_WORKBOOK, ok
from fake_excel import FakeBook, active_book
from openpyxl import load_workbook

from salesflow_xl.core import i18n
from salesflow_xl.core.i18n import _
from salesflow_xl.excel import ribbon

CJK = re.compile(r"[\u4e00-\u9fff]")


def alerts(book: FakeBook) -> list[tuple[str, str]]:
    return [(c[1], c[2]) for c in book.calls if c[0] == "alert"]


def messages(folder: Path) -> dict[str, email.message.EmailMessage]:
    return {
        p.name: email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
        for p in sorted(folder.glob("*.eml"))
    }


def test_the_button_writes_the_command_lines_drafts_beside_the_workbook(
    tmp_path, monkeypatch
) -> None:
    book = active_book(DEMO_WORKBOOK.read_bytes(), monkeypatch, folder=tmp_path)
    ribbon.draft_followups()
    folder = tmp_path / "Sales drafts"
    ours = messages(folder)
    ((mode, text),) = alerts(book)
    assert mode == "info"
    assert text.startswith(f"Wrote {len(ours)} draft e-mail(s) for the follow-ups due by ")
    assert str(folder) in text
    assert book.writes() == []  # the workbook is only read

    copy = tmp_path / "file" / "Sales.xlsx"  # the same workbook as a file, named alike
    copy.parent.mkdir()
    copy.write_bytes(DEMO_WORKBOOK.read_bytes())
    ok("drafts", copy, "--out", tmp_path / "cli")
    cli = messages(tmp_path / "cli")
    assert list(ours) == list(cli)
    assert len(ours) > 10
    for name, message in cli.items():
        for header in ("To", "Subject", "Message-ID", "X-Unsent"):
            assert str(ours[name][header]) == str(message[header]), (name, header)
        assert ours[name].get_content() == message.get_content()
    # addressed to the customers the workbook's cells name
    rows = load_workbook(copy, read_only=True)["Customers"].iter_rows(values_only=True)
    addresses = {r[3] for r in rows}
    assert {m["To"].addresses[0].addr_spec for m in ours.values()} <= addresses


def test_a_workbook_not_saved_yet_is_told_to_save(tmp_path, monkeypatch) -> None:
    book = active_book(DEMO_WORKBOOK.read_bytes(), monkeypatch)
    ribbon.draft_followups()
    ((mode, text),) = alerts(book)
    assert mode == "critical"
    assert "Save the workbook first" in text
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("language", ["zh-CN"])
def test_the_button_speaks_the_workbooks_language(tmp_path, monkeypatch, language) -> None:
    path = tmp_path / "made" / "销售.xlsx"
    path.parent.mkdir()
    ok("new", path, "--lang", language, "--demo")
    book = active_book(path.read_bytes(), monkeypatch, "销售.xlsx", tmp_path)
    ribbon.draft_followups()
    ((mode, text),) = alerts(book)
    assert mode == "info"
    folder = next(p for p in tmp_path.iterdir() if p.is_dir() and p.name != "made")
    found = messages(folder)
    with i18n.use(language):  # the message through the catalogue of the workbook's language
        assert folder.name == _("{workbook} drafts").format(workbook="销售")
        expected = _(
            "Wrote {count} draft e-mail(s) for the follow-ups due by {day} to {folder}. Open "
            "one in your mail program to check and send it."
        ).format(count=len(found), day="2026-06-30", folder=folder)
    assert text == expected
    assert found
    assert all(m["X-Unsent"] == "1" for m in found.values())
    for message in found.values():  # the Chinese default templates
        assert CJK.search(str(message["Subject"]))
        assert CJK.search(message.get_content())
