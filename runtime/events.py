"""Events: the SCXML event object (5.10.1), as the `_event` value ECMAScript sees."""

from __future__ import annotations

from .js import UNDEFINED, HostObject

EXTERNAL = "external"
INTERNAL = "internal"
PLATFORM = "platform"

_FIELDS = ("name", "type", "sendid", "origin", "origintype", "invokeid", "data")


class Event(HostObject):
    """One event. Fields that do not apply are `undefined` in ECMAScript (SCXML 5.10.1)."""

    __slots__ = _FIELDS

    def __init__(
        self,
        name: str,
        data=UNDEFINED,
        type: str = EXTERNAL,
        sendid=UNDEFINED,
        origin=UNDEFINED,
        origintype=UNDEFINED,
        invokeid=UNDEFINED,
    ):
        self.name = name
        self.type = type
        self.sendid = sendid
        self.origin = origin
        self.origintype = origintype
        self.invokeid = invokeid
        self.data = data

    # The only way ECMAScript reaches an Event: an explicit field table, never getattr.
    def js_get(self, key):
        if key in _FIELDS:
            return getattr(self, key)
        return UNDEFINED

    def js_keys(self):
        return list(_FIELDS)

    def __repr__(self) -> str:
        return f"Event({self.name!r}, type={self.type!r})"
