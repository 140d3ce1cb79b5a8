"""Keeps durable sessions in Redis or a Redis Cluster (ors-server.md §9.10): one Lua script per commit on the session's hash slot, global indexes beside it.

Key layout (prefix `scxmlc:<cluster>:`, written P below). A session's keys carry its id as a hash
tag, `P{<sid>}:...`, so they share one cluster slot and one Lua script can change them together
(`{`, `}` and `%` in an id are written `%7B`, `%7D`, `%25` inside the tag):

    P{sid}:meta     hash    status module doc_hash src parent version owner epoch created_ms updated_ms
    P{sid}:snap     string  the snapshot
    P{sid}:inbox    stream  inputs; entry id `<seq>-0` (seq from P seq), fields eid, event, t
    P{sid}:timers   hash    sendid -> {"due_ms", "target", "event": "<event JSON text>"}
    P{sid}:reqs     hash    requestid -> the request row (JSON)
    P{sid}:outbox   list    what a commit sends beyond its own slot, until it is delivered
    P{sid}:seen     zset    ids of outbox entries received (score: time), so a redelivery is dropped
    P{sid}:sched    hash    the schedule row of a session that starts later
    P{sid}:tomb     hash    the tombstone (ended_ms reason src expires_ms), with a Redis expiry
    P seq           string  the inbox sequence counter (INCR)
    P schema        string  the schema version
    P sessions      zset    index: stored session ids (score 0, read by lex range)
    P timers        zset    index: member ["<sid>","<sendid>"] (JSON), score due_ms
    P schedule      zset    index: member sid, score due_ms
    P requests      hash    index: requestid -> sid
    P tombs         zset    index: member sid, score expires_ms
    P epoch         string  the host epoch counter (INCR at each host's registration)
    P hosts         hash    host id -> {"url", "heartbeat_ms", "epoch"[, "dead", "dead_ms"]} (JSON)
    P owned:<host>  set     index: the sessions (and schedule rows) a host owns
    P wake:<host>   channel PUBLISH <sid>: an input waits in a session that host owns
    P ixn:<g_uid>   string  the interaction bridge's index: the session an interaction was reported for (expires)
    P ixnreq:<rid>  string  the interaction bridge's index: the session of an ixn: request sent to the platform (expires)

A commit is one Lua script on the session's slot: it checks the version (and, when the store was
given a host identity, the session's owner and epoch), then writes meta, snap, timers and
requests, trims the consumed inbox entries and appends what goes to other sessions (local events,
schedule rows) to the session's outbox, or, for a session that ended, deletes its keys and writes
its tombstone. A mismatch raises StaleVersion and changes nothing. Right after the script, in
the same call, the global indexes are updated in a pipeline and the outbox is delivered: each
entry goes to its target's slot (by a script there, which drops an entry it has seen already)
and is then removed from the outbox. The indexes and the outbox delivery can be cut short by a
crash; `sweep_indexes()` (run by `open()`, and every `index_sweep_s` by a background thread)
rebuilds the indexes from the per-session keys and delivers what outboxes still hold, so such a
crash costs a little delay, never a lost or doubled input.

Several hosts (ors-server.md §9.10): a host registers (`register_host`: a new epoch, its entry
in P hosts, heartbeats after that), owns the sessions it starts (meta owner/epoch, set P
owned:<host>), and claims a dead host's sessions one by one with a compare-and-set on owner and
epoch (`claim`), which fences the dead host: its commits fail from then on. An input appended to
a session owned by another host (or another epoch of this one) is announced by the append
script itself on P wake:<owner>. Heartbeats and a host's death are judged on Redis's clock
(TIME), never on the hosts' own.

The `redis` package (redis-py) is imported when a RedisStore is made, not with this module.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import uuid
import zlib
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable, Iterable, NamedTuple
from urllib.parse import urlsplit, urlunsplit

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

log = logging.getLogger(__name__)

CLUSTER_SCHEMES = ("redis+cluster", "rediss+cluster")
URL_SCHEMES = ("redis", "rediss", "unix", *CLUSTER_SCHEMES)
CLUSTER_NAME = re.compile(r"^[A-Za-z0-9_.\-]{1,100}$")
MIN_REDIS = (6, 2)  # XTRIM MINID
SESSION_PARTS = ("meta", "snap", "inbox", "timers", "reqs", "outbox", "seen", "tomb", "sched")
SEEN_WINDOW_MS = 86_400_000  # how long a received outbox entry id is remembered
INSTALL_HINT = "the Redis store needs the redis package: pip install 'scxmlc[redis]'"


# ---------------------------------------------------------------------------------------------
# URLs


def parse_url(url: Any) -> tuple[bool, str]:
    """(cluster mode, the URL redis-py takes) of a store URL, or ValueError saying what is wrong.

    `redis://[[user]:password@]host[:port][/db]`, `rediss://...` (TLS), `unix:///path?db=N`: one
    Redis server. `redis+cluster://[[user]:password@]host:port` (`rediss+cluster://` with TLS):
    a Redis Cluster, reached through any one of its nodes (database 0 only)."""
    if not isinstance(url, str) or not url:
        raise ValueError(f"a Redis URL must be a non-empty string, not {url!r}")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if "://" not in url or scheme not in URL_SCHEMES:
        raise ValueError(
            f"{safe_url(url)} is not a Redis URL: expected redis://HOST:PORT/DB, rediss://..., unix:///PATH or redis+cluster://HOST:PORT"
        )
    if scheme != "unix" and not parts.hostname:
        raise ValueError(f"{safe_url(url)}: no host (expected {scheme}://HOST:PORT)")
    if scheme == "unix" and not parts.path:
        raise ValueError(f"{safe_url(url)}: no socket path (expected unix:///PATH/TO/redis.sock)")
    try:
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        raise ValueError(f"{safe_url(url)}: bad port") from None
    db = parts.path.strip("/") if scheme != "unix" else ""
    if db and not db.isdigit():
        raise ValueError(f"{safe_url(url)}: the path must be a database number, not {parts.path!r}")
    cluster = scheme in CLUSTER_SCHEMES
    if cluster:
        if db not in ("", "0") or "db=" in parts.query:
            raise ValueError(f"{safe_url(url)}: a Redis Cluster has database 0 only")
        base = scheme.split("+", 1)[0]
        return True, urlunsplit((base, parts.netloc, parts.path, parts.query, parts.fragment))
    return False, url


def safe_url(url: Any) -> str:
    """The URL without its password, for messages and logs."""
    try:
        parts = urlsplit(str(url))
        if parts.password is None:
            return str(url)
        user = parts.username or ""
        host = parts.netloc.rsplit("@", 1)[1]
        return urlunsplit((parts.scheme, f"{user}:***@{host}", parts.path, parts.query, parts.fragment))
    except ValueError:
        return "<a Redis URL>"


def check_cluster_name(name: Any) -> str:
    if not isinstance(name, str) or not CLUSTER_NAME.match(name):
        raise ValueError(f"the cluster name must be 1-100 of A-Z a-z 0-9 _ . - (it goes into every key), not {name!r}")
    return name


def _import_redis():
    try:
        import redis
        import redis.cluster  # noqa: F401
    except ImportError as exc:
        raise StoreError(f"{INSTALL_HINT} ({exc})") from None
    return redis


# ---------------------------------------------------------------------------------------------
# Lua. Every per-session script gets the session's keys in SESSION_PARTS order, and numbers as
# decimal strings (Lua's doubles would print large ones in exponent form).

_PRELUDE = """
local META, SNAP, INBOX, TIMERS, REQS, OUTBOX, SEEN, TOMB, SCHED = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9]
local function live_tomb(now)
  local t = redis.call('HMGET', TOMB, 'expires_ms', 'reason')
  if t[1] and tonumber(t[1]) > now then return t[2] end
  return false
end
local function chunked(cmd, key, list)
  for i = 1, #list, 500 do
    redis.call(cmd, key, unpack(list, i, math.min(i + 499, #list)))
  end
end
local function xadd(seq, eid, event, now)
  local r = redis.pcall('XADD', INBOX, seq .. '-0', 'eid', eid, 'event', event, 't', now)
  if type(r) == 'table' and r.err then
    if not string.find(r.err, 'equal or smaller') then return error(r.err) end
    local info = redis.call('XINFO', 'STREAM', INBOX)
    for i = 1, #info, 2 do
      if info[i] == 'last-generated-id' then return info[i + 1] end
    end
    return '0-0'
  end
  return false
end
local function remember(eid, now, cutoff, ttl)
  redis.call('ZADD', SEEN, now, eid)
  redis.call('ZREMRANGEBYSCORE', SEEN, '-inf', '(' .. cutoff)
  redis.call('PEXPIRE', SEEN, ttl)
end
"""

# ARGV: now, ttl, seq, eid, event, dedup ('1': an outbox entry), cutoff, wake channel prefix,
# this host's id and epoch ('' without an identity), the session id. The owner of the session
# hears of the input on its wake channel unless it is this host at this epoch.
_APPEND = """
local now = tonumber(ARGV[1])
local reason = live_tomb(now)
if reason then return {'ended', reason} end
if ARGV[6] == '1' and redis.call('ZSCORE', SEEN, ARGV[4]) then return {'dup'} end
local last = xadd(ARGV[3], ARGV[4], ARGV[5], ARGV[1])
if last then return {'retry', last} end
if ARGV[6] == '1' then remember(ARGV[4], ARGV[1], ARGV[7], ARGV[2]) end
redis.call('PEXPIRE', INBOX, ARGV[2])
local o = redis.call('HMGET', META, 'owner', 'epoch')
if o[1] and o[1] ~= '' and (o[1] ~= ARGV[9] or o[2] ~= ARGV[10]) then
  redis.call('PUBLISH', ARGV[8] .. o[1], ARGV[11])
end
return {'ok', o[1] or ''}
"""

# ARGV: now, ttl, seq, sendid, eid
_FIRE = """
local row = redis.call('HGET', TIMERS, ARGV[4])
if not row then return {'gone'} end
local reason = live_tomb(tonumber(ARGV[1]))
if reason then
  redis.call('HDEL', TIMERS, ARGV[4])
  return {'ended', reason}
end
local last = xadd(ARGV[3], ARGV[5], cjson.decode(row).event, ARGV[1])
if last then return {'retry', last} end
redis.call('HDEL', TIMERS, ARGV[4])
redis.call('PEXPIRE', INBOX, ARGV[2])
return {'ok'}
"""

# ARGV: now, ttl, payload (JSON), snapshot, host id ('' for none), epoch, tombstone's Redis ttl
_COMMIT = """
local p = cjson.decode(ARGV[3])
local now = tonumber(ARGV[1])
if p.start and redis.call('EXISTS', SCHED) == 0 then return {'nosched'} end
local m = redis.call('HMGET', META, 'version', 'src', 'owner', 'epoch')
if not p.e then
  if m[1] then return {'exists', m[1]} end
  local reason = live_tomb(now)
  if reason then return {'ended', reason} end
else
  if not m[1] then return {'missing'} end
  if m[1] ~= p.e then return {'moved', m[1]} end
  if ARGV[5] ~= '' and (m[3] ~= ARGV[5] or m[4] ~= ARGV[6]) then return {'owner', m[3] or '', m[4] or ''} end
end
if p.start then redis.call('DEL', SCHED) end
if not p.e then redis.call('DEL', TOMB) end
if not p['end'] then
  local f = {'status', p.st, 'version', p.nv, 'updated_ms', ARGV[1]}
  if not m[1] then
    for _, v in ipairs({'created_ms', ARGV[1], 'module', p.mod, 'doc_hash', p.dh}) do f[#f + 1] = v end
    if ARGV[5] ~= '' then
      for _, v in ipairs({'owner', ARGV[5], 'epoch', ARGV[6]}) do f[#f + 1] = v end
    end
  else
    if p.mod ~= '' then f[#f + 1] = 'module'; f[#f + 1] = p.mod end
    if p.dh ~= '' then f[#f + 1] = 'doc_hash'; f[#f + 1] = p.dh end
  end
  if p.src then f[#f + 1] = 'src'; f[#f + 1] = p.src end
  if p.par then f[#f + 1] = 'parent'; f[#f + 1] = p.par end
  redis.call('HSET', META, unpack(f))
  redis.call('SET', SNAP, ARGV[4])
end
if p.up then redis.call('XTRIM', INBOX, 'MINID', p.up) end
if p.td then chunked('HDEL', TIMERS, p.td) end
if p.tp then chunked('HSET', TIMERS, p.tp) end
if p.rd then chunked('HDEL', REQS, p.rd) end
if p.rp then chunked('HSET', REQS, p.rp) end
if p.ob then
  chunked('RPUSH', OUTBOX, p.ob)
  redis.call('PEXPIRE', OUTBOX, ARGV[2])
end
if p['end'] then
  local rt = redis.call('HKEYS', TIMERS)
  local rr = redis.call('HKEYS', REQS)
  redis.call('DEL', META, SNAP, INBOX, TIMERS, REQS, SEEN)
  local t = {'ended_ms', ARGV[1], 'reason', p['end'], 'expires_ms', p.exp}
  local src = p.src or m[2]
  if src then t[#t + 1] = 'src'; t[#t + 1] = src end
  redis.call('HSET', TOMB, unpack(t))
  redis.call('PEXPIRE', TOMB, ARGV[7])
  return {'ok', '0', rt, rr}
end
for i = 1, 7 do
  if i ~= 6 then redis.call('PEXPIRE', KEYS[i], ARGV[2]) end
end
return {'ok', p.nv, {}, {}}
"""

# ARGV: now, reason, expires_ms, tombstone's Redis ttl
_DROP = """
local m = redis.call('HMGET', META, 'version', 'src', 'owner')
local s = redis.call('HMGET', SCHED, 'due_ms', 'src', 'owner')
local rt = redis.call('HKEYS', TIMERS)
local rr = redis.call('HKEYS', REQS)
local owners = {m[3] or '', s[3] or ''}
redis.call('DEL', META, SNAP, INBOX, TIMERS, REQS, SEEN, SCHED)
if not m[1] and not s[1] then return {0, rt, rr, owners} end
local src = m[2]
if not m[1] then src = s[2] end
local t = {'ended_ms', ARGV[1], 'reason', ARGV[2], 'expires_ms', ARGV[3]}
if src then t[#t + 1] = 'src'; t[#t + 1] = src end
redis.call('HSET', TOMB, unpack(t))
redis.call('PEXPIRE', TOMB, ARGV[4])
return {1, rt, rr, owners}
"""

# ARGV: now, session ttl, 'put'|'del', sched ttl, eid ('' outside an outbox), cutoff, fields...
_SCHED = """
if ARGV[5] ~= '' and redis.call('ZSCORE', SEEN, ARGV[5]) then return 'dup' end
redis.call('DEL', SCHED)
if ARGV[3] == 'put' then
  redis.call('HSET', SCHED, unpack(ARGV, 7, #ARGV))
  redis.call('PEXPIRE', SCHED, ARGV[4])
end
if ARGV[5] ~= '' then remember(ARGV[5], ARGV[1], ARGV[6], ARGV[2]) end
return 'ok'
"""

# ARGV: status, now
_STATUS = """
if redis.call('EXISTS', META) == 0 then return 0 end
redis.call('HSET', META, 'status', ARGV[1], 'updated_ms', ARGV[2])
return 1
"""

_LOAD = """
return {redis.call('HGETALL', META), redis.call('GET', SNAP)}
"""

# ARGV: requestid, the row as read, the new row
_REQUEST_CAS = """
local row = redis.call('HGET', REQS, ARGV[1])
if not row then return -1 end
if row ~= ARGV[2] then return 0 end
redis.call('HSET', REQS, ARGV[1], ARGV[3])
return 1
"""

# ARGV: now
_PURGE_TOMB = """
local e = redis.call('HGET', TOMB, 'expires_ms')
if e and tonumber(e) <= tonumber(ARGV[1]) then redis.call('DEL', TOMB) end
return 1
"""

# On one global key. ARGV: member, now: remove it when its score is still <= now.
_ZREM_UPTO = """
local s = redis.call('ZSCORE', KEYS[1], ARGV[1])
if s and tonumber(s) <= tonumber(ARGV[2]) then redis.call('ZREM', KEYS[1], ARGV[1]) return 1 end
return 0
"""

# On the sequence counter. ARGV: a sequence number it must reach.
_BUMP = """
local c = tonumber(redis.call('GET', KEYS[1]) or '0')
if c < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1]) end
return 1
"""


# A claim, on the session's slot. ARGV: the owner and epoch it must still have, the new ones.
# The session's header (meta) carries the owner; a session that has not started, its schedule
# row (sched).
_CLAIM = """
local key = META
if redis.call('EXISTS', META) == 0 then
  if redis.call('EXISTS', SCHED) == 0 then return {'gone'} end
  key = SCHED
end
local o = redis.call('HMGET', key, 'owner', 'epoch')
if (o[1] or '') ~= ARGV[1] or (o[2] or '') ~= ARGV[2] then return {'lost', o[1] or '', o[2] or ''} end
redis.call('HSET', key, 'owner', ARGV[3], 'epoch', ARGV[4])
return {'won', redis.call('LLEN', OUTBOX)}
"""

# The hosts' scripts run on P hosts (KEYS[1]) and judge time by Redis's clock.
_HOSTS_PRELUDE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local now_s = string.format('%.0f', now)
local function entry(url, epoch)
  return cjson.encode({url = url, heartbeat_ms = now_s, epoch = epoch})
end
"""

# ARGV: host id, url, epoch. Returns now, the entry it replaced ('' for none).
_HOST_PUT = """
local prev = redis.call('HGET', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[1], ARGV[1], entry(ARGV[2], ARGV[3]))
return {now_s, prev or ''}
"""

# ARGV: host id, url, epoch, lease ms. 'ok' (renewed), 'fenced' (declared dead, or the entry is
# gone: register again), 'duplicate' (another live process registered this host id since).
_HEARTBEAT = """
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return {'fenced', now_s, ''} end
local e = cjson.decode(raw)
if e.epoch == ARGV[3] then
  if e.dead then return {'fenced', now_s, raw} end
  redis.call('HSET', KEYS[1], ARGV[1], entry(ARGV[2], ARGV[3]))
  return {'ok', now_s, ''}
end
if not e.dead and now - tonumber(e.heartbeat_ms) < tonumber(ARGV[4]) then return {'duplicate', now_s, raw} end
return {'fenced', now_s, raw}
"""

_HOSTS_READ = """
return {now_s, redis.call('HGETALL', KEYS[1])}
"""

# ARGV: host id, epoch, lease ms. 'declared' (dead now), 'dead' (already), 'live' (its heartbeat is recent),
# 'moved' (the host registered again since: that epoch is over), 'gone' (no entry).
_DECLARE_DEAD = """
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return 'gone' end
local e = cjson.decode(raw)
if e.epoch ~= ARGV[2] then return 'moved' end
if e.dead then return 'dead' end
if now - tonumber(e.heartbeat_ms) < tonumber(ARGV[3]) then return 'live' end
e.dead = '1'
e.dead_ms = now_s
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(e))
return 'declared'
"""

# ARGV: host id, epoch, and 'retire' (mark it dead: it stops) or 'forget' (remove a dead entry).
_HOST_END = """
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return 0 end
local e = cjson.decode(raw)
if e.epoch ~= ARGV[2] then return 0 end
if ARGV[3] == 'forget' then
  if not e.dead then return 0 end
  redis.call('HDEL', KEYS[1], ARGV[1])
  return 1
end
e.dead = '1'
e.dead_ms = now_s
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(e))
return 1
"""


# The bridge index's compare-and-delete: KEYS[1] goes only while it still names session ARGV[1].
_UNLINK_IF = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

BRIDGE_KEYS = {"interaction": "ixn:", "request": "ixnreq:"}
"""The interaction bridge's index (server/cluster.py): kind -> the key name's prefix."""


class HostEntry(NamedTuple):
    """A host's registration in P hosts: where it answers, its last heartbeat (Redis's clock),
    its epoch, and whether another host (or itself, stopping) declared it dead."""

    host_id: str
    url: str
    heartbeat_ms: int
    epoch: int
    dead: bool
    dead_ms: int = 0  # when it was declared dead (Redis's clock)


class Owner(NamedTuple):
    """Who owns a stored session (`kind` "session") or a schedule row (`kind` "scheduled"):
    `owner` "" and `epoch` None when nobody does (stored without a host identity)."""

    owner: str
    epoch: int | None
    kind: str
    src: str | None


def _host_entry(host_id: str, raw: Any) -> HostEntry | None:
    try:
        d = json.loads(raw)
        return HostEntry(host_id, str(d["url"]), int(d["heartbeat_ms"]), int(d["epoch"]), bool(d.get("dead")), int(d.get("dead_ms") or 0))
    except (ValueError, KeyError, TypeError):
        log.error("the hosts entry of %s is damaged: %r", host_id, raw[:200] if raw else raw)
        return None


HOST_ID = re.compile(r"^[A-Za-z0-9_.:\-]{1,200}$")


def check_host_id(host_id: Any) -> str:
    """A host id goes into key and channel names: 1-200 of A-Z a-z 0-9 _ . : -"""
    if not isinstance(host_id, str) or not HOST_ID.match(host_id):
        raise ValueError(f"a host id must be 1-200 of A-Z a-z 0-9 _ . : - (it goes into key names), not {host_id!r}")
    return host_id


def _tag(sid: str) -> str:
    return sid.replace("%", "%25").replace("{", "%7B").replace("}", "%7D")


def _untag(tag: str) -> str:
    return tag.replace("%7D", "}").replace("%7B", "{").replace("%25", "%")


def _s(value: Any) -> str | None:
    return None if value is None else value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _i(value: Any) -> int | None:
    return None if value is None else int(value)


def _timer_member(sid: str, sendid: str) -> str:
    return json.dumps([sid, sendid], separators=(",", ":"))


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _request_json(r: RequestRec) -> str:
    return _json(r._asdict())


def _seq_of(entry_id: bytes | str) -> int:
    return int(_s(entry_id).split("-", 1)[0])  # type: ignore[union-attr]


class RedisStore:
    """A SessionStore in Redis (ors-server.md §9.10), one server or a Redis Cluster.

    `url`: see `parse_url` (`redis+cluster://HOST:PORT` for a cluster). `cluster`: the name in the
    key prefix `scxmlc:<cluster>:`, so several deployments can share one Redis. `host_id` and
    `epoch` (both or neither): this host's identity; when given, a commit also checks that the
    session is owned by this host at this epoch, and a new session is stored as owned by it.
    `session_max_idle_s`: the expiry of a session's keys, renewed by every commit.
    `index_sweep_s`: how often a background thread runs `sweep_indexes()` (0: only in `open()`).
    `writers`: threads that run `submit()`ted commits (a session's commits always go to the
    same one, in order). `clock` returns milliseconds (default time.time() * 1000); it stamps
    the records and decides whether a tombstone is live. `tombstone_grace_ms`: how long after
    its expiry by that clock a tombstone's key stays in Redis (its Redis expiry counts Redis's
    own time). `create=False`: `open()` refuses a cluster name under which no store exists
    (its schema key is missing) instead of starting one there (`scxmlc sessions`).
    """

    blocking = True  # every call is a round trip to Redis

    def __init__(
        self,
        url: str,
        cluster: str = "default",
        *,
        host_id: str | None = None,
        epoch: int | None = None,
        session_max_idle_s: float = 2_592_000,
        index_sweep_s: float = 60.0,
        writers: int = 4,
        clock: MsClock | None = None,
        tombstone_grace_ms: int = 60_000,
        socket_timeout_s: float = 30.0,
        create: bool = True,
    ) -> None:
        self.cluster_mode, self._client_url = parse_url(url)
        self.create = create
        self.url = safe_url(url)
        self.cluster = check_cluster_name(cluster)
        if (host_id is None) != (epoch is None):
            raise ValueError("host_id and epoch go together: give both, or neither")
        if host_id is not None:
            check_host_id(host_id)
            check_count(epoch, "epoch")
        if isinstance(session_max_idle_s, bool) or not isinstance(session_max_idle_s, (int, float)) or not session_max_idle_s > 0:
            raise ValueError(f"session_max_idle_s must be a positive number of seconds, not {session_max_idle_s!r}")
        if isinstance(index_sweep_s, bool) or not isinstance(index_sweep_s, (int, float)) or index_sweep_s < 0:
            raise ValueError(f"index_sweep_s must be a number of seconds, 0 or more, not {index_sweep_s!r}")
        if isinstance(writers, bool) or not isinstance(writers, int) or not 1 <= writers <= 64:
            raise ValueError(f"writers must be an integer from 1 to 64, not {writers!r}")
        check_count(tombstone_grace_ms, "tombstone_grace_ms")
        self._identity: tuple[str, int] | None = None if host_id is None else (host_id, epoch)  # type: ignore[assignment]
        self.session_max_idle_ms = max(1, int(session_max_idle_s * 1000))
        self.index_sweep_s = float(index_sweep_s)
        self.tombstone_grace_ms = tombstone_grace_ms
        self.socket_timeout_s = socket_timeout_s
        self._writers_count = writers
        self._clock = clock or default_clock
        self._redis = _import_redis()
        self._errors = (self._redis.exceptions.RedisError, self._redis.exceptions.RedisClusterException)
        self.prefix = f"scxmlc:{self.cluster}:"
        self._lifecycle = threading.Lock()
        self._client: Any = None
        self._scripts: dict[str, Any] = {}
        self._writers: list[ThreadPoolExecutor] = []
        self._thread_prefix = f"scxmlc-redis-{uuid.uuid4().hex[:8]}"
        self._sweeper: threading.Thread | None = None
        self._stop_sweeper = threading.Event()
        self.durability_warnings: list[str] = []

    def __repr__(self) -> str:
        return f"RedisStore({self.url!r}, cluster={self.cluster!r})"

    @property
    def host_id(self) -> str | None:
        """This host's id (None without an identity)."""
        return None if self._identity is None else self._identity[0]

    @property
    def epoch(self) -> int | None:
        """This host's epoch (None without an identity); `register_host` takes a new one."""
        return None if self._identity is None else self._identity[1]

    # -- keys

    def _key(self, name: str) -> str:
        return self.prefix + name

    def _keys(self, sid: str) -> list[str]:
        base = f"{self.prefix}{{{_tag(sid)}}}:"
        return [base + part for part in SESSION_PARTS]

    def _part(self, sid: str, part: str) -> str:
        return f"{self.prefix}{{{_tag(sid)}}}:{part}"

    def _sid_of(self, key: bytes | str) -> tuple[str, str] | None:
        """(session id, part) of a per-session key, or None for another key."""
        text = _s(key)
        if text is None or not text.startswith(self.prefix + "{"):
            return None
        rest = text[len(self.prefix) + 1 :]
        tag, sep, part = rest.partition("}:")
        if not sep or "{" in tag or "}" in tag or part not in SESSION_PARTS:
            return None
        return _untag(tag), part

    # -- lifecycle

    def open(self) -> None:
        """Connect, check the server (version, schema, durability settings), rebuild the global
        indexes and deliver what outboxes hold (`sweep_indexes`), and start the writer threads."""
        with self._lifecycle:
            if self._client is not None:
                return
            client = self._connect()
            try:
                self._check_server(client)
                self._client = client
                self._scripts = {
                    name: client.register_script(
                        (_PRELUDE if name not in ("zrem_upto", "bump") and not name.startswith("host") else _HOSTS_PRELUDE if name.startswith("host") else "") + text
                    )
                    for name, text in (
                        ("append", _APPEND),
                        ("fire", _FIRE),
                        ("commit", _COMMIT),
                        ("drop", _DROP),
                        ("sched", _SCHED),
                        ("status", _STATUS),
                        ("load", _LOAD),
                        ("request_cas", _REQUEST_CAS),
                        ("purge_tomb", _PURGE_TOMB),
                        ("zrem_upto", _ZREM_UPTO),
                        ("bump", _BUMP),
                        ("claim", _CLAIM),
                        ("host_put", _HOST_PUT),
                        ("host_beat", _HEARTBEAT),
                        ("host_read", _HOSTS_READ),
                        ("host_declare", _DECLARE_DEAD),
                        ("host_end", _HOST_END),
                    )
                }
                self._writers = [
                    ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"{self._thread_prefix}-w{i}") for i in range(self._writers_count)
                ]
                self.sweep_indexes()
            except BaseException as exc:
                self._shutdown(client)
                if isinstance(exc, self._errors):
                    raise StoreError(f"Redis store {self.url}: {exc}") from None
                raise
            if self.index_sweep_s > 0:
                self._stop_sweeper = threading.Event()
                self._sweeper = threading.Thread(
                    target=self._sweep_loop, args=(self._stop_sweeper,), name=f"{self._thread_prefix}-sweeper", daemon=True
                )
                self._sweeper.start()

    def close(self) -> None:
        """Finish the submitted commits, stop the threads, disconnect. Idempotent."""
        if threading.current_thread().name.startswith(self._thread_prefix):
            raise StoreError("RedisStore.close() called from one of the store's own threads (a Future callback): it would wait for itself")
        with self._lifecycle:
            if self._client is None:
                return
            self._shutdown(self._client)

    def _shutdown(self, client: Any) -> None:
        self._stop_sweeper.set()
        if self._sweeper is not None:
            self._sweeper.join()
            self._sweeper = None
        for writer in self._writers:
            writer.shutdown(wait=True)
        self._writers = []
        self._client = None
        try:
            client.close()
        except Exception:  # noqa: BLE001 - closing a broken connection must not hide why
            pass

    def __enter__(self) -> RedisStore:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _connect(self) -> Any:
        r = self._redis
        options = dict(socket_connect_timeout=5.0, socket_timeout=self.socket_timeout_s, decode_responses=False)
        try:
            if self.cluster_mode:
                client = r.cluster.RedisCluster.from_url(self._client_url, **options)
            else:
                client = r.Redis.from_url(self._client_url, **options)
            client.ping()
        except (*self._errors, OSError, ValueError) as exc:
            raise StoreError(f"cannot reach Redis at {self.url}: {exc}") from None
        return client

    def _nodes(self, client: Any) -> list[tuple[str, Any]]:
        """(name, a plain client) of each server holding data: the primaries of a cluster."""
        if not self.cluster_mode:
            return [(self.url, client)]
        return [(f"{n.host}:{n.port}", client.get_redis_connection(n)) for n in client.get_primaries()]

    def _check_server(self, client: Any) -> None:
        r = self._redis
        self.durability_warnings = []
        for name, node in self._nodes(client):
            try:
                version = _s(node.info("server").get("redis_version")) or ""
            except r.exceptions.ResponseError:
                version = ""  # (INFO not allowed: the commands below tell soon enough)
            numbers = tuple(int(x) for x in re.findall(r"\d+", version)[:2])
            if numbers and numbers < MIN_REDIS:
                raise StoreError(f"Redis at {name} is version {version}; the Redis store needs {'.'.join(map(str, MIN_REDIS))} or later")
            self._check_durability(name, node)
        key = self._key("schema")
        if self.create:
            client.set(key, str(SCHEMA_VERSION), nx=True)
        found = _s(client.get(key))
        if found is None and not self.create:
            raise StoreError(f"no session store under the cluster name {self.cluster!r} (no key {key}): give the --cluster the server runs with")
        if found is None or not found.isdigit():
            raise StoreError(f"Redis store {self.url} (cluster {self.cluster}) is damaged: {key} is {found!r}, not a schema version")
        if int(found) > SCHEMA_VERSION:
            raise StoreError(
                f"Redis store {self.url} (cluster {self.cluster}) has schema version {found}, newer than this "
                f"scxmlc_runtime understands ({SCHEMA_VERSION}): upgrade scxmlc, or use another cluster name"
            )
        if int(found) < SCHEMA_VERSION:
            raise StoreError(
                f"Redis store {self.url} (cluster {self.cluster}) has schema version {found}, and no migration to {SCHEMA_VERSION} exists"
            )

    def _check_durability(self, name: str, node: Any) -> None:
        """§9.10: G2 (an acknowledged input is durable) holds only with AOF and appendfsync
        always. A warning (logged, and kept in durability_warnings) when it is not so."""
        r = self._redis
        try:
            config = node.config_get("append*")
            aof = _s(config.get("appendonly", config.get(b"appendonly")))
            fsync = _s(config.get("appendfsync", config.get(b"appendfsync")))
        except r.exceptions.ResponseError as exc:
            self._warn(
                f"Redis at {name}: cannot read its durability settings (CONFIG GET is not permitted: {exc}); "
                "make sure it runs with appendonly yes and appendfsync always, or acknowledged inputs may be lost in a Redis crash (guarantee G2)"
            )
            return
        if aof != "yes":
            self._warn(
                f"Redis at {name} runs without an append-only file (appendonly {aof}): acknowledged inputs since its last "
                "snapshot may be lost in a Redis crash; guarantee G2 needs appendonly yes and appendfsync always"
            )
        elif fsync != "always":
            self._warn(
                f"Redis at {name} runs with appendfsync {fsync}, not always: about a second of acknowledged inputs "
                "may be lost in a Redis crash; guarantee G2 needs appendfsync always"
            )

    def _warn(self, message: str) -> None:
        self.durability_warnings.append(message)
        log.warning("%s", message)

    def _sweep_loop(self, stop: threading.Event) -> None:
        while not stop.wait(self.index_sweep_s):
            try:
                self.sweep_indexes()
            except Exception:  # noqa: BLE001 - the next round tries again
                log.exception("Redis store %s: index sweep failed", self.url)

    # -- plumbing

    def _c(self) -> Any:
        client = self._client
        if client is None:
            raise StoreError(f"Redis store {self.url} is not open")
        return client

    def _now(self) -> int:
        return now_from(self._clock)

    def _run(self, fn: Callable[[], Any]) -> Any:
        """Redis errors as StoreError (a lost connection, a refused command)."""
        try:
            return fn()
        except self._errors as exc:
            raise StoreError(f"Redis store {self.url}: {exc}") from exc

    def _script(self, name: str, sid: str, args: Iterable[Any]) -> Any:
        return self._scripts[name](keys=self._keys(sid), args=list(args), client=self._c())

    def _pipeline(self) -> Any:
        return self._c().pipeline(transaction=False)

    def _cutoff(self, now: int) -> str:
        return str(now - SEEN_WINDOW_MS)

    def _wake_args(self, sid: str) -> list[str]:
        """The append script's last arguments: whom not to wake (this host at this epoch)."""
        identity = self._identity
        me, epoch = ("", "") if identity is None else (identity[0], str(identity[1]))
        return [self._key("wake:"), me, epoch, sid]

    def _next_seqs(self, count: int) -> list[int]:
        top = self._c().incrby(self._key("seq"), count)
        return list(range(top - count + 1, top + 1))

    def _xadd(self, name: str, sid: str, make_args: Callable[[int], list]) -> list:
        """Run a script that appends to `sid`'s inbox with a fresh sequence number; when another
        writer got a later number into that inbox first, take a new one."""
        seq = self._next_seqs(1)[0]
        for _attempt in range(100):
            result = self._script(name, sid, make_args(seq))
            if _s(result[0]) != "retry":
                return [seq, *result]
            # (the counter may be behind that inbox only if the counter key was lost: move it on)
            self._scripts["bump"](keys=[self._key("seq")], args=[str(_seq_of(result[1]))], client=self._c())
            seq = self._next_seqs(1)[0]
        raise StoreError(f"Redis store {self.url}: could not append to the inbox of {sid!r} (its sequence numbers keep moving)")

    # -- writes

    def append_input(self, session_id: str, event: dict) -> InputRef:
        check_id(session_id, "session_id")
        encoded = encode_json(event, f"input for session {session_id!r}")

        def work() -> InputRef:
            now = self._now()
            eid = uuid.uuid4().hex
            seq, status, *rest = self._xadd(
                "append", session_id, lambda s: [str(now), str(self.session_max_idle_ms), str(s), eid, encoded, "0", self._cutoff(now), *self._wake_args(session_id)]
            )
            if _s(status) == "ended":
                raise StoreError(ended_input(session_id, self._tomb_for_message(rest[0])))
            return InputRef(session_id, seq, eid)

        return self._run(work)

    @staticmethod
    def _tomb_for_message(reason: Any) -> Tombstone:
        return Tombstone("", 0, _s(reason) or "", None, 0)

    def commit(self, batch: CommitBatch) -> int:
        p = prepare_batch(batch)
        return self._run(lambda: self._commit(p))

    def submit(self, batch: CommitBatch) -> Future:
        """`commit` on a writer thread: the Future resolves to the new version, or raises
        StaleVersion / StoreError. The batch is checked (and copied) now, so a ValueError comes
        from this call. A session's commits run in the order they were submitted."""
        p = prepare_batch(batch)
        self._c()
        writers = self._writers
        if not writers:
            raise StoreError(f"Redis store {self.url} is not open")
        writer = writers[zlib.crc32(p.session_id.encode("utf-8", "surrogatepass")) % len(writers)]
        try:
            return writer.submit(self._run, lambda: self._commit(p))
        except RuntimeError:  # shut down meanwhile
            raise StoreError(f"Redis store {self.url} is not open") from None

    def _payload(self, p: PreparedBatch, start: bool = False, notify: tuple[str, str] | None = None) -> tuple[dict, list[str]]:
        """The commit script's payload, and the outbox entries (JSON) it appends."""
        d: dict[str, Any] = {"st": p.status, "mod": p.module, "dh": p.doc_hash}
        d["nv"] = "1" if p.expected_version is None else str(p.expected_version + 1)
        if p.expected_version is not None:
            d["e"] = str(p.expected_version)
        if p.src is not None:
            d["src"] = p.src
        if p.parent_id is not None:
            d["par"] = p.parent_id
        if start:
            d["start"] = "1"
        if p.consumed_upto_seq is not None:
            d["up"] = f"{p.consumed_upto_seq + 1}-0"
        if p.timers_del:
            d["td"] = list(p.timers_del)
        if p.timers_put:
            d["tp"] = [x for t in p.timers_put for x in (t.sendid, _json({"due_ms": t.due_ms, "target": t.target, "event": t.event}))]
        if p.requests_del:
            d["rd"] = list(p.requests_del)
        if p.requests_put:
            d["rp"] = [x for r in p.requests_put for x in (r.requestid, _request_json(r))]
        # Each outbox entry has an id of its own, by which its target drops a second delivery.
        outbox = [_json({"k": "e", "to": target, "id": uuid.uuid4().hex, "ev": event}) for target, event in p.local_events]
        for sid in p.schedule_del:
            outbox.append(_json({"k": "sd", "to": sid, "id": uuid.uuid4().hex}))
        for s in p.schedule_put:
            outbox.append(_json({"k": "sp", "to": s.session_id, "id": uuid.uuid4().hex, "row": list(s)}))
        if notify is not None:
            outbox.append(_json({"k": "e", "to": notify[0], "id": uuid.uuid4().hex, "ev": notify[1]}))
        if outbox:
            d["ob"] = outbox
        if p.ended:
            d["end"] = p.ended_reason
            d["exp"] = None  # filled in with the time of the call
        return d, outbox

    def _commit(self, p: PreparedBatch, start: ScheduleRec | None = None, notify: tuple[str, str] | None = None) -> int:
        sid = p.session_id
        payload, outbox = self._payload(p, start is not None, notify)
        now = self._now()
        if p.ended:
            payload["exp"] = str(now + p.tombstone_ttl_ms)
        identity = self._identity  # (read once: a new registration may change it meanwhile)
        result = self._script(
            "commit",
            sid,
            [
                str(now),
                str(self.session_max_idle_ms),
                _json(payload),
                p.snapshot or b"",
                "" if identity is None else identity[0],
                "" if identity is None else str(identity[1]),
                str(p.tombstone_ttl_ms + self.tombstone_grace_ms),
            ],
        )
        status = _s(result[0])
        if status != "ok":
            self._refuse(p, status, result[1:], identity)
        version = int(result[1])
        removed_timers = [_s(x) for x in result[2]]
        removed_requests = [_s(x) for x in result[3]]
        pipe = self._pipeline()
        if p.expected_version is None:
            pipe.zrem(self._key("tombs"), sid)  # (an expired tombstone of an earlier session)
        if start is not None:
            pipe.zrem(self._key("schedule"), sid)
        timers_index, requests_index = self._key("timers"), self._key("requests")
        gone_timers = set(p.timers_del) | set(removed_timers)  # type: ignore[arg-type]
        gone_requests = set(p.requests_del) | set(removed_requests)  # type: ignore[arg-type]
        if p.ended:
            pipe.zrem(self._key("sessions"), sid)
            pipe.zadd(self._key("tombs"), {sid: now + p.tombstone_ttl_ms})
            if identity is not None:
                pipe.srem(self._key(f"owned:{identity[0]}"), sid)
        else:
            if p.expected_version is None:
                pipe.zadd(self._key("sessions"), {sid: 0})
                if identity is not None:
                    pipe.sadd(self._key(f"owned:{identity[0]}"), sid)
            if p.timers_put:
                pipe.zadd(timers_index, {_timer_member(sid, t.sendid): t.due_ms for t in p.timers_put})
            if p.requests_put:
                pipe.hset(requests_index, mapping={r.requestid: sid for r in p.requests_put})
        if gone_timers:
            pipe.zrem(timers_index, *[_timer_member(sid, s) for s in sorted(gone_timers)])
        if gone_requests:
            pipe.hdel(requests_index, *sorted(gone_requests))
        pipe.execute()
        if outbox:
            try:
                self._deliver(sid, outbox)
            except self._errors as exc:
                # The commit stands; what its outbox still holds goes at the next sweep.
                log.error(
                    "Redis store %s: session %s committed, but delivering its outbox failed (%s); the next index sweep delivers it", self.url, sid, exc
                )
        return version

    def _refuse(self, p: PreparedBatch, status: str | None, rest: list, identity: tuple[str, int] | None = None) -> None:
        sid = p.session_id
        if status == "nosched":
            raise StoreError(no_schedule(sid))
        if status == "exists":
            raise StaleVersion(stale_exists(sid, int(rest[0])))
        if status == "ended":
            raise StaleVersion(stale_ended(sid, self._tomb_for_message(rest[0])))
        if status == "missing":
            raise StaleVersion(stale_missing(sid, p.expected_version))  # type: ignore[arg-type]
        if status == "moved":
            raise StaleVersion(stale_moved(sid, int(rest[0]), p.expected_version))  # type: ignore[arg-type]
        if status == "owner":
            owner, epoch = _s(rest[0]) or "(none)", _s(rest[1]) or "(none)"
            me, mine = identity or ("(none)", "(none)")
            raise StaleVersion(
                f"session {sid!r} is owned by host {owner} at epoch {epoch}, not by this host "
                f"({me} at epoch {mine}): another host has claimed it"
            )
        raise StoreError(f"Redis store {self.url}: unexpected answer {status!r} from the commit script")

    def _deliver(self, sid: str, entries: list[str]) -> int:
        """Deliver outbox entries of session `sid` to their targets, then remove them from the
        outbox; an entry a target has received already is dropped there. Returns how many
        were applied."""
        applied = 0
        now = self._now()
        ttl = str(self.session_max_idle_ms)
        delivered: list[str] = []
        for raw in entries:
            try:
                entry = json.loads(raw)
                kind, target, eid = entry["k"], entry["to"], entry["id"]
            except (ValueError, KeyError, TypeError):
                log.error("Redis store %s: outbox of %s holds a damaged entry, dropped: %r", self.url, sid, raw[:200])
                delivered.append(raw)
                continue
            if kind == "e":
                _seq, status, *rest = self._xadd(
                    "append", target, lambda s: [str(now), ttl, str(s), eid, entry["ev"], "1", self._cutoff(now), *self._wake_args(target)]
                )
                status = _s(status)
                if status == "ended":
                    log_dropped(target, self._tomb_for_message(rest[0]), "local event")
                applied += status == "ok"
            elif kind in ("sp", "sd"):
                fields: list[str] = []
                sched_ttl = self.session_max_idle_ms
                if kind == "sp":
                    rec = ScheduleRec(*entry["row"])
                    fields = self._sched_fields(rec)
                    sched_ttl += max(0, rec.due_ms - now)
                mode = "put" if kind == "sp" else "del"
                done = _s(self._script("sched", target, [str(now), ttl, mode, str(sched_ttl), eid, self._cutoff(now), *fields]))
                if done == "ok":
                    applied += 1
                    if kind == "sp":
                        self._c().zadd(self._key("schedule"), {target: rec.due_ms})
                        if self._identity is not None:
                            self._c().sadd(self._key(f"owned:{self._identity[0]}"), target)
                    else:
                        self._c().zrem(self._key("schedule"), target)
            else:
                log.error("Redis store %s: outbox of %s holds an entry of unknown kind %r, dropped", self.url, sid, kind)
            delivered.append(raw)
        pipe = self._pipeline()
        outbox = self._part(sid, "outbox")
        for raw in delivered:
            pipe.lrem(outbox, 1, raw)
        pipe.execute()
        return applied

    def _sched_fields(self, rec: ScheduleRec) -> list[str]:
        fields = ["src", rec.src, "params", rec.params, "pre_ms", str(rec.pre_ms), "post_ms", str(rec.post_ms)]
        identity = self._identity
        if identity is not None:  # (the host that schedules it starts it, unless it dies first)
            fields += ["owner", identity[0], "epoch", str(identity[1])]
        fields += ["due_ms", str(rec.due_ms), "created_ms", str(rec.created_ms)]
        if rec.parent_id is not None:
            fields += ["parent", rec.parent_id]
        if rec.ideal_ms is not None:
            fields += ["ideal_ms", str(rec.ideal_ms)]
        return fields

    def fire_timer(self, row: TimerRow) -> InputRef | None:
        sid = check_id(row.session_id, "timer session_id")
        sendid = check_id(row.sendid, "timer sendid")

        def work() -> InputRef | None:
            now = self._now()
            eid = uuid.uuid4().hex
            seq, status, *rest = self._xadd("fire", sid, lambda s: [str(now), str(self.session_max_idle_ms), str(s), sendid, eid])
            status = _s(status)
            if status == "gone":
                return None
            self._c().zrem(self._key("timers"), _timer_member(sid, sendid))
            if status == "ended":
                log_dropped(sid, self._tomb_for_message(rest[0]), f"timer {sendid}")
                return None
            return InputRef(sid, seq, eid)

        return self._run(work)

    def schedule(self, row: ScheduleRow) -> None:
        rec = prepare_schedule(row)

        def work() -> None:
            now = self._now()
            ttl = self.session_max_idle_ms + max(0, rec.due_ms - now)
            args = [str(now), str(self.session_max_idle_ms), "put", str(ttl), "", self._cutoff(now), *self._sched_fields(rec)]
            self._script("sched", rec.session_id, args)
            self._c().zadd(self._key("schedule"), {rec.session_id: rec.due_ms})
            if self._identity is not None:
                self._c().sadd(self._key(f"owned:{self._identity[0]}"), rec.session_id)

        self._run(work)

    def unschedule(self, session_id: str) -> bool:
        check_id(session_id, "session_id")

        def work() -> bool:
            now = self._now()
            existed = bool(self._c().exists(self._part(session_id, "sched")))
            # (the "del" of an outbox's "sd" entry; a stale owned: member goes at the next claim)
            self._script("sched", session_id, [str(now), str(self.session_max_idle_ms), "del", "0", "", self._cutoff(now)])
            self._c().zrem(self._key("schedule"), session_id)
            return existed

        return self._run(work)

    def start_scheduled(self, row: ScheduleRow, first: CommitBatch, notify: tuple[str, dict] | None) -> int:
        rec, p, note = prepare_start(row, first, notify)
        return self._run(lambda: self._commit(p, start=rec, notify=note))

    def set_request_state(self, requestid: str, state: str, **fields: Any) -> None:
        check_id(requestid, "requestid")
        state, changes = prepare_request_fields(state, fields)

        def work() -> None:
            missing = StoreError(f"no stored request {requestid!r}")
            sid = _s(self._c().hget(self._key("requests"), requestid))
            if sid is None:
                raise missing
            key = self._part(sid, "reqs")
            for _attempt in range(100):
                raw = self._c().hget(key, requestid)
                if raw is None:
                    raise missing
                rec = RequestRec(**json.loads(raw))._replace(state=state, **changes)
                done = self._script("request_cas", sid, [requestid, raw, _request_json(rec)])
                if done == -1:
                    raise missing
                if done == 1:
                    return
            raise StoreError(f"Redis store {self.url}: request {requestid!r} keeps changing under set_request_state")

        self._run(work)

    def delete_request(self, requestid: str) -> None:
        check_id(requestid, "requestid")

        def work() -> None:
            index = self._key("requests")
            sid = _s(self._c().hget(index, requestid))
            if sid is not None:
                self._c().hdel(self._part(sid, "reqs"), requestid)
            self._c().hdel(index, requestid)

        self._run(work)

    def purge(self, now_ms: int) -> int:
        now = check_ms(now_ms, "now_ms")

        def work() -> int:
            index = self._key("tombs")
            count = 0
            for member in self._c().zrangebyscore(index, "-inf", now):
                sid = _s(member)
                self._script("purge_tomb", sid, [str(now)])  # type: ignore[arg-type]
                count += int(self._scripts["zrem_upto"](keys=[index], args=[member, str(now)], client=self._c()))
            return count

        return self._run(work)

    def set_status(self, session_id: str, status: str) -> None:
        check_id(session_id, "session_id")
        check_status(status)
        if not self._run(lambda: self._script("status", session_id, [status, str(self._now())])):
            raise StoreError(f"no stored session {session_id!r}")

    def drop(self, session_id: str, reason: str = "dropped", now_ms: int = 0, ttl_ms: int = 3_600_000) -> bool:
        check_id(session_id, "session_id")
        check_str(reason, "reason")
        now_arg = check_ms(now_ms, "now_ms")
        ttl = check_count(ttl_ms, "ttl_ms")

        def work() -> bool:
            now = now_arg or self._now()
            expires = now + ttl  # type: ignore[operator]
            args = [str(now), reason, str(expires), str(ttl + self.tombstone_grace_ms)]  # type: ignore[operator]
            existed, timers, requests, owners = self._script("drop", session_id, args)
            pipe = self._pipeline()
            for owner in {_s(o) for o in owners} - {""}:
                pipe.srem(self._key(f"owned:{owner}"), session_id)
            pipe.zrem(self._key("sessions"), session_id)
            pipe.zrem(self._key("schedule"), session_id)
            if timers:
                pipe.zrem(self._key("timers"), *[_timer_member(session_id, _s(t)) for t in timers])  # type: ignore[arg-type]
            if requests:
                pipe.hdel(self._key("requests"), *requests)
            if existed:
                pipe.zadd(self._key("tombs"), {session_id: expires})
            pipe.execute()
            return bool(existed)

        return self._run(work)

    # -- reads

    def load(self, session_id: str) -> StoredSession | None:
        check_id(session_id, "session_id")
        meta, snap = self._run(lambda: self._script("load", session_id, []))
        if not meta:
            return None
        m = {_s(meta[i]): meta[i + 1] for i in range(0, len(meta), 2)}
        return StoredSession(
            id=session_id,
            status=_s(m.get("status")) or "running",
            src=_s(m.get("src")),
            parent_id=_s(m.get("parent")),
            created_ms=int(m.get("created_ms", 0)),
            updated_ms=int(m.get("updated_ms", 0)),
            module=_s(m.get("module")) or "",
            doc_hash=_s(m.get("doc_hash")) or "",
            version=int(m.get("version", 0)),
            snapshot=bytes(snap or b""),
        )

    def headers(self, status: str | None = None, after: str | None = None, limit: int = 100) -> list[SessionHeader]:
        if status is not None:
            check_status(status)
        after = check_opt_str(after, "after") or ""
        limit = check_limit(limit)

        def work() -> list[SessionHeader]:
            out: list[SessionHeader] = []
            start = f"({after}" if after else "-"
            page = max(limit, 100)
            while len(out) < limit:
                members = self._c().zrangebylex(self._key("sessions"), start, "+", start=0, num=page)
                if not members:
                    break
                pipe = self._pipeline()
                for member in members:
                    pipe.hmget(self._part(_s(member), "meta"), "status", "src", "parent", "created_ms", "updated_ms")  # type: ignore[arg-type]
                for member, (st, src, parent, created, updated) in zip(members, pipe.execute()):
                    if st is None or (status is not None and _s(st) != status):
                        continue  # (a stale index entry, or another status)
                    out.append(SessionHeader(_s(member), _s(st), _s(src), _s(parent), int(created or 0), int(updated or 0)))  # type: ignore[arg-type]
                start = b"(" + members[-1]
                if len(members) < page:
                    break
            return out[:limit]

        return self._run(work)

    def count(self) -> int:
        # (the index may hold a stale entry for a moment: a count, not a census)
        return int(self._run(lambda: self._c().zcard(self._key("sessions"))))

    def inputs(self, session_id: str, after_seq: int = 0) -> list[tuple[int, dict]]:
        check_id(session_id, "session_id")
        after = check_count(after_seq, "after_seq")
        entries = self._run(lambda: self._c().xrange(self._part(session_id, "inbox"), f"{after + 1}-0", "+"))  # type: ignore[operator]
        return [(_seq_of(entry_id), json.loads(fields[b"event"])) for entry_id, fields in entries]

    def _due(self, index: str, now: int, limit: int, fetch: Callable[[list[bytes]], list[Any]], order: Callable[[Any], tuple]) -> list[Any]:
        """The first `limit` rows by `order` among the index's members due by `now`: the index
        is read a page at a time (skipping stale members) until the rows cannot change."""
        if limit == 0:
            return []
        rows: list[Any] = []
        offset, page = 0, max(limit, 100)
        while True:
            batch = self._c().zrangebyscore(index, "-inf", now, start=offset, num=page, withscores=True)
            if not batch:
                break
            offset += len(batch)
            rows.extend(row for row in fetch([m for m, _ in batch]) if row is not None and order(row)[0] <= now)
            rows.sort(key=order)
            if len(batch) < page or (len(rows) >= limit and batch[-1][1] > order(rows[limit - 1])[0]):
                break
        return rows[:limit]

    def due_timers(self, now_ms: int, limit: int = 100) -> list[TimerRow]:
        now = check_ms(now_ms, "now_ms")
        limit = check_limit(limit)

        def fetch(members: list[bytes]) -> list[TimerRec | None]:
            pipe = self._pipeline()
            pairs = [json.loads(m) for m in members]
            for sid, sendid in pairs:
                pipe.hget(self._part(sid, "timers"), sendid)
            return [None if raw is None else self._timer_rec(sid, sendid, raw) for (sid, sendid), raw in zip(pairs, pipe.execute())]

        def order(t: TimerRec) -> tuple:
            return (t.due_ms, t.session_id, t.sendid)

        rows = self._run(lambda: self._due(self._key("timers"), now, limit, fetch, order))  # type: ignore[arg-type]
        return [t.row() for t in rows]

    @staticmethod
    def _timer_rec(sid: str, sendid: str, raw: bytes) -> TimerRec:
        d = json.loads(raw)
        return TimerRec(sid, sendid, int(d["due_ms"]), d["target"], d["event"])

    def timers(self, session_id: str) -> list[TimerRow]:
        check_id(session_id, "session_id")
        raw = self._run(lambda: self._c().hgetall(self._part(session_id, "timers")))
        recs = sorted((self._timer_rec(session_id, _s(k), v) for k, v in raw.items()), key=lambda t: (t.due_ms, t.sendid))  # type: ignore[arg-type]
        return [t.row() for t in recs]

    def _sched_rec(self, sid: str, h: dict) -> ScheduleRec | None:
        if not h:
            return None
        g = {_s(k): v for k, v in h.items()}
        return ScheduleRec(
            sid,
            _s(g["src"]),  # type: ignore[arg-type]
            _s(g["params"]),  # type: ignore[arg-type]
            _s(g.get("parent")),
            _i(g.get("ideal_ms")),
            int(g["pre_ms"]),
            int(g["post_ms"]),
            int(g["due_ms"]),
            int(g["created_ms"]),
        )

    def due_schedules(self, now_ms: int, limit: int = 100) -> list[ScheduleRow]:
        now = check_ms(now_ms, "now_ms")
        limit = check_limit(limit)

        def fetch(members: list[bytes]) -> list[ScheduleRec | None]:
            pipe = self._pipeline()
            sids = [_s(m) for m in members]
            for sid in sids:
                pipe.hgetall(self._part(sid, "sched"))  # type: ignore[arg-type]
            return [self._sched_rec(sid, h) for sid, h in zip(sids, pipe.execute())]  # type: ignore[arg-type]

        rows = self._run(lambda: self._due(self._key("schedule"), now, limit, fetch, lambda r: (r.due_ms, r.session_id)))  # type: ignore[arg-type]
        return [r.row() for r in rows]

    def requests(self, states: set[str] | None = None, session_id: str | None = None) -> list[RequestRow]:
        wanted = check_states(states)
        check_opt_str(session_id, "session_id")
        if wanted is not None and not wanted:
            return []

        def work() -> list[RequestRec]:
            raws: list[bytes] = []
            if session_id is not None:
                raws = list(self._c().hgetall(self._part(session_id, "reqs")).values())
            else:
                by_session: dict[str, list[bytes]] = {}
                for rid, sid in self._c().hgetall(self._key("requests")).items():
                    by_session.setdefault(_s(sid), []).append(rid)  # type: ignore[arg-type]
                pipe = self._pipeline()
                for sid, rids in by_session.items():
                    pipe.hmget(self._part(sid, "reqs"), rids)
                for found in pipe.execute():
                    raws.extend(raw for raw in found if raw is not None)
            recs = [RequestRec(**json.loads(raw)) for raw in raws]
            return [r for r in recs if wanted is None or r.state in wanted]

        return [r.row() for r in sorted(self._run(work), key=RequestRec.order_key)]

    def tombstone(self, session_id: str) -> Tombstone | None:
        check_id(session_id, "session_id")
        raw = self._run(lambda: self._c().hgetall(self._part(session_id, "tomb")))
        if not raw:
            return None
        t = {_s(k): v for k, v in raw.items()}
        tomb = Tombstone(session_id, int(t["ended_ms"]), _s(t["reason"]), _s(t.get("src")), int(t["expires_ms"]))  # type: ignore[arg-type]
        return tomb if tomb.expires_ms > self._now() else None

    # -- several hosts (§9.10): registration, heartbeats, ownership, claims, wakes

    def _host_script(self, name: str, args: Iterable[Any]) -> Any:
        return self._scripts[name](keys=[self._key("hosts")], args=[str(a) for a in args], client=self._c())

    def register_host(self, host_id: str, url: str) -> tuple[int, HostEntry | None]:
        """Give this store a host identity: a new epoch (`INCR P epoch`) and this host's entry
        in P hosts (heartbeat now). From then on commits check that the session is owned by
        this host at this epoch, new sessions are owned by it, and inputs for sessions owned by
        others wake their owners. Returns (the epoch, the entry it replaced: a former process of
        this host id, or None)."""
        check_host_id(host_id)
        check_str(url, "url")

        def work() -> tuple[int, HostEntry | None]:
            epoch = int(self._c().incr(self._key("epoch")))
            _now, prev = self._host_script("host_put", [host_id, url, epoch])
            self._identity = (host_id, epoch)
            return epoch, (_host_entry(host_id, prev) if prev else None)

        return self._run(work)

    def heartbeat(self, url: str, lease_ms: int) -> tuple[str, int, HostEntry | None]:
        """Renew this host's entry: ("ok", Redis time, None); ("fenced", ..., the entry) when
        it was declared dead or is gone (its sessions may have been claimed: register again);
        ("duplicate", ..., the entry) when another process registered this host id since and
        is alive."""
        identity = self._identity
        if identity is None:
            raise StoreError("heartbeat() before register_host()")
        status, now, raw = self._run(lambda: self._host_script("host_beat", [identity[0], url, identity[1], lease_ms]))
        status = _s(status)
        return status, int(now), (_host_entry(identity[0], raw) if raw else None)  # type: ignore[return-value]

    def hosts(self) -> tuple[int, dict[str, HostEntry]]:
        """(Redis time in ms, the registered hosts by id)."""
        now, flat = self._run(lambda: self._host_script("host_read", []))
        out: dict[str, HostEntry] = {}
        for i in range(0, len(flat), 2):
            host_id = _s(flat[i])
            entry = _host_entry(host_id, flat[i + 1])  # type: ignore[arg-type]
            if entry is not None:
                out[host_id] = entry  # type: ignore[index]
        return int(now), out

    def declare_dead(self, host_id: str, epoch: int | None, lease_ms: int) -> str:
        """Mark a host dead when its heartbeat (at that epoch) is `lease_ms` old by Redis's
        clock: "declared" (by this call), "dead" (already), "live", "moved" (it registered
        again since: that epoch is over) or "gone" (no entry)."""
        check_host_id(host_id)
        return _s(self._run(lambda: self._host_script("host_declare", [host_id, epoch, lease_ms])))  # type: ignore[return-value]

    def retire(self) -> bool:
        """Mark this host's entry dead (it stops): the others claim its sessions at once."""
        identity = self._identity
        if identity is None:
            return False
        return bool(self._run(lambda: self._host_script("host_end", [identity[0], identity[1], "retire"])))

    def forget_host(self, host_id: str, epoch: int) -> bool:
        """Remove the entry of a host that is dead at that epoch (and owns nothing any more)."""
        return bool(self._run(lambda: self._host_script("host_end", [host_id, epoch, "forget"])))

    def owned(self, host_id: str) -> list[str]:
        """The sessions and schedule rows in P owned:<host> (an index: a member may be stale)."""
        check_host_id(host_id)
        return sorted(_s(m) for m in self._run(lambda: self._c().smembers(self._key(f"owned:{host_id}"))))  # type: ignore[misc]

    def owners(self, session_ids: Iterable[str]) -> dict[str, Owner]:
        """Who owns each of the sessions (its header), or each schedule row of a session that
        has not started; a session with neither is left out."""
        sids = [check_id(sid, "session_id") for sid in session_ids]

        def work() -> dict[str, Owner]:
            out: dict[str, Owner] = {}
            for i in range(0, len(sids), 500):
                chunk = sids[i : i + 500]
                pipe = self._pipeline()
                for sid in chunk:
                    pipe.hmget(self._part(sid, "meta"), "owner", "epoch", "src", "version")
                    pipe.hmget(self._part(sid, "sched"), "owner", "epoch", "src", "due_ms")
                answers = pipe.execute()
                for k, sid in enumerate(chunk):
                    for kind, (owner, epoch, src, there) in (("session", answers[2 * k]), ("scheduled", answers[2 * k + 1])):
                        if there is not None:
                            out[sid] = Owner(_s(owner) or "", _i(epoch), kind, _s(src))
                            break
            return out

        return self._run(work)

    def owner_of(self, session_id: str) -> Owner | None:
        return self.owners([session_id]).get(session_id)

    def claim(self, session_id: str, owner: str, epoch: int | None) -> tuple[str, Owner | None]:
        """Take a session (or its schedule row) over from `owner` at `epoch` ("" and None:
        nobody), with a compare-and-set: ("won", this host), ("lost", the owner it has now), or
        ("gone", None). Only one claimer wins; the former owner's commits fail from then on.
        What the session's outbox still holds (its last commit cut short) is delivered now."""
        check_id(session_id, "session_id")
        identity = self._identity
        if identity is None:
            raise StoreError("claim() needs a host identity (register_host)")
        args = [owner, "" if epoch is None else str(epoch), identity[0], str(identity[1])]

        def work() -> tuple[str, Owner | None]:
            result = self._script("claim", session_id, args)
            status = _s(result[0])
            if status == "won":
                pipe = self._pipeline()
                if owner and owner != identity[0]:
                    pipe.srem(self._key(f"owned:{owner}"), session_id)
                pipe.sadd(self._key(f"owned:{identity[0]}"), session_id)
                pipe.execute()
                if int(result[1]):
                    entries = [_s(raw) for raw in self._c().lrange(self._part(session_id, "outbox"), 0, -1)]
                    if entries:
                        self._deliver(session_id, entries)  # type: ignore[arg-type]
                return "won", Owner(identity[0], identity[1], "", None)
            if status == "gone":
                if owner:
                    self._c().srem(self._key(f"owned:{owner}"), session_id)
                return "gone", None
            now_owner, now_epoch = _s(result[1]) or "", _s(result[2]) or ""
            if owner and now_owner != owner:
                self._c().srem(self._key(f"owned:{owner}"), session_id)  # (a stale index member)
            return "lost", Owner(now_owner, int(now_epoch) if now_epoch else None, "", None)  # type: ignore[arg-type]

        return self._run(work)

    def scheduled(self, session_id: str) -> ScheduleRow | None:
        """The schedule row of a session that starts later, or None."""
        check_id(session_id, "session_id")
        rec = self._sched_rec(session_id, self._run(lambda: self._c().hgetall(self._part(session_id, "sched"))))
        return None if rec is None else rec.row()

    def wake_listener(self, on_wake: Callable[[str], None], on_ready: Callable[[], None] | None = None) -> Callable[[], None]:
        """Listen on this host's wake channel (P wake:<host id>) in a thread: `on_wake(session
        id)` for each input announced for a session this host owns, `on_ready()` each time
        the subscription is (again) in place (wakes sent while it was not are lost: look at
        the inboxes then). Returns the function that stops it."""
        identity = self._identity
        if identity is None:
            raise StoreError("wake_listener() needs a host identity (register_host)")
        channel = self._key(f"wake:{identity[0]}")
        stop = threading.Event()

        def subscriber() -> Any:
            client = self._c()
            if self.cluster_mode:  # (PUBLISH reaches every node: one node's connection will do)
                client = client.get_redis_connection(client.get_node_from_key(channel))
            return client.pubsub()

        def run() -> None:
            while not stop.is_set():
                pubsub = None
                try:
                    pubsub = subscriber()
                    pubsub.subscribe(channel)
                    while not stop.is_set():  # (the subscription's confirmation first)
                        message = pubsub.get_message(timeout=0.5)
                        if message is not None and message.get("type") == "subscribe":
                            break
                    if on_ready is not None and not stop.is_set():
                        on_ready()
                    while not stop.is_set():
                        message = pubsub.get_message(timeout=0.5)
                        if message is not None and message.get("type") == "message":
                            on_wake(_s(message["data"]))  # type: ignore[arg-type]
                except Exception as exc:  # noqa: BLE001 - a lost connection: subscribe again
                    if not stop.is_set():
                        log.warning("Redis store %s: the wake channel of host %s failed (%s); subscribing again", self.url, identity[0], exc)
                        stop.wait(1.0)
                finally:
                    if pubsub is not None:
                        try:
                            pubsub.close()
                        except Exception:  # noqa: BLE001
                            pass

        thread = threading.Thread(target=run, name=f"{self._thread_prefix}-wakes", daemon=True)
        thread.start()

        def close() -> None:
            stop.set()
            thread.join(5.0)

        return close

    # -- the interaction bridge's index (server/cluster.py): which session an interaction (kind
    # "interaction", by g_uid) or an ixn: request ("request", by requestid) belongs to

    def _bridge_key(self, kind: str, name: str) -> str:
        prefix = BRIDGE_KEYS.get(kind)
        if prefix is None:
            raise ValueError(f"the bridge index has no kind {kind!r} (one of {', '.join(BRIDGE_KEYS)})")
        return self._key(prefix + check_id(name, kind))

    def bridge_put(self, kind: str, name: str, session_id: str) -> None:
        """Index `name` under `session_id` (replacing what it named), expiring after
        `session_max_idle_s`."""
        key = self._bridge_key(kind, name)
        check_id(session_id, "session_id")
        self._run(lambda: self._c().set(key, session_id, px=self.session_max_idle_ms))

    def bridge_get(self, kind: str, name: str) -> str | None:
        """The session `name` is indexed under, or None."""
        key = self._bridge_key(kind, name)
        return _s(self._run(lambda: self._c().get(key)))

    def bridge_drop(self, kind: str, name: str, session_id: str | None = None) -> bool:
        """Remove `name` from the index (with `session_id`: only while it is indexed under that
        session). Returns whether it was there."""
        key = self._bridge_key(kind, name)
        if session_id is None:
            return bool(self._run(lambda: self._c().delete(key)))
        check_id(session_id, "session_id")

        def work() -> bool:
            script = self._scripts.get("unlink_if")
            if script is None:  # (registered on first use)
                script = self._scripts["unlink_if"] = self._c().register_script(_UNLINK_IF)
            return bool(script(keys=[key], args=[session_id], client=self._c()))

        return self._run(work)

    # -- the sweep

    def sweep_indexes(self) -> dict[str, int]:
        """Rebuild the global indexes (sessions, timers, schedule, requests, tombs) from the
        per-session keys, and deliver what outboxes still hold (a commit cut short by a crash).
        Safe while the store is in use: a member is removed only after its per-session record
        is read again and found gone. Returns counts: added, removed, delivered."""
        return self._run(self._sweep)

    def _sweep(self) -> dict[str, int]:
        client = self._c()
        sessions: set[str] = set()
        timers: dict[str, int] = {}
        schedule: dict[str, int] = {}
        requests: dict[str, str] = {}
        tombs: dict[str, int] = {}
        outboxes: list[str] = []
        by_part: dict[str, list[str]] = {}
        for key in client.scan_iter(match=f"{self.prefix}{{*", count=1000):
            found = self._sid_of(key)
            if found is not None:
                by_part.setdefault(found[1], []).append(found[0])
        sessions.update(by_part.get("meta", ()))
        outboxes.extend(by_part.get("outbox", ()))
        owned: dict[str, set[str]] = {}  # host id -> its sessions and schedule rows
        for part in ("meta", "sched"):
            sids = by_part.get(part, [])
            for i in range(0, len(sids), 500):
                chunk = sids[i : i + 500]
                pipe = client.pipeline(transaction=False)
                for sid in chunk:
                    pipe.hget(self._part(sid, part), "owner")
                for sid, owner in zip(chunk, pipe.execute()):
                    if owner:
                        owned.setdefault(_s(owner), set()).add(sid)  # type: ignore[arg-type]
        for part, read in (("timers", "hgetall"), ("reqs", "hkeys"), ("sched", "due"), ("tomb", "exp")):
            sids = by_part.get(part, [])
            for i in range(0, len(sids), 500):
                chunk = sids[i : i + 500]
                pipe = client.pipeline(transaction=False)
                for sid in chunk:
                    key = self._part(sid, part)
                    if read == "hgetall":
                        pipe.hgetall(key)
                    elif read == "hkeys":
                        pipe.hkeys(key)
                    else:
                        pipe.hget(key, "due_ms" if read == "due" else "expires_ms")
                for sid, value in zip(chunk, pipe.execute()):
                    if part == "timers":
                        for sendid, raw in value.items():
                            timers[_timer_member(sid, _s(sendid))] = int(json.loads(raw)["due_ms"])  # type: ignore[arg-type]
                    elif part == "reqs":
                        requests.update((_s(rid), sid) for rid in value)  # type: ignore[misc]
                    elif value is not None:
                        (schedule if part == "sched" else tombs)[sid] = int(value)
        counts = {"added": 0, "removed": 0, "delivered": 0}

        def zsync(index: str, want: dict[str, float], still: Callable[[str], bool]) -> None:
            have = {_s(m): s for m, s in client.zrange(self._key(index), 0, -1, withscores=True)}
            add = {m: s for m, s in want.items() if have.get(m) != s}
            if add:
                client.zadd(self._key(index), add)
                counts["added"] += len(add)
            for member in sorted(set(have) - set(want)):
                if not still(member):  # type: ignore[arg-type]
                    counts["removed"] += client.zrem(self._key(index), member)

        def timer_still(member: str) -> bool:
            try:
                sid, sendid = json.loads(member)
            except ValueError:
                return False
            return bool(client.hexists(self._part(sid, "timers"), sendid))

        zsync("sessions", dict.fromkeys(sessions, 0.0), lambda sid: bool(client.exists(self._part(sid, "meta"))))
        zsync("timers", timers, timer_still)  # type: ignore[arg-type]
        zsync("schedule", schedule, lambda sid: bool(client.exists(self._part(sid, "sched"))))  # type: ignore[arg-type]
        zsync("tombs", tombs, lambda sid: bool(client.exists(self._part(sid, "tomb"))))  # type: ignore[arg-type]
        index = self._key("requests")
        have_requests = {_s(k): _s(v) for k, v in client.hgetall(index).items()}
        add_requests = {rid: sid for rid, sid in requests.items() if have_requests.get(rid) != sid}
        if add_requests:
            client.hset(index, mapping=add_requests)
            counts["added"] += len(add_requests)
        for rid in sorted(set(have_requests) - set(requests)):
            sid = have_requests[rid]
            if not client.hexists(self._part(sid, "reqs"), rid):  # type: ignore[arg-type]
                counts["removed"] += client.hdel(index, rid)  # type: ignore[arg-type]
        owned_prefix = self._key("owned:")
        hosts = {_s(k)[len(owned_prefix) :] for k in client.scan_iter(match=owned_prefix + "*", count=1000)} | set(owned)  # type: ignore[index]
        for host in sorted(hosts):  # type: ignore[type-var]
            key = owned_prefix + host  # type: ignore[operator]
            have = {_s(m) for m in client.smembers(key)}
            want = owned.get(host, set())  # type: ignore[arg-type]
            add = want - have
            if add:
                client.sadd(key, *sorted(add))  # type: ignore[type-var]
                counts["added"] += len(add)
            extra = sorted(have - want)  # type: ignore[type-var]
            if extra:
                now_owned = self.owners(extra)  # type: ignore[arg-type]
                gone = [sid for sid in extra if sid not in now_owned or now_owned[sid].owner != host]  # type: ignore[index]
                if gone:
                    counts["removed"] += client.srem(key, *gone)
        for sid in outboxes:
            entries = [_s(raw) for raw in client.lrange(self._part(sid, "outbox"), 0, -1)]
            if entries:
                log.info("Redis store %s: delivering %d outbox entries of session %s left by an interrupted commit", self.url, len(entries), sid)
                counts["delivered"] += self._deliver(sid, entries)  # type: ignore[arg-type]
        return counts


__all__ = ["HostEntry", "Owner", "RedisStore", "parse_url", "safe_url", "check_cluster_name", "check_host_id", "URL_SCHEMES", "CLUSTER_SCHEMES"]
