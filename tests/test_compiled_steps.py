"""Compiled steps (scxmlc/steps.py): the microsteps the compiler foresees run as one function each, exactly as their blocks would one by one (the reference mode is the judge), and only where the runtime records that very microstep; and the replays of a macrostep (plans.py), which write the configuration back only when something reads it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import scxmlc
import scxmlc.steps
from scxmlc_runtime import Host, Limits, SimulatedClock

from .test_reference_mode import Trace, datamodel

REPO = Path(__file__).resolve().parents[1]
BENCH = Path(os.environ.get("SCXMLC_BENCH_DIR", REPO.parent / "shared" / "bench"))
HEAD = '<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript" initial="{initial}">\n'


def compiled(plan, chart) -> bool:
    """Whether the recorded microstep `plan` is one of the chart's compiled steps."""
    return bool(plan) and len(plan[0]) == 1 and plan[0][0][1] in {fn for _, _, fn in chart.STEPS}


def drive(module, events, plans: bool = True, limits: Limits | None = None) -> Trace:
    trace = Trace()
    host = Host(SimulatedClock(), plans=plans, on_error=trace.error, limits=limits)
    sm = module.Chart(host=host, log=trace.log)
    sm.start()
    trace.state(sm)
    for name in events:
        sm.send(name)
        trace.state(sm)
    trace.steps.append(("data", datamodel(sm)))
    host.close()
    return trace


def alike(source: str, events, name: str, limits: Limits | None = None) -> type:
    """Run `source` with plans and compiled steps and in the reference mode: the same trace.
    Returns the fast module's chart class."""
    fast = scxmlc.load_string(source, module_name=f"{name}_fast")
    plain = scxmlc.load_string(source, module_name=f"{name}_plain", speculate=False)
    assert not getattr(plain.Chart, "STEPS", ()), "the reference mode's modules have no compiled steps"
    traces = [drive(fast, events, limits=limits).steps, drive(fast, events, limits=limits).steps, drive(plain, events, plans=False, limits=limits).steps]
    traces = [[tuple(str(x).replace(f"{name}_fast", name).replace(f"{name}_plain", name) for x in step) for step in t] for t in traces]
    assert traces[0] == traces[2] and traces[1] == traces[2]
    return fast.Chart


def test_the_deep_benchmark_chart_takes_one_compiled_step_per_event():
    module = scxmlc.load(BENCH / "charts" / "deep.scxml", module_name="steps_deep")
    chart = module.Chart
    assert len(chart.STEPS) == 2  # (t and u take the same 16 blocks from each leaf: one step each)
    sm = chart(clock=SimulatedClock()).start()
    for k in range(10):
        sm.send("tu"[k % 2])
    assert sm.datamodel["entries"] == 88 and sm.datamodel["exits"] == 80
    plans = [p for p in chart.tables.plan_cache.values() if p]
    assert plans and all(compiled(p, chart) for p in plans)


# A parent's guarded transition to itself: exit L, exit P, enter P (its onentry sees P without
# L), enter L by default (no block). Conditions decide, so the session's guarded path calls the
# step's one function alone: the step must leave the configuration it ends in.
SELF = (
    HEAD.format(initial="P")
    + '<datamodel><data id="n" expr="0"/></datamodel>\n'
    + '<state id="P">\n'
    + '  <onentry><log label="P in" expr="In(\'L\')"/></onentry>\n'
    + '  <onexit><log label="P out" expr="In(\'L\')"/></onexit>\n'
    + '  <transition event="e" cond="n &lt; 0" target="P"/>\n'
    + '  <transition event="e" cond="n &gt;= 0" target="P"><assign location="n" expr="n + 1"/></transition>\n'
    + '  <transition event="f" cond="In(\'L\')" target="Q"/>\n'
    + '  <state id="L"><onexit><log label="L out" expr="n"/></onexit></state>\n'
    + "</state>\n"
    + '<state id="Q"/>\n'
    + "</scxml>\n"
)


def test_a_compiled_step_leaves_the_configuration_it_ends_in():
    chart = alike(SELF, ["e", "e", "e", "e", "f"], "steps_self")
    assert chart.STEPS
    assert any(compiled(p, chart) for p in chart.tables.plan_cache.values())


# An error in the second block of a step: error.execution located at that block's element, the
# blocks after it run; and In() inside a step sees each block's own configuration.
ERRORS = (
    HEAD.format(initial="a1")
    + '<datamodel><data id="n" expr="0"/></datamodel>\n'
    + '<state id="a1">\n'
    + '  <onexit><log label="a1 out" expr="In(\'a2\')"/></onexit>\n'
    + '  <state id="a2">\n'
    + '    <onentry><log label="a2 in" expr="In(\'b1\')"/></onentry>\n'
    + '    <onexit>\n'
    + '      <assign location="n" expr="n + 1"/>\n'
    + '      <assign location="n" expr="n.no.such"/>\n'
    + "    </onexit>\n"
    + '    <transition event="t" target="b2"><log label="t" expr="In(\'a1\')"/></transition>\n'
    + "  </state>\n"
    + "</state>\n"
    + '<state id="b1">\n'
    + '  <onentry><log label="b1 in" expr="In(\'b2\')"/></onentry>\n'
    + '  <state id="b2">\n'
    + '    <onentry><log label="b2 in" expr="In(\'b2\') + \':\' + n"/></onentry>\n'
    + '    <onexit><log label="b2 out" expr="In(\'a1\')"/></onexit>\n'
    + '    <transition event="t" target="a1"/>\n'
    + "  </state>\n"
    + "</state>\n"
    + "</scxml>\n"
)


def test_an_error_inside_a_compiled_step_is_located_and_the_step_goes_on():
    chart = alike(ERRORS, ["t"] * 6, "steps_errors")
    assert len(chart.STEPS) >= 2
    assert all(compiled(p, chart) for p in chart.tables.plan_cache.values() if p and len(p[0]) > 0)
    trace = drive(scxmlc.load_string(ERRORS, module_name="steps_errors_again"), ["t"] * 3)
    errors = [s for s in trace.steps if s[0] == "error"]
    line = next(k for k, text in enumerate(ERRORS.splitlines(), 1) if "n.no.such" in text)
    assert len(errors) == 2 and all(f"steps_errors_again.scxml:{line}" in s[2] for s in errors)
    logs = [s[1:] for s in trace.steps if s[0] == "log"]
    assert ("b2 in", "true:1") in logs and ("a1 out", "false") in logs and ("t", "false") in logs


def test_compiled_steps_are_left_out_where_configurations_are_not_chains_and_deterministic():
    with_parallel = (
        HEAD.format(initial="p")
        + '<parallel id="p"><state id="x"><onentry><log expr="1"/></onentry><onexit><log expr="2"/></onexit>'
        + '<transition event="t" target="x"/></state><state id="y"/></parallel></scxml>'
    )
    assert "STEPS" not in scxmlc.compile_source(with_parallel).source
    first = scxmlc.compile_source(ERRORS).source
    assert "STEPS = (" in first and first == scxmlc.compile_source(ERRORS).source
    assert "STEPS" not in scxmlc.compile_source(ERRORS, speculate=False).source


def test_compiled_steps_stop_at_the_block_limit(monkeypatch):
    whole = scxmlc.compile_file(BENCH / "charts" / "deep.scxml")
    monkeypatch.setattr(scxmlc.steps, "STEP_BLOCK_LIMIT", 20)  # room for one step of 16 blocks
    capped = scxmlc.compile_file(BENCH / "charts" / "deep.scxml")
    assert whole.count("# Compiled step:") == 2 and capped.count("# Compiled step:") == 1
    # past the floor, a chart gets as many inlined blocks as it has blocks
    monkeypatch.setattr(scxmlc.steps, "STEP_BLOCK_LIMIT", 1_000)
    monkeypatch.setattr(scxmlc.steps, "STEP_BLOCK_FLOOR", 0)
    chart = scxmlc.load_string(SELF, module_name="steps_floor").Chart
    blocks = sum(len(s.onentry) + len(s.onexit) for s in chart.STATES) + sum(t.action is not None for t in chart.TRANSITIONS)
    inlined = sum(len(pairs) for pairs, _, _ in chart.STEPS)
    assert 0 < inlined <= blocks == 4


@pytest.mark.parametrize("block", ["<script>function f() { return 1; }</script>", '<foreach array="[1, 2]" item="x"><log expr="x"/></foreach>'])
def test_blocks_that_could_not_run_inline_keep_their_plan(block):
    source = (
        HEAD.format(initial="a")
        + '<datamodel><data id="n" expr="0"/></datamodel>'
        + f'<state id="a"><onexit>{block}</onexit><onentry><log expr="1"/></onentry><transition event="t" target="a"/></state></scxml>'
    )
    chart = alike(source, ["t"] * 3, f"steps_block_{len(block)}")
    inlinable = "function" not in block
    assert bool(chart.STEPS) == inlinable


# The replays of a macrostep (Planned.macrostep) keep the configuration they end in to
# themselves until something else reads it. Here a code-free replay (x: s1 -> s2) is followed by
# an event no plan covers (y has a condition), which take_event must select from s2.
UNPLANNED_AFTER_CODE_FREE = (
    HEAD.format(initial="s0")
    + '<datamodel><data id="n" expr="0"/></datamodel>'
    + '<state id="s0"><transition event="go" target="s1"><raise event="x"/><raise event="y"/></transition></state>'
    + '<state id="s1"><transition event="x" target="s2"/></state>'
    + '<state id="s2"><transition event="y" cond="n &gt;= 0" target="s3"><assign location="n" expr="n + 1"/></transition></state>'
    + '<state id="s3"><transition event="back" target="s0"/></state></scxml>'
)


def test_an_event_without_a_plan_after_code_free_replays_sees_their_configuration():
    alike(UNPLANNED_AFTER_CODE_FREE, ["go", "back"] * 4, "steps_unplanned")
    module = scxmlc.load_string(UNPLANNED_AFTER_CODE_FREE, module_name="steps_unplanned_again")
    sm = module.Chart(clock=SimulatedClock()).start()
    for _ in range(4):
        sm.send("go")
        assert sm.configuration == {"s3"}
        sm.send("back")
    assert sm.datamodel["n"] == 4


# A runaway loop of raised events, every other step code-free: when the limit ends the session,
# the states then active are the ones whose onexit runs.
RUNAWAY = (
    HEAD.format(initial="A")
    + '<state id="A"><onexit><log label="exit" expr="\'A\'"/></onexit>'
    + '<transition event="p" target="B"><raise event="q"/><raise event="p"/></transition></state>'
    + '<state id="B"><transition event="q" target="A"/></state></scxml>'
)


def test_the_limits_end_a_run_of_replays_in_the_configuration_it_reached():
    alike(RUNAWAY, ["p", "p"], "steps_runaway", limits=Limits(microsteps=1000))


# Blocks that only raise (RAISES): a replayed step whose one block this is takes the raised event
# at once. Where the chain stops (an eventless transition enabled, the limits), the event of the
# last step is bound and the raised one queued, as if each block had run.
RAISE_CHAIN = (
    HEAD.format(initial="s0")
    + '<state id="s0"><transition event="go" target="s1"><raise event="a"/></transition></state>'
    + '<state id="s1"><transition event="a" target="s2"><raise event="b"/></transition></state>'
    + '<state id="s2"><transition event="b" target="s3"><raise event="c"/></transition></state>'
    + "<state id=\"s3\"><transition cond=\"_event.name == 'b'\" target=\"s4\"><log label=\"eventless\" expr=\"_event.name\"/></transition></state>"
    + '<state id="s4"><transition event="c" target="s5"><log label="c" expr="_event.name + _event.type"/></transition></state>'
    + '<state id="s5"><onentry><log label="s5" expr="_event.name"/></onentry><transition event="back" target="s0"/></state></scxml>'
)


def test_a_chain_of_raises_is_taken_at_once_and_binds_the_event_code_reads():
    chart = alike(RAISE_CHAIN, ["go", "back"] * 4, "steps_raises")
    assert dict((event, block.__name__) for block, event in chart.RAISES) == {"a": "_s0_t1", "b": "_s1_t1", "c": "_s2_t1"}
    forwarded = [p for plans in chart.tables.event_plans.values() for p in plans.values() if p[5] is not None]
    assert len(forwarded) >= 2  # (a from s1 and b from s2; go is an external event: taken by send)
    trace = drive(scxmlc.load_string(RAISE_CHAIN, module_name="steps_raises_again"), ["go", "back", "go"])
    logs = [s[1:] for s in trace.steps if s[0] == "log"]
    assert logs[-3:] == [("eventless", "b"), ("c", "cinternal"), ("s5", "c")]


RAISE_LOOP = (
    HEAD.format(initial="A")
    + '<state id="A"><onexit><log label="A out" expr="_event.name"/></onexit><transition event="p" target="B"><raise event="q"/></transition></state>'
    + '<state id="B"><onexit><log label="B out" expr="_event.name"/></onexit><transition event="q" target="A"><raise event="p"/></transition></state></scxml>'
)


def test_the_limits_end_a_chain_of_raises_taken_at_once_as_they_end_any():
    # (onexit blocks make these steps two blocks each: the loop below has none)
    alike(RAISE_LOOP, ["p", "p"], "steps_raise_loop", limits=Limits(microsteps=1000))
    # Steps of one block each, taken at once; the parent's onexit, run as the limit ends the
    # session, reads the event of the last step taken.
    bare = HEAD.format(initial="A") + (
        '<state id="P"><onexit><log label="P out" expr="_event.name + _event.type"/></onexit>'
        '<state id="A"><transition event="p" target="B"><raise event="q"/></transition></state>'
        '<state id="B"><transition event="q" target="A"><raise event="p"/></transition></state></state></scxml>'
    )
    chart = alike(bare, ["p", "p"], "steps_raise_bare", limits=Limits(microsteps=1000))
    assert any(p[5] for plans in chart.tables.event_plans.values() for p in plans.values())
    logs = []
    sm = chart(clock=SimulatedClock(), limits=Limits(microsteps=1000), log=lambda label, text: logs.append(text)).start()
    sm.send("p")
    assert not sm.running and "microsteps" in sm.limit_reason
    assert len(logs) == 1 and logs[0] in ("pinternal", "qinternal")  # (not the external p)


def test_only_blocks_that_raise_and_nothing_else_are_listed():
    source = (
        HEAD.format(initial="a")
        + '<state id="a"><onentry><raise event="x"/><log expr="1"/></onentry><onexit><raise event="y"/></onexit>'
        + '<transition event="t" target="a"><if cond="true"><raise event="z"/></if></transition></state></scxml>'
    )
    chart = scxmlc.load_string(source, module_name="steps_only_raise").Chart
    assert [(block.__name__, event) for block, event in chart.RAISES] == [("_a_onexit", "y")]
    assert "RAISES" not in scxmlc.compile_source(source, speculate=False).source


def test_an_event_raised_behind_others_waits_its_turn():
    source = (
        HEAD.format(initial="s0")
        + '<state id="s0"><transition event="go" target="s1"><raise event="x"/><raise event="y"/></transition></state>'
        + '<state id="s1"><transition event="x" target="s2"><raise event="z"/></transition></state>'
        + '<state id="s2"><transition event="y" target="s3"/><transition event="z" target="s4"/></state>'
        + '<state id="s3"><transition event="z" target="s5"/></state><state id="s4"/><state id="s5"><transition event="back" target="s0"/></state></scxml>'
    )
    chart = alike(source, ["go", "back"] * 3, "steps_raise_behind")
    assert chart.RAISES
    sm = chart(clock=SimulatedClock()).start()
    for _ in range(3):
        sm.send("go")
        assert sm.configuration == {"s5"}
        sm.send("back")
