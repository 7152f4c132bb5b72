"""Reading an orders history for the customer-value commands: a SalesFlow workbook's Orders,
a CSV with customer_id, date and amount columns, or the CDNOW research files as published
(whitespace-separated: customer id, [sample id,] yyyymmdd date, number of CDs, dollar value)."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import click
import pandas as pd

from salesflow_xl.actions import safe_text
from salesflow_xl.cli.app import speak_language_of
from salesflow_xl.core import limits
from salesflow_xl.core.errors import SalesflowError
from salesflow_xl.core.i18n import _
from salesflow_xl.workbook import reader

CSV_COLUMNS = ("customer_id", "date", "amount")


def load_orders(path: Path) -> tuple[pd.DataFrame, date]:
    """(orders with customer_id, date, amount; the observation end): a workbook's as-of date,
    otherwise the last order's date. A workbook's language is the command's from then on
    (unless the user chose one)."""
    path = Path(path)
    if not path.exists():
        raise SalesflowError(_("{path} does not exist").format(path=path))
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        speak_language_of(path)
        data = reader.load(path)
        orders = data.orders[list(CSV_COLUMNS)]
        return orders, data.settings.as_of
    if suffix == ".csv":
        orders = _csv(path)
    elif suffix in (".txt", ".dat"):
        orders = _cdnow(path)
    else:
        raise SalesflowError(
            _("{name}: expected a workbook (.xlsx), a CSV or a CDNOW .txt file").format(
                name=path.name
            )
        )
    if orders.empty:
        raise SalesflowError(_("{name} holds no orders").format(name=path.name))
    return orders, orders["date"].max().date()


def _text(path: Path) -> str:
    """The file's text (its encoding found as for imports), refused when empty."""
    decoded = safe_text.decode(path.read_bytes(), path.name)
    if note := decoded.note(path.name):
        click.echo(note, err=True)
    if not decoded.text.strip():
        raise SalesflowError(_("{name} is empty: it holds no orders").format(name=path.name))
    return decoded.text


def _csv(path: Path) -> pd.DataFrame:
    try:
        # every cell as text: a customer called "NA" or "None" stays that customer
        frame = pd.read_csv(
            io.StringIO(_text(path)), dtype=str, keep_default_na=False, skip_blank_lines=True
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise SalesflowError(
            _("{name} is not a readable CSV: {error}").format(name=path.name, error=error)
        ) from error
    columns = {c.strip().lower().replace(" ", "_"): c for c in frame.columns}
    missing = [c for c in CSV_COLUMNS if c not in columns]
    if missing:
        raise SalesflowError(
            _(
                "{name} needs the columns customer_id, date and amount; missing {missing} "
                "(it has {columns})"
            ).format(
                name=path.name,
                missing=", ".join(missing),
                columns=", ".join(map(str, frame.columns)),
            )
        )
    orders = frame[[columns[c] for c in CSV_COLUMNS]].set_axis(list(CSV_COLUMNS), axis=1)
    orders = orders.assign(customer_id=orders["customer_id"].str.strip())
    # each date read on its own (not in the first row's format); offsets to UTC, then dropped
    dates = pd.to_datetime(orders["date"], errors="coerce", format="mixed", utc=True)
    dates = dates.dt.tz_localize(None)
    amounts = pd.to_numeric(orders["amount"], errors="coerce")
    _check(path, orders, dates, amounts, first_line=2)
    return orders.assign(customer_id=orders["customer_id"].astype(str), date=dates, amount=amounts)


def _cdnow(path: Path) -> pd.DataFrame:
    """The CDNOW files as published; a header line (as some copies of the master file have)
    is skipped."""
    text = _text(path)
    first = text.lstrip().split(None, 4)
    header = not any(token.isdigit() and len(token) == 8 for token in first[1:3])
    try:
        raw = pd.read_csv(
            io.StringIO(text), sep=r"\s+", header=None, dtype=str, skiprows=int(header)
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise SalesflowError(
            _("{name} is not a CDNOW file: {error}").format(name=path.name, error=error)
        ) from error
    if raw.shape[1] == 5:  # CDNOW_sample: master id, sample id, date, CDs, dollars
        ids, dates, amounts = raw[1], raw[2], raw[4]
    elif raw.shape[1] == 4:  # CDNOW_master: id, date, CDs, dollars
        ids, dates, amounts = raw[0], raw[1], raw[3]
    else:
        raise SalesflowError(
            _("{name}: not a CDNOW file (expected 4 or 5 columns)").format(name=path.name)
        )
    orders = pd.DataFrame({"customer_id": ids, "date": dates, "amount": amounts})
    parsed = pd.to_datetime(dates, format="%Y%m%d", errors="coerce")
    values = pd.to_numeric(amounts, errors="coerce")
    _check(path, orders, parsed, values, first_line=1 + int(header))
    return pd.DataFrame({"customer_id": ids.str.lstrip("0"), "date": parsed, "amount": values})


def _check(
    path: Path, raw: pd.DataFrame, dates: pd.Series, amounts: pd.Series, first_line: int
) -> None:
    """Refuse the first row whose date is not a date or whose amount is not a finite number
    of at least 0, naming its line."""
    for name, bad, expected in (
        ("customer_id", raw["customer_id"].fillna("").str.strip() == "", _("a customer ID")),
        ("date", dates.isna(), _("a date")),
        ("amount", ~amounts.between(0, limits.MAX_AMOUNT), _("an amount ≥ 0")),
    ):
        if bad.any():
            position = int(bad.to_numpy().nonzero()[0][0])
            raise SalesflowError(
                _("{name} line {line}, column {column}: expected {expected}, found {found}").format(
                    name=path.name,
                    line=position + first_line,
                    column=name,
                    expected=expected,
                    found=repr(raw[name].iloc[position]),
                )
            )
