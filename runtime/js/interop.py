"""Crossing the host boundary: Python data to JS values and back, and how <log> shows values."""

from __future__ import annotations


TYPE_CHECKING = False  # (typing.TYPE_CHECKING, without importing typing at run time)
if TYPE_CHECKING:
    from typing import Any

from .values import HOLE, UNDEFINED, HostObject, JSArray, JSFunction, JSObject, JSThrow


_AS_IS = frozenset({str, float, bool, type(None)})


def to_js(v: Any) -> Any:
    """Host data (dict, list/tuple, int, float, str, bool, None) to JS values, recursively.

    ints become floats (JS has one number type), lists and tuples become JSArrays, dict keys
    become strings. JS values (UNDEFINED, JSArray, JSObject, JSFunction, HostObject) pass through.
    Event payloads go through here on every send, so containers convert their elements
    inline and only recurse for nested containers.
    """
    t = type(v)
    if t is dict:
        out = {}
        for k, x in v.items():
            tx = type(x)
            if tx is int:
                x = float(x)
            elif not (tx is str or tx is float or tx is bool or x is None):
                x = to_js(x)
            if type(k) is str:
                out[k] = x
            elif (key := str(k)) not in v:
                # A str key of the same spelling wins, wherever it stands: fast paths read
                # event data before conversion, by str keys (HOST in scxmlc/ecmascript/types.py).
                out[key] = x
        return out
    if t is list or t is tuple:
        out_list = JSArray()
        append = out_list.append
        for x in v:
            tx = type(x)
            if tx is int:
                append(float(x))
            elif tx is str or tx is float or tx is bool or x is None:
                append(x)
            else:
                append(to_js(x))
        return out_list
    if t is str or t is float or t is bool or v is None or v is UNDEFINED:
        return v
    if t is int:
        return float(v)
    if isinstance(v, (JSArray, JSObject, JSFunction, HostObject)):
        return v
    if isinstance(v, dict):
        return to_js(dict(v))
    if isinstance(v, (list, tuple)):
        return to_js(list(v))
    if isinstance(v, bool):
        return bool(v)
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, str):
        return str(v)
    raise TypeError(f"cannot convert {type(v).__name__} to a JavaScript value")


def to_py(v: Any) -> Any:
    """JS values back to plain Python: arrays -> list, objects -> dict, undefined/holes -> None.

    Numbers that are integral and exactly representable (|x| < 2**53, not -0) come back as
    int so host code can use them as counts and indices; all other numbers stay float.
    Functions and host objects are returned unchanged.
    """
    t = type(v)
    if t is float:
        # (-0 stays float: its sign shows in its repr; math.copysign would load math at start-up)
        if v.is_integer() and abs(v) < 9007199254740992.0 and not (v == 0 and repr(v)[0] == "-"):
            return int(v)
        return v
    if t is str or t is bool or v is None:
        return v
    if v is UNDEFINED or v is HOLE:
        return None
    if t is JSArray:
        return [to_py(x) for x in v]
    if isinstance(v, JSObject) and v.cls in ("String", "Number", "Boolean"):
        return to_py(v.internal)
    if isinstance(v, dict):
        from .properties import js_getp, own_keys

        return {k: to_py(js_getp(v, k)) for k in own_keys(v)}
    return v


# The conversions (and the property machinery they use) are imported by the first value that
# needs one, not with this module: the runtime's core imports it, and a chart without
# ECMAScript may never convert anything (docs/architecture.md, "Start-up"). Kept here once
# imported: an import statement per call would cost more than most conversions.
_to_string: Any = None
_number_to_string: Any = None


def _conversions() -> Any:
    global _to_string, _number_to_string
    from .conversions import number_to_string, to_string

    _to_string, _number_to_string = to_string, number_to_string
    return to_string


def js_to_string(v: Any) -> str:
    """ToString (ES5.1 9.8): the conversion JS applies in `'' + v`, String(v) and friends."""
    if type(v) is str:
        return v
    return (_to_string or _conversions())(v)


def js_display(v: Any) -> str:
    """How <log> shows a value: strings as they are, numbers by ToString, undefined as
    'undefined', functions by their source, errors as 'Name: message', dates and regexps by
    their toString, other objects and arrays as JSON.stringify text (cycles and values JSON
    cannot show fall back to String(v))."""
    t = type(v)
    if t is str:
        return v
    to_string = _to_string or _conversions()
    if t is float or t is int:
        return _number_to_string(float(v))
    if v is UNDEFINED or v is HOLE:
        return "undefined"
    if v is None or t is bool:
        return to_string(v)
    if t is JSFunction:
        from .builtins.object import function_source

        return function_source(v)
    if isinstance(v, JSObject) and v.cls in ("Error", "Date", "RegExp", "String", "Number", "Boolean"):
        try:
            return to_string(v)
        except JSThrow:
            pass
    from .builtins.json import json_stringify

    try:
        s = json_stringify(v)
    except (JSThrow, RecursionError):
        s = UNDEFINED
    if s is UNDEFINED:
        try:
            return to_string(v)
        except JSThrow:
            return "[object Object]"
    return s
