"""<session:start>, <session:updatestart>, <session:terminate> (ors-extensions.md §4–§6): immediate and scheduled starts on a simulated clock, parameters, restart, done events and every error code."""

from __future__ import annotations

import time

import pytest

from scxmlc_runtime import SimulatedClock
from scxmlc_runtime.js import to_py

from .conftest import SeqIds, load, ors
from .httpserver import Reply

CHILD = ors(
    """<state id="c"><onentry><log expr="'child ' + _sessionid + ' ' + uneval(_data)"/></onentry>
         <transition event="finish" target="end"/></state>
       <final id="end"><donedata><param name="answer" expr="41 + 1"/></donedata></final>""",
    data='<data id="declared" expr="\'d\'"/><data id="a" expr="0"/>',
    name="kid",
)


def parent(start_attrs: str, params: str = "", more: str = "", data: str = "") -> str:
    """A parent that starts a child on entry and records every event it gets."""
    return ors(
        f"""<state id="p">
          <onentry>
            <session:start sessionid="kid" {start_attrs}>{params}</session:start>
            <log expr="'assigned ' + kid"/>
            {more}
          </onentry>
          <transition event="*"><script>events.push(_event)</script></transition>
        </state>""",
        data='<data id="kid" expr="\'\'"/><data id="events" expr="[]"/>' + data,
    )


def events(sm) -> list[dict]:
    return to_py(sm.datamodel["events"])


def names(sm) -> list[str]:
    return [e["name"] for e in events(sm)]


@pytest.fixture
def child_file(tmp_path):
    path = tmp_path / "child.scxml"
    path.write_text(CHILD)
    return path


def test_start_assigns_the_id_at_once_and_reports_done_after_the_childs_first_macrostep(make_host, logs, child_file):
    host = make_host(documents={"http://apps/child.scxml": str(child_file)}, log=logs, ids=SeqIds(["S-P", "S-C"]))
    sm = host.start(
        load(parent("src=\"'http://apps/child.scxml'\"", '<param name="a" expr="[1, {b: 2}]"/><param name="extra" expr="_sessionid"/>')).Chart
    )
    assert logs.texts("S-P") == ["assigned S-C"]  # synchronously, before anything else
    assert "S-C" not in host.sessions  # started after the macrostep that asked for it
    host.run_until_idle(max_seconds=1)
    child = host.sessions["S-C"]
    # §2: params replace declared items and add new ones after them
    assert logs.texts("S-C") == ['child S-C ({declared:"d", a:[1, {b:2}], extra:"S-P"})']
    assert names(sm) == ["session.start.done"]
    assert events(sm)[0]["data"] == {"sessionid": "S-C"} and events(sm)[0]["type"] == "external"
    assert child.configuration == {"c"}
    child.send("finish")
    host.run_until_idle(max_seconds=1)
    assert names(sm) == ["session.start.done", "done.scxml.kid"]
    assert events(sm)[1]["data"] == {"sessionid": "S-C", "reason": "final", "params": {"answer": 42}}
    assert "S-C" not in host._kept


def test_params_are_deep_copies_made_in_the_parent(make_host, logs, child_file):
    more = '<script>shared.x = 99</script>'
    host = make_host(documents={"u:child": child_file}, log=logs)
    sm = host.start(
        load(
            parent(
                "src=\"'u:child'\"",
                '<param name="a" expr="shared"/><param name="f" expr="function () {}"/><param name="when" expr="new Date(5)"/>',
                more,
                data='<data id="shared" expr="({x: 1, fn: Math.max})"/>',
            )
        ).Chart
    )
    host.run_until_idle(max_seconds=1)
    assert logs.texts("S2") == ['child S2 ({declared:"d", a:{x:1}, f:(void 0), when:5})']
    assert names(sm) == ["session.start.done"]


def test_a_param_with_a_cycle_is_illegalvalue_in_the_parent(make_host, child_file):
    host = make_host(documents={"u:child": child_file})
    sm = host.start(load(parent("src=\"'u:child'\"", '<param name="a" expr="loop"/>', data='<data id="loop" expr="(function(){var o={}; o.self=o; return o})()"/>')).Chart)
    host.run_until_idle(max_seconds=1)
    assert names(sm) == ["error.illegalvalue.param"]
    assert sm.datamodel["kid"] == "" and len(host.sessions) == 1


@pytest.mark.parametrize(
    "expr",
    [
        # shared parts, as JSON would write them: 2^18 values (at 2^22 this took seconds and gigabytes)
        "(function(){var a=[1]; for (var i=0; i &lt; 18; i++) a=[a,a]; return a})()",
        # deeper than the interpreter's stack (a RecursionError escaped)
        "(function(){var a=[]; for (var i=0; i &lt; 20000; i++) a=[a]; return a})()",
    ],
)
def test_a_param_too_large_or_deep_to_copy_is_illegalvalue_at_once(make_host, child_file, expr):
    host = make_host(documents={"u:child": child_file})
    sm = host.start(load(parent("src=\"'u:child'\"", '<param name="a" expr="big"/>', data=f'<data id="big" expr="{expr}"/>')).Chart)
    began = time.perf_counter()
    host.run_until_idle(max_seconds=1)
    assert time.perf_counter() - began < 1.0
    assert names(sm) == ["error.illegalvalue.param"]
    assert len(host.sessions) == 1


@pytest.mark.parametrize("how", ["class", "module", "path"])
def test_the_document_map_takes_classes_modules_and_paths(make_host, logs, child_file, how):
    module = load(CHILD)
    value = {"class": module.Chart, "module": module, "path": str(child_file)}[how]
    host = make_host(documents={"http://x/c.scxml": value}, log=logs)
    sm = host.start(load(parent("src=\"'http://x/c.scxml'\"")).Chart)
    host.run_until_idle(max_seconds=1)
    assert names(sm) == ["session.start.done"] and logs.texts("S2")


def test_relative_and_file_urls_resolve_against_the_starting_document(make_host, logs, tmp_path):
    (tmp_path / "kids").mkdir()
    (tmp_path / "kids" / "k.scxml").write_text(CHILD)
    host = make_host(log=logs)
    sm = host.start(load(parent("src=\"'kids/k.scxml'\" "), base_dir=tmp_path).Chart)
    host.run_until_idle(max_seconds=1)
    assert names(sm) == ["session.start.done"]
    assert host.sessions["S2"].document_url == (tmp_path / "kids" / "k.scxml").as_uri()


def test_documents_over_http_are_fetched_and_compiled(make_host, logs, server):
    server.handler = lambda req: Reply(headers=[("Content-Type", "application/xml")], body=CHILD) if req.target == "/c.scxml" else Reply(status=404)
    host = make_host(log=logs)
    sm = host.start(load(parent(f"src=\"'{server.url('/c.scxml')}'\"")).Chart)
    host.run_until_idle(max_seconds=5)
    assert names(sm) == ["session.start.done"] and logs.texts("S2")[0].startswith("child S2")


@pytest.mark.parametrize(
    "src,code",
    [
        ("'http://127.0.0.1:{port}/missing.scxml'", "badfetch.http.404"),
        ("'unmapped.scxml'", "badfetch.file"),
        ("'file:///etc/passwd'", "badfetch.file"),
        ("'bad.scxml'", "badsyntax"),
        ("'ftp://x/y'", "badfetch"),
    ],
)
def test_a_document_that_cannot_be_had_is_error_session_start_with_the_id_kept(make_host, server, tmp_path, src, code):
    server.handler = lambda req: Reply(status=404)
    (tmp_path / "bad.scxml").write_text("<scxml xmlns='http://www.w3.org/2005/07/scxml'><state id='a'><transition target='nowhere'/></state></scxml>")
    host = make_host()
    sm = host.start(load(parent(f"src=\"{src.format(port=server.port)}\""), base_dir=tmp_path).Chart)
    host.run_until_idle(max_seconds=5)
    (ev,) = events(sm)
    assert ev["name"] == "error.session.start"
    assert ev["data"]["error"] == code and ev["data"]["sessionid"] == "S2" == sm.datamodel["kid"]
    assert ev["data"]["description"]
    assert len(host.sessions) == 1


def test_delay_starts_the_child_later_on_the_host_clock(make_host, child_file):
    host = make_host(documents={"u:c": child_file})
    sm = host.start(load(parent("src=\"'u:c'\" delay=\"'30'\"")).Chart)
    host.clock.advance(29)
    assert names(sm) == [] and "S2" not in host.sessions
    host.run_until_idle(max_seconds=2)
    assert names(sm) == ["session.start.done"] and host.clock.now() == 30.0


@pytest.mark.parametrize(
    "offset_ms,windows,outcome,at",
    [
        (60_000, "", "session.start.done", 60.0),  # start at idealtime
        (60_000, 'prewindow="\'PT2M\'"', "session.start.done", 0.0),  # now is inside the window
        (-5_000, 'postwindow="10000"', "session.start.done", 0.0),
        (-5_000, 'postwindow="1000"', "error.session.start", 0.0),  # expired
        (-5_000, "", "error.session.start", 0.0),
    ],
)
def test_idealtime_and_its_windows(make_host, child_file, offset_ms, windows, outcome, at):
    clock = SimulatedClock(epoch=1_700_000_000.0)
    host = make_host(clock, documents={"u:c": child_file})
    ideal = 1_700_000_000_000 + offset_ms
    sm = host.start(load(parent(f"src=\"'u:c'\" idealtime=\"{ideal}\" {windows}")).Chart)
    host.run_until_idle(max_seconds=120)
    (ev,) = events(sm)
    assert ev["name"] == outcome
    if outcome == "session.start.done":
        assert host.clock.now() == at
    else:
        assert ev["data"]["error"] == "expired"


def test_idealtime_with_delay_ignores_the_delay(make_host, child_file, runtime_log):
    clock = SimulatedClock(epoch=1000.0)
    host = make_host(clock, documents={"u:c": child_file})
    host.start(load(parent("src=\"'u:c'\" idealtime=\"1010000\" delay=\"2\"")).Chart)
    host.run_until_idle(max_seconds=60)
    assert host.clock.now() == 10.0
    assert any("delay is ignored" in r.getMessage() for r in runtime_log.records)


UPDATER = """<transition event="update"><session:updatestart sessionid="_event.data.id" delay="_event.data.delay"/></transition>
  <transition event="terminate"><session:terminate sessionid="_event.data.id"/></transition>"""


def controller(start_attrs: str) -> str:
    return parent(start_attrs).replace('<transition event="*">', UPDATER + '<transition event="*">')


def test_updatestart_reschedules_and_its_errors(make_host, child_file):
    host = make_host(documents={"u:c": child_file})
    sm = host.start(load(controller("src=\"'u:c'\" delay=\"100\"")).Chart)
    host.clock.advance(10)
    sm.send("update", {"id": "S2", "delay": 5})  # 5 s from now: at 15
    sm.send("update", {"id": "nobody", "delay": 5})
    host.run_until_idle(max_seconds=20)
    assert names(sm) == ["session.updatestart.done", "error.session.updatestart", "session.start.done"]
    assert events(sm)[1]["data"]["error"] == "notfound"
    assert host.clock.now() == 15.0
    sm.send("update", {"id": "S2", "delay": 5})
    host.run_until_idle(max_seconds=1)
    assert events(sm)[-1]["name"] == "error.session.updatestart" and events(sm)[-1]["data"]["error"] == "alreadystarted"


def test_updatestart_to_a_window_already_passed_drops_the_session(make_host, child_file):
    clock = SimulatedClock(epoch=0.0)
    host = make_host(clock, documents={"u:c": child_file})
    chart = controller("src=\"'u:c'\" delay=\"100\"").replace(
        'delay="_event.data.delay"', 'idealtime="_event.data.ideal"'
    )
    sm = host.start(load(chart).Chart)
    host.clock.advance(10)
    sm.send("update", {"id": "S2", "ideal": 1000})  # 1 s after the epoch: long gone
    host.run_until_idle(max_seconds=200)
    assert names(sm) == ["error.session.updatestart"] and events(sm)[0]["data"]["error"] == "expired"
    assert "S2" not in host.sessions


def test_terminate_a_running_session_runs_its_onexit_and_reports_to_the_terminator_only(make_host, logs, tmp_path):
    target = ors(
        """<state id="t"><onexit><log expr="'bye from ' + _sessionid"/></onexit></state>""", name="victim"
    )
    (tmp_path / "t.scxml").write_text(target)
    host = make_host(documents={"u:t": str(tmp_path / "t.scxml")}, log=logs)
    starter = host.start(load(controller("src=\"'u:t'\"")).Chart)
    other = host.start(load(controller("src=\"'u:none'\"")).Chart)
    host.run_until_idle(max_seconds=1)
    other.send("terminate", {"id": "S2"})
    host.run_until_idle(max_seconds=1)
    assert logs.texts("S2") == ["bye from S2"]
    assert names(other)[-2:] == ["session.terminate.done", "done.scxml.victim"]
    assert events(other)[-1]["data"] == {"sessionid": "S2", "reason": "terminated", "params": {}}
    assert names(starter) == ["session.start.done"]  # the starter hears nothing of it
    other.send("terminate", {"id": "S2"})
    host.run_until_idle(max_seconds=1)
    assert events(other)[-1]["name"] == "error.session.terminate" and events(other)[-1]["data"]["error"] == "notfound"


def test_terminate_a_scheduled_session_removes_it(make_host, child_file):
    host = make_host(documents={"u:c": child_file})
    sm = host.start(load(controller("src=\"'u:c'\" delay=\"60\"")).Chart)
    sm.send("terminate", {"id": "S2"})
    host.run_until_idle(max_seconds=120)
    assert names(sm) == ["session.terminate.done"] and "S2" not in host.sessions


def test_a_session_that_terminates_itself_ends_without_events(make_host):
    chart = ors(
        """<state id="s"><onentry><session:terminate sessionid="_sessionid"/><log expr="'after'"/></onentry>
             <onexit><log expr="'exit'"/></onexit><transition event="*" target="other"/></state><state id="other"/>"""
    )
    seen = []
    host = make_host(log=lambda sid, label, text: seen.append(text))
    sm = host.start(load(chart).Chart)
    host.run_until_idle(max_seconds=1)
    assert sm.done and seen == ["after", "exit"]


def test_restart_replaces_a_live_session_under_the_same_id(make_host, logs, tmp_path):
    first = ors("""<state id="one"><onexit><log expr="'first leaves'"/></onexit></state>""")
    (tmp_path / "one.scxml").write_text(first)
    (tmp_path / "two.scxml").write_text(CHILD)
    chart = parent("src=\"'u:one'\"").replace(
        '<transition event="*">',
        '<transition event="again"><session:start sessionid="kid" src="\'u:two\'"/></transition><transition event="*">',
    )
    host = make_host(documents={"u:one": str(tmp_path / "one.scxml"), "u:two": str(tmp_path / "two.scxml")}, log=logs)
    sm = host.start(load(chart).Chart)
    host.run_until_idle(max_seconds=1)
    old = host.sessions["S2"]
    sm.send("again")
    host.run_until_idle(max_seconds=1)
    assert sm.datamodel["kid"] == "S2" and not old.running
    assert logs.texts("S2") == ["first leaves", 'child S2 ({declared:"d", a:0})']
    assert host.sessions["S2"] is not old
    assert names(sm) == ["session.start.done", "session.start.done"]  # no done.scxml for the old one


def test_a_session_cannot_restart_itself(make_host, child_file):
    chart = ors(
        """<state id="s"><onentry><assign location="me" expr="_sessionid"/><session:start sessionid="me" src="'u:c'"/></onentry>
             <transition event="*"><script>events.push(_event)</script></transition></state>""",
        data='<data id="me"/><data id="events" expr="[]"/>',
    )
    host = make_host(documents={"u:c": child_file})
    sm = host.start(load(chart).Chart)
    host.run_until_idle(max_seconds=1)
    (ev,) = events(sm)
    assert ev["name"] == "error.session.start" and ev["data"]["error"] == "invalidattribute"


def test_the_parent_ending_does_not_end_the_child_and_its_done_event_is_dropped(make_host, child_file):
    chart = ors(
        """<state id="p"><onentry><session:start sessionid="kid" src="'u:c'"/></onentry>
             <transition event="session.start.done" target="gone"/></state><final id="gone"/>""",
        data='<data id="kid"/>',
    )
    host = make_host(documents={"u:c": child_file})
    sm = host.start(load(chart).Chart)
    host.run_until_idle(max_seconds=1)
    assert sm.done
    child = host.sessions["S2"]
    assert child.running
    child.send("finish")
    host.run_until_idle(max_seconds=1)
    assert child.done


def test_leaving_the_owner_state_drops_the_start_result_but_the_child_still_starts(make_host, child_file):
    chart = ors(
        """<state id="p"><onentry><session:start sessionid="kid" src="'u:c'" delay="5"/></onentry>
             <transition event="go" target="q"/></state>
           <state id="q"><transition event="*"><script>events.push(_event)</script></transition></state>""",
        data='<data id="kid"/><data id="events" expr="[]"/>',
    )
    host = make_host(documents={"u:c": child_file})
    sm = host.start(load(chart).Chart)
    sm.send("go")
    host.run_until_idle(max_seconds=10)
    assert events(sm) == [] and host.sessions["S2"].running


def test_a_document_slower_than_the_loader_timeout_is_timeout(make_host, server):
    server.handler = lambda req: Reply(body=CHILD, delay=2)
    host = make_host()
    host.loader.timeout = 0.3
    sm = host.start(load(parent(f"src=\"'{server.url('/slow.scxml')}'\"")).Chart)
    host.run_until_idle(max_seconds=5)
    (ev,) = events(sm)
    assert ev["name"] == "error.session.start" and ev["data"]["error"] == "timeout"


def test_without_the_compiler_a_document_known_only_at_run_time_cannot_start(make_host, child_file, monkeypatch):
    from scxmlc_runtime import documents

    monkeypatch.setattr(documents, "_compiler", None)
    monkeypatch.setattr(documents, "_find_compiler", lambda: None)
    monkeypatch.setattr(documents, "_compiled", {})
    host = make_host(documents={"u:c": child_file})
    sm = host.start(load(parent("src=\"'u:c'\"")).Chart)
    host.run_until_idle(max_seconds=1)
    (ev,) = events(sm)
    assert ev["data"]["error"] == "nocompiler" and "scxmlc compiler" in ev["data"]["description"]
    # a generated class needs no compiler
    host2 = make_host(documents={"u:c": load(CHILD).Chart})
    sm2 = host2.start(load(parent("src=\"'u:c'\"")).Chart)
    host2.run_until_idle(max_seconds=1)
    assert names(sm2) == ["session.start.done"]


def test_an_empty_session_id_is_invalidattribute(make_host, child_file):
    host = make_host(documents={"u:c": child_file})
    sm = host.start(load(controller("src=\"'u:c'\"")).Chart)
    host.run_until_idle(max_seconds=1)
    sm.send("update", {"id": " ", "delay": 1})
    sm.send("terminate", {"id": ""})
    host.run_until_idle(max_seconds=1)
    assert [(e["name"], e["data"].get("error")) for e in events(sm)[1:]] == [
        ("error.session.updatestart", "invalidattribute"),
        ("error.session.terminate", "invalidattribute"),
    ]


# -- across a store and restore (ors-server.md §9.7 step 4) ----------------------------------------


def stored_and_restored(sm, **host_kwargs):
    data = sm.snapshot()
    chart = type(sm).chart_class or type(sm)
    sm.close()
    sm.host.close()
    return chart.restore(data, host=host_kwargs.pop("host"))


def test_a_delayed_start_waits_only_what_is_left_after_a_restore(make_host, child_file):
    host = make_host(documents={"u:c": child_file})
    sm = host.start(load(parent("src=\"'u:c'\" delay=\"'30'\"")).Chart)
    host.clock.advance(20)
    kid = sm.datamodel["kid"]
    clock = SimulatedClock(epoch=host.clock.time())  # (the same wall time: no downtime)
    restored = stored_and_restored(sm, host=make_host(clock, documents={"u:c": child_file}))
    clock.advance(9)
    assert names(restored) == [] and kid not in restored.host.sessions
    restored.host.run_until_idle(max_seconds=2)
    assert names(restored) == ["session.start.done"] and clock.now() == 10.0
    assert restored.host.sessions[kid].running


def test_a_start_window_that_passed_while_stored_is_expired(make_host, child_file):
    clock = SimulatedClock(epoch=1_700_000_000.0)
    host = make_host(clock, documents={"u:c": child_file})
    sm = host.start(load(parent(f"src=\"'u:c'\" idealtime=\"{1_700_000_060_000}\" postwindow=\"5000\"")).Chart)
    later = SimulatedClock(epoch=1_700_000_100.0)  # down from 0 s to 100 s: past 60 s + 5 s
    restored = stored_and_restored(sm, host=make_host(later, documents={"u:c": child_file}))
    restored.host.run_until_idle(max_seconds=1)
    (ev,) = events(restored)
    assert (ev["name"], ev["data"]["error"], ev["data"]["sessionid"]) == ("error.session.start", "expired", restored.datamodel["kid"])


def test_a_child_restored_apart_from_its_starter_still_reports_its_end(make_host, child_file):
    host = make_host(documents={"u:c": child_file})
    sm = host.start(load(parent("src=\"'u:c'\"")).Chart)
    host.run_until_idle(max_seconds=1)
    kid = sm.datamodel["kid"]
    child = host.sessions[kid]
    parent_data, child_data = sm.snapshot(), child.snapshot()
    parent_chart, child_chart = type(sm).chart_class or type(sm), type(child).chart_class or type(child)
    host.close()
    new = make_host(documents={"u:c": child_file})
    starter = parent_chart.restore(parent_data, host=new)
    restored_child = child_chart.restore(child_data, host=new)
    new.keep(restored_child)
    restored_child.send("finish")
    new.run_until_idle(max_seconds=1)
    assert names(starter) == ["session.start.done", "done.scxml.kid"]
    done = events(starter)[-1]
    assert done["data"]["sessionid"] == kid and done["data"]["params"] == {"answer": 42}
