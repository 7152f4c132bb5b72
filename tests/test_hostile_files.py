"""Hostile and broken files: zip bombs, XML bombs, truncated and mutated packages are refused
with a clear error, exit code 1, and the file is never changed."""

from __future__ import annotations

import contextlib
import hashlib
import io
import zipfile

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salesflow_xl.cli import main
from salesflow_xl.core.errors import SalesflowError
from salesflow_xl.ooxml import package
from salesflow_xl.workbook import build, reader

BLANK = build.committed_workbooks()[build.TEMPLATE_NAME]


def rebuilt(content: bytes, replace: dict[str, bytes]) -> bytes:
    """The package with some parts' content replaced (or added)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            target.writestr(name, replace.pop(name, source.read(name)))
        for name, data in replace.items():
            target.writestr(name, data)
    return out.getvalue()


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row>'
    b"</sheetData></worksheet>"
)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (rebuilt(BLANK, {"xl/worksheets/sheet2.xml": BILLION_LAUGHS}), "declares a DOCTYPE"),
        (
            rebuilt(BLANK, {"xl/bomb.xml": b"<a>" + b" " * (64 * 1024**2) + b"</a>"}),
            "refused as a zip bomb",
        ),
        (BLANK[: len(BLANK) // 2], "not a readable Excel workbook"),
        (b"PK\x03\x04 not really a zip", "not a readable Excel workbook"),
        (b"Deal ID,Value\nD1,100\n", "not a readable Excel workbook"),
    ],
    ids=["xml bomb", "zip bomb", "truncated", "bad zip", "csv renamed"],
)
def test_hostile_packages_are_refused(content, message, tmp_path) -> None:
    with pytest.raises(SalesflowError, match=message):
        reader.read_bytes(content, source="Sales.xlsx")
    path = tmp_path / "Sales.xlsx"
    path.write_bytes(content)
    before = hashlib.sha256(content).hexdigest()
    for command in (["check", str(path)], ["advance", str(path), "D1"]):
        result = CliRunner().invoke(main, command)
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output
        assert message in result.output
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_too_many_parts_is_refused(monkeypatch) -> None:
    monkeypatch.setattr(package, "MAX_PARTS", 10)
    with pytest.raises(package.PackageError, match="parts; a workbook has far fewer"):
        package.Package.from_bytes(BLANK)


mutations = st.lists(
    st.tuples(st.integers(0, len(BLANK) - 1), st.integers(0, 255)), min_size=1, max_size=12
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutations, st.none() | st.integers(1, len(BLANK) - 1))
def test_mutated_files_never_crash(changes, cut) -> None:
    data = bytearray(BLANK)
    for position, value in changes:
        data[position] = value
    if cut is not None:
        data = data[:cut]
    # a clear refusal is the expected outcome; any other exception fails the test
    with contextlib.suppress(SalesflowError):
        reader.read_bytes(bytes(data))
