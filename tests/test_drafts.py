"""E-mail drafts for the follow-ups due (issue 17): ``salesflow drafts`` on copies of the demo
workbook. Every .eml file is parsed back with Python's email package; the truth it is checked
against is the workbook's own cells, read here with openpyxl, and the follow-ups
``salesflow followups --json`` lists for the same window."""

from __future__ import annotations

import email
import email.policy
import json
import re
from datetime import UTC, date, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from conftest import demo_copy, invoke, ok
from openpyxl import load_workbook

from salesflow_xl.actions import activities
from salesflow_xl.actions import drafts as planning
from salesflow_xl.core import email_text, i18n
from salesflow_xl.core.email_templates import default_templates
from salesflow_xl.core.errors import InvalidArgumentError
from salesflow_xl.core.i18n import _
from salesflow_xl.core.model import DEFAULT_PIPELINE, EmailTemplate
from salesflow_xl.workbook import reader
from salesflow_xl.workbook.templates_sheet import read_templates

AS_OF, AT = "2026-06-30", "2026-06-30 09:15"
CJK = re.compile(r"[\u4e00-\u9fff]")


def parsed(folder: Path) -> dict[str, EmailMessage]:
    """File name → the message, parsed back with the standard policy."""
    return {
        path.name: email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        for path in sorted(folder.glob("*.eml"))
    }


def followup_id(message: EmailMessage) -> str:
    """The follow-up a draft is for: its Message-ID's first part ("D00064-followup" → D00064)."""
    local = str(message["Message-ID"]).strip("<>").split(".")[0]
    return local.removesuffix("-followup")


def listed(book: Path, days: int = 0) -> list[dict[str, Any]]:
    """The follow-ups ``salesflow followups --json`` lists for the same window."""
    return json.loads(ok("followups", book, "--json", "--as-of", AS_OF, "--days", days))[
        "followups"
    ]


def customers_of(book: Path, sheet: str = "Customers") -> dict[str, tuple[str, str]]:
    """Customer ID → (name, e-mail), as the workbook's cells hold them."""
    rows = load_workbook(book, read_only=True)[sheet].iter_rows(values_only=True)
    next(rows)
    return {r[0]: (r[1], r[3]) for r in rows if r[0]}


def skipped_ids(output: str) -> list[str]:
    """The follow-up IDs of the output's "  <due> <ID> …: reason" lines."""
    return re.findall(r"^  \d{4}-\d\d-\d\d (\S+) ", output, re.M)


def edit(book: Path, change: Any) -> None:
    """Change the workbook's cells with openpyxl (``change(workbook)``) and save it."""
    workbook = load_workbook(book)
    change(workbook)
    workbook.save(book)


def set_templates(rows: list[tuple[Any, ...]]) -> Any:
    """A change replacing the Templates sheet's rows (Template, Stage, Marketing, Subject,
    Body) with ``rows``."""

    def change(workbook: Any) -> None:
        sheet = workbook["Templates"]
        for number in range(2, sheet.max_row + 1):
            for column in range(1, 6):
                sheet.cell(number, column).value = None
        for number, row in enumerate(rows, start=2):
            for column, value in enumerate(row, start=1):
                sheet.cell(number, column).value = value

    return change


# -- the drafts are the follow-ups due, to the right customers ---------------------------------


@pytest.mark.parametrize("days", [0, 7])
def test_one_draft_per_followup_due_addressed_to_its_customer(tmp_path, days) -> None:
    book = demo_copy(tmp_path)
    out = tmp_path / "drafts"
    output = ok("drafts", book, "--out", out, "--as-of", AS_OF, "--days", days, "--at", AT)
    due = listed(book, days)
    messages = parsed(out)
    skipped = skipped_ids(output)
    assert len(due) > 10
    ids = [followup_id(m) for m in messages.values()]
    assert sorted(ids + skipped) == sorted(row["id"] for row in due)
    assert f"Wrote {len(messages)} draft e-mail(s)" in output
    customers = customers_of(book)
    by_id = {row["id"]: row for row in due}
    at = datetime(2026, 6, 30, 9, 15).astimezone()
    for name, message in messages.items():
        row = by_id[followup_id(message)]
        customer_name, address = customers[row["customer_id"]]
        (to,) = message["To"].addresses
        assert (to.display_name, to.addr_spec) == (customer_name, address)
        assert message["X-Unsent"] == "1"
        assert message["From"] is None  # no --from: the mail program fills it in
        assert message["Date"].datetime == at
        assert message.get_content_type() == "text/plain"
        assert message.get_content_charset() == "utf-8"
        assert name == f"{row['due']} {row['id']} {customer_name}.eml"
        assert f"Hello {customer_name}," in message.get_content()


def test_a_second_run_writes_the_same_files(tmp_path) -> None:
    book = demo_copy(tmp_path)
    ok("drafts", book, "--out", tmp_path / "a", "--as-of", AS_OF, "--at", AT)
    ok("drafts", book, "--out", tmp_path / "b", "--as-of", AS_OF, "--at", AT)
    first = {p.name: p.read_bytes() for p in (tmp_path / "a").iterdir()}
    second = {p.name: p.read_bytes() for p in (tmp_path / "b").iterdir()}
    assert first == second
    assert first
    ids = [str(m["Message-ID"]) for m in parsed(tmp_path / "a").values()]
    assert len(set(ids)) == len(ids)
    assert "<D00064-followup.20260622.sales@salesflow-xl>" in ids


def test_placeholders_are_filled_with_the_followups_values(tmp_path) -> None:
    book = demo_copy(tmp_path)
    rows = [
        (
            "Any",
            None,
            None,
            "{deal} ({stage}) {{ref}}",
            "Dear {name} of {company},\n{deal}: {value}, due {due}.",
        ),
    ]

    def change(workbook: Any) -> None:
        set_templates(rows)(workbook)
        workbook["Settings"]["B9"] = "€"  # Currency symbol

    edit(book, change)
    out = tmp_path / "drafts"
    ok("drafts", book, "--out", out, "--as-of", AS_OF, "--at", AT, "--from", "Ada <ada@x.example>")
    message = parsed(out)["2026-06-22 D00064 Ines Petrov.eml"]
    # D00064: "Seasonal single-origin order", 930, Negotiation, next follow-up 2026-06-22;
    # its customer C0064 Ines Petrov of Castle Kitchen
    assert message["Subject"] == "Seasonal single-origin order (Negotiation) {ref}"
    assert message.get_content().replace("\r\n", "\n") == (
        "Dear Ines Petrov of Castle Kitchen,\nSeasonal single-origin order: €930, due 2026-06-22.\n"
    )
    assert message["From"].addresses[0].addr_spec == "ada@x.example"


def test_the_stage_picks_the_template(tmp_path) -> None:
    book = demo_copy(tmp_path)
    rows = [
        ("Any stage", None, None, "any {deal}", "b"),
        ("Negotiating", "Negotiation", None, "nego {deal}", "b"),
        ("Second for the stage", "Negotiation", None, "never", "b"),
    ]
    edit(book, set_templates(rows))
    out = tmp_path / "drafts"
    ok("drafts", book, "--out", out, "--as-of", AS_OF, "--days", 14, "--at", AT)
    deals = {
        r[0]: r[5] for r in load_workbook(book, read_only=True)["Deals"].iter_rows(values_only=True)
    }
    stages = {row["id"]: deals.get(row["deal_id"]) for row in listed(book, 14)}
    seen = set()
    for message in parsed(out).values():
        stage = stages[followup_id(message)]
        seen.add(stage)
        expected = "nego" if stage == "Negotiation" else "any"
        assert str(message["Subject"]).split()[0] == expected, stage
    assert "Negotiation" in seen
    assert len(seen) > 1


def test_marketing_templates_skip_customers_without_consent(tmp_path) -> None:
    book = demo_copy(tmp_path)
    consenting = "C0064"

    def change(workbook: Any) -> None:
        sheet = workbook["Templates"]
        for number in range(2, sheet.max_row + 1):
            sheet.cell(number, 3).value = "yes"  # every template a marketing one
        customers = workbook["Customers"]
        headers = [c.value for c in customers[1]]
        column = headers.index("Marketing consent") + 1
        for number in range(2, customers.max_row + 1):
            value = customers.cell(number, 1).value
            if value == consenting:
                customers.cell(number, column).value = "yes"
            elif value == "C0101":
                customers.cell(number, column).value = "no"

    edit(book, change)
    out = tmp_path / "drafts"
    output = ok("drafts", book, "--out", out, "--as-of", AS_OF, "--at", AT)
    due = listed(book)
    mine = sorted(row["id"] for row in due if row["customer_id"] == consenting)
    assert len(mine) >= 2
    assert sorted(followup_id(m) for m in parsed(out).values()) == mine
    others = sorted(row["id"] for row in due if row["customer_id"] != consenting)
    assert sorted(skipped_ids(output)) == others
    assert "has not given marketing consent" in output
    assert re.search(r"^  2026-06-09 A000781 C0101 Vera Novak: .*marketing consent$", output, re.M)


def test_a_customer_without_an_email_address_is_skipped(tmp_path) -> None:
    book = demo_copy(tmp_path)

    def change(workbook: Any) -> None:
        customers = workbook["Customers"]
        for number in range(2, customers.max_row + 1):
            if customers.cell(number, 1).value == "C0064":
                customers.cell(number, 4).value = None

    edit(book, change)
    out = tmp_path / "drafts"
    output = ok("drafts", book, "--out", out, "--as-of", AS_OF, "--at", AT)
    theirs = sorted(row["id"] for row in listed(book) if row["customer_id"] == "C0064")
    assert theirs
    assert sorted(skipped_ids(output)) == theirs
    assert "the customer has no e-mail address" in output
    assert not {followup_id(m) for m in parsed(out).values()} & set(theirs)


# -- templates that are wrong --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("subject", "body", "column", "found"),
    [
        ("{deal}", "Dear {nme},", "Body", "{nme}"),
        ("{deal", "b", "Subject", "braces only around a placeholder"),
        ("{name.__class__}", "b", "Subject", "{name.__class__}"),
        ("{value:>10}", "b", "Subject", "{value:>10}"),
        ("hi", "{name!r}", "Body", "{name!r}"),
        ("}", "b", "Subject", "braces only"),
    ],
)
def test_a_wrong_placeholder_names_sheet_row_and_column(tmp_path, subject, body, column, found):
    book = demo_copy(tmp_path)
    edit(
        book,
        set_templates(
            [("Fine", None, None, "{deal}", "{name}"), ("Bad", None, None, subject, body)]
        ),
    )
    result = invoke("drafts", book, "--out", tmp_path / "drafts", "--as-of", AS_OF, "--at", AT)
    assert result.exit_code == 1, result.output
    assert f"Templates row 3, column '{column}': expected " in result.output
    assert found in result.output
    assert "{name}, {company}, {deal}, {value}, {stage}, {due}" in result.output
    assert not (tmp_path / "drafts").exists()


def test_a_stage_that_is_not_in_the_pipeline_is_a_problem(tmp_path) -> None:
    book = demo_copy(tmp_path)
    edit(book, set_templates([("Odd", "Haggling", "maybe", "{deal}", "{name}")]))
    result = invoke("drafts", book, "--out", tmp_path / "d", "--as-of", AS_OF)
    assert result.exit_code == 1
    assert "Templates row 2, column 'Stage': expected one of Lead acquisition" in result.output
    assert "Templates row 2, column 'Marketing': expected yes, no or blank" in result.output


@pytest.mark.parametrize(
    ("text", "wrong"),
    [
        ("plain", False),
        ("{name}{company}{deal}{value}{stage}{due}", False),
        ("{{name}} }}{{", False),
        ("{}", True),
        ("{0}", True),
        ("{ name }", True),
        ("{deal[0]}", True),
        ("{name:{deal}}", True),
        ("{name", True),
        ("name}", True),
    ],
)
def test_only_plain_placeholders_are_taken(text, wrong) -> None:
    assert (email_text.problem(text) is not None) == wrong
    if wrong:
        with pytest.raises(email_text.PlaceholderError):
            email_text.fill(text, {})


def test_fill_puts_the_values_and_braces() -> None:
    values = {"name": "Ada {deal}", "deal": "X"}
    assert email_text.fill("{{{name}}}: {deal}{stage}", values) == "{Ada {deal}}: X"


def test_the_sheet_reader_collects_every_problem() -> None:
    cells = [
        ["Template", "Stage", "Marketing", "Subject", "Body"],
        ["A", "", "", "{deal}", "{name}"],
        [None, None, None, None, None],
        ["", "Nurturing", "", "", "{x}"],
        ["C", "negotiation", "是", "s", "b"],
    ]
    read = read_templates(cells, DEFAULT_PIPELINE)
    assert read.rows == (2, 5)
    assert read.templates == (
        EmailTemplate("A", "{deal}", "{name}"),
        EmailTemplate("C", "s", "b", "Negotiation", marketing=True),
    )
    assert [(p.row, p.column) for p in read.problems] == [
        (4, "Template"),
        (4, "Subject"),
        (4, "Body"),
    ]
    missing = read_templates([["Template", "Stage"]], DEFAULT_PIPELINE)
    assert [(p.row, p.column) for p in missing.problems] == [(1, "Subject"), (1, "Body")]


# -- hostile text, other workbooks -----------------------------------------------------------------


def test_hostile_names_add_no_header_and_stay_one_line(tmp_path) -> None:
    book = demo_copy(tmp_path)
    hostile = 'Ines "Eve", Petrov\r\nBcc: victim@example.com\r\n\r\nBody?' + "y" * 5000

    def change(workbook: Any) -> None:
        customers = workbook["Customers"]
        for number in range(2, customers.max_row + 1):
            if customers.cell(number, 1).value == "C0064":
                customers.cell(number, 2).value = hostile
        deals = workbook["Deals"]
        for number in range(2, deals.max_row + 1):
            if deals.cell(number, 1).value == "D00064":
                deals.cell(number, 4).value = "Order\nX-Injected: 1\n" + "z" * 3000

    edit(book, change)
    out = tmp_path / "drafts"
    ok("drafts", book, "--out", out, "--as-of", AS_OF, "--at", AT)
    messages = parsed(out)
    theirs = [n for n in messages if n.startswith("2026-06-22 D00064 ")]
    assert len(theirs) == 1
    name = theirs[0]
    assert len(name.encode()) <= planning.MAX_NAME_BYTES
    assert "\n" not in name
    message = messages[name]
    assert set(message.keys()) == {
        "To", "Subject", "Date", "Message-ID", "X-Unsent", "Content-Type",
        "Content-Transfer-Encoding", "MIME-Version",
    }  # fmt: skip
    assert message["Bcc"] is None
    assert message["X-Injected"] is None
    (to,) = message["To"].addresses
    assert to.addr_spec == "ines.petrov@castlekitchen.example"
    assert to.display_name.startswith('Ines "Eve", Petrov Bcc: victim@example.com Body?yyy')
    assert len(to.display_name) <= planning.MAX_NAME_TEXT
    assert "\n" not in str(message["Subject"])
    assert len(str(message["Subject"])) <= 200
    assert all(len(line) <= 998 for line in (out / name).read_bytes().split(b"\r\n"))


def test_control_characters_and_bad_addresses_in_the_data(tmp_path) -> None:
    """Text a cell cannot hold but a live Excel book or a future reader might give: planned
    directly on the data read from the demo."""
    data = reader.load(demo_copy(tmp_path))
    due = activities.followups(data, date(2026, 6, 30))
    customers = data.customers
    first = customers.index[customers["id"] == "C0064"][0]
    customers.loc[first, "name"] = "Eve\x00\x07\u2028Bcc: x@y.example\x1b"
    other = customers.index[customers["id"] == "C0101"][0]
    customers.loc[other, "email"] = "vera novak@example.com"
    at = datetime(2026, 6, 30, 9, tzinfo=UTC)
    planned = planning.plan(data, due, default_templates(data.pipeline), "Sales.xlsx", at)
    eve = [d for d in planned.drafts if d.customer_id == "C0064"]
    assert eve
    for draft in eve:
        again = email.message_from_bytes(draft.content(), policy=email.policy.default)
        assert again["To"].addresses[0].display_name == "Eve Bcc: x@y.example"
        assert "\x07" not in draft.file_name
        assert "\x00" not in draft.file_name
    skips = [s for s in planned.skipped if s.customer.startswith("C0101")]
    assert skips
    assert "cannot be written to" in skips[0].reason
    assert len(planned.drafts) + len(planned.skipped) == len(due)


def test_the_from_address_is_checked(tmp_path) -> None:
    book = demo_copy(tmp_path)
    result = invoke("drafts", book, "--out", tmp_path / "d", "--from", "not an address")
    assert result.exit_code == 2
    assert "--from" in result.output
    assert not (tmp_path / "d").exists()
    with pytest.raises(InvalidArgumentError):
        planning.sender("a@example.com, b@example.com")
    assert str(planning.sender('"Park, Ada" <ada@example.com>')) == '"Park, Ada" <ada@example.com>'


def test_file_names_are_safe_unique_and_capped() -> None:
    taken: set[str] = set()
    day = date(2026, 6, 30)
    first = planning.file_name(day, "D1", 'A/B:C*?"<>|\\', taken)
    assert first == "2026-06-30 D1 A_B_C_______.eml"
    assert (
        planning.file_name(day, "d1", 'a/b:c*?"<>|\\', taken)
        == "2026-06-30 d1 a_b_c_______ (2).eml"
    )
    long = planning.file_name(day, "D2", "张" * 200, taken)
    assert len(long.encode()) <= planning.MAX_NAME_BYTES
    assert long.endswith("张.eml")


def test_a_chinese_workbook_gives_chinese_drafts(tmp_path) -> None:
    book = tmp_path / "销售.xlsx"
    ok("new", book, "--lang", "zh-CN", "--demo")
    out = tmp_path / "草稿"
    output = ok("drafts", book, "--out", out, "--as-of", AS_OF, "--at", AT)
    messages = parsed(out)
    with i18n.use("zh-CN"):  # the command speaks the workbook's language
        heading = _("Wrote {count} draft e-mail(s) for the follow-ups due by {day} to {folder}.")
    assert output.splitlines()[0] == heading.format(count=len(messages), day=AS_OF, folder=out)
    due = json.loads(ok("followups", book, "--json", "--as-of", AS_OF, "--days", 0))["followups"]
    assert len(messages) + len(skipped_ids(output)) == len(due)
    assert messages
    customers = customers_of(book, "客户")
    by_id = {row["id"]: row for row in due}
    for name, message in messages.items():
        customer_name, address = customers[by_id[followup_id(message)]["customer_id"]]
        assert CJK.search(customer_name)
        (to,) = message["To"].addresses
        assert (to.display_name, to.addr_spec) == (customer_name, address)
        assert CJK.search(str(message["Subject"]))
        assert CJK.search(message.get_content())
        assert customer_name in name
    raw = next(iter(out.iterdir())).read_bytes()
    assert raw.split(b"\r\n\r\n")[0].isascii()  # headers as RFC 2047 words


def test_a_workbook_without_the_templates_sheet_uses_the_defaults(tmp_path) -> None:
    book = demo_copy(tmp_path)

    def change(workbook: Any) -> None:
        del workbook["Templates"]

    edit(book, change)
    assert "Templates" not in load_workbook(book, read_only=True).sheetnames
    out = tmp_path / "drafts"
    output = ok("drafts", book, "--out", out, "--as-of", AS_OF, "--at", AT)
    assert "This workbook has no Templates sheet" in output
    assert "salesflow new" in output
    subjects = {str(m["Subject"]) for m in parsed(out).values()}
    assert "Seasonal single-origin order: your proposal" in subjects  # the Negotiation default
    assert len(parsed(out)) + len(skipped_ids(output)) == len(listed(book))
