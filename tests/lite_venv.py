"""A fresh virtual environment holding only what xlwings Lite's Python can have: the packages of
tests/data/pyodide-allowlist.txt and SalesFlow's own wheel, built from this source tree and
installed without its dependencies. conftest.py makes it the session fixture ``lite_venv``.

The environment has no system site packages, and its processes get no ``PYTHONPATH``: what
they import comes from the environment alone. pip takes the wheels from its cache when it has
them (a fresh CI machine downloads them once, about 65 MB)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ALLOWLIST = ROOT / "tests" / "data" / "pyodide-allowlist.txt"
#: What a wheel is built from (everything pyproject.toml names).
SOURCES = ("pyproject.toml", "README.md", "salesflow_xl", "udfs")


def allowlist() -> dict[str, str]:
    """Package name (normalised: lower case, "-") → the version the allowlist pins."""
    pins = {}
    for line in ALLOWLIST.read_text(encoding="utf-8").splitlines():
        requirement = line.partition("#")[0].strip()
        if requirement:
            name, _sep, version = requirement.partition("==")
            pins[normalise(name)] = version
    return pins


def normalise(name: str) -> str:
    """A distribution's name as PEP 503 compares it."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass
class LiteVenv:
    """The environment: its folder, how long each step of setting it up took, and the name of
    SalesFlow's wheel."""

    root: Path
    seconds: dict[str, float] = field(default_factory=dict)
    wheel: str = ""

    @property
    def python(self) -> Path:
        return self.root / "bin" / "python"

    def pip(self) -> list[str]:
        """pip, run by this process's Python on the environment (which has no pip of its
        own: ``venv --without-pip``)."""
        return [
            sys.executable,
            "-m",
            "pip",
            "--disable-pip-version-check",
            "--python",
            str(self.python),
        ]

    def env(self) -> dict[str, str]:
        """The environment variables of a process in it: this one's without any Python path."""
        drop = {"PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV", "PYTHONSAFEPATH"}
        env = {k: v for k, v in os.environ.items() if k not in drop}
        env["PATH"] = os.pathsep.join([str(self.root / "bin"), env.get("PATH", "")])
        return env

    def run(self, *args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess:
        """Run ``args`` (a script and its arguments, or ``-m module …``) with its Python, in
        ``cwd`` (default: the environment's folder, where nothing of the source tree is)."""
        return subprocess.run(
            [str(self.python), *map(str, args)],
            capture_output=True,
            text=True,
            env=self.env(),
            cwd=cwd or self.root,
            check=False,
            timeout=600,
        )


def _step(venv: LiteVenv, name: str, command: list[str], cwd: Path) -> None:
    start = time.perf_counter()
    done = subprocess.run(
        command, capture_output=True, text=True, env=venv.env(), cwd=cwd, check=False
    )
    venv.seconds[name] = round(time.perf_counter() - start, 1)
    if done.returncode:
        raise RuntimeError(f"{name} failed: {' '.join(command)}\n{done.stdout}\n{done.stderr}")


def create(folder: Path) -> LiteVenv:
    """Make the environment in ``folder``: venv, the allowlist's wheels, SalesFlow's wheel."""
    venv = LiteVenv(folder / "venv")
    _step(venv, "venv", [sys.executable, "-m", "venv", "--without-pip", str(venv.root)], folder)
    pip = venv.pip()
    install = [*pip, "install", "--quiet", "--no-compile", "--no-deps"]
    _step(venv, "allowlist", [*install, "--only-binary=:all:", "-r", str(ALLOWLIST)], folder)
    source = folder / "source"
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(
                ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
            )
        else:
            source.mkdir(exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    wheels = folder / "wheels"
    _step(
        venv,
        "wheel",
        [*pip, "wheel", "--quiet", "--no-deps", "--wheel-dir", str(wheels), str(source)],
        folder,
    )
    (wheel,) = wheels.glob("salesflow_xl-*.whl")
    _step(venv, "salesflow", [*install, str(wheel)], folder)
    venv.wheel = wheel.name
    return venv
