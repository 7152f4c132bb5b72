"""The README's examples run as shown, on any day (as sqlite-utils keeps its docs true).

Every ```text block of the README with ``$ salesflow …`` lines is run in a fresh folder, command
by command, and each command's output must match the lines shown under it: exactly, except
that a line starting ``[…`` or a lone ``…`` stands for any number of lines, and times
(``3.5 s``) may differ. Files the examples use ship in ``docs/examples``; the folder also has
a fresh copy of the demo workbook as ``Sales.xlsx`` (unless the block creates it) and the
package's ``salesflow_xl/data``.
"""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from salesflow_xl.cli import main
from salesflow_xl.workbook import build

ROOT = Path(__file__).parent.parent
README = ROOT / "README.md"
EXAMPLES = ROOT / "docs" / "examples"
ELIDED = re.compile(r"^(\[….*|…)$")
SECONDS = re.compile(r"\b\d+(\.\d+)? s\b")


def blocks() -> list[list[tuple[str, list[str]]]]:
    """Each README text block with commands, as (command, expected output lines) pairs."""
    found = []
    for block in re.findall(r"```text\n(.*?)```", README.read_text(encoding="utf-8"), re.S):
        pairs: list[tuple[str, list[str]]] = []
        for line in block.splitlines():
            if line.startswith("$ "):
                pairs.append((line[2:], []))
            elif pairs:
                pairs[-1][1].append(line.rstrip())
        if pairs:
            found.append(pairs)
    return found


def matches(expected: list[str], got: list[str]) -> bool:
    """Whether ``got`` is ``expected`` with each elision standing for any lines."""
    if not expected:
        return not got
    head, rest = expected[0], expected[1:]
    if ELIDED.match(head):
        return any(matches(rest, got[i:]) for i in range(len(got) + 1))
    return bool(got) and _same(head, got[0]) and matches(rest, got[1:])


def _same(expected: str, got: str) -> bool:
    return SECONDS.sub("N s", expected) == SECONDS.sub("N s", got.rstrip())


def setup(folder: Path, commands: list[str]) -> None:
    shutil.copytree(EXAMPLES, folder, dirs_exist_ok=True)
    (folder / "salesflow_xl").mkdir()
    (folder / "salesflow_xl" / "data").symlink_to(ROOT / "salesflow_xl" / "data")
    if not any(c.startswith("salesflow new Sales.xlsx") for c in commands):
        (folder / "Sales.xlsx").write_bytes(build.committed_workbooks()[build.DEMO_NAME])


def broken_copy(folder: Path) -> None:
    """Broken.xlsx: the demo workbook with the two bad cells the README shows."""
    from openpyxl import load_workbook

    book = load_workbook(folder / "Demo.xlsx")
    book["Deals"]["E5"] = "twelve hundred"
    book["Deals"]["F9"] = "Maybe"
    book.save(folder / "Broken.xlsx")


BLOCKS = blocks()


def test_the_readme_has_its_examples() -> None:
    commands = [c for block in BLOCKS for c, _ in block]
    assert len(commands) >= 20
    assert all(c.startswith("salesflow ") for c in commands)


@pytest.mark.parametrize(
    "block", BLOCKS, ids=[f"{b[0][0].split()[1]}-{i}" for i, b in enumerate(BLOCKS)]
)
def test_readme_block_runs_as_shown(block, tmp_path, monkeypatch) -> None:
    commands = [command for command, _ in block]
    if any(" recalc " in f" {c} " for c in commands) and not shutil.which("soffice"):
        pytest.fail("this README example needs LibreOffice: scripts/test installs it")
    setup(tmp_path, commands)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    for command, expected in block:
        args = shlex.split(command, comments=True)[1:]
        if "Broken.xlsx" in args:
            broken_copy(tmp_path)
        result = runner.invoke(main, args, env={"COLUMNS": "100"}, prog_name="salesflow")
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            command,
            result.exception,
        )
        wants_error = any(line.startswith(("Error: ", "错误：")) for line in expected)
        assert (result.exit_code != 0) == wants_error, (command, result.output)
        if expected:
            got = [line.rstrip() for line in result.output.splitlines()]
            assert matches(expected, got), (command, "\n".join(got))


def test_the_matcher_needs_every_shown_line() -> None:
    assert matches(["a", "[… more …]", "d"], ["a", "b", "c", "d"])
    assert matches(["a", "…"], ["a", "b"])
    assert not matches(["a", "d"], ["a", "b", "d"])
    assert not matches(["a", "[…]", "e"], ["a", "b", "d"])
    assert matches(["took 3.5 s."], ["took 12.25 s."])
