"""Keeps durable-session records in process memory (dicts behind one lock) with exactly the SQLite store's semantics, and holds the argument checks both stores share.

`MemoryStore` is the store of library use and unit tests (ors-server.md §9.11). It keeps what
`SqliteStore` keeps, refuses what it refuses and answers what it answers; only durability differs
(the data lives as long as the object, across `close()`/`open()`). Events, specs and params are
kept as JSON text, as SQLite keeps them, so both stores accept the same values and hand back
equal copies.

The `prepare_*` functions check a caller's records at the boundary (ValueError with the field
named) and turn them into immutable rows; `SqliteStore` uses them too, so that a batch handed to
its writer thread cannot change under it and both stores refuse the same input.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import threading
import time
import uuid
from concurrent.futures import Future
from typing import Any, Callable, NamedTuple

from . import (
    REQUEST_STATES,
    SESSION_STATUSES,
    CommitBatch,
    InputRef,
    RequestRow,
    ScheduleRow,
    SessionHeader,
    StaleVersion,
    StoredSession,
    StoreError,
    TimerRow,
    Tombstone,
)

log = logging.getLogger(__name__)

MsClock = Callable[[], float]
"""A store's notion of now: milliseconds of the host clock's time of day."""

REQUEST_FIELDS = ("attempts", "next_attempt_ms", "deadline_ms", "spec")
"""What `set_request_state` may change besides the state."""

_INT64 = (-(2**63), 2**63 - 1)  # SQLite's INTEGER range: both stores refuse what SQLite cannot hold


def default_clock() -> float:
    return time.time() * 1000.0


def now_from(clock: MsClock) -> int:
    return math.floor(clock())


# ---------------------------------------------------------------------------------------------
# Argument checks shared by both stores


def check_id(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{what} must be a non-empty string, not {value!r}")
    return value


def check_opt_str(value: Any, what: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{what} must be a string or None, not {value!r}")
    return value


def check_str(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{what} must be a string, not {value!r}")
    return value


def check_ms(value: Any, what: str, optional: bool = False) -> int | None:
    """A time in milliseconds; a float (clock.time() * 1000) is floored to whole milliseconds."""
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{what} must be a number of milliseconds, not {value!r}")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{what} must be a finite number of milliseconds, not {value!r}")
        value = math.floor(value)
    if not _INT64[0] <= value <= _INT64[1]:
        raise ValueError(f"{what} is out of range: {value!r}")
    return value


def check_int(value: Any, what: str, optional: bool = False) -> int | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not _INT64[0] <= value <= _INT64[1]:
        raise ValueError(f"{what} must be an integer, not {value!r}")
    return value


def check_count(value: Any, what: str, optional: bool = False) -> int | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= _INT64[1]:
        raise ValueError(f"{what} must be a non-negative integer, not {value!r}")
    return value


def check_limit(limit: Any) -> int:
    return check_count(limit, "limit")  # type: ignore[return-value]


def check_status(status: Any) -> str:
    if status not in SESSION_STATUSES:
        raise ValueError(f"unknown session status {status!r}: expected one of {', '.join(SESSION_STATUSES)}")
    return status


def check_state(state: Any) -> str:
    if state not in REQUEST_STATES:
        raise ValueError(f"unknown request state {state!r}: expected one of {', '.join(REQUEST_STATES)}")
    return state


def check_states(states: Any) -> frozenset[str] | None:
    if states is None:
        return None
    if isinstance(states, str):
        # A bare string would be taken letter by letter.
        raise ValueError(f"states must be a set of request states, not the string {states!r}")
    return frozenset(check_state(s) for s in states)


def encode_json(value: Any, what: str) -> str:
    """JSON text of a JSON-ready dict. NaN and Infinity are refused: the heap encoding (js/heap.py)
    writes them as {"$n": ...}, so one here is a caller's bug that JSON would hide."""
    if not isinstance(value, dict):
        raise ValueError(f"{what} must be a dict (JSON-ready), not {type(value).__name__}")
    try:
        return json.dumps(value, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{what} is not JSON-ready: {exc}") from None


def check_bytes(value: Any, what: str) -> bytes:
    if not isinstance(value, (bytes, bytearray, memoryview)):
        raise ValueError(f"{what} must be bytes, not {type(value).__name__}")
    return bytes(value)


# ---------------------------------------------------------------------------------------------
# Prepared (checked, immutable) rows. Field order is the SQLite column order, so a row is also
# the parameter tuple of its INSERT.


class TimerRec(NamedTuple):
    session_id: str
    sendid: str
    due_ms: int
    target: str
    event: str  # JSON

    def row(self) -> TimerRow:
        return TimerRow(self.session_id, self.sendid, self.due_ms, self.target, json.loads(self.event))


class RequestRec(NamedTuple):
    requestid: str
    session_id: str
    kind: str
    state: str
    queue_key: str | None
    queue_seq: int | None
    attempts: int
    next_attempt_ms: int | None
    deadline_ms: int | None
    spec: str  # JSON

    def row(self) -> RequestRow:
        return RequestRow(
            requestid=self.requestid,
            session_id=self.session_id,
            kind=self.kind,
            state=self.state,
            queue_key=self.queue_key,
            queue_seq=self.queue_seq,
            attempts=self.attempts,
            next_attempt_ms=self.next_attempt_ms,
            deadline_ms=self.deadline_ms,
            spec=json.loads(self.spec),
        )

    def order_key(self) -> tuple:
        """GD rows first, FIFO per queue key; then the others by request id (SQLite's ORDER BY
        queue_key IS NULL, queue_key, queue_seq, requestid, where NULL sorts first)."""
        return (
            self.queue_key is None,
            self.queue_key or "",
            self.queue_seq is not None,
            self.queue_seq or 0,
            self.requestid,
        )


class ScheduleRec(NamedTuple):
    session_id: str
    src: str
    params: str  # JSON
    parent_id: str | None
    ideal_ms: int | None
    pre_ms: int
    post_ms: int
    due_ms: int
    created_ms: int

    def row(self) -> ScheduleRow:
        return ScheduleRow(
            session_id=self.session_id,
            src=self.src,
            params=json.loads(self.params),
            parent_id=self.parent_id,
            ideal_ms=self.ideal_ms,
            pre_ms=self.pre_ms,
            post_ms=self.post_ms,
            due_ms=self.due_ms,
            created_ms=self.created_ms,
        )


class PreparedBatch(NamedTuple):
    """A checked copy of a CommitBatch (the caller may reuse its lists once `submit` returns)."""

    session_id: str
    expected_version: int | None
    snapshot: bytes | None
    status: str
    module: str
    doc_hash: str
    src: str | None
    parent_id: str | None
    consumed_upto_seq: int | None
    timers_put: tuple[TimerRec, ...]
    timers_del: tuple[str, ...]
    requests_put: tuple[RequestRec, ...]
    requests_del: tuple[str, ...]
    schedule_put: tuple[ScheduleRec, ...]
    schedule_del: tuple[str, ...]
    local_events: tuple[tuple[str, str], ...]  # (target session id, event JSON)
    ended_reason: str | None
    tombstone_ttl_ms: int

    @property
    def ended(self) -> bool:
        return self.snapshot is None


def prepare_timer(row: Any, what: str = "timer") -> TimerRec:
    if not isinstance(row, TimerRow):
        raise ValueError(f"{what} must be a TimerRow, not {type(row).__name__}")
    sendid = check_id(row.sendid, f"{what}.sendid")
    what = f"timer {sendid!r}"
    return TimerRec(
        check_id(row.session_id, f"{what}: session_id"),
        sendid,
        check_ms(row.due_ms, f"{what}: due_ms"),  # type: ignore[arg-type]
        check_str(row.target, f"{what}: target"),
        encode_json(row.event, f"{what}: event"),
    )


def prepare_request(row: Any, what: str = "request") -> RequestRec:
    if not isinstance(row, RequestRow):
        raise ValueError(f"{what} must be a RequestRow, not {type(row).__name__}")
    requestid = check_id(row.requestid, f"{what}.requestid")
    what = f"request {requestid!r}"
    return RequestRec(
        requestid,
        check_id(row.session_id, f"{what}: session_id"),
        check_id(row.kind, f"{what}: kind"),
        check_state(row.state),
        check_opt_str(row.queue_key, f"{what}: queue_key"),
        check_int(row.queue_seq, f"{what}: queue_seq", optional=True),
        check_count(row.attempts, f"{what}: attempts"),  # type: ignore[arg-type]
        check_ms(row.next_attempt_ms, f"{what}: next_attempt_ms", optional=True),
        check_ms(row.deadline_ms, f"{what}: deadline_ms", optional=True),
        encode_json(row.spec, f"{what}: spec"),
    )


def prepare_schedule(row: Any, what: str = "schedule row") -> ScheduleRec:
    if not isinstance(row, ScheduleRow):
        raise ValueError(f"{what} must be a ScheduleRow, not {type(row).__name__}")
    sid = check_id(row.session_id, f"{what}.session_id")
    what = f"schedule row {sid!r}"
    return ScheduleRec(
        sid,
        check_str(row.src, f"{what}: src"),
        encode_json(row.params, f"{what}: params"),
        check_opt_str(row.parent_id, f"{what}: parent_id"),
        check_ms(row.ideal_ms, f"{what}: ideal_ms", optional=True),
        check_ms(row.pre_ms, f"{what}: pre_ms"),  # type: ignore[arg-type]
        check_ms(row.post_ms, f"{what}: post_ms"),  # type: ignore[arg-type]
        check_ms(row.due_ms, f"{what}: due_ms"),  # type: ignore[arg-type]
        check_ms(row.created_ms, f"{what}: created_ms"),  # type: ignore[arg-type]
    )


def prepare_event(pair: Any, what: str) -> tuple[str, str]:
    if not isinstance(pair, (tuple, list)) or len(pair) != 2:
        raise ValueError(f"{what} must be a (target session id, event) pair, not {pair!r}")
    target = check_id(pair[0], f"{what}: target session id")
    return target, encode_json(pair[1], f"{what} for {target!r}")


def _no_overlap(put: list[str], dels: list[str], what: str, sid: str) -> None:
    both = sorted(set(put) & set(dels))
    if both:
        # Which comes first (an add then its cancel, or a cancel then a new send with the same
        # id) is not in the batch: the host must net them out itself.
        raise ValueError(f"batch of session {sid!r} both puts and deletes {what} {', '.join(map(repr, both))}")


def prepare_batch(batch: Any) -> PreparedBatch:
    if not isinstance(batch, CommitBatch):
        raise ValueError(f"commit takes a CommitBatch, not {type(batch).__name__}")
    sid = check_id(batch.session_id, "batch.session_id")
    where = f"batch of session {sid!r}"
    expected = batch.expected_version
    if expected is not None:
        check_count(expected, f"{where}: expected_version")
    if batch.snapshot is None:
        if not batch.ended_reason:
            raise ValueError(f"{where} has no snapshot and no ended_reason: a batch stores a snapshot or ends the session")
        check_str(batch.ended_reason, f"{where}: ended_reason")
        snapshot = None
    else:
        if batch.ended_reason is not None:
            raise ValueError(f"{where} has both a snapshot and ended_reason {batch.ended_reason!r}: an ended session stores no snapshot")
        snapshot = check_bytes(batch.snapshot, f"{where}: snapshot")
    timers = tuple(prepare_timer(t, f"{where}: timers_put item") for t in batch.timers_put)
    for t in timers:
        if t.session_id != sid:
            raise ValueError(f"{where}: timer {t.sendid!r} belongs to session {t.session_id!r} (a session puts only its own timers)")
    timers_del = tuple(check_id(s, f"{where}: timers_del item") for s in batch.timers_del)
    requests = tuple(prepare_request(r, f"{where}: requests_put item") for r in batch.requests_put)
    for r in requests:
        if r.session_id != sid:
            raise ValueError(f"{where}: request {r.requestid!r} belongs to session {r.session_id!r} (a session puts only its own requests)")
    requests_del = tuple(check_id(s, f"{where}: requests_del item") for s in batch.requests_del)
    schedules = tuple(prepare_schedule(r, f"{where}: schedule_put item") for r in batch.schedule_put)
    schedule_del = tuple(check_id(s, f"{where}: schedule_del item") for s in batch.schedule_del)
    _no_overlap([t.sendid for t in timers], list(timers_del), "timers", sid)
    _no_overlap([r.requestid for r in requests], list(requests_del), "requests", sid)
    _no_overlap([r.session_id for r in schedules], list(schedule_del), "schedule rows", sid)
    return PreparedBatch(
        session_id=sid,
        expected_version=expected,
        snapshot=snapshot,
        status=check_status(batch.status),
        module=check_str(batch.module, f"{where}: module"),
        doc_hash=check_str(batch.doc_hash, f"{where}: doc_hash"),
        src=check_opt_str(batch.src, f"{where}: src"),
        parent_id=check_opt_str(batch.parent_id, f"{where}: parent_id"),
        consumed_upto_seq=check_count(batch.consumed_upto_seq, f"{where}: consumed_upto_seq", optional=True),
        timers_put=timers,
        timers_del=timers_del,
        requests_put=requests,
        requests_del=requests_del,
        schedule_put=schedules,
        schedule_del=schedule_del,
        local_events=tuple(prepare_event(e, f"{where}: local event") for e in batch.local_events),
        ended_reason=batch.ended_reason if snapshot is None else None,
        tombstone_ttl_ms=check_count(batch.tombstone_ttl_ms, f"{where}: tombstone_ttl_ms"),  # type: ignore[arg-type]
    )


def prepare_start(row: Any, first: Any, notify: Any) -> tuple[ScheduleRec, PreparedBatch, tuple[str, str] | None]:
    rec = prepare_schedule(row, "start_scheduled row")
    batch = prepare_batch(first)
    if batch.session_id != rec.session_id:
        raise ValueError(f"start_scheduled: the first batch is for session {batch.session_id!r}, the schedule row for {rec.session_id!r}")
    if batch.expected_version is not None:
        raise ValueError(
            f"start_scheduled: the first batch of {rec.session_id!r} creates the session, so its expected_version must be None"
        )
    return rec, batch, None if notify is None else prepare_event(notify, "start_scheduled notify")


def prepare_request_fields(state: Any, fields: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    check_state(state)
    unknown = sorted(set(fields) - set(REQUEST_FIELDS))
    if unknown:
        raise TypeError(f"set_request_state() got unknown fields {', '.join(unknown)}; it changes {', '.join(REQUEST_FIELDS)}")
    out: dict[str, Any] = {}
    for name, value in fields.items():
        if name == "attempts":
            out[name] = check_count(value, "attempts")
        elif name == "spec":
            out[name] = encode_json(value, "spec")
        else:
            out[name] = check_ms(value, name, optional=True)
    return state, out


def merge_header(p: PreparedBatch, module: str, doc_hash: str, src: str | None, parent_id: str | None) -> tuple:
    """A later batch may leave the header fields empty: the stored ones stay (a host need not
    repeat them at every commit; a recompiled chart's new doc_hash does replace the old one)."""
    return (
        p.module or module,
        p.doc_hash or doc_hash,
        p.src if p.src is not None else src,
        p.parent_id if p.parent_id is not None else parent_id,
    )


# The same words from both stores, so logs and tests do not depend on the backend.


def stale_exists(sid: str, version: int) -> str:
    return f"session {sid!r} exists already (version {version}): a new session's batch needs an unused id"


def stale_ended(sid: str, tomb: Tombstone) -> str:
    return f"session {sid!r} has ended ({tomb.reason}); its id is not reusable until its tombstone expires"


def stale_missing(sid: str, expected: int) -> str:
    return f"session {sid!r} is not stored (expected version {expected}): it ended or was dropped meanwhile"


def stale_moved(sid: str, stored: int, expected: int) -> str:
    return f"session {sid!r} is at version {stored}, not {expected}: another writer has moved it on"


def ended_input(sid: str, tomb: Tombstone) -> str:
    return f"session {sid!r} has ended ({tomb.reason}): input refused"


def no_schedule(sid: str) -> str:
    return f"start_scheduled: no schedule row for session {sid!r} (started already, or cancelled)"


def log_dropped(target: str, tomb: Tombstone, what: str) -> None:
    log.info("dropped %s for ended session %s (%s)", what, target, tomb.reason)


# ---------------------------------------------------------------------------------------------


class MemoryStore:
    """A SessionStore in process memory: thread-safe (one lock), not durable beyond the object.

    `clock` returns milliseconds (default: time.time() * 1000); it stamps created_ms, updated_ms,
    ended_ms and tombstone expiry, and decides whether a tombstone is still live.
    """

    blocking = False  # (its calls return at once: no need for a worker thread)

    def __init__(self, *, clock: MsClock | None = None) -> None:
        self._clock = clock or default_clock
        self._lock = threading.Lock()
        self._open = False
        self._sessions: dict[str, StoredSession] = {}
        self._inbox: dict[str, dict[int, tuple[str, str, int]]] = {}  # sid -> seq -> (eid, event, enqueued_ms)
        self._timers: dict[tuple[str, str], TimerRec] = {}
        self._schedule: dict[str, ScheduleRec] = {}
        self._requests: dict[str, RequestRec] = {}
        self._tombstones: dict[str, Tombstone] = {}
        self._seq = 0

    # -- lifecycle

    def open(self) -> None:
        with self._lock:
            self._open = True

    def close(self) -> None:
        with self._lock:
            self._open = False

    def __enter__(self) -> MemoryStore:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _now(self) -> int:
        return now_from(self._clock)

    def _check_open(self) -> None:
        if not self._open:
            raise StoreError("memory store is not open")

    # -- writes

    def append_input(self, session_id: str, event: dict) -> InputRef:
        check_id(session_id, "session_id")
        encoded = encode_json(event, f"input for session {session_id!r}")
        with self._lock:
            self._check_open()
            now = self._now()
            tomb = self._live_tomb(session_id, now)
            if tomb is not None:
                raise StoreError(ended_input(session_id, tomb))
            return self._append(session_id, encoded, now)

    def commit(self, batch: CommitBatch) -> int:
        p = prepare_batch(batch)
        with self._lock:
            self._check_open()
            now = self._now()
            version = self._check_version(p, now)
            return self._apply(p, version, now)

    def submit(self, batch: CommitBatch) -> Future:
        """`commit` with a Future (resolved already: a memory commit does not wait), so that a
        host pipelining commits for SqliteStore runs unchanged on this store."""
        future: Future = Future()
        try:
            future.set_result(self.commit(batch))
        except StoreError as exc:
            future.set_exception(exc)
        return future

    def fire_timer(self, row: TimerRow) -> InputRef | None:
        sid = check_id(row.session_id, "timer session_id")
        sendid = check_id(row.sendid, "timer sendid")
        with self._lock:
            self._check_open()
            rec = self._timers.pop((sid, sendid), None)
            if rec is None:
                return None
            now = self._now()
            tomb = self._live_tomb(sid, now)
            if tomb is not None:
                log_dropped(sid, tomb, f"timer {sendid}")
                return None
            return self._append(sid, rec.event, now)

    def schedule(self, row: ScheduleRow) -> None:
        rec = prepare_schedule(row)
        with self._lock:
            self._check_open()
            self._schedule[rec.session_id] = rec

    def unschedule(self, session_id: str) -> bool:
        check_id(session_id, "session_id")
        with self._lock:
            self._check_open()
            return self._schedule.pop(session_id, None) is not None

    def start_scheduled(self, row: ScheduleRow, first: CommitBatch, notify: tuple[str, dict] | None) -> int:
        rec, p, note = prepare_start(row, first, notify)
        with self._lock:
            self._check_open()
            if rec.session_id not in self._schedule:
                raise StoreError(no_schedule(rec.session_id))
            now = self._now()
            version = self._check_version(p, now)
            # Nothing below can fail: the three parts happen together or not at all.
            del self._schedule[rec.session_id]
            result = self._apply(p, version, now)
            if note is not None:
                self._append_local(note[0], note[1], now)
            return result

    def set_request_state(self, requestid: str, state: str, **fields: Any) -> None:
        check_id(requestid, "requestid")
        state, changes = prepare_request_fields(state, fields)
        with self._lock:
            self._check_open()
            rec = self._requests.get(requestid)
            if rec is None:
                raise StoreError(f"no stored request {requestid!r}")
            self._requests[requestid] = rec._replace(state=state, **changes)

    def delete_request(self, requestid: str) -> None:
        check_id(requestid, "requestid")
        with self._lock:
            self._check_open()
            self._requests.pop(requestid, None)

    def purge(self, now_ms: int) -> int:
        now = check_ms(now_ms, "now_ms")
        with self._lock:
            self._check_open()
            expired = [sid for sid, t in self._tombstones.items() if t.expires_ms <= now]  # type: ignore[operator]
            for sid in expired:
                del self._tombstones[sid]
            return len(expired)

    def set_status(self, session_id: str, status: str) -> None:
        check_id(session_id, "session_id")
        check_status(status)
        with self._lock:
            self._check_open()
            stored = self._sessions.get(session_id)
            if stored is None:
                raise StoreError(f"no stored session {session_id!r}")
            stored.status = status
            stored.updated_ms = self._now()

    def drop(self, session_id: str, reason: str = "dropped", now_ms: int = 0, ttl_ms: int = 3_600_000) -> bool:
        check_id(session_id, "session_id")
        check_str(reason, "reason")
        now_arg = check_ms(now_ms, "now_ms")
        ttl = check_count(ttl_ms, "ttl_ms")
        with self._lock:
            self._check_open()
            now = now_arg or self._now()
            stored = self._sessions.get(session_id)
            sched = self._schedule.pop(session_id, None)
            self._remove(session_id)
            if stored is None and sched is None:
                return False
            src = stored.src if stored is not None else sched.src  # type: ignore[union-attr]
            self._tombstones[session_id] = Tombstone(session_id, now, reason, src, now + ttl)  # type: ignore[operator]
            return True

    # -- reads

    def load(self, session_id: str) -> StoredSession | None:
        check_id(session_id, "session_id")
        with self._lock:
            self._check_open()
            stored = self._sessions.get(session_id)
            return None if stored is None else dataclasses.replace(stored)

    def headers(self, status: str | None = None, after: str | None = None, limit: int = 100) -> list[SessionHeader]:
        if status is not None:
            check_status(status)
        after = check_opt_str(after, "after") or ""
        limit = check_limit(limit)
        with self._lock:
            self._check_open()
            ids = sorted(sid for sid, s in self._sessions.items() if sid > after and (status is None or s.status == status))
            return [self._header(self._sessions[sid]) for sid in ids[:limit]]

    def count(self) -> int:
        with self._lock:
            self._check_open()
            return len(self._sessions)

    def inputs(self, session_id: str, after_seq: int = 0) -> list[tuple[int, dict]]:
        check_id(session_id, "session_id")
        after = check_count(after_seq, "after_seq")
        with self._lock:
            self._check_open()
            box = self._inbox.get(session_id, {})
            # Seqs come from one increasing counter, so insertion order is seq order.
            return [(seq, json.loads(event)) for seq, (_eid, event, _t) in box.items() if seq > after]  # type: ignore[operator]

    def due_timers(self, now_ms: int, limit: int = 100) -> list[TimerRow]:
        now = check_ms(now_ms, "now_ms")
        limit = check_limit(limit)
        with self._lock:
            self._check_open()
            due = sorted((t for t in self._timers.values() if t.due_ms <= now), key=lambda t: (t.due_ms, t.session_id, t.sendid))  # type: ignore[operator]
            return [t.row() for t in due[:limit]]

    def timers(self, session_id: str) -> list[TimerRow]:
        check_id(session_id, "session_id")
        with self._lock:
            self._check_open()
            mine = sorted((t for t in self._timers.values() if t.session_id == session_id), key=lambda t: (t.due_ms, t.sendid))
            return [t.row() for t in mine]

    def due_schedules(self, now_ms: int, limit: int = 100) -> list[ScheduleRow]:
        now = check_ms(now_ms, "now_ms")
        limit = check_limit(limit)
        with self._lock:
            self._check_open()
            due = sorted((r for r in self._schedule.values() if r.due_ms <= now), key=lambda r: (r.due_ms, r.session_id))  # type: ignore[operator]
            return [r.row() for r in due[:limit]]

    def requests(self, states: set[str] | None = None, session_id: str | None = None) -> list[RequestRow]:
        wanted = check_states(states)
        check_opt_str(session_id, "session_id")
        with self._lock:
            self._check_open()
            rows = [
                r
                for r in self._requests.values()
                if (wanted is None or r.state in wanted) and (session_id is None or r.session_id == session_id)
            ]
            return [r.row() for r in sorted(rows, key=RequestRec.order_key)]

    def tombstone(self, session_id: str) -> Tombstone | None:
        check_id(session_id, "session_id")
        with self._lock:
            self._check_open()
            tomb = self._live_tomb(session_id, self._now())
            return None if tomb is None else dataclasses.replace(tomb)

    # -- internals (the lock is held)

    @staticmethod
    def _header(s: StoredSession) -> SessionHeader:
        return SessionHeader(s.id, s.status, s.src, s.parent_id, s.created_ms, s.updated_ms)

    def _live_tomb(self, sid: str, now: int) -> Tombstone | None:
        tomb = self._tombstones.get(sid)
        return tomb if tomb is not None and tomb.expires_ms > now else None

    def _append(self, sid: str, event: str, now: int) -> InputRef:
        self._seq += 1
        eid = uuid.uuid4().hex
        self._inbox.setdefault(sid, {})[self._seq] = (eid, event, now)
        return InputRef(sid, self._seq, eid)

    def _append_local(self, target: str, event: str, now: int) -> None:
        tomb = self._live_tomb(target, now)
        if tomb is not None:
            log_dropped(target, tomb, "local event")
        else:
            self._append(target, event, now)

    def _check_version(self, p: PreparedBatch, now: int) -> int:
        stored = self._sessions.get(p.session_id)
        if p.expected_version is None:
            if stored is not None:
                raise StaleVersion(stale_exists(p.session_id, stored.version))
            tomb = self._live_tomb(p.session_id, now)
            if tomb is not None:
                raise StaleVersion(stale_ended(p.session_id, tomb))
            return 1
        if stored is None:
            raise StaleVersion(stale_missing(p.session_id, p.expected_version))
        if stored.version != p.expected_version:
            raise StaleVersion(stale_moved(p.session_id, stored.version, p.expected_version))
        return p.expected_version + 1

    def _apply(self, p: PreparedBatch, version: int, now: int) -> int:
        """The steps of ors-server.md §9.5, in order; the version was checked."""
        sid = p.session_id
        stored = self._sessions.get(sid)
        if p.expected_version is None:
            self._tombstones.pop(sid, None)  # an expired one of an earlier session with this id
        if not p.ended:
            if stored is None:
                self._sessions[sid] = StoredSession(
                    id=sid,
                    status=p.status,
                    src=p.src,
                    parent_id=p.parent_id,
                    created_ms=now,
                    updated_ms=now,
                    module=p.module,
                    doc_hash=p.doc_hash,
                    version=version,
                    snapshot=p.snapshot,  # type: ignore[arg-type]
                )
            else:
                stored.module, stored.doc_hash, stored.src, stored.parent_id = merge_header(
                    p, stored.module, stored.doc_hash, stored.src, stored.parent_id
                )
                stored.status = p.status
                stored.version = version
                stored.snapshot = p.snapshot  # type: ignore[assignment]
                stored.updated_ms = now
        if p.consumed_upto_seq is not None:
            box = self._inbox.get(sid)
            if box:
                for seq in [s for s in box if s <= p.consumed_upto_seq]:
                    del box[seq]
                if not box:
                    del self._inbox[sid]
        for sendid in p.timers_del:
            self._timers.pop((sid, sendid), None)
        for t in p.timers_put:
            self._timers[(t.session_id, t.sendid)] = t
        for rid in p.requests_del:
            self._requests.pop(rid, None)
        for r in p.requests_put:
            self._requests[r.requestid] = r
        for target, event in p.local_events:
            self._append_local(target, event, now)
        for ssid in p.schedule_del:
            self._schedule.pop(ssid, None)
        for s in p.schedule_put:
            self._schedule[s.session_id] = s
        if not p.ended:
            return version
        src = p.src if p.src is not None else (stored.src if stored is not None else None)
        self._remove(sid)
        self._tombstones[sid] = Tombstone(sid, now, p.ended_reason, src, now + p.tombstone_ttl_ms)  # type: ignore[arg-type]
        return 0

    def _remove(self, sid: str) -> None:
        self._sessions.pop(sid, None)
        self._inbox.pop(sid, None)
        for key in [k for k in self._timers if k[0] == sid]:
            del self._timers[key]
        for rid in [r.requestid for r in self._requests.values() if r.session_id == sid]:
            del self._requests[rid]
