"""Keeps durable sessions in one SQLite file (ors-server.md §9.9): WAL, one writer thread with group commit, a second connection for reads.

Thread model. The writer thread owns the write connection; every write (commit, input, timer
firing, ...) is a work item handed to it through a queue together with a Future. The writer opens
a `BEGIN IMMEDIATE` transaction for the first item it takes and keeps taking items for
`group_commit_ms`; each item runs inside its own SAVEPOINT, so an item that fails (StaleVersion,
a missing schedule row, ...) is rolled back alone and the others stay in the transaction. After
the COMMIT (durable, with synchronous=FULL) the Futures are resolved: a caller blocked in
`commit()` returns, or gets its own exception raised in its own thread. `submit()` hands a commit
over without waiting, so a server can pipeline many sessions' commits into one group.

Reads go through a second connection (query_only) behind a lock; WAL lets them run while the
writer writes, and each read sees the last committed state.
"""

from __future__ import annotations

import json
import os
import queue
import sqlite3
import threading
import time
import uuid
from concurrent.futures import Future
from typing import Any, Callable, NamedTuple

from . import (
    SCHEMA_VERSION,
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
from .memory import (
    MsClock,
    PreparedBatch,
    RequestRec,
    ScheduleRec,
    TimerRec,
    check_count,
    check_id,
    check_limit,
    check_ms,
    check_opt_str,
    check_states,
    check_status,
    check_str,
    default_clock,
    encode_json,
    ended_input,
    log_dropped,
    merge_header,
    no_schedule,
    now_from,
    prepare_batch,
    prepare_request_fields,
    prepare_schedule,
    prepare_start,
    stale_ended,
    stale_exists,
    stale_missing,
    stale_moved,
)

# §9.9's schema, plus two indexes for the per-session deletes and the purge of tombstones, and the
# status `forced` (set by `scxmlc sessions resume --force`, runtime/server/admin.py).
SCHEMA = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE sessions (id TEXT PRIMARY KEY,
        status TEXT NOT NULL CHECK (status IN ('running','terminating','orphaned','forced')),
        module TEXT NOT NULL, doc_hash TEXT NOT NULL, src TEXT,
        parent_id TEXT, version INTEGER NOT NULL,
        snapshot BLOB NOT NULL, created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL)""",
    """CREATE TABLE inbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, eid TEXT NOT NULL UNIQUE,
        session_id TEXT NOT NULL, event TEXT NOT NULL, enqueued_ms INTEGER NOT NULL)""",
    "CREATE INDEX inbox_by_session ON inbox(session_id, seq)",
    """CREATE TABLE timers (session_id TEXT NOT NULL, sendid TEXT NOT NULL, due_ms INTEGER NOT NULL,
        target TEXT NOT NULL, event TEXT NOT NULL, PRIMARY KEY (session_id, sendid))""",
    "CREATE INDEX timers_due ON timers(due_ms)",
    """CREATE TABLE schedule (session_id TEXT PRIMARY KEY, src TEXT NOT NULL, params TEXT NOT NULL,
        parent_id TEXT, ideal_ms INTEGER, pre_ms INTEGER NOT NULL DEFAULT 0,
        post_ms INTEGER NOT NULL DEFAULT 0, due_ms INTEGER NOT NULL,
        created_ms INTEGER NOT NULL)""",
    "CREATE INDEX schedule_due ON schedule(due_ms)",
    """CREATE TABLE requests (requestid TEXT PRIMARY KEY, session_id TEXT NOT NULL, kind TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('ready','in_flight','retry_wait')),
        queue_key TEXT, queue_seq INTEGER, attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_ms INTEGER, deadline_ms INTEGER, spec TEXT NOT NULL)""",
    "CREATE INDEX requests_gd ON requests(queue_key, queue_seq)",
    "CREATE INDEX requests_by_session ON requests(session_id)",
    """CREATE TABLE tombstones (session_id TEXT PRIMARY KEY, ended_ms INTEGER NOT NULL,
        reason TEXT NOT NULL, src TEXT, expires_ms INTEGER NOT NULL)""",
    "CREATE INDEX tombstones_expiry ON tombstones(expires_ms)",
)

_SESSION_COLS = "id, status, src, parent_id, created_ms, updated_ms, module, doc_hash, version, snapshot"
_TIMER_COLS = "session_id, sendid, due_ms, target, event"
_REQUEST_COLS = "requestid, session_id, kind, state, queue_key, queue_seq, attempts, next_attempt_ms, deadline_ms, spec"
_SCHEDULE_COLS = "session_id, src, params, parent_id, ideal_ms, pre_ms, post_ms, due_ms, created_ms"
_REQUEST_ORDER = "ORDER BY queue_key IS NULL, queue_key, queue_seq, requestid"


class _Work(NamedTuple):
    fn: Callable[[sqlite3.Connection], Any]
    future: Future


_STOP = object()  # queued by close(): the writer finishes what came before it, then exits


class _GroupLost(Exception):
    """The shared transaction cannot go on (a savepoint could not be managed, or SQLite rolled
    everything back): every item of the group fails."""


class SqliteStore:
    """A SessionStore in one SQLite database file (ors-server.md §9.9).

    `synchronous`: "FULL" (durable on return) or "NORMAL" (the last transactions may be lost on
    power loss, never on a process crash). `group_commit_ms`: how long the writer keeps a
    transaction open for more work once it has one item (0: only what is queued already).
    `clock` returns milliseconds (default time.time() * 1000). `max_group` caps the items of one
    transaction.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        synchronous: str = "FULL",
        group_commit_ms: float = 2.0,
        *,
        clock: MsClock | None = None,
        max_group: int = 1000,
    ) -> None:
        path = os.fspath(path)
        if not isinstance(path, str) or not path or path == ":memory:":
            # Two connections share the data only through a real file (use MemoryStore otherwise).
            raise ValueError(f"SqliteStore needs a database file path, not {path!r}")
        sync = synchronous.upper() if isinstance(synchronous, str) else synchronous
        if sync not in ("FULL", "NORMAL"):
            raise ValueError(f"synchronous must be 'FULL' or 'NORMAL', not {synchronous!r}")
        if isinstance(group_commit_ms, bool) or not isinstance(group_commit_ms, (int, float)) or not 0 <= group_commit_ms < 60_000:
            raise ValueError(f"group_commit_ms must be a number of milliseconds from 0 to 60000, not {group_commit_ms!r}")
        if isinstance(max_group, bool) or not isinstance(max_group, int) or max_group < 1:
            raise ValueError(f"max_group must be a positive integer, not {max_group!r}")
        self.path = path
        self.synchronous = sync
        self.group_commit_ms = float(group_commit_ms)
        self._clock = clock or default_clock
        self._max_group = max_group
        self._lifecycle = threading.Lock()  # open() and close() one at a time
        self._state = threading.Lock()  # the open flag and the queue's sentinel
        self._open = False
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._writer: threading.Thread | None = None
        self._read_lock = threading.Lock()
        self._reader: sqlite3.Connection | None = None
        self._stats = {"transactions": 0, "items": 0, "largest_group": 0}

    # -- lifecycle

    def open(self) -> None:
        """Create the schema on first use, or check its version; start the writer thread."""
        with self._lifecycle:
            if self._open:
                return
            if self._writer is not None:
                self._finish()  # a writer that died of a bug: release what it left
            self._queue = queue.SimpleQueue()
            ready: Future = Future()
            writer = threading.Thread(target=self._writer_main, args=(ready,), name=f"scxmlc-store-writer:{self.path}", daemon=True)
            writer.start()
            try:
                ready.result()
            except BaseException:
                writer.join()
                raise
            try:
                reader = self._connect()
                reader.execute("PRAGMA query_only=ON")
            except BaseException:
                self._queue.put(_STOP)
                writer.join()
                raise
            self._writer, self._reader = writer, reader
            with self._state:
                self._open = True

    def close(self) -> None:
        """Stop taking work, let the writer finish (and commit) what is queued, then close."""
        if threading.current_thread() is self._writer:
            raise StoreError("SqliteStore.close() called from the store's writer thread (a Future callback): it would wait for itself")
        with self._lifecycle:
            with self._state:
                if self._writer is None:
                    return
                self._open = False
                self._queue.put(_STOP)
            self._finish()

    def _finish(self) -> None:
        assert self._writer is not None
        self._writer.join()
        self._writer = None
        with self._read_lock:
            if self._reader is not None:
                self._reader.close()
                self._reader = None

    def __enter__(self) -> SqliteStore:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def stats(self) -> dict[str, int]:
        """Write transactions committed, items in them, and the largest group so far."""
        return dict(self._stats)

    def _now(self) -> int:
        return now_from(self._clock)

    def _connect(self) -> sqlite3.Connection:
        try:
            # isolation_level=None: the module opens no transactions of its own; we say BEGIN.
            conn = sqlite3.connect(self.path, timeout=5.0, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open session store {self.path}: {exc}") from exc
        try:
            conn.execute("PRAGMA busy_timeout=5000")
            mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise StoreError(f"session store {self.path}: SQLite would not switch to WAL journal mode (it says {mode!r})")
            conn.execute(f"PRAGMA synchronous={self.synchronous}")
            conn.execute("PRAGMA foreign_keys=ON")
        except sqlite3.Error as exc:
            conn.close()
            raise StoreError(f"cannot open session store {self.path}: {exc}") from exc
        except BaseException:
            conn.close()
            raise
        return conn

    def _prepare_schema(self, conn: sqlite3.Connection) -> None:
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
                names = {n for n in names if not n.startswith("sqlite_")}
                if "meta" in names:
                    self._check_schema_version(conn)
                elif names:
                    raise StoreError(
                        f"{self.path} is an SQLite database but not an scxmlc session store "
                        f"(no meta table; it has {', '.join(sorted(names))})"
                    )
                else:
                    for statement in SCHEMA:
                        conn.execute(statement)
                    conn.executemany(
                        "INSERT INTO meta (key, value) VALUES (?, ?)",
                        [("schema_version", str(SCHEMA_VERSION)), ("host_id", uuid.uuid4().hex)],
                    )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise StoreError(f"cannot prepare session store {self.path}: {exc}") from exc

    def _check_schema_version(self, conn: sqlite3.Connection) -> None:
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        try:
            found = int(row[0]) if row is not None else None
        except ValueError:
            found = None
        if found is None:
            raise StoreError(f"session store {self.path} is damaged: its meta table has no valid schema_version ({row and row[0]!r})")
        if found > SCHEMA_VERSION:
            raise StoreError(
                f"session store {self.path} has schema version {found}, newer than this scxmlc_runtime "
                f"understands ({SCHEMA_VERSION}): upgrade scxmlc, or use another store_path"
            )
        if found < SCHEMA_VERSION:
            raise StoreError(f"session store {self.path} has schema version {found}, and no migration to {SCHEMA_VERSION} exists")

    # -- the writer thread

    def _writer_main(self, ready: Future) -> None:
        try:
            conn = self._connect()
        except BaseException as exc:
            ready.set_exception(exc)
            return
        try:
            self._prepare_schema(conn)
        except BaseException as exc:
            conn.close()
            ready.set_exception(exc)
            return
        ready.set_result(None)
        try:
            while True:
                item = self._queue.get()
                if item is _STOP or self._run_group(conn, item):
                    break
        finally:
            conn.close()
            with self._state:
                self._open = False  # normally close() did this; after a bug in the loop, refuse new work
            # Only after a bug in the loop can items be left: do not leave their callers waiting.
            while True:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is not _STOP and item.future.set_running_or_notify_cancel():
                    item.future.set_exception(StoreError(f"session store {self.path} is closed"))

    def _run_group(self, conn: sqlite3.Connection, first: _Work) -> bool:
        """One transaction for `first` and whatever else arrives within the window; resolves the
        items' Futures once it has committed. True when close() asked the writer to stop."""
        done: list[tuple[Future, Any]] = []
        failed: list[tuple[Future, BaseException]] = []
        stop = False
        deadline = time.monotonic() + self.group_commit_ms / 1000.0
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            if first.future.set_running_or_notify_cancel():
                first.future.set_exception(StoreError(f"session store {self.path}: cannot begin a write transaction: {exc}"))
            return False
        count = 0
        try:
            item = first
            while True:
                self._run_item(conn, item, done, failed)
                count += 1
                if not conn.in_transaction:
                    raise _GroupLost("SQLite rolled the write transaction back")
                if count >= self._max_group:
                    break
                remaining = deadline - time.monotonic()
                try:
                    nxt = self._queue.get(timeout=remaining) if remaining > 0 else self._queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is _STOP:
                    stop = True
                    break
                item = nxt
            conn.execute("COMMIT")
        except (_GroupLost, sqlite3.Error) as exc:
            if conn.in_transaction:
                try:
                    conn.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
            error = StoreError(f"session store {self.path}: the write transaction failed, nothing of it was stored: {exc}")
            failed.extend((future, error) for future, _ in done)
            done = []
        else:
            self._stats["transactions"] += 1
            self._stats["items"] += len(done)
            self._stats["largest_group"] = max(self._stats["largest_group"], count)
        for future, result in done:
            future.set_result(result)
        for future, error in failed:
            future.set_exception(error)
        return stop

    def _run_item(self, conn: sqlite3.Connection, item: _Work, done: list, failed: list) -> None:
        future = item.future
        if not future.set_running_or_notify_cancel():
            return  # the caller cancelled it while it waited in the queue
        try:
            conn.execute("SAVEPOINT item")
        except sqlite3.Error as exc:
            failed.append((future, StoreError(f"session store {self.path}: {exc}")))
            raise _GroupLost(str(exc)) from exc
        try:
            result = item.fn(conn)
        except BaseException as exc:
            error = self._as_store_error(exc)
            try:
                if conn.in_transaction:
                    conn.execute("ROLLBACK TO item")
                    conn.execute("RELEASE item")
            except sqlite3.Error as exc2:
                failed.append((future, error))
                raise _GroupLost(str(exc2)) from exc2
            failed.append((future, error))
            return
        try:
            conn.execute("RELEASE item")
        except sqlite3.Error as exc:
            failed.append((future, StoreError(f"session store {self.path}: {exc}")))
            raise _GroupLost(str(exc)) from exc
        done.append((future, result))

    def _as_store_error(self, exc: BaseException) -> BaseException:
        if isinstance(exc, sqlite3.Error):
            error = StoreError(f"session store {self.path}: {exc}")
            error.__cause__ = exc
            return error
        return exc  # StoreError, StaleVersion, or a bug that should be seen as it is

    def _enqueue(self, fn: Callable[[sqlite3.Connection], Any]) -> Future:
        future: Future = Future()
        with self._state:
            if not self._open:
                raise StoreError(f"session store {self.path} is not open")
            self._queue.put(_Work(fn, future))
        return future

    def _write(self, fn: Callable[[sqlite3.Connection], Any]) -> Any:
        if threading.current_thread() is self._writer:
            raise StoreError("a SqliteStore write was called from the store's writer thread (a Future callback): it would wait for itself")
        return self._enqueue(fn).result()

    # -- writes

    def submit(self, batch: CommitBatch) -> Future:
        """`commit` without waiting: the Future resolves to the new version once the group's
        transaction is durable, or raises StaleVersion / StoreError. The batch is checked (and
        copied) now, so a ValueError comes from this call and the caller may reuse the batch."""
        p = prepare_batch(batch)
        return self._enqueue(lambda conn: self._commit_in(conn, p, self._now()))

    def commit(self, batch: CommitBatch) -> int:
        p = prepare_batch(batch)
        return self._write(lambda conn: self._commit_in(conn, p, self._now()))

    def append_input(self, session_id: str, event: dict) -> InputRef:
        check_id(session_id, "session_id")
        encoded = encode_json(event, f"input for session {session_id!r}")

        def work(conn: sqlite3.Connection) -> InputRef:
            now = self._now()
            tomb = self._live_tomb(conn, session_id, now)
            if tomb is not None:
                raise StoreError(ended_input(session_id, tomb))
            return self._append(conn, session_id, encoded, now)

        return self._write(work)

    def fire_timer(self, row: TimerRow) -> InputRef | None:
        sid = check_id(row.session_id, "timer session_id")
        sendid = check_id(row.sendid, "timer sendid")

        def work(conn: sqlite3.Connection) -> InputRef | None:
            found = conn.execute("SELECT event FROM timers WHERE session_id = ? AND sendid = ?", (sid, sendid)).fetchone()
            if found is None:
                return None
            conn.execute("DELETE FROM timers WHERE session_id = ? AND sendid = ?", (sid, sendid))
            now = self._now()
            tomb = self._live_tomb(conn, sid, now)
            if tomb is not None:
                log_dropped(sid, tomb, f"timer {sendid}")
                return None
            return self._append(conn, sid, found[0], now)

        return self._write(work)

    def schedule(self, row: ScheduleRow) -> None:
        rec = prepare_schedule(row)

        def work(conn: sqlite3.Connection) -> None:
            conn.execute(f"INSERT OR REPLACE INTO schedule ({_SCHEDULE_COLS}) VALUES (?,?,?,?,?,?,?,?,?)", rec)

        self._write(work)

    def unschedule(self, session_id: str) -> bool:
        check_id(session_id, "session_id")
        return self._write(lambda conn: conn.execute("DELETE FROM schedule WHERE session_id = ?", (session_id,)).rowcount > 0)

    def start_scheduled(self, row: ScheduleRow, first: CommitBatch, notify: tuple[str, dict] | None) -> int:
        rec, p, note = prepare_start(row, first, notify)

        def work(conn: sqlite3.Connection) -> int:
            # A raise anywhere below rolls the item's savepoint back: the schedule row stays.
            if conn.execute("DELETE FROM schedule WHERE session_id = ?", (rec.session_id,)).rowcount == 0:
                raise StoreError(no_schedule(rec.session_id))
            now = self._now()
            version = self._commit_in(conn, p, now)
            if note is not None:
                self._append_local(conn, note[0], note[1], now)
            return version

        return self._write(work)

    def set_request_state(self, requestid: str, state: str, **fields: Any) -> None:
        check_id(requestid, "requestid")
        state, changes = prepare_request_fields(state, fields)
        # Column names come from REQUEST_FIELDS (checked above), never from the caller's text.
        assignments = ", ".join(["state = ?"] + [f"{name} = ?" for name in changes])
        params = [state, *changes.values(), requestid]

        def work(conn: sqlite3.Connection) -> None:
            if conn.execute(f"UPDATE requests SET {assignments} WHERE requestid = ?", params).rowcount == 0:
                raise StoreError(f"no stored request {requestid!r}")

        self._write(work)

    def delete_request(self, requestid: str) -> None:
        check_id(requestid, "requestid")

        def work(conn: sqlite3.Connection) -> None:
            conn.execute("DELETE FROM requests WHERE requestid = ?", (requestid,))

        self._write(work)

    def purge(self, now_ms: int) -> int:
        now = check_ms(now_ms, "now_ms")
        return self._write(lambda conn: conn.execute("DELETE FROM tombstones WHERE expires_ms <= ?", (now,)).rowcount)

    def set_status(self, session_id: str, status: str) -> None:
        check_id(session_id, "session_id")
        check_status(status)

        def work(conn: sqlite3.Connection) -> None:
            cur = conn.execute("UPDATE sessions SET status = ?, updated_ms = ? WHERE id = ?", (status, self._now(), session_id))
            if cur.rowcount == 0:
                raise StoreError(f"no stored session {session_id!r}")

        self._write(work)

    def drop(self, session_id: str, reason: str = "dropped", now_ms: int = 0, ttl_ms: int = 3_600_000) -> bool:
        check_id(session_id, "session_id")
        check_str(reason, "reason")
        now_arg = check_ms(now_ms, "now_ms")
        ttl = check_count(ttl_ms, "ttl_ms")

        def work(conn: sqlite3.Connection) -> bool:
            now = now_arg or self._now()
            stored = conn.execute("SELECT src FROM sessions WHERE id = ?", (session_id,)).fetchone()
            sched = conn.execute("SELECT src FROM schedule WHERE session_id = ?", (session_id,)).fetchone()
            conn.execute("DELETE FROM schedule WHERE session_id = ?", (session_id,))
            self._remove(conn, session_id)
            if stored is None and sched is None:
                return False
            src = (stored or sched)[0]
            conn.execute(
                "INSERT OR REPLACE INTO tombstones (session_id, ended_ms, reason, src, expires_ms) VALUES (?,?,?,?,?)",
                (session_id, now, reason, src, now + ttl),  # type: ignore[operator]
            )
            return True

        return self._write(work)

    # -- reads

    def _read(self, sql: str, params: Any = ()) -> list[tuple]:
        with self._read_lock:
            if self._reader is None:
                raise StoreError(f"session store {self.path} is not open")
            try:
                return self._reader.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise StoreError(f"session store {self.path}: {exc}") from exc

    def load(self, session_id: str) -> StoredSession | None:
        check_id(session_id, "session_id")
        rows = self._read(f"SELECT {_SESSION_COLS} FROM sessions WHERE id = ?", (session_id,))
        if not rows:
            return None
        sid, status, src, parent_id, created, updated, module, doc_hash, version, snapshot = rows[0]
        return StoredSession(sid, status, src, parent_id, created, updated, module, doc_hash, version, bytes(snapshot))

    def headers(self, status: str | None = None, after: str | None = None, limit: int = 100) -> list[SessionHeader]:
        if status is not None:
            check_status(status)
        after = check_opt_str(after, "after") or ""
        limit = check_limit(limit)
        rows = self._read(
            "SELECT id, status, src, parent_id, created_ms, updated_ms FROM sessions"
            " WHERE id > ? AND (? IS NULL OR status = ?) ORDER BY id LIMIT ?",
            (after, status, status, limit),
        )
        return [SessionHeader(*row) for row in rows]

    def count(self) -> int:
        return self._read("SELECT COUNT(*) FROM sessions")[0][0]

    def inputs(self, session_id: str, after_seq: int = 0) -> list[tuple[int, dict]]:
        check_id(session_id, "session_id")
        after = check_count(after_seq, "after_seq")
        rows = self._read("SELECT seq, event FROM inbox WHERE session_id = ? AND seq > ? ORDER BY seq", (session_id, after))
        return [(seq, json.loads(event)) for seq, event in rows]

    def due_timers(self, now_ms: int, limit: int = 100) -> list[TimerRow]:
        now = check_ms(now_ms, "now_ms")
        limit = check_limit(limit)
        rows = self._read(f"SELECT {_TIMER_COLS} FROM timers WHERE due_ms <= ? ORDER BY due_ms, session_id, sendid LIMIT ?", (now, limit))
        return [TimerRec(*row).row() for row in rows]

    def timers(self, session_id: str) -> list[TimerRow]:
        check_id(session_id, "session_id")
        rows = self._read(f"SELECT {_TIMER_COLS} FROM timers WHERE session_id = ? ORDER BY due_ms, sendid", (session_id,))
        return [TimerRec(*row).row() for row in rows]

    def due_schedules(self, now_ms: int, limit: int = 100) -> list[ScheduleRow]:
        now = check_ms(now_ms, "now_ms")
        limit = check_limit(limit)
        rows = self._read(f"SELECT {_SCHEDULE_COLS} FROM schedule WHERE due_ms <= ? ORDER BY due_ms, session_id LIMIT ?", (now, limit))
        return [ScheduleRec(*row).row() for row in rows]

    def requests(self, states: set[str] | None = None, session_id: str | None = None) -> list[RequestRow]:
        wanted = check_states(states)
        check_opt_str(session_id, "session_id")
        if wanted is not None and not wanted:
            return []
        where, params = [], []
        if wanted is not None:
            where.append(f"state IN ({', '.join('?' * len(wanted))})")
            params.extend(sorted(wanted))
        if session_id is not None:
            where.append("session_id = ?")
            params.append(session_id)
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        rows = self._read(f"SELECT {_REQUEST_COLS} FROM requests{clause} {_REQUEST_ORDER}", params)
        return [RequestRec(*row).row() for row in rows]

    def tombstone(self, session_id: str) -> Tombstone | None:
        check_id(session_id, "session_id")
        rows = self._read(
            "SELECT session_id, ended_ms, reason, src, expires_ms FROM tombstones WHERE session_id = ? AND expires_ms > ?",
            (session_id, self._now()),
        )
        return Tombstone(*rows[0]) if rows else None

    # -- inside a write transaction (writer thread)

    @staticmethod
    def _live_tomb(conn: sqlite3.Connection, sid: str, now: int) -> Tombstone | None:
        row = conn.execute(
            "SELECT session_id, ended_ms, reason, src, expires_ms FROM tombstones WHERE session_id = ? AND expires_ms > ?",
            (sid, now),
        ).fetchone()
        return Tombstone(*row) if row is not None else None

    @staticmethod
    def _append(conn: sqlite3.Connection, sid: str, event: str, now: int) -> InputRef:
        eid = uuid.uuid4().hex
        cur = conn.execute("INSERT INTO inbox (eid, session_id, event, enqueued_ms) VALUES (?, ?, ?, ?)", (eid, sid, event, now))
        return InputRef(sid, cur.lastrowid, eid)  # type: ignore[arg-type]

    def _append_local(self, conn: sqlite3.Connection, target: str, event: str, now: int) -> None:
        tomb = self._live_tomb(conn, target, now)
        if tomb is not None:
            log_dropped(target, tomb, "local event")
        else:
            self._append(conn, target, event, now)

    @staticmethod
    def _remove(conn: sqlite3.Connection, sid: str) -> None:
        for table, column in (("sessions", "id"), ("timers", "session_id"), ("requests", "session_id"), ("inbox", "session_id")):
            conn.execute(f"DELETE FROM {table} WHERE {column} = ?", (sid,))

    def _commit_in(self, conn: sqlite3.Connection, p: PreparedBatch, now: int) -> int:
        """The steps of ors-server.md §9.5, in order, inside the caller's savepoint."""
        sid = p.session_id
        stored = conn.execute("SELECT version, module, doc_hash, src, parent_id FROM sessions WHERE id = ?", (sid,)).fetchone()
        if p.expected_version is None:
            if stored is not None:
                raise StaleVersion(stale_exists(sid, stored[0]))
            tomb = self._live_tomb(conn, sid, now)
            if tomb is not None:
                raise StaleVersion(stale_ended(sid, tomb))
            conn.execute("DELETE FROM tombstones WHERE session_id = ?", (sid,))  # an expired one
            version = 1
        else:
            if stored is None:
                raise StaleVersion(stale_missing(sid, p.expected_version))
            if stored[0] != p.expected_version:
                raise StaleVersion(stale_moved(sid, stored[0], p.expected_version))
            version = p.expected_version + 1
        if not p.ended:
            if stored is None:
                conn.execute(
                    f"INSERT INTO sessions ({_SESSION_COLS}) VALUES (?,?,?,?,?,?,?,?,?,?)",
                    (sid, p.status, p.src, p.parent_id, now, now, p.module, p.doc_hash, version, p.snapshot),
                )
            else:
                module, doc_hash, src, parent_id = merge_header(p, *stored[1:])
                conn.execute(
                    "UPDATE sessions SET status = ?, module = ?, doc_hash = ?, src = ?, parent_id = ?,"
                    " version = ?, snapshot = ?, updated_ms = ? WHERE id = ?",
                    (p.status, module, doc_hash, src, parent_id, version, p.snapshot, now, sid),
                )
        if p.consumed_upto_seq is not None:
            conn.execute("DELETE FROM inbox WHERE session_id = ? AND seq <= ?", (sid, p.consumed_upto_seq))
        if p.timers_del:
            conn.executemany("DELETE FROM timers WHERE session_id = ? AND sendid = ?", [(sid, s) for s in p.timers_del])
        if p.timers_put:
            conn.executemany(f"INSERT OR REPLACE INTO timers ({_TIMER_COLS}) VALUES (?,?,?,?,?)", p.timers_put)
        if p.requests_del:
            conn.executemany("DELETE FROM requests WHERE requestid = ?", [(r,) for r in p.requests_del])
        if p.requests_put:
            conn.executemany(f"INSERT OR REPLACE INTO requests ({_REQUEST_COLS}) VALUES (?,?,?,?,?,?,?,?,?,?)", p.requests_put)
        for target, event in p.local_events:
            self._append_local(conn, target, event, now)
        if p.schedule_del:
            conn.executemany("DELETE FROM schedule WHERE session_id = ?", [(s,) for s in p.schedule_del])
        if p.schedule_put:
            conn.executemany(f"INSERT OR REPLACE INTO schedule ({_SCHEDULE_COLS}) VALUES (?,?,?,?,?,?,?,?,?)", p.schedule_put)
        if not p.ended:
            return version
        src = p.src if p.src is not None else (stored[3] if stored is not None else None)
        self._remove(conn, sid)
        conn.execute(
            "INSERT OR REPLACE INTO tombstones (session_id, ended_ms, reason, src, expires_ms) VALUES (?,?,?,?,?)",
            (sid, now, p.ended_reason, src, now + p.tombstone_ttl_ms),
        )
        return 0
