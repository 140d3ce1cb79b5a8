"""JavaScript Error objects: creating them, throwing them, and reading name/message back."""

from __future__ import annotations

TYPE_CHECKING = False  # (typing.TYPE_CHECKING, without importing typing at run time)
if TYPE_CHECKING:
    from typing import Any, NoReturn

from .values import ERROR_PROTO, ERROR_PROTOS, OBJECT_PROTO, UNDEFINED, HostObject, JSArray, JSFunction, JSObject, JSThrow, ensure_builtins

ERROR_NAMES = ("Error", "EvalError", "RangeError", "ReferenceError", "SyntaxError", "TypeError", "URIError")

for _name in ERROR_NAMES[1:]:
    # ES5.1 15.11.7: each NativeError prototype inherits from Error.prototype.
    ERROR_PROTOS[_name] = JSObject(ERROR_PROTO, "Error")


def make_error(name: str, message: str) -> JSObject:
    """A new JS error object of class `name` (unknown names give a plain Error with that name)."""
    # Its name, and how it converts, come from its prototype: the built-ins must be there
    # (a chart without other ECMAScript may make one first: a compile error raised when run).
    ensure_builtins()
    proto = ERROR_PROTOS.get(name)
    err = JSObject(proto if proto is not None else ERROR_PROTO, "Error")
    if proto is None:
        err["name"] = name
    if message != "":
        err["message"] = message
    err.hidden = frozenset(("message", "name"))  # own but not enumerable, as in 15.11.1.1
    return err


def throw(name: str, message: str) -> NoReturn:
    raise JSThrow(make_error(name, message))


def throw_type_error(message: str) -> NoReturn:
    raise JSThrow(make_error("TypeError", message))


def throw_range_error(message: str) -> NoReturn:
    raise JSThrow(make_error("RangeError", message))


def throw_reference_error(message: str) -> NoReturn:
    raise JSThrow(make_error("ReferenceError", message))


def throw_syntax_error(message: str) -> NoReturn:
    raise JSThrow(make_error("SyntaxError", message))


def error_name_message(value: Any) -> tuple[str, str]:
    """(name, message) of any thrown value.

    Error-like objects report their `name` and `message` properties (inherited ones included);
    any other thrown value reports name "Error" and its ToString as the message, which is how
    browsers print `Uncaught 42`.
    """
    from .conversions import to_string
    from .properties import js_get

    if isinstance(value, (dict, JSArray, JSFunction, HostObject)):
        try:
            name = js_get(value, "name")
            message = js_get(value, "message")
            if isinstance(value, JSObject) and value.cls == "Error" or name is not UNDEFINED:
                return (
                    to_string(name) if name is not UNDEFINED else "Error",
                    to_string(message) if message is not UNDEFINED else "",
                )
        except JSThrow:
            pass
    try:
        from .interop import js_display

        return "Error", js_display(value)
    except JSThrow:
        return "Error", "<unprintable value>"


def is_error(value: Any) -> bool:
    if not isinstance(value, JSObject):
        return False
    p = value
    while p is not None:
        if p is ERROR_PROTO:
            return True
        p = p.proto
    return False


__all__ = [
    "ERROR_NAMES",
    "OBJECT_PROTO",
    "make_error",
    "error_name_message",
    "throw",
    "throw_type_error",
    "throw_range_error",
    "throw_reference_error",
    "throw_syntax_error",
    "is_error",
]
