"""Installing the add-in into Excel (Windows and macOS), with xlwings' own installer.

Three steps: install the xlwings add-in (it provides ``RunPython``), install SalesFlow.xlam
into Excel's start-up folder (``xlwings addin install --file``), and point xlwings at this
Python interpreter in the user's xlwings configuration. On Linux there is no Excel: the plan is
shown, not run.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from salesflow_xl.core.errors import SalesflowError

XLSTART = {
    "Windows": r"%APPDATA%\Microsoft\Excel\XLSTART",
    "Darwin": "~/Library/Group Containers/UBF8T346G9.Office/User Content.localized/"
    "Startup.localized/Excel",
}


@dataclass(frozen=True)
class Step:
    """One install step: what it does, and the command it runs or the file it writes."""

    description: str
    command: tuple[str, ...] | None = None
    path: Path | None = None
    content: str | None = None


def user_config(existing: str, python: str) -> str:
    """The user's xlwings.conf with the interpreter set for Windows and macOS (other lines
    kept)."""
    keep = [
        line
        for line in existing.splitlines()
        if line.strip() and not line.startswith(('"INTERPRETER_WIN"', '"INTERPRETER_MAC"'))
    ]
    return (
        "\n".join([*keep, f'"INTERPRETER_WIN","{python}"', f'"INTERPRETER_MAC","{python}"']) + "\n"
    )


def plan(system: str, python: str, addin: Path, home: Path) -> list[Step]:
    config = home / ".xlwings" / "xlwings.conf"
    existing = config.read_text(encoding="utf-8") if config.exists() else ""
    xlwings = (python, "-c", "from xlwings.cli import main; main()")  # xlwings' own CLI
    return [
        Step(
            "Install the xlwings add-in (RunPython for the ribbon's buttons)",
            command=(*xlwings, "addin", "install"),
        ),
        Step(
            f"Install {addin.name} into Excel's start-up folder "
            f"({XLSTART.get(system, XLSTART['Windows'])})",
            command=(*xlwings, "addin", "install", "--file", str(addin)),
        ),
        Step(
            f"Point xlwings at this Python ({python}) in {config}",
            path=config,
            content=user_config(existing, python),
        ),
    ]


def execute(steps: list[Step]) -> None:
    for step in steps:
        if step.command:
            result = subprocess.run(step.command, capture_output=True, text=True, check=False)
            if result.returncode != 0:
                detail = (result.stderr or result.stdout).strip().splitlines()[-1:] or [""]
                raise SalesflowError(f"{step.description} failed: {detail[0]}")
        elif step.path is not None and step.content is not None:
            step.path.parent.mkdir(parents=True, exist_ok=True)
            step.path.write_text(step.content, encoding="utf-8")


def addin_file() -> Path:
    """The add-in to install: the source tree's build, else one built now."""
    from salesflow_xl.addin import build

    committed = build.INSTALL / build.ADDIN_NAME
    if committed.exists():
        return committed
    try:
        content = build.build()
    except ImportError as error:
        raise SalesflowError(
            "the add-in must be built first: pip install 'salesflow-xl[addin]'"
        ) from error
    target = Path.home() / ".salesflow" / build.ADDIN_NAME
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    return target


def current_python() -> str:
    return sys.executable
