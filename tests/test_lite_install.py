"""SalesFlow's base install works where only Pyodide's packages are: in a fresh virtual
environment (no system site packages) holding only the packages of
tests/data/pyodide-allowlist.txt, SalesFlow's wheel built from this tree installs without its
dependencies, ``pip check`` finds every requirement met, and every worksheet function gives
the same results as in the development environment (tests/lite_udf_calls.py in both)."""

from __future__ import annotations

import json
import subprocess
from importlib.metadata import Distribution

from lite_udf_calls import differences
from lite_venv import ROOT, allowlist, normalise
from packaging.requirements import Requirement


def installed(lite_venv) -> dict[str, str]:
    done = subprocess.run(
        [*lite_venv.pip(), "list", "--format=json"], capture_output=True, text=True, check=True
    )
    return {normalise(p["name"]): p["version"] for p in json.loads(done.stdout)}


def test_the_venv_holds_the_allowlist_and_salesflow_only(lite_venv) -> None:
    expected = {**allowlist(), "salesflow-xl": installed(lite_venv)["salesflow-xl"]}
    assert installed(lite_venv) == expected


def test_the_allowlist_meets_every_requirement(lite_venv) -> None:
    done = subprocess.run([*lite_venv.pip(), "check"], capture_output=True, text=True)
    assert (done.returncode, done.stdout.strip()) == (0, "No broken requirements found.")


def test_the_base_requirements_are_all_in_the_allowlist(lite_venv) -> None:
    """The wheel's own metadata: every requirement outside an extra names an allowed package,
    and the [cli] extra names none."""
    (site,) = (lite_venv.root / "lib").glob("python3.*/site-packages")
    (info,) = site.glob("salesflow_xl-*.dist-info")
    requirements = [Requirement(r) for r in Distribution.at(info).requires or []]
    base = {normalise(r.name) for r in requirements if r.marker is None}
    cli = {
        normalise(r.name) for r in requirements if r.marker and r.marker.evaluate({"extra": "cli"})
    }
    assert base
    assert base <= set(allowlist())
    assert cli == {"click", "rich", "openpyxl", "python-calamine", "matplotlib"}
    assert not cli & set(allowlist())


def test_every_worksheet_function_gives_the_development_results(lite_venv, lite_calls) -> None:
    done = lite_venv.run(ROOT / "tests" / "lite_udf_calls.py")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["problems"] == []
    assert report["blocked_loaded"] == []
    assert report["imported"] == lite_calls["imported"]
    assert report["salesflow_udfs"].startswith(str(lite_venv.root))  # the wheel's, not the tree's
    assert lite_venv.wheel.endswith("-py3-none-any.whl")
    assert report["versions"]["pandas"] == allowlist()["pandas"]  # the venv's, not this one's
    assert differences(report["results"], lite_calls["results"], rel=1e-9) == []


def test_the_command_line_asks_for_the_cli_extra(lite_venv) -> None:
    done = subprocess.run(
        [str(lite_venv.root / "bin" / "salesflow"), "demo"],
        capture_output=True,
        text=True,
        env=lite_venv.env(),
        cwd=lite_venv.root,
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.startswith(
        'SalesFlow\'s command line needs: pip install "salesflow-xl[cli]" (missing: click, rich,'
    )


# The Lite scripts' test (tests/test_lite_scripts.py, with the Lite gateway) reuses this
# environment: lite_venv.run(ROOT / "tests" / "lite_driver.py", snapshot) runs every Lite
# script against the fake Book in it and prints JSON, to compare with the same run here.
