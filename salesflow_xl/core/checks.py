"""Argument checks shared by the metrics: each returns the value as float or raises
:class:`InvalidArgumentError` naming the argument and what it received."""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from salesflow_xl.core.errors import InvalidArgumentError
from salesflow_xl.core.i18n import _


def number(name: str, value: Any) -> float:
    """A finite real number (bool, text, None, NaN and infinities are refused)."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise InvalidArgumentError(name, value, _("a number"))
    result = float(value)
    if not math.isfinite(result):
        raise InvalidArgumentError(name, value, _("a finite number"))
    return result


def non_negative(name: str, value: Any) -> float:
    """A finite number >= 0."""
    result = number(name, value)
    if result < 0:
        raise InvalidArgumentError(name, value, _("a number >= 0"))
    return result


def positive(name: str, value: Any) -> float:
    """A finite number > 0."""
    result = number(name, value)
    if result <= 0:
        raise InvalidArgumentError(name, value, _("a number > 0"))
    return result


def fraction(name: str, value: Any) -> float:
    """A finite number in [0, 1] (a rate: 0.2 means 20 %)."""
    result = number(name, value)
    if not 0.0 <= result <= 1.0:
        raise InvalidArgumentError(name, value, _("a fraction in [0, 1] (0.2 means 20 %)"))
    return result
