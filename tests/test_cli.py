"""The salesflow command: thin, documented, and honest about errors."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from salesflow_xl import __version__, cli
from salesflow_xl.cli import main
from salesflow_xl.core import demo
from salesflow_xl.core.report import build_report


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_version(runner) -> None:
    result = runner.invoke(main, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"salesflow, version {__version__}"


def test_help_lists_commands(runner) -> None:
    result = runner.invoke(main, ["--help"])
    assert result.exit_code == 0
    assert "demo" in result.output


@pytest.mark.parametrize("name", sorted(main.commands))
def test_every_command_is_documented_with_an_example(name) -> None:
    doc = main.commands[name].help or ""
    assert "Example" in doc, name
    assert f"salesflow {name}" in doc, name


def _example_lines(doc: str) -> list[str]:
    """The example command lines of a command's docstring."""
    return [line.strip() for line in doc.splitlines() if line.strip().startswith("salesflow ")]


@pytest.mark.parametrize("name", sorted(main.commands))
def test_help_prints_every_example_line_as_written(runner, name) -> None:
    """click re-wraps a paragraph unless a ``\\b`` line marks it: examples must stay whole."""
    examples = _example_lines(main.commands[name].help or "")
    assert examples, name
    result = runner.invoke(main, [name, "--help"], terminal_width=60)
    assert result.exit_code == 0, result.output
    shown = {line.strip() for line in result.output.splitlines()}
    for example in examples:
        assert example in shown, f"salesflow {name} --help breaks {example!r}"


def test_the_cli_modules_and_their_functions_stay_small() -> None:
    for path in sorted(Path(cli.__file__).parent.glob("*.py")):
        source = path.read_text(encoding="utf-8")
        assert len(source.splitlines()) <= 400, path.name
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                assert length <= 80, f"{path.name}: {node.name} has {length} lines"


def test_demo_prints_the_report(runner) -> None:
    result = runner.invoke(main, ["demo"], terminal_width=140)
    assert result.exit_code == 0, result.output
    for heading in ("Funnel", "Campaigns", "Top customers by CLV", "Follow-ups due", "win rate"):
        assert heading in result.output


def test_demo_json_equals_the_core_report(runner) -> None:
    result = runner.invoke(main, ["demo", "--json", "--seed", "5", "--top", "3"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    expected = build_report(demo.generate(seed=5), top=3).to_dict()
    assert payload == json.loads(json.dumps(expected))
    assert len(payload["top_customers"]) == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["demo", "--scale", "0"], "Error: scale must be a number > 0, got 0.0"),
        (["demo", "--scale", "-2"], "Error: scale must be a number > 0, got -2.0"),
    ],
)
def test_domain_errors_are_one_line_and_exit_1(runner, args, message) -> None:
    result = runner.invoke(main, args)
    assert result.exit_code == 1
    assert result.output.strip() == message
    assert "Traceback" not in result.output


def test_usage_errors_exit_2(runner) -> None:
    result = runner.invoke(main, ["demo", "--as-of", "yesterday"])
    assert result.exit_code == 2
    assert "--as-of" in result.output


def test_install_on_linux_explains_what_it_would_do(runner, monkeypatch) -> None:
    monkeypatch.setattr("platform.system", lambda: "Linux")
    result = runner.invoke(main, ["install"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Excel does not run on Linux; on Windows or macOS this would:")
    assert "addin install --file" in result.output
    assert "SalesFlow.xlam" in result.output
    assert "xlwings.conf" in result.output


def test_install_keeps_other_xlwings_settings() -> None:
    from salesflow_xl.addin.install import user_config

    existing = '"INTERPRETER_WIN","C:\\\\old\\\\python.exe"\n"SHOW CONSOLE","True"\n'
    assert user_config(existing, "/usr/bin/python3") == (
        '"SHOW CONSOLE","True"\n'
        '"INTERPRETER_WIN","/usr/bin/python3"\n"INTERPRETER_MAC","/usr/bin/python3"\n'
    )


def test_an_action_does_not_import_what_only_other_commands_need() -> None:
    """Start-up is most of a small action's time: the model fits' SciPy, the template's
    openpyxl, xlwings and matplotlib stay out until a command needs them."""
    code = (
        "import sys\n"
        "from salesflow_xl import cli\n"
        "from salesflow_xl.actions import deals\n"
        "from salesflow_xl.gateway import file\n"
        "from salesflow_xl.workbook import reader\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'scipy', 'openpyxl', 'xlwings', 'matplotlib'}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_help_loads_no_pandas() -> None:
    """`salesflow --help` (and a command typed wrong) answers without loading pandas, NumPy or
    openpyxl: the actions and reports are loaded when a command runs."""
    code = (
        "import sys\n"
        "from salesflow_xl.cli import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in ('pandas', 'numpy', 'openpyxl') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[-1] == "[]"
