"""Execution limits of a macrostep (limits.py; issue 13 items 1-2): a chart that loops without end is ended in a defined way, never hangs, never eats the machine's memory; whoever invoked or started it hears why."""

from __future__ import annotations

import logging
import time

import pytest

import scxmlc
from scxmlc_runtime import Host, Limits, SimulatedClock
from scxmlc_runtime.js import to_py

HEAD = '<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript">'

EVENTLESS_LOOP = HEAD + '<state id="a"><onexit><log expr="\'bye\'"/></onexit><transition target="b"/></state><state id="b"><transition target="a"/></state></scxml>'
RAISE_LOOP = HEAD + '<state id="a"><onentry><raise event="x"/><raise event="x"/></onentry><transition event="x" target="a"/></state></scxml>'
# one event at a time, for ever: the microsteps grow, the queue does not
RAISE_CHAIN = HEAD + '<state id="a"><onentry><log expr="\'step\'"/><raise event="x"/></onentry><transition event="x" target="a"/></state></scxml>'
FAILING_CONDITIONS = (
    HEAD + '<state id="a">' + "".join(f'<transition cond="missing{k}.x" target="b"/>' for k in range(40)) + '</state><state id="b"/></scxml>'
)


def run(text: str, name: str, **kwargs):
    logs = []
    sm = scxmlc.load_string(text, module_name=name).Chart(clock=SimulatedClock(), log=lambda label, t: logs.append(t), **kwargs)
    began = time.monotonic()
    sm.start()
    return sm, logs, time.monotonic() - began


@pytest.mark.parametrize(
    "text,limit",
    [(EVENTLESS_LOOP, "microsteps"), (RAISE_LOOP, "internal events"), (RAISE_CHAIN, "microsteps"), (FAILING_CONDITIONS, "error events")],
    ids=["eventless-loop", "raise-loop", "raise-chain", "failing-conditions"],
)
def test_a_runaway_macrostep_ends_its_session_and_says_why(text, limit, caplog):
    caplog.set_level(logging.ERROR, logger="scxmlc_runtime")
    sm, logs, took = run(text, f"runaway_{limit.replace(' ', '_')}")
    assert not sm.running and sm.done and took < 30
    assert limit in sm.limit_reason
    assert any(limit in r.getMessage() and sm.sessionid in r.getMessage() for r in caplog.records if r.levelno == logging.ERROR)
    assert len(sm.internal_queue) == 0  # nothing kept: no memory left behind


# 300 raised events, one state each, then an eventless loop: a macrostep that plans.py starts
# (replayed internal events) and Interpreter.macrostep finishes
CHAIN_THEN_LOOP = (
    HEAD
    + "".join(f'<state id="s{k}"><onentry><log expr="1"/><raise event="x"/></onentry><transition event="x" target="s{k + 1}"/></state>' for k in range(300))
    + '<state id="s300"><onentry><log expr="1"/></onentry><transition target="s300"/></state></scxml>'
)


def test_a_macrostep_is_counted_alike_with_and_without_plans():
    # plans.py takes replayed internal events in a loop of its own and hands its count on to
    # Interpreter.macrostep: the session must end after the same microstep either way
    taken = {}
    for plans in (True, False):
        for _ in range(2):  # (the second session replays what the first recorded)
            sm, logs, _ = run(CHAIN_THEN_LOOP, f"chain_then_loop_{plans}", limits=Limits(microsteps=1000), plans=plans)
            assert "more than 1000 microsteps" in sm.limit_reason
        taken[plans] = len(logs)
    assert taken[True] == taken[False] and 1000 <= taken[True] <= 1000 + 256


def test_the_active_states_are_exited_as_for_any_end():
    sm, logs, _ = run(EVENTLESS_LOOP, "runaway_exit")
    # the loop passed through a's <onexit> about 50,000 times (the limits are checked every
    # few hundred microsteps), and once more at the end if it stopped in a; then nothing runs
    assert 50_000 <= logs.count("bye") <= 50_000 + 256 and sm.exited and not sm.running


def test_limits_are_set_per_host_and_per_session():
    strict = Limits(microsteps=50)
    host = Host(SimulatedClock(), limits=strict)
    module = scxmlc.load_string(EVENTLESS_LOOP, module_name="runaway_host")
    assert "more than 50 microsteps" in module.Chart(host=host).start().limit_reason
    own = module.Chart(host=host, limits=Limits(microsteps=7)).start()
    assert "more than 7 microsteps" in own.limit_reason
    with pytest.raises(ValueError):
        Limits(errors=0)


def test_a_chart_under_the_limits_is_not_touched():
    counter = HEAD + (
        '<datamodel><data id="n" expr="0"/></datamodel><state id="a"><transition cond="n &lt; 1000" target="a">'
        '<assign location="n" expr="n + 1"/></transition><transition cond="n == 1000" target="done"/></state><final id="done"/></scxml>'
    )
    sm, _, _ = run(counter, "bounded_loop", limits=Limits(microsteps=2000))
    assert sm.final_state == "done" and sm.limit_reason is None and sm.datamodel["n"] == 1000.0


def test_an_invoked_child_that_runs_away_is_reported_to_its_parent():
    parent = HEAD + (
        '<datamodel><data id="heard" expr="[]"/></datamodel><state id="p">'
        '<invoke id="kid"><content>' + EVENTLESS_LOOP.replace(HEAD, '<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript">') + "</content></invoke>"
        '<transition event="error.limit"><script>heard.push(_event.invokeid + ": " + _event.data.reason)</script></transition>'
        "</state></scxml>"
    )
    sm, _, _ = run(parent, "runaway_parent")
    sm.run_until_idle(1)
    heard = to_py(sm.datamodel["heard"])
    assert len(heard) == 1 and heard[0].startswith("kid: more than 100000 microsteps")
    assert sm.running  # the parent goes on


def test_an_ors_session_started_by_another_reports_to_its_starter(tmp_path):
    (tmp_path / "loop.scxml").write_text(EVENTLESS_LOOP)
    starter = (
        '<scxml xmlns="http://www.w3.org/2005/07/scxml" xmlns:session="http://www.genesyslab.com/modules/session" version="1.0">'
        '<datamodel><data id="heard" expr="[]"/><data id="kid"/></datamodel><state id="s"><onentry><session:start sessionid="kid" src="\'loop.scxml\'"/></onentry>'
        '<transition event="error.limit session.start.done"><script>heard.push(_event.name)</script></transition></state></scxml>'
    )
    host = Host(SimulatedClock(), document_roots=[str(tmp_path)])
    sm = scxmlc.load_string(starter, module_name="runaway_starter", base_dir=tmp_path).Chart(host=host)
    sm.start()
    host.run_until_idle(1)
    assert sorted(to_py(sm.datamodel["heard"])) == ["error.limit", "session.start.done"]


def test_delayed_sends_past_the_pending_limit_are_refused():
    """Limits.timers: an eventless loop whose state sends 100 delayed events on each entry kept
    every timer (5 M of them, 5 GB, before the microstep limit ended it: found by fuzzing)."""
    import scxmlc
    from scxmlc_runtime import Limits, SimulatedClock

    text = (
        '<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript">'
        '<datamodel><data id="i" expr="0"/></datamodel>'
        '<state id="a"><transition cond="i &lt; 20" target="b"/></state>'
        '<state id="b"><onentry><assign location="i" expr="i + 1"/><foreach array="new Array(100)" item="x"><send event="e" delay="1s"/></foreach></onentry>'
        '<transition target="a"/></state></scxml>'
    )
    sm = scxmlc.load_string(text, module_name="timer_loop").Chart(clock=SimulatedClock(), limits=Limits(timers=500, errors=10_000))
    errors = []
    sm.on_error = lambda machine, event: errors.append(event["data"]["message"])
    sm.start()
    assert sm.running and sm.datamodel["i"] == 20
    assert len(sm._timers) == 500 and len(errors) == 15  # (the first 500 kept; then each entry's first send fails, which ends its block: SCXML 4.9)
    assert all("more than 500 delayed events pending" in m for m in errors)
    sm.run_until_idle(max_seconds=2)  # they fire, and the session may send as many again
    assert len(sm._timers) == 0


def test_a_state_reentered_each_time_its_invoke_fails_is_stopped_by_a_limit():
    """Appendix D: invoking may raise internal error events, which the same macrostep takes;
    the interpreter took them in a nested macrostep whose limits started from zero, so a state
    re-entered on each failure of its <invoke> recursed until Python's stack gave out
    (RecursionError out of start(): found by fuzzing)."""
    import scxmlc
    from scxmlc_runtime import SimulatedClock

    text = (
        '<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript">'
        '<state id="a"><invoke type="nosuchtype"/><transition event="*" target="a"/></state></scxml>'
    )
    for plans in (True, False):
        sm = scxmlc.load_string(text, module_name="invoke_loop").Chart(clock=SimulatedClock(), plans=plans)
        sm.start()
        assert not sm.running and "error events in one macrostep" in sm.limit_reason
