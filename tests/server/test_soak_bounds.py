"""What a long-running server keeps about sessions that have ended: bounded (found by soak runs
of many session lifecycles; each test here is one such lifecycle, repeated a few times).

- the service forgets an ended session entirely, also one that an event or its start ended;
- tombstones kept in memory go once their `tombstone_ttl_s` is up, not only when asked for;
- the tombstone of a cancelled scheduled start is kept `tombstone_ttl_s`, as every other one,
  so the store's purge leaves no row behind.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time

import pytest

from .conftest import copy_charts


def serve_in_process(tmp_path, store: str, **settings):
    from scxmlc_runtime.server import Server, ServerSettings

    root = copy_charts(tmp_path)
    where = {"store": "memory"} if store == "memory" else {"store": "sqlite", "store_path": str(tmp_path / "s.db")}
    return Server(ServerSettings(roots=[str(root)], port=0, **where, **settings))


async def until(check, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.01)
    return True


async def start(service, src: str = "queueing.scxml", **params) -> str:
    outcome = await service.start({"src": src, **params})
    assert outcome.status == 200, outcome.body
    return outcome.body["sessionid"]


async def end_by_event(service, sid: str) -> None:
    outcome = await service.event(sid, "bye", {})
    assert outcome.status == 200, outcome.body
    assert await until(lambda: ended(service, sid))


def ended(service, sid: str) -> bool:
    from scxmlc_runtime.server.sessions import Outcome

    found = service.session(sid)
    return isinstance(found, Outcome) and found.status == 410


@pytest.mark.parametrize("store", ["memory", "sqlite"])
def test_sessions_that_ended_leave_nothing_in_the_service(tmp_path, store):
    """Sessions ended by an event, by a terminate, or running then ended: the service's
    per-session maps (src, started, updated) and the resident sessions empty again."""
    server = serve_in_process(tmp_path, store)

    async def run():
        await server.start()
        try:
            service = server.service
            for _ in range(5):
                await end_by_event(service, await start(service))
                sid = await start(service)
                assert (await service.event(sid, "callback.confirmed", {"slot": "1"})).status == 200
                assert (await service.terminate(sid)).status == 200
            assert await until(lambda: service.resident_count() == 0)
            return {
                "src": dict(service.src),
                "started_ms": dict(service.started_ms),
                "updated_ms": dict(service.updated_ms),
                "resident": dict(service.durability.resident),
            }
        finally:
            await server.stop()

    left = asyncio.run(run())
    assert left == {"src": {}, "started_ms": {}, "updated_ms": {}, "resident": {}}


def test_expired_tombstones_leave_memory(tmp_path):
    """The tombstones the service keeps in memory go when their time is up: after many
    sessions ended, only those still within tombstone_ttl_s are left (here: the last one)."""
    server = serve_in_process(tmp_path, "memory", tombstone_ttl_s=0.2)

    async def run():
        await server.start()
        try:
            service = server.service
            for _ in range(20):
                await end_by_event(service, await start(service))
            await asyncio.sleep(0.3)  # (all of them expired)
            last = await start(service)
            await end_by_event(service, last)
            return list(service.ended), last
        finally:
            await server.stop()

    left, last = asyncio.run(run())
    assert left == [last]


@pytest.mark.parametrize("store", ["memory", "sqlite"])
def test_a_cancelled_scheduled_start_keeps_its_tombstone_tombstone_ttl_s(tmp_path, store):
    """A REST start scheduled for later and cancelled leaves a tombstone for tombstone_ttl_s
    (not the store's default hour), like a session that ended: once that time is up the
    store's purge leaves no row of either."""
    server = serve_in_process(tmp_path, store, tombstone_ttl_s=2)

    async def run():
        await server.start()
        try:
            service = server.service
            ended = await start(service)
            await end_by_event(service, ended)
            cancelled = await start(service, **{"scxmlc.delay": "60"})
            outcome = await service.terminate(cancelled)
            assert (outcome.status, outcome.body["status"]) == (200, "cancelled")
            stones = {sid: server.store.tombstone(sid) for sid in (ended, cancelled)}
            assert all(stones.values()), stones
            ttl = {sid: s.expires_ms - s.ended_ms for sid, s in stones.items()}
            # the purge of the background loop, once tombstone_ttl_s is up for both
            purged = server.store.purge(max(s.ended_ms for s in stones.values()) + 2000)
            return ttl, {ended: 2000, cancelled: 2000}, purged
        finally:
            await server.stop()

    ttl, expected, purged = asyncio.run(run())
    assert ttl == expected
    assert purged == 2
    if store == "sqlite":
        conn = sqlite3.connect(f"file:{tmp_path / 's.db'}?mode=ro", uri=True)
        try:
            rows = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("sessions", "inbox", "timers", "schedule", "requests", "tombstones")}
        finally:
            conn.close()
        assert rows == dict.fromkeys(rows, 0)


STARTER = """<scxml xmlns="http://www.w3.org/2005/07/scxml" xmlns:session="http://www.genesyslab.com/modules/session"
    version="1.0" datamodel="ecmascript" name="starter">
<datamodel><data id="kid" expr="''"/></datamodel>
<state id="s"><onentry><session:start sessionid="kid" src="'kid.scxml'" delay="'1'"/></onentry></state>
</scxml>
"""
KID = """<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript" name="kid"><state id="k"/></scxml>"""


@pytest.mark.parametrize("store", ["memory", "sqlite"])
def test_a_schedule_row_read_before_its_session_started_leaves_no_mark(tmp_path, store):
    """The background loop reads the due schedule rows, and meanwhile the <session:start> they
    stand for starts on the host's clock: handling that row later neither starts the session
    again nor leaves its id among the rows the server waits for (one more per such race)."""
    server = serve_in_process(tmp_path, store)
    (tmp_path / "charts" / "starter.scxml").write_text(STARTER)
    (tmp_path / "charts" / "kid.scxml").write_text(KID)

    async def run():
        await server.start()
        try:
            service = server.service
            starter = await start(service, "starter.scxml")
            kid = await until_value(lambda: service.host.sessions[starter].datamodel.get("kid"))
            [row] = [r for r in server.store.due_schedules(2**62, 100) if r.session_id == kid]  # (read, not handled yet)
            assert await until(lambda: kid in service.host.sessions and service.durability.resident.get(kid) is not None)
            assert await service.durability.committed(kid)
            machine = service.host.sessions[kid]
            await service.start_scheduled(row)
            return set(service.durability.rows), service.host.sessions.get(kid) is machine, server.store.due_schedules(2**62, 100)
        finally:
            await server.stop()

    rows, same, left = asyncio.run(run())
    assert (rows, same, left) == (set(), True, [])


async def until_value(get, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while True:
        value = get()
        if value or time.monotonic() > deadline:
            return value
        await asyncio.sleep(0.01)


def test_an_event_stored_while_its_session_left_memory_is_processed(tmp_path):
    """A session evicted from memory (idle_evict_s) while an event for it was being stored: it
    comes back and processes it (here the event ends it), instead of staying in the store
    with the event in its inbox until something else wakes it."""
    import threading

    server = serve_in_process(tmp_path, "sqlite", idle_evict_s=0)

    async def run():
        await server.start()
        try:
            service, store = server.service, server.store
            sid = await start(service)
            entered, go = threading.Event(), threading.Event()
            append_input = store.append_input

            def slow_append(session_id, event):
                entered.set()
                go.wait(10)
                return append_input(session_id, event)

            store.append_input = slow_append
            sent = asyncio.ensure_future(service.event(sid, "bye", {}))
            assert await until(entered.is_set)
            assert service.durability.evict_idle() == 1  # (the background loop's eviction, meanwhile)
            go.set()
            assert (await sent).status == 200
            store.append_input = append_input
            processed = await until(lambda: store.tombstone(sid) is not None, timeout=5)
            return processed, store.load(sid), store.inputs(sid, 0)
        finally:
            await server.stop()

    processed, stored, inbox = asyncio.run(run())
    assert (processed, stored, inbox) == (True, None, [])
