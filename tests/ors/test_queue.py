"""The queue module (ors-extensions.md §9): submit with its targets and order types, waiting for a ready agent, time limits, cancellation, route, errors and _genesys.queue.rType."""

from __future__ import annotations

import pytest

from scxmlc_runtime.js import to_py
from scxmlc_runtime.ors import SimulatedInteractions, SimulatedRouting

from .conftest import load, ors

RECORD = """<transition event="queue.* error.queue.*"><script>events.push(_event)</script></transition>
  <transition event="cancel.it"><queue:cancel requestid="last"/></transition>
  <transition event="cancel.ixn"><queue:cancel interactionid="'I1'" queue="_event.data.vq"/></transition>
  <transition event="leave" target="gone"/>"""


def submit_chart(attrs: str, targets: str) -> str:
    return ors(
        f"""<state id="s"><onentry>
              <queue:submit requestid="last" interactionid="'I1'" {attrs}><queue:targets>{targets}</queue:targets></queue:submit>
            </onentry>{RECORD}</state><state id="gone"><transition event="*"><script>late.push(_event.name)</script></transition></state>""",
        data='<data id="last"/><data id="events" expr="[]"/><data id="late" expr="[]"/>',
    )


def agents(routing: SimulatedRouting) -> SimulatedRouting:
    routing.add_agent("ann", "7001", groups=["Sales"], skills={"Loan": 3, "English": 5}, stats={"load": 0.7})
    routing.add_agent("bob", "7002", groups=["Sales"], skills={"Loan": 1}, stats={"load": 0.2})
    routing.add_agent("cid", "7003", groups=["Support"], ready=False, stats={"load": 0.1})
    return routing


def run(make_host, attrs, targets, routing=None, seconds=60):
    routing = agents(SimulatedRouting()) if routing is None else routing
    ixn = SimulatedInteractions(resources={"7001", "7002", "7003"})
    host = make_host(routing=routing, interactions=ixn)
    sm = host.start(load(submit_chart(attrs, targets)).Chart)
    ixn.deliver(sm.sessionid, {"g_uid": "I1"})
    host.run_until_idle(seconds)
    return host, sm, routing


def events(sm):
    return to_py(sm.datamodel["events"])


def test_submit_reports_its_request_id_then_the_target(make_host):
    host, sm, _ = run(make_host, "queue=\"'VQ_Sales'\" route=\"false\"", "<queue:target name=\"'Sales'\" type=\"agentgroup\" statserver=\"'SS'\"/>")
    first, done = events(sm)
    assert first == {**first, "name": "queue.submit.requestid", "data": {"requestid": "R1"}}
    assert done["name"] == "queue.submit.done"
    assert done["data"] == {
        "requestid": "R1",
        "vqselected": "VQ_Sales",
        "interactionid": "I1",
        "targetselected": "ann@SS.A",
        "targetcomponentselected": "ann",
        "targetobjectselected": "Sales@SS.GA",
        "resource": "7001",
    }
    assert to_py(host.service("ixn").get("I1").props)["state"] == "ringing"  # route="false": selected only


@pytest.mark.parametrize(
    "attrs,targets,agent",
    [
        ("", "<queue:targetid expr=\"'bob@SS.A'\"/>", "bob"),
        ("", "<queue:targetid expr=\"'?:Loan &gt; 2@SS.GA'\"/>", "ann"),
        ("", "<queue:targetid expr=\"'nobody@SS.A'\"/><queue:targetid expr=\"'Sales@SS.GA'\"/>", "ann"),
        ("ordertype=\"'max'\" orderstat=\"'load'\"", "<queue:targetid expr=\"'Sales@SS.GA'\"/>", "ann"),
        ("ordertype=\"'min'\" orderstat=\"'load'\"", "<queue:targetid expr=\"'Sales@SS.GA'\"/>", "bob"),
        ("", "<queue:target skillexpr=\"'English >= 5 &amp; Loan > 1'\" statserver=\"'SS'\"/>", "ann"),
    ],
)
def test_targets_and_order_types(make_host, attrs, targets, agent):
    _, sm, _ = run(make_host, attrs, targets)
    assert events(sm)[-1]["data"]["targetcomponentselected"] == agent


def test_a_dn_target_is_selected_as_itself(make_host):
    _, sm, _ = run(make_host, "", "<queue:targetid expr=\"'5000@Switch.DN'\"/>")
    data = events(sm)[-1]["data"]
    assert (data["targetselected"], data["resource"]) == ("5000@Switch.DN", "5000")


def test_percentage_shares_selections_by_weight(make_host):
    routing = SimulatedRouting()
    for k in range(8):
        routing.add_agent(f"a{k}", f"80{k}", groups=["A"] if k < 4 else ["B"])
    ixn = SimulatedInteractions()
    host = make_host(routing=routing, interactions=ixn)
    chart = load(submit_chart("ordertype=\"'percentage'\"", "<queue:target name=\"'A'\" type=\"agentgroup\" weight=\"75\"/>"
                              "<queue:target name=\"'B'\" type=\"agentgroup\" weight=\"25\"/>"))  # fmt: skip
    picked = []
    for _ in range(4):
        sm = host.start(chart.Chart)
        host.run_until_idle(1)
        picked.append(events(sm)[-1]["data"]["targetobjectselected"])
    assert picked.count("A@.GA") == 3 and picked.count("B@.GA") == 1


def test_waits_until_an_agent_is_ready(make_host):
    routing = agents(SimulatedRouting())
    ixn = SimulatedInteractions()
    host = make_host(routing=routing, interactions=ixn)
    sm = host.start(load(submit_chart("", "<queue:targetid expr=\"'Support@SS.GA'\"/>")).Chart)
    host.run_until_idle(5)
    assert [e["name"] for e in events(sm)] == ["queue.submit.requestid"]
    routing.set_ready("cid")
    host.run_until_idle(5)
    assert events(sm)[-1]["data"]["targetcomponentselected"] == "cid" and not routing.agents["cid"].ready


def test_timeout(make_host):
    host, sm, routing = run(make_host, 'timeout="30"', "<queue:targetid expr=\"'Support@SS.GA'\"/>")
    last = events(sm)[-1]
    assert last["name"] == "error.queue.submit" and last["data"]["error"] == "timeout" and host.clock.now() == 30.0
    routing.set_ready("cid")
    host.run_until_idle(1)
    assert routing.agents["cid"].ready  # the withdrawn submit took nobody


def test_cancel_by_request_id_and_by_interaction(make_host):
    routing = agents(SimulatedRouting())
    host = make_host(routing=routing, interactions=SimulatedInteractions())
    chart = load(submit_chart("queue=\"'VQ'\"", "<queue:targetid expr=\"'Support@SS.GA'\"/>"))
    a = host.start(chart.Chart)
    a.send("cancel.it")
    a.send("cancel.it")  # already cancelled
    b = host.start(chart.Chart)
    b.send("cancel.ixn", {"vq": "other"})
    b.send("cancel.ixn", {"vq": "VQ"})
    host.run_until_idle(5)
    assert [(e["name"], e["data"].get("error")) for e in events(a)] == [
        ("queue.submit.requestid", None), ("queue.cancel.done", None), ("error.queue.cancel", "notfound"),
    ]  # fmt: skip
    assert [(e["name"], e["data"].get("error")) for e in events(b)] == [
        ("queue.submit.requestid", None), ("error.queue.cancel", "notfound"), ("queue.cancel.done", None),
    ]  # fmt: skip
    routing.set_ready("cid")
    host.run_until_idle(1)
    assert routing.agents["cid"].ready and routing.waiting == []


def test_leaving_the_state_withdraws_the_submit(make_host):
    routing = agents(SimulatedRouting())
    host = make_host(routing=routing, interactions=SimulatedInteractions())
    sm = host.start(load(submit_chart("", "<queue:targetid expr=\"'Support@SS.GA'\"/>")).Chart)
    sm.send("leave")
    routing.set_ready("cid")
    host.run_until_idle(5)
    assert to_py(sm.datamodel["late"]) == [] and routing.agents["cid"].ready


def test_route_true_routes_the_interaction(make_host):
    host, sm, _ = run(make_host, 'route="true"', "<queue:targetid expr=\"'bob@SS.A'\"/>")
    assert events(sm)[-1]["name"] == "queue.submit.done"
    props = to_py(host.service("ixn").get("I1").props)
    assert props["state"] == "routed" and props["resource"] == "7002"


def test_without_a_routing_platform_submit_is_unavailable(make_host):
    host = make_host()
    sm = host.start(load(submit_chart("", "<queue:targetid expr=\"'bob@SS.A'\"/>")).Chart)
    host.run_until_idle(1)
    last = events(sm)[-1]
    assert last["name"] == "error.queue.submit" and last["data"]["error"] == "unavailable"


def test_a_target_that_does_not_parse_at_run_time_is_illegalvalue(make_host):
    chart = submit_chart("", '<queue:targetid expr="t"/>').replace('<data id="last"/>', '<data id="last"/><data id="t" expr="\'no target\'"/>')
    host = make_host(routing=agents(SimulatedRouting()))
    sm = host.start(load(chart).Chart)
    host.run_until_idle(1)
    assert to_py(sm.datamodel["_event"])["name"] == "error.illegalvalue.targets"


def test_route_types(make_host):
    chart = ors('<state id="s"><onentry><assign location="t" expr="[_genesys.queue.rType.RouteTypeDefault, _genesys.queue.rType.RouteTypeUnknown]"/></onentry></state>', data='<data id="t"/>')
    sm = make_host().start(load(chart).Chart)
    assert to_py(sm.datamodel["t"]) == ["RouteTypeDefault", "RouteTypeUnknown"]


def test_a_submit_without_targets_is_invalidattribute(make_host):
    chart = ors(
        f"""<state id="s"><onentry><queue:submit requestid="last"/></onentry>{RECORD}</state><state id="gone"/>""",
        data='<data id="last"/><data id="events" expr="[]"/>',
    )
    host = make_host(routing=agents(SimulatedRouting()))
    sm = host.start(load(chart).Chart)
    host.run_until_idle(1)
    last = events(sm)[-1]
    assert last["name"] == "error.queue.submit" and last["data"]["error"] == "invalidattribute"


def test_a_submit_without_targets_warns_when_compiled():
    import scxmlc

    result = scxmlc.compile_source(ors('<state id="s"><onentry><queue:submit/></onentry></state>'), "q.scxml")
    assert any("has no targets" in str(d) for d in result.warnings)


def test_waiting_submits_are_served_by_priority_then_in_order(make_host):
    routing = SimulatedRouting()
    routing.add_agent("solo", "7000", groups=["G"], ready=False)
    host = make_host(routing=routing, interactions=SimulatedInteractions())
    low = load(submit_chart('priority="1"', "<queue:targetid expr=\"'G@SS.GA'\"/>"))
    high = load(submit_chart('priority="5"', "<queue:targetid expr=\"'G@SS.GA'\"/>"))
    first, second, third = host.start(low.Chart), host.start(high.Chart), host.start(low.Chart)
    host.run_until_idle(1)
    served = []
    for _ in range(3):
        routing.set_ready("solo")
        host.run_until_idle(1)
        served.append(next(m for m in (first, second, third) if m not in served and events(m)[-1]["name"] == "queue.submit.done"))
    assert served == [second, first, third]
