"""The package writer: unchanged parts travel as the compressed bytes they came in, the result
is a valid zip for zipfile (CRCs checked), whatever the original writer's habits."""

from __future__ import annotations

import io
import zipfile

from salesflow_xl.ooxml.package import Package

WORKBOOK = b'<?xml version="1.0"?><workbook xmlns="x"><sheets/></workbook>'


class Unseekable(io.RawIOBase):
    """A write-only stream without seek: zipfile then writes data descriptors (flag bit 3)."""

    def __init__(self) -> None:
        self.buffer = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:
        self.buffer += data
        return len(data)


def streamed_zip() -> bytes:
    stream = Unseekable()
    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr(
            "xl/worksheets/sheet1.xml", b"<worksheet>" + b"<row/>" * 5000 + b"</worksheet>"
        )
        archive.writestr(zipfile.ZipInfo("docProps/app.xml", (2001, 2, 3, 4, 5, 6)), b"<app/>")
        stored = zipfile.ZipInfo("xl/media/image1.png")
        stored.compress_type = zipfile.ZIP_STORED
        archive.writestr(stored, b"\x89PNG not really")
    return bytes(stream.buffer)


def raw_parts(content: bytes) -> dict[str, bytes]:
    package = Package.from_bytes(content)
    return {info.filename: package._raw(info) for info in package.infos}


def test_a_changed_part_and_the_rest_copied_compressed() -> None:
    original = streamed_zip()
    assert all(info.flag_bits & 0x08 for info in zipfile.ZipFile(io.BytesIO(original)).infolist())
    package = Package.from_bytes(original)
    package.replace("xl/worksheets/sheet1.xml", b"<worksheet><row r='1'/></worksheet>")
    written = package.to_bytes()
    with zipfile.ZipFile(io.BytesIO(written)) as archive:
        assert archive.testzip() is None
        assert archive.read("xl/worksheets/sheet1.xml") == b"<worksheet><row r='1'/></worksheet>"
        assert archive.read("xl/workbook.xml") == WORKBOOK
        infos = {info.filename: info for info in archive.infolist()}
    before = {i.filename: i for i in zipfile.ZipFile(io.BytesIO(original)).infolist()}
    assert list(infos) == list(before)
    for name in ("xl/workbook.xml", "docProps/app.xml", "xl/media/image1.png"):
        assert raw_parts(written)[name] == raw_parts(original)[name]
        assert infos[name].date_time == before[name].date_time
        assert infos[name].compress_type == before[name].compress_type
    assert (
        raw_parts(written)["xl/worksheets/sheet1.xml"]
        != raw_parts(original)["xl/worksheets/sheet1.xml"]
    )


def test_nothing_changed_gives_the_same_parts() -> None:
    original = streamed_zip()
    again = Package.from_bytes(original).to_bytes()
    assert Package.from_bytes(again).parts == Package.from_bytes(original).parts
