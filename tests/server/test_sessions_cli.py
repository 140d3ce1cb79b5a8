"""`scxmlc sessions list|show|resume|drop` (runtime/server/admin.py, ors-server.md §9.7 step 2): run as a subprocess against real SQLite files and a real redis-server filled through the store API, and once against the store of a `scxmlc serve` that ran."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

import scxmlc
from scxmlc_runtime import Host, SimulatedClock
from scxmlc_runtime.server import admin
from scxmlc_runtime.snapshot import chart_digest
from scxmlc_runtime.store import CommitBatch, MemoryStore, RequestRow, ScheduleRow, SqliteStore, TimerRow

from ..redis_server import redis_server, unique_cluster  # noqa: F401 - fixture
from .conftest import CHARTS, copy_charts, eventually, serve

T0 = 1_700_000_000_000  # the store's fake clock, in ms
T0_TEXT = "2023-11-14T22:13:20.000Z"
T1_TEXT = "2023-11-14T22:13:21.000Z"  # T0 + 1 s


class FakeClock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now


def sessions(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "scxmlc", "sessions", *args], capture_output=True, text=True, cwd=cwd, timeout=120)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


@pytest.fixture(scope="module")
def chart():
    """A real chart, its snapshot after start, and its digest."""
    module = scxmlc.load(CHARTS / "queueing.scxml", module_name="sessions_cli_queueing")
    host = Host(SimulatedClock())
    sm = host.start(module.Chart)
    sm.send("callback.confirmed", {"slot": 7})
    host.run_until_idle()
    data = sm.snapshot()
    host.close()
    return data, chart_digest(module.Chart)


class Filled:
    """A store with: `run` (running, two inputs waiting, a timer, a GD request), `orph`
    (orphaned), `term` (terminating), and `gone` (ended: only its tombstone). An SQLite file at
    `path`, or with `redis` (the test server's URL) a Redis store under a cluster name of its
    own; `args` are the command line's options that name it."""

    def __init__(self, path: Path, snap: bytes, digest: str, redis: str | None = None) -> None:
        self.path = path
        self.snap = snap
        self.clock = FakeClock()
        self.redis = redis
        self.cluster = unique_cluster() if redis else None
        self.args = ("--store", str(path)) if redis is None else ("--store", redis, "--cluster", self.cluster)
        s = self.open()
        try:
            common = dict(module="queueing.scxml", doc_hash=digest)
            s.commit(CommitBatch("run", None, snapshot=snap, src="queueing.scxml", **common))
            self.clock.now += 1000
            s.commit(
                CommitBatch(
                    "run",
                    1,
                    snapshot=snap,
                    timers_put=[TimerRow("run", "t1", T0 + 60_000, "#_internal", {"wake": "run"})],
                    requests_put=[RequestRow("r1", "run", "fetch", queue_key="gd:crm", queue_seq=1, deadline_ms=T0 + 30_000, spec={"url": "http://crm"})],
                )
            )
            s.append_input("run", {"name": "check-queue-position", "data": {}})
            s.append_input("run", {"name": "bye"})
            s.commit(CommitBatch("orph", None, snapshot=snap, src="old.scxml", parent_id="run", **common))
            s.set_status("orph", "orphaned")
            s.commit(CommitBatch("term", None, snapshot=snap, src="queueing.scxml", status="terminating", **common))
            s.commit(CommitBatch("gone", None, snapshot=snap, src="queueing.scxml", **common))
            s.commit(CommitBatch("gone", 1, snapshot=None, ended_reason="final", tombstone_ttl_ms=2**40))  # (the CLI reads it on the real clock)
        finally:
            s.close()

    def open(self):
        if self.redis is not None:
            from scxmlc_runtime.store.redis import RedisStore

            s = RedisStore(self.redis, self.cluster, clock=self.clock, index_sweep_s=0)
        else:
            s = SqliteStore(self.path, group_commit_ms=0, clock=self.clock)
        s.open()
        return s

    def read(self, fn):
        s = self.open()
        try:
            return fn(s)
        finally:
            s.close()


@pytest.fixture
def sqlite_filled(tmp_path, chart) -> Filled:
    return Filled(tmp_path / "sessions.db", *chart)


@pytest.fixture
def redis_filled(tmp_path, chart, redis_server) -> Filled:  # noqa: F811 - the fixture's name
    return Filled(tmp_path / "unused.db", *chart, redis=redis_server.url)


@pytest.fixture(params=["sqlite", "redis"])
def filled(request, tmp_path, chart) -> Filled:
    """The same sessions in either store: the command line treats them alike."""
    if request.param == "sqlite":
        return Filled(tmp_path / "sessions.db", *chart)
    return request.getfixturevalue("redis_filled")


# -- list ----------------------------------------------------------------------------------------


def test_list_prints_one_aligned_line_per_stored_session(filled):
    proc = sessions(*filled.args, "list")
    assert proc.returncode == 0 and proc.stderr == ""
    lines = proc.stdout.splitlines()
    assert lines[0].split() == ["ID", "STATUS", "VERSION", "UPDATED", "INBOX", "TIMERS", "REQUESTS", "SRC"]
    rows = [line.split() for line in lines[1:-1]]
    # ordered by id; the ended session is not stored, so not listed
    assert rows == [
        ["orph", "orphaned", "1", T1_TEXT, "0", "0", "0", "old.scxml"],
        ["run", "running", "2", T1_TEXT, "2", "1", "1", "queueing.scxml"],
        ["term", "terminating", "1", T1_TEXT, "0", "0", "0", "queueing.scxml"],
    ]
    # the columns line up: each header starts where its cells start
    start = lines[0].index("UPDATED")
    assert all(line[start:].startswith("2023-") for line in lines[1:-1])
    assert lines[-1] == "3 sessions (1 running, 1 terminating, 1 orphaned)"
    # the output is the same on a second run (nothing in it depends on the moment)
    assert sessions(*filled.args, "list").stdout == proc.stdout


def test_list_json_and_status_filter(filled):
    proc = sessions("list", *filled.args, "--json")  # (--store after the subcommand too)
    assert proc.returncode == 0
    doc = json.loads(proc.stdout)
    assert doc["count"] == 3 and [s["id"] for s in doc["sessions"]] == ["orph", "run", "term"]
    run = doc["sessions"][1]
    assert run == {
        "id": "run",
        "status": "running",
        "src": "queueing.scxml",
        "parent_id": None,
        "module": "queueing.scxml",
        "doc_hash": filled.read(lambda s: s.load("run").doc_hash),
        "version": 2,
        "created_ms": T0,
        "updated_ms": T0 + 1000,
        "inbox": 2,
        "timers": 1,
        "requests": 1,
    }
    orphaned = json.loads(sessions(*filled.args, "list", "--status", "orphaned", "--json").stdout)
    assert [s["id"] for s in orphaned["sessions"]] == ["orph"] and orphaned["sessions"][0]["parent_id"] == "run"
    none = sessions(*filled.args, "list", "--status", "forced")
    assert none.returncode == 0 and none.stdout == "no stored sessions with status forced\n"
    bad = sessions(*filled.args, "list", "--status", "asleep")
    assert bad.returncode == 2 and "invalid choice" in bad.stderr


def test_list_shows_the_sessions_that_start_later(filled):
    def schedule(s):
        s.schedule(ScheduleRow("kid", "kid.scxml", {}, "run", None, 0, 0, T0 + 5000, T0))  # a <session:start>'s
        s.schedule(ScheduleRow("rest", "queueing.scxml", {}, None, T0 + 1000, 0, 0, T0 + 1000, T0))  # a REST start's

    filled.read(schedule)
    lines = sessions(*filled.args, "list").stdout.splitlines()
    at = lines.index("") + 1
    assert [line.split() for line in lines[at:]] == [
        ["SCHEDULED", "DUE", "STARTER", "SRC"],
        ["rest", T1_TEXT, "-", "queueing.scxml"],
        ["kid", "2023-11-14T22:13:25.000Z", "run", "kid.scxml"],
        ["2", "scheduled", "starts"],
    ]
    assert lines[at - 2] == "3 sessions (1 running, 1 terminating, 1 orphaned)"
    doc = json.loads(sessions(*filled.args, "list", "--json").stdout)
    assert doc["scheduled"] == [
        {"id": "rest", "due_ms": T0 + 1000, "ideal_ms": T0 + 1000, "starter": None, "src": "queueing.scxml"},
        {"id": "kid", "due_ms": T0 + 5000, "ideal_ms": None, "starter": "run", "src": "kid.scxml"},
    ]
    assert "SCHEDULED" not in sessions(*filled.args, "list", "--status", "running").stdout  # (sessions only)


def test_list_pages_through_many_sessions(tmp_path, chart):
    path = tmp_path / "many.db"
    store = SqliteStore(path, group_commit_ms=5)
    store.open()
    try:
        futures = [store.submit(CommitBatch(f"s{i:04d}", None, snapshot=chart[0], module="m", doc_hash="h", src="x.scxml")) for i in range(250)]
        assert all(f.result() == 1 for f in futures)
    finally:
        store.close()
    doc = json.loads(sessions("--store", str(path), "list", "--json").stdout)
    assert doc["count"] == 250
    assert [s["id"] for s in doc["sessions"]] == [f"s{i:04d}" for i in range(250)]  # more than one page of headers()
    text = sessions("--store", str(path), "list").stdout.splitlines()
    assert len(text) == 252 and text[-1] == "250 sessions (250 running)"


def test_list_sessions_reads_headers_page_by_page():
    store = MemoryStore()
    store.open()
    for i in range(7):
        store.commit(CommitBatch(f"k{i}", None, snapshot=b"{}", module="m", doc_hash="h"))
    calls = []
    headers = store.headers

    def counting(status=None, after=None, limit=100):
        calls.append((after, limit))
        return headers(status, after, limit)

    store.headers = counting
    assert [s.id for s in admin.list_sessions(store, page_size=3)] == [f"k{i}" for i in range(7)]
    assert calls == [(None, 3), ("k2", 3), ("k5", 3)]


# -- show ----------------------------------------------------------------------------------------


def test_show_prints_header_snapshot_summary_timers_requests_inbox(filled):
    proc = sessions(*filled.args, "show", "run")
    assert proc.returncode == 0 and proc.stderr == ""
    out = proc.stdout
    assert "session:    run\n" in out and "status:     running\n" in out and "version:    2\n" in out
    assert f"created:    {T0_TEXT}\n" in out
    assert f"snapshot:   {len(filled.snap)} bytes stored" in out and "format 1, chart Queueing" in out
    assert "  configuration: waiting\n" in out
    assert "  datamodel:     position = 3, ewt = 95, holiday = undefined, seen = array(1)\n" in out
    assert "timers:     1\n  t1  due 2023-11-14T22:14:20.000Z  target #_internal" in out
    assert "requests:   1\n  r1  fetch  ready  attempts 0  queue gd:crm#1  deadline 2023-11-14T22:13:50.000Z\n" in out
    inbox = out.split("inbox:      2\n", 1)[1].splitlines()
    assert [line.split()[1] for line in inbox] == ['{"data":{},"name":"check-queue-position"}', '{"name":"bye"}']


def test_show_json_has_the_whole_decoded_snapshot(filled):
    proc = sessions(*filled.args, "show", "run", "--json")
    assert proc.returncode == 0
    doc = json.loads(proc.stdout)
    assert doc["snapshot"] == json.loads(zlib.decompress(filled.snap))
    assert doc["snapshot"]["configuration"] == ["waiting"] and doc["snapshot_bytes"] == len(filled.snap)
    assert [t["sendid"] for t in doc["timers"]] == ["t1"] and doc["timers"][0]["due_ms"] == T0 + 60_000
    assert doc["requests"][0]["requestid"] == "r1" and doc["requests"][0]["queue_key"] == "gd:crm"
    assert [i["event"]["name"] for i in doc["inbox"]] == ["check-queue-position", "bye"]
    assert doc["inbox"][0]["seq"] < doc["inbox"][1]["seq"]


def test_show_a_snapshot_that_cannot_be_decoded(tmp_path):
    path = tmp_path / "s.db"
    store = SqliteStore(path)
    with store:
        store.commit(CommitBatch("bad", None, snapshot=b"\x78\x9cnot zlib", module="m", doc_hash="h"))
    proc = sessions("--store", str(path), "show", "bad")
    assert proc.returncode == 0
    assert "snapshot:   10 bytes, cannot be decoded: not a snapshot" in proc.stdout
    assert json.loads(sessions("--store", str(path), "show", "bad", "--json").stdout)["snapshot"] is None


def test_show_unknown_and_ended_sessions(filled):
    proc = sessions(*filled.args, "show", "nope")
    assert (proc.returncode, proc.stdout) == (1, "")
    assert proc.stderr == "scxmlc: error: no stored session 'nope'\n"
    ended = sessions(*filled.args, "show", "gone")
    assert ended.returncode == 1
    assert ended.stderr.startswith("scxmlc: error: no stored session 'gone': it ended at ")
    assert ended.stderr == f"scxmlc: error: no stored session 'gone': it ended at {T1_TEXT} (final); its tombstone is kept until {admin.format_ms(T0 + 1000 + 2**40)}\n"


# -- resume --------------------------------------------------------------------------------------


def test_resume_an_orphaned_session_puts_it_back_to_running(filled):
    proc = sessions(*filled.args, "resume", "orph")
    assert proc.returncode == 0 and "orph: running again" in proc.stdout and "orphaned again" in proc.stdout
    stored = filled.read(lambda s: s.load("orph"))
    assert (stored.status, stored.version) == ("running", 1)  # a mark, not a commit


def test_resume_force_marks_it_forced(filled):
    proc = sessions(*filled.args, "resume", "orph", "--force")
    assert proc.returncode == 0 and "orph: forced" in proc.stdout
    stored = filled.read(lambda s: s.load("orph"))
    assert (stored.status, stored.version, stored.snapshot) == ("forced", 1, filled.snap)
    assert [s["id"] for s in json.loads(sessions(*filled.args, "list", "--status", "forced", "--json").stdout)["sessions"]] == ["orph"]
    again = sessions(*filled.args, "resume", "orph", "--force")
    assert again.returncode == 0 and "already forced" in again.stdout
    plain = sessions(*filled.args, "resume", "orph")
    assert plain.returncode == 1 and "orph is forced, not orphaned" in plain.stderr
    assert filled.read(lambda s: s.load("orph").status) == "forced"


def test_resume_of_a_running_or_terminating_session(filled):
    before = filled.read(lambda s: s.load("run"))
    for extra in ((), ("--force",)):
        proc = sessions(*filled.args, "resume", "run", *extra)
        assert proc.returncode == 0 and proc.stdout == "session run is already running: nothing to do\n"
    after = filled.read(lambda s: s.load("run"))
    assert (after.status, after.updated_ms, after.version) == ("running", before.updated_ms, before.version)
    term = sessions(*filled.args, "resume", "term", "--force")
    assert term.returncode == 1 and term.stderr == "scxmlc: error: session term is terminating, not orphaned: nothing to resume\n"
    assert filled.read(lambda s: s.load("term").status) == "terminating"
    unknown = sessions(*filled.args, "resume", "nope")
    assert unknown.returncode == 1 and "no stored session 'nope'" in unknown.stderr


def test_forced_is_a_status_of_both_stores(tmp_path):
    for store in (MemoryStore(), SqliteStore(tmp_path / "f.db")):
        with store:
            store.commit(CommitBatch("a", None, snapshot=b"x", module="m", doc_hash="h"))
            store.set_status("a", "forced")
            assert [h.id for h in store.headers(status="forced")] == ["a"]
            # the server's next commit writes the new hash, and status running
            assert store.commit(CommitBatch("a", 1, snapshot=b"y", doc_hash="h2")) == 2
            stored = store.load("a")
            assert (stored.status, stored.doc_hash) == ("running", "h2")
            with pytest.raises(ValueError, match="unknown session status"):
                store.set_status("a", "paused")


# -- drop ----------------------------------------------------------------------------------------


def test_drop_removes_the_session_and_leaves_a_tombstone(filled):
    proc = sessions(*filled.args, "drop", "run", "--reason", "operator")
    assert proc.returncode == 0 and proc.stdout.startswith("session run: dropped (operator)")

    def check(s):
        assert s.load("run") is None
        assert s.timers("run") == [] and s.requests(session_id="run") == [] and s.inputs("run") == []
        assert s.tombstone("run").reason == "operator"
        assert [h.id for h in s.headers()] == ["orph", "term"]

    filled.read(check)
    again = sessions(*filled.args, "drop", "run")
    assert again.returncode == 1 and "no stored session 'run': it ended at" in again.stderr and "(operator)" in again.stderr
    unknown = sessions(*filled.args, "drop", "nope")
    assert unknown.returncode == 1 and unknown.stderr == "scxmlc: error: no stored session 'nope'\n"


# -- the store -----------------------------------------------------------------------------------


def test_a_missing_store_is_an_error_and_is_not_created(tmp_path):
    path = tmp_path / "nothing.db"
    proc = sessions("--store", str(path), "list")
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith(f"scxmlc: error: no session store {path}: no such file")
    # without --store: the default path of the settings, in the current folder
    default = sessions("list", cwd=tmp_path)
    assert default.returncode == 2 and "no session store scxmlc-sessions.db" in default.stderr
    assert list(tmp_path.iterdir()) == []


def test_the_store_from_a_settings_file(sqlite_filled, tmp_path):
    filled = sqlite_filled
    config = tmp_path / "server.toml"
    config.write_text(f'[server]\nstore_path = "{filled.path.name}"\ntombstone_ttl_s = 120\n')
    proc = sessions("--config", str(config), "list", "--json", cwd=filled.path.parent)
    assert proc.returncode == 0 and json.loads(proc.stdout)["count"] == 3
    dropped = sessions("--config", str(config), "drop", "term", cwd=filled.path.parent)
    assert dropped.returncode == 0 and "kept for 120 s" in dropped.stdout
    tomb = filled.read(lambda s: s.tombstone("term"))
    assert tomb.expires_ms - tomb.ended_ms == 120_000
    # --store wins over the settings file
    elsewhere = sessions("--config", str(config), "--store", str(tmp_path / "x.db"), "list", cwd=filled.path.parent)
    assert elsewhere.returncode == 2 and "x.db: no such file" in elsewhere.stderr
    bad = tmp_path / "bad.toml"
    bad.write_text("colour = 1\n")
    assert sessions("--config", str(bad), "list").stderr == "scxmlc: error: unknown setting 'colour'\n"
    bad.write_bytes(b"port = \xff\xfe\n")  # (not UTF-8: an error, not an internal one)
    assert sessions("--config", str(bad), "list").stderr == f"scxmlc: error: cannot read {bad}: not UTF-8 text\n"


def test_a_memory_store_is_refused(tmp_path):
    proc = sessions("--store", "memory", "list")
    assert proc.returncode == 2 and proc.stderr.startswith("scxmlc: error: --store memory: ")
    config = tmp_path / "memory.json"
    config.write_text('{"store": "memory"}')
    via_config = sessions("--config", str(config), "list")
    assert via_config.returncode == 2 and "store = memory" in via_config.stderr


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "is not a session store (an empty file)"),
        (bytes(range(256)) * 20, "is not a session store (not an SQLite database)"),
        (b"SQLite format 3\x00" + b"\xff" * 5000, "file is not a database"),
    ],
    ids=["empty", "garbage", "damaged-header"],
)
def test_a_file_that_is_not_a_store_is_refused_and_left_alone(tmp_path, content, message):
    path = tmp_path / "bad.db"
    path.write_bytes(content)
    proc = sessions("--store", str(path), "list")
    assert proc.returncode == 2 and proc.stderr.startswith("scxmlc: error: ") and message in proc.stderr
    assert path.read_bytes() == content  # nothing written into it
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.db"]


def test_a_foreign_database_and_a_newer_schema(tmp_path, sqlite_filled):
    filled = sqlite_filled
    foreign = tmp_path / "foreign.db"
    raw = sqlite3.connect(foreign)
    raw.execute("CREATE TABLE contacts (name TEXT)")
    raw.commit()
    raw.close()
    proc = sessions("--store", str(foreign), "list")
    assert proc.returncode == 2 and "is an SQLite database but not an scxmlc session store (contacts)" in proc.stderr
    raw = sqlite3.connect(filled.path)
    with raw:
        raw.execute("UPDATE meta SET value = '7' WHERE key = 'schema_version'")
    raw.close()
    newer = sessions(*filled.args, "show", "run")
    assert newer.returncode == 2
    assert "has schema version 7, newer than this scxmlc_runtime understands" in newer.stderr


def test_a_redis_store_from_a_settings_file_and_what_is_refused(redis_filled, tmp_path):
    filled = redis_filled
    config = tmp_path / "server.toml"
    config.write_text(f'[server]\nstore = "redis"\nredis_url = "{filled.redis}"\ncluster = "{filled.cluster}"\n')
    proc = sessions("--config", str(config), "list", "--json")
    assert proc.returncode == 0 and json.loads(proc.stdout)["count"] == 3
    # a cluster name under which no store exists is refused, and no store is started there
    other = unique_cluster()
    missing = sessions("--config", str(config), "--cluster", other, "list")
    assert missing.returncode == 2 and missing.stdout == ""
    assert f"no session store under the cluster name '{other}' (no key scxmlc:{other}:schema)" in missing.stderr
    from scxmlc_runtime.store.redis import RedisStore

    probe = RedisStore(filled.redis, other)
    client = probe._redis.Redis.from_url(filled.redis)
    try:
        assert list(client.scan_iter(match=f"scxmlc:{other}:*")) == []
    finally:
        client.close()
    unreachable = sessions("--store", "redis://127.0.0.1:1/0", "list")
    assert unreachable.returncode == 2 and "cannot reach Redis at redis://127.0.0.1:1/0" in unreachable.stderr
    # --store is read as `scxmlc serve` reads it
    not_a_store = sessions("--store", "http://example.com/x", "list")
    assert not_a_store.returncode == 2 and "--store http://...: not a store" in not_a_store.stderr
    bad_name = sessions("--store", filled.redis, "--cluster", "no spaces", "list")
    assert bad_name.returncode == 2 and "the cluster name must be" in bad_name.stderr
    for args in (("--store", str(tmp_path / "x.db"), "--cluster", "prod"), ("--cluster", "prod")):
        sqlite = sessions(*args, "list", cwd=tmp_path)
        assert sqlite.returncode == 2 and sqlite.stderr == "scxmlc: error: --cluster names the keys of a Redis store: use it with --store redis://HOST:PORT/DB\n"


def test_help_documents_the_exit_statuses():
    proc = sessions("--help")
    assert proc.returncode == 0
    assert "exit status:" in proc.stdout and "  2  bad options or settings, or no usable store" in proc.stdout
    for command in ("list", "show", "resume", "drop"):
        assert command in proc.stdout
    assert "orphans it again if the document's hash still differs" in sessions("resume", "--help").stdout


# -- end to end: a store written by `scxmlc serve` ------------------------------------------------


def test_sessions_of_a_server_that_ran(tmp_path):
    root = copy_charts(tmp_path)
    db = tmp_path / "served.db"
    served = serve(root, "--store", str(db))
    try:
        client = served.client()
        sid = client.start("queueing.scxml")
        r = client.post(f"/scxml/session/{sid}/event/callback.confirmed", form={"slot": "4"})
        assert r.status == 200, r
        assert eventually(lambda: client.get(f"/scxml/session/{sid}/query?item=seen").json()["data"] == {"seen": ["4"]})
    finally:
        served.stop()
    listed = sessions("--store", str(db), "list", "--json")
    assert listed.returncode == 0, listed.stderr
    [entry] = json.loads(listed.stdout)["sessions"]
    assert entry["id"] == sid and entry["status"] == "running" and entry["src"].endswith("queueing.scxml")
    assert entry["inbox"] == 0 and entry["version"] >= 2
    shown = sessions("--store", str(db), "show", sid)
    assert shown.returncode == 0 and "  configuration: waiting\n" in shown.stdout and "seen = array(1)" in shown.stdout
    dropped = sessions("--store", str(db), "drop", sid)
    assert dropped.returncode == 0
    after = sessions("--store", str(db), "list")
    assert after.returncode == 0 and after.stdout == "no stored sessions\n"
    store = SqliteStore(db)
    with store:
        assert store.load(sid) is None and store.tombstone(sid).reason == "dropped"
