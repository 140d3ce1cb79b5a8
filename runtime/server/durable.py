"""Durable sessions of a session server (ors-server.md §9): every input stored before it is acknowledged, every macrostep committed before its effects leave, sessions back after a restart.

How the guarantees of §9.1 are met:
- G1/G5: each session is a SupervisedSession (machine.py): when one of its runs ends (an input
  processed to the quiet point) `quiet` commits one `CommitBatch`: the new snapshot, the inputs
  it consumed, its timers and requests as the store's indexes, the events it sent to other
  sessions. A crash before the commit leaves the last snapshot and the inputs still in the inbox:
  the restored session processes them again, once.
- G2: REST events, requests and terminations go into the session's inbox (`append_input`) before
  the client hears 200; the server then feeds the session from its inbox in order (`pump`).
- G3 (rule E): the host's commit gate holds a session's effects (module and fetch requests, HTTP
  answers, events to other sessions) until its commit is durable, then releases them.
- G4: delayed sends are in the snapshot (re-armed with the time left) and in the store's timer
  index, which wakes sessions that are not in memory; scheduled starts are schedule rows, those
  of REST starts and those of `<session:start>`s (host.schedule_rows), which start after a
  restart even when their starter is gone; a started session's row goes with its first commit.
- G6: a request in flight at a crash comes back as an `interrupted` error event (snapshot.py).

Sessions whose document says `_persist="false"` (under `persist_mode = document`), all of them
under `never`, and any session that holds a value that cannot be stored (logged, counted) live
in memory only and pass their effects through at once.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from ..js.heap import HeapReader, HeapWriter, Unstorable
from ..snapshot import SnapshotError, chart_digest, snapshot
from ..store import CommitBatch, RequestRow, ScheduleRow, StoreError, TimerRow
from .memory import MemoryWatch

if TYPE_CHECKING:  # pragma: no cover
    from ..machine import Machine
    from .sessions import SessionService

_log = logging.getLogger("scxmlc_runtime.server")

TERMINATE = {"$ctl": "terminate"}


def encode_event(event: dict) -> dict:
    """An event as JSON-ready data (its values through the heap encoding); Unstorable when
    its data cannot be (a foreign value, or objects nested deeper than heap.MAX_DEPTH)."""
    writer = HeapWriter()
    try:
        value = writer.value(event)
    except RecursionError:  # (the encoding does not recurse into the data: a safety net)
        raise Unstorable("the event's data nests too deeply to be stored") from None
    return {"heap": writer.heap, "v": value}


def decode_event(data: dict) -> Any:
    if "$ctl" in data:
        return data
    return HeapReader(data["heap"]).value(data["v"])


@dataclass
class Resident:
    """What the server keeps about a stored session in memory."""

    machine: "Machine"
    src: str
    durable: bool
    version: int | None = None  # the version its last submitted commit will have
    delivered_seq: int = 0  # inbox inputs delivered to the machine (by seq)
    consumed_seq: int = 0  # ... and committed as consumed
    timers: set = field(default_factory=set)  # sendids in the store's timer index
    requests: set = field(default_factory=set)  # request ids in the store
    held: list = field(default_factory=list)  # effects waiting for the next commit
    local: list = field(default_factory=list)  # (target session id, event) for the next commit
    committed: asyncio.Future | None = None  # the last commit submitted
    last_input: float = field(default_factory=time.monotonic)
    pumping: bool = False
    schedule_del: list = field(default_factory=list)
    dirty: bool = False  # processed inputs not committed yet (commit_policy idle)
    uncommitted: int = 0
    uncommitted_since: float = 0.0  # (time.monotonic() of the first of them)


class Durability:
    """The store side of a SessionService."""

    def __init__(self, service: "SessionService", store: Any) -> None:
        self.service = service
        self.settings = service.settings
        self.store = store
        self.host = service.host
        self.resident: dict[str, Resident] = {}
        self.unstorable = 0  # sessions switched to memory only (§9.2)
        self.memory = MemoryWatch()  # (sessions that keep too much data end: Limits.session_memory)
        self.host.commit_gate = self.gate
        self.host.local_delivery = self.send_local
        self.host.on_create = self.created
        self.host.known_session = self.known
        if self.settings.persist_mode != "never":
            self.host.schedule_rows = self  # (put, remove: §9.2, the schedule persists in any other mode)
        self.rows: set[str] = set()  # sessions with a schedule row of a <session:start>
        self.pending: dict[str, asyncio.Future] = {}  # session id -> its last commit, until stored
        self._tasks: list[asyncio.Task] = []
        self._loads: set[asyncio.Task] = set()  # (load_soon's, until they end)
        self._noticed: set[str] = set()  # documents whose _persist="false" was announced
        self._loading: dict[str, asyncio.Future] = {}  # session id -> its restore under way

    # -- which sessions persist (§9.2) --------------------------------------------------------

    def persistent(self, machine: "Machine") -> bool:
        mode = self.settings.persist_mode
        if mode == "never":
            return False
        return mode == "always" or getattr(type(machine).chart_class or type(machine), "persist", True)

    def adopt(self, machine: "Machine", src: str) -> Resident:
        """A new top-level session of the server: watched, and stored if it persists."""
        durable = self.persistent(machine)
        res = self.resident[machine.sessionid] = Resident(machine, src, durable)
        machine.supervise(self.quiet)
        machine.on_end(self._ended)
        if not durable and self.settings.persist_mode == "document" and src not in self._noticed:
            # §9.2: a notice per document (Composer IPDs say _persist="false")
            self._noticed.add(src)
            _log.warning("%s says _persist=\"false\": its sessions are kept in memory only (persist_mode = \"always\" stores them)", src)
        return res

    def created(self, machine: "Machine") -> None:
        """A session the runtime made (host.on_create): an invoked child is stored within its
        parent's snapshot, so its runs commit its parent; a <session:start> child is a stored
        session of its own."""
        if getattr(machine, "parent", None) is not None:
            machine.supervise(self.quiet)
        elif machine.sessionid not in self.resident:
            res = self.adopt(machine, machine.document_url or "")
            sid = machine.sessionid
            machine._started_ms = self.service.started_ms[sid] = self.service.now_ms()
            self.service.scheduled.pop(sid, None)  # (a row known since a restart: started)
            if sid in self.rows:
                # its schedule row goes with its first commit (a crash before that starts it
                # again from the row, never twice); a session kept in memory only has none
                self.rows.discard(sid)
                if res.durable:
                    res.schedule_del.append(sid)
                else:
                    self.unschedule(sid)

    # -- <session:start>s waiting for their time: schedule rows (§9.5 step 6, G4) -------------

    def put(self, item: Any, due_ms: int) -> None:
        """host.schedule_rows: a <session:start> that waits for its time is a schedule row as
        well, written now: its starter's macrostep is stored already (module requests leave
        after their commit, rule E). After a restart the row starts it whoever is left: its
        starter, restored, hears of it as before (SessionModule._resume_start)."""
        from ..documents import document_url, resolve_url

        starter = item.starter
        src = item.src
        if src not in self.host.documents:  # (the URL it names, for whoever starts it)
            try:
                src = resolve_url(src, (lambda: document_url(starter)) if starter is not None else None)
            except ValueError:
                pass  # (nothing to resolve it against: the start fails as it would now, when due)
        ideal = None if item.idealtime is None else int(item.idealtime)
        row = ScheduleRow(item.sessionid, src, {"$js": encode_event(item.params)}, item.starter_id or None, ideal,
                          int(item.prewindow * 1000), int(item.postwindow * 1000), due_ms, self.service.now_ms())  # fmt: skip
        try:
            self.store.schedule(row)
        except (StoreError, ValueError) as exc:
            _log.error("session %s: its scheduled start could not be stored (%s); it starts only if this server runs until then", item.sessionid, exc)
            return
        self.rows.add(item.sessionid)

    def remove(self, sid: str) -> None:
        """host.schedule_rows: a scheduled session that will not start."""
        self.rows.discard(sid)
        self.unschedule(sid)

    def unschedule(self, sid: str) -> None:
        try:
            self.store.unschedule(sid)
        except StoreError as exc:
            _log.error("session %s: its schedule row could not be deleted (%s)", sid, exc)

    def _ended(self, machine: "Machine") -> None:
        """A session ended outside a run of its own (a REST terminate): its end is stored now
        (inside a run, the run's end stores it)."""
        if not machine._busy:
            self.quiet(machine)
        self.host.let_go(machine)  # (an ended session is not found by id: its tombstone answers)

    @staticmethod
    def root(machine: "Machine") -> "Machine":
        while getattr(machine, "parent", None) is not None:
            machine = machine.parent
        return machine

    # -- rule E: effects wait for the commit --------------------------------------------------

    def gate(self, machine: "Machine", effect: Callable[[], None]) -> None:
        res = self.resident.get(self.root(machine).sessionid)
        if res is None or not res.durable:
            effect()
        else:
            res.held.append(effect)

    def send_local(self, source: "Machine", target_sid: str, event: dict) -> bool:
        """An event from one stored session to another: it goes into the target's inbox in the
        sender's commit (§9.5 step 5), whether the target is in memory or only in the store.
        False: not this case (deliver it as usual)."""
        root = self.root(source)
        res = self.resident.get(root.sessionid)
        if res is None or not res.durable or target_sid == root.sessionid:
            return False
        target = self.resident.get(target_sid)
        if target is None:
            if target_sid in self.host.sessions or not self.known(target_sid, stored_only=True):
                return False
        elif not target.durable:
            return False
        res.local.append((target_sid, event))
        return True

    def known(self, sid: str, stored_only: bool = False) -> bool:
        """A session the store holds (running or stored), or, unless `stored_only`, one that
        ended (a tombstone)."""
        if sid in self.resident:
            return True
        try:
            if self.store.load(sid) is not None:
                return True
            return not stored_only and self.store.tombstone(sid) is not None
        except StoreError:
            return False

    # -- commits (§9.4-§9.5) ----------------------------------------------------------------

    def quiet(self, machine: "Machine") -> None:
        """A run of a session ended: store what it did (its root's snapshot, for an invoked
        child), then let its effects go."""
        root = self.root(machine)
        if root is not machine and root._busy:
            return  # the root's own run is still going: it commits at its end
        res = self.resident.get(root.sessionid)
        if res is None:
            return
        if root.running:
            self.service.updated_ms[root.sessionid] = self.service.now_ms()  # (§6 query's `updated`: any run, a timer's too)
            if self.memory.after_run(root):
                # Over its session_memory, it has ended (its exit's own quiet, via _ended, stored
                # that). A session is a cycle: its memory comes back at a full collection, once
                # the request that ran it has let go of it too. (Its long strings are no
                # containers: they would never make the collector run by themselves.)
                asyncio.get_event_loop().call_later(0.5, gc.collect)
                return
        if res.durable and res.pumping and self.settings.commit_policy == "idle" and root.running:
            # §9.4 commit_policy idle: one commit when the inbox is drained (pump), or after
            # commit_max_events inputs, or commit_max_delay_ms after the first of them;
            # effects wait for it (rule E)
            res.uncommitted += 1
            now = time.monotonic()
            if res.uncommitted == 1:
                res.uncommitted_since = now
            if res.uncommitted < self.settings.commit_max_events and (now - res.uncommitted_since) * 1000 < self.settings.commit_max_delay_ms:
                res.dirty = True
                return
        res.uncommitted = 0
        res.dirty = False
        if not res.durable:
            self._release(res.held)
            res.held = []
            if not root.running and root.exited:
                self.resident.pop(root.sessionid, None)
            return
        try:
            batch = self._batch(res)
        except (SnapshotError, Unstorable) as exc:
            self._to_memory(res, str(exc))
            return
        effects, res.held = res.held, []
        local, res.local = res.local, []
        if batch.ended_reason is not None:
            self.resident.pop(root.sessionid, None)
        self._submit(res, batch, effects, local)

    def _batch(self, res: Resident) -> CommitBatch:
        machine = res.machine
        sid = machine.sessionid
        ended = not machine.running and machine.exited
        batch = CommitBatch(
            session_id=sid,
            expected_version=res.version,
            module=res.src,
            src=res.src,
            doc_hash=chart_digest(type(machine).chart_class or type(machine)),
            tombstone_ttl_ms=int(self.settings.tombstone_ttl_s * 1000),
        )
        if ended:
            batch.ended_reason = "terminated" if getattr(machine, "_ors_terminated", False) else ("final" if machine.final_state else "ended")
        else:
            batch.snapshot = snapshot(machine)
        if res.delivered_seq > res.consumed_seq:
            batch.consumed_upto_seq = res.delivered_seq
            res.consumed_seq = res.delivered_seq
        if not ended:
            now_ms = int(machine.clock.time() * 1000)
            current = {}
            for sendid, pending in machine._timers.items():
                left = max(0.0, pending.timer.when - machine.clock.now())
                current[sendid] = now_ms + int(left * 1000)
            for sendid in set(current) - res.timers:
                batch.timers_put.append(TimerRow(sid, sendid, current[sendid], pending_target(machine, sendid), {"wake": sid}))
            batch.timers_del = sorted(res.timers - set(current))
            res.timers = set(current)
            requests = {rid: r for rid, r in (machine._requests or {}).items()}
            for rid in set(requests) - res.requests:
                r = requests[rid]
                batch.requests_put.append(RequestRow(rid, sid, f"{r.module}:{r.action}", state="in_flight"))
            batch.requests_del = sorted(res.requests - set(requests))
            res.requests = set(requests)
        encoded = []
        for target, event in res.local:
            encoded.append((target, encode_event(event)))
        batch.local_events = encoded
        batch.schedule_del, res.schedule_del = res.schedule_del, []
        version = res.version
        res.version = 1 if version is None else version + 1
        if ended:
            res.version = None
        return batch

    def _submit(self, res: Resident, batch: CommitBatch, effects: list, local: list) -> None:
        loop = asyncio.get_event_loop()
        done: asyncio.Future = loop.create_future()
        res.committed = done
        self.pending[batch.session_id] = done
        future = self.store.submit(batch)

        def finished(f) -> None:
            loop.call_soon_threadsafe(self._committed, res, batch, f, effects, local, done)

        future.add_done_callback(finished)

    def _committed(self, res: Resident, batch: CommitBatch, f, effects: list, local: list, done: asyncio.Future) -> None:
        failure = f.exception()
        if not done.done():
            done.set_result(failure is None)
        if self.pending.get(batch.session_id) is done:
            del self.pending[batch.session_id]
        if failure is not None:
            # the store refused (StaleVersion: someone else moved it on) or failed: what is in
            # memory is ahead of what is stored, so it goes, with its effects
            _log.error("session %s: commit failed (%s); the session is dropped from memory", batch.session_id, failure)
            self.evict(res.machine, drop_effects=True)
            return
        self._release(effects)
        for target, _ in local:
            if target in self.resident:
                self.pump_soon(target)
            else:
                self.load_soon(target)  # (restored, it takes its inbox)

    def _release(self, effects: list) -> None:
        for effect in effects:
            try:
                effect()
            except Exception:  # noqa: BLE001 - one effect's failure must not stop the others
                _log.exception("an effect failed after its commit")

    def _to_memory(self, res: Resident, reason: str) -> None:
        """§9.2: a session that cannot be stored lives on in memory only."""
        self.unstorable += 1
        _log.warning("session %s is kept in memory only from now on: %s", res.machine.sessionid, reason)
        res.durable = False
        effects, res.held = res.held, []
        self._release(effects)
        for target, event in res.local:
            machine = self.host.sessions.get(target)
            if machine is not None:
                machine.enqueue_external(event)
        res.local = []
        try:
            self.store.drop(res.machine.sessionid, reason="unstorable", ttl_ms=self.service.tombstone_ttl_ms())
        except StoreError:
            pass

    async def committed(self, sid: str) -> bool:
        """Wait for the last commit submitted for a session: whether it is stored (True too
        when nothing was waiting to be stored)."""
        pending = self.pending.get(sid)
        if pending is None:
            return True
        return bool(await asyncio.shield(pending))

    # -- inputs (§9.6) ------------------------------------------------------------------------

    async def append(self, sid: str, event: dict, request: str | None = None) -> None:
        """Store an input for a session; durable when this returns. `request`: the id of the
        REST request whose event it is (§9.7 step 6: orphaned after a restart)."""
        data = encode_event(event) if "$ctl" not in event else event
        if request is not None:
            data["request"] = request
        if not getattr(self.store, "blocking", True):
            self.store.append_input(sid, data)
            return
        res = self.resident.get(sid)
        if res is not None:
            res.last_input = time.monotonic()  # (an input on its way: not idle)
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, self.store.append_input, sid, data)
        if res is not None and sid not in self.resident:
            # it left memory (evict_idle) while its input was being stored: nothing would feed
            # it that input until something else brought it back, so it comes back for it
            self.load_soon(sid)

    def load_soon(self, sid: str) -> None:
        """Bring a stored session back in the background, to take its inbox. The task is held
        until it ends (the loop keeps only a weak reference to a task), and a failure is
        logged here rather than as an exception nobody retrieved."""
        task = asyncio.ensure_future(self.load(sid))
        self._loads.add(task)
        task.add_done_callback(lambda done: self._loaded(sid, done))

    def _loaded(self, sid: str, task: asyncio.Task) -> None:
        self._loads.discard(task)
        if not task.cancelled() and task.exception() is not None:
            _log.error("session %s could not be brought back to take its inbox: %s", sid, task.exception())

    def pump_soon(self, sid: str) -> None:
        asyncio.get_event_loop().call_soon(self.pump, sid)

    def pump(self, sid: str) -> None:
        """Feed a session the inputs of its inbox it has not had, in order."""
        res = self.resident.get(sid)
        if res is None or res.pumping:
            return
        res.pumping = True
        try:
            for seq, data in self.store.inputs(sid, res.delivered_seq):
                machine = res.machine
                res.delivered_seq = seq
                res.last_input = time.monotonic()
                rid = data.get("request")
                if rid is not None and self.settings.drop_orphan_requests and rid not in self.service.ws.waiting:
                    # §9.7 step 6: its HTTP client went with the server that took it
                    _log.info("session %s: request %s lost its client in a restart; dropped (drop_orphan_requests)", sid, rid)
                    res.dirty = True  # (consumed: the next commit says so)
                    continue
                event = decode_event(data)
                if isinstance(event, dict) and event.get("$ctl") == "terminate":
                    from ..ors.session import end_session

                    if machine.running:
                        machine._ors_terminated = True
                        end_session(machine)
                    continue
                if machine.running:
                    machine.enqueue_external(event)
                if sid not in self.resident:
                    break  # it ended
        finally:
            res.pumping = False
        if res.dirty and sid in self.resident:
            self.quiet(res.machine)  # (commit_policy idle, or dropped inputs: what is not stored yet)

    # -- memory: eviction (§9.8) and restore (§9.7) -------------------------------------------

    def evict(self, machine: "Machine", drop_effects: bool = False) -> None:
        """Let a stored session go from memory (its store rows stay): its timers stop here,
        the store's timer index wakes it when one is due."""
        res = self.resident.get(machine.sessionid)
        if res is not None and res.machine is not machine:
            return  # (a copy that already went, its session back in memory since: a late commit's failure)
        self.resident.pop(machine.sessionid, None)
        self.host.let_go(machine)
        self.service.forget(machine.sessionid)
        if res is not None and drop_effects:
            res.held = []

    def evict_idle(self) -> int:
        limit = self.settings.idle_evict_s
        now = time.monotonic()
        gone = 0
        for sid, res in list(self.resident.items()):
            m = res.machine
            if (
                res.durable and not m._busy and m.running and not res.held and not res.local
                and (res.committed is None or res.committed.done()) and not m._requests and not m._children
                and now - res.last_input >= limit and not self.service.waiting_for(sid)
            ):  # fmt: skip
                self.evict(m)
                gone += 1
        return gone

    async def load(self, sid: str) -> "Machine | None":
        """A stored session back in memory (lazy restore), or None when the store has none (or,
        with several hosts, when another live host owns it)."""
        res = self.resident.get(sid)
        if res is not None:
            return res.machine
        loading = self._loading.get(sid)
        if loading is not None:  # (one restore at a time per session)
            return await asyncio.shield(loading)
        loading = self._loading[sid] = asyncio.get_running_loop().create_future()
        try:
            machine = await self._load(sid)
        except BaseException as exc:
            loading.set_exception(exc)
            loading.exception()  # (retrieved: a waiter may not be there)
            raise
        else:
            loading.set_result(machine)
        finally:
            del self._loading[sid]
        return machine

    async def _load(self, sid: str) -> "Machine | None":
        cluster = self.service.cluster
        if cluster is not None and not await cluster.acquire(sid):
            return None
        res = self.resident.get(sid)
        if res is not None:
            return res.machine
        # (its last commit first: a session that has just ended, or left memory, may still have
        # that commit on its way to the store, which would give back what it was before)
        await self.committed(sid)
        loop = asyncio.get_running_loop()
        stored = await loop.run_in_executor(None, self.store.load, sid)
        if stored is None or stored.status == "orphaned":
            return None
        res = self.resident.get(sid)  # (restored meanwhile)
        if res is not None:
            return res.machine
        return await self.restore(stored)

    async def restore(self, stored) -> "Machine | None":
        chart = await self.service.chart_of(stored.src or stored.module)
        if chart is None:
            self.store.set_status(stored.id, "orphaned")
            _log.error("session %s: its document %s cannot be loaded; it is orphaned (scxmlc sessions resume|drop)", stored.id, stored.src)
            return None
        forced = stored.status == "forced"
        if chart_digest(chart) != stored.doc_hash:
            if not forced:
                self.store.set_status(stored.id, "orphaned")
                _log.error("session %s: its document %s changed since it was stored; it is orphaned (scxmlc sessions resume --force|drop)", stored.id, stored.src)
                return None
            _log.warning("session %s: restored into the changed document %s (scxmlc sessions resume --force)", stored.id, stored.src)
        if stored.id in self.host.sessions:
            return self.host.sessions[stored.id]
        try:
            machine = chart.restore(stored.snapshot, host=self.host, force=forced)
        except SnapshotError as exc:
            self.store.set_status(stored.id, "orphaned")
            _log.error("session %s cannot be restored: %s; it is orphaned (scxmlc sessions drop)", stored.id, exc)
            return None
        self.host.keep(machine)
        res = self.resident[machine.sessionid] = Resident(machine, stored.src or stored.module, True, version=stored.version)
        res.timers = {t.sendid for t in self.store.timers(stored.id)}
        res.requests = {r.requestid for r in self.store.requests(session_id=stored.id)}
        machine.supervise(self.quiet)
        machine.on_end(self._ended)
        self.service.restored(machine, stored)
        # the queued interrupted-request events, and the inbox
        if machine.external_queue:
            machine.run_guarded(None)
        self.pump(machine.sessionid)
        return machine

    # -- the background work: timers of sessions not in memory, schedules, eviction -------------

    def start_background(self) -> None:
        self._tasks.append(asyncio.ensure_future(self._loop()))

    async def stop_background(self) -> None:
        await cancel_and_wait(self._tasks)
        self._tasks = []

    async def _loop(self) -> None:
        last_evict = last_purge = time.monotonic()
        while True:
            try:
                await self.tick()
                if time.monotonic() - last_purge >= 60.0:
                    # §9.6: tombstones are kept tombstone_ttl_s, then go
                    last_purge = time.monotonic()
                    now_ms = int(self.host.clock.time() * 1000)
                    await asyncio.get_running_loop().run_in_executor(None, self.store.purge, now_ms)
                if time.monotonic() - last_evict >= min(self.settings.idle_evict_s, 5.0):
                    last_evict = time.monotonic()
                    if self.evict_idle():
                        # evicted sessions are cycles (closures over their datamodel): only a
                        # full collection gives their memory back
                        gc.collect()
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - the loop must go on
                _log.exception("durable sessions: background step failed")
            await asyncio.sleep(0.2)

    async def tick(self) -> None:
        now_ms = int(self.host.clock.time() * 1000)
        loop = asyncio.get_running_loop()
        cluster = self.service.cluster
        # (with several hosts, the others' timers are in the index too: read further)
        due = await loop.run_in_executor(None, self.store.due_timers, now_ms + 500, 100 if cluster is None else 1000)
        sids = list(dict.fromkeys(row.session_id for row in due if row.session_id not in self.resident))
        if cluster is not None:
            sids = await cluster.ours(sids)  # (another live host's timers are its own business)
        for sid in sids:
            await self.load(sid)
        rows = await loop.run_in_executor(None, self.store.due_schedules, now_ms, 100)
        if cluster is not None:
            mine = set(await cluster.ours([row.session_id for row in rows]))
            rows = [row for row in rows if row.session_id in mine]
        for row in rows:
            await self.service.start_scheduled(row)

    async def recover(self) -> int:
        """§9.7 on startup: sessions with inputs waiting come back now (all of them with
        `restore = eager`); the others when something happens to them."""
        loop = asyncio.get_running_loop()
        cluster = self.service.cluster
        if cluster is not None:
            # several hosts: what this host's former epochs (a crash, a restart) owned is its own again
            await cluster.take_over(cluster.host_id)
        # scheduled starts the store holds are known again (query, terminate, a repeated start)
        now_ms = int(self.host.clock.time() * 1000)
        rows = await loop.run_in_executor(None, self.store.due_schedules, 2**62, 1_000_000)
        if cluster is not None:
            mine = set(await cluster.ours([row.session_id for row in rows]))
            rows = [row for row in rows if row.session_id in mine]
        for row in rows:
            if row.due_ms <= now_ms:
                await self.service.start_scheduled(row)  # (due while down: starts, or expired)
            else:
                self.service.rescheduled(row)
        count = 0
        after = None
        while True:
            headers = await loop.run_in_executor(None, lambda: self.store.headers("running", after, 500))
            if not headers:
                break
            ours = None if cluster is None else set(await cluster.ours([h.id for h in headers]))
            for h in headers:
                after = h.id
                if ours is not None and h.id not in ours:
                    continue  # (another live host's)
                waiting = self.settings.restore == "eager" or await loop.run_in_executor(None, self.store.inputs, h.id, 0)
                if not waiting:
                    waiting = await loop.run_in_executor(None, lambda sid=h.id: self.store.requests(session_id=sid))
                if waiting and await self._recover_one(h.id):
                    count += 1
        return count

    async def _recover_one(self, sid: str) -> bool:
        """One session back at start-up; a session that fails to come back (whatever the
        reason: its snapshot, an input it cannot take) is orphaned, and the server starts all
        the same (§9.7: a mismatch is marked, not fatal)."""
        try:
            return await self.load(sid) is not None
        except Exception:  # noqa: BLE001 - one session must not keep the server from starting
            _log.exception("session %s could not be restored; it is orphaned (scxmlc sessions show|drop)", sid)
        res = self.resident.get(sid)
        if res is not None:
            self.evict(res.machine, drop_effects=True)
        try:
            await asyncio.get_running_loop().run_in_executor(None, self.store.set_status, sid, "orphaned")
        except StoreError as exc:
            _log.error("session %s: could not be marked orphaned (%s)", sid, exc)
        return False


async def cancel_and_wait(tasks: list) -> None:
    """Cancel background tasks and wait until each has ended, however it ends (this is a stop;
    a task's own failure was logged where it happened)."""
    for task in tasks:
        task.cancel()
    for task in tasks:
        try:
            await task
        except (asyncio.CancelledError, Exception):  # noqa: BLE001
            pass


def pending_target(machine: "Machine", sendid: str) -> str:
    pending = machine._timers.get(sendid)
    return getattr(pending, "target", "") or ""


__all__ = ["Durability", "Resident", "decode_event", "encode_event"]
