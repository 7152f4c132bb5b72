"""The worksheet functions' metadata as xlwings Lite registers them, worked out without Lite.

In Lite (and xlwings Server), ``xw.func``/``xw.arg``/``xw.ret`` are the decorators of
``xlwings/pro/udfs_officejs.py``, and ``custom_functions_meta`` turns what they record into
the Office.js custom-functions metadata Excel registers. That module is xlwings PRO code: it
imports only with ``XLWINGS_ON_SERVER=true`` and a licence key. This module mirrors the part of
it SalesFlow's functions use, read in xlwings 0.37.8 (``udfs_officejs.py``, sha256 7f6b2903…)
at these lines:

- ``func_sig`` (l.119–152): the parameters from ``inspect.signature`` (which follows
  ``__wrapped__``, so ``functools.wraps`` wrappers show the wrapped function's); a
  keyword-only or ``**kwargs`` parameter is refused ("xlwings does not support UDFs with
  keyword arguments");
- ``xlfunc`` (l.256–370): per parameter the name, its position, the description "Positional
  argument N" until ``@arg(doc=…)`` replaces it, and ``optional`` = its default; the
  description of the function is its docstring; of the keywords only ``volatile``, ``cache``,
  ``name``, ``namespace``, ``help_url`` and ``required_roles`` are read, any other (classic's
  ``category``) is ignored;
- ``xlarg`` (l.410–450): ``doc`` sets the parameter's description; an unknown name raises;
- ``custom_functions_meta`` (l.820–922): ``id`` = the Python name in upper case, ``name`` = the
  same (``NAMESPACE.NAME`` with a namespace), ``description``, ``options``
  ``{"requiresAddress": True, "requiresParameterAddresses": True}`` (plus ``volatile``),
  ``result`` and each parameter ``{"dimensionality": "matrix", "type": "any"}``, and
  ``"optional": True`` for a parameter with a default.

Not mirrored, because no SalesFlow function uses them (:func:`recorder` refuses them): type
hints (converters, ``Literal`` drop-downs, injected ``Caller``), ``*args``, async and
streaming functions, namespaces and ``name=``.

Use: apply :func:`recorder`'s decorators in place of xlwings' (a test re-imports the
functions under them), then :func:`custom_functions_meta` gives what Lite would register.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from typing import Any

#: The keywords of Lite's ``@func`` (udfs_officejs.xlfunc); others are ignored there.
LITE_FUNC_KEYWORDS = ("volatile", "cache", "name", "namespace", "help_url", "required_roles")


class UnsupportedFunctionError(Exception):
    """A function Lite's decorators refuse, or one this mirror does not cover."""


def signature(function: Callable[..., Any]) -> tuple[list[str], list[Any]]:
    """(parameter names, defaults of the optional ones) as udfs_officejs.func_sig reads them."""
    names, defaults = [], []
    for parameter in inspect.signature(function).parameters.values():
        if parameter.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD:
            names.append(parameter.name)
            if parameter.default is not inspect.Parameter.empty:
                defaults.append(parameter.default)
        elif parameter.kind is inspect.Parameter.VAR_POSITIONAL:
            raise UnsupportedFunctionError(f"{function.__name__}: *args is not mirrored")
        else:
            raise UnsupportedFunctionError("xlwings does not support UDFs with keyword arguments")
    return names, defaults


def _record(function: Callable[..., Any]) -> dict[str, Any]:
    """``function.__xlfunc__``, made on first use as udfs_officejs.xlfunc makes it."""
    if hasattr(function, "__xlfunc__"):
        return function.__xlfunc__
    if inspect.get_annotations(inspect.unwrap(function)):
        raise UnsupportedFunctionError(f"{function.__name__}: type hints are not mirrored")
    names, defaults = signature(function)
    required = len(names) - len(defaults)
    args = []
    for position, name in enumerate(names):
        info: dict[str, Any] = {
            "name": name,
            "pos": position,
            "doc": f"Positional argument {position + 1}",
            "vararg": False,
            "options": {},
        }
        if position >= required:
            info["optional"] = defaults[position - required]
        args.append(info)
    description = function.__doc__
    if description is None:
        description = f"Python function '{function.__name__}'"
    record = {
        "name": function.__name__,
        "args": args,
        "argmap": {a["name"]: a for a in args},
        "ret": {"doc": description, "options": {}},
    }
    function.__xlfunc__ = record  # type: ignore[attr-defined]
    return record


def recorder() -> tuple[Callable[..., Any], Callable[..., Any], Callable[..., Any]]:
    """Stand-ins for Lite's ``func``, ``arg`` and ``ret`` that record what they would."""

    def func(function: Callable[..., Any] | None = None, **keywords: Any) -> Any:
        def decorate(f: Callable[..., Any]) -> Callable[..., Any]:
            record = _record(f)
            if keywords.get("name") or keywords.get("namespace"):
                raise UnsupportedFunctionError(f"{f.__name__}: name= and namespace= not mirrored")
            for flag in ("volatile", "cache"):
                value = keywords.get(flag, False)
                if not isinstance(value, bool):
                    raise UnsupportedFunctionError(f"{flag} only takes boolean values")
                record[flag] = value
            record["help_url"] = keywords.get("help_url")
            record["ignored"] = sorted(set(keywords) - set(LITE_FUNC_KEYWORDS))
            return f

        return decorate if function is None else decorate(function)

    def arg(name: str, convert: Any = None, **options: Any) -> Any:
        def decorate(f: Callable[..., Any]) -> Callable[..., Any]:
            record = _record(f)
            if name.lstrip("*") not in record["argmap"]:
                raise UnsupportedFunctionError(f"Invalid argument name '{name}'.")
            info = record["argmap"][name.lstrip("*")]
            if "doc" in options:
                info["doc"] = options.pop("doc")
            if convert is not None:
                options["convert"] = convert
            info["options"].update(options)
            return f

        return decorate

    def ret(convert: Any = None, **options: Any) -> Any:
        def decorate(f: Callable[..., Any]) -> Callable[..., Any]:
            if convert is not None:
                options["convert"] = convert
            _record(f)["ret"]["options"].update(options)
            return f

        return decorate

    return func, arg, ret


def function_meta(function: Callable[..., Any]) -> dict[str, Any]:
    """One function's entry of udfs_officejs.custom_functions_meta."""
    record = function.__xlfunc__  # type: ignore[attr-defined]
    meta: dict[str, Any] = {"description": record["ret"]["doc"]}
    if record.get("help_url"):
        meta["helpUrl"] = record["help_url"]
    meta["id"] = record["name"].upper()
    meta["name"] = record["name"].upper()
    meta["options"] = {"requiresAddress": True, "requiresParameterAddresses": True}
    if record.get("volatile"):
        meta["options"]["volatile"] = True
    meta["result"] = {"dimensionality": "matrix", "type": "any"}
    parameters = []
    for info in record["args"]:
        parameter = {
            "description": info["doc"],
            "name": info["name"],
            "dimensionality": "matrix",
            "type": "any",
        }
        if "optional" in info:
            parameter["optional"] = True
        parameters.append(parameter)
    meta["parameters"] = parameters
    return meta


def custom_functions_meta(functions: Iterable[Callable[..., Any]]) -> dict[str, Any]:
    """The metadata Lite registers for ``functions`` (each decorated by :func:`recorder`'s
    decorators), in Lite's order: by attribute name, as ``inspect.getmembers`` lists them."""
    entries = sorted((function_meta(f) for f in functions), key=lambda meta: meta["id"])
    names = [meta["name"] for meta in entries]
    if len(set(names)) != len(names):
        raise UnsupportedFunctionError("Duplicate custom function name")
    return {
        "allowCustomDataForDataTypeAny": True,
        "allowErrorForDataTypeAny": True,
        "functions": entries,
    }
