"""The vocabulary of the workbook schema: what a column, a table, a named setting and a drop-down
list are, and how a formula spells a reference to them. Layer: the SalesFlow workbook (imports
``salesflow_xl.core``, ``salesflow_xl.ooxml`` and ``salesflow_xl.workbook`` only).

The workbook's actual tables are in :mod:`salesflow_xl.workbook.schema_tables`, re-exported
with the sheets, settings and lists by :mod:`salesflow_xl.workbook.schema`; other
modules build references with :meth:`TableSpec.ref` and :attr:`ListSpec.ref` instead of
spelling ``tblDeals[Value]`` by hand, so renaming a table or header there changes every formula.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from salesflow_xl.core.i18n import W_, workbook_name
from salesflow_xl.core.model import Outcome
from salesflow_xl.ooxml.refs import column_letter

Kind = Literal["text", "money", "number", "integer", "percent", "date", "timestamp"]

NUMBER_FORMATS: dict[Kind, str] = {
    "text": "@",
    "money": "#,##0.00",
    "number": "#,##0.00",
    "integer": "0",
    "percent": "0.0%",
    "date": "yyyy-mm-dd",
    "timestamp": "yyyy-mm-dd hh:mm",
}
#: The longest currency symbol a workbook takes ("CHF", "US$", "HK$" fit).
MAX_CURRENCY_SYMBOL = 4


def is_currency_symbol(text: str) -> bool:
    """Whether ``text`` can stand before amounts in a number format: at most
    :data:`MAX_CURRENCY_SYMBOL` printable characters, no double quote (it would end the
    format's literal)."""
    return len(text) <= MAX_CURRENCY_SYMBOL and '"' not in text and text.isprintable()


def number_format(kind: Kind, currency: str = "", decimals: int = 2) -> str:
    """The number format of a ``kind`` cell; money with the workbook's currency symbol in front
    as a quoted literal (``"¥"#,##0.00``: Excel and LibreOffice show ¥1,234.50, and -¥1,234.50
    for a negative amount) and ``decimals`` places."""
    if kind != "money":
        return NUMBER_FORMATS[kind]
    digits = "#,##0" + ("." + "0" * decimals if decimals else "")
    return f'"{currency}"{digits}' if currency else digits


@dataclass(frozen=True)
class Column:
    """One column of an Excel table.

    Attributes:
        name: the column's name in English, its key in code; :attr:`header` is the header
            cell's text (and the structured-reference name) in the workbook's language.
        field: the record field stored here; None for a computed-only column.
        kind: how values are typed, formatted and validated.
        formula: for a computed column, its formula in short form (see :func:`expand`).
        choices: name of the drop-down list the value must come from (a key of
            :data:`salesflow_xl.workbook.schema.LISTS`).
        required: a row without a value here is invalid.
        width: column width in Excel's character units.
        note: shown as the header cell's note in Excel (in English; translated when written).
        prediction: the key of a model figure (:data:`salesflow_xl.core.clv.predictions.COLUMNS`)
            that ``salesflow refresh`` writes here as a value: neither typed nor a formula.
        derived: a figure SalesFlow derives from other tables
            (:func:`salesflow_xl.workbook.computed.derived_columns`) and writes here as a value
            whenever it writes the workbook: neither typed nor a formula. Used where a formula
            would look through a whole other table in every row (rows × rows to recalculate).
    """

    name: str
    field: str | None = None
    kind: Kind = "text"
    formula: str | None = None
    choices: str | None = None
    required: bool = False
    width: float = 14.0
    note: str = ""
    prediction: str | None = None
    derived: bool = False
    #: added after workbooks were made: an older workbook's table may lack it (its values are
    #: then blank; a change that would give it a value is refused with how to add it)
    later: bool = False

    def __post_init__(self) -> None:
        if self.derived and (self.formula is not None or self.field or self.prediction):
            raise ValueError(f"column {self.name!r}: a derived column has no formula or field")

    @property
    def header(self) -> str:
        """The header cell's text in the language in effect (see :mod:`salesflow_xl.core.i18n`)."""
        return workbook_name(self.name)

    @property
    def computed(self) -> bool:
        return self.formula is not None

    @property
    def filled(self) -> bool:
        """SalesFlow writes this column's values (a prediction or a derived figure)."""
        return self.prediction is not None or self.derived

    @property
    def number_format(self) -> str:
        return NUMBER_FORMATS[self.kind]


@dataclass(frozen=True)
class TableSpec:
    """An Excel table on its own sheet, its header in row 1 from column A.

    A column is named in code by its record field (``"value"``), or, for a column that stores
    no field (computed, predicted or derived), by its header (``"Weighted value"``): see
    :meth:`column_for`.
    """

    key: str
    sheet_name: str
    name: str
    columns: tuple[Column, ...]
    tab_color: str = "1F4E78"

    @property
    def sheet(self) -> str:
        """The sheet's name in the language in effect (``sheet_name`` in English)."""
        return workbook_name(self.sheet_name)

    def column(self, header: str) -> Column:
        """The column named ``header``, in English or in the language in effect."""
        return next(c for c in self.columns if header in (c.name, c.header))

    def header_of(self, field: str) -> str:
        """The header of the column that stores record field ``field``."""
        return next(c.header for c in self.columns if c.field == field)

    def column_for(self, key: str) -> Column:
        """The column storing record field ``key`` (or model figure ``key``, see
        :attr:`Column.prediction`), or else the field-less column headed ``key``.

        Raises KeyError naming the table when there is none, so a renamed header fails
        loudly wherever it is still used."""
        for column in self.columns:
            if key in (column.field, column.prediction):
                return column
        for column in self.columns:
            if column.field is None and key in (column.name, column.header):
                return column
        raise KeyError(f"{self.name} has no column for {key!r}")

    def ref(self, key: str) -> str:
        """The whole column as a structured reference: ``"value"`` → ``tblDeals[Value]``."""
        return f"{self.name}[{self.column_for(key).header}]"

    def this_row(self, key: str) -> str:
        """This row's cell of the column: ``tblDeals[[#This Row],[Value]]``."""
        return f"{self.name}[[#This Row],[{self.column_for(key).header}]]"

    def letter(self, key: str) -> str:
        """The column's letter on the table's sheet (the table starts in column A)."""
        return column_letter(self.columns.index(self.column_for(key)) + 1)

    @property
    def inputs(self) -> tuple[Column, ...]:
        """Columns the user (or an action) types into."""
        return tuple(c for c in self.columns if not c.computed and not c.filled)

    @property
    def predictions(self) -> tuple[Column, ...]:
        """Columns ``salesflow refresh`` fills with model figures."""
        return tuple(c for c in self.columns if c.prediction is not None)

    @property
    def derived(self) -> tuple[Column, ...]:
        """Columns SalesFlow fills with figures it derives from other tables, on every write."""
        return tuple(c for c in self.columns if c.derived)

    @property
    def computed(self) -> tuple[Column, ...]:
        """Columns with a native formula in every row."""
        return tuple(c for c in self.columns if c.computed)

    @property
    def key_column(self) -> Column:
        """The first required input column: a row without a value there is a blank row."""
        return next(c for c in self.inputs if c.required)


_THIS_ROW = re.compile(r"\[@([^\]]+)\]")
#: ``tblStages[Stage]``: a whole column of a table, named in English.
_TABLE_COLUMN = re.compile(r"\b(tbl\w+)\[([^\[\]@#]+)\]")


#: The words SalesFlow writes as cell values — a stage's outcome and so a deal's status, the
#: Rotting flag, the name of a deal's missing customer — English codes in the code, shown in
#: the workbook's language (a Chinese workbook's deals are 进行中, 赢单 or 丢单).
OUTCOME_WORDS: dict[Outcome, str] = {"open": W_("open"), "won": W_("won"), "lost": W_("lost")}
ROTTING = W_("Rotting")
UNKNOWN_CUSTOMER = W_("(unknown customer)")
VALUE_WORDS = frozenset((*OUTCOME_WORDS.values(), ROTTING, UNKNOWN_CUSTOMER))
#: An Excel string literal: ``"…"``, a quote inside doubled.
_LITERAL = re.compile(r'"((?:[^"]|"")*)"')


def word(code: str) -> str:
    """The cell value SalesFlow writes for ``code`` (one of :data:`VALUE_WORDS`) in the
    language in effect."""
    return workbook_name(code)


def literal(code: str) -> str:
    """``code``'s word as a formula's string literal (``"won"``, ``"赢单"``)."""
    return '"' + word(code).replace('"', '""') + '"'


def outcome_of(text: object) -> Outcome | None:
    """The outcome a Stages cell names: its English code or the word of the language in
    effect, in any case and with spaces around (``"Won "``, ``"赢单"`` → ``"won"``); None for
    anything else."""
    key = str(text).strip().lower()
    for code, name in OUTCOME_WORDS.items():
        if key in (code, word(name).lower()):
            return code
    return None


def expand(formula: str, table: str) -> str:
    """``[@Value]`` → ``tblDeals[[#This Row],[Value]]`` (the full form LibreOffice also reads),
    with every column name — of this row and of a whole column, ``tblStages[Stage]`` — and
    every text constant that is one of SalesFlow's :data:`VALUE_WORDS` in the language in
    effect."""
    formula = _LITERAL.sub(
        lambda m: literal(m.group(1)) if m.group(1) in VALUE_WORDS else m.group(0), formula
    )
    whole = _TABLE_COLUMN.sub(lambda m: f"{m.group(1)}[{workbook_name(m.group(2))}]", formula)
    return _THIS_ROW.sub(lambda m: f"{table}[[#This Row],[{workbook_name(m.group(1))}]]", whole)


def exactly(ref: str) -> str:
    """A COUNTIFS/SUMIFS criterion that matches the text in ``ref`` exactly. A bare cell as a
    criterion is read as a condition: a name beginning with ``<``, ``>`` or ``=`` becomes a
    comparison and ``*``, ``?`` and ``~`` are wildcards (a segment "<10 staff" would count
    every deal). Prefixed with "=" and its wildcards escaped with "~", it is plain text, in
    Excel and LibreOffice alike."""
    escaped = f'SUBSTITUTE(SUBSTITUTE(SUBSTITUTE({ref},"~","~~"),"*","~*"),"?","~?")'
    return f'"="&{escaped}'


@dataclass(frozen=True)
class Setting:
    """A named cell on the Settings sheet (column B, label in A; ``label_name`` in English,
    :attr:`label` in the language in effect)."""

    name: str
    label_name: str
    field: str | None
    kind: Kind
    note: str = ""
    formula: str | None = None
    #: a blank value cell is a problem (the as-of date may be blank: figures follow today)
    required: bool = True
    #: a workbook made before this setting existed lacks its row: read as the default
    optional_row: bool = False

    @property
    def label(self) -> str:
        return workbook_name(self.label_name)


@dataclass(frozen=True)
class ListSpec:
    """A one-column table of allowed values, named for data validation."""

    key: str  # field of core.model.Lists
    table: str
    header_name: str  # in English; :attr:`header` in the language in effect
    name: str  # defined name used by data validation

    @property
    def header(self) -> str:
        return workbook_name(self.header_name)

    @property
    def ref(self) -> str:
        """The list's values as a structured reference: ``tblChannels[Channel]``."""
        return f"{self.table}[{self.header}]"
