"""The `dialog:` module through its platform adapter (ors-dialect.md §8.1), treatments inside `<queue:submit>`, `<queue:query>`, and the interaction events of §9 from the simulator."""

from __future__ import annotations

import pytest

from scxmlc_runtime import SimulatedClock
from scxmlc_runtime.js import to_py
from scxmlc_runtime.ors import SimulatedDialog, SimulatedInteractions, SimulatedRouting

from .conftest import load

NS = (
    'xmlns="http://www.w3.org/2005/07/scxml" xmlns:dialog="http://www.genesyslab.com/modules/dialog" '
    'xmlns:queue="http://www.genesyslab.com/modules/queue" xmlns:ixn="http://www.genesyslab.com/modules/interaction"'
)


# rec(): the event the session takes, with the data that matters, into `seen`
REC = """<script>function rec() {
  var d = _event.data || {};
  seen.push(_event.name + (d.digits !== undefined ? ' ' + d.digits : '') + (d.error ? ' ' + d.error : '')
            + (d.positioninqueue !== undefined ? ' #' + d.positioninqueue + ' p' + d.priority + ' ' + d.invqwaittime + 's' : ''));
}</script>"""


def doc(body: str, data: str = "") -> str:
    return f'<scxml {NS} version="1.0"><datamodel><data id="r"/><data id="seen" expr="[]"/>{data}</datamodel>{REC}{body}</scxml>'


# Every other event the session takes goes to `seen` too.
RECORD = '<transition event="*"><script>rec()</script></transition>'


def run(make_host, body: str, seconds: float = 100, data: str = "", **adapters):
    host = make_host(SimulatedClock(), **adapters)
    sm = host.start(load(doc(body, data)).Chart)
    host.run_until_idle(seconds)
    return sm, to_py(sm.datamodel["seen"]), host


def test_without_a_dialog_platform_every_request_is_unavailable(make_host):
    sm, seen, _ = run(make_host, f'<state id="s"><onentry><dialog:start requestid="r" type="\'applid\'"/></onentry>{RECORD}</state>')
    assert seen == ["dialog.start.requestid", "error.dialog.start unavailable"]
    assert sm.datamodel["r"] == "R1"


def test_treatments_reach_the_platform_as_written(make_host):
    body = f"""<state id="s"><onentry>
        <dialog:start requestid="r" interactionid="'IXN-1'" type="'applid'" device="'7001'">
          <param name="APP_URI" expr="'http://apps/menu.vxml'"/><param name="LANGUAGE" expr="'en-US'"/>
        </dialog:start>
        <dialog:play requestid="r"><dialog:prompts type="ann">
          <dialog:prompt interrupt="true" text="'Welcome'"/><dialog:prompt intid="'1111'"/></dialog:prompts></dialog:play>
        <dialog:playandcollect requestid="r">
          <dialog:prompts type="ann"><dialog:prompt text="'Your account number?'"/></dialog:prompts>
          <dialog:input max_digits="6" term_digits="'#'" total_timeout="20" ignore_digits="'*'"/></dialog:playandcollect>
        <dialog:playsound requestid="r" type="'ringback'" duration="60"/>
      </onentry>{RECORD}</state>"""
    dialog = SimulatedDialog(latency=1, digits=["1234"])
    sm, seen, host = run(make_host, body, dialog=dialog)
    start, play, collect, sound = dialog.requests
    assert (start.action, start.interactionid, start.device, start.args["type"]) == ("start", "IXN-1", "7001", "applid")
    assert start.params == {"APP_URI": "http://apps/menu.vxml", "LANGUAGE": "en-US"}
    assert play.prompts == [{"type": "ann", "interrupt": True, "text": "Welcome"}, {"type": "ann", "interrupt": False, "intid": "1111"}]
    assert collect.input == {"max_digits": 6.0, "term_digits": "#", "total_timeout": 20.0, "ignore_digits": "*"}
    assert sound.args["duration"] == 60.0
    assert seen == [
        "dialog.start.requestid", "dialog.play.requestid", "dialog.playandcollect.requestid", "dialog.playsound.requestid",
        "dialog.start.done", "dialog.play.done", "dialog.playandcollect.done 1234", "dialog.playsound.done",
    ]  # fmt: skip
    assert host.clock.now() == 60.0  # the sound lasts its duration


def test_faults_leaving_the_state_and_stop(make_host):
    body = f"""<state id="s"><onentry>
        <dialog:collect requestid="r"><dialog:input max_digits="4"/></dialog:collect>
        <dialog:play requestid="r"><dialog:prompts type="ann"><dialog:prompt text="'a'"/></dialog:prompts></dialog:play>
        <dialog:stop requestid="r"/>
        <dialog:stop requestid="'nope'"/>
      </onentry>
      <transition event="error.dialog.collect" target="t"><script>rec()</script></transition>
      {RECORD}</state>
      <state id="t"><onentry><dialog:playsound requestid="r" type="'music'" duration="30"/></onentry>
        <transition event="dialog.playsound.requestid" target="u"><script>rec()</script></transition></state>
      <state id="u">{RECORD}</state>"""
    dialog = SimulatedDialog(latency=5)
    dialog.fail("collect", "timeout")
    sm, seen, host = run(make_host, body, dialog=dialog)
    # the play is stopped (no done event); the collect fails as injected; the sound stops with
    # the state that started it
    assert seen == [
        "dialog.collect.requestid", "dialog.play.requestid", "dialog.stop.done", "error.dialog.stop notfound",
        "error.dialog.collect timeout", "dialog.playsound.requestid",
    ]  # fmt: skip
    assert sm.configuration == {"u"} and len(dialog.requests) == 3
    assert host.clock.pending() == 0


def test_treatments_of_a_submit_go_to_the_routing_platform_and_raise_no_events(make_host):
    body = f"""<state id="s"><onentry>
        <queue:submit requestid="r" queue="'VQ1'" priority="3" timeout="100">
          <queue:targets><queue:target name="'Sales'" type="agentgroup"/></queue:targets>
          <dialog:runtreatments>
            <dialog:play><dialog:prompts type="ann"><dialog:prompt text="'Please hold'"/></dialog:prompts></dialog:play>
            <dialog:playsound type="'music'" resource="'EMusicDN'" duration="100"/>
          </dialog:runtreatments>
        </queue:submit></onentry>
      <transition event="queue.submit.requestid"><script>rec()</script><queue:query requestid="r"/></transition>
      <transition event="queue.query.done" cond="seen.length == 1"><script>rec()</script><send event="'again'" delay="'10s'"/></transition>
      <transition event="again"><script>rec()</script><queue:query requestid="r"/><queue:query requestid="'other'"/></transition>
      {RECORD}</state>"""
    routing = SimulatedRouting()
    routing.add_agent("ann", "7001", ready=False, groups=["Sales"])
    dialog = SimulatedDialog()
    sm, seen, host = run(make_host, body, seconds=20, routing=routing, dialog=dialog)
    assert seen == ["queue.submit.requestid", "queue.query.done #1 p3 0s", "again", "error.queue.query notfound", "queue.query.done #1 p3 10s"]
    (req,) = routing.requests
    assert [(t.action, t.prompts, t.args.get("resource")) for t in req.treatments] == [
        ("play", [{"type": "ann", "interrupt": False, "text": "Please hold"}], None),
        ("playsound", [], "EMusicDN"),
    ]
    assert dialog.requests == []  # treatments of a submit are the routing platform's
    routing.set_ready("ann")
    host.run_until_idle(1)
    assert to_py(sm.datamodel["seen"])[-1] == "queue.submit.done"


def test_a_routing_platform_without_query(make_host):
    class Minimal:
        def submit(self, req, on_result):
            return None  # never answers

    body = f"""<state id="s"><onentry>
        <queue:submit requestid="r"><queue:targets><queue:targetid expr="'x@SS.A'"/></queue:targets></queue:submit>
        <queue:query requestid="r"/></onentry>{RECORD}</state>"""
    sm, seen, _ = run(make_host, body, routing=Minimal())
    assert seen == ["queue.submit.requestid", "error.queue.query unavailable"]


def test_the_simulator_raises_onrouterequest_and_abandoned(make_host):
    ixn = SimulatedInteractions()
    host = make_host(SimulatedClock(), interactions=ixn)
    body = f"""<state id="s">{RECORD}</state>"""
    sm = host.start(load(doc(body)).Chart)
    ixn.deliver(sm.sessionid, {"g_uid": "IXN-7"})
    ixn.event("IXN-7", "onrouterequest")
    ixn.event("IXN-7", "abandoned", {"reason": "caller"})
    host.run_until_idle(1)
    assert to_py(sm.datamodel["seen"]) == ["interaction.added", "interaction.onrouterequest", "interaction.abandoned"]
    assert to_py(sm.datamodel["_event"])["data"] == {"interactionid": "IXN-7", "reason": "caller"}


@pytest.mark.parametrize(
    "body,message",
    [
        ('<dialog:play requestid="r"><queue:targets/></dialog:play>', "<targets> is not allowed in <dialog:play>"),
        ('<dialog:play requestid="r"><c:x xmlns:c="http://www.genesyslab.com/modules/classification"/></dialog:play>', "in <dialog:play> is not supported yet; it is ignored"),
        ('<dialog:playandcollect requestid="r"><dialog:input colour="1"/></dialog:playandcollect>', "unknown attribute 'colour' on <dialog:input> is ignored"),
        ('<dialog:stop/>', "<dialog:stop> requires the attribute 'requestid'"),
        ('<dialog:playandcollect requestid="r"><dialog:prompts type="ann"/></dialog:playandcollect>', "<dialog:playandcollect> has no <dialog:input>"),
        ('<dialog:play requestid="r"><dialog:prompts type="ann"/></dialog:play>', "<dialog:prompts> has no <dialog:prompt>"),
        ('<dialog:runtreatments><dialog:pause duration="5"/><dialog:stop requestid="r"/></dialog:runtreatments>', "<stop> is not allowed in <dialog:runtreatments>"),
    ],
)
def test_dialog_elements_are_checked(body, message):
    import scxmlc
    from scxmlc import CompileError

    text = doc(f'<state id="s"><onentry>{body}</onentry></state>')
    try:
        found = [str(d) for d in scxmlc.compile_source(text, "d.scxml").diagnostics]
    except CompileError as exc:
        found = [str(d) for d in exc.diagnostics]
    assert any(message in d for d in found), found


def test_a_scenario_with_a_dialog_platform_and_interaction_events(tmp_path):
    from scxmlc_runtime.ors.scenario import Scenario

    (tmp_path / "ivr.scxml").write_text(
        doc(
            """<state id="menu"><onentry><dialog:playandcollect requestid="r" interactionid="'IXN-1'">
                 <dialog:prompts type="ann"><dialog:prompt text="'Press 1 for sales'"/></dialog:prompts>
                 <dialog:input max_digits="1"/></dialog:playandcollect></onentry>
               <transition event="dialog.playandcollect.done" cond="_event.data.digits == '1'" target="sales"><log expr="'sales'"/></transition>
               <transition event="dialog.playandcollect.done" target="menu"><log expr="'again'"/></transition></state>
             <state id="sales"><transition event="interaction.abandoned" target="gone"><log expr="'abandoned ' + _event.data.interactionid"/></transition></state>
             <final id="gone"/>"""
        )
    )
    (tmp_path / "s.toml").write_text(
        """main = "ivr.scxml"
[dialog]
latency = 2
digits = ["9", "1"]
[[interactions.deliver]]
props = { g_uid = "IXN-1" }
[[interactions.event]]
at = 10
interactionid = "IXN-1"
name = "abandoned"
[[expect]]
final = "gone"
logs = ["again", "sales", "abandoned IXN-1"]
"""
    )
    result = Scenario.load(tmp_path / "s.toml").run()
    assert result.passed, result.failures
