"""Many sessions in one host: they run side by side, talk by session id, and leave no trace."""

from __future__ import annotations

import gc
import tracemalloc

import pytest

import scxmlc
from scxmlc_runtime import Host, SimulatedClock

SMALL = """<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript">
  <datamodel><data id="n" expr="0"/><data id="seen" expr="[]"/></datamodel>
  <state id="idle">
    <onentry><send id="nap" event="wake" delay="60s"/></onentry>
    <onexit><cancel sendid="nap"/></onexit>
    <transition event="go" target="busy"><assign location="n" expr="n + 1"/></transition>
  </state>
  <state id="busy">
    <onentry><script>seen.push(_event.name);</script><send event="later" delay="5s"/></onentry>
    <transition event="back" target="idle"/>
  </state>
</scxml>"""


@pytest.fixture(scope="module")
def small():
    return scxmlc.load_string(SMALL, module_name="sessions_small")


def test_sessions_of_several_charts_share_a_host_and_talk(small):
    other = scxmlc.load_string(
        '<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0"><datamodel><data id="to"/></datamodel>'
        '<state id="s"><transition event="poke" target="t"><send eventexpr="\'go\'" targetexpr="to"/></transition>'
        '</state><state id="t"/></scxml>',
        module_name="sessions_other",
    )
    host = Host(SimulatedClock())
    a = host.start(small.Chart)
    b = host.start(other.Chart)
    b.datamodel["to"] = "#_scxml_" + a.sessionid
    b.send("poke")
    host.run_until_idle(max_seconds=1)
    assert a.configuration == {"busy"} and b.configuration == {"t"}
    assert len(host) == 2
    host.close()
    assert len(host) == 0 and host.clock.pending() == 0


def test_sessions_of_different_hosts_cannot_reach_each_other(small):
    h1, h2 = Host(SimulatedClock()), Host(SimulatedClock())
    a = h1.start(small.Chart)
    sender = scxmlc.load_string(
        '<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0"><datamodel><data id="to"/></datamodel>'
        '<state id="s"><transition event="poke"><send event="go" targetexpr="to"/></transition>'
        '<transition event="error.communication" target="t"/></state><state id="t"/></scxml>',
        module_name="sessions_sender",
    )
    b = h2.start(sender.Chart)
    b.datamodel["to"] = "#_scxml_" + a.sessionid
    b.send("poke")
    assert b.configuration == {"t"} and a.configuration == {"idle"}


def _round(host, chart, count):
    machines = [host.start(chart) for _ in range(count)]
    for m in machines:
        m.send("go")
        m.send("back")
        m.send("go", {"payload": [1, 2, 3]})
    host.run_until_idle(max_seconds=10)  # the 5 s timers fire
    assert all(m.configuration == {"busy"} for m in machines)
    assert machines[0].datamodel["n"] == 2.0
    return machines


def test_ten_thousand_sessions_leave_no_trace(small):
    host = Host(SimulatedClock())
    # A first round fills what is per chart or per process, not per session: the chart's
    # transition plans, and the hash tables of the session registries (Python dicts keep their
    # size once grown, and reuse it). Memory must then come back to that level exactly.
    tracemalloc.start()
    try:
        _round(host, small.Chart, 10_000)
        host.close()
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        machines = _round(host, small.Chart, 10_000)
        during = tracemalloc.get_traced_memory()[0]
        host.close()
        del machines
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert len(host) == 0 and host.clock.pending() == 0
    assert during - before > 10_000 * 1_000, "the sessions should have used memory while alive"
    assert after - before < 20_000, f"{after - before} bytes still held after closing 10,000 sessions"


def test_each_host_has_its_own_http_processor(small):
    import urllib.error
    import urllib.request

    h1, h2 = Host(SimulatedClock()), Host(SimulatedClock(), http_host="127.0.0.1")
    a, b = h1.start(small.Chart), h2.start(small.Chart)
    loc_a = a.datamodel["_ioprocessors"]["basichttp"].js_get("location")
    loc_b = b.datamodel["_ioprocessors"]["basichttp"].js_get("location")
    assert loc_a.split("/scxml/")[0] != loc_b.split("/scxml/")[0]  # two servers
    # A host's server only knows its own sessions.
    wrong = loc_a.split("/scxml/")[0] + "/scxml/" + b.sessionid
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(urllib.request.Request(wrong, data=b"_scxmleventname=go", method="POST"), timeout=10)
    assert info.value.code == 404
    urllib.request.urlopen(urllib.request.Request(loc_b, data=b"_scxmleventname=go", method="POST"), timeout=10)
    h2.run_until_idle(max_seconds=1)
    assert b.configuration == {"busy"}
    h1.close()
    h2.close()
    with pytest.raises(OSError):
        urllib.request.urlopen(urllib.request.Request(loc_a, data=b"x", method="POST"), timeout=2)


def test_asyncio_host_processes_http_events_by_itself(small):
    import asyncio
    import urllib.request

    from scxmlc_runtime import AsyncioClock

    async def main():
        host = Host(AsyncioClock())
        m = host.start(small.Chart)
        location = m.datamodel["_ioprocessors"]["basichttp"].js_get("location")
        request = urllib.request.Request(location, data=b"_scxmleventname=go", method="POST")
        await asyncio.to_thread(urllib.request.urlopen, request, None, 10)
        for _ in range(100):  # the loop processes the event; nobody polls
            if m.configuration == {"busy"}:
                break
            await asyncio.sleep(0.01)
        state = m.configuration
        host.close()
        return state

    assert asyncio.run(main()) == {"busy"}


def test_asyncio_host_wakes_for_http_even_without_timers():
    import asyncio
    import urllib.request

    from scxmlc_runtime import AsyncioClock

    chart = scxmlc.load_string(
        '<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0"><state id="a">'
        '<transition event="go" target="b"/></state><state id="b"/></scxml>',
        module_name="sessions_no_timer",
    )

    async def main():
        host = Host(AsyncioClock())
        m = host.start(chart.Chart)
        location = m.datamodel["_ioprocessors"]["basichttp"].js_get("location")
        request = urllib.request.Request(location, data=b"_scxmleventname=go", method="POST")
        await asyncio.to_thread(urllib.request.urlopen, request, None, 10)
        for _ in range(100):
            if m.configuration == {"b"}:
                break
            await asyncio.sleep(0.01)
        state = m.configuration
        host.close()
        return state

    assert asyncio.run(main()) == {"b"}


def test_machines_made_with_a_clock_of_their_own_leave_no_trace(small):
    """`Chart(clock=SimulatedClock())`, the usual way to make one session, gives it its clock's
    default host. The hosts were kept by clock in a weak-key table whose values (the hosts) held
    their clocks: every such session left its host and clock behind for good. Sessions of one
    clock still share its host while any of them lives."""
    import weakref

    clock = SimulatedClock()
    first, second = small.Chart(clock=clock), small.Chart(clock=clock)
    assert first.host is second.host and Host.for_clock(clock) is first.host
    del first, second
    hosts = []
    tracemalloc.start()
    try:
        for _ in range(2):  # (the first round fills what is per chart, not per session)
            gc.collect()
            before = tracemalloc.get_traced_memory()[0]
            for _ in range(500):
                sm = small.Chart(clock=SimulatedClock())
                sm.start()
                sm.send("go")
            del sm
            gc.collect()
            after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    for _ in range(50):
        sm = small.Chart(clock=SimulatedClock())
        sm.start()
        hosts.append(weakref.ref(sm.host))
    del sm
    gc.collect()
    assert not [h for h in hosts if h() is not None]
    assert after - before < 20_000, f"{after - before} bytes still held after 500 sessions with clocks of their own"


def test_an_asyncio_clocks_cancelled_timers_leave_the_loop(small):
    """A session's delayed <send> on an AsyncioClock is a loop handle as well: cancelling the
    timer (the session ended, or cancelled it) left the handle, and the timer, in the loop's
    schedule until its due time (the small chart's 60 s nap: an hour-long one held them an hour)."""
    import asyncio

    from scxmlc_runtime import AsyncioClock

    async def main():
        loop = asyncio.get_running_loop()
        host = Host(AsyncioClock())
        machines = [host.start(small.Chart) for _ in range(300)]
        scheduled = len(loop._scheduled)  # noqa: SLF001 - asyncio's own heap of timer handles
        for sm in machines:
            sm.send("go")  # (exits idle: cancels its 60 s nap)
        await asyncio.sleep(0)
        host.close()
        return scheduled, sum(1 for h in loop._scheduled if not h.cancelled())  # noqa: SLF001

    scheduled, live = asyncio.run(main())
    assert scheduled >= 300 and live == 0, (scheduled, live)


def test_the_session_registry_holds_sessions_weakly():
    """Host.sessions (host.WeakValues, weakref.WeakValueDictionary's part the runtime uses,
    without importing weakref at start-up): a session leaves as it dies; a newer session under
    the same id stays when the older one dies; listings are taken at the call."""
    from scxmlc_runtime.host import WeakValues

    class Thing:
        pass

    table = WeakValues()
    a, b = Thing(), Thing()
    table["a"], table["b"] = a, b
    assert len(table) == 2 and "a" in table and table["a"] is a and table.get("b") is b
    assert sorted(table.keys()) == ["a", "b"] and sorted(map(id, table.values())) == sorted([id(a), id(b)])
    keys = table.keys()
    del b
    gc.collect()
    assert "b" not in table and table.get("b", "gone") == "gone" and len(table) == 1 and keys == ["a", "b"]
    with pytest.raises(KeyError):
        table["b"]
    newer = Thing()
    old, table["a"] = table["a"], newer  # the old session's id, taken again
    del a, old
    gc.collect()
    assert table["a"] is newer and dict(table.items()) == {"a": newer}
    assert table.pop("a") is newer and "a" not in table and table.pop("a", None) is None
    table.setdefault("c", newer)
    assert list(table) == ["c"]
    del table["c"]
    assert len(table) == 0


def test_threads_racing_to_hand_a_host_its_first_work_share_one_inbox():
    """The inbox (Host.inbox) is made by the first hand-over from another thread; threads that
    hand over at once must all reach the same one, or work is lost."""
    import threading

    host = Host(SimulatedClock())
    ran = []
    go = threading.Barrier(8)

    def hand_over(k: int) -> None:
        go.wait()
        for i in range(200):
            host.call_soon_threadsafe(ran.append, (k, i))

    threads = [threading.Thread(target=hand_over, args=(k,)) for k in range(8)]
    assert host.process_inbox() == 0  # (nothing handed over yet: no inbox made)
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert host.process_inbox() == 1600 and sorted(ran) == [(k, i) for k in range(8) for i in range(200)]


def test_listing_the_registry_while_the_collector_takes_sessions():
    """A collection while WeakValues lists its entries runs the removal callbacks of the values
    it frees; a listing that made an object per entry as it went met its dict changing size
    under it (host.close, on a host of 10,000 ended sessions)."""
    from scxmlc_runtime.host import WeakValues

    class Cyclic:
        def __init__(self):
            self.me = self  # (only the collector frees it)

    threshold = gc.get_threshold()
    table = WeakValues()
    gc.collect()
    gc.disable()
    try:
        held = [Cyclic() for _ in range(2000)]  # (young: a first-generation collection frees them)
        for i, v in enumerate(held):
            table[str(i)] = v
        del held, v
        # The next collection comes a few hundred objects into the listing.
        gc.set_threshold(gc.get_count()[0] + 300)
        gc.enable()
        listed = len(table.values())
    finally:
        gc.enable()
        gc.set_threshold(*threshold)
    gc.collect()
    assert len(table) == 0 and listed <= 2000
