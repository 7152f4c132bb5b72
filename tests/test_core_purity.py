"""The core does no I/O: no openpyxl, xlwings, click, rich, file system or console inside it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CORE = Path(__file__).parent.parent / "salesflow_xl" / "core"
FORBIDDEN_MODULES = {
    "openpyxl",
    "xlwings",
    "click",
    "rich",
    "os",
    "sys",
    "io",
    "pathlib",
    "shutil",
    "tempfile",
    "subprocess",
    "logging",
    "python_calamine",
    "xlsxwriter",
}
FORBIDDEN_CALLS = {"open", "print", "input", "exec", "eval", "breakpoint"}
MODULES = sorted(CORE.rglob("*.py"))


def impurities(source: str) -> list[str]:
    """Every forbidden import, import from outside the core, and I/O call in ``source``."""
    problems = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            modules = [node.module or ""]
        else:
            modules = []
        for module in modules:
            if module.split(".")[0] in FORBIDDEN_MODULES:
                problems.append(f"line {node.lineno}: imports {module}")
            elif module.startswith("salesflow_xl") and not module.startswith("salesflow_xl.core"):
                problems.append(f"line {node.lineno}: imports {module} from outside the core")
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in FORBIDDEN_CALLS
        ):
            problems.append(f"line {node.lineno}: calls {node.func.id}()")
    return problems


def test_core_modules_are_found() -> None:
    assert len(MODULES) >= 8, MODULES


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(CORE)))
def test_core_module_is_pure(path: Path) -> None:
    assert impurities(path.read_text(encoding="utf-8")) == []


def test_the_purity_check_catches_io() -> None:
    sample = (
        "import openpyxl\n"
        "from salesflow_xl.cli import main\n"
        "from os import path\n"
        "from salesflow_xl.core import metrics\n"
        "print(open('x'))\n"
    )
    assert impurities(sample) == [
        "line 1: imports openpyxl",
        "line 2: imports salesflow_xl.cli from outside the core",
        "line 3: imports os",
        "line 5: calls print()",
        "line 5: calls open()",
    ]
