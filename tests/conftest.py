"""Shared test helpers: small tables written inline as CSV, typed like the real ones."""

from __future__ import annotations

import io
import shutil
import textwrap

import pandas as pd
import pytest

from salesflow_xl.core.dataset import column_kinds, typed


def table(csv_text: str, record_type: type) -> pd.DataFrame:
    """An inline CSV (header = field names, missing fields blank) as a typed frame."""
    frame = pd.read_csv(io.StringIO(textwrap.dedent(csv_text).strip()), dtype=str)
    for name in column_kinds(record_type):
        if name not in frame:
            frame[name] = None
    frame = frame.astype(object).where(frame.notna(), None)
    return typed(frame, record_type)


@pytest.fixture(autouse=True)
def _libreoffice_required(request: pytest.FixtureRequest) -> None:
    """Tests marked ``libreoffice`` need LibreOffice: without it they fail (never skip), naming
    the command that installs it."""
    if request.node.get_closest_marker("libreoffice") and not (
        shutil.which("soffice") or shutil.which("libreoffice")
    ):
        pytest.fail("LibreOffice is not installed: run scripts/test, which installs it")
