"""Several `scxmlc serve` hosts sharing one Redis store (ors-server.md §9.10): this host's identity and heartbeats, the claim of a dead host's sessions, wakes for inputs, and where a session's requests go.

Each host registers in the store (`RedisStore.register_host`: a new epoch) and from a thread of
its own renews its entry every `heartbeat_s` (a busy event loop does not make it look dead; a
stopped process does). A host whose heartbeat is `host_lease_s` old by Redis's clock is dead: the
others notice it (the watch task, every `heartbeat_s`), declare it dead in the store, and claim its
sessions one by one with a compare-and-set on owner and epoch, so that each goes to exactly one
of them; the claimer restores those with work waiting (inputs, requests), and the others when
something happens to them (an input, a due timer). The dead host, if it was only paused, finds
out at its next heartbeat, or before it answers for a session (`safe`), and drops every stored
session from memory; its commits fail meanwhile (their epoch is no longer the owner's).

Inputs for a session another host owns go into its inbox; the append script announces them on
the owner's wake channel, and the owner's listener pumps the session. `locate` says where a
session is served: here (resident, owned, or claimed just now because its owner is dead), or at
the owner's URL, where app.py redirects (307) or forwards (`proxy`) requests that need the owner.

The interaction bridge's calls name an interaction (g_uid) or an ixn: request (requestid), which
only the memory of the host that owns the session knows: `indexed` finds the session through an
index in the store (written by the host that has them, `index`; removed with them, `unindex`),
and bridge.py routes the call to that session's host like any other.
"""

from __future__ import annotations

import asyncio
import logging
import random
import re
import socket
import threading
import time
from typing import TYPE_CHECKING, Any, Callable, NamedTuple
from urllib.parse import urlsplit, urlunsplit

from ..store import StoreError

if TYPE_CHECKING:  # pragma: no cover
    from aiohttp import web

    from ..store.redis import HostEntry, Owner, RedisStore
    from .durable import Durability
    from .sessions import SessionService
    from .settings import ServerSettings

_log = logging.getLogger("scxmlc_runtime.server")

FORWARDED = "X-Scxmlc-Forwarded-By"
"""The header of a request one host forwards to another (route_mode proxy): never forwarded again."""
HOP_BY_HOP = frozenset(("connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer", "trailers",
                        "transfer-encoding", "upgrade", "host", "content-length"))  # fmt: skip
SAFE_SHARE = 0.8  # of the lease: a host whose last heartbeat went out more recently cannot have been declared dead
FORGET_DEAD_MS = 3_600_000  # a dead host's entry stays this long (for operators) once it owns nothing


class Elsewhere(NamedTuple):
    """A session served by another host: its URL, and what the store holds ("session" or
    "scheduled", its src)."""

    url: str
    kind: str
    src: str | None


def default_url(listen_url: str) -> str:
    """The URL other hosts send clients to: the one it listens on, with the machine's name for
    an address that listens everywhere."""
    parts = urlsplit(listen_url)
    if parts.hostname in ("0.0.0.0", "::", ""):
        port = f":{parts.port}" if parts.port else ""
        return urlunsplit((parts.scheme, f"{socket.gethostname()}{port}", parts.path, "", ""))
    return listen_url


def host_id_from(url: str) -> str:
    """A host id from an external URL: its HOST:PORT (and path), in the characters an id may have."""
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    name = netloc + parts.path.rstrip("/")
    return re.sub(r"[^A-Za-z0-9_.:\-]", "-", name)[:200] or "host"


class Cluster:
    """This host among the others on one Redis store."""

    def __init__(self, service: "SessionService", store: "RedisStore", settings: "ServerSettings") -> None:
        self.service = service
        if service.durability is None:
            raise ValueError("several hosts need a store (a SessionService with durability)")
        self.durability: Durability = service.durability
        self.store = store
        self.settings = settings
        self.lease_ms = int(settings.host_lease_s * 1000)
        self.host_id = ""
        self.url = ""
        self.hosts: dict[str, HostEntry] = {}  # as last read, with Redis's time then
        self._hosts_now_ms = 0
        self._hosts_read_at = 0.0
        self.last_ok: float | None = None  # monotonic time the last renewed heartbeat went out
        self._beat_lock = threading.Lock()
        self._fences: list[int] = []  # epochs this host lost (declared dead), not handled yet
        self._duplicate: Any = None  # the entry of another process with this host id
        self._stop = threading.Event()
        self._beater: threading.Thread | None = None
        self._stop_listener: Callable[[], None] | None = None
        self._tasks: list[asyncio.Task] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._woken: set[str] = set()
        self._http: Any = None
        self.fatal = asyncio.Event()  # set when this host must stop (another process took its id)
        self.claimed = 0  # sessions and schedule rows claimed from dead hosts
        self.fenced = 0  # times this host found itself declared dead

    # -- identity and heartbeats ----------------------------------------------------------------

    def register(self, listen_url: str) -> None:
        """Register in the store (a new epoch) once the server listens (the URL is known)."""
        self.url = (self.settings.external_url or default_url(listen_url)).rstrip("/")
        self.host_id = self.settings.host_id or host_id_from(self.url)
        sent = time.monotonic()
        epoch, prev = self.store.register_host(self.host_id, self.url)
        self.last_ok = sent
        if prev is not None and not prev.dead:
            _log.warning(
                "host id %s was registered by another process (epoch %d, %s): this one takes its sessions over; "
                "if that process still runs, it stops at its next heartbeat (give each host its own host_id or external_url)",
                self.host_id, prev.epoch, prev.url,
            )  # fmt: skip
        self._read_hosts()
        _log.info("host %s (epoch %d) answers on %s; %d host(s) registered", self.host_id, epoch, self.url, len(self.hosts))

    def _read_hosts(self) -> None:
        now_ms, hosts = self.store.hosts()
        self.hosts, self._hosts_now_ms, self._hosts_read_at = hosts, now_ms, time.monotonic()

    async def _read_hosts_async(self) -> None:
        await asyncio.get_running_loop().run_in_executor(None, self._read_hosts)

    def _redis_now_ms(self) -> float:
        """Redis's time now, from the last read of the hosts and this host's clock since."""
        return self._hosts_now_ms + (time.monotonic() - self._hosts_read_at) * 1000.0

    def safe(self) -> bool:
        """True when no other host can have declared this one dead: its last heartbeat was
        renewed less than most of a lease ago (by this host's clock)."""
        ok = self.last_ok
        return ok is not None and not self._fences and self._duplicate is None and time.monotonic() - ok < SAFE_SHARE * self.settings.host_lease_s

    def _call(self, fn: Callable, *args: Any) -> None:
        """Run fn on the event loop (from another thread)."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            try:
                loop.call_soon_threadsafe(fn, *args)
            except RuntimeError:  # (the loop closed meanwhile)
                pass

    def _beat(self) -> str:
        """One heartbeat (any thread): renew the entry; when this host was declared dead, take a
        new epoch at once and let the event loop drop the sessions of the old one."""
        with self._beat_lock:
            if self._duplicate is not None or self._stop.is_set():
                return "stopped"
            sent = time.monotonic()
            status, _now, entry = self.store.heartbeat(self.url, self.lease_ms)
            if status == "ok":
                self.last_ok = sent
                return status
            self.last_ok = None
            if status == "duplicate":
                self._duplicate = entry
                self._call(self._duplicated)
                return status
            old = self.store.epoch
            self._fences.append(old)  # type: ignore[arg-type]
            sent = time.monotonic()
            self.store.register_host(self.host_id, self.url)
            self.last_ok = sent
            self._call(self._fenced)
            return status

    def _beat_loop(self) -> None:
        failing = False
        while not self._stop.wait(self.settings.heartbeat_s):
            try:
                self._beat()
                if failing:
                    _log.warning("host %s: heartbeats reach the store again", self.host_id)
                failing = False
            except StoreError as exc:
                if not failing:
                    _log.error("host %s: a heartbeat failed (%s); the other hosts take this one for dead after host_lease_s", self.host_id, exc)
                failing = True
            except Exception:  # noqa: BLE001 - the heartbeat thread must go on
                _log.exception("host %s: heartbeat failed", self.host_id)
            if self._duplicate is not None:
                return

    async def check_in(self) -> None:
        """A heartbeat now (before answering for a session when the last one is not recent):
        a host that was declared dead drops its sessions before it says anything about them."""
        try:
            await asyncio.get_running_loop().run_in_executor(None, self._beat)
        except StoreError as exc:
            _log.error("host %s: a heartbeat failed (%s)", self.host_id, exc)
        if self._fences:
            self._fenced()

    def _drop_all(self) -> int:
        """Every stored session out of memory (their store records stay, for their owners)."""
        durability = self.durability
        gone = 0
        for res in list(durability.resident.values()):
            if res.durable:
                durability.evict(res.machine, drop_effects=True)
                gone += 1
        for sid, item in list(self.service.scheduled.items()):
            if item.get("stored"):
                del self.service.scheduled[sid]
        return gone

    def _fenced(self) -> None:
        if not self._fences:
            return
        lost, self._fences = self._fences, []
        self.fenced += 1
        gone = self._drop_all()
        _log.error(
            "host %s was declared dead at epoch %s (no heartbeat for host_lease_s = %g s): other hosts may have claimed its "
            "sessions; %d stored sessions dropped from memory; registered again at epoch %s",
            self.host_id, ", ".join(map(str, lost)), self.settings.host_lease_s, gone, self.store.epoch,
        )  # fmt: skip
        self._spawn(self.take_over(self.host_id))  # (those of the lost epochs nobody has claimed)

    def _duplicated(self) -> None:
        entry = self._duplicate
        gone = self._drop_all()
        _log.error(
            "another process registered host id %s (epoch %s, %s) and is alive: this one stops (%d stored sessions "
            "dropped from memory); give each host its own host_id or external_url",
            self.host_id, getattr(entry, "epoch", "?"), getattr(entry, "url", "?"), gone,
        )  # fmt: skip
        self.fatal.set()

    # -- start and stop ---------------------------------------------------------------------------

    async def start(self) -> None:
        """The wake listener (subscribed before this returns) and the heartbeat thread."""
        self._loop = asyncio.get_running_loop()
        ready = threading.Event()

        def on_ready() -> None:
            if ready.is_set():
                self._call(self._resync)  # (subscribed again: wakes sent meanwhile are lost)
            ready.set()

        self._stop_listener = self.store.wake_listener(lambda sid: self._call(self._wake, sid), on_ready)
        if not await self._loop.run_in_executor(None, ready.wait, 10.0):
            _log.warning("host %s: the wake channel is not subscribed yet; inputs from other hosts wait until it is", self.host_id)
        self._beater = threading.Thread(target=self._beat_loop, name=f"scxmlc-heartbeat-{self.host_id}", daemon=True)
        self._beater.start()

    def start_watch(self) -> None:
        self._tasks.append(asyncio.ensure_future(self._watch()))

    async def stop(self) -> None:
        """Stop the watch, the heartbeats and the listener; mark this host dead in the store
        (unless another process has its id), so that the others claim its sessions at once."""
        from .durable import cancel_and_wait

        await cancel_and_wait(self._tasks)
        self._tasks = []
        self._stop.set()
        loop = asyncio.get_running_loop()
        if self._beater is not None:
            await loop.run_in_executor(None, self._beater.join, 10.0)
        if self._stop_listener is not None:
            await loop.run_in_executor(None, self._stop_listener)
            self._stop_listener = None
        pending = [f for f in self.durability.pending.values() if not f.done()]
        if pending:  # (commits on their way: stored before the others may claim)
            await asyncio.wait(pending, timeout=5.0)
        if self._duplicate is None and self.host_id:
            try:
                await loop.run_in_executor(None, self.store.retire)
            except StoreError as exc:
                _log.warning("host %s: could not mark itself stopped in the store (%s); the others claim its sessions after host_lease_s", self.host_id, exc)
        if self._http is not None:
            await self._http.close()
            self._http = None

    def _spawn(self, coro) -> None:
        task = asyncio.ensure_future(coro)
        task.add_done_callback(_log_failure)

    # -- wakes ---------------------------------------------------------------------------------

    def _wake(self, sid: str) -> None:
        """An input waits in the inbox of a session this host owns (on the loop)."""
        if not self._woken:
            asyncio.get_running_loop().call_soon(self._flush_wakes)
        self._woken.add(sid)

    def _flush_wakes(self) -> None:
        woken, self._woken = self._woken, set()
        for sid in woken:
            if sid in self.durability.resident:
                self.durability.pump(sid)
            else:
                self._spawn(self.durability.load(sid))

    def _resync(self) -> None:
        """After the wake channel was lost: the resident sessions look at their inboxes, and
        those this host owns with inputs waiting come back."""
        for sid in list(self.durability.resident):
            self.durability.pump_soon(sid)
        self._spawn(self.take_over(self.host_id, waiting_only=True))

    # -- who owns what ----------------------------------------------------------------------------

    def _stale(self, entry: "HostEntry") -> bool:
        return self._redis_now_ms() - entry.heartbeat_ms >= self.lease_ms

    def verdict(self, info: "Owner") -> str:
        """"mine"; "live" (another host, alive); "free" (nobody, an epoch that is over, a dead
        host: claimable); "stale" (a host whose heartbeat is a lease old: to be declared dead,
        then claimable); "unknown" (a host or epoch not in the hosts as last read)."""
        epoch = self.store.epoch
        if info.owner == self.host_id:
            if info.epoch == epoch:
                return "mine"
            return "live" if info.epoch is not None and epoch is not None and info.epoch > epoch else "free"
        if not info.owner:
            return "free"
        entry = self.hosts.get(info.owner)
        if entry is None or (info.epoch is not None and entry.epoch < info.epoch):
            return "unknown"
        if entry.dead or info.epoch != entry.epoch:
            return "free"
        return "stale" if self._stale(entry) else "live"

    async def _place(self, sid: str, info: "Owner | None") -> Elsewhere | None:
        """Where a session is served: None for here (claimed now if its owner is dead), or
        the live owner's place."""
        loop = asyncio.get_running_loop()
        for _attempt in range(4):
            if info is None:
                return None
            verdict = self.verdict(info)
            if verdict == "unknown":
                await self._read_hosts_async()
                verdict = self.verdict(info)
                if verdict == "unknown":
                    verdict = "free"  # (no entry: that host is gone)
            if verdict == "mine":
                return None
            if verdict == "live":
                entry = self.hosts.get(info.owner)
                if entry is not None:
                    return Elsewhere(entry.url, info.kind, info.src)
                verdict = "free"
            if verdict == "stale":
                said = await loop.run_in_executor(None, self.store.declare_dead, info.owner, info.epoch, self.lease_ms)
                if said == "live":
                    await self._read_hosts_async()
                    continue
                if said == "declared":
                    _log.warning("host %s (epoch %s) missed its heartbeats for host_lease_s (%g s): declared dead", info.owner, info.epoch, self.settings.host_lease_s)
            status, now = await loop.run_in_executor(None, self.store.claim, sid, info.owner, info.epoch)
            if status == "won":
                self._claimed_one(sid, info)
                return None
            if status == "gone":
                return None
            info = None if now is None else await loop.run_in_executor(None, self.store.owner_of, sid)
        return None

    def _claimed_one(self, sid: str, info: "Owner") -> None:
        self.claimed += 1
        if info.kind == "scheduled":
            self.service.taken_over.add(sid)
        if info.owner and info.owner != self.host_id:
            _log.info("session %s: claimed from host %s (epoch %s)", sid, info.owner, info.epoch)

    async def locate(self, sid: str) -> Elsewhere | None:
        """Where a session is served: None for here (in memory, owned by this host, unknown to
        the store, or claimed just now from a dead host), or the owner's place."""
        if not self.safe():
            await self.check_in()
        if sid in self.durability.resident:
            return None
        info = await asyncio.get_running_loop().run_in_executor(None, self.store.owner_of, sid)
        return await self._place(sid, info)

    async def acquire(self, sid: str) -> bool:
        """Before a stored session is brought into memory: True when this host owns it (now);
        False when another live host does."""
        return await self.locate(sid) is None

    async def ours(self, sids: list[str]) -> list[str]:
        """Of these sessions, those not owned by another live host (mine, or claimable)."""
        if not sids:
            return []
        owners = await asyncio.get_running_loop().run_in_executor(None, self.store.owners, sids)
        return [sid for sid in sids if sid not in owners or self.verdict(owners[sid]) != "live"]

    # -- claims ----------------------------------------------------------------------------------

    def _claim_all(self, host_id: str) -> list[tuple[str, str]]:
        """Claim what a dead host owned (or, for this host's own id, what its former epochs
        did): (session id, kind) of those won. In a thread."""
        members = self.store.owned(host_id)
        random.shuffle(members)  # (several claimers: each starts elsewhere)
        won: list[tuple[str, str]] = []
        for i in range(0, len(members), 200):
            if self._stop.is_set():
                break
            chunk = members[i : i + 200]
            owners = self.store.owners(chunk)
            for sid in chunk:
                info = owners.get(sid)
                if info is None or info.owner != host_id:
                    self.store.claim(sid, host_id, None)  # (a stale member: removed from the set)
                    continue
                if self.verdict(info) not in ("free", "stale"):
                    continue
                if info.kind == "scheduled":
                    # Known as taken over before the claim can be seen: a due row that the
                    # background loop finds ours meanwhile is then judged by §9.7 step 4 (its
                    # window passed while its host was dead), not started as if on time
                    # (_claimed_one, which also notes it, runs on the loop only later).
                    self.service.taken_over.add(sid)
                status, _ = self.store.claim(sid, info.owner, info.epoch)
                if status == "won":
                    won.append((sid, info.kind))
                    self._call(self._claimed_one, sid, info)
        return won

    async def take_over(self, host_id: str, waiting_only: bool = False) -> int:
        """Claim the sessions of a dead host (or of this host's former epochs) and bring back
        those with work waiting: inputs, requests (all of them with restore = eager); a
        schedule row claimed starts when it is due. Returns how many were claimed."""
        loop = asyncio.get_running_loop()
        claimed = await loop.run_in_executor(None, self._claim_all, host_id)
        if waiting_only:  # (after a lost wake channel: this host's own sessions too)
            mine = await loop.run_in_executor(None, self.store.owned, self.host_id)
            claimed += [(sid, "session") for sid in mine if sid not in self.durability.resident]
        sessions = 0
        for sid, kind in claimed:
            try:
                if kind == "scheduled":
                    row = await loop.run_in_executor(None, self.store.scheduled, sid)
                    # (still in taken_over: start_scheduled, which takes it out, has not
                    # started or expired the row while it was read; a row put back after
                    # that would say "scheduled" for good)
                    if row is not None and sid in self.service.taken_over:
                        self.service.rescheduled(row)
                    continue
                sessions += 1
                if sid in self.durability.resident:
                    continue
                waiting = self.settings.restore == "eager" or bool(await loop.run_in_executor(None, self.store.inputs, sid, 0))
                if not waiting:
                    waiting = bool(await loop.run_in_executor(None, self._requests_of, sid))
                if waiting:
                    await self.durability.load(sid)
            except StoreError as exc:
                _log.error("session %s: could not be taken over: %s", sid, exc)
        if claimed and not waiting_only:
            whose = "its former epochs" if host_id == self.host_id else f"host {host_id}"
            _log.warning("host %s took over %d sessions and %d schedule rows of %s", self.host_id, sessions, len(claimed) - sessions, whose)
        return len(claimed)

    def _requests_of(self, sid: str) -> list:
        return self.store.requests(session_id=sid)

    async def _watch(self) -> None:
        """Every heartbeat_s: the hosts as the store has them; a host whose heartbeat is a lease
        old is declared dead and its sessions are claimed."""
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(self.settings.heartbeat_s)
            try:
                await self._read_hosts_async()
                for entry in list(self.hosts.values()):
                    if entry.host_id == self.host_id or not (entry.dead or self._stale(entry)):
                        continue
                    if not entry.dead:
                        said = await loop.run_in_executor(None, self.store.declare_dead, entry.host_id, entry.epoch, self.lease_ms)
                        if said == "live":
                            continue
                        if said == "declared":
                            _log.warning("host %s (epoch %d, %s) missed its heartbeats for host_lease_s (%g s): declared dead; claiming its sessions",
                                         entry.host_id, entry.epoch, entry.url, self.settings.host_lease_s)  # fmt: skip
                    if not await self.take_over(entry.host_id) and entry.dead and self._redis_now_ms() - entry.dead_ms >= FORGET_DEAD_MS:
                        if not await loop.run_in_executor(None, self.store.owned, entry.host_id):
                            await loop.run_in_executor(None, self.store.forget_host, entry.host_id, entry.epoch)
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - the watch must go on
                _log.exception("host %s: watching the other hosts failed", self.host_id)

    # -- requests for a session another host owns ----------------------------------------------

    async def forward(self, request: "web.Request", url: str) -> "web.Response":
        """route_mode proxy: the request as it came, to the owner; its answer as it came back."""
        import aiohttp
        from aiohttp import web

        if self._http is None:
            self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=None, sock_connect=5), auto_decompress=False)
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
        headers[FORWARDED] = self.host_id
        try:
            async with self._http.request(request.method, url + request.path_qs, data=body, headers=headers, allow_redirects=False) as r:
                data = await r.read()
                answer = web.Response(status=r.status, body=data)
                for key, value in r.headers.items():
                    if key.lower() not in HOP_BY_HOP and key.lower() not in ("date", "server"):
                        answer.headers.add(key, value)
                return answer
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
            from .app import respond
            from .sessions import error

            _log.warning("forwarding %s %s to %s failed: %s", request.method, request.path, url, exc)
            return respond(request, error(503, "unavailable", f"the host that owns this session ({url}) does not answer; retry", **{"Retry-After": "1"}))

    # -- the interaction bridge's index (bridge.py) ----------------------------------------------
    # kind "interaction" (name: a g_uid) or "request" (name: an ixn: request's id) -> the session.
    # A hint: the host that serves the session answers from its own memory, so a stale entry
    # costs a hop and a 404, and a failed write or read leaves the call to the host it reached.

    async def indexed(self, kind: str, name: str) -> str | None:
        """The session `name` belongs to, as the index has it, or None."""
        try:
            return await asyncio.get_running_loop().run_in_executor(None, self.store.bridge_get, kind, name)
        except StoreError as exc:
            _log.warning("the bridge index could not be read for %s %s (%s): answered by this host", kind, name, exc)
            return None

    async def index(self, kind: str, name: str, sid: str) -> None:
        """`name` belongs to session `sid` (until unindexed, or session_max_idle_s)."""
        try:
            await asyncio.get_running_loop().run_in_executor(None, self.store.bridge_put, kind, name, sid)
        except StoreError as exc:
            _log.warning("the bridge index could not be written for %s %s (%s): other hosts will not find it", kind, name, exc)

    async def unindex(self, kind: str, name: str, sid: str | None = None) -> None:
        """`name` is gone (with `sid`: only while the index has it under that session)."""
        try:
            await asyncio.get_running_loop().run_in_executor(None, self.store.bridge_drop, kind, name, sid)
        except StoreError as exc:
            _log.warning("the bridge index could not be cleared for %s %s (%s): it expires", kind, name, exc)

    def unindex_soon(self, kind: str, name: str) -> None:
        """unindex, without waiting (on the loop)."""
        self._spawn(self.unindex(kind, name))

    def describe(self) -> dict:
        """For /ors/health."""
        now = self._redis_now_ms()
        live = sorted(h for h, e in self.hosts.items() if not e.dead and now - e.heartbeat_ms < self.lease_ms)
        return {"host_id": self.host_id, "epoch": self.store.epoch, "url": self.url, "route_mode": self.settings.route_mode,
                "live_hosts": live, "claimed": self.claimed, "fenced": self.fenced}  # fmt: skip


def _log_failure(task: asyncio.Task) -> None:
    if not task.cancelled() and task.exception() is not None:
        _log.error("a background step failed", exc_info=task.exception())


__all__ = ["Cluster", "Elsewhere", "FORWARDED", "default_url", "host_id_from"]
