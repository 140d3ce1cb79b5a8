"""Helpers for defining built-in functions: native wrappers, argument access, callbacks."""

from __future__ import annotations

TYPE_CHECKING = False  # (typing.TYPE_CHECKING, without importing typing at run time)
if TYPE_CHECKING:
    from typing import Any, Callable

from ..budget import builtin_tick, check_array_length
from ..conversions import to_integer, to_number, to_string
from ..errors import throw_type_error
from ..properties import js_getp, own_get, MISSING
from ..realm import register_builtin
from ..values import HOLE, UNDEFINED, JSArray, JSFunction, JSObject, js_native  # noqa: F401  (js_native: here for the built-ins' modules)


def native(fn: Callable, name: str, length: int = 0, construct: Callable | None = None) -> JSFunction:
    """A built-in function object; constructible only when `construct` is given."""
    f = JSFunction(fn, name, length, construct=construct, constructible=construct is not None)
    return f


def define(target: Any, name: str, length: int = 0) -> Callable:
    """Decorator: install a Python function as built-in method `name` of `target`."""

    def deco(fn: Callable) -> Callable:
        f = native(fn, name, length)
        if isinstance(target, JSFunction):
            if target.props is None:
                target.props = {}
            target.props[name] = f
        else:
            dict.__setitem__(target, name, f)
        return fn

    return deco


def arg(args: tuple, i: int) -> Any:
    return args[i] if len(args) > i else UNDEFINED


def describe_value(v: Any, limit: int = 100) -> str:
    """How an error message names a value, running no script and in at most about `limit`
    characters (V8's NoSideEffectsToString, roughly): a primitive by ToString (cut short), an
    array as "[object Array]", a function by its name, another object as "#<Class>". (Never a
    Python repr: that of an array whose parts are shared takes exponential time and memory.)"""
    t = type(v)
    if t is str:
        return v if len(v) <= limit else v[:limit] + "..."
    if t is float or t is int or t is bool or v is None or v is UNDEFINED or v is HOLE:
        return to_string(v)
    if t is JSArray:
        return "[object Array]"
    if t is JSFunction:
        name = v.name if type(v.name) is str else ""
        return f"function {name if len(name) <= limit else name[:limit] + '...'}"
    if t is JSObject and type(v.cls) is str:
        return f"#<{v.cls}>"
    return "#<Object>"


def callable_arg(f: Any, what: str) -> JSFunction:
    if type(f) is not JSFunction:
        throw_type_error(f"{describe_value(f) if type(f) is str else what} is not a function")
    return f


def call(f: JSFunction, this: Any, *args: Any) -> Any:
    return f.fn(this, *args)


def length_of(obj: Any) -> int:
    """ToLength(obj.length) for array-likes, as V8 reads it (ES2015 7.1.15: the integer,
    clamped to 0 ... 2**53-1; ES5.1's ToUint32 made {length: -1} four billion elements)."""
    if type(obj) is JSArray:
        return len(obj)
    if type(obj) is str:
        return len(obj)
    n = to_integer(js_getp(obj, "length"))
    return 0 if n <= 0 else int(min(n, 2.0**53 - 1))


AS_LIST_CHUNK = 64  # (indices of a generic array-like read per budget step: as_list)


def as_list(obj: Any) -> list:
    """Elements of an array-like as a Python list, holes kept as HOLE."""
    if type(obj) is JSArray:
        return obj
    if obj is UNDEFINED or obj is None:
        throw_type_error("Array.prototype method called on null or undefined")
    n = length_of(obj)
    check_array_length(n)
    if type(obj) is str:
        return list(obj)
    if isinstance(obj, (float, bool)):
        return [HOLE] * n
    out = []
    # A generic array-like is read index by index ({length: 2**24} is 16 M lookups for a few
    # bytes): one step of the script budget per AS_LIST_CHUNK indices (budget.py; a step per
    # index made this loop a third slower), so the budget bounds this loop too.
    for start in range(0, n, AS_LIST_CHUNK):
        builtin_tick()
        for i in range(start, min(n, start + AS_LIST_CHUNK)):
            v = own_get(obj, str(i))
            out.append(HOLE if v is MISSING else v)
    return out


def relative_index(v: Any, length: int, default: int) -> int:
    """The clamp used by slice/splice/indexOf & co: negative counts from the end."""
    if v is UNDEFINED:
        return default
    n = to_integer(v)
    if n < 0:
        return int(max(length + n, 0))
    return int(min(n, length))


def freeze_all(*objs: Any) -> None:
    """Mark built-in objects read-only (shared by every chart in the process)."""
    for o in objs:
        o.frozen = True
        register_builtin(o)  # a session may still change them for itself (realm.py)
        if isinstance(o, JSFunction) and o.props:
            for v in o.props.values():
                if isinstance(v, (JSFunction, JSObject)):
                    v.frozen = True
                    register_builtin(v)
        elif isinstance(o, JSObject):
            for v in o.values():
                if isinstance(v, JSFunction):
                    v.frozen = True
                    register_builtin(v)


__all__ = [
    "native",
    "js_native",
    "define",
    "arg",
    "callable_arg",
    "describe_value",
    "call",
    "length_of",
    "as_list",
    "relative_index",
    "freeze_all",
    "to_number",
    "to_string",
    "to_integer",
]
