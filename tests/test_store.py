"""Saving: atomic, with one backup, refused while Excel or another writer has the file."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from salesflow_xl.workbook import store


def test_save_replaces_and_keeps_one_backup(tmp_path) -> None:
    path = tmp_path / "Sales.xlsx"
    path.write_bytes(b"version 1")
    store.save(path, b"version 2")
    store.save(path, b"version 3")
    assert path.read_bytes() == b"version 3"
    assert store.backup_path(path).read_bytes() == b"version 2"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Sales.backup.xlsx", "Sales.xlsx"]


@pytest.mark.parametrize("lock_name", ["~$Sales.xlsx", "~$les.xlsx"])
def test_refuses_while_excel_has_the_file_open(tmp_path, lock_name) -> None:
    path = tmp_path / "Sales.xlsx"
    path.write_bytes(b"original")
    (tmp_path / lock_name).write_bytes(b"owner")
    with pytest.raises(store.WorkbookBusyError, match="open in Excel") as caught:
        store.save(path, b"new")
    assert "close it in Excel" in str(caught.value)
    assert path.read_bytes() == b"original"


def test_refuses_while_another_writer_holds_the_lock(tmp_path) -> None:
    path = tmp_path / "Sales.xlsx"
    path.write_bytes(b"original")
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        (tmp_path / ".Sales.xlsx.salesflow-lock").write_text(str(other.pid))
        with pytest.raises(store.WorkbookBusyError, match=f"pid {other.pid}"):
            store.save(path, b"new")
    finally:
        other.kill()
        other.wait()
    assert path.read_bytes() == b"original"


def test_a_dead_writers_lock_is_taken_over(tmp_path) -> None:
    path = tmp_path / "Sales.xlsx"
    path.write_bytes(b"original")
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (tmp_path / ".Sales.xlsx.salesflow-lock").write_text(str(dead.pid))
    store.save(path, b"new")
    assert path.read_bytes() == b"new"
    assert not (tmp_path / ".Sales.xlsx.salesflow-lock").exists()


def test_a_failed_write_leaves_the_file_and_no_temporary(tmp_path, monkeypatch) -> None:
    path = tmp_path / "Sales.xlsx"
    path.write_bytes(b"original")

    def broken_replace(*_args, **_kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        store.save(path, b"new")
    assert path.read_bytes() == b"original"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Sales.xlsx"]


def test_a_save_keeps_the_workbooks_permissions(tmp_path) -> None:
    path = tmp_path / "Sales.xlsx"
    path.write_bytes(b"version 1")
    path.chmod(0o640)
    store.save(path, b"version 2")
    assert path.stat().st_mode & 0o777 == 0o640
    fresh = tmp_path / "New.xlsx"
    store.save(fresh, b"new")
    assert fresh.stat().st_mode & 0o777 == 0o666 & ~_umask()


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
