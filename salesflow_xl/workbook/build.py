"""Build the two committed workbooks: ``workbook/SalesFlow.xlsx`` (empty) and
``workbook/SalesFlow-demo.xlsx`` (the demo business). Run ``python -m salesflow_xl.workbook.build``
after changing the schema or the template; a test fails while they differ from the builder."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from salesflow_xl.core import demo
from salesflow_xl.workbook import template

#: The as-of date of the empty template (users set theirs on the Settings sheet).
TEMPLATE_AS_OF = date(2026, 1, 1)
TEMPLATE_NAME = "SalesFlow.xlsx"
DEMO_NAME = "SalesFlow-demo.xlsx"


def committed_workbooks() -> dict[str, bytes]:
    """File name → the bytes the builder produces for it."""
    return {
        TEMPLATE_NAME: template.render(template.blank(TEMPLATE_AS_OF)),
        DEMO_NAME: template.render(demo.generate()),
    }


def main(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in committed_workbooks().items():
        (folder / name).write_bytes(content)
        print(f"wrote {folder / name} ({len(content):,} bytes)")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parents[2] / "workbook")
