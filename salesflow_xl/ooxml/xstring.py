"""Cell text as OOXML stores it (ECMA-376 ``ST_Xstring``): a character XML 1.0 cannot carry
— a control character other than tab and line feed, a lone surrogate, U+FFFE, U+FFFF — is
written ``_xHHHH_`` (a carriage return too, as Excel writes it: XML reads a raw one back as a
line feed), and a literal ``_xHHHH_`` in the text is written
``_x005F_xHHHH_`` so that it reads back as typed. Excel, LibreOffice and python-calamine decode
the same escapes, so any Python string survives a write and a read, and the XML stays
well-formed."""

from __future__ import annotations

import re

#: What XML 1.0 cannot carry, and a literal escape that would otherwise be decoded.
_ENCODE = re.compile("[\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")
_DECODE = re.compile("_x([0-9A-Fa-f]{4})_")


def encode(text: str) -> str:
    """``text`` with every character XML cannot carry written as ``_xHHHH_``."""
    if "_" not in text and not _ENCODE.search(text):
        return text
    return _ENCODE.sub(lambda m: f"_x{ord(m.group()):04X}_", text)


def decode(text: str) -> str:
    """The text :func:`encode` (or Excel) wrote as ``text``."""
    if "_x" not in text:
        return text
    return _DECODE.sub(lambda m: chr(int(m.group(1), 16)), text)
