"""Saves survive being killed at any moment: the workbook is always a whole old or new
version, the backup a whole earlier one, and the next save cleans up."""

from __future__ import annotations

import random
import subprocess
import sys
import textwrap
import time

import pytest

from salesflow_xl.workbook import store

SIZE = 4 * 1024 * 1024
CHILD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from salesflow_xl.workbook import store
    path = Path(sys.argv[1])
    for version in range(1, 200):
        store.save(path, bytes([version]) * {size} + b"end")
    """
).format(size=SIZE)


def whole_version(content: bytes) -> int | None:
    """The version number of a complete file written by the child (or the start), else None."""
    if len(content) != SIZE + 3 or not content.endswith(b"end"):
        return None
    first = content[0]
    return first if content[:SIZE] == bytes([first]) * SIZE else None


@pytest.mark.parametrize("trial", range(12))
def test_a_save_killed_at_a_random_moment_leaves_a_whole_workbook(tmp_path, trial) -> None:
    path = tmp_path / "Sales.xlsx"
    path.write_bytes(bytes([0]) * SIZE + b"end")
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(path)])
    time.sleep(random.Random(trial).uniform(0.05, 1.2))
    child.kill()
    child.wait()
    assert whole_version(path.read_bytes()) is not None
    backup = store.backup_path(path)
    if backup.exists():
        assert whole_version(backup.read_bytes()) is not None
    # the dead writer's lock and temporary files do not block or litter the next save
    store.save(path, bytes([250]) * SIZE + b"end")
    assert whole_version(path.read_bytes()) == 250
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Sales.backup.xlsx", "Sales.xlsx"]
