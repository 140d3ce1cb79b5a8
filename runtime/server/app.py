"""The session server's HTTP side: the ORS External Interfaces as an aiohttp application (ors-server.md §1-§7).

Routes are declared with a `RouteTableDef`; each handler reads the request's parameters by the
rules of §1.4-§1.5 (query string, then a form or JSON body, the body winning), calls the
`SessionService` and writes its `Outcome`. Middlewares give every answer the same shape: the
bearer-token check (401), JSON errors for unknown paths (404), wrong verbs (405 with `Allow`),
bodies over the limit (413), and 500 `internal` for anything unexpected, after which the server
goes on serving.

With several hosts on one Redis store (cluster.py), `request`, `query` and `terminate` for a
session another host owns answer 307 to that host (`route_mode = redirect`) or are forwarded
there (`proxy`); events are stored here and the owner is woken (sessions.py). The interaction
bridge's calls (bridge.py) go to the owner through `elsewhere` too.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from typing import Any

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

from ..httpdata import json_bytes, parse_json, text_bytes
from .sessions import SESSION_ID, Outcome, SessionService, error

_log = logging.getLogger("scxmlc_runtime.server")


class _MalformedRequests(logging.Filter):
    """aiohttp logs a client's malformed HTTP (a bad header, request line or framing, a body
    that does not decompress) at ERROR with its traceback: any client could flood the log with
    them. They are the client's errors, answered with a 400: one DEBUG line each instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        seen = 0
        while exc is not None and seen < 10:  # (the chain: the encoding error may be a cause)
            if isinstance(exc, HttpProcessingError):
                _log.debug("malformed request: %s: %s", type(exc).__name__, exc)
                return False
            exc, seen = exc.__cause__ or exc.__context__, seen + 1
        return True


# The logger of aiohttp's request handler (AppRunner's `logger`): aiohttp's own, filtered.
HTTP_LOG = logging.getLogger("scxmlc_runtime.server.http")
HTTP_LOG.addFilter(_MalformedRequests())

routes = web.RouteTableDef()
SERVICE = web.AppKey("service", SessionService)
TOKEN = web.AppKey("token", str)

JSON_TYPES = ("application/json",)


def _is_json(ctype: str) -> bool:
    return ctype in JSON_TYPES or ctype.endswith("+json")


class BadRequest(Exception):
    def __init__(self, outcome: Outcome):
        self.outcome = outcome


def _multi(pairs) -> dict[str, Any]:
    """§1.5: a name given once is a String, several times an Array of Strings."""
    out: dict[str, Any] = {}
    repeated: set[str] = set()  # (the names whose value is a list made here: appended in place)
    for key, value in pairs:
        if key in repeated:
            out[key].append(value)
        elif key in out:
            out[key] = [out[key], value]
            repeated.add(key)
        else:
            out[key] = value
    return out


async def parameters(request: web.Request, raw_allowed: bool = False) -> tuple[dict[str, Any], dict[str, Any]]:
    """(parameters, extras) of a request (§1.4). `extras` holds `param`/`paramtype` for a
    request whose body is not form-encoded (§5.2)."""
    params = _multi(request.query.items())
    extras: dict[str, Any] = {}
    if not request.body_exists:  # (not can_read_body: whole_body has read it already)
        return params, extras
    ctype = request.content_type or ""
    body = await request.read()
    if not body:
        return params, extras
    if ctype == "application/x-www-form-urlencoded":
        from urllib.parse import parse_qsl

        charset = request.charset or "utf-8"
        try:
            text = body.decode(charset)
        except (UnicodeDecodeError, LookupError):
            raise BadRequest(error(400, "invalidbody", f"the form is not valid {charset}")) from None
        params.update(_multi(parse_qsl(text, keep_blank_values=True)))
        return params, extras
    if _is_json(ctype):
        try:
            value = parse_json(body.decode(request.charset or "utf-8"))
        except (UnicodeDecodeError, LookupError):
            raise BadRequest(error(400, "invalidbody", "the body is not valid JSON")) from None
        except ValueError as exc:  # (not JSON, or nested too deep: httpdata.py)
            raise BadRequest(error(400, "invalidbody", f"the body is not valid JSON: {exc}")) from None
        if not isinstance(value, dict):
            raise BadRequest(error(400, "invalidbody", "the JSON body must be one object"))
        if raw_allowed:
            extras = {"paramtype": ctype, "param": body.decode(request.charset or "utf-8")}
            value = {k: v for k, v in value.items() if k not in ("param", "paramtype")}
        params.update(value)
        return params, extras
    if raw_allowed:
        try:
            text = body.decode(request.charset or "utf-8")
        except (UnicodeDecodeError, LookupError):
            raise BadRequest(error(400, "invalidbody", "the body is not valid text")) from None
        return params, {"paramtype": ctype or "application/octet-stream", "param": text}
    raise BadRequest(error(415, "unsupportedmediatype", f"a body of type {ctype or 'unknown'} is not accepted here (form or JSON)"))


def respond(request: web.Request, outcome: Outcome) -> web.Response:
    service = request.app[SERVICE]
    body = outcome.body
    if isinstance(body, (bytes, str)):
        data = body if isinstance(body, bytes) else text_bytes(body)
    else:
        # (JSON text: a session's data may hold lone surrogates, and an error may echo a
        # client's; JSON.stringify writes them as escapes, and so does this)
        data = json_bytes(body, separators=(", ", ": "))
    response = web.Response(status=outcome.status, body=data, headers=outcome.headers)
    response.headers["Content-Type"] = outcome.content_type
    sid = outcome.session_id
    if sid is None and outcome.status in _ABOUT_A_SESSION and SESSION_ID.match(request.match_info.get("sid", "")):
        sid = request.match_info["sid"]  # (an answer about the session the path names: §1.7)
    if sid is not None:
        response.set_cookie(service.settings.cookie_name, sid, path="/", httponly=True)
    return response


# Answers that concern an existing session (§1.7: they carry its cookie): it is not running
# (409), it ended (410), its request got no answer (502) or none in time (504).
_ABOUT_A_SESSION = frozenset((409, 410, 502, 504))


def _announced_too_large(request: web.Request) -> bool:
    return request.content_length is not None and request.content_length > request.app[SERVICE].settings.max_body_bytes


def _too_large_text(request: web.Request) -> str:
    return f"the body is too large ({request.content_length} bytes; at most {request.app[SERVICE].settings.max_body_bytes})"


async def _refuse_body(request: web.Request, outcome: Outcome) -> web.StreamResponse:
    """Answer without the body, then close at once: aiohttp would otherwise wait 10 s more
    for the rest of the body (its lingering close) on a connection that may send nothing."""
    response = respond(request, outcome)
    response.force_close()
    await response.prepare(request)
    await response.write_eof()
    request.protocol.force_close()
    return response


async def expect_continue(request: web.Request) -> web.StreamResponse | None:
    """`Expect: 100-continue` (RFC 9110 10.1.1): a body announced over `max_body_bytes` is
    refused before the client sends it (aiohttp's own handler says 100 Continue to any)."""
    if _announced_too_large(request):
        return await _refuse_body(request, error(413, "toolarge", _too_large_text(request)))
    if request.headers.get("Expect", "").lower() != "100-continue":
        return await _refuse_body(request, error(417, "invalidparameter", f"unknown Expect: {request.headers.get('Expect')}"))
    if request.version >= (1, 1):
        await request.writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        request.writer.output_size = 0  # (as aiohttp's own handler: the answer has not begun)
    return None


def _routes(method: str, path: str):
    """The route, with and without a trailing slash (§1.2)."""

    def deco(handler):
        routes.route(method, path, expect_handler=expect_continue)(handler)
        routes.route(method, path + "/", expect_handler=expect_continue)(handler)
        return handler

    return deco


async def elsewhere(request: web.Request, sid: str) -> web.StreamResponse | None:
    """§9.10: the answer for a session another live host owns (a redirect to it, or its own
    answer through this host), or None to answer here."""
    service = request.app[SERVICE]
    cluster = service.cluster
    if cluster is None:
        return None
    place = await cluster.locate(sid)
    if place is None:
        return None
    from .cluster import FORWARDED

    if request.headers.get(FORWARDED):  # (forwarded here, and moved on meanwhile: no second hop)
        return respond(request, error(503, "unavailable", f"session {sid} has moved to {place.url}; retry", **{"Retry-After": "1"}))
    if service.settings.route_mode == "proxy":
        return await cluster.forward(request, place.url)
    location = place.url + request.path_qs
    return respond(request, Outcome(307, {"sessionid": sid, "location": location}, {"Location": location}))


# -- the operations ---------------------------------------------------------------------------------


@_routes("POST", "/scxml/{sid:[0-9A-Z]{32}}")
async def basichttp(request: web.Request) -> web.Response:
    """SCXML C.2: the Basic HTTP Event I/O Processor of the sessions of this server (their
    `_ioprocessors['basichttp'].location`): the POST becomes an event, stored before the 200."""
    from ..basichttp import incoming_event

    service = request.app[SERVICE]
    sid = request.match_info["sid"]
    body = (await request.read()).decode("utf-8", "replace")
    event = incoming_event(request.method, request.path_qs, dict(request.headers), body)
    refused = service.name_refused(event["name"])  # (the names the event route refuses: §4)
    if refused is not None:
        return respond(request, refused)
    if service.cluster is not None:
        place = await service.cluster.locate(sid)
        if place is not None:  # another host's session: its inbox (§9.10)
            outcome = await service.deliver_elsewhere(sid, place, event)
            return respond(request, outcome) if outcome.status != 200 else web.Response(status=200)
    machine = await service.find(sid)
    if isinstance(machine, Outcome):
        return respond(request, machine)
    refused = await service.deliver(machine, event)
    return respond(request, refused) if refused is not None else web.Response(status=200)



@_routes("POST", "/scxml/session/start")
async def start(request: web.Request) -> web.Response:
    params, _ = await parameters(request)
    return respond(request, await request.app[SERVICE].start(params))


@_routes("POST", "/scxml/session/{sid}/terminate")
async def terminate(request: web.Request) -> web.StreamResponse:
    moved = await elsewhere(request, request.match_info["sid"])
    if moved is not None:
        return moved
    await parameters(request)  # (read for the media-type checks, then ignored: §3)
    return respond(request, await request.app[SERVICE].terminate(request.match_info["sid"]))


@_routes("POST", "/scxml/session/{sid}/event/{name}")
async def event(request: web.Request) -> web.Response:
    params, _ = await parameters(request)
    service = request.app[SERVICE]
    return respond(request, await service.event(request.match_info["sid"], request.match_info["name"], params))


@_routes("POST", "/scxml/session/{sid}/request/{name}")
async def request_(request: web.Request) -> web.StreamResponse:
    moved = await elsewhere(request, request.match_info["sid"])
    if moved is not None:
        return moved
    params, extras = await parameters(request, raw_allowed=True)
    service = request.app[SERVICE]
    timeout = service.settings.request_timeout_s
    given = params.pop("scxmlc.timeout", None)
    if given is not None:
        if isinstance(given, list) and given and all(isinstance(g, str) for g in given):
            given = given[-1]  # (the name repeated in a query string or form: the last one)
        if isinstance(given, bool) or not isinstance(given, (str, int, float)):
            return respond(request, error(400, "invalidparameter", "scxmlc.timeout must be a number of seconds (1-600)"))
        try:
            timeout = float(given)
        except ValueError:
            return respond(request, error(400, "invalidparameter", "scxmlc.timeout must be a number of seconds (1-600)"))
        if not 1 <= timeout <= 600:
            return respond(request, error(400, "invalidparameter", "scxmlc.timeout must be 1-600 seconds"))
    params.update(extras)

    def gone() -> bool:  # (the client disconnected: nobody waits for the answer)
        return request.transport is None or request.transport.is_closing()

    outcome = await service.request(request.match_info["sid"], request.match_info["name"], params, timeout, gone)
    return respond(request, outcome)


async def _query(request: web.Request) -> web.StreamResponse:
    moved = await elsewhere(request, request.match_info["sid"])
    if moved is not None:
        return moved
    params, _ = await parameters(request)
    items: list[str] = []
    for key in ("item", "items"):
        value = params.get(key)
        values = value if isinstance(value, list) else ([value] if value is not None else [])
        for v in values:
            if not isinstance(v, str):
                return respond(request, error(400, "invalidparameter", f"{key} must be text"))
            items.extend(x.strip() for x in v.split(",") if x.strip()) if key == "items" else items.append(v)
    configuration = str(params.get("scxmlc.configuration", "true")).lower() != "false"
    return respond(request, await request.app[SERVICE].query(request.match_info["sid"], items, configuration))


_routes("GET", "/scxml/session/{sid}/query")(_query)
_routes("POST", "/scxml/session/{sid}/query")(_query)


@_routes("GET", "/ors/health")
async def health(request: web.Request) -> web.Response:
    return respond(request, request.app[SERVICE].health())


@_routes("GET", "/ors/sessions")
async def sessions(request: web.Request) -> web.Response:
    q = request.query
    try:
        limit = int(q.get("limit", "100"))
    except ValueError:
        return respond(request, error(400, "invalidparameter", "limit must be an integer"))
    if not 1 <= limit <= 1000:
        return respond(request, error(400, "invalidparameter", "limit must be 1-1000"))
    return respond(request, request.app[SERVICE].list_sessions(q.get("status"), limit, q.get("after")))


ENDPOINTS = [
    {"path": "/scxml/session/start", "methods": ["POST"], "parameters": ["src", "idealtime", "scxmlc.prewindow", "scxmlc.postwindow", "scxmlc.delay", "scxmlc.sessionid", "(any other: session data)"],
     "description": "start a session of the document at src; answers {sessionid, status}"},
    {"path": "/scxml/session/{id}/terminate", "methods": ["POST"], "parameters": [], "description": "end a session (its onexit handlers run)"},
    {"path": "/scxml/session/{id}/event/{name}", "methods": ["POST"], "parameters": ["(any: _event.data)"], "description": "queue an external event"},
    {"path": "/scxml/session/{id}/request/{name}", "methods": ["POST"], "parameters": ["scxmlc.timeout", "(any: _event.data)"],
     "description": "deliver an event whose sendid the session answers with <ws:response>; waits for the answer"},
    {"path": "/scxml/session/{id}/query", "methods": ["GET", "POST"], "parameters": ["item", "items", "scxmlc.configuration"], "description": "the session's data and configuration"},
    {"path": "/ors/help", "methods": ["GET"], "parameters": [], "description": "this list"},
    {"path": "/ors/health", "methods": ["GET"], "parameters": [], "description": "whether the server accepts work"},
    {"path": "/ors/sessions", "methods": ["GET"], "parameters": ["status", "limit", "after"], "description": "the sessions (when list_enabled)"},
    {"path": "/ors/interactions", "methods": ["POST"], "parameters": ["JSON: sessionid, interaction"], "description": "interaction bridge: a new interaction for a session"},
    {"path": "/ors/interactions/{g_uid}/update", "methods": ["POST"], "parameters": ["JSON: changes"], "description": "interaction bridge: properties changed"},
    {"path": "/ors/interactions/{g_uid}/event", "methods": ["POST"], "parameters": ["JSON: name, data, changes"], "description": "interaction bridge: an unsolicited interaction event"},
    {"path": "/ors/interactions/{g_uid}/delete", "methods": ["POST"], "parameters": ["JSON: resultof"], "description": "interaction bridge: the interaction is gone"},
    {"path": "/ors/interactions/results/{requestid}", "methods": ["POST"], "parameters": ["JSON: ok, changes | error, description"], "description": "interaction bridge: the result of an ixn: request answered 202"},
]  # fmt: skip


@_routes("GET", "/ors/help")
async def help_(request: web.Request) -> web.Response:
    from .. import __version__

    prefix = request.app[SERVICE].settings.path_prefix
    endpoints = [{**e, "path": prefix + e["path"]} for e in ENDPOINTS] if prefix else ENDPOINTS
    if "text/plain" in request.headers.get("Accept", "") and "application/json" not in request.headers.get("Accept", ""):
        lines = [f"scxmlc session server {__version__}", ""]
        for e in endpoints:
            lines.append(f"{', '.join(e['methods']):9} {e['path']}")
            lines.append(f"          {e['description']}")
            if e["parameters"]:
                lines.append(f"          parameters: {', '.join(e['parameters'])}")
        return web.Response(text="\n".join(lines) + "\n", content_type="text/plain")
    return web.json_response({"endpoints": endpoints, "version": __version__})


# -- middlewares ------------------------------------------------------------------------------------

_STATUS_CODES = {404: "notfound", 405: "methodnotallowed", 413: "toolarge", 400: "invalidparameter", 415: "unsupportedmediatype"}


@web.middleware
async def errors(request: web.Request, handler) -> web.StreamResponse:
    """Every failure answers in JSON; nothing a client sends stops the server."""
    try:
        return await handler(request)
    except BadRequest as exc:
        return respond(request, exc.outcome)
    except (web.RequestPayloadError, HttpProcessingError) as exc:  # a body whose framing is broken (bad chunks)
        why = getattr(exc, "message", None) or getattr(exc.__cause__, "message", None) or "invalid framing"
        return respond(request, error(400, "invalidbody", f"the body cannot be read: {str(why).strip()}"))
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        code = _STATUS_CODES.get(exc.status, "invalidparameter" if exc.status < 500 else "internal")
        description = {404: "no such path", 405: f"{request.method} is not allowed here", 413: "the body is too large"}.get(exc.status, exc.reason)
        outcome = error(exc.status, code, description)
        if exc.status == 405 and "Allow" in exc.headers:
            outcome.headers["Allow"] = exc.headers["Allow"]
        return respond(request, outcome)
    except Exception as exc:  # noqa: BLE001 - a bug answers 500, the server goes on
        if isinstance(exc, ConnectionError) and request.transport is None:
            # the client went away before its body was in (no event comes of it): nothing is
            # wrong here, and the answer reaches nobody
            _log.debug("%s %s: the client disconnected before the request was read", request.method, request.path)
            return respond(request, error(400, "invalidbody", "the connection closed before the whole body came"))
        _log.exception("internal error answering %s %s", request.method, request.path)
        return respond(request, error(500, "internal", f"internal error: {type(exc).__name__}"))


@web.middleware
async def draining(request: web.Request, handler) -> web.StreamResponse:
    """§1.8: a server that is stopping answers every /scxml/ request 503 with Retry-After (a
    load balancer sends it to another host); the /ors/ endpoints still answer (health says so)."""
    service = request.app[SERVICE]
    if service.draining and request.path.startswith(service.settings.path_prefix + "/scxml/"):
        return respond(request, error(503, "unavailable", "the server is stopping", **{"Retry-After": "1"}))
    return await handler(request)


@web.middleware
async def bearer(request: web.Request, handler) -> web.StreamResponse:
    token = request.app.get(TOKEN)
    if token:
        given = request.headers.get("Authorization", "")
        scheme, _, value = given.partition(" ")
        # (header bytes that are not UTF-8 arrive as surrogate escapes: they match no token)
        if scheme.lower() != "bearer" or not hmac.compare_digest(value.strip().encode("utf-8", "surrogateescape"), token.encode()):
            outcome = error(401, "unauthorized", "a valid Authorization: Bearer token is required")
            outcome.headers["WWW-Authenticate"] = 'Bearer realm="scxmlc"'
            return respond(request, outcome)
    return await handler(request)


@web.middleware
async def whole_body(request: web.Request, handler) -> web.StreamResponse:
    """Read the body whole before the handler runs, within `body_timeout_s`: aiohttp sets no
    deadline on a body, so a client that announces more than it sends, or stops sending, held
    its request (and connection) for ever. It answers 408 and the connection is closed. The
    handlers read the body again from aiohttp's cache; a body over `max_body_bytes` is still 413
    (errors). A body announced (Content-Length) over that size is a 413 at once, without
    waiting for it, and the connection is closed."""
    if _announced_too_large(request):
        return await _refuse_body(request, error(413, "toolarge", _too_large_text(request)))
    if request.body_exists and not request.content.is_eof():  # (a body in with its headers: no wait)
        timeout = request.app[SERVICE].settings.body_timeout_s
        try:
            await asyncio.wait_for(request.read(), timeout)
        except asyncio.TimeoutError:
            return await _refuse_body(request, error(408, "bodytimeout", f"the body did not arrive within {timeout:g} s"))
    return await handler(request)


def make_app(service: SessionService, token: str | None = None, bridge: Any = None) -> web.Application:
    """The application; `bridge`: the HttpInteractions adapter when the server has an
    `interaction_url` (the `/ors/interactions` routes are there either way, for platforms
    that report interactions to a server whose sessions request nothing of them)."""
    from . import bridge as ixn_bridge

    app = web.Application(middlewares=[errors, draining, bearer, whole_body], client_max_size=service.settings.max_body_bytes)
    app[SERVICE] = service
    app[ixn_bridge.INBOUND] = ixn_bridge.Inbound(service, bridge)
    if token:
        app[TOKEN] = token
    app.add_routes(routes)
    app.add_routes(ixn_bridge.routes)
    prefix = service.settings.path_prefix
    if not prefix:
        return app
    # §1.2: every route below the prefix (a sub-application); any other path is a JSON 404
    root = web.Application(middlewares=[errors], client_max_size=service.settings.max_body_bytes)
    root[SERVICE] = service
    root.add_subapp(prefix, app)
    return root


__all__ = ["ENDPOINTS", "make_app", "parameters", "routes"]
