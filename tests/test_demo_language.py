"""The demo business in Chinese: every name in Chinese, every figure the English demo's.

The independent truth is the English demo itself: its report, figure by figure, must be the
Chinese demo's report, the numbers equal and the names the catalogue's translations."""

from __future__ import annotations

import dataclasses
import re

import pandas as pd
import pytest

from salesflow_xl.core import demo, i18n, presets
from salesflow_xl.core.demo_language import localized
from salesflow_xl.core.report import Report, build_report

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module", params=list(presets.PRESETS))
def both(request):
    english = demo.generate(preset=request.param)
    return english, localized(english, "zh-CN")


def test_every_name_is_chinese(both) -> None:
    _english, chinese = both
    for name in chinese.pipeline.names:
        assert CJK.search(name), name
    for field in dataclasses.fields(chinese.lists):
        for value in getattr(chinese.lists, field.name):
            assert CJK.search(value), value
    texts = {
        "customers": ("name", "segment", "channel"),
        "deals": ("title", "stage", "channel"),
        "stage_log": ("to_stage",),
        "activities": ("type",),
        "campaigns": ("name", "channel"),
    }
    for table, columns in texts.items():
        frame = chinese.table(table)
        for column in columns:
            values = frame[column].dropna()
            assert len(values) > 0, (table, column)
            assert values.map(lambda v: bool(CJK.search(v))).all(), (table, column)


def test_people_are_named_surname_first_and_stay_distinct(both) -> None:
    english, chinese = both
    pairs = set(zip(english.customers["name"], chinese.customers["name"], strict=True))
    # one Chinese name per English name and back: nobody is merged or split
    assert len({e for e, _ in pairs}) == len({c for _, c in pairs}) == len(pairs)
    first = chinese.customers["name"].iloc[0]
    assert 2 <= len(first) <= 4


def test_ids_numbers_and_dates_are_the_english_demos(both) -> None:
    english, chinese = both
    for table in ("customers", "deals", "stage_log", "activities", "campaigns", "orders"):
        left, right = english.table(table), chinese.table(table)
        assert list(left.columns) == list(right.columns)
        for column in left.columns:
            if left[column].dtype == object and column not in ("id", "customer_id", "deal_id"):
                continue  # a name: compared through the report below
            pd.testing.assert_series_equal(left[column], right[column], check_names=False)
    assert dataclasses.replace(chinese.settings, currency="") == english.settings
    assert (english.settings.currency, chinese.settings.currency) == ("", "¥")  # yuan


def test_the_report_is_the_same_in_both_languages(both) -> None:
    """Every figure of the report equal; every name the translation of the English one (rows
    compared as sets: a table sorted by name has another order in Chinese)."""
    english, chinese = both
    left, right = build_report(english), build_report(chinese)
    people = ("top_customers", "rotting_deals", "followups_due")  # names checked above

    def translated(value: object) -> object:
        return i18n.workbook_name(value, "zh-CN") if isinstance(value, str) else value

    for field in dataclasses.fields(Report):
        a, b = getattr(left, field.name), getattr(right, field.name)
        if not isinstance(a, pd.DataFrame):
            assert a == b, field.name
            continue
        assert a.shape == b.shape, field.name
        texts = [
            c
            for c in a.columns
            if not pd.api.types.is_numeric_dtype(a[c])
            and not pd.api.types.is_datetime64_any_dtype(a[c])
        ]
        if field.name in people:
            a, b = a.drop(columns=texts), b.drop(columns=texts)
        elif field.name != "rfm_segments":  # RFM segments: SalesFlow's own names in both
            a = a.assign(**{c: a[c].map(translated) for c in texts})
        columns = [str(c) for c in a.columns]
        a, b = a.set_axis(columns, axis=1), b.set_axis(columns, axis=1)
        pd.testing.assert_frame_equal(
            a.sort_values(columns).reset_index(drop=True),
            b.sort_values(columns).reset_index(drop=True),
            obj=field.name,
        )
