"""Strict JSON (RFC 8259) as SalesFlow writes it, for the command line and the ribbon alike."""

from __future__ import annotations

import json
import math
from typing import Any


def strict_json(payload: Any) -> str:
    """``payload`` as strict JSON, indented, non-ASCII kept: a number that is not finite
    becomes null, as the report's "cannot be computed" figures are; never ``NaN`` or
    ``Infinity``."""

    def finite(value: Any) -> Any:
        if isinstance(value, float) and not math.isfinite(value):
            return None
        if isinstance(value, dict):
            return {key: finite(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [finite(item) for item in value]
        return value

    return json.dumps(finite(payload), indent=2, ensure_ascii=False, allow_nan=False)
