"""Marketing consent: a customer's yes, no or unknown, as the workbook writes it (its word in
the workbook's language: yes, 是 …) and as exports write it (TRUE, opt-in, subscribed …).

Only a customer whose consent is yes may be sent marketing (``salesflow export-contacts``);
blank is unknown. Layer: core (standard library only).
"""

from __future__ import annotations

from salesflow_xl.core.i18n import W_, workbook_name

#: Consent code → the workbook's word for it (translated with the workbook catalogue).
WORDS: dict[str, str] = {"yes": W_("yes"), "no": W_("no"), "unknown": W_("unknown")}
#: How exports and people write each, besides the workbook's word (case and spaces ignored).
SPELLINGS: dict[str, tuple[str, ...]] = {
    "yes": ("yes", "y", "true", "1", "opt-in", "opted in", "subscribed", "是", "同意", "已同意"),
    "no": ("no", "n", "false", "0", "opt-out", "opted out", "unsubscribed", "否", "拒绝", "不同意"),
    "unknown": ("unknown", "?", "未知"),
}


def code_of(text: object) -> str | None:
    """The consent code ("yes", "no", "unknown") ``text`` means: the workbook's word in the
    language in effect or a spelling of :data:`SPELLINGS`; None for anything else."""
    key = " ".join(str(text).split()).casefold()
    for code, spellings in SPELLINGS.items():
        if key == workbook_name(WORDS[code]).casefold() or key in spellings:
            return code
    return None


def word(code: str) -> str:
    """The workbook's word for consent ``code``, in the language in effect."""
    return workbook_name(WORDS[code])


def given(value: object) -> bool:
    """Whether a customer's consent cell says yes."""
    return value is not None and code_of(value) == "yes"
