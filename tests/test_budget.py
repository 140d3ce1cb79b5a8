"""The script budget and the size caps (runtime/js/budget.py; issue 13 items 1-2): a script that loops or recurses without end stops with error.execution that no JavaScript `catch` takes, the session goes on with a fresh budget in its next macrostep, and no string or array grows past its cap."""

from __future__ import annotations

import logging
import pickle
import time

import pytest

import scxmlc
from scxmlc_runtime import Host, Limits, SimulatedClock
from scxmlc_runtime.js import to_py
from scxmlc_runtime.js.budget import MAX_ARRAY_LENGTH, MAX_STRING_LENGTH

from tests.ecmascript.jsrun import run_script

HEAD = '<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript">'


def chart(script: str, name: str, *, more: str = "", data: str = "", **kwargs):
    """A chart that runs `script` on entry and records its error events in `errors`; each
    `go` event runs `more`."""
    text = HEAD + (
        f'<datamodel><data id="errors" expr="[]"/><data id="x" expr="0"/>{data}</datamodel>'
        f'<state id="a"><onentry><script><![CDATA[{script}]]></script><assign location="x" expr="\'after\'"/></onentry>'
        '<transition event="error.*"><script>errors.push(_event.data.message)</script></transition>'
        f'<transition event="go"><script><![CDATA[{more}]]></script></transition>'
        "</state></scxml>"
    )
    sm = scxmlc.load_string(text, module_name=name).Chart(clock=SimulatedClock(), **kwargs)
    began = time.monotonic()
    sm.start()
    return sm, time.monotonic() - began


def errors(sm) -> list[str]:
    return to_py(sm.datamodel["errors"])


@pytest.mark.parametrize(
    "script",
    [
        "while (true) {}",
        "for (;;) { x++; }",
        "do { x++; } while (x > -1);",
        "for (var k in {a: 1}) { while (true) {} }",
        "outer: while (true) { while (true) { continue outer; } }",
        "function f(n) { return n <= 0 ? 0 : f(n - 1) + f(n - 1); } f(60);",
        "var g = function () { return g(); }; try { g(); } catch (e) { while (true) {} }",
        "eval('while (true) {}')",
        "new Function('while (true) {}')()",
        "[1].map(function () { for (;;) {} })",
        "x = [1, 2, 3].sort(function (a, b) { while (true) {} })",
    ],
    ids=["while", "for", "do-while", "nested", "labelled-continue", "exponential-recursion", "recursion-then-loop", "eval", "Function", "callback", "comparator"],
)
def test_a_script_that_does_not_end_stops_with_error_execution(script, caplog):
    caplog.set_level(logging.WARNING, logger="scxmlc_runtime")
    sm, took = chart(script, "budget_case", limits=Limits(script_steps=200_000))
    assert took < 30
    (message,) = errors(sm)
    assert "more than 200000 loop iterations and calls" in message
    # the rest of the block is skipped (SCXML 4.9) and the session goes on
    assert sm.datamodel["x"] != "after" and sm.running
    assert any("ScriptBudgetExceeded" in r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)


def test_no_javascript_catch_takes_it_and_finally_is_refused_too():
    script = "try { while (true) {} } catch (e) { x = 'caught'; } finally { x = 'finally'; while (true) {} }"
    sm, _ = chart(script, "budget_catch", limits=Limits(script_steps=10_000))
    assert sm.datamodel["x"] == "finally"  # the finally block ran, its loop was refused at once
    assert len(errors(sm)) == 1


def test_a_condition_and_an_expression_are_bounded_too():
    text = HEAD + (
        '<datamodel><data id="errors" expr="[]"/><data id="v" expr="(function () { var i = 0; while (true) { i++; } })()"/></datamodel>'
        '<state id="a"><transition event="go" cond="(function f(n) { return n ? f(n - 1) || f(n - 1) : false; })(60)" target="b"/>'
        '<transition event="error.execution"><script>errors.push(_event.data.message)</script></transition></state>'
        '<state id="b"/></scxml>'
    )
    sm = scxmlc.load_string(text, module_name="budget_cond").Chart(clock=SimulatedClock(), limits=Limits(script_steps=50_000)).start()
    assert len(errors(sm)) == 1  # the data item's loop
    sm.send("go")  # a fresh budget, spent by the condition's recursion: false, and error.execution
    assert sm.configuration == {"a"} and sm.running
    assert len(errors(sm)) == 2 and all("loop iterations and calls" in m for m in errors(sm))


def test_the_next_macrostep_has_a_fresh_budget():
    loop = "var n = 0; for (var i = 0; i < 40000; i++) { n++; } x = n;"
    sm, _ = chart("while (true) {}", "budget_renewed", more=loop, limits=Limits(script_steps=50_000))
    assert len(errors(sm)) == 1
    for _ in range(3):
        sm.send("go")
        assert sm.datamodel["x"] == 40000.0
    assert len(errors(sm)) == 1


def test_a_chart_within_the_budget_is_not_touched():
    script = "var n = 0; for (var i = 0; i < 9000; i++) { n += i; } function f(k) { return k ? f(k - 1) + 1 : 0; } x = n + f(500);"
    sm, _ = chart(script, "budget_within", limits=Limits(script_steps=10_000))
    assert errors(sm) == [] and sm.datamodel["x"] == "after"


def test_the_budget_is_per_host_and_per_session():
    host = Host(SimulatedClock(), limits=Limits(script_steps=1000))
    module = scxmlc.load_string(HEAD + '<datamodel><data id="x" expr="0"/></datamodel><state id="a"><onentry><script>while (x &lt; 5000) x++;</script></onentry></state></scxml>', module_name="budget_hosts")
    assert module.Chart(host=host).start().datamodel["x"] < 1100
    assert module.Chart(host=host, limits=Limits(script_steps=100_000)).start().datamodel["x"] == 5000.0
    assert module.Chart(clock=SimulatedClock()).start().datamodel["x"] == 5000.0  # the default: 10 M


def test_slow_steps_are_bounded_in_time():
    # each iteration copies a 30 M character string: the steps are few, the time is not
    script = "var s = 'x'.repeat(30000000); var n = 0; while (true) { var t = s + 'y'; n++; }"
    sm, took = chart(script, "budget_time", limits=Limits(script_seconds=0.5))
    (message,) = errors(sm)
    assert "more than 0.5 s" in message
    assert took < 10


@pytest.mark.parametrize(
    "work",
    [
        "n.push(s.split('').length)",
        "n.push(a.indexOf(2))",
        "n.push(s.repeat(8).length)",
        "n.push(a.slice().length)",
        "n.push(/^(a|aa)+$/.test('a'.repeat(27) + 'b'))",
    ],
    ids=["split", "indexOf", "repeat", "slice", "regexp"],
)
def test_a_few_heavy_built_in_calls_are_bounded_in_time(work):
    # Fewer iterations than a chunk of ticks (budget.CHUNK): only the clock stops them, and it
    # is looked at once per chunk (a chunk that was slow is followed by single ticks: the
    # fast loop first makes the next chunk a full one). Each call makes or walks millions of
    # elements (tens of ms): the loop would run all 60 of them, well past the 0.3 s allowed,
    # but for builtin_heavy.
    script = (
        "var s = 'x'.repeat(1 << 22), a = s.split(''), n = []; for (var k = 0; k < 2; k++) {} "
        f"for (var i = 0; i < 60; i++) {{ {work}; }}"
    )
    sm, took = chart(script, f"budget_heavy_{work[7:13].strip('^(')}", data='<data id="n"/>', limits=Limits(script_seconds=0.3))
    (message,) = errors(sm)
    assert "more than 0.3 s" in message
    assert 0 < len(to_py(sm.datamodel["n"])) < 60


def test_a_script_without_loops_pays_for_its_built_ins():
    # Code that never loops never binds its ticks (js_ticks); the built-ins it calls charge
    # the running session all the same (budget.ACTIVE: each run names its session).
    nested = "var a = [1]; " + "a = [a, a]; " * 40  # (2**40 visits to stringify, in a few bytes)
    sm, took = chart(nested + "x = JSON.stringify(a).length;", "budget_no_loop_json", limits=Limits(script_steps=100_000))
    (message,) = errors(sm)
    assert "loop iterations and calls" in message and took < 30
    # a regular expression split tries a match at every index: a million here
    sm, took = chart("x = 'x'.repeat(1 << 20).split(/y/).length;", "budget_no_loop_split", limits=Limits(script_steps=500))
    (message,) = errors(sm)
    assert "loop iterations and calls" in message and took < 30


def test_shared_parts_stringified_are_bounded():
    # a value of 40 levels whose halves are the same array: 2**40 visits, a few bytes
    script = "var a = [1]; for (var i = 0; i < 40; i++) { a = [a, a]; } x = JSON.stringify(a).length;"
    sm, took = chart(script, "budget_builtin", limits=Limits(script_steps=100_000))
    (message,) = errors(sm)
    assert "loop iterations and calls" in message and took < 30


def test_a_restored_session_keeps_its_budget():
    sm, _ = chart("x = 1;", "budget_restore", more="while (true) {}", limits=Limits(script_steps=5_000))
    data = sm.snapshot()
    again = type(sm).restore(pickle.loads(pickle.dumps(data)), host=Host(SimulatedClock(), limits=Limits(script_steps=5_000)))
    again.send("go")
    assert len(errors(again)) == 1 and again.running


SELF_SEND = HEAD + '<datamodel><data id="n" expr="0"/></datamodel><state id="a"><onentry><assign location="n" expr="n + 1"/><send event="x"/></onentry><transition event="x" target="a"/></state></scxml>'


def test_a_session_that_sends_itself_events_without_end_is_ended():
    module = scxmlc.load_string(SELF_SEND, module_name="budget_self_send")
    sm = module.Chart(clock=SimulatedClock(), limits=Limits(external_events=500))
    sm.start()
    assert not sm.running and "more than 500 external events in one run" in sm.limit_reason
    assert sm.datamodel["n"] == 501.0 and not sm.external_queue


# -- size caps -----------------------------------------------------------------------------

CAPPED = {
    "plus": ("var s = 'ab'; try { while (true) s = s + s; } catch (e) { r = [e.name, s.length]; }", ["RangeError", MAX_STRING_LENGTH]),
    "plus-assign": ("var s = 'ab'; try { while (true) s += s; } catch (e) { r = [e.name, s.length]; }", ["RangeError", MAX_STRING_LENGTH]),
    "template": ("var s = 'ab'; try { while (true) s = `${s}${s}`; } catch (e) { r = [e.name, s.length]; }", ["RangeError", MAX_STRING_LENGTH]),
    "literal-append": ("var s = 'x'.repeat(33554400); try { s = s + 'abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz'; } catch (e) { r = [e.name, s.length]; }", ["RangeError", 33554400]),
    "concat": ("var s = 'ab'; try { while (true) s = s.concat(s); } catch (e) { r = [e.name, s.length]; }", ["RangeError", MAX_STRING_LENGTH]),
    "join": ("try { r = new Array(16777215).join('a'.repeat(72)).length; } catch (e) { r = [e.name]; }", ["RangeError"]),
    "repeat": ("try { r = 'ab'.repeat(2 ** 28).length; } catch (e) { r = [e.name]; }", ["RangeError"]),
    "padStart": ("try { r = 'a'.padStart(2 ** 30).length; } catch (e) { r = [e.name]; }", ["RangeError"]),
    "replace": ("var s = 'ab'.repeat(2 ** 16); try { r = s.replace(/a/g, 'x'.repeat(1024)).length; } catch (e) { r = [e.name]; }", ["RangeError"]),
    "replace-string": ("var s = 'ab'.repeat(2 ** 16); try { r = s.replaceAll('a', 'x'.repeat(1024)).length; } catch (e) { r = [e.name]; }", ["RangeError"]),
    "stringify": ("var a = ['x'.repeat(2 ** 20)]; for (var i = 0; i < 6; i++) a = [a, a]; try { r = JSON.stringify(a).length; } catch (e) { r = [e.name]; }", ["RangeError"]),
    "uneval": ("var a = ['x'.repeat(2 ** 20)]; for (var i = 0; i < 6; i++) a = [a, a]; try { r = uneval(a).length; } catch (e) { r = [e.name]; }", ["RangeError"]),
    "encodeURIComponent": ("var s = '\\u00e9'.repeat(2 ** 23); try { r = encodeURIComponent(s).length; } catch (e) { r = [e.name]; }", ["RangeError"]),
    "array-concat": ("var a = [1]; try { while (true) a = a.concat(a); } catch (e) { r = [e.name, a.length]; }", ["RangeError", MAX_ARRAY_LENGTH]),
    "push-apply": ("var a = [1]; try { while (true) Array.prototype.push.apply(a, a); } catch (e) { r = [e.name, a.length]; }", ["RangeError", MAX_ARRAY_LENGTH]),
    "spread": ("var a = [1]; try { while (true) a = [...a, ...a]; } catch (e) { r = [e.name, a.length]; }", ["RangeError", MAX_ARRAY_LENGTH]),
    "flat": ("var a = [1]; for (var i = 0; i < 30; i++) a = [a, a]; try { r = a.flat(Infinity).length; } catch (e) { r = [e.name]; }", ["RangeError"]),
    "split": ("try { r = 'x'.repeat(2 ** 25).split('').length; } catch (e) { r = [e.name]; }", ["RangeError"]),
    "array-like": ("try { r = Array.prototype.slice.call({length: 2 ** 32 - 1}).length; } catch (e) { r = [e.name]; }", ["RangeError"]),
    "length": ("var a = []; try { a.length = 2 ** 30; } catch (e) { r = [e.name, a.length]; }", ["RangeError", 0]),
    "index": ("var a = []; try { a[2 ** 30] = 1; } catch (e) { r = [e.name, a.length]; }", ["RangeError", 0]),
}


@pytest.mark.parametrize("name", sorted(CAPPED))
def test_no_string_or_array_grows_past_its_cap(name):
    script, expected = CAPPED[name]
    got = to_py(run_script(script)["r"])
    assert got == expected


def test_the_caps_hold_in_a_chart_and_are_catchable():
    sm, _ = chart("var s = 'ab'; try { while (true) s = s + s; } catch (e) { x = e.name + ' ' + e.message + ' ' + s.length; }", "caps_chart")
    assert errors(sm) == [] and sm.datamodel["x"] == "after"
    sm2, _ = chart("var s = 'ab'; while (true) s = s + s;", "caps_chart_uncaught")
    assert errors(sm2) == ["Invalid string length"]


MEMORY_RUN = """
import json, sys
import scxmlc
from scxmlc_runtime import Limits, SimulatedClock
from scxmlc_runtime.js import to_py
from scxmlc_runtime.js.budget import resident_bytes
from tests.test_budget import HEAD

# Each iteration keeps a new string of a million characters, a cheap call: neither the steps
# nor the time stop the loop before it keeps 300 MB; `go` keeps `k` more, within the bound.
text = HEAD + (
    '<datamodel><data id="errors" expr="[]"/><data id="n" expr="[]"/></datamodel>'
    '<state id="a"><onentry><script><![CDATA[var s = "x".repeat(1 << 20); for (var i = 0; i < 300; i++) n.push(s + i);]]></script></onentry>'
    '<transition event="error.*"><script>errors.push(_event.data.message)</script></transition>'
    '<transition event="go"><script><![CDATA[n = []; for (var i = 0; i < _event.data.k; i++) n.push("y".repeat(1 << 20) + i);]]></script></transition>'
    "</state></scxml>"
)
before = resident_bytes()
sm = scxmlc.load_string(text, module_name="budget_memory").Chart(clock=SimulatedClock(), limits=Limits(script_memory=48 << 20)).start()
kept = len(to_py(sm.datamodel["n"]))
grew = (resident_bytes() - before) >> 20
sm.send("go", {"k": 30})
print(json.dumps({"errors": to_py(sm.datamodel["errors"]), "kept": kept, "grew": grew, "then": len(to_py(sm.datamodel["n"]))}))
"""


def test_a_macrostep_that_grows_the_process_past_script_memory_is_stopped():
    # In a fresh interpreter: memory an earlier test freed but the allocator kept would be
    # reused without growing the process, and the bound counts growth.
    import json
    import subprocess
    import sys
    from pathlib import Path

    out = subprocess.run([sys.executable, "-c", MEMORY_RUN], cwd=Path(__file__).parent.parent, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    (message,) = result["errors"]  # the first macrostep's; the second stays within the bound
    assert "grew the process's memory by more than 48 MB in one macrostep" in message
    assert 40 <= result["kept"] < 150 and result["grew"] < 200
    assert result["then"] == 30  # the session goes on: its next macrostep has a fresh bound


def test_a_long_string_made_from_a_receiver_ends_the_chunk_of_ticks(monkeypatch):
    # String methods called on an object (`String.prototype.split.call(o, '')`) convert it;
    # a long string made so is as heavy as a long string given (budget.builtin_heavy, called
    # through the string built-ins' name for it, is counted here and still runs).
    from scxmlc_runtime.js.builtins import string as string_builtins

    heavy = []
    real = string_builtins.builtin_heavy
    dm = run_script("var s = 'x'.repeat(1 << 16), o = {toString: function () { return s; }}, short = {toString: function () { return 'ab'; }};")
    monkeypatch.setattr(string_builtins, "builtin_heavy", lambda: (heavy.append(1), real()))
    run_script("var n = String.prototype.split.call(short, '').length;", dm)
    assert dm["n"] == 2 and heavy == []
    for method in ("split.call(o, '').length", "indexOf.call(o, 'y')", "toUpperCase.call(o).length"):
        run_script(f"n = String.prototype.{method};", dm)
        assert len(heavy) == 1, method
        heavy.clear()
    run_script("n = String.prototype.charAt.call(o, 5);", dm)  # (one character read: not heavy)
    assert dm["n"] == "x" and heavy == []
