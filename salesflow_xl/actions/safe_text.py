"""Untrusted files coming into the workbook (CSV imports, order histories): their size and
their encoding.

- Size: files over ``MAX_BYTES`` or with more than ``MAX_ROWS`` rows are refused outright.
- Encoding: a byte-order mark says it; then strict UTF-8 (which other encodings almost never
  pass by accident); otherwise each likely encoding is tried — GB18030 (Chinese Excel and WPS
  exports), Windows-1252 (Western Excel), Big5, Shift-JIS, Windows-1251 and -1250 — and the
  one whose text reads most like text (the lowest charset-normalizer "mess ratio") is taken,
  earlier ones winning ties; charset-normalizer's own guess only when none reads well. When
  every reading looks garbled, the file is refused: the user names the encoding
  (``--encoding``).
  The encoding used is reported, so a wrong guess is seen at once.

Text is stored as it is: in an .xlsx file a text cell never runs as a formula (the writers
mark text Excel would read as one with a quote prefix; see
:func:`salesflow_xl.core.limits.looks_like_formula`).
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from charset_normalizer import from_bytes
from charset_normalizer.md import mess_ratio

from salesflow_xl.core.errors import SalesflowError
from salesflow_xl.core.i18n import _

MAX_BYTES = 50 * 1024**2
MAX_ROWS = 200_000
#: Encodings tried for a file that is not UTF-8, most likely first.
CANDIDATES = ("gb18030", "cp1252", "big5", "shift_jis", "cp1251", "cp1250")
#: Above this mess ratio a reading looks garbled (charset-normalizer's own default is 0.2).
GARBLED = 0.2
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass(frozen=True)
class Decoded:
    """A file's text, the encoding it was read with, and whether that was a guess."""

    text: str
    encoding: str
    guessed: bool = False

    @property
    def name(self) -> str:
        """The encoding as people know it ("GB18030", "Windows-1252")."""
        return NAMES.get(self.encoding, self.encoding)

    def note(self, source: str) -> str | None:
        """What to tell the user about a guessed encoding; None when there was no guess."""
        if not self.guessed:
            return None
        return _("Read {source} as {encoding} (not UTF-8).").format(
            source=source, encoding=self.name
        )


NAMES = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8",
    "gb18030": "GB18030",
    "cp1252": "Windows-1252",
    "big5": "Big5",
    "shift_jis": "Shift-JIS",
    "cp1251": "Windows-1251",
    "cp1250": "Windows-1250",
    "utf-16": "UTF-16",
    "utf_16": "UTF-16",
    "utf_16_le": "UTF-16",
    "utf_16_be": "UTF-16",
    "utf-32": "UTF-32",
}


def decode(raw: bytes, source: str, encoding: str | None = None) -> Decoded:
    """The text of an import file (see the module docstring for how its encoding is found)."""
    if len(raw) > MAX_BYTES:
        raise SalesflowError(
            _("{source} is {size} MB; imports are limited to {limit} MB (split the file)").format(
                source=source, size=f"{len(raw) / 1024**2:.0f}", limit=MAX_BYTES // 1024**2
            )
        )
    if raw.startswith(b"PK\x03\x04"):
        raise SalesflowError(
            _(
                "{source} is a zip file (an Excel workbook?), not text: save the sheet as CSV"
            ).format(source=source)
        )
    if encoding is not None:
        if raw.startswith(codecs.BOM_UTF8) and codecs.lookup(encoding).name != "utf-8":
            raw = raw[len(codecs.BOM_UTF8) :]  # a UTF-8 mark before text in another encoding
        try:
            return Decoded(raw.decode(encoding), encoding)
        except (LookupError, UnicodeDecodeError) as error:
            raise SalesflowError(
                _("{source} is not {encoding} text: {error}").format(
                    source=source, encoding=encoding, error=error
                )
            ) from error
    for bom, name in _BOMS:
        if raw.startswith(bom):
            try:
                return Decoded(raw.decode(name), name)
            except UnicodeDecodeError as error:
                raise SalesflowError(
                    _(
                        "{source} starts with a {encoding} mark but is not {encoding} text "
                        "({error}); give its encoding, e.g. --encoding gb18030"
                    ).format(source=source, encoding=NAMES.get(name, name), error=error)
                ) from error
    try:
        return Decoded(raw.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    return _guess(raw, source)


def _guess(raw: bytes, source: str) -> Decoded:
    """The reading of ``raw`` that looks most like text, or a refusal when all look garbled.
    charset-normalizer's own guess is taken only when none of :data:`CANDIDATES` reads well:
    on short files it prefers exotic encodings whose garbage scores as clean text."""
    found = _least_mess(raw, CANDIDATES)
    tried = list(CANDIDATES)
    if found is None:
        best = from_bytes(raw).best()
        if best is not None and best.encoding not in CANDIDATES:
            found = _least_mess(raw, (best.encoding,))
            tried.append(best.encoding)
    if found is not None:
        return found
    names = ", ".join(NAMES.get(n, n) for n in tried)
    raise SalesflowError(
        _(
            "could not tell the encoding of {source}: it is not UTF-8 and reads as garbled text "
            "in {encodings}; give it, e.g. --encoding cp1252"
        ).format(source=source, encodings=names)
    )


def _least_mess(raw: bytes, encodings: tuple[str, ...]) -> Decoded | None:
    """The reading with the lowest mess ratio (earlier encodings win ties), if not garbled.

    Ties are common on short files, and not only between encodings that read alike: Polish
    Windows-1250 and Western Windows-1252 both read clean, as do GB18030 and Big5 for two
    Chinese names. Neither the mess ratio nor charset-normalizer's language coherence tells
    them apart there (measured), so the likelier encoding for SalesFlow's users wins and the
    choice is reported for the user to correct with ``--encoding``."""
    readings = []
    for rank, name in enumerate(encodings):
        try:
            text = raw.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
        readings.append((round(mess_ratio(text, 1.0), 2), rank, name, text))
    if not readings:
        return None
    mess, _rank, name, text = min(readings)
    return Decoded(text, name, guessed=True) if mess <= GARBLED else None
