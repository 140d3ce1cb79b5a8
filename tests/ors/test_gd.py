"""Guaranteed delivery of <session:fetch> (ors-extensions.md §3.8) against a real server that refuses connections, then answers 503, then 200: retries, per-URI order, the overall timeout, cancellation; every request gets exactly one result."""

from __future__ import annotations

import pytest

from scxmlc_runtime import SimulatedClock
from scxmlc_runtime.js import to_py

from .conftest import load, ors
from .httpserver import Reply


def gd_chart(url: str, n: int = 1, attrs: str = 'gd_retry_interval="10"', query=True) -> str:
    """A session that issues `n` GD fetches to `url` (with ?n=k) in order, records each
    result event, and cancels request `cancelme` when told to."""
    fetches = "".join(
        f'<session:fetch requestid="ids[{k}]" srcexpr="\'{url}{"?n=" + str(k) if query else ""}\'" type="\'text/plain\'" '
        f'gdelivery="true" {attrs}/>'
        for k in range(n)
    )
    return ors(
        f"""<state id="s">
          <onentry>{fetches}</onentry>
          <transition event="session.fetch.done error.session.fetch"><script>results.push(_event)</script></transition>
          <transition event="cancel"><session:cancel requestid="ids[_event.data.k]"/></transition>
          <transition event="session.cancel.done error.session.cancel"><script>cancels.push(_event)</script></transition>
          <transition event="leave" target="away"/>
        </state>
        <state id="away"/>""",
        data='<data id="ids" expr="[]"/><data id="results" expr="[]"/><data id="cancels" expr="[]"/>',
    )


def results(sm) -> list[dict]:
    return to_py(sm.datamodel["results"])


def test_refused_then_503_then_200_in_order_and_each_gets_one_result(make_host, server):
    server.stop_listening()
    host = make_host()
    sm = host.start(load(gd_chart(server.url("/gd"), n=3)).Chart)
    host.run_until_idle(max_seconds=25)  # attempts of the first at 0, 10, 20: all refused
    assert results(sm) == [] and server.received() == []
    replies = iter([Reply(status=503, body="busy"), Reply(body="one"), Reply(body="two")])
    server.handler = lambda req: next(replies)
    server.listen()
    host.run_until_idle(max_seconds=60)
    got = results(sm)
    assert [r["name"] for r in got] == ["error.session.fetch", "session.fetch.done", "session.fetch.done"]
    assert [r["data"]["requestid"] for r in got] == ["R1", "R2", "R3"]
    assert got[0]["data"]["error"] == "http.503" and got[0]["data"]["status"] == 503  # a response is final
    assert [r.target for r in server.received()] == ["/gd?n=0", "/gd?n=1", "/gd?n=2"]
    assert host.clock.now() == 30.0  # the first request's fourth attempt, then the others at once


def test_a_limited_number_of_retries_ends_with_the_transport_error(make_host, server):
    server.handler = lambda req: Reply(drop=True)  # the connection closes before any response
    host = make_host()
    sm = host.start(load(gd_chart(server.url("/x"), attrs='gd_retries="2" gd_retry_interval="5"')).Chart)
    host.run_until_idle(max_seconds=60)
    (got,) = results(sm)
    assert got["data"]["error"] == "http.connect"
    assert "3 attempts" in got["data"]["description"]
    # (aiohttp itself sends a GET a second time when the server closes without answering:
    # RFC 9112 §9.3.1; that is within one attempt)
    assert 3 <= len(server.received()) <= 6
    assert host.clock.now() == 10.0  # attempts at 0, 5 and 10


def test_zero_retries_means_no_limit(make_host, server):
    server.handler = lambda req: Reply(drop=True)
    host = make_host()
    sm = host.start(load(gd_chart(server.url("/x"), attrs='gd_retries="0" gd_retry_interval="1"')).Chart)
    host.run_until_idle(max_seconds=7.5)
    assert results(sm) == [] and len(server.received()) >= 8  # attempts at 0, 1, ..., 7
    assert host.clock.now() == 7.0
    server.handler = lambda req: Reply(body="at last")
    host.run_until_idle(max_seconds=5)
    assert results(sm)[0]["data"]["content"] == "at last"


def test_the_overall_timeout_bounds_the_retries(make_host, server):
    server.stop_listening()
    host = make_host()
    sm = host.start(load(gd_chart(server.url("/t"), n=2, attrs='timeout="25" gd_retry_interval="10"')).Chart)
    host.run_until_idle(max_seconds=100)
    got = results(sm)
    assert [r["data"]["error"] for r in got] == ["http.timeout", "http.timeout"]
    assert "3 attempts" in got[0]["data"]["description"]
    assert "never attempted" in got[1]["data"]["description"]  # it waited behind the first
    assert host.clock.now() == 25.0


def test_cancel_during_a_retry_wait_frees_the_queue_and_reports_nothing(make_host, server):
    server.stop_listening()
    host = make_host()
    sm = host.start(load(gd_chart(server.url("/c"), n=2, attrs='gd_retry_interval="30"')).Chart)
    host.run_until_idle(max_seconds=5)
    server.listen()
    sm.send("cancel", {"k": 0})
    host.run_until_idle(max_seconds=5)
    assert [c["name"] for c in to_py(sm.datamodel["cancels"])] == ["session.cancel.done"]
    got = results(sm)
    assert [r["data"]["requestid"] for r in got] == ["R2"]  # R1 never reports
    assert [r.target for r in server.received()] == ["/c?n=1"]
    sm.send("cancel", {"k": 0})  # cancelled already: notfound
    sm.send("cancel", {"k": 1})  # completed already: notfound
    host.run_until_idle(max_seconds=1)
    assert [c["data"].get("error") for c in to_py(sm.datamodel["cancels"])] == [None, "notfound", "notfound"]


def test_leaving_the_owner_state_cancels_queued_and_waiting_requests(make_host, server):
    server.stop_listening()
    host = make_host()
    sm = host.start(load(gd_chart(server.url("/o"), n=2)).Chart)
    host.run_until_idle(max_seconds=5)
    sm.send("leave")
    server.listen()
    host.run_until_idle(max_seconds=100)
    assert results(sm) == [] and server.received() == []
    assert host.outstanding == 0 and host.clock.pending() == 0


def test_requests_without_gd_skip_the_queues(make_host, server):
    server.stop_listening()
    chart = gd_chart(server.url("/q"), n=1).replace(
        "</onentry>", f"<session:fetch requestid=\"ids[1]\" srcexpr=\"'{server.url('/q?plain')}'\" type=\"'text/plain'\"/></onentry>"
    )
    host = make_host()
    sm = host.start(load(chart).Chart)
    host.run_until_idle(max_seconds=5)
    got = results(sm)
    assert [(r["data"]["requestid"], r["data"]["error"]) for r in got] == [("R2", "http.connect")]


def test_queues_are_per_uri_and_shared_by_the_host(make_host, server):
    """Two sessions' GD requests to one URI (the query does not count) go one at a time, in
    the order they were made; another URI has its own queue."""
    in_flight = []

    def handler(req):
        in_flight.append(req.target)
        return Reply(body=req.target, delay=0.2)

    server.handler = handler
    host = make_host()
    a = host.start(load(gd_chart(server.url("/same"), n=2)).Chart)
    b = host.start(load(gd_chart(server.url("/same"), n=1)).Chart)
    c = host.start(load(gd_chart(server.url("/other"), n=1)).Chart)
    host.run_until_idle(max_seconds=10)
    received = server.received()
    same = [r for r in received if r.target.startswith("/same")]
    assert [r.target for r in same] == ["/same?n=0", "/same?n=1", "/same?n=0"]
    for earlier, later in zip(same, same[1:]):
        assert later.at >= earlier.at + 0.19  # the next starts only when the previous is answered
    other = next(r for r in received if r.target.startswith("/other"))
    assert other.at < same[1].at  # not behind /same
    assert [len(results(m)) for m in (a, b, c)] == [2, 1, 1]


@pytest.mark.parametrize("clock", [SimulatedClock, None])
def test_no_request_is_lost_through_an_outage(make_host, server, clock):
    server.stop_listening()
    host = make_host(clock() if clock else None)
    sessions = [host.start(load(gd_chart(server.url(f"/l{k % 3}"), n=4, attrs='gd_retry_interval="0.2"')).Chart) for k in range(6)]
    host.run_until_idle(max_seconds=0.5)
    server.listen()
    host.run_until_idle(max_seconds=20)
    assert all(len(results(s)) == 4 for s in sessions)
    assert all(r["name"] == "session.fetch.done" for s in sessions for r in results(s))
    assert len(server.received()) == 24


# -- across a restore (ors-server.md §9.7 step 5) ----------------------------------------------


def test_a_gd_fetch_goes_on_after_its_session_is_stored_and_restored(make_host, server):
    server.stop_listening()
    host = make_host()
    chart = load(gd_chart(server.url("/gd"), n=2)).Chart
    sm = host.start(chart)
    host.run_until_idle(max_seconds=5)  # the first attempt is refused; the next in 10 s
    assert results(sm) == [] and len(sm._requests) == 2
    data = sm.snapshot()
    sm.close()
    host.close()
    server.handler = lambda req: Reply(body="late")
    server.listen()
    restored = chart.restore(data, host=make_host())  # the next attempt within the retry interval
    assert sorted(restored._requests) == ["R1", "R2"]
    restored.host.run_until_idle(max_seconds=30)
    got = results(restored)
    assert [(r["name"], r["data"]["requestid"], r["data"]["content"]) for r in got] == [
        ("session.fetch.done", "R1", "late"),
        ("session.fetch.done", "R2", "late"),
    ]
    assert [r.target for r in server.received()] == ["/gd?n=0", "/gd?n=1"]  # in order, once each
    assert not restored._requests


def test_a_gd_fetch_whose_time_limit_passed_while_stored_ends_with_a_timeout(make_host, server):
    server.stop_listening()
    host = make_host()
    chart = load(gd_chart(server.url("/gd"), attrs='gd_retry_interval="10" timeout="20"')).Chart
    sm = host.start(chart)
    host.run_until_idle(max_seconds=5)
    data = sm.snapshot()
    sm.close()
    host.close()
    clock = SimulatedClock()
    clock.advance(60)  # (the new host's clock is ahead of the old one's: the downtime)
    restored = chart.restore(data, host=make_host(clock))
    restored.host.run_until_idle(max_seconds=1)
    got = results(restored)
    assert [(r["name"], r["data"]["error"]) for r in got] == [("error.session.fetch", "http.timeout")]
    assert "server was down" in got[0]["data"]["description"] and server.received() == []


def test_a_fetch_without_gd_in_flight_at_the_store_is_interrupted(make_host, server):
    server.stop_listening()
    host = make_host()
    chart = load(gd_chart(server.url("/gd"), attrs='timeout="30"').replace('gdelivery="true"', 'gdelivery="false"')).Chart
    sm = host.start(chart)
    assert sm._requests
    data = sm.snapshot()
    sm.close()
    host.close()
    restored = chart.restore(data, host=make_host())
    restored.host.run_until_idle(max_seconds=1)
    assert [(r["name"], r["data"]["error"]) for r in results(restored)] == [("error.session.fetch", "interrupted")]
