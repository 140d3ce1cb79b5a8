"""The `ixn:` module: the host's interaction registry and each session's object model, the actions attach, detach, accept, redirect, terminate and associate, and the interaction platform interface (ors-extensions.md §8).

The runtime keeps, for its host, every interaction a platform reported (`g_uid` -> properties
and the session that owns it) and decides what belongs to which session: attach, detach and
associate move ownership, a session that ends releases what it owns. The platform adapter
(`Host(interactions=...)`) does what reaches the telephony or chat side: answering a call on a
DN, routing it, ending it. `SimulatedInteractions` is one that follows §8.4 offline.

A session sees the interactions it owns as `_genesys.ixn.interactions[g_uid]`, kept up to date
before the event that reports a change is queued.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any, Callable, Protocol

from .._lazylog import LazyLogger
from ..js import UNDEFINED, JSArray, js_native, js_to_string, to_js, to_py
from ..js.errors import throw_type_error
from ..js.properties import js_getp, own_keys
from ..js.values import HostObject, JSThrow
from ..requests import ModuleService, Request, result_event, structured_clone
from .declarations import INTERACTION

if TYPE_CHECKING:  # pragma: no cover
    from ..machine import Machine

_log = LazyLogger("scxmlc_runtime")  # (logging is imported on first use, issue 14)
_g_uids = itertools.count(1)

# States an interaction can be in (§8.1).
STATES = ("null", "ringing", "hold", "transferring", "treating", "routed", "connected", "detached")


class InteractionPlatform(Protocol):
    """What a telephony or chat platform implements for the `ixn:` module.

    `request` carries out one action for a session: `action` is attach, detach, accept,
    redirect, terminate or associate; `args` holds the evaluated attributes as Python data
    (`interactionid`, and `resource`, `to`, `from`, `type`, `detach`, `reason`, `sessionid`,
    `hints` where given). Call `on_result(True, changes)` when it succeeded (`changes`: the
    interaction's properties that changed, e.g. `{"state": "connected"}`) or
    `on_result(False, {"error": code, "description": text})`, on the host's thread (or through
    `host.call_soon_threadsafe`). Return a handle whose `cancel()` stops the request (then
    on_result must not be called), or None.

    Unsolicited changes go the other way, through the host's module service
    (`host.service("ixn")`): `new_interaction`, `update`, `notify`, `delete`.

    Optional hooks: `udata(g_uid, changed, deleted)` hears of user data a strategy changed;
    `forgotten(g_uid)` hears that an interaction left the registry (deleted, or terminated by a
    session).
    """

    def request(self, session_id: str, action: str, requestid: str, args: dict, on_result: Callable[[bool, dict], None]) -> Any: ...


class NoPlatform:
    """No interaction platform configured: ownership actions (attach, detach, associate) work
    on the runtime's registry; what needs a platform fails with `remote`."""

    def request(self, session_id, action, requestid, args, on_result):
        if action in ("attach", "detach", "associate"):
            on_result(True, {})
        else:
            on_result(False, {"error": "remote", "description": "no interaction platform is configured (Host(interactions=...))"})
        return None


class Interaction:
    """A registry entry: the interaction's properties (a JS object) and its owner."""

    __slots__ = ("g_uid", "props", "owner")

    def __init__(self, g_uid: str, props: dict, owner: str | None):
        self.g_uid = g_uid
        self.props = props
        self.owner = owner

    @property
    def state(self) -> str:
        state = self.props.get("state")
        return "null" if state is None or state is UNDEFINED else str(state)


class InteractionsView(HostObject):
    """`_genesys.ixn.interactions` of one session: read-only, keyed by g_uid, the interactions
    the session owns. Index 0 is the first of them (Composer's help writes
    `interactions[0].udata.x`), with a warning once per session (ors-dialect.md §6, ORS-W40)."""

    __slots__ = ("service", "sessionid", "warned")

    def __init__(self, service: "InteractionModule", sessionid: str):
        self.service = service
        self.sessionid = sessionid
        self.warned = False

    def js_get(self, key: str) -> Any:
        entry = self.service.interactions.get(key)
        if entry is None and key == "0":
            first = self.service.first(self.sessionid)
            if first is not None:
                if not self.warned:
                    self.warned = True
                    _log.warning("session %s: _genesys.ixn.interactions[0] is read as the first interaction, %s [ORS-W40]", self.sessionid, first)
                entry = self.service.interactions.get(first)
        if entry is None or entry.owner != self.sessionid:
            return UNDEFINED
        # a copy: the object model is read-only (ors-extensions.md §8.1), and a script's write
        # to the registry's own data would bypass setuData (no interaction.udata.changed) and
        # change what the platform answers (an `ixn:accept` of a state the script wrote)
        return structured_clone(entry.props, "interactions")

    def js_keys(self) -> list[str]:
        return list(self.service.owned.get(self.sessionid, ()))

    def js_has(self, key: str) -> bool:
        entry = self.service.interactions.get(key)
        return entry is not None and entry.owner == self.sessionid

    def __repr__(self) -> str:
        return "InteractionsView"


class IxnPart(HostObject):
    """`_genesys.ixn` of a session: `interactions`, `firstixnid`, `mediaType`, and the user
    data functions `setuData(obj[, ixnid])`, `getuData(key[, ixnid])`, `deleteuData([key or
    keys][, ixnid])` (without `ixnid`: the first interaction; `deleteuData` without keys: all)."""

    __slots__ = ("service", "sid", "view", "functions")

    def __init__(self, service: "InteractionModule", sid: str):
        self.service = service
        self.sid = sid
        self.view = InteractionsView(service, sid)
        self.functions: dict[str, Any] = {}

    def js_get(self, key: str) -> Any:
        if key == "interactions":
            return self.view
        if key == "firstixnid":
            first = self.service.first(self.sid)
            return UNDEFINED if first is None else first
        if key == "mediaType":
            from .environment import MEDIA_TYPES, Enum

            return Enum(MEDIA_TYPES)
        if key in ("setuData", "getuData", "deleteuData"):
            fn = self.functions.get(key)
            if fn is None:
                fn = self.functions[key] = js_native(getattr(self, "_" + key), key)
            return fn
        return UNDEFINED

    def js_keys(self) -> list[str]:
        return ["interactions", "firstixnid", "mediaType", "setuData", "getuData", "deleteuData"]

    def _owned(self, ixnid: Any) -> Interaction:
        g_uid = self.service.first(self.sid) if ixnid is UNDEFINED or ixnid is None else js_to_string(ixnid)
        entry = self.service.interactions.get(g_uid) if g_uid is not None else None
        if entry is None or entry.owner != self.sid:
            throw_type_error(f"no interaction {g_uid[:80]!r} in this session" if g_uid is not None else "no interaction in this session")
        return entry

    def _setuData(self, this, obj=UNDEFINED, ixnid=UNDEFINED, *_):
        entry = self._owned(ixnid)
        if not isinstance(obj, dict):
            throw_type_error("setuData(object, interactionid): the first argument is not an object")
        udata = entry.props.setdefault("udata", {})
        changes = {k: js_getp(obj, k) for k in own_keys(obj)}
        udata.update(changes)
        self.service._udata_changed(entry, to_py(changes), [])
        return UNDEFINED

    def _getuData(self, this, key=UNDEFINED, ixnid=UNDEFINED, *_):
        try:
            entry = self._owned(ixnid)
        except JSThrow:
            return UNDEFINED  # (a read: `udata[key]` or undefined, ors-dialect.md §6; writes throw)
        udata = entry.props.get("udata")
        return js_getp(udata, js_to_string(key)) if isinstance(udata, dict) else UNDEFINED

    def _deleteuData(self, this, keys=UNDEFINED, ixnid=UNDEFINED, *_):
        entry = self._owned(ixnid)
        udata = entry.props.get("udata")
        if not isinstance(udata, dict):
            return UNDEFINED
        if keys is UNDEFINED or keys is None:
            names = list(udata)
        elif isinstance(keys, (JSArray, list)):
            names = [js_to_string(k) for k in keys]
        else:
            names = [js_to_string(keys)]
        for name in names:
            udata.pop(name, None)
        self.service._udata_changed(entry, {}, names)
        return UNDEFINED

    def __repr__(self) -> str:
        return "_genesys.ixn"


class InteractionModule(ModuleService):
    """The runtime side of the `ixn:` module, one per host."""

    module = INTERACTION

    def __init__(self) -> None:
        super().__init__()
        self.interactions: dict[str, Interaction] = {}
        self.owned: dict[str, dict[str, None]] = {}  # session id -> its g_uids, in order
        self.platform: Any = None
        self.divert: Callable[[str, str, dict], None] | None = None  # where events go instead, for a while

    def set_owner(self, entry: Interaction, owner: str | None) -> None:
        """Give an interaction to a session (None: to nobody)."""
        if entry.owner is not None:
            mine = self.owned.get(entry.owner)
            if mine is not None:
                mine.pop(entry.g_uid, None)
                if not mine:
                    del self.owned[entry.owner]
        entry.owner = owner
        if owner is not None:
            self.owned.setdefault(owner, {})[entry.g_uid] = None

    def attach(self, host) -> None:
        super().attach(host)
        self.platform = host.adapters.get("interactions") or NoPlatform()

    # -- what platforms report (§8.2) -------------------------------------------------------

    def new_interaction(self, session_id: str, props: dict) -> str:
        """A new interaction for a session: registered as its own, in its object model, then
        `interaction.added {interactionid}`. Returns the g_uid (made when `props` has none)."""
        props = dict(props)
        g_uid = str(props.get("g_uid") or f"{getattr(self.platform, 'g_uid_prefix', 'IXN-')}{next(_g_uids)}")
        props["g_uid"] = g_uid
        props.setdefault("state", "ringing")
        props.setdefault("udata", {})
        old = self.interactions.get(g_uid)
        if old is not None:
            self.set_owner(old, None)
        entry = self.interactions[g_uid] = Interaction(g_uid, to_js(props), None)
        self.set_owner(entry, session_id)
        self._tell(session_id, "interaction.added", {"interactionid": g_uid})
        return g_uid

    def update(self, g_uid: str, changes: dict) -> None:
        """Properties of an interaction changed (before any event that reports it)."""
        entry = self.interactions.get(g_uid)
        if entry is not None and changes:
            for key, value in changes.items():
                entry.props[key] = to_js(value)

    def notify(self, g_uid: str, name: str, data: dict | None = None) -> None:
        """An unsolicited event (`interaction.partystatechanged`, ...) for the session that owns
        the interaction; `interactionid` is added to its data."""
        entry = self.interactions.get(g_uid)
        if entry is not None and entry.owner is not None:
            self._tell(entry.owner, name, {"interactionid": g_uid, **(data or {})})

    def delete(self, g_uid: str, resultof: str = "deletion") -> None:
        """The interaction is gone: out of the registry, then `interaction.deleted` to its owner."""
        entry = self._forget(g_uid)
        if entry is not None and entry.owner is not None:
            owner = entry.owner
            self.set_owner(entry, None)
            self._tell(owner, "interaction.deleted", {"interactionid": g_uid, "resultof": resultof})

    def _forget(self, g_uid: str) -> Interaction | None:
        """Take the interaction out of the registry, and tell the platform (`forgotten`)."""
        entry = self.interactions.pop(g_uid, None)
        hook = getattr(self.platform, "forgotten", None)
        if entry is not None and hook is not None:
            hook(g_uid)
        return entry

    def get(self, g_uid: str) -> Interaction | None:
        return self.interactions.get(g_uid)

    def first(self, session_id: str) -> str | None:
        """The first interaction a session owns (in the order it got them)."""
        return next(iter(self.owned.get(session_id, ())), None)

    def _tell(self, session_id: str, name: str, data: dict) -> None:
        if self.divert is not None:
            self.divert(session_id, name, data)  # (a session server stores it first: server/bridge.py)
            return
        machine = self.host.sessions.get(session_id)
        if machine is not None and machine.running:
            machine.enqueue_external(result_event(name, data))

    # -- the session's environment (§8.1) ---------------------------------------------------

    def error_event(self, action: str) -> str:
        return f"error.interaction.{action}"

    def environment(self, machine: "Machine") -> "IxnPart":
        """`_genesys.ixn` of a session."""
        return IxnPart(self, machine.sessionid)

    def _udata_changed(self, entry: Interaction, changed: dict, deleted: list[str]) -> None:
        hook = getattr(self.platform, "udata", None)
        if hook is not None:
            hook(entry.g_uid, changed, deleted)
        # "later": an external event, after the macrostep that changed it
        self._tell(entry.owner, "interaction.udata.changed", {"interactionid": entry.g_uid})

    # -- actions (§8.3, §8.4) ---------------------------------------------------------------

    def perform(self, request: Request, args: dict) -> None:
        action = request.action
        sid = request.machine.sessionid
        g_uid = args["interactionid"]
        entry = self.interactions.get(g_uid)

        def fail(error: str, description: str) -> None:
            request.deliver(f"error.interaction.{action}", {"requestid": request.id, "interactionid": g_uid, "error": error, "description": description})

        # What belongs to which session is the runtime's to decide (§8.4, §8.5).
        if entry is None:
            return fail("notfound", f"no interaction {g_uid}")
        if action == "attach":
            if entry.owner is not None and entry.owner != sid:
                return fail("invalidstate", f"interaction {g_uid} is owned by another session")
        elif entry.owner != sid:
            return fail("invalidstate" if action == "detach" else "notfound", f"interaction {g_uid} is not owned by this session")
        if action == "associate":
            target = self.host.sessions.get(args["sessionid"])
            if target is None or not target.running:
                return fail("notfound", f"no session {args['sessionid']}")
        platform_args = {k: to_py(v) for k, v in args.items() if v is not None and k != "requestid"}

        def done(ok: bool, data: dict) -> None:
            data = data or {}
            if not ok:
                fail(str(data.get("error", "unknown")), str(data.get("description", "")))
                return
            now = self.interactions.get(g_uid)
            if action == "attach" and now is not None and now.owner not in (None, sid):
                # another session attached it while this request was on its way
                fail("invalidstate", f"interaction {g_uid} is owned by another session")
                return
            self._succeeded(request, action, g_uid, args, data)

        handle = self.platform.request(sid, action, request.id, platform_args, done)
        if handle is not None:
            request.on_cancel(handle.cancel)

    def _succeeded(self, request: Request, action: str, g_uid: str, args: dict, changes: dict) -> None:
        """Apply an action that succeeded: the registry and object models first, then the
        events, in the order §8.4 gives."""
        entry = self.interactions.get(g_uid)
        data = {"requestid": request.id, "interactionid": g_uid}
        sid = request.machine.sessionid
        if entry is None:  # deleted meanwhile
            request.deliver(f"interaction.{action}.done", data)
            return
        self.update(g_uid, changes)
        if action == "attach":
            self.set_owner(entry, sid)
            request.deliver("interaction.attach.done", data)  # no interaction.added (§8.4)
        elif action == "detach":
            self.set_owner(entry, None)
            self.update(g_uid, {"state": "detached"} if "state" not in changes else {})
            request.deliver("interaction.detach.done", data)
            self._tell(sid, "interaction.deleted", {"interactionid": g_uid, "resultof": "detach"})
        elif action == "redirect" and args.get("detach"):
            self.set_owner(entry, None)
            request.deliver("interaction.redirect.done", data)
            self._tell(sid, "interaction.deleted", {"interactionid": g_uid, "resultof": "redirect"})
        elif action == "terminate":
            self.set_owner(entry, None)
            self._forget(g_uid)
            request.deliver("interaction.terminate.done", data)
            self._tell(sid, "interaction.deleted", {"interactionid": g_uid, "resultof": "deletion"})
        elif action == "associate":
            target = args["sessionid"]
            self.set_owner(entry, target)
            request.deliver("interaction.associate.done", data)
            self._tell(sid, "interaction.deleted", {"interactionid": g_uid, "resultof": "associate"})
            self._tell(sid, "interaction.notcontrolled", {"interactionid": g_uid, "resultof": "associate"})
            self._tell(target, "interaction.added", {"interactionid": g_uid})
            self._tell(target, "interaction.present", {"interactionid": g_uid})
        else:
            request.deliver(f"interaction.{action}.done", data)

    def routed(self, g_uid: str, resource: str | None) -> None:
        """The routing platform routed the interaction (`<queue:submit route="true">`)."""
        self.update(g_uid, {"state": "routed", **({"resource": resource} if resource else {})})

    def session_ended(self, machine: "Machine") -> None:
        """A session that ends releases the interactions it owns (§8.5)."""
        for g_uid in list(self.owned.get(machine.sessionid, ())):
            self.set_owner(self.interactions[g_uid], None)


__all__ = ["STATES", "Interaction", "InteractionModule", "InteractionPlatform", "InteractionsView", "NoPlatform"]
