"""The interaction bridge: a telephony or chat platform drives the `ixn:` module over HTTP (docs/ors.md, "The interaction bridge").

Out: each `ixn:` request of a session (attach, detach, accept, redirect, terminate, associate)
is POSTed as JSON to the configured `interaction_url`, after the macrostep that issued it is
stored (rule E, ors-server.md §9.5). The platform answers with the result at once (200 and
`{"ok": ...}`) or later (202, then a POST to `/ors/interactions/results/{requestid}`). Changes
to an interaction's user data are POSTed too (`"type": "udata"`), fire and forget.

In: the platform reports new interactions, changed properties, unsolicited events, deleted
interactions and late results through the `/ors/interactions` routes. Each answer waits until
the sessions it changed have stored what the report made of them (G2), so a platform that got
200 need not say it again.

With several hosts on one Redis store, a call about a session another live host owns goes to
that host like the other session routes (app.py `elsewhere`: 307 or forwarded, per route_mode):
a new interaction by its "sessionid", the others through the bridge index (cluster.py), which
the host that has the interaction or the request keeps: g_uid -> session, requestid -> session.

The JSON shapes are documented in docs/ors.md; `check_*` below are what the server accepts.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import TYPE_CHECKING, Any, Callable

from aiohttp import ClientSession, ClientTimeout, web

from ..requests import result_event
from .sessions import Outcome, error

if TYPE_CHECKING:  # pragma: no cover
    from ..host import Host
    from ..ors.interaction import InteractionModule
    from .cluster import Cluster
    from .sessions import SessionService

_log = logging.getLogger("scxmlc_runtime.server")

EVENT_NAME = re.compile(r"^interaction\.[A-Za-z0-9_\-]+(\.[A-Za-z0-9_\-]+)*$")
ID = re.compile(r"^[A-Za-z0-9_.:\-]{1,128}$")


class HttpInteractions:
    """The `ixn:` module's platform adapter (InteractionPlatform) over HTTP."""

    def __init__(self, url: str, *, token: str | None = None, timeout_s: float = 10.0) -> None:
        self.url = url
        self.token = token
        self.timeout_s = timeout_s
        self.host: "Host | None" = None
        self.pending: dict[str, tuple[str, Callable[[bool, dict], None]]] = {}  # request id -> (session, on_result)
        self._tasks: dict[str, asyncio.Task] = {}
        self._client: ClientSession | None = None
        self.cluster: "Cluster | None" = None  # several hosts: requests are indexed there (set by Server.start)

    def attach(self, host: "Host") -> None:
        self.host = host

    @property
    def g_uid_prefix(self) -> str:
        """How the g_uids this server makes begin (InteractionModule.new_interaction): with
        several hosts, this host's epoch too, so that no two hosts (nor two runs of one) make
        the same g_uid for the bridge index."""
        return "IXN-" if self.cluster is None else f"IXN-{self.cluster.store.epoch}-"

    def _session(self) -> ClientSession:
        if self._client is None or self._client.closed:
            headers = {"Authorization": f"Bearer {self.token}"} if self.token else None
            self._client = ClientSession(headers=headers, timeout=ClientTimeout(total=self.timeout_s))
        return self._client

    # -- out: requests and user data ------------------------------------------------------

    def request(self, session_id: str, action: str, requestid: str, args: dict, on_result: Callable[[bool, dict], None]) -> Any:
        body = {"type": "request", "sessionid": session_id, "action": action, "requestid": requestid, "args": args}
        self.pending[requestid] = (session_id, on_result)
        self._tasks[requestid] = asyncio.ensure_future(self._send(requestid, body))
        return _Handle(self, requestid)

    async def _send(self, requestid: str, body: dict) -> None:
        try:
            if self.cluster is not None:  # (before the platform has the id: its late result may go to any host)
                await self.cluster.index("request", requestid, body["sessionid"])
            async with self._session().post(self.url, json=body) as r:
                if r.status == 202:
                    return  # the result comes later, through /ors/interactions/results/{requestid}
                try:
                    payload = await r.json(content_type=None)
                except ValueError:
                    payload = None
                if 200 <= r.status < 300:
                    problem = check_result(payload)
                    if problem is None:
                        self.result(requestid, payload)
                    else:
                        self.result(requestid, {"ok": False, "error": "remote", "description": f"the platform's answer: {problem}"})
                else:
                    self.result(requestid, {"ok": False, "error": "remote", "description": f"the platform answered HTTP {r.status}"})
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - an unreachable platform is this request's failure
            self.result(requestid, {"ok": False, "error": "remote", "description": f"the platform cannot be reached: {exc or type(exc).__name__}"})
        finally:
            self._tasks.pop(requestid, None)

    def result(self, requestid: str, payload: dict) -> str | None:
        """A request's result (already checked): the session that issued it, or None when no
        request with that id waits."""
        waiting = self.pending.pop(requestid, None)
        if waiting is None:
            return None
        if self.cluster is not None:
            self.cluster.unindex_soon("request", requestid)
        session_id, on_result = waiting
        if payload["ok"]:
            on_result(True, dict(payload.get("changes") or {}))
        else:
            on_result(False, {"error": str(payload.get("error") or "remote"), "description": str(payload.get("description") or "")})
        return session_id

    def forgotten(self, g_uid: str) -> None:
        """InteractionModule's hook: the interaction left the registry (deleted by the platform,
        or terminated by a session), so the bridge index forgets it too."""
        if self.cluster is not None:
            self.cluster.unindex_soon("interaction", g_uid)

    def cancel(self, requestid: str) -> None:
        if self.pending.pop(requestid, None) is not None and self.cluster is not None:
            self.cluster.unindex_soon("request", requestid)
        task = self._tasks.pop(requestid, None)
        if task is not None:
            task.cancel()

    def udata(self, g_uid: str, changed: dict, deleted: list) -> None:
        body = {"type": "udata", "interactionid": g_uid, "changed": changed, "deleted": list(deleted)}
        asyncio.ensure_future(self._tell(body))

    async def _tell(self, body: dict) -> None:
        try:
            async with self._session().post(self.url, json=body) as r:
                if r.status >= 300:
                    _log.warning("interaction platform: %s answered HTTP %d to %s", self.url, r.status, body["type"])
        except Exception as exc:  # noqa: BLE001
            _log.warning("interaction platform: %s: %s", self.url, exc)

    async def close(self) -> None:
        for task in list(self._tasks.values()):
            task.cancel()
        self._tasks.clear()
        self.pending.clear()
        if self._client is not None:
            await self._client.close()
            self._client = None


class _Handle:
    def __init__(self, bridge: HttpInteractions, requestid: str) -> None:
        self.bridge, self.requestid = bridge, requestid

    def cancel(self) -> None:
        self.bridge.cancel(self.requestid)


# -- what the platform may send ---------------------------------------------------------------


def check_result(payload: Any) -> str | None:
    """What is wrong with a result payload, or None."""
    if not isinstance(payload, dict) or not isinstance(payload.get("ok"), bool):
        return 'expected a JSON object with "ok": true or false'
    if payload["ok"] and not isinstance(payload.get("changes", {}), dict):
        return '"changes" must be an object'
    if not payload["ok"] and not isinstance(payload.get("error"), str):
        return 'a failure needs "error" (a string)'
    return None


async def _body(request: web.Request) -> dict | Outcome:
    from ..httpdata import parse_json

    try:
        payload = parse_json((await request.read()).decode(request.charset or "utf-8"))
    except (UnicodeDecodeError, LookupError, ValueError):  # (a charset Python does not know: LookupError)
        return error(400, "invalidparameter", "the body must be a JSON object")
    if not isinstance(payload, dict):
        return error(400, "invalidparameter", "the body must be a JSON object")
    return payload


class Inbound:
    """The `/ors/interactions` routes of one server."""

    def __init__(self, service: "SessionService", bridge: HttpInteractions | None) -> None:
        self.service = service
        self.bridge = bridge

    def waiting(self, kind: str, name: str) -> bool:
        """Whether this host has the request `name` waiting (no need to look further)."""
        return kind == "request" and self.bridge is not None and name in self.bridge.pending

    @property
    def module(self) -> "InteractionModule":
        return self.service.host.service("ixn")

    async def _settle(self, told: list) -> None:
        """Deliver the events a report made, then wait until their sessions stored them."""
        durability = self.service.durability
        for sid, name, data in told:
            machine = await self.service.find(sid)
            if isinstance(machine, Outcome):
                _log.info("interaction event %s for session %s dropped: the session is gone", name, sid)
                continue
            if await self.service.deliver(machine, result_event(name, data)) is not None:
                _log.info("interaction event %s for session %s dropped: the session ended meanwhile", name, sid)
        if durability is not None:
            for sid in {sid for sid, _, _ in told}:
                await durability.committed(sid)

    async def _owned(self, g_uid: str) -> Outcome | None:
        """The Outcome that says the interaction is unknown, or None (its owner is in memory,
        before its object model changes)."""
        entry = self.module.get(g_uid)
        if entry is None:
            return error(404, "notfound", f"no interaction {g_uid}")
        if entry.owner is not None:
            await self.service.find(entry.owner)
        return None

    def _diverted(self, fn, *args) -> tuple[Any, list]:
        """fn(*args) with the events the module tells sessions collected instead of delivered:
        (its result, the events), for _settle."""
        told: list = []
        self.module.divert = lambda sid, name, data: told.append((sid, name, data))
        try:
            return fn(*args), told
        finally:
            self.module.divert = None

    async def new(self, payload: dict) -> Outcome:
        sid = payload.get("sessionid")
        props = payload.get("interaction", {})
        if not isinstance(sid, str) or not isinstance(props, dict):
            return error(400, "invalidparameter", 'expected {"sessionid": "...", "interaction": {...}}')
        if "g_uid" in props and (not isinstance(props["g_uid"], str) or not ID.match(props["g_uid"])):
            return error(400, "invalidparameter", "g_uid must be 1-128 characters of letters, digits and _.:-")
        machine = await self.service.find(sid)
        if isinstance(machine, Outcome):
            return machine
        g_uid, told = self._diverted(self.module.new_interaction, sid, props)
        await self._settle(told)
        return Outcome(200, {"interactionid": g_uid, "sessionid": sid})

    async def update(self, g_uid: str, payload: dict) -> Outcome:
        changes = payload.get("changes")
        if not isinstance(changes, dict):
            return error(400, "invalidparameter", 'expected {"changes": {...}}')
        problem = await self._owned(g_uid)
        if problem is not None:
            return problem
        self.module.update(g_uid, changes)
        return Outcome(200, {"interactionid": g_uid})

    async def event(self, g_uid: str, payload: dict) -> Outcome:
        name, data = payload.get("name"), payload.get("data", {})
        if not isinstance(name, str) or not EVENT_NAME.match(name):
            return error(400, "invalidname", 'expected {"name": "interaction.<something>", "data": {...}}')
        if not isinstance(data, dict):
            return error(400, "invalidparameter", '"data" must be an object')
        changes = payload.get("changes")
        if changes is not None and not isinstance(changes, dict):
            return error(400, "invalidparameter", '"changes" must be an object')
        problem = await self._owned(g_uid)
        if problem is not None:
            return problem
        if changes:
            self.module.update(g_uid, changes)  # (before the event that reports them)
        _, told = self._diverted(self.module.notify, g_uid, name, data)
        await self._settle(told)
        return Outcome(200, {"interactionid": g_uid, "delivered": bool(told)})

    async def delete(self, g_uid: str, payload: dict) -> Outcome:
        resultof = payload.get("resultof", "deletion")
        if not isinstance(resultof, str):
            return error(400, "invalidparameter", '"resultof" must be a string')
        problem = await self._owned(g_uid)
        if problem is not None:
            return problem
        _, told = self._diverted(self.module.delete, g_uid, resultof)
        await self._settle(told)
        return Outcome(200, {"interactionid": g_uid})

    async def result(self, requestid: str, payload: dict) -> Outcome:
        problem = check_result(payload)
        if problem is not None:
            return error(400, "invalidparameter", problem)
        if self.bridge is None:
            return error(404, "notfound", "no interaction_url is configured: this server sends no interaction requests")
        found, told = self._diverted(self.bridge.result, requestid, payload)
        if found is None:
            return error(404, "notfound", f"no interaction request {requestid} is waiting (unknown, cancelled or answered)")
        # the result event itself went to its session's queue (Request.deliver): wait for the
        # commit of what it did, and deliver what the change told other sessions
        await self._settle(told)
        if self.service.durability is not None:
            await self.service.durability.committed(found)
        return Outcome(200, {"requestid": requestid, "sessionid": found})





# -- the routes ---------------------------------------------------------------------------------

routes = web.RouteTableDef()
INBOUND = web.AppKey("inbound", Inbound)


async def _handle(request: web.Request, call, kind: str, name: str) -> web.StreamResponse:
    """The answer of call(inbound, payload) for a call about interaction or request `name`
    (kind "interaction" or "request"). With several hosts, the bridge index says which session
    it belongs to: another live host's goes there (app.elsewhere); here, an index entry that
    led to nothing (404) is removed. (What leaves the registry leaves the index through
    HttpInteractions.forgotten.)"""
    from .app import elsewhere, respond

    inbound = request.app[INBOUND]
    cluster = inbound.service.cluster
    indexed = None
    if cluster is not None and not inbound.waiting(kind, name):
        indexed = await cluster.indexed(kind, name)
        if indexed is not None:
            moved = await elsewhere(request, indexed)
            if moved is not None:
                return moved
    payload = await _body(request)
    if isinstance(payload, Outcome):
        return respond(request, payload)
    outcome = await call(inbound, payload)
    if cluster is not None and indexed is not None and outcome.status == 404:
        await cluster.unindex(kind, name, indexed)
    return respond(request, outcome)


def _checked(request: web.Request, name: str) -> str:
    from .app import BadRequest

    value = request.match_info[name]
    if not ID.match(value):
        raise BadRequest(error(400, "invalidparameter", f"{name} must be 1-128 characters of letters, digits and _.:-"))
    return value


@routes.post("/ors/interactions")
async def new_interaction(request: web.Request) -> web.StreamResponse:
    from .app import elsewhere, respond

    inbound = request.app[INBOUND]
    payload = await _body(request)  # (request.read() is cached: a forward sends the same body)
    if isinstance(payload, Outcome):
        return respond(request, payload)
    cluster = inbound.service.cluster
    if cluster is None:
        return respond(request, await inbound.new(payload))
    sid = payload.get("sessionid")
    if isinstance(sid, str) and sid:
        moved = await elsewhere(request, sid)
        if moved is not None:
            return moved
    outcome = await inbound.new(payload)
    if outcome.status == 200:  # (before the 200: the platform's next call may go to any host)
        await cluster.index("interaction", outcome.body["interactionid"], outcome.body["sessionid"])
    return respond(request, outcome)


@routes.post("/ors/interactions/results/{requestid}")
async def interaction_result(request: web.Request) -> web.StreamResponse:
    rid = _checked(request, "requestid")
    return await _handle(request, lambda inbound, p: inbound.result(rid, p), "request", rid)


@routes.post("/ors/interactions/{g_uid}/update")
async def interaction_update(request: web.Request) -> web.StreamResponse:
    g_uid = _checked(request, "g_uid")
    return await _handle(request, lambda inbound, p: inbound.update(g_uid, p), "interaction", g_uid)


@routes.post("/ors/interactions/{g_uid}/event")
async def interaction_event(request: web.Request) -> web.StreamResponse:
    g_uid = _checked(request, "g_uid")
    return await _handle(request, lambda inbound, p: inbound.event(g_uid, p), "interaction", g_uid)


@routes.post("/ors/interactions/{g_uid}/delete")
async def interaction_delete(request: web.Request) -> web.StreamResponse:
    g_uid = _checked(request, "g_uid")
    return await _handle(request, lambda inbound, p: inbound.delete(g_uid, p), "interaction", g_uid)

__all__ = ["INBOUND", "HttpInteractions", "Inbound", "check_result", "routes"]
