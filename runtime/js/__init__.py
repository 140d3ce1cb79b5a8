"""JavaScript value model, operators and built-ins for transpiled ECMAScript.

Public API (docs/ecmascript.md): the value classes, conversions, and every `js_*` helper the
transpiler emits. Generated modules import helpers by name from here. The names are loaded by
the first one asked of this package (PEP 562: `api.py` holds them), not by importing it: the
runtime's core imports its submodules (`values` most of all), which runs this file, and a chart
without ECMAScript never pays for the operators and the built-ins (docs/architecture.md,
"Start-up").
"""

from __future__ import annotations

# This package's modules: a name among these not imported yet is a submodule to import, not a
# name of the API (`from . import budget` asks this module for `budget` before importing it).
# tests/test_packaging.py checks the set against the files.
_SUBMODULES = frozenset(
    {
        "api",
        "budget",
        "builtins",
        "codegen_support",
        "conversions",
        "dynamic",
        "errors",
        "heap",
        "interop",
        "operators",
        "properties",
        "realm",
        "regexp",
        "values",
    }
)


def __getattr__(name: str):
    if name in _SUBMODULES or (name.startswith("__") and name != "__all__"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if name in ("json_parse", "json_stringify"):
        # They come with the JSON built-in, which is made on first use (values.LAZY_BUILTINS):
        # importing them from here makes it.
        from .builtins import json

        value = getattr(json, name)
        globals()[name] = value  # (asked once)
        return value
    from . import api

    try:
        value = getattr(api, name)
    except AttributeError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    globals()[name] = value  # (asked once)
    return value


def __dir__() -> list[str]:
    from . import api

    return sorted({*globals(), *api.__all__})
