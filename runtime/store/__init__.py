"""Durable sessions: the store interface and its records (ors-server.md §9.5-§9.11); `MemoryStore`, `SqliteStore` and `RedisStore` implement it.

A store keeps, per session, the snapshot of its last complete macrostep (snapshot.py) with a
version number, its inbox of inputs not yet consumed, its delayed sends (timers), the requests it
waits for (fetches, module requests; guaranteed-delivery queues), and, server-wide, the schedule
of sessions to start later and the tombstones of ended sessions. Everything a macrostep changes is
written in one atomic `commit` (a `CommitBatch`); an input is durable once `append_input`
returns. Events, timers' events and request specs are JSON-ready dicts (the caller encodes JS
values with js/heap.py); snapshots are bytes.

Times are milliseconds on the host clock's time of day (`clock.time() * 1000`), so a simulated
clock behaves as a real one does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

SCHEMA_VERSION = 1
SESSION_STATUSES = ("running", "terminating", "orphaned", "forced")
"""`orphaned`: the host could not restore the session (its document changed or cannot be
loaded) and leaves it alone. `forced` (set by `scxmlc sessions resume --force`): restore it with
the document as it is now even though the stored doc_hash differs; the next commit stores the
new doc_hash with status `running`."""
REQUEST_STATES = ("ready", "in_flight", "retry_wait")


class StoreError(Exception):
    """The store cannot do what was asked (unreachable, a newer schema, damaged data)."""


class StaleVersion(StoreError):
    """A commit whose expected version is not the stored one: another writer (or a restore
    elsewhere) has moved the session on; the caller drops its copy."""


@dataclass(frozen=True)
class InputRef:
    """Where an appended input went: its session, its sequence number in that session's inbox
    (increasing), and its global id."""

    session_id: str
    seq: int
    eid: str


@dataclass
class SessionHeader:
    id: str
    status: str
    src: str | None
    parent_id: str | None
    created_ms: int
    updated_ms: int


@dataclass
class StoredSession(SessionHeader):
    module: str = ""  # how the host finds the chart again (its src, or a module name)
    doc_hash: str = ""  # the chart's digest when stored (snapshot.chart_digest)
    version: int = 0
    snapshot: bytes = b""


@dataclass
class TimerRow:
    """A delayed <send> waiting in the store: due, it moves to the inbox of `session_id` (the
    sender) as `event` (a dict the host knows how to deliver to `target`)."""

    session_id: str
    sendid: str
    due_ms: int
    target: str
    event: dict


@dataclass
class ScheduleRow:
    """A session to start later (<session:start> with delay or idealtime, a REST start with
    idealtime): its id is chosen already."""

    session_id: str
    src: str
    params: dict
    parent_id: str | None
    ideal_ms: int | None
    pre_ms: int
    post_ms: int
    due_ms: int
    created_ms: int


@dataclass
class RequestRow:
    """A request a session waits for: `kind` ("fetch", "ixn:accept", ...), `state` one of
    REQUEST_STATES (it becomes "in_flight" before each attempt is sent), the guaranteed-delivery
    queue it belongs to (`queue_key`, FIFO by `queue_seq`), attempts made, when the next may go,
    the overall deadline, and `spec`: what the host needs to send it again."""

    requestid: str
    session_id: str
    kind: str
    state: str = "ready"
    queue_key: str | None = None
    queue_seq: int | None = None
    attempts: int = 0
    next_attempt_ms: int | None = None
    deadline_ms: int | None = None
    spec: dict = field(default_factory=dict)


@dataclass
class Tombstone:
    session_id: str
    ended_ms: int
    reason: str  # "final", "terminated", "cancelled", "error", "dropped"
    src: str | None
    expires_ms: int


@dataclass
class CommitBatch:
    """Everything one macrostep (or a group of them, commit_policy idle) changed, written at
    once. `expected_version` None: a new session (it must not exist); else the version this host
    loaded (StaleVersion otherwise); the stored version becomes expected + 1 (1 for a new one).
    `snapshot` None with `ended_reason`: the session ended (its row, timers, requests and
    unconsumed inputs go, a tombstone is written)."""

    session_id: str
    expected_version: int | None
    snapshot: bytes | None = None
    status: str = "running"
    module: str = ""
    doc_hash: str = ""
    src: str | None = None
    parent_id: str | None = None
    consumed_upto_seq: int | None = None  # inbox rows up to and including this seq are consumed
    timers_put: list[TimerRow] = field(default_factory=list)
    timers_del: list[str] = field(default_factory=list)  # sendids of this session
    requests_put: list[RequestRow] = field(default_factory=list)
    requests_del: list[str] = field(default_factory=list)
    schedule_put: list[ScheduleRow] = field(default_factory=list)
    schedule_del: list[str] = field(default_factory=list)
    local_events: list[tuple[str, dict]] = field(default_factory=list)  # (target session id, event)
    ended_reason: str | None = None
    tombstone_ttl_ms: int = 3_600_000


class SessionStore(Protocol):
    """What the host needs from a store (ors-server.md §9.11). Every method is safe to call from
    the host's thread; `commit` may block until the transaction is durable."""

    # False: no call waits on I/O, so a server need not move them to worker threads
    blocking: bool = True

    def open(self) -> None: ...

    def close(self) -> None: ...

    def append_input(self, session_id: str, event: dict) -> InputRef:
        """Store an input for a session (durable on return)."""

    def load(self, session_id: str) -> StoredSession | None: ...

    def headers(self, status: str | None = None, after: str | None = None, limit: int = 100) -> list[SessionHeader]:
        """Stored sessions ordered by id, after the cursor `after`."""

    def count(self) -> int:
        """How many sessions are stored (ended ones are tombstones, not counted)."""

    def inputs(self, session_id: str, after_seq: int = 0) -> list[tuple[int, dict]]:
        """The session's unconsumed inputs with seq > after_seq, in order."""

    def commit(self, batch: CommitBatch) -> int:
        """Apply the batch atomically; returns the new version (0 when the session ended)."""

    def due_timers(self, now_ms: int, limit: int = 100) -> list[TimerRow]: ...

    def timers(self, session_id: str) -> list[TimerRow]: ...

    def fire_timer(self, row: TimerRow) -> InputRef | None:
        """Move a due timer to its session's inbox, atomically (None: it was gone)."""

    def schedule(self, row: ScheduleRow) -> None:
        """Add a schedule row outside a commit (a REST start with idealtime, a <session:start>
        that waits for its time), or replace the row of the same session."""

    def unschedule(self, session_id: str) -> bool:
        """Delete a session's schedule row outside a commit, leaving everything else (its
        session started in memory only, or will not start); False when there was none."""

    def due_schedules(self, now_ms: int, limit: int = 100) -> list[ScheduleRow]: ...

    def start_scheduled(self, row: ScheduleRow, first: CommitBatch, notify: tuple[str, dict] | None) -> int:
        """In one transaction: delete the schedule row, commit the new session's first batch,
        and append `notify` (target session id, event) to that session's inbox."""

    def requests(self, states: set[str] | None = None, session_id: str | None = None) -> list[RequestRow]: ...

    def set_request_state(self, requestid: str, state: str, **fields: Any) -> None:
        """Change a request row's state (and attempts, next_attempt_ms, ...)."""

    def delete_request(self, requestid: str) -> None: ...

    def tombstone(self, session_id: str) -> Tombstone | None: ...

    def purge(self, now_ms: int) -> int:
        """Drop expired tombstones; returns how many."""

    def set_status(self, session_id: str, status: str) -> None:
        """Mark a stored session (one of SESSION_STATUSES); not a commit (the version stays)."""

    def drop(self, session_id: str, reason: str = "dropped", now_ms: int = 0, ttl_ms: int = 3_600_000) -> bool:
        """Remove a session and everything of it (operators: `scxmlc sessions drop`), leaving a
        tombstone; False when there was none."""


def __getattr__(name: str) -> Any:
    # The backends load on first use, so that importing the interface stays light (no sqlite3,
    # no redis).
    if name == "MemoryStore":
        from .memory import MemoryStore

        return MemoryStore
    if name == "SqliteStore":
        from .sqlite import SqliteStore

        return SqliteStore
    if name == "RedisStore":
        from .redis import RedisStore

        return RedisStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "CommitBatch",
    "InputRef",
    "MemoryStore",
    "REQUEST_STATES",
    "RequestRow",
    "SCHEMA_VERSION",
    "SESSION_STATUSES",
    "RedisStore",
    "ScheduleRow",
    "SessionHeader",
    "SessionStore",
    "SqliteStore",
    "StaleVersion",
    "StoreError",
    "StoredSession",
    "TimerRow",
    "Tombstone",
]
