"""The sessions of a session server: what each REST operation does to them (ors-server.md §2-§7), independent of HTTP.

`SessionService` owns the server's Host (on an AsyncioClock: timers and network I/O run on the
server's event loop) and answers start, terminate, event, request, query and list with an
`Outcome` (status, body, headers); the HTTP layer (app.py) only parses requests and writes
answers. Sessions ended here leave a tombstone for `tombstone_ttl_s` (410 answers, idempotent
retries of a start that named its session id). With a store (durable.py), every input is stored
before it is acknowledged and every macrostep is committed before its effects leave.
"""

from __future__ import annotations

import asyncio
import collections
import fnmatch
import functools
import json
import logging
import os
import re
import secrets
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from ..documents import DocumentError, confined, file_path
from ..events import EXTERNAL, make_event
from ..js import UNDEFINED, to_js, to_py
from ..store import SESSION_STATUSES, ScheduleRow
from .settings import ServerSettings

if TYPE_CHECKING:  # pragma: no cover
    from ..host import Host
    from ..machine import Machine

_log = logging.getLogger("scxmlc_runtime.server")

# §1.6: 32 characters of Crockford base32, upper case
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
SESSION_ID = re.compile(r"^[0-9A-Z]{32}$")
NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.:-]*$")
# §4: event names the platform raises; a client may not fake them
RESERVED_PREFIXES = ("error.", "done.", "cancel.", "session.", "interaction.", "queue.", "dialog.", "statistic.", "resource.", "classification.", "ws.")


def new_session_id() -> str:
    n = secrets.randbits(160)
    return "".join(_CROCKFORD[(n >> (5 * k)) & 31] for k in range(32))


class ServerIds:
    """Session and request ids of a server host (§1.6; request ids share the generator)."""

    def session_id(self) -> str:
        return new_session_id()

    def request_id(self) -> str:
        return new_session_id()


@dataclass
class Outcome:
    """An answer: HTTP status, a JSON-ready body (or bytes with a content type), headers."""

    status: int
    body: Any
    headers: dict = field(default_factory=dict)
    content_type: str = "application/json; charset=utf-8"
    session_id: str | None = None  # (the cookie)


def error(status: int, code: str, description: str, **headers: str) -> Outcome:
    return Outcome(status, {"error": code, "description": description}, dict(headers))


@dataclass
class Ended:
    """A tombstone in memory (a store keeps its own)."""

    ended_ms: int
    reason: str
    src: str | None
    expires: float


class SessionService:
    def __init__(self, settings: ServerSettings, host: "Host", store: Any = None) -> None:
        self.settings = settings
        self.host = host
        self.store = store
        # (oldest first: each is kept tombstone_ttl_s from its end, so the expired ones are at the front)
        self.ended: collections.OrderedDict[str, Ended] = collections.OrderedDict()
        self.src: dict[str, str] = {}  # session id -> the src it was started from
        self._starting: dict[str, asyncio.Future] = {}  # session ids of starts under way (start)
        self.started_ms: dict[str, int] = {}
        self.updated_ms: dict[str, int] = {}
        self.scheduled: dict[str, dict] = {}  # session id -> {"src", "starttime", "params", "timer"}
        self.requests_waiting = 0
        host.ids = ServerIds()
        self.ws.request_answer = settings.request_answer
        self.durability = None
        self.cluster = None  # several hosts on one Redis store (cluster.py): set by the server
        self.taken_over: set[str] = set()  # schedule rows claimed from a dead host (§9.7 step 4 applies)
        self.up_since_ms = self.now_ms()
        self.draining = False  # (§1.8: the server is stopping; /scxml/ requests are 503)
        if store is not None:
            from .durable import Durability

            self.durability = Durability(self, store)

    @property
    def ws(self):
        return self.host.service("ws")

    def now_ms(self) -> int:
        return int(self.host.clock.time() * 1000)

    def tombstone_ttl_ms(self) -> int:
        """How long the store keeps a tombstone this server leaves (tombstone_ttl_s; a
        store's own default is an hour)."""
        return int(self.settings.tombstone_ttl_s * 1000)

    # -- lookups -------------------------------------------------------------------------

    async def find(self, sid: str) -> "Machine | Outcome":
        """The running session `sid` (brought back from the store when it is not in memory),
        or the Outcome that says why there is none."""
        machine = self.host.sessions.get(sid)
        # (a session with a tombstone here ended: answered by it, with no look in the store)
        if machine is None and self.durability is not None and sid not in self.scheduled and sid not in self.ended:
            machine = await self.durability.load(sid)
        if machine is not None and machine.running:
            return machine
        return self.session(sid)

    def session(self, sid: str) -> "Machine | Outcome":
        """The running session `sid` in memory, or the Outcome that says why there is none."""
        machine = self.host.sessions.get(sid)
        if machine is not None and machine.running:
            return machine
        if self.scheduled_here(sid) is not None:
            return error(409, "notrunning", f"session {sid} is scheduled and has not started")
        gone = self.tombstone(sid)
        if gone is not None:
            return error(410, "ended", f"session ended at {gone.ended_ms} ({gone.reason})")
        if machine is not None:
            return error(409, "notrunning", f"session {sid} is ending")
        if self.orphaned(sid):
            return error(409, "notrunning", f"session {sid} is orphaned: its document changed or cannot be loaded since it was stored (scxmlc sessions resume|drop)")
        return error(404, "notfound", f"no session {sid}")

    def orphaned(self, sid: str) -> bool:
        """Is `sid` a stored session that could not come back (§9.7: orphaned)? It exists, so
        it is no 404; it does not run, so it takes nothing: 409."""
        if self.store is None:
            return False
        from ..store import StoreError

        try:
            stored = self.store.load(sid)
        except (StoreError, ValueError):
            return False
        return stored is not None and stored.status == "orphaned"

    def scheduled_here(self, sid: str) -> dict | None:
        """A session scheduled here that has not started: a REST start's ({"src", "starttime",
        "params", ...}), or a <session:start>'s, in the same shape."""
        item = self.scheduled.get(sid)
        if item is None:
            chart = self.host.service("session").scheduled.get(sid)
            if chart is not None:
                item = {"src": chart.src, "starttime": chart.due_ms, "params": {k: to_py(v) for k, v in chart.params.items()}}
        return item

    def tombstone(self, sid: str) -> Ended | None:
        gone = self.ended.get(sid)
        if gone is not None and gone.expires < time.monotonic():
            del self.ended[sid]
            return None
        if gone is None and self.store is not None:
            stone = self.store.tombstone(sid)
            if stone is not None and stone.expires_ms > self.now_ms():
                return Ended(stone.ended_ms, stone.reason, stone.src, time.monotonic() + (stone.expires_ms - self.now_ms()) / 1000)
        return gone

    def _ended(self, machine: "Machine") -> None:
        sid = machine.sessionid
        reason = "terminated" if getattr(machine, "_ors_terminated", False) else ("final" if machine.final_state else "ended")
        self._tombstone(sid, Ended(self.now_ms(), reason, self.src.get(sid), time.monotonic() + self.settings.tombstone_ttl_s))
        self.forget(sid)
        if self.durability is None:  # (with a store, Durability._ended lets go of every session it holds)
            self.host.let_go(machine)  # (its tombstone answers for it; once that goes, its id is free)

    def _tombstone(self, sid: str, gone: Ended) -> None:
        """Keep a tombstone in memory; those whose time is up go (not only when asked for:
        a server that ends sessions all day would keep every one of them)."""
        ended = self.ended
        ended.pop(sid, None)  # (to the end: the order is the order of expiry)
        ended[sid] = gone
        now = time.monotonic()
        while ended:
            first = next(iter(ended.values()))
            if first.expires >= now and len(ended) <= 100_000:  # (bounded: the oldest go first)
                break
            ended.popitem(last=False)

    def _abandon(self, machine: "Machine") -> None:
        """A session whose start failed: nothing of it stays in memory (it would count as
        resident for good, and a retry naming it would be told it runs)."""
        if self.durability is not None:
            self.durability.evict(machine, drop_effects=True)  # (its timers, the host's registries, forget)
            return
        self.host.let_go(machine)
        self.forget(machine.sessionid)

    def forget(self, sid: str) -> None:
        """What the service keeps about a session in memory, let go (it ended, or it left
        memory: the store has it)."""
        self.src.pop(sid, None)
        self.started_ms.pop(sid, None)
        self.updated_ms.pop(sid, None)

    def resident_count(self) -> int:
        """Sessions the server holds in memory: those the host keeps until they end
        (host.sessions is weak: ended ones linger there until the garbage collector takes
        them). Constant time: every start asks."""
        return self.host.held

    # -- start (§2) ----------------------------------------------------------------------

    def resolve_src(self, src: str) -> str | Outcome:
        """A `file:` URL or a path relative to a root, below the roots; http(s) as it is."""
        from urllib.parse import urlsplit
        from pathlib import Path

        scheme = urlsplit(src).scheme.lower()
        if scheme in ("http", "https"):
            return src
        if scheme == "file":
            path = file_path(src)
        elif scheme == "" and not src.startswith("/"):
            path = None
            for root in self.settings.roots:
                candidate = Path(root) / src
                # (os.path.isfile: a name the file system refuses, too long say, is no file;
                # Path.is_file raises for it)
                if confined(candidate, self.settings.roots) is not None and os.path.isfile(candidate):
                    path = candidate
                    break
            if path is None:
                return error(422, "badfetch.file", f"no document {src} below the roots")
        elif len(scheme) == 1:  # a Windows drive letter: not a URL
            return error(400, "invalidparameter", f"src must be a file: or http(s) URL or a path relative to a root, not {src!r}")
        else:
            return error(400, "invalidparameter", f"src: unsupported scheme {scheme!r} (http, https, file, or a path relative to a root)")
        real = confined(path, self.settings.roots)
        if real is None:
            return error(422, "badfetch.file", f"no document {src} below the roots")
        return real.as_uri()

    async def start(self, params: dict[str, Any]) -> Outcome:
        """§2: a start. Two starts naming one session id at once are one start: the second
        waits for the first and repeats its answer (§2.3 step 6), instead of finding the
        first's session half made (stored, not yet known here)."""
        sid = params.get("scxmlc.sessionid")
        if not isinstance(sid, str):
            return await self._start(params)
        while (running := self._starting.get(sid)) is not None:
            await asyncio.shield(running)
        done = self._starting[sid] = asyncio.get_running_loop().create_future()
        try:
            return await self._start(params)
        finally:
            del self._starting[sid]
            done.set_result(None)

    async def _start(self, params: dict[str, Any]) -> Outcome:
        src = params.pop("src", None)
        if src is None:
            return error(400, "missingparameter", "src is required")
        if not isinstance(src, str) or not src.strip():
            return error(400, "invalidparameter", "src must be a URL")
        url = self.resolve_src(src.strip())
        if isinstance(url, Outcome):
            return url
        sid = params.pop("scxmlc.sessionid", None)
        if self.cluster is not None and not self.cluster.safe():
            await self.cluster.check_in()  # (a host declared dead drops its sessions before it starts new ones)
        if sid is not None:
            if not isinstance(sid, str) or not SESSION_ID.match(sid):
                return error(400, "invalidparameter", "scxmlc.sessionid must be 32 characters of 0-9 and A-Z")
            if self.cluster is not None and sid not in self.host.sessions and sid not in self.src and sid not in self.scheduled:
                place = await self.cluster.locate(sid)
                if place is not None:  # a retry: the session is another host's
                    if place.src != url:
                        return error(409, "conflict", f"session {sid} exists, started from another src")
                    if place.kind == "scheduled":
                        row = await asyncio.get_running_loop().run_in_executor(None, self.store.scheduled, sid)
                        if row is not None:
                            when = row.ideal_ms if row.ideal_ms is not None else row.due_ms
                            return Outcome(200, {"sessionid": sid, "status": "scheduled", "starttime": int(when)}, session_id=sid)
                    return Outcome(200, {"sessionid": sid, "status": "running"}, session_id=sid)
            if self.durability is not None and sid not in self.host.sessions and sid not in self.src:
                # a retry after a restart: the session may be in the store only
                if await self.durability.load(sid) is None:
                    stored = await asyncio.get_running_loop().run_in_executor(None, self.store.load, sid)
                    if stored is not None:
                        return error(409, "conflict", f"session {sid} is stored ({stored.status}) but cannot be restored; see scxmlc sessions show {sid}")
            repeat = self._repeat(sid, url)
            if repeat is not None:
                return repeat
        schedule = self._schedule_of(params)
        if isinstance(schedule, Outcome):
            return schedule
        sid = sid or new_session_id()
        if self.resident_count() >= self.settings.max_sessions:
            return error(503, "unavailable", f"the server holds {self.settings.max_sessions} sessions already", **{"Retry-After": "1"})
        if schedule is not None:
            return await self._schedule(sid, url, params, schedule)
        return await self._start_now(sid, url, params)

    def _repeat(self, sid: str, url: str) -> Outcome | None:
        """§2.3 step 6: a start that names a session that exists repeats its answer."""
        known = self.src.get(sid) or (self.scheduled.get(sid) or {}).get("src")
        gone = self.tombstone(sid)
        if known is None and gone is not None:
            known = gone.src
        if known is None:
            return None
        if known != url:
            return error(409, "conflict", f"session {sid} exists, started from another src")
        if sid in self.scheduled:
            return self._start_answer(sid, {"status": "scheduled", "starttime": self.scheduled[sid]["starttime"]})
        return self._start_answer(sid, {"status": "running" if gone is None else "ended"})

    def _start_answer(self, sid: str, body: dict) -> Outcome:
        """§2.4: the answer of a start, whatever happened (started, scheduled, repeated): the
        session id as JSON with its status, or as text (`start_answer = text`, §1.10); a
        `Location` of its query and its cookie either way."""
        headers = {"Location": f"{self.settings.path_prefix}/scxml/session/{sid}/query"}
        if self.settings.start_answer == "text":
            return Outcome(200, sid.encode("ascii"), headers, content_type="text/plain; charset=utf-8", session_id=sid)
        return Outcome(200, {"sessionid": sid, **body}, headers, session_id=sid)

    def _schedule_of(self, params: dict) -> tuple[float, float, float, bool] | None | Outcome:
        """(earliest, latest, ideal) in epoch ms for a scheduled start, and whether it has a
        window (idealtime) or not (a delay); None to start now."""
        from ..requests import IllegalValue, coerce

        ideal = params.pop("idealtime", None)
        pre = params.pop("scxmlc.prewindow", None)
        post = params.pop("scxmlc.postwindow", None)
        delay = params.pop("scxmlc.delay", None)
        try:
            pre_ms = coerce("scxmlc.prewindow", "duration", pre) * 1000 if pre is not None else 0.0
            post_ms = coerce("scxmlc.postwindow", "duration", post) * 1000 if post is not None else 0.0
        except IllegalValue as exc:
            return error(400, "invalidparameter", exc.description)
        now = self.now_ms()
        if ideal is not None:
            text = ideal if isinstance(ideal, str) else (str(int(ideal)) if isinstance(ideal, (int, float)) and not isinstance(ideal, bool) and float(ideal).is_integer() else None)
            if text is None or not re.fullmatch(r"\s*\d+\s*", text):
                return error(400, "invalidparameter", "idealtime must be an integer number of milliseconds since 1970")
            ideal_ms = float(text)
            if now > ideal_ms + post_ms:
                return error(400, "expired", "the start window has already passed")
            if now >= ideal_ms - pre_ms:
                return None
            return _within_calendar((ideal_ms - pre_ms, ideal_ms + post_ms, ideal_ms, True), pre_ms, post_ms)
        if delay is not None:
            try:
                seconds = coerce("scxmlc.delay", "seconds", delay)
            except IllegalValue as exc:
                return error(400, "invalidparameter", exc.description)
            if seconds > 0:
                return _within_calendar((now + seconds * 1000, now + seconds * 1000, now + seconds * 1000, False))
        return None

    async def _schedule(self, sid: str, url: str, params: dict, when: tuple[float, float, float, bool]) -> Outcome:
        earliest, latest, ideal, windowed = when
        wait = max(0.0, (earliest - self.now_ms()) / 1000.0)
        if self.store is not None and self.settings.persist_mode != "never":
            from ..store import StoreError

            # §9.5 step 6: a schedule row, started by the background loop when due
            # (a delayed start has no window: ideal_ms None, it starts late after a downtime).
            # Written off the event loop: a store that waits (SQLite's lock, a slow Redis)
            # must not stop the server's other requests meanwhile.
            row = ScheduleRow(sid, url, _json_params(params), None, int(ideal) if windowed else None,
                              int(ideal - earliest), int(latest - ideal), int(earliest), self.now_ms())  # fmt: skip
            entry = {"src": url, "starttime": int(ideal), "params": params, "timer": _NoTimer(), "stored": True}
            self.scheduled[sid] = entry  # (known meanwhile: a terminate finds it, a query shows it)
            loop = asyncio.get_running_loop()
            try:
                await loop.run_in_executor(None, self.store.schedule, row)
                if self.scheduled.get(sid) is not entry:  # terminated meanwhile (§3): the row goes too
                    await loop.run_in_executor(None, self.store.unschedule, sid)
            except (StoreError, ValueError) as exc:  # (ValueError: params a store cannot keep, Infinity say)
                if self.scheduled.get(sid) is entry:
                    del self.scheduled[sid]
                if isinstance(exc, ValueError):
                    return error(400, "invalidparameter", f"the scheduled start cannot be stored: {exc}")
                return error(503, "unavailable", f"the scheduled start could not be stored: {exc}", **{"Retry-After": "1"})
            return self._start_answer(sid, {"status": "scheduled", "starttime": int(ideal)})

        def launch() -> None:
            item = self.scheduled.pop(sid, None)
            if item is not None:
                asyncio.ensure_future(self._start_now(sid, url, item["params"]))

        timer = self.host.clock.call_later(wait, launch)
        self.scheduled[sid] = {"src": url, "starttime": int(ideal), "params": params, "timer": timer}
        return self._start_answer(sid, {"status": "scheduled", "starttime": int(ideal)})

    async def _start_now(self, sid: str, url: str, params: dict, schedule_rows: tuple = ()) -> Outcome:
        loop = asyncio.get_running_loop()
        found: asyncio.Future = loop.create_future()

        def loaded(chart, final_url: str, failure: DocumentError | None) -> None:
            if not found.done():
                found.set_result((chart, final_url, failure))

        handle = self.host.loader.load(url, None, loaded)
        try:
            chart, final_url, failure = await found
        except asyncio.CancelledError:
            if handle is not None:
                handle.cancel()
            raise
        if failure is not None:
            status = 422
            return error(status, failure.code, failure.description)
        if sid in self.host.sessions:
            return error(409, "conflict", f"session {sid} exists")
        machine = self.host.create(chart, sessionid=sid)
        machine.document_url = final_url
        machine._start_params = {str(k): to_js(v) for k, v in params.items()} or None
        machine.on_end(self._ended)
        self.host.keep(machine)
        self.src[sid] = url
        # (kept in the session, so its snapshot has it: `started` is the same after a restart)
        machine._started_ms = self.started_ms[sid] = self.updated_ms[sid] = self.now_ms()
        if self.durability is not None:
            res = self.durability.adopt(machine, url)
            if res.durable:
                res.schedule_del = list(schedule_rows)  # (with its first commit: never twice)
            else:
                for row in schedule_rows:  # no commit will: a session in memory only starts once
                    self.durability.unschedule(row)
        try:
            machine.start()
        except Exception as exc:  # noqa: BLE001 - a chart's own failure must not take the server down
            _log.exception("session %s failed to start", sid)
            self._abandon(machine)
            return error(500, "internal", f"the session failed to start: {exc}")
        if machine.running:  # (one that ended already was forgotten: _ended)
            self.updated_ms[sid] = self.now_ms()
        if self.durability is not None and not await self.durability.committed(sid):
            return error(500, "store", f"session {sid} started but could not be stored")
        return self._start_answer(sid, {"status": "running" if machine.running else "ended"})

    async def _drop_scheduled(self, sid: str, reason: str) -> bool:
        """A scheduled session's row dropped, leaving its tombstone, off the event loop (as
        every store call of a request is); False, logged, when the store refused."""
        from ..store import StoreError

        drop = functools.partial(self.store.drop, sid, reason=reason, ttl_ms=self.tombstone_ttl_ms())
        try:
            await asyncio.get_running_loop().run_in_executor(None, drop)
        except StoreError as exc:
            _log.error("scheduled session %s: its row could not be dropped (%s)", sid, exc)
            return False
        return True

    async def start_scheduled(self, row) -> None:
        """A schedule row of the store is due (or was, while the server was down: §9.7 step 4;
        with several hosts, while the host that owned it was)."""
        if self.cluster is not None and not await self.cluster.acquire(row.session_id):
            self.scheduled.pop(row.session_id, None)
            return  # (another live host's)
        self.scheduled.pop(row.session_id, None)
        module = self.host.service("session") if row.parent_id is not None else None
        if module is not None:
            # A <session:start>'s row. Its starter, stored, comes back first: its pending start
            # goes on as it was (its time, its window, what it hears: _resume_start).
            if row.session_id in self.host.sessions:
                return  # (started on the host's clock since the row was read: its first commit deletes the row)
            self.durability.rows.add(row.session_id)
            if row.session_id in module.scheduled:
                return  # (in memory: it starts on the host's clock)
            if row.parent_id not in self.host.sessions and self.durability.known(row.parent_id, stored_only=True):
                await self.durability.load(row.parent_id)
                if row.session_id in module.scheduled or row.session_id in self.host.sessions:
                    return
        latest = (row.ideal_ms + row.post_ms) if row.ideal_ms is not None else None
        down = row.due_ms < self.up_since_ms or row.session_id in self.taken_over
        self.taken_over.discard(row.session_id)
        if latest is not None and down and self.now_ms() > latest:
            # §9.7 step 4: the window passed while the server was down
            _log.info("scheduled session %s: its start window passed while the server was down; dropped", row.session_id)
            await self._drop_scheduled(row.session_id, "expired")
            return
        if row.session_id in self.host.sessions:
            return
        if module is not None:  # its starter ended, or lived in memory only (§9.2)
            from ..js.heap import Unstorable
            from .durable import decode_event

            try:
                params = decode_event(row.params["$js"])
            except (KeyError, TypeError, ValueError, IndexError, Unstorable) as exc:  # (a row of another writer)
                _log.error("scheduled session %s: its schedule row is damaged (%s); dropped", row.session_id, exc)
                await self._drop_scheduled(row.session_id, "error")
                return
            module.start_stored(row.session_id, row.src, params if isinstance(params, dict) else {}, row.parent_id)
            return
        outcome = await self._start_now(row.session_id, row.src, dict(row.params), schedule_rows=(row.session_id,))
        if outcome.status != 200:
            _log.error("scheduled session %s did not start: %s", row.session_id, outcome.body)
            await self._drop_scheduled(row.session_id, "error")

    def rescheduled(self, row) -> None:
        """A schedule row of the store, after a restart (§9.7 step 4)."""
        params = dict(row.params)
        if row.parent_id is not None:
            self.durability.rows.add(row.session_id)  # (a <session:start>'s: its start deletes it)
            params = {}  # (its params are JS values in the heap encoding: not shown)
        when = row.ideal_ms if row.ideal_ms is not None else row.due_ms
        self.scheduled.setdefault(row.session_id, {"src": row.src, "starttime": int(when), "params": params, "timer": _NoTimer(), "stored": True})

    def restored(self, machine: "Machine", stored) -> None:
        """A stored session is in memory again."""
        sid = machine.sessionid
        machine.on_end(self._ended)
        self.src.setdefault(sid, stored.src or stored.module)
        self.started_ms.setdefault(sid, machine.__dict__.get("_started_ms") or stored.created_ms)
        self.updated_ms[sid] = stored.updated_ms

    async def chart_of(self, src: str):
        """The chart of a stored session's document (None when it cannot be loaded)."""
        loop = asyncio.get_running_loop()
        found: asyncio.Future = loop.create_future()

        def loaded(chart, final_url: str, failure) -> None:
            if not found.done():
                found.set_result(None if failure is not None else chart)

        self.host.loader.load(src, None, loaded)
        return await found

    def waiting_for(self, sid: str) -> bool:
        return any(w.session_id == sid for w in self.ws.waiting.values())

    # -- terminate (§3) --------------------------------------------------------------------

    async def terminate(self, sid: str) -> Outcome:
        item = self.scheduled.pop(sid, None)
        chart = self.host.service("session").cancel_scheduled(sid)  # (a <session:start>'s, with its row)
        if item is not None or chart is not None:
            if item is not None:
                if item.get("stored") and not await self._drop_scheduled(sid, "cancelled"):
                    self.scheduled.setdefault(sid, item)  # (its row stays: so does the session)
                    return error(503, "unavailable", f"session {sid} could not be cancelled: the store refused", **{"Retry-After": "1"})
                item["timer"].cancel()
            self._ended_scheduled(sid, item or {"src": chart.src})
            return Outcome(200, {"sessionid": sid, "status": "cancelled"}, session_id=sid)
        found = await self.find(sid)
        machine = self.host.sessions.get(sid)
        if isinstance(found, Outcome) and (machine is None or machine.exited):
            return found
        from ..ors.session import end_session

        res = self.durability.resident.get(sid) if self.durability is not None else None
        if machine.running and res is not None and res.durable:
            from ..store import StoreError

            try:
                await self.durability.append(sid, {"$ctl": "terminate"})  # (§3: durable before the answer)
            except StoreError as exc:  # (another terminate, or its end, came first: 410; else 503)
                return self._refused(sid, exc)
            self.durability.pump(sid)
        elif machine.running:
            machine._ors_terminated = True
            end_session(machine)
        deadline = time.monotonic() + self.settings.terminate_wait_s
        while not machine.exited and time.monotonic() < deadline:
            await asyncio.sleep(0.005)
        if machine.exited:
            if res is not None and res.durable:
                await self.durability.committed(sid)
            return Outcome(200, {"sessionid": sid, "status": "terminated"}, session_id=sid)
        return Outcome(202, {"sessionid": sid, "status": "terminating"}, session_id=sid)

    def _ended_scheduled(self, sid: str, item: dict) -> None:
        self._tombstone(sid, Ended(self.now_ms(), "cancelled", item["src"], time.monotonic() + self.settings.tombstone_ttl_s))

    # -- event (§4) ---------------------------------------------------------------------

    def name_refused(self, name: str) -> Outcome | None:
        """§4: the answer for an event name a client may not send (not a name, or one the
        platform raises), else None. Every way in asks: the event route and Basic HTTP's."""
        if not NAME.match(name) or name.endswith("."):
            return error(400, "invalidname", f"{name!r} is not an event name")
        if not self.settings.allow_platform_event_names and name.startswith(RESERVED_PREFIXES):
            return error(400, "reservedname", f"{name!r} is reserved for events the platform raises")
        return None

    async def event(self, sid: str, name: str, params: dict) -> Outcome:
        refused = self.name_refused(name)
        if refused is not None:
            return refused
        if self.cluster is not None:
            place = await self.cluster.locate(sid)
            if place is not None:  # another host owns it: its inbox, and a wake for that host
                event = make_event(name, to_js(params), type=EXTERNAL, sendid="", origin="", origintype="", invokeid="")
                return await self.deliver_elsewhere(sid, place, event)
        machine = await self.find(sid)
        if isinstance(machine, Outcome):
            return machine
        event = make_event(name, to_js(params), type=EXTERNAL, sendid="", origin="", origintype="", invokeid="")
        refused = await self.deliver(machine, event)
        return refused if refused is not None else Outcome(200, {"sessionid": sid, "status": "queued"}, session_id=sid)

    async def deliver_elsewhere(self, sid: str, place, event: dict) -> Outcome:
        """§9.10: an event for a session another host owns goes into its inbox (durable
        before the answer); the store tells the owner, which processes it."""
        from ..store import StoreError

        if place.kind == "scheduled":
            return error(409, "notrunning", f"session {sid} is scheduled and has not started")
        try:
            await self.durability.append(sid, event)
        except StoreError as exc:
            return self._refused(sid, exc)
        return Outcome(200, {"sessionid": sid, "status": "queued"}, session_id=sid)

    def _refused(self, sid: str, exc: Exception) -> Outcome:
        """The answer when the store refused an input: 410 when the session has ended
        meanwhile (a terminate that came first), else 503."""
        gone = self.tombstone(sid)
        if gone is not None:
            return error(410, "ended", f"session ended at {gone.ended_ms} ({gone.reason})")
        return error(503, "unavailable", f"the event could not be stored: {exc}", **{"Retry-After": "1"})

    async def deliver(self, machine: "Machine", event: dict, request: str | None = None) -> Outcome | None:
        """An input for a session: stored first when the session is (§9.6), then processed
        (the client's answer does not wait for that). None when it is delivered; the answer
        to give instead when the store refused it (the session ended meanwhile, say)."""
        from ..store import StoreError

        sid = machine.sessionid
        res = self.durability.resident.get(sid) if self.durability is not None else None
        if res is not None and res.durable:
            try:
                await self.durability.append(sid, event, request)
            except StoreError as exc:
                return self._refused(sid, exc)
            self.durability.pump(sid)
        else:
            machine.enqueue_external(event)
        if machine.running:  # (an event that ended it: _ended forgot it already)
            self.updated_ms[sid] = self.now_ms()
        return None

    # -- request (§5) -------------------------------------------------------------------

    async def request(self, sid: str, name: str, params: dict, timeout: float, gone: Callable[[], bool] | None = None) -> Outcome:
        """§5: an event whose `<ws:response>` is the answer, within `timeout` seconds. `gone()`
        says whether the client has left (looked at each second): its request is then given
        up, as one that timed out (a client that disconnects would otherwise hold its
        request, and the memory of its connection, for up to ten minutes)."""
        if not NAME.match(name) or name.endswith("."):
            return error(400, "invalidname", f"{name!r} is not an event name")
        if not self.settings.allow_platform_event_names and name.startswith(RESERVED_PREFIXES):
            return error(400, "reservedname", f"{name!r} is reserved for events the platform raises")
        machine = await self.find(sid)
        if isinstance(machine, Outcome):
            return machine
        rid = new_session_id()
        loop = asyncio.get_running_loop()
        answered: asyncio.Future = loop.create_future()

        def on_answer(answer) -> None:
            if not answered.done():
                answered.set_result(answer)

        ws = self.ws
        ws.expect(rid, sid, on_answer)
        event = make_event(name, to_js(params), type=EXTERNAL, sendid=rid, origin="", origintype="", invokeid="")
        self.requests_waiting += 1
        try:
            refused = await self.deliver(machine, event, rid)
            if refused is not None:
                return refused
            deadline = loop.time() + timeout
            while True:
                left = deadline - loop.time()
                if left <= 0:
                    ws.forget(rid)
                    return error(504, "timeout", f"no <response> within {timeout:g} s")
                try:
                    answer = await asyncio.wait_for(asyncio.shield(answered), min(left, 1.0))
                    break
                except asyncio.TimeoutError:
                    if gone is not None and gone():
                        ws.forget(rid)  # (nobody reads this answer)
                        return error(408, "clientgone", "the client went away before the answer")
        finally:
            self.requests_waiting -= 1
            if not answered.done():
                ws.forget(rid)
        if answer is None:
            return error(502, "noresponse", f"session {sid} ended before it answered")
        headers = {"ORS-Response-Type": "positive" if answer.positive else "negative"}
        if answer.resultcode is not None:
            headers["ORS-Result-Code"] = answer.resultcode
        status = 200 if answer.positive else self.settings.negative_status
        return Outcome(status, answer.body, headers, content_type=answer.content_type, session_id=sid)

    # -- query (§6) --------------------------------------------------------------------

    async def query(self, sid: str, items: list[str], configuration: bool) -> Outcome:
        if not self.settings.query_enabled:
            return error(404, "notfound", "query is not enabled on this server")
        item = self.scheduled_here(sid)
        if item is not None:
            return Outcome(200, {"sessionid": sid, "src": item["src"], "status": "scheduled", "starttime": item["starttime"],
                                 "configuration": [], "data": item["params"]}, session_id=sid)  # fmt: skip
        machine = await self.find(sid)
        if isinstance(machine, Outcome):
            return machine
        data, truncated = self.query_data(machine, items)
        body: dict[str, Any] = {
            "sessionid": sid,
            "name": machine.name,
            "src": self.src.get(sid),
            "status": "running",
            "started": self.started_ms.get(sid) or machine.__dict__.get("_started_ms"),
            "updated": self.updated_ms.get(sid),
            "persistent": self.persistent(machine),
        }
        if configuration:
            ids = machine.tables.ids
            from ..interpreter import iter_bits

            body["configuration"] = [ids[i] for i in iter_bits(machine.config) if i]
        body["data"] = data
        if truncated:
            body["truncated"] = True
        return Outcome(200, body, session_id=sid)

    def persistent(self, machine: "Machine") -> bool:
        res = self.durability.resident.get(machine.sessionid) if self.durability is not None else None
        return res is not None and res.durable

    def query_data(self, machine: "Machine", items: list[str]) -> tuple[dict, bool]:
        """`_data` with JSON.stringify semantics: cycles and repeated objects become null."""
        from ..js.properties import js_getp, own_keys
        from ..js.values import HIDDEN_GLOBALS, HOLE, SYSTEM_VARIABLES, GlobalObject, JSArray, JSFunction, JSObject, global_object

        dm = machine.datamodel  # (settled: the `_event` code would read now)
        names = global_object(dm).js_keys() if not items else items
        truncated = [False]
        hidden = self.settings.query_hidden_items

        def convert(value: Any, path: tuple) -> Any:
            if value is UNDEFINED or isinstance(value, JSFunction):
                return UNDEFINED
            if isinstance(value, float):
                if value != value or value in (float("inf"), float("-inf")):
                    return None  # (JSON.stringify)
                return int(value) if value.is_integer() and abs(value) < 2**53 else value
            if value is None or isinstance(value, (str, bool)):
                return value
            if id(value) in path or len(path) >= QUERY_DEPTH:
                truncated[0] = True  # (a cycle; or nested deeper than an answer goes, as a cycle)
                return None
            inner = path + (id(value),)
            if isinstance(value, JSObject) and value.cls == "Date":
                from ..js.builtins.json import json_stringify

                return json.loads(json_stringify(value))
            if isinstance(value, JSArray):
                return [None if (x := convert(v, inner)) is UNDEFINED or v is HOLE else x for v in value]
            if isinstance(value, (dict, JSObject)) and not isinstance(value, GlobalObject):
                out = {}
                for key in own_keys(value):
                    x = convert(js_getp(value, key), inner)
                    if x is not UNDEFINED:
                        out[key] = x
                return out
            return UNDEFINED  # host objects are not data

        out: dict[str, Any] = {}
        for name in names:
            parts = name.split(".")
            if any(fnmatch.fnmatchcase(parts[0], pattern) for pattern in hidden):
                out[parts[0]] = "***"
                continue
            if parts[0] in SYSTEM_VARIABLES or parts[0] in HIDDEN_GLOBALS:
                continue  # (_event, _ioprocessors, ...: the platform's, not the session's data)
            value = dm.get(parts[0], UNDEFINED)
            for part in parts[1:]:
                try:
                    value = js_getp(value, part)
                except Exception:  # noqa: BLE001 - a path through undefined is just absent
                    value = UNDEFINED
                    break
            x = convert(value, ())
            if x is UNDEFINED:
                continue
            node = out  # a dotted path selects a nested property: the answer nests it
            for part in parts[:-1]:
                child = node.get(part)
                if not isinstance(child, dict):
                    child = node[part] = {}
                node = child
            node[parts[-1]] = x
        return out, truncated[0]

    # -- list, health (§7) ----------------------------------------------------------------

    LIST_STATUSES = (*SESSION_STATUSES, "scheduled")

    def list_sessions(self, status: str | None, limit: int, after: str | None) -> Outcome:
        """§7: the sessions this server knows, ordered by id: those in memory, those the store
        holds (evicted ones, and, after a restart, those not loaded yet) and the scheduled
        ones. Ended sessions are not listed (their tombstones answer for them)."""
        if not self.settings.list_enabled:
            return error(404, "notfound", "the session list is not enabled on this server (list_enabled)")
        if status is not None and status not in self.LIST_STATUSES:
            return error(400, "invalidparameter", f"status must be one of {', '.join(self.LIST_STATUSES)}")
        found: dict[str, dict] = {}

        def add(sid: str, name: str | None, state: str, started: int | None) -> None:
            if (after is None or sid > after) and (status is None or status == state) and sid not in found:
                found[sid] = {"sessionid": sid, "name": name, "status": state, "started": started}

        for sid in list(self.host.sessions.keys()):
            machine = self.host.sessions.get(sid)
            if machine is not None and not machine.exited and getattr(machine, "parent", None) is None:
                add(sid, machine.name, "running" if machine.running else "terminating", self.started_ms.get(sid))
        for sid in self.scheduled.keys() | self.host.service("session").scheduled.keys():
            item = self.scheduled_here(sid)
            if item is not None:
                add(sid, None, "scheduled", None)
        if self.store is not None and status != "scheduled":
            from ..store import StoreError

            try:
                # (the first `limit` + 1 after the cursor of each kind are enough to fill a page)
                for header in self.store.headers(status, after, limit + 1):
                    if header.parent_id is None:
                        add(header.id, None, header.status, header.created_ms)
            except StoreError as exc:
                return error(503, "unavailable", f"the store could not be read ({exc})", **{"Retry-After": "1"})
        rows = [found[sid] for sid in sorted(found)][: limit + 1]
        more = len(rows) > limit
        rows = rows[:limit]
        return Outcome(200, {"sessions": rows, "next": rows[-1]["sessionid"] if more and rows else None})

    def health(self) -> Outcome:
        kind = "none" if self.store is None else self.settings.store
        store: dict[str, Any] = {"kind": kind, "ok": True}
        sessions: dict[str, Any] = {"resident": self.resident_count()}
        if self.store is not None:
            from ..store import StoreError

            try:
                sessions["stored"] = self.store.count()
            except StoreError as exc:
                store["ok"] = False
                store["error"] = str(exc)
        sessions["scheduled"] = len(self.scheduled.keys() | self.host.service("session").scheduled.keys())
        if self.durability is not None:
            store["unstorable_sessions"] = self.durability.unstorable
            sessions["ended_for_memory"] = self.durability.memory.ended
        status = "draining" if self.draining else "ok" if store["ok"] else "degraded"
        body = {"status": status, "role": "primary", "sessions": sessions, "store": store}
        if self.cluster is not None:
            body["cluster"] = self.cluster.describe()
        return Outcome(200 if status == "ok" else 503, body)


class _NoTimer:
    """The stand-in timer of a schedule row the store keeps (the background loop starts it)."""

    def cancel(self) -> None:
        pass


QUERY_DEPTH = 200  # objects inside objects a query answers (deeper ones are null, and truncated)
LATEST_START_MS = 253402300799999  # 9999-12-31T23:59:59.999Z: a start later than that is an error


def _within_calendar(when: tuple[float, float, float, bool], *windows: float) -> tuple[float, float, float, bool] | Outcome:
    """A scheduled start whose times (and windows) a store can keep, else 400 (§2.3 step 1)."""
    if not all(0 <= t <= LATEST_START_MS for t in (*when[:3], *windows)):
        return error(400, "invalidparameter", "the start time and its windows must fall before the year 10000")
    return when


def _json_params(params: dict) -> dict:
    return {k: to_py(v) if not isinstance(v, (str, int, float, bool, type(None), list, dict)) else v for k, v in params.items()}


__all__ = ["Outcome", "RESERVED_PREFIXES", "SESSION_ID", "ServerIds", "SessionService", "error", "new_session_id"]
