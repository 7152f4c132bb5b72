"""Untrusted text coming into the workbook (CSV imports): decoding and formula neutralising.

- Encoding: UTF-8 (with or without a byte-order mark) first, then GB18030 (the superset of
  GBK that Chinese Excel and WPS exports use); ``encoding=`` overrides the detection.
- Size: files over ``MAX_BYTES`` or with more than ``MAX_ROWS`` rows are refused outright.
- Formula injection (OWASP "CSV injection"): a value beginning with ``=``, ``@``, a tab or a
  carriage return, or with ``+`` / ``-`` followed by anything but a number or phone number,
  gets a leading apostrophe, so no spreadsheet that later opens an export of it runs it as a
  formula. "+49 30 555 0101" and "-12.5" stay as they are.
"""

from __future__ import annotations

import re

from salesflow_xl.core.errors import SalesflowError

MAX_BYTES = 50 * 1024**2
MAX_ROWS = 200_000
PLAIN_SIGNED = re.compile(r"[+-][\d\s().,/\-]*")


def decode(raw: bytes, source: str, encoding: str | None = None) -> str:
    """The text of an import file (see the module docstring for the order tried)."""
    if len(raw) > MAX_BYTES:
        raise SalesflowError(
            f"{source} is {len(raw) / 1024**2:.0f} MB; imports are limited to "
            f"{MAX_BYTES // 1024**2} MB (split the file)"
        )
    if encoding is not None:
        try:
            return raw.decode(encoding)
        except (LookupError, UnicodeDecodeError) as error:
            raise SalesflowError(f"{source} is not {encoding} text: {error}") from error
    for candidate in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(candidate)
        except UnicodeDecodeError:
            continue
    raise SalesflowError(
        f"{source} is neither UTF-8 nor GB18030 text; give its encoding, e.g. --encoding cp1252"
    )


def neutralise(value: str) -> str:
    """``value`` made safe from spreadsheet formula injection (see the module docstring)."""
    if not value:
        return value
    first = value[0]
    if first in "=@\t\r" or (first in "+-" and not PLAIN_SIGNED.fullmatch(value)):
        return "'" + value
    return value
