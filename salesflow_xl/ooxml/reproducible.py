"""Reproducible packages: the same content gives the same bytes, whatever the build's date, so
a committed workbook or add-in can be checked against its builder byte for byte."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime

#: The creation time written into generated packages' properties.
FIXED_TIME = datetime(2026, 1, 1)

_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")
_CREATED = re.compile(rb"<dcterms:created[^>]*>([^<]*)</dcterms:created>")


def normalise_zip(package: bytes) -> bytes:
    """Rewrite a zip package with every entry dated 1980-01-01 and deflated, order kept, and
    docProps/core.xml's modified date set to its created date."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(package)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml" and (created := _CREATED.search(content)):
                content = _MODIFIED.sub(
                    lambda m: m.group(1) + created.group(1) + m.group(2), content
                )
            target.writestr(entry, content)
    return out.getvalue()
