"""Session stores (runtime/store): one conformance suite run against MemoryStore, SqliteStore (FULL and NORMAL) and RedisStore (a real redis-server, and a real three-node Redis Cluster), plus SQLite's own promises: schema versions, group commit, crash safety (ors-server.md §9.5-§9.11)."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
from concurrent.futures import Future
from pathlib import Path

import pytest

from scxmlc_runtime.store import (
    CommitBatch,
    InputRef,
    MemoryStore,
    RequestRow,
    ScheduleRow,
    SessionHeader,
    SqliteStore,
    StaleVersion,
    StoreError,
    TimerRow,
    Tombstone,
)

from .redis_server import redis_cluster, redis_server, unique_cluster  # noqa: F401 - fixtures

T0 = 1_700_000_000_000  # the fake clock's start, in ms


class FakeClock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now


class Harness:
    """A store under test with its clock, and a way to close it and open it again."""

    def __init__(self, kind: str, tmp_path: Path, redis_url: str | None = None) -> None:
        self.kind = kind
        self.clock = FakeClock()
        self.path = tmp_path / "sessions.db"
        self.redis_url = redis_url
        self.cluster = unique_cluster()  # (a fresh Redis store: keys of no other test)
        self.store = self._make()
        self.store.open()

    def _make(self):
        if self.kind == "memory":
            return MemoryStore(clock=self.clock)
        if self.kind.startswith("redis"):
            from scxmlc_runtime.store import RedisStore

            return RedisStore(self.redis_url, self.cluster, clock=self.clock, index_sweep_s=0)
        sync = self.kind.split("-")[1].upper()
        return SqliteStore(self.path, synchronous=sync, group_commit_ms=1.0, clock=self.clock)

    def reopen(self):
        """Close and open again: SQLite from the file and Redis from the server by a new
        object, memory the same object."""
        self.store.close()
        if self.kind != "memory":
            self.store = self._make()
        self.store.open()
        return self.store


@pytest.fixture(params=["memory", "sqlite-full", "sqlite-normal", "redis", "redis-cluster"])
def h(request, tmp_path):
    redis_url = None
    if request.param == "redis":
        redis_url = request.getfixturevalue("redis_server").url
    elif request.param == "redis-cluster":
        redis_url = request.getfixturevalue("redis_cluster").url
    harness = Harness(request.param, tmp_path, redis_url)
    yield harness
    harness.store.close()


def new(sid: str, snap: bytes = b"s1", **kw) -> CommitBatch:
    kw.setdefault("module", "charts.door")
    kw.setdefault("doc_hash", "h1")
    return CommitBatch(sid, None, snapshot=snap, **kw)


def step(sid: str, version: int, snap: bytes, **kw) -> CommitBatch:
    return CommitBatch(sid, version, snapshot=snap, **kw)


def timer(sid: str, sendid: str, due: int, **event) -> TimerRow:
    return TimerRow(sid, sendid, due, "#_internal", {"name": sendid, **event})


def sched(sid: str, due: int, **kw) -> ScheduleRow:
    fields = dict(src="child.scxml", params={"a": 1}, parent_id="parent", ideal_ms=None, pre_ms=0, post_ms=0, due_ms=due, created_ms=T0)
    fields.update(kw)
    return ScheduleRow(session_id=sid, **fields)


# ---------------------------------------------------------------------------------------------
# Versions


def test_create_then_load(h):
    s = h.store
    assert s.load("a") is None
    assert s.commit(new("a", b"\x00snap", src="door.scxml", parent_id="p")) == 1
    got = s.load("a")
    assert (got.id, got.status, got.src, got.parent_id, got.module, got.doc_hash) == (
        "a",
        "running",
        "door.scxml",
        "p",
        "charts.door",
        "h1",
    )
    assert (got.version, got.snapshot, got.created_ms, got.updated_ms) == (1, b"\x00snap", T0, T0)
    assert isinstance(got.snapshot, bytes)


def test_versions_advance_and_header_fields_stay(h):
    s = h.store
    s.commit(new("a", src="door.scxml", parent_id="p"))
    h.clock.now += 500
    # A later batch may leave module, doc_hash, src and parent empty: the stored ones stay.
    assert s.commit(CommitBatch("a", 1, snapshot=b"s2", status="terminating")) == 2
    got = s.load("a")
    assert (got.version, got.snapshot, got.status) == (2, b"s2", "terminating")
    assert (got.module, got.doc_hash, got.src, got.parent_id) == ("charts.door", "h1", "door.scxml", "p")
    assert (got.created_ms, got.updated_ms) == (T0, T0 + 500)
    # Given again, they replace the stored ones (a forced resume after a recompile).
    assert s.commit(step("a", 2, b"s3", doc_hash="h2", module="charts.door2")) == 3
    got = s.load("a")
    assert (got.doc_hash, got.module, got.status) == ("h2", "charts.door2", "running")


def test_new_over_existing_is_stale(h):
    s = h.store
    s.commit(new("a"))
    with pytest.raises(StaleVersion, match="exists already"):
        s.commit(new("a", b"other", timers_put=[timer("a", "t", T0)], local_events=[("b", {"x": 1})]))
    assert s.load("a").snapshot == b"s1"
    assert s.timers("a") == [] and s.inputs("b") == []


def test_wrong_version_is_stale_and_changes_nothing(h):
    s = h.store
    s.commit(new("a"))
    s.commit(step("a", 1, b"s2"))
    ref = s.append_input("a", {"name": "e"})
    with pytest.raises(StaleVersion, match="version 2, not 1"):
        s.commit(
            step(
                "a",
                1,
                b"zombie",
                consumed_upto_seq=ref.seq,
                timers_put=[timer("a", "t", T0)],
                requests_put=[RequestRow("r1", "a", "fetch")],
                schedule_put=[sched("c", T0)],
                local_events=[("b", {"x": 1})],
            )
        )
    assert s.load("a").version == 2 and s.load("a").snapshot == b"s2"
    assert s.inputs("a") == [(ref.seq, {"name": "e"})]
    assert s.timers("a") == [] and s.requests() == [] and s.due_schedules(T0 * 2) == [] and s.inputs("b") == []
    with pytest.raises(StaleVersion):
        s.commit(step("a", 3, b"future"))


def test_unknown_session_is_stale(h):
    with pytest.raises(StaleVersion, match="not stored"):
        h.store.commit(step("ghost", 1, b"x"))
    assert h.store.load("ghost") is None


def test_stale_version_is_a_store_error(h):
    assert issubclass(StaleVersion, StoreError)
    with pytest.raises(StoreError):
        h.store.commit(step("ghost", 4, b"x"))


# ---------------------------------------------------------------------------------------------
# Inputs


def test_inputs_in_order_and_consumed(h):
    s = h.store
    # Inputs may arrive before the session's first commit (a start in progress).
    r1 = s.append_input("a", {"name": "one", "data": {"n": 1, "l": [1, "x", None, True]}})
    r2 = s.append_input("b", {"name": "other"})
    r3 = s.append_input("a", {"name": "two", "data": "é\u2603"})
    assert isinstance(r1, InputRef) and (r1.session_id, r3.session_id, r2.session_id) == ("a", "a", "b")
    assert r1.seq < r2.seq < r3.seq
    assert len({r1.eid, r2.eid, r3.eid}) == 3
    assert s.inputs("a") == [
        (r1.seq, {"name": "one", "data": {"n": 1, "l": [1, "x", None, True]}}),
        (r3.seq, {"name": "two", "data": "é\u2603"}),
    ]
    assert s.inputs("a", after_seq=r1.seq) == [(r3.seq, {"name": "two", "data": "é\u2603"})]
    assert s.inputs("nobody") == []
    s.commit(new("a", consumed_upto_seq=r1.seq))
    assert [seq for seq, _ in s.inputs("a")] == [r3.seq]
    assert [seq for seq, _ in s.inputs("b")] == [r2.seq]  # another session's inbox is untouched
    r4 = s.append_input("a", {"name": "three"})
    s.commit(step("a", 1, b"s2", consumed_upto_seq=r4.seq))
    assert s.inputs("a") == [] and len(s.inputs("b")) == 1


def test_inputs_are_copies_in_json_form(h):
    s = h.store
    event = {"name": "e", "data": {"k": [1, 2]}, 3: "int key", "t": (1, 2)}
    s.append_input("a", event)
    event["data"]["k"].append(3)
    ((_, got),) = s.inputs("a")
    assert got == {"name": "e", "data": {"k": [1, 2]}, "3": "int key", "t": [1, 2]}
    got["name"] = "changed"
    assert s.inputs("a")[0][1]["name"] == "e"


@pytest.mark.parametrize("bad", [{"x": float("nan")}, {"x": object()}, ["not", "a", "dict"]])
def test_non_json_inputs_refused(h, bad):
    with pytest.raises(ValueError):
        h.store.append_input("a", bad)
    assert h.store.inputs("a") == []


def test_local_events_commit_with_the_batch(h):
    s = h.store
    s.commit(new("parent"))
    v = s.commit(new("child", local_events=[("parent", {"name": "done.invoke.x"}), ("unborn", {"name": "hello"})]))
    assert v == 1
    ((seq1, ev1),) = s.inputs("parent")
    assert ev1 == {"name": "done.invoke.x"} and s.inputs("unborn")[0][1] == {"name": "hello"}
    # A stale commit sends nothing.
    with pytest.raises(StaleVersion):
        s.commit(step("child", 7, b"x", local_events=[("parent", {"name": "late"})]))
    assert [e["name"] for _, e in s.inputs("parent")] == ["done.invoke.x"]
    # A session's local event to itself lands in its inbox after those before it.
    r = s.append_input("child", {"name": "ext"})
    s.commit(step("child", 1, b"s2", local_events=[("child", {"name": "self"})]))
    got = s.inputs("child")
    assert [e["name"] for _, e in got] == ["ext", "self"] and got[0][0] == r.seq and got[1][0] > r.seq > seq1


# ---------------------------------------------------------------------------------------------
# Timers


def test_timers_put_del_due(h):
    s = h.store
    s.commit(new("a", timers_put=[timer("a", "t1", T0 + 300), timer("a", "t2", T0 + 100), timer("a", "t3", T0 + 200)]))
    s.commit(new("b", timers_put=[timer("b", "t1", T0 + 100)]))
    assert [(t.session_id, t.sendid) for t in s.due_timers(T0 + 1000)] == [("a", "t2"), ("b", "t1"), ("a", "t3"), ("a", "t1")]
    assert [t.sendid for t in s.due_timers(T0 + 150)] == ["t2", "t1"]
    assert len(s.due_timers(T0 + 1000, limit=2)) == 2
    assert s.due_timers(T0 + 99) == []
    got = s.timers("a")
    assert [t.sendid for t in got] == ["t2", "t3", "t1"]
    assert got[0] == TimerRow("a", "t2", T0 + 100, "#_internal", {"name": "t2"})
    # Upsert by (session, sendid); delete only this session's sendids.
    s.commit(step("a", 1, b"s2", timers_put=[timer("a", "t1", T0 + 50, v=2)], timers_del=["t2"]))
    assert [(t.sendid, t.due_ms, t.event.get("v")) for t in s.timers("a")] == [("t1", T0 + 50, 2), ("t3", T0 + 200, None)]
    assert [t.sendid for t in s.timers("b")] == ["t1"]
    s.commit(step("b", 1, b"s2", timers_del=["t3", "nonexistent"]))
    assert len(s.timers("a")) == 2 and len(s.timers("b")) == 1


def test_fire_timer_moves_it_to_the_inbox(h):
    s = h.store
    s.commit(new("a", timers_put=[timer("a", "t1", T0 + 10, data={"k": 1}), timer("a", "t2", T0 + 20)]))
    row, _ = s.due_timers(T0 + 100)
    ref = s.fire_timer(row)
    assert isinstance(ref, InputRef) and ref.session_id == "a"
    assert s.inputs("a") == [(ref.seq, {"name": "t1", "data": {"k": 1}})]
    assert [t.sendid for t in s.timers("a")] == ["t2"]
    assert s.fire_timer(row) is None  # gone: fired already
    assert len(s.inputs("a")) == 1
    # Cancelled between due_timers and fire_timer: nothing arrives.
    (row2,) = s.due_timers(T0 + 100)
    s.commit(step("a", 1, b"s2", timers_del=["t2"]))
    assert s.fire_timer(row2) is None and len(s.inputs("a")) == 1


def test_stale_commit_applies_no_timer_change(h):
    s = h.store
    s.commit(new("a", timers_put=[timer("a", "t1", T0)]))
    with pytest.raises(StaleVersion):
        s.commit(step("a", 5, b"x", timers_del=["t1"], timers_put=[timer("a", "t2", T0)]))
    assert [t.sendid for t in s.timers("a")] == ["t1"]


# ---------------------------------------------------------------------------------------------
# Schedule


def test_schedule_rows(h):
    s = h.store
    s.schedule(sched("c2", T0 + 200))
    s.schedule(sched("c1", T0 + 100, ideal_ms=T0 + 150, pre_ms=10, post_ms=20, params={"p": [1, {"q": None}]}))
    s.commit(new("p", schedule_put=[sched("c3", T0 + 100)]))
    got = s.due_schedules(T0 + 1000)
    assert [r.session_id for r in got] == ["c1", "c3", "c2"]
    assert got[0] == ScheduleRow("c1", "child.scxml", {"p": [1, {"q": None}]}, "parent", T0 + 150, 10, 20, T0 + 100, T0)
    assert [r.session_id for r in s.due_schedules(T0 + 150)] == ["c1", "c3"]
    assert [r.session_id for r in s.due_schedules(T0 + 1000, limit=1)] == ["c1"]
    # session:updatestart replaces the row; terminating a scheduled session deletes it.
    s.commit(step("p", 1, b"s2", schedule_put=[sched("c2", T0 + 50)], schedule_del=["c3"]))
    assert [(r.session_id, r.due_ms) for r in s.due_schedules(T0 + 1000)] == [("c2", T0 + 50), ("c1", T0 + 100)]


def test_unschedule_deletes_the_row_and_nothing_else(h):
    s = h.store
    s.commit(new("kid"))  # (a session of the same id, started in memory only, may be stored later)
    s.append_input("kid", {"name": "hi"})
    s.schedule(sched("kid", T0 + 100))
    s.schedule(sched("other", T0 + 200))
    assert s.unschedule("kid") is True
    assert [r.session_id for r in s.due_schedules(T0 + 1000)] == ["other"]
    assert s.load("kid").snapshot == b"s1" and len(s.inputs("kid")) == 1 and s.tombstone("kid") is None
    assert s.unschedule("kid") is False and s.unschedule("nobody") is False
    if h.kind.startswith("redis"):
        assert s.scheduled("kid") is None and s.scheduled("other") is not None
    h.reopen()
    assert [r.session_id for r in h.store.due_schedules(T0 + 1000)] == ["other"]


def test_start_scheduled_is_one_transaction(h):
    s = h.store
    s.commit(new("parent"))
    s.schedule(sched("child", T0))
    s.append_input("child", {"name": "early"})  # may come before the child exists
    (row,) = s.due_schedules(T0)
    v = s.start_scheduled(row, new("child", b"c1", timers_put=[timer("child", "t", T0 + 5)]), ("parent", {"name": "session.start.done"}))
    assert v == 1
    assert s.due_schedules(T0 * 2) == []
    assert s.load("child").snapshot == b"c1" and [t.sendid for t in s.timers("child")] == ["t"]
    assert [e["name"] for _, e in s.inputs("parent")] == ["session.start.done"]
    assert [e["name"] for _, e in s.inputs("child")] == ["early"]
    # Started already: the row is gone, and nothing changes.
    with pytest.raises(StoreError, match="no schedule row"):
        s.start_scheduled(row, new("child", b"again"), ("parent", {"name": "twice"}))
    assert s.load("child").snapshot == b"c1" and len(s.inputs("parent")) == 1


def test_start_scheduled_failure_keeps_the_schedule_row(h):
    s = h.store
    s.commit(new("parent"))
    s.commit(new("child"))  # someone created it already: the first batch is stale
    s.schedule(sched("child", T0))
    (row,) = s.due_schedules(T0)
    with pytest.raises(StaleVersion):
        s.start_scheduled(row, new("child", b"c1", local_events=[("x", {"n": 1})]), ("parent", {"name": "session.start.done"}))
    assert s.due_schedules(T0) == [row]
    assert s.load("child").snapshot == b"s1" and s.inputs("parent") == [] and s.inputs("x") == []
    # Without a notify, and with the parent gone, it still starts.
    s.schedule(sched("solo", T0))
    assert s.start_scheduled(sched("solo", T0), new("solo"), None) == 1
    assert s.load("solo").version == 1


def test_start_scheduled_checks_its_arguments(h):
    s = h.store
    s.schedule(sched("child", T0))
    with pytest.raises(ValueError, match="first batch is for session"):
        s.start_scheduled(sched("child", T0), new("other"), None)
    with pytest.raises(ValueError, match="expected_version must be None"):
        s.start_scheduled(sched("child", T0), step("child", 1, b"x"), None)
    assert len(s.due_schedules(T0)) == 1


# ---------------------------------------------------------------------------------------------
# Requests


def test_requests_rows_states_and_order(h):
    s = h.store
    s.commit(
        new(
            "a",
            requests_put=[
                RequestRow("r9", "a", "fetch"),
                RequestRow("g2", "a", "fetch", queue_key="q1", queue_seq=2, spec={"url": "http://x/2"}),
                RequestRow("g1", "a", "fetch", queue_key="q1", queue_seq=1, deadline_ms=T0 + 9, spec={"url": "http://x/1"}),
                RequestRow("g0", "a", "fetch", queue_key="q0", queue_seq=7),
                RequestRow("m1", "a", "ixn:accept", state="in_flight"),
            ],
        )
    )
    s.commit(new("b", requests_put=[RequestRow("b1", "b", "fetch", state="retry_wait", attempts=2, next_attempt_ms=T0 + 5)]))
    assert [r.requestid for r in s.requests()] == ["g0", "g1", "g2", "b1", "m1", "r9"]
    assert [r.requestid for r in s.requests(session_id="a")] == ["g0", "g1", "g2", "m1", "r9"]
    assert [r.requestid for r in s.requests({"in_flight", "retry_wait"})] == ["b1", "m1"]
    assert [r.requestid for r in s.requests({"ready"}, session_id="b")] == []
    assert s.requests(set()) == []
    g1 = s.requests(session_id="a")[1]
    assert g1 == RequestRow("g1", "a", "fetch", "ready", "q1", 1, 0, None, T0 + 9, {"url": "http://x/1"})
    # The state moves to in_flight before an attempt, then to retry_wait.
    s.set_request_state("g1", "in_flight", attempts=1)
    s.set_request_state("g1", "retry_wait", next_attempt_ms=T0 + 1000, spec={"url": "http://x/1", "n": 2})
    g1 = [r for r in s.requests({"retry_wait"}) if r.requestid == "g1"][0]
    assert (g1.state, g1.attempts, g1.next_attempt_ms, g1.deadline_ms, g1.spec) == (
        "retry_wait",
        1,
        T0 + 1000,
        T0 + 9,
        {"url": "http://x/1", "n": 2},
    )
    s.set_request_state("g1", "ready", next_attempt_ms=None, deadline_ms=None)
    g1 = [r for r in s.requests() if r.requestid == "g1"][0]
    assert (g1.state, g1.next_attempt_ms, g1.deadline_ms, g1.attempts) == ("ready", None, None, 1)
    # Upsert by requestid; delete in a commit and outside one.
    s.commit(step("a", 1, b"s2", requests_put=[RequestRow("r9", "a", "fetch", attempts=3)], requests_del=["g2", "nonexistent"]))
    assert [(r.requestid, r.attempts) for r in s.requests(session_id="a")] == [("g0", 0), ("g1", 1), ("m1", 0), ("r9", 3)]
    s.delete_request("g0")
    s.delete_request("g0")  # idempotent
    assert [r.requestid for r in s.requests(session_id="a")] == ["g1", "m1", "r9"]


def test_set_request_state_refuses(h):
    s = h.store
    s.commit(new("a", requests_put=[RequestRow("r1", "a", "fetch")]))
    with pytest.raises(ValueError, match="unknown request state"):
        s.set_request_state("r1", "done")
    with pytest.raises(StoreError, match="no stored request"):
        s.set_request_state("nope", "ready")
    with pytest.raises(TypeError, match="unknown fields"):
        s.set_request_state("r1", "ready", kind="other")
    with pytest.raises(ValueError):
        s.set_request_state("r1", "ready", attempts=-1)
    with pytest.raises(ValueError, match="unknown request state"):
        s.requests({"ready", "lost"})
    assert s.requests()[0].state == "ready"


# ---------------------------------------------------------------------------------------------
# Ending, tombstones, drop


def test_ended_session_leaves_a_tombstone(h):
    s = h.store
    s.commit(new("a", src="door.scxml", timers_put=[timer("a", "t", T0)], requests_put=[RequestRow("r", "a", "fetch")]))
    s.commit(new("b", timers_put=[timer("b", "t", T0)], requests_put=[RequestRow("rb", "b", "fetch")]))
    r1 = s.append_input("a", {"name": "consumed"})
    s.append_input("a", {"name": "unconsumed"})
    rb = s.append_input("b", {"name": "keep"})
    h.clock.now += 1000
    v = s.commit(
        CommitBatch(
            "a",
            1,
            snapshot=None,
            consumed_upto_seq=r1.seq,
            ended_reason="final",
            tombstone_ttl_ms=5000,
            local_events=[("b", {"name": "done.invoke"})],
        )
    )
    assert v == 0
    assert s.load("a") is None and s.inputs("a") == [] and s.timers("a") == [] and s.requests(session_id="a") == []
    assert s.tombstone("a") == Tombstone("a", T0 + 1000, "final", "door.scxml", T0 + 6000)
    # Another session's rows stay; the local event of the final commit was delivered.
    assert s.load("b").version == 1 and len(s.timers("b")) == 1 and len(s.requests(session_id="b")) == 1
    assert [seq for seq, _ in s.inputs("b")][0] == rb.seq and s.inputs("b")[1][1] == {"name": "done.invoke"}
    assert [hd.id for hd in s.headers()] == ["b"]
    # Late inputs are refused; a commit by a host that still holds it is stale; the id is not reusable.
    with pytest.raises(StoreError, match="has ended"):
        s.append_input("a", {"name": "late"})
    with pytest.raises(StaleVersion):
        s.commit(step("a", 1, b"zombie"))
    with pytest.raises(StaleVersion, match="has ended"):
        s.commit(new("a"))
    # Local events to it are dropped (logged), and do not fail the sender's commit.
    assert s.commit(step("b", 1, b"s2", local_events=[("a", {"name": "late"})])) == 2
    assert s.inputs("a") == []


def test_session_ending_in_its_first_macrostep(h):
    s = h.store
    assert s.commit(CommitBatch("q", None, snapshot=None, ended_reason="error", src="q.scxml")) == 0
    assert s.load("q") is None
    assert s.tombstone("q") == Tombstone("q", T0, "error", "q.scxml", T0 + 3_600_000)


def test_tombstones_expire_and_purge(h):
    s = h.store
    for sid, ttl in (("a", 1000), ("b", 5000)):
        s.commit(new(sid))
        s.commit(CommitBatch(sid, 1, snapshot=None, ended_reason="terminated", tombstone_ttl_ms=ttl))
    assert s.purge(T0 + 999) == 0
    h.clock.now = T0 + 1000
    assert s.tombstone("a") is None and s.tombstone("b") is not None  # an expired one is not live
    assert s.purge(T0 + 1000) == 1
    assert s.purge(T0 + 1000) == 0
    # The expired id takes inputs again, and may be used by a new session.
    s.append_input("a", {"name": "x"})
    assert s.commit(new("a")) == 1 and s.tombstone("a") is None
    assert s.purge(T0 + 10_000) == 1 and s.tombstone("b") is None


def test_expired_unpurged_tombstone_is_replaced_by_a_new_session(h):
    s = h.store
    s.commit(CommitBatch("a", None, snapshot=None, ended_reason="final", tombstone_ttl_ms=10))
    h.clock.now += 10
    assert s.commit(new("a")) == 1
    # The new session's own end writes a fresh tombstone; purging the old time finds none.
    assert s.purge(T0 + 10) == 0
    assert s.load("a").version == 1


def test_drop(h):
    s = h.store
    s.commit(new("a", src="door.scxml", timers_put=[timer("a", "t", T0)], requests_put=[RequestRow("r", "a", "fetch")]))
    s.append_input("a", {"name": "x"})
    assert s.drop("a", now_ms=T0 + 5, ttl_ms=100) is True
    assert s.load("a") is None and s.inputs("a") == [] and s.timers("a") == [] and s.requests() == []
    assert s.tombstone("a") == Tombstone("a", T0 + 5, "dropped", "door.scxml", T0 + 105)
    with pytest.raises(StaleVersion):
        s.commit(step("a", 1, b"x"))
    assert s.drop("nobody") is False and s.tombstone("nobody") is None
    # A scheduled session not started yet: its schedule row goes; now_ms 0 means the store's clock.
    s.schedule(sched("c", T0 + 10, src="child.scxml"))
    h.clock.now += 7
    assert s.drop("c", reason="cancelled") is True
    assert s.due_schedules(T0 * 2) == [] and s.tombstone("c") == Tombstone("c", T0 + 7, "cancelled", "child.scxml", T0 + 7 + 3_600_000)


def test_set_status_and_headers(h):
    s = h.store
    ids = [f"s{i:02d}" for i in range(25)]
    for sid in reversed(ids):
        s.commit(new(sid, src=f"{sid}.scxml"))
    h.clock.now += 3
    s.set_status("s03", "orphaned")
    s.set_status("s07", "orphaned")
    with pytest.raises(ValueError, match="unknown session status"):
        s.set_status("s03", "sleeping")
    with pytest.raises(StoreError, match="no stored session"):
        s.set_status("nope", "orphaned")
    page1 = s.headers(limit=10)
    assert [hd.id for hd in page1] == ids[:10]
    assert page1[3] == SessionHeader("s03", "orphaned", "s03.scxml", None, T0, T0 + 3)
    page2 = s.headers(after=page1[-1].id, limit=10)
    page3 = s.headers(after=page2[-1].id, limit=10)
    assert [hd.id for hd in page2 + page3] == ids[10:]
    assert s.headers(after=ids[-1]) == []
    assert [hd.id for hd in s.headers(status="orphaned")] == ["s03", "s07"]
    assert [hd.id for hd in s.headers(status="running", after="s20", limit=2)] == ["s21", "s22"]
    assert s.headers(limit=0) == []
    with pytest.raises(ValueError):
        s.headers(status="lost")
    assert s.load("s03").status == "orphaned" and s.load("s03").version == 1  # marking is not a commit


# ---------------------------------------------------------------------------------------------
# Checks at the boundary


@pytest.mark.parametrize(
    "batch, message",
    [
        (CommitBatch("a", None, snapshot=None), "no snapshot and no ended_reason"),
        (CommitBatch("a", None, snapshot=b"x", ended_reason="final"), "both a snapshot and ended_reason"),
        (CommitBatch("a", None, snapshot=b"x", status="asleep"), "unknown session status"),
        (CommitBatch("", None, snapshot=b"x"), "session_id"),
        (CommitBatch("a", -1, snapshot=b"x"), "expected_version"),
        (CommitBatch("a", None, snapshot="text"), "snapshot must be bytes"),
        (CommitBatch("a", None, snapshot=b"x", timers_put=[timer("b", "t", 1)]), "belongs to session 'b'"),
        (CommitBatch("a", None, snapshot=b"x", timers_put=[timer("a", "t", 1)], timers_del=["t"]), "both puts and deletes timers 't'"),
        (CommitBatch("a", None, snapshot=b"x", requests_put=[RequestRow("r", "a", "fetch", state="gone")]), "unknown request state"),
        (CommitBatch("a", None, snapshot=b"x", requests_put=[RequestRow("r", "b", "fetch")]), "belongs to session 'b'"),
        (CommitBatch("a", None, snapshot=b"x", schedule_put=[sched("c", 1)], schedule_del=["c"]), "both puts and deletes schedule rows"),
        (CommitBatch("a", None, snapshot=b"x", local_events=[("b", {"x": float("inf")})]), "not JSON-ready"),
        (CommitBatch("a", None, snapshot=b"x", local_events=[("b",)]), "pair"),
        (CommitBatch("a", None, snapshot=b"x", timers_put=[timer("a", "t", float("nan"))]), "finite"),
    ],
)
def test_bad_batches_refused(h, batch, message):
    with pytest.raises(ValueError, match=message):
        h.store.commit(batch)
    assert h.store.load("a") is None


def test_float_times_are_whole_milliseconds(h):
    s = h.store
    h.clock.now = T0 + 0.75
    s.commit(new("a", timers_put=[timer("a", "t", T0 + 10.9)]))
    assert s.load("a").created_ms == T0
    assert s.timers("a")[0].due_ms == T0 + 10 and isinstance(s.timers("a")[0].due_ms, int)


def test_closed_store_refuses_work(h):
    s = h.store
    s.close()
    s.close()  # idempotent
    with pytest.raises(StoreError, match="not open"):
        s.commit(new("a"))
    with pytest.raises(StoreError, match="not open"):
        s.load("a")
    s.open()
    assert s.commit(new("a")) == 1


# ---------------------------------------------------------------------------------------------
# Durability and concurrency


def test_everything_survives_reopen(h):
    s = h.store
    s.commit(
        new(
            "a",
            b"\xffbin",
            src="a.scxml",
            timers_put=[timer("a", "t", T0 + 1)],
            requests_put=[RequestRow("g", "a", "fetch", queue_key="q", queue_seq=1, spec={"u": 1})],
        )
    )
    s.schedule(sched("c", T0 + 2))
    r = s.append_input("a", {"name": "e"})
    s.commit(CommitBatch("z", None, snapshot=None, ended_reason="final"))
    before = (s.load("a"), s.inputs("a"), s.timers("a"), s.requests(), s.due_schedules(T0 + 10), s.tombstone("z"), s.headers())
    s = h.reopen()
    after = (s.load("a"), s.inputs("a"), s.timers("a"), s.requests(), s.due_schedules(T0 + 10), s.tombstone("z"), s.headers())
    assert after == before
    assert s.load("a").snapshot == b"\xffbin"
    # Sequence numbers keep increasing across a reopen; versions carry on.
    assert s.append_input("a", {"name": "f"}).seq > r.seq
    assert s.commit(step("a", 1, b"s2")) == 2


def test_many_threads_commit_different_sessions(h):
    s = h.store
    threads, rounds = 12, 15
    errors: list[BaseException] = []

    def worker(k: int) -> None:
        try:
            sid = f"w{k:02d}"
            version = s.commit(new(sid, b"0", local_events=[("audit", {"s": sid, "v": 1})]))
            for i in range(1, rounds):
                version = s.commit(step(sid, version, str(i).encode(), local_events=[("audit", {"s": sid, "v": version + 1})]))
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    pool = [threading.Thread(target=worker, args=(k,)) for k in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    assert errors == []
    for k in range(threads):
        got = s.load(f"w{k:02d}")
        assert (got.version, got.snapshot) == (rounds, str(rounds - 1).encode())
    audit = s.inputs("audit")
    assert len(audit) == threads * rounds
    for k in range(threads):
        assert [e["v"] for _, e in audit if e["s"] == f"w{k:02d}"] == list(range(1, rounds + 1))


def test_submit_resolves_futures(h):
    s = h.store
    good = s.submit(new("a"))
    bad = s.submit(step("ghost", 3, b"x"))
    assert isinstance(good, Future) and good.result(timeout=10) == 1
    with pytest.raises(StaleVersion):
        bad.result(timeout=10)
    with pytest.raises(ValueError):
        s.submit(CommitBatch("a", 1, snapshot=None))  # refused in the caller, before any queue


# ---------------------------------------------------------------------------------------------
# SQLite only


def sqlite_store(path: Path, **kw) -> SqliteStore:
    store = SqliteStore(path, **kw)
    store.open()
    return store


def test_sqlite_settings(tmp_path):
    with pytest.raises(ValueError, match="synchronous"):
        SqliteStore(tmp_path / "x.db", synchronous="OFF")
    with pytest.raises(ValueError, match="database file path"):
        SqliteStore(":memory:")
    with pytest.raises(ValueError, match="group_commit_ms"):
        SqliteStore(tmp_path / "x.db", group_commit_ms=-1)
    store = sqlite_store(tmp_path / "s.db", synchronous="normal")
    try:
        store.commit(new("a"))
    finally:
        store.close()
    raw = sqlite3.connect(tmp_path / "s.db")
    try:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert raw.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == "1"
        tables = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"meta", "sessions", "inbox", "timers", "schedule", "requests", "tombstones"} <= tables
        assert raw.execute("SELECT id, version FROM sessions").fetchall() == [("a", 1)]
    finally:
        raw.close()


def test_sqlite_refuses_a_newer_schema(tmp_path):
    path = tmp_path / "s.db"
    sqlite_store(path).close()
    raw = sqlite3.connect(path)
    with raw:
        raw.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    raw.close()
    store = SqliteStore(path)
    with pytest.raises(StoreError, match="schema version 2, newer than"):
        store.open()
    with pytest.raises(StoreError, match="not open"):
        store.load("a")
    store.close()  # nothing to close; no writer thread left behind
    assert not [t for t in threading.enumerate() if t.name.startswith("scxmlc-store-writer") and str(path) in t.name]


def test_sqlite_refuses_a_foreign_database(tmp_path):
    path = tmp_path / "other.db"
    raw = sqlite3.connect(path)
    raw.execute("CREATE TABLE things (x)")
    raw.commit()
    raw.close()
    with pytest.raises(StoreError, match="not an scxmlc session store"):
        SqliteStore(path).open()
    (tmp_path / "junk.db").write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="cannot"):
        SqliteStore(tmp_path / "junk.db").open()


def test_sqlite_stale_item_fails_alone_in_its_group(tmp_path):
    # A long window, so that every submit below reaches the writer inside the first one.
    store = sqlite_store(tmp_path / "s.db", group_commit_ms=400)
    try:
        store.commit(new("base"))
        before = store.stats()
        barrier = threading.Barrier(8)
        futures: dict[str, Future] = {}

        def submitter(k: int) -> None:
            barrier.wait()
            if k == 3:
                futures["stale"] = store.submit(step("base", 7, b"zombie", local_events=[("audit", {"k": k})]))
            elif k == 5:
                futures["exists"] = store.submit(new("base", b"again"))
            else:
                futures[f"n{k}"] = store.submit(new(f"n{k}", local_events=[("audit", {"k": k})]))

        pool = [threading.Thread(target=submitter, args=(k,)) for k in range(8)]
        for t in pool:
            t.start()
        for t in pool:
            t.join()
        with pytest.raises(StaleVersion, match="version 1, not 7"):
            futures.pop("stale").result(timeout=10)
        with pytest.raises(StaleVersion, match="exists already"):
            futures.pop("exists").result(timeout=10)
        assert {name: f.result(timeout=10) for name, f in futures.items()} == {f"n{k}": 1 for k in (0, 1, 2, 4, 6, 7)}
        after = store.stats()
        assert after["transactions"] - before["transactions"] == 1  # they did share one transaction
        assert after["largest_group"] == 8
        assert sorted(e["k"] for _, e in store.inputs("audit")) == [0, 1, 2, 4, 6, 7]
        assert store.load("base").snapshot == b"s1"
    finally:
        store.close()


def test_sqlite_close_finishes_queued_work(tmp_path):
    path = tmp_path / "s.db"
    store = sqlite_store(path, group_commit_ms=50)
    futures = [store.submit(new(f"q{i}")) for i in range(50)]
    store.close()
    assert all(f.done() and f.result() == 1 for f in futures)
    with pytest.raises(StoreError, match="not open"):
        store.submit(new("late"))
    store = sqlite_store(path)
    try:
        assert len(store.headers(limit=100)) == 50
    finally:
        store.close()


def test_sqlite_writer_thread_cannot_wait_for_itself(tmp_path):
    # A long window: the callback is attached before the future resolves, so the writer runs it.
    store = sqlite_store(tmp_path / "s.db", group_commit_ms=200)
    try:
        seen: list[BaseException] = []

        def callback(_future: Future) -> None:
            try:
                store.commit(new("inner"))
            except StoreError as exc:
                seen.append(exc)

        store.submit(new("outer")).add_done_callback(callback)
        store.commit(new("after"))  # the writer is still alive
        assert len(seen) == 1 and "writer thread" in str(seen[0])
        assert store.load("inner") is None
    finally:
        store.close()


def test_sqlite_readers_see_commits_while_writing(tmp_path):
    store = sqlite_store(tmp_path / "s.db", group_commit_ms=0)
    try:
        stop = threading.Event()
        seen: list[int] = []

        def reader() -> None:
            while not stop.is_set():
                got = store.load("a")
                if got is not None:
                    seen.append(got.version)

        t = threading.Thread(target=reader)
        t.start()
        version = store.commit(new("a"))
        for i in range(40):
            version = store.commit(step("a", version, str(i).encode()))
        stop.set()
        t.join()
        assert seen == sorted(seen) and seen[-1] <= 41 and store.load("a").version == 41
    finally:
        store.close()


CHILD = textwrap.dedent("""
    import sys, threading
    from scxmlc_runtime.store import CommitBatch, SqliteStore, TimerRow

    path, sync, workers = sys.argv[1], sys.argv[2], int(sys.argv[3])
    store = SqliteStore(path, synchronous=sync, group_commit_ms=1.0)
    store.open()
    lock = threading.Lock()
    done = [0]
    go = threading.Event()

    def work(k):
        sid = f"s{k}"
        got = store.load(sid)
        v = got.version if got else None
        while True:
            new = (v or 0) + 1
            batch = CommitBatch(
                sid, v, snapshot=f"v{new}".encode(),
                timers_put=[TimerRow(sid, f"t{new}", new, sid, {"v": new})],
                timers_del=[f"t{v}"] if v else [],
                local_events=[("audit", {"s": sid, "v": new})],
            )
            if k % 2:
                v = store.submit(batch).result()
            else:
                v = store.commit(batch)
            with lock:
                done[0] += 1
                if done[0] == 5 * workers:
                    go.set()

    for k in range(workers):
        threading.Thread(target=work, args=(k,), daemon=True).start()
    go.wait()
    print("running", flush=True)
    threading.Event().wait()
    """)


def test_sqlite_survives_sigkill(tmp_path):
    path = tmp_path / "crash.db"
    workers = 6
    rng = random.Random(20240611)
    versions = {f"s{k}": 0 for k in range(workers)}
    for round_, sync in enumerate(("FULL", "NORMAL", "FULL")):
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(path), sync, str(workers)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        # A child that hangs before it reports would hang the test: it is killed after 30 s.
        watchdog = threading.Timer(30, child.kill)
        watchdog.start()
        try:
            line = child.stdout.readline()
            assert line.strip() == "running", f"child failed: {line!r} {child.stderr.read() if child.poll() is not None else ''}"
            threading.Event().wait(rng.uniform(0.02, 0.15))
        finally:
            watchdog.cancel()
            os.kill(child.pid, signal.SIGKILL)
            child.wait()
            child.stdout.close()
            child.stderr.close()
        assert child.returncode == -signal.SIGKILL
        store = sqlite_store(path)
        try:
            audit: dict[str, list[int]] = {}
            for _, event in store.inputs("audit"):
                audit.setdefault(event["s"], []).append(event["v"])
            for sid in versions:
                got = store.load(sid)
                # Every visible commit is whole: its snapshot, its timer change and its local event.
                assert got is not None, f"round {round_}: {sid} lost"
                assert got.version > versions[sid], f"round {round_}: {sid} made no progress"
                assert got.snapshot == f"v{got.version}".encode()
                assert [t.sendid for t in store.timers(sid)] == [f"t{got.version}"]
                assert audit[sid] == list(range(1, got.version + 1))
                versions[sid] = got.version
        finally:
            store.close()
        raw = sqlite3.connect(path)
        try:
            assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        finally:
            raw.close()
