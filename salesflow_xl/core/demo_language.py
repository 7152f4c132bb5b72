"""The demo business in another language: every name it has — stages, list values, campaigns,
deal titles, stage-log notes, people and companies — in that language, every number, date and
ID unchanged, so the figures do not depend on the language (a test holds the workbooks of both
languages equal cell for cell).

Names come from the workbook catalogue (:func:`~salesflow_xl.core.i18n.workbook_name`). People
and places are drawn from pools of the same length in each language, so the person the demo
generator drew as its *i*-th first name and *j*-th surname is the *i*-th and *j*-th of the
other pools (a Chinese name is written surname first). Layer: core.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pandas as pd

from salesflow_xl.core import i18n
from salesflow_xl.core.dataset import SalesData
from salesflow_xl.core.demo import FIRST_NAMES, LAST_NAMES, PLACE_WORDS
from salesflow_xl.core.model import Lists, Pipeline

#: Per language: (given names, surnames, place words), index for index with the English ones,
#: and how a name and a company are put together.
POOLS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "zh-CN": (
        tuple(
            "安娜 博文 可儿 大卫 依琳 方舟 格蕾 浩宇 伊诺 嘉诺 琪拉 路遥 玛拉 诺亚 欧嘉 宝罗 若莎 "
            "萨米 塔拉 宇墨 薇拉 文睿 雅拉 卓依".split()
        ),
        tuple("安 白 柯 戴 恩 费 高 韩 伊 金 凯 郎 梅 诺 欧 彭 秦 罗 舒 田 乌 冯 魏 袁 周".split()),
        tuple(
            "港湾 林登 榆树 磨坊 河畔 橡树 市集 花园 车站 桥头 城堡 草地 北城 老街 石桥 街角".split(
                " "
            )
        ),
    ),
}
#: Phone numbers: the demo's country prefix, and the one each language's demo uses instead.
PHONE_PREFIX = "+49 30 "
PHONE_PREFIXES = {"zh-CN": "+86 138 "}


#: The currency symbol a new workbook of each language starts with.
CURRENCIES: dict[str, str] = {"en": "", "zh-CN": "¥"}


def localized(data: SalesData, code: str) -> SalesData:
    """``data`` (a demo business, made in English) with its names in language ``code``, and
    the currency symbol of that language's demo business (a Chinese business sells in yuan:
    ¥; the amounts stay as they are)."""
    code = i18n.normalize(code)
    if code == i18n.DEFAULT:
        return data

    def name(value: object) -> object:
        return i18n.workbook_name(value, code) if isinstance(value, str) else value

    def names(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
        result = frame.copy()
        for column in columns:
            result[column] = result[column].map(name, na_action="ignore")
        return result

    customers = names(data.customers, ("segment", "channel", "campaign"))
    customers["name"] = customers["name"].map(_person(code), na_action="ignore")
    customers["company"] = customers["company"].map(_company(code, name), na_action="ignore")
    customers["phone"] = customers["phone"].map(_phone(code), na_action="ignore")
    pipeline = Pipeline(
        tuple(dataclasses.replace(s, name=name(s.name)) for s in data.pipeline.stages)
    )
    lists = Lists(
        **{
            field.name: tuple(name(v) for v in getattr(data.lists, field.name))
            for field in dataclasses.fields(Lists)
        }
    )
    return dataclasses.replace(
        data,
        settings=dataclasses.replace(data.settings, currency=CURRENCIES.get(code, "")),
        pipeline=pipeline,
        lists=lists,
        customers=customers,
        deals=names(data.deals, ("title", "stage", "lost_reason", "channel", "campaign")),
        stage_log=names(data.stage_log, ("from_stage", "to_stage", "note")),
        activities=names(data.activities, ("type", "note")),
        campaigns=names(data.campaigns, ("name", "channel")),
    )


def _person(code: str) -> Callable[[str], str]:
    given, surnames, _places = POOLS[code]
    first_of = dict(zip(FIRST_NAMES, given, strict=True))
    last_of = dict(zip(LAST_NAMES, surnames, strict=True))

    def person(full: str) -> str:
        first, last = full.split(" ", 1)
        return last_of[last] + first_of[first]

    return person


def _company(code: str, name: Callable[[object], object]) -> Callable[[str], str]:
    places = dict(zip(PLACE_WORDS, POOLS[code][2], strict=True))

    def company(full: str) -> str:
        place, business = full.split(" ", 1)
        return f"{places[place]}{name(business)}"

    return company


def _phone(code: str) -> Callable[[str], str]:
    prefix = PHONE_PREFIXES[code]
    return lambda phone: prefix + phone.removeprefix(PHONE_PREFIX)
