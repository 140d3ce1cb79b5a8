"""Sessions as bytes and back: `Machine.snapshot()` and `Chart.restore(data, host=...)` (ors-server.md §9.3).

A snapshot is taken between macrosteps (the internal queue is empty then: SCXML's quiet point)
and holds the whole session: the active configuration, history, which late-bound data exists,
the datamodel as a graph of JavaScript values (js/heap.py: shared objects, cycles, closures),
the last event, the external events still queued, the delayed `<send>`s with the time left, the
session's own changes to built-in objects, the sessions it invoked (each a snapshot of its own),
and the requests it was waiting for. It is JSON, compressed with zlib.

A restored session carries on as the original would have, with one exception that no store can
avoid: a request that was in flight on the network (a fetch, a platform request) cannot be taken
back, so the restored session gets that request's error event with `error: "interrupted"`
(ors-server.md §9.7 step 5).

Times are stored as what was left of each delay, with the clock's time of day, so a session
restored later (or on a clock that started elsewhere) fires its timers when they were due, at
once if that moment has passed.
"""

from __future__ import annotations

import json
import linecache
import sys
import types
import weakref
import zlib

from .actions import DelayedSend
from .events import make_event
from .js.heap import HeapReader, HeapWriter, Unstorable, intrinsic, intrinsic_name
from .js.budget import TICKS_KEY, ScriptBudget, js_ticks
from .js.values import DECLARED_GLOBALS_KEY, HIDDEN_GLOBALS, MISSING, SCRIPT_VARS_KEY, UNDEFINED

TYPE_CHECKING = False  # (typing.TYPE_CHECKING, without importing typing at run time)
if TYPE_CHECKING:  # pragma: no cover
    from typing import Any
    from .host import Host
    from .machine import Machine

FORMAT = 1
MAX_BYTES = 64 * 1024 * 1024  # a snapshot larger than this is refused (compressed size)
# Datamodel entries every session makes for itself (install_globals), not stored.
_SYSTEM_KEYS = frozenset(("_sessionid", "_name", "_ioprocessors", "_event", "In"))


class SnapshotError(Exception):
    """The session cannot be stored (not at a quiet point, a value that cannot be stored), or
    the data cannot be restored (another chart, another format, damaged data)."""


# -- charts -------------------------------------------------------------------------------------


def chart_globals(cls: type) -> dict | None:
    """The namespace of a generated chart's module (where its functions are found)."""
    module = sys.modules.get(cls.__module__)
    if module is not None and getattr(module, cls.__name__, None) is cls:
        return vars(module)
    for fn in _chart_functions(cls):
        return fn.__globals__
    return None


def _chart_functions(cls: type):
    for row in cls.STATES:
        for fn in (*row.onentry, *row.onexit, *(init for _, init in row.data), row.donedata):
            if isinstance(fn, types.FunctionType):
                yield fn
    for t in cls.TRANSITIONS:
        for fn in (t.cond, t.action):
            if isinstance(fn, types.FunctionType):
                yield fn
    for fn in cls.global_scripts:
        if isinstance(fn, types.FunctionType):
            yield fn


_DIGESTS: "weakref.WeakKeyDictionary[type, str]" = weakref.WeakKeyDictionary()


def chart_digest(cls: type) -> str:
    """A fingerprint of the generated code of a chart: a snapshot is restored only into the
    chart it was taken from. (Once per class: a server asks at every commit.)"""
    found = _DIGESTS.get(cls)
    if found is None:
        found = _DIGESTS[cls] = _digest(cls)
    return found


def _digest(cls: type) -> str:
    namespace = chart_globals(cls)
    text = namespace.get("__scxmlc_source__") if namespace else None  # (a module compiled in memory)
    if text is None:
        filename = namespace.get("__file__") if namespace else None
        lines = linecache.getlines(filename) if filename else []
        text = "".join(lines) if lines else repr([(r.id, r.kind, r.parent) for r in cls.STATES])
    import hashlib  # (imported when a session is first stored)

    return hashlib.sha256(f"{cls.__qualname__}\n{text}".encode("utf-8")).hexdigest()[:32]


def chart_ref(cls: type, parent_cls: type | None = None) -> dict:
    """How to find an invoked child's chart again."""
    source = getattr(cls, "document_source", None)
    if source is not None and "document_source" in vars(cls):
        text, name, base_dir = source
        return {"text": text.decode("utf-8") if isinstance(text, bytes) else text, "name": name, "base_dir": base_dir}
    if parent_cls is not None and chart_globals(parent_cls) is chart_globals(cls):
        return {"same_module": cls.__name__}
    module = sys.modules.get(cls.__module__)
    if module is not None and getattr(module, cls.__name__, None) is cls:
        return {"module": cls.__module__, "class": cls.__name__}
    raise SnapshotError(f"the chart {cls.__name__} of an invoked session cannot be found again")


def resolve_chart(ref: dict, parent_cls: type) -> type:
    if "text" in ref:
        from .documents import compile_document

        return compile_document(ref["text"], ref["name"], ref["base_dir"])
    if "same_module" in ref:
        namespace = chart_globals(parent_cls) or {}
        found = namespace.get(ref["same_module"])
        if found is None:
            raise SnapshotError(f"no chart {ref['same_module']} beside {parent_cls.__name__}")
        return found
    import importlib

    return getattr(importlib.import_module(ref["module"]), ref["class"])


# -- taking a snapshot ----------------------------------------------------------------------------


def snapshot(machine: "Machine") -> bytes:
    """The session as bytes (zlib-compressed JSON)."""
    try:
        # (a surrogate, which a JavaScript string may hold, as the bytes UTF-8 would give it
        # (surrogatepass), each kept apart: as JSON's `\ud83d\ude00` escapes, a high surrogate
        # and the low one after it would come back as one astral character, a string of
        # length 2 become one of length 1)
        data = json.dumps(snapshot_state(machine), separators=(",", ":"), ensure_ascii=False).encode("utf-8", "surrogatepass")
    except RecursionError:
        # (the heap encoding does not recurse into the data, and refuses it past MAX_DEPTH:
        # a safety net, as ors-server.md §9.3 says such a session is not stored)
        raise SnapshotError("the session's data nests too deeply to be stored") from None
    packed = zlib.compress(data, 1)  # (level 1: a server compresses at every commit)
    if len(packed) > MAX_BYTES:
        raise SnapshotError(f"the snapshot is {len(packed)} bytes, more than {MAX_BYTES}")
    return packed


def snapshot_state(machine: "Machine", writer: HeapWriter | None = None) -> dict:
    base = type(machine).chart_class or type(machine)  # (a SupervisedSession's chart)
    if not machine.started:
        raise SnapshotError("the session has not started")
    if machine._busy or machine.internal_queue:
        raise SnapshotError("a session can be stored only between macrosteps")
    machine.settle_event()  # (the `_event` code would read now: see Planned.settle_event)
    tables = machine.tables
    dm = machine.dm
    top = writer is None
    if writer is None:
        writer = HeapWriter()
    writer.markers[id(dm)] = {"$dm": machine.sessionid}
    writer.markers[id(machine)] = {"$sm": machine.sessionid}
    budget = dm.get(TICKS_KEY)
    if isinstance(budget, ScriptBudget):
        # (functions close over the session's tick iterator: js/budget.py; it is the
        # restored session's own again)
        writer.markers[id(budget.ticks)] = {"$ticks": machine.sessionid}
    writer.chart_modules.setdefault(base.__module__, machine.sessionid)
    try:
        state: dict[str, Any] = {
            "v": FORMAT,
            "id": machine.sessionid,
            "chart": base.__name__,
            "module": base.__module__,
            "digest": chart_digest(base),
            "time": machine.clock.time(),
            "started": machine.started,
            "running": machine.running,
            "exited": machine.exited,
            "final": machine.final_state,
            "configuration": [tables.ids[i] for i in _bits(machine.config)],
            "final_configuration": [tables.ids[i] for i in _bits(machine.final_configuration)],
            "history": {tables.ids[h]: [tables.ids[i] for i in _bits(mask)] for h, mask in machine.history_value.items()},
            "late_bound": [tables.ids[i] for i in _bits(machine.late_bound)],
            "event": writer.value(dm.get("_event", UNDEFINED)),
            "data": [[k, writer.value(v)] for k, v in dm.items() if _stored_key(k)],
            "queue": [writer.value(e) for e in machine.external_queue],
            "timers": [_timer(machine, sendid, pending, writer) for sendid, pending in machine._timers.items()],
        }
        script_vars = dm.get(SCRIPT_VARS_KEY)
        if script_vars:
            state["vars"] = [[k, writer.value(v)] for k, v in script_vars.items()]
        declared = dm.get(DECLARED_GLOBALS_KEY)
        if declared:
            state["declared"] = sorted(declared)  # (names `delete` must keep)
        if machine.realm_patches is not None:
            state["realm"] = _realm(machine.realm_patches, writer)
        extra = {k: machine.__dict__[k] for k in ("document_url", "base_dir", "_cancelled", "_end_reports", "_send_seq", "_started_ms") if k in machine.__dict__}
        if extra:
            state["attrs"] = extra
        if machine._children:
            state["invoked"] = [
                {
                    "invokeid": invokeid,
                    "state": tables.ids[index],
                    "k": tables.states[index].invokes.index(inv),
                    "chart": chart_ref(type(child).chart_class or type(child), base),
                    "session": snapshot_state(child, writer),
                }
                for invokeid, (index, inv, child) in machine._children.items()
            ]
        if machine._requests:
            state["requests"] = [_request(r, tables, writer) for r in machine._requests.values()]
    except Unstorable as exc:
        raise SnapshotError(f"session {machine.sessionid} cannot be stored: {exc}") from None
    if top:
        state["heap"] = writer.heap
        state["modules"] = {tag: module for module, tag in writer.chart_modules.items()}
    return state


def _request(r: Any, tables: Any, writer: HeapWriter) -> dict:
    entry = {"id": r.id, "module": r.module, "action": r.action, "owner": _owner(r.owner, tables), "line": r.line}
    resume = r.info.get("resume")
    if resume is not None:
        args, issued = resume
        entry["resume"] = {"args": writer.value(_plain_args(args)), "issued": issued}
    return entry


def _plain_args(args: Any) -> Any:
    """An action's arguments with their `<content>` texts as tagged tuples (the heap stores
    plain values only)."""
    from .requests import ContentText

    if isinstance(args, ContentText):
        return ("$content", str(args))
    if type(args) is dict:
        return {k: _plain_args(v) for k, v in args.items()}
    if type(args) in (tuple, list):
        return type(args)(_plain_args(v) for v in args)
    return args


def _action_args(value: Any) -> Any:
    from .requests import ContentText

    if type(value) is tuple and len(value) == 2 and value[0] == "$content":
        return ContentText(value[1])
    if type(value) is dict:
        return {k: _action_args(v) for k, v in value.items()}
    if type(value) in (tuple, list):
        return type(value)(_action_args(v) for v in value)
    return value


def _stored_key(key: Any) -> bool:
    return type(key) is str and key not in _SYSTEM_KEYS and key not in HIDDEN_GLOBALS


def _bits(mask: int):
    i = 0
    while mask:
        if mask & 1:
            yield i
        mask >>= 1
        i += 1


def _owner(owner: Any, tables) -> Any:
    if isinstance(owner, int):
        return tables.ids[owner]
    kind, index = owner
    return [kind, index]


def _timer(machine: "Machine", sendid: str, pending: Any, writer: HeapWriter) -> dict:
    if not isinstance(pending, DelayedSend):
        raise SnapshotError(f"the timer {sendid} cannot be stored")
    return {
        "sendid": sendid,
        "left": max(0.0, pending.timer.when - machine.clock.now()),
        "kind": pending.kind,
        "target": pending.target,
        "event": writer.value(pending.event),
        "data": writer.value(pending.data),
    }


def _realm(patches, writer: HeapWriter) -> list:
    out = []
    for (oid, key), (obj, value) in patches.values.items():
        name = intrinsic_name(obj)
        if name is None:
            raise Unstorable("a change to a built-in that has no name")
        out.append([name, key, {"$m": 1} if value is MISSING else writer.value(value), (oid, key) in patches.hidden])
    return out


# -- restoring ------------------------------------------------------------------------------------


def restore(cls: type, data: bytes | dict, host: "Host | None" = None, log=None, force: bool = False) -> "Machine":
    """The session stored in `data`, alive again in `host` (its timers armed, its queued events
    waiting); not run until something happens to it (an event, a timer, `run_until_idle`)."""
    if not isinstance(data, dict):
        try:
            data = json.loads(zlib.decompress(data).decode("utf-8", "surrogatepass"))
        except (zlib.error, UnicodeDecodeError, json.JSONDecodeError, TypeError, RecursionError) as exc:
            raise SnapshotError(f"not a snapshot: {type(exc).__name__}: {exc}") from None
    if not isinstance(data, dict):
        raise SnapshotError(f"not a snapshot: a JSON {type(data).__name__}, not an object")
    if data.get("v") != FORMAT:
        raise SnapshotError(f"snapshot format {data.get('v')!r} (this runtime reads {FORMAT})")
    if data.get("chart") != cls.__name__ or (data.get("digest") != chart_digest(cls) and not force):
        raise SnapshotError(f"the snapshot is of another chart ({data.get('chart')}) or of another version of {cls.__name__}")
    try:
        return _restore(cls, data, HeapReader(data["heap"]), host, log, force)
    except (Unstorable, KeyError, IndexError, TypeError, ValueError, AttributeError, RecursionError) as exc:
        # (a snapshot damaged in the store: whatever its parts are instead of what they should be)
        raise SnapshotError(f"the snapshot cannot be restored: {type(exc).__name__}: {exc}") from None


def _restore(cls: type, data: dict, reader: HeapReader, host: "Host | None", log, force: bool = False) -> "Machine":
    from .host import Host

    if host is None:
        host = Host.for_clock(None)
    if data["id"] in host.sessions:
        raise SnapshotError(f"session {data['id']} is already running in this host")
    seen = getattr(host.ids, "seen", None)
    if seen is not None and type(data["id"]) is str:
        seen(data["id"])  # (the host's own ids go past it: Ids.seen)
    machine = cls(host=host, log=log, sessionid=data["id"])
    try:
        _fill(machine, cls, data, reader, host, log, force)
    except BaseException:
        machine.close()  # (half restored: its timers and children go, and it leaves the host)
        raise
    return machine


def _event_value(value: Any) -> dict:
    """An event read back from a snapshot (an event object: a plain dict named by a string)."""
    if type(value) is not dict or type(value.get("name")) is not str:
        raise SnapshotError("the snapshot cannot be restored: an event in it is not an event")
    return value


def _fill(machine: "Machine", cls: type, data: dict, reader: HeapReader, host: "Host", log, force: bool) -> None:
    """_restore's work on the machine it made: its datamodel, configuration, queue, timers,
    invoked children and requests."""
    tables = machine.tables
    index = {state_id: i for i, state_id in enumerate(tables.ids)}  # (the root's id is "")

    def mask(ids) -> int:
        m = 0
        for state_id in ids:
            m |= 1 << index[state_id]
        return m

    for key, value in data.get("attrs", {}).items():
        setattr(machine, key, value)
    machine.dm = machine.new_datamodel()
    sid = data["id"]
    reader.markers[("$dm", sid)] = machine.dm
    reader.markers[("$sm", sid)] = machine
    reader.markers[("$ticks", sid)] = js_ticks(machine.dm)
    # functions of a chart's module are tagged with the first session of that chart
    for tag, module in data.get("modules", {}).items():
        if module == data["module"] or (force and tag == data["id"]):  # (forced: a recompiled module)
            reader.charts.setdefault(tag, chart_globals(cls))
    machine.install_globals()
    dm = machine.dm
    for key, value in data["data"]:
        dm[key] = reader.value(value)
    event = reader.value(data["event"])
    dm["_event"] = event if event is UNDEFINED else _event_value(event)
    if "vars" in data:
        dm[SCRIPT_VARS_KEY] = {k: reader.value(v) for k, v in data["vars"]}
    if "declared" in data:
        dm[DECLARED_GLOBALS_KEY] = set(data["declared"])
    machine.started = data["started"]
    machine.running = data["running"]
    machine.exited = data["exited"]
    machine.final_state = data["final"]
    machine.config = mask(data["configuration"])
    machine.final_configuration = mask(data["final_configuration"])
    machine.history_value = {index[h]: mask(ids) for h, ids in data["history"].items()}
    machine.late_bound = mask(data["late_bound"])
    machine._external().extend(_event_value(reader.value(e)) for e in data["queue"])
    if "realm" in data:
        _restore_realm(machine, data["realm"], reader)
    clock = machine.clock
    elapsed = max(0.0, clock.time() - data["time"])
    for t in data["timers"]:
        left = max(0.0, t["left"] - elapsed)
        event = _event_value(reader.value(t["event"]))
        if t["kind"] == "scxml":
            fire = machine._delayed_scxml(t["sendid"], t["target"], event)
        else:
            deliver = machine._basichttp_delivery(t["target"], event, reader.value(t["data"]), t["sendid"])
            fire = lambda deliver=deliver: machine.run_guarded(deliver)  # noqa: E731
        machine._timers[t["sendid"]] = DelayedSend(clock.call_later(left, fire), t["kind"], t["target"], event, reader.value(t["data"]))
    if "_send_seq" not in machine.__dict__:
        # (stored before sessions counted their send ids: past the pending ones at least)
        mine = [s[4:].partition(".")[0] for s in machine._timers if s.startswith("send") and s.endswith("." + sid)]
        machine._send_seq = max((int(n) for n in mine if n.isdigit() and len(n) < 19), default=0)
    for child_data in data.get("invoked", ()):
        child_cls = resolve_chart(child_data["chart"], cls)
        state = index[child_data["state"]]
        inv = tables.states[state].invokes[child_data["k"]]
        session = child_data["session"]
        if session.get("digest") != chart_digest(child_cls):
            raise SnapshotError(f"the invoked session {session.get('id')} is of another version of its chart")
        session.setdefault("modules", data.get("modules", {}))
        child = _restore(child_cls, session, reader, host, log)  # (one heap for the whole tree)
        child.parent = machine
        child.invokeid = child_data["invokeid"]
        machine._children[child_data["invokeid"]] = (state, inv, child)
    for r in data.get("requests", ()):
        if "resume" in r:
            _resume(machine, r, reader, data["time"])
            continue
        # §9.7 step 5: a request in flight cannot be taken back; the chart hears of it
        name, payload = _interrupted(host, r)
        machine._external().append(make_event(name, payload, type="external", sendid="", origin="", origintype="", invokeid=""))


def _resume(machine: "Machine", r: dict, reader: HeapReader, stored_at: float) -> None:
    """A resumable request (a GD fetch) taken back by its service (ModuleService.resume):
    pending again under its id and owner, as if it had never stopped."""
    from .requests import Request

    service = machine.host.service(r["module"])
    owner = r["owner"]
    request = Request(r["id"], machine, machine.tables.ids.index(owner) if isinstance(owner, str) else 0, r["module"], r["action"], r.get("line", 0))
    args = _action_args(reader.value(r["resume"]["args"]))
    request.info["resume"] = (args, r["resume"]["issued"])
    machine._remember(request)
    now = machine.clock.time()
    # (busy: a result it has at once, such as a time limit that passed, waits in the queue
    # like the other events of a restored session)
    machine._busy = True
    try:
        service.resume(request, args, max(0.0, now - r["resume"]["issued"]), max(0.0, now - stored_at))
    finally:
        machine._busy = False


def _restore_realm(machine: "Machine", changes: list, reader: HeapReader) -> None:
    from .js import realm

    patches = realm.Patches()
    for name, key, value, hidden in changes:
        obj = intrinsic(name)
        k = (id(obj), key)
        if k not in realm._PRISTINE:
            realm._PRISTINE[k] = (obj, realm._get(obj, key))
        patches.values[k] = (obj, MISSING if isinstance(value, dict) and "$m" in value else reader.value(value))
        if hidden:
            patches.hidden.add(k)
    machine.realm_patches = patches
    machine.realm_patched(None)


def _interrupted(host: "Host", request: dict) -> tuple[str, dict]:
    """The error event of a request the store could not carry across (its service names it)."""
    from .extensions import module_named

    module = module_named(request["module"])
    service = host.service(request["module"]) if module is not None and module.service else None
    namer = getattr(service, "error_event", None)
    name = namer(request["action"]) if namer is not None else f"error.{request['module']}.{request['action']}"
    from .js import to_js

    return name, to_js({"requestid": request["id"], "error": "interrupted", "description": "the session was restored while this request was in flight"})


__all__ = ["FORMAT", "SnapshotError", "chart_digest", "restore", "snapshot", "snapshot_state"]
