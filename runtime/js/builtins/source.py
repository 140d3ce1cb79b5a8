"""uneval(x) and x.toSource(): source text as SpiderMonkey printed it (before it dropped them).

Formats follow SpiderMonkey's ValueToSource/ObjectToSource/ArrayToSource: `(void 0)` for
undefined, `-0`, double-quoted strings with \\xHH/\\uHHHH escapes, `[1, , 3]` for holes, the
outermost object literal in parentheses (`({a:1, 'b c':2})`, keys quoted with single quotes
unless they are identifiers or non-negative integers), cycles as `{}`/`[]`, functions as
their source text in parentheses, and `(new Date(0))`, `(new Number(5))`, `(new Error("m"))`.
"""

from __future__ import annotations

import math

TYPE_CHECKING = False  # (typing.TYPE_CHECKING, without importing typing at run time)
if TYPE_CHECKING:
    from typing import Any

from ..._lazyre import LazyPattern
from ..budget import MAX_STRING_LENGTH, builtin_tick
from ..conversions import number_to_string, to_string
from ..properties import js_getp, own_keys
from ..values import (
    ARRAY_PROTO,
    BOOLEAN_PROTO,
    BUILTINS,
    DATE_PROTO,
    ERROR_PROTO,
    FUNCTION_PROTO,
    HOLE,
    NUMBER_PROTO,
    OBJECT_PROTO,
    REGEXP_PROTO,
    STRING_PROTO,
    UNDEFINED,
    JSArray,
    JSFunction,
    JSObject,
)
from ._util import define, native

_ESCAPES = {"\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v", "\\": "\\\\"}


_PLAIN = LazyPattern(r"[\x20-\x7e]*")


def quote(s: str, q: str = '"') -> str:
    """SpiderMonkey's QuoteString."""
    if _PLAIN.fullmatch(s) and q not in s and "\\" not in s:
        return q + s + q  # (the common case: printable ASCII, nothing to escape)
    out = [q]
    for c in s:
        o = ord(c)
        if c == q:
            out.append("\\" + q)
        elif c in _ESCAPES:
            out.append(_ESCAPES[c])
        elif 0x20 <= o < 0x7F:
            out.append(c)
        elif o < 0x100:
            out.append(f"\\x{o:02X}")
        elif o <= 0xFFFF:
            out.append(f"\\u{o:04X}")
        else:
            o -= 0x10000
            out.append(f"\\u{0xD800 + (o >> 10):04X}\\u{0xDC00 + (o & 0x3FF):04X}")
    out.append(q)
    return "".join(out)


def _is_identifier(k: str) -> bool:
    if not k:
        return False
    probe = k.replace("$", "_")
    return probe.isidentifier()


def _key_source(k: str) -> str:
    if _is_identifier(k) or (k.isdigit() and k.isascii() and (k == "0" or k[0] != "0")):
        return k
    return quote(k, "'")


def _check_size(parts: list) -> None:
    """The string cap (budget.py) before a value's parts are joined (shared parts of a
    value would double the text at each level, as for JSON.stringify)."""
    if sum(map(len, parts)) + 2 * len(parts) > MAX_STRING_LENGTH:
        from ..errors import throw_range_error

        throw_range_error("Invalid string length")


class _Uneval:
    def __init__(self) -> None:
        self.stack: list[int] = []

    def value(self, v: Any) -> str:
        """ValueToSource."""
        if v is UNDEFINED or v is HOLE:
            return "(void 0)"
        if v is None:
            return "null"
        t = type(v)
        if t is bool:
            return "true" if v else "false"
        if t is float or t is int:
            v = float(v)
            if v == 0 and math.copysign(1, v) < 0:
                return "-0"
            return number_to_string(v)
        if t is str:
            return quote(v)
        return self.object(v)

    def object(self, v: Any) -> str:
        if type(v) is JSFunction:
            return function_to_source(v)
        if isinstance(v, JSObject):
            if v.cls == "Date":
                return f"(new Date({self.value(v.internal)}))"
            if v.cls == "RegExp":
                return f"/{v.internal[0]}/{v.internal[1]}"
            if v.cls == "Number":
                return f"(new Number({self.value(v.internal)}))"
            if v.cls == "String":
                return f"(new String({quote(v.internal)}))"
            if v.cls == "Boolean":
                return f"(new Boolean({'true' if v.internal else 'false'}))"
            if v.cls == "Error":
                name = js_getp(v, "name")
                message = js_getp(v, "message")
                msg = "" if message is UNDEFINED else to_string(message)
                return f"(new {to_string(name)}({quote(msg)}))"
        outermost = not self.stack
        builtin_tick()  # (a value's shared parts are visited once per path: budget.py)
        if id(v) in self.stack:
            return "[]" if type(v) is JSArray else "{}"
        self.stack.append(id(v))
        try:
            if type(v) is JSArray:
                return self.array(v)
            parts = [f"{_key_source(k)}:{self.value(js_getp(v, k))}" for k in own_keys(v)]
            _check_size(parts)
            body = "{" + ", ".join(parts) + "}"
            return f"({body})" if outermost else body
        finally:
            self.stack.pop()

    def array(self, a: JSArray) -> str:
        """ArrayToSource: elements separated by ", ", holes empty, a trailing hole keeps its comma."""
        parts = ["" if x is HOLE else self.value(x) for x in a]
        _check_size(parts)
        text = ", ".join(parts)
        if a and a[-1] is HOLE:
            text += ","
        return "[" + text + "]"


def function_to_source(f: JSFunction) -> str:
    if f.source is None:
        return f"function {f.name}() {{\n    [native code]\n}}"
    return f"({f.source})"


def uneval(v: Any) -> str:
    return _Uneval().value(v)


BUILTINS["uneval"] = native(lambda this, v=UNDEFINED, *_: uneval(v), "uneval", 1)


def _to_source(this, *_):
    t = type(this)
    if t is float or t is int:
        return f"(new Number({uneval(float(this))}))"
    if t is str:
        return f"(new String({quote(this)}))"
    if t is bool:
        return f"(new Boolean({'true' if this else 'false'}))"
    if this is UNDEFINED or this is None:
        from ..errors import throw_type_error

        throw_type_error(f"can't convert {to_string(this)} to object")
    return uneval(this)


for _proto in (OBJECT_PROTO, ARRAY_PROTO, FUNCTION_PROTO, STRING_PROTO, NUMBER_PROTO, BOOLEAN_PROTO, DATE_PROTO, REGEXP_PROTO, ERROR_PROTO):
    define(_proto, "toSource", 0)(_to_source)

