"""Built-in objects changed by a session's code (ES3/ES5 libraries patch prototypes): the change is that session's alone (js/realm.py, ors-dialect.md §5.4)."""

from __future__ import annotations

import pytest

import scxmlc
from scxmlc_runtime import Host, SimulatedClock
import scxmlc_runtime.js as js
from scxmlc_runtime.js import realm, to_py
from scxmlc_runtime.js.values import ARRAY_PROTO, load_builtin

HEAD = '<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript">'

# One chart, two behaviours: "patch" changes built-ins, "look" reports what it sees.
CHART = HEAD + """
  <datamodel><data id="out" expr="[]"/></datamodel>
  <state id="s">
    <transition event="patch"><script>
      Array.prototype.contains = function (x) { return this.indexOf(x) >= 0; };
      String.prototype.shout = function () { return this.toUpperCase() + '!'; };
      Array.prototype.join = function () { return 'patched join'; };
      Date.fromISOString = function (s) { return new Date(Date.parse(s)); };
      Object.prototype.extra = 1;
      Object.defineProperty(Array.prototype, 'hidden', {value: function () { return 'h'; }});
    </script></transition>
    <transition event="look"><script><![CDATA[
      // (not with join: the patch replaces it)
      function cat(list, sep) { var s = ''; for (var i = 0; i < list.length; i++) s += (i ? sep : '') + list[i]; return s; }
      var keys = []; for (var k in [7]) keys.push(k);
      var own = []; for (var k2 in {a: 1}) own.push(k2);
      out.push(cat([typeof [].contains, typeof 'a'.shout, [1, 2].join(), typeof Date.fromISOString, ({}).extra,
                    typeof [].hidden, cat(keys, ','), cat(own, ','), cat(Object.keys(Array.prototype), ',')], '|'));
    ]]></script></transition>
    <transition event="unpatch"><script>
      delete Array.prototype.contains; delete String.prototype.trim; out.push(typeof [].contains + ' ' + typeof ''.trim);
    </script></transition>
  </state>
</scxml>"""

PRISTINE = "undefined|undefined|1,2|undefined|undefined|undefined|0|a|"
PATCHED = "function|function|patched join|function|1|function|0,contains,extra|a,extra|contains"


@pytest.fixture(scope="module")
def chart():
    return scxmlc.load_string(CHART, module_name="realm_chart").Chart


def outs(*sessions):
    return [to_py(s.datamodel["out"]) for s in sessions]


def test_a_session_sees_its_own_changes_and_no_other_does(chart):
    host = Host(SimulatedClock())
    a, b = host.start(chart), host.start(chart)
    b.send("look")
    a.send("patch")
    a.send("look")
    b.send("look")
    a.send("look")
    assert outs(a, b) == [[PATCHED, PATCHED], [PRISTINE, PRISTINE]]
    # between runs the built-ins are the pristine ones, for any code
    assert realm.APPLIED[0] is None
    assert js.js_invoke(js.js_array(1.0, 2.0), "join") == "1,2"
    a.send("unpatch")  # deletes an added method and a built-in one, for itself
    assert to_py(a.datamodel["out"])[-1] == "undefined undefined"
    c = host.start(chart)
    c.send("look")
    assert outs(c) == [[PRISTINE]]
    assert js.js_invoke("  x ", "trim") == "x"
    host.close()


def test_sessions_that_patch_nothing_carry_nothing(chart):
    host = Host(SimulatedClock())
    a = host.start(chart)
    a.send("look")
    assert a.realm_patches is None
    b = host.start(chart)
    b.send("patch")
    assert len(b.realm_patches) == 6
    host.close()


def test_a_session_run_inside_a_patched_one_sees_the_pristine_built_ins():
    # the parent patches, then (in the same macrostep) starts a child whose code runs inline
    parent = scxmlc.load_string(
        HEAD
        + """<datamodel><data id="seen" expr="[]"/></datamodel>
      <state id="p">
        <onentry><script>Array.prototype.contains = function () { return true; };</script></onentry>
        <invoke type="scxml" id="kid"><content>
          <scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript"><state id="c">
            <onentry><send target="#_parent" event="report"><param name="t" expr="typeof [].contains"/></send></onentry>
          </state></scxml></content></invoke>
        <transition event="report"><script>seen.push(_event.data.t, typeof [].contains);</script></transition>
      </state></scxml>""",
        module_name="realm_parent",
    ).Chart
    host = Host(SimulatedClock())
    p = host.start(parent)
    host.run_until_idle(1)
    assert to_py(p.datamodel["seen"]) == ["undefined", "function"]
    assert realm.APPLIED[0] is None
    host.close()


@pytest.mark.parametrize(
    "script,error",
    [
        ("Math.PI = 3", "TypeError"),  # data properties of built-ins are read-only
        ("Array.prototype = {}", "TypeError"),
        ("Object.defineProperty(Number, 'MAX_VALUE', {value: 1})", "TypeError"),
        ("for (var i = 0; i != 1001; i++) Array.prototype['p' + i] = i;", "RangeError"),
        ("Object.defineProperty(Array.prototype, 'g', {get: function () { return 1; }})", "TypeError"),
    ],
)
def test_what_stays_refused(script, error):
    module = scxmlc.load_string(
        HEAD + f"""<datamodel><data id="out"/></datamodel><state id="s"><onentry><script>
          try {{ {script} }} catch (e) {{ out = e.name; }}</script></onentry></state></scxml>""",
        module_name=f"realm_refused_{abs(hash(script))}",
    )
    host = Host(SimulatedClock())
    sm = host.start(module.Chart)
    assert to_py(sm.datamodel["out"]) == error
    assert Host(SimulatedClock()).start(module.Chart) is not None
    assert js.js_getp(load_builtin("Math"), "PI") > 3 and js.js_getp(ARRAY_PROTO, "p0") is js.UNDEFINED
    host.close()


def test_code_outside_a_session_cannot_patch():
    with pytest.raises(js.JSThrow):
        js.js_setp(ARRAY_PROTO, "x", 1.0)
    assert js.js_getp(ARRAY_PROTO, "x") is js.UNDEFINED


def test_every_way_into_a_session_applies_its_changes_and_takes_them_out(chart):
    host = Host(SimulatedClock())
    a, b = host.start(chart), host.start(chart)
    send = a.send  # a bound method kept from before the session changed anything
    send("patch")
    send("look")
    assert isinstance(a, chart) and type(a) is not chart  # (a SupervisedSession now)
    assert realm.APPLIED[0] is None
    a.enqueue_external({"name": "look", "type": "external", "data": None})  # a delivery
    b.send("look")
    assert outs(a, b) == [[PATCHED, PATCHED], [PRISTINE]]
    host.close()


def test_a_change_made_by_a_timer_event_is_taken_out_when_the_run_ends():
    module = scxmlc.load_string(
        HEAD + """<datamodel><data id="out"/></datamodel>
          <state id="s"><onentry><send event="later" delay="1s"/></onentry>
            <transition event="later" target="t"><script>String.prototype.twice = function () { return this + this; };</script></transition></state>
          <state id="t"><transition event="look"><assign location="out" expr="'ab'.twice()"/></transition></state></scxml>""",
        module_name="realm_timer",
    )
    host = Host(SimulatedClock())
    sm = host.start(module.Chart)
    host.run_until_idle(5)
    assert realm.APPLIED[0] is None and js.js_getp("x", "twice") is js.UNDEFINED
    sm.send("look")
    assert sm.datamodel["out"] == "abab"
    host.close()
