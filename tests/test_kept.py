"""What a session keeps (kept.py) and the `session_memory` limit: the weighing counts a session's own data, not what it shares, stops at the limit, and a session over it ends as other limits end one."""

from __future__ import annotations

import logging

import pytest

import scxmlc
from scxmlc_runtime import Limits, SimulatedClock
from scxmlc_runtime.js import to_py
from scxmlc_runtime.kept import enforce_session_memory, kept_bytes

MB = 1 << 20
HEAD = '<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript" initial="s">'

HOARD = (
    HEAD + '<datamodel><data id="keep" expr="[]"/><data id="chunk" expr="\'\'"/><data id="heard" expr="[]"/></datamodel>'
    '<state id="s"><onentry><script>chunk = new Array(MB + 1).join("x");</script></onentry>'
    "<onexit><log label=\"exit\" expr=\"keep.length\"/></onexit>"
    # a fresh string of a million characters per event, or one more reference to the same one
    '<transition event="grow"><script>keep.push(chunk + keep.length);</script></transition>'
    '<transition event="again"><script>for (var i = 0; i &lt; 1000; i++) keep.push(chunk);</script></transition>'
    '<transition event="close"><script>keep.push((function (a) { return function () { return a; }; })(chunk + "!"));</script></transition>'
    "</state></scxml>"
).replace("MB + 1", str(MB + 1))


def hoard(name: str, **kwargs):
    logs = []
    cls = scxmlc.load_string(HOARD, module_name=name).Chart
    sm = cls(clock=SimulatedClock(), log=lambda label, text: logs.append((label, text)), **kwargs).start()
    return sm, logs


def test_the_weight_grows_with_what_the_session_keeps():
    sm, _ = hoard("kept_grows")
    empty = kept_bytes(sm, 1 << 40)
    assert MB <= empty < MB + 64 * 1024  # the chunk itself, and the rest of a fresh session is small
    for _ in range(8):
        sm.send("grow")
    grown = kept_bytes(sm, 1 << 40)
    assert 9 * MB <= grown < 9 * MB + 64 * 1024


def test_a_string_referenced_many_times_is_counted_once():
    sm, _ = hoard("kept_shared")
    before = kept_bytes(sm, 1 << 40)
    sm.send("again")  # a thousand more references to the one chunk
    assert kept_bytes(sm, 1 << 40) - before < 16 * 1024  # the array's slots, not a thousand chunks


def test_what_a_closure_captured_is_counted():
    sm, _ = hoard("kept_closure")
    before = kept_bytes(sm, 1 << 40)
    sm.send("close")
    assert kept_bytes(sm, 1 << 40) - before >= MB


def test_shared_built_ins_are_not_counted():
    text = HEAD + '<datamodel><data id="m" expr="Math"/><data id="p" expr="Array.prototype"/><data id="j" expr="JSON"/><data id="o" expr="Object"/></datamodel><state id="s"/></scxml>'
    plain = HEAD + '<state id="s"/></scxml>'
    with_builtins = scxmlc.load_string(text, module_name="kept_builtins").Chart(clock=SimulatedClock()).start()
    without = scxmlc.load_string(plain, module_name="kept_plain").Chart(clock=SimulatedClock()).start()
    assert kept_bytes(with_builtins, 1 << 40) - kept_bytes(without, 1 << 40) < 1024


def test_an_invoked_session_is_weighed_with_its_parent():
    child = HOARD.replace(HEAD, '<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript" initial="s">')
    text = HEAD + f'<state id="s"><invoke id="kid"><content>{child}</content></invoke></state></scxml>'
    sm = scxmlc.load_string(text, module_name="kept_parent").Chart(clock=SimulatedClock()).start()
    assert kept_bytes(sm, 1 << 40) >= MB  # the child's chunk


def test_the_weighing_stops_past_the_limit_it_is_given():
    sm, _ = hoard("kept_stops")
    for _ in range(20):
        sm.send("grow")
    assert kept_bytes(sm, 1 << 40) > 21 * MB
    assert 5 * MB < kept_bytes(sm, 5 * MB) <= 6 * MB + 64 * 1024  # one chunk past it, at most


def test_a_session_within_its_session_memory_goes_on():
    sm, logs = hoard("kept_within", limits=Limits(session_memory=16 * MB))
    for _ in range(4):
        sm.send("grow")
    assert enforce_session_memory(sm) is False
    assert sm.running and sm.limit_reason is None and logs == []


def test_a_session_over_its_session_memory_ends_and_says_why(caplog):
    caplog.set_level(logging.ERROR, logger="scxmlc_runtime")
    sm, logs = hoard("kept_over", limits=Limits(session_memory=4 * MB))
    for _ in range(6):
        sm.send("grow")
    assert enforce_session_memory(sm) is True
    assert not sm.running and sm.exited
    assert "more than 4194304 bytes of data (session_memory" in sm.limit_reason
    assert logs == [("exit", "6")]  # its states were exited: onexit ran
    assert any("ended: it keeps more than" in r.getMessage() for r in caplog.records)
    assert enforce_session_memory(sm) is False  # (an ended session is not weighed again)


def test_an_invoked_session_over_its_limit_is_reported_to_its_parent():
    child = HOARD.replace(HEAD, '<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript" initial="s">')
    text = (
        HEAD + '<datamodel><data id="heard" expr="[]"/></datamodel><state id="s"><invoke id="kid"><content>' + child + "</content></invoke>"
        '<transition event="error.limit"><script>heard.push(_event.invokeid + ": " + _event.data.reason)</script></transition></state></scxml>'
    )
    sm = scxmlc.load_string(text, module_name="kept_kid").Chart(clock=SimulatedClock(), limits=Limits(session_memory=2 * MB)).start()
    (_, _, kid), = sm._children.values()
    for _ in range(3):
        kid.send("grow")
    assert enforce_session_memory(kid) is True
    sm.run_until_idle()
    (heard,) = to_py(sm.datamodel["heard"])
    assert heard.startswith("kid: it keeps more than 2097152 bytes")


def test_session_memory_is_a_positive_integer():
    with pytest.raises(ValueError, match="session_memory"):
        Limits(session_memory=0)
