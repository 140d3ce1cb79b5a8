"""Error and the NativeError constructors (ES5.1 15.11)."""

from __future__ import annotations

from ..conversions import is_object, to_string
from ..errors import ERROR_NAMES, throw_type_error
from ..properties import js_getp
from ..values import BUILTINS, ERROR_PROTOS, UNDEFINED, JSObject
from ._util import define, native


def _make_ctor(name: str):
    proto = ERROR_PROTOS[name]

    def construct(message=UNDEFINED, options=UNDEFINED, *_):
        err = JSObject(proto, "Error")
        if message is not UNDEFINED:
            err["message"] = to_string(message)
        err.hidden = frozenset(("message",))
        return err

    ctor = native(lambda this, *args: construct(*args), name, 1, construct=construct)
    ctor.props = {"prototype": proto}
    dict.update(proto, constructor=ctor, name=name, message="")
    proto.hidden = frozenset(("constructor", "name", "message"))
    return ctor


for _name in ERROR_NAMES:
    BUILTINS[_name] = _make_ctor(_name)


@define(ERROR_PROTOS["Error"], "toString", 0)
def _error_to_string(this, *_):
    """Error.prototype.toString (ES5.1 15.11.4.4)."""
    if not is_object(this):  # (step 2)
        throw_type_error(f"Method Error.prototype.toString called on incompatible receiver {to_string(this)}")
    name = js_getp(this, "name")
    msg = js_getp(this, "message")
    name = "Error" if name is UNDEFINED else to_string(name)
    msg = "" if msg is UNDEFINED else to_string(msg)
    if not name:
        return msg
    if not msg:
        return name
    return f"{name}: {msg}"
