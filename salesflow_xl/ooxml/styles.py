"""Cell formats of a workbook's ``xl/styles.xml``, edited in place: the only change SalesFlow
makes is a *quote-prefixed* twin of a format (``quotePrefix="1"``), the mark Excel itself puts
on text typed with a leading apostrophe, so that text starting with ``=``, ``+``, ``-`` or ``@``
stays text when someone edits the cell later (:func:`salesflow_xl.core.limits.looks_like_formula`
tells which text needs it)."""

from __future__ import annotations

import re

STYLES = "xl/styles.xml"
# element names with or without a namespace prefix (<cellXfs> or <x:cellXfs>)
_CELL_XFS = re.compile(rb"(<(?:\w+:)?cellXfs\b[^>]*>)(.*?)(</(?:\w+:)?cellXfs>)", re.S)
_XF = re.compile(rb"<(\w+:)?xf\b[^>]*?/>|<(\w+:)?xf\b[^>]*?>.*?</(?:\w+:)?xf>", re.S)
_COUNT = re.compile(rb'\bcount="\d+"')
_QUOTE = re.compile(rb'\squotePrefix="[^"]*"')


def quote_prefixed(styles: bytes, index: int) -> tuple[bytes, int]:
    """(``styles`` with a quote-prefixed twin of cell format ``index`` when it has none yet,
    the twin's index). A format that is quote-prefixed already is its own twin."""
    section = _CELL_XFS.search(styles)
    if section is None:
        raise ValueError("styles.xml has no cellXfs")
    formats = [m.group(0) for m in _XF.finditer(section.group(2))]
    if not 0 <= index < len(formats):
        raise ValueError(f"styles.xml has no cell format {index}")
    twin = _with_quote_prefix(formats[index])
    if twin in formats:
        return styles, formats.index(twin)
    body = section.group(2) + twin
    opening = _COUNT.sub(f'count="{len(formats) + 1}"'.encode(), section.group(1))
    start, end = section.span()
    return styles[:start] + opening + body + section.group(3) + styles[end:], len(formats)


def _with_quote_prefix(xf: bytes) -> bytes:
    tag_end = xf.index(b">")
    start_tag, rest = xf[:tag_end], xf[tag_end:]
    if rest.startswith(b">") and start_tag.endswith(b"/"):
        start_tag, rest = start_tag[:-1].rstrip(), b"/" + rest
    start_tag = _QUOTE.sub(b"", start_tag)
    return start_tag + b' quotePrefix="1"' + (b" " + rest if rest.startswith(b"/") else rest)
