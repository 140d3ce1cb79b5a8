"""The `session:` module: `<session:fetch>`, `<session:start>`, `<session:updatestart>`, `<session:terminate>` and `<session:cancel>` (ors-extensions.md §3–§7).

One `SessionModule` per host. The request pattern (evaluation, coercion, ids, ownership) is
requests.py's; this module validates what is particular to each action and carries it out:
fetches through the `FetchDispatcher` (fetch.py), sessions through the host's document loader
and clock. Sessions it starts belong to the host (nobody else holds them) until they end.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .._lazylog import LazyLogger
from ..documents import document_url, resolve_url
from ..js import UNDEFINED
from ..requests import ModuleService, Request, result_event, structured_clone
from .declarations import FETCH_ENCTYPES, FETCH_METHODS, FETCH_TYPES, SESSION
from .encoding import build_request
from .esp import js_to_kv, parse_address
from .fetch import EspFetchTransport, FetchDispatcher, FetchRequest, FetchResult, FileTransport, HttpTransport

if TYPE_CHECKING:  # pragma: no cover
    from ..machine import Machine

_log = LazyLogger("scxmlc_runtime")  # (logging is imported on first use, issue 14)


@dataclass
class Scheduled:
    """A session that `<session:start>` scheduled and that has not started yet."""

    sessionid: str
    src: str
    params: dict
    starter: "Machine | None"  # (None: started from a server's schedule row, its starter gone)
    request: "Request | _Unheard"
    idealtime: float | None  # ms since the epoch
    prewindow: float  # seconds
    postwindow: float
    delay: float | None  # seconds
    timer: Any = None
    restart: bool = False
    starter_id: str = ""
    due_ms: int = 0  # when it starts (ms since the epoch), as last scheduled

    def __post_init__(self) -> None:
        if self.starter is not None:
            self.starter_id = self.starter.sessionid


class SessionModule(ModuleService):
    """The runtime side of the `session:` module.

    `esp`: the ESP transport (esp.py; default: unconfigured, every ESP fetch answers
    `esp.unavailable`); `transports`: fetch transports by kind ("http", "file", "esp") to use
    instead of the built-in ones.
    """

    module = SESSION

    def __init__(self, *, esp: Any = None, transports: dict | None = None) -> None:
        super().__init__()
        self._esp = esp
        self._transports = dict(transports or {})
        self.dispatcher: FetchDispatcher | None = None
        self.scheduled: dict[str, Scheduled] = {}

    def attach(self, host) -> None:
        super().attach(host)
        transports = {"http": HttpTransport(host), "file": FileTransport(), "esp": EspFetchTransport(self._esp)}
        transports.update(self._transports)
        self.dispatcher = FetchDispatcher(host, transports)

    # -- the request pattern's hooks ------------------------------------------------------

    def validate(self, machine: "Machine", action: str, args: dict) -> dict:
        if action == "start":
            args["params"] = self._clone_params(args.get("params", ()))
            current = args.get("sessionid", UNDEFINED)
            args["_restart"] = None
            args["_self"] = current == machine.sessionid  # an error: reported with a fresh id
            if isinstance(current, str) and current and not args["_self"]:
                target = self.host.sessions.get(current)
                if target is not None and target.running:
                    args["_restart"] = current
        return args

    @staticmethod
    def _clone_params(params) -> dict:
        """§2: a JSON-compatible deep copy of each param, made now, in the starting session
        (a cycle is an illegalvalue error there)."""
        out: dict = {}
        for name, value in params:
            out[name] = structured_clone(value, "param")
        return out

    def new_id(self, machine: "Machine", action: str, args: dict) -> str:
        if action == "start":
            return args["_restart"] or self.host.ids.session_id()
        return self.host.ids.request_id()

    def perform(self, request: Request, args: dict) -> None:
        getattr(self, "_" + request.action)(request, args)

    def session_end_report(self, machine: "Machine", data: dict) -> None:
        """§4.3 step 7: a session that reached a top-level final tells the session that
        started it, if that one still runs (not after terminate or restart). The starter is
        found by its id: either may have been stored and restored since."""
        if machine.limit_reason is not None:
            # (limits.py: a session a limit ended tells its starter why)
            event = result_event("error.limit", {"sessionid": machine.sessionid, "reason": machine.limit_reason})
        elif machine.final_state is None or getattr(machine, "_ors_terminated", False) or getattr(machine, "_ors_restarted", False):
            return
        else:
            value = getattr(machine, "_done_value", UNDEFINED)
            params = value if isinstance(value, dict) else ({} if value is UNDEFINED else {"content": value})
            event = result_event(done_event_name(machine), {"sessionid": machine.sessionid, "reason": "final", "params": params})
        starter_id = data["starter"]
        deliver = self.host.local_delivery
        if deliver is not None and deliver(machine, starter_id, event):
            return  # (a session server stores it in the starter's inbox)
        starter = self.host.sessions.get(starter_id)
        if starter is not None and starter.running:
            starter.enqueue_external(event)

    def resumable(self, action: str, args: dict) -> bool:
        # G4/G6 (ors-server.md §9.1): a guaranteed-delivery fetch outlives a restart; so does
        # a <session:start> that has not started its session yet (§9.7 step 4)
        return action == "start" or (action == "fetch" and bool(args.get("gdelivery")))

    def resume(self, request: Request, args: dict, elapsed: float, idle: float) -> None:
        if request.action == "start":
            self._resume_start(request, args, elapsed)
        else:
            self._resume_fetch(request, args, elapsed, idle)

    def _resume_start(self, request: Request, args: dict, elapsed: float) -> None:
        """§9.7 step 4 for a <session:start> of a restored session: a session that started
        before the crash (stored, or ended since) is reported started; otherwise its window is
        checked again: passed, `expired`; open, it starts now; to come, it waits again (a
        delay counts from the first issue)."""
        sid = request.id
        known = self.host.known_session
        if sid in self.host.sessions or (known is not None and known(sid)):
            request.deliver("session.start.done", {"sessionid": sid})
            return
        delay = args.get("delay")
        item = Scheduled(
            sessionid=sid,
            src=args["src"],
            params=args["params"],
            starter=request.machine,
            request=request,
            idealtime=args.get("idealtime"),
            prewindow=args.get("prewindow") or 0.0,
            postwindow=args.get("postwindow") or 0.0,
            delay=None if delay is None else max(0.0, delay - elapsed),
            restart=args["_restart"] is not None,
        )
        if not self._schedule(item):
            self._unrow(item)  # (the row its first issue wrote)
            request.deliver(
                "error.session.start",
                {"sessionid": sid, "error": "expired", "description": "the start window passed while the session was stored"},
            )

    def _resume_fetch(self, request: Request, args: dict, elapsed: float, idle: float) -> None:
        """§9.7 step 5: a GD fetch of a restored session goes on. The attempt in flight at the
        crash counts as failed: the next one comes `gd_retry_interval` after the session was
        stored, at once when that has passed; the overall `timeout` runs from the first issue."""
        timeout = args["timeout"]
        if timeout > 0:
            left = timeout - elapsed
            if left <= 0:
                prefix = "esp" if args["srcexpr"].strip().lower().startswith("gesp:") or args["method"].strip().lower() == "esp" else "http"
                request.deliver(
                    "error.session.fetch",
                    {"requestid": request.id, "error": f"{prefix}.timeout", "description": f"not delivered within {timeout:g} s (the time limit passed while the server was down)", "status": 0.0},
                )
                return
            args = dict(args, timeout=left)
        wait = max(0.0, args["gd_retry_interval"] - idle)
        if wait <= 0:
            self._fetch(request, args)
            return
        timer = self.host.clock.call_later(wait, lambda: request.machine.run_guarded(self._fetch, request, args))
        request.on_cancel(timer.cancel)

    def session_ended(self, machine: "Machine") -> None:
        # Scheduled sessions outlive their starter (they are independent, §4.3): nothing to do.
        pass

    def close(self) -> None:
        for item in list(self.scheduled.values()):
            if item.timer is not None:
                item.timer.cancel()
        self.scheduled.clear()

    # -- <session:fetch> (§3) -------------------------------------------------------------

    def _fetch(self, request: Request, args: dict) -> None:
        if not request.pending:
            return  # issued while its session ends (<onexit> at the end): cancelled before it starts (§3.10)
        machine = request.machine
        rid = request.id

        def fail(code: str, description: str) -> None:
            request.deliver("error.session.fetch", {"requestid": rid, "error": code, "description": description, "status": 0.0})

        method = args["method"].strip().lower()
        if method not in FETCH_METHODS:
            return fail("invalidattribute", f"method must be one of {', '.join(FETCH_METHODS)}, not {args['method']!r}")
        accept = args["type"].strip().lower()
        enctype = args["enctype"].strip().lower()
        src = args["srcexpr"].strip()
        params = list(args.get("params", ()))
        content = args.get("content")
        address = parse_address(src) if method == "esp" or src.lower().startswith("gesp:") else None
        if address is not None:
            req = FetchRequest(rid, "esp", method="ESP", url=src, esp_address=address)
            if content is not None:
                if not isinstance(content, dict):
                    return fail("invalidattribute", "the <content> of an ESP fetch must be an object {params, udata}")
                from ..js.properties import js_getp

                req.esp_params = js_to_kv(js_getp(content, "params"))
                req.esp_udata = js_to_kv(js_getp(content, "udata"))
            else:
                req.esp_params = [(k, v) for name, value in params for k, v in js_to_kv({name: value})]
        elif method == "esp":
            return fail("invalidattribute", f"{src!r} is not an ESP address (App\\Service\\Method or gesp:App/Service/Method)")
        else:
            if accept not in FETCH_TYPES:
                return fail("invalidattribute", f"type must be one of {', '.join(FETCH_TYPES)}, not {args['type']!r}")
            if enctype not in FETCH_ENCTYPES:
                return fail("invalidattribute", f"enctype must be one of {', '.join(FETCH_ENCTYPES)}, not {args['enctype']!r}")
            try:
                url = resolve_url(src, lambda: document_url(machine))
            except ValueError as exc:
                return fail("invalidattribute", f"cannot resolve {src!r}: {exc}")
            scheme = urlsplit(url).scheme.lower()
            if scheme not in ("http", "https", "file"):
                return fail("invalidattribute", f"unsupported URL scheme {scheme!r} in {src!r} (http, https, file or gesp)")

            def warn(message: str) -> None:
                _log.warning("%s:%s: <session:fetch>: %s", machine.source_file, request.line, message)

            url, headers, body = build_request(
                method.upper(),
                url,
                accept=accept,
                enctype=enctype,
                params=params,
                content=content,
                maxage=args.get("maxage"),
                maxstale=args.get("maxstale"),
                username=args.get("username"),
                password=args.get("password"),
                headers=args.get("headers"),
                warn=warn,
            )
            kind = "file" if scheme == "file" else "http"
            req = FetchRequest(rid, kind, method=method.upper(), url=url, headers=headers, body=body, accept=accept)
            if kind == "file":
                req.roots = tuple(self.host.loader.roots_for(machine))

        def done(result: FetchResult) -> None:
            if result.ok:
                request.deliver("session.fetch.done", {"requestid": rid, "content": result.content, "hints": result.hints})
            else:
                data = {"requestid": rid, "error": result.error, "description": result.description, "status": float(result.status)}
                request.deliver("error.session.fetch", data)

        ticket = self.dispatcher.submit(
            req,
            done,
            gd=args["gdelivery"],
            retries=int(args["gd_retries"]),
            interval=args["gd_retry_interval"],
            timeout=args["timeout"],
        )
        request.on_cancel(lambda: self.dispatcher.cancel(ticket))

    # -- <session:cancel> (§7) ------------------------------------------------------------

    def _cancel(self, request: Request, args: dict) -> None:
        rid = args["requestid"]
        target = request.machine.pending_request(rid)
        if target is None or target.module != "session" or target.action != "fetch":
            request.deliver(
                "error.session.cancel",
                {"requestid": rid, "error": "notfound", "description": f"no pending <session:fetch> with request id {rid!r} in this session"},
            )
            return
        target.cancel()
        request.deliver("session.cancel.done", {"requestid": rid})

    # -- <session:start> (§4) -------------------------------------------------------------

    def _start(self, request: Request, args: dict) -> None:
        machine = request.machine
        sid = request.id
        if args["_self"]:
            request.deliver(
                "error.session.start",
                {"sessionid": sid, "error": "invalidattribute", "description": "a session cannot restart itself"},
            )
            return
        item = Scheduled(
            sessionid=sid,
            src=args["src"],
            params=args["params"],
            starter=machine,
            request=request,
            idealtime=args.get("idealtime"),
            prewindow=args.get("prewindow") or 0.0,
            postwindow=args.get("postwindow") or 0.0,
            delay=args.get("delay"),
            restart=args["_restart"] is not None,
        )
        if item.idealtime is not None and item.delay is not None:
            _log.warning("%s:%s: <session:start> has both idealtime and delay: delay is ignored", machine.source_file, request.line)
        if not self._schedule(item):
            request.deliver(
                "error.session.start",
                {"sessionid": sid, "error": "expired", "description": "the start window has already passed"},
            )

    def _schedule(self, item: Scheduled) -> bool:
        """§4.3 step 2: when to start; False when the window has passed."""
        clock = self.host.clock
        if item.idealtime is not None:
            now_ms = clock.time() * 1000.0
            earliest = item.idealtime - item.prewindow * 1000.0
            latest = item.idealtime + item.postwindow * 1000.0
            if now_ms > latest:
                return False
            wait = 0.0 if now_ms >= earliest else (item.idealtime - now_ms) / 1000.0
        else:
            wait = item.delay or 0.0
        if item.timer is not None:
            item.timer.cancel()
        self.scheduled[item.sessionid] = item
        item.timer = clock.call_later(wait, lambda: self._launch(item))
        item.due_ms = int((clock.time() + wait) * 1000)
        rows = self.host.schedule_rows
        if rows is not None and wait > 0 and not item.restart:
            # a session server keeps it as a schedule row too (G4): it starts after a restart
            # even when its starter is gone (a restart of a live session stays with the clock)
            rows.put(item, item.due_ms)
        return True

    def _unrow(self, item: Scheduled) -> None:
        """A scheduled session that will not start: its schedule row goes too."""
        rows = self.host.schedule_rows
        if rows is not None and not item.restart:
            rows.remove(item.sessionid)

    def start_stored(self, sessionid: str, src: str, params: dict, starter_id: str) -> None:
        """A session server's schedule row is due and nobody here holds its start (its starter
        ended, or lived in memory only, before a restart): it starts now, reporting its end to
        `starter_id` as any started session does; what its starter would have heard of the
        start is logged instead (ors-server.md §9.2)."""
        item = Scheduled(sessionid, src, params, None, _Unheard(sessionid, starter_id), None, 0.0, 0.0, None, starter_id=starter_id)
        self.scheduled[sessionid] = item
        self._launch(item)

    def cancel_scheduled(self, sessionid: str) -> Scheduled | None:
        """Drop a session scheduled here before it starts (<session:terminate>, a REST
        terminate): what was scheduled, or None when nothing was."""
        item = self.scheduled.pop(sessionid, None)
        if item is None:
            return None
        if item.timer is not None:
            item.timer.cancel()
        starter = item.starter
        if starter is not None and starter.running:
            # in a run of the starter: a session server stores that its start is no longer
            # pending (else, restored, it would start it again)
            starter.run_guarded(item.request.finish)
        else:
            item.request.finish()
        self._unrow(item)
        return item

    def _launch(self, item: Scheduled) -> None:
        """§4.3 step 3: fetch the document, then build and start the session."""
        if self.scheduled.get(item.sessionid) is not item:
            return
        item.timer = None

        def loaded(chart, url: str, error) -> None:
            if self.scheduled.get(item.sessionid) is not item:
                return  # terminated while its document was on its way
            del self.scheduled[item.sessionid]
            if error is not None:
                self._unrow(item)
                _log.info("error.session.start: %s: %s", error.code, error.description)
                item.request.deliver(
                    "error.session.start",
                    {"sessionid": item.sessionid, "error": error.code, "description": error.description},
                )
                return
            self._run(item, chart, url)

        item.timer = _Loading(self.host.loader.load(item.src, item.starter, loaded))

    def _run(self, item: Scheduled, chart: type, url: str) -> None:
        host = self.host
        if not item.restart and host.held >= host.limits.sessions:
            # limits.py: a chart that starts copies of itself must not fill the host
            description = f"the host holds {host.limits.sessions} sessions already"
            _log.warning("error.session.start: %s: %s", item.sessionid, description)
            self._unrow(item)
            item.request.deliver("error.session.start", {"sessionid": item.sessionid, "error": "limit", "description": description})
            return
        if item.restart:
            old = host.sessions.get(item.sessionid)
            if old is not None:
                old._ors_restarted = True  # no done.scxml for it (§4.3 step 6)
                end_session(old)
        child = host.create(chart, sessionid=item.sessionid)
        child.document_url = url  # relative URLs of the child resolve against it
        child._start_params = item.params or None
        child.report_end_to("session", {"starter": item.starter_id})
        host.keep(child)
        if host.on_create is not None:
            host.on_create(child)  # (a session server stores it)
        try:
            child.start()
        except Exception as exc:  # noqa: BLE001 - the chart's own failure is not the starter's
            _log.exception("session %s failed to start", item.sessionid)
            self._unrow(item)
            item.request.deliver(
                "error.session.start", {"sessionid": item.sessionid, "error": "badsyntax", "description": str(exc)}
            )
            return
        # §4.3 step 4: after the child's initial macrostep
        item.request.deliver("session.start.done", {"sessionid": item.sessionid})

    # -- <session:updatestart> (§5) -------------------------------------------------------

    def _updatestart(self, request: Request, args: dict) -> None:
        sid = args["sessionid"]

        def fail(code: str, description: str) -> None:
            request.deliver("error.session.updatestart", {"sessionid": sid, "error": code, "description": description})

        if not sid.strip():
            return fail("invalidattribute", "sessionid is empty")
        item = self.scheduled.get(sid)
        if item is None or item.timer is None or isinstance(item.timer, _Loading):
            live = self.host.sessions.get(sid)
            if (live is not None and live.running) or (item is not None and isinstance(item.timer, _Loading)):
                return fail("alreadystarted", f"session {sid} has already started")
            return fail("notfound", f"no scheduled session {sid}")
        for name in ("idealtime", "prewindow", "postwindow", "delay"):
            if name in args:
                setattr(item, name, args[name] if name not in ("prewindow", "postwindow") else args[name] or 0.0)
        if "delay" in args and "idealtime" not in args:
            item.idealtime = None  # a new delay counts from now (§5)
        resume = item.request.info.get("resume")
        if resume is not None:  # (what a restored starter schedules again)
            stored = dict(resume[0], idealtime=item.idealtime, prewindow=item.prewindow, postwindow=item.postwindow, delay=item.delay)
            item.request.info["resume"] = (stored, self.host.clock.time())
        if not self._schedule(item):
            del self.scheduled[sid]
            item.request.finish()
            self._unrow(item)
            return fail("expired", "the new start window has already passed; the session is dropped")
        request.deliver("session.updatestart.done", {"sessionid": sid})

    # -- <session:terminate> (§6) ---------------------------------------------------------

    def _terminate(self, request: Request, args: dict) -> None:
        machine = request.machine
        sid = args["sessionid"]
        if not sid.strip():
            request.deliver("error.session.terminate", {"sessionid": sid, "error": "invalidattribute", "description": "sessionid is empty"})
            return
        if sid == machine.sessionid:
            request.finish()  # the session ends itself: nobody is left to tell (§6)
            end_session(machine)
            return
        if self.cancel_scheduled(sid) is not None:
            request.deliver("session.terminate.done", {"sessionid": sid})
            return
        target = self.host.sessions.get(sid)
        if target is None or not target.running:
            request.deliver(
                "error.session.terminate",
                {"sessionid": sid, "error": "notfound", "description": f"no session {sid} (unknown, or already ended)"},
            )
            return
        target._ors_terminated = True  # its starter gets no done event (§6)

        def report(ended: "Machine") -> None:
            request.deliver("session.terminate.done", {"sessionid": sid}, final=False)
            request.deliver(done_event_name(ended), {"sessionid": sid, "reason": "terminated", "params": {}})

        target.on_end(report)
        end_session(target)


class _Unheard:
    """The request of a start whose starter is gone (Scheduled.request of start_stored): what
    it would have delivered is logged."""

    def __init__(self, sessionid: str, starter_id: str) -> None:
        self.sessionid = sessionid
        self.starter_id = starter_id
        self.info: dict = {}

    def deliver(self, name: str, data: Any = None, final: bool = True) -> bool:
        _log.info("%s of session %s dropped: the session that started it (%s) is gone", name, self.sessionid, self.starter_id)
        return False

    def finish(self) -> None:
        pass


class _Loading:
    """A scheduled session whose document is being fetched (cancel: the fetch)."""

    def __init__(self, handle: Any) -> None:
        self.handle = handle

    def cancel(self) -> None:
        if self.handle is not None:
            self.handle.cancel()


def done_event_name(machine: "Machine") -> str:
    """`done.scxml.<name>`, or `done.scxml` for a chart without a name (§4.3 step 7)."""
    return f"done.scxml.{machine.name}" if machine.name else "done.scxml"


def end_session(machine: "Machine") -> None:
    """End a session as `<session:terminate>` does (§6): it takes no new event; its active
    states are exited with their onexit handlers; its pending requests are cancelled. A session
    in the middle of a macrostep ends when the microstep in progress is complete."""
    if not machine.running:
        return
    machine.running = False
    if machine.external_queue:
        machine.external_queue.clear()
    if machine._busy:
        # In its own executable content (or a caller's): the macrostep loop stops after this
        # microstep, and whoever runs it exits the interpreter; a timer makes sure of it.
        machine.clock.call_later(0.0, lambda: _finish_exit(machine))
    else:
        _finish_exit(machine)


def _finish_exit(machine: "Machine") -> None:
    if not machine.exited:
        machine.in_realm(machine.exit_interpreter)




__all__ = ["SessionModule", "done_event_name", "end_session"]
