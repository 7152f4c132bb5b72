"""The language SalesFlow speaks: English or Simplified Chinese, through GNU gettext catalogues.

Every text a person reads is written in English in the code, marked ``_("…")`` where it is
used (or ``N_("…")`` where it is defined once and translated when shown), and looked up in the
catalogue of the language in effect: ``salesflow_xl/locale/<lang>/LC_MESSAGES/salesflow.po``,
compiled to ``.mo`` with Babel (``scripts/translations``; a test holds the compiled catalogue
equal to its source and every marked text translated). English needs no catalogue.

The workbook's own names — sheets, table headers, settings labels, stage names and list values
a new workbook starts with — are a second catalogue, ``workbook.po``, marked ``W_("…")`` and
looked up with :func:`workbook_name`: the same English word may need another Chinese word as a
sheet name than in a sentence ("Customers": 客户 the sheet, 客户数 the report's column).

The languages in effect are context variables: the workbook's (its names, set by whatever
opens a workbook with :func:`use_workbook`) and the messages' (set by a user's ``--lang`` at
a program's top level with :func:`choose`; without a choice, messages follow the workbook).
:func:`use` sets both for a block — a report, a new workbook — and everything it calls then
speaks that language.
Layer: core (standard library only). The catalogues are read as the package's own data
(``importlib.resources``), like constants of the code: never a file the user names.
"""

from __future__ import annotations

import gettext
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable

from salesflow_xl.core.errors import InvalidArgumentError

#: Language code → its name in that language.
LANGUAGES: dict[str, str] = {"en": "English", "zh-CN": "简体中文"}
DEFAULT = "en"
DOMAIN = "salesflow"
WORKBOOK_DOMAIN = "workbook"
#: The package holding the catalogues (read as package data, like a constant of the code).
LOCALE_PACKAGE = "salesflow_xl"

#: Spellings people use for each language, lower case, "_" as "-".
_ALIASES = {
    "en": "en",
    "en-us": "en",
    "en-gb": "en",
    "english": "en",
    "zh": "zh-CN",
    "zh-cn": "zh-CN",
    "zh-hans": "zh-CN",
    "zh-hans-cn": "zh-CN",
    "chinese": "zh-CN",
    "中文": "zh-CN",
    "简体中文": "zh-CN",
}

#: The workbook's language: its names (sheets, headers, labels, the words in its cells).
_workbook: ContextVar[str] = ContextVar("salesflow_workbook_language", default=DEFAULT)
#: The language messages are in, when it is not the workbook's (a user's ``--lang``).
_messages: ContextVar[str | None] = ContextVar("salesflow_message_language", default=None)


def normalize(code: str) -> str:
    """The language code for ``code`` ("zh_CN", "zh-Hans", "中文" → "zh-CN"; "en-US" → "en").

    Raises InvalidArgumentError naming the languages there are."""
    key = str(code).strip().lower().replace("_", "-")
    if key not in _ALIASES:
        raise InvalidArgumentError("language", code, " or ".join(LANGUAGES))
    return _ALIASES[key]


def gettext_name(code: str) -> str:
    """The catalogue directory of language ``code`` ("zh-CN" → "zh_CN")."""
    return normalize(code).replace("-", "_")


@cache
def translations(code: str, domain: str = DOMAIN) -> gettext.NullTranslations:
    """The compiled catalogue ``domain`` of language ``code`` (English: the texts as written)."""
    code = normalize(code)
    if code == DEFAULT:
        return gettext.NullTranslations()
    with catalogue_file(code, "mo", domain).open("rb") as file:
        return gettext.GNUTranslations(file)


def catalogue_file(code: str, kind: str, domain: str = DOMAIN) -> Traversable:
    """The catalogue ``domain`` of language ``code``: its source (``kind`` "po") or compiled
    form ("mo")."""
    locale = resources.files(LOCALE_PACKAGE).joinpath("locale", gettext_name(code))
    return locale.joinpath("LC_MESSAGES", f"{domain}.{kind}")


def current() -> str:
    """The language in effect for messages: the one chosen for them, else the workbook's."""
    return _messages.get() or _workbook.get()


def workbook_language() -> str:
    """The language of the workbook's own names in effect."""
    return _workbook.get()


@contextmanager
def use(code: str) -> Iterator[str]:
    """Speak and write language ``code`` inside the ``with`` block — messages and the
    workbook's names alike (nested blocks restore the outer)."""
    code = normalize(code)
    workbook, messages = _workbook.set(code), _messages.set(code)
    try:
        yield code
    finally:
        _messages.reset(messages)
        _workbook.reset(workbook)


@contextmanager
def use_workbook(code: str) -> Iterator[str]:
    """Read and write a workbook in language ``code`` inside the ``with`` block: its names are
    looked up in ``code``; messages stay in the language chosen for them, or follow the
    workbook's when none was (a gateway opening a workbook)."""
    token = _workbook.set(normalize(code))
    try:
        yield _workbook.get()
    finally:
        _workbook.reset(token)


def choose(code: str) -> None:
    """Write messages in language ``code`` from now on, in the current context, whatever
    workbook is opened, without restoring the language before: for a program's top level that
    runs one command (the command line), which runs it in a context of its own. Everything
    else sets the language for a block with :func:`use`."""
    _messages.set(normalize(code))


def _(message: str) -> str:
    """``message`` in the language in effect for messages."""
    return translations(current()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form of a message for ``count`` things, in the language in effect for messages."""
    return translations(current()).ngettext(singular, plural, count)


def N_(message: str) -> str:  # noqa: N802 (gettext's name for the marker)
    """Mark ``message`` for translation where it is defined; :func:`_` translates it when it
    is shown."""
    return message


def W_(name: str) -> str:  # noqa: N802 (a marker, like N_)
    """Mark one of the workbook's names for the workbook catalogue; :func:`workbook_name`
    translates it."""
    return name


def workbook_name(name: str, code: str | None = None) -> str:
    """The workbook's name ``name`` (a sheet, header, label, stage or list value, in English)
    in language ``code`` (default: the workbook's language in effect)."""
    return translations(code or _workbook.get(), WORKBOOK_DOMAIN).gettext(name)
