"""The translation catalogues (salesflow_xl/locale): every text the code marks for translation is
translated in every language, with the same placeholders, and the compiled catalogue SalesFlow
reads says what its source says; the reports speak the language in effect."""

from __future__ import annotations

import gettext
import io
import re
import warnings
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from rich.console import Console

from salesflow_xl.core import demo, i18n
from salesflow_xl.core.errors import InvalidArgumentError
from salesflow_xl.core.report import build_report
from salesflow_xl.reports import chart_style, charts, html, terminal

PACKAGE = Path(__file__).resolve().parents[1] / "salesflow_xl"
LANGUAGES = [code for code in i18n.LANGUAGES if code != i18n.DEFAULT]
#: Each catalogue and the markers of its texts (as scripts/translations extracts them).
KEYWORDS = {
    i18n.DOMAIN: {"_": None, "N_": None, "ngettext": (1, 2)},
    i18n.WORKBOOK_DOMAIN: {"W_": None},
}
CATALOGUES = [(code, domain) for code in LANGUAGES for domain in KEYWORDS]
PLACEHOLDER = re.compile(r"\{[a-z_]*\}")


def marked_texts(domain: str) -> set[str]:
    """Every text of catalogue ``domain`` marked in the package's source."""
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        PACKAGE, keywords=KEYWORDS[domain], comment_tags=()
    ):
        found.update(message if isinstance(message, tuple) else (message,))
    return found


def catalogue(code: str, domain: str = i18n.DOMAIN):
    with i18n.catalogue_file(code, "po", domain).open("rb") as file:
        return read_po(file)


@pytest.fixture(scope="module")
def texts() -> dict[str, set[str]]:
    found = {domain: marked_texts(domain) for domain in KEYWORDS}
    assert len(found[i18n.DOMAIN]) > 50  # the extraction found the reports' texts
    assert len(found[i18n.WORKBOOK_DOMAIN]) > 100  # … and the workbook's names
    return found


@pytest.mark.parametrize(("code", "domain"), CATALOGUES)
def test_every_marked_text_is_translated(texts, code, domain) -> None:
    texts = texts[domain]
    messages = {m.id: m for m in catalogue(code, domain) if m.id}
    assert sorted(texts - set(messages)) == [], "run scripts/translations and translate"
    untranslated = [i for i, m in messages.items() if not m.string or m.fuzzy]
    assert untranslated == []
    assert sorted(set(messages) - texts) == [], "texts no longer in the code: scripts/translations"


@pytest.mark.parametrize(("code", "domain"), CATALOGUES)
def test_translations_keep_the_placeholders(code, domain) -> None:
    for message in catalogue(code, domain):
        if message.id:
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            for text in strings:
                assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(ids[0])), (
                    message.id
                )


@pytest.mark.parametrize(("code", "domain"), CATALOGUES)
def test_the_compiled_catalogue_says_what_its_source_says(code, domain) -> None:
    with i18n.catalogue_file(code, "mo", domain).open("rb") as file:
        compiled = gettext.GNUTranslations(file)
    for message in catalogue(code, domain):
        if message.id and not isinstance(message.id, tuple):
            assert compiled.gettext(message.id) == message.string, "run scripts/translations"


def test_language_codes_people_write_are_understood() -> None:
    assert {i18n.normalize(c) for c in ("zh_CN", "zh-Hans", "ZH-cn", "中文", "zh")} == {"zh-CN"}
    assert i18n.normalize("en-US") == "en"
    with pytest.raises(InvalidArgumentError, match="en or zh-CN"):
        i18n.normalize("fr")


def test_the_language_in_effect_is_restored() -> None:
    assert i18n._("Funnel") == "Funnel"
    with i18n.use("zh-CN"):
        assert i18n._("Funnel") == "销售漏斗"
        with i18n.use("en"):
            assert i18n._("Funnel") == "Funnel"
        assert i18n.current() == "zh-CN"
    assert i18n.current() == "en"


@pytest.fixture(scope="module")
def report():
    return build_report(demo.generate())


def printed(report, code: str) -> str:
    buffer = io.StringIO()
    with i18n.use(code):
        terminal.print_report(report, Console(file=buffer, width=200, color_system=None))
    return buffer.getvalue()


def test_the_terminal_report_speaks_chinese(report) -> None:
    english, chinese = printed(report, "en"), printed(report, "zh-CN")
    assert "Funnel" in english
    assert "Weighted forecast by expected close month" in english
    for heading in (
        "销售漏斗",
        "按预计成交月份的加权预测",
        "丢单原因",
        "赢单率",
        "截至 2026-06-30",
    ):
        assert heading in chinese
    for heading in ("Funnel", "Lost reasons", "Win rate", "customers"):
        assert heading not in chinese
    # the figures are the same in both languages
    number = re.compile(r"\d[\d,]*(?:\.\d+)?")
    assert number.findall(english.split("\n", 1)[0]) == number.findall(chinese.split("\n", 1)[0])


def test_the_html_report_speaks_chinese(report) -> None:
    with i18n.use("zh-CN"):
        page = html.render_page(report)
    assert '<html lang="zh-CN">' in page
    assert "<title>SalesFlow 销售报告" in page
    assert "客户终身价值最高的客户" in page
    assert "<code>salesflow report --json</code>" in page


def test_every_chart_in_chinese_has_every_glyph(report) -> None:
    """matplotlib warns for each character its fonts lack: none may be missing. The Chinese font
    is Debian's fonts-noto-cjk, which scripts/test installs (matplotlib lists fonts once: after
    installing it by hand, delete ~/.cache/matplotlib)."""
    assert chart_style.font_family()[1:] == ["Noto Sans CJK SC"]
    with i18n.use("zh-CN"), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for draw in charts.CHARTS.values():
            assert draw(report)[:4] == b"\x89PNG"
    assert [str(w.message) for w in caught if "missing from font" in str(w.message)] == []
