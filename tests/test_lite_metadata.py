"""One definition serves classic Excel and xlwings Lite: the worksheet functions' metadata as
Lite registers them (names, argument names and order, which are optional, their descriptions,
the function's description) equals what classic xlwings records from the same decorators.

Lite's side is :mod:`salesflow_udfs.metadata`, a mirror of xlwings' ``udfs_officejs`` (PRO code,
not importable without a licence key). Classic's side is xlwings' own ``xlwings.udfs``
decorators (the Windows modules stubbed) and the VBA wrappers its "Import Python UDFs" writes.
Each side imports the functions afresh under its decorators."""

from __future__ import annotations

import inspect
import io
import json
import re
from typing import Any

import pytest
from classic_udfs import import_under, windows_udfs

import salesflow_udfs
from salesflow_udfs import metadata


@pytest.fixture
def lite(monkeypatch) -> dict[str, dict[str, Any]]:
    """Lite's metadata of every function, by id."""
    module = import_under(monkeypatch, *metadata.recorder())
    meta = metadata.custom_functions_meta(module.FUNCTIONS.values())
    ignored = {name: f.__xlfunc__["ignored"] for name, f in module.FUNCTIONS.items()}
    monkeypatch.undo()
    return {"meta": {f["id"]: f for f in meta["functions"]}, "ignored": ignored, "all": meta}


class _Workbook:
    Name = "SalesFlow.xlsx"


@pytest.fixture
def classic(monkeypatch) -> dict[str, Any]:
    """What classic xlwings records (``__xlfunc__``) and the VBA wrappers it writes."""
    xu = windows_udfs(monkeypatch)
    module = import_under(monkeypatch, xu.xlfunc, xu.xlarg, xu.xlret)
    vba = io.StringIO()
    xu.generate_vba_wrapper("salesflow_udfs", module, vba, _Workbook())
    records = {
        name: {
            "name": f.__xlfunc__["name"],
            "category": f.__xlfunc__["category"],
            "doc": f.__xlfunc__["ret"]["doc"],
            "args": [
                {"name": a["name"], "doc": a["doc"], "optional": "optional" in a}
                for a in f.__xlfunc__["args"]
            ],
        }
        for name, f in module.FUNCTIONS.items()
    }
    monkeypatch.undo()
    return {"records": records, "vba": vba.getvalue()}


def vba_signatures(vba: str) -> dict[str, list[tuple[str, bool]]]:
    """Function name → (argument, Optional?) from the VBA wrappers' ``Function`` lines."""
    found = {}
    for name, args in re.findall(r"^Function (\w+)\((.*)\)$", vba, re.M):
        found[name] = [
            (a.removeprefix("Optional "), a.startswith("Optional ")) for a in args.split(", ")
        ]
    return found


def test_the_same_functions_under_the_same_names(lite, classic) -> None:
    names = set(salesflow_udfs.FUNCTIONS)
    assert set(lite["meta"]) == names
    assert {meta["name"] for meta in lite["meta"].values()} == names  # no namespace
    assert {record["name"] for record in classic["records"].values()} == names
    assert set(vba_signatures(classic["vba"])) == names


def test_arguments_their_order_optional_and_descriptions(lite, classic) -> None:
    vba = vba_signatures(classic["vba"])
    for name, record in classic["records"].items():
        parameters = lite["meta"][name]["parameters"]
        assert [(p["name"], p.get("optional", False)) for p in parameters] == [
            (a["name"], a["optional"]) for a in record["args"]
        ], name
        assert [(p["name"], p.get("optional", False)) for p in parameters] == vba[name], name
        assert [p["description"] for p in parameters] == [a["doc"] for a in record["args"]], name
        assert not any(p["description"].startswith("Positional argument") for p in parameters)
        assert lite["meta"][name]["description"] == record["doc"], name


def test_optional_follows_the_python_default(lite) -> None:
    for name, function in salesflow_udfs.FUNCTIONS.items():
        defaults = [
            p.default is not inspect.Parameter.empty
            for p in inspect.signature(function).parameters.values()
        ]
        assert [p.get("optional", False) for p in lite["meta"][name]["parameters"]] == defaults


def test_the_description_is_the_docstring(lite) -> None:
    for name, function in salesflow_udfs.FUNCTIONS.items():
        assert lite["meta"][name]["description"] == function.__doc__
        assert "Example: =" in function.__doc__


def test_lite_ignores_only_the_category(lite, classic) -> None:
    """``category`` is classic's alone (Lite has no Function Wizard category); nothing else
    is passed to ``@func``, so no function is volatile or namespaced in either."""
    assert set(map(tuple, lite["ignored"].values())) == {("category",)}
    assert {record["category"] for record in classic["records"].values()} == {"SalesFlow"}
    for meta in lite["meta"].values():
        assert meta["options"] == {"requiresAddress": True, "requiresParameterAddresses": True}
        assert meta["result"] == {"dimensionality": "matrix", "type": "any"}
        assert {(p["dimensionality"], p["type"]) for p in meta["parameters"]} == {("matrix", "any")}


def test_the_metadata_is_json(lite) -> None:
    assert json.loads(json.dumps(lite["all"])) == lite["all"]
    assert [f["id"] for f in lite["all"]["functions"]] == sorted(salesflow_udfs.FUNCTIONS)


def test_every_description_fits_classics_function_wizard(classic) -> None:
    """Classic's Function Wizard gets the first 255 characters of a docstring
    (xlwings.udfs.import_udfs: ``Description=xlret["doc"][:255]``; Excel's MacroOptions takes
    no more); Lite shows the whole. Every docstring fits, so both show the same, example
    included."""
    long = {name: len(r["doc"]) for name, r in classic["records"].items() if len(r["doc"]) > 255}
    assert long == {}
    assert all("Example: =" in r["doc"] for r in classic["records"].values())


def test_the_mirror_refuses_what_lite_refuses() -> None:
    func, arg, _ret = metadata.recorder()

    def keyword_only(value, *, scale=1):
        return value * scale

    with pytest.raises(metadata.UnsupportedFunctionError, match="keyword arguments"):
        func(keyword_only)

    def plain(value):
        return value

    with pytest.raises(metadata.UnsupportedFunctionError, match="Invalid argument name 'v'"):
        arg("v", doc="?")(func(plain))


def test_the_mirror_records_as_lite_does() -> None:
    """A function decorated like SalesFlow's: for ``DOUBLE(x)`` the entry udfs_officejs gave
    when run in Pyodide 314.0.7 (docs/design/xlwings-lite.md §1.2), and an optional parameter
    without a ``doc`` as udfs_officejs.xlfunc describes it (l.305–333)."""
    func, arg, _ret = metadata.recorder()

    @func(category="X")
    @arg("x", doc="a number")
    def DOUBLE(x, times=None):  # noqa: N802
        """Doubles x."""
        return 2 * x

    assert metadata.function_meta(DOUBLE) == {
        "description": "Doubles x.",
        "id": "DOUBLE",
        "name": "DOUBLE",
        "options": {"requiresAddress": True, "requiresParameterAddresses": True},
        "result": {"dimensionality": "matrix", "type": "any"},
        "parameters": [
            {"description": "a number", "name": "x", "dimensionality": "matrix", "type": "any"},
            {
                "description": "Positional argument 2",
                "name": "times",
                "dimensionality": "matrix",
                "type": "any",
                "optional": True,
            },
        ],
    }


def test_every_result_is_plain_json(lite_calls) -> None:
    """Lite hands results to JavaScript: no numpy or pandas scalar, tuple or NaN in any
    (tests/lite_udf_calls.py checks each value's type; its JSON refuses NaN)."""
    assert lite_calls["problems"] == []
