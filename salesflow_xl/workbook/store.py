"""Saving the user's workbook safely: one writer at a time, never while Excel has it open, atomic
replacement, and one backup of the previous version.

A save writes the new bytes to a temporary file beside the workbook, flushes it to disk and
renames it over the original (atomic on the same file system), so a crash at any moment leaves
either the old or the new file. The previous version is kept as ``<name>.backup<suffix>``.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from salesflow_xl.core.errors import SalesflowError


class WorkbookBusyError(SalesflowError):
    """Excel or another salesflow process is using the workbook."""


class NotWritableError(SalesflowError):
    """The workbook or its folder cannot be written: read-only, missing, or not permitted."""


def check_writable(path: Path) -> None:
    """Refuse, with what to do, to write ``path``: its folder must exist and take new files,
    and an existing file must not be read-only (the user made it so; even root respects it)."""
    folder = path.parent
    if not folder.is_dir():
        raise NotWritableError(f"cannot write {path.name}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise NotWritableError(
            f"cannot write {path.name}: the folder {folder} is not writable for you"
        )
    if path.exists() and not path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        raise NotWritableError(
            f"{path.name} is read-only: make it writable (or work on a copy) to let SalesFlow "
            "change it"
        )


def excel_lock_file(path: Path) -> Path:
    """Excel's owner file for an open workbook: ``~$`` + the name (short names keep it all)."""
    name = path.name
    return path.with_name("~$" + (name if len(name) <= 7 else name[2:]))


def backup_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}.backup{path.suffix}")


def _writer_lock(path: Path) -> Path:
    return path.with_name(f".{path.name}.salesflow-lock")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def check_not_open_in_excel(path: Path) -> None:
    for lock in {excel_lock_file(path), path.with_name("~$" + path.name)}:
        if lock.exists():
            raise WorkbookBusyError(
                f"{path.name} is open in Excel (lock file {lock.name}): save and close it in "
                "Excel, then run the command again"
            )


@contextlib.contextmanager
def writer_lock(path: Path) -> Iterator[None]:
    """Hold the one-writer lock of ``path`` (a lock file beside it naming this process)."""
    check_not_open_in_excel(path)
    check_writable(path)
    lock = _writer_lock(path)
    for _ in range(2):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            break
        except PermissionError as error:
            raise NotWritableError(
                f"cannot lock {path.name}: its folder does not let you create files"
            ) from error
        except FileExistsError:
            try:
                pid = int(lock.read_text().strip() or 0)
            except (OSError, ValueError):
                pid = 0
            if pid and _pid_alive(pid):
                raise WorkbookBusyError(
                    f"{path.name} is being changed by another salesflow process (pid {pid}); "
                    "wait for it to finish and try again"
                ) from None
            lock.unlink(missing_ok=True)  # left by a process that died: take it over
    else:  # pragma: no cover - lost the race twice
        raise WorkbookBusyError(f"could not lock {path.name}; try again")
    try:
        os.write(fd, str(os.getpid()).encode())
        os.close(fd)
        _remove_leftovers(path)
        yield
    finally:
        lock.unlink(missing_ok=True)


def _temporary_names(path: Path) -> list[Path]:
    """Temporary files a save of ``path`` or of its table cache creates (a killed save can
    leave them behind)."""
    backup = backup_path(path)
    found = list(path.parent.glob(f".{path.stem}.*{path.suffix}.tmp"))
    found += path.parent.glob(f".{path.name}.salesflow-cache.*.tmp")  # cache.save's
    return [*found, backup.with_name(backup.name + ".tmp")]


def _remove_leftovers(path: Path) -> None:
    """Delete what a killed save left; safe because this process now holds the lock."""
    for leftover in _temporary_names(path):
        leftover.unlink(missing_ok=True)


def atomic_write(path: Path, data: bytes, keep_backup: bool = True) -> None:
    """Replace ``path`` with ``data`` atomically, keeping the old file as the backup."""
    path = Path(path)
    check_writable(path)
    directory = path.parent
    fd, temp_name = tempfile.mkstemp(
        prefix=f".{path.stem}.", suffix=path.suffix + ".tmp", dir=directory
    )
    temp = Path(temp_name)
    backup = backup_path(path)
    backup_temp = backup.with_name(backup.name + ".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        # the temporary file is private (0600): give the workbook its own permissions back,
        # or the usual ones for a new file
        os.chmod(temp, _mode_of(path))
        if keep_backup and path.exists():
            _keep_as(path, backup_temp)
            os.replace(backup_temp, backup)
            backup_temp.unlink(missing_ok=True)  # left when both named one file already
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        backup_temp.unlink(missing_ok=True)
        raise
    _fsync_directory(directory)


def _keep_as(path: Path, copy: Path) -> None:
    """Make ``copy`` hold what ``path`` holds now: a second name for the same file where the
    file system allows it (nothing is copied; ``path`` is then replaced by a new file, so the
    two never differ), else a copy."""
    copy.unlink(missing_ok=True)
    try:
        os.link(path, copy)
    except OSError:
        copy.write_bytes(path.read_bytes())


def _mode_of(path: Path) -> int:
    if path.exists():
        return stat.S_IMODE(path.stat().st_mode)
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _fsync_directory(directory: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def save(path: Path, data: bytes) -> None:
    """Save ``data`` as the workbook at ``path``: locked, atomic, with a backup."""
    with writer_lock(path):
        atomic_write(path, data)
