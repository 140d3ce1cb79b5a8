"""RedisStore's own promises against real redis-server processes (ors-server.md §9.10): the commit script's all-or-nothing, the key layout, expiries, index sweeps, durability settings, a restart of Redis, a Redis Cluster, and `scxmlc serve --store redis://...` surviving kill -9."""

from __future__ import annotations

import json
import logging
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from scxmlc_runtime.store import CommitBatch, RequestRow, ScheduleRow, StaleVersion, StoreError, TimerRow

from .redis_server import RedisServer, redis_cluster, redis_server, unique_cluster  # noqa: F401 - fixtures
from .server.conftest import Client, eventually

T0 = 1_700_000_000_000


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now


def new(sid: str, snap: bytes = b"s1", **kw) -> CommitBatch:
    kw.setdefault("module", "charts.door")
    kw.setdefault("doc_hash", "h1")
    return CommitBatch(sid, None, snapshot=snap, **kw)


def step(sid: str, version: int, snap: bytes, **kw) -> CommitBatch:
    return CommitBatch(sid, version, snapshot=snap, **kw)


def timer(sid: str, sendid: str, due: int) -> TimerRow:
    return TimerRow(sid, sendid, due, "#_internal", {"name": sendid})


def sched(sid: str, due: int, parent: str | None = "parent") -> ScheduleRow:
    return ScheduleRow(sid, "child.scxml", {"a": 1}, parent, None, 0, 0, due, T0)


def make(url: str, cluster: str | None = None, **kw):
    from scxmlc_runtime.store import RedisStore

    kw.setdefault("clock", Clock())
    kw.setdefault("index_sweep_s", 0)
    store = RedisStore(url, cluster or unique_cluster(), **kw)
    store.open()
    return store


@pytest.fixture
def store(redis_server):
    s = make(redis_server.url)
    yield s
    s.close()


def raw_client(store):
    """A plain redis-py client on the store's server (or cluster), to look at the keys."""
    import redis

    if store.cluster_mode:
        return redis.cluster.RedisCluster.from_url(store._client_url)
    return redis.Redis.from_url(store._client_url)


def everything(client, prefix: str) -> dict:
    """Every key under the prefix with its serialized value (DUMP), and whether it expires."""
    out = {}
    for key in client.scan_iter(match=prefix + "*", count=1000):
        out[key] = (client.dump(key), client.pttl(key) > 0)
    return out


def fill(store, sid: str = "a") -> int:
    """A session with a bit of everything: version 2, timers, requests, inputs, a schedule row
    of another session (SID-kid), an event to a third (SID-other), and an ended fourth
    (SID-gone)."""
    request = RequestRow(f"{sid}-r1", sid, "fetch", queue_key="q", queue_seq=1)
    store.commit(new(sid, src="door.scxml", timers_put=[timer(sid, "t1", T0 + 10)], requests_put=[request]))
    to_others = dict(schedule_put=[sched(f"{sid}-kid", T0 + 5)], local_events=[(f"{sid}-other", {"name": "hi"})])
    store.commit(step(sid, 1, b"s2", timers_put=[timer(sid, "t2", T0 + 20)], **to_others))
    store.append_input(sid, {"name": "waiting"})
    store.commit(CommitBatch(f"{sid}-gone", None, snapshot=None, ended_reason="final"))
    return 2


# ---------------------------------------------------------------------------------------------
# The commit script


def test_a_stale_commit_raises_and_changes_no_key(store):
    fill(store)
    client = raw_client(store)
    before = everything(client, store.prefix)
    assert len(before) > 8
    zombie = step(
        "a",
        1,
        b"zombie",
        consumed_upto_seq=10**9,
        timers_put=[timer("a", "t9", T0)],
        timers_del=["t1"],
        requests_put=[RequestRow("r9", "a", "fetch")],
        requests_del=["a-r1"],
        schedule_put=[sched("kid2", T0)],
        schedule_del=["kid"],
        local_events=[("b", {"x": 1})],
    )
    with pytest.raises(StaleVersion, match="version 2, not 1"):
        store.commit(zombie)
    with pytest.raises(StaleVersion, match="version 2, not 1"):
        store.submit(zombie).result(timeout=30)
    with pytest.raises(StaleVersion, match="has ended"):
        store.commit(new("a-gone"))
    with pytest.raises(StaleVersion, match="exists already"):
        store.commit(new("a", ended_reason=None, local_events=[("b", {"x": 2})]))
    assert everything(client, store.prefix) == before
    client.close()


def test_a_second_store_on_the_same_keys_is_fenced_by_the_version(redis_server):
    cluster = unique_cluster()
    one, two = make(redis_server.url, cluster), make(redis_server.url, cluster)
    try:
        one.commit(new("a"))
        assert two.load("a").version == 1
        assert two.commit(step("a", 1, b"by two")) == 2
        with pytest.raises(StaleVersion, match="another writer"):
            one.commit(step("a", 1, b"by one"))
        assert one.load("a").snapshot == b"by two"
    finally:
        one.close()
        two.close()


def test_owner_and_epoch_are_checked_when_the_store_has_a_host_identity(redis_server):
    cluster = unique_cluster()
    host1 = make(redis_server.url, cluster, host_id="h1", epoch=1)
    host2 = make(redis_server.url, cluster, host_id="h2", epoch=2)
    anonymous = make(redis_server.url, cluster)
    zombie = make(redis_server.url, cluster, host_id="h1", epoch=0)
    try:
        host1.commit(new("a"))
        meta = raw_client(host1).hgetall(host1._part("a", "meta"))
        assert (meta[b"owner"], meta[b"epoch"]) == (b"h1", b"1")
        with pytest.raises(StaleVersion, match="owned by host h1 at epoch 1"):
            host2.commit(step("a", 1, b"x"))
        with pytest.raises(StaleVersion, match="owned by host h1 at epoch 1"):
            zombie.commit(step("a", 1, b"x"))
        assert host1.commit(step("a", 1, b"mine")) == 2
        assert anonymous.commit(step("a", 2, b"no identity: no owner check")) == 3
        assert host1.load("a").snapshot == b"no identity: no owner check"
        with pytest.raises(ValueError, match="go together"):
            make(redis_server.url, cluster, host_id="h3")
    finally:
        for s in (host1, host2, anonymous, zombie):
            s.close()


# ---------------------------------------------------------------------------------------------
# Keys


def test_keys_carry_the_prefix_and_the_session_hash_tag(store):
    from redis.crc import key_slot

    fill(store)
    odd = ["x{y}z", "}", "{", "50%", "%7B"]
    for sid in odd:
        store.commit(new(sid, timers_put=[timer(sid, "t", T0)]))
        store.append_input(sid, {"name": sid})
    client = raw_client(store)
    keys = sorted(k.decode() for k in client.scan_iter(match="*", count=1000) if k.decode().startswith(store.prefix))
    assert store.prefix == f"scxmlc:{store.cluster}:"
    assert {k for k in keys if "{" not in k} == {store.prefix + n for n in ("schema", "seq", "sessions", "timers", "schedule", "requests", "tombs")}
    per_session: dict[str, set[str]] = {}
    for key in keys:
        if "{" in key:
            tag = key[len(store.prefix) + 1 : key.index("}:")]
            per_session.setdefault(tag, set()).add(key.rsplit(":", 1)[1])
            assert key.startswith(f"{store.prefix}{{{tag}}}:")
    assert per_session["a"] == {"meta", "snap", "inbox", "timers", "reqs"}
    assert per_session["a-kid"] == {"sched", "seen"} and per_session["a-other"] == {"inbox", "seen"}
    assert per_session["a-gone"] == {"tomb"}
    # Braces and % in an id are escaped inside the tag: each odd id has keys of its own.
    assert {"x%7By%7Dz", "%7D", "%7B", "50%25", "%257B"} <= set(per_session)
    for tag in per_session:
        assert len({key_slot(f"{store.prefix}{{{tag}}}:{part}".encode()) for part in per_session[tag]}) == 1
    for sid in odd:
        assert store.load(sid).version == 1 and [t.sendid for t in store.timers(sid)] == ["t"]
        assert [e["name"] for _, e in store.inputs(sid)] == [sid]
    assert sorted(h.id for h in store.headers()) == sorted(["a", *odd])
    # The inbox stream's entry ids are the sequence numbers.
    ((seq, _),) = store.inputs("a")
    assert [e[0] for e in client.xrange(store._part("a", "inbox"))] == [f"{seq}-0".encode()]
    client.close()


def test_session_keys_expire_and_each_commit_renews_them(redis_server):
    store = make(redis_server.url, session_max_idle_s=100)
    client = raw_client(store)
    try:
        store.commit(new("a", timers_put=[timer("a", "t", T0)], requests_put=[RequestRow("r", "a", "fetch")]))
        store.append_input("a", {"name": "e"})
        parts = ("meta", "snap", "inbox", "timers", "reqs")
        for part in parts:
            assert 0 < client.pttl(store._part("a", part)) <= 100_000, part
            client.pexpire(store._part("a", part), 5_000)
        store.commit(step("a", 1, b"s2"))
        for part in parts:
            assert 5_000 < client.pttl(store._part("a", part)) <= 100_000, part
        # The index keys are not a session's: they do not expire.
        assert client.pttl(store._key("sessions")) == -1 and client.pttl(store._key("timers")) == -1
    finally:
        client.close()
        store.close()


def test_a_tombstone_expires_in_redis_and_its_id_is_free_again(redis_server):
    store = make(redis_server.url, tombstone_grace_ms=0, clock=time_ms)
    client = raw_client(store)
    try:
        store.commit(new("long"))
        store.commit(CommitBatch("long", 1, snapshot=None, ended_reason="final", tombstone_ttl_ms=3_600_000))
        assert 0 < client.pttl(store._part("long", "tomb")) <= 3_600_000
        store.commit(new("short"))
        store.commit(CommitBatch("short", 1, snapshot=None, ended_reason="terminated", tombstone_ttl_ms=300))
        assert store.tombstone("short").reason == "terminated"
        with pytest.raises(StoreError, match="has ended"):
            store.append_input("short", {"name": "late"})
        # Redis removes the key by itself (no purge).
        assert eventually(lambda: not client.exists(store._part("short", "tomb")), timeout=20)
        assert store.tombstone("short") is None
        store.append_input("short", {"name": "again"})
        assert store.commit(new("short")) == 1
        assert store.tombstone("long") is not None
    finally:
        client.close()
        store.close()


def time_ms() -> float:
    return time.time() * 1000


# ---------------------------------------------------------------------------------------------
# Indexes and outboxes


def test_sweep_indexes_rebuilds_every_deleted_global_index(store):
    for k in range(5):
        fill(store, f"s{k}")
    store.schedule(sched("later", T0 + 99, parent=None))
    before = (store.due_timers(T0 * 2, 1000), store.due_schedules(T0 * 2, 1000), store.requests(), store.headers(limit=1000))
    assert [len(v) for v in before] == [10, 6, 5, 5]
    client = raw_client(store)
    client.delete(*(store._key(n) for n in ("sessions", "timers", "schedule", "requests", "tombs")))
    assert (store.due_timers(T0 * 2), store.due_schedules(T0 * 2), store.requests(), store.headers()) == ([], [], [], [])
    # Stale members too: the sweep drops index entries whose records are gone.
    client.zadd(store._key("timers"), {json.dumps(["nobody", "t"]): T0})
    client.zadd(store._key("sessions"), {"nobody": 0})
    client.hset(store._key("requests"), "r-none", "nobody")
    counts = store.sweep_indexes()
    assert counts["added"] == 10 + 6 + 5 + 5 + 5 and counts["removed"] == 3
    assert (store.due_timers(T0 * 2, 1000), store.due_schedules(T0 * 2, 1000), store.requests(), store.headers(limit=1000)) == before
    assert client.zrange(store._key("tombs"), 0, -1) == [f"s{k}-gone".encode() for k in range(5)]
    assert store.sweep_indexes() == {"added": 0, "removed": 0, "delivered": 0}
    client.close()


class CrashBeforeDelivery(Exception):
    pass


def crashing_store(url: str, cluster: str):
    """A RedisStore whose commits stop right after the script and the index pipeline, as a
    host killed at that point would."""
    from scxmlc_runtime.store.redis import RedisStore

    class Crashing(RedisStore):
        def _deliver(self, sid, entries):
            raise CrashBeforeDelivery(sid)

    store = Crashing(url, cluster, clock=Clock(), index_sweep_s=0)
    store.open()
    return store


def test_an_outbox_cut_short_is_delivered_by_the_sweep_exactly_once(redis_server):
    cluster = unique_cluster()
    first = crashing_store(redis_server.url, cluster)
    first.commit(new("target"))
    with pytest.raises(CrashBeforeDelivery):
        first.commit(new("sender", local_events=[("target", {"name": "hello"})], schedule_put=[sched("kid", T0)]))
    first.close()
    store = make(redis_server.url, cluster)  # open() sweeps
    client = raw_client(store)
    try:
        assert store.load("sender").version == 1  # the commit stood
        assert [e for _, e in store.inputs("target")] == [{"name": "hello"}]
        assert [r.session_id for r in store.due_schedules(T0)] == ["kid"]
        assert client.llen(store._part("sender", "outbox")) == 0
        # Delivered but not removed from the outbox (a crash between the two): the target
        # recognises the entry and drops it.
        first = crashing_store(redis_server.url, cluster)
        with pytest.raises(CrashBeforeDelivery):
            first.commit(step("sender", 1, b"s2", local_events=[("target", {"name": "again"})]))
        first.close()
        entries = client.lrange(store._part("sender", "outbox"), 0, -1)
        assert len(entries) == 1
        assert store.sweep_indexes()["delivered"] == 1
        client.rpush(store._part("sender", "outbox"), *entries)
        assert store.sweep_indexes()["delivered"] == 0
        assert [e["name"] for _, e in store.inputs("target")] == ["hello", "again"]
        assert client.llen(store._part("sender", "outbox")) == 0
    finally:
        client.close()
        store.close()


def test_stale_index_members_do_not_hide_due_rows(store):
    store.commit(new("a", timers_put=[timer("a", f"t{i:03d}", T0 + i) for i in range(5)]))
    client = raw_client(store)
    # 300 members whose timers are gone, all due before the real ones
    client.zadd(store._key("timers"), {json.dumps(["ghost", f"g{i}"]): T0 - 1000 + i for i in range(300)})
    assert [t.sendid for t in store.due_timers(T0 + 100, limit=3)] == ["t000", "t001", "t002"]
    client.close()


# ---------------------------------------------------------------------------------------------
# Durability


def test_appendfsync_other_than_always_is_warned_about(tmp_path, caplog, redis_server):
    caplog.set_level(logging.WARNING, logger="scxmlc_runtime.store.redis")
    good = make(redis_server.url)
    good.close()
    assert good.durability_warnings == [] and not caplog.records
    server = RedisServer(tmp_path / "everysec", appendfsync="everysec").start()
    try:
        store = make(server.url)
        store.close()
        assert len(store.durability_warnings) == 1 and "appendfsync everysec, not always" in store.durability_warnings[0]
        assert any("appendfsync everysec" in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records)
        # A user that may not run CONFIG: the warning says so, and the store works.
        client = server.client()
        client.execute_command("ACL", "SETUSER", "app", "on", ">pw", "~*", "+@all", "-config")
        client.close()
        store = make(f"redis://app:pw@127.0.0.1:{server.port}/0")
        try:
            assert len(store.durability_warnings) == 1 and "CONFIG GET is not permitted" in store.durability_warnings[0]
            assert store.commit(new("a")) == 1
        finally:
            store.close()
        client = server.client()
        client.config_set("appendonly", "no")
        client.close()
        store = make(server.url)
        store.close()
        assert "without an append-only file" in store.durability_warnings[0]
    finally:
        server.stop()


def contents(store) -> tuple:
    """What fill(store, "a") stored, as the store reads it."""
    a = (store.load("a"), store.inputs("a"), store.timers("a"), store.requests(), store.due_schedules(T0 * 2))
    return (*a, store.tombstone("a-gone"), store.headers(), store.inputs("a-other"))


def test_everything_survives_kill_9_of_redis_server(tmp_path):
    server = RedisServer(tmp_path / "redis").start()
    cluster = unique_cluster()
    try:
        store = make(server.url, cluster)
        fill(store)
        ref = store.append_input("a", {"name": "last"})
        store.commit(step("a", 2, b"\x00\xffbinary"))
        before = contents(store)
        store.close()
        server.kill()  # SIGKILL: no shutdown save; only the append-only file has the data
        server.start()
        store = make(server.url, cluster)
        try:
            assert contents(store) == before
            assert store.load("a").snapshot == b"\x00\xffbinary" and store.load("a").version == 3
            assert store.append_input("a", {"name": "next"}).seq > ref.seq
        finally:
            store.close()
    finally:
        server.kill()


# ---------------------------------------------------------------------------------------------
# Redis Cluster


def test_cluster_sessions_spread_over_nodes_and_talk_across_slots(redis_cluster):
    import redis

    store = make(redis_cluster.url)
    try:
        assert store.cluster_mode
        sids = [f"sess{k}" for k in range(24)]
        for sid in sids:
            store.commit(new(sid, timers_put=[timer(sid, "t", T0 + 1)], requests_put=[RequestRow(f"r-{sid}", sid, "fetch")]))
        # Each session's keys live on one node; the sessions on all three.
        nodes = {}
        for node in redis_cluster.nodes:
            client = node.client()
            for key in client.scan_iter(match=store.prefix + "{*", count=1000):
                nodes.setdefault(store._sid_of(key)[0], set()).add(node.port)
            client.close()
        assert all(len(ports) == 1 for ports in nodes.values())
        assert len({p for ports in nodes.values() for p in ports}) == 3
        # A commit of one session reaches others on other nodes: events and schedule rows.
        to_all = [(sid, {"from": "sess0"}) for sid in sids[1:]]
        store.commit(step("sess0", 1, b"s2", local_events=to_all, schedule_put=[sched("kid", T0, parent="sess0")]))
        assert all(store.inputs(sid)[0][1] == {"from": "sess0"} for sid in sids[1:])
        (row,) = store.due_schedules(T0)
        assert store.start_scheduled(row, new("kid"), ("sess0", {"name": "session.start.done"})) == 1
        assert [e for _, e in store.inputs("sess0")] == [{"name": "session.start.done"}]
        assert len(store.due_timers(T0 + 1, 1000)) == 24 and len(store.requests()) == 24
        # The sweep reads every node.
        cluster = redis.cluster.RedisCluster.from_url(store._client_url)
        cluster.delete(store._key("timers"), store._key("requests"), store._key("sessions"))
        cluster.close()
        assert store.sweep_indexes()["added"] == 24 + 24 + 25
        assert len(store.due_timers(T0 + 1, 1000)) == 24 and len(store.headers(limit=1000)) == 25
    finally:
        store.close()


# ---------------------------------------------------------------------------------------------
# Packaging, settings, the command line


def test_importing_the_runtime_does_not_import_redis():
    code = (
        "import sys, scxmlc_runtime, scxmlc_runtime.store, scxmlc_runtime.server.settings\n"
        "assert 'redis' not in sys.modules, sorted(m for m in sys.modules if m.startswith('redis'))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_without_the_redis_package_the_error_says_what_to_install(tmp_path):
    code = (
        "import sys; sys.modules['redis'] = None\n"
        "from scxmlc_runtime.store import RedisStore, StoreError\n"
        "try:\n    RedisStore('redis://127.0.0.1:1/0')\nexcept StoreError as exc:\n    print(exc)\n"
        "from scxmlc.cli import main\n"
        "sys.exit(main(['serve', '--port', '0', '--store', 'redis://127.0.0.1:1/0']))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert "pip install 'scxmlc[redis]'" in done.stdout
    assert done.returncode == 2 and "pip install 'scxmlc[redis]'" in done.stderr and "Traceback" not in done.stderr


def test_settings_for_the_redis_store():
    from scxmlc_runtime.server import ServerSettings, SettingsError

    s = ServerSettings.from_mapping({"store": "redis", "redis_url": "redis+cluster://10.0.0.1:7000", "cluster": "ors-1"})
    assert (s.store, s.cluster, s.session_max_idle_s) == ("redis", "ors-1", 2_592_000.0)
    assert s.describe_store() == "redis+cluster://10.0.0.1:7000, cluster ors-1"
    assert ServerSettings(store="redis", redis_url="redis://u:secret@h:1/2").describe_store() == "redis://u:***@h:1/2, cluster default"
    for bad, message in (
        ({"store": "redis"}, "needs redis_url"),
        ({"store": "redis", "redis_url": "http://h:1"}, "not a Redis URL"),
        ({"store": "redis", "redis_url": "redis://h:1/x"}, "database number"),
        ({"store": "redis", "redis_url": "redis+cluster://h:1/2"}, "database 0 only"),
        ({"store": "redis", "redis_url": "redis://h:1", "cluster": "a:b"}, "cluster name"),
        ({"session_max_idle_s": 0}, "session_max_idle_s"),
    ):
        with pytest.raises(SettingsError, match=message):
            ServerSettings.from_mapping(bad)


def scxmlc_serve(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scxmlc", "serve", "--port", "0", *args], capture_output=True, text=True, timeout=120, cwd=cwd)


def test_serve_refuses_a_bad_or_unreachable_redis_without_a_traceback(tmp_path):
    from .redis_server import free_port

    port = free_port()  # nothing listens there
    for args, message in (
        (["--store", f"redis://127.0.0.1:{port}/0"], "cannot reach Redis at redis://127.0.0.1"),
        (["--store", f"redis://user:hush@127.0.0.1:{port}/0"], "redis://user:***@127.0.0.1"),
        (["--store", "redis://127.0.0.1:notaport/0"], "bad port"),
        (["--store", "redis+cluster://127.0.0.1:7000/5"], "database 0 only"),
        (["--store", "ftp://127.0.0.1/x"], "not a store"),
        (["--store", f"redis://127.0.0.1:{port}/0", "--cluster", "a{b}"], "cluster name"),
        (["--cluster", "t1"], "--cluster names the keys of a Redis store"),
    ):
        done = scxmlc_serve(*args, cwd=tmp_path)
        assert done.returncode == 2, (args, done.stderr)
        assert done.stderr.startswith("scxmlc serve: error: ") and message in done.stderr, (args, done.stderr)
        assert "Traceback" not in done.stderr and "hush" not in done.stderr


COUNTER = """<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript" name="counter" initial="run">
<datamodel><data id="n" expr="0"/><data id="log" expr="[]"/><data id="ticked" expr="0"/></datamodel>
<state id="run">
  <onentry><send event="tick" delay="2s"/></onentry>
  <transition event="add"><assign location="n" expr="n + Number(_event.data.k)"/><script>log.push(Number(_event.data.k))</script></transition>
  <transition event="tick"><assign location="ticked" expr="ticked + 1"/></transition>
</state>
</scxml>
"""


def test_serve_on_redis_keeps_a_session_across_kill_9(tmp_path, redis_server):
    from .server.test_durable import Serve, free_port

    root = tmp_path / "charts"
    root.mkdir()
    (root / "counter.scxml").write_text(COUNTER)
    cluster = unique_cluster()
    serve = Serve(root, redis_server.url, free_port(), "--cluster", cluster)
    serve.start()
    try:
        c = Client(serve.url)
        sid = c.start("counter.scxml")
        for k in (1, 2, 3):
            assert c.post(f"/scxml/session/{sid}/event/add", form={"k": k}).json()["status"] == "queued"

        def data():
            r = c.get(f"/scxml/session/{sid}/query")
            return r.json()["data"] if r.status == 200 else None

        assert eventually(lambda: (data() or {}).get("log") == [1, 2, 3])
        assert c.get("/ors/health").json()["store"]["kind"] == "redis"
        serve.kill()
        client = redis_server.client()
        assert client.exists(f"scxmlc:{cluster}:{{{sid}}}:meta") and client.exists(f"scxmlc:{cluster}:{{{sid}}}:snap")
        client.close()
        serve.start()
        after = data()
        assert (after["n"], after["log"]) == (6, [1, 2, 3])
        assert eventually(lambda: (data() or {}).get("ticked") == 1)  # the delayed send survived too
        assert c.post(f"/scxml/session/{sid}/event/add", form={"k": 4}).json()["status"] == "queued"
        assert eventually(lambda: (data() or {}).get("n") == 10)
        assert c.post(f"/scxml/session/{sid}/terminate").status == 200
        assert eventually(lambda: c.get(f"/scxml/session/{sid}/query").status == 410)
    finally:
        serve.stop()
    assert not any("Traceback" in log for log in serve.logs), serve.logs


def test_serve_on_redis_loses_nothing_and_does_nothing_twice_under_sigkill(tmp_path, redis_server, monkeypatch):
    """§9.13 acceptance test 1 (tests/server/test_durable.py) with the server's store on Redis:
    sessions under load, the server killed with SIGKILL at random points, every acknowledged
    input processed once, timers and guaranteed-delivery fetches done."""
    from .server import test_durable

    made: list = []

    class ServeOnRedis(test_durable.Serve):
        """The server's log goes to a file (read at each kill, and shown when the test fails)."""

        def __init__(self, root, store, port, *extra):
            super().__init__(root, redis_server.url, port, "--cluster", unique_cluster(), *extra)
            self.log_path = tmp_path / f"serve-{len(made)}.log"
            made.append(self)

        def start(self) -> None:
            cmd = [sys.executable, "-m", "scxmlc", "serve", str(self.root), "--port", str(self.port), "--store", str(self.store), *self.extra]
            self.offset = self.log_path.stat().st_size if self.log_path.exists() else 0
            with self.log_path.open("ab") as err:
                self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, text=True, cwd=self.root)
            self.await_ready(lambda: self.log_path.read_text(errors="replace")[-3000:])

        def _ended(self) -> None:
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
            self.proc.stdout.close()
            with self.log_path.open("rb") as f:
                f.seek(self.offset)
                self.logs.append(f.read().decode("utf-8", "replace"))
            self.proc = None

        def kill(self) -> None:
            if self.proc is not None:
                if self.proc.poll() is None:
                    self.proc.send_signal(signal.SIGKILL)
                self._ended()

        def stop(self) -> None:
            if self.proc is not None:
                if self.proc.poll() is None:
                    self.proc.terminate()
                self._ended()

    monkeypatch.setattr(test_durable, "Serve", ServeOnRedis)
    try:
        test_durable.test_sigkill_at_random_points_under_load_loses_nothing_and_does_nothing_twice(tmp_path)
    except BaseException:
        for serve in made:  # (pytest shows this with the failure)
            print(f"--- {serve.log_path} ---\n{serve.log_path.read_text(errors='replace')[-6000:]}")
        raise
