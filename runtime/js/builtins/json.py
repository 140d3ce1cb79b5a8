"""The JSON object (ES5.1 15.12): parse with reviver, stringify with replacer, gap and toJSON."""

from __future__ import annotations

import json as _json
import math
import re

TYPE_CHECKING = False  # (typing.TYPE_CHECKING, without importing typing at run time)
if TYPE_CHECKING:
    from typing import Any

from ..conversions import is_object, number_to_string, to_integer, to_number, to_string
from ..budget import MAX_STRING_LENGTH, builtin_tick
from ..errors import throw_range_error, throw_syntax_error, throw_type_error
from ..properties import js_getp, js_setp, js_delete, own_keys
from ..values import BUILTINS, HOLE, OBJECT_PROTO, UNDEFINED, JSArray, JSFunction, JSObject
from ._util import define, freeze_all

JSON = JSObject(OBJECT_PROTO, "JSON")


def _reject_constant(name: str):
    raise ValueError(f"Unexpected token {name[0]}")


def _object_pairs(pairs):
    return dict(pairs)


class _FloatDecoder(_json.JSONDecoder):
    def __init__(self):
        super().__init__(
            object_pairs_hook=_object_pairs,
            # float() rounds decimal text correctly and keeps "-0" negative (JSON.parse('-0')).
            parse_int=float,
            parse_float=float,
            parse_constant=_reject_constant,
            strict=True,
        )


def _arrays(v: Any) -> Any:
    """Turn the decoder's lists into JSArrays (in place for nested dicts)."""
    t = type(v)
    if t is list:
        return JSArray(_arrays(x) for x in v)
    if t is dict:
        for k, x in v.items():
            if type(x) in (list, dict):
                v[k] = _arrays(x)
    return v


_decoder = _FloatDecoder()


def json_parse(text: str) -> Any:
    """JSON.parse without a reviver; a JS SyntaxError on malformed input."""
    try:
        return _arrays(_decoder.decode(text))
    except _json.JSONDecodeError as exc:
        throw_syntax_error(f"Unexpected token in JSON at position {exc.pos}" if exc.pos < len(text) else "Unexpected end of JSON input")
    except ValueError as exc:
        throw_syntax_error(f"{exc} in JSON")
    except RecursionError:
        throw_syntax_error("JSON nested too deeply")


def _walk(holder: Any, key: str, reviver: JSFunction) -> Any:
    """Walk (ES5.1 15.12.2)."""
    val = js_getp(holder, key)
    if type(val) is JSArray:
        for i in range(len(val)):
            new = _walk(val, str(i), reviver)
            if new is UNDEFINED:
                js_delete(val, str(i))
            else:
                val[i] = new
    elif is_object(val) and type(val) is not JSFunction:
        for k in own_keys(val):
            new = _walk(val, k, reviver)
            if new is UNDEFINED:
                js_delete(val, k)
            else:
                js_setp(val, k, new)
    return reviver.fn(holder, key, val)


@define(JSON, "parse", 2)
def _parse(this, text=UNDEFINED, reviver=UNDEFINED, *_):
    result = json_parse(to_string(text))
    if type(reviver) is JSFunction:
        return _walk({"": result}, "", reviver)
    return result


_QUOTED = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
# (a surrogate pair first: made apart, '\\ud83d' + '\\ude00' is two code points here, and
# JSON text holds the character they make, as V8 writes it; a lone surrogate is escaped)
_TO_QUOTE = re.compile('[\ud800-\udbff][\udc00-\udfff]|["\\\\\x00-\x1f\ud800-\udfff]')


def _quoted(m: "re.Match") -> str:
    c = m.group()
    if len(c) == 2:
        return chr(0x10000 + ((ord(c[0]) - 0xD800) << 10) + (ord(c[1]) - 0xDC00))
    return _QUOTED.get(c) or f"\\u{ord(c):04x}"


def quote(s: str) -> str:
    """Quote (ES5.1 15.12.3; ES2019 escapes lone surrogates). The characters that need no
    escape are copied by the regular expression engine, not one by one."""
    return '"' + _TO_QUOTE.sub(_quoted, s) + '"'


class _Stringifier:
    def __init__(self, replacer: Any, space: Any):
        self.fn = replacer if type(replacer) is JSFunction else None
        self.props = None
        if type(replacer) is JSArray:
            props: list[str] = []
            for v in replacer:
                if isinstance(v, JSObject) and v.cls in ("String", "Number"):
                    v = to_string(v)
                if type(v) is str or type(v) is float:
                    k = to_string(v)
                    if k not in props:
                        props.append(k)
            self.props = props
        if isinstance(space, JSObject) and space.cls in ("Number", "String"):
            space = to_number(space) if space.cls == "Number" else to_string(space)
        if type(space) is float:
            self.gap = " " * int(min(10, max(0, to_integer(space))))
        elif type(space) is str:
            self.gap = space[:10]
        else:
            self.gap = ""
        self.stack: list[int] = []
        self.indent = ""

    def str_(self, key: str, holder: Any) -> Any:
        value = js_getp(holder, key) if type(holder) is not JSArray else holder[int(key)]
        if value is HOLE:
            value = UNDEFINED
        if is_object(value):
            to_json = js_getp(value, "toJSON")
            if type(to_json) is JSFunction:
                value = to_json.fn(value, key)
        if self.fn is not None:
            value = self.fn.fn(holder, key, value)
        if isinstance(value, JSObject):
            if value.cls == "Number":
                value = to_number(value)
            elif value.cls == "String":
                value = to_string(value)
            elif value.cls == "Boolean":
                value = value.internal
        if value is None:
            return "null"
        if value is True:
            return "true"
        if value is False:
            return "false"
        t = type(value)
        if t is str:
            return quote(value)
        if t is float or t is int:
            return number_to_string(float(value)) if math.isfinite(value) else "null"
        if t is JSArray:
            return self.array(value)
        if is_object(value) and t is not JSFunction:
            return self.object(value)
        return UNDEFINED

    def enter(self, value: Any) -> None:
        if id(value) in self.stack:
            throw_type_error("Converting circular structure to JSON")
        if len(self.stack) > 500:
            throw_type_error("JSON.stringify: structure nested too deeply")
        self.stack.append(id(value))

    def object(self, value: Any) -> str:
        builtin_tick()  # (a value's shared parts are visited once per path: budget.py)
        self.enter(value)
        stepback = self.indent
        self.indent += self.gap
        keys = self.props if self.props is not None else own_keys(value)
        parts = []
        for k in keys:
            s = self.str_(k, value)
            if s is not UNDEFINED:
                parts.append(quote(k) + (": " if self.gap else ":") + s)
        _check_size(parts, self.gap, self.indent)
        if not parts:
            out = "{}"
        elif not self.gap:
            out = "{" + ",".join(parts) + "}"
        else:
            sep = ",\n" + self.indent
            out = "{\n" + self.indent + sep.join(parts) + "\n" + stepback + "}"
        self.stack.pop()
        self.indent = stepback
        return out

    def array(self, value: JSArray) -> str:
        builtin_tick()
        self.enter(value)
        stepback = self.indent
        self.indent += self.gap
        parts = []
        for i in range(len(value)):
            s = self.str_(str(i), value)
            parts.append("null" if s is UNDEFINED else s)
        _check_size(parts, self.gap, self.indent)
        if not parts:
            out = "[]"
        elif not self.gap:
            out = "[" + ",".join(parts) + "]"
        else:
            sep = ",\n" + self.indent
            out = "[\n" + self.indent + sep.join(parts) + "\n" + stepback + "]"
        self.stack.pop()
        self.indent = stepback
        return out


def _check_size(parts: list, gap: str, indent: str) -> None:
    """The string cap (budget.py) before an object or array is joined: shared parts of a
    value (`a = [a, a]`, forty times) would double the text at each level."""
    if sum(map(len, parts)) + len(parts) * (2 + len(gap) + len(indent)) > MAX_STRING_LENGTH:
        throw_range_error("Invalid string length")


def json_stringify(value: Any, replacer: Any = UNDEFINED, space: Any = UNDEFINED) -> Any:
    """JSON.stringify (15.12.3): a str, or UNDEFINED for unserialisable values."""
    return _Stringifier(replacer, space).str_("", {"": value})


@define(JSON, "stringify", 3)
def _stringify(this, value=UNDEFINED, replacer=UNDEFINED, space=UNDEFINED, *_):
    return json_stringify(value, replacer, space)


BUILTINS["JSON"] = JSON


# Made on first use of `JSON` (values.LAZY_BUILTINS): frozen here, whoever imports this first.
freeze_all(JSON)
