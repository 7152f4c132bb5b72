"""Property tests of the file store: what is written reads back identical, and an invalid
cell anywhere is reported with its sheet, row and column. SALESFLOW_FUZZ_EXAMPLES raises the
number of examples for a slower run on demand."""

from __future__ import annotations

import io
import os
from datetime import date

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from salesflow_xl.core import demo
from salesflow_xl.core.dataset import SalesData
from salesflow_xl.core.model import DEFAULT_PIPELINE, Customer, Deal, Settings
from salesflow_xl.workbook import reader, schema, template
from salesflow_xl.workbook.reader import Problem

EXAMPLES = int(os.environ.get("SALESFLOW_FUZZ_EXAMPLES", "15"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")),
    min_size=1,
    max_size=12,
).filter(lambda s: s.strip() == s and s.strip())
days = st.dates(date(2000, 1, 1), date(2030, 12, 31))
money = st.floats(0, 1e7, allow_nan=False).map(lambda v: round(v, 2))
open_stage = st.sampled_from([s.name for s in DEFAULT_PIPELINE.open_stages])


@st.composite
def sales_data(draw) -> SalesData:
    customer_ids = draw(st.lists(text, min_size=1, max_size=5, unique=True))
    customers = [Customer(cid, draw(text), company=draw(st.none() | text)) for cid in customer_ids]
    deals = [
        Deal(
            f"D{i}",
            draw(st.sampled_from(customer_ids)),
            draw(text),
            draw(money),
            draw(open_stage),
            "open",
            draw(days),
            draw(days),
            probability=draw(st.none() | st.floats(0, 1).map(lambda v: round(v, 4))),
            next_follow_up=draw(st.none() | days),
        )
        for i in range(draw(st.integers(0, 6)))
    ]
    return SalesData.from_records(
        Settings(as_of=draw(days)), {"customers": customers, "deals": deals}
    )


@FUZZ
@given(sales_data())
def test_write_read_is_identity(data) -> None:
    back, problems = reader.read_bytes(template.render(data))
    assert problems == []
    for key in ("customers", "deals"):
        pd.testing.assert_frame_equal(
            back.table(key), data.table(key), check_index_type=False, check_dtype=False
        )
    assert back.settings == data.settings


BAD = {"money": "lots", "date": "soon", "percent": 7.0, "text": None}


@FUZZ
@given(st.data())
def test_an_invalid_cell_anywhere_is_named(draw) -> None:
    content = DEMO_CONTENT
    spec = draw.draw(st.sampled_from([schema.DEALS, schema.CUSTOMERS, schema.ORDERS]))
    column = draw.draw(
        st.sampled_from(
            [c for c in spec.inputs if c.required and c.kind in BAD and c.choices is None]
        )
    )
    rows = len(DEMO_DATA.table(spec.key))
    row = draw.draw(st.integers(2, rows + 1))
    book = load_workbook(io.BytesIO(content))
    letter = [c.header for c in spec.columns].index(column.header)
    cell = book[spec.sheet].cell(row=row, column=letter + 1)
    cell.value = BAD[column.kind]
    out = io.BytesIO()
    book.save(out)
    _, problems = reader.read_bytes(out.getvalue())
    located = [(p.sheet, p.row, p.column) for p in problems]
    assert (spec.sheet, row, column.header) in located
    assert all(isinstance(p, Problem) for p in problems)


DEMO_DATA = demo.generate(scale=0.2)
DEMO_CONTENT = template.render(DEMO_DATA)


def test_text_that_looks_like_an_error_value_stays_text() -> None:
    """openpyxl takes "#REF!", "#N/A" … for error values; a customer may be called that
    (hypothesis found "#REF!")."""
    base = demo.generate(scale=0.1)
    names = ["#REF!", "#N/A", "=1+1", "#DIV/0!"]
    customers = base.customers.copy()
    customers.loc[: len(names) - 1, "name"] = names
    data = SalesData(
        settings=base.settings,
        pipeline=base.pipeline,
        lists=base.lists,
        customers=customers,
        deals=base.deals,
        stage_log=base.stage_log,
        activities=base.activities,
        campaigns=base.campaigns,
        orders=base.orders,
    )
    back, problems = reader.read_bytes(template.render(data))
    assert problems == []
    assert back.customers["name"].iloc[: len(names)].tolist() == names
