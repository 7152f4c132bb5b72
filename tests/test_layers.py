"""The layers import only downwards: each package of ``salesflow_xl`` (and the worksheet
functions' ``salesflow_udfs``) may import only the layers listed for it. Imports are read from
the source, relative ones resolved, those inside functions included."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
PACKAGE = ROOT / "salesflow_xl"
UDFS = ROOT / "udfs" / "salesflow_udfs"

#: layer → the module prefixes it may import (besides the standard library and third parties)
ALLOWED: dict[str, tuple[str, ...]] = {
    "core": ("salesflow_xl.core",),
    "ooxml": (
        "salesflow_xl.ooxml",
        "salesflow_xl.core.errors",
        "salesflow_xl.core.excel_errors",
        "salesflow_xl.core.limits",
    ),
    "workbook": ("salesflow_xl.workbook", "salesflow_xl.ooxml", "salesflow_xl.core"),
    # recalc sits beside the surfaces: its bridge loads the worksheet functions by name
    "recalc": ("salesflow_xl.recalc", "salesflow_xl.ooxml", "salesflow_xl.core", "salesflow_udfs"),
    "actions": ("salesflow_xl.actions", "salesflow_xl.core"),
    "gateway": (
        "salesflow_xl.gateway",
        "salesflow_xl.actions",
        "salesflow_xl.workbook",
        "salesflow_xl.core",
    ),
    "reports": ("salesflow_xl.reports", "salesflow_xl.core"),
    "excel": (
        "salesflow_xl.excel",
        "salesflow_xl.gateway",
        "salesflow_xl.actions",
        "salesflow_xl.core",
    ),
    # the xlwings Lite surface, like the Excel one
    "lite": (
        "salesflow_xl.lite",
        "salesflow_xl.gateway",
        "salesflow_xl.actions",
        "salesflow_xl.core",
    ),
    "addin": ("salesflow_xl.addin", "salesflow_xl.ooxml", "salesflow_xl.core"),
    "cli": ("salesflow_xl", "salesflow_udfs"),
    "root": (),
    "salesflow_udfs": ("salesflow_udfs", "salesflow_xl.core"),
}
#: third-party packages a layer must not import (the surfaces' and the file's libraries)
FORBIDDEN: dict[str, set[str]] = {
    "actions": {"openpyxl", "xlwings", "click", "rich", "python_calamine", "matplotlib"},
    "gateway": {"openpyxl", "xlwings", "click", "rich", "matplotlib"},
    "ooxml": {"pandas", "openpyxl", "xlwings", "click"},
    "reports": {"openpyxl", "xlwings", "click", "python_calamine"},
    "salesflow_udfs": {"openpyxl", "click", "rich", "python_calamine"},
    # Lite installs only what Pyodide has: none of the command line's and the file's libraries
    "lite": {"openpyxl", "click", "rich", "python_calamine", "matplotlib"},
}


def module_name(path: Path) -> str:
    base = UDFS.parent if path.is_relative_to(UDFS) else ROOT
    parts = list(path.relative_to(base).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(path: Path) -> str:
    if path.is_relative_to(UDFS):
        return "salesflow_udfs"
    relative = path.relative_to(PACKAGE)
    if relative.parts == ("__init__.py",):
        return "root"  # imported by every layer: it may import none of them
    if relative.parts == ("__main__.py",):
        return "cli"
    return relative.parts[0]


def imports_of_source(source: str, package: str) -> list[tuple[int, str]]:
    """(line, absolute module) of every import in ``source``, a module of ``package``;
    relative imports resolved, "from package import name" taken as importing package.name."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
        elif (  # lazy("salesflow_xl.actions.deals"): an import made when first used
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "lazy"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append((node.lineno, node.args[0].value))
    return found


def imports(path: Path) -> list[tuple[int, str]]:
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    return imports_of_source(path.read_text(encoding="utf-8"), package)


def violations(layer: str, found: list[tuple[int, str]]) -> list[str]:
    allowed = ALLOWED[layer]
    forbidden = FORBIDDEN.get(layer, set())
    problems = []
    for line, module in found:
        top = module.split(".")[0]
        if top in ("salesflow_xl", "salesflow_udfs"):
            if not any(module == a or module.startswith(a + ".") for a in allowed):
                problems.append(f"line {line}: {layer} imports {module}")
        elif top in forbidden:
            problems.append(f"line {line}: {layer} imports {top}")
    return problems


SOURCES = sorted([*PACKAGE.rglob("*.py"), *UDFS.rglob("*.py")])


def test_every_module_has_a_layer() -> None:
    assert {layer_of(p) for p in SOURCES} == set(ALLOWED)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_go_down_the_layers(path: Path) -> None:
    assert violations(layer_of(path), imports(path)) == []


def test_the_layer_check_catches_upward_relative_and_late_imports() -> None:
    sample = (
        "from salesflow_xl.workbook import schema\n"
        "from ..gateway import run\n"
        "from . import changes\n"
        "def f():\n"
        "    import openpyxl\n"
        'reports = lazy("salesflow_xl.reports.terminal")\n'
    )
    found = imports_of_source(sample, "salesflow_xl.actions")
    assert found == [
        (1, "salesflow_xl.workbook.schema"),
        (2, "salesflow_xl.gateway.run"),
        (3, "salesflow_xl.actions.changes"),
        (5, "openpyxl"),
        (6, "salesflow_xl.reports.terminal"),
    ]
    assert violations("actions", found) == [
        "line 1: actions imports salesflow_xl.workbook.schema",
        "line 2: actions imports salesflow_xl.gateway.run",
        "line 5: actions imports openpyxl",
        "line 6: actions imports salesflow_xl.reports.terminal",
    ]
