"""The ORS script environment: `_genesys` (`.session`, `.ixn`, `.queue`, `.statistic`, ...), `__Log`, `__Raise`, `__GetCurrentStates`, `__GetDocumentURL` and `_my_prefix` for ORS documents (ors-extensions.md §10, ors-dialect.md §6-§7).

`_data`, `_event`, `_sessionid`, `_name`, `uneval` and `toSource` are the runtime's anyway (the
datamodel and the JS built-ins); this adds what ORS provides on top. The data those functions
read (tenant, configuration lists and options, time zones, special days, statistics) is the
`Genesys` service's, given to the Host; `Genesys.load(path)` reads it from a JSON or TOML file.

The objects are read-only views made when a session first reads them, and the functions that do
not depend on the session are made once per host: a session that uses none of this pays for
two small objects.
"""

from __future__ import annotations

import datetime as _dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._lazylog import LazyLogger
from ..documents import document_url
from ..events import INTERNAL, make_event, valid_event_name
from ..interpreter import iter_bits
from ..js import UNDEFINED, JSArray, JSThrow, js_native, js_to_string, make_error, to_js
from ..js.conversions import to_number
from ..js.values import HostObject, hide_globals
from ..requests import IllegalValue, structured_clone

if TYPE_CHECKING:  # pragma: no cover
    from ..host import Host
    from ..machine import Machine

_log = LazyLogger("scxmlc_runtime")  # (logging is imported on first use, issue 14)

ENVIRONMENT_GLOBALS = ("_genesys", "__Log", "__Raise", "__GetCurrentStates", "__GetDocumentURL", "_my_prefix")
hide_globals(*ENVIRONMENT_GLOBALS)

# _genesys.session.lookupseq (StartFromStrategy is -1 [GDOC:OSC]; the others count down)
LOOKUPSEQ = {"StartFromStrategy": -1, "StartFromTserver": -2, "StartFromCDN": -3, "StartFromRouter": -4, "StartFromTenant": -5}
DAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
MEDIA_TYPES = (
    "TMediaVoice", "TMediaVoIP", "TMediaEMail", "TMediaVMail", "TMediaSMail", "TMediaChat", "TMediaVideo",
    "TMediaCobrowsing", "TMediaWhiteboard", "TMediaAppSharing", "TMediaWebform", "TMediaWorkItem", "TMediaCallback",
    "TMediaFax", "TMediaPrintedDoc", "TMediaSMS", "TMediaMMS", "TMediaEmailWebForm", "TMediaOpenMedia",
    "TMediaSocial", "TMediaInstantMessaging",
)  # fmt: skip


def _throw(message: str) -> None:
    raise JSThrow(make_error("Error", message))


class _View(HostObject):
    """A read-only object whose properties are computed (`props` returns name -> value)."""

    __slots__ = ()

    def props(self) -> dict:  # pragma: no cover - overridden
        return {}

    def js_get(self, key: str) -> Any:
        return self.props().get(key, UNDEFINED)

    def js_keys(self) -> list[str]:
        return list(self.props())


class Enum(HostObject):
    """An enum of names whose values are the names themselves (`overwriteType.X` is "X"). With
    `names`, only those; without, any name (the libraries use names nobody listed)."""

    __slots__ = ("names",)

    def __init__(self, names: tuple[str, ...] = ()):
        self.names = names

    def js_get(self, key: str) -> Any:
        if not self.names or key in self.names:
            return key
        return UNDEFINED

    def js_keys(self) -> list[str]:
        return list(self.names)

    def __repr__(self) -> str:
        return "Enum"


class Constants(HostObject):
    """A read-only object of fixed values (`_genesys.session.day`, `.lookupseq`, `.server`): these
    are shared by the host's sessions, so no session may change what another reads."""

    __slots__ = ("values",)

    def __init__(self, values: dict[str, Any]):
        self.values = values

    def js_get(self, key: str) -> Any:
        return self.values.get(key, UNDEFINED)

    def js_keys(self) -> list[str]:
        return list(self.values)

    def __repr__(self) -> str:
        return "Constants"


def _shared_native(fn, name: str):
    f = js_native(fn, name)
    f.frozen = True  # one object for all the host's sessions: none may add to it
    return f


_SETTINGS = ("tenant", "tenantid", "server", "lists", "options", "timezones", "special_days", "statistics")


class Genesys:
    """The Genesys environment of a host's ORS sessions (a service named "genesys").

    - `tenant`, `tenantid`: what `_genesys.session.tenant` starts as (`setTenant` changes it per
      session) and `.tenantid`;
    - `server`: `_genesys.session.server`, `{name, cluster, url}`;
    - `lists`: configuration List objects, `{list: {item: {key: value}}}`, for
      `getListItemValue(list, item[, key])` and `listLookupValue(list, item, key)`;
    - `options`: `{key: value}` for `getConfigOption(ixnid, key, lookupseq)`;
    - `timezones`: Genesys zone names to IANA names (`{"ECT": "Europe/Paris"}`) for
      `dayInZone`, `timeInZone`, `dateInZone`, `isSpecialDay`; IANA names work as they are;
    - `special_days`: `{table: ["2026-12-25", ...]}` for `isSpecialDay(table, day)`;
    - `statistics`: `{object: {statistic: value}}` for `_genesys.statistic.sData` (others: 0).
    """

    name = "genesys"

    def __init__(
        self,
        *,
        tenant: str = "Environment",
        tenantid: float = 1,
        server: dict | None = None,
        lists: dict | None = None,
        options: dict | None = None,
        timezones: dict | None = None,
        special_days: dict | None = None,
        statistics: dict | None = None,
    ) -> None:
        # the settings come from users' files: say which one is wrong rather than fail later
        if not isinstance(tenant, str):
            raise ValueError(f"tenant must be a string, not {type(tenant).__name__}")
        if isinstance(tenantid, bool) or not isinstance(tenantid, (int, float)):
            raise ValueError(f"tenantid must be a number, not {type(tenantid).__name__}")
        for key, value in (("server", server), ("lists", lists), ("options", options), ("timezones", timezones),
                           ("special_days", special_days), ("statistics", statistics)):  # fmt: skip
            if value is not None and not isinstance(value, dict):
                raise ValueError(f"{key} must be a table, not {type(value).__name__}")
        self.tenant = tenant
        self.tenantid = float(tenantid)
        self.server = {"name": "scxmlc", "cluster": "", "url": "", **(server or {})}
        self.lists = lists or {}
        self.options = options or {}
        self.timezones = timezones or {}
        self.special_days = special_days or {}
        self.statistics = statistics or {}
        self.host: "Host | None" = None
        self._logged: set = set()
        self._shared: dict[str, Any] | None = None

    @classmethod
    def load(cls, path: str | Path) -> "Genesys":
        """The environment described by a JSON or TOML file whose keys are this class's
        arguments."""
        path = Path(path)
        text = path.read_text(encoding="utf-8")
        if path.suffix.lower() == ".toml":
            import tomllib

            data = tomllib.loads(text)
        else:
            data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("expected a table of settings")
        unknown = sorted(set(data) - set(_SETTINGS))
        if unknown:
            raise ValueError(f"unknown setting {unknown[0]!r} (known: {', '.join(_SETTINGS)})")
        return cls(**data)

    def attach(self, host: "Host") -> None:
        self.host = host

    def close(self) -> None:
        pass

    def install(self, machine: "Machine") -> None:
        dm = machine.dm
        dm["_genesys"] = GenesysRoot(self, machine)
        dm["__Log"] = js_native(lambda this, *args: _log_call(machine, *args), "__Log")
        dm["__Raise"] = js_native(lambda this, *args: _raise(machine, *args), "__Raise")
        dm["__GetCurrentStates"] = js_native(lambda this, *args: current_states(machine), "__GetCurrentStates")
        dm["__GetDocumentURL"] = js_native(lambda this, *args: document_url(machine), "__GetDocumentURL")
        # Outside an included fragment `_my_prefix` is the empty string (ors-dialect.md §3.5);
        # inside one the compiler wrote the fragment's prefix in its place.
        dm["_my_prefix"] = ""

    # -- functions shared by the host's sessions ---------------------------------------------

    @property
    def shared(self) -> dict[str, Any]:
        if self._shared is None:
            self._shared = {
                "server": Constants({k: to_js(v) for k, v in self.server.items()}),
                "getListItemValue": _shared_native(self._get_list_item_value, "getListItemValue"),
                "listLookupValue": _shared_native(self._list_lookup_value, "listLookupValue"),
                "getConfigOption": _shared_native(self._get_config_option, "getConfigOption"),
                "dayInZone": _shared_native(lambda this, tz=UNDEFINED, *_: float(self.now_in(tz).isoweekday() % 7), "dayInZone"),
                "timeInZone": _shared_native(lambda this, tz=UNDEFINED, *_: self.now_in(tz).strftime("%H:%M:%S"), "timeInZone"),
                "dateInZone": _shared_native(lambda this, tz=UNDEFINED, *_: self.now_in(tz).strftime("%Y-%m-%d"), "dateInZone"),
                "isSpecialDay": _shared_native(self._is_special_day, "isSpecialDay"),
                "lookupseq": Constants({k: float(v) for k, v in LOOKUPSEQ.items()}),
                "day": Constants({d: float(k) for k, d in enumerate(DAYS)}),
                "sData": _shared_native(self._sdata, "sData"),
            }
        return self._shared

    def _list(self, name: Any) -> dict:
        items = self.lists.get(js_to_string(name))
        if not isinstance(items, dict):
            _throw(f"no configuration list {js_to_string(name)!r}")
        return items

    def _get_list_item_value(self, this, list_name=UNDEFINED, item=UNDEFINED, key=UNDEFINED, *_):
        """2 arguments: the item's key/value pairs as an object; 3: one value as a string
        ("" when missing). An unknown list throws (ors-dialect.md §6)."""
        items = self._list(list_name)
        values = items.get(js_to_string(item))
        if key is not UNDEFINED:
            return self._text(values.get(js_to_string(key)) if isinstance(values, dict) else None)
        return to_js(values) if isinstance(values, dict) else {}

    def _list_lookup_value(self, this, list_name=UNDEFINED, item=UNDEFINED, key=UNDEFINED, *_):
        return self._get_list_item_value(this, list_name, item, key)

    def _get_config_option(self, this, ixnid=UNDEFINED, key=UNDEFINED, lookupseq=UNDEFINED, *_):
        return self._text(self.options.get(js_to_string(key)))

    @staticmethod
    def _text(value: Any) -> str:
        if value is None:
            return ""
        return value if isinstance(value, str) else js_to_string(to_js(value))

    def zone(self, tz: Any):
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        name = js_to_string(tz)
        try:
            return ZoneInfo(self.timezones.get(name, name))
        except (ZoneInfoNotFoundError, ValueError, OSError):  # (OSError: a folder of the zone database, a name too long)
            _throw(f"unknown time zone {name[:80]!r} (Genesys(timezones={{...}}) maps zone names)")

    def now_in(self, tz: Any) -> _dt.datetime:
        """Now (the host clock's time) in a zone."""
        when = self.host.clock.time() if self.host is not None else _dt.datetime.now().timestamp()
        return _dt.datetime.fromtimestamp(when, self.zone(tz))

    def _is_special_day(self, this, table=UNDEFINED, day=UNDEFINED, tz=UNDEFINED, use_time=UNDEFINED, *_):
        dates = self.special_days.get(js_to_string(table))
        if dates is None:
            _throw(f"no special-day table {js_to_string(table)!r}")
        if day is UNDEFINED or day is None:
            date = self.now_in(tz if tz is not UNDEFINED else "UTC").date()
        elif isinstance(day, float) or (hasattr(day, "cls") and getattr(day, "cls", None) == "Date"):
            ms = day if isinstance(day, float) else day.internal
            zone = self.zone(tz if tz is not UNDEFINED else "UTC")
            try:  # (NaN, an invalid Date, or a time outside the years 1-9999)
                date = _dt.datetime.fromtimestamp(ms / 1000.0, zone).date()
            except (ValueError, OverflowError, OSError):
                _throw(f"isSpecialDay: {js_to_string(day)[:40]} is not a date in the years 1 to 9999")
        else:
            text = js_to_string(day)
            try:
                date = _dt.date.fromisoformat(text[:10])
            except ValueError:
                _throw(f"isSpecialDay: {text!r} is not a date (YYYY-MM-DD)")
        return date.isoformat() in {str(d)[:10] for d in dates}

    def _sdata(self, this, obj=UNDEFINED, stat=UNDEFINED, *_):
        """_genesys.statistic.sData(object, statistic): from `statistics`, else 0 (logged once
        per object and statistic)."""
        name, statistic = js_to_string(obj), js_to_string(stat)
        value = self.statistics.get(name, {}).get(statistic)
        if value is None:
            if (name, statistic) not in self._logged:
                self._logged.add((name, statistic))
                _log.info("_genesys.statistic.sData(%r, %r): no value configured, 0", name, statistic)
            return 0.0
        return to_js(value)


class GenesysRoot(_View):
    """`_genesys` of a session."""

    __slots__ = ("env", "machine", "parts")

    def __init__(self, env: Genesys, machine: "Machine"):
        self.env = env
        self.machine = machine
        self.parts: dict[str, Any] = {}

    NAMES = ("session", "ixn", "queue", "statistic", "voice", "resource")

    def js_get(self, key: str) -> Any:
        part = self.parts.get(key)
        if part is None and key in self.NAMES:
            part = self.parts[key] = self._make(key)
        return UNDEFINED if part is None else part

    def js_keys(self) -> list[str]:
        return list(self.NAMES)

    def _make(self, key: str) -> Any:
        host = self.env.host
        if key == "session":
            return SessionPart(self.env)
        if key in ("ixn", "queue"):
            return host.service(key).environment(self.machine)
        if key == "statistic":
            return {"sData": self.env.shared["sData"]}
        if key == "voice":
            return {"overwriteType": Enum()}
        return {"resourceType": Enum()}

    def __repr__(self) -> str:
        return "_genesys"


class SessionPart(HostObject):
    """`_genesys.session` of a session: `tenant` (changed by `setTenant`), `tenantid`, `server`,
    and the configuration functions."""

    __slots__ = ("env", "tenant", "_set_tenant")

    def __init__(self, env: Genesys):
        self.env = env
        self.tenant = env.tenant
        self._set_tenant = None

    def js_get(self, key: str) -> Any:
        if key == "tenant":
            return self.tenant
        if key == "tenantid":
            return self.env.tenantid
        if key == "setTenant":
            if self._set_tenant is None:
                self._set_tenant = js_native(self._set, "setTenant")
            return self._set_tenant
        return self.env.shared.get(key, UNDEFINED) if key != "sData" else UNDEFINED

    def _set(self, this, name=UNDEFINED, *_):
        self.tenant = js_to_string(name)
        return UNDEFINED

    def js_keys(self) -> list[str]:
        return ["tenant", "tenantid", "setTenant", *(k for k in self.env.shared if k != "sData")]

    def __repr__(self) -> str:
        return "_genesys.session"


def _log_call(machine: "Machine", message: Any = UNDEFINED, label: Any = UNDEFINED, level: Any = UNDEFINED, *_) -> Any:
    """__Log(message[, label, level]): as `<log label expr level>`."""
    lvl = None
    if level is not UNDEFINED:
        n = to_number(level)
        lvl = int(n) if n == n and n in (1.0, 2.0, 3.0, 4.0) else None
    label_text = None if label is UNDEFINED or label == "" else js_to_string(label)
    machine.log(label_text, js_to_string(message), level=lvl)  # (ToString: ors-dialect.md §7)
    return UNDEFINED


def _raise(machine: "Machine", name: Any = UNDEFINED, data: Any = UNDEFINED, *_) -> Any:
    """__Raise(name[, data]): an internal event, as `<raise>`; its data a structured copy of
    `data` ({} when undefined); a name that is not an event name throws."""
    text = js_to_string(name)
    if not valid_event_name(text):
        _throw(f"__Raise: {text!r} is not an event name")
    try:
        copy = {} if data is UNDEFINED else structured_clone(data, "data")
    except IllegalValue as exc:
        raise JSThrow(make_error("TypeError", exc.description)) from None
    machine._internal().append(make_event(text, copy, type=INTERNAL))
    return UNDEFINED


def current_states(machine: "Machine") -> JSArray:
    """__GetCurrentStates(): the ids of the active states, in document order."""
    ids = machine.tables.ids
    return JSArray(ids[i] for i in iter_bits(machine.config) if i)


__all__ = ["ENVIRONMENT_GLOBALS", "Constants", "Enum", "Genesys", "GenesysRoot", "MEDIA_TYPES", "SessionPart", "current_states"]
