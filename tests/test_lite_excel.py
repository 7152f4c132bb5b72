"""What only a real Excel with xlwings Lite can settle, for a machine that has one (marked
``excel``: deselected where there is none, ``pytest -m excel`` runs it).

Before running: in Excel, open a copy of the demo workbook (``salesflow new Demo.xlsx
--demo``), open xlwings Lite, paste the ``requirements.txt`` and ``main.py`` that ``salesflow
lite Demo.xlsx`` prints, restart Lite, run the *advance* script once, save the workbook and
close it; then ``SALESFLOW_LITE_WORKBOOK=path/to/Demo.xlsx pytest -m excel
tests/test_lite_excel.py``. Without the variable the test fails and says this."""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path

import pytest
from conftest import DEMO_WORKBOOK, ok

from salesflow_xl.workbook import reader

#: A line of the main.py `salesflow lite` writes: the part of the workbook holding it is where
#: Lite keeps its code.
MARK = b"salesflow_xl.lite.scripts"


def lite_workbook(tmp_path: Path) -> Path:
    given = os.environ.get("SALESFLOW_LITE_WORKBOOK")
    if not given or not Path(given).is_file():
        pytest.fail(
            "set SALESFLOW_LITE_WORKBOOK to a workbook saved by xlwings Lite in Excel with "
            "SalesFlow's main.py pasted in (this module's docstring says how)"
        )
    copy = tmp_path / "Lite.xlsx"
    shutil.copy(given, copy)
    return copy


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as package:
        return {name: package.read(name) for name in package.namelist()}


@pytest.mark.excel
def test_salesflow_keeps_the_code_lite_stored_in_the_workbook(tmp_path) -> None:
    path = lite_workbook(tmp_path)
    before = parts(path)
    holding = sorted(name for name, content in before.items() if MARK in content)
    assert holding, "no part of the workbook holds main.py: was it saved after pasting?"
    print("Lite keeps its code in:", ", ".join(holding))  # for docs/lite.md's open question
    data = reader.load(path)
    deal = str(data.deals.loc[data.deals["status"] == "open", "id"].iloc[0])
    ok("advance", path, deal, "--at", "2026-07-01 09:00")
    ok("refresh", path, "--as-of", "2026-07-01")
    after = parts(path)
    for name in holding:
        assert after.get(name) == before[name], name


@pytest.mark.excel
def test_the_advance_script_ran_in_excel_wrote_what_the_command_line_writes(tmp_path) -> None:
    """The workbook Lite saved after its *advance* script: its stage log is the demo's and one
    row more, whose deal is now in the stage the row says, as ``salesflow advance`` leaves it,
    and the workbook passes ``salesflow check``."""
    path = lite_workbook(tmp_path)
    data = reader.load(path)
    demo = reader.load(DEMO_WORKBOOK)
    assert len(data.stage_log) == len(demo.stage_log) + 1
    last = data.stage_log.iloc[-1]
    assert last["deal_id"] in set(demo.deals.loc[demo.deals["status"] == "open", "id"])
    deal = data.deals.loc[data.deals["id"] == last["deal_id"]].iloc[0]
    assert deal["stage"] == last["to_stage"]
    assert ok("check", path).startswith(f"{path.name}: OK")
