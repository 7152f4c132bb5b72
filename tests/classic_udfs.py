"""The worksheet functions as classic xlwings (Windows) sees them, here on Linux: xlwings'
``xlwings.udfs`` imported with its Windows-only modules stubbed, and ``salesflow_udfs``
imported afresh under a given set of decorators. Both undo with the test's monkeypatch."""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

import pytest

#: The Windows-only modules ``xlwings.udfs`` imports.
WINDOWS_MODULES = ("pythoncom", "pywintypes", "win32com", "win32com.client")


def windows_udfs(monkeypatch: pytest.MonkeyPatch) -> Any:
    """``xlwings.udfs`` (classic's decorators and VBA writer) imported afresh, the Windows
    modules stubbed."""
    for name in WINDOWS_MODULES:
        monkeypatch.setitem(sys.modules, name, types.ModuleType(name))
    sys.modules["pythoncom"].CoInitialize = lambda: None
    sys.modules["win32com.client"].Dispatch = lambda *args, **kwargs: None
    monkeypatch.delitem(sys.modules, "xlwings.udfs", raising=False)
    return importlib.import_module("xlwings.udfs")


def import_under(monkeypatch: pytest.MonkeyPatch, func: Any, arg: Any, ret: Any) -> Any:
    """``salesflow_udfs`` imported afresh with ``xlwings.func/arg/ret`` replaced."""
    import xlwings

    monkeypatch.setattr(xlwings, "func", func)
    monkeypatch.setattr(xlwings, "arg", arg)
    monkeypatch.setattr(xlwings, "ret", ret)
    for name in [m for m in sys.modules if m.split(".")[0] == "salesflow_udfs"]:
        monkeypatch.delitem(sys.modules, name)
    return importlib.import_module("salesflow_udfs")
