"""The language a workbook speaks, as it records it: a hidden defined name,
``SalesFlowLanguage``, whose value is the language code (``"zh-CN"``). Commands read a workbook
in its own language — sheet names, headers and labels are looked up in that language (see
:mod:`salesflow_xl.core.i18n`) — and write it in that language.

A workbook made before SalesFlow spoke Chinese has no such name: it is English. Layer: the
SalesFlow workbook (imports ``salesflow_xl.core``, ``salesflow_xl.ooxml`` and
``salesflow_xl.workbook`` only).
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from collections.abc import Iterable
from typing import IO

from salesflow_xl.core import i18n
from salesflow_xl.core.errors import InvalidArgumentError
from salesflow_xl.ooxml.package import Package

#: The defined name that records the workbook's language.
NAME = "SalesFlowLanguage"
#: A workbook part larger than this is not searched (the reader refuses what is hostile).
MAX_WORKBOOK_PART = 8_000_000
_RECORDED = re.compile(
    rb'<(?:\w+:)?definedName\b[^>]*\bname="' + NAME.encode() + rb'"[^>]*>\s*"([^"<]*)"\s*<'
)


def formula(code: str) -> str:
    """The defined name's value for language ``code``: a text constant (``"zh-CN"``)."""
    return f'"{i18n.normalize(code)}"'


def of_package(package: Package) -> str:
    """The language ``package`` records (English when it records none, or one SalesFlow does
    not speak)."""
    return _language(package.read("xl/workbook.xml"))


def _language(workbook_xml: bytes) -> str:
    found = _RECORDED.search(workbook_xml)
    if found is None:
        return i18n.DEFAULT
    try:
        return i18n.normalize(found.group(1).decode("utf-8", "replace"))
    except InvalidArgumentError:
        return i18n.DEFAULT


def of_formula(text: str) -> str:
    """The language a defined name's formula names (``="zh-CN"``, as Excel gives it, or
    ``"zh-CN"``); English for anything else."""
    value = text.strip().removeprefix("=").strip()
    if len(value) < 2 or value[0] != '"' or value[-1] != '"':
        return i18n.DEFAULT
    try:
        return i18n.normalize(value[1:-1])
    except InvalidArgumentError:
        return i18n.DEFAULT


def of_sheet_names(names: Iterable[str]) -> str | None:
    """The language whose names of the sheets SalesFlow reads (Deals, Lists, Settings …) are
    most among ``names``: for a workbook whose recorded language cannot be read (xlwings Lite
    sends a workbook's named ranges, not its constants). None when no language's sheets are
    there, or two languages' equally. Each language names every such sheet differently (a
    test holds them apart)."""
    from salesflow_xl.workbook import schema  # the schema's names, in each language

    present = set(names)
    found: dict[str, int] = {}
    for code in i18n.LANGUAGES:
        with i18n.use_workbook(code):
            found[code] = len(present & set(schema.sheets_read()))
    best = max(found.values())
    winners = [code for code, count in found.items() if count == best]
    return winners[0] if best and len(winners) == 1 else None


def of_bytes(content: bytes) -> str:
    """The language of the workbook file ``content``: only its workbook part is read (the
    reader checks the whole package); English for a file that is no workbook."""
    return of_file(io.BytesIO(content))


def of_path(path: str | os.PathLike[str]) -> str:
    """The language of the workbook file at ``path``, reading only its zip directory and
    workbook part (not the whole file); English for a file that is no workbook or can't be
    read."""
    try:
        with open(path, "rb") as file:
            return of_file(file)
    except OSError:
        return i18n.DEFAULT


def of_file(file: IO[bytes]) -> str:
    """The language of the workbook in the open binary ``file``."""
    try:
        with zipfile.ZipFile(file) as archive:
            info = archive.getinfo("xl/workbook.xml")
            if info.file_size > MAX_WORKBOOK_PART:
                return i18n.DEFAULT
            return _language(archive.read(info))
    except (KeyError, OSError, zipfile.BadZipFile, ValueError):
        return i18n.DEFAULT
