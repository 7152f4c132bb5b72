"""``salesflow lite``: the requirements.txt and main.py a workbook needs in xlwings Lite, and the
steps. What main.py registers is checked by running it, with a stand-in for the Lite scripts'
module (salesflow_xl.lite.scripts, built beside this)."""

from __future__ import annotations

import sys
import types

from conftest import demo_copy, invoke, ok

import salesflow_udfs
from salesflow_xl.cli import lite

WHEEL = "https://example.com/releases/salesflow_xl-0.1.0-py3-none-any.whl"


def test_prints_both_files_and_the_steps(tmp_path) -> None:
    book = demo_copy(tmp_path)
    output = ok("lite", book)
    requirements, _sep, rest = output.partition("\n\nmain.py\n-------\n")
    assert requirements == "requirements.txt\n----------------\nsalesflow-xl\nxlwings>=0.36.17,<1.0"
    main_py, _sep, steps = rest.partition("\nSteps:\n")
    assert main_py == lite.MAIN_PY
    numbered = steps.splitlines()
    assert [line.split(".")[0].strip() for line in numbered] == [str(n) for n in range(1, 8)]
    assert "Open Sales.xlsx and click xlwings Lite" in numbered[1]
    assert "=CLV(1000, 1, 24)" in numbered[5]
    assert "24000" in numbered[5]


def test_main_py_registers_every_function_and_the_scripts(monkeypatch) -> None:
    """main.py compiles, and running it brings every worksheet function and every name the
    scripts' module exports (its ``__all__``) into its namespace, where Lite looks."""
    scripts = types.ModuleType("salesflow_xl.lite.scripts")
    scripts.__all__ = ["advance"]
    scripts.advance = lambda book: None
    scripts.helper = lambda: None  # not exported
    monkeypatch.setitem(sys.modules, "salesflow_xl.lite", types.ModuleType("salesflow_xl.lite"))
    monkeypatch.setitem(sys.modules, "salesflow_xl.lite.scripts", scripts)
    namespace: dict[str, object] = {}
    exec(compile(lite.MAIN_PY, "main.py", "exec"), namespace)
    for name, function in salesflow_udfs.FUNCTIONS.items():
        assert namespace[name] is function
    assert namespace["advance"] is scripts.advance
    assert "helper" not in namespace


def test_writes_the_files_into_a_folder(tmp_path) -> None:
    out = tmp_path / "lite files"
    output = ok("lite", "--out", out, "--wheel-url", WHEEL)
    assert (out / "requirements.txt").read_bytes() == (
        WHEEL.encode() + b"\nxlwings>=0.36.17,<1.0\n"
    )
    assert (out / "main.py").read_bytes() == lite.MAIN_PY.encode()
    assert output.startswith(f"Wrote requirements.txt, main.py into {out}.\nSteps:\n")
    assert f"replace the text of requirements.txt with the file {out / 'requirements.txt'}" in (
        output
    )
    assert "your SalesFlow workbook" in output


def test_a_wheel_url_must_be_a_web_address_of_a_wheel() -> None:
    for bad in ("salesflow_xl-0.1.0-py3-none-any.whl", "ftp://host/x.whl", "https://host/x.zip"):
        result = invoke("lite", "--wheel-url", bad)
        assert result.exit_code == 2, bad
        assert "is not the web address of a wheel" in result.output
    assert ok("lite", "--wheel-url", WHEEL).startswith(f"requirements.txt\n{'-' * 16}\n{WHEEL}\n")


def test_a_missing_workbook_is_refused(tmp_path) -> None:
    result = invoke("lite", tmp_path / "nothing.xlsx")
    assert result.exit_code == 2
    assert "does not exist" in result.output
