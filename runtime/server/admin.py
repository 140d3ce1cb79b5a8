"""Operates on the sessions a session store keeps, for operators (`scxmlc sessions list|show|resume|drop`, ors-server.md §9.7 step 2): opens an SQLite or Redis store without creating one, and lists, describes, resumes and drops stored sessions.

Every function takes an open store (any SessionStore) and returns data or printable lines; the
command line (scxmlc/cli.py) only parses arguments and prints. What cannot be done is an
`AdminError` whose `code` is the exit status the command line uses:

- 1 (`EXIT_NOT_DONE`): no such session, or a session not in a state for what was asked;
- 2 (`EXIT_STORE`): no usable store (no file, not a session store, damaged, a newer schema).

Statuses (runtime/store `SESSION_STATUSES`). `orphaned`: the server could not restore the
session (its document changed or cannot be loaded); it stays untouched. `resume` puts it back to
`running` (the server tries again on its next input; orphaned again if the document still
differs). `resume --force` sets `forced`: the server restores it with the document as it is now,
even though the document's hash differs, and its next commit stores the new hash with status
`running`.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sqlite3
import zlib
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from ..store import SESSION_STATUSES, StoredSession, StoreError, Tombstone

EXIT_OK = 0
EXIT_NOT_DONE = 1  # no such session, or not in a state for that
EXIT_STORE = 2  # no usable store

PAGE_SIZE = 100  # headers() read per call by list_sessions
_SQLITE_MAGIC = b"SQLite format 3\x00"


class AdminError(Exception):
    """What an operator asked cannot be done; `code` is the command line's exit status."""

    def __init__(self, message: str, code: int = EXIT_NOT_DONE) -> None:
        super().__init__(message)
        self.code = code


# -- the store -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RedisLocation:
    """A Redis store: its URL (redis://, rediss://, unix://, redis+cluster://) and cluster name."""

    url: str
    cluster: str = "default"


def store_location(settings: Any = None, given: str | None = None, cluster: str | None = None) -> str | RedisLocation:
    """The store to operate on: `given` (the --store option: an SQLite file or a Redis URL, read
    as `scxmlc serve` reads it), else the settings' store (ServerSettings, as `scxmlc serve`
    reads them), else the settings' default SQLite file. `cluster` (the --cluster option) names
    the keys of a Redis store; by default the settings' cluster name."""
    from .settings import CLUSTER_WITHOUT_REDIS, ServerSettings, SettingsError, store_option

    if settings is None:
        settings = ServerSettings()
    if given is not None:
        if given == "memory":
            raise AdminError(
                "--store memory: a memory store lives only inside a running `scxmlc serve`; "
                "give the SQLite file or the Redis URL of the server's store (--store PATH.db, --store redis://HOST:PORT/DB)",
                EXIT_STORE,
            )
        if not given:
            raise AdminError("--store: an empty path", EXIT_STORE)
        try:
            settings = ServerSettings.from_mapping(store_option(given), settings)
        except SettingsError as exc:
            raise AdminError(str(exc), EXIT_STORE) from None
    if settings.store == "redis":
        return RedisLocation(settings.redis_url, cluster or settings.cluster)
    if cluster is not None:
        raise AdminError(CLUSTER_WITHOUT_REDIS, EXIT_STORE)
    if settings.store != "sqlite":
        raise AdminError(
            f"the settings say store = {settings.store}: such a server keeps no sessions outside its process; "
            "give --store PATH.db or --store redis://HOST:PORT/DB",
            EXIT_STORE,
        )
    return settings.store_path


def open_store(where: str | os.PathLike[str] | RedisLocation):
    """The store at `where` (store_location), open, without creating one."""
    if isinstance(where, RedisLocation):
        return open_redis_store(where)
    return open_sqlite_store(where)


def open_redis_store(where: RedisLocation):
    """The RedisStore of an existing store, open: an unreachable server, a URL it cannot use,
    a missing redis package, or a cluster name under which no store exists (create=False) is
    an AdminError (EXIT_STORE)."""
    from ..store.redis import RedisStore, check_cluster_name, parse_url, safe_url

    url = safe_url(where.url)

    def named(exc: Exception) -> str:  # (the message names the URL once)
        return str(exc) if url in str(exc) else f"store {url}: {exc}"

    try:
        parse_url(where.url)
        check_cluster_name(where.cluster)
    except ValueError as exc:
        raise AdminError(named(exc), EXIT_STORE) from None
    try:
        store = RedisStore(where.url, where.cluster, create=False, index_sweep_s=0, writers=1, socket_timeout_s=10.0)
        store.open()
    except (StoreError, ImportError, ValueError, OSError) as exc:
        raise AdminError(named(exc), EXIT_STORE) from None
    return store


def open_sqlite_store(path: str | os.PathLike[str]):
    """The SqliteStore of an existing session store file, open. Nothing is created: a missing
    file, a file that is not SQLite, or an SQLite file that is not a session store is an
    AdminError (EXIT_STORE) before the store is opened for writing; the store's own checks (a
    newer schema version, damage) come out as AdminError with the store's message."""
    from ..store.sqlite import SqliteStore

    path = os.fspath(path)
    p = Path(path)
    if not p.exists():
        raise AdminError(f"no session store {path}: no such file (give --store PATH.db, or the --config the server runs with)", EXIT_STORE)
    if not p.is_file():
        raise AdminError(f"{path} is not a file", EXIT_STORE)
    try:
        with p.open("rb") as f:
            magic = f.read(len(_SQLITE_MAGIC))
    except OSError as exc:
        raise AdminError(f"cannot read {path}: {exc.strerror or exc}", EXIT_STORE) from None
    if magic != _SQLITE_MAGIC:
        what = "an empty file" if not magic else "not an SQLite database"
        raise AdminError(f"{path} is not a session store ({what})", EXIT_STORE)
    _probe(p)
    store = SqliteStore(path, group_commit_ms=0)
    try:
        store.open()
    except StoreError as exc:
        raise AdminError(str(exc), EXIT_STORE) from None
    return store


def _probe(p: Path) -> None:
    """Whether an SQLite file holds a session store, read only (SqliteStore.open would create
    the schema in an empty database)."""
    try:
        conn = sqlite3.connect(f"{p.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise AdminError(f"cannot open session store {p}: {exc}", EXIT_STORE) from None
    try:
        names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.Error as exc:
        raise AdminError(f"cannot read session store {p}: {exc}", EXIT_STORE) from None
    finally:
        conn.close()
    if "meta" not in names or "sessions" not in names:
        tables = ", ".join(sorted(n for n in names if not n.startswith("sqlite_"))) or "no tables"
        raise AdminError(f"{p} is an SQLite database but not an scxmlc session store ({tables})", EXIT_STORE)


# -- times and values ------------------------------------------------------------------------------


def format_ms(ms: int | None) -> str:
    """A store time (milliseconds since the epoch) as UTC ISO 8601, to the millisecond."""
    if ms is None:
        return "-"
    try:
        moment = datetime.fromtimestamp(ms / 1000, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        return f"{ms} ms"
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def _short(text: str, width: int = 100) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, sort_keys=True)


# -- list ----------------------------------------------------------------------------------------


@dataclass
class SessionSummary:
    """One stored session as `list` shows it: its header, its version, and how much waits for
    it (inbox inputs, timers, requests)."""

    id: str
    status: str
    src: str | None
    parent_id: str | None
    module: str
    doc_hash: str
    version: int
    created_ms: int
    updated_ms: int
    inbox: int
    timers: int
    requests: int

    def to_json(self) -> dict:
        return dataclasses.asdict(self)


def summarize(store: Any, stored: StoredSession) -> SessionSummary:
    sid = stored.id
    return SessionSummary(
        id=sid,
        status=stored.status,
        src=stored.src,
        parent_id=stored.parent_id,
        module=stored.module,
        doc_hash=stored.doc_hash,
        version=stored.version,
        created_ms=stored.created_ms,
        updated_ms=stored.updated_ms,
        inbox=len(store.inputs(sid)),
        timers=len(store.timers(sid)),
        requests=len(store.requests(session_id=sid)),
    )


def list_sessions(store: Any, status: str | None = None, page_size: int = PAGE_SIZE) -> Iterator[SessionSummary]:
    """The stored sessions (ended ones are not stored), ordered by id, read page by page
    through `headers()`; `status` keeps those with that status only."""
    if status is not None and status not in SESSION_STATUSES:
        raise AdminError(f"unknown status {status!r}: expected one of {', '.join(SESSION_STATUSES)}", EXIT_STORE)
    after = None
    while True:
        page = store.headers(status=status, after=after, limit=page_size)
        for header in page:
            stored = store.load(header.id)
            if stored is not None:  # (gone since the page was read)
                yield summarize(store, stored)
        if len(page) < page_size:
            return
        after = page[-1].id


LIST_COLUMNS = ("ID", "STATUS", "VERSION", "UPDATED", "INBOX", "TIMERS", "REQUESTS", "SRC")


def list_lines(summaries: list[SessionSummary], status: str | None = None) -> list[str]:
    """A table, one line per session, columns aligned; then a count by status (`status`: the
    filter the summaries were listed with, named when there are none)."""
    if not summaries:
        return [f"no stored sessions{f' with status {status}' if status else ''}"]
    rows = [LIST_COLUMNS] + [
        (s.id, s.status, str(s.version), format_ms(s.updated_ms), str(s.inbox), str(s.timers), str(s.requests), s.src or "-")
        for s in summaries
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(LIST_COLUMNS) - 1)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)) + "  " + row[-1] for row in rows]
    counts: dict[str, int] = {}
    for s in summaries:
        counts[s.status] = counts.get(s.status, 0) + 1
    by_status = ", ".join(f"{counts[st]} {st}" for st in SESSION_STATUSES if st in counts)
    lines.append(f"{len(summaries)} session{'s' if len(summaries) != 1 else ''} ({by_status})")
    return lines


SCHEDULED_COLUMNS = ("SCHEDULED", "DUE", "STARTER", "SRC")


def list_scheduled(store: Any) -> list:
    """The sessions that start later (schedule rows: REST starts with a time, <session:start>s
    that wait for theirs), by due time."""
    return store.due_schedules(2**62, 1_000_000)


def scheduled_json(row: Any) -> dict:
    return {"id": row.session_id, "due_ms": row.due_ms, "ideal_ms": row.ideal_ms, "starter": row.parent_id, "src": row.src}


def scheduled_lines(rows: list) -> list[str]:
    """A table, one line per schedule row (its starter: the session whose <session:start> it
    is, "-" for a REST start), then a count."""
    table = [SCHEDULED_COLUMNS] + [(r.session_id, format_ms(r.due_ms), r.parent_id or "-", r.src) for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(SCHEDULED_COLUMNS) - 1)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)) + "  " + row[-1] for row in table]
    lines.append(f"{len(rows)} scheduled start{'s' if len(rows) != 1 else ''}")
    return lines


# -- show ----------------------------------------------------------------------------------------


def decode_snapshot(data: bytes) -> dict:
    """The snapshot document (runtime/snapshot.py: JSON, zlib-compressed or not); ValueError
    when it is neither."""
    raw = bytes(data)
    try:
        raw = zlib.decompress(raw)
    except zlib.error:
        pass  # (stored uncompressed)
    try:
        doc = json.loads(raw.decode("utf-8", "surrogatepass"))  # (surrogates: snapshot.py)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"not a snapshot ({exc})") from None
    if not isinstance(doc, dict):
        raise ValueError(f"not a snapshot (a JSON {type(doc).__name__})")
    return doc


def missing_message(store: Any, session_id: str) -> str:
    """'no stored session ...', saying when and why it ended if its tombstone is still kept."""
    tomb: Tombstone | None = store.tombstone(session_id)
    if tomb is None:
        return f"no stored session {session_id!r}"
    return (
        f"no stored session {session_id!r}: it ended at {format_ms(tomb.ended_ms)} ({tomb.reason}); "
        f"its tombstone is kept until {format_ms(tomb.expires_ms)}"
    )


def session_details(store: Any, session_id: str) -> dict:
    """Everything stored of one session, JSON-ready: its header, version, the decoded snapshot
    (`snapshot`, or `snapshot_error` when it cannot be decoded) and its size, its timers,
    requests and inbox inputs. AdminError (EXIT_NOT_DONE) when there is no such session."""
    stored = store.load(session_id)
    if stored is None:
        raise AdminError(missing_message(store, session_id))
    details: dict[str, Any] = {
        "id": stored.id,
        "status": stored.status,
        "src": stored.src,
        "parent_id": stored.parent_id,
        "module": stored.module,
        "doc_hash": stored.doc_hash,
        "version": stored.version,
        "created_ms": stored.created_ms,
        "updated_ms": stored.updated_ms,
        "snapshot_bytes": len(stored.snapshot),
    }
    try:
        details["snapshot"] = decode_snapshot(stored.snapshot)
    except ValueError as exc:
        details["snapshot"] = None
        details["snapshot_error"] = str(exc)
    details["timers"] = [dataclasses.asdict(t) for t in store.timers(session_id)]
    details["requests"] = [dataclasses.asdict(r) for r in store.requests(session_id=session_id)]
    details["inbox"] = [{"seq": seq, "event": event} for seq, event in store.inputs(session_id)]
    return details


def _heap_kind(heap: list, ref: Any) -> str:
    entry = heap[ref] if isinstance(ref, int) and 0 <= ref < len(heap) else None
    if not isinstance(entry, dict):
        return "object"
    c = entry.get("c")
    if c == "A":
        return f"array({len(entry.get('e', ()))})"
    if c == "F":
        return "function"
    if c == "J":
        return str(entry.get("k") or "object")
    return "object"


def _value_text(value: Any, heap: list) -> str:
    """A short rendering of one value of the heap encoding (js/heap.py)."""
    if isinstance(value, dict):
        if "$r" in value:
            return _heap_kind(heap, value["$r"])
        if "$u" in value:
            return "undefined"
        if "$n" in value:
            return str(value["$n"])
        if "$int" in value:
            return str(value["$int"])
        if "$i" in value:
            return str(value["$i"])
        if "$g" in value:
            return "the global object"
        if "$h" in value:
            return "(hole)"
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))  # (JavaScript's way: 3, not 3.0)
    return _short(_compact(value), 60)


def _names(items: Any, heap: list) -> str:
    if not isinstance(items, list) or not items:
        return "-"
    parts = []
    for item in items:
        if isinstance(item, list) and len(item) == 2:
            parts.append(f"{item[0]} = {_value_text(item[1], heap)}")
    return ", ".join(parts) or "-"


def snapshot_lines(doc: dict, size: int) -> list[str]:
    """The snapshot's summary: format, chart, configuration, datamodel roots, what is queued."""
    heap = doc.get("heap") if isinstance(doc.get("heap"), list) else []
    raw = len(_compact(doc).encode("utf-8"))
    lines = [f"snapshot:   {size} bytes stored ({raw} bytes of JSON), format {doc.get('v')}, chart {doc.get('chart', '-')} ({doc.get('module', '-')})"]
    config = doc.get("configuration")
    lines.append(f"  configuration: {' '.join(map(str, config)) if isinstance(config, list) and config else '-'}")
    lines.append(f"  datamodel:     {_names(doc.get('data'), heap)}")
    if "vars" in doc:
        lines.append(f"  script vars:   {_names(doc.get('vars'), heap)}")
    history = doc.get("history")
    if isinstance(history, dict) and history:
        lines.append("  history:       " + "; ".join(f"{h}: {' '.join(map(str, ids))}" for h, ids in history.items()))
    for key, label in (("queue", "queued events"), ("timers", "timers"), ("invoked", "invoked"), ("requests", "requests")):
        items = doc.get(key)
        if isinstance(items, list) and items:
            lines.append(f"  {label + ':':<15}{len(items)}")
    lines.append(f"  heap objects:  {len(heap)}")
    return lines


def show_lines(details: dict) -> list[str]:
    """`session_details` as text."""
    d = details
    lines = [
        f"session:    {d['id']}",
        f"status:     {d['status']}",
        f"src:        {d['src'] or '-'}",
        f"parent:     {d['parent_id'] or '-'}",
        f"module:     {d['module'] or '-'}",
        f"doc hash:   {d['doc_hash'] or '-'}",
        f"version:    {d['version']}",
        f"created:    {format_ms(d['created_ms'])}",
        f"updated:    {format_ms(d['updated_ms'])}",
    ]
    if d.get("snapshot") is not None:
        lines.extend(snapshot_lines(d["snapshot"], d["snapshot_bytes"]))
    else:
        lines.append(f"snapshot:   {d['snapshot_bytes']} bytes, cannot be decoded: {d.get('snapshot_error')}")
    lines.append(f"timers:     {len(d['timers'])}")
    for t in d["timers"]:
        lines.append(f"  {t['sendid']}  due {format_ms(t['due_ms'])}  target {t['target']}  {_short(_compact(t['event']))}")
    lines.append(f"requests:   {len(d['requests'])}")
    for r in d["requests"]:
        queue = f"  queue {r['queue_key']}#{r['queue_seq']}" if r["queue_key"] is not None else ""
        extra = f"  next attempt {format_ms(r['next_attempt_ms'])}" if r["next_attempt_ms"] is not None else ""
        deadline = f"  deadline {format_ms(r['deadline_ms'])}" if r["deadline_ms"] is not None else ""
        lines.append(f"  {r['requestid']}  {r['kind']}  {r['state']}  attempts {r['attempts']}{queue}{extra}{deadline}")
    lines.append(f"inbox:      {len(d['inbox'])}")
    for item in d["inbox"]:
        lines.append(f"  #{item['seq']}  {_short(_compact(item['event']))}")
    return lines


# -- resume and drop ------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What `resume` or `drop` did: a message, and whether the store changed."""

    message: str
    changed: bool


def resume(store: Any, session_id: str, force: bool = False) -> Outcome:
    """An orphaned session back to `running` (the server restores it on its next input, and
    orphans it again if its document still differs), or with `force` to `forced` (the server
    restores it with its document as it is now). A session already running (or already forced,
    with `force`) is left as it is; any other state, or no such session, is an AdminError."""
    stored = store.load(session_id)
    if stored is None:
        raise AdminError(missing_message(store, session_id))
    status = stored.status
    if status == "running":
        return Outcome(f"session {session_id} is already running: nothing to do", False)
    if status == "forced" and force:
        return Outcome(f"session {session_id} is already forced: the server restores it with its current document on its next input", False)
    if status != "orphaned":
        hint = " (resume --force was asked already; the server restores it on its next input)" if status == "forced" else ""
        raise AdminError(f"session {session_id} is {status}, not orphaned: nothing to resume{hint}")
    if force:
        store.set_status(session_id, "forced")
        return Outcome(
            f"session {session_id}: forced; the server restores it with its document as it is now on its next input, "
            f"and stores the new document hash with its next commit",
            True,
        )
    store.set_status(session_id, "running")
    return Outcome(
        f"session {session_id}: running again; the server restores it on its next input "
        f"(orphaned again if its document still differs: then resume --force or drop)",
        True,
    )


def drop(store: Any, session_id: str, reason: str = "dropped", ttl_ms: int = 3_600_000) -> Outcome:
    """Remove a stored (or scheduled) session with its timers, requests and inbox, leaving a
    tombstone with `reason`; AdminError when there is no such session."""
    if not reason:
        raise AdminError("--reason: an empty reason", EXIT_STORE)
    if not store.drop(session_id, reason=reason, ttl_ms=ttl_ms):
        raise AdminError(missing_message(store, session_id))
    return Outcome(f"session {session_id}: dropped ({reason}); its tombstone is kept for {ttl_ms // 1000} s", True)


__all__ = [
    "AdminError",
    "EXIT_NOT_DONE",
    "EXIT_OK",
    "EXIT_STORE",
    "Outcome",
    "SessionSummary",
    "decode_snapshot",
    "drop",
    "format_ms",
    "list_lines",
    "list_scheduled",
    "list_sessions",
    "scheduled_json",
    "scheduled_lines",
    "missing_message",
    "open_store",
    "resume",
    "session_details",
    "show_lines",
    "snapshot_lines",
    "store_location",
    "summarize",
]
