"""The interaction module (ors-extensions.md §8): every action with its events and error codes, ownership, the object model before and after each event, user data, cancellation and release."""

from __future__ import annotations

import pytest

from scxmlc_runtime import SimulatedClock
from scxmlc_runtime.js import to_py
from scxmlc_runtime.ors import SimulatedInteractions

from .conftest import load, ors

ACTIONS = """
  <transition event="do.attach"><ixn:attach requestid="last" interactionid="_event.data.id"/></transition>
  <transition event="do.detach"><ixn:detach requestid="last" interactionid="_event.data.id"/></transition>
  <transition event="do.accept"><ixn:accept requestid="last" interactionid="_event.data.id" resource="_event.data.dn"/></transition>
  <transition event="do.redirect"><ixn:redirect requestid="last" interactionid="_event.data.id" to="_event.data.to"
      type="_genesys.queue.rType.RouteTypeDefault" detach="_event.data.detach"/></transition>
  <transition event="do.terminate"><ixn:terminate requestid="last" interactionid="_event.data.id" reason="'done'"/></transition>
  <transition event="do.associate"><ixn:associate requestid="last" interactionid="_event.data.id" sessionid="_event.data.to"/></transition>
  <transition event="do.udata"><script>_genesys.ixn.setuData({k: _event.data.v}, _event.data.id);
      seen.push(_genesys.ixn.getuData('k', _event.data.id))</script></transition>
  <transition event="do.deludata"><script>_genesys.ixn.deleteuData(['k'], _event.data.id)</script></transition>
  <transition event="interaction.* error.interaction.*">
    <script>
      var ids = []; for (var k in _genesys.ixn.interactions) ids.push(k);
      events.push({name: _event.name, data: _event.data, model: ids,
                   state: _event.data.interactionid in _genesys.ixn.interactions ? _genesys.ixn.interactions[_event.data.interactionid].state : null});
    </script>
  </transition>
  <transition event="leave" target="gone"/>
"""
CHART = ors(
    f"""<state id="s">{ACTIONS}
      <state id="inner"><onentry><script>/* a state that owns requests */</script></onentry></state>
    </state><state id="gone"/>""",
    data='<data id="last"/><data id="events" expr="[]"/><data id="seen" expr="[]"/>',
)


@pytest.fixture(scope="module")
def chart():
    return load(CHART)


@pytest.fixture
def setup(make_host, chart):
    def make(latency=0.0, resources=("702", "7001")):
        ixn = SimulatedInteractions(resources=resources, latency=latency)
        host = make_host(interactions=ixn)
        a, b = host.start(chart.Chart), host.start(chart.Chart)
        return host, ixn, a, b

    return make


def events(sm):
    return to_py(sm.datamodel["events"])


def names(sm):
    return [e["name"] for e in events(sm)]


def test_delivered_interactions_are_in_the_object_model_before_interaction_added(setup):
    host, ixn, a, b = setup()
    ixn.deliver(a.sessionid, {"g_uid": "I1", "voice": {"dnis": "800", "ani": "555"}, "udata": {"x": 1}})
    host.run_until_idle(1)
    (added,) = events(a)
    assert added == {"name": "interaction.added", "data": {"interactionid": "I1"}, "model": ["I1"], "state": "ringing"}
    assert events(b) == []
    entry = host.service("ixn").get("I1")
    assert to_py(entry.props)["voice"] == {"dnis": "800", "ani": "555"} and entry.owner == a.sessionid


def test_detach_then_attach_moves_ownership(setup):
    host, ixn, a, b = setup()
    ixn.deliver(a.sessionid, {"g_uid": "I1"})
    host.run_until_idle(1)
    a.send("do.detach", {"id": "I1"})
    host.run_until_idle(1)
    assert [(e["name"], e["model"], e["data"].get("resultof")) for e in events(a)[1:]] == [
        ("interaction.detach.done", [], None),  # left the object model before the event
        ("interaction.deleted", [], "detach"),
    ]
    assert events(a)[1]["data"] == {"requestid": "R1", "interactionid": "I1"}
    b.send("do.attach", {"id": "I1"})
    host.run_until_idle(1)
    assert [(e["name"], e["model"], e["state"]) for e in events(b)] == [("interaction.attach.done", ["I1"], "detached")]
    assert host.service("ixn").get("I1").owner == b.sessionid


@pytest.mark.parametrize(
    "action,data,error",
    [
        ("attach", {"id": "NOPE"}, "notfound"),
        ("detach", {"id": "NOPE"}, "notfound"),
        ("accept", {"id": "NOPE", "dn": "702"}, "notfound"),
        ("detach", {"id": "I1"}, "invalidstate"),  # owned by the other session
        ("attach", {"id": "I1"}, "invalidstate"),
        ("accept", {"id": "I1", "dn": "702"}, "notfound"),
        ("redirect", {"id": "I1", "to": "7001", "detach": False}, "notfound"),
        ("terminate", {"id": "I1"}, "notfound"),
        ("associate", {"id": "I1", "to": "x"}, "notfound"),
    ],
)
def test_ownership_errors(setup, action, data, error):
    host, ixn, a, b = setup()
    ixn.deliver(a.sessionid, {"g_uid": "I1"})
    b.send(f"do.{action}", data)
    host.run_until_idle(1)
    (got,) = events(b)
    assert got["name"] == f"error.interaction.{action}"
    assert got["data"]["error"] == error and got["data"]["requestid"] == "R1" and got["data"]["interactionid"] == data["id"]
    assert ixn.requests == []  # decided by the runtime: nothing reached the platform


def test_accept_connects_on_a_known_resource_only(setup):
    host, ixn, a, b = setup()
    ixn.deliver(a.sessionid, {"g_uid": "I1"})
    a.send("do.accept", {"id": "I1", "dn": "999"})
    a.send("do.accept", {"id": "I1", "dn": {"dn": "702"}})
    a.send("do.accept", {"id": "I1", "dn": "702"})
    host.run_until_idle(1)
    got = [(e["name"], e["data"].get("error"), e["state"]) for e in events(a)[1:]]
    assert got == [
        ("error.interaction.accept", "invalidresource", "ringing"),
        ("interaction.accept.done", None, "connected"),
        ("error.interaction.accept", "invalidstate.connected", "connected"),
    ]


def test_redirect_and_its_detach(setup):
    host, ixn, a, b = setup()
    ixn.deliver(a.sessionid, {"g_uid": "I1"})
    ixn.deliver(a.sessionid, {"g_uid": "I2"})
    a.send("do.redirect", {"id": "I1", "to": "nowhere", "detach": False})
    a.send("do.redirect", {"id": "I1", "to": "7001", "detach": False})
    a.send("do.redirect", {"id": "I2", "to": "7001@Switch.DN", "detach": True})
    host.run_until_idle(1)
    got = [(e["name"], e["data"].get("error"), e["data"]["interactionid"], e["state"]) for e in events(a)[2:]]
    assert got == [
        ("error.interaction.redirect", "invaliddestination", "I1", "ringing"),
        ("interaction.redirect.done", None, "I1", "routed"),
        ("interaction.redirect.done", None, "I2", None),  # detached first: out of the model
        ("interaction.deleted", None, "I2", None),
    ]
    _, action, args = ixn.requests[-1]
    assert action == "redirect" and args["type"] == "RouteTypeDefault" and args["to"] == "7001@Switch.DN" and args["detach"] is True


def test_terminate_ends_the_interaction(setup):
    host, ixn, a, b = setup()
    ixn.deliver(a.sessionid, {"g_uid": "I1"})
    a.send("do.terminate", {"id": "I1"})
    host.run_until_idle(1)
    assert [(e["name"], e["model"], e["data"].get("resultof")) for e in events(a)[1:]] == [
        ("interaction.terminate.done", [], None),
        ("interaction.deleted", [], "deletion"),
    ]
    assert host.service("ixn").get("I1") is None and ixn.requests[-1][2]["reason"] == "done"


def test_associate_moves_the_interaction_to_another_session(setup):
    host, ixn, a, b = setup()
    ixn.deliver(a.sessionid, {"g_uid": "I1"})
    a.send("do.associate", {"id": "I1", "to": b.sessionid})
    host.run_until_idle(1)
    assert names(a)[1:] == ["interaction.associate.done", "interaction.deleted", "interaction.notcontrolled"]
    assert [(e["name"], e["model"]) for e in events(b)] == [("interaction.added", ["I1"]), ("interaction.present", ["I1"])]


@pytest.mark.parametrize("action", ["attach", "detach", "accept", "redirect", "terminate", "associate"])
@pytest.mark.parametrize("error", ["remote", "unknown"])
def test_platform_faults_of_every_action(setup, action, error):
    host, ixn, a, b = setup()
    ixn.deliver(a.sessionid, {"g_uid": "I1"})
    service = host.service("ixn")
    service.set_owner(service.get("I1"), None if action == "attach" else a.sessionid)
    ixn.fail(action, error)
    a.send(f"do.{action}", {"id": "I1", "dn": "702", "to": b.sessionid if action == "associate" else "7001", "detach": False})
    host.run_until_idle(1)
    got = events(a)[-1]
    assert got["name"] == f"error.interaction.{action}" and got["data"]["error"] == error
    assert got["data"]["description"] == f"simulated fault: {error}"


def test_a_fault_once_or_always(setup):
    host, ixn, a, b = setup()
    ixn.deliver(a.sessionid, {"g_uid": "I1"})
    ixn.fail("accept", "remote", once=False)
    for _ in range(2):
        a.send("do.accept", {"id": "I1", "dn": "702"})
    host.run_until_idle(1)
    ixn.clear_faults()
    a.send("do.accept", {"id": "I1", "dn": "702"})
    host.run_until_idle(1)
    assert names(a)[1:] == ["error.interaction.accept", "error.interaction.accept", "interaction.accept.done"]


def test_user_data(setup):
    host, ixn, a, b = setup()
    ixn.deliver(a.sessionid, {"g_uid": "I1"})
    a.send("do.udata", {"id": "I1", "v": "hello"})
    host.run_until_idle(1)
    assert to_py(a.datamodel["seen"]) == ["hello"]
    assert to_py(host.service("ixn").get("I1").props)["udata"] == {"k": "hello"}
    a.send("do.deludata", {"id": "I1"})
    host.run_until_idle(1)
    assert names(a)[1:] == ["interaction.udata.changed", "interaction.udata.changed"]
    assert to_py(host.service("ixn").get("I1").props)["udata"] == {}
    b.send("do.udata", {"id": "I1", "v": "x"})  # not b's: a TypeError (error.execution)
    assert to_py(b.datamodel["_event"])["name"] == "error.execution"


def test_unsolicited_events_go_to_the_owner(setup):
    host, ixn, a, b = setup()
    ixn.deliver(a.sessionid, {"g_uid": "I1"})
    service = host.service("ixn")
    service.update("I1", {"state": "hold"})
    service.notify("I1", "interaction.partystatechanged", {"focusdeviceid": "7001"})
    ixn.hangup("I1")
    host.run_until_idle(1)
    assert [(e["name"], e["state"]) for e in events(a)[1:]] == [("interaction.partystatechanged", "hold"), ("interaction.deleted", None)]
    assert events(a)[1]["data"] == {"interactionid": "I1", "focusdeviceid": "7001"}


def test_leaving_the_owner_state_cancels_a_pending_action(setup):
    host, ixn, a, b = setup(latency=5.0)
    chart = load(
        ors(
            """<state id="s"><onentry><ixn:accept requestid="last" interactionid="'I1'" resource="'702'"/></onentry>
                 <transition event="leave" target="t"/></state>
               <state id="t"><transition event="*"><script>events.push(_event.name)</script></transition></state>""",
            data='<data id="last"/><data id="events" expr="[]"/>',
        )
    )
    ixn.deliver("nobody-yet", {"g_uid": "I1"})
    host.service("ixn").set_owner(host.service("ixn").get("I1"), "S3")
    c = host.start(chart.Chart)
    assert c.sessionid == "S3"
    c.send("leave")
    host.run_until_idle(10)
    assert to_py(c.datamodel["events"]) == []
    assert to_py(host.service("ixn").get("I1").props)["state"] == "ringing"  # the platform never answered


def test_a_session_that_ends_releases_what_it_owns(setup):
    host, ixn, a, b = setup()
    ixn.deliver(a.sessionid, {"g_uid": "I1"})
    host.run_until_idle(1)
    a.send("leave")
    a.close()
    assert host.service("ixn").get("I1").owner is None
    b.send("do.attach", {"id": "I1"})
    host.run_until_idle(1)
    assert names(b) == ["interaction.attach.done"]


def test_without_a_platform_ownership_works_and_the_rest_is_remote(make_host, chart):
    host = make_host()
    a = host.start(chart.Chart)
    host.service("ixn").new_interaction(a.sessionid, {"g_uid": "I1"})
    a.send("do.accept", {"id": "I1", "dn": "702"})
    a.send("do.detach", {"id": "I1"})
    host.run_until_idle(1)
    assert [(e["name"], e["data"].get("error")) for e in events(a)] == [
        ("interaction.added", None),
        ("error.interaction.accept", "remote"),
        ("interaction.detach.done", None),
        ("interaction.deleted", None),
    ]


def test_the_object_model_is_read_only(make_host):
    host = make_host()
    chart = load(ors('<state id="s"><transition event="go"><script>_genesys.ixn.interactions["x"] = 1</script></transition></state>'))
    sm = host.start(chart.Chart)
    sm.send("go")
    assert to_py(sm.datamodel["_event"])["name"] == "error.execution"


def test_latency_is_on_the_host_clock(setup):
    host, ixn, a, b = setup(latency=2.5)
    ixn.deliver(a.sessionid, {"g_uid": "I1"})
    a.send("do.accept", {"id": "I1", "dn": "702"})
    host.run_until_idle(10)
    assert names(a)[-1] == "interaction.accept.done" and host.clock.now() == 2.5


def test_unknown_host_keywords_are_refused():
    from scxmlc_runtime import Host

    with pytest.raises(TypeError, match="unexpected keyword argument 'interaction'"):
        Host(SimulatedClock(), interaction=SimulatedInteractions())


@pytest.mark.parametrize(
    "action,state,error",
    [
        ("accept", "hold", "invalidstate.hold"),
        ("accept", "transferring", "invalidstate.transferring"),
        ("redirect", "routed", "invalidstate.routed"),
        ("terminate", "null", "invalidstate.null"),
    ],
)
def test_states_that_reject_an_action(setup, action, state, error):
    host, ixn, a, b = setup()
    ixn.deliver(a.sessionid, {"g_uid": "I1", "state": state})
    a.send(f"do.{action}", {"id": "I1", "dn": "702", "to": "7001", "detach": False})
    host.run_until_idle(1)
    got = events(a)[-1]
    assert (got["name"], got["data"]["error"], got["state"]) == (f"error.interaction.{action}", error, state)


def test_badtranslation_is_the_platforms_to_say(setup):
    host, ixn, a, b = setup()
    ixn.deliver(a.sessionid, {"g_uid": "I1"})
    ixn.fail("redirect", "badtranslation", description="no route for 7001")
    a.send("do.redirect", {"id": "I1", "to": "7001", "detach": False})
    host.run_until_idle(1)
    assert events(a)[-1]["data"] == {"requestid": "R1", "interactionid": "I1", "error": "badtranslation", "description": "no route for 7001"}


def test_the_object_model_is_read_only_to_scripts(make_host):
    # ors-extensions.md §8.1: a script's write went to the registry's own data: udata changed
    # without setuData (no interaction.udata.changed), and a written `state` decided what the
    # platform answered to an ixn:accept
    text = ors(
        """<state id="s">
          <transition event="interaction.added"><script>var i = _genesys.ixn.interactions.I1; i.state = 'connected'; i.udata.k = 'v';
            seen.push(_genesys.ixn.interactions.I1.state, typeof _genesys.ixn.interactions.I1.udata.k)</script></transition>
          <transition event="go"><ixn:accept interactionid="'I1'" resource="'702'"/></transition>
          <transition event="*"><script>seen.push(_event.name)</script></transition></state>""",
        data='<data id="seen" expr="[]"/>',
    )
    ixn = SimulatedInteractions(resources=("702",))
    host = make_host(interactions=ixn)
    sm = host.start(load(text).Chart)
    ixn.deliver(sm.sessionid, {"g_uid": "I1", "udata": {"x": 1}})
    host.run_until_idle(1)
    sm.send("go")
    host.run_until_idle(1)
    assert to_py(sm.datamodel["seen"]) == ["ringing", "undefined", "interaction.accept.done"]
    assert to_py(host.service("ixn").get("I1").props)["udata"] == {"x": 1}
