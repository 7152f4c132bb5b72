"""The ``salesflow`` command (``python -m salesflow_xl``): checks that the command line's own
packages are installed, then runs :func:`salesflow_xl.cli.main`.

A plain ``pip install salesflow-xl`` installs only what the worksheet functions and the workbook
actions need (so that xlwings Lite, in the browser, can install it); the command line needs the
``[cli]`` extra. Without it ``salesflow`` says so in one line and exits 2, instead of a
traceback from the first missing import."""

from __future__ import annotations

import contextlib
import os
import sys
from importlib.util import find_spec

#: The modules of the ``[cli]`` extra (pyproject.toml): the command line (click, rich), reading
#: and writing workbook files (openpyxl, python-calamine) and the report's charts (matplotlib).
CLI_MODULES = ("click", "rich", "openpyxl", "python_calamine", "matplotlib")
#: The exit code of a command that cannot run as installed (click's code for a usage error).
NOT_INSTALLED = 2


def missing_modules() -> list[str]:
    """The ``[cli]`` modules this Python cannot import (looked up, not imported)."""
    return [name for name in CLI_MODULES if not _findable(name)]


def _findable(name: str) -> bool:
    try:
        return find_spec(name) is not None
    except ImportError:  # a finder that refuses the name
        return False


def main() -> None:
    """Run the command line, or say which install it needs."""
    missing = missing_modules()
    if missing:
        from salesflow_xl.core import i18n
        from salesflow_xl.core.errors import SalesflowError
        from salesflow_xl.core.i18n import _

        with contextlib.suppress(SalesflowError):  # an unknown language: English
            i18n.choose(os.environ.get("SALESFLOW_LANG") or i18n.DEFAULT)
        print(
            _("SalesFlow's command line needs: {command} (missing: {modules})").format(
                command='pip install "salesflow-xl[cli]"', modules=", ".join(missing)
            ),
            file=sys.stderr,
        )
        sys.exit(NOT_INSTALLED)
    from salesflow_xl.cli import main as command

    command()


if __name__ == "__main__":
    main()
