"""The ORS script environment: `_genesys` (`.session`, and the modules' `.ixn`, `.queue`), `__Log`, `__Raise` and `__GetCurrentStates` for charts that use a Genesys module (ors-extensions.md §10).

`_data`, `_event`, `_sessionid`, `_name`, `uneval` and `toSource` are the runtime's anyway
(the datamodel and the JS built-ins); this adds what ORS provides on top, per session.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..documents import document_url
from ..events import INTERNAL, make_event
from ..interpreter import iter_bits
from ..js import UNDEFINED, JSArray, js_native, js_to_string, to_js
from ..js.conversions import to_number
from ..js.values import hide_globals

if TYPE_CHECKING:  # pragma: no cover
    from ..host import Host
    from ..machine import Machine

ENVIRONMENT_GLOBALS = ("_genesys", "__Log", "__Raise", "__GetCurrentStates", "__GetDocumentURL", "_my_prefix")
GENESYS_MODULES = ("ixn", "queue")  # modules with a part of _genesys
hide_globals(*ENVIRONMENT_GLOBALS)


class Genesys:
    """The Genesys environment of a host's ORS sessions (a service named "genesys").

    - `tenant`: what `_genesys.session.tenant` starts as (`setTenant` changes it per session);
    - `server`: `_genesys.session.server`, `{name, cluster, url}`;
    - `lists`: configuration List objects for `_genesys.session.getListItemValue(list, item)`:
      `{list name: {item name: {key: value, ...}}}` (JSON-like Python data).
    """

    name = "genesys"

    def __init__(self, *, tenant: str = "Environment", server: dict | None = None, lists: dict | None = None) -> None:
        self.tenant = tenant
        self.server = {"name": "scxmlc", "cluster": "", "url": "", **(server or {})}
        self.lists = lists or {}
        self.host: "Host | None" = None

    def attach(self, host: "Host") -> None:
        self.host = host

    def close(self) -> None:
        pass

    def install(self, machine: "Machine") -> None:
        dm = machine.dm
        session: dict[str, Any] = {
            "server": to_js(self.server),
            "tenant": self.tenant,
        }

        def set_tenant(this, name=UNDEFINED, *_):
            session["tenant"] = js_to_string(name)
            return UNDEFINED

        def get_list_item_value(this, list_name=UNDEFINED, item=UNDEFINED, *_):
            items = self.lists.get(js_to_string(list_name))
            if not isinstance(items, dict):
                return UNDEFINED
            value = items.get(js_to_string(item))
            return UNDEFINED if value is None else to_js(value)

        session["setTenant"] = js_native(set_tenant, "setTenant")
        session["getListItemValue"] = js_native(get_list_item_value, "getListItemValue")
        genesys = {"session": session}
        # the other Genesys modules' parts: _genesys.ixn, _genesys.queue
        for name in GENESYS_MODULES:
            genesys[name] = self.host.service(name).environment(machine)
        dm["_genesys"] = genesys
        dm["__Log"] = js_native(lambda this, *args: _log(machine, *args), "__Log")
        dm["__Raise"] = js_native(lambda this, *args: _raise(machine, *args), "__Raise")
        dm["__GetCurrentStates"] = js_native(lambda this, *args: current_states(machine), "__GetCurrentStates")
        dm["__GetDocumentURL"] = js_native(lambda this, *args: document_url(machine), "__GetDocumentURL")
        # Outside an included fragment `_my_prefix` is the empty string (ors-dialect.md §3.5);
        # inside one the compiler wrote the fragment's prefix in its place.
        dm["_my_prefix"] = ""


def _log(machine: "Machine", message: Any = UNDEFINED, label: Any = UNDEFINED, level: Any = UNDEFINED, *_) -> Any:
    """__Log(message[, label, level]): as `<log label expr level>`."""
    lvl = None
    if level is not UNDEFINED:
        n = to_number(level)
        lvl = int(n) if n == n and n in (1.0, 2.0, 3.0, 4.0) else None
    machine.log(None if label is UNDEFINED else js_to_string(label), message, level=lvl)
    return UNDEFINED


def _raise(machine: "Machine", name: Any = UNDEFINED, params: Any = UNDEFINED, *_) -> Any:
    """__Raise(name[, params]): an internal event, as `<raise>` with its params as data."""
    machine.internal_queue.append(make_event(js_to_string(name), params, type=INTERNAL))
    return UNDEFINED


def current_states(machine: "Machine") -> JSArray:
    """__GetCurrentStates(): the ids of the active states, in document order."""
    ids = machine.tables.ids
    return JSArray(ids[i] for i in iter_bits(machine.config) if i)


__all__ = ["ENVIRONMENT_GLOBALS", "Genesys", "current_states"]
