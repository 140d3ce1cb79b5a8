"""Events: the SCXML event object (5.10.1), built as the plain JavaScript object `_event` is."""

from __future__ import annotations

TYPE_CHECKING = False  # (typing.TYPE_CHECKING, without importing typing at run time)
if TYPE_CHECKING:
    from typing import Any

from ._lazyre import LazyPattern
from .js.values import UNDEFINED

_EVENT_NAME = LazyPattern(r"[^\s.*]+(\.[^\s.*]+)*")


def valid_event_name(name: str) -> bool:
    """An event name (SCXML 3.12.1): tokens separated by dots, no spaces, no `*`."""
    return bool(_EVENT_NAME.fullmatch(name))

EXTERNAL = "external"
INTERNAL = "internal"
PLATFORM = "platform"


def make_event(
    name: str,
    data: Any = UNDEFINED,
    type: str = EXTERNAL,
    sendid: Any = UNDEFINED,
    origin: Any = UNDEFINED,
    origintype: Any = UNDEFINED,
    invokeid: Any = UNDEFINED,
) -> dict:
    """A new event. It is a plain JS object (a dict, docs/ecmascript.md), so `_event.data.x`
    is a dictionary lookup for transpiled code; fields that do not apply are `undefined`
    (SCXML 5.10.1), and all seven are present, as the spec's field list says."""
    return {
        "name": name,
        "type": type,
        "sendid": sendid,
        "origin": origin,
        "origintype": origintype,
        "invokeid": invokeid,
        "data": data,
    }


# Events less their name, for the hot paths (copying a dict beats building one).
INTERNAL_TEMPLATE = make_event("", type=INTERNAL)
EXTERNAL_TEMPLATE = make_event("", type=EXTERNAL)


def internal_event(name: str) -> dict:
    """A new internal event named `name` with no data, as `<raise>` makes one."""
    event = INTERNAL_TEMPLATE.copy()
    event["name"] = name
    return event


# The fields Machine.send takes beside the name and the data.
SEND_FIELDS = ("sendid", "origin", "origintype", "invokeid")


def plain_string(value: object, what: str) -> str:
    """A string Machine.send was given (the event name, a field) as a plain str: the text of a
    str subclass (an enum member, say), which the JavaScript value layer does not know; a
    TypeError for anything else."""
    if isinstance(value, str):
        return str.__str__(value)
    raise TypeError(f"send() takes {what} as a string, not {type(value).__name__}")


def send_fields(fields: dict) -> dict:
    """Machine.send's keyword fields, checked: a TypeError names one it does not take, or a
    value that is no string (or None).

    (send takes them as **fields, not as keyword-only parameters with defaults: filling four
    keyword-only defaults costs CPython more per call than the whole of send's shortest
    path, and most sends pass none.)"""
    for key, value in fields.items():
        if key not in SEND_FIELDS:
            raise TypeError(f"send() got an unexpected keyword argument {key!r}")
        if value.__class__ is not str and value is not None and value is not UNDEFINED:  # (None: null, as before)
            fields[key] = plain_string(value, key)
    return fields
