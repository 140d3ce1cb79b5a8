"""Unit tests of the runtime's algorithm pieces and of the compiler's analysis."""

from __future__ import annotations

import ast

import pytest

import scxmlc
from scxmlc.analysis import analyse, normalise_descriptor
from scxmlc.diagnostics import Diagnostics
from scxmlc.parser import parse_bytes
from scxmlc_runtime import ExecutionError, Host, SimulatedClock, parse_delay
from scxmlc_runtime.interpreter import event_matches, iter_bits, iter_bits_reversed
from scxmlc_runtime.js import UNDEFINED, to_js
from scxmlc_runtime.tables import ATOMIC, COMPOUND, PARALLEL, ROOT

from .legal_configuration import IllegalConfiguration, assert_legal, checked, configuration_problems

NS = 'xmlns="http://www.w3.org/2005/07/scxml" version="1.0"'


def chart(body: str, **attrs) -> str:
    extra = " ".join(f'{k}="{v}"' for k, v in attrs.items())
    return f"<scxml {NS} {extra}>{body}</scxml>"


def machine(body: str, **attrs):
    """A started session of the chart, its configuration checked after every microstep."""
    logs = []
    module = scxmlc.load_string(chart(body, **attrs), module_name="t_chart")
    sm = checked(module.Chart)(clock=SimulatedClock(), log=lambda label, text: logs.append(text))
    sm.logs = logs
    return sm.start()


@pytest.mark.parametrize(
    "descriptors,name,ok",
    [
        (("a",), "a", True),
        (("a",), "a.b", True),
        (("a",), "ab", False),
        (("a.b",), "a", False),
        (("*",), "anything.at.all", True),
        (("",), "x", True),  # ".*" normalised
        (("x", "error"), "error.execution", True),
    ],
)
def test_event_matches(descriptors, name, ok):
    assert event_matches(descriptors, name) is ok


def test_normalise_descriptor():
    assert normalise_descriptor("foo.*") == "foo"
    assert normalise_descriptor("foo.") == "foo"
    assert normalise_descriptor(".*") == ""
    assert normalise_descriptor("*") == "*"


def test_bit_iteration_orders():
    assert list(iter_bits(0b101001)) == [0, 3, 5]
    assert list(iter_bits_reversed(0b101001)) == [5, 3, 0]


@pytest.mark.parametrize(
    "text,seconds", [("1s", 1.0), (".5s", 0.5), ("1.5s", 1.5), ("200ms", 0.2), ("2m", 120.0), ("2min", 120.0), ("1h", 3600.0), ("1d", 86400.0), (" 3s ", 3.0)]
)
def test_parse_delay(text, seconds):
    assert parse_delay(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "s", "1x", "-1s", "1..5s", "2", "5 s"])  # (a duration has its unit, ors-dialect.md §4.2)
def test_parse_delay_rejects(text):
    with pytest.raises(ExecutionError):
        parse_delay(text)


def test_simulated_clock_orders_timers():
    clock = SimulatedClock()
    fired = []
    clock.call_later(2, lambda: fired.append("b"))
    clock.call_later(1, lambda: fired.append("a"))
    clock.call_later(2, lambda: fired.append("c"))  # same instant: set order
    t = clock.call_later(1.5, lambda: fired.append("x"))
    t.cancel()
    assert clock.advance(1.9) == 1
    assert clock.advance(0.1) == 2
    assert fired == ["a", "b", "c"] and clock.now() == pytest.approx(2.0)


def _analysed(body: str):
    diags = Diagnostics()
    doc = parse_bytes(chart(body).encode(), "t.scxml", diags)
    assert not diags.errors, diags.items
    return analyse(doc)


def test_analysis_tables_document_order_and_masks():
    c = _analysed(
        '<state id="a"><state id="a1"/><state id="a2"/></state>'
        '<parallel id="p"><state id="r1"/><state id="r2"/></parallel>'
    )
    assert [s.id for s in c.states] == ["", "a", "a1", "a2", "p", "r1", "r2"]
    assert [s.kind for s in c.states] == [ROOT, COMPOUND, ATOMIC, ATOMIC, PARALLEL, ATOMIC, ATOMIC]
    assert c.states[1].descendants == (1 << 2) | (1 << 3)
    assert c.states[5].ancestors == [4, 0]
    # the root's default initial transition targets the first child
    assert c.transitions[c.states[0].initial].targets == (1,)


def test_analysis_static_domain_and_candidates():
    c = _analysed(
        '<state id="a"><transition event="x" target="b"/>'
        '<state id="a1"><transition event="y" target="a2"/></state><state id="a2"/></state>'
        '<state id="b"><history id="h"><transition target="b1"/></history><state id="b1"/>'
        '<transition event="z" target="h"/></state>'
    )
    ids = [s.id for s in c.states]
    a1 = c.states[ids.index("a1")]
    # own transitions first, then the ancestors' (selection order of Appendix D)
    assert [c.transitions[t].events for t in a1.candidates] == [("y",), ("x",)]
    y = c.transitions[a1.candidates[0]]
    assert y.domain == ids.index("a")
    x = c.transitions[a1.candidates[1]]
    assert x.domain == 0
    z = next(t for t in c.transitions if t.events == ("z",))
    assert z.domain == -1  # a history target: computed at run time


def test_anonymous_states_get_unique_ids():
    c = _analysed('<state><state/></state><state id="b"/>')
    assert [s.id for s in c.states] == ["", "#1", "#1#1", "b"]


# -- behaviour, through the whole pipeline ----------------------------------------------


def test_eventless_and_internal_events_in_one_macrostep():
    sm = machine(
        '<state id="a"><onentry><raise event="go"/></onentry><transition event="go" target="b"/></state>'
        '<state id="b"><transition target="c"/></state><final id="c"/>'
    )
    assert sm.done and sm.configuration == {"c"}


def test_parallel_done_state_and_exit_order():
    sm = machine(
        '<parallel id="p">'
        '<state id="r1"><state id="r1a"><transition event="e" target="r1f"/></state><final id="r1f"/>'
        '<onexit><log expr="\'exit r1\'"/></onexit></state>'
        '<state id="r2"><state id="r2a"><transition event="e" target="r2f"/></state><final id="r2f"/>'
        '<onexit><log expr="\'exit r2\'"/></onexit></state>'
        '<transition event="done.state.p" target="end"/></parallel><final id="end"/>'
    )
    sm.send("e")
    assert sm.done and sm.configuration == {"end"}
    assert sm.logs == ["exit r2", "exit r1"]  # reverse document order


def test_deep_history_restores_configuration():
    sm = machine(
        '<state id="s"><history id="h" type="deep"><transition target="s1"/></history>'
        '<state id="s1"><state id="x"><transition event="next" target="y"/></state><state id="y"/></state>'
        '<transition event="out" target="o"/></state>'
        '<state id="o"><transition event="back" target="h"/></state>'
    )
    sm.send("next")
    assert sm.configuration == {"s", "s1", "y"}
    sm.send("out")
    assert sm.configuration == {"o"}
    sm.send("back")
    assert sm.configuration == {"s", "s1", "y"}


def test_shallow_history_as_the_initial_of_a_region_restores_only_the_child():
    # Entering the parallel state by default enters each region by default (Appendix D,
    # getChildStates: the <history> children of a <parallel> are not among them, so its deep
    # history `hp`, not targeted, restores nothing). Region c2 starts at its shallow history,
    # which restores c2.1, the child that was active, and c2.1 is then entered by default:
    # c2.1.1, not c2.1.2 (the deep configuration that `hp` holds).
    sm = machine(
        '<state id="top" initial="p"><parallel id="p">'
        '<history id="hp" type="deep"><transition target="c1"/></history>'
        '<transition event="out" target="o"/>'
        '<state id="c1"><state id="c1.1"/></state>'
        '<state id="c2" initial="h2"><history id="h2" type="shallow"><transition target="c2.1"/></history>'
        '<state id="c2.1" initial="c2.1.1"><state id="c2.1.1"><transition event="next" target="c2.1.2"/></state>'
        '<state id="c2.1.2"/></state><state id="c2.2"/></state>'
        '</parallel><state id="o"><transition event="back" target="p"/></state></state>'
    )
    assert sm.configuration == {"top", "p", "c1", "c1.1", "c2", "c2.1", "c2.1.1"}
    sm.send("next")
    assert sm.configuration == {"top", "p", "c1", "c1.1", "c2", "c2.1", "c2.1.2"}
    sm.send("out")
    assert sm.configuration == {"top", "o"}
    sm.send("back")
    assert sm.configuration == {"top", "p", "c1", "c1.1", "c2", "c2.1", "c2.1.1"}


def test_history_targets_in_sibling_regions_enter_a_legal_configuration():
    # Targets h1 and h2, histories of the two regions of p, with nothing recorded yet: each
    # region enters its history's default. The <history> child of p itself (whose default
    # names the other children) is not a child state of p and must not be entered too, which
    # would leave r1a and r1b (and r2a and r2b) active together.
    body = (
        '<state id="o"><transition event="back" target="h1 h2"/></state>'
        '<parallel id="p"><history id="hp" type="deep"><transition target="r1b r2b"/></history>'
        '<transition event="out" target="o"/>'
        '<state id="r1"><history id="h1"><transition target="r1a"/></history>'
        '<state id="r1a"><transition event="next" target="r1b"/></state><state id="r1b"/></state>'
        '<state id="r2"><history id="h2"><transition target="r2a"/></history>'
        '<state id="r2a"/><state id="r2b"/></state></parallel>'
    )
    sm = machine(body)
    sm.send("back")
    assert sm.configuration == {"p", "r1", "r1a", "r2", "r2a"}
    # and with recorded history: each region's own
    sm.send("next")
    sm.send("out")
    sm.send("back")
    assert sm.configuration == {"p", "r1", "r1b", "r2", "r2a"}


def test_a_parallel_state_with_a_history_child_is_done_when_its_regions_are():
    # SCXML 3.4 / Appendix D isInFinalState: "all of its child states" are final; a <history>
    # is no child state.
    sm = machine(
        '<parallel id="p"><history id="hp"><transition target="r1"/></history>'
        '<state id="r1"><final id="f1"/></state><state id="r2"><final id="f2"/></state>'
        '<transition event="done.state.p" target="end"/></parallel><final id="end"/>'
    )
    assert sm.done and sm.configuration == {"end"}


def test_a_history_of_a_parallel_state_without_default_enters_every_region():
    # A <history> with no default transition (accepted, though SCXML 3.10.2 asks for one) and
    # nothing recorded enters its parent by default: for a <parallel>, all of its regions.
    sm = machine(
        '<state id="o"><transition event="back" target="hp"/></state>'
        '<parallel id="p"><history id="hp"/>'
        '<state id="r1"><state id="r1a"/><state id="r1b"/></state><state id="r2"/></parallel>'
        '<state id="z"><state id="z1"/></state>'
    )
    sm.send("back")
    assert sm.configuration == {"p", "r1", "r1a", "r2"}


def _tables(body: str):
    return scxmlc.load_string(chart(body), module_name="t_legal").Chart.tables


def test_the_legality_check_names_every_illegal_configuration():
    t = _tables(
        '<state id="a"><history id="h"><transition target="a1"/></history><state id="a1"/><state id="a2"/></state>'
        '<parallel id="p"><state id="r1"/><state id="r2"/></parallel>'
    )
    ix = {sid: i for i, sid in enumerate(t.ids)}

    def mask(*ids):
        return sum(1 << ix[s] for s in ids)

    assert configuration_problems(t, mask("a", "a1")) == []
    assert configuration_problems(t, mask("p", "r1", "r2")) == []
    assert configuration_problems(t, mask("a", "a1", "a2")) == ["'a' has 2 active children ['a1', 'a2']: exactly one must be"]
    assert configuration_problems(t, mask("a")) == [
        "'a' has 0 active children []: exactly one must be",
        "no atomic state is active",
    ]
    assert configuration_problems(t, mask("p", "r1")) == ["<parallel> 'p' lacks the children ['r2']: all must be active"]
    assert configuration_problems(t, mask("a1")) == [
        "'<scxml>' has 0 active children []: exactly one must be",
        "'a1' is active but its parent 'a' is not",
    ]
    assert configuration_problems(t, mask("a", "a1", "p", "r1", "r2")) == [
        "'<scxml>' has 2 active children ['a', 'p']: exactly one must be"
    ]
    assert configuration_problems(t, mask("a", "a1", "h")) == ["history state 'h' is active (a pseudo-state never is)"]
    assert configuration_problems(t, 0) == [
        "'<scxml>' has 0 active children []: exactly one must be",
        "no atomic state is active",
    ]
    with pytest.raises(IllegalConfiguration) as info:
        assert_legal(t, mask("a", "a1", "a2"), "after a microstep")
    assert str(info.value) == (
        "illegal configuration (SCXML 3.11) after a microstep: 'a' has 2 active children ['a1', 'a2']: "
        "exactly one must be; active: ['a', 'a1', 'a2']"
    )
    # not an Exception: no handler of the runtime (SCXML 4.9 error.execution) can swallow it
    assert not issubclass(IllegalConfiguration, Exception)


def test_a_checked_session_fails_loudly_after_an_illegal_microstep(monkeypatch):
    # The check runs after each microstep of a checked session; one that leaves an illegal
    # configuration (here: entering a second child of a) stops the run with the configuration.
    sm = machine('<state id="a"><state id="a1"><transition event="go" target="a2"/></state><state id="a2"/></state>')
    from scxmlc_runtime.interpreter import Interpreter

    monkeypatch.setattr(Interpreter, "exit_states", lambda self, enabled: None)  # forget to exit a1
    with pytest.raises(IllegalConfiguration, match=r"'a' has 2 active children \['a1', 'a2'\].*active: \['a', 'a1', 'a2'\]"):
        sm.send("go")


@pytest.mark.plans
def test_checked_sessions_are_checked_on_every_path_of_a_microstep():
    # Each way the runtime takes a microstep reaches the check: in full, replayed from a
    # recorded plan (a -> b runs b's onentry), and the code-free path of send() (b -> a).
    sm = machine(
        '<state id="a"><transition event="go" target="b"/></state>'
        '<state id="b"><onentry><log expr="1"/></onentry><transition event="go" target="a"/></state>'
    )
    steps = []
    sm._check = lambda where: steps[-1].append(where.split(" in ")[0])
    for _ in range(4):
        steps.append([])
        sm.send("go")
    assert sm.configuration == {"a"}
    assert steps[0] == ["after a microstep", "after the microstep of event 'go'", "after sending 'go'"]
    assert steps[2] == ["after a replayed microstep", "after sending 'go'"]
    assert steps[3] == ["after sending 'go'"] and sm._lazy_event == "go"  # the lean path


def test_an_empty_cond_is_no_condition_with_a_warning_at_its_line():
    # Some generators write cond="" for "no guard". SCXML 3.5 asks for a boolean expression
    # (an empty one is not valid); scxmlc reads it as absent: unconditional, with a warning.
    body = (
        '<state id="a">\n<transition event="go" cond="" target="b"/>\n'
        '<transition cond=" " target="c"/></state>\n<state id="b"/><state id="c"/>'
    )
    result = scxmlc.compile_source(chart(body), "t.scxml")
    assert [str(d) for d in result.diagnostics] == [
        "t.scxml:2:1: warning: empty 'cond' on <transition> is read as no condition: the transition is unconditional",
        "t.scxml:3:1: warning: empty 'cond' on <transition> is read as no condition: the transition is unconditional",
    ]
    with pytest.warns(scxmlc.CompileWarning, match="empty 'cond'"):
        sm = machine('<state id="a"><transition event="go" cond="" target="b"/></state><state id="b"/>')
    errors = []
    sm.on_error = lambda machine, event: errors.append(event["name"])
    sm.send("go")
    assert sm.configuration == {"b"} and errors == []
    with pytest.warns(scxmlc.CompileWarning, match="empty 'cond'"):
        sm = machine(body)
    assert sm.configuration == {"c"}  # eventless, taken at once


def test_conflicting_transitions_first_in_document_order_wins():
    sm = machine(
        '<parallel id="p"><state id="a"><transition event="e" target="out1"/></state>'
        '<state id="b"><transition event="e" target="out2"/></state></parallel>'
        '<state id="out1"/><state id="out2"/>'
    )
    sm.send("e")
    assert sm.configuration == {"out1"}


def test_error_execution_keeps_running_and_names_the_line():
    sm = machine(
        '<state id="a"><onentry><assign location="x.y.z" expr="1"/><log expr="\'not reached\'"/></onentry>'
        '<transition event="error.execution" target="b"><log expr="_event.data.location"/></transition></state>'
        '<state id="b"/>',
        datamodel="ecmascript",
    )
    assert sm.configuration == {"b"}
    assert sm.logs == ["t_chart.scxml:1"]


def test_delayed_send_and_cancel_on_simulated_clock():
    sm = machine(
        '<state id="a"><onentry><send event="late" delay="5s"/><send id="c" event="never" delay="1s"/>'
        '<cancel sendid="c"/></onentry>'
        '<transition event="never" target="bad"/><transition event="late" target="good"/></state>'
        '<final id="good"/><final id="bad"/>'
    )
    assert not sm.done
    assert sm.run_until_idle(max_seconds=4) is False
    assert sm.run_until_idle(max_seconds=10) is True
    assert sm.configuration == {"good"} and sm.clock.now() == pytest.approx(5.0)


def test_a_delayed_send_with_the_id_of_a_pending_one_replaces_it():
    # Both used to stay armed, the earlier one out of `<cancel>`'s reach and left out of a
    # snapshot: one pending event per id, the latest (a re-armed timeout restarts).
    sm = machine(
        '<datamodel><data id="n" expr="0"/></datamodel><state id="a">'
        '<transition event="go"><send id="t" event="ping" delay="2s"/></transition>'
        '<transition event="stop"><cancel sendid="t"/></transition>'
        '<transition event="ping"><assign location="n" expr="n + 1"/><log expr="n"/></transition></state>',
        datamodel="ecmascript",
    )
    sm.send("go")
    sm.clock.advance(1)
    sm.send("go")  # due at 3 s now, not at 2 s and 3 s
    sm.clock.advance(1.5)
    assert sm.logs == [] and len(sm._timers) == 1
    sm.clock.advance(1)
    assert sm.logs == ["1"]
    sm.send("go")
    sm.send("go")
    sm.send("stop")  # cancels the one pending `t`: nothing more fires
    sm.run_until_idle(max_seconds=10)
    assert sm.logs == ["1"] and sm._timers == {}


def test_late_binding_assigns_on_first_entry():
    sm = machine(
        '<state id="a"><onentry><log expr="typeof v"/></onentry><transition event="go" target="b"/></state>'
        '<state id="b"><datamodel><data id="v" expr="42"/></datamodel><onentry><log expr="v"/></onentry></state>',
        binding="late",
    )
    sm.send("go")
    assert sm.logs == ["undefined", "42"]


def test_send_data_reaches_event():
    sm = machine(
        '<datamodel><data id="n" expr="7"/></datamodel>'
        '<state id="a"><onentry><send event="e" namelist="n"><param name="p" expr="n * 2"/></send></onentry>'
        '<transition event="e" cond="_event.data.n === 7 &amp;&amp; _event.data.p === 14" target="ok"/></state>'
        '<final id="ok"/>'
    )
    assert sm.done and sm.configuration == {"ok"}


def test_asyncio_interface_real_clock():
    import asyncio

    from scxmlc_runtime import AsyncioClock

    module = scxmlc.load_string(
        chart(
            '<state id="a"><transition event="go" target="b"/></state>'
            '<state id="b"><onentry><send event="later" delay="50ms"/></onentry>'
            '<transition event="later" target="end"/></state><final id="end"/>'
        ),
        module_name="t_async",
    )

    async def main():
        sm = module.Chart(clock=AsyncioClock())
        sm.start()
        assert await sm.wait_done(timeout=0.01) is False
        await sm.send_async("go")
        assert sm.configuration == {"b"}
        assert await sm.wait_done(timeout=5) is True  # the 50 ms timer fired by itself
        return sm.configuration

    assert asyncio.run(main()) == {"end"}


def test_invoke_params_parent_messages_and_done_invoke():
    sm = machine(
        '<state id="a"><invoke id="kid"><param name="n" expr="41"/><content>'
        '<scxml version="1.0" datamodel="ecmascript"><datamodel><data id="n" expr="0"/></datamodel>'
        '<state id="k"><onentry><send target="#_parent" event="hello"><param name="m" expr="n + 1"/></send></onentry>'
        '<transition event="bye" target="kdone"/></state><final id="kdone"/></scxml></content>'
        '<finalize><log expr="\'finalize \' + _event.data.m"/></finalize></invoke>'
        '<transition event="hello" cond="_event.invokeid === \'kid\'"><send target="#_kid" event="bye"/></transition>'
        '<transition event="done.invoke.kid" target="ok"/></state><final id="ok"/>'
    )
    assert sm.done and sm.configuration == {"ok"}
    assert sm.logs == ["finalize 42"]


def test_cancelled_child_runs_onexit_and_its_events_are_dropped():
    sm = machine(
        '<state id="a"><invoke><content><scxml version="1.0" datamodel="ecmascript">'
        '<state id="k"><onexit><log expr="\'child exits\'"/><send target="#_parent" event="late"/></onexit></state>'
        "</scxml></content></invoke>"
        '<transition event="go" target="b"/></state>'
        '<state id="b"><transition event="late" target="bad"/></state><final id="bad"/>'
    )
    sm.send("go")
    assert sm.configuration == {"b"} and sm.logs == ["child exits"]


def test_invoke_of_a_document_known_only_at_run_time():
    sm = machine(
        "<datamodel><data id=\"doc\" expr=\"'&lt;scxml xmlns=&quot;http://www.w3.org/2005/07/scxml&quot; "
        "version=&quot;1.0&quot;&gt;&lt;final id=&quot;f&quot;/&gt;&lt;/scxml&gt;'\"/></datamodel>"
        '<state id="a"><invoke id="rt"><content expr="doc"/></invoke>'
        '<transition event="done.invoke.rt" target="ok"/></state><final id="ok"/>'
    )
    assert sm.done and sm.configuration == {"ok"}


def test_send_sets_event_fields():
    sm = machine(
        '<state id="a"><transition event="e" cond="_event.origin === \'o\' &amp;&amp; _event.type === \'external\''
        ' &amp;&amp; _event.sendid === undefined &amp;&amp; _event.data.k === 1" target="ok"/></state><final id="ok"/>'
    )
    sm.send("e", {"k": 1}, origin="o")
    assert sm.done


def test_basichttp_outside_client_posts_to_a_running_session():
    # W3C 513 (manual): an outside HTTP client POSTs to the session and gets a 2xx answer.
    import urllib.request

    sm = machine(
        '<state id="a"><onentry><log expr="_ioprocessors.basichttp.location"/></onentry>'
        '<transition event="knock" cond="_event.data.who === \'me\'" target="ok"/></state><final id="ok"/>'
    )
    location = sm.logs[0]
    assert location.startswith("http://127.0.0.1:")
    request = urllib.request.Request(location, data=b"_scxmleventname=knock&who=me", method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        assert 200 <= response.status < 300
    assert sm.run_until_idle(max_seconds=1)
    assert sm.configuration == {"ok"}


def test_basichttp_unreachable_target_is_error_communication():
    sm = machine(
        '<state id="a"><onentry><send event="x" type="basichttp" target="http://127.0.0.1:9/nowhere"/></onentry>'
        '<transition event="error.communication" target="ok"/></state><final id="ok"/>'
    )
    assert sm.done and sm.configuration == {"ok"}


def test_data_src_over_http(tmp_path):
    import functools
    import http.server
    import threading

    (tmp_path / "items.json").write_text('{"items": [1, 2, 3]}')
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        sm = machine(
            f'<datamodel><data id="d" src="{base}/items.json"/><data id="missing" src="{base}/nope.json"/></datamodel>'
            '<state id="a"><transition cond="d.items.length === 3 &amp;&amp; missing === undefined" target="ok"/></state>'
            '<final id="ok"/>'
        )
    finally:
        server.shutdown()
        server.server_close()
    assert sm.done and sm.configuration == {"ok"}


def test_data_src_over_http_is_bounded_in_size_and_time(monkeypatch):
    # (security audit: the body was read whole, however large, and a server sending a byte
    # every few seconds held the session, and a server's every session, without end)
    import http.server
    import threading
    import time

    import scxmlc_runtime.documents as documents

    class Endless(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            try:
                for _ in range(200):
                    self.wfile.write(b"x" * (100 if self.path == "/drip" else 65536))
                    self.wfile.flush()
                    if self.path == "/drip":
                        time.sleep(0.05)
            except OSError:
                pass

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Endless)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    monkeypatch.setattr(documents, "MAX_DOCUMENT_BYTES", 1_000_000)
    monkeypatch.setattr(documents.read_body, "__defaults__", (1_000_000, 0.3))
    try:
        for path, reason in (("/big", "larger than 1000000 bytes"), ("/drip", "not read in 0.3 s")):
            sm = machine(
                f'<datamodel><data id="d" src="{base}{path}"/><data id="why" expr="\'\'"/></datamodel>'
                '<state id="a"><transition event="error.execution" target="ok"><assign location="why" expr="_event.data.message"/></transition></state>'
                '<final id="ok"/>'
            )
            assert sm.done and reason in sm.datamodel["why"], (path, sm.datamodel["why"])
    finally:
        server.shutdown()
        server.server_close()


def test_invoke_src_over_http(tmp_path):
    import functools
    import http.server
    import threading

    (tmp_path / "child.scxml").write_text(
        '<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0"><final id="f">'
        '<donedata><param name="x" expr="7"/></donedata></final></scxml>'
    )
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        sm = machine(
            f'<state id="a"><invoke id="c" src="http://127.0.0.1:{server.server_address[1]}/child.scxml"/>'
            '<transition event="done.invoke.c" cond="_event.data.x === 7" target="ok"/></state><final id="ok"/>'
        )
        sm.run_until_idle(5)  # (fetched without blocking: the child starts when its document has arrived)
    finally:
        server.shutdown()
        server.server_close()
    assert sm.done and sm.configuration == {"ok"}


# -- the code-free send path (Machine.send with PlannedTables.lean_plans) --------------------

TOGGLE = (
    '<state id="a"><transition event="t" target="b"/><transition event="show" target="c"/></state>'
    '<state id="b"><transition event="t" target="a"/></state>'
    '<state id="c"><onentry><log expr="_event.name"/></onentry><transition event="u" target="a"/></state>'
)


@pytest.mark.plans
def test_code_free_steps_take_the_lean_path_and_stay_correct():
    sm = machine(TOGGLE)
    for i in range(4):
        sm.send("t")
        assert sm.configuration == ({"b"} if i % 2 == 0 else {"a"})
    assert sm.tables.lean_plans, "repeated code-free steps should be recorded for the lean path"
    assert sm._lean is not None and sm._lazy_event == "t"  # the last step went the lean way
    sm.send("show")  # runs code: binds the new event, not the lazy one
    assert sm.logs == ["show"] and sm._lazy_event is None


def test_lazy_event_is_bound_when_the_datamodel_is_read():
    sm = machine(TOGGLE)
    for _ in range(4):
        sm.send("t")
    sm.send("t", data=None)
    event = sm.datamodel["_event"]
    assert event["name"] == "t" and event["type"] == "external" and getattr(sm, "_lazy_event", None) is None  # (plans only)


def test_lean_path_is_not_taken_with_data_fields_or_while_busy():
    sm = machine(TOGGLE)
    for _ in range(4):
        sm.send("t")
    sm.send("t", {"k": 1})
    assert sm.datamodel["_event"]["data"] == {"k": 1.0}
    sm.send("t", sendid="s1")
    assert sm.datamodel["_event"]["sendid"] == "s1"


def test_send_refuses_a_field_it_does_not_take_on_every_path():
    sm = machine(TOGGLE)
    for _ in range(4):
        sm.send("t")  # (a lean step from here, with plans)
    config = sm.configuration
    for data in (None, {"k": 1}):
        with pytest.raises(TypeError, match="unexpected keyword argument 'sendId'"):
            sm.send("t", data, sendId="s1")
    assert sm.configuration == config  # nothing was taken
    sm.send("t")
    assert sm.configuration != config


@pytest.mark.plans
def test_onexit_on_cancel_sees_the_last_lazily_taken_event():
    sm = machine(
        '<state id="p"><onexit><log expr="_event.name"/></onexit>'
        '<state id="a"><transition event="t" target="b"/></state>'
        '<state id="b"><transition event="t" target="a"/></state></state>'
    )
    for _ in range(3):
        sm.send("t")
    assert sm._lazy_event == "t"
    sm.cancel_session()  # exitInterpreter runs the onexit handlers
    assert sm.logs == ["t"]


def test_lean_path_stops_with_the_machine():
    sm = machine(
        '<state id="a"><transition event="t" target="b"/></state>'
        '<state id="b"><transition event="t" target="a"/><transition event="end" target="f"/></state>'
        '<final id="f"/>'
    )
    for _ in range(3):
        sm.send("t")
    sm.send("end")
    assert sm.done and getattr(sm, "_lean", None) is None  # (the reference mode has no lean path)
    sm.send("t")  # ignored: the session is over
    assert sm.configuration == {"f"}


# -- _event is read once per generated function (Transpiler(hoist_event=True)) -------------


def test_event_system_variable_cannot_be_rebound_or_deleted_through_the_global_object():
    sm = machine(
        '<state id="a"><transition event="go" target="b"><script>'
        "this._event = 5;</script></transition></state>"
        '<state id="b"><transition event="error.execution" target="c">'
        '<log expr="delete _event"/><log expr="delete this._event"/><log expr="_event.name"/>'
        "</transition></state>"
        '<state id="c"/>'
    )
    sm.send("go")
    assert sm.configuration == {"c"}
    assert sm.logs == ["false", "false", "error.execution"]


def test_functions_read_the_event_of_their_call_not_of_their_creation():
    sm = machine(
        '<datamodel><data id="f"/></datamodel>'
        '<state id="a"><transition event="make" target="b">'
        '<assign location="f" expr="function () { return _event.name; }"/>'
        '<log expr="[1].map(function () { return _event.name; })[0]"/></transition></state>'
        '<state id="b"><transition event="call" target="c"><log expr="f() + \'/\' + _event.name"/></transition></state>'
        '<state id="c"/>'
    )
    sm.send("make")
    sm.send("call")
    assert sm.logs == ["make", "call/call"]


# -- guarded plans: conditions of one state's candidates, cached per configuration ---------


@pytest.mark.plans
def test_guarded_plans_follow_the_conditions_on_every_event():
    sm = machine(
        '<datamodel><data id="n" expr="0"/></datamodel>'
        '<state id="p"><transition event="error.execution"><log expr="\'error\'"/></transition>'
        '<state id="a">'
        '<transition event="e" cond="n % 3 == 0"><assign location="n" expr="n + 1"/><log expr="\'zero\'"/></transition>'
        '<transition event="e" cond="_event.data.boom.x"><log expr="\'never\'"/></transition>'
        '<transition event="e" cond="n % 3 == 1" target="b"><assign location="n" expr="n + 1"/></transition>'
        "</state>"
        '<state id="b"><transition event="e" target="a"><assign location="n" expr="n + 1"/></transition></state>'
        "</state>"
    )
    for _ in range(6):
        sm.send("e")
    # From a: the first condition holds (n % 3 == 0), or else the second fails (an error) and
    # the third holds; from b, back to a.
    assert sm.tables.guarded_plans, "the conditions' candidates should be remembered"
    assert sm.logs == ["zero", "error", "zero", "error"]
    assert sm.configuration == {"p", "a"} and sm.datamodel["n"] == 6.0


@pytest.mark.plans
def test_a_single_condition_decides_in_send_without_a_selector():
    # One condition is not enough for a selector (lowering.lower_selectors): Machine.send
    # evaluates the conditions itself (Planned.first_enabled) and calls the recorded block of
    # the candidate they enable. A condition that fails is false, with error.execution.
    sm = machine(
        '<datamodel><data id="n" expr="0"/></datamodel>'
        '<state id="p"><transition event="error.execution"><log expr="\'error\'"/></transition>'
        '<state id="a">'
        '<transition event="e" cond="_event.data.k.x &gt; n"><assign location="n" expr="n + 1"/><log expr="\'up \' + n"/></transition>'
        '<transition event="e"><log expr="\'else \' + n"/></transition>'
        "</state></state>"
    )
    assert not sm.tables.states[sm.tables.index["a"]].selectors
    for data in ({"k": {"x": 5}}, {"k": {}}, None, {"k": {"x": 5}}, {"k": {"x": 1}}, None):
        sm.send("e", data)
    assert sm.logs == ["up 1", "else 1", "else 1", "error", "up 2", "else 2", "else 2", "error"]
    guards = [g for plans in sm.tables.guarded_plans.values() for g in plans.values()]
    assert len(guards) == 1 and guards[0][0] is None
    assert all(g[3] is not None for g in guards[0][1]), "both candidates' blocks should be called directly"


@pytest.mark.plans
def test_guarded_plans_are_not_used_when_several_states_have_candidates():
    sm = machine(
        '<datamodel><data id="n" expr="0"/></datamodel>'
        '<parallel id="p">'
        '<state id="r1"><transition event="e" cond="n &lt; 100"><assign location="n" expr="n + 1"/></transition></state>'
        '<state id="r2"><transition event="e" cond="n &lt; 100"><assign location="n" expr="n + 10"/></transition></state>'
        "</parallel>"
    )
    for _ in range(3):
        sm.send("e")
    # asked once, declined
    assert [v for plans in sm.tables.guarded_plans.values() for v in plans.values()] == [False]
    assert sm.datamodel["n"] == 33.0


# -- speculative regions: consecutive <assign>s guessed together (lowering.region) --------

REGION = (
    '<datamodel><data id="o" expr="({k: 2, name: \'n\'})"/><data id="a" expr="0"/>'
    '<data id="b" expr="0"/><data id="s" expr="\'\'"/></datamodel>'
    '<state id="p"><transition event="error.execution"><log expr="\'error \' + _event.data.location"/></transition>'
    '<state id="run">'
    '<transition event="go"><assign location="a" expr="o.k + 1"/><assign location="b" expr="a * 2"/>'
    '<assign location="s" expr="o.name + a + b"/></transition>'
    '<transition event="spoil"><assign location="o" expr="({k: \'2\', name: {toString: function () { return \'T\'; }}})"/></transition>'
    '<transition event="break"><assign location="o" expr="null"/></transition>'
    "</state></state>"
)


def test_region_assigns_see_the_values_assigned_before_them():
    sm = machine(REGION)
    sm.send("go")
    assert (sm.datamodel["a"], sm.datamodel["b"], sm.datamodel["s"]) == (3.0, 6.0, "n36")


def test_region_whose_guess_fails_runs_the_exact_code_once():
    sm = machine(REGION)
    sm.send("spoil")  # o.k is now a string, o.name an object: every guess fails
    sm.send("go")
    # JS: a = '2' + 1 = '21'; b = '21' * 2 = 42; s = 'T' + '21' + 42
    assert (sm.datamodel["a"], sm.datamodel["b"], sm.datamodel["s"]) == ("21", 42.0, "T2142")


def test_region_error_keeps_earlier_assigns_and_names_the_failing_line():
    sm = machine(REGION)
    sm.send("break")  # o is null: the first assign throws
    sm.send("go")
    assert sm.datamodel["a"] == 0.0 and sm.logs == ["error t_chart.scxml:1"]


@pytest.mark.plans
def test_regions_are_emitted_for_runs_of_assigns():
    source = scxmlc.compile_source(chart(REGION), "region.scxml").source
    assert "# <assign> line 1 (with the next 2)" in source


ARITHMETIC = (
    '<datamodel><data id="n" expr="4"/><data id="a" expr="0"/><data id="b" expr="0"/><data id="c" expr="0"/></datamodel>'
    '<state id="run"><transition event="go">'
    '<assign location="a" expr="n % 3 + n * 2 + n % 3"/><assign location="n" expr="n + 1"/>'
    '<assign location="b" expr="n % 3"/><assign location="c" expr="n * 2 + _event.data.k % 3 + _event.data.k % 3"/>'
    "</transition></state>"
)


def test_arithmetic_on_values_read_before_is_reused_until_one_of_them_is_assigned():
    sm = machine(ARITHMETIC)
    sm.send("go", {"k": 5})
    # a = 1 + 8 + 1; n = 5; b = 5 % 3 (not the 4 % 3 of before); c = 10 + 2 + 2
    assert [sm.datamodel[k] for k in "anbc"] == [10.0, 5.0, 2.0, 14.0]


@pytest.mark.plans
def test_arithmetic_on_values_read_before_is_computed_once():
    source = scxmlc.compile_source(chart(ARITHMETIC), "arith.scxml").source
    fast = source[source.index("    try:") : source.index("    except js_guess_failed:")]
    # n % 3 before and after n is assigned, and _event.data.k % 3 once
    assert fast.count("% 3.0") == 3, fast


def test_an_unformatted_module_is_the_same_code():
    # compile_source(format=False), what load and load_string run: black left out, the same
    # statements (black keeps the AST), deterministic, and a session runs alike.
    text = chart(REGION)
    formatted = scxmlc.compile_source(text, "region.scxml").source
    plain = scxmlc.compile_source(text, "region.scxml", format=False).source
    assert plain != formatted and plain == scxmlc.compile_source(text, "region.scxml", format=False).source
    body = lambda source: ast.dump(ast.parse(source.split("__scxmlc_locations__")[0]))  # noqa: E731
    assert body(plain) == body(formatted)
    results = []
    for source in (formatted, plain):
        module = scxmlc.load_source(source, "t_region_fmt", "region.scxml")
        sm = module.Chart(clock=SimulatedClock()).start()
        sm.send("go")
        results.append((sm.datamodel["a"], sm.datamodel["s"]))
    assert results[0] == results[1] == (3.0, "n36")


# -- ORS: _data is the datamodel object -----------------------------------------------------


def test_data_object_reads_and_writes_data_items():
    sm = machine(
        "<datamodel><data id=\"reqid\" expr=\"''\"/><data id=\"n\" expr=\"1\"/></datamodel>"
        '<state id="a"><onentry>'
        '<script>_data.reqid = "R1"; _data.extra = 5;</script>'
        "<log expr=\"reqid + ' ' + extra + ' ' + _data.n + ' ' + typeof _data + ' ' + _data.nothing\"/>"
        '<log expr="uneval(_data)"/>'
        '<assign location="_data.n" expr="_data.n + 1"/><assign location="reqid" expr="_data.reqid + _data.n"/>'
        '<script>_data = 3;</script><log expr="\'not reached\'"/>'
        "</onentry>"
        '<transition event="error.execution" target="b"><log expr="_event.data.message"/></transition></state>'
        '<state id="b"/>'
    )
    assert sm.logs == [
        "R1 5 1 object undefined",
        '({reqid:"R1", n:1, extra:5})',
        "Cannot assign to read only variable '_data'",
    ]
    assert sm.datamodel["n"] == 2.0 and sm.datamodel["reqid"] == "R12"
    assert sm.configuration == {"b"}


# -- selectors: one atomic state's transition selection as one function ------------------

SELECTING = (
    '<datamodel><data id="n" expr="0"/><data id="log" expr="\'\'"/></datamodel>'
    '<state id="p"><transition event="error.execution"><assign location="log" expr="log + \'E\'"/></transition>'
    '<state id="a">'
    '<transition event="e" cond="_event.data.k % 3 == 0"><assign location="log" expr="log + \'0\'"/></transition>'
    '<transition event="e" cond="_event.data.k % 3 == 1 &amp;&amp; n &lt; 100"><assign location="log" expr="log + \'1\'"/></transition>'
    '<transition event="e" cond="_event.data.s == \'x\'"><assign location="log" expr="log + \'x\'"/></transition>'
    '<transition event="e"><assign location="log" expr="log + \'-\'"/></transition>'
    '<transition event="f" cond="n == 0"/>'
    "</state></state>"
)


@pytest.mark.plans
def test_a_state_with_several_conditions_gets_a_selector_per_event():
    sm = machine(SELECTING)
    a = sm.tables.states[sm.tables.index["a"]]
    # "e": three conditions with fast paths, then an unconditioned transition; "f": one
    # condition is no gain over calling it.
    assert [name for name, _ in a.selectors] == ["e"]
    select = dict(a.selectors)["e"]
    sm.dm["_event"] = {"name": "e", "data": {"k": 4, "s": "x"}}
    assert select(sm) == 1
    sm.dm["_event"] = {"name": "e", "data": {"k": 5, "s": "x"}}
    assert select(sm) == 2
    sm.dm["_event"] = {"name": "e", "data": {"k": 5, "s": "y"}}
    assert select(sm) == 3  # the one without a condition
    sm.dm["_event"] = {"name": "e", "data": {"k": "3", "s": "y"}}
    assert select(sm) == -1  # a failed guess: the runtime evaluates the conditions


@pytest.mark.parametrize(
    "payload, logged",
    [
        ({"k": 3, "s": "y"}, "0"),
        ({"k": 4, "s": "y"}, "1"),
        ({"k": 5, "s": "x"}, "x"),
        ({"k": 5, "s": "y"}, "-"),
        ({"k": "3", "s": "y"}, "0"),  # "3" % 3 is 0 in JS: the guess fails, the exact code decides
        ({"k": [4], "s": "y"}, "1"),  # [4] % 3 is 1
        ({"s": "x"}, "x"),  # undefined % 3 is NaN
        # Data with no JS value (past the doubles) becomes undefined when converted, which is
        # an error.execution of its own (the first E); each condition then fails on it, as on
        # no data at all. The errors are processed after the step (internal events).
        ({"k": 10**400, "s": "x"}, "-EEEE"),
        (None, "-EEE"),
    ],
)
def test_selectors_decide_as_the_conditions_would(payload, logged):
    sm = machine(SELECTING)
    for _ in range(2):  # the first event records the guarded plans, the second uses them
        sm.send("e", payload)
    assert sm.datamodel["log"] == logged * 2


@pytest.mark.plans
def test_a_condition_without_fast_path_stops_the_selector_there():
    sm = machine(
        '<datamodel><data id="log" expr="\'\'"/></datamodel>'
        '<script>function big(x) { return x > 10; }</script>'
        '<state id="a">'
        '<transition event="e" cond="_event.data.k == 1"><assign location="log" expr="log + \'1\'"/></transition>'
        '<transition event="e" cond="_event.data.k == 2"><assign location="log" expr="log + \'2\'"/></transition>'
        '<transition event="e" cond="big(_event.data.k)"><assign location="log" expr="log + \'B\'"/></transition>'
        '<transition event="e" cond="_event.data.k == 3"><assign location="log" expr="log + \'3\'"/></transition>'
        "</state>"
    )
    select = dict(sm.tables.states[sm.tables.index["a"]].selectors)["e"]
    sm.dm["_event"] = {"name": "e", "data": {"k": 3}}
    assert select(sm) == -3  # the conditions from the third on are the runtime's to evaluate
    for k in (1, 2, 11, 3, 4, 1):
        sm.send("e", {"k": k})
    assert sm.datamodel["log"] == "12B31"


# -- handlers: a targetless step of assignments as one call, the event built when read ----


def handlers_of(sm, state: str) -> dict:
    return dict(sm.tables.states[sm.tables.index[state]].handlers)


@pytest.mark.plans
def test_a_state_whose_candidates_only_assign_gets_a_handler_per_event():
    sm = machine(SELECTING)
    handlers = handlers_of(sm, "a")
    assert list(handlers) == ["e", "f", "error.execution"]  # (p's transition is a candidate of a)
    e = handlers["e"]
    assert e(sm, {"k": 4, "s": "x"}) == 1 and sm.dm["log"] == "1"  # the condition, then the assign
    assert e(sm, {"k": 5, "s": "y"}) == 3 and sm.dm["log"] == "1-"  # the one without a condition
    # A failed guess changes nothing: "3" % 3 is the exact code's to compute
    assert e(sm, {"k": "3", "s": "y"}) == -1 and sm.dm["log"] == "1-"
    sm.dm["n"] = "0"  # (a string now: the condition n == 0 is not guessed for it)
    assert handlers["f"](sm, None) == -1
    sm.dm["n"] = 1.0
    assert handlers["f"](sm, None) == 1  # none enabled: the event is dropped


@pytest.mark.plans
def test_send_takes_a_handlers_step_and_binds_the_event_when_it_is_read():
    sm = machine(SELECTING)
    sm.send("e", {"k": 3})  # (the first step of a configuration gives it its handlers)
    payload = {"k": 4, "s": "x", "arr": [1, 2]}
    sm.send("e", payload)
    assert sm._lazy_event == ("e", payload)  # taken by the handler: no event object yet
    assert sm.dm["log"] == "01"
    event = sm.datamodel["_event"]  # reading the datamodel binds it, its data converted
    assert event["name"] == "e" and event["type"] == "external"
    assert event["data"]["k"] == 4.0 and type(event["data"]["arr"]).__name__ == "JSArray"
    assert sm._lazy_event is None
    sm.send("e", {"k": 10**400})  # no JS number: the guess fails, the full path decides
    assert sm.datamodel["log"] == "01-EEEE"  # (undefined, which the three conditions fail on)
    sm.send("f")  # a handler's event without data: as the handler decides (n == 0: taken)
    assert sm._lazy_event == ("f", None)
    assert sm.datamodel["_event"]["name"] == "f" and sm.datamodel["_event"]["data"] is UNDEFINED


@pytest.mark.plans
def test_a_snapshot_after_a_handlers_step_has_its_event():
    sm = machine(SELECTING)
    for k in (3, 4):
        sm.send("e", {"k": k, "s": "q"})
    assert sm._lazy_event is not None
    restored = type(sm).restore(sm.snapshot(), host=Host(SimulatedClock()))
    event = restored.datamodel["_event"]
    assert event["name"] == "e" and event["data"]["k"] == 4.0 and event["data"]["s"] == "q"


def test_the_code_after_a_handlers_step_sees_its_event():
    sm = machine(
        '<datamodel><data id="n" expr="0"/></datamodel>'
        '<state id="a"><transition event="e" cond="_event.data.k &gt; 0"><assign location="n" expr="n + _event.data.k"/></transition>'
        '<transition event="stop" target="b"/></state>'
        '<state id="b"><onentry><log expr="n"/></onentry></state>'
    )
    for k in (1, 2, 3):
        sm.send("e", {"k": k})
    sm.cancel_session()
    assert sm.logs == []
    sm = machine(
        '<datamodel><data id="n" expr="0"/></datamodel>'
        '<state id="a"><onexit><log expr="_event.name + \' \' + _event.data.k"/></onexit>'
        '<transition event="e" cond="_event.data.k &gt; 0"><assign location="n" expr="n + _event.data.k"/></transition></state>'
    )
    for k in (1, 2, 3):
        sm.send("e", {"k": k})
    sm.cancel_session()  # exitInterpreter runs onexit, which reads the last event taken
    assert sm.logs == ["e 3"]


def test_handlers_are_not_used_where_several_atomic_states_are_active():
    sm = machine(
        '<datamodel><data id="log" expr="\'\'"/></datamodel>'
        '<parallel id="p"><state id="r1"><state id="a">'
        '<transition event="e" cond="_event.data.k &gt; 0"><assign location="log" expr="log + \'a\'"/></transition>'
        "</state></state>"
        '<state id="r2"><state id="b"><transition event="e"><assign location="log" expr="log + \'b\'"/></transition>'
        "</state></state></parallel>"
    )
    if sm.plans:  # (the reference mode's code has none)
        assert handlers_of(sm, "a") and handlers_of(sm, "b")  # (each state has its own)
    for _ in range(3):
        sm.send("e", {"k": 1})
    assert sm.datamodel["log"] == "ab" * 3  # both regions take the event every time


def test_handlers_are_not_used_where_an_eventless_transition_may_follow():
    sm = machine(
        '<datamodel><data id="n" expr="0"/></datamodel>'
        '<state id="a"><transition event="e" cond="_event.data.k &gt; 0"><assign location="n" expr="n + _event.data.k"/></transition>'
        '<transition cond="n &gt;= 3" target="done"/></state>'
        '<final id="done"/>'
    )
    for _ in range(3):
        sm.send("e", {"k": 1})
    assert sm.done and sm.configuration == {"done"}


@pytest.mark.parametrize(
    "transition",
    [
        '<transition event="e" cond="_event.data.k &gt; 0" target="b"><assign location="n" expr="1"/></transition>',
        '<transition event="e" cond="_event.data.k &gt; 0"><assign location="n" expr="1"/><log expr="n"/></transition>',
        '<transition event="e" cond="_event.name == \'e\'"><assign location="n" expr="1"/></transition>',
        '<transition event="e" cond="_event.data.k &gt; 0"><assign location="n" expr="_event.origin"/></transition>',
        '<transition event="e" cond="_event.data.k &gt; 0"><assign location="undeclared" expr="1"/></transition>',
    ],
    ids=["target", "log", "event-name", "event-origin", "undeclared"],
)
def test_no_handler_for_a_step_that_does_more_than_assign_from_the_events_data(transition):
    body = f'<datamodel><data id="n" expr="0"/></datamodel><state id="a">{transition}</state><state id="b"/>'
    sm = machine(body)
    assert handlers_of(sm, "a") == {}
    module = scxmlc.load_string(chart(body), module_name="t_chart_ref", speculate=False)
    assert module.Chart.STATES[1].handlers == ()  # nor in the reference mode's code


def test_a_watched_session_runs_every_send_through_its_supervisor():
    # Machine.send's shortest paths (lean plans, handlers) pass `_busy` by: a session whose
    # runs are watched (a session server's, one that changed built-ins) never takes them.
    for body, events in (
        (TOGGLE, [("t", None)] * 6),
        (SELECTING, [("e", {"k": k}) for k in (3, 4, 5, 3, 4, 5)]),
    ):
        sm = machine(body)
        quiet = []
        sm.supervise(lambda s: quiet.append(s.configuration))
        for name, data in events:
            sm.send(name, data)
        assert len(quiet) == len(events)


# -- event data as the host passed it: read by plans as it is, converted before other code --

RAW_CHART = (
    '<datamodel><data id="total" expr="0"/><data id="tag" expr="\'\'"/></datamodel>'
    '<state id="a">'
    '<transition event="add" cond="_event.data.n &gt; 0">'
    '<assign location="total" expr="total + _event.data.n * _event.data.arr[1]"/>'
    '<assign location="tag" expr="tag + _event.data.s + \':\' + _event.data.arr.length"/></transition>'
    '<transition event="show"><log expr="_event.data"/></transition>'
    '<transition event="error.execution"><log expr="\'error: \' + _event.data.message"/></transition>'
    "</state>"
)


@pytest.mark.plans
def test_plans_read_event_data_without_converting_it():
    sm = machine(RAW_CHART)
    payload = {"n": 2, "arr": [1, 5, 7], "s": "x"}
    sm.send("add", {"n": 0})  # (the first step of a configuration gives it its handlers)
    sm.send("add", payload)
    # Only a plan (the handler) read the data: it is still the host's, in no event object yet.
    assert sm._lazy_event == ("add", payload) and sm._lazy_event[1] is payload
    assert sm.datamodel["total"] == 10.0 and type(sm.datamodel["total"]) is float
    assert sm.datamodel["tag"] == "x:3"
    # Reading the datamodel binds the event, converted: JS values, a copy of the host's data.
    data = sm.datamodel["_event"]["data"]
    assert sm._lazy_event is None and data is not payload
    assert type(data["arr"]).__name__ == "JSArray" and data["n"] == 2.0 and type(data["n"]) is float


def test_fast_paths_run_no_code_of_the_hosts_objects_in_event_data():
    # A plan checks the host's data with type(), never `__class__`, which an object of the
    # host's may compute (a proxy's does): such data fails the guess, and its conversion
    # fails as data that is not JSON-like does (error.execution; the condition then reads
    # undefined, a TypeError: two errors an event).
    class Sly:
        @property
        def __class__(self):
            raise RuntimeError("host code ran")

    sm = machine(RAW_CHART)
    sm.send("add", {"n": 1, "arr": [1, 2], "s": "x"})  # (then the handler's path is open: plans)
    for payload in ({"n": Sly(), "arr": [1, 2], "s": "x"}, {"n": 2, "arr": [1, Sly()], "s": "x"}, {"n": 2, "arr": [1, 2], "s": Sly()}):
        sm.send("add", payload)
    assert len(sm.logs) == 6 and all("not JSON-like" in line for line in sm.logs[::2]), sm.logs
    assert all("Cannot read properties of undefined (reading 'n')" in line for line in sm.logs[1::2]), sm.logs
    assert sm.datamodel["total"] == 2.0


def test_code_other_than_plans_sees_converted_data():
    sm = machine(RAW_CHART)
    for _ in range(2):  # (the second through the plans the first recorded)
        sm.send("show", {"n": 1, "arr": [1, 2], "t": (3, 4)})
    assert sm.logs == ['{"n":1,"arr":[1,2],"t":[3,4]}'] * 2


def test_event_data_that_is_not_json_like_is_undefined_and_an_error():
    sm = machine(RAW_CHART)
    sm.send("add", {"n": {1, 2}})  # a set: no JS value; then the condition reads undefined.n
    assert len(sm.logs) == 2 and "not JSON-like" in sm.logs[0] and "of undefined" in sm.logs[1], sm.logs
    assert sm.datamodel["total"] == 0.0
    sm.send("other", {"n": {1, 2}})  # nothing reads it: the data is lost all the same, and said so
    assert len(sm.logs) == 3 and "not JSON-like" in sm.logs[2], sm.logs
    assert sm.datamodel["_event"]["name"] == "error.execution"  # (the last event taken)


def test_str_keys_win_over_other_keys_of_the_same_spelling():
    sm = machine(
        '<datamodel><data id="v" expr="\'\'"/></datamodel>'
        '<state id="a"><transition event="e"><assign location="v" expr="v + _event.data[\'1\'] + _event.data[2]"/>'
        "</transition></state>"
    )
    sm.send("e", {1: "int", "1": "str", 2: "two"})  # the fast path reads the host's dict
    sm.send("e", {"1": "str", 1: "int", 2: "two"})
    sm.send("e", to_js({1: "int", "1": "str", 2: "two"}))  # converted first
    assert sm.datamodel["v"] == "strtwo" * 3



# -- the event queues are made on first use (an idle session is smaller) --------------------


def test_queues_are_made_by_the_first_event_they_hold():
    sm = machine('<state id="a"><transition event="t" target="b"/></state><state id="b"/>')
    sm.send("t")
    # nothing was ever queued: both are still the shared empty tuple, not a deque each
    assert sm.internal_queue == () and sm.external_queue == ()
    assert type(sm.internal_queue) is tuple and type(sm.external_queue) is tuple


def test_an_event_raised_while_the_queue_is_being_made_is_taken_in_the_same_macrostep():
    # the first internal event of the session is raised by an eventless transition inside the
    # macrostep that reads the queue: it must be seen there, not left for the next event
    sm = machine(
        '<state id="a"><transition target="b"><raise event="go"/></transition></state>'
        '<state id="b"><transition event="go" target="c"><raise event="again"/></transition></state>'
        '<state id="c"><transition event="again" target="f"/></state><final id="f"/>'
    )
    assert sm.done and sm.configuration == {"f"}
    assert type(sm.internal_queue).__name__ == "deque" and not sm.internal_queue


def test_a_traced_session_reports_every_internal_event_after_plans_are_learnt():
    # Planned.macrostep takes replayed internal events without calling take_event, except in
    # a class that hooks it (trace.py): the untraced sessions of the same chart learn plans
    # for `x` and for `y`, which enables nothing, and the traced one still reports both.
    module = scxmlc.load_string(
        chart(
            '<state id="a"><transition event="go" target="b"><raise event="x"/><raise event="y"/></transition></state>'
            '<state id="b"><transition event="x" target="c"/></state><state id="c"><transition event="go" target="a"/></state>'
        ),
        module_name="t_traced_internal",
    )
    plain = Host(SimulatedClock()).start(module.Chart)
    for _ in range(6):
        plain.send("go")
    records = []
    traced = Host(SimulatedClock(), trace=records.append).start(module.Chart)
    for _ in range(4):
        traced.send("go")
    assert [r.details["name"] for r in records if r.kind == "event"] == ["go", "x", "y", "go"] * 2
