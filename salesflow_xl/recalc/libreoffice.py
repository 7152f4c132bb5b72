"""Headless recalculation with LibreOffice.

LibreOffice recalculates a copy of the workbook (its profile forces a full recalculation on
load, and carries the UDF bridge so ``=CLV()`` cells run this package's own Python functions).
The computed values are then stored as the cached values of the *original* file's formula cells:
no formula, style, chart or other part changes. LibreOffice's own re-saved file is only read,
never handed to the user (it rewrites formulas).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import signal
import subprocess
import sysconfig
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from salesflow_xl.core.errors import SalesflowError
from salesflow_xl.core.i18n import N_, _
from salesflow_xl.ooxml import sheetxml
from salesflow_xl.ooxml.package import Package
from salesflow_xl.ooxml.sheetxml import CellValue, ExcelError
from salesflow_xl.recalc import udf_bridge

RECALC_SETTINGS = (
    ("/org.openoffice.Office.Calc/Formula/Load", "OOXMLRecalcMode", "int", "0"),
    ("/org.openoffice.Office.Calc/Formula/Load", "ODFRecalcMode", "int", "0"),
    ("/org.openoffice.Office.Common/Security/Scripting", "MacroSecurityLevel", "int", "0"),
)
INSTALL_HINT = N_(
    "install LibreOffice Calc (Debian/Ubuntu: apt-get install --no-install-recommends "
    "libreoffice-calc-nogui python3-uno libreoffice-script-provider-python)"
)


class RecalcError(SalesflowError):
    """LibreOffice is missing or could not recalculate the workbook."""


@dataclass
class RecalcResult:
    """What a recalculation did: the new file content and what it found."""

    content: bytes
    formulas: int
    errors: dict[str, str] = field(default_factory=dict)  # "Sheet!A1" → "#DIV/0!"


def soffice() -> str:
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    raise RecalcError(_("LibreOffice was not found: {hint}").format(hint=_(INSTALL_HINT)))


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "salesflow"


def _profile_key(bridge: bool = True) -> str:
    content = "\n".join(
        [
            udf_bridge.basic_module() if bridge else "no bridge",
            udf_bridge.python_script(_python_paths()) if bridge else "",
            repr(RECALC_SETTINGS),
        ]
    )
    return hashlib.sha256(content.encode()).hexdigest()[:16]


def _python_paths() -> list[str]:
    """Where LibreOffice's Python finds this package and its dependencies."""
    import salesflow_udfs

    package_root = str(Path(__file__).resolve().parents[2])
    udfs_root = str(Path(salesflow_udfs.__file__).resolve().parents[1])
    paths = [
        package_root,
        udfs_root,
        sysconfig.get_paths()["purelib"],
        sysconfig.get_paths()["platlib"],
    ]
    return list(dict.fromkeys(paths))


def profile(binary: str | None = None, bridge: bool = True) -> Path:
    """A LibreOffice user profile that forces recalculation and carries the UDF bridge (without
    ``bridge``: as LibreOffice is for a user who has no SalesFlow); built once and cached
    (``~/.cache/salesflow``)."""
    target = _cache_dir() / f"lo-profile-{_profile_key(bridge)}"
    if (target / "user" / "registrymodifications.xcu").exists():
        return target
    binary = binary or soffice()
    target.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix="lo-profile-", dir=target.parent))
    # First start writes a fresh profile (and would overwrite a Basic module written earlier).
    _run(
        [
            binary,
            f"-env:UserInstallation={building.as_uri()}",
            "--headless",
            "--terminate_after_init",
        ],
        timeout=120,
    )
    user = building / "user"
    registry = user / "registrymodifications.xcu"
    if not registry.exists():
        raise RecalcError(
            _("LibreOffice did not create its profile in {folder}").format(folder=building)
        )
    items = "".join(
        f'<item oor:path="{path}"><prop oor:name="{name}" oor:op="fuse">'
        f"<value>{value}</value></prop></item>\n"
        for path, name, _type, value in RECALC_SETTINGS
    )
    text = registry.read_text(encoding="utf-8")
    registry.write_text(text.replace("</oor:items>", items + "</oor:items>"), encoding="utf-8")
    if bridge:
        _add_bridge(user)
    try:
        building.rename(target)
    except OSError:  # another process built it first
        shutil.rmtree(building, ignore_errors=True)
    return target


def _add_bridge(user: Path) -> None:
    """Install the UDF bridge (a Basic module and a Python script) into a profile."""
    basic = user / "basic" / "Standard"
    basic.mkdir(parents=True, exist_ok=True)
    (basic / "SalesFlow.xba").write_text(
        _xba("SalesFlow", udf_bridge.basic_module()), encoding="utf-8"
    )
    index = basic / "script.xlb"
    listing = index.read_text(encoding="utf-8") if index.exists() else _XLB
    if 'library:name="SalesFlow"' not in listing:
        listing = listing.replace(
            "</library:library>", ' <library:element library:name="SalesFlow"/>\n</library:library>'
        )
    index.write_text(listing, encoding="utf-8")
    scripts = user / "Scripts" / "python"
    scripts.mkdir(parents=True, exist_ok=True)
    (scripts / f"{udf_bridge.SCRIPT_NAME}.py").write_text(
        udf_bridge.python_script(_python_paths()), encoding="utf-8"
    )


_XLB = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE library:library PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "library.dtd">
<library:library xmlns:library="http://openoffice.org/2000/library" library:name="Standard" \
library:readonly="false" library:passwordprotected="false">
</library:library>
"""


def _xba(name: str, code: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" '
        '"module.dtd">\n'
        '<script:module xmlns:script="http://openoffice.org/2000/script" '
        f'script:name="{name}" script:language="StarBasic">{escape(code)}</script:module>\n'
    )


def _run(command: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            stdin=subprocess.DEVNULL,
            env=office_environment(),
        )
    except subprocess.TimeoutExpired as error:
        raise RecalcError(
            _("LibreOffice did not finish within {seconds} s").format(seconds=f"{timeout:.0f}")
        ) from error


def convert_command(source: Path, outdir: Path, bridge: bool = True) -> list[str]:
    """The LibreOffice command line that recalculates ``source`` into ``outdir`` as .xlsx (with
    :func:`profile`: recalculation on load, the UDF bridge unless ``bridge`` is False). Run it
    with :func:`office_environment`."""
    binary = soffice()
    return [
        binary,
        f"-env:UserInstallation={profile(binary, bridge).as_uri()}",
        "--headless",
        "--norestore",
        "--convert-to",
        "xlsx:Calc MS Excel 2007 XML",
        "--outdir",
        str(outdir),
        str(source),
    ]


def convert(source: Path, outdir: Path, timeout: float = 600, bridge: bool = True) -> Path:
    """Let LibreOffice load ``source`` (recalculating everything) and save it as .xlsx in
    ``outdir``; returns the converted file.

    LibreOffice's embedded Python takes its home from the first ``python3`` on PATH; started
    from a virtual environment or pyenv it picks that interpreter's library, fails to load the
    UDF bridge and never exits. So it runs with :func:`office_environment`, and as a second
    guard the process group is ended once the converted file is complete and LibreOffice has had
    ``EXIT_GRACE`` seconds to exit by itself.
    """
    converted = outdir / (source.stem + ".xlsx")
    command = convert_command(source, outdir, bridge)
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            command,
            stdout=log,
            stderr=log,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            env=office_environment(),
        )
        deadline = time.monotonic() + timeout
        done_since: float | None = None
        try:
            while process.poll() is None:
                now = time.monotonic()
                if now > deadline:
                    raise RecalcError(
                        _("LibreOffice did not finish within {seconds} s").format(
                            seconds=f"{timeout:.0f}"
                        )
                    )
                if done_since is None and _complete(converted):
                    done_since = now
                if done_since is not None and now - done_since > EXIT_GRACE:
                    break
                time.sleep(0.05)
        finally:
            _end_group(process)
        log.seek(0)
        output = log.read().decode(errors="replace")
    if not _complete(converted):  # LibreOffice can exit 0 after a failed load
        detail = output.strip().splitlines()[-1:] or [_("no output")]
        raise RecalcError(
            _("LibreOffice could not recalculate {name}: {detail}").format(
                name=source.name, detail=detail[0]
            )
        )
    return converted


EXIT_GRACE = 1.0
SYSTEM_PATH = ("/usr/local/bin", "/usr/bin", "/bin")


def office_environment() -> dict[str, str]:
    """This process's environment without Python's own settings (virtual environment, pyenv,
    PYTHON*), and with the system's directories first on PATH."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTHON", "PYENV", "_PYENV", "VIRTUAL_ENV", "CONDA"))
    }
    rest = [p for p in env.get("PATH", "").split(os.pathsep) if p and p not in SYSTEM_PATH]
    env["PATH"] = os.pathsep.join([*SYSTEM_PATH, *rest])
    return env


def _complete(path: Path) -> bool:
    """True once ``path`` is a whole zip file (its central directory is written last)."""
    try:
        return path.exists() and zipfile.is_zipfile(path) and bool(zipfile.ZipFile(path).namelist())
    except (OSError, zipfile.BadZipFile):
        return False


def _end_group(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def computed_values(
    converted: Path, wanted: dict[str, list[str]]
) -> dict[str, dict[str, CellValue]]:
    """Sheet → cell → value for the ``wanted`` cells of a recalculated file, read straight
    from its sheet XML (numbers as stored, so dates stay serial numbers; error cells as
    :class:`ExcelError`)."""
    package = Package.from_bytes(converted.read_bytes(), converted.name)
    strings = package.shared_strings()
    parts = package.sheet_parts()
    result: dict[str, dict[str, CellValue]] = {}
    for sheet, refs in wanted.items():
        if not refs or sheet not in parts:
            continue
        refs_set = {ref.encode() for ref in refs}
        values: dict[str, CellValue] = {}
        for match in sheetxml.CELL.finditer(package.read(parts[sheet])):
            ref = sheetxml.REF.search(match.group("attrs"))
            if ref is not None and ref.group(1) in refs_set:
                values[ref.group(1).decode()] = sheetxml.stored_value(
                    match.group("attrs"), match.group("body") or b"", strings
                )
        result[sheet] = values
    return result


def recalculate(
    content: bytes,
    suffix: str = ".xlsx",
    timeout: float = 600,
    on_step: Callable[[str], None] | None = None,
    bridge: bool = True,
) -> RecalcResult:
    """Recalculate a workbook's bytes; returns the same package with fresh cached values.
    ``on_step(description)`` is told when each of the four steps starts (a progress bar);
    without ``bridge`` SalesFlow's functions are unknown, as for a user without the add-in."""
    step = on_step or (lambda description: None)
    step(_("Finding the formulas"))
    package = Package.from_bytes(content)
    parts = package.sheet_parts()
    wanted = {sheet: sheetxml.computed_cells(package.read(part)) for sheet, part in parts.items()}
    with tempfile.TemporaryDirectory(prefix="salesflow-recalc-") as temp:
        source = Path(temp) / f"workbook{suffix}"
        source.write_bytes(content)
        step(_("LibreOffice is recalculating"))
        converted = convert(source, Path(temp) / "out", timeout=timeout, bridge=bridge)
        step(_("Reading the results"))
        values = computed_values(converted, wanted)
    step(_("Storing the values"))
    errors: dict[str, str] = {}
    for sheet, part in parts.items():
        sheet_values = values.get(sheet, {})
        for ref in wanted[sheet]:
            sheet_values.setdefault(ref, None)
            if isinstance(sheet_values[ref], ExcelError):
                errors[f"{sheet}!{ref}"] = str(sheet_values[ref])
        if wanted[sheet]:
            package.replace(part, sheetxml.set_cached_values(package.read(part), sheet_values))
    return RecalcResult(package.to_bytes(), sum(map(len, wanted.values())), errors)
